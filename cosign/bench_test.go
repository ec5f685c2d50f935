package cosign

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// benchSubmitters is how many clients file at once.
const benchSubmitters = 64

// fileAll appends entries with benchSubmitters concurrent clients, calling
// after (if set) with each acknowledged entry and its start time, and
// returns the elapsed time.
func fileAll(b *testing.B, tl *testLog, entries []indivisible.Entry, after func(indivisible.Entry, time.Time)) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range benchSubmitters {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(len(entries)) {
					return
				}
				t0 := time.Now()
				e, err := tl.Append(context.Background(), entries[i])
				if err != nil {
					b.Error(err)
					return
				}
				if after != nil {
					after(e, t0)
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// BenchmarkFilingWitnessed files b.N signed declarations on a log without
// witnesses and b.N on a log whose collector submits every checkpoint to
// five real witnesses on loopback (3-of-5 quorum), in one run, and reports
// both rates and their ratio (the goal is at least 0.8).
func BenchmarkFilingWitnessed(b *testing.B) {
	plain := newTestLog(b)
	witnessed := newTestLog(b)
	var ws []*testWitness
	for _, n := range []string{"POL", "KAZ", "ARM", "DEU", "RUS"} {
		ws = append(ws, startWitness(b, n, witnessed.Log))
	}
	p := mustPolicy(b, policyText(witnessed.Log, 3, ws...))
	c := startCollector(b, witnessed.Log, p, Options{Poll: 250 * time.Millisecond})
	mk := func(tl *testLog) []indivisible.Entry {
		es := make([]indivisible.Entry, b.N)
		for i := range es {
			es[i] = tl.entry()
		}
		return es
	}
	ep, ew := mk(plain), mk(witnessed)
	b.ResetTimer()
	// Alternate chunks of the two, so that drift in the machine (the
	// disk's fsync latency above all) falls on both alike.
	const chunks = 10
	var dPlain, dWit time.Duration
	for k := range chunks {
		lo, hi := k*b.N/chunks, (k+1)*b.N/chunks
		dPlain += fileAll(b, plain, ep[lo:hi], nil)
		dWit += fileAll(b, witnessed, ew[lo:hi], func(indivisible.Entry, time.Time) { c.Notify() })
	}
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Wait(ctx, int64(b.N)+1); err != nil {
		b.Fatalf("no quorum over the last entry: %v", err)
	}
	rPlain := float64(b.N) / dPlain.Seconds()
	rWit := float64(b.N) / dWit.Seconds()
	b.ReportMetric(rPlain, "entries/s-none")
	b.ReportMetric(rWit, "entries/s-5witnesses")
	b.ReportMetric(rWit/rPlain, "ratio")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkQuorumLatency measures, for b.N declarations filed by
// benchSubmitters clients, the time from the start of an append to a
// served checkpoint that includes the entry and carries the 3-of-5
// quorum of five real witnesses on loopback: p50, p99 and max.
func BenchmarkQuorumLatency(b *testing.B) {
	tl := newTestLog(b)
	var ws []*testWitness
	for _, n := range []string{"POL", "KAZ", "ARM", "DEU", "RUS"} {
		ws = append(ws, startWitness(b, n, tl.Log))
	}
	p := mustPolicy(b, policyText(tl.Log, 3, ws...))
	c := startCollector(b, tl.Log, p, Options{Poll: 250 * time.Millisecond})
	entries := make([]indivisible.Entry, b.N)
	for i := range entries {
		entries[i] = tl.entry()
	}
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	fileAll(b, tl, entries, func(e indivisible.Entry, t0 time.Time) {
		c.Notify()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := c.Wait(ctx, e.Index+1); err != nil {
			b.Error(err)
			return
		}
		d := time.Since(t0)
		mu.Lock()
		lat = append(lat, d)
		mu.Unlock()
	})
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(f float64) float64 {
		return float64(lat[min(len(lat)-1, int(f*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.5), "ms-p50")
	b.ReportMetric(q(0.99), "ms-p99")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "ms-max")
	b.ReportMetric(0, "ns/op")
}
