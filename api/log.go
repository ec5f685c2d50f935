package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
)

// Log is the read side of the tamper-evident log that the C2SP
// tlog-tiles endpoints serve.
type Log interface {
	Info() indivisible.LogInfo
	Checkpoint(ctx context.Context) (indivisible.Checkpoint, error)
	// ReadTile returns a tile by its C2SP path, e.g. "tile/0/x001/234"
	// or "tile/entries/000.p/5" (ENOTFOUND for a tile the tree lacks).
	ReadTile(ctx context.Context, path string) ([]byte, error)
}

// The log's HTTP layout follows C2SP tlog-tiles, so that standard clients
// can fetch and verify it: /log/checkpoint, /log/tile/<L>/<N>[.p/<W>],
// /log/tile/entries/<N>[.p/<W>]. /log/key serves the note verifier key.
// Every response forbids content sniffing (logHeaders): a tile is raw
// bytes, which a browser must never take for a page.

// logHeaders sets what every /log/ response carries, its errors too.
func logHeaders(w http.ResponseWriter) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

func (s *Server) logCheckpoint(w http.ResponseWriter, r *http.Request) {
	logHeaders(w)
	cp, err := s.cfg.Log.Checkpoint(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// The checkpoint changes with every append: clients revalidate.
	w.Header().Set("Cache-Control", "no-cache")
	writeText(w, cp.Note)
}

func (s *Server) logTile(w http.ResponseWriter, r *http.Request) {
	logHeaders(w)
	path := r.PathValue("path")
	b, err := s.cfg.Log.ReadTile(r.Context(), "tile/"+path)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// A full tile never changes; a partial one is replaced by wider ones.
	if strings.Contains(path, ".p/") {
		w.Header().Set("Cache-Control", "public, max-age=60")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(b)
}

func (s *Server) logKey(w http.ResponseWriter, r *http.Request) {
	logHeaders(w)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	writeText(w, []byte(s.cfg.Log.Info().VerifierKey+"\n"))
}

func writeText(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(b)
}
