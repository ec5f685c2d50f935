package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
)

// TestItemTable tables an amendment from the item page without
// JavaScript: the measure builder adds measures and removes one, as on
// the Assess page, and the table button tables the title, the text and
// the package, which the store then holds, assessed.
func TestItemTable(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	c, csrf := f.client(t, h, "DEU")
	action := f.itemURL(f.open) + "/versions"
	_, page := c.get(f.itemURL(f.open))
	for _, w := range []string{`id="table-form"`, `Table an amendment`, `id="f-type"`, `id="table-add-button"`} {
		if !strings.Contains(page, w) {
			t.Fatalf("the item page lacks %q", w)
		}
	}
	form := url.Values{"csrf": {csrf}, "title": {"A hotline, observers and fewer tanks"}, "text": {"The parties open a **hotline**.\r\n"}}
	set := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range form {
			v[k] = vs
		}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	// Add a hotline, then a cut of Poland's tanks, then a measure to
	// remove again.
	res, page := c.post(action, set("action", "add", "type", "cbm", "actor", "POL", "host", "DEU", "kind", "hotline"))
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Added measure 1 to the package.") {
		t.Fatalf("add: status %d", res.StatusCode)
	}
	form.Set("proposal", textareaValue(t, page, "f-proposal"))
	_, page = c.post(action, set("action", "add", "type", "holdings", "actor", "POL", "category", "battle_tanks", "quantity", "-20"))
	form.Set("proposal", textareaValue(t, page, "f-proposal"))
	_, page = c.post(action, set("action", "add", "type", "join", "actor", "POL", "organisation", "CSTO"))
	if !strings.Contains(page, "Added measure 3 to the package.") || !strings.Contains(page, `name="remove" value="2"`) {
		t.Fatal("the third measure is not in the package's list")
	}
	form.Set("proposal", textareaValue(t, page, "f-proposal"))
	res, page = c.post(action, set("remove", "2"))
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Removed measure 3") {
		t.Fatalf("remove: status %d", res.StatusCode)
	}
	form.Set("proposal", textareaValue(t, page, "f-proposal"))
	before := f.size(t)
	res, _ = c.post(action, set("action", "table"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("table: status %d", res.StatusCode)
	}
	want := fmt.Sprintf("%s?tabled=3", f.itemURL(f.open))
	if loc := res.Header.Get("Location"); loc != want {
		t.Fatalf("redirect to %q, want %q", loc, want)
	}
	// The store holds what was composed: the two measures, assessed.
	vs, err := f.svc.Versions(context.Background(), f.acc["DEU"], f.forum, f.open)
	if err != nil || len(vs) != 3 {
		t.Fatalf("%d versions (%v)", len(vs), err)
	}
	v := vs[2]
	wantMeasures := []indivisible.Measure{
		{Type: indivisible.MeasureCBM, Actors: []string{"POL", "DEU"}, Kind: "hotline"},
		{Type: indivisible.MeasureHoldings, Actor: "POL", Category: "battle_tanks", Change: -20},
	}
	if v.Number != 3 || v.Kind != indivisible.VersionAmendment || v.Participant != "DEU" || v.Title != form.Get("title") || v.Text != "The parties open a **hotline**." ||
		v.Package == nil || fmt.Sprint(v.Package.Measures) != fmt.Sprint(wantMeasures) || v.Assessment == nil {
		t.Fatalf("version %d %s by %s %q %q, package %+v, assessed %v", v.Number, v.Kind, v.Participant, v.Title, v.Text, v.Package, v.Assessment != nil)
	}
	if f.size(t) != before {
		t.Error("tabling wrote to the log")
	}
	_, page = c.get(want)
	for _, w := range []string{`id="tabled-banner"`, `Version 3 is tabled and is now the current version`, `Version 3: A hotline, observers and fewer tanks`,
		`Amendment tabled by Germany`, `id="verdict"`, `<input type="hidden" name="version" value="3">`} {
		if !strings.Contains(page, w) {
			t.Errorf("the page after tabling lacks %q", w)
		}
	}
}

// fieldMessage is the error message a page shows next to the builder's
// input for field (id f-field): the first in the input's field.
func fieldMessage(page, field string) string {
	i := strings.Index(page, `id="f-`+field+`"`)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	if j := strings.Index(rest, `<div class="field`); j >= 0 {
		rest = rest[:j]
	}
	m := regexp.MustCompile(`<p class="field-error"[^>]*>([^<]*)</p>`).FindStringSubmatch(rest)
	if m == nil {
		return ""
	}
	return m[1]
}

// textareaValue is the text of a page's textarea, as a browser would
// send it back.
func textareaValue(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<textarea id="` + id + `"[^>]*>(.*?)</textarea>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no textarea %s", id)
	}
	var s string
	if err := xml.Unmarshal([]byte("<x>"+m[1]+"</x>"), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestItemTableErrors checks the tabling form's refusals: the message in
// form language next to the field, the focused summary, the form as
// typed, and nothing tabled.
func TestItemTableErrors(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		field  string // the input marked
		msg    string
	}{
		{"no title", url.Values{"action": {"table"}, "text": {"Some text."}, "type": {"holdings"}}, 400, "title", "Title: must be 1 to 300 characters."},
		{"no text", url.Values{"action": {"table"}, "title": {"T"}, "type": {"holdings"}}, 400, "text", "Text: missing."},
		{"half a measure", url.Values{"action": {"add"}, "title": {"T"}, "text": {"x"}, "type": {"deploy"}, "actor": {"POL"}}, 400, "host", "choose one for a deploy measure"},
		// The model refuses it when the service assesses the package: the
		// builder says so in its words, on its field.
		{"withdraws what is not there", url.Values{"action": {"table"}, "title": {"T"}, "text": {"x"}, "type": {"withdraw"}, "actor": {"POL"}, "host": {"DEU"},
			"category": {"battle_tanks"}, "quantity": {"40"}}, 400, "quantity", "Poland has 0 battle tanks deployed in Germany; it cannot withdraw 40."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, csrf := f.client(t, h, "POL")
			tc.form.Set("csrf", csrf)
			res, page := c.post(f.itemURL(f.open)+"/versions", tc.form)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if !strings.Contains(page, `id="table-error" tabindex="-1" autofocus><strong>Not tabled.</strong> <a href="#f-`+tc.field+`">`) || !strings.Contains(page, `id="item"`) {
				t.Error("no focused error summary linking the field on the item page")
			}
			if !regexp.MustCompile(`id="f-` + tc.field + `"[^>]*aria-invalid="true"`).MatchString(page) {
				t.Errorf("field %s not marked", tc.field)
			}
			if got := fieldMessage(page, tc.field); !strings.Contains(got, tc.msg) {
				t.Errorf("message next to field %s: %q, want %q", tc.field, got, tc.msg)
			}
			for _, k := range []string{"title", "text"} {
				if v := tc.form.Get(k); v != "" && !strings.Contains(page, v) {
					t.Errorf("the %s typed is lost", k)
				}
			}
			vs, _ := f.svc.Versions(context.Background(), f.acc["POL"], f.forum, f.open)
			if len(vs) != 2 {
				t.Errorf("%d versions, want 2", len(vs))
			}
		})
	}
	// Who may not table, or where nothing more can be, is neither
	// offered the form nor served by its buttons; the refusal heads the
	// page.
	for _, tc := range []struct {
		name, who string
		item      func() int64
		status    int
	}{
		{"an expert", "Expert Ivanova", func() int64 { return f.open }, http.StatusForbidden},
		{"a closed item", "POL", func() int64 { return f.decided }, http.StatusConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, csrf := f.client(t, h, tc.who)
			if _, page := c.get(f.itemURL(tc.item())); strings.Contains(page, `id="table-form"`) {
				t.Error("the tabling form is offered")
			}
			for _, action := range []string{"add", "table"} {
				res, page := c.post(f.itemURL(tc.item())+"/versions", url.Values{"csrf": {csrf}, "action": {action}, "title": {"T"}, "text": {"x"},
					"type": {"cbm"}, "actor": {"POL"}, "host": {"DEU"}, "kind": {"hotline"}})
				if res.StatusCode != tc.status || !strings.Contains(page, `id="refused" tabindex="-1" autofocus><strong>Not tabled.</strong>`) {
					t.Errorf("%s: status %d, want %d with the refusal", action, res.StatusCode, tc.status)
				}
			}
		})
	}
	t.Run("closing a closed item", func(t *testing.T) {
		c, csrf := f.client(t, h, "secretariat")
		res, page := c.post(f.itemURL(f.decided)+"/close", url.Values{"csrf": {csrf}, "confirm": {"yes"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(page, `<strong>Not closed.</strong>`) || !strings.Contains(page, `id="item"`) {
			t.Errorf("status %d; the item's page lacks the refusal", res.StatusCode)
		}
	})
}

// TestItemConfirmations checks that a missing confirmation, to close the
// item or to object, shows the item's page with the message at the box,
// not an error page.
func TestItemConfirmations(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	for _, tc := range []struct {
		who, path string
		form      url.Values
		box, msg  string
	}{
		{"secretariat", "/close", url.Values{}, "close-confirm", "tick the box to confirm that you mean to close the item"},
		{"DEU", "/positions", url.Values{"version": {"2"}, "stance": {"object"}}, "f-confirm", "tick the box to confirm that you mean to object"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			before := f.size(t)
			c, csrf := f.client(t, h, tc.who)
			tc.form.Set("csrf", csrf)
			res, page := c.post(f.itemURL(f.open)+tc.path, tc.form)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d", res.StatusCode)
			}
			if !strings.Contains(page, `id="item"`) {
				t.Fatal("not the item's page")
			}
			box := regexp.MustCompile(`(?s)<input type="checkbox" id="` + tc.box + `"[^>]*aria-invalid="true" aria-describedby="` + tc.box + `-msg"[^>]*>.{0,200}<p class="field-error" id="` + tc.box + `-msg">` + regexp.QuoteMeta(tc.msg))
			if !box.MatchString(page) {
				t.Error("the message is not at the box")
			}
			if !strings.Contains(page, `<a href="#`+tc.box+`">`) || !strings.Contains(page, `tabindex="-1" autofocus`) {
				t.Error("the focused summary does not link the box")
			}
			if f.size(t) != before {
				t.Error("the log grew")
			}
		})
	}
}

// TestItemPositionNotice checks that the notice of a position just taken
// heads the positions' section and takes the focus.
func TestItemPositionNotice(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	c, csrf := f.client(t, h, "DEU")
	res, _ := c.post(f.itemURL(f.open)+"/positions", url.Values{"csrf": {csrf}, "version": {"2"}, "stance": {"support"}})
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	// A fragment would scroll the page but stop the notice's autofocus.
	if loc.Fragment != "" {
		t.Errorf("redirect to %s: a fragment", loc)
	}
	_, page := c.get(loc.RequestURI())
	section, notice, next := strings.Index(page, `<section id="positions"`), strings.Index(page, `id="taken-banner" tabindex="-1" autofocus`), strings.Index(page, `<section id="comments"`)
	if section < 0 || notice < section || notice > next {
		t.Errorf("the notice (at %d) is not in the positions' section (%d to %d)", notice, section, next)
	}
	if !strings.Contains(page, `<p class="notice" role="status" id="taken-banner"`) {
		t.Error("the notice is not a status")
	}
}

// TestItemSignedPosition signs a position as the page's script does:
// the body to sign comes from the server, the delegation's key signs it,
// and the form posts the statement, which the log then holds as signed by
// that key. A signature by another delegation's key is refused.
func TestItemSignedPosition(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	ctx := context.Background()
	c, csrf := f.client(t, h, "DEU")
	form := url.Values{"csrf": {csrf}, "version": {"2"}, "stance": {"join"}, "statement_kind": {"reservation"}, "statement": {"Observers at \"large\" exercises only."}}
	res, body := c.post(f.itemURL(f.open)+"/positions/body", form)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("body: status %d, %s: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	// The body as forum.PositionBody marshals it, written out by hand:
	// the fields in their order, at the fixture's clock.
	want := fmt.Sprintf(`{"type":"indivisible.forum.position/v1","forum":%d,"item":%d,"version":2,"participant":"DEU","stance":"join","statement_kind":"reservation","statement":"Observers at \"large\" exercises only.","time":"2026-03-02T09:30:00Z"}`, f.forum, f.open)
	if body != want {
		t.Fatalf("body to sign:\n%s\nwant\n%s", body, want)
	}
	sign := func(who string, msg []byte) (string, url.Values) {
		s, err := note.NewSigner(f.keys[who])
		if err != nil {
			t.Fatal(err)
		}
		sig, err := s.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		return s.Name(), url.Values{"csrf": {csrf}, "signed_body": {base64.StdEncoding.EncodeToString(msg)}, "signed_key": {s.Name()}, "signed_signature": {base64.StdEncoding.EncodeToString(sig)},
			// The form's fields come along; the signed body is what counts.
			"version": {"2"}, "stance": {"support"}}
	}
	for _, tc := range []struct {
		name string
		who  string
		msg  []byte
	}{
		{"another delegation's key", "POL", []byte(body)},
		{"a body changed after signing", "DEU", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.size(t)
			_, v := sign(tc.who, []byte(body))
			if tc.msg == nil {
				v.Set("signed_body", base64.StdEncoding.EncodeToString(bytes.Replace([]byte(body), []byte("join"), []byte("abstain"), 1)))
			}
			res, page := c.post(f.itemURL(f.open)+"/positions", v)
			if res.StatusCode < 400 || !strings.Contains(page, `id="position-error"`) {
				t.Errorf("status %d; no error on the form", res.StatusCode)
			}
			if f.size(t) != before {
				t.Error("a refused statement reached the log")
			}
		})
	}
	index := f.size(t)
	key, v := sign("DEU", []byte(body))
	res, _ = c.post(f.itemURL(f.open)+"/positions", v)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	e, err := f.log.Entry(ctx, index)
	if err != nil || e.Kind != indivisible.KindPosition || e.Participant != "DEU" || e.KeyName != key || string(e.Body) != body {
		t.Fatalf("entry %d: %s by %s with %s: %s (%v)", index, e.Kind, e.Participant, e.KeyName, e.Body, err)
	}
	_, page := c.get(res.Header.Get("Location"))
	for _, w := range []string{`signed with your key <code>` + key + `</code>`, `<td>signed <code>` + key + `</code></td>`, `Observers at &#34;large&#34; exercises only.`} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			form   url.Values
			status int
			msg    string
		}{
			{url.Values{"csrf": {csrf}, "stance": {"support"}}, 400, "the form lacks the version"},
			{url.Values{"csrf": {csrf}, "version": {"2"}, "stance": {"object"}}, 400, "tick the box to confirm"},
			{url.Values{"version": {"2"}, "stance": {"support"}}, 403, ""},
		} {
			res, text := c.post(f.itemURL(f.open)+"/positions/body", tc.form)
			b, _ := io.ReadAll(strings.NewReader(text))
			if res.StatusCode != tc.status || !strings.Contains(string(b), tc.msg) || len(b) == 0 {
				t.Errorf("%v: status %d: %q", tc.form, res.StatusCode, b)
			}
		}
	})
}

// TestDiffRendersMarkdown checks that a diff reads as the text does: a
// change inside bold text shows bold, with the inserted words marked, and
// a change across the bold's end still nests.
func TestDiffRendersMarkdown(t *testing.T) {
	for _, tc := range []struct {
		old, new string
		del, ins string
	}{
		{"Open a **hotline** now.", "Open a **hotline and observers** now.",
			"Open a <strong>hotline</strong> now.", "Open a <strong>hotline<mark> and observers</mark></strong> now."},
		{"Open a *hotline* and `inspections` at last.", "Open a *hotline* and `inspections` at [once](https://example.org/).",
			"Open a <em>hotline</em> and <code>inspections</code> at<mark> last.</mark>", `Open a <em>hotline</em> and <code>inspections</code> at<mark> </mark><a href="https://example.org/" rel="nofollow noopener"><mark>once</mark></a><mark>.</mark>`},
		{"- a **b** c", "- a **b c**", "", ""},
	} {
		ls := textDiff(tc.old, tc.new)
		if len(ls) != 2 || ls[0].Op != "del" || ls[1].Op != "ins" {
			t.Fatalf("%q to %q: %d lines", tc.old, tc.new, len(ls))
		}
		for i, want := range []string{tc.del, tc.ins} {
			got := string(ls[i].HTML)
			if strings.Contains(got, "**") || strings.Contains(got, "\ue000") || strings.Contains(got, "\ue001") {
				t.Errorf("%s line %q: raw Markdown or a marker left", ls[i].Op, got)
			}
			// Every mark nests: the line is well-formed.
			d := xml.NewDecoder(strings.NewReader("<x>" + got + "</x>"))
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Errorf("%s line %q is not well-formed: %v", ls[i].Op, got, err)
					break
				}
			}
			if want != "" && got != want {
				t.Errorf("%s line:\n%s\nwant\n%s", ls[i].Op, got, want)
			}
		}
	}
	// The item page shows it so.
	f := newForumFixture(t)
	_, page := do(t, NewHandler(f.deps), "GET", f.itemURL(f.open), nil)
	if !strings.Contains(page, `<ins>Poland and the Russian Federation open a <strong>hotline</strong> between their ministries of defence<mark> and </mark><em><mark>exchange military observers</mark></em><mark> at exercises</mark>.</ins>`) {
		t.Error("the item page's diff does not render the Markdown")
	}
}

// TestForumPagesChinese renders the forum's pages in Simplified Chinese:
// the pages' own text, the rule names and the outcome are the catalog's
// Chinese, and the page declares its language.
func TestForumPagesChinese(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	for _, tc := range []struct {
		target    string
		want      []string
		notWanted []string
	}{
		{"/forum?lang=zh-Hans", []string{`<h1>专家论坛</h1>`, `特定多数 <span class="hint">第1版</span>`, `<strong class="good">通过</strong>`, `第2轮进行中`},
			[]string{`Expert forum`, `qualified majority`, `Decision rule`}},
		{fmt.Sprintf("/forum/%d?lang=zh-Hans", f.forum), []string{`会议与议程`, `协商一致 <span class="hint">第1版</span>`, `成员国`},
			[]string{`Sessions and agenda`, `member state<`}},
		{f.itemURL(f.open) + "?lang=zh-Hans", []string{`<strong>协商一致</strong>，第1版`, `临时计票`, `第2版：A hotline and observers`, `解释性声明`, `以代表团自己的密钥签名`},
			[]string{`Provisional count`, `Take a position`, `Interpretative statement`}},
		{f.itemURL(f.decided) + "?lang=zh-Hans", []string{`<strong>特定多数</strong>，第1版`, `法定人数：经认证成员国的50%`, `投反对票`},
			[]string{`Voted against`, `Decided on version`}},
		{fmt.Sprintf("/forum/%d/questions/%d?lang=zh-Hans", f.forum, f.question), []string{`德尔菲问题：<code>exercise_range_km</code>`, `第2轮进行中。`, `问卷`},
			[]string{`Round feedback`, `The questionnaire`}},
	} {
		t.Run(tc.target, func(t *testing.T) {
			_, page := getPage(t, h, tc.target, http.StatusOK, append(tc.want, `<html lang="zh-Hans"`))
			for _, w := range tc.notWanted {
				if strings.Contains(page, w) {
					t.Errorf("the Chinese page has the English %q", w)
				}
			}
		})
	}
}
