package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/i18n"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// newDeps returns the pages' dependencies over the embedded Eurasia
// scenario and the default model.
func newDeps(t testing.TB) Deps {
	t.Helper()
	s, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	sys, err := model.Compile(s, model.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	return Deps{Scenario: s, Assessor: sys}
}

// do sends a request to h and returns the response with its body read.
func do(t *testing.T, h http.Handler, method, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

func TestPages(t *testing.T) {
	h := NewHandler(newDeps(t))
	for _, tc := range []struct {
		target string
		status int
		want   []string
	}{
		{"/", 200, []string{`<h1>Security across Eurasia</h1>`, `<th scope="row"><a href="/state/POL">Poland</a>`, `class="map-data"`, `aria-current="page">Overview`}},
		{"/?org=NATO", 200, []string{`class="member"`, `<h3>North Atlantic Treaty Organization</h3>`, `id="org-NATO" href="/?org=NATO"`}},
		{"/?org=NOPE", 404, []string{`no organisation`}},
		{"/assess", 200, []string{`<form class="compose" method="post" action="/assess"`, `<option value="POL">Poland (POL)</option>`, `aria-current="page">Assess`}},
		{"/nowhere", 404, []string{`404: Not Found`, `no page at /nowhere`}},
		{"/static/nowhere.js", 404, nil},
	} {
		t.Run(tc.target, func(t *testing.T) {
			res, _ := getPage(t, h, tc.target, tc.status, tc.want)
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
		})
	}
}

// TestEveryTemplateIsAPage checks that each page template is parsed and
// reachable, so that a new page file cannot be forgotten.
func TestEveryTemplateIsAPage(t *testing.T) {
	files, err := filepath.Glob("templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	routed := map[string]bool{"overview": true, "assess": true, "error": true, "exchange": true, "log": true, "entry": true,
		"forum": true, "item": true, "outcome": true, "question": true, "state": true,
		"admin": true, "admin-account": true, "admin-token": true, "admin-signin": true, "admin-forum": true, "docs": true}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		if name == "layout" || name == "partials" || name == "admin-form" || name == "builder" || name == "ledger-messages" {
			continue
		}
		if pages[name] == nil {
			t.Errorf("template %s is not parsed", name)
		}
		if !routed[name] {
			t.Errorf("template %s has no handler in this test's list; add its route and test", name)
		}
	}
	for name := range routed {
		if pages[name] == nil {
			t.Errorf("page %s has no template", name)
		}
	}
}

var mapDataRE = regexp.MustCompile(`(?s)<script type="application/json" class="map-data">(.*?)</script>`)

// pageMap extracts the map's data from a page.
func pageMap(t *testing.T, body string) mapData {
	t.Helper()
	m := mapDataRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("page has no map data")
	}
	var d mapData
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatalf("map data: %v\n%s", err, m[1])
	}
	return d
}

func TestOverviewMapData(t *testing.T) {
	deps := newDeps(t)
	h := NewHandler(deps)
	_, body := do(t, h, "GET", "/?org=CSTO", nil)
	d := pageMap(t, body)
	states := map[string]bool{}
	for _, p := range deps.Scenario.Participants {
		if p.Kind == indivisible.State {
			states[p.Code] = true
		}
	}
	if len(d.States) != len(states) {
		t.Errorf("map has %d states, scenario %d", len(d.States), len(states))
	}
	colour := regexp.MustCompile(`^#[0-9a-f]{6}$`)
	for _, s := range d.States {
		if !states[s.Code] || s.ID == "" || !colour.MatchString(s.Colour) || s.Label == "" {
			t.Errorf("bad map state %+v", s)
		}
	}
	if strings.Join(d.Highlight, ",") != "ARM,BLR,KAZ,KGZ,RUS,TJK" {
		t.Errorf("CSTO highlight = %v", d.Highlight)
	}
	if !strings.HasPrefix(d.Atlas, "/static/"+atlasFile+"?v=") {
		t.Errorf("atlas URL %q", d.Atlas)
	}
}

// TestAtlasHasEveryState checks that every state of the scenario has a
// numeric code in isoNumeric and a shape in the vendored world atlas.
func TestAtlasHasEveryState(t *testing.T) {
	b, err := os.ReadFile("static/" + atlasFile)
	if err != nil {
		t.Fatal(err)
	}
	var topo struct {
		Objects struct {
			Countries struct {
				Geometries []struct {
					ID string `json:"id"`
				} `json:"geometries"`
			} `json:"countries"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(b, &topo); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, g := range topo.Objects.Countries.Geometries {
		ids[g.ID] = true
	}
	s, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range s.Participants {
		if p.Kind != indivisible.State {
			continue
		}
		n++
		id, ok := isoNumeric[p.Code]
		switch {
		case !ok:
			t.Errorf("%s (%s) has no ISO numeric code in isoNumeric", p.Code, p.Name)
		case !ids[id]:
			t.Errorf("%s (%s): no feature %s in the atlas", p.Code, p.Name, id)
		}
	}
	if n != len(isoNumeric) {
		t.Errorf("isoNumeric has %d codes, the scenario %d states", len(isoNumeric), n)
	}
}

func TestAssessFormRoundTrip(t *testing.T) {
	h := NewHandler(newDeps(t))
	tanks := url.Values{"type": {"holdings"}, "actor": {"POL"}, "category": {"battle_tanks"}, "quantity": {"250"}, "tolerance": {"0.0001"}}

	// Assess the composed measure alone.
	form := clone(tanks)
	form.Set("action", "assess")
	res, body := do(t, h, "POST", "/assess", form)
	if res.StatusCode != 200 {
		t.Fatalf("status %d\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, `id="verdict" class="verdict verdict-divisible">divisible<`) {
		t.Errorf("no divisible verdict")
	}
	if !strings.Contains(body, `<option value="POL" selected>`) {
		t.Errorf("the form does not keep the actor")
	}

	// Add it to a package, then add a CBM and assess the package.
	form = clone(tanks)
	form.Set("action", "add")
	_, body = do(t, h, "POST", "/assess", form)
	pkg := textarea(t, body)
	p, err := indivisible.ParseProposal([]byte(pkg))
	if err != nil || len(p.Measures) != 1 || p.Measures[0].Change != 250 {
		t.Fatalf("package after add: %v\n%s", err, pkg)
	}
	form = url.Values{"type": {"cbm"}, "actor": {"ARM"}, "host": {"AZE"}, "kind": {"hotline"}, "proposal": {pkg}, "tolerance": {"0.0001"}, "action": {"add"}}
	_, body = do(t, h, "POST", "/assess", form)
	pkg = textarea(t, body)
	if p, err = indivisible.ParseProposal([]byte(pkg)); err != nil || len(p.Measures) != 2 || p.Measures[1].Kind != "hotline" {
		t.Fatalf("package after second add: %v\n%s", err, pkg)
	}
	form.Set("action", "assess")
	form.Set("proposal", pkg)
	res, body = do(t, h, "POST", "/assess", form)
	if res.StatusCode != 200 || !strings.Contains(body, `verdict-divisible">divisible<`) || !strings.Contains(body, "Who now threatens a losing state more") {
		t.Errorf("package assessment: status %d", res.StatusCode)
	}

	// A CBM alone hurts no one.
	cbm := url.Values{"type": {"cbm"}, "actor": {"ARM"}, "host": {"AZE"}, "kind": {"observers"}, "tolerance": {"0.0001"}, "action": {"assess"}}
	_, body = do(t, h, "POST", "/assess", cbm)
	if !strings.Contains(body, `verdict-indivisible">indivisible<`) {
		t.Errorf("the CBM is not indivisible")
	}
	if d := pageMap(t, body); len(d.States) == 0 || !d.Pick {
		t.Errorf("result map: %d states, pick %v", len(d.States), d.Pick)
	}
}

func clone(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

var textareaRE = regexp.MustCompile(`(?s)<textarea id="f-proposal"[^>]*>(.*?)</textarea>`)

// textarea returns the package JSON the page shows.
func textarea(t *testing.T, body string) string {
	return match(t, textareaRE, body, "no package textarea")
}

// match returns re's first group in body, unescaped, failing with missing
// when re does not match.
func match(t *testing.T, re *regexp.Regexp, body, missing string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatal(missing)
	}
	return html.UnescapeString(m[1])
}

func TestAssessErrors(t *testing.T) {
	h := NewHandler(newDeps(t))
	for _, tc := range []struct {
		name  string
		form  url.Values
		code  string
		field string // the form field marked invalid
	}{
		{"no actor", url.Values{"type": {"holdings"}, "category": {"battle_tanks"}, "quantity": {"5"}, "tolerance": {"0"}}, indivisible.EINVALID, "actor"},
		{"zero quantity", url.Values{"type": {"deploy"}, "actor": {"USA"}, "host": {"POL"}, "category": {"personnel"}, "quantity": {"0"}, "tolerance": {"0"}}, indivisible.EINVALID, "quantity"},
		{"bad tolerance", url.Values{"type": {"holdings"}, "tolerance": {"-1"}}, indivisible.EINVALID, "tolerance"},
		{"unknown type", url.Values{"type": {"invade"}, "tolerance": {"0"}}, indivisible.EINVALID, "type"},
		{"same CBM parties", url.Values{"type": {"cbm"}, "actor": {"ARM"}, "host": {"ARM"}, "kind": {"hotline"}, "tolerance": {"0"}}, indivisible.EINVALID, "host"},
		{"bad JSON", url.Values{"proposal": {`{"title": "x", "measures": [{"type": "holdings", "actor": "POL"}]}`}, "tolerance": {"0"}}, indivisible.EINVALID, "proposal"},
		{"trailing JSON", url.Values{"proposal": {`{} {}`}, "tolerance": {"0"}}, indivisible.EINVALID, "proposal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := do(t, h, "POST", "/assess", tc.form)
			if want := api.StatusCode(&indivisible.Error{Code: tc.code}); res.StatusCode != want {
				t.Errorf("status %d, want %d", res.StatusCode, want)
			}
			if !strings.Contains(body, `role="alert" id="form-error"`) {
				t.Errorf("no error message")
			}
			if !regexp.MustCompile(`name="` + tc.field + `"[^>]*aria-invalid="true"`).MatchString(body) {
				t.Errorf("field %s not marked invalid", tc.field)
			}
		})
	}
	// The model's own checks come back the same way.
	res, _ := do(t, h, "POST", "/assess", url.Values{"proposal": {`{"title": "x", "measures": [{"type": "holdings", "actor": "XXX", "category": "battle_tanks", "change": 1}]}`}, "tolerance": {"0"}})
	if res.StatusCode < 400 || res.StatusCode >= 500 {
		t.Errorf("unknown state: status %d", res.StatusCode)
	}
}

func TestAssessDownload(t *testing.T) {
	h := NewHandler(newDeps(t))
	proposal, err := os.ReadFile("../examples/05-caucasus-cbm.json")
	if err != nil {
		t.Fatal(err)
	}
	res, body := do(t, h, "POST", "/assess/result.json", url.Values{"proposal": {string(proposal)}, "tolerance": {"0.0001"}})
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("status %d, headers %v", res.StatusCode, res.Header)
	}
	var a indivisible.Assessment
	if err := indivisible.DecodeStrict([]byte(body), &a); err != nil {
		t.Fatal(err)
	}
	if a.Verdict != indivisible.Indivisible || len(a.Participants) == 0 {
		t.Errorf("verdict %s, %d participants", a.Verdict, len(a.Participants))
	}
	res, _ = do(t, h, "POST", "/assess/result.json", url.Values{"proposal": {"{"}, "tolerance": {"0"}})
	if res.StatusCode != 400 {
		t.Errorf("bad proposal: status %d", res.StatusCode)
	}
}

func TestStatic(t *testing.T) {
	h := NewHandler(newDeps(t))
	u := assetURL(atlasFile)
	req := httptest.NewRequest("GET", u, nil)
	req.Header.Set("Accept-Encoding", "br, gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("status %d, headers %v", res.StatusCode, res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	want, _ := os.ReadFile("static/" + atlasFile)
	if !bytes.Equal(got, want) {
		t.Errorf("gzipped atlas differs from the file")
	}

	req = httptest.NewRequest("GET", u, nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("conditional request: status %d", rec.Code)
	}

	res, body := do(t, h, "GET", "/static/app.js", nil)
	if res.Header.Get("Cache-Control") != "no-cache" || res.Header.Get("Content-Encoding") != "" || !strings.Contains(body, "drawMap") {
		t.Errorf("app.js without hash: headers %v", res.Header)
	}
}

// TestChartGolden pins the server-drawn bar chart of a made-up assessment
// (not of the Eurasia scenario, whose figures others edit): 18 gainers
// and 2 losers beyond the tolerance, and one change within it.
func TestChartGolden(t *testing.T) {
	a := &indivisible.Assessment{Tolerance: 1e-4}
	for i := range 21 {
		delta := float64(i) * 2e-4
		switch {
		case i == 0:
			delta = 5e-5
		case i <= 2:
			delta = -float64(i) * 3e-4
		}
		a.Participants = append(a.Participants, indivisible.ParticipantResult{Code: fmt.Sprintf("S%02d", i), Delta: delta})
	}
	var buf bytes.Buffer
	if err := pages["assess"].ExecuteTemplate(&buf, "chart", newBarChart(a, func(c string) string { return "State " + c })); err != nil {
		t.Fatal(err)
	}
	golden(t, "chart.golden", buf.String())
}

func TestPalettes(t *testing.T) {
	for _, tc := range []struct {
		sc   scale
		v    float64
		want string
	}{
		{scale{ylOrRd, 0, 1}, 0, "#ffeda0"},
		{scale{ylOrRd, 0, 1}, 1, "#800026"},
		{scale{ylOrRd, 0, 1}, 2, "#800026"},
		// A rise in risk is red, a fall blue.
		{divergingScale([]float64{-0.2, 0.1}), 0, "#f7f7f7"},
		{divergingScale([]float64{-0.2, 0.1}), -0.2, "#053061"},
		{divergingScale([]float64{-0.2, 0.1}), 0.2, "#67001f"},
		{sequentialScale([]float64{23, 87}), 20, "#ffeda0"},
		{sequentialScale([]float64{23, 87}), 100, "#800026"},
	} {
		if got := tc.sc.colour(tc.v); got != tc.want {
			t.Errorf("colour(%g) on [%g, %g] = %s, want %s", tc.v, tc.sc.lo, tc.sc.hi, got, tc.want)
		}
	}
	// The risk palette darkens all the way: the higher the risk, the
	// darker (and redder) the state.
	for i := 1; i < len(ylOrRd); i++ {
		if luminance(ylOrRd[i]) >= luminance(ylOrRd[i-1]) {
			t.Errorf("ylOrRd[%d] %s is not darker than ylOrRd[%d] %s", i, ylOrRd[i], i-1, ylOrRd[i-1])
		}
	}
}

// luminance is a colour's relative luminance (WCAG 2).
func luminance(c rgb) float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.r) + 0.7152*lin(c.g) + 0.0722*lin(c.b)
}

// TestSequentialScale checks the legend's round ends and ticks: four equal
// steps of 1, 2, 2.5 or 5 times a power of ten that cover the values.
func TestSequentialScale(t *testing.T) {
	for _, tc := range []struct {
		values []float64
		ticks  string
	}{
		{[]float64{2.03, 61.9}, "0 20 40 60 80"},
		{[]float64{23, 87}, "20 40 60 80 100"},
		{[]float64{0.23, 0.87}, "0.2 0.4 0.6 0.8 1"},
		{[]float64{12, 13}, "12 12.25 12.5 12.75 13"},
		// A step of 0.2 from 0.8 would end at 1.6: the next round step.
		{[]float64{0.9, 1.7}, "0.75 1 1.25 1.5 1.75"},
		{[]float64{5, 5}, "5 5.1 5.2 5.3 5.4"},
		{nil, "0 0.25 0.5 0.75 1"},
	} {
		sc := sequentialScale(tc.values)
		var ticks []string
		for _, tk := range sc.legend("t", percentTick).Ticks {
			ticks = append(ticks, tk.Label)
		}
		if got := strings.Join(ticks, " "); got != tc.ticks {
			t.Errorf("%v: ticks %s, want %s", tc.values, got, tc.ticks)
		}
		for _, v := range tc.values {
			if v < sc.lo || v > sc.hi {
				t.Errorf("%v: %g outside [%g, %g]", tc.values, v, sc.lo, sc.hi)
			}
		}
	}
}

// FuzzAssessForm feeds arbitrary form values to the form's parser: it
// must never panic, and its errors must be EINVALID naming a field.
func FuzzAssessForm(f *testing.F) {
	f.Add("holdings", "POL", "", "battle_tanks", "250", "", "0.0001")
	f.Add("exercise", "RUS", "BLR", "personnel", "12800", "", "0")
	f.Add("", "", "", "", "", `{"title":"t","measures":[{"type":"cbm","actors":["ARM","AZE"],"kind":"hotline"}]}`, "1e-4")
	f.Add("transfer", "RUS", "KGZ", "x", "NaN", "{", "Inf")
	f.Fuzz(func(t *testing.T, typ, actor, host, category, quantity, proposal, tolerance string) {
		form := formFromValues(url.Values{"type": {typ}, "actor": {actor}, "host": {host}, "category": {category}, "quantity": {quantity}, "proposal": {proposal}, "tolerance": {tolerance}})
		p, _, err := form.proposal(i18n.English)
		if err != nil {
			if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) == "" {
				t.Fatalf("error %v: code %s, field %q", err, indivisible.ErrorCode(err), indivisible.ErrorField(err))
			}
			return
		}
		if len(p.Measures) == 0 {
			t.Fatal("a proposal without measures was accepted")
		}
		if _, _, err := form.add(); err != nil && indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Fatalf("add: %v", err)
		}
	})
}

// getPage gets target, fails unless it answers status, reports each of
// want the page lacks, and returns the answer.
func getPage(t *testing.T, h http.Handler, target string, status int, want []string) (*http.Response, string) {
	t.Helper()
	res, body := do(t, h, "GET", target, nil)
	if res.StatusCode != status {
		t.Fatalf("status %d, want %d", res.StatusCode, status)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	return res, body
}

// TestPagesTranslated renders the overview, an assessment and a state's
// page in Russian and Chinese: the headings, <html lang>, and the
// participants' names are the language's.
func TestPagesTranslated(t *testing.T) {
	h := NewHandler(newDeps(t))
	tanks := shareLink(&indivisible.Proposal{Measures: []indivisible.Measure{
		{Type: indivisible.MeasureHoldings, Actor: "POL", Category: indivisible.BattleTanks, Change: 250}}}, 0.0001)
	for _, tc := range []struct {
		lang, target string
		want, not    []string
	}{
		{"ru", "/", []string{"<h1>Безопасность в Евразии</h1>", ">Рейтинг</h2>", ">Польша</a>", `"name":"Польша"`, "Годовой риск военизированного спора, %"}, []string{">Poland</a>", "Security across Eurasia"}},
		{"zh-Hans", "/", []string{"<h1>欧亚安全</h1>", ">排名</h2>", ">波兰</a>", `"name":"波兰"`}, []string{">Poland</a>"}},
		{"ru", tanks, []string{"<h1>Оценка предложения</h1>", ">Пакет мер</legend>", ">Оцененные меры</h3>", "Оценка: <strong>", "процентного пункта", `"name":"Польша"`, "<li>Польша: годовой риск повышается с "}, []string{"Assess a proposal", "Verdict:"}},
		{"zh-Hans", tanks, []string{"<h1>评估提案</h1>", ">一揽子措施</legend>", ">已评估的措施</h3>", "评估结论：<strong>", `"name":"波兰"`}, []string{"Verdict:"}},
		{"ru", "/state/POL", []string{`<h1 id="state-h">Польша `, ">Безопасность</h2>", ">Наличие сил</h2>", ">Сухопутные границы</h2>", ">Германия</a>", "<title>Польша"}, []string{`<h1 id="state-h">Poland`}},
		{"zh-Hans", "/state/POL", []string{`<h1 id="state-h">波兰 `, ">安全</h2>", ">持有量</h2>", ">陆地边界</h2>", ">德国</a>"}, nil},
		// An organisation keeps the scenario's name.
		{"ru", "/state/CSTO", []string{`<h1 id="org-h">Collective Security Treaty Organization `, ">Члены</h2>"}, nil},
	} {
		t.Run(tc.lang+tc.target, func(t *testing.T) {
			sep := "?"
			if strings.Contains(tc.target, "?") {
				sep = "&"
			}
			res, body := do(t, h, "GET", tc.target+sep+"lang="+tc.lang, nil)
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			body = html.UnescapeString(body)
			for _, w := range append(tc.want, `<html lang="`+tc.lang+`">`) {
				if !strings.Contains(body, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("has %q", w)
				}
			}
		})
	}
}
