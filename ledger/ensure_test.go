package ledger

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

// TestEnsure walks the log's key lifecycle: which (database, key file)
// pairs Ensure creates a log for, which it accepts, and which it refuses,
// and that no refusal or failure leaves a log without its key or a key
// without its log.
func TestEnsure(t *testing.T) {
	const name = "forum.example.org/log"
	type state int
	const (
		empty    state = iota // a migrated database, no log, no key file
		logged                // a log named name and its key file
		strayKey              // no log, but a key file
		readOnly              // no log, and a database that cannot be written
	)
	for _, tc := range []struct {
		what    string
		state   state
		origin  string
		strict  bool
		created bool
		// code and field of the error; "" for none. fails: an error
		// whose code is the store's.
		code, field string
		fails       bool
		// origin of the log afterwards ("": no log), and whether the key
		// file exists.
		wantLog string
		wantKey bool
	}{
		{what: "fresh", state: empty, origin: name, strict: true, created: true, wantLog: name, wantKey: true},
		{what: "fresh, origin derived", state: empty, origin: name, created: true, wantLog: name, wantKey: true},
		{what: "existing, same origin", state: logged, origin: name, strict: true, wantLog: name, wantKey: true},
		{what: "existing, other origin asked for", state: logged, origin: "other.example/log", strict: true, code: indivisible.EINVALID, field: "origin", wantLog: name, wantKey: true},
		{what: "existing, other origin derived", state: logged, origin: "other.example/log", wantLog: name, wantKey: true},
		{what: "key file but no log", state: strayKey, origin: name, strict: true, code: indivisible.EINVALID, field: "KEYPATH", wantKey: true},
		{what: "bad origin", state: empty, origin: "no spaces allowed", strict: true, code: indivisible.EINVALID, field: "origin"},
		{what: "creating the log fails", state: readOnly, origin: name, strict: true, fails: true},
	} {
		t.Run(tc.what, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			dbPath, keyPath := filepath.Join(dir, "log.db"), filepath.Join(dir, "log.key")
			db, err := sqlite.Open(ctx, dbPath)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			var stray []byte
			switch tc.state {
			case logged:
				if err := CreateWithKeyFile(ctx, db, keyPath, name); err != nil {
					t.Fatal(err)
				}
			case strayKey:
				skey, err := GenerateLogKey("stray.example/log")
				if err != nil {
					t.Fatal(err)
				}
				if err := WriteKeyFile(keyPath, skey); err != nil {
					t.Fatal(err)
				}
				stray, _ = os.ReadFile(keyPath)
			}
			store := logstore.Store(db)
			if tc.state == readOnly {
				ro, err := sqlite.OpenReadOnly(ctx, dbPath)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { ro.Close() })
				store = ro
			}
			before, _ := os.ReadFile(keyPath)

			info, created, err := Ensure(ctx, store, keyPath, tc.origin, tc.strict)
			field := tc.field
			if field == "KEYPATH" {
				field = keyPath
			}
			switch {
			case tc.fails && err == nil:
				t.Fatal("Ensure succeeded on a read-only database")
			case tc.fails:
			case indivisible.ErrorCode(err) != tc.code || indivisible.ErrorField(err) != field:
				t.Fatalf("error %v (code %q, field %q), want code %q field %q", err, indivisible.ErrorCode(err), indivisible.ErrorField(err), tc.code, field)
			case err == nil && (created != tc.created || info.Origin != tc.wantLog):
				t.Errorf("created %v, log %q; want %v, %q", created, info.Origin, tc.created, tc.wantLog)
			}

			got, err := db.Info(ctx)
			switch {
			case tc.wantLog == "" && indivisible.ErrorCode(err) != indivisible.ENOTFOUND:
				t.Fatalf("a log exists afterwards (%+v, %v)", got, err)
			case tc.wantLog == "":
			case err != nil || got.Origin != tc.wantLog:
				t.Fatalf("log afterwards %+v, %v; want origin %q", got, err, tc.wantLog)
			}
			after, err := os.ReadFile(keyPath)
			if exists := err == nil; exists != tc.wantKey {
				t.Fatalf("key file exists: %v, want %v", exists, tc.wantKey)
			}
			if stray != nil && string(after) != string(stray) {
				t.Error("the stray key file was changed")
			}
			if !created && before != nil && string(after) != string(before) {
				t.Error("the key file was rewritten")
			}
			if tc.wantLog != "" {
				checkPair(t, keyPath, got)
			}
		})
	}
}

// checkPair checks that the key file signs for the log: its name is the
// log's origin and the log's verifier key verifies its signatures.
func checkPair(t *testing.T, keyPath string, info indivisible.LogInfo) {
	t.Helper()
	fi, err := os.Stat(keyPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", fi, err)
	}
	s, err := LoadSigner(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(info.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("a checkpoint\n")
	sig, err := s.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != info.Origin || !v.Verify(msg, sig) {
		t.Errorf("key %s does not sign for the log %s", s.Name(), info.Origin)
	}
}

// TestCreateWithKeyFileConflict: a log is never created over another, and
// the refused attempt leaves no key file behind.
func TestCreateWithKeyFileConflict(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "log.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	first := filepath.Join(dir, "first.key")
	if err := CreateWithKeyFile(ctx, db, first, "first.example/log"); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "second.key")
	wantCode(t, "second log", CreateWithKeyFile(ctx, db, second, "second.example/log"), indivisible.ECONFLICT)
	if _, err := os.Stat(second); !os.IsNotExist(err) {
		t.Errorf("the second key file is left behind: %v", err)
	}
	wantCode(t, "existing key file", CreateWithKeyFile(ctx, db, first, "first.example/log"), indivisible.ECONFLICT)
	info, err := db.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkPair(t, first, info)
}
