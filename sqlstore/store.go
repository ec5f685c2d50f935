// Package sqlstore is Indivisible's storage over database/sql: the log,
// the key registry and the accounts, in SQL that runs unchanged on SQLite
// and PostgreSQL ($n placeholders, portable types). Packages sqlite and
// postgres open a connection, migrate their dialect's schema and hand it
// here with the few things that differ (a Dialect).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// Dialect is what differs between the databases.
type Dialect struct {
	// IsConstraint reports whether err is a unique or primary-key
	// violation.
	IsConstraint func(err error) bool
	// Sequence, if set, is called first in every append transaction: it
	// serialises appends across processes sharing the database (a
	// PostgreSQL advisory lock). SQLite needs none: its write lock,
	// taken at BEGIN, already does.
	Sequence func(ctx context.Context, tx *sql.Tx) error
}

// Store is an open database with Indivisible's schema.
type Store struct {
	// DB is the underlying handle.
	DB *sql.DB
	// Now is the clock for the times the store stamps itself (nil: the
	// system clock), so that tests can fix it.
	Now     func() time.Time
	name    string
	dialect Dialect
	// stmts caches prepared statements by query text: parsing the SQL of
	// every query costs as much as running it on the hot paths.
	stmts sync.Map
}

// New returns a store over db, which must already have the schema. name
// identifies the database in messages (a file path, or a DSN without its
// password).
func New(db *sql.DB, name string, d Dialect) *Store {
	return &Store{DB: db, name: name, dialect: d}
}

// stmt returns the prepared statement for query, preparing it once.
func (db *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// query runs a cached statement.
func (db *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a cached statement for one row.
func (db *Store) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	st, err := db.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// rowScanner is a *sql.Row, or the error of preparing its statement.
type rowScanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// SQL returns the underlying handle, for what reaches below the store:
// storetest damages rows with it to check that they are reported.
func (db *Store) SQL() *sql.DB { return db.DB }

// Name identifies the database in messages.
func (db *Store) Name() string { return db.name }

// Close closes the statements and the database.
func (db *Store) Close() error {
	db.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	return db.DB.Close()
}

func (db *Store) isConstraint(err error) bool { return err != nil && db.dialect.IsConstraint(err) }

// internal wraps an unexpected database error.
func internal(err error) error {
	var e *indivisible.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return indivisible.Errorf(indivisible.EINTERNAL, "database: %v", err)
}

// queryer is a *sql.DB or a *sql.Tx, for code that runs in either.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
