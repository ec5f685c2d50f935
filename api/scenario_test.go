package api_test

import (
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/model"
)

// The model explains what the API serves.
var _ indivisible.Explainer = (*model.System)(nil)

// getAs sends a request as who and decodes the reply strictly into a T,
// so that a field the types do not know fails the test.
func getAs[T any](t *testing.T, f *fixture, who, method, path, body string) (int, T) {
	t.Helper()
	var v T
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := indivisible.DecodeStrict(b, &v); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return resp.StatusCode, v
}

// participantReply is GET /api/v1/participants/{code} as docs/openapi.yaml
// documents it.
type participantReply struct {
	indivisible.Participant
	Security    *float64                 `json:"security"`
	Risk        *float64                 `json:"risk"`
	Members     []string                 `json:"members"`
	Explanation *indivisible.Explanation `json:"explanation"`
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

// TestParticipantExplanation checks a state's explanation against the
// model's documented equations, computed here from the per-pair table
// rather than taken from the explanation: security is the product over
// every other state j of 1 - p_j→i; each pair's probability is the
// logistic of the sum of its terms (times any odds factor); the threats
// are the pairs into the state with the largest probabilities; the rank
// counts the states more secure.
func TestParticipantExplanation(t *testing.T) {
	f := newFixture(t, nil)
	_, sys := eurasia(t)
	status, p := getAs[participantReply](t, f, "", "GET", "/api/v1/participants/pol", "")
	if status != 200 || p.Code != "POL" || p.Security == nil || p.Risk == nil || p.Explanation == nil {
		t.Fatalf("status %d, reply %+v", status, p)
	}
	x := p.Explanation
	if x.Code != "POL" || x.Name != "Poland" || !near(x.Security, *p.Security) || !near(x.Risk, 1-x.Security) || !near(*p.Risk, 1-*p.Security) {
		t.Errorf("security %v, risk %v; explanation %+v", *p.Security, *p.Risk, x)
	}

	var into []indivisible.PairRisk
	for _, pr := range sys.Pairs() {
		if pr.To == "POL" {
			into = append(into, pr)
		}
	}
	if len(into) != len(sys.Codes())-1 {
		t.Fatalf("%d pairs into POL, want %d", len(into), len(sys.Codes())-1)
	}
	sec := 1.0
	for _, pr := range into {
		sec *= 1 - pr.P
	}
	if !near(sec, x.Security) {
		t.Errorf("Π(1 - p) over the pairs into POL = %.15f, explanation %.15f", sec, x.Security)
	}

	slices.SortStableFunc(into, func(a, b indivisible.PairRisk) int { return -cmpFloat(a.P, b.P) })
	if len(x.Threats) != 10 {
		t.Fatalf("%d threats, want 10", len(x.Threats))
	}
	for k, th := range x.Threats {
		if th.To != "POL" || th.From != into[k].From || !near(th.P, into[k].P) {
			t.Errorf("threat %d: %s→%s %v, want %s→POL %v", k, th.From, th.To, th.P, into[k].From, into[k].P)
		}
		if k > 0 && th.P > x.Threats[k-1].P {
			t.Errorf("threat %d is likelier than threat %d", k, k-1)
		}
		eta := th.Deployments
		for _, c := range th.Contributions {
			if !near(c.Term, c.Value*c.Coef) {
				t.Errorf("%s→POL %s: term %v ≠ %v × %v", th.From, c.Feature, c.Term, c.Value, c.Coef)
			}
			eta += c.Term
		}
		odds := th.Odds * math.Exp(eta)
		if want := odds / (1 + odds); math.Abs(th.P-want) > 1e-9 {
			t.Errorf("%s→POL: p %v, logistic of its terms %v", th.From, th.P, want)
		}
		if !(th.PForce > 0 && th.PForce < 1) {
			t.Errorf("%s→POL: use-of-force probability %v", th.From, th.PForce)
		}
	}

	rank := 1
	for _, s := range sys.Before() {
		if s > x.Security {
			rank++
		}
	}
	if x.Rank != rank || x.Of != len(sys.Codes()) {
		t.Errorf("rank %d of %d, want %d of %d", x.Rank, x.Of, rank, len(sys.Codes()))
	}
	if !(x.ForceSecurity > 0 && x.ForceSecurity < 1) {
		t.Errorf("security against the use of force %v", x.ForceSecurity)
	}

	// An organisation has members and no explanation; an unknown code is
	// a 404 naming the code.
	status, nato := getAs[participantReply](t, f, "", "GET", "/api/v1/participants/NATO", "")
	if status != 200 || len(nato.Members) < 30 || nato.Explanation != nil || nato.Security != nil {
		t.Errorf("NATO: status %d, %d members, explanation %v", status, len(nato.Members), nato.Explanation)
	}
	status, _, v := f.do(t, "", "GET", "/api/v1/participants/XXX", "")
	if code, field := errorOf(v); status != 404 || code != indivisible.ENOTFOUND || field != "code" {
		t.Errorf("unknown code: %d %v", status, v)
	}

	// Without an explainer the reply is what it was.
	f = newFixture(t, func(c *api.Config) { c.Explainer = nil })
	if status, p := getAs[participantReply](t, f, "", "GET", "/api/v1/participants/POL", ""); status != 200 || p.Explanation != nil || p.Security == nil {
		t.Errorf("without an explainer: %d %+v", status, p)
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestParticipantsRisk checks the list: every state has a security in
// (0, 1) and a risk that is its complement, and no organisation has one.
func TestParticipantsRisk(t *testing.T) {
	f := newFixture(t, nil)
	status, list := getAs[struct {
		Participants []participantReply `json:"participants"`
	}](t, f, "", "GET", "/api/v1/participants", "")
	if status != 200 || len(list.Participants) < 90 {
		t.Fatalf("status %d, %d participants", status, len(list.Participants))
	}
	for _, p := range list.Participants {
		switch {
		case p.Explanation != nil:
			t.Errorf("%s: the list carries an explanation", p.Code)
		case p.Kind == indivisible.State && (p.Security == nil || p.Risk == nil || !(*p.Security > 0 && *p.Security < 1) || !near(*p.Risk, 1-*p.Security)):
			t.Errorf("%s: security %v, risk %v", p.Code, p.Security, p.Risk)
		case p.Kind != indivisible.State && (p.Security != nil || p.Risk != nil):
			t.Errorf("organisation %s has a security", p.Code)
		}
	}
}

// TestAssessStructure checks what any assessment must satisfy, whatever
// the model's numbers: the empty proposal changes nothing; the README's
// first proposal (250 tanks for Poland) is divisible, every change is
// after minus before, each organisation's security is the product of its
// members', and every "who now threatens whom more" pair has a loser as
// its target and a hazard that rose by its increase, largest first.
func TestAssessStructure(t *testing.T) {
	f := newFixture(t, nil)
	status, empty := getAs[indivisible.Assessment](t, f, "POL", "POST", "/api/v1/assess", `{"title":"nothing","measures":[]}`)
	if status != 200 || empty.Verdict != indivisible.Indivisible || len(empty.Gainers)+len(empty.Losers)+len(empty.Expense) != 0 {
		t.Fatalf("empty proposal: %d, verdict %s, %d gainers, %d losers, %d pairs", status, empty.Verdict, len(empty.Gainers), len(empty.Losers), len(empty.Expense))
	}
	for _, p := range empty.Participants {
		if p.Delta != 0 || p.Before != p.After || p.ForceBefore != p.ForceAfter {
			t.Errorf("the empty proposal changes %s: %+v", p.Code, p)
		}
	}

	b, err := os.ReadFile("../examples/01-tank-buildup.json")
	if err != nil {
		t.Fatal(err)
	}
	status, a := getAs[indivisible.Assessment](t, f, "POL", "POST", "/api/v1/assess", string(b))
	if status != 200 || a.Verdict != indivisible.Divisible || len(a.Losers) == 0 {
		t.Fatalf("tank build-up: %d, verdict %s, losers %v", status, a.Verdict, a.Losers)
	}
	if len(a.Measures) != 1 || a.Measures[0].Change != 250 {
		t.Errorf("measures %+v", a.Measures)
	}
	sec := map[string]indivisible.ParticipantResult{}
	for _, p := range a.Participants {
		sec[p.Code] = p
		if !(p.Before > 0 && p.Before < 1 && p.After > 0 && p.After < 1) || !near(p.Delta, p.After-p.Before) || !(p.ForceBefore > 0 && p.ForceBefore < 1) {
			t.Errorf("%s: %+v", p.Code, p)
		}
	}
	members := map[string][]string{}
	s, _ := eurasia(t)
	for _, m := range s.Memberships {
		if m.Role == indivisible.Member {
			members[m.Organisation] = append(members[m.Organisation], m.State)
		}
	}
	for _, o := range a.Organisations {
		before, after := 1.0, 1.0
		for _, m := range members[o.Code] {
			before *= sec[m].Before
			after *= sec[m].After
		}
		if !near(o.Before, before) || !near(o.After, after) {
			t.Errorf("%s: %v → %v, product of the members' %v → %v", o.Code, o.Before, o.After, before, after)
		}
	}
	if len(a.Expense) == 0 {
		t.Fatal("a divisible verdict without a pair that threatens a loser more")
	}
	for k, e := range a.Expense {
		if !slices.Contains(a.Losers, e.To) || e.From == e.To || !(e.Increase > 0) || !near(e.HazardAfter-e.HazardBefore, e.Increase) || !near(e.FromDelta, sec[e.From].Delta) {
			t.Errorf("pair %d: %+v", k, e)
		}
		if k > 0 && e.Increase > a.Expense[k-1].Increase {
			t.Errorf("pair %d rose more than pair %d", k, k-1)
		}
	}
	// The least secure state is the one with the largest risk.
	worst := slices.MinFunc(a.Participants, func(x, y indivisible.ParticipantResult) int { return cmpFloat(x.Before, y.Before) })
	if a.Equality.Before.MinCode != worst.Code || a.Equality.Before.Min != worst.Before {
		t.Errorf("least secure %s %v, want %s %v", a.Equality.Before.MinCode, a.Equality.Before.Min, worst.Code, worst.Before)
	}
}
