package main

// The route fuzzer: one harness that drives every API route and every web
// form of the service as `indivisible demo` wires it, signed in as each
// role, with structurally mutated bodies (routefuzz_gen_test.go), and
// checks what every answer must satisfy whatever the input:
//
//  1. no 5xx;
//  2. no empty body (a redirect's Location is its answer);
//  3. every 4xx under /api/ has the error shape {"error":{"code","message"}}
//     (a web page: an HTML page with an error shown, role="alert"), and a
//     refusal changes nothing: the log's size and the row count of every
//     table of the SQLite database are the same before and after.
//
// Further checks come from issue 12 and need no model of each route:
//
//   - a body that reads two ways (duplicate or case-folded member names,
//     invalid UTF-8), signed or not, is never accepted;
//   - a malformed body (null, NaN, an array, trailing data, deep
//     nesting) from a role whose valid request is not forbidden is not
//     answered 403: authorisation must not read an unparsed body;
//   - a request wrong only in a query parameter is refused naming it;
//   - neither anonymous writes nor an expert's forum writes outside the
//     expert's panel succeed.
//
// The same code runs in two modes:
//
//	go test -run TestRouteFuzz ./cmd/indivisible     # seeded and bounded
//	go test -run XXX -fuzz FuzzRoutesForum ./cmd/indivisible
//
// with one fuzz target per route family: FuzzRoutesAssess,
// FuzzRoutesExchange, FuzzRoutesForum, FuzzRoutesAccounts,
// FuzzRoutesService (health, metrics and any route no family claims) and
// FuzzWebForms (routefuzz_web_test.go). The fuzzer's bytes choose the
// route, the role and every mutation. Routes come from api.Server.Routes,
// so a new route is fuzzed without a change here; a route with no valid
// body below is fuzzed from random shapes.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/demo"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// fuzzRole is one way of being signed in.
type fuzzRole struct {
	name  string
	token string // "" for anonymous
	acc   *indivisible.Account
	// signer is the delegation's registered key (nil for other roles).
	signer note.Signer
	// cookie and csrf are the role's web session (routefuzz_web_test.go).
	cookie, csrf string
}

// routeEnv is a demo service with its roles and the ids that exist in it.
type routeEnv struct {
	a       *app
	h       http.Handler
	roles   []*fuzzRole
	signers []note.Signer // every demo delegation's key
	voc     vocabulary
	bodies  map[string][]bodyTemplate // route pattern -> valid bodies
	// ids are existing values for path parameters, by name; guarded are
	// the values that routes which destroy (revoke, close, withdraw) may
	// use instead, so that the fuzzer never revokes its own tokens or
	// closes the item the delegations take positions on.
	ids     map[string][]string
	guarded map[string][]string
	forumID int64
	expert  *fuzzRole // the panel's expert
	offside *fuzzRole // an expert on no panel
	seq     int       // makes each declaration distinct
	lastOwn bool      // the last signature was with the role's own key
	// validStatus is the status of each route's valid request as each
	// role ("pattern|role"): the baseline of the wrong-error checks.
	validStatus map[string]int
	web         *webForms // discovered lazily
}

// bodyTemplate is a valid body. Placeholders are filled per request: $P
// the role's participant, $F and $I the path's forum and item, $V the
// item's current version, $T the time, $N a counter. When sign is set the
// template is the signed inner body, and sign wraps it into the request.
type bodyTemplate struct {
	text string
	sign func(e *routeEnv, r *fuzzRole, c chooser, inner []byte) []byte
}

var discard = slog.New(slog.DiscardHandler)

// newRouteEnv builds the service exactly as the demo command does
// (openApp, then seedDemo: package demo's data) on a temporary SQLite
// database, with the rate limit lifted so that the fuzzer's requests are
// not all 429s.
func newRouteEnv(tb testing.TB) *routeEnv {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	a, err := openApp(ctx, appConfig{db: filepath.Join(dir, "indivisible.db"), scenario: scenario.DefaultName, logger: discard, rate: 1e9, burst: 1 << 30})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(a.close)
	creds, err := seedDemo(ctx, a, dir)
	if err != nil {
		tb.Fatal(err)
	}
	e := &routeEnv{a: a, h: a.handler, bodies: map[string][]bodyTemplate{}, ids: map[string][]string{}, guarded: map[string][]string{}, validStatus: map[string]int{}}
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	newToken := func(acc *indivisible.Account) string {
		secret, hash := indivisible.NewTokenSecret()
		_, err := a.db.CreateToken(ctx, acc.ID, "fuzz", hash)
		must(err)
		return secret
	}
	byName := map[string]demo.Credential{}
	for _, c := range creds {
		byName[c.Account.Name] = c
		if c.KeyPath != "" {
			s, err := ledger.LoadSigner(c.KeyPath)
			must(err)
			e.signers = append(e.signers, s)
		}
	}
	role := func(name, account string) *fuzzRole {
		c := byName[account]
		acc := c.Account
		r := &fuzzRole{name: name, token: c.Token, acc: &acc}
		if c.KeyPath != "" {
			s, err := ledger.LoadSigner(c.KeyPath)
			must(err)
			r.signer = s
		}
		return r
	}
	// An expert whom no panel has, and one the secretariat may add.
	off := &indivisible.Account{Name: "Expert off the panel", Role: indivisible.RoleExpert}
	must(a.db.CreateAccount(ctx, off))
	spare := &indivisible.Account{Name: "Spare expert", Role: indivisible.RoleExpert}
	must(a.db.CreateAccount(ctx, spare))
	e.expert = role("expert on the panel", "Independent expert")
	e.offside = &fuzzRole{name: "expert off the panel", token: newToken(off), acc: off}
	e.roles = []*fuzzRole{
		{name: "anonymous", acc: indivisible.Anonymous},
		role("secretariat", "Secretariat"),
		role("POL (accredited delegation)", "Delegation of Poland"),
		role("RUS (another state's delegation)", "Delegation of the Russian Federation"),
		e.expert,
		e.offside,
	}
	sec, pol := e.roles[1].acc, e.roles[2].acc

	// The demo's forum, and things the destroying routes may destroy.
	fs, err := a.db.Forums(ctx)
	must(err)
	e.forumID = fs[0].ID
	ss, err := a.db.Sessions(ctx, e.forumID)
	must(err)
	items, err := a.db.Items(ctx, ss[0].ID)
	must(err)
	for range 3 {
		it := &indivisible.AgendaItem{ForumID: e.forumID, SessionID: ss[0].ID, Title: "An item the fuzzer may close", Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus}}
		must(a.forum.CreateItem(ctx, sec, it))
		must(a.forum.Table(ctx, sec, e.forumID, &indivisible.ProposalVersion{ItemID: it.ID, Title: "A hotline", Text: "A hotline.",
			Package: &indivisible.Proposal{Measures: []indivisible.Measure{{Type: indivisible.MeasureCBM, Actors: []string{"ARM", "AZE"}, Kind: "hotline"}}}}))
		e.guarded["item"] = append(e.guarded["item"], itoa(it.ID))
	}
	sp, err := a.forum.RequestFloor(ctx, pol, e.forumID, items[0].ID)
	must(err)
	for range 3 {
		tok, err := a.db.CreateToken(ctx, spare.ID, "to revoke", [32]byte{byte(len(e.guarded["token"])), 1})
		must(err)
		e.guarded["token"] = append(e.guarded["token"], itoa(tok.ID))
	}
	dels, err := a.db.Delegations(ctx, e.forumID)
	must(err)
	for _, d := range dels {
		if d.Participant != "POL" && d.Participant != "RUS" {
			e.guarded["delegation"] = append(e.guarded["delegation"], itoa(d.ID))
		}
	}
	keys, err := a.log.Keys(ctx)
	must(err)
	for _, k := range keys {
		e.ids["name"] = append(e.ids["name"], k.Name)
		if k.Participant != "POL" && k.Participant != "RUS" {
			e.guarded["key"] = append(e.guarded["key"], k.Name)
		}
	}

	// Existing values of every path parameter.
	e.ids["forum"] = []string{itoa(e.forumID)}
	e.ids["session"] = []string{itoa(ss[0].ID)}
	for _, it := range items {
		e.ids["item"] = append(e.ids["item"], itoa(it.ID))
	}
	qs, err := a.db.Questions(ctx, e.forumID)
	must(err)
	for _, q := range qs {
		e.ids["question"] = append(e.ids["question"], itoa(q.ID))
	}
	accs, err := a.db.Accounts(ctx)
	must(err)
	for _, acc := range accs {
		e.ids["id"] = append(e.ids["id"], itoa(acc.ID))
	}
	e.ids["speaker"] = []string{itoa(sp.ID)}
	cp, err := a.log.Checkpoint(ctx)
	must(err)
	e.ids["index"] = []string{"0", "1", itoa(cp.Size - 1)}
	e.ids["code"] = []string{"POL", "pol", "RUS", "CSTO", "EU", "USA"}
	e.ids["path"] = []string{fmt.Sprintf("0/000.p/%d", cp.Size), fmt.Sprintf("entries/000.p/%d", cp.Size), "1/000.p/1", "0/000", "entries/000"}

	e.addBodies(tb, spare.ID, cp.Size)
	for _, ts := range e.bodies {
		for _, b := range ts {
			e.voc.learn(parseJSON([]byte(b.text)))
		}
	}
	e.voc.strs = append(e.voc.strs, "support", "object", "abstain", "join", "withdraw", "reservation", "interpretative",
		"POL", "RUS", "CSTO", "accredited", "withdrawn", "consensus", "secretariat", "delegation", "expert", "member_state", "partner_state")
	return e
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func newPRNG(seed uint64) *mrand.Rand { return mrand.New(mrand.NewPCG(seed, 12)) }

// addBodies records a valid body of every route that takes one, from the
// examples, the API tests and docs/openapi.yaml.
func (e *routeEnv) addBodies(tb testing.TB, spareExpert, logSize int64) {
	add := func(pattern string, texts ...string) {
		for _, t := range texts {
			e.bodies[pattern] = append(e.bodies[pattern], bodyTemplate{text: t})
		}
	}
	examples, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(examples) == 0 {
		tb.Fatalf("no examples: %v", err)
	}
	for _, f := range examples {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		add("POST /api/v1/assess", string(b))
	}
	twoBuildups := `{"title":"Two build-ups","measures":[{"type":"holdings","actor":"POL","category":"battle_tanks","change":250},{"type":"holdings","actor":"POL","category":"battle_tanks","change":250}]}`
	add("POST /api/v1/assess", twoBuildups)
	add("POST /api/v1/accounts", `{"name":"Armenia","role":"delegation","participant":"ARM","kind":"member_state"}`, `{"name":"Expert","role":"expert"}`)
	add("POST /api/v1/accounts/{id}/tokens", `{"name":"laptop"}`)
	_, vkey, err := ledger.NewKey(rand.Reader, "FIN")
	if err != nil {
		tb.Fatal(err)
	}
	add("POST /api/v1/keys", fmt.Sprintf(`{"participant":"FIN","public_key":%q}`, vkey))
	add("POST /api/v1/keys/{name}/revoke", fmt.Sprintf(`{"from":%d}`, logSize))
	year := time.Now().Year()
	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format("2006-01-02") }
	for _, d := range []string{
		fmt.Sprintf(`{"kind":"transfer_report","participant":"$P","role":"exporter","year":%d,"counterpart":"DEU","category":"battle_tanks","quantity":$N,"description":"Leopard 2A4"}`, year-1),
		fmt.Sprintf(`{"kind":"annual_exchange","participant":"$P","year":%d,"holdings":{"personnel":164000,"battle_tanks":$N,"armoured_combat_vehicles":1580,"artillery":820,"combat_aircraft":95}}`, year+2),
		fmt.Sprintf(`{"kind":"exercise_notification","participant":"$P","name":"Exercise $N","start":%q,"end":%q,"host":"$P","participating_states":["$P"],"personnel":14500,"battle_tanks":180,"armoured_combat_vehicles":420,"artillery":96,"aircraft_sorties":240,"airborne_amphibious_troops":0,"observers_invited":true}`, day(60), day(71)),
	} {
		e.bodies["POST /api/v1/declarations"] = append(e.bodies["POST /api/v1/declarations"], bodyTemplate{text: d, sign: signDeclaration})
	}
	add("POST /api/v1/forums", `{"title":"A forum","description":"For the fuzzer."}`)
	add("POST /api/v1/forums/{forum}/sessions", `{"title":"Second session"}`)
	add("POST /api/v1/forums/{forum}/sessions/{session}/items", `{"title":"Caucasus","description":"An item.","rule":{"name":"consensus"}}`,
		`{"title":"Europe","rule":{"name":"qualified_majority","quorum":0.5}}`)
	add("POST /api/v1/forums/{forum}/delegations", `{"participant":"$P","kind":"member_state","name":"Delegation","head":"Head","members":["Adviser"]}`)
	add("POST /api/v1/forums/{forum}/delegations/{id}/status", `{"status":"accredited"}`, `{"status":"withdrawn"}`)
	add("POST /api/v1/forums/{forum}/experts", fmt.Sprintf(`{"account_id":%d}`, spareExpert))
	add("POST /api/v1/forums/{forum}/items/{item}/versions", `{"title":"Hotline","text":"A hotline.","package":{"measures":[{"type":"cbm","actors":["ARM","AZE"],"kind":"hotline"}]}}`,
		`{"title":"Build-ups","text":"Two build-ups.","package":`+twoBuildups+`}`)
	add("POST /api/v1/forums/{forum}/items/{item}/comments", `{"text":"We will send observers."}`)
	add("POST /api/v1/forums/{forum}/items/{item}/positions", `{"stance":"support"}`, `{"version":0,"stance":"abstain"}`,
		`{"stance":"join","statement_kind":"reservation","statement":"On the basis of reciprocity."}`, `{"stance":"object","statement":"Observers need a mandate."}`)
	for _, st := range []string{"support", "object", "join"} {
		e.bodies["POST /api/v1/forums/{forum}/items/{item}/positions"] = append(e.bodies["POST /api/v1/forums/{forum}/items/{item}/positions"],
			bodyTemplate{text: `{"type":"` + forum.PositionType + `","forum":$F,"item":$I,"version":$V,"participant":"$P","stance":"` + st + `","time":"$T"}`, sign: signPositionBody})
	}
	add("POST /api/v1/forums/{forum}/questions", `{"parameter":"exercise_range_km","text":"How far?","unit":"km","min":50,"max":2000,"stop":{"iqr":75}}`)
	add("POST /api/v1/forums/{forum}/questions/{question}/answers", `{"value":450}`)
}

// signer returns the key a role signs with: its own, or (to try a key
// that is not the role's) another delegation's.
func (e *routeEnv) signer(r *fuzzRole, c chooser) note.Signer {
	s := r.signer
	if s == nil || chance(c, 6) {
		s = pick(c, e.signers)
	}
	e.lastOwn = s == r.signer
	return s
}

// signDeclaration signs a declaration's bytes and makes the body of POST
// /api/v1/declarations.
func signDeclaration(e *routeEnv, r *fuzzRole, c chooser, inner []byte) []byte {
	s := e.signer(r, c)
	sig, _ := s.Sign(inner)
	out, _ := json.Marshal(map[string]string{"declaration": base64.StdEncoding.EncodeToString(inner), "key_name": s.Name(), "signature": base64.StdEncoding.EncodeToString(sig)})
	return out
}

// signPositionBody signs a position body as a delegation's client does.
func signPositionBody(e *routeEnv, r *fuzzRole, c chooser, inner []byte) []byte {
	s := e.signer(r, c)
	sig, _ := s.Sign(inner)
	out, _ := json.Marshal(map[string]any{"signed": indivisible.SignedStatement{Body: inner, KeyName: s.Name(), Signature: sig}})
	return out
}

// routeFamilies group the API routes by path prefix; a route no family
// names (health, metrics, a new prefix) is in "service".
var routeFamilies = []struct {
	name     string
	prefixes []string
}{
	{"assess", []string{"/api/v1/assess", "/api/v1/scenario", "/api/v1/participants"}},
	{"exchange", []string{"/api/v1/declarations", "/api/v1/findings", "/api/v1/keys", "/log/"}},
	{"forum", []string{"/api/v1/forums"}},
	{"accounts", []string{"/api/v1/accounts", "/api/v1/tokens", "/api/v1/whoami"}},
}

// family returns the routes (as "METHOD /path") of a family, from the
// server's own list.
func (e *routeEnv) family(name string) []string {
	var out []string
	for _, p := range e.a.api.Routes() {
		_, path, _ := strings.Cut(p, " ")
		fam := "service"
		for _, f := range routeFamilies {
			for _, pre := range f.prefixes {
				if strings.HasPrefix(path, pre) {
					fam = f.name
				}
			}
		}
		if fam == name {
			out = append(out, p)
		}
	}
	return out
}

// fuzzCase is one request, with what is needed to report it.
type fuzzCase struct {
	role        *fuzzRole
	pattern     string // the route or form it targets
	method      string
	target      string // path and query
	body        []byte
	contentType string
	header      http.Header
	did         string // the mutations applied
	signed      []byte // the signed inner body, if any
	forumWrite  int64  // the forum a POST under /forums/{forum}/items|questions writes to
	anonymousOK bool   // an anonymous success is allowed (web assess, sign-in)
	web         bool
	unrouted    bool // the method or path was changed from the route's
	authBroken  bool // the Authorization header was mangled
	ownKey      bool // a signed body was signed with the role's own key
	// queryOnly says the request is valid but for its query parameters
	// (queryKeys), so a 400 must name one of them.
	queryOnly bool
	queryKeys []string
	template  bodyTemplate
}

var paramRE = regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)

// randomIDs are path values that exist nowhere or are not ids at all.
var randomIDs = []string{"0", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "abc", "1e3", "01", "+1", " 1", "1.0", "\x00", "Польша", "<b>", strings.Repeat("9", 400)}

// paramValue fills a path parameter: an existing value (a guarded one for
// routes that destroy) or a random one, and says which.
func (e *routeEnv) paramValue(c chooser, pattern, name string) (string, bool) {
	pool := e.ids[name]
	switch {
	case name == "id" && strings.Contains(pattern, "/tokens/"):
		pool = e.guarded["token"]
	case name == "id" && strings.Contains(pattern, "/delegations/"):
		pool = e.guarded["delegation"]
	case name == "id" && strings.Contains(pattern, "/speakers/"):
		pool = e.ids["speaker"]
	case name == "item" && strings.HasSuffix(pattern, "/close"):
		pool = e.guarded["item"]
	case name == "name" && strings.HasSuffix(pattern, "/revoke"):
		pool = e.guarded["key"]
	}
	if len(pool) == 0 || chance(c, 4) {
		if name == "path" && chance(c, 2) {
			return pick(c, []string{"x", "../key", "0/x001/234", "entries/000.p/0", "0/000.p/256", "-1/000", "0/000.p/9223372036854775807", "9223372036854775807/000"}), false
		}
		return pick(c, randomIDs), false
	}
	return pick(c, pool), true
}

// fill replaces a template's placeholders.
func (e *routeEnv) fill(text string, r *fuzzRole, vals map[string]string) string {
	p := r.acc.Participant
	if p == "" {
		p = "POL"
	}
	version := "1"
	if id, err := strconv.ParseInt(vals["item"], 10, 64); err == nil {
		if vs, err := e.a.db.Versions(context.Background(), id); err == nil && len(vs) > 0 {
			version = strconv.Itoa(vs[len(vs)-1].Number)
		}
	}
	num := func(s string) string {
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return s
		}
		return "0"
	}
	e.seq++
	return strings.NewReplacer("$P", p, "$F", num(vals["forum"]), "$I", num(vals["item"]), "$V", version,
		"$T", time.Now().UTC().Format(time.RFC3339Nano), "$N", strconv.Itoa(e.seq)).Replace(text)
}

// queryKeys and queryValues make the query strings: every parameter a
// route reads, at its edges.
var (
	queryKeys   = []string{"after", "limit", "participant", "kind", "rule", "tolerance", "index", "findings", "signed_out"}
	queryValues = []string{"9223372036854775807", "-9223372036854775808", "9223372036854775806", "-1", "-2", "0", "1", "1000", "1001", "abc", "1e3", "NaN", "Inf", "-0", "", "POL", "annual_exchange", "late_notification", "\u202e", "<script>"}
)

// apiCase makes one request to one of the routes.
func (e *routeEnv) apiCase(c chooser, routes []string) *fuzzCase {
	pattern := pick(c, routes)
	r := pick(c, e.roles)
	method, path, _ := strings.Cut(pattern, " ")
	vals := map[string]string{}
	existing := true
	path = paramRE.ReplaceAllStringFunc(path, func(m string) string {
		sub := paramRE.FindStringSubmatch(m)
		v, ok := e.paramValue(c, pattern, sub[1])
		existing = existing && ok
		vals[sub[1]] = v
		if sub[2] != "" { // {path...}: its slashes stay
			return (&url.URL{Path: v}).EscapedPath()
		}
		return url.PathEscape(v)
	})
	fc := &fuzzCase{role: r, pattern: pattern, method: method, header: http.Header{}, contentType: "application/json"}
	var dids []string
	// The body: a valid one, mutated, with a signed inner body re-signed
	// so that the mutation reaches the parser behind the signature.
	ts := e.bodies[pattern]
	var t bodyTemplate
	if len(ts) > 0 {
		t = pick(c, ts)
	}
	text := []byte(e.fill(t.text, r, vals))
	valid := len(ts) > 0 && chance(c, 5)
	if valid {
		fc.body, dids = text, append(dids, "valid")
	} else {
		var did string
		fc.body, did = e.voc.mutateBody(c, text)
		dids = append(dids, did)
	}
	if t.sign != nil {
		fc.signed = fc.body
		if !valid && (fc.signed == nil || chance(c, 4)) {
			fc.signed = text // mutate the request around a valid signed body
			body, did := e.voc.mutateBody(c, t.sign(e, r, c, text))
			fc.body, dids = body, append(dids, "outer:"+did)
		} else {
			fc.body = t.sign(e, r, c, fc.signed)
		}
		fc.ownKey = e.lastOwn
	}
	// Extreme query parameters, on any route (unknown ones are ignored).
	q := url.Values{}
	for range c.intn(3) {
		k := pick(c, queryKeys)
		q.Add(k, pick(c, queryValues))
		fc.queryKeys = append(fc.queryKeys, k)
	}
	// Now and then a method or path no route has, a bad Authorization
	// header, or another content type.
	switch c.intn(24) {
	case 0:
		method = pick(c, []string{"PUT", "DELETE", "PATCH", "OPTIONS", "GET", "POST"})
		dids, fc.unrouted = append(dids, "method"), true
	case 1:
		path = pick(c, []string{path + "/nope", "/api/v1/nope", "/api/v2" + strings.TrimPrefix(path, "/api/v1"), strings.ToUpper(path), path + "/"})
		dids, fc.unrouted = append(dids, "path"), true
	case 2:
		fc.header.Set("Authorization", pick(c, []string{"Bearer", "Bearer ", "Basic eDp4", "Bearer ind_" + strings.Repeat("0", 40), "bearer " + r.token, "Bearer " + r.token + "\x00"}))
		dids, fc.authBroken = append(dids, "authorization"), true
	case 3:
		fc.contentType = pick(c, []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"})
		dids = append(dids, "content-type")
	}
	if fc.header.Get("Authorization") == "" && r.token != "" {
		fc.header.Set("Authorization", "Bearer "+r.token)
	}
	fc.method, fc.target, fc.did = method, path, strings.Join(dids, " ")
	if len(q) > 0 {
		fc.target += "?" + q.Encode()
		fc.queryOnly = (valid || len(ts) == 0) && existing && !fc.unrouted && !fc.authBroken
	}
	fc.forumWrite = forumWrite(method, vals)
	return fc
}

// forumWrite is the forum a POST under /forums/{forum}/items or
// questions writes to, or 0.
func forumWrite(method string, vals map[string]string) int64 {
	f, err := strconv.ParseInt(vals["forum"], 10, 64)
	if err != nil || method != "POST" || vals["item"] == "" && vals["question"] == "" {
		return 0
	}
	return f
}

// snapshot is what a refusal must leave as it was: the log's size and the
// row count of every table.
type snapshot struct {
	size int64
	rows map[string]int64
}

func (e *routeEnv) snapshot(tb testing.TB) snapshot {
	ctx := context.Background()
	cp, err := e.a.log.Checkpoint(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	s := snapshot{size: cp.Size, rows: map[string]int64{}}
	rows, err := e.a.db.DB.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	var q []string
	for _, n := range names {
		q = append(q, fmt.Sprintf(`SELECT '%s', count(*) FROM "%s"`, n, n))
	}
	rows, err = e.a.db.DB.QueryContext(ctx, strings.Join(q, " UNION ALL "))
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		var c int64
		if err := rows.Scan(&n, &c); err != nil {
			tb.Fatal(err)
		}
		s.rows[n] = c
	}
	return s
}

// diff says what changed between two snapshots, or "".
func (s snapshot) diff(after snapshot) string {
	var out []string
	if s.size != after.size {
		out = append(out, fmt.Sprintf("log size %d -> %d", s.size, after.size))
	}
	for _, n := range slices.Sorted(func(yield func(string) bool) {
		for k := range after.rows {
			if !yield(k) {
				return
			}
		}
	}) {
		if s.rows[n] != after.rows[n] {
			out = append(out, fmt.Sprintf("%s rows %d -> %d", n, s.rows[n], after.rows[n]))
		}
	}
	return strings.Join(out, ", ")
}

// answer is a response as the checks see it.
type answer struct {
	status   int
	ctype    string
	location string
	body     []byte
	cookies  []*http.Cookie
}

// do sends a case to the service, in-process, and records the snapshots
// around it.
func (e *routeEnv) do(tb testing.TB, fc *fuzzCase) (answer, snapshot, snapshot) {
	req, err := http.NewRequest(fc.method, "http://indivisible.test"+fc.target, bytes.NewReader(fc.body))
	if err != nil {
		tb.Fatalf("the fuzzer made a request Go cannot send (%s %q): %v", fc.method, fc.target, err)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	for k, v := range fc.header {
		req.Header[k] = v
	}
	if fc.contentType != "" {
		req.Header.Set("Content-Type", fc.contentType)
	}
	before := e.snapshot(tb)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	after := e.snapshot(tb)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return answer{status: rec.Code, ctype: rec.Header().Get("Content-Type"), location: rec.Header().Get("Location"), body: b, cookies: res.Cookies()}, before, after
}

// violation is one broken assertion; class groups the same failure on the
// same route, so that a report lists each class once.
type violation struct {
	class, what string
}

// check applies the assertions to an answer.
func (e *routeEnv) check(fc *fuzzCase, ans answer, before, after snapshot) []violation {
	var vs []violation
	// A request with a method or path no route has is grouped apart
	// from its route's.
	where := fc.pattern
	if fc.unrouted {
		where = "an unrouted method or path"
	}
	add := func(kind, format string, args ...any) {
		vs = append(vs, violation{class: fmt.Sprintf("%s on %s (%d)", kind, where, ans.status), what: kind + ": " + fmt.Sprintf(format, args...)})
	}
	path, _, _ := strings.Cut(fc.target, "?")
	switch {
	case ans.status >= 500:
		add("5xx", "the service failed")
	case len(bytes.TrimSpace(ans.body)) == 0 && !(ans.status/100 == 3 && ans.location != ""):
		add("empty body", "status %d with an empty body", ans.status)
	}
	if ans.status >= 400 && ans.status < 500 {
		switch {
		case strings.HasPrefix(path, "/api/"):
			if msg := errorShape(ans); msg != "" {
				add("no JSON error shape", "%s", msg)
			}
		case fc.web || !strings.HasPrefix(ans.ctype, "application/json"):
			if !strings.HasPrefix(ans.ctype, "text/html") || !bytes.Contains(ans.body, []byte(`role="alert"`)) {
				add("no error page", "a %d page must be HTML showing the error (role=\"alert\"), got %q", ans.status, ans.ctype)
			}
		default:
			if msg := errorShape(ans); msg != "" {
				add("no JSON error shape", "%s", msg)
			}
		}
		if d := before.diff(after); d != "" {
			add("refusal changed state", "%s", d)
		}
	}
	// Wrong errors: a malformed body from a role that may use the route
	// is a 400, never a judgement on who may send it; and a request wrong
	// only in its query names the parameter at fault.
	base, known := e.validStatus[fc.pattern+"|"+fc.role.name]
	if why := e.malformed(fc); ans.status == http.StatusForbidden && why != "" && known && base != 401 && base != 403 && !fc.unrouted && !fc.authBroken {
		add("malformed body answered 403", "the body is %s; the role's valid request got %d, so this one must be refused as malformed (400), not forbidden", why, base)
	}
	if fc.queryOnly && ans.status == http.StatusBadRequest && known && base != http.StatusBadRequest {
		if f := errorField(ans); !slices.Contains(fc.queryKeys, f) {
			add("refusal names the wrong field", "only the query (%s) is wrong, but the error names field %q", strings.Join(fc.queryKeys, ", "), f)
		}
	}
	if ans.status/100 == 2 && !fc.unrouted {
		// One strict rule for every signed or stored body (issue 12):
		// bytes that read two ways are refused, signed or not. A request
		// whose method or path was changed reached a route that does not
		// read the body (GET /api/v1/declarations ignores one), so only
		// the route's own requests count.
		if why := ambiguous(fc.signed); fc.signed != nil && why != "" {
			add("ambiguous signed body accepted", "the signed bytes read two ways (%s)", why)
		} else if why := ambiguous(fc.body); !fc.web && len(e.bodies[fc.pattern]) > 0 && why != "" {
			add("ambiguous body accepted", "the body reads two ways (%s)", why)
		}
	}
	if ans.status/100 == 2 {
		if fc.method != "GET" && fc.role.token == "" && !fc.anonymousOK {
			add("anonymous write accepted", "a request without a token changed something")
		}
		if fc.role == e.offside && fc.forumWrite != 0 && !e.onPanel(fc.forumWrite, fc.role.acc.ID) {
			add("expert off the panel accepted", "an expert not on forum %d's panel wrote to it", fc.forumWrite)
		}
	}
	return vs
}

func (e *routeEnv) onPanel(forumID, accountID int64) bool {
	es, err := e.a.db.Experts(context.Background(), forumID)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(es, func(x *indivisible.Expert) bool { return x.AccountID == accountID })
}

// malformed says how a request's JSON body is malformed (not one JSON
// object), or "" if it is well formed or the route takes no body. A
// signed body counts when signed with the role's own key (with another
// key, a 403 for the key is right).
func (e *routeEnv) malformed(fc *fuzzCase) string {
	ts := e.bodies[fc.pattern]
	if len(ts) == 0 {
		return ""
	}
	if why := malformedJSON(fc.body); why != "" {
		return why
	}
	if ts[0].sign != nil && fc.ownKey {
		if why := malformedJSON(fc.signed); why != "" {
			return "signed and " + why
		}
	}
	return ""
}

func malformedJSON(b []byte) string {
	t := bytes.TrimSpace(b)
	switch {
	case len(t) == 0:
		return "empty"
	case !json.Valid(t):
		return "not JSON (or nested deeper than parsers go)"
	case t[0] != '{':
		return "JSON but not an object"
	}
	return ""
}

// errorField is the field an error answer names.
func errorField(ans answer) string {
	var v struct {
		Error struct {
			Field string `json:"field"`
		} `json:"error"`
	}
	json.Unmarshal(ans.body, &v)
	return v.Error.Field
}

// errorShape checks the API's one error shape, or says what is wrong.
func errorShape(ans answer) string {
	if !strings.HasPrefix(ans.ctype, "application/json") {
		return fmt.Sprintf("Content-Type %q, not JSON", ans.ctype)
	}
	var v struct {
		Error *struct {
			Code    *string `json:"code"`
			Message *string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(ans.body, &v); err != nil {
		return fmt.Sprintf("not JSON: %v", err)
	}
	if v.Error == nil || v.Error.Code == nil || *v.Error.Code == "" || v.Error.Message == nil || *v.Error.Message == "" {
		return `not {"error":{"code":...,"message":...}}`
	}
	return ""
}

// report says everything needed to send the request again.
func (fc *fuzzCase) report(ans answer, v violation) string {
	return fmt.Sprintf("%s\n  role:     %s\n  request:  %s %s\n  mutation: %s\n  body:     %s\n  signed:   %s\n  answer:   %d %s %s",
		v.what, fc.role.name, fc.method, fc.target, fc.did, truncate(fc.body), truncate(fc.signed), ans.status, ans.ctype, summary(ans))
}

var (
	titleRE = regexp.MustCompile(`(?s)<title>(.*?)</title>`)
	alertRE = regexp.MustCompile(`(?s)role="alert"[^>]*>(.*?)</`)
)

// summary shortens an answer: a page to its title and the error it
// shows, anything else to its first bytes.
func summary(ans answer) string {
	if !strings.HasPrefix(ans.ctype, "text/html") {
		return truncate(ans.body)
	}
	out := "page"
	if m := titleRE.FindSubmatch(ans.body); m != nil {
		out += fmt.Sprintf(" %q", m[1])
	}
	if m := alertRE.FindSubmatch(ans.body); m != nil {
		out += fmt.Sprintf(" showing %q", bytes.TrimSpace(m[1]))
	} else {
		out += " showing no error"
	}
	return out
}

func truncate(b []byte) string {
	if b == nil {
		return "(none)"
	}
	const max = 400
	if len(b) > max {
		return fmt.Sprintf("%q… (%d bytes)", b[:max], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// findings collects violations by class, for the bounded test's report.
type findings struct {
	first map[string]string
	count map[string]int
}

func (f *findings) add(fc *fuzzCase, ans answer, vs []violation) {
	if f.first == nil {
		f.first, f.count = map[string]string{}, map[string]int{}
	}
	for _, v := range vs {
		if f.count[v.class]++; f.count[v.class] == 1 {
			f.first[v.class] = fc.report(ans, v)
		}
	}
}

func (f *findings) fail(t testing.TB, requests int) {
	classes := make([]string, 0, len(f.first))
	for k := range f.first {
		classes = append(classes, k)
	}
	sort.Strings(classes)
	for _, k := range classes {
		t.Errorf("%s (%d of %d requests); the first:\n%s", k, f.count[k], requests, f.first[k])
	}
}

// apiBudget is the bounded test's count of random requests per route
// family: a few hundred, and at least a dozen per route.
func apiBudget(routes int) int { return max(300, 12*routes) }

// queryEdges are the values the query pass tries for every parameter on
// every route (unknown parameters must be ignored).
var queryEdges = []string{"9223372036854775807", "-9223372036854775808", "-2", "abc"}

// systematicCases are the requests both modes start from: every route's
// valid request as every role (their statuses are the baseline of the
// wrong-error checks), then, on every GET route and assess, every query
// parameter at its edges. Each case is made just before it is sent (by
// send), so that it sees what the cases before it did: the current
// version of an item, for example.
func (e *routeEnv) systematicCases(c chooser, routes []string, send func(*fuzzCase)) {
	for _, p := range routes {
		for _, r := range e.roles {
			fc := &fuzzCase{role: r, pattern: p}
			e.validCase(c, fc)
			send(fc)
		}
	}
	for _, p := range routes {
		for i, r := range e.roles {
			// Each of the route's valid bodies in turn: one per role for
			// the malformed documents, every one for the two writing roles.
			ts := e.bodies[p]
			if len(ts) == 0 {
				break
			}
			tmpls := []int{i % len(ts)}
			if r == e.roles[1] || r == e.roles[2] {
				tmpls = nil
				for j := range ts {
					tmpls = append(tmpls, j)
				}
			}
			for _, tmpl := range tmpls {
				fc := &fuzzCase{role: r, pattern: p}
				e.validCaseWith(c, fc, tmpl)
				valid := fc.signed
				if valid == nil {
					valid = fc.body
				}
				for k, bv := range e.bodyVariants(valid) {
					// The numbers and repeated names as two roles: the ones
					// most routes let write.
					if bv.did != "malformed document" && r != e.roles[1] && r != e.roles[2] {
						continue
					}
					// Made afresh, so that $V is the current version.
					fc := &fuzzCase{role: r, pattern: p}
					e.validCaseWith(c, fc, tmpl)
					valid := fc.signed
					if valid == nil {
						valid = fc.body
					}
					fc.did = bv.did
					e.setBody(c, fc, []byte(e.bodyVariants(valid)[k].body))
					send(fc)
				}
			}
		}
	}
	for _, p := range routes {
		if !strings.HasPrefix(p, "GET ") && p != "POST /api/v1/assess" {
			continue
		}
		for i, k := range queryKeys {
			for _, v := range queryEdges {
				fc := &fuzzCase{role: e.roles[1+i%2], pattern: p}
				e.validCase(c, fc)
				fc.target += "?" + url.Values{k: {v}}.Encode()
				fc.did, fc.queryOnly, fc.queryKeys = "valid but the query", true, []string{k}
				send(fc)
			}
		}
	}
}

// runSystematic sends the systematic cases, recording the valid
// requests' statuses.
func (e *routeEnv) runSystematic(tb testing.TB, c chooser, routes []string, f *findings) int {
	n := 0
	e.systematicCases(c, routes, func(fc *fuzzCase) {
		ans, before, after := e.do(tb, fc)
		if fc.did == "valid" {
			e.validStatus[fc.pattern+"|"+fc.role.name] = ans.status
		}
		f.add(fc, ans, e.check(fc, ans, before, after))
		n++
	})
	return n
}

// TestRouteFuzz is the bounded run: a fixed seed per family, so that a
// failure reproduces, and a fresh service per family, so that one
// family's findings do not hide another's. The systematic cases come
// first, then random mutations.
func TestRouteFuzz(t *testing.T) {
	for i, fam := range []string{"assess", "exchange", "forum", "accounts", "service"} {
		t.Run(fam, func(t *testing.T) {
			e := newRouteEnv(t)
			routes := e.family(fam)
			if len(routes) == 0 {
				t.Fatalf("no routes in family %s", fam)
			}
			c := prngChooser{newPRNG(uint64(i) + 1)}
			var f findings
			n := e.runSystematic(t, c, routes, &f)
			for range apiBudget(len(routes)) {
				fc := e.apiCase(c, routes)
				ans, before, after := e.do(t, fc)
				f.add(fc, ans, e.check(fc, ans, before, after))
				n++
			}
			t.Logf("%d requests to %d routes", n, len(routes))
			f.fail(t, n)
		})
	}
}

// validCase turns a case into its route's valid request for its role,
// with a random one of the route's valid bodies.
func (e *routeEnv) validCase(c chooser, fc *fuzzCase) { e.validCaseWith(c, fc, -1) }

// validCaseWith is validCase with the route's body template number tmpl
// (-1: a random one).
func (e *routeEnv) validCaseWith(c chooser, fc *fuzzCase, tmpl int) {
	method, path, _ := strings.Cut(fc.pattern, " ")
	vals := map[string]string{}
	path = paramRE.ReplaceAllStringFunc(path, func(m string) string {
		sub := paramRE.FindStringSubmatch(m)
		pool := e.ids[sub[1]]
		switch {
		case strings.HasSuffix(fc.pattern, "/close") && sub[1] == "item":
			pool = e.guarded["item"]
		case strings.Contains(fc.pattern, "/tokens/"):
			pool = e.guarded["token"]
		case strings.Contains(fc.pattern, "/delegations/") && sub[1] == "id":
			pool = e.guarded["delegation"]
		case strings.HasSuffix(fc.pattern, "/revoke"):
			pool = e.guarded["key"]
		case strings.Contains(fc.pattern, "/speakers/") && sub[1] == "id":
			pool = e.ids["speaker"]
		}
		v := "1"
		if len(pool) > 0 {
			v = pool[0]
		}
		vals[sub[1]] = v
		return v
	})
	fc.method, fc.target, fc.body, fc.signed, fc.did, fc.contentType = method, path, nil, nil, "valid", "application/json"
	fc.header = http.Header{}
	if fc.role.token != "" {
		fc.header.Set("Authorization", "Bearer "+fc.role.token)
	}
	fc.forumWrite = forumWrite(method, vals)
	if ts := e.bodies[fc.pattern]; len(ts) > 0 {
		fc.template = pick(c, ts)
		if tmpl >= 0 {
			fc.template = ts[tmpl%len(ts)]
		}
		e.setBody(c, fc, []byte(e.fill(fc.template.text, fc.role, vals)))
	}
}

// setBody sets a case's body, signed (with the role's own key when it
// has one) if the route's body is signed.
func (e *routeEnv) setBody(c chooser, fc *fuzzCase, b []byte) {
	fc.body, fc.signed = b, nil
	if fc.template.sign != nil {
		fc.signed = b
		fc.body = fc.template.sign(e, fc.role, prngChooser{newPRNG(7)}, b) // never another's key
		fc.ownKey = e.lastOwn
	}
}

// malformedDocs are the malformed bodies of issue 12: null, NaN, an
// array, trailing data, and 30,000 levels of nesting.
var malformedDocs = []string{"null", "NaN", "[]", `{"a":1} x`, strings.Repeat("[", 30000) + strings.Repeat("]", 30000), ""}

// bodyVariants are the systematic mutations of a valid body: every
// malformed document; every number at each extreme at once (finite values
// whose sum overflows); and every member repeated, exactly and with its
// name case-folded, with another plausible value.
func (e *routeEnv) bodyVariants(valid []byte) []struct{ did, body string } {
	type v = struct{ did, body string }
	var out []v
	for _, d := range malformedDocs {
		out = append(out, v{"malformed document", d})
	}
	root := parseJSON(valid)
	if root == nil {
		return out
	}
	hasNumber := false
	for _, r := range root.nodes() {
		if r.n.kind == 'l' && r.n.text != "true" && r.n.text != "false" && r.n.text != "null" {
			hasNumber = true
		}
	}
	if hasNumber {
		for _, x := range extremeNumbers[:6] {
			t := root.clone()
			for _, r := range t.nodes() {
				if r.n.kind == 'l' && r.n.text != "true" && r.n.text != "false" && r.n.text != "null" {
					r.n.text = x
				}
			}
			out = append(out, v{"every number " + x, string(t.bytes())})
		}
	}
	alt := map[string]string{"stance": "object", "participant": "RUS", "role": "secretariat", "kind": "member_state", "status": "withdrawn"}
	if root.kind == 'o' {
		for i, k := range root.keys {
			other := &jnode{kind: 's', text: "x"}
			switch kid := root.kids[i]; {
			case alt[k] != "" && kid.text != alt[k]:
				other.text = alt[k]
			case kid.kind == 's':
				other.text = kid.text + "x"
			case kid.kind == 'l':
				other = &jnode{kind: 'l', text: "2"}
			}
			for _, name := range []string{k, strings.ToUpper(k)} {
				t := root.clone()
				t.keys, t.kids = append(t.keys, name), append(t.kids, other)
				out = append(out, v{fmt.Sprintf("repeated %q as %q", k, name), string(t.bytes())})
			}
		}
	}
	return out
}

// fuzzRoutes is a fuzz target over one family: each input is one request.
func fuzzRoutes(f *testing.F, family string) {
	e := newRouteEnv(f)
	routes := e.family(family)
	// The systematic cases run once, before fuzzing: they set the
	// baseline of the wrong-error checks, and what they find fails the
	// target at once.
	var found findings
	n := e.runSystematic(f, prngChooser{newPRNG(1)}, routes, &found)
	found.fail(f, n)
	for i := range 8 {
		f.Add([]byte{byte(i), 0, byte(i), 1, 0, 3})
	}
	f.Add([]byte("\x00\x00\x00\x02\x00\x0c\x00\x05"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fc := e.apiCase(&byteChooser{b: data}, routes)
		ans, before, after := e.do(t, fc)
		for _, v := range e.check(fc, ans, before, after) {
			t.Fatal(fc.report(ans, v))
		}
	})
}

func FuzzRoutesAssess(f *testing.F)   { fuzzRoutes(f, "assess") }
func FuzzRoutesExchange(f *testing.F) { fuzzRoutes(f, "exchange") }
func FuzzRoutesForum(f *testing.F)    { fuzzRoutes(f, "forum") }
func FuzzRoutesAccounts(f *testing.F) { fuzzRoutes(f, "accounts") }
func FuzzRoutesService(f *testing.F)  { fuzzRoutes(f, "service") }
