package web

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/indivisible-eurasia/indivisible"
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
	deps := newDeps(t)
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
	// shows.
	t.Run("weight", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(ts.URL+"/"), mapDrawn)
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
	})

	t.Run("overview", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(ts.URL+"/"), mapDrawn)
		// Every state has a focusable, labelled shape, once.
		drawn := get[[]string](t, ctx, `Array.from(document.querySelectorAll('.map-svg g.state[tabindex="0"]'))
			.filter(g => g.getAttribute('aria-label') && g.querySelector('path[d], circle'))
			.map(g => g.dataset.code).sort()`)
		if !slices.Equal(drawn, states) {
			t.Errorf("map shapes %d, states %d; missing or extra: %v", len(drawn), len(states), symmetricDifference(drawn, states))
		}
		screenshot(t, ctx, "overview", false)

		// Keyboard focus on a state shows its tooltip.
		run(t, ctx, chromedp.Focus(chromedp.CSS(`.map-svg g.state[data-code="POL"]`)))
		tooltip := `(() => { const t = document.querySelector('.map-tip'); return t.hidden ? '' : t.textContent; })()`
		if tip := get[string](t, ctx, tooltip); !strings.HasPrefix(tip, "Poland: security") {
			t.Errorf("tooltip on focus = %q", tip)
		}
		// Tab moves on to the next state.
		run(t, ctx, chromedp.KeyEvent(kb.Tab))
		next := get[string](t, ctx, `document.activeElement.getAttribute('aria-label') || ''`)
		if tip := get[string](t, ctx, tooltip); next == "" || tip != next {
			t.Errorf("after Tab: focus on %q, tooltip %q", next, tip)
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
		if err != nil || verdict != indivisible.Divisible {
			t.Errorf("verdict %q (%v), want divisible", verdict, err)
		}
		run(t, ctx, chromedp.Poll[chromedp.Void](`document.querySelector('.legend-title').textContent === 'Change in security'`),
			chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		screenshot(t, ctx, "assess", false)
		screenshot(t, ctx, "assess-result", true)

		// Paste a package and assess it.
		pkg, err := os.ReadFile("../examples/05-caucasus-cbm.json")
		if err != nil {
			t.Fatal(err)
		}
		run(t, ctx,
			chromedp.Evaluate[chromedp.Void](`document.querySelector('details.package').open = true`),
			chromedp.SetValue(chromedp.CSS(`#f-proposal`), string(pkg)),
			chromedp.Click(chromedp.CSS(`#assess-button`)),
			chromedp.Poll[chromedp.Void](`(document.getElementById('verdict') || {}).textContent === 'indivisible'`))
	})
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
