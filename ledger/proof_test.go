package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"strconv"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
)

// A naive RFC 6962 (section 2.1) implementation, straight from the text,
// to check tlog and our use of it against.

func refLeaf(d []byte) tlog.Hash { return sha256.Sum256(append([]byte{0}, d...)) }

func refNode(l, r tlog.Hash) tlog.Hash {
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

// refSplit is the largest power of two smaller than n.
func refSplit(n int) int {
	k := 1
	for k*2 < n {
		k *= 2
	}
	return k
}

// refMTH is MTH(D[n]).
func refMTH(d [][]byte) tlog.Hash {
	switch len(d) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return refLeaf(d[0])
	}
	k := refSplit(len(d))
	return refNode(refMTH(d[:k]), refMTH(d[k:]))
}

// refPath is PATH(m, D[n]), the audit path of leaf m.
func refPath(m int, d [][]byte) []tlog.Hash {
	if len(d) <= 1 {
		return nil
	}
	k := refSplit(len(d))
	if m < k {
		return append(refPath(m, d[:k]), refMTH(d[k:]))
	}
	return append(refPath(m-k, d[k:]), refMTH(d[:k]))
}

// refProof is PROOF(m, D[n]), the consistency proof from size m.
func refProof(m int, d [][]byte) []tlog.Hash { return refSubProof(m, d, true) }

func refSubProof(m int, d [][]byte, b bool) []tlog.Hash {
	n := len(d)
	if m == n {
		if b {
			return nil
		}
		return []tlog.Hash{refMTH(d)}
	}
	k := refSplit(n)
	if m <= k {
		return append(refSubProof(m, d[:k], b), refMTH(d[k:]))
	}
	return append(refSubProof(m-k, d[k:], false), refMTH(d[:k]))
}

func hashesEqual(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// records returns every encoded entry of the log.
func (tl *testLog) records(t testing.TB) [][]byte {
	t.Helper()
	recs, err := tl.db.ReadRecords(context.Background(), 0, tl.size(t))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// The tree hashes and proofs computed from the stored hashes agree with
// the reference for every tree size and every index.
func TestReference(t *testing.T) {
	tl := newTestLog(t)
	tl.appendN(t, 40)
	ctx := context.Background()
	recs := tl.records(t)
	hr := storeHashes(ctx, tl.db)
	for n := 1; n <= len(recs); n++ {
		root, err := tlog.TreeHash(int64(n), hr)
		if err != nil {
			t.Fatal(err)
		}
		if want := refMTH(recs[:n]); root != want {
			t.Fatalf("tree hash of %d entries: %v, want %v", n, root, want)
		}
		for m := range n {
			p, err := tlog.ProveRecord(int64(n), int64(m), hr)
			if err != nil {
				t.Fatal(err)
			}
			if want := refPath(m, recs[:n]); !hashesEqual(p, want) {
				t.Fatalf("inclusion proof of %d in %d differs from the reference", m, n)
			}
		}
		for m := 1; m <= n; m++ {
			p, err := tlog.ProveTree(int64(n), int64(m), hr)
			if err != nil {
				t.Fatal(err)
			}
			if want := refProof(m, recs[:n]); !hashesEqual(p, want) {
				t.Fatalf("consistency proof %d..%d differs from the reference", m, n)
			}
		}
	}
	cp, _ := tl.Checkpoint(ctx)
	if cp.Root != refMTH(recs) {
		t.Errorf("checkpoint root differs from the reference")
	}
}

// mutations returns every way of spoiling a proof: each hash with a bit
// flipped, truncated, extended, and dropping or duplicating a hash.
func mutations(p []tlog.Hash) map[string][]tlog.Hash {
	out := map[string][]tlog.Hash{}
	for i := range p {
		q := append([]tlog.Hash(nil), p...)
		q[i][i%tlog.HashSize] ^= 1
		out["flip "+string(rune('a'+i))] = q
	}
	if len(p) > 0 {
		out["truncated"] = p[:len(p)-1]
		out["first dropped"] = p[1:]
		out["duplicated"] = append(append([]tlog.Hash(nil), p...), p[len(p)-1])
	}
	out["extended"] = append(append([]tlog.Hash(nil), p...), tlog.Hash{1})
	return out
}

func TestInclusionProofMutations(t *testing.T) {
	tl := newTestLog(t)
	tl.appendN(t, 12)
	ctx := context.Background()
	recs := tl.records(t)
	for idx := range int64(len(recs)) {
		p, err := tl.ProveInclusion(ctx, idx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Verify(tl.Verifier(), recs[idx]); err != nil {
			t.Fatalf("entry %d: good proof refused: %v", idx, err)
		}
		// The text form round-trips.
		text, _ := p.MarshalText()
		q, err := ParseInclusionProof(text)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := q.Verify(tl.Verifier(), recs[idx]); err != nil {
			t.Fatalf("entry %d: parsed proof refused: %v", idx, err)
		}
		size, root := p.Checkpoint.Size, p.Checkpoint.Root
		leaf := tlog.RecordHash(recs[idx])
		bad := func(what string, proof tlog.RecordProof, size, idx int64, root, leaf tlog.Hash) {
			t.Helper()
			if tlog.CheckRecord(proof, size, root, idx, leaf) == nil {
				t.Errorf("entry %d: %s proof accepted", p.Index, what)
			}
		}
		for name, m := range mutations(p.Proof) {
			bad(name, m, size, idx, root, leaf)
		}
		if idx > 0 {
			bad("wrong index", p.Proof, size, idx-1, root, leaf)
		}
		bad("next index", p.Proof, size, idx+1, root, leaf)
		// A wrong tree size is caught by the checkpoint signature (below):
		// in RFC 6962 the same path can be valid for neighbouring sizes
		// whose trees have the same shape around the leaf.
		bad("size below the index", p.Proof, idx, idx, root, leaf)
		bad("wrong root", p.Proof, size, idx, tlog.Hash{9}, leaf)
		bad("wrong leaf", p.Proof, size, idx, root, tlog.RecordHash(append(bytes.Clone(recs[idx]), 0)))

		// Through Verify: another record, or a checkpoint signed by
		// someone else.
		if _, err := p.Verify(tl.Verifier(), recs[(idx+1)%int64(len(recs))]); indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Errorf("entry %d: proof of another record: %v", idx, err)
		}
		forged := *p
		forged.Checkpoint.Note = bytes.Replace(p.Checkpoint.Note, []byte("\n"+strconv.FormatInt(size, 10)+"\n"), []byte("\n"+strconv.FormatInt(size+1, 10)+"\n"), 1)
		if _, err := forged.Verify(tl.Verifier(), recs[idx]); indivisible.ErrorCode(err) != indivisible.EUNAUTHORIZED {
			t.Errorf("entry %d: edited checkpoint: %v", idx, err)
		}
	}
	_, err := tl.ProveInclusion(ctx, int64(len(recs)))
	wantCode(t, "proof beyond the log", err, indivisible.ENOTFOUND)
}

func TestConsistencyProofMutations(t *testing.T) {
	tl := newTestLog(t)
	ctx := context.Background()
	var old []indivisible.Checkpoint
	for range 9 {
		tl.appendN(t, 1)
		cp, _ := tl.Checkpoint(ctx)
		old = append(old, cp)
	}
	for _, o := range old {
		p, cp, err := tl.ProveConsistency(ctx, o.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(p, cp.Size, cp.Root, o.Size, o.Root); err != nil {
			t.Fatalf("size %d: good proof refused: %v", o.Size, err)
		}
		if o.Size == cp.Size {
			continue // the empty proof has nothing to spoil
		}
		for name, m := range mutations(p) {
			if tlog.CheckTree(m, cp.Size, cp.Root, o.Size, o.Root) == nil {
				t.Errorf("size %d: %s proof accepted", o.Size, name)
			}
		}
		for _, bad := range []struct {
			name       string
			n, oldSize int64
			root, oldR tlog.Hash
		}{
			// As for inclusion, the new size is authenticated by the
			// checkpoint signature.
			{"wrong old size", cp.Size, o.Size - 1, cp.Root, o.Root},
			{"wrong new root", cp.Size, o.Size, o.Root, o.Root},
			{"wrong old root", cp.Size, o.Size, cp.Root, cp.Root},
		} {
			if tlog.CheckTree(p, bad.n, bad.root, bad.oldSize, bad.oldR) == nil {
				t.Errorf("size %d: %s accepted", o.Size, bad.name)
			}
		}
	}
	_, _, err := tl.ProveConsistency(ctx, 100)
	wantCode(t, "consistency with a larger tree", err, indivisible.EINVALID)
}
