package api_test

import (
	"crypto/rand"
	"encoding/json"
	"testing"

	"github.com/indivisible-eurasia/indivisible/ledger"
)

// TestLogNoSniff checks that every response under /log/ forbids content
// sniffing: a tile is raw bytes that a browser must never take for HTML.
func TestLogNoSniff(t *testing.T) {
	f, _ := withLog(t)
	_, pub, _ := ledger.NewKey(rand.Reader, "POL")
	b, _ := json.Marshal(map[string]string{"participant": "POL", "public_key": pub})
	f.do(t, "secretariat", "POST", "/api/v1/keys", string(b))
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/log/checkpoint", 200},
		{"GET", "/log/key", 200},
		{"GET", "/log/tile/0/000.p/1", 200},
		{"GET", "/log/tile/entries/000.p/1", 200},
		{"GET", "/log/tile/0/001", 404},
		{"GET", "/log/tile/nonsense", 404},
		{"POST", "/log/checkpoint", 405},
	} {
		status, h, _ := f.do(t, "", tc.method, tc.path, "")
		if status != tc.status || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: status %d (want %d), X-Content-Type-Options %q", tc.method, tc.path, status, tc.status, h.Get("X-Content-Type-Options"))
		}
	}
}
