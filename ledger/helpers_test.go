package ledger

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

// testLog is a log over a SQLite file with one registered participant key.
type testLog struct {
	*Log
	db     *sqlite.DB
	path   string
	skey   string // the log's key
	signer note.Signer
	vkey   string // the participant's verifier key
}

// clock is a fixed clock that ticks one second per reading.
func clock() func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func newTestLog(t testing.TB, opts ...Option) *testLog {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	skey, err := GenerateLogKey("test.example/log")
	if err != nil {
		t.Fatal(err)
	}
	if err := Create(ctx, db, skey); err != nil {
		t.Fatal(err)
	}
	ls, _ := note.NewSigner(skey)
	l, err := Open(ctx, db, ls, append([]Option{WithClock(clock())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(); db.Close() })
	tl := &testLog{Log: l, db: db, path: path, skey: skey}
	tl.signer, tl.vkey = tl.newKey(t, "POL")
	return tl
}

// newKey makes and registers a key for participant.
func (tl *testLog) newKey(t testing.TB, participant string) (note.Signer, string) {
	t.Helper()
	skey, vkey, err := NewKey(rand.Reader, participant)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tl.RegisterKey(context.Background(), participant, vkey); err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

// signed returns a declaration entry with body signed by s.
func signed(s note.Signer, participant string, body []byte) indivisible.Entry {
	sig, _ := s.Sign(body)
	return indivisible.Entry{Kind: indivisible.KindDeclaration, Participant: participant, KeyName: s.Name(), Signature: sig, Body: body}
}

// appendN appends n declarations of the test participant, up to 32 at a
// time so that they are group-committed.
func (tl *testLog) appendN(t testing.TB, n int) {
	t.Helper()
	ctx := context.Background()
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range n {
		body := []byte(fmt.Sprintf(`{"kind":"annual_exchange","participant":"POL","n":%d,"nonce":%q}`, i, rand.Text()))
		e := signed(tl.signer, "POL", body)
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			_, errs[i] = tl.Append(ctx, e)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (tl *testLog) size(t testing.TB) int64 {
	t.Helper()
	cp, err := tl.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cp.Size
}

func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if got := indivisible.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}
