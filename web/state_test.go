package web

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
)

// TestStatePage checks the state pages against the scenario and the
// model: a state's holdings, ties and deployments as the scenario has
// them, its risk and rank as the model's explanation gives them, and the
// pairs behind it in words; an organisation's members and security; and
// the 404 page for a code that is neither.
func TestStatePage(t *testing.T) {
	deps := newDeps(t)
	sys := deps.Assessor.(*model.System)
	deps.Explainer = sys
	h := NewHandler(deps)
	sc := deps.Scenario

	pol, err := sys.Explain("POL", stateTop)
	if err != nil {
		t.Fatal(err)
	}
	base, err := deps.Assessor.Assess(context.Background(), &indivisible.Proposal{}, indivisible.DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	csto := slices.IndexFunc(base.Organisations, func(o indivisible.ParticipantResult) bool { return o.Code == "CSTO" })
	if csto < 0 {
		t.Fatal("the baseline has no CSTO")
	}

	// What the scenario says of Poland.
	var polWant []string
	for _, x := range sc.Holdings {
		if x.State == "POL" {
			polWant = append(polWant, fmt.Sprintf(`<tr id="holding-%s"><th scope="row">%s`, x.Component, label(x.Component)),
				fmt.Sprintf(`<td class="num">%s</td>`, thousands(int64(x.Quantity))))
		}
	}
	if len(polWant) == 0 {
		t.Fatal("the scenario has no holdings of POL")
	}
	i := slices.IndexFunc(sc.Deployments, func(d indivisible.Deployment) bool { return d.Host == "POL" })
	if i < 0 {
		t.Fatal("the scenario has no forces in POL")
	}
	dep := sc.Deployments[i]
	polWant = append(polWant,
		fmt.Sprintf(`<th scope="row"><a href="/state/%s">%s</a></th><td>%s</td><td class="num">%s</td>`, dep.State, deps.Scenario.Participants[slices.IndexFunc(sc.Participants, func(p indivisible.Participant) bool { return p.Code == dep.State })].Name, label(dep.Component), thousands(int64(dep.Quantity))),
		`<a href="/state/NATO">North Atlantic Treaty Organization</a>`, "<td>member</td><td>1999</td>",
		"the members of <a href=\"/state/NATO\">", "North Atlantic Treaty Art. 5",
		fmt.Sprintf(`<dd id="state-risk">%.1f%%</dd>`, 100*pol.Risk),
		fmt.Sprintf(`<dd id="state-rank">%d of %d, from the lowest risk</dd>`, pol.Rank, pol.Of),
		fmt.Sprintf(`<a href="/state/%s">`, pol.Threats[0].From),
		english.T("assess.feature.ln_dist"), english.T("assess.feature.ln_peace"),
		`<h1 id="state-h">Poland `, `<caption>Poland's forces by category`)

	for _, tc := range []struct {
		target string
		status int
		want   []string
		not    []string
	}{
		{"/state/POL", 200, polWant, []string{"not available"}},
		{"/state/pol", 200, []string{`<h1 id="state-h">Poland `}, nil},
		{"/state/CSTO", 200, []string{
			`<h1 id="org-h">Collective Security Treaty Organization `, "is an organisation, not a state",
			fmt.Sprintf(`<dd id="org-risk">%s</dd>`, riskText(english, risk(base.Organisations[csto]))),
			`<a href="/state/RUS">Russian Federation</a>`, `<a href="/state/ARM">Armenia</a>`, "Collective Security Treaty Art. 4",
		}, []string{`id="state-risk"`}},
		{"/state/XYZ", 404, []string{`404: Not Found`, `no page at /state/XYZ`}, nil},
	} {
		t.Run(tc.target, func(t *testing.T) {
			res, body := do(t, h, "GET", tc.target, nil)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			text := html.UnescapeString(body)
			for _, w := range tc.want {
				if !strings.Contains(body, w) && !strings.Contains(text, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("page has %q", w)
				}
			}
			if !strings.Contains(body, `<html lang="en">`) {
				t.Errorf("page has no lang")
			}
			// Every table says what it holds.
			if n, c := strings.Count(body, "<table"), strings.Count(body, "<caption"); n != c {
				t.Errorf("%d tables, %d captions", n, c)
			}
		})
	}

	// Every feature the model has is put in words.
	for _, f := range model.Features {
		if _, ok := featureKeys[f]; !ok {
			t.Errorf("feature %s has no description", f)
		}
	}

	// Without an explainer the page still gives the baseline's risk.
	plain := newDeps(t)
	plain.Assessor = assessorOnly{plain.Assessor}
	_, body := do(t, NewHandler(plain), "GET", "/state/POL", nil)
	p := base.Participants[slices.IndexFunc(base.Participants, func(p indivisible.ParticipantResult) bool { return p.Code == "POL" })]
	if want := fmt.Sprintf(`<dd id="state-risk">%.1f%%</dd>`, risk(p)); !strings.Contains(body, want) || !strings.Contains(body, "not available") {
		t.Errorf("without an explainer the page lacks %q or its note", want)
	}
}

// assessorOnly hides an assessor's other methods, Explain among them.
type assessorOnly struct{ indivisible.Assessor }

var stateLinkRE = regexp.MustCompile(`<th scope="row"><a href="/state/([A-Z]{3})">`)

// TestRankingLinks checks that every state of the ranking links its page,
// and that the page is there.
func TestRankingLinks(t *testing.T) {
	deps := newDeps(t)
	h := NewHandler(deps)
	_, body := do(t, h, "GET", "/", nil)
	var linked, states []string
	for _, m := range stateLinkRE.FindAllStringSubmatch(body, -1) {
		linked = append(linked, m[1])
	}
	for _, p := range deps.Scenario.Participants {
		if p.Kind == indivisible.State {
			states = append(states, p.Code)
		}
	}
	slices.Sort(linked)
	slices.Sort(states)
	if !slices.Equal(linked, states) {
		t.Fatalf("ranking links %d states, the scenario has %d: %v", len(linked), len(states), symmetricDifference(linked, states))
	}
	if !pageMap(t, body).Link {
		t.Errorf("the overview's map does not link the states")
	}
	for _, c := range states {
		if res, _ := do(t, h, "GET", "/state/"+c, nil); res.StatusCode != 200 {
			t.Errorf("/state/%s: status %d", c, res.StatusCode)
		}
	}
}
