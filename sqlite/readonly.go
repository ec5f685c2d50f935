package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/indivisible-eurasia/indivisible"
)

// OpenReadOnly opens the existing SQLite database at path for reading
// only: it never migrates the schema, never changes the journal mode and
// never writes the file, so an audit leaves what it audits as it found
// it, and a database in a folder nobody may write can still be read. A
// missing file is ENOTFOUND; a database whose schema is older than this
// program's is EINVALID, saying so, since migrating it is a write.
//
// A WAL database that has no -wal file beside it has no open
// connection and all its content in the main file; it is opened
// immutable (immutable=1), so that reading creates no -wal or -shm file
// in its folder. Otherwise it is opened mode=ro, which reads the -wal
// file too and so sees what a running server has committed.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, indivisible.Invalid("db", "no database file given")
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, path, "no such database")
	case err != nil:
		return nil, indivisible.Invalid(path, "%v", err)
	case st.IsDir():
		return nil, indivisible.Invalid(path, "is a directory, not a database file")
	}
	q := url.Values{}
	q.Set("mode", "ro")
	if !exists(path+"-wal") && !exists(path+"-journal") {
		q.Set("immutable", "1")
	}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "deferred")
	return open(ctx, path, q, checkSchema)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// checkSchema reports whether every embedded migration has been applied
// to db, reading goose's version table without creating it.
func checkSchema(ctx context.Context, db *sql.DB, path string) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys)
	if err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "migrations: %v", err)
	}
	var table int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, goose.DefaultTablename).Scan(&table)
	if err != nil {
		return indivisible.Invalid(path, "cannot read the database: %v", err)
	}
	if table == 0 {
		return indivisible.Invalid(path, "not an Indivisible database (it has no schema version); a read-only command does not create one")
	}
	// goose records each step as a row; a version's latest row says
	// whether it is applied.
	rows, err := db.QueryContext(ctx, `SELECT version_id, is_applied FROM `+goose.DefaultTablename+` ORDER BY id`)
	if err != nil {
		return indivisible.Invalid(path, "cannot read the schema version: %v", err)
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		var ok bool
		if err := rows.Scan(&v, &ok); err != nil {
			return indivisible.Invalid(path, "cannot read the schema version: %v", err)
		}
		applied[v] = ok
	}
	if err := rows.Err(); err != nil {
		return indivisible.Invalid(path, "cannot read the schema version: %v", err)
	}
	var missing []string
	var latest int64
	for _, s := range p.ListSources() {
		latest = max(latest, s.Version)
		if !applied[s.Version] {
			missing = append(missing, fmt.Sprint(s.Version))
		}
	}
	if len(missing) > 0 {
		return indivisible.Invalid(path, "the database needs migrating to schema version %d (missing %s), and a read-only command never migrates: "+
			"migrate a copy by opening it with a command that writes, such as 'indivisible serve -db COPY', or use the version of indivisible that wrote it",
			latest, strings.Join(missing, ", "))
	}
	return nil
}
