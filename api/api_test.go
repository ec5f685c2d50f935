package api_test

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/accounts"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"github.com/indivisible-eurasia/indivisible/server"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

var (
	sysOnce sync.Once
	sys     *model.System
)

// eurasia compiles the embedded scenario once for all tests.
func eurasia(t *testing.T) (*indivisible.Scenario, *model.System) {
	t.Helper()
	s, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	sysOnce.Do(func() { sys, err = model.Compile(s, model.DefaultParams()) })
	if err != nil {
		t.Fatal(err)
	}
	return s, sys
}

type fixture struct {
	api    *api.Server
	srv    *httptest.Server
	db     *sqlite.DB
	tokens map[string]string // role name -> secret
}

func newFixture(t *testing.T, mod func(*api.Config)) *fixture {
	t.Helper()
	s, m := eurasia(t)
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := api.Config{Scenario: s, Assessor: m, Baseline: m, Explainer: m, Accounts: db, Rate: 1000, Burst: 1000}
	if mod != nil {
		mod(&cfg)
	}
	keys, _ := cfg.Ledger.(accounts.Keys)
	cfg.AccountService = accounts.New(accounts.Config{Store: db, Scenario: s, Keys: keys})
	f := &fixture{api: api.New(cfg), db: db, tokens: map[string]string{}}
	f.srv = httptest.NewServer(f.api)
	t.Cleanup(f.srv.Close)
	for name, a := range map[string]*indivisible.Account{
		"secretariat": {Name: "Secretariat", Role: indivisible.RoleSecretariat},
		"POL":         {Name: "Poland", Role: indivisible.RoleDelegation, Participant: "POL", Kind: indivisible.MemberState},
		"public":      {Name: "Reader", Role: indivisible.RolePublic},
	} {
		if err := db.CreateAccount(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		secret, hash := indivisible.NewTokenSecret()
		if _, err := db.CreateToken(context.Background(), a.ID, "test", hash); err != nil {
			t.Fatal(err)
		}
		f.tokens[name] = secret
	}
	return f
}

// do sends a request as who ("" for anonymous) and decodes the JSON reply.
func (f *fixture) do(t *testing.T, who, method, path, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: bad JSON %q: %v", method, path, b, err)
		}
	}
	return resp.StatusCode, resp.Header, v
}

func errorOf(v map[string]any) (code, field string) {
	e, _ := v["error"].(map[string]any)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	return code, field
}

// webPages are the paths the stand-in for the web pages serves.
var webPages = map[string]bool{"/": true, "/apiary": true, "/log": true, "/log/entry/3": true}

// withWeb serves the fixture's API beside a stand-in for the web pages,
// assembled by package server as serve does: every API answer must still
// be JSON, never the pages' HTML, and the pages must get their paths.
func withWeb(t *testing.T, f *fixture) {
	f.srv.Close()
	f.srv = httptest.NewServer(server.New(f.api, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if !webPages[r.URL.Path] {
			w.WriteHeader(http.StatusNotFound)
		}
		io.WriteString(w, "<html>web</html>")
	})))
	t.Cleanup(f.srv.Close)
}

func TestAPIRequests(t *testing.T) {
	f := newFixture(t, nil)
	withWeb(t, f)
	tank := `{"title":"t","measures":[{"type":"holdings","actor":"POL","category":"battle_tanks","change":250}]}`
	for _, tc := range []struct {
		name, who, method, path, body string
		status                        int
		code, field                   string
	}{
		{"health", "", "GET", "/healthz", "", 200, "", ""},
		{"ready", "", "GET", "/readyz", "", 200, "", ""},
		{"participants are public", "", "GET", "/api/v1/participants", "", 200, "", ""},
		{"one participant", "", "GET", "/api/v1/participants/pol", "", 200, "", ""},
		{"unknown participant", "", "GET", "/api/v1/participants/XXX", "", 404, indivisible.ENOTFOUND, "code"},
		{"scenario", "", "GET", "/api/v1/scenario", "", 200, "", ""},
		{"assess needs a token", "", "POST", "/api/v1/assess", tank, 401, indivisible.EUNAUTHORIZED, ""},
		{"public may not assess", "public", "POST", "/api/v1/assess", tank, 403, indivisible.EFORBIDDEN, ""},
		{"assess", "POL", "POST", "/api/v1/assess", tank, 200, "", ""},
		{"unknown field", "POL", "POST", "/api/v1/assess", `{"title":"t","measures":[],"colour":"red"}`, 400, indivisible.EINVALID, "colour"},
		{"wrong type", "POL", "POST", "/api/v1/assess", `{"title":5,"measures":[]}`, 400, indivisible.EINVALID, "title"},
		{"trailing data", "POL", "POST", "/api/v1/assess", `{"measures":[]} x`, 400, indivisible.EINVALID, ""},
		{"bad measure", "POL", "POST", "/api/v1/assess", `{"measures":[{"type":"holdings","actor":"XYZ","category":"battle_tanks","change":1}]}`, 400, indivisible.EINVALID, "measures[0].actor"},
		{"bad tolerance", "POL", "POST", "/api/v1/assess?tolerance=abc", tank, 400, indivisible.EINVALID, "tolerance"},
		{"negative tolerance", "POL", "POST", "/api/v1/assess?tolerance=-1", tank, 400, indivisible.EINVALID, "tolerance"},
		{"unknown route", "", "GET", "/api/v1/nothing", "", 404, indivisible.ENOTFOUND, ""},
		{"unknown route, signed in", "POL", "POST", "/api/v1/nope", "{}", 404, indivisible.ENOTFOUND, ""},
		{"the API's root", "", "GET", "/api", "", 404, indivisible.ENOTFOUND, ""},
		{"wrong method", "", "DELETE", "/api/v1/participants", "", 405, indivisible.EMETHOD, ""},
		{"wrong method on a parameterised route", "POL", "PUT", "/api/v1/participants/POL", "", 405, indivisible.EMETHOD, ""},
		{"wrong method on health", "", "POST", "/healthz", "", 405, indivisible.EMETHOD, ""},
		{"a web page", "", "GET", "/", "", 200, "", ""},
		{"a web page that only starts like the API", "", "GET", "/apiary", "", 200, "", ""},
		{"the log's page is the web's", "", "GET", "/log", "", 200, "", ""},
		{"an entry's page is the web's", "", "GET", "/log/entry/3", "", 200, "", ""},
		{"an unknown page is the web's 404", "", "GET", "/nothing", "", 404, "", ""},
		{"a wrong method under /api is the API's 405", "", "PATCH", "/api/v1/scenario", "", 405, indivisible.EMETHOD, ""},
		{"accounts are the secretariat's", "POL", "GET", "/api/v1/accounts", "", 403, indivisible.EFORBIDDEN, ""},
		{"list accounts", "secretariat", "GET", "/api/v1/accounts", "", 200, "", ""},
		{"create account", "secretariat", "POST", "/api/v1/accounts", `{"name":"Armenia","role":"delegation","participant":"ARM","kind":"member_state"}`, 201, "", ""},
		{"invalid account", "secretariat", "POST", "/api/v1/accounts", `{"name":"X","role":"delegation","participant":"ARM","kind":"club"}`, 400, indivisible.EINVALID, "kind"},
		{"unknown participant account", "secretariat", "POST", "/api/v1/accounts", `{"name":"X","role":"delegation","participant":"XYZ","kind":"member_state"}`, 400, indivisible.EINVALID, "participant"},
		{"an organisation as a member state", "secretariat", "POST", "/api/v1/accounts", `{"name":"X","role":"delegation","participant":"CSTO","kind":"member_state"}`, 400, indivisible.EINVALID, "kind"},
		{"a state as an organisation", "secretariat", "POST", "/api/v1/accounts", `{"name":"X","role":"delegation","participant":"POL","kind":"organisation"}`, 400, indivisible.EINVALID, "kind"},
		{"whoami", "POL", "GET", "/api/v1/whoami", "", 200, "", ""},
		{"bad id", "secretariat", "GET", "/api/v1/accounts/abc", "", 400, indivisible.EINVALID, "id"},
		{"missing account", "secretariat", "GET", "/api/v1/accounts/999", "", 404, indivisible.ENOTFOUND, "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, v := f.do(t, tc.who, tc.method, tc.path, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, v)
			}
			web := strings.HasPrefix(h.Get("Content-Type"), "text/html")
			if web != (webPages[tc.path] || tc.path == "/nothing") {
				t.Errorf("Content-Type %q", h.Get("Content-Type"))
			}
			if tc.status == 405 && h.Get("Allow") == "" {
				t.Errorf("405 without an Allow header")
			}
			if code, field := errorOf(v); code != tc.code || field != tc.field {
				t.Errorf("error %q at %q, want %q at %q (%v)", code, field, tc.code, tc.field, v)
			}
		})
	}
}

func TestAssessResult(t *testing.T) {
	f := newFixture(t, nil)
	status, _, v := f.do(t, "POL", "POST", "/api/v1/assess?tolerance=0.001",
		`{"title":"cbm","measures":[{"type":"cbm","actors":["ARM","AZE"],"kind":"hotline"}]}`)
	if status != 200 || v["verdict"] != "indivisible" || v["tolerance"] != 0.001 {
		t.Fatalf("assess: %d %v", status, v)
	}
	if ps, _ := v["participants"].([]any); len(ps) < 90 {
		t.Errorf("only %d participants in the result", len(ps))
	}
}

func TestInvalidTokenIsUnauthorized(t *testing.T) {
	f := newFixture(t, nil)
	f.tokens["forged"] = "ind_forged"
	status, _, v := f.do(t, "forged", "GET", "/api/v1/participants", "")
	if code, _ := errorOf(v); status != 401 || code != indivisible.EUNAUTHORIZED {
		t.Fatalf("forged token: %d %v", status, v)
	}
}

func TestTokenLifecycle(t *testing.T) {
	f := newFixture(t, nil)
	_, _, acc := f.do(t, "secretariat", "POST", "/api/v1/accounts", `{"name":"Expert","role":"expert"}`)
	id := int(acc["id"].(float64))
	status, _, tok := f.do(t, "secretariat", "POST", "/api/v1/accounts/"+itoa(id)+"/tokens", `{"name":"laptop"}`)
	if status != 201 || !strings.HasPrefix(tok["secret"].(string), indivisible.TokenPrefix) {
		t.Fatalf("create token: %d %v", status, tok)
	}
	f.tokens["expert"] = tok["secret"].(string)
	if status, _, v := f.do(t, "expert", "GET", "/api/v1/whoami", ""); status != 200 || v["role"] != "expert" {
		t.Fatalf("whoami: %d %v", status, v)
	}
	// The secret is never shown again.
	_, _, list := f.do(t, "secretariat", "GET", "/api/v1/accounts/"+itoa(id)+"/tokens", "")
	if strings.Contains(toJSON(list), tok["secret"].(string)) {
		t.Fatal("token list shows the secret")
	}
	tid := int(tok["id"].(float64))
	if status, _, _ := f.do(t, "secretariat", "DELETE", "/api/v1/tokens/"+itoa(tid), ""); status != 200 {
		t.Fatalf("revoke: %d", status)
	}
	if status, _, _ := f.do(t, "expert", "GET", "/api/v1/whoami", ""); status != 401 {
		t.Fatalf("revoked token still works: %d", status)
	}
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t, func(c *api.Config) { c.MaxBody = 100 })
	status, _, v := f.do(t, "POL", "POST", "/api/v1/assess", `{"title":"`+strings.Repeat("x", 200)+`","measures":[]}`)
	if code, _ := errorOf(v); status != 413 || code != indivisible.ETOOLARGE {
		t.Fatalf("oversized body: %d %v", status, v)
	}
}

func TestRateLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newFixture(t, func(c *api.Config) { c.Rate, c.Burst, c.Now = 1, 3, func() time.Time { return now } })
	for i := 0; i < 3; i++ {
		if status, _, _ := f.do(t, "POL", "GET", "/api/v1/whoami", ""); status != 200 {
			t.Fatalf("request %d within the burst: %d", i, status)
		}
	}
	status, h, v := f.do(t, "POL", "GET", "/api/v1/whoami", "")
	if code, _ := errorOf(v); status != 429 || code != indivisible.ERATELIMIT || h.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d %v Retry-After=%q", status, v, h.Get("Retry-After"))
	}
	// Another token has its own bucket.
	if status, _, _ := f.do(t, "secretariat", "GET", "/api/v1/whoami", ""); status != 200 {
		t.Fatalf("other token limited: %d", status)
	}
}

func TestReadyzReportsFailure(t *testing.T) {
	f := newFixture(t, func(c *api.Config) {
		c.Ready = func(context.Context) error { return io.ErrUnexpectedEOF }
	})
	if status, _, _ := f.do(t, "", "GET", "/readyz", ""); status != 503 {
		t.Fatalf("readyz = %d, want 503", status)
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t, nil)
	f.do(t, "", "GET", "/api/v1/participants", "")
	resp, err := http.Get(f.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`indivisible_http_requests_total{code="200",route="GET /api/v1/participants"} 1`, "indivisible_http_request_duration_seconds_bucket"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func toJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestRevocationElsewhere checks that a token revoked by another process
// (here: directly in the store) stops working once the authentication
// cache's entry expires, while one revoked through the API stops at once
// (TestTokenLifecycle).
func TestRevocationElsewhere(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	f := newFixture(t, func(c *api.Config) { c.Now = clock })
	ctx := context.Background()
	acc := &indivisible.Account{Name: "Expert", Role: indivisible.RoleExpert}
	if err := f.db.CreateAccount(ctx, acc); err != nil {
		t.Fatal(err)
	}
	secret, hash := indivisible.NewTokenSecret()
	tok, err := f.db.CreateToken(ctx, acc.ID, "x", hash)
	if err != nil {
		t.Fatal(err)
	}
	f.tokens["expert"] = secret
	if status, _, _ := f.do(t, "expert", "GET", "/api/v1/whoami", ""); status != 200 {
		t.Fatalf("whoami: %d", status)
	}
	if err := f.db.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(3 * time.Second)
	mu.Unlock()
	if status, _, _ := f.do(t, "expert", "GET", "/api/v1/whoami", ""); status != 401 {
		t.Fatalf("token revoked elsewhere still works after the cache expired: %d", status)
	}
}

// nanAssessor stands for a faulty model: its assessment holds a NaN.
type nanAssessor struct{}

func (nanAssessor) Assess(ctx context.Context, p *indivisible.Proposal, tol float64) (*indivisible.Assessment, error) {
	return &indivisible.Assessment{Title: p.Title, Verdict: indivisible.Indivisible, Measures: p.Measures,
		Participants: []indivisible.ParticipantResult{{Code: "POL", Before: 0.9, After: math.NaN()}}}, nil
}

// A response that cannot be encoded is a 500 with the error shape, never a
// 200 with an empty body: the status is written only after the encoding.
func TestUnencodableResponseIsAnError(t *testing.T) {
	f := newFixture(t, func(c *api.Config) { c.Assessor = nanAssessor{} })
	status, h, v := f.do(t, "POL", "POST", "/api/v1/assess", `{"title":"t","measures":[]}`)
	if code, _ := errorOf(v); status != 500 || code != indivisible.EINTERNAL || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("got %d %q %v, want a 500 in the error shape", status, h.Get("Content-Type"), v)
	}
}
