package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

// fixtureNow is the fixture's clock: the log's time and the calendar's
// today.
var fixtureNow = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// exchangeFixture is a log on a temporary SQLite database with the
// exchange service over it, delegations with tokens and registered keys,
// and a few declarations: on-time and late exercise notifications and
// two transfer reports that disagree.
type exchangeFixture struct {
	deps     Deps
	db       *sqlite.DB
	log      *ledger.Log
	tokens   map[string]string // participant, or "secretariat" -> API token
	keys     map[string]string // participant -> note signer key text
	keyFiles map[string]string // participant -> key file path
}

func newExchangeFixture(t testing.TB) *exchangeFixture {
	t.Helper()
	f := newEmptyExchangeFixture(t)
	for _, d := range []struct{ participant, body string }{
		{"POL", `{"kind": "exercise_notification", "participant": "POL", "name": "Anakonda", "start": "2026-05-01", "end": "2026-05-12", "host": "POL", "participating_states": ["POL", "DEU"], "personnel": 14500, "battle_tanks": 180, "armoured_combat_vehicles": 420, "artillery": 96, "aircraft_sorties": 240, "airborne_amphibious_troops": 0, "observers_invited": true}`},
		{"RUS", `{"kind": "exercise_notification", "participant": "RUS", "name": "Zapad", "start": "2026-03-20", "end": "2026-03-27", "host": "RUS", "participating_states": ["RUS"], "personnel": 12800, "battle_tanks": 250, "armoured_combat_vehicles": 480, "artillery": 240, "aircraft_sorties": 150, "airborne_amphibious_troops": 0, "observers_invited": false}`},
		{"DEU", `{"kind": "transfer_report", "participant": "DEU", "role": "exporter", "year": 2025, "counterpart": "POL", "category": "battle_tanks", "quantity": 14, "description": "Leopard 2A4"}`},
		{"POL", `{"kind": "transfer_report", "participant": "POL", "role": "importer", "year": 2025, "counterpart": "DEU", "category": "battle_tanks", "quantity": 12, "description": "Leopard 2A4"}`},
	} {
		f.submit(t, d.participant, d.body)
	}
	return f
}

// newEmptyExchangeFixture is the exchange fixture without its
// declarations: the log holds only the delegations' keys.
func newEmptyExchangeFixture(t testing.TB) *exchangeFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	skey, err := ledger.GenerateLogKey(ledger.DefaultOrigin)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.Create(ctx, db, skey); err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(ctx, db, signer, ledger.WithClock(func() time.Time { return fixtureNow }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := &exchangeFixture{deps: newDeps(t), db: db, log: l, tokens: map[string]string{}, keys: map[string]string{}, keyFiles: map[string]string{}}
	f.deps.Exchange = exchange.NewService(l, exchange.NewCodes(f.deps.Scenario), exchange.DefaultRegime())
	f.deps.Ledger, f.deps.Accounts, f.deps.Now = l, db, func() time.Time { return fixtureNow }

	for _, a := range []indivisible.Account{
		{Name: "Secretariat", Role: indivisible.RoleSecretariat},
		{Name: "Delegation of Poland", Role: indivisible.RoleDelegation, Participant: "POL", Kind: indivisible.MemberState},
		{Name: "Delegation of Germany", Role: indivisible.RoleDelegation, Participant: "DEU", Kind: indivisible.MemberState},
		{Name: "Delegation of the Russian Federation", Role: indivisible.RoleDelegation, Participant: "RUS", Kind: indivisible.MemberState},
	} {
		if err := db.CreateAccount(ctx, &a); err != nil {
			t.Fatal(err)
		}
		secret, hash := indivisible.NewTokenSecret()
		if _, err := db.CreateToken(ctx, a.ID, "test", hash); err != nil {
			t.Fatal(err)
		}
		who := a.Participant
		if who == "" {
			who = string(a.Role)
		}
		f.tokens[who] = secret
		if a.Role != indivisible.RoleDelegation {
			continue
		}
		_, keyPath, pubPath, err := ledger.WriteKeyPair(rand.Reader, dir, a.Participant)
		if err != nil {
			t.Fatal(err)
		}
		vkey, err := ledger.ReadVerifierKey(pubPath)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.RegisterKey(ctx, a.Participant, vkey); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(keyPath)
		if err != nil {
			t.Fatal(err)
		}
		f.keys[a.Participant], f.keyFiles[a.Participant] = strings.TrimSpace(string(b)), keyPath
	}
	return f
}

// sign returns the detached signature of body by participant's key, as
// declare -sign-only prints it.
func (f *exchangeFixture) sign(t testing.TB, participant, body string) string {
	t.Helper()
	s, err := note.NewSigner(f.keys[participant])
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.Sign([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return s.Name() + " " + base64.StdEncoding.EncodeToString(sig)
}

func (f *exchangeFixture) submit(t testing.TB, participant, body string) {
	t.Helper()
	name, sig, err := parseSignature(machineLocalizer, f.sign(t, participant, body))
	if err == nil {
		_, err = f.deps.Exchange.File(context.Background(), &indivisible.Account{Role: indivisible.RoleDelegation, Participant: participant}, []byte(body), name, sig)
	}
	if err != nil {
		t.Fatalf("submit %s: %v", participant, err)
	}
}

func (f *exchangeFixture) size(t testing.TB) int64 {
	t.Helper()
	cp, err := f.log.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cp.Size
}

// client is a browser stand-in: it keeps the session cookie and sends
// requests to h.
type client struct {
	t      *testing.T
	h      http.Handler
	cookie *http.Cookie
}

func (c *client) send(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	res := rec.Result()
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie {
			c.cookie = ck
			if ck.MaxAge < 0 {
				c.cookie = nil
			}
		}
	}
	return res, rec.Body.String()
}

func (c *client) get(target string) (*http.Response, string) {
	c.t.Helper()
	return c.send(httptest.NewRequest("GET", target, nil))
}

func (c *client) post(target string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req)
}

// postMultipart posts fields and, if file is not nil, a declaration file,
// as the filing form does.
func (c *client) postMultipart(target string, fields map[string]string, file []byte) (*http.Response, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("declaration_file", "DECL.json")
		fw.Write(file)
	}
	mw.Close()
	req := httptest.NewRequest("POST", target, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req)
}

func (c *client) signIn(token string) {
	c.t.Helper()
	res, body := c.post("/signin", url.Values{"token": {token}})
	if res.StatusCode != http.StatusSeeOther || c.cookie == nil {
		c.t.Fatalf("sign in: status %d\n%s", res.StatusCode, body)
	}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the signed-in Exchange page.
func (c *client) csrf() string {
	c.t.Helper()
	_, body := c.get("/exchange")
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatal("the page has no CSRF token")
	}
	return m[1]
}

func TestExchangePage(t *testing.T) {
	f := newExchangeFixture(t)
	h := NewHandler(f.deps)
	rowRE := regexp.MustCompile(`(?s)<tr( class="flagged")? data-index="(\d+)">.*?<td>(\w+)</td><td>`)
	for _, tc := range []struct {
		target string
		status int
		rows   []string // want "INDEX KIND" per row, newest first; * marks a flagged one
		want   []string
	}{
		{"/exchange", 200, []string{"6 transfer_report*", "5 transfer_report*", "4 exercise_notification*", "3 exercise_notification"},
			[]string{`aria-current="page">Exchange`, `<span class="rule" data-rule="late_notification">Late notification</span>`, `<span class="rule" data-rule="transfer_mirror_mismatch">`, `<strong class="bad">differ</strong>`,
				`<g class="activity flagged">`, `class="today"`, `<form class="signin panel" method="post" action="/signin">`}},
		{"/exchange?participant=RUS", 200, []string{"4 exercise_notification*"}, []string{`<option value="RUS" selected>`, `No transfer reports involve RUS.`}},
		{"/exchange?kind=transfer_report", 200, []string{"6 transfer_report*", "5 transfer_report*"}, nil},
		{"/exchange?participant=POL&kind=exercise_notification", 200, []string{"3 exercise_notification"}, nil},
		{"/exchange?findings=1&participant=POL", 200, []string{"6 transfer_report*"}, nil},
		{"/exchange?participant=XXX", 400, nil, []string{"no participant"}},
		{"/exchange?kind=secret", 400, nil, []string{"no declaration kind"}},
	} {
		t.Run(tc.target, func(t *testing.T) {
			_, body := getPage(t, h, tc.target, tc.status, tc.want)
			if tc.status != 200 {
				return
			}
			var rows []string
			for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
				r := m[2] + " " + m[3]
				if m[1] != "" {
					r += "*"
				}
				rows = append(rows, r)
			}
			if !slices.Equal(rows, tc.rows) {
				t.Errorf("rows %q, want %q", rows, tc.rows)
			}
		})
	}
	// Without the exchange's dependencies there are no such pages.
	res, _ := do(t, NewHandler(newDeps(t)), "GET", "/exchange", nil)
	if res.StatusCode != 404 {
		t.Errorf("without a log: /exchange status %d", res.StatusCode)
	}
}

func TestSignInOut(t *testing.T) {
	f := newExchangeFixture(t)
	h := NewHandler(f.deps)
	c := &client{t: t, h: h}

	for _, token := range []string{"", "ind_nope"} {
		res, body := c.post("/signin", url.Values{"token": {token}})
		if res.StatusCode != 400 && res.StatusCode != 401 || c.cookie != nil || !strings.Contains(body, `id="signin-error"`) {
			t.Errorf("token %q: status %d, cookie %v", token, res.StatusCode, c.cookie)
		}
	}

	c.signIn(f.tokens["POL"])
	ck := c.cookie
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || strings.Contains(ck.Value, f.tokens["POL"]) || len(ck.Value) < 40 {
		t.Errorf("session cookie %+v", ck)
	}
	_, body := c.get("/exchange")
	for _, w := range []string{`id="signed-in">Signed in: Delegation of Poland<`, `<form class="filing panel"`, `name="csrf"`, "-sign-only -key POL-"} {
		if !strings.Contains(body, w) {
			t.Errorf("signed-in page lacks %q", w)
		}
	}
	// Every page shows who is signed in.
	if _, body := c.get("/log"); !strings.Contains(body, "Signed in: Delegation of Poland") {
		t.Errorf("the log page does not show the account")
	}

	// Signing out needs the session's CSRF token.
	csrf := c.csrf()
	if res, _ := c.post("/signout", url.Values{"csrf": {"forged"}}); res.StatusCode != 403 {
		t.Errorf("sign out with a forged CSRF token: status %d", res.StatusCode)
	}
	res, _ := c.post("/signout", url.Values{"csrf": {csrf}})
	if res.StatusCode != http.StatusSeeOther || c.cookie != nil {
		t.Fatalf("sign out: status %d, cookie %v", res.StatusCode, c.cookie)
	}
	// The old cookie no longer signs anyone in.
	c.cookie = ck
	if _, body := c.get("/exchange"); strings.Contains(body, "Signed in") {
		t.Errorf("the session outlived sign-out")
	}

	// A revoked token ends its sessions at once.
	c = &client{t: t, h: h}
	c.signIn(f.tokens["DEU"])
	accs, _ := f.db.Accounts(context.Background())
	for _, a := range accs {
		if a.Participant == "DEU" {
			toks, _ := f.db.Tokens(context.Background(), a.ID)
			if err := f.db.RevokeToken(context.Background(), toks[0].ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, body := c.get("/exchange"); strings.Contains(body, "Signed in") {
		t.Errorf("a revoked token's session goes on")
	}

	// A form posted from another site is refused before any handler.
	req := httptest.NewRequest("POST", "/signin", strings.NewReader(url.Values{"token": {f.tokens["POL"]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || len(rec.Result().Cookies()) != 0 {
		t.Errorf("cross-site sign-in: status %d", rec.Code)
	}
}

func TestSessionExpiry(t *testing.T) {
	now := fixtureNow
	s := newSessions(time.Hour, func() time.Time { return now })
	id, _ := s.create([32]byte{1})
	if _, ok := s.get(id); !ok {
		t.Fatal("a new session is not found")
	}
	now = now.Add(time.Hour)
	if _, ok := s.get(id); ok {
		t.Error("a session outlived its time")
	}
	s.create([32]byte{2})
	if len(s.m) != 1 {
		t.Errorf("%d sessions kept, want 1", len(s.m))
	}
}

var filedRE = regexp.MustCompile(`Filed as entry <a href="/log/entry/(\d+)">`)
var proofRE = regexp.MustCompile(`(?s)<pre class="proof">(.*?)</pre>`)

func TestFileDeclaration(t *testing.T) {
	f := newExchangeFixture(t)
	h := NewHandler(f.deps)
	c := &client{t: t, h: h}
	c.signIn(f.tokens["POL"])
	csrf := c.csrf()

	// A late notification, signed in Go as declare -sign-only would, and
	// pasted: the browser sends the text box's lines with "\r\n".
	decl := "{\"kind\": \"exercise_notification\", \"participant\": \"POL\", \"name\": \"Dragon\",\n \"start\": \"2026-03-10\", \"end\": \"2026-03-20\", \"host\": \"POL\", \"participating_states\": [\"POL\"],\n \"personnel\": 9500, \"battle_tanks\": 90, \"armoured_combat_vehicles\": 300, \"artillery\": 60, \"aircraft_sorties\": 0, \"airborne_amphibious_troops\": 0, \"observers_invited\": false}"
	before := f.size(t)
	res, body := c.postMultipart("/exchange/declarations", map[string]string{
		"csrf": csrf, "declaration": strings.ReplaceAll(decl, "\n", "\r\n"), "signature": f.sign(t, "POL", decl)}, nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("status %d\n%s", res.StatusCode, body)
	}
	m := filedRE.FindStringSubmatch(body)
	if m == nil || m[1] != fmt.Sprint(before) {
		t.Fatalf("no filed entry %d on the page", before)
	}
	if !strings.Contains(body, `<span class="rule" data-rule="late_notification">Late notification</span>`) {
		t.Errorf("the page does not show the new entry's finding")
	}
	proof, err := ledger.ParseInclusionProof([]byte(html.UnescapeString(proofRE.FindStringSubmatch(body)[1])))
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.log.Entry(context.Background(), before)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := logstore.Encode(&e)
	if _, err := proof.Verify(f.log.Verifier(), rec); err != nil || string(e.Body) != decl {
		t.Errorf("the proof shown does not verify (%v), or the body differs: %q", err, e.Body)
	}

	// The same bytes as an uploaded file, signed on the command line:
	// a replay of an entry already in the log.
	res, _ = c.postMultipart("/exchange/declarations", map[string]string{"csrf": csrf, "signature": f.sign(t, "POL", decl)}, []byte(decl))
	if res.StatusCode != http.StatusConflict {
		t.Errorf("replay: status %d", res.StatusCode)
	}
	// A new file, byte for byte, with CRLF line ends that the text box
	// would have changed.
	crlf := strings.ReplaceAll(strings.Replace(decl, "Dragon", "Dragon-2", 1), "\n", "\r\n")
	res, body = c.postMultipart("/exchange/declarations", map[string]string{"csrf": csrf, "signature": f.sign(t, "POL", crlf)}, []byte(crlf))
	if res.StatusCode != http.StatusCreated {
		t.Errorf("uploaded file: status %d\n%s", res.StatusCode, body)
	}

	transfer := `{"kind": "transfer_report", "participant": "POL", "role": "importer", "year": 2025, "counterpart": "KOR", "category": "battle_tanks", "quantity": 180}`
	for _, tc := range []struct {
		name   string
		fields map[string]string
		code   string
		field  string // the form field marked invalid, if any
	}{
		{"no CSRF token", map[string]string{"declaration": transfer, "signature": f.sign(t, "POL", transfer)}, indivisible.EFORBIDDEN, ""},
		{"forged CSRF token", map[string]string{"csrf": "x" + csrf, "declaration": transfer, "signature": f.sign(t, "POL", transfer)}, indivisible.EFORBIDDEN, ""},
		{"another participant's key", map[string]string{"csrf": csrf, "declaration": transfer, "signature": f.sign(t, "DEU", transfer)}, indivisible.EFORBIDDEN, ""},
		{"for another participant", map[string]string{"csrf": csrf, "declaration": strings.Replace(transfer, `"POL"`, `"DEU"`, 1), "signature": f.sign(t, "DEU", strings.Replace(transfer, `"POL"`, `"DEU"`, 1))}, indivisible.EFORBIDDEN, ""},
		{"signature of other bytes", map[string]string{"csrf": csrf, "declaration": transfer, "signature": f.sign(t, "POL", transfer+" ")}, indivisible.EUNAUTHORIZED, ""},
		{"no signature", map[string]string{"csrf": csrf, "declaration": transfer}, indivisible.EINVALID, "signature"},
		{"not base64", map[string]string{"csrf": csrf, "declaration": transfer, "signature": "POL-1 !!!"}, indivisible.EINVALID, "signature"},
		{"no declaration", map[string]string{"csrf": csrf, "signature": f.sign(t, "POL", "")}, indivisible.EINVALID, "declaration"},
		{"not JSON", map[string]string{"csrf": csrf, "declaration": "{", "signature": f.sign(t, "POL", "{")}, indivisible.EINVALID, "declaration"},
		{"bad field", map[string]string{"csrf": csrf, "declaration": strings.Replace(transfer, "180", "-1", 1), "signature": f.sign(t, "POL", strings.Replace(transfer, "180", "-1", 1))}, indivisible.EINVALID, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.size(t)
			res, body := c.postMultipart("/exchange/declarations", tc.fields, nil)
			if want := api.StatusCode(&indivisible.Error{Code: tc.code}); res.StatusCode != want {
				t.Errorf("status %d, want %d\n%s", res.StatusCode, want, body)
			}
			if f.size(t) != before {
				t.Errorf("the log grew")
			}
			if tc.field != "" && !regexp.MustCompile(`name="`+tc.field+`"[^>]*aria-invalid="true"`).MatchString(body) {
				t.Errorf("field %s not marked invalid", tc.field)
			}
		})
	}
	// The bad field's error names it.
	bad := strings.Replace(transfer, "180", "-1", 1)
	_, body = c.postMultipart("/exchange/declarations", map[string]string{"csrf": csrf, "declaration": bad, "signature": f.sign(t, "POL", bad)}, nil)
	if !strings.Contains(body, "quantity") || !strings.Contains(body, html.EscapeString(bad)) {
		t.Errorf("the error does not name the field or the form lost the text")
	}

	// Without a session, nothing is filed.
	anon := &client{t: t, h: h}
	if res, _ := anon.postMultipart("/exchange/declarations", map[string]string{"declaration": transfer, "signature": f.sign(t, "POL", transfer)}, nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a session: status %d", res.StatusCode)
	}
	// The secretariat may sign in and read, not file.
	sec := &client{t: t, h: h}
	sec.signIn(f.tokens["secretariat"])
	_, body = sec.get("/exchange")
	if !strings.Contains(body, "Only a delegation files declarations") || strings.Contains(body, `<form class="filing`) {
		t.Errorf("the secretariat is offered the filing form")
	}
	if res, _ := sec.postMultipart("/exchange/declarations", map[string]string{"csrf": sec.csrf(), "declaration": transfer, "signature": f.sign(t, "POL", transfer)}, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("the secretariat filed: status %d", res.StatusCode)
	}
}

var proofDataRE = regexp.MustCompile(`(?s)<script type="application/json" class="proof-data">(.*?)</script>`)

func TestLogPages(t *testing.T) {
	f := newExchangeFixture(t)
	h := NewHandler(f.deps)
	size := f.size(t)
	res, body := do(t, h, "GET", "/log", nil)
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	cp, _ := f.log.Checkpoint(context.Background())
	body = html.UnescapeString(body)
	for _, w := range []string{`aria-current="page">Log`, string(cp.Note), fmt.Sprintf("%d entries", size), f.log.Info().VerifierKey,
		`<a href="/log/entry/0">0</a>`, "/log/tile/entries/", "tlog.CheckRecord", "indivisible ledger verify"} {
		if !strings.Contains(body, w) {
			t.Errorf("log page lacks %q", w)
		}
	}
	for _, tc := range []struct {
		target, location string
		status           int
	}{
		{"/log?index=3", "/log/entry/3", http.StatusSeeOther},
		{"/log?index=x", "", 400},
		{"/log/entry/x", "", 400},
		{"/log/entry/-1", "", 400},
		{fmt.Sprintf("/log/entry/%d", size), "", 404},
	} {
		res, _ := do(t, h, "GET", tc.target, nil)
		if res.StatusCode != tc.status || res.Header.Get("Location") != tc.location {
			t.Errorf("%s: status %d, location %q", tc.target, res.StatusCode, res.Header.Get("Location"))
		}
	}

	// Each entry's page carries what the browser verifies; check it here
	// with the ledger's own verifier.
	for i := range size {
		res, body := do(t, h, "GET", fmt.Sprintf("/log/entry/%d", i), nil)
		if res.StatusCode != 200 {
			t.Fatalf("entry %d: status %d", i, res.StatusCode)
		}
		if i == 0 && !strings.Contains(body, `aria-current="page">Log`) {
			t.Errorf("the entry page does not mark Log in the nav")
		}
		var d proofData
		if err := json.Unmarshal([]byte(proofDataRE.FindStringSubmatch(body)[1]), &d); err != nil {
			t.Fatal(err)
		}
		rec, _ := base64.StdEncoding.DecodeString(d.Record)
		p, err := ledger.ParseInclusionProof([]byte(d.Proof))
		if err == nil {
			_, err = p.Verify(f.log.Verifier(), rec)
		}
		if err != nil || d.Index != i || d.KeyURL != "/log/key" {
			t.Errorf("entry %d: %+v: %v", i, d, err)
		}
	}
}

func TestReconcile(t *testing.T) {
	mk := func(i int64, participant, body string) indivisible.Entry {
		return indivisible.Entry{Index: i, Kind: indivisible.KindDeclaration, Participant: participant, Body: []byte(body)}
	}
	tr := func(p, role, cp string, year int, q int) string {
		return fmt.Sprintf(`{"kind": "transfer_report", "participant": %q, "role": %q, "year": %d, "counterpart": %q, "category": "artillery", "quantity": %d}`, p, role, year, cp, q)
	}
	entries := []indivisible.Entry{
		mk(0, "DEU", tr("DEU", "exporter", "POL", 2025, 10)),
		mk(1, "POL", tr("POL", "importer", "DEU", 2025, 10)),
		mk(2, "FRA", tr("FRA", "exporter", "POL", 2025, 4)),
		mk(3, "USA", tr("USA", "exporter", "POL", 2024, 8)),
		mk(4, "POL", tr("POL", "importer", "USA", 2024, 6)),
		// A correction makes the 2024 reports agree.
		mk(5, "POL", `{"kind": "correction", "participant": "POL", "corrects": 4, "reason": "miscounted", "declaration": `+tr("POL", "importer", "USA", 2024, 8)+`}`),
		// A withdrawn report drops out.
		mk(6, "ITA", tr("ITA", "exporter", "POL", 2025, 2)),
		mk(7, "ITA", `{"kind": "correction", "participant": "ITA", "corrects": 6, "reason": "cancelled", "withdrawn": true}`),
		// Another participant cannot correct it.
		mk(8, "KOR", tr("KOR", "exporter", "POL", 2025, 3)),
		mk(9, "POL", `{"kind": "correction", "participant": "POL", "corrects": 8, "reason": "x", "withdrawn": true}`),
	}
	var got []string
	for _, r := range transferRows(exchange.Read(exchange.DefaultRegime(), entries).Transfers, "POL") {
		got = append(got, fmt.Sprintf("%d %s>%s %d/%d %s %v", r.Year, r.Exporter, r.Importer, r.Exported, r.Imported, r.Status, r.Entries))
	}
	want := []string{
		"2025 DEU>POL 10/10 agree [0 1]",
		"2025 FRA>POL 4/0 exporter only [2]",
		"2025 KOR>POL 3/0 exporter only [8]",
		"2024 USA>POL 8/8 agree [3 4]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("reconcile:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1\u202f000", -14500: "-14\u202f500", 1234567: "1\u202f234\u202f567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// FuzzParseSignature: a pasted signature is untrusted input; it must
// never panic, and an error must be EINVALID on the signature field.
func FuzzParseSignature(f *testing.F) {
	f.Add("POL-3b9afe37 " + base64.StdEncoding.EncodeToString(make([]byte, 64)))
	f.Add("POL-1 !!!")
	f.Add(" \n\t")
	f.Add("a b c")
	f.Fuzz(func(t *testing.T, s string) {
		name, sig, err := parseSignature(machineLocalizer, s)
		if err != nil {
			if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != "signature" {
				t.Fatalf("error %v", err)
			}
			return
		}
		if !indivisible.IsToken(name) || len(sig) == 0 || len(sig) > 255 {
			t.Fatalf("accepted %q: %q, %d bytes", s, name, len(sig))
		}
	})
}

// appendRaw appends body, signed by participant, straight to the log,
// without the exchange's admission checks: a log written by another tool,
// or before a rule existed.
func (f *exchangeFixture) appendRaw(t testing.TB, participant, body string) int64 {
	t.Helper()
	name, sig, err := parseSignature(machineLocalizer, f.sign(t, participant, body))
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.log.Append(context.Background(), indivisible.Entry{Kind: indivisible.KindDeclaration, Participant: participant,
		KeyName: name, Signature: sig, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return e.Index
}

var (
	transfersRE = regexp.MustCompile(`(?s)<table class="transfers" id="transfers">.*?</table>`)
	trRE        = regexp.MustCompile(`(?s)<tr( class="flagged")?><td>.*?</tr>`)
	tagRE       = regexp.MustCompile(`<[^>]*>`)
)

// transferTable returns the transfer reconciliation table's rows as text,
// cells separated by "|", with "*" before a flagged one.
func transferTable(page string) []string {
	var rows []string
	for _, m := range trRE.FindAllStringSubmatch(transfersRE.FindString(page), -1) {
		row := strings.ReplaceAll(m[0], "</td><td", "|<td")
		row = html.UnescapeString(tagRE.ReplaceAllString(row, ""))
		if m[1] != "" {
			row = "*" + row
		}
		rows = append(rows, row)
	}
	return rows
}

// TestExchangePageAgreesWithCheck is the regression test of issue 11: DEU
// exports 14 tanks, POL reports importing 12, then POL "corrects" its
// import with an annual exchange. The correction cannot apply (it changes
// the kind), so exchange.Check keeps the import and finds the mismatch and
// the invalid correction; the page used to apply the correction anyway and
// show the transfer as "exporter only".
func TestExchangePageAgreesWithCheck(t *testing.T) {
	f := newEmptyExchangeFixture(t)
	exp := f.appendRaw(t, "DEU", `{"kind": "transfer_report", "participant": "DEU", "role": "exporter", "year": 2025, "counterpart": "POL", "category": "battle_tanks", "quantity": 14}`)
	imp := f.appendRaw(t, "POL", `{"kind": "transfer_report", "participant": "POL", "role": "importer", "year": 2025, "counterpart": "DEU", "category": "battle_tanks", "quantity": 12}`)
	corr := f.appendRaw(t, "POL", fmt.Sprintf(`{"kind": "correction", "participant": "POL", "corrects": %d, "reason": "re-filed", "declaration": {"kind": "annual_exchange", "participant": "POL", "year": 2026, "holdings": {"battle_tanks": 600}}}`, imp))

	es, err := f.log.Entries(context.Background(), 0, f.size(t))
	if err != nil {
		t.Fatal(err)
	}
	findings := exchange.Check(exchange.DefaultRegime(), es)
	var rules []string
	for _, fd := range findings {
		rules = append(rules, fd.Rule)
	}
	if !slices.Contains(rules, exchange.RuleMirrorMismatch) || !slices.Contains(rules, exchange.RuleInvalidCorrection) {
		t.Fatalf("exchange.Check found %q, want %s and %s", rules, exchange.RuleMirrorMismatch, exchange.RuleInvalidCorrection)
	}

	_, page := do(t, NewHandler(f.deps), "GET", "/exchange", nil)
	// Every finding of Check shows in the row of each entry it involves.
	for _, fd := range findings {
		for _, e := range fd.Entries {
			row := regexp.MustCompile(fmt.Sprintf(`(?s)<tr class="flagged" data-index="%d">.*?</tr>`, e)).FindString(page)
			if !strings.Contains(row, `<span class="rule" data-rule="`+fd.Rule+`">`) {
				t.Errorf("the row of entry %d lacks the finding %s", e, fd.Rule)
			}
		}
	}
	// The transfers table shows the mismatch Check found, with both reports.
	want := []string{fmt.Sprintf("*2025|DEU|POL|battle_tanks|14|12|differ|%d, %d", exp, imp)}
	if got := transferTable(page); !slices.Equal(got, want) {
		t.Errorf("transfer rows %q, want %q", got, want)
	}
	// The correction did not apply: the import is not shown as corrected.
	if strings.Contains(page, fmt.Sprintf("corrected by entry %d", corr)) {
		t.Errorf("the page shows entry %d as corrected by the invalid correction %d", imp, corr)
	}
}

// TestExchangeAndLogInRussian: with ?lang=ru the Exchange and Log pages
// say <html lang="ru"> and speak Russian, their chrome and the texts Go
// writes alike; the data (participant codes, entry numbers) stay as they
// are.
func TestExchangeAndLogInRussian(t *testing.T) {
	f := newExchangeFixture(t)
	c := &client{t: t, h: NewHandler(f.deps)}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/exchange?lang=ru", []string{"<h1>Обмен информацией</h1>", ">Календарь уведомленных учений<", ">Сверка поставок<", "расходятся", "Представить декларацию"}},
		{"/log?lang=ru", []string{"<h1>Журнал, защищенный от подделки</h1>", ">Текущая контрольная точка<", ">Реестр ключей<", ">Последние записи<"}},
		{"/log/entry/0?lang=ru", []string{"<h1>Запись журнала 0</h1>", ">Доказательство включения<", "Проверка в браузере…"}},
	} {
		res, body := c.get(tc.path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tc.path, res.StatusCode)
		}
		if !strings.Contains(body, `<html lang="ru"`) {
			t.Errorf("%s: no <html lang=\"ru\">", tc.path)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: no %q", tc.path, w)
			}
		}
		for _, en := range []string{"Information exchange", "Current checkpoint", "Inclusion proof", "File a declaration"} {
			if strings.Contains(body, en) {
				t.Errorf("%s: English %q on the Russian page", tc.path, en)
			}
		}
	}
}
