package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

// snapshot is a folder's state: each file's name, bytes and modification
// time, and the folder's own modification time. Tests run as root, which
// ignores file modes, so a read-only open is checked by comparing
// snapshots rather than by its failing to write.
type snapshot struct {
	names []string
	data  map[string][]byte
	mtime map[string]int64
}

func snap(t *testing.T, dir string) snapshot {
	t.Helper()
	s := snapshot{data: map[string][]byte{}, mtime: map[string]int64{}}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.mtime["."] = fi.ModTime().UnixNano()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		s.names = append(s.names, e.Name())
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		s.data[e.Name()], s.mtime[e.Name()] = b, fi.ModTime().UnixNano()
	}
	return s
}

func (s snapshot) same(t *testing.T, after snapshot) {
	t.Helper()
	if !slices.Equal(s.names, after.names) {
		t.Fatalf("files %v became %v", s.names, after.names)
	}
	for name, m := range s.mtime {
		if after.mtime[name] != m {
			t.Errorf("%s: modification time changed", name)
		}
	}
	for name, b := range s.data {
		if !bytes.Equal(after.data[name], b) {
			t.Errorf("%s: bytes changed", name)
		}
	}
}

// readOnlyCopy makes a database with an account in it, closed, in a
// folder of its own that it then makes read-only.
func readOnlyCopy(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "ind.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateAccount(context.Background(), &indivisible.Account{Name: "Secretariat", Role: indivisible.RoleSecretariat}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	return dir, path
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	dir, path := readOnlyCopy(t)
	before := snap(t, dir)
	db, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	as, err := db.Accounts(ctx)
	if err != nil || len(as) != 1 || as[0].Name != "Secretariat" {
		t.Errorf("accounts %v, %v; want the secretariat", as, err)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
	if err := db.CreateAccount(ctx, &indivisible.Account{Name: "X", Role: indivisible.RolePublic}); err == nil {
		t.Error("a write to a read-only database succeeded")
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Errorf("backup of a read-only database: %v", err)
	}
	db.Close()
	before.same(t, snap(t, dir))
}

// TestOpenReadOnlyLive checks that a database a writer has open (its -wal
// file holding what it committed) reads with what the writer committed.
func TestOpenReadOnlyLive(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "live.db")
	w, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.CreateAccount(ctx, &indivisible.Account{Name: "Early", Role: indivisible.RolePublic}); err != nil {
		t.Fatal(err)
	}
	r, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := w.CreateAccount(ctx, &indivisible.Account{Name: "Late", Role: indivisible.RolePublic}); err != nil {
		t.Fatal(err)
	}
	as, err := r.Accounts(ctx)
	if err != nil || len(as) != 2 {
		t.Errorf("the reader sees %v, %v; want both accounts the writer committed", as, err)
	}
}

func TestOpenReadOnlyRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := sqlite.OpenReadOnly(ctx, filepath.Join(dir, "missing.db")); indivisible.ErrorCode(err) != indivisible.ENOTFOUND {
		t.Errorf("missing file: %v, want ENOTFOUND", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
		t.Error("opening a missing database read-only created it")
	}
	if _, err := sqlite.OpenReadOnly(ctx, ""); indivisible.ErrorCode(err) != indivisible.EINVALID {
		t.Errorf("no path: %v, want EINVALID", err)
	}

	// A SQLite file that is not ours, and one migrated by an older
	// version, are refused and left as they were.
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "old.db")
	raw, err := sql.Open("sqlite", "file:"+old+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before := snap(t, dir)
	for _, tc := range []struct{ path, want string }{
		{empty, "not an Indivisible database"},
		{old, "needs migrating to schema version 3 (missing 2, 3)"},
	} {
		_, err := sqlite.OpenReadOnly(ctx, tc.path)
		if indivisible.ErrorCode(err) != indivisible.EINVALID || !strings.Contains(indivisible.ErrorMessage(err), tc.want) {
			t.Errorf("%s: %v, want EINVALID saying %q", filepath.Base(tc.path), err, tc.want)
		}
	}
	before.same(t, snap(t, dir))
}
