package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/i18n"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

// forumFixture is the exchange fixture with a forum over its log and
// store, seeded as the demo seeds one: an open consensus item with a
// proposal, an amendment and positions (one signed by the delegation's
// key), a decided qualified-majority item, and a Delphi question in its
// second round.
type forumFixture struct {
	*exchangeFixture
	svc *forum.Service
	acc map[string]*indivisible.Account // as tokens
	// The seeded records' IDs.
	forum, open, decided, question int64
}

func newForumFixture(t testing.TB) *forumFixture {
	t.Helper()
	ctx := context.Background()
	f := &forumFixture{exchangeFixture: newExchangeFixture(t), acc: map[string]*indivisible.Account{}}
	for _, a := range []indivisible.Account{
		{Name: "Delegation of Australia", Role: indivisible.RoleDelegation, Participant: "AUS", Kind: indivisible.PartnerState},
		{Name: "Expert Ivanova", Role: indivisible.RoleExpert},
		{Name: "Expert Schmidt", Role: indivisible.RoleExpert},
	} {
		if err := f.db.CreateAccount(ctx, &a); err != nil {
			t.Fatal(err)
		}
		secret, hash := indivisible.NewTokenSecret()
		if _, err := f.db.CreateToken(ctx, a.ID, "test", hash); err != nil {
			t.Fatal(err)
		}
		f.tokens[cmpOr(a.Participant, a.Name)] = secret
	}
	for who, token := range f.tokens {
		a, err := f.db.Authenticate(ctx, indivisible.HashToken(token))
		if err != nil {
			t.Fatal(err)
		}
		f.acc[who] = a
	}
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
	f.svc = forum.NewService(forum.Config{Store: f.db, Accounts: f.db, Assessor: f.deps.Assessor, Log: f.log,
		Attester: forum.KeyAttester{Signer: signer}, Now: func() time.Time { return fixtureNow },
		Scenario: f.deps.Scenario})
	f.deps.Forum = f.svc
	f.seed(t)
	return f
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (f *forumFixture) seed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sec := f.acc["secretariat"]
	fo := &indivisible.Forum{Title: "International expert forum on an equal and indivisible security architecture in Eurasia"}
	must(f.svc.CreateForum(ctx, sec, fo))
	se := &indivisible.Session{ForumID: fo.ID, Title: "First session: confidence-building in Europe"}
	must(f.svc.CreateSession(ctx, sec, se))
	for _, p := range []string{"POL", "DEU", "RUS", "AUS"} {
		a := f.acc[p]
		d := &indivisible.Delegation{ForumID: fo.ID, Participant: p, Kind: a.Kind, Name: a.Name, Head: "Head of delegation"}
		must(f.svc.RegisterDelegation(ctx, a, d))
		_, err := f.svc.SetDelegationStatus(ctx, sec, fo.ID, d.ID, indivisible.Accredited)
		must(err)
	}
	for _, e := range []string{"Expert Ivanova", "Expert Schmidt"} {
		_, err := f.svc.AddExpert(ctx, sec, fo.ID, f.acc[e].ID)
		must(err)
	}
	cbm := func(kinds ...string) *indivisible.Proposal {
		p := &indivisible.Proposal{}
		for _, k := range kinds {
			p.Measures = append(p.Measures, indivisible.Measure{Type: indivisible.MeasureCBM, Actors: []string{"POL", "RUS"}, Kind: k})
		}
		return p
	}
	open := &indivisible.AgendaItem{ForumID: fo.ID, SessionID: se.ID, Title: "A hotline between Poland and the Russian Federation",
		Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus}}
	decided := &indivisible.AgendaItem{ForumID: fo.ID, SessionID: se.ID, Title: "Annual data exchange in Central Europe",
		Rule: indivisible.RuleSpec{Name: indivisible.RuleQualifiedMajority}}
	must(f.svc.CreateItem(ctx, sec, open))
	must(f.svc.CreateItem(ctx, sec, decided))
	must(f.svc.Table(ctx, f.acc["POL"], fo.ID, &indivisible.ProposalVersion{ItemID: open.ID, Title: "A hotline",
		Text: "Poland and the Russian Federation open a **hotline** between their ministries of defence.\n\nIt is staffed:\n\n- day and night\n- by officers of both sides\n", Package: cbm("hotline")}))
	must(f.svc.Table(ctx, f.acc["DEU"], fo.ID, &indivisible.ProposalVersion{ItemID: open.ID, Title: "A hotline and observers",
		Text: "Poland and the Russian Federation open a **hotline** between their ministries of defence and *exchange military observers* at exercises.\n\nIt is staffed:\n\n- day and night\n- by officers of both sides\n", Package: cbm("hotline", "observers")}))
	// Poland signs its position with its own key; the others are attested.
	body := (&forum.PositionBody{Type: forum.PositionType, Forum: fo.ID, Item: open.ID, Version: 2, Participant: "POL",
		Stance: indivisible.Support, Time: fixtureNow.Format(time.RFC3339Nano)}).Marshal()
	s, err := note.NewSigner(f.keys["POL"])
	must(err)
	sig, err := s.Sign(body)
	must(err)
	for _, p := range []struct {
		who string
		req *indivisible.PositionRequest
	}{
		{"POL", &indivisible.PositionRequest{Signed: &indivisible.SignedStatement{Body: body, KeyName: s.Name(), Signature: sig}}},
		{"RUS", &indivisible.PositionRequest{Stance: indivisible.Abstain}},
		{"AUS", &indivisible.PositionRequest{Stance: indivisible.Join, StatementKind: indivisible.Interpretative, Statement: "We understand 'observers' to include civilian experts."}},
	} {
		_, err := f.svc.TakePosition(ctx, f.acc[p.who], fo.ID, open.ID, p.req)
		must(err)
	}
	must(f.svc.Table(ctx, sec, fo.ID, &indivisible.ProposalVersion{ItemID: decided.ID, Title: "Annual data exchange",
		Text:    "Poland, Germany and the Russian Federation exchange data on their forces every year.\n",
		Package: &indivisible.Proposal{Measures: []indivisible.Measure{{Type: indivisible.MeasureCBM, Actors: []string{"POL", "DEU", "RUS"}, Kind: "data_exchange"}}}}))
	for _, p := range []struct {
		who string
		req *indivisible.PositionRequest
	}{
		{"POL", &indivisible.PositionRequest{Stance: indivisible.Support}},
		{"DEU", &indivisible.PositionRequest{Stance: indivisible.Support}},
		{"RUS", &indivisible.PositionRequest{Stance: indivisible.Object, Statement: "Data exchange must cover all of Europe."}},
	} {
		_, err := f.svc.TakePosition(ctx, f.acc[p.who], fo.ID, decided.ID, p.req)
		must(err)
	}
	_, err = f.svc.Close(ctx, sec, fo.ID, decided.ID)
	must(err)
	q := &indivisible.Question{ForumID: fo.ID, Parameter: "exercise_range_km", Text: "At what distance (km) from an exercise has its effect on the odds of a dispute fallen to 1/e (about 37%)?",
		Unit: "km", Min: 50, Max: 2000, Stop: indivisible.StoppingRule{IQR: 25}}
	must(f.svc.CreateQuestion(ctx, sec, q))
	for _, a := range []struct {
		who   string
		value float64
	}{{"Expert Ivanova", 375}, {"Expert Schmidt", 650}} {
		_, err := f.svc.Answer(ctx, f.acc[a.who], fo.ID, q.ID, a.value)
		must(err)
	}
	_, err = f.svc.FinishRound(ctx, sec, fo.ID, q.ID)
	must(err)
	_, err = f.svc.Answer(ctx, f.acc["Expert Ivanova"], fo.ID, q.ID, 475)
	must(err)
	f.forum, f.open, f.decided, f.question = fo.ID, open.ID, decided.ID, q.ID
}

// client returns a browser stand-in signed in as who, and its CSRF token.
func (f *forumFixture) client(t *testing.T, h http.Handler, who string) (*client, string) {
	t.Helper()
	c := &client{t: t, h: h}
	res, _ := c.post("/signin", url.Values{"token": {f.tokens[who]}, "next": {"/forum"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/forum" || c.cookie == nil {
		t.Fatalf("sign-in: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	return c, c.csrf()
}

func (f *forumFixture) itemURL(item int64) string {
	return fmt.Sprintf("/forum/%d/items/%d", f.forum, item)
}

func TestForumPages(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	for _, tc := range []struct {
		target string
		status int
		want   []string
	}{
		{"/forum", 200, []string{`aria-current="page">Forum`, `First session: confidence-building in Europe`,
			fmt.Sprintf(`<a href="%s">A hotline between Poland`, f.itemURL(f.open)), `Qualified majority <span class="hint">v1</span>`,
			`<strong class="good">Adopted</strong>`, `<span class="tag open">open</span>`, `exercise_range_km`, `round 2 open`}},
		{f.itemURL(f.open), 200, []string{`<strong>Consensus</strong>, version 1`, `Provisional count`, `id="outcome" class="good">Adopted`,
			`Version 2: A hotline and observers`, `Amendment tabled by Germany`, `<strong>hotline</strong>`, `<li>day and night</li>`,
			`Changes from version 1`, `<ins>`, `<mark>`, `class="map-data"`, `id="verdict"`, `signed <code>POL-`, `attested`,
			`Interpretative statement`, `We understand &#39;observers&#39; to include civilian experts.`, `Sign in`, `name="next" value="` + f.itemURL(f.open) + `"`}},
		{f.itemURL(f.open) + "?version=1", 200, []string{`Version 1: A hotline`, `not the current version`, `Proposal tabled by Poland`}},
		{f.itemURL(f.decided), 200, []string{`<strong>Qualified majority</strong>, version 1`, `quorum 50% of the accredited member states`,
			`Decided on version 1`, `id="outcome" class="good">Adopted`, `2 of 3 member states voting support`, `Voted against`, `Data exchange must cover all of Europe.`,
			fmt.Sprintf(`href="/api/v1/forums/%d/items/%d/outcome"`, f.forum, f.decided), `The item is closed`}},
		{fmt.Sprintf("/forum/%d/questions/%d", f.forum, f.question), 200, []string{`Delphi question: <code>exercise_range_km</code>`, `Round 2 is open.`,
			`class="median"`, `signs in with their API token`}},
		{f.itemURL(f.open) + "?version=9", 404, []string{`no version`}},
		{fmt.Sprintf("/forum/%d/items/%d", f.forum+1, f.open), 404, nil},
		{"/forum/x/items/1", 404, nil},
		{fmt.Sprintf("/forum/%d/questions/99", f.forum), 404, nil},
	} {
		t.Run(tc.target, func(t *testing.T) {
			getPage(t, h, tc.target, tc.status, tc.want)
		})
	}
}

// TestForumBanners checks that the banners after a redirect show only
// what the records bear out: entry 1 is no position, the item is open.
func TestForumBanners(t *testing.T) {
	f := newForumFixture(t)
	_, page := do(t, NewHandler(f.deps), "GET", f.itemURL(f.open)+"?position=1&closed=1", nil)
	if strings.Contains(page, `id="taken-banner"`) || strings.Contains(page, `The item is closed;`) {
		t.Errorf("the page shows a banner for a position or a closing that did not happen")
	}
}

// TestForumPosition takes positions through the form, without
// JavaScript: a member state objects, a partner state may not, and a
// position on a stale version is refused.
func TestForumPosition(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	ctx := context.Background()
	post := func(t *testing.T, who string, form url.Values) (*http.Response, string) {
		c, csrf := f.client(t, h, who)
		form.Set("csrf", csrf)
		return c.post(f.itemURL(f.open)+"/positions", form)
	}
	t.Run("object", func(t *testing.T) {
		before := f.size(t)
		res, _ := post(t, "DEU", url.Values{"version": {"2"}, "stance": {"object"}, "statement_kind": {"reservation"}, "statement": {"Observers only at large exercises."}, "confirm": {"yes"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		want := fmt.Sprintf("%s?position=%d", f.itemURL(f.open), before)
		if loc := res.Header.Get("Location"); loc != want {
			t.Fatalf("redirect to %q, want %q", loc, want)
		}
		e, err := f.log.Entry(ctx, before)
		if err != nil || e.Kind != indivisible.KindPosition || !strings.Contains(string(e.Body), `"stance":"object"`) || strings.Contains(string(e.Body), "reservation") {
			t.Fatalf("entry %d: %s %s (%v)", before, e.Kind, e.Body, err)
		}
		c, _ := f.client(t, h, "DEU")
		_, page := c.get(strings.TrimSuffix(want, "#positions"))
		for _, w := range []string{fmt.Sprintf(`<a href="/log/entry/%d">log entry %d</a>`, before, before), `id="outcome" class="bad">Not adopted`,
			`Observers only at large exercises.`, `<h3>Blocking</h3>`} {
			if !strings.Contains(page, w) {
				t.Errorf("page lacks %q", w)
			}
		}
	})
	for _, tc := range []struct {
		name, who string
		form      url.Values
		status    int
		field     string
	}{
		{"partner objects", "AUS", url.Values{"version": {"2"}, "stance": {"object"}, "statement": {"No."}}, http.StatusForbidden, "stance"},
		{"no stance", "POL", url.Values{"version": {"2"}}, http.StatusBadRequest, "stance"},
		{"join without statement", "POL", url.Values{"version": {"2"}, "stance": {"join"}, "statement_kind": {"reservation"}}, http.StatusBadRequest, "statement"},
		{"stale version", "POL", url.Values{"version": {"1"}, "stance": {"support"}}, http.StatusConflict, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.size(t)
			res, page := post(t, tc.who, tc.form)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if f.size(t) != before {
				t.Errorf("a refused position reached the log")
			}
			if !strings.Contains(page, `id="position-error"`) {
				t.Errorf("no error on the form")
			}
			// The field is marked, and the form keeps what was typed.
			if tc.field != "" {
				marked := regexp.MustCompile(`name="` + tc.field + `"[^>]*aria-invalid="true"`)
				if !marked.MatchString(page) {
					t.Errorf("field %s not marked", tc.field)
				}
			}
			if s := tc.form.Get("statement"); s != "" && !strings.Contains(page, ">"+s+"</textarea>") {
				t.Errorf("the statement was not kept")
			}
		})
	}
	t.Run("bad token", func(t *testing.T) {
		// The item's page shows the error, and its form returns to the
		// item.
		res, page := do(t, h, "POST", "/signin", url.Values{"token": {"ind_nope"}, "next": {f.itemURL(f.open)}})
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(page, `id="signin-error"`) || !strings.Contains(page, `name="next" value="`+f.itemURL(f.open)+`"`) {
			t.Errorf("status %d; the page lacks the error or the way back", res.StatusCode)
		}
	})
	t.Run("no session", func(t *testing.T) {
		res, _ := do(t, h, "POST", f.itemURL(f.open)+"/positions", url.Values{"version": {"2"}, "stance": {"support"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", res.StatusCode)
		}
	})
	t.Run("close", func(t *testing.T) {
		c, csrf := f.client(t, h, "secretariat")
		_, page := c.get(f.itemURL(f.open))
		if !strings.Contains(page, `id="close-button"`) {
			t.Fatal("the secretariat is not offered to close the item")
		}
		res, _ := c.post(f.itemURL(f.open)+"/close", url.Values{"csrf": {csrf}, "confirm": {"yes"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		d, err := f.db.Decision(ctx, f.open)
		if err != nil || d.Outcome != indivisible.NotAdopted {
			t.Fatalf("decision %+v (%v)", d, err)
		}
		// A delegation may not close an item.
		c, csrf = f.client(t, h, "POL")
		if res, _ := c.post(f.itemURL(f.decided)+"/close", url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a delegation closing: status %d, want 403", res.StatusCode)
		}
	})
}

func TestForumDelphi(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	target := fmt.Sprintf("/forum/%d/questions/%d", f.forum, f.question)
	c, csrf := f.client(t, h, "Expert Schmidt")
	_, page := c.get(target)
	if !strings.Contains(page, `id="answer-form"`) || !strings.Contains(page, `you: 650`) {
		t.Fatalf("an expert sees no questionnaire, or not their round-1 answer")
	}
	for _, tc := range []struct {
		value  string
		status int
	}{{"lots", 400}, {"2500", 400}, {"550", 303}} {
		res, page := c.post(target+"/answers", url.Values{"csrf": {csrf}, "value": {tc.value}})
		if res.StatusCode != tc.status {
			t.Fatalf("%s: status %d, want %d", tc.value, res.StatusCode, tc.status)
		}
		if tc.status == 400 && !regexp.MustCompile(`name="value"[^>]*aria-invalid="true"`).MatchString(page) {
			t.Errorf("%s: the value field is not marked", tc.value)
		}
	}
	_, page = c.get(target + "?answered=1")
	if !strings.Contains(page, `value="550"`) || !strings.Contains(page, `you: 550`) {
		t.Errorf("the page does not show the new answer")
	}
	// A delegation sees the feedback, not the questionnaire.
	c, _ = f.client(t, h, "POL")
	_, page = c.get(target)
	if strings.Contains(page, `id="answer-form"`) || strings.Contains(page, `you: `) {
		t.Errorf("a delegation is offered the questionnaire or sees an expert's answer")
	}
}

// TestDelphiChart pins the chart's SVG for a question in its third round.
func TestDelphiChart(t *testing.T) {
	q := &indivisible.Question{Parameter: "exercise_range_km", Unit: "km", Min: 50, Max: 2000, Round: 3, Rounds: []indivisible.RoundStats{
		{Round: 1, N: 7, Min: 225, Q1: 350, Median: 450, Q3: 650, Max: 1000, IQR: 300},
		{Round: 2, N: 7, Min: 325, Q1: 412.5, Median: 475, Q3: 550, Max: 700, IQR: 137.5},
	}}
	c := newDelphiChart(bundle.Localizer(i18n.English), q, map[int]float64{1: 750, 2: 600, 3: 525})
	var b strings.Builder
	if err := pages["question"].ExecuteTemplate(&b, "content", questionData{Forum: &indivisible.Forum{}, Q: q, Chart: c}); err != nil {
		t.Fatal(err)
	}
	svg := regexp.MustCompile(`(?s)<svg.*?</svg>`).FindString(b.String())
	golden(t, "delphi.golden", svg)
}

// TestDiff pins the rendering of amendments.
func TestDiff(t *testing.T) {
	old := "Poland and the Russian Federation open a **hotline** between their ministries of defence.\n\nIt is staffed:\n\n- day and night\n- by officers\n"
	new := "Poland and the Russian Federation open a **hotline** between their ministries of defence and exchange observers.\n\nIt is staffed:\n\n- day and night\n- by officers of both sides\n- in Russian and Polish\n\nIt is reviewed after a year.\n"
	var b strings.Builder
	for _, l := range textDiff(old, new) {
		fmt.Fprintf(&b, "%-4s %q", l.Op, l.Text)
		for _, w := range l.Words {
			if w.Changed {
				fmt.Fprintf(&b, " [%s]", w.Text)
			}
		}
		b.WriteByte('\n')
	}
	golden(t, "diff.golden", b.String())
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; run with -update and review the diff:\n%s", name, got)
	}
}

// TestLocalPath checks that a sign-in returns only to a page of this
// site.
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/forum/1/items/2":     "/forum/1/items/2",
		"/forum/1/items/2?x=1": "/forum/1/items/2?x=1",
		"":                     "",
		"forum":                "",
		"//evil.example/":      "",
		"/\\evil.example/":     "",
		"https://evil.example": "",
		"javascript:alert(1)":  "",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestForumDamagedRows damages stored rows by hand: the forum's pages
// show the rest, name each record that could not be read and log it,
// while what needs every record (closing an item under its rule) still
// fails.
func TestForumDamagedRows(t *testing.T) {
	f := newForumFixture(t)
	var logged bytes.Buffer
	f.deps.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	h := NewHandler(f.deps)
	for _, q := range []string{
		fmt.Sprintf(`UPDATE forum_versions SET assessment = '' WHERE item_id = %d AND number = 1`, f.open),
		fmt.Sprintf(`UPDATE forum_decisions SET decision = '{' WHERE item_id = %d`, f.decided),
	} {
		if _, err := f.db.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	version := fmt.Sprintf("Version 1 of item %d could not be read.", f.open)
	decision := fmt.Sprintf("The decision on item %d could not be read.", f.decided)
	for _, tc := range []struct {
		target string
		want   []string
		not    []string
	}{
		{"/forum", []string{version, decision, fmt.Sprintf(`<a href="%s">A hotline between Poland`, f.itemURL(f.open)),
			`<td class="num">2</td>`, `decision unreadable`, `exercise_range_km`}, nil},
		{f.itemURL(f.open), []string{version, `Version 2: A hotline and observers`, `Amendment tabled by Germany`, `id="verdict"`,
			`signed <code>POL-`, `The count is not shown`, `Positions cannot be taken`}, []string{`Provisional count`}},
		{f.itemURL(f.open) + "?version=1", []string{version, `Version 1 could not be read`}, []string{`Changes from version`}},
		{f.itemURL(f.decided), []string{decision, `The decision could not be read.`, `Annual data exchange`, `<span class="stance stance-object">`}, []string{`id="outcome"`}},
	} {
		t.Run(tc.target, func(t *testing.T) {
			logged.Reset()
			res, page := do(t, h, "GET", tc.target, nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", res.StatusCode)
			}
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(page, w) {
					t.Errorf("page has %q", w)
				}
			}
			if !strings.Contains(logged.String(), "level=ERROR") || !strings.Contains(logged.String(), "could not be read") {
				t.Errorf("the damaged records are not logged as errors:\n%s", logged.String())
			}
		})
	}
	t.Run("closing still fails", func(t *testing.T) {
		c, csrf := f.client(t, h, "secretariat")
		res, _ := c.post(f.itemURL(f.open)+"/close", url.Values{"csrf": {csrf}, "confirm": {"yes"}})
		if res.StatusCode != http.StatusInternalServerError {
			t.Errorf("closing an item with a damaged version: status %d, want 500", res.StatusCode)
		}
		if it, err := f.db.Item(context.Background(), f.open); err != nil || it.Status != indivisible.ItemOpen {
			t.Errorf("item %+v (%v), want it still open", it, err)
		}
	})
}

// TestForumSilenceLateObjection is the regression test for the item
// page's standings: under the silence procedure an objection logged after
// the deadline is not current, as the rule does not count it.
func TestForumSilenceLateObjection(t *testing.T) {
	f := newForumFixture(t)
	ctx := context.Background()
	sec := f.acc["secretariat"]
	ss, err := f.db.Sessions(ctx, f.forum)
	if err != nil {
		t.Fatal(err)
	}
	deadline := fixtureNow.Add(-time.Hour)
	it := &indivisible.AgendaItem{ForumID: f.forum, SessionID: ss[0].ID, Title: "A hotline under silence",
		Rule: indivisible.RuleSpec{Name: indivisible.RuleSilence, Deadline: &deadline}}
	if err := f.svc.CreateItem(ctx, sec, it); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Table(ctx, sec, f.forum, &indivisible.ProposalVersion{ItemID: it.ID, Title: "A hotline", Text: "A hotline.\n"}); err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.TakePosition(ctx, f.acc["DEU"], f.forum, it.ID, &indivisible.PositionRequest{Stance: indivisible.Object, Statement: "We object, after the deadline."})
	if err != nil {
		t.Fatal(err)
	}
	_, page := do(t, NewHandler(f.deps), "GET", f.itemURL(it.ID), nil)
	row := regexp.MustCompile(`(?s)<tr class="([^"]*)" data-participant="DEU">.*?</tr>`).FindStringSubmatch(page)
	if row == nil {
		t.Fatalf("no row for DEU's objection (log entry %d)", p.LogIndex)
	}
	if strings.Contains(row[1], "current") || strings.Contains(row[0], "<td>current</td>") || !strings.Contains(row[0], "late") {
		t.Errorf("the late objection shows as current, or not as late:\n%s", row[0])
	}
	if !strings.Contains(page, `id="outcome" class="good">Adopted`) {
		t.Errorf("the provisional count is not adopted")
	}
}

// TestForumPage checks the forum's own page: its sessions and agenda
// items with rule and status, its delegations with their status and its
// expert panel; /forum links to it.
func TestForumPage(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	page := fmt.Sprintf("/forum/%d", f.forum)
	for _, tc := range []struct {
		target string
		status int
		want   []string
	}{
		{"/forum", 200, []string{fmt.Sprintf(`<a href="%s">International expert forum`, page)}},
		{page, 200, []string{`<h1>International expert forum on an equal and indivisible security architecture in Eurasia</h1>`,
			`First session: confidence-building in Europe`, fmt.Sprintf(`<a href="%s">A hotline between Poland`, f.itemURL(f.open)),
			`Consensus <span class="hint">v1</span>`, `Qualified majority`, `<span class="tag open">open</span>`, `<strong class="good">Adopted</strong>`,
			`id="delegations"`, `Delegation of Australia`, `partner state`, `<span class="tag accredited">accredited</span>`,
			`id="panel"`, `Expert Ivanova`, `Expert Schmidt`, `exercise_range_km`,
			`aria-current="page">Forum`, `id="signin-button"`, `name="next" value="` + page + `"`}},
		{fmt.Sprintf("/forum/%d", f.forum+1), 404, []string{`role="alert"`}},
		{"/forum/x", 404, []string{`role="alert"`}},
	} {
		t.Run(tc.target, func(t *testing.T) {
			getPage(t, h, tc.target, tc.status, tc.want)
		})
	}
}

// TestHeaderSignInReturns follows the header's Sign in link from a page
// that has no sign-in form of its own: the Exchange page's form then
// carries the page, and signing in returns there; a next that leaves the
// site is dropped.
func TestHeaderSignInReturns(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	_, page := do(t, h, "GET", "/assess?p=x", nil)
	const link = `href="/exchange?next=%2fassess%3fp%3dx#file"`
	if !strings.Contains(page, link) {
		t.Fatalf("the header's Sign in link is not %s", link)
	}
	_, page = do(t, h, "GET", "/exchange?next=%2Fassess%3Fp%3Dx", nil)
	if !strings.Contains(page, `name="next" value="/assess?p=x"`) {
		t.Errorf("the Exchange page's sign-in form does not carry the page it came from")
	}
	if _, page = do(t, h, "GET", "/exchange?next=%2F%2Fevil.example%2F", nil); strings.Contains(page, `name="next" value="//evil`) {
		t.Errorf("a next that leaves the site is kept")
	}
	res, _ := do(t, h, "POST", "/signin", url.Values{"token": {f.tokens["POL"]}, "next": {"/assess?p=x"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/assess?p=x" {
		t.Errorf("sign-in: %d to %q, want 303 to /assess?p=x", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestForumSignInReturns signs in from each forum page: a success
// returns to the page, a failure shows the page again with the error on
// its sign-in form, and a next that leaves the site is not followed.
func TestForumSignInReturns(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	question := fmt.Sprintf("/forum/%d/questions/%d", f.forum, f.question)
	for _, tc := range []struct {
		name, token, next string
		status            int
		location          string   // for a success
		want              []string // on the page of a failure
	}{
		{"index", f.tokens["POL"], "/forum", 303, "/forum", nil},
		{"forum", f.tokens["POL"], fmt.Sprintf("/forum/%d", f.forum), 303, fmt.Sprintf("/forum/%d", f.forum), nil},
		{"item", f.tokens["DEU"], f.itemURL(f.open), 303, f.itemURL(f.open), nil},
		{"elsewhere", f.tokens["DEU"], "//evil.example/", 303, "/exchange#file", nil},
		{"index, bad token", "ind_nope", "/forum", 401, "", []string{`<h1>Expert forum</h1>`, `id="signin-error"`, `unknown or revoked`, `name="next" value="/forum"`}},
		{"forum, bad token", "ind_nope", fmt.Sprintf("/forum/%d", f.forum), 401, "", []string{`id="delegations"`, `id="signin-error"`, `name="next" value="` + fmt.Sprintf("/forum/%d", f.forum) + `"`}},
		{"open item, bad token", "ind_nope", f.itemURL(f.open), 401, "", []string{`A hotline between Poland`, `id="signin-error"`, `name="next" value="` + f.itemURL(f.open) + `"`}},
		{"decided item, no token", "", f.itemURL(f.decided), 400, "", []string{`Annual data exchange in Central Europe`, `id="signin-error"`, `paste your API token`}},
		{"question, bad token", "ind_nope", question, 401, "", []string{`exercise_range_km`, `id="signin-error"`}},
		{"missing item, bad token", "ind_nope", fmt.Sprintf("/forum/%d/items/99", f.forum), 401, "", []string{`id="signin-error"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, page := do(t, h, "POST", "/signin", url.Values{"token": {tc.token}, "next": {tc.next}})
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if tc.location != "" && res.Header.Get("Location") != tc.location {
				t.Errorf("redirect to %q, want %q", res.Header.Get("Location"), tc.location)
			}
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
	// Signed in already, a bad token still shows its error on the page.
	c, _ := f.client(t, h, "POL")
	res, page := c.post("/signin", url.Values{"token": {"ind_nope"}, "next": {f.itemURL(f.open)}})
	if res.StatusCode != 401 || !strings.Contains(page, `id="signin-error"`) || !strings.Contains(page, `still signed in as Delegation of Poland`) {
		t.Errorf("signed in, a bad token: status %d, or the error is not shown", res.StatusCode)
	}
}

// TestForumCurrentPosition checks that the position form shows the
// delegation's current position, as the rule counts it.
func TestForumCurrentPosition(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	for _, tc := range []struct {
		who, stance, kind, statement string
	}{
		{"AUS", "join", "interpretative", "We understand &#39;observers&#39; to include civilian experts."},
		{"RUS", "abstain", "", ""},
		{"POL", "support", "", ""},
		{"DEU", "support", "", ""}, // no position yet
	} {
		t.Run(tc.who, func(t *testing.T) {
			c, _ := f.client(t, h, tc.who)
			_, page := c.get(f.itemURL(f.open))
			checked := regexp.MustCompile(`id="stance-([a-z]+)" checked`).FindAllStringSubmatch(page, -1)
			if len(checked) != 1 || checked[0][1] != tc.stance {
				t.Errorf("checked stances %v, want %s", checked, tc.stance)
			}
			if tc.kind != "" && !strings.Contains(page, `<option value="`+tc.kind+`" selected>`) {
				t.Errorf("statement kind %s not selected", tc.kind)
			}
			if !strings.Contains(page, `name="statement" rows="3">`+tc.statement+`</textarea>`) {
				t.Errorf("statement not %q", tc.statement)
			}
		})
	}
}

// TestForumCommentsAndFloor posts comments and requests for the floor
// through the item page's forms: the page lists them, and the service's
// refusals show on the page with nothing stored.
func TestForumCommentsAndFloor(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	ctx := context.Background()
	count := func(t *testing.T, item int64) int {
		cs, err := f.db.Comments(ctx, item)
		if err != nil {
			t.Fatal(err)
		}
		sps, err := f.db.Speakers(ctx, item)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs) + len(sps)
	}
	for _, tc := range []struct {
		name, who string
		item      int64
		action    string
		form      url.Values
		status    int
		want      []string // on the page (after the redirect of a success)
	}{
		{"delegation comments", "POL", f.open, "comments", url.Values{"text": {"We ask for a review after a year."}}, 303,
			[]string{`id="comment-banner"`, `We ask for a review after a year.`, `Delegation of Poland`}},
		{"expert comments", "Expert Ivanova", f.open, "comments", url.Values{"text": {"Hotlines reduce escalation."}}, 303,
			[]string{`Hotlines reduce escalation.`, `Expert Ivanova`}},
		{"empty comment", "POL", f.open, "comments", url.Values{"text": {"  "}}, 400, []string{`id="comment-error"`}},
		{"comment on a decided item", "POL", f.decided, "comments", url.Values{"text": {"Late."}}, 409, []string{`id="comment-error"`, `is closed`}},
		{"delegation asks for the floor", "DEU", f.open, "floor", url.Values{}, 303,
			[]string{`id="floor-banner"`, `<ol class="speakers"`, `Delegation of Germany`, `id="on-list"`}},
		{"again", "DEU", f.open, "floor", url.Values{}, 409, []string{`id="floor-error"`, `on the speakers&#39; list already`}},
		{"expert asks for the floor", "Expert Schmidt", f.open, "floor", url.Values{}, 303, []string{`Expert Schmidt`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, size := count(t, tc.item), f.size(t)
			c, csrf := f.client(t, h, tc.who)
			tc.form.Set("csrf", csrf)
			res, page := c.post(f.itemURL(tc.item)+"/"+tc.action, tc.form)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if tc.status == 303 {
				loc := res.Header.Get("Location")
				if !strings.HasPrefix(loc, f.itemURL(tc.item)+"?") {
					t.Fatalf("redirect to %q", loc)
				}
				if count(t, tc.item) != before+1 {
					t.Errorf("nothing stored")
				}
				loc, _, _ = strings.Cut(loc, "#")
				_, page = c.get(loc)
			} else {
				if count(t, tc.item) != before || f.size(t) != size {
					t.Errorf("a refusal stored something")
				}
				if !strings.Contains(page, `role="alert"`) {
					t.Errorf("no error shown")
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
	t.Run("the page lists them for everyone", func(t *testing.T) {
		_, page := do(t, h, "GET", f.itemURL(f.open), nil)
		for _, w := range []string{`id="comments"`, `We ask for a review after a year.`, `Hotlines reduce escalation.`, `id="speakers"`, `Delegation of Germany`, `Expert Schmidt`} {
			if !strings.Contains(page, w) {
				t.Errorf("page lacks %q", w)
			}
		}
		if strings.Contains(page, `id="comment-form"`) || strings.Contains(page, `id="floor-button"`) {
			t.Errorf("a visitor is offered the forms")
		}
		c, _ := f.client(t, h, "POL")
		if _, page := c.get(f.itemURL(f.open)); !strings.Contains(page, `id="comment-form"`) || !strings.Contains(page, `id="floor-button"`) {
			t.Errorf("a delegation is not offered the forms")
		}
	})
	t.Run("no session", func(t *testing.T) {
		before := count(t, f.open)
		for _, a := range []string{"comments", "floor"} {
			if res, _ := do(t, h, "POST", f.itemURL(f.open)+"/"+a, url.Values{"text": {"Hi."}}); res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s without a session: status %d, want 401", a, res.StatusCode)
			}
		}
		if count(t, f.open) != before {
			t.Errorf("stored without a session")
		}
	})
}
