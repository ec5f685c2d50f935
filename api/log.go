package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/cosign"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

// Log is the read side of the tamper-evident log that the C2SP
// tlog-tiles endpoints serve.
type Log interface {
	Info() indivisible.LogInfo
	Checkpoint(ctx context.Context) (indivisible.Checkpoint, error)
	// ReadTile returns a tile by its C2SP path, e.g. "tile/0/x001/234"
	// or "tile/entries/000.p/5" (EINVALID for a malformed path,
	// ENOTFOUND for a tile the tree lacks).
	ReadTile(ctx context.Context, path string) ([]byte, error)
}

// Witnesses is the checkpoint cosigned by the log's witnesses (package
// cosign's *Collector), with its Prometheus metrics.
type Witnesses interface {
	// Cosigned returns the latest checkpoint with the cosignatures
	// gathered as extra signature lines (perhaps fewer than the quorum).
	Cosigned(ctx context.Context) (indivisible.Checkpoint, error)
	// ProveInclusion proves an entry in the tree of that checkpoint, or
	// of the log's latest for an entry not yet cosigned.
	ProveInclusion(ctx context.Context, index int64) (*ledger.InclusionProof, error)
	// Status reports the quorum and each witness.
	Status() cosign.Status
	prometheus.Collector
}

// The log's HTTP layout follows C2SP tlog-tiles, so that standard clients
// can fetch and verify it: /log/checkpoint, /log/tile/<L>/<N>[.p/<W>],
// /log/tile/entries/<N>[.p/<W>]. /log/key serves the note verifier key.
// Every response forbids content sniffing (logHeaders): a tile is raw
// bytes, which a browser must never take for a page. Every success has an
// ETag, so that a client or cache revalidates with If-None-Match and gets
// a 304 while the resource is unchanged.

// logHeaders sets what every /log/ response carries, its errors too. An
// error is never stored: a tile missing now exists after the next append.
func logHeaders(w http.ResponseWriter) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
}

func (s *Server) logCheckpoint(w http.ResponseWriter, r *http.Request) {
	logHeaders(w)
	checkpoint := s.cfg.Log.Checkpoint
	if s.cfg.Witnesses != nil {
		// With the witnesses' cosignatures, which a client enforcing a
		// witness policy needs.
		checkpoint = s.cfg.Witnesses.Cosigned
	}
	cp, err := checkpoint(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// The checkpoint changes with every append: clients revalidate, which
	// its ETag makes cheap.
	w.Header().Set("Cache-Control", "no-cache")
	serveLog(w, r, "text/plain; charset=utf-8", cp.Note, false)
}

func (s *Server) logTile(w http.ResponseWriter, r *http.Request) {
	logHeaders(w)
	path := "tile/" + r.PathValue("path")
	b, err := s.cfg.Log.ReadTile(r.Context(), path)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// No tile ever changes, partial ones included: tile/L/N.p/W is the
	// same W hashes (or entries) in every tree that has it, and a larger
	// tree's wider tile has another path.
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	// Only entry bundles are worth compressing: hash tiles are SHA-256
	// output, which gzip makes larger.
	serveLog(w, r, "application/octet-stream", b, strings.HasPrefix(path, "tile/entries/"))
}

func (s *Server) logKey(w http.ResponseWriter, r *http.Request) {
	logHeaders(w)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	serveLog(w, r, "text/plain; charset=utf-8", []byte(s.cfg.Log.Info().VerifierKey+"\n"), false)
}

// serveLog writes body with a strong ETag (a hash of body) and answers
// If-None-Match with a 304. With compressible set, a client that accepts
// gzip gets the body gzip-compressed, as C2SP tlog-tiles advises for
// entry bundles; that representation has its own ETag ("-gzip"), and
// Vary tells caches the answer depends on Accept-Encoding.
//
// Not http.ServeContent: its Range and precondition errors are plain
// text, while every error under /log/ takes the API's JSON shape, and
// tlog clients fetch whole tiles.
func serveLog(w http.ResponseWriter, r *http.Request, contentType string, body []byte, compressible bool) {
	h := w.Header()
	sum := sha256.Sum256(body)
	tag := base64.RawURLEncoding.EncodeToString(sum[:18])
	gz := compressible && acceptsGzip(r.Header.Values("Accept-Encoding"))
	if compressible {
		h.Add("Vary", "Accept-Encoding")
	}
	if gz {
		tag += "-gzip"
	}
	etag := `"` + tag + `"`
	h.Set("ETag", etag)
	if matchesETag(r.Header.Values("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close() // writing to memory cannot fail
		body = buf.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// acceptsGzip says whether Accept-Encoding values (RFC 9110, 12.5.3)
// admit gzip: named (or x-gzip, or *) with a q-value above zero. An
// explicit gzip entry overrides *.
func acceptsGzip(values []string) bool {
	star := false
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(item, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			ok := qValue(params) > 0
			switch name {
			case "gzip", "x-gzip":
				return ok
			case "*":
				star = ok
			}
		}
	}
	return star
}

// qValue reads the q parameter of an Accept-Encoding item: 1 when absent,
// 0 when unreadable (so a garbled weight never opts in).
func qValue(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || q < 0 || q > 1 {
				return 0
			}
			return q
		}
	}
	return 1
}

// matchesETag says whether If-None-Match values name etag, with the weak
// comparison that RFC 9110 (13.1.2) prescribes for If-None-Match, or are "*".
func matchesETag(values []string, etag string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
	}
	return false
}
