package monitor_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/monitor"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

const origin = "monitor.test/log"

// testLog is a real log as serve runs it: SQLite, the ledger, the
// exchange service and the API's handler.
type testLog struct {
	path    string
	skey    string
	db      *sqlite.DB
	l       *ledger.Log
	ex      *exchange.Service
	handler http.Handler
	signers map[string]note.Signer
}

func clock() func() time.Time {
	t := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Hour); return t }
}

// newTestLog creates a log at path with the log key skey ("" for a new
// one), or opens the one there.
func newTestLog(t testing.TB, path, skey string) *testLog {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if skey == "" {
		if skey, err = ledger.GenerateLogKey(origin); err != nil {
			t.Fatal(err)
		}
		if err := ledger.Create(ctx, db, skey); err != nil {
			t.Fatal(err)
		}
	}
	signer, _ := note.NewSigner(skey)
	l, err := ledger.Open(ctx, db, signer, ledger.WithClock(clock()))
	if err != nil {
		t.Fatal(err)
	}
	tl := &testLog{path: path, skey: skey, db: db, l: l, signers: map[string]note.Signer{}}
	tl.ex = exchange.NewService(l, nil, exchange.DefaultRegime())
	tl.handler = api.New(api.Config{Accounts: db, Log: l, Ledger: l, Exchange: tl.ex, Rate: 1e6, Burst: 1e6})
	t.Cleanup(func() { l.Close(); db.Close() })
	return tl
}

// fork copies the log as it is into a new file: the same key, the same
// history so far, and from now on a history of its own.
func (tl *testLog) fork(t testing.TB) *testLog {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fork.db")
	if err := tl.db.Backup(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	f := newTestLog(t, path, tl.skey)
	for p, s := range tl.signers {
		f.signers[p] = s
	}
	return f
}

// register makes and registers a key for participant.
func (tl *testLog) register(t testing.TB, participant string) {
	t.Helper()
	skey, vkey, err := ledger.NewKey(rand.Reader, participant)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tl.l.RegisterKey(context.Background(), participant, vkey); err != nil {
		t.Fatal(err)
	}
	tl.signers[participant], _ = note.NewSigner(skey)
}

// declare files a signed declaration through the exchange service.
func (tl *testLog) declare(t testing.TB, participant, body string) int64 {
	t.Helper()
	s := tl.signers[participant]
	sig, _ := s.Sign([]byte(body))
	sub, err := tl.ex.File(context.Background(), &indivisible.Account{Role: indivisible.RoleDelegation, Participant: participant}, []byte(body), s.Name(), sig)
	if err != nil {
		t.Fatal(err)
	}
	return sub.Entry.Index
}

// appendEntry appends an entry of kind signed by who's key for participant.
func (tl *testLog) appendEntry(t testing.TB, kind indivisible.EntryKind, who, participant string, body []byte) int64 {
	t.Helper()
	s := tl.signers[who]
	sig, _ := s.Sign(body)
	e, err := tl.l.Append(context.Background(), indivisible.Entry{Kind: kind, Participant: participant, KeyName: s.Name(), Signature: sig, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return e.Index
}

// position appends participant's signed position on forum 1, item 1.
func (tl *testLog) position(t testing.TB, participant string, stance indivisible.Stance) int64 {
	b := forum.PositionBody{Type: forum.PositionType, Forum: 1, Item: 1, Version: 1, Participant: participant, Stance: stance,
		Time: time.Now().UTC().Format(time.RFC3339Nano)}
	return tl.appendEntry(t, indivisible.KindPosition, participant, participant, b.Marshal())
}

// decision appends the forum's decision on item 1 counting the positions.
func (tl *testLog) decision(t testing.TB, outcome indivisible.Outcome, objectors []string, counted []int64) int64 {
	d := &indivisible.Decision{Version: 1, Rule: indivisible.RuleSpec{Name: "consensus", Version: 1}, Outcome: outcome,
		Counted: counted, DocumentSHA256: strings.Repeat("0", 64), Time: time.Now()}
	for _, o := range objectors {
		d.Objectors = append(d.Objectors, indivisible.Objection{Participant: o})
	}
	body := forum.NewDecisionBody(&indivisible.AgendaItem{ID: 1, ForumID: 1}, d)
	return tl.appendEntry(t, indivisible.KindDecision, indivisible.ForumParticipant, indivisible.ForumParticipant, body)
}

func annual(p string, year int, tanks int) string {
	return fmt.Sprintf(`{"kind": "annual_exchange", "participant": %q, "year": %d, "holdings": {"personnel": 1000, "battle_tanks": %d}}`, p, year, tanks)
}

func transfer(p, role, counterpart string, year, qty int) string {
	return fmt.Sprintf(`{"kind": "transfer_report", "participant": %q, "role": %q, "year": %d, "counterpart": %q, "category": "battle_tanks", "quantity": %d}`,
		p, role, year, counterpart, qty)
}

// front is the URL a monitor follows: it serves one log or another, and
// can tamper with what it serves.
type front struct {
	srv    *httptest.Server
	target atomic.Pointer[http.Handler]
	// tamper, if set, rewrites the (uncompressed) body served at a path.
	tamper atomic.Pointer[func(path string, body []byte) []byte]
}

func newFront(t testing.TB, h http.Handler) *front {
	f := &front{}
	f.serve(h)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := *f.target.Load()
		tp := f.tamper.Load()
		if tp == nil {
			h.ServeHTTP(w, r)
			return
		}
		r.Header.Del("Accept-Encoding") // tamper with plain bytes
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := (*tp)(r.URL.Path, rec.Body.Bytes())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.Header().Del("ETag")
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *front) serve(h http.Handler) { f.target.Store(&h) }

func (f *front) setTamper(fn func(path string, body []byte) []byte) {
	if fn == nil {
		f.tamper.Store(nil)
		return
	}
	f.tamper.Store(&fn)
}

// open opens a monitor of the front's log on dir.
func (f *front) open(t testing.TB, dir string, mod ...func(*monitor.Config)) *monitor.Monitor {
	t.Helper()
	cfg := monitor.Config{URL: f.srv.URL + "/log/", Dir: dir, Participant: "POL"}
	for _, m := range mod {
		m(&cfg)
	}
	m, err := monitor.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// rawAppend appends entries to a store directly, as a log that accepts
// anything would: the stored hashes are computed in memory (all holds
// every stored hash so far) and the checkpoint is signed by the log key.
func rawAppend(t testing.TB, db logstore.Store, skey string, all *[]tlog.Hash, entries []indivisible.Entry, keys []indivisible.Key) {
	t.Helper()
	ctx := context.Background()
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = (*all)[x]
		}
		return out, nil
	})
	first := len(*all)
	start := entries[0].Index
	for _, e := range entries {
		data, err := logstore.Encode(&e)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := tlog.StoredHashes(e.Index, data, hr)
		if err != nil {
			t.Fatal(err)
		}
		*all = append(*all, hs...)
	}
	size := start + int64(len(entries))
	root, err := tlog.TreeHash(size, hr)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	cp, err := ledger.SignCheckpoint(s, origin, size, root)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Append(ctx, &logstore.Batch{Start: start, Entries: entries, Hashes: (*all)[first:], Keys: keys, Checkpoint: cp}); err != nil {
		t.Fatal(err)
	}
}
