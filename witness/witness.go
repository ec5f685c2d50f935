// Package witness is a c2sp.org/tlog-witness: it cosigns a log's
// checkpoint only if it is consistent with every checkpoint of that log it
// cosigned before, so a log operator who shows two participants two
// different histories (a split view) cannot get both cosigned by one
// honest witness.
//
// For each log it knows (ParseLogs), the witness keeps the latest
// checkpoint it cosigned, durably, in a state directory: the new state is
// on disk before the cosignature (c2sp.org/tlog-cosignature, Ed25519
// cosignature/v1) leaves the process, so even a witness killed mid-request
// never cosigns two inconsistent checkpoints. Requests for one log are
// serialised. A Witness is an http.Handler serving
//
//	POST /add-checkpoint   the protocol
//	GET  /metrics          Prometheus metrics
//
// and answers refusals with the spec's statuses: 400 malformed (or an old
// size beyond the checkpoint's), 403 not signed by a known key of the log,
// 404 unknown log, 409 old size not the latest cosigned one (with that
// size as a text/x.tlog.size body) or a checkpoint of the cosigned size
// with another root hash, and 422 a consistency proof that does not
// verify. The last two are evidence that the log forked, or tried to: they
// are logged at level ERROR and counted in
// indivisible_witness_refused_total{reason="fork"|"inconsistent"}.
package witness

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
)

// Reasons for a refusal: the reason label of
// indivisible_witness_refused_total and Refusal.Reason.
const (
	ReasonMalformed    = "malformed"     // 400: the request does not parse
	ReasonTooLarge     = "too_large"     // 413: the body exceeds MaxRequestSize
	ReasonOldTooLarge  = "old_too_large" // 400: old size beyond the checkpoint's size
	ReasonUnknownLog   = "unknown_log"   // 404: no log of that origin is configured
	ReasonBadSignature = "bad_signature" // 403: no signature by a key of the log verifies
	ReasonConflict     = "conflict"      // 409: old size is not the latest cosigned size
	ReasonFork         = "fork"          // 409: same size as the latest cosigned, another root hash
	ReasonInconsistent = "inconsistent"  // 422: the consistency proof does not verify
	ReasonInternal     = "internal"      // 500/503: the state could not be written
)

// Refusal is a request the witness did not cosign: the HTTP status
// c2sp.org/tlog-witness gives for it, and why.
type Refusal struct {
	// Status is the HTTP status of the answer.
	Status int
	// Reason is one of the Reason constants.
	Reason string
	// Size is, for ReasonConflict, the size of the latest checkpoint the
	// witness cosigned, which the answer's body gives.
	Size int64
	// Message says what was wrong, for the answer's body and the log.
	Message string
}

func (r *Refusal) Error() string { return r.Message }

func malformed(format string, args ...any) *Refusal {
	return &Refusal{Status: http.StatusBadRequest, Reason: ReasonMalformed, Message: fmt.Sprintf(format, args...)}
}

// Config configures Open.
type Config struct {
	// Signer is the witness's key (LoadSigner, NewSigner).
	Signer *torchwood.CosignatureSigner
	// Logs are the logs the witness cosigns for (ParseLogs).
	Logs []Log
	// Dir is the state directory, created if missing. Only one witness
	// may use it at a time.
	Dir string
	// Logger gets a line per request; nil discards them.
	Logger *slog.Logger
}

// Witness is an open witness. Its methods are safe for concurrent use.
type Witness struct {
	signer  *torchwood.CosignatureSigner
	logs    map[string]*logState
	dir     *stateDir
	log     *slog.Logger
	metrics *metrics
	mux     *http.ServeMux
}

// logState is what the witness knows of one log.
type logState struct {
	origin    string
	verifiers note.Verifiers

	mu       sync.Mutex // held from the check of a request until its state is saved
	cosigned bool       // a checkpoint of the log was cosigned (and saved)
	size     int64
	hash     tlog.Hash
	// broken is set when saving failed: the file may hold the new state
	// or the old, so the witness refuses the log until it restarts and
	// reads it back.
	broken error
}

// Open opens the state directory, reads the latest cosigned checkpoint of
// every log in cfg.Logs from it and returns the witness. A state file
// that does not parse is EINVALID: starting afresh would forget what was
// cosigned. A directory another witness holds is ECONFLICT.
func Open(cfg Config) (*Witness, error) {
	if cfg.Signer == nil {
		return nil, indivisible.Invalid("key", "the witness has no key")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	dir, err := openStateDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	w := &Witness{signer: cfg.Signer, logs: map[string]*logState{}, dir: dir, log: logger, metrics: newMetrics(), mux: http.NewServeMux()}
	for _, l := range cfg.Logs {
		if _, dup := w.logs[l.Origin]; dup {
			dir.close()
			return nil, indivisible.Invalid("logs", "log %q is configured twice", l.Origin)
		}
		var vs []note.Verifier
		for _, k := range l.Keys {
			v, err := note.NewVerifier(k)
			if err != nil {
				dir.close()
				return nil, indivisible.Invalid("logs", "log %q: key %q: %v", l.Origin, k, err)
			}
			vs = append(vs, v)
		}
		ls := &logState{origin: l.Origin, verifiers: note.VerifierList(vs...)}
		cp, _, found, err := dir.load(l.Origin)
		if err != nil {
			dir.close()
			return nil, err
		}
		if found {
			ls.cosigned, ls.size, ls.hash = true, cp.N, cp.Hash
		}
		w.logs[l.Origin] = ls
		w.metrics.size.WithLabelValues(l.Origin).Set(float64(ls.size))
	}
	w.mux.HandleFunc("POST /add-checkpoint", w.serveAddCheckpoint)
	w.mux.Handle("GET /metrics", w.metrics.handler())
	return w, nil
}

// Close releases the state directory. Requests in progress finish first.
func (w *Witness) Close() error {
	for _, ls := range w.logs {
		ls.mu.Lock()
		defer ls.mu.Unlock()
	}
	return w.dir.close()
}

// Name is the witness's key name, which names its cosignatures.
func (w *Witness) Name() string { return w.signer.Name() }

// VerifierKey is the witness's cosignature verifier key
// (NAME+HASH+BASE64(0x04 || public key)), which logs and clients configure;
// torchwood.NewCosignatureVerifier parses it.
func (w *Witness) VerifierKey() string { return w.signer.Verifier().String() }

// Latest returns the size and root hash of the latest checkpoint the
// witness cosigned for origin; ok is false for an unknown log, and size is
// 0 for a known log never cosigned.
func (w *Witness) Latest(origin string) (size int64, root tlog.Hash, ok bool) {
	ls, ok := w.logs[origin]
	if !ok {
		return 0, tlog.Hash{}, false
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.size, ls.hash, true
}

// ServeHTTP serves POST /add-checkpoint and GET /metrics.
func (w *Witness) ServeHTTP(rw http.ResponseWriter, r *http.Request) { w.mux.ServeHTTP(rw, r) }

// AddCheckpoint is the protocol without HTTP: it checks the request against
// the latest checkpoint cosigned for its log, saves the new state durably
// and returns the cosignature lines (the body of a 200 answer). Any refusal
// is a *Refusal; a failure to save the state is a *Refusal with status 500,
// and the log is then refused with 503 until the witness restarts.
func (w *Witness) AddCheckpoint(r *AddCheckpointRequest) ([]byte, error) {
	cp := r.Parsed
	ls, ok := w.logs[cp.Origin]
	if !ok {
		return nil, w.refuse("", r, &Refusal{Status: http.StatusNotFound, Reason: ReasonUnknownLog, Message: fmt.Sprintf("unknown log %q", cp.Origin)})
	}
	n, err := note.Open(r.Checkpoint, ls.verifiers)
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified) || errors.As(err, &invalid):
		return nil, w.refuse(ls.origin, r, &Refusal{Status: http.StatusForbidden, Reason: ReasonBadSignature, Message: "the checkpoint is not signed by a known key of log " + ls.origin})
	case err != nil:
		return nil, w.refuse(ls.origin, r, malformed("checkpoint note: %v", err))
	case n.Text != cp.String():
		return nil, w.refuse(ls.origin, r, malformed("checkpoint note: text does not parse as a checkpoint"))
	}
	if r.OldSize > cp.N {
		return nil, w.refuse(ls.origin, r, &Refusal{Status: http.StatusBadRequest, Reason: ReasonOldTooLarge, Message: fmt.Sprintf("old size %d is beyond the checkpoint's size %d", r.OldSize, cp.N)})
	}

	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.broken != nil {
		return nil, w.refuse(ls.origin, r, &Refusal{Status: http.StatusServiceUnavailable, Reason: ReasonInternal, Message: "the witness could not save its state for this log; it must be restarted"})
	}
	if r.OldSize != ls.size {
		return nil, w.refuse(ls.origin, r, &Refusal{Status: http.StatusConflict, Reason: ReasonConflict, Size: ls.size, Message: fmt.Sprintf("old size %d is not the latest cosigned size %d", r.OldSize, ls.size)})
	}
	switch {
	case cp.N == ls.size && ls.cosigned:
		if cp.Hash != ls.hash {
			return nil, w.fork(ls, r, &Refusal{Status: http.StatusConflict, Reason: ReasonFork, Message: fmt.Sprintf("FORK: the log signed a checkpoint of size %d whose root hash differs from the one cosigned", cp.N)})
		}
		if len(r.Proof) != 0 {
			return nil, w.refuse(ls.origin, r, &Refusal{Status: http.StatusUnprocessableEntity, Reason: ReasonInconsistent, Message: "a consistency proof between trees of one size must be empty"})
		}
	case r.OldSize == 0:
		// Nothing cosigned yet, or only the empty tree, which every tree
		// extends: the first checkpoint is trusted on first use.
	default:
		if err := tlog.CheckTree(r.Proof, cp.N, cp.Hash, r.OldSize, ls.hash); err != nil {
			return nil, w.fork(ls, r, &Refusal{Status: http.StatusUnprocessableEntity, Reason: ReasonInconsistent, Message: fmt.Sprintf("the consistency proof from size %d to %d does not verify: the checkpoint is not an extension of the one cosigned", r.OldSize, cp.N)})
		}
	}
	if !ls.cosigned || cp.N != ls.size {
		if err := w.dir.save(ls.origin, r.Checkpoint); err != nil {
			ls.broken = err
			w.log.Error("witness: cannot save state; refusing the log until restarted", "origin", ls.origin, "error", err)
			return nil, w.refuse(ls.origin, r, &Refusal{Status: http.StatusInternalServerError, Reason: ReasonInternal, Message: "the witness could not save its state"})
		}
		ls.cosigned, ls.size, ls.hash = true, cp.N, cp.Hash
		w.metrics.size.WithLabelValues(ls.origin).Set(float64(cp.N))
	}
	signed, err := note.Sign(&note.Note{Text: n.Text}, w.signer)
	if err != nil {
		return nil, w.refuse(ls.origin, r, &Refusal{Status: http.StatusInternalServerError, Reason: ReasonInternal, Message: "cosigning failed: " + err.Error()})
	}
	cosig := signed[len(n.Text)+1:]
	w.metrics.cosigned.WithLabelValues(ls.origin).Inc()
	w.log.Info("witness: cosigned", "origin", ls.origin, "old_size", r.OldSize, "size", cp.N, "root", b64(cp.Hash))
	return cosig, nil
}

// refuse counts and logs a refusal and returns it.
func (w *Witness) refuse(origin string, r *AddCheckpointRequest, ref *Refusal) error {
	w.metrics.refused.WithLabelValues(origin, ref.Reason).Inc()
	attrs := []any{"origin", origin, "status", ref.Status, "reason", ref.Reason, "error", ref.Message}
	if r != nil {
		attrs = append(attrs, "old_size", r.OldSize, "size", r.Parsed.N)
	}
	level := slog.LevelWarn
	if ref.Reason == ReasonConflict {
		level = slog.LevelInfo // a client that is behind: routine
	}
	w.log.Log(context.Background(), level, "witness: refused", attrs...)
	return ref
}

// fork counts a refused fork and logs it loudly, with both tree heads and
// the signed checkpoint, which is evidence against the log. ls.mu is held.
func (w *Witness) fork(ls *logState, r *AddCheckpointRequest, ref *Refusal) error {
	w.metrics.refused.WithLabelValues(ls.origin, ref.Reason).Inc()
	w.log.Error("witness: REFUSED A FORK of the log: it signed a checkpoint inconsistent with the one this witness cosigned",
		"origin", ls.origin, "status", ref.Status, "reason", ref.Reason,
		"cosigned_size", ls.size, "cosigned_root", b64(ls.hash),
		"old_size", r.OldSize, "size", r.Parsed.N, "root", b64(r.Parsed.Hash),
		"checkpoint", string(r.Checkpoint))
	return ref
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

// ConflictContentType is the content type of a 409 answer whose body is the
// latest cosigned size.
const ConflictContentType = "text/x.tlog.size"

func (w *Witness) serveAddCheckpoint(rw http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(rw, req.Body, MaxRequestSize))
	var r *AddCheckpointRequest
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		err = w.refuse("", nil, &Refusal{Status: http.StatusRequestEntityTooLarge, Reason: ReasonTooLarge, Message: fmt.Sprintf("request body exceeds %d bytes", MaxRequestSize)})
	case err != nil:
		err = w.refuse("", nil, malformed("reading the request: %v", err))
	default:
		if r, err = ParseAddCheckpoint(body); err != nil {
			err = w.refuse("", nil, err.(*Refusal))
		}
	}
	var cosig []byte
	if err == nil {
		cosig, err = w.AddCheckpoint(r)
	}
	var ref *Refusal
	switch {
	case err == nil:
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Write(cosig)
	case errors.As(err, &ref) && ref.Reason == ReasonConflict:
		rw.Header().Set("Content-Type", ConflictContentType)
		rw.WriteHeader(http.StatusConflict)
		io.WriteString(rw, strconv.FormatInt(ref.Size, 10)+"\n")
	case errors.As(err, &ref):
		http.Error(rw, ref.Message, ref.Status)
	default:
		http.Error(rw, "internal error", http.StatusInternalServerError)
	}
}

// ParseConflict parses the body of a 409 answer of content type
// text/x.tlog.size: the size of the latest checkpoint the witness
// cosigned.
func ParseConflict(body []byte) (int64, error) {
	s, ok := bytes.CutSuffix(body, []byte("\n"))
	if !ok {
		return 0, malformed("a text/x.tlog.size body ends in a newline")
	}
	n, err := parseSize(string(s))
	if err != nil {
		return 0, malformed("%q is not a tree size", s)
	}
	return n, nil
}
