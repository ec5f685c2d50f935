package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/sqlite"
	"github.com/indivisible-eurasia/indivisible/storetest"
)

func TestAccountStore(t *testing.T) {
	storetest.TestAccounts(t, func(t *testing.T) indivisible.AccountStore {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "accounts.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
