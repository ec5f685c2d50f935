// Package monitor is a participant's monitor of the tamper-evident log:
// it follows the log over C2SP tlog-tiles, keeps its own verified copy of
// every entry in a directory, and raises an alarm on any evidence that the
// log's operator misbehaved: a checkpoint inconsistent with one seen before
// (a split view), tiles that do not match the signed checkpoint, an entry
// whose signature the log's own key registry does not bear out, or a
// changed log key. From its copy it recomputes the exchange's findings and
// reports the new entries about its participant.
//
// What it trusts: the log key, taken from the configuration or from
// /log/key on first use and pinned in the copy (trust on first use), and
// with a witness policy the witnesses' keys. Everything else, tiles,
// entries, proofs and the key registry, it checks.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

// Alarm kinds. An alarm is an *indivisible.Error with code alarmCode whose
// Field is the kind, so that the command line maps it to one exit status
// and a caller tells the kinds apart with indivisible.ErrorField.
const (
	// AlarmSplitView: a checkpoint, signed by the log's key, that is not
	// consistent with one seen before (another history of the log).
	AlarmSplitView = "split_view"
	// AlarmLogKey: the log serves a key other than the one pinned.
	AlarmLogKey = "log_key"
	// AlarmCheckpointSignature: a checkpoint not signed by the log's key,
	// or naming another log.
	AlarmCheckpointSignature = "checkpoint_signature"
	// AlarmTampered: tiles or entries that do not hash to the signed
	// checkpoint.
	AlarmTampered = "tampered"
	// AlarmEntry: an entry in the signed tree that should never have been
	// accepted: it does not decode, is a bad key event, or its signature
	// or key does not verify against the registry rebuilt from the log.
	AlarmEntry = "entry"
)

var alarmKinds = []string{AlarmSplitView, AlarmLogKey, AlarmCheckpointSignature, AlarmTampered, AlarmEntry}

// alarmCode is the error code of alarms: exit status 7, so that a script
// tells evidence against the log from an audit that failed to run.
const alarmCode = indivisible.EINCONSISTENT

func alarmf(kind, format string, args ...any) error {
	return indivisible.FieldErrorf(alarmCode, kind, format, args...)
}

// IsAlarm reports whether err is an alarm (see the Alarm kinds).
func IsAlarm(err error) bool {
	return indivisible.ErrorCode(err) == alarmCode && slices.Contains(alarmKinds, indivisible.ErrorField(err))
}

// Config configures a Monitor.
type Config struct {
	// URL is the prefix the log's C2SP tlog-tiles resources are under,
	// such as https://forum.example.org/log/.
	URL string
	// Dir holds the copy (created if need be).
	Dir string
	// Key is the log's note verifier key text. Empty takes the one pinned
	// in Dir, or on first use the one the log serves at URL/key.
	Key string
	// Policy is a witness policy in the format torchwood.ParsePolicy
	// reads (Sigsum's, with vkeys; Tessera's); nil checks only the log's
	// signature. With a policy the copy only advances to checkpoints that
	// carry the quorum of cosignatures.
	Policy []byte
	// Participant is the code whose entries are reported ("" for none).
	Participant string
	// Regime is what findings are computed against (default
	// exchange.DefaultRegime).
	Regime *exchange.Regime
	// HTTPClient fetches the log (default http.DefaultClient).
	HTTPClient *http.Client
	// Logger logs notices (Info), warnings and alarms (Error).
	Logger *slog.Logger
	// Workers is the number of goroutines checking entry signatures
	// (default GOMAXPROCS).
	Workers int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Report is the result of an Update.
type Report struct {
	// Checkpoint is the latest checkpoint the copy holds every entry of.
	Checkpoint indivisible.Checkpoint
	// Served is the checkpoint the log served this round.
	Served indivisible.Checkpoint
	// From is the size of the copy before the update.
	From int64
	// Cosigned says whether Served carried the policy's quorum (false
	// without a policy).
	Cosigned bool
	// Notices are the new entries about the participant.
	Notices []Notice
	// Findings are the regime's findings over the copy.
	Findings []indivisible.Finding
	// NewFindings are the findings concerning the participant that the
	// copy did not give before the update.
	NewFindings []indivisible.Finding
	// Warnings are entries signed by a key later revoked from an index at
	// or before theirs, as ledger.Audit reports them.
	Warnings []string
}

// Monitor follows one log. Its methods are not safe for concurrent use.
type Monitor struct {
	cfg      Config
	log      *slog.Logger
	metrics  *metrics
	tiles    *fetchReader
	client   *torchwood.Client
	copy     *localCopy
	vkey     string
	verifier note.Verifier
	policy   torchwood.Policy
	// witnesses are the policy's witnesses, to name the missing ones.
	witnesses []witness

	// latest is the checkpoint the copy holds; ahead the largest seen
	// beyond it (without the quorum), if any.
	latest indivisible.Checkpoint
	ahead  *indivisible.Checkpoint
	// lastNote is the last checkpoint recorded in the checkpoints file.
	lastNote []byte

	reg       ledger.Registry
	state     *exchange.State
	positions map[int64]string
	signedBy  map[string][]int64
	findings  []indivisible.Finding
	standing  error
}

type witness struct {
	name string
	v    note.Verifier
}

// Open opens the copy in cfg.Dir, checking it entry by entry, and pins the
// log key on first use. It does not fetch anything but the key.
func Open(ctx context.Context, cfg Config) (*Monitor, error) {
	if !strings.HasSuffix(cfg.URL, "/") {
		cfg.URL += "/"
	}
	if cfg.Participant != "" && !indivisible.IsToken(cfg.Participant) {
		return nil, indivisible.Invalid("participant", "%q is not a participant code", cfg.Participant)
	}
	if cfg.Regime == nil {
		cfg.Regime = exchange.DefaultRegime()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	fetcher, err := torchwood.NewTileFetcher(cfg.URL, torchwood.WithHTTPClient(cfg.HTTPClient),
		torchwood.WithUserAgent("indivisible-monitor"), torchwood.WithConcurrencyLimit(8))
	if err != nil {
		return nil, indivisible.Invalid("server", "%v", err)
	}
	m := &Monitor{cfg: cfg, log: cfg.Logger, metrics: newMetrics(), tiles: &fetchReader{tr: fetcher},
		state: exchange.NewState(), positions: map[int64]string{}, signedBy: map[string][]int64{}}
	m.client, _ = torchwood.NewClient(m.tiles) // never fails
	if cfg.Policy != nil {
		if m.policy, err = torchwood.ParsePolicy(cfg.Policy); err != nil {
			return nil, indivisible.Invalid("witnesses", "%v", err)
		}
		m.witnesses = parseWitnesses(cfg.Policy)
	}
	c, cpNote, err := openCopy(cfg.Dir)
	if err != nil {
		return nil, err
	}
	m.copy = c
	if err := m.open(ctx, cpNote); err != nil {
		c.close()
		return nil, err
	}
	return m, nil
}

func (m *Monitor) open(ctx context.Context, cpNote []byte) error {
	if err := m.pinKey(ctx); err != nil {
		return err
	}
	if cpNote != nil {
		cp, err := ledger.OpenCheckpoint(cpNote, m.verifier)
		if err != nil {
			return indivisible.Errorf(indivisible.EINTERNAL, "the copy's checkpoint in %s does not verify under the pinned key: %v", m.cfg.Dir, err)
		}
		m.latest = cp
	} else {
		m.latest = indivisible.Checkpoint{Origin: m.verifier.Name()}
		m.latest.Root, _ = tlog.TreeHash(0, nil)
	}
	err := m.copy.load(m.latest.Size, func(i int64, rec []byte) error {
		e, err := logstore.Decode(i, rec)
		if err != nil {
			return nil // alarmed when it was fetched; the exchange skips it too
		}
		m.addEntry(&e)
		return nil
	})
	if err != nil {
		return err
	}
	if root, err := tlog.TreeHash(m.latest.Size, m.copy); err != nil || root != m.latest.Root {
		return indivisible.Errorf(indivisible.EINTERNAL, "the copy in %s does not hash to its checkpoint (size %d)", m.cfg.Dir, m.latest.Size)
	}
	m.findings = m.state.Findings(m.cfg.Regime)
	seen, err := readSeen(m.cfg.Dir)
	if err != nil {
		return err
	}
	for _, s := range seen {
		m.lastNote = s.note
		if cp, err := ledger.OpenCheckpoint(s.note, m.verifier); err == nil && cp.Size > m.latest.Size && (m.ahead == nil || cp.Size > m.ahead.Size) {
			m.ahead = &cp
		}
	}
	if b, err := os.ReadFile(filepath.Join(m.cfg.Dir, alarmsFile)); err == nil && len(b) > 0 {
		first, _, _ := strings.Cut(string(b), "\n")
		m.standing = alarmf(kindOf(first), "an alarm stands in %s (remove the file once it is dealt with): %s", filepath.Join(m.cfg.Dir, alarmsFile), first)
		m.metrics.alarm.Set(1)
	}
	m.updateGauges()
	return nil
}

// kindOf reads the kind back from an alarms file line "TIME KIND: ...".
func kindOf(line string) string {
	_, rest, _ := strings.Cut(line, " ")
	kind, _, _ := strings.Cut(rest, ":")
	if slices.Contains(alarmKinds, kind) {
		return kind
	}
	return AlarmSplitView
}

// pinKey settles the log key: the configured one, the pinned one, or on
// first use the one the log serves, which is then pinned.
func (m *Monitor) pinKey(ctx context.Context) error {
	path := filepath.Join(m.cfg.Dir, keyFile)
	pinned, err := os.ReadFile(path)
	switch {
	case err == nil:
		m.vkey = strings.TrimSpace(string(pinned))
		if m.cfg.Key != "" && m.cfg.Key != m.vkey {
			return indivisible.Invalid("key", "the copy in %s pins the log key %s, not %s: use another directory for another log", m.cfg.Dir, m.vkey, m.cfg.Key)
		}
	case !errors.Is(err, os.ErrNotExist):
		return indivisible.Invalid("dir", "%v", err)
	case m.cfg.Key != "":
		m.vkey = m.cfg.Key
	default:
		b, err := m.tiles.ReadEndpoint(ctx, "key")
		if err != nil {
			return indivisible.Errorf(indivisible.EINTERNAL, "fetching the log key: %v", err)
		}
		m.vkey = strings.TrimSpace(string(b))
	}
	v, err := note.NewVerifier(m.vkey)
	if err != nil {
		return indivisible.Invalid("key", "not a note verifier key %q: %v", m.vkey, err)
	}
	m.verifier = v
	if pinned == nil {
		if err := writeAtomic(path, []byte(m.vkey+"\n")); err != nil {
			return err
		}
		m.log.Info("pinned the log key", "key", m.vkey)
	}
	for _, l := range strings.Split(string(m.cfg.Policy), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "log" && f[1] != m.vkey {
			return indivisible.Invalid("witnesses", "the policy names the log key %s, not the pinned %s", f[1], m.vkey)
		}
	}
	return nil
}

// parseWitnesses reads the witness lines of a policy that ParsePolicy
// accepted.
func parseWitnesses(policy []byte) []witness {
	var ws []witness
	for _, l := range strings.Split(string(policy), "\n") {
		l, _, _ = strings.Cut(l, "#")
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "witness" {
			if v, err := torchwood.NewCosignatureVerifier(f[2]); err == nil {
				ws = append(ws, witness{f[1], v})
			}
		}
	}
	return ws
}

// Close closes the copy.
func (m *Monitor) Close() error { return m.copy.close() }

// Checkpoint returns the latest checkpoint the copy holds.
func (m *Monitor) Checkpoint() indivisible.Checkpoint { return m.latest }

// Findings returns the regime's findings over the copy.
func (m *Monitor) Findings() []indivisible.Finding { return slices.Clone(m.findings) }

// Standing returns the first alarm recorded in the copy, by this process
// or an earlier one, or nil. An alarm stands until its record (the alarms
// file) is removed: a log that showed a split view once stays suspect.
func (m *Monitor) Standing() error { return m.standing }

// Entries returns the encoded entries of the copy.
func (m *Monitor) Entries() ([][]byte, error) { return m.copy.readEntries() }

// addEntry takes a committed entry into the registry, the exchange's state
// and the positions map.
func (m *Monitor) addEntry(e *indivisible.Entry) {
	switch e.Kind {
	case indivisible.KindKey:
		m.reg.Apply(e) // a bad key event changes nothing, as in the log
	case indivisible.KindPosition:
		if b, err := forum.ParsePositionBody(e.Body); err == nil {
			m.positions[e.Index] = b.Participant
		}
		fallthrough
	default:
		m.signedBy[e.KeyName] = append(m.signedBy[e.KeyName], e.Index)
	}
	m.state.Add(*e)
}

// raise records an alarm: in the alarms file with its evidence, in the
// metrics and the log. It returns the alarm.
func (m *Monitor) raise(err error, evidence ...[]byte) error {
	kind := indivisible.ErrorField(err)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", m.cfg.Now().UTC().Format(time.RFC3339), indivisible.ErrorMessage(err))
	for _, ev := range evidence {
		for _, l := range strings.SplitAfter(strings.TrimSuffix(string(ev), "\n"), "\n") {
			b.WriteString("\t" + strings.TrimSuffix(l, "\n") + "\n")
		}
	}
	if werr := appendLine(m.cfg.Dir, alarmsFile, b.String()); werr != nil {
		m.log.Error("cannot record the alarm", "err", werr)
	}
	m.metrics.alarms.WithLabelValues(kind).Inc()
	m.metrics.alarm.Set(1)
	m.log.Error("ALARM: the log is not consistent", "kind", kind, "server", m.cfg.URL, "err", indivisible.ErrorMessage(err))
	if m.standing == nil {
		m.standing = err
	}
	return err
}

// Update fetches the log's checkpoint, checks it against everything seen
// before, and brings the copy up to it, verifying every new entry. An
// alarm is returned as the error (IsAlarm); other errors say the log
// could not be read or, with a policy, that the checkpoint lacks the
// quorum (EUNAUTHORIZED), and leave the copy as it was.
func (m *Monitor) Update(ctx context.Context) (*Report, error) {
	rep, err := m.update(ctx)
	switch {
	case err == nil:
		m.metrics.updates.WithLabelValues("ok").Inc()
		m.metrics.lastSuccess.Set(float64(m.cfg.Now().Unix()))
	case IsAlarm(err):
		m.metrics.updates.WithLabelValues("alarm").Inc()
	case indivisible.ErrorCode(err) == indivisible.EUNAUTHORIZED:
		m.metrics.updates.WithLabelValues("quorum").Inc()
		m.log.Warn("checkpoint without the witnesses' quorum", "err", indivisible.ErrorMessage(err))
	default:
		m.metrics.updates.WithLabelValues("error").Inc()
		m.log.Warn("cannot read the log", "server", m.cfg.URL, "err", err)
	}
	m.updateGauges()
	return rep, err
}

func (m *Monitor) updateGauges() {
	m.metrics.size.Set(float64(m.latest.Size))
	m.metrics.findings.Set(float64(len(m.findings)))
	m.metrics.concerning.Set(float64(len(exchange.Concerning(m.findings, m.cfg.Participant))))
}

func (m *Monitor) update(ctx context.Context) (*Report, error) {
	rep := &Report{From: m.latest.Size, Checkpoint: m.latest}
	key, err := m.tiles.ReadEndpoint(ctx, "key")
	if err != nil {
		return rep, fetchError("the log key", err)
	}
	if k := strings.TrimSpace(string(key)); k != m.vkey {
		return rep, m.raise(alarmf(AlarmLogKey, "the log now serves the key %s; the key pinned is %s", k, m.vkey), key)
	}
	msg, err := m.tiles.ReadEndpoint(ctx, "checkpoint")
	if err != nil {
		return rep, fetchError("the checkpoint", err)
	}
	cp, err := ledger.OpenCheckpoint(msg, m.verifier)
	if err != nil {
		return rep, m.raise(alarmf(AlarmCheckpointSignature, "the checkpoint served is not signed by the log key %s: %v", m.verifier.Name(), indivisible.ErrorMessage(err)), msg)
	}
	if cp.Origin != m.verifier.Name() {
		return rep, m.raise(alarmf(AlarmCheckpointSignature, "the checkpoint served names the log %q, not %q", cp.Origin, m.verifier.Name()), msg)
	}
	rep.Served = cp
	m.metrics.seenSize.Set(float64(cp.Size))
	var quorum error
	if m.policy != nil {
		if quorum = m.checkQuorum(msg, cp); quorum == nil {
			rep.Cosigned = true
			m.metrics.cosigned.Set(float64(cp.Size))
		}
	}
	if err := m.recordSeen(cp, rep.Cosigned); err != nil {
		return rep, err
	}
	if err := m.consistent(ctx, cp); err != nil {
		return rep, err
	}
	if quorum != nil {
		if m.ahead == nil || cp.Size > m.ahead.Size {
			m.ahead = &cp
		}
		return rep, quorum
	}
	if cp.Size > m.latest.Size {
		if err := m.fetch(ctx, cp, rep); err != nil {
			return rep, err
		}
	}
	rep.Checkpoint = m.latest
	rep.Findings = slices.Clone(m.findings)
	return rep, nil
}

func fetchError(what string, err error) error {
	return indivisible.Errorf(indivisible.EINTERNAL, "fetching %s: %v", what, err)
}

// checkQuorum checks the checkpoint's cosignatures under the policy; the
// error names the witnesses whose cosignature is missing.
func (m *Monitor) checkQuorum(msg []byte, cp indivisible.Checkpoint) error {
	_, _, err := torchwood.VerifyCheckpoint(msg, m.policy)
	if err == nil {
		return nil
	}
	signed := map[string]bool{}
	if n, oerr := note.Open(msg, m.policy); oerr == nil {
		for _, s := range n.Sigs {
			signed[fmt.Sprintf("%s+%08x", s.Name, s.Hash)] = true
		}
	} else {
		var u *note.UnverifiedNoteError
		if errors.As(oerr, &u) {
			for _, s := range u.Note.Sigs {
				signed[fmt.Sprintf("%s+%08x", s.Name, s.Hash)] = true
			}
		}
	}
	var have, missing []string
	for _, w := range m.witnesses {
		if signed[fmt.Sprintf("%s+%08x", w.v.Name(), w.v.KeyHash())] {
			have = append(have, w.name)
		} else {
			missing = append(missing, w.name)
		}
	}
	return indivisible.FieldErrorf(indivisible.EUNAUTHORIZED, "witnesses", "the checkpoint of size %d does not satisfy the witness policy (%v): cosigned by %s; missing %s",
		cp.Size, err, orNone(have), orNone(missing))
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// recordSeen appends a checkpoint not seen last time to the checkpoints
// file.
func (m *Monitor) recordSeen(cp indivisible.Checkpoint, cosigned bool) error {
	if string(cp.Note) == string(m.lastNote) {
		return nil
	}
	s := seenCheckpoint{at: m.cfg.Now(), size: cp.Size, cosigned: cosigned, note: cp.Note}
	if err := appendLine(m.cfg.Dir, checkpointsFile, s.line()); err != nil {
		return err
	}
	m.lastNote = cp.Note
	return nil
}

// consistent checks that cp and every checkpoint seen before describe one
// history: a tree no larger than the copy must have the root the copy
// gives it; a larger one must be proven, from its own tiles, an extension
// of the copy's checkpoint and consistent with the largest seen beyond it.
func (m *Monitor) consistent(ctx context.Context, cp indivisible.Checkpoint) error {
	if cp.Size <= m.latest.Size {
		root, err := tlog.TreeHash(cp.Size, m.copy)
		if err != nil {
			return err
		}
		if root != cp.Root {
			return m.raise(alarmf(AlarmSplitView, "the checkpoint of size %d has root %v, but the first %d entries of the copy (checkpoint of size %d) hash to %v",
				cp.Size, cp.Root, cp.Size, m.latest.Size, root), cp.Note, m.latest.Note)
		}
		if cp.Size < m.latest.Size {
			m.log.Warn("the log served an older checkpoint (consistent with the copy)", "size", cp.Size, "copy", m.latest.Size)
		}
		return nil
	}
	if err := m.prove(ctx, m.latest, cp); err != nil {
		return err
	}
	if a := m.ahead; a != nil && a.Size > m.latest.Size && string(a.Note) != string(cp.Note) {
		old, new := *a, cp
		if old.Size > new.Size {
			old, new = new, old
		}
		return m.prove(ctx, old, new)
	}
	return nil
}

// prove checks the consistency proof from old to new, read from new's
// tiles, which are authenticated against new's root.
func (m *Monitor) prove(ctx context.Context, old, new indivisible.Checkpoint) error {
	if old.Size == new.Size {
		if old.Root != new.Root {
			return m.raise(alarmf(AlarmSplitView, "two checkpoints of size %d with different roots, %v and %v", old.Size, old.Root, new.Root), old.Note, new.Note)
		}
		return nil
	}
	if old.Size == 0 {
		return nil // every tree extends the empty one
	}
	m.tiles.reset()
	tree := tlog.Tree{N: new.Size, Hash: new.Root}
	p, err := tlog.ProveTree(new.Size, old.Size, torchwood.TileHashReaderWithContext(ctx, tree, m.tiles))
	if err != nil {
		if ferr := m.tiles.failure(); ferr != nil {
			return fetchError("the tiles of the consistency proof", ferr)
		}
		return m.raise(alarmf(AlarmTampered, "the tiles served for the checkpoint of size %d do not hash to its root: %v", new.Size, err), new.Note)
	}
	if err := tlog.CheckTree(p, new.Size, new.Root, old.Size, old.Root); err != nil {
		return m.raise(alarmf(AlarmSplitView, "the checkpoint of size %d is not consistent with the checkpoint of size %d seen before: %v", new.Size, old.Size, err), old.Note, new.Note)
	}
	return nil
}

// chunk is how many entries are verified together.
const chunk = 4096

// sigJob is an entry whose signature a worker checks against the registry
// as it was at the entry.
type sigJob struct {
	reg ledger.Registry
	e   indivisible.Entry
}

// fetch brings the copy from m.latest up to cp: it fetches the new entries
// (their inclusion in cp checked by torchwood's client), appends them,
// checks the copy's root against cp's, checks every signature, and only
// then commits cp and takes the entries into the findings and notices.
func (m *Monitor) fetch(ctx context.Context, cp indivisible.Checkpoint, rep *Report) error {
	start, off := m.latest.Size, m.copy.entriesLen
	reg := m.reg // a snapshot: the monitor's registry moves on only after commit
	var (
		mu       sync.Mutex
		problems []entryProblem
	)
	problem := func(i int64, format string, args ...any) {
		mu.Lock()
		problems = append(problems, entryProblem{i, fmt.Sprintf(format, args...)})
		mu.Unlock()
	}
	jobs := make(chan []sigJob, m.cfg.Workers)
	var wg sync.WaitGroup
	for range m.cfg.Workers {
		wg.Go(func() {
			for batch := range jobs {
				for _, j := range batch {
					if err := j.reg.Check(&j.e); err != nil {
						problem(j.e.Index, "%s", indivisible.ErrorMessage(err))
					}
				}
			}
		})
	}
	var batch []sigJob
	m.tiles.reset()
	next := start
	var appendErr error
	for i, rec := range m.client.AllEntries(ctx, tlog.Tree{N: cp.Size, Hash: cp.Root}, start) {
		if i != next {
			break // cannot happen: the client yields in order
		}
		next++
		if appendErr = m.copy.append(rec); appendErr != nil {
			break
		}
		e, err := logstore.Decode(i, rec)
		if err != nil {
			problem(i, "does not decode: %v", indivisible.ErrorMessage(err))
			continue
		}
		if e.Kind == indivisible.KindKey {
			if _, err := reg.Apply(&e); err != nil {
				problem(i, "bad key event: %v", indivisible.ErrorMessage(err))
			}
			continue
		}
		batch = append(batch, sigJob{reg, e})
		if len(batch) == chunk/m.cfg.Workers+1 {
			jobs <- batch
			batch = nil
		}
	}
	if len(batch) > 0 {
		jobs <- batch
	}
	close(jobs)
	wg.Wait()
	if appendErr != nil {
		m.copy.rollback()
		return appendErr
	}
	if err := m.client.Err(); err != nil || next != cp.Size {
		m.copy.rollback()
		if ferr := m.tiles.failure(); ferr != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fetchError("the entries", errors.Join(ferr, err))
		}
		if err == nil {
			err = fmt.Errorf("%d of %d entries read", next-start, cp.Size-start)
		}
		return m.raise(alarmf(AlarmTampered, "the entries served for the checkpoint of size %d do not hash to its tree: %v", cp.Size, err), cp.Note)
	}
	if root, err := tlog.TreeHash(cp.Size, m.copy); err != nil || root != cp.Root {
		m.copy.rollback()
		return m.raise(alarmf(AlarmTampered, "the entries fetched hash to %v, not to the root %v of the checkpoint of size %d (%v)", root, cp.Root, cp.Size, err), cp.Note)
	}
	if err := m.copy.commit(cp.Note); err != nil {
		m.copy.rollback()
		return err
	}
	prev := exchange.Concerning(m.findings, m.cfg.Participant)
	m.latest = cp
	if m.ahead != nil && m.ahead.Size <= cp.Size {
		m.ahead = nil
	}
	m.metrics.verified.Add(float64(cp.Size - start))
	if err := m.apply(start, off, rep); err != nil {
		return err
	}
	m.findings = m.state.Findings(m.cfg.Regime)
	rep.NewFindings = newFindings(prev, exchange.Concerning(m.findings, m.cfg.Participant))
	for _, f := range rep.NewFindings {
		m.log.Info("new finding concerning the participant", "participant", m.cfg.Participant, "rule", f.Rule, "entries", f.Entries, "message", f.Message)
	}
	if len(problems) > 0 {
		slices.SortFunc(problems, func(a, b entryProblem) int { return int(a.index - b.index) })
		var evidence []byte
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = fmt.Sprintf("entry %d: %s", p.index, p.msg)
			evidence = append(evidence, msgs[i]+"\n"...)
		}
		return m.raise(alarmf(AlarmEntry, "%d entries of the checkpoint of size %d should never have been accepted; %s", len(problems), cp.Size, msgs[0]), append(evidence, cp.Note...))
	}
	return nil
}

type entryProblem struct {
	index int64
	msg   string
}

// apply takes the entries from start on, now committed, into the
// registry, the findings' state and the notices.
func (m *Monitor) apply(start, off int64, rep *Report) error {
	i := start
	err := m.copy.scan(off, func(rec []byte) error {
		e, err := logstore.Decode(i, rec)
		i++
		if err != nil {
			return nil
		}
		m.addEntry(&e)
		if k, ok := m.reg.Key(e.KeyName); ok && e.Kind == indivisible.KindKey && strings.HasPrefix(string(e.Body), "revoke ") && k.RevokedFrom != 0 && k.RevokedFrom <= e.Index {
			// A key revoked from an index already in the log (a
			// compromised key): what it signed from there on is suspect.
			for _, j := range m.signedBy[e.KeyName] {
				if j >= k.RevokedFrom {
					rep.Warnings = append(rep.Warnings, fmt.Sprintf("entry %d: signed by key %s, later revoked from index %d", j, e.KeyName, k.RevokedFrom))
				}
			}
		}
		if m.cfg.Participant == "" {
			return nil
		}
		if n, ok := notice(m.cfg.Participant, &e, m.positions); ok {
			rep.Notices = append(rep.Notices, n)
			m.metrics.notices.Inc()
			m.log.Info("new entry about the participant", "participant", m.cfg.Participant, "index", n.Index, "kind", n.Kind, "summary", n.Summary)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, w := range rep.Warnings {
		m.log.Warn(w)
	}
	return nil
}

// newFindings returns the findings of now not in before.
func newFindings(before, now []indivisible.Finding) []indivisible.Finding {
	key := func(f indivisible.Finding) string {
		return fmt.Sprint(f.Rule, f.Participants, f.Entries, f.Message)
	}
	old := map[string]bool{}
	for _, f := range before {
		old[key(f)] = true
	}
	var out []indivisible.Finding
	for _, f := range now {
		if !old[key(f)] {
			out = append(out, f)
		}
	}
	return out
}

// Run updates every interval until ctx ends, logging what each round
// finds; alarms and errors do not stop it.
func (m *Monitor) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rep, err := m.Update(ctx)
		if err == nil && rep.Checkpoint.Size != rep.From {
			m.log.Info("log verified", "size", rep.Checkpoint.Size, "new", rep.Checkpoint.Size-rep.From, "cosigned", rep.Cosigned, "findings", len(rep.Findings))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// fetchReader is a torchwood.TileReader that remembers whether the
// server failed to answer, so that a failed verification is told apart
// from a failed fetch: only data that arrived and did not verify is an
// alarm.
type fetchReader struct {
	tr  torchwood.TileReader
	mu  sync.Mutex
	err error
}

func (f *fetchReader) reset() {
	f.mu.Lock()
	f.err = nil
	f.mu.Unlock()
}

func (f *fetchReader) failure() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *fetchReader) fail(err error) {
	if err != nil {
		f.mu.Lock()
		f.err = errors.Join(f.err, err)
		f.mu.Unlock()
	}
}

func (f *fetchReader) ReadTiles(ctx context.Context, tiles []tlog.Tile) ([][]byte, error) {
	data, err := f.tr.ReadTiles(ctx, tiles)
	f.fail(err)
	return data, err
}

func (f *fetchReader) SaveTiles(tiles []tlog.Tile, data [][]byte) { f.tr.SaveTiles(tiles, data) }

func (f *fetchReader) ReadEndpoint(ctx context.Context, path string) ([]byte, error) {
	data, err := f.tr.ReadEndpoint(ctx, path)
	f.fail(err)
	return data, err
}
