package web

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// pkgJSON returns a proposal of the measures as the package field holds it.
func pkgJSON(t *testing.T, ms ...indivisible.Measure) string {
	t.Helper()
	b, err := json.Marshal(indivisible.Proposal{Title: "Proposal", Measures: ms})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	polTanks = indivisible.Measure{Type: indivisible.MeasureHoldings, Actor: "POL", Category: indivisible.BattleTanks, Change: 250}
	rusTanks = indivisible.Measure{Type: indivisible.MeasureHoldings, Actor: "RUS", Category: indivisible.BattleTanks, Change: 500}
)

// assessedList returns the measures the result says it assessed.
var assessedRE = regexp.MustCompile(`(?s)<ol id="assessed"[^>]*>(.*?)</ol>`)

func assessedList(t *testing.T, body string) string {
	t.Helper()
	return match(t, assessedRE, body, "the result lists no assessed measures (#assessed)")
}

// TestAssessUnaddedMeasure: a measure filled in but not added is
// included in the assessment, and the result says so and lists both.
func TestAssessUnaddedMeasure(t *testing.T) {
	h := NewHandler(newDeps(t))
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   []string // in the assessed list
		notice bool
		after  int // measures in the package afterwards
	}{
		{"package and filled-in measure",
			url.Values{"proposal": {pkgJSON(t, polTanks)}, "type": {"holdings"}, "actor": {"RUS"}, "category": {"battle_tanks"}, "quantity": {"500"}, "tolerance": {"0.0001"}, "action": {"assess"}},
			200, []string{"Poland changes its battle tanks by +250", "Russian Federation changes its battle tanks by +500"}, true, 2},
		{"package only",
			url.Values{"proposal": {pkgJSON(t, polTanks)}, "type": {"holdings"}, "category": {"battle_tanks"}, "tolerance": {"0.0001"}, "action": {"assess"}},
			200, []string{"Poland changes its battle tanks by +250"}, false, 1},
		{"measure only",
			url.Values{"type": {"holdings"}, "actor": {"RUS"}, "category": {"battle_tanks"}, "quantity": {"500"}, "tolerance": {"0.0001"}, "action": {"assess"}},
			200, []string{"Russian Federation changes its battle tanks by +500"}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := do(t, h, "POST", "/assess", tc.form)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%s", res.StatusCode, tc.status, body)
			}
			list := assessedList(t, body)
			for _, w := range tc.want {
				if !strings.Contains(list, w) {
					t.Errorf("assessed list lacks %q:\n%s", w, list)
				}
			}
			if n := strings.Count(list, "<li"); n != len(tc.want) {
				t.Errorf("assessed list has %d measures, want %d", n, len(tc.want))
			}
			if got := strings.Contains(body, `id="included-notice"`); got != tc.notice {
				t.Errorf("notice that the form's measure was included: %v, want %v", got, tc.notice)
			}
			// An included measure moves into the package, and the form's
			// measure is cleared so that it is not counted twice; a
			// measure assessed alone stays in the form.
			n := 0
			if pkg := textarea(t, body); pkg != "" {
				p, err := indivisible.ParseProposal([]byte(pkg))
				if err != nil {
					t.Fatal(err)
				}
				n = len(p.Measures)
			}
			if n != tc.after {
				t.Errorf("package after assessing: %d measures, want %d", n, tc.after)
			}
			if tc.notice && strings.Contains(body, `id="f-quantity" name="quantity" type="number" step="1" min="-1000000000" max="1000000000" value="500"`) {
				t.Errorf("the form still holds the included measure")
			}
		})
	}
	// A filled-in measure that cannot be read is refused, pointing at its
	// field, rather than dropped.
	res, body := do(t, h, "POST", "/assess", url.Values{"proposal": {pkgJSON(t, polTanks)}, "type": {"holdings"}, "actor": {"RUS"}, "category": {"battle_tanks"}, "quantity": {"lots"}, "tolerance": {"0.0001"}, "action": {"assess"}})
	if res.StatusCode != 400 || !regexp.MustCompile(`name="quantity"[^>]*aria-invalid="true"`).MatchString(body) || !strings.Contains(body, "not added") {
		t.Errorf("an unreadable filled-in measure: status %d, want 400 naming the quantity and saying it was not added", res.StatusCode)
	}
}

// TestAssessPackageList: the package is a list with a remove button per
// measure, which works by a plain form post.
func TestAssessPackageList(t *testing.T) {
	h := NewHandler(newDeps(t))
	_, body := do(t, h, "POST", "/assess", url.Values{"proposal": {pkgJSON(t, polTanks)}, "type": {"holdings"}, "actor": {"RUS"}, "category": {"battle_tanks"}, "quantity": {"500"}, "tolerance": {"0.0001"}, "action": {"add"}})
	for _, want := range []string{
		`<li id="measure-0"`, `<li id="measure-1"`,
		`<button type="submit" name="remove" value="0"`, `<button type="submit" name="remove" value="1"`,
		"Poland changes its battle tanks by +250", "Russian Federation changes its battle tanks by +500",
	} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("package list lacks %q", want)
		}
	}
	pkg := textarea(t, body)
	res, body := do(t, h, "POST", "/assess", url.Values{"proposal": {pkg}, "type": {"holdings"}, "tolerance": {"0.0001"}, "remove": {"0"}})
	if res.StatusCode != 200 {
		t.Fatalf("remove: status %d", res.StatusCode)
	}
	p, err := indivisible.ParseProposal([]byte(textarea(t, body)))
	if err != nil || len(p.Measures) != 1 || p.Measures[0].Actor != "RUS" {
		t.Fatalf("after removing measure 1: %v %+v", err, p)
	}
	if !strings.Contains(body, "Removed measure 1") || strings.Contains(body, `<li id="measure-1"`) {
		t.Errorf("no notice of the removal, or the list still has two measures")
	}
	for _, bad := range []string{"x", "5", "-1"} {
		if res, _ := do(t, h, "POST", "/assess", url.Values{"proposal": {pkg}, "tolerance": {"0"}, "remove": {bad}}); res.StatusCode != 400 {
			t.Errorf("remove %q: status %d, want 400", bad, res.StatusCode)
		}
	}
}

// TestAssessTitleLinkDownload: the proposal's title heads the result, the
// result links to a GET that reproduces it, and the download holds the
// proposal.
func TestAssessTitleLinkDownload(t *testing.T) {
	h := NewHandler(newDeps(t))
	form := url.Values{"title": {"Tank build-up"}, "proposal": {pkgJSON(t, polTanks, rusTanks)}, "type": {"holdings"}, "tolerance": {"0.0001"}, "action": {"assess"}}
	res, body := do(t, h, "POST", "/assess", form)
	if res.StatusCode != 200 || !strings.Contains(body, `<h2 id="result-h">Tank build-up:`) {
		t.Fatalf("status %d; the result is not titled Tank build-up", res.StatusCode)
	}
	if !strings.Contains(body, `id="f-title" name="title"`) || !strings.Contains(body, `value="Tank build-up"`) {
		t.Errorf("no title field keeping the title")
	}
	m := regexp.MustCompile(`<a id="share-link" href="(/assess\?[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no shareable link")
	}
	link := html.UnescapeString(m[1])
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(u.Query().Get("p"))
	if err != nil {
		t.Fatalf("p is not base64url: %v", err)
	}
	if p, err := indivisible.ParseProposal(raw); err != nil || p.Title != "Tank build-up" || len(p.Measures) != 2 {
		t.Fatalf("p decodes to %s (%v)", raw, err)
	}
	res, shared := do(t, h, "GET", link, nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: status %d", link, res.StatusCode)
	}
	if assessedList(t, shared) != assessedList(t, body) || !strings.Contains(shared, `<h2 id="result-h">Tank build-up:`) {
		t.Errorf("the shared link does not reproduce the result")
	}
	verdict := regexp.MustCompile(`id="verdict"[^>]*>(\w+)<`)
	if a, b := verdict.FindStringSubmatch(body), verdict.FindStringSubmatch(shared); a == nil || b == nil || a[1] != b[1] {
		t.Errorf("verdicts %v and %v", a, b)
	}
	if res, _ := do(t, h, "GET", "/assess?p=!!!", nil); res.StatusCode != 400 {
		t.Errorf("a broken link: status %d, want 400", res.StatusCode)
	}

	// The download (`indivisible assess -json`) holds the proposal: its
	// title, measures and tolerance reproduce the assessment.
	res, file := do(t, h, "POST", "/assess/result.json", url.Values{"proposal": {html.UnescapeString(regexp.MustCompile(`name="proposal" value="([^"]*)"`).FindStringSubmatch(body)[1])}, "tolerance": {"0.0001"}})
	if res.StatusCode != 200 {
		t.Fatalf("download: status %d", res.StatusCode)
	}
	var a indivisible.Assessment
	if err := indivisible.DecodeStrict([]byte(file), &a); err != nil {
		t.Fatal(err)
	}
	if a.Title != "Tank build-up" || len(a.Measures) != 2 || a.Tolerance != 0.0001 {
		t.Fatalf("download: title %q, %d measures, tolerance %g", a.Title, len(a.Measures), a.Tolerance)
	}
	again, err := json.Marshal(indivisible.Proposal{Title: a.Title, Measures: a.Measures})
	if err != nil {
		t.Fatal(err)
	}
	res, body = do(t, h, "GET", "/assess?"+url.Values{"p": {base64.RawURLEncoding.EncodeToString(again)}, "tolerance": {"0.0001"}}.Encode(), nil)
	if res.StatusCode != 200 || assessedList(t, body) != assessedList(t, shared) {
		t.Errorf("the download's proposal does not reproduce the assessment")
	}
}

// TestAssessQuantities: counts are whole numbers within the model's bound.
func TestAssessQuantities(t *testing.T) {
	h := NewHandler(newDeps(t))
	for _, tc := range []struct {
		quantity, action string
		ok               bool
		message          string
	}{
		{"2.5", "add", false, "whole number"},
		{"2.5", "assess", false, "whole number"},
		{"1000000000000", "add", false, thousands(1e9)},
		{"1e12", "assess", false, thousands(1e9)},
		{"250", "add", true, ""},
		{"-250", "assess", true, ""},
	} {
		res, body := do(t, h, "POST", "/assess", url.Values{"type": {"holdings"}, "actor": {"POL"}, "category": {"battle_tanks"}, "quantity": {tc.quantity}, "tolerance": {"0.0001"}, "action": {tc.action}})
		if tc.ok {
			if res.StatusCode != 200 {
				t.Errorf("%s %s: status %d", tc.action, tc.quantity, res.StatusCode)
			}
			continue
		}
		if res.StatusCode != 400 || !regexp.MustCompile(`name="quantity"[^>]*aria-invalid="true"`).MatchString(body) {
			t.Errorf("%s %s: status %d, want 400 marking the quantity", tc.action, tc.quantity, res.StatusCode)
		}
		if msg := formErrorText(body); !strings.Contains(msg, tc.message) {
			t.Errorf("%s %s: message %q lacks %q", tc.action, tc.quantity, msg, tc.message)
		}
	}
	if _, body := do(t, h, "GET", "/assess", nil); !strings.Contains(body, `step="1"`) {
		t.Errorf("the quantity input does not ask for whole numbers")
	}
}

var formErrorRE = regexp.MustCompile(`(?s)<div class="error" role="alert" id="form-error"[^>]*>(.*?)</div>`)

// formErrorText returns the text of the form's error, "" when none.
func formErrorText(body string) string {
	m := formErrorRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], ""))
}

// TestAssessJointExercise: an exercise of several states is composed in
// the form.
func TestAssessJointExercise(t *testing.T) {
	h := NewHandler(newDeps(t))
	form := url.Values{"type": {"exercise"}, "actor": {"RUS"}, "actors": {"BLR"}, "host": {"BLR"}, "category": {"personnel"}, "quantity": {"12800"}, "tolerance": {"0.0001"}, "action": {"add"}}
	res, body := do(t, h, "POST", "/assess", form)
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, formErrorText(body))
	}
	p, err := indivisible.ParseProposal([]byte(textarea(t, body)))
	if err != nil || len(p.Measures) != 1 || strings.Join(p.Measures[0].Actors, " ") != "RUS BLR" || p.Measures[0].Personnel != 12800 {
		t.Fatalf("package %+v (%v)", p, err)
	}
	if !strings.Contains(body, `name="actors"`) || !strings.Contains(body, "multiple") {
		t.Errorf("no field for further participating states")
	}
	form.Set("action", "assess")
	_, body = do(t, h, "POST", "/assess", form)
	if list := assessedList(t, body); !strings.Contains(list, "Russian Federation and Belarus hold an exercise in Belarus") {
		t.Errorf("assessed %q", list)
	}
	// A state listed twice is the model's error, in form language.
	form.Set("actors", "RUS")
	res, body = do(t, h, "POST", "/assess", form)
	if res.StatusCode != 400 || !strings.Contains(formErrorText(body), "twice") {
		t.Errorf("RUS twice: status %d, %q", res.StatusCode, formErrorText(body))
	}
}

// TestAssessErrorLanguage: the model's errors read in form language, name
// the limit, mark the field, and take the focus.
func TestAssessErrorLanguage(t *testing.T) {
	deps := newDeps(t)
	h := NewHandler(deps)
	home := 0.0
	for _, x := range deps.Scenario.Holdings {
		if x.State == "POL" && x.Component == indivisible.BattleTanks {
			home += x.Quantity
		}
	}
	for _, x := range deps.Scenario.Deployments {
		if x.State == "POL" && x.Component == indivisible.BattleTanks {
			home -= x.Quantity
		}
	}
	cut := indivisible.Measure{Type: indivisible.MeasureHoldings, Actor: "POL", Category: indivisible.BattleTanks, Change: -100000}
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
		want  []string
		not   []string
	}{
		{"cut in the form", url.Values{"type": {"holdings"}, "actor": {"POL"}, "category": {"battle_tanks"}, "quantity": {"-100000"}, "tolerance": {"0.0001"}, "action": {"assess"}},
			"quantity", []string{"Poland holds " + thousands(int64(home)) + " battle tanks", "cannot", thousands(100000)}, []string{"measures[0]", "POL would have"}},
		{"cut in the package", url.Values{"proposal": {pkgJSON(t, polTanks, cut)}, "type": {"holdings"}, "tolerance": {"0.0001"}, "action": {"assess"}},
			"measure-1", []string{"Measure 2", "Poland holds " + thousands(int64(home)) + " battle tanks", thousands(100000)}, []string{"POL would have"}},
		{"broken JSON", url.Values{"proposal": {"{\n  \"title\": \"x\",\n  \"measures\": [\n}"}, "type": {"holdings"}, "tolerance": {"0.0001"}, "action": {"assess"}},
			"proposal", []string{"line 4, column 1"}, []string{"offset"}},
		{"withdraw more than deployed", url.Values{"type": {"withdraw"}, "actor": {"POL"}, "host": {"DEU"}, "category": {"personnel"}, "quantity": {"5"}, "tolerance": {"0.0001"}, "action": {"assess"}},
			"quantity", []string{"Poland has 0 personnel deployed in Germany", "cannot withdraw 5"}, []string{"measures[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := do(t, h, "POST", "/assess", tc.form)
			if res.StatusCode != 400 {
				t.Fatalf("status %d", res.StatusCode)
			}
			msg := formErrorText(body)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(msg, w) {
					t.Errorf("message %q has %q", msg, w)
				}
			}
			marked := regexp.MustCompile(`name="` + tc.field + `"[^>]*aria-invalid="true"`)
			if strings.HasPrefix(tc.field, "measure-") {
				marked = regexp.MustCompile(`id="` + tc.field + `" class="error"`)
			}
			if !marked.MatchString(body) {
				t.Errorf("%s not marked invalid", tc.field)
			}
			if !regexp.MustCompile(`<div class="error" role="alert" id="form-error" tabindex="-1" autofocus>`).MatchString(body) {
				t.Errorf("the error does not take the focus")
			}
		})
	}
}

// The tolerance is read as the reader's language writes numbers, and a
// point is a decimal point in every language, so that shared links work.
func TestAssessTolerance(t *testing.T) {
	ru, zh := language.Russian, language.MustParse("zh-Hans")
	for _, tc := range []struct {
		tag  language.Tag
		in   string
		want float64 // -1: refused
	}{
		{i18n.English, "0.0001", 0.0001},
		{ru, "0,001", 0.001},
		{ru, " 0,001 ", 0.001},
		{ru, "0.0001", 0.0001},
		{zh, "0.0001", 0.0001},
		{i18n.English, "0", 0},
		{i18n.English, "1e-05", 0.00001}, // links made before, in Go's notation
		{i18n.English, "0,001", -1},      // a group separator where a decimal was meant
		{ru, "-0,1", -1},
		{ru, "1,2,3", -1},
		{i18n.English, "", -1},
		{i18n.English, "NaN", -1},
		{i18n.English, "Inf", -1},
		{i18n.English, "a lot", -1},
	} {
		got, err := parseTolerance(tc.tag, tc.in)
		switch {
		case tc.want < 0 && err == nil:
			t.Errorf("%s %q: %g, want an error", tc.tag, tc.in, got)
		case tc.want < 0 && indivisible.ErrorField(err) != "tolerance":
			t.Errorf("%s %q: error %v is not on the tolerance", tc.tag, tc.in, err)
		case tc.want >= 0 && (err != nil || got != tc.want):
			t.Errorf("%s %q: %g, %v; want %g", tc.tag, tc.in, got, err, tc.want)
		}
	}

	// Through the page: a Russian reader types a comma, and the link to
	// share has a point, which an English reader's page reads the same.
	h := NewHandler(newDeps(t))
	form := url.Values{"type": {"holdings"}, "actor": {"POL"}, "category": {"battle_tanks"}, "quantity": {"250"}, "tolerance": {"0,001"}, "action": {"assess"}}
	res, body := do(t, h, "POST", "/assess?lang=ru", form)
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, formErrorText(body))
	}
	link := regexp.MustCompile(`id="share-link" href="([^"]+)"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatal("no link to share")
	}
	shared := html.UnescapeString(link[1])
	u, err := url.Parse(shared)
	if err != nil || u.Query().Get("tolerance") != "0.001" {
		t.Fatalf("shared link %q (%v), want tolerance=0.001", shared, err)
	}
	res, body = do(t, h, "GET", shared+"&lang=en", nil)
	if res.StatusCode != 200 || !strings.Contains(body, "(0.1 percentage points)") {
		t.Errorf("the shared link in English: status %d, tolerance not 0.1 percentage points: %s", res.StatusCode, formErrorText(body))
	}
	// An English reader's "0,001" is refused, in English; a Russian
	// reader's "abc" is refused in Russian.
	form.Set("tolerance", "0,001")
	if res, body := do(t, h, "POST", "/assess?lang=en", form); res.StatusCode != 400 || !strings.Contains(formErrorText(body), "enter a non-negative number, such as 0.0001") {
		t.Errorf("English 0,001: status %d, %q", res.StatusCode, formErrorText(body))
	}
	form.Set("tolerance", "abc")
	if res, body := do(t, h, "POST", "/assess?lang=ru", form); res.StatusCode != 400 || !strings.Contains(formErrorText(body), "введите неотрицательное число, например 0,0001") {
		t.Errorf("Russian abc: status %d, %q", res.StatusCode, formErrorText(body))
	}
}
