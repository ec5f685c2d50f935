package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/exchange"
)

var declTextareaRE = regexp.MustCompile(`(?s)<textarea id="f-declaration"[^>]*>(.*?)</textarea>`)

// polEntry is the index of POL's first exercise notification in the
// exchange fixture.
func polEntry(t *testing.T, f *exchangeFixture) int64 {
	t.Helper()
	v, err := f.deps.Exchange.View(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range v.Declarations {
		if d.Participant == "POL" && d.Declaration != nil && d.Declaration.Kind == indivisible.KindExerciseNotification {
			return d.Index
		}
	}
	t.Fatal("no POL exercise notification in the fixture")
	return 0
}

// TestDeclarationForms composes each kind from its form's fields: valid
// fields give JSON that exchange.Parse accepts and that files; a bad
// field is refused with the message on that field.
func TestDeclarationForms(t *testing.T) {
	f := newExchangeFixture(t)
	c := &client{t: t, h: NewHandler(f.deps)}
	c.signIn(f.tokens["POL"])
	csrf := c.csrf()
	entry := strconv.FormatInt(polEntry(t, f), 10)
	codes := exchange.NewCodes(f.deps.Scenario)

	exercise := url.Values{"kind": {"exercise_notification"}, "name": {"Anakonda-26"}, "start": {"2026-06-01"}, "end": {"2026-06-12"},
		"host": {"POL"}, "participating_states": {"POL", "LTU", "DEU"}, "personnel": {"14500"}, "battle_tanks": {"180"},
		"armoured_combat_vehicles": {"420"}, "artillery": {"96"}, "aircraft_sorties": {"240"}, "airborne_amphibious_troops": {"0"},
		"observers_invited": {"1"}}
	with := func(v url.Values, kv ...string) url.Values {
		w := url.Values{}
		for k, x := range v {
			w[k] = append([]string{}, x...)
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "<none>" {
				delete(w, kv[i])
			} else {
				w.Set(kv[i], kv[i+1])
			}
		}
		return w
	}
	annual := url.Values{"kind": {"annual_exchange"}, "year": {"2027"}, "h_personnel": {"164000"}, "h_battle_tanks": {"612"}, "h_artillery": {""}}
	transfer := url.Values{"kind": {"transfer_report"}, "role": {"exporter"}, "year": {"2025"}, "counterpart": {"DEU"},
		"category": {"battle_tanks"}, "quantity": {"14"}, "description": {"Leopard 2A4 & <spares>"}}
	contribution := url.Values{"kind": {"collective_forces_contribution"}, "organisation": {"NATO"}, "year": {"2027"},
		"units": {"12th Mechanised Division\r\n\r\n16th Mechanised Division"}, "h_personnel": {"9000"}, "h_battle_tanks": {"58"}}
	replacement := `{"kind": "exercise_notification", "participant": "POL", "name": "Anakonda", "start": "2026-05-02", "end": "2026-05-12", "host": "POL", "participating_states": ["POL", "DEU"], "personnel": 14500, "battle_tanks": 180, "armoured_combat_vehicles": 420, "artillery": 96, "aircraft_sorties": 240, "airborne_amphibious_troops": 0, "observers_invited": true}`
	correction := url.Values{"kind": {"correction"}, "corrects": {entry}, "reason": {"start date mistyped"}, "action": {"replace"}, "replacement": {replacement}}

	for _, tc := range []struct {
		name   string
		form   url.Values
		field  string // "" when valid
		reason string // in the field's message
	}{
		{"annual", annual, "", ""},
		{"annual fraction", with(annual, "h_battle_tanks", "2.5"), "h_battle_tanks", "whole number"},
		{"annual out of range", with(annual, "h_battle_tanks", "1000000000000"), "h_battle_tanks", "from 0 to 1\u202f000\u202f000\u202f000"},
		{"annual nothing", with(annual, "h_personnel", "", "h_battle_tanks", ""), "holdings", "at least one category"},
		{"annual no year", with(annual, "year", ""), "year", "required"},
		{"exercise", exercise, "", ""},
		{"exercise without notice", with(exercise, "without_advance_notice", "1", "observers_invited", "<none>"), "", ""},
		{"exercise ends before it starts", with(exercise, "end", "2026-05-30"), "end", "before the first day"},
		{"exercise no states", with(exercise, "participating_states", "<none>"), "participating_states", "at least one state"},
		{"exercise bad date", with(exercise, "start", "1 June"), "start", "enter a date"},
		{"exercise unknown host", with(exercise, "host", "XXX"), "host", "not a state of the scenario"},
		{"exercise tanks words", with(exercise, "battle_tanks", "many"), "battle_tanks", "whole number"},
		{"transfer", transfer, "", ""},
		{"transfer importer", with(transfer, "role", "importer", "description", ""), "", ""},
		{"transfer to itself", with(transfer, "counterpart", "POL"), "counterpart", "does not transfer to itself"},
		{"transfer zero", with(transfer, "quantity", "0"), "quantity", "from 1 to"},
		{"transfer personnel", with(transfer, "category", "personnel"), "category", "personnel are not transferred"},
		{"transfer no role", with(transfer, "role", "<none>"), "role", "required"},
		{"contribution", contribution, "", ""},
		{"contribution not a member", with(contribution, "organisation", "CSTO"), "organisation", "not a member"},
		{"correction", correction, "", ""},
		{"correction withdraw", with(correction, "action", "withdraw", "replacement", ""), "", ""},
		{"correction no reason", with(correction, "reason", ""), "reason", "required"},
		{"correction bad JSON", with(correction, "replacement", `{"kind": `), "replacement", "is not JSON"},
		{"correction bad replacement", with(correction, "replacement", strings.Replace(replacement, `"personnel": 14500`, `"personnel": -1`, 1)), "replacement", "its field personnel: -1 is out of range"},
		{"correction no action", with(correction, "action", "<none>"), "action", "replace or to withdraw"},
		{"bad kind", with(transfer, "kind", "treaty"), "", "not a declaration kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := with(tc.form, "csrf", csrf)
			res, body := c.post("/exchange/compose", form)
			if tc.field == "" && tc.reason == "" {
				if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="composed"`) {
					t.Fatalf("status %d, want 200 with the composed declaration\n%s", res.StatusCode, errorText(body))
				}
				decl := html.UnescapeString(declTextareaRE.FindStringSubmatch(body)[1])
				d, err := exchange.Parse([]byte(decl), codes)
				if err != nil {
					t.Fatalf("exchange.Parse refuses the composed %s: %v", decl, err)
				}
				if string(d.Kind) != tc.form.Get("kind") || d.Participant != "POL" {
					t.Errorf("composed %s for %s", d.Kind, d.Participant)
				}
				// The JSON shown is what is signed and filed.
				before := f.size(t)
				res, body := c.postMultipart("/exchange/declarations", map[string]string{"csrf": csrf, "declaration": decl, "signature": f.sign(t, "POL", decl)}, nil)
				if res.StatusCode != http.StatusCreated || f.size(t) != before+1 {
					t.Fatalf("filing the composed declaration: status %d\n%s\n%s", res.StatusCode, decl, errorText(body))
				}
				return
			}
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.StatusCode)
			}
			if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `id="compose-error"`) {
				t.Errorf("no error summary")
			}
			if tc.field == "" {
				if !strings.Contains(html.UnescapeString(body), tc.reason) {
					t.Errorf("the summary does not say %q:\n%s", tc.reason, errorText(body))
				}
				return
			}
			id := "d-" + tc.form.Get("kind") + "-" + tc.field
			m := regexp.MustCompile(`<p class="field-error error" id="` + id + `-error">([^<]*)</p>`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no error on field %s:\n%s", id, errorText(body))
			}
			if msg := html.UnescapeString(m[1]); !strings.Contains(msg, tc.reason) || !strings.HasPrefix(msg, fieldLabel(machineLocalizer, tc.field)+": ") {
				t.Errorf("field %s says %q, want %q in form language", id, msg, tc.reason)
			}
			if !strings.Contains(body, `href="#`+id+`"`) {
				t.Errorf("the summary does not link to %s", id)
			}
			if tc.form.Get("kind") != "correction" && !regexp.MustCompile(`id="`+id+`"[^>]*aria-invalid="true"|id="`+id+`"[^>]*aria-describedby="`+id+`-error"`).MatchString(body) {
				t.Errorf("field %s is not marked invalid", id)
			}
			// The values typed are kept.
			if v := tc.form.Get("reason"); v != "" && !strings.Contains(body, `value="`+html.EscapeString(v)+`"`) {
				t.Errorf("the form lost the reason %q", v)
			}
		})
	}
}

// errorText is what a page says went wrong, for failure messages.
func errorText(body string) string {
	var out []string
	for _, m := range regexp.MustCompile(`(?s)role="alert"[^>]*>(.*?)</`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	for _, m := range regexp.MustCompile(`class="field-error[^"]*" id="([^"]*)">([^<]*)`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+": "+m[2])
	}
	return strings.Join(out, "\n")
}

// TestDeclarationTemplates starts every kind's form from its documented
// example, made out for each delegation, and composes it unchanged.
func TestDeclarationTemplates(t *testing.T) {
	f := newExchangeFixture(t)
	h := NewHandler(f.deps)
	codes := exchange.NewCodes(f.deps.Scenario)
	for _, who := range []string{"POL", "DEU", "RUS"} {
		c := &client{t: t, h: h}
		c.signIn(f.tokens[who])
		csrf := c.csrf()
		for _, k := range indivisible.DeclarationKinds {
			res, body := c.get("/exchange?template=" + string(k))
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `<details class="declform" id="compose-`+string(k)+`" open>`) {
				t.Fatalf("%s: template %s: status %d, form not open", who, k, res.StatusCode)
			}
			v := (&handler{deps: f.deps}).templateValues(string(k), who)
			if v == nil {
				t.Fatalf("no template values for %s", k)
			}
			v.Set("kind", string(k))
			v.Set("csrf", csrf)
			res, body = c.post("/exchange/compose", v)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: the %s template does not compose: %d\n%s", who, k, res.StatusCode, errorText(body))
			}
			decl := html.UnescapeString(declTextareaRE.FindStringSubmatch(body)[1])
			if d, err := exchange.Parse([]byte(decl), codes); err != nil || d.Participant != who {
				t.Errorf("%s: %s: %v", who, decl, err)
			}
		}
	}
	// An unknown template is refused on its field.
	c := &client{t: t, h: h}
	c.signIn(f.tokens["POL"])
	if res, body := c.get("/exchange?template=treaty"); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) {
		t.Errorf("unknown template: %d", res.StatusCode)
	}
}

// TestCorrectionPrefill pre-fills a correction from the entry it corrects.
func TestCorrectionPrefill(t *testing.T) {
	f := newExchangeFixture(t)
	c := &client{t: t, h: NewHandler(f.deps)}
	c.signIn(f.tokens["POL"])
	entry := strconv.FormatInt(polEntry(t, f), 10)
	res, body := c.get("/exchange?correct=" + entry)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `<option value="`+entry+`" selected>`) || !strings.Contains(body, "Anakonda") {
		t.Fatalf("prefill: status %d", res.StatusCode)
	}
	m := regexp.MustCompile(`(?s)<textarea id="d-correction-replacement"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no replacement box")
	}
	d, err := exchange.Parse([]byte(html.UnescapeString(m[1])), exchange.NewCodes(f.deps.Scenario))
	if err != nil || d.ExerciseNotification.Name != "Anakonda" {
		t.Fatalf("replacement %q: %v", m[1], err)
	}
	// Another participant's entry, or none, is refused.
	for _, q := range []string{"0", "999", "x"} {
		if res, _ := c.get("/exchange?correct=" + q); res.StatusCode != http.StatusBadRequest {
			t.Errorf("correct=%s: status %d", q, res.StatusCode)
		}
	}
}

// TestComposeRefusals: composing needs a delegation's session and its
// CSRF token, and stores nothing.
func TestComposeRefusals(t *testing.T) {
	f := newExchangeFixture(t)
	h := NewHandler(f.deps)
	before := f.size(t)
	anon := &client{t: t, h: h}
	if res, body := anon.post("/exchange/compose", url.Values{"kind": {"transfer_report"}}); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `role="alert"`) {
		t.Errorf("anonymous: %d", res.StatusCode)
	}
	sec := &client{t: t, h: h}
	sec.signIn(f.tokens["secretariat"])
	if res, _ := sec.post("/exchange/compose", url.Values{"kind": {"transfer_report"}, "csrf": {sec.csrf()}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("secretariat: %d", res.StatusCode)
	}
	pol := &client{t: t, h: h}
	pol.signIn(f.tokens["POL"])
	if res, _ := pol.post("/exchange/compose", url.Values{"kind": {"transfer_report"}, "csrf": {"x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("wrong CSRF: %d", res.StatusCode)
	}
	if f.size(t) != before {
		t.Errorf("composing changed the log")
	}
}

// TestDocsPage serves docs/exchange.md, rendered, and the Exchange page
// links to it.
func TestDocsPage(t *testing.T) {
	f := newExchangeFixture(t)
	h := NewHandler(f.deps)
	res, body := do(t, h, "GET", "/docs/exchange", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{`<h1 lang="en">Information exchange</h1>`, `<h2 id="declarations">Declarations</h2>`, `<h2 id="the-regime">The regime</h2>`,
		`<h3 id="annual_exchange">annual_exchange</h3>`, `<h3 id="exercise_notification">`, `<h3 id="transfer_report">`,
		`<h3 id="collective_forces_contribution">`, `<h3 id="correction">`, `&#34;kind&#34;: &#34;transfer_report&#34;`} {
		if !strings.Contains(body, want) {
			t.Errorf("the docs page lacks %s", want)
		}
	}
	c := &client{t: t, h: h}
	c.signIn(f.tokens["POL"])
	if _, body := c.get("/exchange"); !strings.Contains(body, `href="/docs/exchange"`) || !strings.Contains(body, `href="/docs/exchange#transfer_report"`) {
		t.Errorf("the Exchange page does not link to the docs")
	}
}

// TestDeclarationNumbersInRussian: a Russian reader types numbers the
// Russian way, a space between thousands and a comma before decimals;
// the quantity fields read them so, and a refusal names the field in
// Russian.
func TestDeclarationNumbersInRussian(t *testing.T) {
	f := newExchangeFixture(t)
	c := &client{t: t, h: NewHandler(f.deps)}
	c.signIn(f.tokens["POL"])
	csrf := c.csrf()
	transfer := func(quantity string) url.Values {
		return url.Values{"csrf": {csrf}, "kind": {"transfer_report"}, "role": {"exporter"}, "year": {"2025"}, "counterpart": {"DEU"},
			"category": {"battle_tanks"}, "quantity": {quantity}}
	}
	for _, tc := range []struct {
		name, lang, quantity string
		// want is the quantity composed, or 0 for a refusal whose
		// message on the quantity field is reason.
		want   int64
		reason string
	}{
		{"space-grouped", "ru", "1 234", 1234, ""},
		{"no-break space", "ru", "12\u00a0500", 12500, ""},
		{"decimal comma of a whole number", "ru", "14,0", 14, ""},
		{"decimal comma of a fraction", "ru", "0,5", 0, "Количество: введите целое число (только цифры, без дробной части и степени)."},
		{"English grouping in Russian", "ru", "1,234", 0, "Количество: введите целое число (только цифры, без дробной части и степени)."},
		{"two decimal separators", "ru", "1.234,5", 0, "Количество: «1.234,5» можно прочитать двояко; введите число без разделителей разрядов."},
		{"words", "ru", "много", 0, "Количество: введите целое число (только цифры, без дробной части и степени)."},
		{"English grouping in English", "en", "1,234", 1234, ""},
		{"a comma that cannot group, in English", "en", "1,5", 0, "Quantity: “1,5” could be read two ways; type it without group separators."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := c.post("/exchange/compose?lang="+tc.lang, transfer(tc.quantity))
			if tc.reason == "" {
				if res.StatusCode != http.StatusOK {
					t.Fatalf("status %d, want 200\n%s", res.StatusCode, errorText(body))
				}
				var d struct{ Quantity int64 }
				if err := json.Unmarshal([]byte(html.UnescapeString(declTextareaRE.FindStringSubmatch(body)[1])), &d); err != nil || d.Quantity != tc.want {
					t.Errorf("composed quantity %d (%v), want %d", d.Quantity, err, tc.want)
				}
				return
			}
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.StatusCode)
			}
			m := regexp.MustCompile(`<p class="field-error error" id="d-transfer_report-quantity-error">([^<]*)</p>`).FindStringSubmatch(body)
			if m == nil || html.UnescapeString(m[1]) != tc.reason {
				t.Errorf("the quantity field says %q, want %q", m, tc.reason)
			}
		})
	}
}
