// Package ledger is Indivisible's tamper-evident log: an append-only
// RFC 6962 Merkle tree over signed entries (golang.org/x/mod/sumdb/tlog),
// with C2SP signed checkpoints (golang.org/x/mod/sumdb/note), inclusion and
// consistency proofs, C2SP tlog-tiles, and an offline audit. Storage is an
// logstore.Store (package sqlite, later postgres).
//
// Concurrent Append calls are group-committed: one sequencer goroutine
// takes every request waiting, appends them in one store transaction (one
// fsync) with one new signed checkpoint, and only then acknowledges each
// caller. An acknowledged entry is therefore durable and covered by a
// checkpoint.
package ledger

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

// DefaultOrigin is the checkpoint origin line (and log key name) used when
// none is given. Origins should be unique per log; deployments should pass
// their own, best the log's URL (OriginFromURL).
const DefaultOrigin = "indivisible.log"

// CheckOrigin checks that origin can name a log: the first line of its
// checkpoints and the name of its note key, so printable ASCII without
// spaces or '+'. EINVALID otherwise.
func CheckOrigin(origin string) error {
	if !indivisible.IsToken(origin) {
		return indivisible.Invalid("origin", "%q: use printable ASCII without spaces or '+', such as forum.example.org/log", origin)
	}
	return nil
}

// OriginFromURL returns the origin that C2SP tlog-tiles advises for the
// log served under prefix, an absolute http or https URL: the prefix
// without its scheme or trailing slashes, so "https://forum.example.org/log/"
// gives "forum.example.org/log". The host is lower-cased, as hosts compare
// without case. EINVALID for a URL that is not such a prefix.
func OriginFromURL(prefix string) (string, error) {
	u, err := url.Parse(prefix)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "" ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", indivisible.Invalid("origin", "%q is not the http or https URL prefix of a log", prefix)
	}
	origin := strings.ToLower(u.Host) + strings.TrimRight(u.EscapedPath(), "/")
	if err := CheckOrigin(origin); err != nil {
		return "", err
	}
	return origin, nil
}

// GenerateLogKey generates a log signing key named origin (the
// checkpoint origin line) and returns its note signer key text.
func GenerateLogKey(origin string) (skey string, err error) {
	if err := CheckOrigin(origin); err != nil {
		return "", err
	}
	skey, _, err = note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", indivisible.Errorf(indivisible.EINTERNAL, "generate log key: %v", err)
	}
	return skey, nil
}

// Create initialises an empty log in store, signed by the key skey (a
// note signer key text, see GenerateLogKey) whose name is the log's
// origin: it records the log's identity (origin and public key) and signs
// the checkpoint of the empty tree. ECONFLICT if store already holds a log.
func Create(ctx context.Context, store logstore.Store, skey string) error {
	s, vkey, err := parseSignerKey(skey)
	if err != nil {
		return err
	}
	empty, _ := tlog.TreeHash(0, nil) // SHA-256 of the empty string, per RFC 6962
	cp, err := SignCheckpoint(s, s.Name(), 0, empty)
	if err != nil {
		return err
	}
	return store.Init(ctx, indivisible.LogInfo{Origin: s.Name(), VerifierKey: vkey}, cp)
}

// Log is an open log. Its methods are safe for concurrent use.
type Log struct {
	store    logstore.Store
	info     indivisible.LogInfo
	verifier note.Verifier
	signer   note.Signer // nil when read-only
	now      func() time.Time
	maxBatch int

	// registry is the current key registry; the sequencer replaces it
	// when a batch with key entries commits.
	registry atomic.Pointer[registry]
	// size is the number of entries committed, as the sequencer knows it.
	size atomic.Int64
	// hashes caches stored hashes for proofs and batches.
	hashes hashCache
	// latest is the latest checkpoint this process has seen, so that a
	// proof of a fresh entry needs no query for it.
	latest atomic.Pointer[indivisible.Checkpoint]
	// stateMu orders the updates of size, latest and registry, so that a
	// reload racing with a commit never puts back an older state.
	stateMu sync.Mutex

	reqs      chan *request
	quit      chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	// last is the time of the latest entry, owned by the sequencer: entry
	// times never go backwards even if the clock does.
	last time.Time
}

// Option configures Open.
type Option func(*Log)

// WithClock sets the clock that stamps entries (default time.Now).
func WithClock(now func() time.Time) Option { return func(l *Log) { l.now = now } }

// Open opens the log in store. With a nil signer the log is read-only:
// proofs, tiles and reads work, Append fails with EFORBIDDEN. The signer
// must be the log's own key (see Create).
func Open(ctx context.Context, store logstore.Store, signer note.Signer, opts ...Option) (*Log, error) {
	info, err := store.Info(ctx)
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(info.VerifierKey)
	if err != nil {
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "log verifier key %q: %v", info.VerifierKey, err)
	}
	if signer != nil && (signer.Name() != v.Name() || signer.KeyHash() != v.KeyHash()) {
		return nil, indivisible.FieldErrorf(indivisible.EFORBIDDEN, "key", "signing key %s+%08x is not this log's key %s+%08x", signer.Name(), signer.KeyHash(), v.Name(), v.KeyHash())
	}
	l := &Log{store: store, info: info, verifier: v, signer: signer, now: time.Now, maxBatch: 1024,
		reqs: make(chan *request, 1024), quit: make(chan struct{}), done: make(chan struct{})}
	for _, o := range opts {
		o(l)
	}
	if err := l.reload(ctx); err != nil {
		return nil, err
	}
	if signer == nil {
		close(l.done)
	} else {
		go l.sequence()
	}
	return l, nil
}

// reload reads the size and key registry back from the store.
func (l *Log) reload(ctx context.Context) error {
	cp, err := l.store.Checkpoint(ctx)
	if err != nil {
		return err
	}
	keys, err := l.store.Keys(ctx)
	if err != nil {
		return err
	}
	r, err := newRegistry(keys)
	if err != nil {
		return err
	}
	l.setState(cp, &r)
	return nil
}

// setState installs the checkpoint and registry of a tree, unless a larger tree
// is already installed. Reading the registry after the checkpoint means a
// state read from the store is never older than its size says.
func (l *Log) setState(cp indivisible.Checkpoint, reg *registry) {
	l.stateMu.Lock()
	defer l.stateMu.Unlock()
	if cp.Size >= l.size.Load() {
		l.size.Store(cp.Size)
		l.latest.Store(&cp)
		l.registry.Store(reg)
	}
}

// Close stops the sequencer after the batch in progress; later Appends
// fail. It does not close the store.
func (l *Log) Close() error {
	l.closeOnce.Do(func() { close(l.quit) })
	<-l.done
	return nil
}

// Info returns the log's origin and verifier key.
func (l *Log) Info() indivisible.LogInfo { return l.info }

// Verifier returns the verifier of the log's checkpoint signatures.
func (l *Log) Verifier() note.Verifier { return l.verifier }

// Store returns the log's store.
func (l *Log) Store() logstore.Store { return l.store }

// Checkpoint returns the latest signed checkpoint.
func (l *Log) Checkpoint(ctx context.Context) (indivisible.Checkpoint, error) {
	return l.store.Checkpoint(ctx)
}

// Keys returns the key registry.
func (l *Log) Keys(ctx context.Context) ([]indivisible.Key, error) { return l.store.Keys(ctx) }

// Entries returns the entries with indexes start..end-1 (ENOTFOUND beyond
// the log; EINTERNAL if a stored entry does not decode).
func (l *Log) Entries(ctx context.Context, start, end int64) ([]indivisible.Entry, error) {
	recs, err := l.store.ReadRecords(ctx, start, end)
	if err != nil {
		return nil, err
	}
	out := make([]indivisible.Entry, len(recs))
	for i, rec := range recs {
		if out[i], err = logstore.Decode(start+int64(i), rec); err != nil {
			return nil, indivisible.Errorf(indivisible.EINTERNAL, "stored entry %d is corrupt: %v", start+int64(i), err)
		}
	}
	return out, nil
}

// Entry returns the entry at index.
func (l *Log) Entry(ctx context.Context, index int64) (indivisible.Entry, error) {
	es, err := l.Entries(ctx, index, index+1)
	if err != nil {
		return indivisible.Entry{}, err
	}
	return es[0], nil
}

// CheckSignature verifies that sig is a valid Ed25519 signature of body by
// the key named keyName, and that the key is registered to participant
// and valid for the next entry of the log. Errors: EUNAUTHORIZED (unknown
// key, bad signature), EFORBIDDEN (another participant's key, a revoked
// key).
func (l *Log) CheckSignature(participant, keyName string, body, sig []byte) error {
	reg := *l.registry.Load()
	if _, ok := reg[keyName]; !ok && l.signer != nil {
		// Another process sharing the store may have registered the key
		// since this one last read the registry.
		if err := l.reload(context.Background()); err != nil {
			return err
		}
		reg = *l.registry.Load()
	}
	return reg.check(participant, keyName, l.size.Load(), body, sig)
}

// Append appends a signed entry (Kind, Participant, KeyName, Signature and
// Body set; Index and Time are assigned) and returns it once it is durably
// committed under a signed checkpoint. Errors: EINVALID or ETOOLARGE for a
// malformed entry, EUNAUTHORIZED or EFORBIDDEN as CheckSignature, ECONFLICT
// for a body already in the log (a replay), EFORBIDDEN for a read-only log.
// If ctx ends first, the entry may or may not have been appended.
func (l *Log) Append(ctx context.Context, e indivisible.Entry) (indivisible.Entry, error) {
	return l.Record(ctx, e, indivisible.Fact{})
}

// Record appends e as Append does and commits f, the domain record e
// states, in the same transaction (see indivisible.Fact): either both
// are stored or neither is. A fact the store refuses (an item closed
// meanwhile) fails this call alone, with the store's ECONFLICT.
func (l *Log) Record(ctx context.Context, e indivisible.Entry, f indivisible.Fact) (indivisible.Entry, error) {
	if e.Kind == indivisible.KindKey {
		return indivisible.Entry{}, indivisible.Invalid("kind", "key entries are made by RegisterKey and RevokeKey")
	}
	e.Time = time.UnixMilli(1) // checked by the sequencer; any valid time will do here
	if err := e.Validate(); err != nil {
		return indivisible.Entry{}, err
	}
	if err := l.CheckSignature(e.Participant, e.KeyName, e.Body, e.Signature); err != nil {
		return indivisible.Entry{}, err
	}
	return l.submit(ctx, e, f)
}

// RegisterKey appends the registration of vkey (a note verifier key text)
// as a key of participant and returns the new registry row. ECONFLICT if
// the key name is already registered.
func (l *Log) RegisterKey(ctx context.Context, participant, vkey string) (indivisible.Key, error) {
	if !indivisible.IsToken(participant) {
		return indivisible.Key{}, indivisible.Invalid("participant", "%q is not a participant code", participant)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return indivisible.Key{}, indivisible.Invalid("public_key", "%v", err)
	}
	_, err = l.submit(ctx, indivisible.Entry{Kind: indivisible.KindKey, Participant: participant, KeyName: v.Name(), Body: registerBody(vkey)}, indivisible.Fact{})
	if err != nil {
		return indivisible.Key{}, err
	}
	return (*l.registry.Load())[v.Name()].Key, nil
}

// RevokeKey appends the revocation of key name from log index from onward
// and returns the changed registry row. ENOTFOUND for an unknown key,
// ECONFLICT if it is already revoked, EINVALID if from is not after the
// key's registration. Revoking from an index already in the log is
// allowed (a compromised key); the audit then warns about the entries the
// key signed from that index on.
func (l *Log) RevokeKey(ctx context.Context, name string, from int64) (indivisible.Key, error) {
	k, ok := (*l.registry.Load())[name]
	if !ok {
		return indivisible.Key{}, indivisible.FieldErrorf(indivisible.ENOTFOUND, "key", "no key %q is registered", name)
	}
	if _, err := l.submit(ctx, indivisible.Entry{Kind: indivisible.KindKey, Participant: k.Participant, KeyName: name, Body: revokeBody(name, from)}, indivisible.Fact{}); err != nil {
		return indivisible.Key{}, err
	}
	return (*l.registry.Load())[name].Key, nil
}

// request is one entry waiting for the sequencer.
type request struct {
	e    indivisible.Entry
	fact indivisible.Fact
	sum  [sha256.Size]byte
	done chan result // buffered: the sequencer never blocks on a caller
}

type result struct {
	e   indivisible.Entry
	err error
}

func (l *Log) submit(ctx context.Context, e indivisible.Entry, f indivisible.Fact) (indivisible.Entry, error) {
	if l.signer == nil {
		return indivisible.Entry{}, indivisible.Errorf(indivisible.EFORBIDDEN, "the log is open read-only (no log signing key)")
	}
	r := &request{e: e, fact: f, sum: e.BodyHash(), done: make(chan result, 1)}
	select {
	case l.reqs <- r:
	case <-l.quit:
		return indivisible.Entry{}, errClosed
	case <-ctx.Done():
		return indivisible.Entry{}, ctx.Err()
	}
	select {
	case res := <-r.done:
		return res.e, res.err
	case <-ctx.Done():
		return indivisible.Entry{}, ctx.Err()
	case <-l.done:
		// The sequencer may have answered just before stopping.
		select {
		case res := <-r.done:
			return res.e, res.err
		default:
			return indivisible.Entry{}, errClosed
		}
	}
}

var errClosed = indivisible.Errorf(indivisible.EINTERNAL, "the log is closed")

// sequence is the single writer: it commits everything waiting as one
// batch, so the batch size grows with the load.
func (l *Log) sequence() {
	defer close(l.done)
	for {
		select {
		case <-l.quit: // checked first: after Close, no new batch starts
			return
		default:
		}
		var batch []*request
		select {
		case r := <-l.reqs:
			batch = append(batch, r)
		case <-l.quit:
			return
		}
	fill:
		for len(batch) < l.maxBatch {
			select {
			case r := <-l.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		l.commit(batch, 0)
	}
}

// maxRetries bounds how often a batch is rebuilt because another process
// sharing the store appended first.
const maxRetries = 50

// commit appends the acceptable requests of batch in one transaction and
// answers every request. It runs on a background context: one caller
// giving up must not abort the others' commit. retry counts the times the
// batch was rebuilt after another process appended first.
func (l *Log) commit(batch []*request, retry int) {
	ctx := context.Background()
	fail := func(reqs []*request, err error) {
		for _, r := range reqs {
			r.done <- result{err: err}
		}
	}
	sums := make([][sha256.Size]byte, len(batch))
	for i, r := range batch {
		sums[i] = r.sum
	}
	found, err := l.store.FindBodies(ctx, sums)
	if err != nil {
		fail(batch, err)
		return
	}
	now := l.now().UTC().Truncate(time.Millisecond)
	if now.Before(l.last) {
		now = l.last
	}
	start := l.size.Load()
	reg := *l.registry.Load()
	hr := &batchHashes{below: l.hashes.reader(ctx, l.store), base: tlog.StoredHashCount(start)}
	var (
		accepted []*request
		entries  []indivisible.Entry
		facts    []indivisible.Fact
		hasFacts bool
		keys     []indivisible.Key
		seen     = make(map[[sha256.Size]byte]bool)
	)
	for i, r := range batch {
		e := r.e
		e.Index, e.Time = start+int64(len(entries)), now
		switch {
		case found[i] >= 0:
			r.done <- result{err: indivisible.FieldErrorf(indivisible.ECONFLICT, "body", "an identical %s is already in the log at index %d", e.Kind, found[i])}
			continue
		case seen[r.sum]:
			r.done <- result{err: indivisible.FieldErrorf(indivisible.ECONFLICT, "body", "an identical %s was submitted at the same time", e.Kind)}
			continue
		}
		data, err := logstore.Encode(&e)
		if err != nil {
			r.done <- result{err: err}
			continue
		}
		if e.Kind == indivisible.KindKey {
			next, k, err := reg.apply(&e)
			if err != nil {
				r.done <- result{err: err}
				continue
			}
			reg = next
			keys = append(keys, k)
		} else if k, ok := reg[e.KeyName]; !ok || k.Participant != e.Participant || !k.ValidAt(e.Index) {
			// The signature was checked on submission; the key's validity
			// depends on the index, known only now.
			r.done <- result{err: reg.check(e.Participant, e.KeyName, e.Index, e.Body, e.Signature)}
			continue
		}
		hs, err := tlog.StoredHashes(e.Index, data, hr)
		if err != nil {
			// Reading the store failed: nothing of this batch can be
			// trusted to be complete.
			fail(batch[i:], err)
			fail(accepted, err)
			return
		}
		hr.mem = append(hr.mem, hs...)
		seen[r.sum] = true
		accepted = append(accepted, r)
		entries = append(entries, e)
		facts = append(facts, r.fact)
		hasFacts = hasFacts || r.fact != (indivisible.Fact{})
	}
	if !hasFacts {
		facts = nil
	}
	if len(entries) == 0 {
		return
	}
	size := start + int64(len(entries))
	root, err := tlog.TreeHash(size, hr)
	if err != nil {
		fail(accepted, indivisible.Errorf(indivisible.EINTERNAL, "tree hash: %v", err))
		return
	}
	cp, err := SignCheckpoint(l.signer, l.info.Origin, size, root)
	if err != nil {
		fail(accepted, err)
		return
	}
	err = l.store.Append(ctx, &logstore.Batch{Start: start, Entries: entries, Hashes: hr.mem, Keys: keys, Checkpoint: cp, Facts: facts})
	if err != nil {
		// Whatever happened, the store is the truth: reload it. On a
		// conflict (another writer, a replay the store caught, or a fact
		// the store refused) retry one by one so that only the offending
		// request fails.
		if rerr := l.reload(ctx); rerr != nil {
			fail(accepted, rerr)
			return
		}
		if indivisible.ErrorCode(err) == indivisible.ECONFLICT && indivisible.ErrorField(err) == "start" && retry < maxRetries {
			// Another process sharing the store (several servers on one
			// PostgreSQL) appended first: rebuild the batch on the tree
			// as it now is.
			l.commit(accepted, retry+1)
			return
		}
		if indivisible.ErrorCode(err) == indivisible.ECONFLICT && len(accepted) > 1 {
			for _, r := range accepted {
				l.commit([]*request{r}, retry)
			}
			return
		}
		fail(accepted, err)
		return
	}
	l.last = now
	l.hashes.add(hr.base, hr.mem)
	l.setState(cp, &reg)
	for i, r := range accepted {
		r.done <- result{e: entries[i]}
	}
}

// batchHashes is a tlog.HashReader over the stored hashes of a batch being
// built (storage indexes base onward, in mem) and the committed ones below.
type batchHashes struct {
	below tlog.HashReader // the committed hashes
	base  int64
	mem   []tlog.Hash
}

func (b *batchHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var need []int64
	var pos []int
	for i, x := range indexes {
		if x >= b.base {
			if x-b.base >= int64(len(b.mem)) {
				return nil, indivisible.Errorf(indivisible.EINTERNAL, "stored hash %d not yet computed", x)
			}
			out[i] = b.mem[x-b.base]
			continue
		}
		need = append(need, x)
		pos = append(pos, i)
	}
	if len(need) > 0 {
		hs, err := b.below.ReadHashes(need)
		if err != nil {
			return nil, err
		}
		for j, h := range hs {
			out[pos[j]] = h
		}
	}
	return out, nil
}

// storeHashes adapts a logstore.Store to tlog.HashReader.
func storeHashes(ctx context.Context, s logstore.Store) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) { return s.ReadHashes(ctx, indexes) })
}
