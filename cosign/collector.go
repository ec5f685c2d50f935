package cosign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/durable"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/witness"
)

// Options configures a Collector. Zero values take the defaults.
type Options struct {
	// Timeout bounds each request to a witness (default 5s).
	Timeout time.Duration
	// Attempts is how many times a checkpoint is submitted to a witness
	// that fails with a network error or a 5xx before the collector moves
	// on (default 3); a 409 (the witness is at another size) is answered
	// at once with a proof from that size, within the same attempts.
	Attempts int
	// Backoff is the wait before the first retry, doubled on each (default
	// 100ms). A witness that failed every attempt is left alone for
	// Backoff × 2^failures, at most MaxBackoff (default 30s), new
	// checkpoints or not.
	Backoff, MaxBackoff time.Duration
	// Poll is how often the log's latest checkpoint is read (default
	// 250ms); Notify wakes the collector at once.
	Poll time.Duration
	// Interval is the least time between two rounds (default 100ms): a
	// busy log's checkpoints are batched, so that the witnesses, each of
	// which syncs its state to disk per cosignature, are not asked more
	// than 1/Interval times a second. It adds up to Interval to the time
	// an entry waits for its cosignatures. Negative: no minimum.
	Interval time.Duration
	// Client sends the requests (default: a client of its own).
	Client *http.Client
	// Logger receives the witnesses' failures; nil discards them.
	Logger *slog.Logger
	// StateFile, if set, is where the latest cosigned checkpoint is saved
	// (written atomically whenever it changes) and read back on start, so
	// that an offline audit (ledger verify -witnesses) can check it and a
	// restarted log serves it at once.
	StateFile string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// WitnessStatus is what the collector knows of one witness.
type WitnessStatus struct {
	// Name, Key and URL are the witness's, from the policy.
	Name string `json:"name"`
	Key  string `json:"key"`
	URL  string `json:"url,omitempty"`
	// Size is the size of the latest checkpoint it cosigned for this log,
	// or -1 if none is known.
	Size int64 `json:"size"`
	// At is when it cosigned it (zero if never).
	At time.Time `json:"at,omitzero"`
	// Cosigned says whether the served checkpoint carries its valid
	// cosignature.
	Cosigned bool `json:"cosigned"`
	// Error is its latest failure, cleared by a success.
	Error string `json:"error,omitempty"`
	// Failures counts the requests that failed.
	Failures int64 `json:"failures"`
}

// Status is the state of witnessing.
type Status struct {
	// Size is the size of the checkpoint served (/log/checkpoint).
	Size int64 `json:"size"`
	// Quorum says whether it carries the policy's quorum.
	Quorum bool `json:"quorum"`
	// Policy says what the quorum is, e.g. "2 of POL, KAZ, ARM".
	Policy string `json:"policy"`
	// Missing are the witnesses of the quorum whose cosignature the
	// served checkpoint lacks, when the quorum does not hold.
	Missing []string `json:"missing,omitempty"`
	// CosignedSize is the size of the latest checkpoint that met the
	// quorum (-1 if none yet).
	CosignedSize int64 `json:"cosigned_size"`
	// Witnesses are the policy's witnesses, in its order.
	Witnesses []WitnessStatus `json:"witnesses"`
}

// round is one checkpoint of the log and the cosignatures gathered on it.
type round struct {
	cp     indivisible.Checkpoint // as the log signed it
	cosigs map[string]string      // witness name -> cosignature line
	ok     bool                   // the quorum holds
}

// note returns the checkpoint with the cosignatures appended, in the
// policy's order.
func (r *round) note(p *Policy) []byte {
	b := bytes.NewBuffer(bytes.Clone(r.cp.Note))
	for _, w := range p.Witnesses {
		b.WriteString(r.cosigs[w.Name])
	}
	return b.Bytes()
}

// peer is the collector's state for one witness.
type peer struct {
	Witness
	size     int64 // latest size it cosigned, -1 unknown
	at       time.Time
	lastErr  string
	failures int64
	fails    int       // consecutive failed submissions
	next     time.Time // not before, after failures
	busy     bool
}

// Collector gathers the witnesses' cosignatures on the log's checkpoints.
// Appends never wait for it: it reads the log's checkpoints as they come,
// submits each to every witness in parallel, and serves the latest with
// whatever cosignatures it gathered. Its methods are safe for concurrent
// use.
type Collector struct {
	log    *ledger.Log
	policy *Policy
	opts   Options
	logger *slog.Logger

	// wake is signalled by Notify and by every finished submission.
	wake chan struct{}

	mu        sync.Mutex
	witnesses []*peer
	served    *round    // what Cosigned returns; nil before the first round
	current   *round    // the latest round started
	quorate   *round    // the latest round that met the quorum
	started   time.Time // when current started
	changed   chan struct{}
	metrics   *metrics
}

// NewCollector returns a collector for log under policy, which must be
// the log's (Policy.CheckLog). Call Run to start it.
func NewCollector(log *ledger.Log, policy *Policy, opts Options) (*Collector, error) {
	if err := policy.CheckLog(log.Info()); err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 3
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 100 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.Poll <= 0 {
		opts.Poll = 250 * time.Millisecond
	}
	if opts.Interval == 0 {
		opts.Interval = 100 * time.Millisecond
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second}}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Collector{log: log, policy: policy, opts: opts, logger: opts.Logger,
		wake: make(chan struct{}, 1), changed: make(chan struct{})}
	if c.logger == nil {
		c.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for _, w := range policy.Witnesses {
		c.witnesses = append(c.witnesses, &peer{Witness: w, size: -1})
	}
	c.metrics = newMetrics(c)
	if opts.StateFile != "" {
		c.restore()
	}
	return c, nil
}

// Policy returns the collector's policy.
func (c *Collector) Policy() *Policy { return c.policy }

// restore serves the cosigned checkpoint saved by an earlier run, if it is
// this log's and no larger than the log, and takes the witnesses' sizes
// and times from its cosignatures.
func (c *Collector) restore() {
	b, err := os.ReadFile(c.opts.StateFile)
	if err != nil {
		if !os.IsNotExist(err) {
			c.logger.Warn("witnesses: cannot read the saved cosigned checkpoint", "file", c.opts.StateFile, "err", err)
		}
		return
	}
	cp, err := ledger.OpenCheckpoint(b, c.log.Verifier())
	if err == nil {
		var latest indivisible.Checkpoint
		if latest, err = c.log.Checkpoint(context.Background()); err == nil && cp.Size > latest.Size {
			err = fmt.Errorf("it has %d entries, the log %d", cp.Size, latest.Size)
		}
	}
	if err != nil {
		c.logger.Warn("witnesses: ignoring the saved cosigned checkpoint", "file", c.opts.StateFile, "err", err)
		return
	}
	text, sigs, err := splitSigned(b)
	if err != nil {
		return
	}
	r := &round{cosigs: c.policy.cosigners(text, sigs)}
	// The log's own note, without the cosignatures.
	var log bytes.Buffer
	log.Write(text)
	log.WriteString("\n")
	for _, s := range sigs {
		if s.name == c.log.Verifier().Name() && s.hash == c.log.Verifier().KeyHash() {
			log.WriteString(s.line)
		}
	}
	cp.Note = log.Bytes()
	r.cp = cp
	for _, w := range c.witnesses {
		if line, ok := r.cosigs[w.Name]; ok {
			w.size = cp.Size
			// The cosignature's own timestamp: when the witness signed.
			if t, err := torchwood.CosignatureTimestamp(note.Signature{Base64: strings.Fields(line)[2]}); err == nil {
				w.at = time.Unix(t, 0).UTC()
			}
		}
	}
	c.mu.Lock()
	c.publish(r)
	c.mu.Unlock()
}

// Notify tells the collector that the log has a new checkpoint, so that it
// need not wait for its next poll. It never blocks.
func (c *Collector) Notify() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Run collects cosignatures until ctx ends. It returns ctx's error.
func (c *Collector) Run(ctx context.Context) error {
	poll := time.NewTicker(c.opts.Poll)
	defer poll.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		if err := c.step(ctx, &wg); err != nil && ctx.Err() == nil {
			c.logger.Warn("witnesses: reading the log", "err", err)
		}
		// Wait for a new checkpoint, a finished submission, a witness
		// due for a retry, or the poll.
		var retry <-chan time.Time
		var t *time.Timer
		if d, ok := c.nextRetry(); ok {
			t = time.NewTimer(d)
			retry = t.C
		}
		select {
		case <-ctx.Done():
		case <-c.wake:
		case <-poll.C:
		case <-retry:
		}
		if t != nil {
			t.Stop()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// step starts a round on the log's latest checkpoint when it is new, and
// submits the current round to every witness that is free, due and has
// not cosigned it.
func (c *Collector) step(ctx context.Context, wg *sync.WaitGroup) error {
	now := c.opts.Now()
	c.mu.Lock()
	due := c.current == nil || !now.Before(c.started.Add(c.opts.Interval))
	c.mu.Unlock()
	var cp indivisible.Checkpoint
	if due { // else the store is not even read: Notify comes with every append
		var err error
		if cp, err = c.log.Checkpoint(ctx); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if due && (c.current == nil || cp.Size > c.current.cp.Size) {
		c.current = &round{cp: cp, cosigs: map[string]string{}}
		c.started = now
		if ok, _ := c.policy.Satisfied(nil); ok { // quorum none
			c.current.ok = true
			c.publish(c.current)
		}
	}
	r := c.current
	for _, w := range c.witnesses {
		if _, ok := r.cosigs[w.Name]; ok || w.URL == "" || w.busy || w.size > r.cp.Size || now.Before(w.next) {
			continue
		}
		w.busy = true
		old := max(w.size, 0) // a 409 tells the size of a witness we know nothing of
		wg.Go(func() {
			cosig, size, at, err := c.submit(ctx, w, r.cp, old)
			c.mu.Lock()
			c.record(w, r, cosig, size, at, err)
			c.mu.Unlock()
			c.Notify() // the witness is free for the next round
		})
	}
	c.maybePublish(r)
	return nil
}

// record stores the outcome of a submission. The caller holds mu.
func (c *Collector) record(w *peer, r *round, cosig string, size int64, at time.Time, err error) {
	w.busy = false
	if size >= 0 {
		w.size = size
	}
	if err != nil {
		w.lastErr = err.Error()
		w.fails++
		w.next = c.opts.Now().Add(min(c.opts.Backoff<<min(w.fails, 20), c.opts.MaxBackoff))
		c.metrics.failures.WithLabelValues(w.Name).Inc()
		w.failures++
		c.logger.Warn("witness did not cosign", "witness", w.Name, "url", w.URL, "size", r.cp.Size, "err", err)
	} else {
		w.lastErr, w.fails, w.next = "", 0, time.Time{}
		if cosig != "" {
			w.at = at
			r.cosigs[w.Name] = cosig
		}
	}
	c.maybePublish(r)
	if r == c.served {
		c.publish(r) // a late cosignature joins the served note
	}
}

// maybePublish serves r once it has the quorum, or once no witness is
// still working on it, whichever comes first. The caller holds mu.
func (c *Collector) maybePublish(r *round) {
	have := map[string]bool{}
	for n := range r.cosigs {
		have[n] = true
	}
	r.ok, _ = c.policy.Satisfied(have)
	if c.served != nil && r.cp.Size < c.served.cp.Size {
		return
	}
	if r.ok {
		c.publish(r)
		return
	}
	for _, w := range c.witnesses {
		if w.busy {
			return
		}
	}
	if c.served == nil || r != c.served {
		c.publish(r)
	}
}

// publish makes r the served round and saves it. The caller holds mu.
func (c *Collector) publish(r *round) {
	have := map[string]bool{}
	for n := range r.cosigs {
		have[n] = true
	}
	r.ok, _ = c.policy.Satisfied(have)
	c.served = r
	if r.ok && (c.quorate == nil || r.cp.Size >= c.quorate.cp.Size) {
		c.quorate = r
	}
	close(c.changed)
	c.changed = make(chan struct{})
	if c.opts.StateFile != "" && r.ok {
		if err := durable.WriteFile(c.opts.StateFile, r.note(c.policy), 0o644); err != nil {
			c.logger.Warn("witnesses: saving the cosigned checkpoint", "file", c.opts.StateFile, "err", err)
		}
	}
}

// nextRetry returns how long until a failed witness is due again, when
// one has not cosigned the current round.
func (c *Collector) nextRetry() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.current == nil {
		return 0, false
	}
	// The next round may start then, should a checkpoint be waiting.
	next := c.started.Add(c.opts.Interval)
	if !next.After(c.opts.Now()) {
		next = time.Time{}
	}
	for _, w := range c.witnesses {
		if _, ok := c.current.cosigs[w.Name]; ok || w.busy || w.URL == "" || w.next.IsZero() {
			continue
		}
		if next.IsZero() || w.next.Before(next) {
			next = w.next
		}
	}
	if next.IsZero() {
		return 0, false
	}
	return max(next.Sub(c.opts.Now()), time.Millisecond), true
}

// errAhead is a witness that has cosigned a larger tree than the one
// offered: it will never cosign this one.
type errAhead struct{ size, offered int64 }

func (e errAhead) Error() string {
	return fmt.Sprintf("the witness is at size %d, beyond this checkpoint's %d", e.size, e.offered)
}

// submit offers cp to w (c2sp.org/tlog-witness), from old, with retries,
// and returns the verified cosignature line, the witness's size as the
// exchange revealed it (-1 if not), and when it cosigned.
func (c *Collector) submit(ctx context.Context, w *peer, cp indivisible.Checkpoint, old int64) (cosig string, size int64, at time.Time, err error) {
	size = -1
	delay := c.opts.Backoff
	for attempt := 0; attempt < c.opts.Attempts; attempt++ {
		if old > cp.Size {
			return "", size, at, errAhead{old, cp.Size}
		}
		var retry bool
		var witnessSize int64
		cosig, witnessSize, retry, err = c.post(ctx, w, cp, old)
		switch {
		case err == nil:
			return cosig, cp.Size, c.opts.Now().UTC(), nil
		case witnessSize >= 0: // 409: prove from the witness's size at once
			old, size = witnessSize, witnessSize
			if witnessSize > cp.Size {
				return "", size, at, errAhead{witnessSize, cp.Size}
			}
			continue
		case !retry || ctx.Err() != nil:
			return "", size, at, err
		}
		if attempt+1 < c.opts.Attempts {
			select {
			case <-ctx.Done():
				return "", size, at, err
			case <-time.After(delay):
			}
			delay *= 2
		}
	}
	return "", size, at, err
}

// post makes one add-checkpoint request. On a 409 it returns the
// witness's size; retry says whether the failure is worth retrying.
func (c *Collector) post(ctx context.Context, w *peer, cp indivisible.Checkpoint, old int64) (cosig string, witnessSize int64, retry bool, err error) {
	witnessSize = -1
	var proof tlog.TreeProof // empty from the empty tree and between equal trees
	if old > 0 && old < cp.Size {
		var err error
		if proof, err = tlog.ProveTree(cp.Size, old, hashReader(ctx, c.log.Store())); err != nil {
			return "", -1, true, fmt.Errorf("consistency proof %d..%d: %v", old, cp.Size, err)
		}
	}
	// The protocol's one encoding of a request is the witness package's.
	body, err := (&witness.AddCheckpointRequest{OldSize: old, Proof: proof, Checkpoint: cp.Note}).MarshalText()
	if err != nil {
		return "", -1, false, err
	}
	rctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, w.URL+"/add-checkpoint", bytes.NewReader(body))
	if err != nil {
		return "", -1, false, err
	}
	resp, err := c.opts.Client.Do(req)
	if err != nil {
		return "", -1, true, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", -1, true, err
	}
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusConflict:
		n, perr := witness.ParseConflict(b)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, witness.ConflictContentType) || perr != nil {
			return "", -1, true, fmt.Errorf("409 without a %s body (%q)", witness.ConflictContentType, ct)
		}
		return "", n, true, fmt.Errorf("409: the witness is at size %d", n)
	default:
		msg := strings.TrimSpace(string(b))
		if len(msg) > 200 {
			msg = msg[:200]
		}
		// 400, 403, 404, 422 will not change by asking again; a 5xx may.
		return "", -1, resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests, fmt.Errorf("%s: %s", resp.Status, msg)
	}
	text, _, _ := splitSigned(cp.Note)
	_, sigs, err := splitSigned(append(append(bytes.Clone(text), '\n'), b...))
	if err != nil {
		return "", -1, false, fmt.Errorf("answer is not cosignature lines: %v", err)
	}
	for _, s := range sigs {
		v := w.verifier
		if s.name == v.Name() && s.hash == v.KeyHash() && v.Verify(text, s.sig) {
			return s.line, -1, false, nil
		}
	}
	return "", -1, false, errors.New("the answer has no valid cosignature by the witness's key")
}

// Cosigned returns the checkpoint served: the latest the collector
// worked on, with the cosignatures gathered as extra signature lines, or
// the log's latest before any. It may lack the quorum; Status says.
func (c *Collector) Cosigned(ctx context.Context) (indivisible.Checkpoint, error) {
	c.mu.Lock()
	r := c.served
	var msg []byte
	if r != nil {
		msg = r.note(c.policy)
	}
	c.mu.Unlock()
	if r == nil {
		return c.log.Checkpoint(ctx)
	}
	cp := r.cp
	cp.Note = msg
	return cp, nil
}

// Wait waits until a checkpoint of at least size entries with the quorum
// is served, and returns it, or ctx's error.
func (c *Collector) Wait(ctx context.Context, size int64) (indivisible.Checkpoint, error) {
	for {
		c.mu.Lock()
		r, ch := c.quorate, c.changed
		var msg []byte
		if r != nil && r.cp.Size >= size {
			msg = r.note(c.policy)
		}
		c.mu.Unlock()
		if msg != nil {
			cp := r.cp
			cp.Note = msg
			return cp, nil
		}
		select {
		case <-ctx.Done():
			return indivisible.Checkpoint{}, ctx.Err()
		case <-ch:
		}
	}
}

// ProveInclusion proves the entry at index in the tree of the served
// cosigned checkpoint, or, for an entry newer than that, in the log's
// latest checkpoint (which then carries no cosignature yet).
func (c *Collector) ProveInclusion(ctx context.Context, index int64) (*ledger.InclusionProof, error) {
	cp, err := c.Cosigned(ctx)
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= cp.Size {
		return c.log.ProveInclusion(ctx, index)
	}
	p, err := tlog.ProveRecord(cp.Size, index, hashReader(ctx, c.log.Store()))
	if err != nil {
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "inclusion proof of %d in %d: %v", index, cp.Size, err)
	}
	return &ledger.InclusionProof{Index: index, Proof: p, Checkpoint: cp}, nil
}

// Status reports the served checkpoint's quorum and each witness.
func (c *Collector) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := Status{Size: -1, CosignedSize: -1, Policy: c.policy.Describe()}
	have := map[string]bool{}
	if c.served != nil {
		st.Size = c.served.cp.Size
		for n := range c.served.cosigs {
			have[n] = true
		}
	}
	st.Quorum, st.Missing = c.policy.Satisfied(have)
	if c.served == nil {
		st.Quorum = false
	}
	if c.quorate != nil {
		st.CosignedSize = c.quorate.cp.Size
	}
	for _, w := range c.witnesses {
		ws := WitnessStatus{Name: w.Name, Key: w.Key, URL: w.URL, Size: w.size, At: w.at, Cosigned: have[w.Name], Error: w.lastErr, Failures: w.failures}
		if w.URL == "" && ws.Error == "" {
			ws.Error = "no URL in the policy: not submitted to"
		}
		st.Witnesses = append(st.Witnesses, ws)
	}
	return st
}

// hashReader reads the log's stored hashes.
func hashReader(ctx context.Context, s logstore.Store) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) { return s.ReadHashes(ctx, indexes) })
}
