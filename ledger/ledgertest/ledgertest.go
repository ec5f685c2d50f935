// Package ledgertest is the contract test suite of logstore.Store,
// in the manner of golang.org/x/mod/sumdb/storage's TestStorage: every
// store implementation runs TestStore from its own tests.
package ledgertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

// TestStore runs the contract tests. newStore must return a new, empty
// store each time it is called; TestStore closes them.
func TestStore(t *testing.T, newStore func(t *testing.T) logstore.Store) {
	t.Run("Uninitialised", func(t *testing.T) { testUninitialised(t, newStore(t)) })
	t.Run("Init", func(t *testing.T) { testInit(t, newStore(t)) })
	t.Run("AppendRead", func(t *testing.T) { testAppendRead(t, newStore(t)) })
	t.Run("AppendConflict", func(t *testing.T) { testAppendConflict(t, newStore(t)) })
	t.Run("DuplicateBody", func(t *testing.T) { testDuplicateBody(t, newStore(t)) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, newStore(t)) })
	t.Run("ConcurrentWriters", func(t *testing.T) { testConcurrentWriters(t, newStore(t)) })
	t.Run("Ledger", func(t *testing.T) { testLedger(t, newStore(t)) })
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := indivisible.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// fixture is a store with an initialised log and a signer for it.
type fixture struct {
	s      logstore.Store
	signer note.Signer
	origin string
}

func initStore(t *testing.T, s logstore.Store) *fixture {
	t.Helper()
	t.Cleanup(func() { s.Close() })
	skey, err := ledger.GenerateLogKey("example.org/test")
	if err != nil {
		t.Fatal(err)
	}
	err = ledger.Create(context.Background(), s, skey)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{s: s, signer: signer, origin: "example.org/test"}
}

// Entry returns a valid unsigned-looking declaration entry (the store does
// not check signatures) whose body is unique for tag.
func Entry(participant, tag string) indivisible.Entry {
	return indivisible.Entry{
		Time:        time.UnixMilli(1_700_000_000_000).UTC(),
		Kind:        indivisible.KindDeclaration,
		Participant: participant,
		KeyName:     participant + "-00000000",
		Signature:   bytes.Repeat([]byte{0x5a}, 64),
		Body:        []byte(fmt.Sprintf(`{"tag":%q}`, tag)),
	}
}

// batch builds the logstore.Batch appending entries at start, with correct
// stored hashes and a checkpoint signed by f.signer.
func (f *fixture) batch(t *testing.T, start int64, entries []indivisible.Entry, keys []indivisible.Key) *logstore.Batch {
	t.Helper()
	ctx := context.Background()
	var mem []tlog.Hash
	base := tlog.StoredHashCount(start)
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= base {
				out[i] = mem[x-base]
				continue
			}
			h, err := f.s.ReadHashes(ctx, []int64{x})
			if err != nil {
				return nil, err
			}
			out[i] = h[0]
		}
		return out, nil
	})
	for i := range entries {
		entries[i].Index = start + int64(i)
		data, err := logstore.Encode(&entries[i])
		if err != nil {
			t.Fatal(err)
		}
		hs, err := tlog.StoredHashes(start+int64(i), data, hr)
		if err != nil {
			t.Fatal(err)
		}
		mem = append(mem, hs...)
	}
	size := start + int64(len(entries))
	root, err := tlog.TreeHash(size, hr)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := ledger.SignCheckpoint(f.signer, f.origin, size, root)
	if err != nil {
		t.Fatal(err)
	}
	return &logstore.Batch{Start: start, Entries: entries, Hashes: mem, Keys: keys, Checkpoint: cp}
}

func testUninitialised(t *testing.T, s logstore.Store) {
	defer s.Close()
	ctx := context.Background()
	_, err := s.Info(ctx)
	wantCode(t, "Info", err, indivisible.ENOTFOUND)
	_, err = s.Checkpoint(ctx)
	wantCode(t, "Checkpoint", err, indivisible.ENOTFOUND)
}

func testInit(t *testing.T, s logstore.Store) {
	f := initStore(t, s)
	ctx := context.Background()
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Origin != f.origin {
		t.Errorf("origin %q, want %q", info.Origin, f.origin)
	}
	v, err := note.NewVerifier(info.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := s.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Size != 0 || cp.Origin != f.origin {
		t.Errorf("first checkpoint: size %d origin %q", cp.Size, cp.Origin)
	}
	if _, err := ledger.OpenCheckpoint(cp.Note, v); err != nil {
		t.Errorf("first checkpoint does not verify: %v", err)
	}
	err = s.Init(ctx, info, cp)
	wantCode(t, "second Init", err, indivisible.ECONFLICT)
}

func testAppendRead(t *testing.T, s logstore.Store) {
	f := initStore(t, s)
	ctx := context.Background()
	var all []indivisible.Entry
	for _, n := range []int{1, 2, 5, 300} {
		start := int64(len(all))
		var es []indivisible.Entry
		for i := range n {
			es = append(es, Entry("POL", fmt.Sprintf("%d-%d", start, i)))
		}
		b := f.batch(t, start, es, nil)
		if err := s.Append(ctx, b); err != nil {
			t.Fatalf("append %d at %d: %v", n, start, err)
		}
		all = append(all, es...)
		cp, err := s.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cp.Size != int64(len(all)) || cp.Root != b.Checkpoint.Root || !bytes.Equal(cp.Note, b.Checkpoint.Note) {
			t.Fatalf("checkpoint after %d entries: size %d, want the batch's", len(all), cp.Size)
		}
	}
	size := int64(len(all))
	recs, err := s.ReadRecords(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		want, _ := logstore.Encode(&all[i])
		if !bytes.Equal(r, want) {
			t.Fatalf("record %d differs", i)
		}
	}
	recs, err = s.ReadRecords(ctx, 3, 5)
	if err != nil || len(recs) != 2 {
		t.Fatalf("ReadRecords(3, 5) = %d records, %v", len(recs), err)
	}
	_, err = s.ReadRecords(ctx, size-1, size+1)
	wantCode(t, "ReadRecords beyond the end", err, indivisible.ENOTFOUND)

	// Every stored hash is there and agrees with tlog's tree hash.
	n := tlog.StoredHashCount(size)
	idx := make([]int64, n)
	for i := range idx {
		idx[i] = int64(i)
	}
	hs, err := s.ReadHashes(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	root, err := tlog.TreeHash(size, tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, x := range ix {
			out[i] = hs[x]
		}
		return out, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cp, _ := s.Checkpoint(ctx); cp.Root != root {
		t.Errorf("stored hashes give root %v, checkpoint %v", root, cp.Root)
	}
	// Duplicated and unordered indexes are answered in request order.
	got, err := s.ReadHashes(ctx, []int64{5, 0, 5})
	if err != nil || got[0] != hs[5] || got[1] != hs[0] || got[2] != hs[5] {
		t.Errorf("ReadHashes(5, 0, 5) = %v, %v", got, err)
	}
	_, err = s.ReadHashes(ctx, []int64{0, n})
	wantCode(t, "ReadHashes beyond the end", err, indivisible.ENOTFOUND)

	sums := [][sha256.Size]byte{all[7].BodyHash(), sha256.Sum256([]byte("nothing")), all[0].BodyHash()}
	found, err := s.FindBodies(ctx, sums)
	if err != nil {
		t.Fatal(err)
	}
	if found[0] != 7 || found[1] != -1 || found[2] != 0 {
		t.Errorf("FindBodies = %v, want [7 -1 0]", found)
	}
}

func testAppendConflict(t *testing.T, s logstore.Store) {
	f := initStore(t, s)
	ctx := context.Background()
	if err := s.Append(ctx, f.batch(t, 0, []indivisible.Entry{Entry("POL", "a")}, nil)); err != nil {
		t.Fatal(err)
	}
	// A batch built for a stale size is refused and leaves nothing behind.
	stale := f.batch(t, 0, []indivisible.Entry{Entry("POL", "b")}, nil)
	err := s.Append(ctx, stale)
	wantCode(t, "stale batch", err, indivisible.ECONFLICT)
	if _, err := s.ReadRecords(ctx, 1, 2); indivisible.ErrorCode(err) != indivisible.ENOTFOUND {
		t.Errorf("the refused batch left an entry: %v", err)
	}
	if cp, _ := s.Checkpoint(ctx); cp.Size != 1 {
		t.Errorf("size %d after a refused batch, want 1", cp.Size)
	}
}

func testDuplicateBody(t *testing.T, s logstore.Store) {
	f := initStore(t, s)
	ctx := context.Background()
	if err := s.Append(ctx, f.batch(t, 0, []indivisible.Entry{Entry("POL", "a")}, nil)); err != nil {
		t.Fatal(err)
	}
	b := f.batch(t, 1, []indivisible.Entry{Entry("POL", "b"), Entry("DEU", "a")}, nil)
	err := s.Append(ctx, b)
	wantCode(t, "replayed body", err, indivisible.ECONFLICT)
	if cp, _ := s.Checkpoint(ctx); cp.Size != 1 {
		t.Errorf("size %d after a refused batch, want 1 (the batch is atomic)", cp.Size)
	}
	if _, err := s.ReadHashes(ctx, []int64{tlog.StoredHashCount(1)}); indivisible.ErrorCode(err) != indivisible.ENOTFOUND {
		t.Errorf("the refused batch left a hash: %v", err)
	}
}

func testKeys(t *testing.T, s logstore.Store) {
	f := initStore(t, s)
	ctx := context.Background()
	keys, err := s.Keys(ctx)
	if err != nil || len(keys) != 0 {
		t.Fatalf("Keys of an empty log = %v, %v", keys, err)
	}
	_, vkey, err := ledger.NewKey(rand.Reader, "POL")
	if err != nil {
		t.Fatal(err)
	}
	_, vkey2, _ := ledger.NewKey(rand.Reader, "DEU")
	k1 := indivisible.Key{Name: "POL-1", Participant: "POL", PublicKey: vkey, RegisteredAt: 0}
	k2 := indivisible.Key{Name: "DEU-1", Participant: "DEU", PublicKey: vkey2, RegisteredAt: 1}
	if err := s.Append(ctx, f.batch(t, 0, []indivisible.Entry{Entry("POL", "k1"), Entry("DEU", "k2")}, []indivisible.Key{k2, k1})); err != nil {
		t.Fatal(err)
	}
	k1.RevokedFrom = 7
	if err := s.Append(ctx, f.batch(t, 2, []indivisible.Entry{Entry("POL", "r1")}, []indivisible.Key{k1})); err != nil {
		t.Fatal(err)
	}
	keys, err = s.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != k1 || keys[1] != k2 {
		t.Errorf("Keys = %+v, want [%+v %+v]", keys, k1, k2)
	}
}

// Two writers racing for the same position: exactly one wins, the other
// gets ECONFLICT, as a multi-process sequencer relies on.
func testConcurrentWriters(t *testing.T, s logstore.Store) {
	f := initStore(t, s)
	ctx := context.Background()
	const writers = 4
	batches := make([]*logstore.Batch, writers)
	for i := range batches {
		batches[i] = f.batch(t, 0, []indivisible.Entry{Entry("POL", fmt.Sprint("w", i))}, nil)
	}
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range batches {
		wg.Go(func() { errs[i] = s.Append(ctx, batches[i]) })
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch indivisible.ErrorCode(err) {
		case "":
			wins++
		case indivisible.ECONFLICT:
		default:
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d writers won, want 1", wins)
	}
	if cp, _ := s.Checkpoint(ctx); cp.Size != 1 {
		t.Errorf("size %d, want 1", cp.Size)
	}
}

// testLedger runs the whole log over the store: concurrent signed appends,
// proofs and an audit.
func testLedger(t *testing.T, s logstore.Store) {
	f := initStore(t, s)
	ctx := context.Background()
	l, err := ledger.Open(ctx, s, f.signer)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	skey, vkey, err := ledger.NewKey(rand.Reader, "POL")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	if _, err := l.RegisterKey(ctx, "POL", vkey); err != nil {
		t.Fatal(err)
	}
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			body := []byte(fmt.Sprintf(`{"n":%d}`, i))
			sig, _ := signer.Sign(body)
			_, errs[i] = l.Append(ctx, indivisible.Entry{Kind: indivisible.KindDeclaration, Participant: "POL", KeyName: signer.Name(), Signature: sig, Body: body})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	for i := int64(0); i <= n; i++ {
		p, err := l.ProveInclusion(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := s.ReadRecords(ctx, i, i+1)
		if _, err := p.Verify(l.Verifier(), recs[0]); err != nil {
			t.Errorf("entry %d: %v", i, err)
		}
	}
	rep, err := ledger.Audit(ctx, s, ledger.AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Checkpoint.Size != n+1 || rep.Keys != 1 {
		t.Errorf("audit: size %d keys %d problems %v", rep.Checkpoint.Size, rep.Keys, rep.Problems)
	}
}

// NewLog creates a log for origin in store, with a fresh key, and opens
// it for appending; it is closed when the test ends (before store, if the
// caller registered store's cleanup first).
func NewLog(t testing.TB, store logstore.Store, origin string) *ledger.Log {
	t.Helper()
	ctx := context.Background()
	skey, err := ledger.GenerateLogKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.Create(ctx, store, skey); err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(ctx, store, signer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}
