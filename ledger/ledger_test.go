package ledger

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

func TestAppend(t *testing.T) {
	tl := newTestLog(t)
	ctx := context.Background()
	body := []byte(`{"kind":"annual_exchange"}`)
	e, err := tl.Append(ctx, signed(tl.signer, "POL", body))
	if err != nil {
		t.Fatal(err)
	}
	if e.Index != 1 || e.Time.IsZero() {
		t.Errorf("appended entry: index %d time %v, want index 1 (0 is the key)", e.Index, e.Time)
	}
	got, err := tl.Entry(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Body, body) || !got.Time.Equal(e.Time) || got.KeyName != tl.signer.Name() {
		t.Errorf("stored entry %+v differs from %+v", got, e)
	}
	cp, err := tl.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCheckpoint(cp.Note, tl.Verifier()); err != nil || cp.Size != 2 {
		t.Errorf("checkpoint of size %d: %v", cp.Size, err)
	}
}

// Every refusal leaves the log as it was.
func TestAppendRefused(t *testing.T) {
	tl := newTestLog(t)
	ctx := context.Background()
	deu, _ := tl.newKey(t, "DEU")
	tl.appendN(t, 1)
	replay := signed(tl.signer, "POL", []byte(`{"n":1}`))
	if _, err := tl.Append(ctx, replay); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		e    indivisible.Entry
		code string
	}{
		{"bad signature", func() indivisible.Entry {
			e := signed(tl.signer, "POL", []byte(`{"n":2}`))
			e.Body = []byte(`{"n":3}`)
			return e
		}(), indivisible.EUNAUTHORIZED},
		{"key of another participant", signed(deu, "POL", []byte(`{"n":4}`)), indivisible.EFORBIDDEN},
		{"unknown key", func() indivisible.Entry {
			e := signed(tl.signer, "POL", []byte(`{"n":5}`))
			e.KeyName = "POL-ffffffff"
			return e
		}(), indivisible.EUNAUTHORIZED},
		{"replay", replay, indivisible.ECONFLICT},
		{"oversized", signed(tl.signer, "POL", make([]byte, indivisible.MaxBodySize+1)), indivisible.ETOOLARGE},
		{"no participant", signed(tl.signer, "", []byte(`{"n":6}`)), indivisible.EINVALID},
		{"key kind", func() indivisible.Entry {
			e := signed(tl.signer, "POL", []byte(`{"n":7}`))
			e.Kind = indivisible.KindKey
			return e
		}(), indivisible.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tl.size(t)
			_, err := tl.Append(ctx, tc.e)
			wantCode(t, "Append", err, tc.code)
			if after := tl.size(t); after != before {
				t.Errorf("size went from %d to %d", before, after)
			}
		})
	}
}

func TestKeyRevocation(t *testing.T) {
	tl := newTestLog(t)
	ctx := context.Background()
	tl.appendN(t, 2) // entries 1, 2
	// Revoke from the next index: later appends are refused.
	k, err := tl.RevokeKey(ctx, tl.signer.Name(), 4)
	if err != nil {
		t.Fatal(err)
	}
	if k.RevokedFrom != 4 {
		t.Errorf("revoked from %d, want 4", k.RevokedFrom)
	}
	if _, err := tl.Append(ctx, signed(tl.signer, "POL", []byte(`{"after":"revocation"}`))); indivisible.ErrorCode(err) != indivisible.EFORBIDDEN {
		t.Errorf("append with a revoked key: %v, want EFORBIDDEN", err)
	}
	_, err = tl.RevokeKey(ctx, tl.signer.Name(), 5)
	wantCode(t, "second revocation", err, indivisible.ECONFLICT)
	_, err = tl.RevokeKey(ctx, "POL-00000000", 5)
	wantCode(t, "unknown key", err, indivisible.ENOTFOUND)
	_, err = tl.RegisterKey(ctx, "POL", tl.vkey)
	wantCode(t, "registering a key twice", err, indivisible.ECONFLICT)

	// A retroactive revocation (a compromised key) is allowed; the audit
	// warns about the entries signed from that index on.
	deu, _ := tl.newKey(t, "DEU")
	e, err := tl.Append(ctx, signed(deu, "DEU", []byte(`{"deu":1}`)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tl.RevokeKey(ctx, deu.Name(), e.Index-1)
	wantCode(t, "revocation before registration", err, indivisible.EINVALID)
	if _, err := tl.RevokeKey(ctx, deu.Name(), e.Index); err != nil {
		t.Fatal(err)
	}
	rep, err := Audit(ctx, tl.db, AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || len(rep.Warnings) != 1 || rep.Warnings[0].Index != e.Index {
		t.Errorf("audit: problems %v warnings %v, want one warning at %d", rep.Problems, rep.Warnings, e.Index)
	}
	_, vkey, _ := NewKey(rand.Reader, "LTU")
	_, err = tl.RegisterKey(ctx, "L TU", vkey)
	wantCode(t, "registration for a bad participant code", err, indivisible.EINVALID)
	_, err = tl.RegisterKey(ctx, "LTU", "not a key")
	wantCode(t, "registration of a bad key", err, indivisible.EINVALID)
	keys, _ := tl.Keys(ctx)
	if len(keys) != 2 {
		t.Errorf("%d keys, want 2", len(keys))
	}
}

// blockingStore holds the first Append until released, so that a test
// can queue requests behind it deterministically.
type blockingStore struct {
	logstore.Store
	entered, release chan struct{}
	once             sync.Once
}

func (s *blockingStore) Append(ctx context.Context, b *logstore.Batch) error {
	s.once.Do(func() { close(s.entered); <-s.release })
	return s.Store.Append(ctx, b)
}

// Requests that arrive while a commit is in progress are committed
// together, in one transaction with one checkpoint.
func TestGroupCommit(t *testing.T) {
	tl := newTestLog(t)
	ctx := context.Background()
	bs := &blockingStore{Store: tl.db, entered: make(chan struct{}), release: make(chan struct{})}
	ls, _ := note.NewSigner(tl.skey)
	l, err := Open(ctx, bs, ls)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n+1)
	submit := func(i int) {
		_, errs[i] = l.Append(ctx, signed(tl.signer, "POL", []byte(fmt.Sprint(i))))
	}
	wg.Go(func() { submit(0) })
	<-bs.entered
	for i := 1; i <= n; i++ {
		wg.Go(func() { submit(i) })
	}
	for len(l.reqs) < n {
		// The sequencer is blocked in Append: wait for every request to queue.
		runtime.Gosched()
	}
	close(bs.release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	var checkpoints int
	if err := tl.db.DB.QueryRow(`SELECT COUNT(*) FROM checkpoints`).Scan(&checkpoints); err != nil {
		t.Fatal(err)
	}
	// init, key registration, the first append, then one batch of n.
	if checkpoints != 4 {
		t.Errorf("%d checkpoints, want 4: the %d queued appends were not committed together", checkpoints, n)
	}
}

func TestReadOnly(t *testing.T) {
	tl := newTestLog(t)
	ctx := context.Background()
	l, err := Open(ctx, tl.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = l.Append(ctx, signed(tl.signer, "POL", []byte("x")))
	wantCode(t, "read-only append", err, indivisible.EFORBIDDEN)
	other, _ := GenerateLogKey("other.example/log")
	os, _ := note.NewSigner(other)
	_, err = Open(ctx, tl.db, os)
	wantCode(t, "open with another key", err, indivisible.EFORBIDDEN)
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	name, keyPath, pubPath, err := WriteKeyPair(rand.Reader, dir, "POL")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("private key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	s, err := LoadSigner(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	vkey, err := ReadVerifierKey(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := note.NewVerifier(vkey)
	if s.Name() != name || v.Name() != name || s.KeyHash() != v.KeyHash() {
		t.Errorf("key files disagree: %s %s %s", name, s.Name(), v.Name())
	}
	sig, _ := s.Sign([]byte("msg"))
	if !v.Verify([]byte("msg"), sig) {
		t.Error("signature does not verify")
	}
	_, _, err = parseSignerKey(mustRead(t, keyPath))
	if err != nil {
		t.Errorf("parseSignerKey: %v", err)
	}

	if err := os.Chmod(keyPath, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadSigner(keyPath)
	wantCode(t, "world-readable private key", err, indivisible.EFORBIDDEN)
	_, err = LoadSigner(pubPath)
	wantCode(t, "public key as private", err, indivisible.EFORBIDDEN)
	_, err = ReadVerifierKey(keyPath)
	wantCode(t, "private key as public", err, indivisible.EINVALID)
	// Never overwrite a key.
	err = WriteKeyFile(keyPath, "x")
	wantCode(t, "overwrite", err, indivisible.ECONFLICT)
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSpace(b))
}

// TestOriginFromURL: the origin is the log's URL prefix without its
// scheme or trailing slashes, as C2SP tlog-tiles advises, and it names a
// log key.
func TestOriginFromURL(t *testing.T) {
	for prefix, want := range map[string]string{
		"https://forum.example.org/log/":     "forum.example.org/log",
		"https://forum.example.org/log":      "forum.example.org/log",
		"http://Forum.Example.ORG:8080/log/": "forum.example.org:8080/log",
		"https://example.org/osce/log//":     "example.org/osce/log",
		"https://example.org/":               "example.org",
		"http://[::1]:8080/log/":             "[::1]:8080/log",
	} {
		got, err := OriginFromURL(prefix)
		if err != nil || got != want {
			t.Errorf("OriginFromURL(%q) = %q, %v; want %q", prefix, got, err, want)
			continue
		}
		if _, err := GenerateLogKey(got); err != nil {
			t.Errorf("origin %q names no key: %v", got, err)
		}
	}
	for _, bad := range []string{
		"", "forum.example.org/log", "ftp://example.org/log", "https:///log", "https://u:p@example.org/log",
		"https://example.org/log?x=1", "https://example.org/log#top", "https://example.org/a+b/log", "mailto:log@example.org",
	} {
		if got, err := OriginFromURL(bad); indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Errorf("OriginFromURL(%q) = %q, %v; want EINVALID", bad, got, err)
		}
	}
	for _, bad := range []string{"", "has space", "a+b", "tab\there", "new\nline", "caf\u00e9"} {
		if err := CheckOrigin(bad); indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Errorf("CheckOrigin(%q): %v, want EINVALID", bad, err)
		}
	}
}
