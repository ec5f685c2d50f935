// Package sqlite opens Indivisible's database in a SQLite file through
// modernc.org/sqlite (pure Go, no cgo). The file is opened in WAL mode with
// synchronous=FULL, so a committed transaction survives a crash or power
// loss, and writers take the lock at BEGIN (_txlock=immediate) so that two
// writers queue on busy_timeout instead of failing on lock upgrade. The
// schema is migrated with goose from the embedded migrations/*.sql; the
// queries themselves are package sqlstore's, shared with PostgreSQL.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"net/url"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open SQLite database, migrated to the latest schema. It
// implements logstore.Store and indivisible.AccountStore.
type DB struct {
	*sqlstore.Store
	path string
}

// Open opens (creating if need be) and migrates the SQLite database at
// path.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, indivisible.Invalid("db", "no database file given")
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	return open(ctx, path, q, migrate)
}

// open opens the database file at path with the driver's URI parameters
// q, and readies it with prepare (migrate, or check the schema) before
// anything reads it.
func open(ctx context.Context, path string, q url.Values, prepare func(context.Context, *sql.DB, string) error) (*DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "open %s: %v", path, err)
	}
	if err := prepare(ctx, sqldb, path); err != nil {
		sqldb.Close()
		return nil, err
	}
	return &DB{Store: sqlstore.New(sqldb, path, sqlstore.Dialect{IsConstraint: isConstraint}), path: path}, nil
}

func migrate(ctx context.Context, db *sql.DB, path string) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys)
	if err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "migrations: %v", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return indivisible.Errorf(indivisible.EINVALID, "%s: cannot migrate database: %v", path, err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns an error unless
// SQLite reports "ok".
func (db *DB) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := db.DB.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "%s: integrity check: %v", db.path, err)
	}
	if res != "ok" {
		return indivisible.Errorf(indivisible.EINTERNAL, "%s: integrity check: %s", db.path, res)
	}
	return nil
}

// isConstraint reports whether err is a UNIQUE or PRIMARY KEY violation.
func isConstraint(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

var _ logstore.Store = (*DB)(nil)
