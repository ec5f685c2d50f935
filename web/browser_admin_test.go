package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/accounts"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

// TestBrowserDesk is the secretariat's journey through its desk, at a
// laptop's width and a phone's, from a database that holds only the
// accounts and keys of the exchange fixture: no forum, session, item,
// delegation, question or expert.
func TestBrowserDesk(t *testing.T) {
	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) { deskJourney(t, width) })
	}
}

func deskJourney(t *testing.T, width int64) {
	ctx := context.Background()
	f := newEmptyExchangeFixture(t)
	sk, vk, err := ledger.NewKey(rand.Reader, indivisible.ForumParticipant)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.RegisterKey(ctx, indivisible.ForumParticipant, vk); err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(sk)
	if err != nil {
		t.Fatal(err)
	}
	svc := forum.NewService(forum.Config{Store: f.db, Accounts: f.db, Assessor: f.deps.Assessor, Log: f.log,
		Attester: forum.KeyAttester{Signer: signer}, Now: func() time.Time { return fixtureNow }, Scenario: f.deps.Scenario})
	f.deps.Forum = svc
	f.deps.AccountService = accounts.New(accounts.Config{Store: f.db, Scenario: f.deps.Scenario, Keys: f.log})
	b := browser(t)
	run(t, b, chromedp.EmulateViewport(width, 900))
	ts := httptest.NewServer(NewHandler(f.deps))
	defer ts.Close()

	// submit clicks a button and waits for the next page's element
	// want. The old page's notice and errors are removed first, so that
	// only the new page's can be waited for.
	submit := func(button, want string) {
		t.Helper()
		run(t, b, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#notice, .error[role=alert]').forEach(e => e.remove())`),
			chromedp.Click(chromedp.CSS(button)),
			chromedp.WaitVisible(chromedp.CSS(want)))
	}
	const done = `#notice`
	// fill sets inputs' values by id, as a script does, so that selects,
	// date inputs and text boxes take one path.
	fill := func(values map[string]string) chromedp.Action[chromedp.Void] {
		js, err := json.Marshal(values)
		if err != nil {
			t.Fatal(err)
		}
		return chromedp.Evaluate[chromedp.Void](`Object.entries(` + string(js) + `).forEach(([id, v]) => { document.getElementById(id).value = v; })`)
	}
	noOverflow := func(page string) {
		t.Helper()
		if !get[bool](t, b, `document.documentElement.scrollWidth <= window.innerWidth`) {
			t.Errorf("%s at %d px: the page scrolls sideways (%d px wide); beyond the edge: %s", page, width, get[int](t, b, `document.documentElement.scrollWidth`),
				get[string](t, b, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.parentElement.closest('.table-scroll')).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className).join(', ')`))
		}
	}

	// A visitor is asked to sign in, and comes back to the desk.
	run(t, b, chromedp.Navigate(ts.URL+"/admin"), chromedp.WaitVisible(chromedp.CSS(`#f-token`)))
	run(t, b, chromedp.SendKeys(chromedp.CSS(`#f-token`), f.tokens["secretariat"]))
	submit(`#signin-button`, `#new-forum`)
	if !get[bool](t, b, `document.getElementById('desk-link') !== null && location.pathname === '/admin'`) {
		t.Error("signing in did not come back to the desk, linked in the header")
	}
	noOverflow("the desk")

	// A forum and a session.
	run(t, b, fill(map[string]string{"new-forum-title": "Forum on an indivisible security architecture"}))
	submit(`#new-forum-submit`, done)
	forumPath := get[string](t, b, `location.pathname`)
	if !strings.HasPrefix(forumPath, "/admin/forums/") {
		t.Fatalf("creating the forum led to %s", forumPath)
	}
	run(t, b, fill(map[string]string{"new-session-title": "First session"}))
	submit(`#new-session-submit`, `#new-item`)

	// A silence procedure without its deadline is refused: the summary
	// takes the focus and the deadline is marked.
	run(t, b, fill(map[string]string{"new-item-title": "Naval incidents", "new-item-rule-name": indivisible.RuleSilence}))
	submit(`#new-item-submit`, `#new-item-error`)
	if id := get[string](t, b, `document.activeElement.id`); id != "new-item-error" {
		t.Errorf("the focus is on %q, want the error summary", id)
	}
	if !get[bool](t, b, `document.getElementById('new-item-rule-deadline').getAttribute('aria-invalid') === 'true'`) {
		t.Error("the deadline is not marked")
	}
	if v := get[string](t, b, `document.getElementById('new-item-title').value`); v != "Naval incidents" {
		t.Errorf("the title came back as %q", v)
	}
	// One item under each rule.
	for _, it := range []map[string]string{
		{"new-item-title": "A hotline", "new-item-rule-name": indivisible.RuleConsensus},
		{"new-item-title": "Observers at exercises", "new-item-rule-name": indivisible.RuleConsensusMinusOne, "new-item-rule-concerned": "RUS"},
		{"new-item-title": "Annual data exchange", "new-item-rule-name": indivisible.RuleQualifiedMajority, "new-item-rule-quorum": "0.6"},
		{"new-item-title": "Naval incidents", "new-item-rule-name": indivisible.RuleSilence, "new-item-rule-deadline": "2026-06-30T18:00"},
	} {
		run(t, b, fill(map[string]string{"new-item-rule-concerned": "", "new-item-rule-quorum": "", "new-item-rule-deadline": ""}), fill(it))
		submit(`#new-item-submit`, done)
	}

	// Delegations of the three kinds, registered and accredited.
	for _, d := range []map[string]string{
		{"new-delegation-participant": "POL", "new-delegation-kind": "member_state", "new-delegation-name": "Delegation of Poland", "new-delegation-head": "Ambassador Nowak"},
		{"new-delegation-participant": "AUS", "new-delegation-kind": "partner_state", "new-delegation-name": "Delegation of Australia", "new-delegation-head": "Ambassador Smith"},
		{"new-delegation-participant": "CSTO", "new-delegation-kind": "organisation", "new-delegation-name": "CSTO Secretariat", "new-delegation-head": "Secretary General"},
	} {
		run(t, b, fill(d))
		submit(`#new-delegation-submit`, done)
	}
	for n := 3; n > 0; n-- {
		submit(`form[id^="accredit-"] button`, done)
		if got := get[int](t, b, `document.querySelectorAll('form[id^="accredit-"]').length`); got != n-1 {
			t.Errorf("%d delegations left to accredit, want %d", got, n-1)
		}
	}
	noOverflow("the forum's desk")

	// An expert's account and its token, shown once.
	run(t, b, chromedp.Navigate(ts.URL+"/admin"), chromedp.WaitVisible(chromedp.CSS(`#new-account`)),
		fill(map[string]string{"new-account-name": "Expert Novak", "new-account-role": "expert", "new-account-participant": "", "new-account-kind": ""}))
	submit(`#new-account-submit`, `#new-token`)
	accountPath := get[string](t, b, `location.pathname`)
	run(t, b, fill(map[string]string{"new-token-name": "laptop"}))
	submit(`#new-token-submit`, `#token-secret`)
	secret := get[string](t, b, `document.getElementById('token-secret').value`)
	expert, err := f.db.Authenticate(ctx, indivisible.HashToken(secret))
	if err != nil || expert.Name != "Expert Novak" {
		t.Fatalf("the secret shown authenticates as %v (%v)", expert, err)
	}
	if !get[bool](t, b, `!document.getElementById('copy-token').hidden`) {
		t.Error("the copy button is hidden although the page has JavaScript")
	}
	noOverflow("the new token's page")
	run(t, b, chromedp.Navigate(ts.URL+accountPath), chromedp.WaitVisible(chromedp.CSS(`#tokens`)))
	if strings.Contains(get[string](t, b, `document.documentElement.outerHTML`), secret) {
		t.Error("the account's page shows the secret again")
	}

	// The expert on the panel, and a Delphi question.
	run(t, b, chromedp.Navigate(ts.URL+forumPath), chromedp.WaitVisible(chromedp.CSS(`#new-expert`)),
		fill(map[string]string{"new-expert-account-id": fmt.Sprint(expert.ID)}))
	submit(`#new-expert-submit`, done)
	run(t, b, fill(map[string]string{"new-question-parameter": "exercise_range_km", "new-question-text": "At what distance from an exercise has its effect fallen to 1/e?",
		"new-question-unit": "km", "new-question-min": "50", "new-question-max": "2000", "new-question-stop-iqr": "100", "new-question-stop-max-rounds": "3"}))
	submit(`#new-question-submit`, `form[id^="finish-"]`)

	// The expert answers, and the secretariat finishes the round.
	fo, err := f.db.Forums(ctx)
	if err != nil || len(fo) != 1 {
		t.Fatalf("forums %v (%v)", fo, err)
	}
	qs, err := f.db.Questions(ctx, fo[0].ID)
	if err != nil || len(qs) != 1 {
		t.Fatalf("questions %v (%v)", qs, err)
	}
	if _, err := svc.Answer(ctx, expert, fo[0].ID, qs[0].ID, 400); err != nil {
		t.Fatal(err)
	}
	run(t, b, chromedp.Click(chromedp.CSS(`form[id^="finish-"] input[name=confirm]`)))
	submit(`form[id^="finish-"] button`, done)
	screenshot(t, b, fmt.Sprintf("admin-forum-%d", width), true)

	// What the desk did is in the store.
	q, err := f.db.Question(ctx, qs[0].ID)
	if err != nil || len(q.Rounds) != 1 || q.Rounds[0].N != 1 || q.Rounds[0].Median != 400 {
		t.Errorf("question %+v (%v), want one finished round of one answer, 400", q, err)
	}
	ss, _ := f.db.Sessions(ctx, fo[0].ID)
	if len(ss) != 1 {
		t.Fatalf("sessions %v", ss)
	}
	its, _ := f.db.Items(ctx, ss[0].ID)
	rules := map[string]indivisible.RuleSpec{}
	for _, it := range its {
		rules[it.Rule.Name] = it.Rule
	}
	if len(its) != 4 || rules[indivisible.RuleConsensusMinusOne].Concerned != "RUS" || rules[indivisible.RuleQualifiedMajority].Quorum != 0.6 ||
		rules[indivisible.RuleSilence].Deadline == nil || !rules[indivisible.RuleSilence].Deadline.Equal(time.Date(2026, 6, 30, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("items' rules %+v", rules)
	}
	ds, _ := f.db.Delegations(ctx, fo[0].ID)
	kinds := map[indivisible.DelegationKind]indivisible.AccreditationStatus{}
	for _, d := range ds {
		kinds[d.Kind] = d.Status
	}
	if len(ds) != 3 || kinds[indivisible.MemberState] != indivisible.Accredited || kinds[indivisible.PartnerState] != indivisible.Accredited || kinds[indivisible.OrganisationDelegation] != indivisible.Accredited {
		t.Errorf("delegations %v", kinds)
	}
}
