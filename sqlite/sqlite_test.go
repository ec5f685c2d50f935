package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/ledgertest"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

func open(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "log.db"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStore(t *testing.T) {
	ledgertest.TestStore(t, func(t *testing.T) logstore.Store { return open(t) })
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log.db")
	for range 2 { // the second Open finds the schema migrated
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.IntegrityCheck(ctx); err != nil {
			t.Error(err)
		}
		db.Close()
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	_, err := sqlite.Open(ctx, "")
	if indivisible.ErrorCode(err) != indivisible.EINVALID {
		t.Errorf("empty path: %v", err)
	}
}
