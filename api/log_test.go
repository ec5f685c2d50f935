package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
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
		{"GET", "/log/tile/63/000", 404},
		{"GET", "/log/tile/nonsense", 400},
		{"POST", "/log/checkpoint", 405},
	} {
		status, h, _ := f.do(t, "", tc.method, tc.path, "")
		if status != tc.status || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: status %d (want %d), X-Content-Type-Options %q", tc.method, tc.path, status, tc.status, h.Get("X-Content-Type-Options"))
		}
	}
}

// logRequest makes a request with the given headers and no transparent
// decompression, so that the test sees the bytes on the wire.
func logRequest(t *testing.T, f *fixture, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// rawClient never asks for gzip on its own nor decompresses.
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// fillLog appends n realistic declarations (exercise notifications and
// transfer reports, as the demo files them) to l, concurrently so that
// the log group-commits them.
func fillLog(t *testing.T, l *ledger.Log, n int) {
	t.Helper()
	ctx := context.Background()
	scn, _ := eurasia(t)
	ex := exchange.NewService(l, exchange.NewCodes(scn), exchange.DefaultRegime())
	signers := map[string]note.Signer{}
	for _, p := range []string{"POL", "DEU", "RUS"} {
		skey, vkey, err := ledger.NewKey(rand.Reader, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.RegisterKey(ctx, p, vkey); err != nil {
			t.Fatal(err)
		}
		if signers[p], err = note.NewSigner(skey); err != nil {
			t.Fatal(err)
		}
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range n {
		var p, body string
		switch i % 3 {
		case 0:
			p = "POL"
			body = fmt.Sprintf(`{"kind": "exercise_notification", "participant": "POL", "name": "Anakonda-%d", "start": "2031-%02d-%02d", "end": "2031-%02d-%02d", "host": "POL", "participating_states": ["POL", "DEU"], "personnel": %d, "battle_tanks": %d, "armoured_combat_vehicles": 420, "artillery": 96, "aircraft_sorties": 240, "airborne_amphibious_troops": 0, "observers_invited": true}`,
				i, 1+i%12, 1+i%20, 1+i%12, 8+i%20, 9000+i, 100+i%90)
		case 1:
			p = "RUS"
			body = fmt.Sprintf(`{"kind": "exercise_notification", "participant": "RUS", "name": "Zapad-%d", "start": "2031-%02d-%02d", "end": "2031-%02d-%02d", "host": "RUS", "participating_states": ["RUS"], "personnel": %d, "battle_tanks": 250, "armoured_combat_vehicles": %d, "artillery": 240, "aircraft_sorties": 150, "airborne_amphibious_troops": 0, "observers_invited": false}`,
				i, 1+i%12, 1+i%20, 1+i%12, 8+i%20, 12000+i, 400+i%80)
		default:
			p = "DEU"
			body = fmt.Sprintf(`{"kind": "transfer_report", "participant": "DEU", "role": "exporter", "year": %d, "counterpart": "POL", "category": "battle_tanks", "quantity": %d, "description": "Leopard 2A4 from German Army stocks"}`,
				2000+i%25, 1+i)
		}
		sig, err := signers[p].Sign([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			_, errs[i] = ex.File(ctx, &indivisible.Account{Role: indivisible.RoleDelegation, Participant: p}, []byte(body), signers[p].Name(), sig)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("declaration %d: %v", i, err)
		}
	}
}

// TestLogGzip checks that entry bundles come gzip-compressed to a client
// that accepts gzip, as C2SP tlog-tiles advises, and that they decompress
// to exactly the bytes served without compression; hash tiles, which do
// not compress, and clients that refuse gzip get the bytes as they are.
func TestLogGzip(t *testing.T) {
	f, l := withLog(t)
	fillLog(t, l, 600) // with the 3 key registrations: two full bundles and a partial one
	plainResp, plain := logRequest(t, f, "/log/tile/entries/001")
	if plainResp.StatusCode != 200 || plainResp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("without Accept-Encoding: %d, Content-Encoding %q", plainResp.StatusCode, plainResp.Header.Get("Content-Encoding"))
	}
	if recs, err := ledger.SplitEntryBundle(plain); err != nil || len(recs) != 256 {
		t.Fatalf("bundle: %d entries, %v", len(recs), err)
	}
	gzResp, gz := logRequest(t, f, "/log/tile/entries/001", "Accept-Encoding", "gzip")
	h := gzResp.Header
	if gzResp.StatusCode != 200 || h.Get("Content-Encoding") != "gzip" || h.Get("Vary") != "Accept-Encoding" ||
		h.Get("Content-Type") != "application/octet-stream" || h.Get("Content-Length") != fmt.Sprint(len(gz)) {
		t.Fatalf("with Accept-Encoding gzip: %d %v", gzResp.StatusCode, h)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("the gzip bundle does not decompress to the plain one (%v)", err)
	}
	if len(gz) >= len(plain) {
		t.Errorf("gzip made the bundle larger: %d bytes from %d", len(gz), len(plain))
	}
	t.Logf("tile/entries/001: %d bytes, %d with gzip", len(plain), len(gz))
	if plainResp.Header.Get("Vary") != "Accept-Encoding" || plainResp.Header.Get("ETag") == h.Get("ETag") {
		t.Errorf("the two encodings need Vary and distinct ETags: %q %q", plainResp.Header.Get("ETag"), h.Get("ETag"))
	}

	for _, ae := range []string{"identity", "gzip;q=0", "br", "*;q=0", "gzip;q=0, *", "gzip;q=x"} {
		if resp, b := logRequest(t, f, "/log/tile/entries/001", "Accept-Encoding", ae); resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(b, plain) {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q", ae, resp.Header.Get("Content-Encoding"))
		}
	}
	for _, ae := range []string{"GZIP", "deflate, gzip;q=0.5", "*", "br;q=1, x-gzip"} {
		if resp, _ := logRequest(t, f, "/log/tile/entries/001", "Accept-Encoding", ae); resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("Accept-Encoding %q: not compressed", ae)
		}
	}
	for _, path := range []string{"/log/tile/0/000", "/log/checkpoint", "/log/key"} {
		if resp, _ := logRequest(t, f, path, "Accept-Encoding", "gzip"); resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "" {
			t.Errorf("%s: %d, Content-Encoding %q, Vary %q; want it as it is", path, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
		}
	}
}

// TestLogCaching checks the caching headers: every tile, full or partial,
// is immutable; the checkpoint is revalidated each time; an ETag turns a
// revalidation into a 304 while nothing changed; errors are never stored.
func TestLogCaching(t *testing.T) {
	f, l := withLog(t)
	fillLog(t, l, 300) // 303 entries
	const immutable = "public, max-age=31536000, immutable"
	for _, tc := range []struct{ path, cacheControl string }{
		{"/log/tile/0/000", immutable},
		{"/log/tile/0/001.p/47", immutable},
		{"/log/tile/1/000.p/1", immutable},
		{"/log/tile/entries/000", immutable},
		{"/log/tile/entries/001.p/47", immutable},
		{"/log/tile/entries/001.p/3", immutable}, // a prefix of the partial bundle is a partial bundle too
		{"/log/checkpoint", "no-cache"},
		{"/log/key", "public, max-age=86400"},
	} {
		for _, ae := range []string{"", "gzip"} {
			resp, body := logRequest(t, f, tc.path, "Accept-Encoding", ae)
			etag := resp.Header.Get("ETag")
			if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != tc.cacheControl || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 10 {
				t.Errorf("GET %s (Accept-Encoding %q): %d, Cache-Control %q, ETag %q; want %q and a strong ETag", tc.path, ae, resp.StatusCode, resp.Header.Get("Cache-Control"), etag, tc.cacheControl)
				continue
			}
			for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
				resp304, b := logRequest(t, f, tc.path, "Accept-Encoding", ae, "If-None-Match", inm)
				if resp304.StatusCode != 304 || len(b) != 0 || resp304.Header.Get("ETag") != etag || resp304.Header.Get("Cache-Control") != tc.cacheControl || resp304.Header.Get("Vary") != resp.Header.Get("Vary") {
					t.Errorf("GET %s, If-None-Match %s: %d, %d bytes, %v; want a bare 304 with the ETag and caching headers", tc.path, inm, resp304.StatusCode, len(b), resp304.Header)
				}
			}
			if resp2, b := logRequest(t, f, tc.path, "Accept-Encoding", ae, "If-None-Match", `"stale"`); resp2.StatusCode != 200 || !bytes.Equal(b, body) {
				t.Errorf("GET %s, If-None-Match another tag: %d, want the full 200", tc.path, resp2.StatusCode)
			}
		}
	}
	// A client that cached the plain bundle asks again accepting gzip: its
	// tag names another representation, so it gets the gzip one.
	plain, _ := logRequest(t, f, "/log/tile/entries/000")
	if resp, _ := logRequest(t, f, "/log/tile/entries/000", "Accept-Encoding", "gzip", "If-None-Match", plain.Header.Get("ETag")); resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("plain ETag with gzip accepted: %d %q, want a gzip 200", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}

	// The checkpoint's ETag holds until the next append.
	cp, _ := logRequest(t, f, "/log/checkpoint")
	if resp, _ := logRequest(t, f, "/log/checkpoint", "If-None-Match", cp.Header.Get("ETag")); resp.StatusCode != 304 {
		t.Fatalf("unchanged checkpoint: %d, want 304", resp.StatusCode)
	}
	_, pub, _ := ledger.NewKey(rand.Reader, "LTU")
	if _, err := l.RegisterKey(context.Background(), "LTU", pub); err != nil {
		t.Fatal(err)
	}
	if resp, _ := logRequest(t, f, "/log/checkpoint", "If-None-Match", cp.Header.Get("ETag")); resp.StatusCode != 200 || resp.Header.Get("ETag") == cp.Header.Get("ETag") {
		t.Errorf("after an append: %d, ETag %q; want a 200 with a new ETag", resp.StatusCode, resp.Header.Get("ETag"))
	}

	// A tile that does not exist yet, or a malformed path, must not be
	// remembered: the tile exists after the next appends.
	for path, status := range map[string]int{"/log/tile/0/002": 404, "/log/tile/0/x": 400} {
		if resp, _ := logRequest(t, f, path); resp.StatusCode != status || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("ETag") != "" {
			t.Errorf("GET %s: %d, Cache-Control %q, ETag %q; want %d, no-store", path, resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"), status)
		}
	}
}

// TestLogTilePaths checks the status of each kind of tile path: a legal
// path to a tile the tree lacks (levels up to 63 are legal) is a 404, and
// only a malformed path is a 400, both in the API's error shape.
func TestLogTilePaths(t *testing.T) {
	f, l := withLog(t)
	_, pub, _ := ledger.NewKey(rand.Reader, "POL")
	if _, err := l.RegisterKey(context.Background(), "POL", pub); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/log/tile/0/000.p/1", 200, ""},
		{"/log/tile/63/000", 404, indivisible.ENOTFOUND},
		{"/log/tile/63/x001/000.p/255", 404, indivisible.ENOTFOUND},
		{"/log/tile/8/000", 404, indivisible.ENOTFOUND},
		{"/log/tile/entries/x999/x999/x999/x999/x999/x999/999", 404, indivisible.ENOTFOUND},
		{"/log/tile/0/000.p/2", 404, indivisible.ENOTFOUND},
		{"/log/tile/64/000", 400, indivisible.EINVALID},
		{"/log/tile/nonsense", 400, indivisible.EINVALID},
		{"/log/tile/data/000", 400, indivisible.EINVALID},
		{"/log/tile/0/000.p/0", 400, indivisible.EINVALID},
		{"/log/tile/0/x000/001", 400, indivisible.EINVALID},
	} {
		status, _, v := f.do(t, "", "GET", tc.path, "")
		code, field := errorOf(v)
		if status != tc.status || code != tc.code || (tc.code != "" && field != "path") {
			t.Errorf("GET %s: %d %v, want %d %q at the path", tc.path, status, v, tc.status, tc.code)
		}
	}
}

// TestTorchwoodClient reads and verifies the whole log over HTTP with
// filippo.io/torchwood's tlog-tiles client alone: the checkpoint under a
// policy of the log's key and origin, then every entry of every bundle,
// each authenticated against the tree. Its transport asks for gzip, as
// the spec advises clients to, and the bundles come compressed.
func TestTorchwoodClient(t *testing.T) {
	f, l := withLog(t)
	fillLog(t, l, 520) // 523 entries: two full bundles and a partial one
	ctx := context.Background()
	rec := &encodingRecorder{rt: http.DefaultTransport.(*http.Transport).Clone(), seen: map[string]bool{}}
	fetcher, err := torchwood.NewTileFetcher(f.srv.URL+"/log/", torchwood.WithHTTPClient(&http.Client{Transport: rec}))
	if err != nil {
		t.Fatal(err)
	}
	keyText, err := fetcher.ReadEndpoint(ctx, "key")
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(keyText)))
	if err != nil {
		t.Fatal(err)
	}
	cpText, err := fetcher.ReadEndpoint(ctx, "checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	policy := torchwood.ThresholdPolicy(2, torchwood.OriginPolicy(ledger.DefaultOrigin), torchwood.SingleVerifierPolicy(v))
	cp, _, err := torchwood.VerifyCheckpoint(cpText, policy)
	if err != nil || cp.N != 523 {
		t.Fatalf("checkpoint: %+v, %v", cp, err)
	}
	client, err := torchwood.NewClient(fetcher)
	if err != nil {
		t.Fatal(err)
	}
	want, err := l.Entries(ctx, 0, cp.N)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(0)
	for i, entry := range client.AllEntries(ctx, cp.Tree, 0) {
		b, _ := logstore.Encode(&want[i])
		if i != n || !bytes.Equal(entry, b) {
			t.Fatalf("entry %d differs from the log's", i)
		}
		n++
	}
	if err := client.Err(); err != nil || n != cp.N {
		t.Fatalf("read %d entries of %d: %v", n, cp.N, err)
	}
	// An inclusion proof from the tiles checks against the checkpoint.
	entry, proof, err := client.Entry(ctx, cp.Tree, 300)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckRecord(proof, cp.N, cp.Hash, 300, tlog.RecordHash(entry)); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, p := range []string{"/log/tile/entries/000", "/log/tile/entries/001", "/log/tile/entries/002.p/11"} {
		if !rec.seen[p] {
			t.Errorf("%s did not come gzip-compressed (fetched: %v)", p, rec.seen)
		}
	}
}

// encodingRecorder notes the paths whose responses the transport had to
// decompress, that is, those that came with Content-Encoding: gzip.
type encodingRecorder struct {
	rt   http.RoundTripper
	mu   sync.Mutex
	seen map[string]bool
}

func (e *encodingRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := e.rt.RoundTrip(r)
	if err == nil {
		e.mu.Lock()
		e.seen[r.URL.Path] = e.seen[r.URL.Path] || resp.Uncompressed
		e.mu.Unlock()
	}
	return resp, err
}
