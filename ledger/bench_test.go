package ledger

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

// benchDecl returns a realistic exercise notification of about 600 bytes,
// unique for n.
func benchDecl(n int64) []byte {
	return []byte(fmt.Sprintf(`{"kind":"exercise_notification","participant":"POL","exercise_notification":{"name":"Exercise %d","start":"2026-09-01","end":"2026-09-14","host":"POL","participants":["POL","LTU","LVA","EST"],"personnel":8500,"battle_tanks":120,"armoured_combat_vehicles":310,"artillery":96,"aircraft_sorties":140,"airborne_amphibious_troops":1200,"description":"Combined-arms field training exercise with live firing on the ranges near the named training area; the figures are the peak strength on any one day, as the Vienna Document asks, and include the units of the other participating states."}}`, n))
}

// BenchmarkAppend measures signed declarations acknowledged durably per
// second with many concurrent submitters: each op signs nothing (the
// submitter did) but verifies the signature, and returns only after the
// entry's group commit (SQLite WAL, synchronous=FULL) and checkpoint.
func BenchmarkAppend(b *testing.B) {
	for _, submitters := range []int{1, 16, 64, 256} {
		b.Run(fmt.Sprintf("submitters=%d", submitters), func(b *testing.B) {
			tl := newTestLog(b)
			ctx := context.Background()
			entries := make([]indivisible.Entry, b.N)
			for i := range entries {
				entries[i] = signed(tl.signer, "POL", benchDecl(int64(i)))
			}
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for range submitters {
				wg.Go(func() {
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						if _, err := tl.Append(ctx, entries[i]); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "appends/s")
		})
	}
}

// million is the size of the store the proof benchmark runs against.
const million = 1_000_000

var (
	bigOnce sync.Once
	bigDir  string
	bigErr  error
)

// TestMain removes the 10^6-entry store built by BenchmarkProveInclusion.
func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

// bigLog builds, once per process, a store of 10^6 entries in big
// transactions, bypassing the sequencer (the stored hashes are computed in
// memory) and the signatures (one signature is reused: proofs do not look
// at it).
func bigLog(b *testing.B) *Log {
	bigOnce.Do(func() {
		bigDir, bigErr = os.MkdirTemp("", "ledger-bench-")
		if bigErr != nil {
			return
		}
		bigErr = buildBig(filepath.Join(bigDir, "big.db"))
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(bigDir, "big.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	l, err := Open(context.Background(), db, nil)
	if err != nil {
		b.Fatal(err)
	}
	return l
}

func buildBig(path string) error {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	skey, _ := GenerateLogKey("bench.example/log")
	if err := Create(ctx, db, skey); err != nil {
		return err
	}
	ls, _ := note.NewSigner(skey)
	ps, _, _ := NewKey(rand.Reader, "POL")
	psig, _ := note.NewSigner(ps)
	proto := signed(psig, "POL", nil)
	var all []tlog.Hash
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = all[x]
		}
		return out, nil
	})
	const batch = 50_000
	t0 := time.UnixMilli(1_767_225_600_000).UTC()
	for start := int64(0); start < million; start += batch {
		entries := make([]indivisible.Entry, batch)
		first := len(all)
		for i := range entries {
			e := proto
			e.Index, e.Time = start+int64(i), t0
			e.Body = []byte(fmt.Sprintf(`{"kind":"annual_exchange","participant":"POL","n":%d}`, e.Index))
			data, err := logstore.Encode(&e)
			if err != nil {
				return err
			}
			hs, err := tlog.StoredHashes(e.Index, data, hr)
			if err != nil {
				return err
			}
			all = append(all, hs...)
			entries[i] = e
		}
		size := start + batch
		root, err := tlog.TreeHash(size, hr)
		if err != nil {
			return err
		}
		cp, err := SignCheckpoint(ls, "bench.example/log", size, root)
		if err != nil {
			return err
		}
		if err := db.Append(ctx, &logstore.Batch{Start: start, Entries: entries, Hashes: all[first:], Checkpoint: cp}); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkProveInclusion measures an inclusion proof (reading the
// checkpoint and ~2 log2(n) stored hashes) at 10^6 entries.
func BenchmarkProveInclusion(b *testing.B) {
	l := bigLog(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	i := int64(0)
	for b.Loop() {
		i = (i + 7919) % million
		if _, err := l.ProveInclusion(ctx, i); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAudit measures a full offline audit (every hash recomputed,
// every signature checked) in MB/s of entries, for declarations of about
// 700 bytes and of 8 KB: the cost is mostly one Ed25519 verification per
// entry, so the byte rate grows with the entry size.
func BenchmarkAudit(b *testing.B) {
	for _, tc := range []struct {
		name    string
		entries int
		pad     int
	}{{"700B", 20_000, 0}, {"8KB", 5_000, 7500}} {
		b.Run(tc.name, func(b *testing.B) {
			tl := newTestLog(b)
			tl.appendBodies(b, tc.entries, tc.pad)
			ctx := context.Background()
			rep, err := Audit(ctx, tl.db, AuditOptions{})
			if err != nil || !rep.OK() {
				b.Fatalf("audit: %v %v", err, rep.Problems)
			}
			b.SetBytes(rep.Bytes)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				if _, err := Audit(ctx, tl.db, AuditOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*float64(rep.Checkpoint.Size)/time.Since(start).Seconds(), "entries/s")
		})
	}
}

// appendBodies appends n benchmark declarations, padded with pad bytes of
// description, through the log in concurrent batches.
func (tl *testLog) appendBodies(b *testing.B, n, pad int) {
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	padding := strings.Repeat("x", pad)
	for range 64 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				body := bytes.Replace(benchDecl(i), []byte(`"description":"`), []byte(`"description":"`+padding), 1)
				if _, err := tl.Append(ctx, signed(tl.signer, "POL", body)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
