package monitor_test

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/monitor"
)

var benchEntries = flag.Int("monitor.entries", 1_000_000, "entries in BenchmarkMonitor's log")

// benchBody is an exercise notification of about 500 bytes, unique for n,
// by one of 40 participants.
func benchBody(n int64) (string, []byte) {
	p := fmt.Sprintf("P%02d", n%40)
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/40%3000))
	return p, fmt.Appendf(nil, `{"kind": "exercise_notification", "participant": %q, "name": "Exercise %d", "start": %q, "end": %q, "host": %q, "participating_states": [%q], "personnel": %d, "battle_tanks": 40, "armoured_combat_vehicles": 120, "artillery": 30, "aircraft_sorties": 20, "airborne_amphibious_troops": 0, "observers_invited": false}`,
		p, n, day.Format("2006-01-02"), day.AddDate(0, 0, 5).Format("2006-01-02"), p, p, 1000+n%5000)
}

// BenchmarkMonitor measures a monitor catching up from empty with a log
// of -monitor.entries entries (default 10^6) served over HTTP by the API
// on SQLite: fetching every tile, checking every entry's inclusion and
// signature, writing the copy durably, and recomputing the findings. The
// log is built in setup directly in the store (valid signatures, 40
// participants' keys), as a log accepting them would have.
func BenchmarkMonitor(b *testing.B) {
	n := int64(*benchEntries)
	ctx := context.Background()
	tl := newTestLog(b, filepath.Join(b.TempDir(), "bench.db"), "")
	tl.l.Close()
	t0 := time.Now()
	signers := map[string]note.Signer{}
	var (
		all     []tlog.Hash
		entries []indivisible.Entry
		keys    []indivisible.Key
	)
	for i := range int64(40) {
		p := fmt.Sprintf("P%02d", i)
		skey, vkey, _ := ledger.NewKey(rand.Reader, p)
		s, _ := note.NewSigner(skey)
		signers[p] = s
		entries = append(entries, indivisible.Entry{Index: i, Time: t0, Kind: indivisible.KindKey, Participant: p, KeyName: s.Name(), Body: []byte("register " + vkey + "\n")})
		keys = append(keys, indivisible.Key{Name: s.Name(), Participant: p, PublicKey: vkey, RegisteredAt: i})
	}
	rawAppend(b, tl.db, tl.skey, &all, entries, keys)
	const batch = 50_000
	for start := int64(40); start < n; start += batch {
		es := make([]indivisible.Entry, min(batch, n-start))
		var wg sync.WaitGroup
		w := runtime.GOMAXPROCS(0)
		for k := range w {
			wg.Go(func() {
				for j := k; j < len(es); j += w {
					idx := start + int64(j)
					p, body := benchBody(idx)
					sig, _ := signers[p].Sign(body)
					es[j] = indivisible.Entry{Index: idx, Time: t0.Add(time.Duration(idx) * time.Second), Kind: indivisible.KindDeclaration,
						Participant: p, KeyName: signers[p].Name(), Signature: sig, Body: body}
				}
			})
		}
		wg.Wait()
		rawAppend(b, tl.db, tl.skey, &all, es, nil)
	}
	b.Logf("built a log of %d entries in %v", n, time.Since(t0).Round(time.Millisecond))
	f := newFront(b, tl.handler)
	b.ResetTimer()
	var elapsed time.Duration
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		start := time.Now()
		m, err := monitor.Open(ctx, monitor.Config{URL: f.srv.URL + "/log/", Dir: dir, Participant: "P07"})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := m.Update(ctx)
		if err != nil || rep.Checkpoint.Size != n {
			b.Fatalf("update: %v, size %d", err, rep.Checkpoint.Size)
		}
		elapsed += time.Since(start)
		b.StopTimer()
		m.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "entries/s")
}
