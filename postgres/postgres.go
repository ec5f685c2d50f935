// Package postgres opens Indivisible's database in PostgreSQL through pgx
// (its database/sql driver), for deployments where several `serve`
// processes share one database. The schema is migrated with goose from the
// embedded migrations/*.sql; the queries are package sqlstore's, the same
// text that runs on SQLite.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open PostgreSQL database, migrated to the latest schema. It
// implements logstore.Store and indivisible.AccountStore.
type DB struct {
	*sqlstore.Store
}

// IsURL reports whether a -db value names a PostgreSQL database rather
// than a SQLite file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// sequencerLock is the advisory lock key that makes every append
// transaction, in any process, the only sequencer of the log until it
// commits ("INDV" in ASCII).
const sequencerLock = 0x494e4456

// MaxConns caps the connections one process opens. database/sql opens a
// connection for every concurrent request by default, so a burst could
// take all of PostgreSQL's (100 by default, shared by every server on the
// database) and fail the rest with "too many clients"; above the cap,
// requests wait for a connection instead. Appends are serialised by the
// sequencer lock in any case.
const MaxConns = 20

// Open connects to the database at dsn (postgres://...) and migrates it.
func Open(ctx context.Context, dsn string) (*DB, error) {
	name := redact(dsn)
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, indivisible.Invalid("db", "%s: %v", name, err)
	}
	sqldb.SetMaxOpenConns(MaxConns)
	sqldb.SetMaxIdleConns(MaxConns)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "%s: %v", name, err)
	}
	// Migrations from several processes starting at once must not race:
	// goose's provider takes a session lock for the duration.
	fsys, err := fs.Sub(migrations, "migrations")
	var locker lock.SessionLocker
	if err == nil {
		locker, err = lock.NewPostgresSessionLocker()
	}
	if err == nil {
		var p *goose.Provider
		if p, err = goose.NewProvider(goose.DialectPostgres, sqldb, fsys, goose.WithSessionLocker(locker)); err == nil {
			_, err = p.Up(ctx)
		}
	}
	if err != nil {
		sqldb.Close()
		return nil, indivisible.Errorf(indivisible.EINVALID, "%s: cannot migrate database: %v", name, err)
	}
	return &DB{Store: sqlstore.New(sqldb, name, sqlstore.Dialect{
		IsConstraint: isConstraint,
		Sequence: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, sequencerLock)
			return err
		},
	})}, nil
}

// isConstraint reports whether err is a unique violation (SQLSTATE 23505).
func isConstraint(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// redact drops the password from a DSN for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}

var _ logstore.Store = (*DB)(nil)
