package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

var rankRowRE = regexp.MustCompile(`<tr(?: class="member")?><td class="num">(\d+)</td><th scope="row"><a href="/state/[A-Z]{3}">[^<]*</a>(?: <span class="tag">member</span>)?</th><td><code>([A-Z]{3})</code></td><td class="num"><svg[^>]*><rect[^>]*fill="(#[0-9a-f]{6})"/></svg> ([\d.]+)%</td><td class="num">([\d.]+)%</td></tr>`)

// TestOverviewRisk checks what the overview says the numbers mean and that
// it shows them as the model defines them: each state's annual risk is one
// minus its security, in per cent; the ranking runs from the lowest risk
// (rank 1, the most secure) to the highest; the colour scale's alarming
// end, the darkest red, belongs to the state with the highest risk.
func TestOverviewRisk(t *testing.T) {
	deps := newDeps(t)
	base, err := deps.Assessor.Assess(context.Background(), &indivisible.Proposal{}, indivisible.DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	_, body := do(t, NewHandler(deps), "GET", "/", nil)
	for _, want := range []string{english.T("assess.legend.risk"), "annual risk of facing a militarized dispute", "lowest risk first", "Darker red is a higher risk"} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("the overview lacks %q", want)
		}
	}
	rows := rankRowRE.FindAllStringSubmatch(body, -1)
	if len(rows) != len(base.Participants) {
		t.Fatalf("%d ranking rows, %d states", len(rows), len(base.Participants))
	}
	sec := map[string]indivisible.ParticipantResult{}
	for _, p := range base.Participants {
		sec[p.Code] = p
	}
	prev := math.Inf(1)
	for k, r := range rows {
		p := sec[r[2]]
		if r[1] != strconv.Itoa(k+1) {
			t.Errorf("row %d has rank %s", k+1, r[1])
		}
		if want := fmt.Sprintf("%.1f", 100*(1-p.Before)); r[4] != want {
			t.Errorf("%s: risk %s%%, want %s%% (one minus security %v)", p.Code, r[4], want, p.Before)
		}
		if want := fmt.Sprintf("%.1f", 100*(1-p.ForceBefore)); r[5] != want {
			t.Errorf("%s: use-of-force risk %s%%, want %s%%", p.Code, r[5], want)
		}
		if p.Before > prev {
			t.Errorf("%s (rank %d) is more secure than the state ranked above it", p.Code, k+1)
		}
		prev = p.Before
	}
	least := slices.MinFunc(base.Participants, func(x, y indivisible.ParticipantResult) int { return cmpFloat(x.Before, y.Before) })
	if last := rows[len(rows)-1]; last[2] != least.Code {
		t.Errorf("the last row is %s, the state with the highest risk %s", last[2], least.Code)
	}

	d := pageMap(t, body)
	darkest := slices.MinFunc(d.States, func(x, y mapState) int { return cmpFloat(hexLuminance(x.Colour), hexLuminance(y.Colour)) })
	if darkest.Code != least.Code {
		t.Errorf("the darkest state is %s, the state with the highest risk %s", darkest.Code, least.Code)
	}
	for _, s := range d.States {
		want := fmt.Sprintf("%s: annual risk of facing a militarized dispute %.1f%%", s.Name, 100*(1-sec[s.Code].Before))
		if !strings.HasPrefix(s.Label, want) {
			t.Errorf("tooltip %q, want it to begin %q", s.Label, want)
		}
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

func hexLuminance(h string) float64 {
	v, _ := strconv.ParseUint(strings.TrimPrefix(h, "#"), 16, 32)
	return luminance(rgb{float64(v >> 16), float64(v >> 8 & 0xff), float64(v & 0xff)})
}

var changeRowRE = regexp.MustCompile(`<tr(?: class="(rises|falls)")?><th scope="row">([^<]*)</th><td class="num">([\d.]+)%</td><td class="num">([\d.]+)%</td><td class="num">([+-][\d.e-]+)(?: <span class="hint">(?:rises|falls)</span>)?</td><td class="num">([\d.]+)%</td><td class="num">([\d.]+)%</td></tr>`)

// TestAssessRisk checks the assessment page against the assessment
// itself: each state's risk before and after is one minus its security,
// the change is in percentage points of risk (so positive for a loser),
// the states beyond the tolerance are marked, and the summary names the
// state whose risk rises most.
func TestAssessRisk(t *testing.T) {
	deps := newDeps(t)
	h := NewHandler(deps)
	p := &indivisible.Proposal{Measures: []indivisible.Measure{{Type: indivisible.MeasureHoldings, Actor: "POL", Category: indivisible.BattleTanks, Change: 250}}}
	a, err := deps.Assessor.Assess(context.Background(), p, indivisible.DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	_, body := do(t, h, "POST", "/assess", url.Values{"type": {"holdings"}, "actor": {"POL"}, "category": {"battle_tanks"}, "quantity": {"250"}, "tolerance": {"0.0001"}, "action": {"assess"}})
	byName := map[string]indivisible.ParticipantResult{}
	for _, p := range a.Participants {
		byName[p.Name] = p
	}
	rows := changeRowRE.FindAllStringSubmatch(html.UnescapeString(body), -1)
	if len(rows) != len(a.Participants) {
		t.Fatalf("%d rows in the changes table, %d states", len(rows), len(a.Participants))
	}
	marked := 0
	for _, r := range rows {
		p, ok := byName[r[2]]
		if !ok {
			t.Fatalf("row for %q, not a state", r[2])
		}
		if r[3] != fmt.Sprintf("%.3f", 100*(1-p.Before)) || r[4] != fmt.Sprintf("%.3f", 100*(1-p.After)) ||
			r[6] != fmt.Sprintf("%.3f", 100*(1-p.ForceBefore)) || r[7] != fmt.Sprintf("%.3f", 100*(1-p.ForceAfter)) {
			t.Errorf("%s: %v, security %v → %v (force %v → %v)", p.Code, r[3:], p.Before, p.After, p.ForceBefore, p.ForceAfter)
		}
		change, err := strconv.ParseFloat(r[5], 64)
		if err != nil || math.Abs(change-100*(p.Before-p.After)) > 0.0006 {
			t.Errorf("%s: change %s pp, risk after minus before %v", p.Code, r[5], 100*(p.Before-p.After))
		}
		switch {
		case slices.Contains(a.Losers, p.Code) != (r[1] == "rises"), slices.Contains(a.Gainers, p.Code) != (r[1] == "falls"):
			t.Errorf("%s marked %q; losers %v, gainers %v", p.Code, r[1], a.Losers, a.Gainers)
		}
		if r[1] != "" {
			marked++
		}
	}
	if marked != len(a.Losers)+len(a.Gainers) || len(a.Losers) == 0 {
		t.Errorf("%d marked, %d losers and %d gainers", marked, len(a.Losers), len(a.Gainers))
	}
	worst := slices.MinFunc(a.Participants, func(x, y indivisible.ParticipantResult) int { return cmpFloat(x.Delta, y.Delta) })
	want := fmt.Sprintf("<li>%s's annual risk rises from %.2f%% to %.2f%% (", worst.Name, 100*(1-worst.Before), 100*(1-worst.After))
	if !strings.Contains(html.UnescapeString(body), want) {
		t.Errorf("the summary lacks %q", want)
	}
	if want := fmt.Sprintf("%d states lose: their annual risk of facing a militarized dispute rises by more than the tolerance (0.01 percentage points).", len(a.Losers)); len(a.Losers) > 1 && !strings.Contains(html.UnescapeString(body), want) {
		t.Errorf("the verdict's explanation lacks %q", want)
	}

	// A signed-in delegation reads its own state's sentence first; no one
	// else does.
	if strings.Contains(body, `class="you"`) {
		t.Errorf("an anonymous reader is told of their own risk")
	}
	rv := &resultView{Changes: []changeRow{{Code: "POL", Name: "Poland", Before: 3.1, After: 3.4, Change: 0.3, ForceBefore: 2, ForceAfter: 2.2, Mark: "rises"}},
		Summary: []changeRow{{Code: "POL", Name: "Poland"}, {Code: "BLR", Name: "Belarus"}}}
	r := httptestRequestWithSession(&indivisible.Account{Role: indivisible.RoleDelegation, Participant: "POL"})
	rv.yourRisk(r)
	if rv.You == nil || rv.You.Code != "POL" {
		t.Errorf("You = %+v, want Poland's row", rv.You)
	}
	if len(rv.Summary) != 1 || rv.Summary[0].Code != "BLR" {
		t.Errorf("the summary repeats the delegation's own state: %+v", rv.Summary)
	}
	// The page words it so.
	var buf bytes.Buffer
	if err := pages["assess"].ExecuteTemplate(&buf, "risk-summary", rv); err != nil {
		t.Fatal(err)
	}
	if want := "Your annual risk (Poland) rises from 3.10% to 3.40% (+0.300 percentage points); of a dispute with the use of force, from 2.00% to 2.20%."; !strings.Contains(html.UnescapeString(buf.String()), want) {
		t.Errorf("the summary %q lacks %q", buf.String(), want)
	}
}

// httptestRequestWithSession is a request signed in as acc.
func httptestRequestWithSession(acc *indivisible.Account) *http.Request {
	r := httptest.NewRequest("GET", "/assess", nil)
	return r.WithContext(context.WithValue(r.Context(), sessionKey{}, &session{account: acc}))
}
