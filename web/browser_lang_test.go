package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/indivisible-eurasia/indivisible"
)

// TestBrowserLanguages is a reader's journey in Russian and in Chinese,
// with the language chosen as a reader chooses it: by the browser's
// Accept-Language from the first visit, or by the header's language
// switch, which the site then remembers. The reader assesses a proposal,
// signs in as a delegation and files a declaration by its form with a
// number typed in the language's notation, signs a position on the open
// item, and reads the decided item's outcome document. Every page must be
// in the language (<html lang>, headings in its script); elements are
// found by id, never by their English text.
func TestBrowserLanguages(t *testing.T) {
	for _, tc := range []struct {
		lang string // the tag the pages say they are in
		// script is the Unicode script of the language's text, as
		// JavaScript's \p{Script=...} names it.
		script string
		// accept is the Accept-Language the browser sends from the first
		// visit; "" chooses the language by the header's switch.
		accept string
		// quantity is typed in the language's notation; it reads 1234.
		quantity string
		// shots names the screenshots of the assessment, the exchange,
		// the item and the outcome ("" for none).
		shots [4]string
	}{
		{"ru", "Cyrillic", "ru-RU,ru;q=0.9", "1 234", [4]string{"assess-ru", "", "item-ru", ""}},
		{"zh-Hans", "Han", "", "1,234", [4]string{"", "exchange-zh", "", "outcome-zh"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			f := newForumFixture(t)
			ctx := browser(t)
			ts := serveWithKey(t, f)
			bg := context.Background()
			const who = "DEU"
			page := func(heading string) { t.Helper(); inLanguage(t, ctx, tc.lang, tc.script, heading) }
			// shot takes screenshot i with the element id in view, or
			// the page's top for "".
			shot := func(i int, id string) {
				t.Helper()
				if tc.shots[i] == "" {
					return
				}
				scroll := `window.scrollTo(0, 0)`
				if id != "" {
					scroll = fmt.Sprintf(`document.getElementById(%q).scrollIntoView()`, id)
				}
				run(t, ctx, chromedp.Evaluate[chromedp.Void](scroll))
				screenshot(t, ctx, tc.shots[i], false)
			}

			// 1. The language, and an assessment in it: Poland adds 250
			// tanks in the measure builder.
			if tc.accept != "" {
				if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": tc.accept}}); err != nil {
					t.Fatal(err)
				}
				run(t, ctx, chromedp.Navigate(ts.URL+"/assess"), mapDrawn)
			} else {
				// The browser asks for English; the reader picks the
				// language in the header, a link to the same page.
				run(t, ctx, chromedp.Navigate(ts.URL+"/assess"), mapDrawn)
				if l := get[string](t, ctx, `document.documentElement.lang`); l != "en" {
					t.Errorf("before choosing, the page is in %q, want en", l)
				}
				sel := fmt.Sprintf(`nav.languages a[hreflang=%q]`, tc.lang)
				href := get[string](t, ctx, fmt.Sprintf(`(document.querySelector(%q) || {href: ''}).href`, sel))
				if href == "" {
					t.Fatalf("the header has no %s", sel)
				}
				// Go where the link goes rather than click it and wait on
				// a page whose elements the old one has too.
				run(t, ctx, chromedp.Navigate(href), mapDrawn)
				if !get[bool](t, ctx, fmt.Sprintf(`document.querySelector(%q).getAttribute('aria-current') === 'true'`, sel)) {
					t.Errorf("the switch does not mark %s as the current language", tc.lang)
				}
			}
			page(`main h1`)
			run(t, ctx,
				chromedp.SetValue(chromedp.CSS(`#f-actor`), "POL"),
				chromedp.SetValue(chromedp.CSS(`#f-category`), "battle_tanks"),
				chromedp.SendKeys(chromedp.CSS(`#f-quantity`), "250"),
				chromedp.Click(chromedp.CSS(`#assess-button`)),
				chromedp.WaitVisible(chromedp.CSS(`#verdict`)), mapDrawn)
			a, err := f.deps.Assessor.Assess(bg, &indivisible.Proposal{Measures: []indivisible.Measure{
				{Type: indivisible.MeasureHoldings, Actor: "POL", Category: indivisible.BattleTanks, Change: 250}}}, indivisible.DefaultTolerance)
			if err != nil {
				t.Fatal(err)
			}
			if c := get[string](t, ctx, `document.getElementById('verdict').className`); !strings.Contains(c, "verdict-"+string(a.Verdict)) {
				t.Errorf("the verdict shown is %q, the model's is %s", c, a.Verdict)
			}
			page(`#verdict`)
			shot(0, "")

			// 2. Sign in as the delegation and file a transfer report by
			// its form, the quantity typed in the language's notation.
			run(t, ctx, chromedp.Navigate(ts.URL+"/exchange"), chromedp.WaitVisible(chromedp.CSS(`#signin-button`)))
			page(`main h1`)
			run(t, ctx,
				chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens[who]),
				chromedp.Click(chromedp.CSS(`#signin-button`)),
				chromedp.WaitVisible(chromedp.CSS(`#account-name`)))
			page(`main h1`)
			run(t, ctx, append(fillTransferReport(tc.quantity),
				chromedp.Click(chromedp.CSS(`#compose-transfer_report-button`)),
				chromedp.WaitVisible(chromedp.CSS(`#composed`)))...)
			page(`main h1`)
			decl := get[string](t, ctx, `document.getElementById('f-declaration').value`)
			var d struct {
				Kind, Participant, Role, Counterpart string
				Quantity                             json.Number
			}
			if err := json.Unmarshal([]byte(decl), &d); err != nil || d.Kind != "transfer_report" || d.Participant != who || d.Role != "importer" || d.Counterpart != "KOR" || d.Quantity != "1234" {
				t.Fatalf("%q typed in %s composed %+v (%v):\n%s", tc.quantity, tc.lang, d, err, decl)
			}
			before := f.size(t)
			run(t, ctx,
				chromedp.SetUploadFiles(chromedp.CSS(`#f-keyfile`), []string{f.keyFiles[who]}),
				chromedp.Click(chromedp.CSS(`#sign-button`)),
				chromedp.Poll[chromedp.Void](`document.getElementById('sign-status').textContent !== ''`))
			if c, sig := get[string](t, ctx, `document.getElementById('sign-status').className`), get[string](t, ctx, `document.getElementById('f-signature').value`); !strings.Contains(c, "ok") || !strings.HasPrefix(sig, who+"-") {
				t.Fatalf("signing in the browser: status %q, signature %q", c, sig)
			}
			run(t, ctx, chromedp.Click(chromedp.CSS(`#file-button`)), chromedp.WaitVisible(chromedp.CSS(`#filed`)))
			page(`#filed h3`)
			if s := get[string](t, ctx, `document.querySelector('#filed h3 a').textContent`); s != fmt.Sprint(before) {
				t.Errorf("the notice names entry %q, want %d", s, before)
			}
			if f.size(t) != before+1 {
				t.Fatalf("log size %d, want %d", f.size(t), before+1)
			}
			if e, err := f.log.Entry(bg, before); err != nil || e.Participant != who || string(e.Body) != decl {
				t.Errorf("entry %d: %q by %s (%v), want the composed\n%s", before, e.Body, e.Participant, err, decl)
			}
			shot(1, "filed")

			// 3. Sign a position of support on the open item with the
			// delegation's key file.
			run(t, ctx, chromedp.Navigate(ts.URL+f.itemURL(f.open)), chromedp.WaitVisible(chromedp.CSS(`#position-form`)))
			page(`#positions-h`)
			before = f.size(t)
			run(t, ctx,
				chromedp.Click(chromedp.CSS(`#stance-support`)),
				chromedp.SetUploadFiles(chromedp.CSS(`#f-position-key`), []string{f.keyFiles[who]}),
				chromedp.Click(chromedp.CSS(`#position-button`)),
				chromedp.WaitVisible(chromedp.CSS(`#taken-banner`)))
			page(`#take-h`)
			if s := get[string](t, ctx, `document.getElementById('taken-banner').textContent`); !hasScript(t, ctx, tc.script, s) || !strings.Contains(s, fmt.Sprint(before)) {
				t.Errorf("the position's notice %q is not in %s or does not name entry %d", s, tc.lang, before)
			}
			if f.size(t) != before+1 {
				t.Fatalf("log size %d, want %d", f.size(t), before+1)
			}
			e, err := f.log.Entry(bg, before)
			if err != nil || e.Kind != indivisible.KindPosition || !strings.HasPrefix(e.KeyName, who+"-") ||
				!strings.Contains(string(e.Body), `"version":2,"participant":"DEU","stance":"support"`) {
				t.Fatalf("entry %d: %s by %s: %s (%v)", before, e.Kind, e.KeyName, e.Body, err)
			}
			shot(2, "taken-banner")

			// 4. The decided item's outcome document.
			run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/forum/%d/items/%d/outcome", ts.URL, f.forum, f.decided)),
				chromedp.WaitVisible(chromedp.CSS(`#verify-h`)))
			page(`#verify-h`)
			if h := get[string](t, ctx, `(document.querySelector('#document h1') || {textContent: ''}).textContent`); !hasScript(t, ctx, tc.script, h) {
				t.Errorf("the outcome document's heading %q is not in %s", h, tc.lang)
			}
			if !get[bool](t, ctx, `document.getElementById('hash-match') !== null`) {
				t.Error("the outcome page does not confirm the document's hash")
			}
			shot(3, "")
		})
	}
}

// inLanguage checks the page shown: <html lang> is lang; the element
// heading has text in script and no Latin letter (it holds no data, only
// the catalog's text); and every heading of main outside the outcome
// document, and every entry of the header's navigation, has some text in
// script (a heading may also hold data, such as an item's title).
func inLanguage(t *testing.T, ctx context.Context, lang, script, heading string) {
	t.Helper()
	path := get[string](t, ctx, `location.pathname`)
	if l := get[string](t, ctx, `document.documentElement.lang`); l != lang {
		t.Errorf("%s: <html lang=%q>, want %q", path, l, lang)
	}
	h := get[string](t, ctx, fmt.Sprintf(`(document.querySelector(%q) || {textContent: ''}).textContent.trim()`, heading))
	if !hasScript(t, ctx, script, h) || strings.ContainsFunc(h, func(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }) {
		t.Errorf("%s: %s reads %q, not %s text", path, heading, h, script)
	}
	untranslated := get[[]string](t, ctx, fmt.Sprintf(`Array.from(document.querySelectorAll('main h1, main h2, header.top nav:not(.languages) a'))
		.filter(e => !e.closest('#document') && !/\p{Script=%s}/u.test(e.textContent)).map(e => e.textContent.trim())`, script))
	if len(untranslated) > 0 {
		t.Errorf("%s: not in %s: %q", path, script, untranslated)
	}
}

// hasScript reports whether s has a letter of the Unicode script, as the
// browser's regular expressions class them.
func hasScript(t *testing.T, ctx context.Context, script, s string) bool {
	t.Helper()
	q, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return get[bool](t, ctx, fmt.Sprintf(`/\p{Script=%s}/u.test(%s)`, script, q))
}
