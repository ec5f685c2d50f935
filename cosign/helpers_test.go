package cosign

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/ledgertest"
	"github.com/indivisible-eurasia/indivisible/sqlite"
	"github.com/indivisible-eurasia/indivisible/witness"
)

const testOrigin = "test.example/log"

// testLog is a real log on SQLite with a registered key for POL.
type testLog struct {
	*ledger.Log
	signer note.Signer // POL's key
	n      atomic.Int64
}

func newTestLog(t testing.TB) *testLog {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "log.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l := ledgertest.NewLog(t, db, testOrigin)
	pskey, pvkey, err := ledger.NewKey(rand.Reader, "POL")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := note.NewSigner(pskey)
	if _, err := l.RegisterKey(ctx, "POL", pvkey); err != nil {
		t.Fatal(err)
	}
	return &testLog{Log: l, signer: ps}
}

// entry returns a new signed declaration entry.
func (tl *testLog) entry() indivisible.Entry {
	body := []byte(fmt.Sprintf(`{"kind":"annual_exchange","participant":"POL","n":%d,"nonce":%q}`, tl.n.Add(1), rand.Text()))
	sig, _ := tl.signer.Sign(body)
	return indivisible.Entry{Kind: indivisible.KindDeclaration, Participant: "POL", KeyName: tl.signer.Name(), Signature: sig, Body: body}
}

// appendN appends n entries, 16 at a time, and returns them as
// acknowledged.
func (tl *testLog) appendN(t testing.TB, n int) []indivisible.Entry {
	t.Helper()
	out := make([]indivisible.Entry, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range n {
		e := tl.entry()
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i], errs[i] = tl.Append(context.Background(), e)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// testWitness is a real witness (package witness) behind an HTTP server
// that can be taken down (its connections are then dropped) and up again.
type testWitness struct {
	name, vkey, url string
	w               *witness.Witness
	down            atomic.Bool
	conflicts       atomic.Int64 // 409s sent
	srv             *httptest.Server
}

func startWitness(t testing.TB, name string, l *ledger.Log) *testWitness {
	t.Helper()
	skey, vkey, err := witness.GenerateKey(rand.Reader, strings.ToLower(name)+".witness.example")
	if err != nil {
		t.Fatal(err)
	}
	s, err := witness.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	w, err := witness.Open(witness.Config{Signer: s, Dir: t.TempDir(),
		Logs: []witness.Log{{Origin: l.Info().Origin, Keys: []string{l.Info().VerifierKey}}}})
	if err != nil {
		t.Fatal(err)
	}
	tw := &testWitness{name: name, vkey: vkey, w: w}
	tw.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if tw.down.Load() {
			// Down: the connection drops, as with a dead host.
			if c, _, err := rw.(http.Hijacker).Hijack(); err == nil {
				c.Close()
			}
			return
		}
		rec := &statusRecorder{ResponseWriter: rw}
		w.ServeHTTP(rec, r)
		if rec.status == http.StatusConflict {
			tw.conflicts.Add(1)
		}
	}))
	tw.url = tw.srv.URL
	t.Cleanup(func() { tw.srv.Close(); w.Close() })
	return tw
}

// policyText is a policy for l over ws with a k-of-n quorum.
func policyText(l *ledger.Log, k int, ws ...*testWitness) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# test policy\nlog %s\n", l.Info().VerifierKey)
	var names []string
	for _, w := range ws {
		fmt.Fprintf(&b, "witness %s %s %s\n", w.name, w.vkey, w.url)
		names = append(names, w.name)
	}
	fmt.Fprintf(&b, "group q %d %s\nquorum q\n", k, strings.Join(names, " "))
	return b.String()
}

func mustPolicy(t testing.TB, text string) *Policy {
	t.Helper()
	p, err := ParsePolicy("witnesses.txt", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// startCollector runs a collector with fast retries for the test, until
// the test ends.
func startCollector(t testing.TB, l *ledger.Log, p *Policy, opts Options) *Collector {
	t.Helper()
	c, stop := runCollector(t, l, p, opts)
	t.Cleanup(stop)
	return c
}

// runCollector runs a collector until stop is called.
func runCollector(t testing.TB, l *ledger.Log, p *Policy, opts Options) (c *Collector, stop func()) {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Second
	}
	if opts.Backoff == 0 {
		opts.Backoff = 5 * time.Millisecond
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 50 * time.Millisecond
	}
	if opts.Poll == 0 {
		opts.Poll = 10 * time.Millisecond
	}
	c, err := NewCollector(l, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	var once sync.Once
	return c, func() { once.Do(func() { cancel(); <-done }) }
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// freePort returns a loopback address with a port nobody listens on.
func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// scanFor reads lines from r until one matches f, sending the match.
func scanFor(sc *bufio.Scanner, f func(string) (string, bool)) <-chan string {
	ch := make(chan string, 1)
	go func() {
		for sc.Scan() {
			if v, ok := f(sc.Text()); ok {
				ch <- v
				for sc.Scan() { // keep draining so the process never blocks
				}
				return
			}
		}
		close(ch)
	}()
	return ch
}
