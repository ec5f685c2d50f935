package web

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focused is the code of the state that has the focus, or "".
const focused = `(() => { const g = document.activeElement && document.activeElement.closest && document.activeElement.closest('.map-svg g.state'); return g ? g.dataset.code : ''; })()`

// TestBrowserMapKeyboard is a visitor's journey by keyboard alone, at a
// laptop's width and a phone's: Tab reaches the map in a few presses,
// the map is one Tab stop, typing a name and the arrows move between
// the states, and Enter opens the state's page. A skip link passes the
// map.
func TestBrowserMapKeyboard(t *testing.T) {
	deps := newExchangeFixture(t).deps
	names := map[string]string{}
	for _, p := range deps.Scenario.Participants {
		names[p.Code] = p.Name
	}
	ctx := browser(t)
	ts := httptest.NewServer(NewHandler(deps))
	defer ts.Close()

	// tabTo presses Tab until the expression holds, and returns how many
	// presses it took (at most limit).
	tabTo := func(t *testing.T, cond string, limit int) int {
		t.Helper()
		for n := 1; n <= limit; n++ {
			run(t, ctx, chromedp.KeyEvent(kb.Tab))
			if get[bool](t, ctx, cond) {
				return n
			}
		}
		t.Fatalf("%d presses of Tab did not reach %s; the focus is on %s", limit, cond, get[string](t, ctx, `document.activeElement.outerHTML.slice(0, 120)`))
		return 0
	}
	start := func(t *testing.T) {
		t.Helper()
		// The focus starts at the top of the page, as after a click on its
		// background.
		run(t, ctx, chromedp.Navigate(ts.URL+"/"), mapDrawn, chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	}

	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			run(t, ctx, chromedp.EmulateViewport(width, 800))
			start(t)
			if n := get[int](t, ctx, `document.querySelectorAll('.map-svg g.state[tabindex="0"]').length`); n != 1 {
				t.Errorf("%d states are Tab stops, want one", n)
			}
			// Skip, brand, five pages, sign-in, the language switch (one
			// stop while closed), skip the map, the map.
			presses := tabTo(t, focused+` !== ''`, 15)
			if presses > 11 {
				t.Errorf("%d presses of Tab to reach the map, want 11 at most", presses)
			}
			first := get[string](t, ctx, focused)

			// Typing a name's first letters goes to that state.
			run(t, ctx, chromedp.KeyEvent("pol"))
			if c := get[string](t, ctx, focused); c != "POL" {
				t.Fatalf("typing pol on the map focused %q, want POL", c)
			}
			if tip := get[string](t, ctx, `document.querySelector('.map-tip').textContent`); !strings.HasPrefix(tip, "Poland: ") {
				t.Errorf("tooltip %q on Poland", tip)
			}
			// East of Poland, across a land border: Lithuania, Belarus,
			// Ukraine.
			run(t, ctx, chromedp.KeyEvent(kb.ArrowRight))
			east := get[string](t, ctx, focused)
			if !slices.Contains([]string{"LTU", "BLR", "UKR"}, east) {
				t.Fatalf("ArrowRight from Poland focused %q, want an eastern neighbour", east)
			}
			// And back west again.
			run(t, ctx, chromedp.KeyEvent(kb.ArrowLeft))
			if c := get[string](t, ctx, focused); c != "POL" {
				t.Errorf("ArrowLeft from %s focused %q, want POL", east, c)
			}
			run(t, ctx, chromedp.KeyEvent(kb.ArrowRight))
			if get[int](t, ctx, `document.querySelectorAll('.map-svg g.state[tabindex="0"]').length`) != 1 ||
				get[string](t, ctx, `document.querySelector('.map-svg g.state[tabindex="0"]').dataset.code`) != east {
				t.Errorf("the Tab stop did not move with the focus to %s", east)
			}

			// Tab leaves the map at once; Shift+Tab comes back to the state
			// last focused.
			run(t, ctx, chromedp.KeyEvent(kb.Tab))
			if c := get[string](t, ctx, focused); c != "" {
				t.Errorf("Tab from the map focused %s, another state", c)
			}
			run(t, ctx, chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
			if c := get[string](t, ctx, focused); c != east {
				t.Errorf("Shift+Tab back into the map focused %q, want %s", c, east)
			}

			// Enter opens its page.
			run(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`#state-risk`)))
			if p := get[string](t, ctx, `location.pathname`); p != "/state/"+east {
				t.Fatalf("Enter on %s opened %s", east, p)
			}
			if h := get[string](t, ctx, `document.querySelector('h1').textContent`); !strings.HasPrefix(h, names[east]) {
				t.Errorf("the page of %s is headed %q, want %s", east, h, names[east])
			}

			// Space opens a state's page too.
			start(t)
			tabTo(t, focused+` !== ''`, 15)
			if c := get[string](t, ctx, focused); c != first {
				t.Errorf("after a reload the map's Tab stop is %s, want %s", c, first)
			}
			run(t, ctx, chromedp.KeyEvent(" "), chromedp.WaitVisible(chromedp.CSS(`#state-risk`)))
			if p := get[string](t, ctx, `location.pathname`); p != "/state/"+first {
				t.Errorf("Space on %s opened %s", first, p)
			}

			// The skip link passes the map: the next Tab is the first
			// organisation.
			start(t)
			tabTo(t, `document.activeElement.textContent === 'Skip the map'`, 15)
			if !get[bool](t, ctx, `(() => { const r = document.activeElement.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; })()`) {
				t.Error("the focused skip link is not on the screen")
			}
			run(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Tab))
			if id := get[string](t, ctx, `document.activeElement.id`); !strings.HasPrefix(id, "org-") {
				t.Errorf("after skipping the map, Tab focused %q, want the first organisation", id)
			}
		})
	}
}
