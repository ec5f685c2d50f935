package api_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

// withLog gives the fixture a real log on its SQLite store, and the
// exchange service over it; mods then change the configuration further.
func withLog(t *testing.T, mods ...func(*api.Config)) (*fixture, *ledger.Log) {
	var l *ledger.Log
	f := newFixture(t, func(c *api.Config) {
		ctx := context.Background()
		skey, err := ledger.GenerateLogKey(ledger.DefaultOrigin)
		if err != nil {
			t.Fatal(err)
		}
		db := c.Accounts.(interface {
			logstore.Store
		})
		if err := ledger.Create(ctx, db, skey); err != nil {
			t.Fatal(err)
		}
		signer, err := note.NewSigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		if l, err = ledger.Open(ctx, db, signer); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		c.Log, c.Ledger = l, l
		c.Exchange = exchange.NewService(l, exchange.NewCodes(c.Scenario), exchange.DefaultRegime())
		for _, m := range mods {
			m(c)
		}
	})
	return f, l
}

func signed(t *testing.T, skey, body string) string {
	t.Helper()
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.Sign([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{
		"declaration": base64.StdEncoding.EncodeToString([]byte(body)), "key_name": s.Name(), "signature": base64.StdEncoding.EncodeToString(sig),
	})
	return string(b)
}

const transfer = `{"kind": "transfer_report", "participant": "POL", "role": "importer", "year": 2024, "counterpart": "KOR", "category": "battle_tanks", "quantity": 180, "description": "K2"}`

func TestDeclarations(t *testing.T) {
	f, l := withLog(t)
	polKey, polPub, err := ledger.NewKey(rand.Reader, "POL")
	if err != nil {
		t.Fatal(err)
	}
	ltuKey, ltuPub, _ := ledger.NewKey(rand.Reader, "LTU")

	reg := func(who, participant, pub string) int {
		b, _ := json.Marshal(map[string]string{"participant": participant, "public_key": pub})
		status, _, _ := f.do(t, who, "POST", "/api/v1/keys", string(b))
		return status
	}
	if s := reg("POL", "POL", polPub); s != 403 {
		t.Fatalf("a delegation registered its own key: %d", s)
	}
	if s := reg("secretariat", "POL", polPub); s != 201 {
		t.Fatalf("register POL key: %d", s)
	}
	if s := reg("secretariat", "LTU", ltuPub); s != 201 {
		t.Fatalf("register LTU key: %d", s)
	}
	if s := reg("secretariat", "POL", polPub); s != 409 {
		t.Fatalf("registering twice: %d, want 409", s)
	}

	// Refusals: nothing may be appended by any of them.
	size := func() int64 {
		cp, err := l.Checkpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return cp.Size
	}
	before := size()
	badSig := strings.Replace(signed(t, polKey, transfer), `"signature":"`, `"signature":"AAAA`, 1)
	for _, tc := range []struct {
		name, who, body string
		status          int
		code            string
	}{
		{"anonymous", "", signed(t, polKey, transfer), 401, indivisible.EUNAUTHORIZED},
		{"public", "public", signed(t, polKey, transfer), 403, indivisible.EFORBIDDEN},
		{"secretariat cannot file", "secretariat", signed(t, polKey, transfer), 403, indivisible.EFORBIDDEN},
		{"another participant's key", "POL", signed(t, ltuKey, transfer), 403, indivisible.EFORBIDDEN},
		{"bad signature", "POL", badSig, 401, indivisible.EUNAUTHORIZED},
		{"not base64", "POL", `{"declaration":"%%%","key_name":"x","signature":""}`, 400, indivisible.EINVALID},
		{"unknown envelope field", "POL", `{"declaration":"","key_name":"x","signature":"","extra":1}`, 400, indivisible.EINVALID},
		{"invalid declaration", "POL", signed(t, polKey, strings.Replace(transfer, "KOR", "XXX", 1)), 400, indivisible.EINVALID},
		// A body that does not parse is malformed, not forbidden: the
		// participant to authorise is read from the parsed declaration.
		{"null declaration", "POL", signed(t, polKey, "null"), 400, indivisible.EINVALID},
		{"NaN declaration", "POL", signed(t, polKey, "NaN"), 400, indivisible.EINVALID},
		{"array declaration", "POL", signed(t, polKey, "["+transfer+"]"), 400, indivisible.EINVALID},
		{"trailing data", "POL", signed(t, polKey, transfer+" {}"), 400, indivisible.EINVALID},
		{"deep nesting", "POL", signed(t, polKey, strings.Repeat("[", 30000)+strings.Repeat("]", 30000)), 400, indivisible.EINVALID},
		{"duplicate participant", "POL", signed(t, polKey, strings.Replace(transfer, `"participant": "POL"`, `"participant": "LTU", "participant": "POL"`, 1)), 400, indivisible.EINVALID},
		{"case-folded participant", "POL", signed(t, polKey, strings.Replace(transfer, `"participant": "POL"`, `"participant": "POL", "Participant": "LTU"`, 1)), 400, indivisible.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, v := f.do(t, tc.who, "POST", "/api/v1/declarations", tc.body)
			if code, _ := errorOf(v); status != tc.status || code != tc.code {
				t.Errorf("status %d %v, want %d %s", status, v, tc.status, tc.code)
			}
		})
	}
	if size() != before {
		t.Fatalf("refused submissions appended %d entries", size()-before)
	}

	status, _, v := f.do(t, "POL", "POST", "/api/v1/declarations", signed(t, polKey, transfer))
	if status != 201 {
		t.Fatalf("submit: %d %v", status, v)
	}
	entry := v["entry"].(map[string]any)
	idx := int64(entry["index"].(float64))
	// The proof verifies with nothing but the log's public key.
	proof, err := ledger.ParseInclusionProof([]byte(v["proof"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	verifier, _ := note.NewVerifier(l.Info().VerifierKey)
	es, _ := l.Entries(context.Background(), idx, idx+1)
	rec, err := logstore.Encode(&es[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := proof.Verify(verifier, rec); err != nil {
		t.Fatalf("proof does not verify: %v", err)
	}
	// A replay of the same bytes is refused.
	if status, _, v := f.do(t, "POL", "POST", "/api/v1/declarations", signed(t, polKey, transfer)); status != 409 {
		t.Errorf("replay: %d %v, want 409", status, v)
	}

	status, _, v = f.do(t, "", "GET", "/api/v1/declarations?participant=POL", "")
	if ds := v["declarations"].([]any); status != 200 || len(ds) != 1 {
		t.Fatalf("list: %d %v", status, v)
	}
	status, _, v = f.do(t, "", "GET", fmt.Sprintf("/api/v1/declarations/%d", idx), "")
	if status != 200 || v["proof"] == "" || v["entry"].(map[string]any)["declaration"].(map[string]any)["kind"] != "transfer_report" {
		t.Fatalf("get: %d %v", status, v)
	}
	// The importer's report has no exporter's mirror yet; the finding is
	// public.
	status, _, v = f.do(t, "", "GET", "/api/v1/findings?participant=POL", "")
	if status != 200 {
		t.Fatalf("findings: %d %v", status, v)
	}
	if status, _, _ := f.do(t, "", "GET", "/api/v1/findings?rule=nonsense", ""); status != 400 {
		t.Errorf("unknown rule: %d", status)
	}
	if status, _, _ := f.do(t, "", "GET", "/api/v1/declarations/999", ""); status != 404 {
		t.Errorf("missing entry: %d", status)
	}
	for _, q := range []string{"limit=0", "after=9223372036854775807", "after=-2", "after=x", "after=99999999999999999999"} {
		status, _, v := f.do(t, "", "GET", "/api/v1/declarations?"+q, "")
		if code, field := errorOf(v); status != 400 || code != indivisible.EINVALID || field != strings.SplitN(q, "=", 2)[0] {
			t.Errorf("?%s: %d %v, want 400 at the parameter", q, status, v)
		}
	}
	if status, _, v := f.do(t, "", "GET", "/api/v1/declarations?after=9223372036854775806", ""); status != 200 || len(v["declarations"].([]any)) != 0 {
		t.Errorf("after the largest index: %d %v, want an empty page", status, v)
	}
	if status, h, v := f.do(t, "", "POST", "/log/checkpoint", ""); status != 405 || h.Get("Allow") == "" {
		t.Errorf("POST /log/checkpoint: %d %v, want a 405 with Allow", status, v)
	}
	status, _, v = f.do(t, "", "GET", "/api/v1/keys", "")
	if ks := v["keys"].([]any); status != 200 || len(ks) != 2 {
		t.Fatalf("keys: %d %v", status, v)
	}
	name := strings.SplitN(polPub, "+", 2)[0]
	if status, _, v := f.do(t, "secretariat", "POST", "/api/v1/keys/"+name+"/revoke", fmt.Sprintf(`{"from": %d}`, size())); status != 200 {
		t.Fatalf("revoke: %d %v", status, v)
	}
	other := strings.Replace(transfer, "180", "181", 1)
	if status, _, v := f.do(t, "POL", "POST", "/api/v1/declarations", signed(t, polKey, other)); status != 403 {
		t.Errorf("revoked key: %d %v, want 403", status, v)
	}
}

func TestLogTiles(t *testing.T) {
	f, _ := withLog(t)
	_, pub, _ := ledger.NewKey(rand.Reader, "POL")
	b, _ := json.Marshal(map[string]string{"participant": "POL", "public_key": pub})
	f.do(t, "secretariat", "POST", "/api/v1/keys", string(b))
	for _, path := range []string{"/log/checkpoint", "/log/key", "/log/tile/0/000.p/1", "/log/tile/entries/000.p/1"} {
		status, h, v := f.do(t, "", "GET", path, "")
		if status != 200 || h.Get("Cache-Control") == "" {
			t.Errorf("GET %s: %d %v, Cache-Control %q", path, status, v, h.Get("Cache-Control"))
		}
	}
	if status, _, _ := f.do(t, "", "GET", "/log/tile/0/001", ""); status != 404 {
		t.Errorf("tile beyond the tree: %d, want 404", status)
	}
	// The log is read-only: any other method is a 405 in the API's error
	// shape, naming the methods allowed.
	for _, tc := range []struct{ method, path string }{
		{"POST", "/log/checkpoint"}, {"PUT", "/log/checkpoint"}, {"DELETE", "/log/key"},
		{"POST", "/log/tile/0/000.p/1"}, {"POST", "/log/tile/entries/000.p/1"},
	} {
		status, h, v := f.do(t, "", tc.method, tc.path, "")
		if code, _ := errorOf(v); status != 405 || code != indivisible.EMETHOD || h.Get("Allow") != "GET, HEAD" || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: %d %v, Allow %q; want a JSON 405 allowing GET, HEAD", tc.method, tc.path, status, v, h.Get("Allow"))
		}
	}
}

// httpTiles is a tlog.TileReader over the server's /log/tile endpoints:
// what a standard tlog-tiles client does, with no code of ours.
type httpTiles struct {
	t   *testing.T
	f   *fixture
	url string
}

func (h httpTiles) Height() int { return 8 }

func (h httpTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		// tlog names tiles tile/8/L/N; C2SP leaves out the height.
		path := "/log/tile/" + strings.TrimPrefix(tile.Path(), "tile/8/")
		resp, err := http.Get(h.f.srv.URL + path)
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		out[i] = b
	}
	return out, nil
}

func (h httpTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// TestStandardClient verifies the log over HTTP with sumdb's tlog and note
// packages alone: the checkpoint's signature under /log/key, the tree hash
// from the hash tiles, and every entry of the entry bundle against them.
func TestStandardClient(t *testing.T) {
	f, _ := withLog(t)
	for _, p := range []string{"POL", "LTU", "LVA", "EST", "FIN"} {
		_, pub, _ := ledger.NewKey(rand.Reader, p)
		b, _ := json.Marshal(map[string]string{"participant": p, "public_key": pub})
		if status, _, _ := f.do(t, "secretariat", "POST", "/api/v1/keys", string(b)); status != 201 {
			t.Fatalf("register %s: %d", p, status)
		}
	}
	get := func(path string) []byte {
		resp, err := http.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(get("/log/key"))))
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(get("/log/checkpoint"), note.VerifierList(v))
	if err != nil {
		t.Fatalf("checkpoint signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	size, _ := strconv.ParseInt(lines[1], 10, 64)
	root, err := tlog.ParseHash(lines[2])
	if err != nil || size != 5 {
		t.Fatalf("checkpoint %q: size %d, %v", n.Text, size, err)
	}
	tree := tlog.Tree{N: size, Hash: root}
	hr := tlog.TileHashReader(tree, httpTiles{t, f, f.srv.URL})
	if h, err := tlog.TreeHash(size, hr); err != nil || h != root {
		t.Fatalf("tree hash from tiles: %v, %v; checkpoint says %v", h, err, root)
	}
	bundle := get(fmt.Sprintf("/log/tile/entries/000.p/%d", size))
	for i := int64(0); i < size; i++ {
		if len(bundle) < 2 {
			t.Fatalf("entry bundle ends before entry %d", i)
		}
		l := int(bundle[0])<<8 | int(bundle[1])
		rec := bundle[2 : 2+l]
		bundle = bundle[2+l:]
		hs, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err != nil || hs[0] != tlog.RecordHash(rec) {
			t.Fatalf("entry %d: leaf hash does not match the tiles (%v)", i, err)
		}
	}
}
