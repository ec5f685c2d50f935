// Package api is the JSON HTTP API of an Indivisible service (/api/v1/...),
// its health and metrics endpoints, and the read-only tiles of the log.
// Routes are registered in one place (routes.go); handlers are small maker
// functions over the Server's dependencies.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// Baseline gives every state's security before any proposal: the
// probability that no state initiates a militarized dispute against it
// within a year.
type Baseline interface {
	Codes() []string
	Before() []float64
}

// Config holds the server's dependencies. Nil optional fields disable the
// routes that need them.
type Config struct {
	Logger   *slog.Logger
	Scenario *indivisible.Scenario
	Assessor indivisible.Assessor
	Baseline Baseline
	// Explainer explains a state's baseline risk on
	// GET /api/v1/participants/{code}; nil leaves the explanation out.
	Explainer indivisible.Explainer
	// Accounts authenticates API tokens.
	Accounts indivisible.AccountStore
	// AccountService serves the account, token and key routes, and
	// decides who may use them; nil disables those routes.
	AccountService indivisible.AccountService
	// Log serves the C2SP tiles; Ledger (usually the same *ledger.Log)
	// and Exchange serve declarations, findings and keys.
	Log      Log
	Ledger   Ledger
	Exchange indivisible.ExchangeService
	// Witnesses, if set, is the log's side of witnessing (package
	// cosign's *Collector): /log/checkpoint and the declarations'
	// inclusion proofs carry its cosigned checkpoint, /readyz reports its
	// quorum and /metrics its gauges.
	Witnesses Witnesses
	// Forum serves the expert forum (/api/v1/forums/...).
	Forum indivisible.ForumService
	// Ready reports whether the service can take traffic (e.g. the
	// database answers); nil means always.
	Ready func(ctx context.Context) error
	// MaxBody caps request bodies (default 1 MiB).
	MaxBody int64
	// Rate and Burst limit requests per token, or per client address for
	// anonymous requests (defaults 50/s, burst 100).
	Rate  float64
	Burst int
	// Now is the clock (tests fix it).
	Now func() time.Time
	// Version is the build's version, as "indivisible version" prints
	// it, shown by /healthz; the command line reads it from the build
	// information, so that the API does not.
	Version string
}

// Server is the HTTP API.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	metrics *metrics
	limiter *limiter
	tokens  *tokenCache
	handler http.Handler
	// patterns are the routes registered, for Routes.
	patterns []string
}

// New returns a server over cfg.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.Rate == 0 {
		cfg.Rate, cfg.Burst = 50, 100
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), metrics: newMetrics()}
	s.limiter = newLimiter(cfg.Rate, cfg.Burst, cfg.Now)
	s.tokens = &tokenCache{now: cfg.Now}
	if cfg.Witnesses != nil {
		s.metrics.reg.MustRegister(cfg.Witnesses)
	}
	s.routes()
	s.handler = s.recover(s.instrument(s.unmatched(s.mux)))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Wrap gives another surface served beside the API (package server puts
// the web pages there) the API's outer layers: a panic becomes a logged
// 500, and each request is counted in the metrics by its route.
func (s *Server) Wrap(h http.Handler) http.Handler { return s.recover(s.instrument(h)) }

// errorBody is the one shape of every error response.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// writeError maps err to its status (StatusCode, the one
// table) and writes the error body. Only internal errors are logged: the
// others are the client's.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := indivisible.ErrorCode(err)
	if code == indivisible.EINTERNAL {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var b errorBody
	b.Error.Code = code
	b.Error.Message = indivisible.ErrorMessage(err)
	var e *indivisible.Error
	if errors.As(err, &e) {
		b.Error.Message = e.Message
		b.Error.Field = e.Field
	}
	if code == indivisible.ERATELIMIT {
		w.Header().Set("Retry-After", "1")
	}
	s.writeJSON(w, r, StatusCode(err), b)
}

// writeJSON encodes v in full before it writes the status, so that a value
// that cannot be encoded (a NaN, say) is a 500 with the error shape, never
// a success with an empty or truncated body.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	// Compact: indenting costs a sixth of an assessment's serving time.
	b, err := json.Marshal(v)
	if err != nil {
		// The error body holds only strings: it always encodes.
		s.writeError(w, r, fmt.Errorf("encoding the response to %s %s: %w", r.Method, r.URL.Path, err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// readBody reads a capped request body: a larger one is ETOOLARGE (413).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, indivisible.FieldErrorf(indivisible.ETOOLARGE, "body", "larger than %d bytes", s.cfg.MaxBody)
	case err != nil:
		return nil, indivisible.Invalid("body", "%v", err)
	}
	return b, nil
}

// decode reads a strict JSON body into a T: unknown fields, wrong types and
// trailing data are 400 errors naming the field.
func decode[T any](s *Server, w http.ResponseWriter, r *http.Request) (*T, error) {
	b, err := s.readBody(w, r)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := indivisible.DecodeStrict(b, v); err != nil {
		return nil, err
	}
	return v, nil
}

// handler adapts a function that returns a value or an error.
func (s *Server) handle(f func(w http.ResponseWriter, r *http.Request) (status int, v any, err error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status, v, err := f(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeJSON(w, r, status, v)
	}
}
