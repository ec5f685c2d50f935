package postgres_test

import (
	"context"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/ledgertest"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/postgres"
	"github.com/indivisible-eurasia/indivisible/postgres/pgtest"
	"github.com/indivisible-eurasia/indivisible/storetest"
)

func open(t *testing.T) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.Fresh(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The contract suites every storage backend runs.

func TestLogStore(t *testing.T) {
	ledgertest.TestStore(t, func(t *testing.T) logstore.Store { return open(t) })
}

func TestAccountStore(t *testing.T) {
	storetest.TestAccounts(t, func(t *testing.T) indivisible.AccountStore { return open(t) })
}

// TestMigrateTwice checks that a second process starting on a migrated
// database finds nothing to do.
func TestMigrateTwice(t *testing.T) {
	dsn := pgtest.Fresh(t)
	for range 2 {
		db, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}

func TestIsURL(t *testing.T) {
	for s, want := range map[string]bool{"postgres://u@h/db": true, "postgresql://h/db": true, "indivisible.db": false, "/tmp/x.db": false} {
		if postgres.IsURL(s) != want {
			t.Errorf("IsURL(%q) = %v", s, !want)
		}
	}
}
