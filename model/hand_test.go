package model_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
)

// The tests in this file check the model's equations (docs/model.md,
// sections 1-5) on scenarios small enough to work by hand. States sit on
// the equator, so that the distance between two of them is their
// difference in longitude times kmPerDegree, and the coefficients are
// chosen by the test. Every expected value is written from the documented
// definitions: each pair's design row by column name (feats), the linear
// predictor x·β over the columns the fitted model uses (model.Features;
// a candidate's coefficient is never set), the odds o = f·exp(x·β + G) and
// the security 1/Π(1 + o).

const tol = 1e-12

// feats is a design row by column name; a column not listed is 0.
type feats map[string]float64

// eta is x·β over model.Features.
func eta(x feats, beta map[string]float64) float64 {
	s := 0.0
	for _, f := range model.Features {
		s += x[f] * beta[f]
	}
	return s
}

// handModel is the documented model of a small scenario: for every ordered
// pair (j, i), its features x(j, i), its deployment term geo[j+i] and its
// odds factor odds[j+i] (1 where not listed).
type handModel struct {
	codes []string
	x     func(j, i string) feats
	beta  map[string]float64
	geo   map[string]float64
	odds  map[string]float64
}

func (h handModel) odd(j, i string) float64 {
	f, ok := h.odds[j+i]
	if !ok {
		f = 1
	}
	return f * math.Exp(eta(h.x(j, i), h.beta)+h.geo[j+i])
}

func (h handModel) hazard(j, i string) float64 { o := h.odd(j, i); return o / (1 + o) }

// security is 1/Π_j (1 + o_ji) for every state, ordered as codes.
func (h handModel) security() []float64 {
	var sec []float64
	for _, i := range h.codes {
		prod := 1.0
		for _, j := range h.codes {
			if j != i {
				prod *= 1 + h.odd(j, i)
			}
		}
		sec = append(sec, 1/prod)
	}
	return sec
}

// defaults are the columns of a pair with no evidence and no treaty: no
// allies (coalition ln ε), no common UN votes, no regime scores, no
// dispute on record (peace years capped at 100).
func defaults() feats {
	return feats{"const": 1, "ln_coalition": math.Log(eps), "affinity_missing": 1, "dem_missing": 1, "ln_peace": math.Log(101)}
}

func lnCap(c float64) float64 { return math.Log(c + eps) }

func lnDist(deg float64) float64 { return math.Log1p(math.Abs(deg) * kmPerDegree) }

// checkDesign compares every column of sys's baseline design with x.
func checkDesign(t *testing.T, sys *model.System, x func(j, i string) feats) {
	t.Helper()
	codes := sys.Codes()
	n, k := len(codes), len(model.Columns)
	d := sys.Design()
	if len(d) != n*n*k {
		t.Fatalf("design has %d values, want %d", len(d), n*n*k)
	}
	for j, from := range codes {
		for i, to := range codes {
			row := d[(j*n+i)*k : (j*n+i+1)*k]
			if i == j {
				if slices.ContainsFunc(row, func(v float64) bool { return v != 0 }) {
					t.Errorf("row %s→%s = %v, want zeros", from, to, row)
				}
				continue
			}
			want := x(from, to)
			for c, col := range model.Columns {
				// 1e-10: a coalition whose allies are all excluded is
				// computed as a sum less its parts, which leaves a
				// rounding residue of ~1e-17 next to the floor 1e-6.
				if !near(row[c], want[col], 1e-10) {
					t.Errorf("%s→%s %s = %.17g, want %.17g", from, to, col, row[c], want[col])
				}
			}
		}
	}
}

func state(code string, lon float64, borders ...string) indivisible.Participant {
	return indivisible.Participant{Code: code, Name: "State " + code, Kind: indivisible.State, Lon: lon, Borders: borders}
}

func holding(code, comp string, q float64) indivisible.Holding {
	return indivisible.Holding{State: code, Component: comp, Quantity: q}
}

var personnelOnly = []indivisible.Component{{Name: indivisible.Personnel, Weight: 1}}

// twoStates: AAA at longitude 0 with 300 personnel, BBB at longitude 5
// with 100, no treaties and no evidence. The holdings index is each
// state's share of the total 400: 0.75 and 0.25, which is the capability
// of a state without a capability record.
func twoStates() *indivisible.Scenario {
	return &indivisible.Scenario{
		Name: "two", Year: 2025, Components: personnelOnly,
		Participants: []indivisible.Participant{state("AAA", 0), state("BBB", 5)},
		Holdings:     []indivisible.Holding{holding("AAA", indivisible.Personnel, 300), holding("BBB", indivisible.Personnel, 100)},
	}
}

// TestTwoStatesByHand is the smallest case: only the constant and the
// distance term. d = 5 · 111.31949 = 556.59745 km, ln(1 + d) = 6.3236373,
//
//	η = -2 - 0.3 · 6.3236373 = -3.8970912,  p = 1/(1 + e^3.8970912) = 0.0198970,
//
// the same in both directions, and each state's security is 1 - p =
// 0.9801030. The use-of-force fit has the constant -3: p = 0.0074129.
func TestTwoStatesByHand(t *testing.T) {
	c := handCoefficients(t, map[string]float64{"const": -2, "ln_dist": -0.3}, map[string]float64{"const": -3, "ln_dist": -0.3})
	sys := mustCompile(t, twoStates(), paramsWith(c))
	if diff := cmp.Diff([]string{"AAA", "BBB"}, sys.Codes()); diff != "" {
		t.Fatalf("codes (-want +got):\n%s", diff)
	}
	p, pf := 0.019896951511952636, 0.0074129136351400145
	checkNear(t, "p", logistic(-2-0.3*lnDist(5)), p, 1e-12) // the arithmetic above
	for _, pair := range [][2]int{{0, 1}, {1, 0}} {
		checkNear(t, "Hazard(mid)", sys.Hazard(model.OutcomeMID, pair[0], pair[1]), p, 1e-12)
		checkNear(t, "Hazard(force)", sys.Hazard(model.OutcomeForce, pair[0], pair[1]), pf, 1e-12)
	}
	checkSlicesNear(t, "Before", sys.Codes(), sys.Before(), []float64{1 - p, 1 - p}, 1e-12)
	checkSlicesNear(t, "ForceBefore", sys.Codes(), sys.ForceBefore(), []float64{1 - pf, 1 - pf}, 1e-12)
	if sys.Hazard(model.OutcomeMID, 0, 0) != 0 {
		t.Errorf("a state's hazard against itself = %v, want 0", sys.Hazard(model.OutcomeMID, 0, 0))
	}
	if sys.Year() != 2025 || sys.Coefficients() != c {
		t.Errorf("Year %d, Coefficients %p: want 2025 and the ones passed (%p)", sys.Year(), sys.Coefficients(), c)
	}
}

// twoStateMID gives every feature of a pair without evidence a
// coefficient, so that the defaults show in the linear predictor.
var twoStateMID = map[string]float64{
	"const": -2, "ln_cap_from": 0.3, "ln_cap_to": 0.1, "ln_coalition": -0.05, "ln_dist": -0.3,
	"affinity_missing": -0.5, "dem_missing": -0.8, "ln_peace": -0.7,
}

// twoStateForce is the use-of-force fit: a constant, capability and
// distance.
var twoStateForce = map[string]float64{"const": -3, "ln_cap_from": 0.2, "ln_dist": -0.3}

// twoStateModel is the hand model of the two states with capabilities
// caps and odds factors odds.
func twoStateModel(beta map[string]float64, caps, odds map[string]float64) handModel {
	return handModel{codes: []string{"AAA", "BBB"}, beta: beta, odds: odds, x: func(j, i string) feats {
		x := defaults()
		x["ln_cap_from"], x["ln_cap_to"], x["ln_dist"] = lnCap(caps[j]), lnCap(caps[i]), lnDist(5)
		return x
	}}
}

var twoStateCaps = map[string]float64{"AAA": 0.75, "BBB": 0.25}

// TestTwoStatesExplain checks every feature's value in Explain against
// its definition, and that the terms add up to the pair's hazard.
func TestTwoStatesExplain(t *testing.T) {
	c := handCoefficients(t, twoStateMID, twoStateForce)
	sys := mustCompile(t, twoStates(), paramsWith(c))
	h := twoStateModel(twoStateMID, twoStateCaps, nil)
	hf := twoStateModel(twoStateForce, twoStateCaps, nil)
	checkDesign(t, sys, h.x)
	e, err := sys.Explain("AAA", 10)
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "Security", e.Security, 1-h.hazard("BBB", "AAA"), tol)
	checkNear(t, "Risk", e.Risk, h.hazard("BBB", "AAA"), tol)
	checkNear(t, "ForceSecurity", e.ForceSecurity, 1-hf.hazard("BBB", "AAA"), tol)
	// η_AB - η_BA = 0.3 ln 3 - 0.1 ln 3 > 0: BBB is the more threatened,
	// so AAA is the more secure of the two.
	if e.Code != "AAA" || e.Name != "State AAA" || e.Year != 2025 || e.Rank != 1 || e.Of != 2 {
		t.Errorf("explanation header = %+v, want AAA, rank 1 of 2, 2025", e)
	}
	if len(e.Threats) != 1 {
		t.Fatalf("%d threats, want 1 (BBB)", len(e.Threats))
	}
	th := e.Threats[0]
	if th.From != "BBB" || th.To != "AAA" || th.Odds != 1 || th.Deployments != 0 {
		t.Errorf("threat = %s→%s odds %v deployments %v, want BBB→AAA, 1, 0", th.From, th.To, th.Odds, th.Deployments)
	}
	checkNear(t, "P", th.P, h.hazard("BBB", "AAA"), tol)
	checkNear(t, "PForce", th.PForce, hf.hazard("BBB", "AAA"), tol)
	if len(th.Contributions) != len(model.Features) {
		t.Fatalf("%d contributions, want one per feature (%d)", len(th.Contributions), len(model.Features))
	}
	x := h.x("BBB", "AAA")
	sum := 0.0
	for k, ct := range th.Contributions {
		if ct.Feature != model.Features[k] {
			t.Errorf("contribution %d is %q, want %q", k, ct.Feature, model.Features[k])
		}
		checkNear(t, ct.Feature+" value", ct.Value, x[ct.Feature], tol)
		checkNear(t, ct.Feature+" coef", ct.Coef, twoStateMID[ct.Feature], 0)
		checkNear(t, ct.Feature+" term", ct.Term, x[ct.Feature]*twoStateMID[ct.Feature], tol)
		sum += ct.Term
	}
	checkNear(t, "logistic(Σ terms)", logistic(sum), th.P, tol)

	b, err := sys.Explain("BBB", 0)
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "BBB security", b.Security, 1-h.hazard("AAA", "BBB"), tol)
	if b.Rank != 2 || len(b.Threats) != 0 {
		t.Errorf("BBB: rank %d with %d threats, want rank 2 and none listed (top 0)", b.Rank, len(b.Threats))
	}
	pairs := sys.Pairs()
	if len(pairs) != 2 || pairs[0].From != "AAA" || pairs[1].From != "BBB" {
		t.Fatalf("Pairs = %+v, want AAA→BBB, BBB→AAA", pairs)
	}
	checkNear(t, "Pairs[0].P", pairs[0].P, h.hazard("AAA", "BBB"), tol)
	checkNear(t, "Pairs[1].P", pairs[1].P, h.hazard("BBB", "AAA"), tol)
}

// TestTwoStatesMeasures applies each kind of measure to the two states and
// compares the security after with the documented equations:
//
//   - holdings: the index is a share of the baseline total, 400, so
//     C' = h'/400 for a state without a capability record;
//   - CBM of kind k: both odds × (1 - ρ_k), compounding;
//   - exercise by A at h: o_Ai × 1 + κ (F/M_A) e^(-d_hi/R) (1-ν)^n (1-ω)^o.
func TestTwoStatesMeasures(t *testing.T) {
	c := handCoefficients(t, twoStateMID, twoStateForce)
	d := 5 * kmPerDegree
	type want struct {
		capA, capB float64 // capabilities after
		fAB, fBA   float64 // odds factors after
	}
	same := want{0.75, 0.25, 1, 1}
	for _, tc := range []struct {
		name   string
		params func(p *model.Params)
		ms     []indivisible.Measure
		want   want
	}{
		{"build-up: AAA 400 of the baseline 400", nil,
			[]indivisible.Measure{{Type: "holdings", Actor: "AAA", Category: "personnel", Change: 100}},
			want{1, 0.25, 1, 1}},
		{"cut: BBB 50 of 400", nil,
			[]indivisible.Measure{{Type: "holdings", Actor: "BBB", Category: "personnel", Change: -50}},
			want{0.75, 0.125, 1, 1}},
		{"cut to nothing: C = 0, ln(ε)", nil,
			[]indivisible.Measure{{Type: "holdings", Actor: "BBB", Category: "personnel", Change: -100}},
			want{0.75, 0, 1, 1}},
		{"transfer 100 from AAA to BBB: 200/400 each", nil,
			[]indivisible.Measure{{Type: "transfer", From: "AAA", To: "BBB", Category: "personnel", Quantity: 100}},
			want{0.5, 0.5, 1, 1}},
		{"a cut and an addition net out", nil,
			[]indivisible.Measure{{Type: "holdings", Actor: "AAA", Category: "personnel", Change: -300}, {Type: "holdings", Actor: "AAA", Category: "personnel", Change: 300}},
			same},
		{"hotline: odds × 0.9", nil,
			[]indivisible.Measure{{Type: "cbm", Actors: []string{"AAA", "BBB"}, Kind: "hotline"}},
			want{0.75, 0.25, 0.9, 0.9}},
		{"hotline and inspection compound: × 0.9 × 0.85", nil,
			[]indivisible.Measure{{Type: "cbm", Actors: []string{"AAA", "BBB"}, Kind: "hotline"}, {Type: "cbm", Actors: []string{"BBB", "AAA"}, Kind: "inspection"}},
			want{0.75, 0.25, 0.9 * 0.85, 0.9 * 0.85}},
		{"hotline with ρ = 0.4 from the parameters", func(p *model.Params) { p.CBM = map[string]float64{"hotline": 0.4} },
			[]indivisible.Measure{{Type: "cbm", Actors: []string{"AAA", "BBB"}, Kind: "hotline"}},
			want{0.75, 0.25, 0.6, 0.6}},
		{"notified exercise at home: share (30/400)/0.75 = 0.1, d = 556.6 km", nil,
			[]indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "AAA", Personnel: 30, Notified: true}},
			want{0.75, 0.25, 1 + 0.5*0.1*0.7*math.Exp(-d/500), 1}},
		{"exercise in the target: share capped at 1, d = 0, observers", nil,
			[]indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "BBB", Personnel: 600, Observers: true}},
			want{0.75, 0.25, 1 + 0.5*1*0.7, 1}},
		{"notified and observed exercise by BBB: share (10/400)/0.25, discount 0.49", nil,
			[]indivisible.Measure{{Type: "exercise", Actors: []string{"BBB"}, Host: "AAA", Forces: map[string]float64{"personnel": 10}, Notified: true, Observers: true}},
			want{0.75, 0.25, 1, 1 + 0.5*0.1*0.49}},
		{"exercise under other priors: κ = 2, R = 100 km", func(p *model.Params) { p.ExerciseIntensity, p.ExerciseRangeKm = 2, 100 },
			[]indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "AAA", Personnel: 30}},
			want{0.75, 0.25, 1 + 2*0.1*math.Exp(-d/100), 1}},
		{"an exercise with no state outside it changes nothing", nil,
			[]indivisible.Measure{{Type: "exercise", Actors: []string{"AAA", "BBB"}, Host: "AAA", Personnel: 30}},
			same},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := paramsWith(c)
			if tc.params != nil {
				tc.params(&p)
			}
			sys := mustCompile(t, twoStates(), p)
			w := tc.want
			caps := map[string]float64{"AAA": w.capA, "BBB": w.capB}
			odds := map[string]float64{"AAABBB": w.fAB, "BBBAAA": w.fBA}
			after := mustAfter(t, sys, tc.ms...)
			checkSlicesNear(t, "After", sys.Codes(), after, twoStateModel(twoStateMID, caps, odds).security(), tol)

			a, err := sys.Assess(context.Background(), &indivisible.Proposal{Title: tc.name, Measures: tc.ms}, 0)
			if err != nil {
				t.Fatal(err)
			}
			// The use-of-force fit sees the same capabilities and factors.
			force := twoStateModel(twoStateForce, caps, odds).security()
			for i, r := range a.Participants {
				checkNear(t, r.Code+" ForceAfter", r.ForceAfter, force[i], tol)
				if r.After != after[i] || r.Before != sys.Before()[i] || r.Delta != r.After-r.Before {
					t.Errorf("%s: Assess gives %+v, After %v, Before %v", r.Code, r, after[i], sys.Before()[i])
				}
			}
		})
	}
}

// TestTwoStatesAssessReport checks the parts of an assessment derived from
// the securities: verdict, gainers and losers, the expense pairs and the
// equality figures, for a build-up by AAA that raises both hazards.
func TestTwoStatesAssessReport(t *testing.T) {
	c := handCoefficients(t, twoStateMID, twoStateForce)
	sys := mustCompile(t, twoStates(), paramsWith(c))
	ms := []indivisible.Measure{{Type: "holdings", Actor: "AAA", Category: "personnel", Change: 100}}
	const tolerance = 1e-6
	a, err := sys.Assess(context.Background(), &indivisible.Proposal{Title: "arm", Measures: ms}, tolerance)
	if err != nil {
		t.Fatal(err)
	}
	before := twoStateModel(twoStateMID, twoStateCaps, nil)
	after := twoStateModel(twoStateMID, map[string]float64{"AAA": 1, "BBB": 0.25}, nil)
	pAB, pBA := before.hazard("AAA", "BBB"), before.hazard("BBB", "AAA")
	qAB, qBA := after.hazard("AAA", "BBB"), after.hazard("BBB", "AAA")
	// Both hazards rise (ln_cap_from and ln_cap_to > 0): both lose.
	dA, dB := pBA-qBA, pAB-qAB
	if !(dA < -tolerance && dB < -tolerance) {
		t.Fatalf("test premise: deltas %v, %v should both be losses beyond the tolerance", dA, dB)
	}
	if a.Verdict != indivisible.Divisible || !slices.Equal(a.Losers, []string{"AAA", "BBB"}) || len(a.Gainers) != 0 {
		t.Errorf("verdict %s, losers %v, gainers %v; want divisible, both losers", a.Verdict, a.Losers, a.Gainers)
	}
	if a.Title != "arm" || a.Scenario != "two" || a.Year != 2025 || a.Tolerance != tolerance {
		t.Errorf("header = %q %q %d %v", a.Title, a.Scenario, a.Year, a.Tolerance)
	}
	// Expense pairs, largest increase first; FromDelta is the source's
	// own change.
	type pair struct {
		from, to             string
		before, after, delta float64
	}
	want := []pair{{"AAA", "BBB", pAB, qAB, dA}, {"BBB", "AAA", pBA, qBA, dB}}
	if qBA-pBA > qAB-pAB {
		want[0], want[1] = want[1], want[0]
	}
	if len(a.Expense) != 2 {
		t.Fatalf("expense = %+v, want two pairs", a.Expense)
	}
	for k, w := range want {
		e := a.Expense[k]
		if e.From != w.from || e.To != w.to {
			t.Errorf("expense[%d] = %s→%s, want %s→%s", k, e.From, e.To, w.from, w.to)
		}
		checkNear(t, "HazardBefore", e.HazardBefore, w.before, tol)
		checkNear(t, "HazardAfter", e.HazardAfter, w.after, tol)
		checkNear(t, "Increase", e.Increase, w.after-w.before, 1e-9)
		checkNear(t, "FromDelta", e.FromDelta, w.delta, 1e-9)
	}
	// Equality: with two values x1 < x2, Gini = (x2 - x1) / (2 (x1 + x2)).
	lo, hi := 1-pAB, 1-pBA // before: BBB is the less secure
	checkNear(t, "Equality.Before.Min", a.Equality.Before.Min, lo, tol)
	if a.Equality.Before.MinCode != "BBB" {
		t.Errorf("least secure before = %s, want BBB", a.Equality.Before.MinCode)
	}
	checkNear(t, "Equality.Before.Mean", a.Equality.Before.Mean, (lo+hi)/2, tol)
	checkNear(t, "Equality.Before.Gini", a.Equality.Before.Gini, (hi-lo)/(2*(lo+hi)), 1e-9)
	if len(a.Organisations) != 0 {
		t.Errorf("organisations = %+v, want none", a.Organisations)
	}
	// A tolerance between the two losses leaves only the larger one;
	// one beyond both, none.
	mid := (math.Abs(dA) + math.Abs(dB)) / 2
	loser := "AAA"
	if math.Abs(dB) > math.Abs(dA) {
		loser = "BBB"
	}
	a, err = sys.Assess(context.Background(), &indivisible.Proposal{Measures: ms}, mid)
	if err != nil {
		t.Fatal(err)
	}
	if a.Verdict != indivisible.Divisible || !slices.Equal(a.Losers, []string{loser}) || len(a.Expense) != 1 || a.Expense[0].To != loser {
		t.Errorf("tolerance %v: verdict %s, losers %v, expense %+v; want only %s", mid, a.Verdict, a.Losers, a.Expense, loser)
	}
	a, err = sys.Assess(context.Background(), &indivisible.Proposal{Measures: ms}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if a.Verdict != indivisible.Indivisible || len(a.Losers) != 0 || len(a.Expense) != 0 {
		t.Errorf("tolerance 1: verdict %s, losers %v, expense %v", a.Verdict, a.Losers, a.Expense)
	}
}

func TestGini(t *testing.T) {
	for _, tc := range []struct {
		x    []float64
		want float64
	}{
		{[]float64{1, 1, 1}, 0},
		{[]float64{0, 0, 0}, 0},
		// Sorted 0, 0, 1: (2·3 - 3 - 1)·1 / (3·1) = 2/3.
		{[]float64{1, 0, 0}, 2.0 / 3},
		// Sorted 1, 3: (-1 + 3) / (2·4) = 1/4.
		{[]float64{3, 1}, 0.25},
		// Sorted 1, 2, 3, 4: (-3·1 - 1·2 + 1·3 + 3·4) / (4·10) = 10/40.
		{[]float64{4, 2, 3, 1}, 0.25},
	} {
		if got := model.Gini(tc.x); !near(got, tc.want, 1e-15) {
			t.Errorf("Gini(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

// Deployments: three states on the equator at longitudes 0, 4 and 10,
// personnel 600, 300 and 100 (C = 0.6, 0.3, 0.1), BBB and CCC across up
// to 150 miles of water (sea). With
//
//	g(b, i) = -0.3 ln(1 + d_bi) + 1.2 land_bi + 0.7 sea_bi,
//
// AAA's forces stationed in host b give every pair from AAA
//
//	G_Ai = ln Σ_b w_b exp(g(b, i)) - g(A, i),
//
// w_b the share of C_A in b, g(i, i) = 1.2 (distance 0, contiguous).
var deployMID = map[string]float64{"const": -2, "ln_cap_from": 0.3, "ln_cap_to": 0.1, "ln_dist": -0.3, "land": 1.2, "sea": 0.7}

var deployLon = map[string]float64{"AAA": 0, "BBB": 4, "CCC": 10}

func deployScenario(deps ...indivisible.Deployment) *indivisible.Scenario {
	return &indivisible.Scenario{
		Name: "deploy3", Year: 2025, Components: personnelOnly,
		Participants: []indivisible.Participant{state("AAA", 0), state("BBB", 4), state("CCC", 10)},
		Holdings: []indivisible.Holding{holding("AAA", "personnel", 600), holding("BBB", "personnel", 300),
			holding("CCC", "personnel", 100)},
		Deployments: deps,
		Evidence:    indivisible.Evidence{Contiguities: []indivisible.Contiguity{{A: "BBB", B: "CCC", Type: 4}}},
	}
}

func deployG(b, i string) float64 {
	if b == i {
		return 1.2
	}
	g := -0.3 * lnDist(deployLon[b]-deployLon[i])
	if b+i == "BBBCCC" || b+i == "CCCBBB" {
		g += 0.7
	}
	return g
}

// deployModel is the hand model with the share w of AAA's capability in
// host (none when host is "").
func deployModel(host string, w float64) handModel {
	caps := map[string]float64{"AAA": 0.6, "BBB": 0.3, "CCC": 0.1}
	h := handModel{codes: []string{"AAA", "BBB", "CCC"}, beta: deployMID, geo: map[string]float64{}, x: func(j, i string) feats {
		x := defaults()
		x["ln_cap_from"], x["ln_cap_to"], x["ln_dist"] = lnCap(caps[j]), lnCap(caps[i]), lnDist(deployLon[j]-deployLon[i])
		if j+i == "BBBCCC" || j+i == "CCCBBB" {
			x["sea"] = 1
		}
		return x
	}}
	if host != "" {
		for _, i := range []string{"BBB", "CCC"} {
			h.geo["AAA"+i] = math.Log((1-w)*math.Exp(deployG("AAA", i))+w*math.Exp(deployG(host, i))) - deployG("AAA", i)
		}
	}
	return h
}

func TestDeploymentsByHand(t *testing.T) {
	c := handCoefficients(t, deployMID, deployMID)
	p := paramsWith(c)
	base := mustCompile(t, deployScenario(), p)
	none := deployModel("", 0)
	checkDesign(t, base, none.x)
	checkSlicesNear(t, "Before without deployments", base.Codes(), base.Before(), none.security(), tol)
	// 150 of AAA's 600 personnel: 150/1000 of the index, a quarter of
	// its capability 0.6.
	for _, tc := range []struct {
		name string
		ms   []indivisible.Measure
		host string
		w    float64
	}{
		{"150 to BBB", []indivisible.Measure{{Type: "deploy", Actor: "AAA", Host: "BBB", Category: "personnel", Quantity: 150}}, "BBB", 0.25},
		{"75 and 75 to BBB", []indivisible.Measure{{Type: "deploy", Actor: "AAA", Host: "BBB", Category: "personnel", Quantity: 75},
			{Type: "deploy", Actor: "AAA", Host: "BBB", Category: "personnel", Quantity: 75}}, "BBB", 0.25},
		{"300 to CCC", []indivisible.Measure{{Type: "deploy", Actor: "AAA", Host: "CCC", Category: "personnel", Quantity: 300}}, "CCC", 0.5},
		{"all 600 to CCC", []indivisible.Measure{{Type: "deploy", Actor: "AAA", Host: "CCC", Category: "personnel", Quantity: 600}}, "CCC", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := deployModel(tc.host, tc.w)
			checkSlicesNear(t, "After", base.Codes(), mustAfter(t, base, tc.ms...), h.security(), tol)
			// The same deployment in the scenario: the baseline carries it.
			q := 0.0
			for _, m := range tc.ms {
				q += m.Quantity
			}
			sys := mustCompile(t, deployScenario(indivisible.Deployment{State: "AAA", Host: tc.host, Component: "personnel", Quantity: q}), p)
			checkSlicesNear(t, "Before with the deployment", sys.Codes(), sys.Before(), h.security(), tol)
			for j, from := range sys.Codes() {
				for i, to := range sys.Codes() {
					if i != j {
						checkNear(t, "DeploymentTerm "+from+"→"+to, sys.DeploymentTerm(j, i), h.geo[from+to], tol)
					}
				}
			}
			e, err := sys.Explain("BBB", 2)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(e.Threats, func(r indivisible.PairRisk) bool { return r.From == "AAA" })
			if i < 0 {
				t.Fatal("AAA is not among BBB's threats")
			}
			th := e.Threats[i]
			sum := th.Deployments
			for _, ct := range th.Contributions {
				sum += ct.Term
			}
			checkNear(t, "AAA→BBB deployments", th.Deployments, h.geo["AAABBB"], tol)
			checkNear(t, "AAA→BBB P", th.P, logistic(sum), tol)
			// Withdrawing everything restores the scenario without it.
			back := mustAfter(t, sys, indivisible.Measure{Type: "withdraw", Actor: "AAA", Host: tc.host, Category: "personnel", Quantity: q})
			checkSlicesNear(t, "after withdrawing", sys.Codes(), back, none.security(), tol)
		})
	}
}

// Alliances: four states at longitudes 0, 4, 10 and 30, personnel 500,
// 300, 100 and 100 (C = 0.5, 0.3, 0.1, 0.1); AAA and BBB share a land
// border, BBB and CCC are across water; PACT binds its members (AAA and
// BBB; CCC is a partner) to defend each other; BBB and CCC have a
// non-aggression pact. The coalition K_ji (the candidate ln_coalition)
// is the capability of i's defence allies not also allied to j (j
// excluded), each projected at i by exp(-d/2000 km), 1 for a land
// neighbour, from every place its forces are.
var pactMID = map[string]float64{"const": -2, "ln_cap_from": 0.3, "ln_cap_to": 0.1, "ln_coalition": -0.05,
	"ln_dist": -0.3, "land": 1.2, "sea": 0.7, "defence": 0.25, "pact": 0.15}

var pactLon = map[string]float64{"AAA": 0, "BBB": 4, "CCC": 10, "DDD": 30}
var pactCap = map[string]float64{"AAA": 0.5, "BBB": 0.3, "CCC": 0.1, "DDD": 0.1}

func pactScenario() *indivisible.Scenario {
	return &indivisible.Scenario{
		Name: "pact4", Year: 2025, Components: personnelOnly,
		Participants: []indivisible.Participant{state("AAA", 0, "BBB"), state("BBB", 4, "AAA"), state("CCC", 10), state("DDD", 30),
			{Code: "PACT", Name: "The Pact", Kind: indivisible.Organisation}},
		Memberships: []indivisible.Membership{{State: "AAA", Organisation: "PACT", Role: indivisible.Member},
			{State: "BBB", Organisation: "PACT", Role: indivisible.Member}, {State: "CCC", Organisation: "PACT", Role: indivisible.Partner}},
		Commitments: []indivisible.Commitment{{A: "PACT", Type: indivisible.Defence, Treaty: "Pact Art. 1"},
			{A: "BBB", B: "CCC", Type: indivisible.NonAggression, Treaty: "BC"}},
		Holdings: []indivisible.Holding{holding("AAA", "personnel", 500), holding("BBB", "personnel", 300),
			holding("CCC", "personnel", 100), holding("DDD", "personnel", 100)},
		Evidence: indivisible.Evidence{Contiguities: []indivisible.Contiguity{{A: "BBB", B: "CCC", Type: 3}}},
	}
}

// pactGeo is g(b, i) = -0.3 ln(1 + d_bi) + 1.2 land_bi + 0.7 sea_bi, with
// g(i, i) = 1.2 (distance 0, contiguous).
func pactGeo(b, i string) float64 {
	if b == i {
		return 1.2
	}
	g := -0.3 * lnDist(pactLon[b]-pactLon[i])
	switch b + i {
	case "AAABBB", "BBBAAA":
		g += 1.2
	case "BBBCCC", "CCCBBB":
		g += 0.7
	}
	return g
}

// e2000 is the coalition kernel over deg degrees of longitude.
func e2000(deg float64) float64 { return math.Exp(-deg * kmPerDegree / 2000) }

// alliances is what the commitments make of the pairs: who is bound by
// defence, who only by another pact (unordered, "AAABBB" and "BBBAAA"
// both listed), and the coalition K of each ordered pair (0 where not
// listed).
type alliances struct {
	defence, pact map[string]bool
	coalition     map[string]float64
}

func both(pairs ...string) map[string]bool {
	m := map[string]bool{}
	for _, p := range pairs {
		m[p] = true
		m[p[3:]+p[:3]] = true
	}
	return m
}

// pactModel is the hand model of the four states with capabilities caps,
// commitments al and deployment terms geo.
func pactModel(caps map[string]float64, al alliances, geo map[string]float64) handModel {
	return handModel{codes: []string{"AAA", "BBB", "CCC", "DDD"}, beta: pactMID, geo: geo, x: func(j, i string) feats {
		x := defaults()
		x["ln_cap_from"], x["ln_cap_to"], x["ln_dist"] = lnCap(caps[j]), lnCap(caps[i]), lnDist(pactLon[j]-pactLon[i])
		x["ln_coalition"] = math.Log(al.coalition[j+i] + eps)
		switch j + i {
		case "AAABBB", "BBBAAA":
			x["land"] = 1
		case "BBBCCC", "CCCBBB":
			x["sea"] = 1
		}
		x["defence"], x["pact"] = b2f(al.defence[j+i]), b2f(al.pact[j+i])
		return x
	}}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// pactBaseline: AAA's ally BBB (land neighbour, kernel 1) stands against
// CCC and DDD, BBB's ally AAA likewise; nobody is allied to CCC or DDD,
// and BBB cannot count on AAA against AAA.
var pactBaseline = alliances{defence: both("AAABBB"), pact: both("BBBCCC"),
	coalition: map[string]float64{"CCCAAA": 0.3, "DDDAAA": 0.3, "CCCBBB": 0.5, "DDDBBB": 0.5}}

func TestAlliancesByHand(t *testing.T) {
	c := handCoefficients(t, pactMID, pactMID)
	sys := mustCompile(t, pactScenario(), paramsWith(c))
	base := pactModel(pactCap, pactBaseline, nil)
	checkDesign(t, sys, base.x)
	checkSlicesNear(t, "Before", sys.Codes(), sys.Before(), base.security(), tol)

	member := func(s *indivisible.Scenario, code string) {
		s.Memberships = append(s.Memberships, indivisible.Membership{State: code, Organisation: "PACT", Role: indivisible.Member})
	}
	leave := func(s *indivisible.Scenario, code string) {
		s.Memberships = slices.DeleteFunc(s.Memberships, func(m indivisible.Membership) bool { return m.State == code })
	}
	for _, tc := range []struct {
		name string
		ms   []indivisible.Measure
		// edit makes the scenario the measures lead to, when the model
		// can compile it as a baseline (nil for a holdings change, whose
		// baseline totals would differ).
		edit func(s *indivisible.Scenario)
		caps map[string]float64
		want alliances
		geo  map[string]float64
	}{
		// CCC joins: AAA, BBB and CCC all defend each other (the
		// non-aggression pact is now part of a defence tie), and only
		// DDD faces coalitions.
		{"CCC joins", []indivisible.Measure{{Type: "join", Actor: "CCC", Organisation: "PACT"}},
			func(s *indivisible.Scenario) { member(s, "CCC") }, pactCap,
			alliances{defence: both("AAABBB", "AAACCC", "BBBCCC"), coalition: map[string]float64{
				"DDDAAA": 0.3*1 + 0.1*e2000(10),
				"DDDBBB": 0.5*1 + 0.1*e2000(6),
				"DDDCCC": 0.5*e2000(10) + 0.3*e2000(6),
			}}, nil},
		// AAA leaves: PACT binds no pair; BBB-CCC keep their pact.
		{"AAA leaves", []indivisible.Measure{{Type: "leave", Actor: "AAA", Organisation: "PACT"}},
			func(s *indivisible.Scenario) { leave(s, "AAA") }, pactCap, alliances{pact: both("BBBCCC")}, nil},
		{"BBB leaves", []indivisible.Measure{{Type: "leave", Actor: "BBB", Organisation: "PACT"}},
			func(s *indivisible.Scenario) { leave(s, "BBB") }, pactCap, alliances{pact: both("BBBCCC")}, nil},
		// DDD joins: AAA, BBB and DDD defend each other, CCC faces all
		// three (its non-aggression pact with BBB does not exclude BBB).
		{"DDD joins", []indivisible.Measure{{Type: "join", Actor: "DDD", Organisation: "PACT"}},
			func(s *indivisible.Scenario) { member(s, "DDD") }, pactCap,
			alliances{defence: both("AAABBB", "AAADDD", "BBBDDD"), pact: both("BBBCCC"), coalition: map[string]float64{
				"CCCAAA": 0.3 + 0.1*e2000(30),
				"CCCBBB": 0.5 + 0.1*e2000(26),
				"CCCDDD": 0.5*e2000(30) + 0.3*e2000(26),
			}}, nil},
		// BBB doubles: its capability 0.6, and its projection as AAA's
		// ally.
		{"BBB arms", []indivisible.Measure{{Type: "holdings", Actor: "BBB", Category: "personnel", Change: 300}}, nil,
			map[string]float64{"AAA": 0.5, "BBB": 0.6, "CCC": 0.1, "DDD": 0.1},
			alliances{defence: both("AAABBB"), pact: both("BBBCCC"),
				coalition: map[string]float64{"CCCAAA": 0.6, "DDDAAA": 0.6, "CCCBBB": 0.5, "DDDBBB": 0.5}}, nil},
		// BBB moves 150 of its 300 to DDD: its capability stays 0.3, but
		// only 0.15 is at home next to AAA; the rest is projected at AAA
		// from DDD, 30° away. BBB's own hazards mix its home's and DDD's
		// geography half and half.
		{"BBB deploys in DDD", []indivisible.Measure{{Type: "deploy", Actor: "BBB", Host: "DDD", Category: "personnel", Quantity: 150}},
			func(s *indivisible.Scenario) {
				s.Deployments = []indivisible.Deployment{{State: "BBB", Host: "DDD", Component: "personnel", Quantity: 150}}
			}, pactCap,
			alliances{defence: both("AAABBB"), pact: both("BBBCCC"),
				coalition: map[string]float64{"CCCAAA": 0.15 + 0.15*e2000(30), "DDDAAA": 0.15 + 0.15*e2000(30), "CCCBBB": 0.5, "DDDBBB": 0.5}},
			map[string]float64{
				"BBBAAA": math.Log(0.5*math.Exp(pactGeo("BBB", "AAA"))+0.5*math.Exp(pactGeo("DDD", "AAA"))) - pactGeo("BBB", "AAA"),
				"BBBCCC": math.Log(0.5*math.Exp(pactGeo("BBB", "CCC"))+0.5*math.Exp(pactGeo("DDD", "CCC"))) - pactGeo("BBB", "CCC"),
				"BBBDDD": math.Log(0.5*math.Exp(pactGeo("BBB", "DDD"))+0.5*math.Exp(pactGeo("DDD", "DDD"))) - pactGeo("BBB", "DDD"),
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := pactModel(tc.caps, tc.want, tc.geo)
			checkSlicesNear(t, "After", sys.Codes(), mustAfter(t, sys, tc.ms...), h.security(), tol)
			if tc.edit != nil {
				// The features the measures lead to, candidates included,
				// as the baseline of the changed scenario.
				s := pactScenario()
				tc.edit(s)
				fresh := mustCompile(t, s, paramsWith(c))
				checkDesign(t, fresh, h.x)
				checkSlicesNear(t, "Before of the changed scenario", fresh.Codes(), fresh.Before(), h.security(), tol)
			}
		})
	}

	// PACT's security is the probability that none of its members is
	// targeted: AAA and BBB before, BBB alone once AAA has left.
	a, err := sys.Assess(context.Background(), &indivisible.Proposal{Measures: []indivisible.Measure{{Type: "leave", Actor: "AAA", Organisation: "PACT"}}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	before := base.security()
	after := pactModel(pactCap, alliances{pact: both("BBBCCC")}, nil).security()
	if len(a.Organisations) != 1 || a.Organisations[0].Code != "PACT" {
		t.Fatalf("organisations = %+v, want PACT", a.Organisations)
	}
	checkNear(t, "PACT before", a.Organisations[0].Before, before[0]*before[1], tol)
	checkNear(t, "PACT after", a.Organisations[0].After, after[1], tol)
}

// TestExerciseNeighbours: an exercise by DDD in AAA with 50 personnel,
// 0.05 of the index and half of DDD's 0.1, raises DDD's odds against AAA
// (the host, d = 0) and BBB (the host's land neighbour, d = 0) by
// κ·0.5 = 0.25, and against CCC by 0.25·exp(-d_AC/500); with CCC taking
// part, the share is 0.05/0.2 and CCC is no longer a target.
func TestExerciseNeighbours(t *testing.T) {
	c := handCoefficients(t, pactMID, pactMID)
	sys := mustCompile(t, pactScenario(), paramsWith(c))
	dAC := 10 * kmPerDegree
	for _, tc := range []struct {
		name string
		m    indivisible.Measure
		odds map[string]float64
	}{
		{"DDD alone", indivisible.Measure{Type: "exercise", Actors: []string{"DDD"}, Host: "AAA", Personnel: 50},
			map[string]float64{"DDDAAA": 1.25, "DDDBBB": 1.25, "DDDCCC": 1 + 0.25*math.Exp(-dAC/500)}},
		{"CCC and DDD", indivisible.Measure{Type: "exercise", Actors: []string{"CCC", "DDD"}, Host: "AAA", Personnel: 50},
			map[string]float64{"DDDAAA": 1.125, "DDDBBB": 1.125, "CCCAAA": 1.125, "CCCBBB": 1.125}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := pactModel(pactCap, pactBaseline, nil)
			h.odds = tc.odds
			checkSlicesNear(t, "After", sys.Codes(), mustAfter(t, sys, tc.m), h.security(), tol)
		})
	}
}

// Capabilities: AAA has a record (CINC 0.3, military part 0.1) and holds
// 600 of 1,000 personnel (M = 0.6, so s = 0.1/0.6 per unit of index); BBB
// has none and holds 400 (C = M = 0.4); CCC has a record (0.02, 0.01) and
// holds nothing, so it takes the system's ratio Σm/ΣM over the states
// with a record and holdings, 0.1/0.6. C_j = CINC_j + s_j (M'_j - M_j).
func capScenario() *indivisible.Scenario {
	return &indivisible.Scenario{
		Name: "caps3", Year: 2025, Components: personnelOnly,
		Participants: []indivisible.Participant{state("AAA", 0), state("BBB", 3), state("CCC", 7)},
		Holdings: []indivisible.Holding{holding("AAA", "personnel", 600), holding("BBB", "personnel", 400),
			holding("CCC", "personnel", 0)},
		Evidence: indivisible.Evidence{Capabilities: []indivisible.Capability{
			{State: "AAA", CINC: 0.3, Military: 0.1}, {State: "CCC", CINC: 0.02, Military: 0.01}}},
	}
}

var capMID = map[string]float64{"const": -2, "ln_cap_from": 0.3, "ln_cap_to": 0.1, "ln_dist": -0.3}

func capModel(caps map[string]float64) handModel {
	lon := map[string]float64{"AAA": 0, "BBB": 3, "CCC": 7}
	return handModel{codes: []string{"AAA", "BBB", "CCC"}, beta: capMID, x: func(j, i string) feats {
		x := defaults()
		x["ln_cap_from"], x["ln_cap_to"], x["ln_dist"] = lnCap(caps[j]), lnCap(caps[i]), lnDist(lon[j]-lon[i])
		return x
	}}
}

func TestCapabilitiesByHand(t *testing.T) {
	c := handCoefficients(t, capMID, capMID)
	sys := mustCompile(t, capScenario(), paramsWith(c))
	base := map[string]float64{"AAA": 0.3, "BBB": 0.4, "CCC": 0.02}
	checkDesign(t, sys, capModel(base).x)
	checkSlicesNear(t, "Before", sys.Codes(), sys.Before(), capModel(base).security(), tol)
	with := func(code string, v float64) map[string]float64 {
		m := map[string]float64{}
		for k, x := range base {
			m[k] = x
		}
		m[code] = v
		return m
	}
	s := 0.1 / 0.6
	for _, tc := range []struct {
		name string
		ms   []indivisible.Measure
		caps map[string]float64
	}{
		{"AAA +300: 0.3 + s·0.3", []indivisible.Measure{{Type: "holdings", Actor: "AAA", Category: "personnel", Change: 300}}, with("AAA", 0.3+s*0.3)},
		{"AAA disarms: 0.3 - s·0.6 = 0.2", []indivisible.Measure{{Type: "holdings", Actor: "AAA", Category: "personnel", Change: -600}}, with("AAA", 0.2)},
		{"BBB +100: no record, 500/1000", []indivisible.Measure{{Type: "holdings", Actor: "BBB", Category: "personnel", Change: 100}}, with("BBB", 0.5)},
		{"CCC +100: the system's ratio", []indivisible.Measure{{Type: "holdings", Actor: "CCC", Category: "personnel", Change: 100}}, with("CCC", 0.02+s*0.1)},
		{"transfer 300 from AAA to CCC", []indivisible.Measure{{Type: "transfer", From: "AAA", To: "CCC", Category: "personnel", Quantity: 300}},
			map[string]float64{"AAA": 0.3 - s*0.3, "BBB": 0.4, "CCC": 0.02 + s*0.3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkSlicesNear(t, "After", sys.Codes(), mustAfter(t, sys, tc.ms...), capModel(tc.caps).security(), tol)
		})
	}
	// Deployed forces stay part of the owner's capability: only AAA's
	// own hazards move (the deployment term), so the threat BBB and CCC
	// pose to AAA is unchanged, bit for bit.
	after := mustAfter(t, sys, indivisible.Measure{Type: "deploy", Actor: "AAA", Host: "BBB", Category: "personnel", Quantity: 100})
	if after[0] != sys.Before()[0] {
		t.Errorf("AAA's security after deploying abroad = %v, want unchanged %v", after[0], sys.Before()[0])
	}
}

// TestHoldingsIndex: the index is the weighted mean, over the components
// a state reports, of its shares of the baseline totals. Personnel
// (weight 1) totals 1,000 and tanks (weight 3) 40, BBB's tanks missing:
//
//	M_A = (1·0.6 + 3·0.25)/4 = 0.3375,  M_B = 0.4/1 = 0.4,
//	M_C = (1·0 + 3·0.75)/4 = 0.5625;
//
// with the tank weight overridden to 1: 0.425, 0.4, 0.375; with personnel
// weighted 0, BBB reports nothing that counts and has 0.
func TestHoldingsIndex(t *testing.T) {
	s := &indivisible.Scenario{
		Name: "index", Year: 2025,
		Components:   []indivisible.Component{{Name: "personnel", Weight: 1}, {Name: "battle_tanks", Weight: 3}},
		Participants: []indivisible.Participant{state("AAA", 0), state("BBB", 3), state("CCC", 7)},
		Holdings: []indivisible.Holding{
			holding("AAA", "personnel", 600), holding("AAA", "battle_tanks", 10),
			holding("BBB", "personnel", 400), {State: "BBB", Component: "battle_tanks", Missing: true},
			holding("CCC", "personnel", 0), holding("CCC", "battle_tanks", 30),
		},
	}
	c := handCoefficients(t, capMID, capMID)
	for _, tc := range []struct {
		name    string
		weights map[string]float64
		want    map[string]float64
	}{
		{"scenario weights", nil, map[string]float64{"AAA": 0.3375, "BBB": 0.4, "CCC": 0.5625}},
		{"tanks weighted 1", map[string]float64{"battle_tanks": 1}, map[string]float64{"AAA": 0.425, "BBB": 0.4, "CCC": 0.375}},
		{"personnel weighted 0", map[string]float64{"personnel": 0}, map[string]float64{"AAA": 0.25, "BBB": 0, "CCC": 0.75}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := paramsWith(c)
			p.Weights = tc.weights
			sys := mustCompile(t, s, p)
			checkDesign(t, sys, capModel(tc.want).x)
			checkSlicesNear(t, "Before", sys.Codes(), sys.Before(), capModel(tc.want).security(), tol)
		})
	}
	sys := mustCompile(t, s, paramsWith(c))
	if q, ok := sys.Holding("AAA", "battle_tanks"); q != 10 || !ok {
		t.Errorf("Holding(AAA, tanks) = %v, %v", q, ok)
	}
	if _, ok := sys.Holding("BBB", "battle_tanks"); ok {
		t.Error("Holding(BBB, tanks) is reported, want missing")
	}
	if _, ok := sys.Holding("ZZZ", "battle_tanks"); ok {
		t.Error("Holding of an unknown state is reported")
	}
	if diff := cmp.Diff([]string{"personnel", "battle_tanks"}, sys.Components()); diff != "" {
		t.Errorf("Components (-want +got):\n%s", diff)
	}
}

// TestEvidenceFeatures compares every column of the design (features and
// candidates) with the definitions of docs/model.md, section 2, for three
// states with every kind of evidence, as of the end of 2025.
func TestEvidenceFeatures(t *testing.T) {
	s := &indivisible.Scenario{
		Name: "evidence", Year: 2025, Components: personnelOnly,
		Participants: []indivisible.Participant{state("AAA", 0, "BBB"), state("BBB", 4, "AAA"), state("CCC", 10)},
		Holdings: []indivisible.Holding{holding("AAA", "personnel", 100), holding("BBB", "personnel", 100),
			holding("CCC", "personnel", 200)},
		Evidence: indivisible.Evidence{
			Regimes:    []indivisible.Regime{{State: "AAA", Polyarchy: 0.8}, {State: "BBB", Polyarchy: 0.6}},
			Majors:     []indivisible.Major{{State: "CCC", Since: 1950}, {State: "BBB", Since: 2030}},
			Affinities: []indivisible.Affinity{{A: "AAA", B: "BBB", Agreement: 0.9}},
			// Water between AAA and BBB counts for nothing: they share a
			// land border.
			Contiguities: []indivisible.Contiguity{{A: "AAA", B: "CCC", Type: 4}, {A: "AAA", B: "BBB", Type: 2}},
			Rivalries: []indivisible.Rivalry{{A: "AAA", B: "BBB", Since: 2000},
				{A: "BBB", B: "CCC", Since: 1990, Ended: 2000}},
			// Summarised through 2024: age 1 at 2025, each decayed count
			// × e^-0.1; last dispute 2020, five years of peace.
			Histories: []indivisible.History{{A: "AAA", B: "BBB", Through: 2024, Last: 2020, DecayAB: 0.5, DecayBA: 0.2}},
			Disputes: []indivisible.Dispute{
				// BBB starts one against CCC in 2025: ongoing, no peace,
				// an onset of weight e^0 = 1.
				{Year: 2025, A: "BBB", B: "CCC", Initiated: true, Onset: true, HostLev: 3},
				// AAA-CCC: an onset of unknown side in 2023 (half each
				// way, e^-0.2) going on in 2024 (one year of peace).
				{Year: 2023, A: "AAA", B: "CCC", Onset: true, HostLev: 2},
				{Year: 2024, A: "AAA", B: "CCC", Initiated: true, HostLev: 2},
			},
		},
	}
	// Capabilities 0.25, 0.25, 0.5.
	caps := map[string]float64{"AAA": 0.25, "BBB": 0.25, "CCC": 0.5}
	half := 0.5 * math.Exp(-0.2)
	pair := map[string]feats{
		"AAABBB": {"land": 1, "affinity": 0.9, "affinity_missing": 0, "joint_dem": 0.6, "dem_dist": 0.2, "dem_missing": 0,
			"ln_peace": math.Log(6), "decay_from": 0.5 * math.Exp(-0.1), "decay_to": 0.2 * math.Exp(-0.1), "rivalry": 1},
		"BBBAAA": {"land": 1, "affinity": 0.9, "affinity_missing": 0, "joint_dem": 0.6, "dem_dist": 0.2, "dem_missing": 0,
			"ln_peace": math.Log(6), "decay_from": 0.2 * math.Exp(-0.1), "decay_to": 0.5 * math.Exp(-0.1), "rivalry": 1},
		"AAACCC": {"sea": 1, "ln_peace": math.Log(2), "decay_from": half, "decay_to": half, "major_to": 1},
		"CCCAAA": {"sea": 1, "ln_peace": math.Log(2), "decay_from": half, "decay_to": half, "major_from": 1},
		"BBBCCC": {"ongoing": 1, "ln_peace": 0, "decay_from": 1, "major_to": 1},
		"CCCBBB": {"ongoing": 1, "ln_peace": 0, "decay_to": 1, "major_from": 1},
	}
	lon := map[string]float64{"AAA": 0, "BBB": 4, "CCC": 10}
	x := func(j, i string) feats {
		x := defaults()
		x["ln_cap_from"], x["ln_cap_to"], x["ln_dist"] = lnCap(caps[j]), lnCap(caps[i]), lnDist(lon[j]-lon[i])
		for k, v := range pair[j+i] {
			x[k] = v
		}
		return x
	}
	c := handCoefficients(t, capMID, capMID)
	sys := mustCompile(t, s, paramsWith(c))
	checkDesign(t, sys, x)
	codes, design, err := model.Design(s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(codes, sys.Codes()) || !slices.Equal(design, sys.Design()) {
		t.Error("model.Design differs from System.Design")
	}
}
