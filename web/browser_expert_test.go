package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/accounts"
)

// newDeskFixture is the forum fixture with the secretariat's desk.
func newDeskFixture(t *testing.T) *forumFixture {
	t.Helper()
	f := newForumFixture(t)
	f.deps.AccountService = accounts.New(accounts.Config{Store: f.db, Scenario: f.deps.Scenario, Keys: f.log})
	return f
}

// serveWithKey serves f's pages and, as the API server does next to
// them, the log's key.
func serveWithKey(t *testing.T, f *forumFixture) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/", NewHandler(f.deps))
	mux.HandleFunc("GET /log/key", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, f.log.Info().VerifierKey+"\n")
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

// TestBrowserExpertJourney is an expert's journey through a Delphi
// question of two rounds, with the secretariat finishing each round at
// its desk, at a laptop's width and a phone's.
func TestBrowserExpertJourney(t *testing.T) {
	f := newDeskFixture(t)
	ctx := browser(t)
	ts := serveWithKey(t, f)
	bg := context.Background()

	// The other expert's answers, given through the service. With the
	// expert's own below, round 1 is {400, 900}: median 650, IQR
	// (Hyndman-Fan 7) 775 - 525 = 250, over the stopping rule's 25; round
	// 2 is {560, 620}: median 590, IQR 605 - 575 = 30, still over, but
	// the median moved by 60, less than 15% of 650, so the question
	// closes for stability.
	const reason = "stability: the median moved from 650 to 590 (less than 15%)"
	others := []float64{900, 620}
	own := []float64{400, 560}

	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			run(t, ctx, chromedp.EmulateViewport(width, 900))
			q := &indivisible.Question{ForumID: f.forum, Parameter: "exercise_range_km", Text: fmt.Sprintf("At what distance (km) from an exercise has its effect fallen to 1/e? (asked at %d px)", width),
				Unit: "km", Min: 50, Max: 2000, Stop: indivisible.StoppingRule{IQR: 25, Stability: 0.15, MaxRounds: 4}}
			if err := f.svc.CreateQuestion(bg, f.acc["secretariat"], q); err != nil {
				t.Fatal(err)
			}
			page := fmt.Sprintf("%s/forum/%d/questions/%d", ts.URL, f.forum, q.ID)
			signOut := func() {
				t.Helper()
				if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
					t.Fatal(err)
				}
			}

			for round := 1; round <= 2; round++ {
				// The expert signs in on the question's page and answers.
				signOut()
				run(t, ctx, chromedp.Navigate(page),
					chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens["Expert Ivanova"]),
					chromedp.Click(chromedp.CSS(`#signin-button`)),
					chromedp.WaitVisible(chromedp.CSS(`#answer-form`)))
				if l := get[string](t, ctx, `document.querySelector('label[for=f-value]').textContent`); !strings.HasPrefix(l, fmt.Sprintf("Your estimate for round %d", round)) {
					t.Errorf("round %d: the form asks %q", round, l)
				}
				run(t, ctx, chromedp.SetValue(chromedp.CSS(`#f-value`), fmt.Sprint(own[round-1])),
					chromedp.Click(chromedp.CSS(`#answer-button`)),
					chromedp.WaitVisible(chromedp.CSS(`#answered-banner`)))
				noSidewaysScroll(t, ctx, fmt.Sprintf("the question after answering round %d", round), width)
				if _, err := f.svc.Answer(bg, f.acc["Expert Schmidt"], f.forum, q.ID, others[round-1]); err != nil {
					t.Fatal(err)
				}

				// The secretariat finishes the round at its desk.
				signOut()
				run(t, ctx, chromedp.Navigate(ts.URL+"/admin"),
					chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens["secretariat"]),
					chromedp.Click(chromedp.CSS(`#signin-button`)),
					chromedp.WaitVisible(chromedp.CSS(`#new-forum`)),
					chromedp.Navigate(fmt.Sprintf("%s/admin/forums/%d", ts.URL, f.forum)))
				finish := fmt.Sprintf(`#finish-%d`, q.ID)
				run(t, ctx, chromedp.WaitVisible(chromedp.CSS(finish)),
					chromedp.Click(chromedp.CSS(finish+` input[name=confirm]`)),
					chromedp.Click(chromedp.CSS(finish+`-submit`)),
					chromedp.WaitVisible(chromedp.CSS(`#notice`)))
				noSidewaysScroll(t, ctx, fmt.Sprintf("the desk after finishing round %d", round), width)
			}
			if get[bool](t, ctx, fmt.Sprintf(`document.getElementById('finish-%d') !== null`, q.ID)) {
				t.Error("the desk still offers to finish a round of the closed question")
			}

			// The expert sees the closed question with its two rounds. Its
			// page no longer has a sign-in form: the Exchange page's serves.
			signOut()
			run(t, ctx, chromedp.Navigate(ts.URL+"/exchange"),
				chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens["Expert Ivanova"]),
				chromedp.Click(chromedp.CSS(`#signin-button`)),
				chromedp.WaitVisible(chromedp.CSS(`#account-name`)),
				chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#rounds`)))
			if s := get[string](t, ctx, `document.querySelector('#feedback-h + p').textContent`); !strings.HasPrefix(s, "Closed after 2 rounds: "+reason+".") {
				t.Errorf("the question says %q, want it closed for %s", s, reason)
			}
			if get[bool](t, ctx, `document.getElementById('answer-form') !== null`) {
				t.Error("the closed question still offers the answer form")
			}
			rows := get[[]string](t, ctx, `Array.from(document.querySelectorAll('#rounds tbody tr'), r => Array.from(r.cells, c => c.textContent).join('|'))`)
			want := []string{"1|2|650|525|775|250|400|900|400", "2|2|590|575|605|30|560|620|560"}
			if !slices.Equal(rows, want) {
				t.Errorf("rounds table %q, want %q", rows, want)
			}
			if n := get[int](t, ctx, `document.querySelectorAll('.delphi-chart .own').length`); n != 2 {
				t.Errorf("%d own answers on the chart, want 2", n)
			}
			noSidewaysScroll(t, ctx, "the closed question", width)
		})
	}
}

// TestBrowserHeaderSignOut signs in and out from the header of the
// forum's pages and the assess page: signing out comes back to the same
// page, which then offers to sign in, and the session is over.
func TestBrowserHeaderSignOut(t *testing.T) {
	f := newDeskFixture(t)
	ctx := browser(t)
	ts := serveWithKey(t, f)
	shared := shareLink(&indivisible.Proposal{Measures: []indivisible.Measure{
		{Type: indivisible.MeasureHoldings, Actor: "POL", Category: indivisible.BattleTanks, Change: 250}}}, 0.0001)
	for _, page := range []string{"/forum", fmt.Sprintf("/forum/%d", f.forum), f.itemURL(f.open), "/assess", shared} {
		t.Run(page, func(t *testing.T) {
			run(t, ctx, chromedp.Navigate(ts.URL+"/exchange"),
				chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens["DEU"]),
				chromedp.Click(chromedp.CSS(`#signin-button`)),
				chromedp.WaitVisible(chromedp.CSS(`#account-name`)),
				chromedp.Navigate(ts.URL+page), chromedp.WaitVisible(chromedp.CSS(`#header-signout`)))
			if s := get[string](t, ctx, `document.getElementById('signed-in').textContent`); s != "Signed in: Delegation of Germany" {
				t.Errorf("the header says %q", s)
			}
			run(t, ctx, chromedp.Click(chromedp.CSS(`#header-signout`)), chromedp.WaitVisible(chromedp.CSS(`header .signin-link`)))
			if u := get[string](t, ctx, `location.pathname + location.search`); u != page {
				t.Errorf("signing out led to %s", u)
			}
			if get[bool](t, ctx, `document.getElementById('signed-in') !== null || document.getElementById('header-signout') !== null`) {
				t.Error("the header still shows the account after signing out")
			}
			run(t, ctx, chromedp.Navigate(ts.URL+"/exchange"), chromedp.WaitVisible(chromedp.CSS(`#signin-button`)))
		})
	}
}
