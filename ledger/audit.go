package ledger

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

// AuditOptions configures Audit.
type AuditOptions struct {
	// VerifierKey is the log key the auditor trusts (note verifier key
	// text). If empty, the key recorded in the store is used, which only
	// proves the store consistent with itself.
	VerifierKey string
	// Since is a checkpoint note saved earlier; the audit proves the log
	// an extension of it.
	Since []byte
	// Workers is the number of goroutines checking signatures (default
	// GOMAXPROCS).
	Workers int
}

// Problem is one finding of an audit. Index is the entry concerned, or -1
// for a problem with the log as a whole.
type Problem struct {
	Index   int64  `json:"index"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Index < 0 {
		return p.Message
	}
	return fmt.Sprintf("entry %d: %s", p.Index, p.Message)
}

// AuditReport is the result of an audit.
type AuditReport struct {
	// Checkpoint is the latest checkpoint of the log.
	Checkpoint indivisible.Checkpoint `json:"checkpoint"`
	// Bytes is the total size of the entries read.
	Bytes int64 `json:"bytes"`
	// Keys is the number of keys in the registry rebuilt from the log.
	Keys int `json:"keys"`
	// Problems are evidence of tampering or corruption: any makes the
	// audit fail.
	Problems []Problem `json:"problems"`
	// Warnings do not fail the audit: entries signed with a key that was
	// later revoked from an index at or before theirs.
	Warnings []Problem `json:"warnings"`
}

// OK reports whether the audit found no problem.
func (r *AuditReport) OK() bool { return len(r.Problems) == 0 }

// auditChunk is how many entries the audit reads at a time.
const auditChunk = 2048

// Audit checks a log offline, trusting nothing in the store but the
// checkpoint signature: it recomputes every leaf and interior hash from
// the stored entries and compares them with the stored hashes and the
// signed checkpoint root, rebuilds the key registry from the log's key
// entries, checks every entry's signature and key, and, given opts.Since,
// that the log extends that checkpoint. Tampering is reported as Problems
// naming the entry; the error is for failures to read the store at all.
func Audit(ctx context.Context, store logstore.Store, opts AuditOptions) (*AuditReport, error) {
	rep := &AuditReport{}
	problem := func(i int64, format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{i, fmt.Sprintf(format, args...)})
	}
	info, err := store.Info(ctx)
	if err != nil {
		return nil, err
	}
	vkey := info.VerifierKey
	if opts.VerifierKey != "" {
		if opts.VerifierKey != vkey {
			problem(-1, "the store's log key %s is not the trusted key %s", vkey, opts.VerifierKey)
		}
		vkey = opts.VerifierKey
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, indivisible.Invalid("key", "bad log verifier key %q: %v", vkey, err)
	}
	stored, err := store.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	cp, err := OpenCheckpoint(stored.Note, v)
	switch {
	case err != nil:
		problem(-1, "latest checkpoint: %v", err)
		cp = stored // audit the entries against its claims anyway
	case cp.Origin != info.Origin || cp.Size != stored.Size || cp.Root != stored.Root:
		problem(-1, "latest checkpoint: stored size %d and root %v differ from the signed note (size %d, root %v)", stored.Size, stored.Root, cp.Size, cp.Root)
	}
	rep.Checkpoint = cp
	var since *indivisible.Checkpoint
	if opts.Since != nil {
		s, err := OpenCheckpoint(opts.Since, v)
		switch {
		case err != nil && opts.VerifierKey != "":
			return nil, indivisible.FieldErrorf(indivisible.EINVALID, "since", "not a checkpoint of this log: %v", err)
		case err != nil:
			// The key came from the store: a log re-created with another
			// key looks just like this.
			problem(-1, "the earlier checkpoint is not signed by the log key in the store (%s): the log or its key was replaced", v.Name())
		case s.Origin != cp.Origin:
			problem(-1, "the earlier checkpoint is of log %q, not %q", s.Origin, cp.Origin)
		case s.Size > cp.Size:
			problem(-1, "the log has shrunk: the earlier checkpoint has %d entries, the latest %d", s.Size, cp.Size)
			since = &s
		default:
			since = &s
		}
	}

	a := &auditor{ctx: ctx, store: store, rep: rep, reg: registry{}, signed: map[string][]int64{}}
	a.startWorkers(opts.Workers)
	for lo := int64(0); lo < cp.Size; lo += auditChunk {
		if err := ctx.Err(); err != nil {
			a.stopWorkers()
			return nil, err
		}
		hi := min(lo+auditChunk, cp.Size)
		if err := a.chunk(lo, hi, since); err != nil {
			a.stopWorkers()
			return nil, err
		}
	}
	a.stopWorkers()
	if since != nil && since.Size == 0 && cp.Size > 0 {
		a.checkSince(since)
	}
	if root := a.root(); cp.Size > 0 && root != cp.Root {
		problem(-1, "the entries hash to root %v, but the checkpoint of size %d signs %v", root, cp.Size, cp.Root)
	}
	if since != nil && since.Size <= cp.Size {
		p, err := tlog.ProveTree(cp.Size, since.Size, storeHashes(ctx, store))
		if err == nil {
			err = tlog.CheckTree(p, cp.Size, cp.Root, since.Size, since.Root)
		}
		if err != nil {
			problem(-1, "no consistency proof from the checkpoint of size %d to size %d: %v", since.Size, cp.Size, err)
		}
	}
	a.extraRows(cp.Size)
	a.checkRegistry()
	rep.Keys = len(a.reg)
	for name, idx := range a.signed {
		k := a.reg[name]
		for _, i := range idx {
			if k.RevokedFrom != 0 && i >= k.RevokedFrom {
				rep.Warnings = append(rep.Warnings, Problem{i, fmt.Sprintf("signed by key %s, later revoked from index %d", name, k.RevokedFrom)})
			}
		}
	}
	sortProblems(rep.Problems)
	sortProblems(rep.Warnings)
	return rep, nil
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Index < ps[j].Index })
}

// auditor holds the state of an audit in progress.
type auditor struct {
	ctx   context.Context
	store logstore.Store
	rep   *AuditReport
	mu    sync.Mutex // guards rep.Problems while workers run

	// frontier holds the roots of the complete subtrees of the entries
	// seen so far, left to right (at most log2 n of them).
	frontier []node
	n        int64
	reg      registry
	// signed lists, per key, the entries it signed.
	signed map[string][]int64

	jobs chan sigJob
	wg   sync.WaitGroup
}

// node is a recomputed subtree hash. tainted marks a hash computed from
// an entry whose bytes disagree with its stored leaf hash, so that a
// modified entry is reported once, not again at every ancestor.
type node struct {
	h       tlog.Hash
	level   int
	tainted bool
}

type sigJob struct {
	index     int64
	k         regKey
	body, sig []byte
}

func (a *auditor) problem(i int64, format string, args ...any) {
	a.mu.Lock()
	a.rep.Problems = append(a.rep.Problems, Problem{i, fmt.Sprintf(format, args...)})
	a.mu.Unlock()
}

// Signature checks dominate the cost of an audit, so they run in parallel.
func (a *auditor) startWorkers(n int) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	a.jobs = make(chan sigJob, 4*auditChunk)
	for range n {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			for j := range a.jobs {
				if !j.k.v.Verify(j.body, j.sig) {
					a.problem(j.index, "the signature by %s does not verify", j.k.Name)
				}
			}
		}()
	}
}

func (a *auditor) stopWorkers() {
	close(a.jobs)
	a.wg.Wait()
}

// chunk audits the entries lo..hi-1.
func (a *auditor) chunk(lo, hi int64, since *indivisible.Checkpoint) error {
	recs, err := a.store.ReadRecords(a.ctx, lo, hi)
	if indivisible.ErrorCode(err) == indivisible.ENOTFOUND {
		recs, err = a.readEach(lo, hi)
	}
	if err != nil {
		return err
	}
	first, end := tlog.StoredHashCount(lo), tlog.StoredHashCount(hi)
	storedHashes, err := a.readHashes(first, end)
	if err != nil {
		return err
	}
	for i, rec := range recs {
		idx := lo + int64(i)
		base := tlog.StoredHashCount(idx) - first
		var leaf tlog.Hash
		if rec == nil {
			a.problem(idx, "missing from the store")
			if storedHashes[base] != nil {
				leaf = *storedHashes[base]
			}
		} else {
			a.rep.Bytes += int64(len(rec))
			leaf = tlog.RecordHash(rec)
			a.entry(idx, rec)
		}
		a.push(idx, leaf, rec == nil, storedHashes[base:tlog.StoredHashCount(idx+1)-first])
		if since != nil && idx+1 == since.Size {
			a.checkSince(since)
		}
	}
	return nil
}

// readEach reads the entries lo..hi-1 one at a time, leaving nil for the
// missing ones.
func (a *auditor) readEach(lo, hi int64) ([][]byte, error) {
	out := make([][]byte, hi-lo)
	for i := lo; i < hi; i++ {
		r, err := a.store.ReadRecords(a.ctx, i, i+1)
		if indivisible.ErrorCode(err) == indivisible.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		out[i-lo] = r[0]
	}
	return out, nil
}

// readHashes reads stored hashes first..end-1, nil for missing ones.
func (a *auditor) readHashes(first, end int64) ([]*tlog.Hash, error) {
	idx := make([]int64, end-first)
	for i := range idx {
		idx[i] = first + int64(i)
	}
	out := make([]*tlog.Hash, len(idx))
	hs, err := a.store.ReadHashes(a.ctx, idx)
	if err == nil {
		for i := range hs {
			out[i] = &hs[i]
		}
		return out, nil
	}
	if indivisible.ErrorCode(err) != indivisible.ENOTFOUND {
		return nil, err
	}
	for i, x := range idx {
		h, err := a.store.ReadHashes(a.ctx, []int64{x})
		if indivisible.ErrorCode(err) == indivisible.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		out[i] = &h[0]
	}
	return out, nil
}

// entry decodes an entry and checks its key event or signature.
func (a *auditor) entry(idx int64, rec []byte) {
	e, err := logstore.Decode(idx, rec)
	if err != nil {
		a.problem(idx, "does not decode: %v", err)
		return
	}
	if e.Kind == indivisible.KindKey {
		next, _, err := a.reg.apply(&e)
		if err != nil {
			a.problem(idx, "bad key event: %v", err)
			return
		}
		a.reg = next
		return
	}
	k, ok := a.reg[e.KeyName]
	switch {
	case !ok:
		a.problem(idx, "signed by %s, which is not registered before it", e.KeyName)
	case k.Participant != e.Participant:
		a.problem(idx, "filed for %s but signed by %s, a key of %s", e.Participant, e.KeyName, k.Participant)
	case !k.ValidAt(idx):
		a.problem(idx, "signed by %s, which was revoked from index %d", e.KeyName, k.RevokedFrom)
	default:
		a.signed[e.KeyName] = append(a.signed[e.KeyName], idx)
		a.jobs <- sigJob{idx, k, e.Body, e.Signature}
	}
}

// push adds the leaf of entry idx to the frontier and compares each hash
// it completes with the stored one (stored[0] is the leaf's).
func (a *auditor) push(idx int64, leaf tlog.Hash, missing bool, stored []*tlog.Hash) {
	check := func(k int, nd node) node {
		s := stored[k]
		switch {
		case s == nil:
			a.problem(idx, "stored hash %d (level %d) is missing", tlog.StoredHashCount(idx)+int64(k), nd.level)
		case *s == nd.h:
		case nd.level == 0 && !missing:
			a.problem(idx, "modified: the entry does not hash to its stored leaf hash")
			nd.tainted = true
		case !nd.tainted:
			a.problem(idx, "stored hash %d (level %d) does not match the entries below it", tlog.StoredHashCount(idx)+int64(k), nd.level)
		default:
			nd.tainted = true
		}
		return nd
	}
	nd := check(0, node{h: leaf, tainted: missing})
	a.frontier = append(a.frontier, nd)
	for k := 1; ; k++ {
		n := len(a.frontier)
		if n < 2 || a.frontier[n-2].level != a.frontier[n-1].level {
			break
		}
		l, r := a.frontier[n-2], a.frontier[n-1]
		p := check(k, node{h: tlog.NodeHash(l.h, r.h), level: l.level + 1, tainted: l.tainted || r.tainted})
		a.frontier = append(a.frontier[:n-2], p)
	}
	a.n = idx + 1
}

// root returns the tree hash of the entries pushed so far.
func (a *auditor) root() tlog.Hash {
	if len(a.frontier) == 0 {
		h, _ := tlog.TreeHash(0, nil)
		return h
	}
	h := a.frontier[len(a.frontier)-1].h
	for i := len(a.frontier) - 2; i >= 0; i-- {
		h = tlog.NodeHash(a.frontier[i].h, h)
	}
	return h
}

// checkSince compares the tree so far with the earlier checkpoint.
func (a *auditor) checkSince(s *indivisible.Checkpoint) {
	if root := a.root(); root != s.Root {
		a.problem(-1, "the first %d entries hash to %v, not to the root %v of the earlier checkpoint", s.Size, root, s.Root)
	}
}

// extraRows reports entries and hashes stored beyond the checkpoint.
func (a *auditor) extraRows(size int64) {
	if recs, err := a.store.ReadRecords(a.ctx, size, size+1); err == nil && len(recs) == 1 {
		a.problem(size, "stored beyond the latest checkpoint (size %d)", size)
	}
	if _, err := a.store.ReadHashes(a.ctx, []int64{tlog.StoredHashCount(size)}); err == nil {
		a.problem(size, "stored hash %d beyond the latest checkpoint (size %d)", tlog.StoredHashCount(size), size)
	}
}

// checkRegistry compares the store's key table with the registry rebuilt
// from the log.
func (a *auditor) checkRegistry() {
	keys, err := a.store.Keys(a.ctx)
	if err != nil {
		a.problem(-1, "key registry: %v", err)
		return
	}
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k.Name] = true
		want, ok := a.reg[k.Name]
		switch {
		case !ok:
			a.problem(k.RegisteredAt, "key %s is in the registry but was never registered in the log", k.Name)
		case want.Key != k:
			a.problem(k.RegisteredAt, "key %s: registry row %+v differs from the log's %+v", k.Name, k, want.Key)
		}
	}
	for name, k := range a.reg {
		if !seen[name] {
			a.problem(k.RegisteredAt, "key %s registered in the log is missing from the registry", name)
		}
	}
}
