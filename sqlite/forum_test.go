package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/indivisible-eurasia/indivisible/sqlite"
	"github.com/indivisible-eurasia/indivisible/storetest"
)

func TestForumStore(t *testing.T) {
	storetest.TestForum(t, func(t *testing.T) storetest.ForumStore {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "forum.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
