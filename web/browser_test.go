package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/cosign"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/witness"
)

var screenshots = flag.Bool("screenshots", os.Getenv("SCREENSHOTS") != "", "also write the browser tests' screenshots to docs/screenshots/ (or set SCREENSHOTS=1)")

// browser starts a headless Chromium for the test. Without one the test
// skips, except under CI=true, where a missing browser is a failure:
// scripts/test.sh installs Debian's chromium.
func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium on PATH; the browser tests need it (apt-get install chromium)")
		}
		t.Skip("no Chromium on PATH; skipping the browser tests (apt-get install chromium to run them)")
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first action starts the browser; a timeout on its context would
	// end the browser with it, so the steps below take their own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	// A headless page never has the window's focus, so focus events would
	// not fire; the keyboard tests need them.
	if _, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	// A laptop's screen, for the layout and the screenshots.
	run(t, ctx, chromedp.EmulateViewport(1440, 900))
	return ctx
}

// run does steps with a time limit, failing the test on an error.
func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// get evaluates a JavaScript expression with a time limit.
func get[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// screenshot saves the viewport, or the full page, as name.png in the
// test's artifacts and, with -screenshots, in docs/screenshots/.
func screenshot(t *testing.T, ctx context.Context, name string, full bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	shot := chromedp.CaptureScreenshot()
	if full {
		shot = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{t.ArtifactDir()}
	if *screenshots {
		dirs = append(dirs, filepath.Join("..", "docs", "screenshots"))
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mapDrawn waits until the page's map has been drawn.
var mapDrawn = chromedp.Poll[chromedp.Void](`performance.getEntriesByName('map-drawn').length > 0 && document.querySelector('.map-svg g.state') !== null`)

func TestBrowser(t *testing.T) {
	// The exchange fixture's dependencies, so that the navigation bar is
	// the whole one in the screenshots.
	deps := newExchangeFixture(t).deps
	ctx := browser(t)
	ts := httptest.NewServer(NewHandler(deps))
	defer ts.Close()
	var states []string
	for _, p := range deps.Scenario.Participants {
		if p.Kind == indivisible.State {
			states = append(states, p.Code)
		}
	}
	slices.Sort(states)

	// First, with an empty cache, what the overview weighs and how soon it
	// shows, on a laptop and on a phone (docs/benchmarks.md).
	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprintf("weight/%d", width), func(t *testing.T) { overviewWeight(t, ctx, ts.URL, width) })
	}
	run(t, ctx, chromedp.EmulateViewport(1440, 900))

	t.Run("overview", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(ts.URL+"/"), mapDrawn)
		// Every state has a focusable, labelled shape, once.
		drawn := get[[]string](t, ctx, `Array.from(document.querySelectorAll('.map-svg g.state[tabindex]'))
			.filter(g => g.getAttribute('aria-label') && g.querySelector('path[d], circle'))
			.map(g => g.dataset.code).sort()`)
		if !slices.Equal(drawn, states) {
			t.Errorf("map shapes %d, states %d; missing or extra: %v", len(drawn), len(states), symmetricDifference(drawn, states))
		}
		screenshot(t, ctx, "overview", false)
		if title := get[string](t, ctx, `document.querySelector('.legend-title').textContent`); title != english.T("assess.legend.risk") {
			t.Errorf("legend %q, want %q", title, english.T("assess.legend.risk"))
		}

		// Keyboard focus on a state shows its tooltip.
		run(t, ctx, chromedp.Focus(chromedp.CSS(`.map-svg g.state[data-code="POL"]`)))
		tooltip := `(() => { const t = document.querySelector('.map-tip'); return t.hidden ? '' : t.textContent; })()`
		if tip := get[string](t, ctx, tooltip); !strings.HasPrefix(tip, "Poland: annual risk of facing a militarized dispute ") || !strings.Contains(tip, "%") {
			t.Errorf("tooltip on focus = %q", tip)
		}
		// An arrow moves on to another state (TestBrowserMapKeyboard).
		run(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
		next := get[string](t, ctx, `document.activeElement.getAttribute('aria-label') || ''`)
		if tip := get[string](t, ctx, tooltip); next == "" || tip != next || strings.HasPrefix(next, "Poland") {
			t.Errorf("after ArrowDown: focus on %q, tooltip %q", next, tip)
		}

		// Choosing an organisation outlines its members, without a reload.
		run(t, ctx, chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`), chromedp.Click(chromedp.CSS(`#org-CSTO`)),
			chromedp.Poll[chromedp.Void](`document.querySelectorAll('.map-svg.highlighting g.state.hl').length > 0`))
		hl := get[[]string](t, ctx, `Array.from(new Set(Array.from(document.querySelectorAll('.map-svg g.state.hl')).map(g => g.dataset.code))).sort()`)
		if want := []string{"ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"}; !slices.Equal(hl, want) {
			t.Errorf("CSTO highlight %v, want %v", hl, want)
		}
		if !get[bool](t, ctx, `window.notReloaded === true && location.search === '?org=CSTO'`) {
			t.Errorf("choosing an organisation reloaded the page or did not update the URL")
		}
		screenshot(t, ctx, "overview-organisation", false)

		// Laptop and tablet widths: nothing overflows sideways.
		for _, width := range []int64{1280, 1024, 800} {
			run(t, ctx, chromedp.EmulateViewport(width, 720), mapDrawn)
			if !get[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`) {
				t.Errorf("at %d px the page scrolls sideways", width)
			}
		}
		run(t, ctx, chromedp.EmulateViewport(1440, 900))
	})

	t.Run("assess", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(ts.URL+"/assess"), mapDrawn)
		// A deployment without a host: the error comes back in place,
		// with the field marked.
		run(t, ctx,
			chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`),
			chromedp.SetValue(chromedp.CSS(`#f-type`), "deploy"),
			chromedp.SetValue(chromedp.CSS(`#f-actor`), "USA"),
			chromedp.SendKeys(chromedp.CSS(`#f-quantity`), "24"),
			chromedp.Click(chromedp.CSS(`#assess-button`)),
			chromedp.WaitVisible(chromedp.CSS(`#form-error`)), mapDrawn)
		if !get[bool](t, ctx, `window.notReloaded === true && document.getElementById('f-host').getAttribute('aria-invalid') === 'true'`) {
			t.Errorf("the error reloaded the page or did not mark the host field")
		}
		screenshot(t, ctx, "assess-error", false)

		// Pick Poland on the map for the actor; the form shows the fields
		// of a holdings measure only.
		run(t, ctx, chromedp.Navigate(ts.URL+"/assess"), mapDrawn)
		run(t, ctx, chromedp.Click(chromedp.CSS(`.map-svg g.state[data-code="POL"]`)))
		if v := get[string](t, ctx, `document.getElementById('f-actor').value`); v != "POL" {
			t.Fatalf("clicking Poland on the map set the actor to %q", v)
		}
		if get[bool](t, ctx, `document.getElementById('f-organisation').closest('.field').hidden === false`) {
			t.Errorf("the organisation field shows for a holdings measure")
		}
		run(t, ctx,
			chromedp.SetValue(chromedp.CSS(`#f-category`), "battle_tanks"),
			chromedp.SendKeys(chromedp.CSS(`#f-quantity`), "250"),
			chromedp.Click(chromedp.CSS(`#assess-button`)),
			chromedp.WaitVisible(chromedp.CSS(`#verdict`)), mapDrawn)
		verdict, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#verdict`)))
		if err != nil || verdict != string(indivisible.Divisible) {
			t.Errorf("verdict %q (%v), want divisible", verdict, err)
		}
		run(t, ctx, chromedp.Poll[chromedp.Void](`document.querySelector('.legend-title').textContent === '`+english.T("assess.legend.change")+`'`),
			chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		// The summary's first sentence names the state whose risk rises
		// most, as the model has it.
		a, err := deps.Assessor.Assess(context.Background(), &indivisible.Proposal{Measures: []indivisible.Measure{
			{Type: indivisible.MeasureHoldings, Actor: "POL", Category: indivisible.BattleTanks, Change: 250}}}, indivisible.DefaultTolerance)
		if err != nil {
			t.Fatal(err)
		}
		worst := slices.MinFunc(a.Participants, func(x, y indivisible.ParticipantResult) int { return cmp.Compare(x.Delta, y.Delta) })
		if first := get[string](t, ctx, `document.querySelector('.risk-summary li').textContent`); !strings.HasPrefix(first, worst.Name+"'s annual risk rises from ") || !strings.Contains(first, "%") {
			t.Errorf("first summary sentence %q, want one about %s", first, worst.Name)
		}
		screenshot(t, ctx, "assess", false)
		screenshot(t, ctx, "assess-result", true)

		// Paste a package and assess it.
		pkg, err := os.ReadFile("../examples/05-caucasus-cbm.json")
		if err != nil {
			t.Fatal(err)
		}
		// The form still holds Poland's tanks, which would be assessed with
		// the package (TestBrowserAssessJourney); clear it first.
		run(t, ctx,
			chromedp.SetValue(chromedp.CSS(`#f-actor`), ""),
			chromedp.SetValue(chromedp.CSS(`#f-quantity`), ""),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('details.package').open = true`),
			chromedp.SetValue(chromedp.CSS(`#f-proposal`), string(pkg)),
			chromedp.Click(chromedp.CSS(`#assess-button`)),
			chromedp.Poll[chromedp.Void](`(document.getElementById('verdict') || {}).textContent === 'indivisible'`))
	})
}

// overviewWeight logs what the overview transfers at a width, with an
// empty cache, and how soon it shows. It asserts no time.
func overviewWeight(t *testing.T, ctx context.Context, url string, width int64) {
	if _, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate(url+"/"), mapDrawn)
	type perf struct {
		HTML, Resources    float64 // bytes on the wire, gzipped
		Decoded            float64
		FCP, DOMReady, Map float64 // ms from navigation start
	}
	p := get[perf](t, ctx, `(() => {
		const nav = performance.getEntriesByType('navigation')[0];
		const res = performance.getEntriesByType('resource');
		const fcp = performance.getEntriesByName('first-contentful-paint')[0];
		return {
			HTML: nav.encodedBodySize,
			Resources: res.reduce((s, r) => s + r.encodedBodySize, 0),
			Decoded: nav.decodedBodySize + res.reduce((s, r) => s + r.decodedBodySize, 0),
			FCP: fcp ? fcp.startTime : -1,
			DOMReady: nav.domContentLoadedEventEnd,
			Map: performance.getEntriesByName('map-drawn')[0].startTime,
		};
	})()`)
	t.Logf("overview weight: %.0f KB gzipped (HTML %.1f KB, scripts, styles and atlas %.1f KB); %.0f KB decoded",
		(p.HTML+p.Resources)/1024, p.HTML/1024, p.Resources/1024, p.Decoded/1024)
	t.Log(get[string](t, ctx, `JSON.stringify(performance.getEntriesByType('mark').map(m => [m.name, Math.round(m.startTime)]))`))
	t.Logf("overview timing on loopback: first contentful paint %.0f ms, DOM ready %.0f ms, map drawn %.0f ms", p.FCP, p.DOMReady, p.Map)
	if p.HTML == 0 || p.Resources == 0 {
		t.Errorf("the browser reported no transfer sizes: %+v", p)
	}
}

func symmetricDifference(a, b []string) []string {
	var d []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			d = append(d, "+"+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			d = append(d, "-"+x)
		}
	}
	return d
}

// pageWeight reports what the page transferred (gzipped; nothing for a
// file already in the cache) and when its DOM was ready.
const pageWeight = `(() => {
	const nav = performance.getEntriesByType('navigation')[0];
	const res = performance.getEntriesByType('resource');
	const kb = (nav.encodedBodySize + res.reduce((s, r) => s + r.encodedBodySize, 0)) / 1024;
	return kb.toFixed(1) + ' KB transferred (HTML ' + (nav.encodedBodySize / 1024).toFixed(1) + ' KB), DOM ready ' + Math.round(nav.domContentLoadedEventEnd) + ' ms';
})()`

// TestBrowserExchange signs in as a delegation, files a declaration
// signed in the browser with WebCrypto from an uploaded key file, and
// verifies every entry's inclusion proof in the browser.
func TestBrowserExchange(t *testing.T) {
	f := newExchangeFixture(t)
	ctx := browser(t)
	mux := http.NewServeMux()
	mux.Handle("/", NewHandler(f.deps))
	// The API server (package api) serves the log's key next to the pages;
	// this stands in for it.
	mux.HandleFunc("GET /log/key", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, f.log.Info().VerifierKey+"\n")
	})
	// /tampered/N serves entry N's page with its bytes changed (?record)
	// or its key URL pointing at another log's key (?key).
	_, otherKey, err := ledger.NewKey(rand.Reader, "someone-else")
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("GET /other/key", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, otherKey+"\n") })
	mux.HandleFunc("GET /tampered/{index}", func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/log/entry/"+r.PathValue("index"), nil))
		page := rec.Body.String()
		if r.URL.Query().Has("record") {
			page = strings.Replace(page, `"record":"AQ`, `"record":"AR`, 1)
		} else {
			page = strings.Replace(page, `"key_url":"/log/key"`, `"key_url":"/other/key"`, 1)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	t.Run("file", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(ts.URL+"/exchange"), chromedp.WaitVisible(chromedp.CSS(`#signin-button`)))
		t.Logf("exchange page: %s", get[string](t, ctx, pageWeight))
		screenshot(t, ctx, "exchange", true)
		run(t, ctx,
			chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens["POL"]),
			chromedp.Click(chromedp.CSS(`#signin-button`)),
			chromedp.WaitVisible(chromedp.CSS(`#account-name`)))
		if !get[bool](t, ctx, `document.cookie === ''`) {
			t.Errorf("a script can read the session cookie")
		}
		decl := `{"kind": "transfer_report", "participant": "POL", "role": "importer", "year": 2025, "counterpart": "KOR", "category": "battle_tanks", "quantity": 180, "description": "K2"}`
		before := f.size(t)
		run(t, ctx,
			chromedp.SetValue(chromedp.CSS(`#f-declaration`), decl),
			chromedp.SetUploadFiles(chromedp.CSS(`#f-keyfile`), []string{f.keyFiles["POL"]}),
			chromedp.Click(chromedp.CSS(`#sign-button`)),
			chromedp.Poll[chromedp.Void](`document.getElementById('sign-status').textContent !== ''`))
		if s := get[string](t, ctx, `document.getElementById('sign-status').textContent`); !strings.HasPrefix(s, "Signed ") {
			t.Fatalf("signing in the browser: %q", s)
		}
		sig := get[string](t, ctx, `document.getElementById('f-signature').value`)
		if !strings.HasPrefix(sig, "POL-") {
			t.Errorf("signature field %q", sig)
		}
		run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('file').scrollIntoView()`))
		screenshot(t, ctx, "exchange-signed", false)
		run(t, ctx, chromedp.Click(chromedp.CSS(`#file-button`)), chromedp.WaitVisible(chromedp.CSS(`#filed`)))
		if f.size(t) != before+1 {
			t.Fatalf("log size %d, want %d", f.size(t), before+1)
		}
		e, err := f.log.Entry(context.Background(), before)
		if err != nil || string(e.Body) != decl || e.KeyName != strings.Fields(sig)[0] {
			t.Errorf("entry %d: %q by %s (%v)", before, e.Body, e.KeyName, err)
		}
		run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('filed').scrollIntoView()`))
		screenshot(t, ctx, "exchange-filed", false)
	})

	t.Run("log", func(t *testing.T) {
		// Every entry: proofs of every shape the tree has at this size.
		size := f.size(t)
		verified := chromedp.Poll[chromedp.Void](`document.getElementById('verify-status').className !== 'verify-status'`)
		for i := range size {
			run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/log/entry/%d", ts.URL, i)), verified)
			if s := get[string](t, ctx, `document.getElementById('verify-status').textContent`); !strings.HasPrefix(s, fmt.Sprintf("Inclusion verified: entry %d is in the log of %d entries", i, size)) {
				t.Errorf("entry %d: %q", i, s)
			}
		}
		t.Logf("entry page: %s; verified %.0f ms after navigation start", get[string](t, ctx, pageWeight),
			get[float64](t, ctx, `performance.getEntriesByName('entry-verified')[0].startTime`))
		screenshot(t, ctx, "log-entry", false)

		// A changed entry, or a checkpoint checked with another key, does
		// not verify.
		for _, tc := range []struct{ query, want string }{
			{"record", "Not verified: the proof leads to another root"},
			{"key", "Not verified: the checkpoint carries no signature by someone-else"},
		} {
			run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/tampered/%d?%s", ts.URL, size-1, tc.query)), verified)
			if s := get[string](t, ctx, `document.getElementById('verify-status').textContent`); !strings.HasPrefix(s, tc.want) {
				t.Errorf("tampered %s: %q", tc.query, s)
			}
		}

		run(t, ctx, chromedp.Navigate(ts.URL+"/log"), chromedp.WaitVisible(chromedp.CSS(`#checkpoint-note`)))
		screenshot(t, ctx, "log", false)
	})
}

// TestBrowserForum signs in as a delegation on an agenda item's page,
// takes a position with a reservation, and checks that the page and the
// log have it; then an expert signs in on a Delphi question.
func TestBrowserForum(t *testing.T) {
	f := newForumFixture(t)
	ctx := browser(t)
	ts := serveWithKey(t, f)

	run(t, ctx, chromedp.Navigate(ts.URL+"/forum"), chromedp.WaitVisible(chromedp.CSS(`table.items`)))
	t.Logf("forum page: %s", get[string](t, ctx, pageWeight))
	screenshot(t, ctx, "forum", false)

	item := ts.URL + f.itemURL(f.open)
	run(t, ctx, chromedp.Navigate(item), mapDrawn)
	t.Logf("item page: %s", get[string](t, ctx, pageWeight))
	if n := get[int](t, ctx, `document.querySelectorAll('#diff .dl.ins mark').length`); n == 0 {
		t.Errorf("the amendment's diff marks no inserted words")
	}
	screenshot(t, ctx, "forum-item", false)
	screenshot(t, ctx, "forum-item-full", true)

	// The versions' tabs swap the version in place, map and all.
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`),
		chromedp.Click(chromedp.CSS(`nav.tabs a[href^="?version=1"]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('.version h3').textContent.startsWith('Version 1:') && document.querySelector('#versions .map-svg g.state') !== null`))
	if !get[bool](t, ctx, `window.notReloaded === true && location.search === '?version=1' && document.querySelectorAll('.map-svg').length === 1`) {
		t.Errorf("the version tab reloaded the page, left the URL or drew no single map")
	}

	// Sign in on the item's page and come back to it.
	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens["DEU"]),
		chromedp.Click(chromedp.CSS(`#signin-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#position-form`)))
	if u := get[string](t, ctx, `location.pathname`); u != f.itemURL(f.open) {
		t.Fatalf("signing in led to %s", u)
	}
	before := f.size(t)
	if get[bool](t, ctx, `document.getElementById('f-statement').closest('.field').hidden === false`) {
		t.Errorf("the statement shows for a support")
	}
	run(t, ctx,
		chromedp.Click(chromedp.CSS(`#stance-join`)),
		chromedp.SetValue(chromedp.CSS(`#f-statement-kind`), "reservation"),
		chromedp.SendKeys(chromedp.CSS(`#f-statement`), "Observers are exchanged on the basis of reciprocity."),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('take').scrollIntoView()`))
	screenshot(t, ctx, "forum-take-position", false)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#position-button`)), chromedp.WaitVisible(chromedp.CSS(`#taken-banner`)))
	if f.size(t) != before+1 {
		t.Fatalf("log size %d, want %d", f.size(t), before+1)
	}
	e, err := f.log.Entry(context.Background(), before)
	if err != nil || e.Kind != indivisible.KindPosition || !strings.Contains(string(e.Body), `"participant":"DEU"`) || !strings.Contains(string(e.Body), "reciprocity") {
		t.Fatalf("entry %d: %s %s (%v)", before, e.Kind, e.Body, err)
	}
	row := get[string](t, ctx, `(() => { const r = document.querySelector('#positions tr.taken'); return r ? r.innerText : ''; })()`)
	for _, w := range []string{fmt.Sprint(before), "Germany", "Join with a statement", "Reservation", "reciprocity", "attested", "current"} {
		if !strings.Contains(row, w) {
			t.Errorf("the new position's row %q lacks %q", row, w)
		}
	}
	if s := get[string](t, ctx, `document.getElementById('outcome').textContent`); s != "Adopted" {
		t.Errorf("provisional outcome %q after Germany joins", s)
	}
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('positions').scrollIntoView()`))
	screenshot(t, ctx, "forum-position", false)

	// The position's log entry verifies in the browser.
	link := fmt.Sprintf("/log/entry/%d", before)
	if !get[bool](t, ctx, fmt.Sprintf(`document.querySelector('#positions tr.taken a[href="%s"]') !== null`, link)) {
		t.Errorf("the new position's row has no link to %s", link)
	}
	run(t, ctx, chromedp.Navigate(ts.URL+link),
		chromedp.Poll[chromedp.Void](`document.getElementById('verify-status').className !== 'verify-status'`))
	if s := get[string](t, ctx, `document.getElementById('verify-status').textContent`); !strings.HasPrefix(s, fmt.Sprintf("Inclusion verified: entry %d", before)) {
		t.Errorf("the position's entry: %q", s)
	}

	// The decided item, and a Delphi question as an expert.
	run(t, ctx, chromedp.Navigate(ts.URL+f.itemURL(f.decided)), mapDrawn)
	screenshot(t, ctx, "forum-decision", false)
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx,
		chromedp.Navigate(fmt.Sprintf("%s/forum/%d/questions/%d", ts.URL, f.forum, f.question)),
		chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens["Expert Ivanova"]),
		chromedp.Click(chromedp.CSS(`#signin-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#answer-form`)))
	if n := get[int](t, ctx, `document.querySelectorAll('.delphi-chart .own').length`); n != 2 {
		t.Errorf("%d own answers marked on the chart, want 2", n)
	}
	screenshot(t, ctx, "forum-delphi", false)
}

// witnessedLedger is the log with a collector, as serve -witnesses wraps
// it (cmd/indivisible's witnessedLog).
type witnessedLedger struct {
	*ledger.Log
	c *cosign.Collector
}

var _ Witnessed = witnessedLedger{}

func (l witnessedLedger) Cosigned(ctx context.Context) (indivisible.Checkpoint, error) {
	return l.c.Cosigned(ctx)
}

func (l witnessedLedger) ProveCosigned(ctx context.Context, index int64) (*ledger.InclusionProof, error) {
	return l.c.ProveInclusion(ctx, index)
}

func (l witnessedLedger) Witnesses() cosign.Status { return l.c.Status() }
func (l witnessedLedger) Policy() *cosign.Policy   { return l.c.Policy() }

// browserWitness is a real witness (package witness) behind an HTTP
// server that drops every connection while down.
type browserWitness struct {
	name, vkey, url string
	down            atomic.Bool
}

func startBrowserWitness(t *testing.T, name, keyName string, l *ledger.Log, down bool) *browserWitness {
	t.Helper()
	skey, vkey, err := witness.GenerateKey(rand.Reader, keyName)
	if err != nil {
		t.Fatal(err)
	}
	s, err := witness.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	w, err := witness.Open(witness.Config{Signer: s, Dir: t.TempDir(),
		Logs: []witness.Log{{Origin: l.Info().Origin, Keys: []string{l.Info().VerifierKey}}}})
	if err != nil {
		t.Fatal(err)
	}
	bw := &browserWitness{name: name, vkey: vkey}
	bw.down.Store(down)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if bw.down.Load() {
			if c, _, err := rw.(http.Hijacker).Hijack(); err == nil {
				c.Close()
			}
			return
		}
		w.ServeHTTP(rw, r)
	}))
	bw.url = srv.URL
	t.Cleanup(func() { srv.Close(); w.Close() })
	return bw
}

// startWitnessing runs a collector for l under a k-of-n policy of ws
// until the test ends, and waits until it serves a checkpoint of the
// log's size that every witness up has cosigned.
func startWitnessing(t *testing.T, l *ledger.Log, k int, ws ...*browserWitness) *cosign.Collector {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "log %s\n", l.Info().VerifierKey)
	var names []string
	for _, w := range ws {
		fmt.Fprintf(&b, "witness %s %s %s\n", w.name, w.vkey, w.url)
		names = append(names, w.name)
	}
	fmt.Fprintf(&b, "group delegations %d %s\nquorum delegations\n", k, strings.Join(names, " "))
	p, err := cosign.ParsePolicy("witnesses.txt", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cosign.NewCollector(l, p, cosign.Options{Timeout: 2 * time.Second, Backoff: 5 * time.Millisecond,
		MaxBackoff: 50 * time.Millisecond, Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	cp, err := l.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		st := c.Status()
		all := st.Size == cp.Size
		for i, w := range st.Witnesses {
			all = all && (w.Cosigned || ws[i].down.Load())
		}
		if all {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("the witnesses up did not cosign size %d: %+v", cp.Size, st)
		}
	}
}

// TestBrowserWitnessed: the entry page's script accepts the cosigned
// checkpoint only with the policy's quorum of valid cosignatures, from
// real witnesses, and otherwise names the witnesses missing; a tampered
// cosignature counts as none.
func TestBrowserWitnessed(t *testing.T) {
	f := newExchangeFixture(t)
	ctx := browser(t)
	l := f.log
	size := f.size(t)

	// Three delegations' witnesses, all up, 2 of 3.
	up := startWitnessing(t, l, 2,
		startBrowserWitness(t, "POL", "pol.witness.example", l, false),
		startBrowserWitness(t, "RUS", "rus.witness.example", l, false),
		startBrowserWitness(t, "ARM", "arm.witness.example", l, false))
	// Another policy, 2 of 3, with only POL's witness up.
	short := startWitnessing(t, l, 2,
		startBrowserWitness(t, "POL", "pol2.witness.example", l, false),
		startBrowserWitness(t, "RUS", "rus2.witness.example", l, true),
		startBrowserWitness(t, "ARM", "arm2.witness.example", l, true))

	// serve serves the pages over ledger c; /tampered/N?w=A,B serves entry
	// N's page with the last byte of the cosignatures by A and B flipped.
	serve := func(c *cosign.Collector) *httptest.Server {
		deps := f.deps
		deps.Ledger = witnessedLedger{Log: l, c: c}
		mux := http.NewServeMux()
		mux.Handle("/", NewHandler(deps))
		mux.HandleFunc("GET /log/key", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, l.Info().VerifierKey+"\n")
		})
		mux.HandleFunc("GET /tampered/{index}", func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", "/log/entry/"+r.PathValue("index"), nil))
			page := rec.Body.String()
			for _, name := range strings.Split(r.URL.Query().Get("w"), ",") {
				from, to := tamperCosignature(t, c, name)
				if !strings.Contains(page, from) {
					t.Errorf("no cosignature by %s (%s) in the page", name, from)
				}
				page = strings.ReplaceAll(page, from, to)
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, page)
		})
		ts := httptest.NewServer(mux)
		t.Cleanup(ts.Close)
		return ts
	}
	upURL, shortURL := serve(up).URL, serve(short).URL

	verified := chromedp.Poll[chromedp.Void](`document.getElementById('verify-status').className !== 'verify-status'`)
	status := func(url string) (string, []string) {
		t.Helper()
		run(t, ctx, chromedp.Navigate(url), verified)
		return get[string](t, ctx, `document.getElementById('verify-status').textContent`),
			get[[]string](t, ctx, `Array.from(document.querySelectorAll('#verify-steps li'), li => li.textContent)`)
	}
	cosigners := func(steps []string) (names []string) {
		for _, s := range steps {
			if rest, ok := strings.CutPrefix(s, "Cosigned by witness "); ok {
				names = append(names, strings.Fields(rest)[0])
			}
		}
		return names
	}
	// goSays is what cosign.Policy.Verify says of the note the page
	// checked, from "short of the quorum" on.
	goSays := func(c *cosign.Collector, tamper ...string) string {
		t.Helper()
		cp, err := c.Cosigned(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		msg := string(cp.Note)
		for _, name := range tamper {
			from, to := tamperCosignature(t, c, name)
			msg = strings.ReplaceAll(msg, from, to)
		}
		_, err = c.Policy().Verify([]byte(msg))
		if err == nil {
			return ""
		}
		_, tail, _ := strings.Cut(err.Error(), "short of the quorum")
		return "short of the quorum" + tail
	}

	t.Run("quorum", func(t *testing.T) {
		for i := range size {
			s, steps := status(fmt.Sprintf("%s/log/entry/%d", upURL, i))
			want := fmt.Sprintf("Inclusion verified: entry %d is in the log of %d entries, under a checkpoint signed by %s and cosigned by POL, RUS, ARM (quorum 2 of POL, RUS, ARM).", i, size, l.Info().Origin)
			if s != want {
				t.Errorf("entry %d: %q, want %q", i, s, want)
			}
			if got := cosigners(steps); !slices.Equal(got, []string{"POL", "RUS", "ARM"}) {
				t.Errorf("entry %d: cosigners %v in %q", i, got, steps)
			}
		}
		t.Logf("entry page with 3 cosignatures: %s", get[string](t, ctx, pageWeight))
		screenshot(t, ctx, "log-entry-witnessed", false)
	})

	t.Run("short", func(t *testing.T) {
		s, steps := status(fmt.Sprintf("%s/log/entry/%d", shortURL, size-1))
		want := "Not verified: the checkpoint carries 1 valid witness cosignature(s), short of the quorum (2 of POL, RUS, ARM): missing valid cosignatures from RUS, ARM"
		if s != want {
			t.Errorf("status %q, want %q", s, want)
		}
		if got := cosigners(steps); !slices.Equal(got, []string{"POL"}) {
			t.Errorf("cosigners %v in %q", got, steps)
		}
		if g := goSays(short); !strings.HasSuffix(s, g) || g == "" {
			t.Errorf("Go's Policy.Verify says %q", g)
		}
	})

	t.Run("tampered", func(t *testing.T) {
		// One bad cosignature of three: ignored, the other two meet 2 of 3.
		s, steps := status(fmt.Sprintf("%s/tampered/%d?w=RUS", upURL, size-1))
		if want := "and cosigned by POL, ARM (quorum 2 of POL, RUS, ARM)."; !strings.HasPrefix(s, "Inclusion verified: ") || !strings.HasSuffix(s, want) {
			t.Errorf("one tampered: %q", s)
		}
		if got := cosigners(steps); !slices.Equal(got, []string{"POL", "ARM"}) {
			t.Errorf("one tampered: cosigners %v", got)
		}
		if !slices.Contains(steps, "Ignored: a cosignature by RUS (rus.witness.example) that does not verify.") {
			t.Errorf("one tampered: steps %q", steps)
		}
		if g := goSays(up, "RUS"); g != "" {
			t.Errorf("Go's Policy.Verify refuses: %s", g)
		}
		// Two: one valid cosignature is short of the quorum.
		s, _ = status(fmt.Sprintf("%s/tampered/%d?w=POL,ARM", upURL, 0))
		want := "Not verified: the checkpoint carries 1 valid witness cosignature(s), short of the quorum (2 of POL, RUS, ARM): missing valid cosignatures from POL, ARM"
		if s != want {
			t.Errorf("two tampered: %q, want %q", s, want)
		}
		if g := goSays(up, "POL", "ARM"); !strings.HasSuffix(s, g) || g == "" {
			t.Errorf("Go's Policy.Verify says %q", g)
		}
	})
}

// tamperCosignature returns witness name's cosignature line's base64, as
// c serves it, and the same with the signature's last byte flipped.
func tamperCosignature(t *testing.T, c *cosign.Collector, name string) (from, to string) {
	t.Helper()
	cp, err := c.Cosigned(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lines, err := c.Policy().Cosigners(cp.Note)
	if err != nil || lines[name] == "" {
		t.Fatalf("no cosignature by %s (%v)", name, err)
	}
	from = strings.Fields(lines[name])[2]
	raw, err := base64.StdEncoding.DecodeString(from)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-1] ^= 1
	return from, base64.StdEncoding.EncodeToString(raw)
}

// TestBrowserStatePage opens a state's page from the overview, by a click
// on the map, by Enter on a focused state and by its ranking row, and
// checks that the page gives the state's name and its risk as the model
// explains it.
func TestBrowserStatePage(t *testing.T) {
	deps := newDeps(t)
	x, ok := deps.Assessor.(indivisible.Explainer)
	if !ok {
		t.Fatal("the model does not explain")
	}
	pol, err := x.Explain("POL", stateTop)
	if err != nil {
		t.Fatal(err)
	}
	wantRisk := fmt.Sprintf("%.1f%%", 100*pol.Risk)
	ctx := browser(t)
	ts := httptest.NewServer(NewHandler(deps))
	defer ts.Close()

	landed := func(t *testing.T, how string) {
		t.Helper()
		run(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#state-risk`)))
		if p := get[string](t, ctx, `location.pathname`); p != "/state/POL" {
			t.Fatalf("%s: landed on %s, want /state/POL", how, p)
		}
		if h := get[string](t, ctx, `document.querySelector('h1').textContent`); !strings.HasPrefix(h, "Poland") {
			t.Errorf("%s: heading %q", how, h)
		}
		if r := get[string](t, ctx, `document.getElementById('state-risk').textContent`); r != wantRisk {
			t.Errorf("%s: risk %q, want %q", how, r, wantRisk)
		}
	}

	pl := chromedp.CSS(`.map-svg g.state[data-code="POL"]`)
	t.Run("map click", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(ts.URL+"/"), mapDrawn)
		if role := get[string](t, ctx, `document.querySelector('.map-svg g.state[data-code="POL"]').getAttribute('role')`); role != "link" {
			t.Errorf("a state on the overview's map has role %q, want link", role)
		}
		run(t, ctx, chromedp.Click(pl))
		landed(t, "clicking Poland on the map")
		screenshot(t, ctx, "state", false)
	})
	t.Run("map keyboard", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(ts.URL+"/"), mapDrawn, chromedp.Focus(pl), chromedp.KeyEvent(kb.Enter))
		landed(t, "Enter on Poland on the map")
	})
	t.Run("ranking", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(ts.URL+"/"), chromedp.Click(chromedp.CSS(`table.ranking a[href="/state/POL"]`)))
		landed(t, "Poland's ranking row")
	})
	t.Run("organisation", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(ts.URL+"/state/CSTO"), chromedp.WaitVisible(chromedp.CSS(`#org-risk`)))
		if h := get[string](t, ctx, `document.querySelector('h1').textContent`); !strings.HasPrefix(h, "Collective Security Treaty Organization") {
			t.Errorf("CSTO heading %q", h)
		}
	})
}

// TestBrowserAssessJourney composes a package on /assess: it adds a
// measure, leaves a second one filled in and assesses (the second is
// included, and the result says so and lists both), removes one, follows
// the shareable link, and meets an error in form language that takes the
// focus.
func TestBrowserAssessJourney(t *testing.T) {
	ctx := browser(t)
	ts := httptest.NewServer(NewHandler(newDeps(t)))
	defer ts.Close()

	run(t, ctx, chromedp.Navigate(ts.URL+"/assess"), mapDrawn,
		chromedp.SendKeys(chromedp.CSS(`#f-title`), "Tank build-up"),
		chromedp.SetValue(chromedp.CSS(`#f-actor`), "POL"),
		chromedp.SetValue(chromedp.CSS(`#f-category`), "battle_tanks"),
		chromedp.SendKeys(chromedp.CSS(`#f-quantity`), "250"),
		chromedp.Click(chromedp.CSS(`#add-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#measure-0`)))
	if q := get[string](t, ctx, `document.getElementById('f-quantity').value`); q != "" {
		t.Errorf("after adding, the form still holds quantity %q", q)
	}
	// The second measure is filled in but not added.
	run(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#f-actor`), "RUS"),
		chromedp.SetValue(chromedp.CSS(`#f-category`), "battle_tanks"),
		chromedp.SendKeys(chromedp.CSS(`#f-quantity`), "500"),
		chromedp.Click(chromedp.CSS(`#assess-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#verdict`)))
	if n := get[int](t, ctx, `document.querySelectorAll('#assessed li').length`); n != 2 {
		t.Errorf("the result lists %d measures, want 2", n)
	}
	if !get[bool](t, ctx, `!!document.getElementById('included-notice') && document.getElementById('included-notice').textContent.includes('Russian Federation')`) {
		t.Errorf("the result does not say that the form's measure was included")
	}
	if h := get[string](t, ctx, `document.getElementById('result-h').textContent`); !strings.HasPrefix(h, "Tank build-up:") {
		t.Errorf("result heading %q", h)
	}
	if n := get[int](t, ctx, `document.querySelectorAll('#package li').length`); n != 2 {
		t.Errorf("the package lists %d measures after assessing, want 2", n)
	}
	link := get[string](t, ctx, `document.getElementById('share-link').getAttribute('href')`)
	verdict := get[string](t, ctx, `document.getElementById('verdict').textContent`)
	screenshot(t, ctx, "assess-package", false)

	// Remove Poland's tanks.
	run(t, ctx, chromedp.Click(chromedp.CSS(`#measure-0 button`)),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#package li').length === 1`))
	if s := get[string](t, ctx, `document.querySelector('#package li').textContent`); !strings.Contains(s, "Russian Federation") {
		t.Errorf("after removing measure 1 the package holds %q", s)
	}

	// The link reproduces the assessment of both.
	run(t, ctx, chromedp.Navigate(ts.URL+link), chromedp.WaitVisible(chromedp.CSS(`#verdict`)))
	if v := get[string](t, ctx, `document.getElementById('verdict').textContent`); v != verdict {
		t.Errorf("the shared link gives verdict %q, want %q", v, verdict)
	}
	if n := get[int](t, ctx, `document.querySelectorAll('#assessed li').length`); n != 2 {
		t.Errorf("the shared link assesses %d measures, want 2", n)
	}

	// Poland cannot give up more tanks than it holds: the error says so,
	// marks the field and takes the focus.
	run(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#f-actor`), "POL"),
		chromedp.SetValue(chromedp.CSS(`#f-category`), "battle_tanks"),
		chromedp.SendKeys(chromedp.CSS(`#f-quantity`), "-100000"),
		chromedp.Click(chromedp.CSS(`#assess-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#form-error`)),
		chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement.id === 'form-error'`))
	if msg := get[string](t, ctx, `document.getElementById('form-error').textContent`); !strings.Contains(msg, "Poland holds") {
		t.Errorf("error %q", msg)
	}
	if !get[bool](t, ctx, `document.getElementById('f-quantity').getAttribute('aria-invalid') === 'true'`) {
		t.Errorf("the quantity is not marked invalid")
	}
}

// TestBrowserForumSignInComment is a delegation's journey through the
// forum's pages: from /forum to the forum's page and an item, a failed
// and then a good sign-in that both stay on the item, the current
// position shown in the form, and a comment posted and listed.
func TestBrowserForumSignInComment(t *testing.T) {
	f := newForumFixture(t)
	ctx := browser(t)
	ts := httptest.NewServer(NewHandler(f.deps))
	defer ts.Close()

	forumPage := fmt.Sprintf("/forum/%d", f.forum)
	run(t, ctx, chromedp.Navigate(ts.URL+"/forum"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="%s"]`, forumPage))),
		chromedp.WaitVisible(chromedp.CSS(`#delegations`)))
	if u := get[string](t, ctx, `location.pathname`); u != forumPage {
		t.Fatalf("the forum's link led to %s", u)
	}
	if s := get[string](t, ctx, `document.getElementById('delegations').innerText`); !strings.Contains(s, "Delegation of Australia") || !strings.Contains(s, "accredited") {
		t.Errorf("the delegations table: %q", s)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="%s"]`, f.itemURL(f.open)))), chromedp.WaitVisible(chromedp.CSS(`#f-token`)))

	// A wrong token shows the item again, with the error on its form.
	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-token`), "ind_wrong"),
		chromedp.Click(chromedp.CSS(`#signin-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#signin-error`)))
	if h := get[string](t, ctx, `document.querySelector('h1').textContent`); !strings.Contains(h, "A hotline between Poland") {
		t.Errorf("a failed sign-in left the item's page for %q", h)
	}
	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens["AUS"]),
		chromedp.Click(chromedp.CSS(`#signin-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#position-form`)))
	if u := get[string](t, ctx, `location.pathname`); u != f.itemURL(f.open) {
		t.Fatalf("signing in led to %s", u)
	}
	// Australia's current position is a join with an interpretative
	// statement.
	if !get[bool](t, ctx, `document.getElementById('stance-join').checked && !document.getElementById('stance-support').checked`) {
		t.Errorf("the form does not show the current position (join)")
	}
	if s := get[string](t, ctx, `document.getElementById('f-statement-kind').value + '|' + document.getElementById('f-statement').value`); s != "interpretative|We understand 'observers' to include civilian experts." {
		t.Errorf("the form's statement: %q", s)
	}

	const text = "Australia offers observers from its defence attaché staff."
	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-comment`), text),
		chromedp.Click(chromedp.CSS(`#comment-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#comment-banner`)))
	if s := get[string](t, ctx, `document.querySelector('#comments ol.comments').innerText`); !strings.Contains(s, text) || !strings.Contains(s, "Delegation of Australia") {
		t.Errorf("the comments list %q lacks the comment", s)
	}
	cs, err := f.db.Comments(context.Background(), f.open)
	if err != nil || len(cs) != 1 || cs[0].Text != text || cs[0].Participant != "AUS" {
		t.Errorf("comments stored: %+v (%v)", cs, err)
	}
}

// TestBrowserDeclarationForm files a transfer report from its form: the
// page shows the composed JSON, refuses to sign it with another
// participant's key file, signs it with the delegation's own and files
// it, and the log holds the bytes shown.
func TestBrowserDeclarationForm(t *testing.T) {
	f := newExchangeFixture(t)
	ctx := browser(t)
	ts := httptest.NewServer(NewHandler(f.deps))
	defer ts.Close()

	run(t, ctx, chromedp.Navigate(ts.URL+"/exchange"), chromedp.WaitVisible(chromedp.CSS(`#signin-button`)),
		chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens["POL"]),
		chromedp.Click(chromedp.CSS(`#signin-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#account-name`)))
	if !get[bool](t, ctx, `!!document.querySelector('a[href="/docs/exchange"]')`) {
		t.Errorf("the page does not link to the documentation")
	}
	// Bad: a quantity of 0 is refused on its field.
	run(t, ctx, append(fillTransferReport("0"),
		chromedp.SendKeys(chromedp.CSS(`#d-transfer_report-description`), "K2 tanks"),
		chromedp.Click(chromedp.CSS(`#compose-transfer_report-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#d-transfer_report-quantity-error`)))...)
	if msg := get[string](t, ctx, `document.getElementById('d-transfer_report-quantity-error').textContent`); !strings.HasPrefix(msg, "Quantity: 0 is not allowed") {
		t.Errorf("quantity error %q", msg)
	}
	if id := get[string](t, ctx, `document.activeElement ? document.activeElement.id : ''`); id != "d-transfer_report-quantity" {
		t.Errorf("focus on %q, want the quantity", id)
	}
	// The form kept what was typed; fix the quantity and compose.
	run(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#d-transfer_report-quantity`), "30"),
		chromedp.Click(chromedp.CSS(`#compose-transfer_report-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#composed`)))
	decl := get[string](t, ctx, `document.getElementById('f-declaration').value`)
	for _, want := range []string{`"kind": "transfer_report"`, `"participant": "POL"`, `"role": "importer"`, `"counterpart": "KOR"`, `"quantity": 30`, `"description": "K2 tanks"`} {
		if !strings.Contains(decl, want) {
			t.Errorf("the composed declaration lacks %s:\n%s", want, decl)
		}
	}
	screenshot(t, ctx, "exchange-composed", false)

	// Another participant's key file is refused in the page.
	signed := chromedp.Poll[chromedp.Void](`document.getElementById('sign-status').textContent !== ''`)
	run(t, ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#f-keyfile`), []string{f.keyFiles["DEU"]}),
		chromedp.Click(chromedp.CSS(`#sign-button`)), signed)
	if s := get[string](t, ctx, `document.getElementById('sign-status').textContent`); !strings.HasPrefix(s, "Not signed: the key file DEU-") || !strings.Contains(s, "is a key of DEU, not of POL") {
		t.Errorf("signing with DEU's key: %q", s)
	}
	if sig := get[string](t, ctx, `document.getElementById('f-signature').value`); sig != "" {
		t.Errorf("DEU's key signed: %q", sig)
	}

	// The delegation's own key signs; the entry holds the bytes shown.
	before := f.size(t)
	run(t, ctx,
		chromedp.Evaluate[chromedp.Void](`document.getElementById('sign-status').textContent = ''`),
		chromedp.SetUploadFiles(chromedp.CSS(`#f-keyfile`), []string{f.keyFiles["POL"]}),
		chromedp.Click(chromedp.CSS(`#sign-button`)), signed)
	if s := get[string](t, ctx, `document.getElementById('sign-status').textContent`); !strings.HasPrefix(s, "Signed ") {
		t.Fatalf("signing with POL's key: %q", s)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(`#file-button`)), chromedp.WaitVisible(chromedp.CSS(`#filed`)))
	if f.size(t) != before+1 {
		t.Fatalf("log size %d, want %d", f.size(t), before+1)
	}
	if s := get[string](t, ctx, `document.querySelector('#filed h3 a').textContent`); s != fmt.Sprint(before) {
		t.Errorf("the page says entry %q, want %d", s, before)
	}
	e, err := f.log.Entry(context.Background(), before)
	if err != nil || string(e.Body) != decl || !strings.HasPrefix(e.KeyName, "POL-") {
		t.Errorf("entry %d: %q by %s (%v), want the composed\n%s", before, e.Body, e.KeyName, err, decl)
	}
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('filed').scrollIntoView()`))
	screenshot(t, ctx, "exchange-form-filed", false)
}

// fillTransferReport opens the transfer report's form on the Exchange
// page and fills it in as Korea's importer of battle tanks in 2025, with
// the quantity typed as given.
func fillTransferReport(quantity string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.CSS(`#compose-transfer_report summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#d-transfer_report-quantity`)),
		chromedp.Click(chromedp.CSS(`#d-transfer_report-role-importer`)),
		chromedp.SetValue(chromedp.CSS(`#d-transfer_report-year`), "2025"),
		chromedp.SetValue(chromedp.CSS(`#d-transfer_report-counterpart`), "KOR"),
		chromedp.SetValue(chromedp.CSS(`#d-transfer_report-category`), "battle_tanks"),
		chromedp.SendKeys(chromedp.CSS(`#d-transfer_report-quantity`), quantity),
	}
}
