package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// healthz says the process is alive.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says the service can take traffic: its dependencies answer.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.log.Warn("not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// unmatched answers requests that no route takes, with the mux's status
// (404, or 405 with its Allow header) in the API's JSON error shape.
func (s *Server) unmatched(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := s.mux.Handler(r)
		if pattern != "" || (!strings.HasPrefix(r.URL.Path, "/api/") && !strings.HasPrefix(r.URL.Path, "/log/") && s.cfg.Web != nil) {
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
