package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/indivisible-eurasia/indivisible"
)

// TestBrowserDelegationJourney follows a delegation through its work, on
// a laptop's width and a phone's: it signs in, files a declaration of
// every kind by its form on the Exchange page, signed in the browser with
// its key file, tables an amendment with a package composed in the
// measure builder, and signs its position on it with its key. Each step is
// checked in the log or the store, not only on the page.
func TestBrowserDelegationJourney(t *testing.T) {
	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprintf("%dpx", width), func(t *testing.T) {
			f := newForumFixture(t)
			ctx := browser(t)
			run(t, ctx, chromedp.EmulateViewport(width, 900))
			ts := serveWithKey(t, f)
			bg := context.Background()
			const who = "DEU"
			key := f.keyFiles[who]

			run(t, ctx, chromedp.Navigate(ts.URL+"/exchange"),
				chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens[who]),
				chromedp.Click(chromedp.CSS(`#signin-button`)),
				chromedp.WaitVisible(chromedp.CSS(`#account-name`)))

			// Sign the composed declaration in the browser and file it; the
			// log's new entry is the text the form composed, by the key.
			file := func(t *testing.T, kind string) {
				t.Helper()
				before := f.size(t)
				run(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#composed`)))
				decl := get[string](t, ctx, `document.getElementById('f-declaration').value`)
				run(t, ctx,
					chromedp.SetUploadFiles(chromedp.CSS(`#f-keyfile`), []string{key}),
					chromedp.Click(chromedp.CSS(`#sign-button`)),
					chromedp.Poll[chromedp.Void](`document.getElementById('sign-status').textContent !== ''`))
				if s := get[string](t, ctx, `document.getElementById('sign-status').textContent`); !strings.HasPrefix(s, "Signed ") {
					t.Fatalf("%s: signing: %q", kind, s)
				}
				run(t, ctx, chromedp.Click(chromedp.CSS(`#file-button`)), chromedp.WaitVisible(chromedp.CSS(`#filed`)))
				if f.size(t) != before+1 {
					t.Fatalf("%s: log size %d, want %d", kind, f.size(t), before+1)
				}
				e, err := f.log.Entry(bg, before)
				if err != nil || e.Kind != indivisible.KindDeclaration || e.Participant != who || !strings.HasPrefix(e.KeyName, who+"-") ||
					string(e.Body) != decl || !strings.Contains(decl, `"kind": "`+kind+`"`) && !strings.Contains(decl, `"kind":"`+kind+`"`) {
					t.Fatalf("%s: entry %d: %s by %s with %s: %s (%v)", kind, before, e.Kind, e.Participant, e.KeyName, e.Body, err)
				}
			}
			for _, k := range indivisible.DeclarationKinds {
				if k == indivisible.KindCorrection {
					continue
				}
				t.Run(string(k), func(t *testing.T) {
					run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/exchange?template=%s#compose-%s", ts.URL, k, k)),
						chromedp.Click(chromedp.CSS(`#compose-`+string(k)+`-button`)))
					file(t, string(k))
				})
			}
			// The correction starts from one of the delegation's own
			// declarations, the one just filed.
			t.Run(string(indivisible.KindCorrection), func(t *testing.T) {
				run(t, ctx, chromedp.Navigate(ts.URL+"/exchange#compose"),
					chromedp.WaitVisible(chromedp.CSS(`#prefill-button`)))
				// The pre-fill form is a GET form: go where it goes, rather
				// than click and wait on the page being left (a wait that
				// can hold a node of the old page and never end).
				correct := get[string](t, ctx, `document.getElementById('prefill-correct').value`)
				run(t, ctx, chromedp.Navigate(ts.URL+"/exchange?correct="+url.QueryEscape(correct)+"#compose-correction"),
					chromedp.WaitVisible(chromedp.CSS(`#compose-correction-button`)),
					chromedp.SetValue(chromedp.CSS(`#d-correction-reason`), "The quantity was miscounted."),
					chromedp.Click(chromedp.CSS(`#compose-correction-button`)))
				file(t, string(indivisible.KindCorrection))
			})

			// Table an amendment: a hotline and a cut in tanks, composed in
			// the builder, with the builder's fields shown by type.
			item := ts.URL + f.itemURL(f.open)
			run(t, ctx, chromedp.Navigate(item), chromedp.WaitVisible(chromedp.CSS(`#table-form`)))
			if get[bool](t, ctx, `document.querySelector('#table-form #f-organisation').closest('.field').hidden === false`) {
				t.Error("the builder shows an organisation for a change of holdings")
			}
			run(t, ctx,
				chromedp.SendKeys(chromedp.CSS(`#f-title`), "A hotline and fewer tanks"),
				chromedp.SendKeys(chromedp.CSS(`#f-text`), "The parties open a **hotline** and cut their tanks."),
				chromedp.SetValue(chromedp.CSS(`#f-type`), "cbm"),
				chromedp.SetValue(chromedp.CSS(`#f-actor`), "DEU"),
				chromedp.SetValue(chromedp.CSS(`#f-host`), "RUS"),
				chromedp.SetValue(chromedp.CSS(`#f-kind`), "hotline"),
				chromedp.Click(chromedp.CSS(`#table-add-button`)),
				chromedp.WaitVisible(chromedp.CSS(`#table-notice`)))
			if s := get[string](t, ctx, `document.getElementById('f-title').value`); s != "A hotline and fewer tanks" {
				t.Errorf("adding a measure lost the title: %q", s)
			}
			run(t, ctx,
				chromedp.SetValue(chromedp.CSS(`#f-type`), "holdings"),
				chromedp.SetValue(chromedp.CSS(`#f-actor`), "DEU"),
				chromedp.SetValue(chromedp.CSS(`#f-category`), "battle_tanks"),
				chromedp.SendKeys(chromedp.CSS(`#f-quantity`), "-10"),
				chromedp.Click(chromedp.CSS(`#table-add-button`)),
				chromedp.WaitVisible(chromedp.CSS(`#measure-1`)))
			if n := get[int](t, ctx, `document.querySelectorAll('#package li').length`); n != 2 {
				t.Fatalf("%d measures in the package, want 2", n)
			}
			screenshot(t, ctx, fmt.Sprintf("forum-table-%d", width), false)
			run(t, ctx, chromedp.Click(chromedp.CSS(`#table-button`)), chromedp.WaitVisible(chromedp.CSS(`#tabled-banner`)))
			vs, err := f.svc.Versions(bg, f.acc[who], f.forum, f.open)
			if err != nil || len(vs) != 3 {
				t.Fatalf("%d versions (%v)", len(vs), err)
			}
			want := fmt.Sprint([]indivisible.Measure{
				{Type: indivisible.MeasureCBM, Actors: []string{"DEU", "RUS"}, Kind: "hotline"},
				{Type: indivisible.MeasureHoldings, Actor: "DEU", Category: "battle_tanks", Change: -10},
			})
			if v := vs[2]; v.Participant != who || v.Title != "A hotline and fewer tanks" || v.Package == nil || fmt.Sprint(v.Package.Measures) != want || v.Assessment == nil {
				t.Fatalf("version 3 by %s %q, package %+v", v.Participant, v.Title, v.Package)
			}
			if !get[bool](t, ctx, `document.getElementById('verdict') !== null && document.activeElement === document.getElementById('tabled-banner')`) {
				t.Error("the new version's assessment is not shown, or the notice has not the focus")
			}

			// Another delegation's key file is refused before anything is
			// signed or sent.
			before := f.size(t)
			run(t, ctx,
				chromedp.Click(chromedp.CSS(`#stance-support`)),
				chromedp.SetUploadFiles(chromedp.CSS(`#f-position-key`), []string{f.keyFiles["POL"]}),
				chromedp.Click(chromedp.CSS(`#position-button`)),
				chromedp.Poll[chromedp.Void](`document.getElementById('position-sign-status').textContent !== ''`))
			if s := get[string](t, ctx, `document.getElementById('position-sign-status').textContent`); !strings.HasPrefix(s, "Not signed, and not sent: the key file POL-") {
				t.Errorf("another delegation's key: %q", s)
			}
			if f.size(t) != before || get[string](t, ctx, `document.querySelector('[name=signed_signature]').value`) != "" {
				t.Fatal("a position was signed with another delegation's key")
			}

			// Sign the position with the key file; the page fetches the
			// statement from the server, signs it and posts it.
			run(t, ctx,
				chromedp.SetUploadFiles(chromedp.CSS(`#f-position-key`), []string{key}),
				chromedp.Click(chromedp.CSS(`#position-button`)),
				chromedp.WaitVisible(chromedp.CSS(`#taken-banner`)))
			if f.size(t) != before+1 {
				t.Fatalf("log size %d, want %d", f.size(t), before+1)
			}
			e, err := f.log.Entry(bg, before)
			if err != nil || e.Kind != indivisible.KindPosition || e.Participant != who || !strings.HasPrefix(e.KeyName, who+"-") ||
				!strings.Contains(string(e.Body), `"version":3,"participant":"DEU","stance":"support"`) {
				t.Fatalf("entry %d: %s by %s with %s: %s (%v)", before, e.Kind, e.Participant, e.KeyName, e.Body, err)
			}
			ps, err := f.svc.Positions(bg, f.acc[who], f.forum, f.open)
			if err != nil || ps[len(ps)-1].LogIndex != before || ps[len(ps)-1].KeyName != e.KeyName {
				t.Fatalf("the store's last position is not the signed one (%v)", err)
			}
			row := get[string](t, ctx, `(() => { const r = document.querySelector('#positions tr.taken'); return r ? r.innerText : ''; })()`)
			for _, w := range []string{"Germany", "Support", "signed " + e.KeyName, "current"} {
				if !strings.Contains(row, w) {
					t.Errorf("the new position's row %q lacks %q", row, w)
				}
			}
			if !get[bool](t, ctx, `(() => { const b = document.getElementById('taken-banner').getBoundingClientRect(); return document.activeElement.id === 'taken-banner' && b.top >= 0 && b.bottom <= innerHeight; })()`) {
				t.Error("the notice of the position is not in view with the focus")
			}
			screenshot(t, ctx, fmt.Sprintf("forum-signed-position-%d", width), false)
		})
	}
}
