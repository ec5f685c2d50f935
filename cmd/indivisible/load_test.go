package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/postgres/pgtest"
)

// The load benchmarks drive a real `serve` over loopback with bounded
// concurrency (-cpu × GOMAXPROCS goroutines, via RunParallel) for
// -benchtime, and report throughput and the p50/p99 latency:
//
//	go test -run XXX -bench HTTP -benchtime 10s ./cmd/indivisible
//
// The PostgreSQL variants need $INDIVISIBLE_POSTGRES (scripts/postgres.sh).

var soak = flag.Duration("soak", 0, "run TestSoak for this long (e.g. 2m)")

// loadTarget is a running server with a delegation that can file.
type loadTarget struct {
	url, token string
	signer     note.Signer
	client     *http.Client
}

func startLoadTarget(tb testing.TB, backend string) *loadTarget {
	tb.Helper()
	ctx := context.Background()
	var db, keyFile string
	switch backend {
	case "sqlite":
		dir := tb.TempDir()
		db, keyFile = filepath.Join(dir, "load.db"), filepath.Join(dir, "load.db.key")
	case "postgres":
		db, keyFile = pgtest.Fresh(tb), filepath.Join(tb.TempDir(), "log.key")
	}
	store, err := openStore(ctx, db)
	if err != nil {
		tb.Fatal(err)
	}
	token := func(acc *indivisible.Account) string {
		if err := store.CreateAccount(ctx, acc); err != nil {
			tb.Fatal(err)
		}
		secret, hash := indivisible.NewTokenSecret()
		if _, err := store.CreateToken(ctx, acc.ID, "load", hash); err != nil {
			tb.Fatal(err)
		}
		return secret
	}
	sec := token(&indivisible.Account{Name: "Secretariat", Role: indivisible.RoleSecretariat})
	pol := token(&indivisible.Account{Name: "Poland", Role: indivisible.RoleDelegation, Participant: "POL", Kind: indivisible.MemberState})
	store.Close()
	url, _ := startCommand(tb, "serve", "-db", db, "-log-key", keyFile, "-rate", "1e9", "-burst", "1000000000")
	t := &loadTarget{url: url, token: pol, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	skey, vkey, err := ledger.NewKey(rand.Reader, "POL")
	if err != nil {
		tb.Fatal(err)
	}
	t.signer, _ = note.NewSigner(skey)
	body, _ := json.Marshal(map[string]string{"participant": "POL", "public_key": vkey})
	if status, err := t.post("/api/v1/keys", sec, body); status != 201 {
		tb.Fatalf("register key: %d %v", status, err)
	}
	return t
}

func (t *loadTarget) post(path, token string, body []byte) (int, error) {
	req, _ := http.NewRequest("POST", t.url+path, strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

var declSeq atomic.Int64

// declaration returns a new signed transfer report (each one unique, so
// none is refused as a replay).
func (t *loadTarget) declaration() []byte {
	n := declSeq.Add(1)
	body := fmt.Sprintf(`{"kind": "transfer_report", "participant": "POL", "role": "importer", "year": %d, "counterpart": "KOR", "category": "artillery", "quantity": %d}`, 2000+n%20, n)
	sig, _ := t.signer.Sign([]byte(body))
	env, _ := json.Marshal(map[string]string{"declaration": base64.StdEncoding.EncodeToString([]byte(body)), "key_name": t.signer.Name(), "signature": base64.StdEncoding.EncodeToString(sig)})
	return env
}

// runLoad runs op from parallel goroutines for b.N operations in all and
// reports throughput and latency percentiles; any failure fails b.
func runLoad(b *testing.B, op func() (int, error), want int) {
	var (
		mu   sync.Mutex
		lats []time.Duration
	)
	b.SetParallelism(8) // 16 concurrent clients on 2 cores
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			status, err := op()
			mine = append(mine, time.Since(t0))
			if err != nil || status != want {
				b.Errorf("status %d, err %v", status, err)
				return
			}
		}
		mu.Lock()
		lats = append(lats, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lats)
	if len(lats) == 0 {
		return
	}
	pct := func(p float64) float64 { return float64(lats[int(p*float64(len(lats)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(lats))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

func BenchmarkHTTPAssess(b *testing.B) {
	proposal, err := os.ReadFile("../../examples/07-package.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			t := startLoadTarget(b, backend)
			runLoad(b, func() (int, error) { return t.post("/api/v1/assess", t.token, proposal) }, 200)
		})
	}
}

func BenchmarkHTTPDeclare(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			t := startLoadTarget(b, backend)
			runLoad(b, func() (int, error) { return t.post("/api/v1/declarations", t.token, t.declaration()) }, 201)
		})
	}
}

// TestSoak keeps a mixed load on a SQLite server (16 clients assessing,
// reading the log and its findings, and filing declarations at a fixed
// rate) and checks that nothing fails and that
// neither goroutines nor the heap grow, beyond what the added log entries
// themselves keep in memory (the exchange keeps every declaration parsed):
//
//	go test -run TestSoak ./cmd/indivisible -args -soak 2m
func TestSoak(t *testing.T) {
	if *soak == 0 {
		t.Skip("run with -soak DURATION, e.g. go test -run TestSoak ./cmd/indivisible -args -soak 2m")
	}
	target := startLoadTarget(t, "sqlite")
	proposal, err := os.ReadFile("../../examples/07-package.json")
	if err != nil {
		t.Fatal(err)
	}
	type sample struct {
		goroutines int
		heap       uint64
		entries    int64
	}
	measure := func() sample {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return sample{runtime.NumGoroutine(), m.HeapInuse, declSeq.Load()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *soak)
	defer cancel()
	var ops, failures atomic.Int64
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(50 * time.Millisecond) // 20 declarations/s from worker 0
			defer tick.Stop()
			for ctx.Err() == nil {
				var status, want int
				var err error
				switch {
				case w == 0:
					<-tick.C
					status, err = target.post("/api/v1/declarations", target.token, target.declaration())
					want = 201
				case w%4 == 1:
					resp, gerr := target.client.Get(target.url + "/api/v1/findings")
					if err = gerr; err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						status = resp.StatusCode
					}
					want = 200
				default:
					status, err = target.post("/api/v1/assess", target.token, proposal)
					want = 200
				}
				if ctx.Err() != nil {
					return
				}
				ops.Add(1)
				if err != nil || status != want {
					failures.Add(1)
					t.Errorf("status %d (want %d), err %v", status, want, err)
				}
			}
		}()
	}
	var samples []sample
	every := *soak / 12
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-time.After(every):
			samples = append(samples, measure())
		}
	}
	wg.Wait()
	target.client.CloseIdleConnections()
	if len(samples) < 4 {
		t.Fatalf("only %d samples", len(samples))
	}
	q := len(samples) / 4
	mean := func(s []sample) (g, h float64) {
		for _, x := range s {
			g += float64(x.goroutines)
			h += float64(x.heap)
		}
		return g / float64(len(s)), h / float64(len(s))
	}
	g0, h0 := mean(samples[:q])
	g1, h1 := mean(samples[len(samples)-q:])
	added := float64(samples[len(samples)-1].entries - samples[0].entries)
	t.Logf("soak %v: %d requests, %d failures; goroutines %.0f -> %.0f; heap %.1f -> %.1f MiB with %.0f entries added (%.0f B/entry)",
		*soak, ops.Load(), failures.Load(), g0, g1, h0/(1<<20), h1/(1<<20), added, (h1-h0)/max(added, 1))
	if g1 > g0*1.1+5 {
		t.Errorf("goroutines grew from %.0f to %.0f", g0, g1)
	}
	// Each entry keeps its parsed declaration (a few hundred bytes); allow
	// 4 KiB per entry plus 8 MiB of noise before calling it a leak.
	if h1 > h0+added*4096+8<<20 {
		t.Errorf("heap grew from %.1f to %.1f MiB for %.0f entries", h0/(1<<20), h1/(1<<20), added)
	}
}
