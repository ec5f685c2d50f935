package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/accounts"
)

// axeScript is axe-core, vendored as a test fixture (testdata/axe/README.md).
func axeScript(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// axeViolation is one of axe-core's rules that a page breaks, with the
// first few elements that break it.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// checkAxe runs axe-core on the page shown and fails the test for each
// violation of impact serious or critical.
func checkAxe(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	if !get[bool](t, ctx, `typeof axe !== 'undefined'`) {
		run(t, ctx, chromedp.Evaluate[chromedp.Void](axe))
	}
	var vs []axeViolation
	ctx2, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx2, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations
		.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => ({ID: v.id, Impact: v.impact, Help: v.help, Nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ': ' + n.failureSummary.replace(/\s+/g, ' '))}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe: %v", page, err)
	}
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Errorf("%s: axe %s (%s): %s\n\t%s", page, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
}

// noSidewaysScroll fails the test when the page is wider than the
// window, naming the first elements beyond its right edge that are not
// inside a scrolling table or figure.
func noSidewaysScroll(t *testing.T, ctx context.Context, page string, width int64) {
	t.Helper()
	if get[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`) {
		return
	}
	t.Errorf("%s at %d px: the page scrolls sideways (%d px wide); beyond the edge: %s", page, width, get[int](t, ctx, `document.documentElement.scrollWidth`),
		get[string](t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.parentElement.closest('table, figure.calendar, .table-scroll, pre')).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className).join(', ')`))
}

// legendCover is the share of the map's area that its legend covers.
const legendCover = `(() => {
	const m = document.querySelector('.map-svg').getBoundingClientRect();
	const l = document.querySelector('figure.map .legend').getBoundingClientRect();
	const w = Math.max(0, Math.min(m.right, l.right) - Math.max(m.left, l.left));
	const h = Math.max(0, Math.min(m.bottom, l.bottom) - Math.max(m.top, l.top));
	return w * h / (m.width * m.height);
})()`

// TestBrowserAccessibility opens every kind of page, signed in and not,
// at a laptop's width and a phone's, and checks that axe-core finds no
// serious or critical violation, that no page scrolls sideways and that
// a map's legend leaves the map visible.
func TestBrowserAccessibility(t *testing.T) {
	f := newForumFixture(t)
	f.deps.AccountService = accounts.New(accounts.Config{Store: f.db, Scenario: f.deps.Scenario, Keys: f.log})
	axe := axeScript(t)
	ctx := browser(t)
	ts := serveWithKey(t, f)
	sec := f.acc["secretariat"]

	verified := chromedp.Poll[chromedp.Void](`document.getElementById('verify-status').className !== 'verify-status'`)
	// A shared link's assessment: Poland adds 250 tanks.
	tanks := shareLink(&indivisible.Proposal{Measures: []indivisible.Measure{
		{Type: indivisible.MeasureHoldings, Actor: "POL", Category: indivisible.BattleTanks, Change: 250}}}, 0.0001)
	visit := func(path string, ready ...chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] {
		return append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(ts.URL + path)}, ready...)
	}
	body := chromedp.WaitReady(chromedp.CSS(`main`))
	pages := []struct {
		name string
		as   string // who is signed in: a key of f.tokens, or nobody
		load []chromedp.Action[chromedp.Void]
		map_ bool
	}{
		{"overview", "", visit("/", mapDrawn), true},
		{"overview with an organisation", "", visit("/?org=CSTO", mapDrawn), true},
		{"assess", "", visit("/assess", mapDrawn), true},
		{"assess with a result", "", visit(tanks, chromedp.WaitVisible(chromedp.CSS(`#verdict`)), mapDrawn), true},
		{"state page", "", visit("/state/POL", chromedp.WaitVisible(chromedp.CSS(`#state-risk`))), false},
		{"organisation page", "", visit("/state/CSTO", chromedp.WaitVisible(chromedp.CSS(`#org-risk`))), false},
		{"exchange", "", visit("/exchange", chromedp.WaitVisible(chromedp.CSS(`#signin-button`))), false},
		{"log", "", visit("/log", chromedp.WaitVisible(chromedp.CSS(`#checkpoint-note`))), false},
		{"log entry", "", visit("/log/entry/1", verified), false},
		{"docs", "", visit("/docs/exchange", body), false},
		{"forum index", "", visit("/forum", chromedp.WaitVisible(chromedp.CSS(`main a[href="/forum/`+fmt.Sprint(f.forum)+`"]`))), false},
		{"forum page", "", visit(fmt.Sprintf("/forum/%d", f.forum), chromedp.WaitVisible(chromedp.CSS(`#delegations`))), false},
		{"item page", "", visit(f.itemURL(f.open), mapDrawn), true},
		{"decided item page", "", visit(f.itemURL(f.decided), mapDrawn), true},
		{"outcome page", "", visit(fmt.Sprintf("/forum/%d/items/%d/outcome", f.forum, f.decided), body), false},
		{"question page", "", visit(fmt.Sprintf("/forum/%d/questions/%d", f.forum, f.question), body), false},
		{"not found", "", visit("/nowhere", body), false},
		{"exchange, signed in", "POL", visit("/exchange", chromedp.WaitVisible(chromedp.CSS(`#account-name`))), false},
		{"item page, signed in", "POL", visit(f.itemURL(f.open), mapDrawn, chromedp.WaitVisible(chromedp.CSS(`#position-form`))), true},
		{"question page, as an expert", "Expert Schmidt", visit(fmt.Sprintf("/forum/%d/questions/%d", f.forum, f.question), chromedp.WaitVisible(chromedp.CSS(`#answer-form`))), false},
		{"desk", "secretariat", visit("/admin", chromedp.WaitVisible(chromedp.CSS(`#new-forum`))), false},
		{"desk: an account", "secretariat", visit(fmt.Sprintf("/admin/accounts/%d", sec.ID), chromedp.WaitVisible(chromedp.CSS(`#tokens`))), false},
		{"desk: the forum", "secretariat", visit(fmt.Sprintf("/admin/forums/%d", f.forum), chromedp.WaitVisible(chromedp.CSS(`#new-expert`))), false},
	}
	signedIn := ""
	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			run(t, ctx, chromedp.EmulateViewport(width, 900))
			for _, p := range pages {
				if p.as != signedIn {
					if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
						t.Fatal(err)
					}
					if p.as != "" {
						run(t, ctx, chromedp.Navigate(ts.URL+"/exchange"), chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens[p.as]),
							chromedp.Click(chromedp.CSS(`#signin-button`)), chromedp.WaitVisible(chromedp.CSS(`#header-signout`)))
					}
					signedIn = p.as
				}
				lctx, cancel := context.WithTimeout(ctx, 60*time.Second)
				err := chromedp.Do(lctx, p.load...)
				cancel()
				if err != nil {
					t.Fatalf("%s: %v", p.name, err)
				}
				checkAxe(t, ctx, axe, p.name)
				noSidewaysScroll(t, ctx, p.name, width)
				// The phone's overview and the desk, for docs/screenshots.
				if shot := map[string]string{"overview 390": "overview-390", "desk 1280": "admin"}[fmt.Sprint(p.name, " ", width)]; shot != "" {
					screenshot(t, ctx, shot, false)
				}
				// The calendar scrolls rather than shrink its 12 px labels
				// below 10.5 px.
				if px := get[float64](t, ctx, `(() => { const s = document.querySelector('figure.calendar svg'); return s ? s.getBoundingClientRect().width / s.viewBox.baseVal.width * 12 : 12; })()`); px < 10.5 {
					t.Errorf("%s at %d px: the calendar's labels are %.1f px high", p.name, width, px)
				}
				if p.map_ {
					if c := get[float64](t, ctx, legendCover); c > 0.05 {
						t.Errorf("%s at %d px: the legend covers %.0f%% of the map", p.name, width, 100*c)
					}
				}
			}
		})
	}
}
