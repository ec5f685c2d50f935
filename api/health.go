package api

import (
	"context"
	"net/http"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/cosign"
)

// health is the body of /healthz.
type health struct {
	Status string `json:"status"`
	// Version is the build's version (Config.Version), left out when
	// unknown.
	Version string `json:"version,omitempty"`
}

// healthz says the process is alive, and which build it runs.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, http.StatusOK, health{Status: "ok", Version: s.cfg.Version})
}

// ready is the body of /readyz.
type ready struct {
	Status string `json:"status"`
	// Witnesses is the state of witnessing, with serve -witnesses. A
	// missing quorum does not make the service unready: filing goes on,
	// and clients refuse the checkpoint until the quorum returns.
	Witnesses *cosign.Status `json:"witnesses,omitempty"`
}

// readyz says the service can take traffic: its dependencies answer. It
// also reports whether the served checkpoint has its witnesses' quorum.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	body := ready{Status: "ready"}
	if s.cfg.Witnesses != nil {
		st := s.cfg.Witnesses.Status()
		body.Witnesses = &st
	}
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.log.Warn("not ready", "err", err)
			body.Status = "unavailable"
			s.writeJSON(w, r, http.StatusServiceUnavailable, body)
			return
		}
	}
	s.writeJSON(w, r, http.StatusOK, body)
}

// unmatched answers a request that no route takes: a wrong method on one
// of the API's paths (the log's included) is a 405 with the Allow header,
// anything else a 404, both in the API's JSON error shape, so that a
// client of the API never gets an HTML page. (Package server sends the
// API only its own paths; the pages are the web's.)
func (s *Server) unmatched(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := s.mux.Handler(r)
		if pattern != "" {
			next.ServeHTTP(w, r)
			return
		}
		rec := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		err := indivisible.Errorf(indivisible.ENOTFOUND, "no route %s %s", r.Method, r.URL.Path)
		if rec.status == http.StatusMethodNotAllowed {
			err = indivisible.Errorf(indivisible.EMETHOD, "%s is not allowed on %s", r.Method, r.URL.Path)
		}
		s.writeError(w, r, err)
	})
}

// headerRecorder captures the status and headers of the mux's own 404 and
// 405 handlers, discarding their plain-text bodies.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(status int)      { h.status = status }
