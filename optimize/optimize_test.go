package optimize_test

import (
	"context"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/optimize"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"pgregory.net/rapid"
)

// twoStates: a strong state A and a weak B, 1,000 km apart, unallied.
func twoStates(t testing.TB) *model.System {
	t.Helper()
	lon := 1000 / (6378.137 * math.Pi / 180)
	s := &indivisible.Scenario{Name: "two", Components: []indivisible.Component{{Name: "personnel", Weight: 1}},
		Participants: []indivisible.Participant{{Code: "AAA", Name: "A", Kind: indivisible.State}, {Code: "BBB", Name: "B", Kind: indivisible.State, Lon: lon}},
		Holdings:     []indivisible.Holding{{State: "AAA", Component: "personnel", Quantity: 300}, {State: "BBB", Component: "personnel", Quantity: 100}}}
	sys, err := model.Compile(s, model.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

// line: a strong state A with a base in H, 2,500 km east, and T, 600 km
// west of A; no alliances, no evidence but the holdings.
func line(t testing.TB) *model.System {
	t.Helper()
	deg := 1 / (6378.137 * math.Pi / 180) // degrees of longitude per km on the equator
	s := &indivisible.Scenario{Name: "line", Components: []indivisible.Component{{Name: "personnel", Weight: 1}},
		Participants: []indivisible.Participant{
			{Code: "AAA", Name: "A", Kind: indivisible.State},
			{Code: "HHH", Name: "H", Kind: indivisible.State, Lon: 2500 * deg},
			{Code: "TTT", Name: "T", Kind: indivisible.State, Lon: -600 * deg}},
		Holdings: []indivisible.Holding{{State: "AAA", Component: "personnel", Quantity: 300},
			{State: "HHH", Component: "personnel", Quantity: 100}, {State: "TTT", Component: "personnel", Quantity: 100}},
		Deployments: []indivisible.Deployment{{State: "AAA", Host: "HHH", Component: "personnel", Quantity: 100}}}
	sys, err := model.Compile(s, model.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

// A case solved without the optimiser. A may withdraw up to 5 of its
// personnel from H, which moves its threat away from H (H gains) and
// towards T (T loses); A and T may agree on observers (a CBM, which
// raises both). The max-min optimum adopts the CBM and withdraws exactly
// until T and H gain equally: the root of Δ_T(x) = Δ_H(x), which
// bisection on the exact model finds, and which an exhaustive search over
// a grid of packages confirms.
func TestOptimizeLineByHand(t *testing.T) {
	sys := line(t)
	const A, H, T = 0, 1, 2 // in the order of sys.Codes()
	withdraw := indivisible.Measure{Type: "withdraw", Actor: "AAA", Host: "HHH", Category: "personnel", Quantity: 5}
	cbm := indivisible.Measure{Type: "cbm", Actors: []string{"AAA", "TTT"}, Kind: "observers"}
	deltas := func(x float64, observers bool) []float64 {
		var ms []indivisible.Measure
		if x > 0 {
			ms = append(ms, withdraw.Scaled(x))
		}
		if observers {
			ms = append(ms, cbm)
		}
		after, err := sys.After(ms)
		if err != nil {
			t.Fatal(err)
		}
		d := make([]float64, len(after))
		for i := range d {
			d[i] = after[i] - sys.Before()[i]
		}
		return d
	}
	gap := func(x float64) float64 { d := deltas(x, true); return d[T] - d[H] }
	if g := gap(0); g <= 0 {
		t.Fatalf("the case needs T to gain more from the CBM alone: gap %v", g)
	}
	if g := gap(1); g >= 0 {
		t.Fatalf("the case needs the full withdrawal to overshoot: gap %v", g)
	}
	lo, hi := 0.0, 1.0
	for range 100 {
		mid := (lo + hi) / 2
		if gap(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	d := deltas(lo, true)
	best := slices.Min(d)
	if d[A] <= best {
		t.Fatalf("A must not bind at the root: %v", d)
	}
	// An exhaustive search over 201 levels, with and without the CBM,
	// reaches (to its resolution) the same package and no higher minimum.
	gridBest, gridX, gridCBM := math.Inf(-1), 0.0, false
	for k := 0; k <= 200; k++ {
		for _, c := range []bool{false, true} {
			if m := slices.Min(deltas(float64(k)/200, c)); m > gridBest {
				gridBest, gridX, gridCBM = m, float64(k)/200, c
			}
		}
	}
	if !gridCBM || math.Abs(gridX-lo) > 1.0/200 || gridBest > best+1e-15 {
		t.Fatalf("grid optimum %v at level %v (CBM %v), bisection %v at %v", gridBest, gridX, gridCBM, best, lo)
	}

	cs := &optimize.Candidates{Title: "line", Candidates: []optimize.Candidate{
		{Name: "withdraw", Measure: withdraw, Levels: [2]float64{0, 1}},
		{Name: "observers", Measure: cbm, Levels: [2]float64{0, 1}},
	}}
	r, err := optimize.Optimize(context.Background(), sys, cs, optimize.Options{Tolerance: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	if r.Levels[1].Level != 1 || math.Abs(r.Levels[0].Level-lo) > 1e-3 {
		t.Fatalf("levels %+v, want withdrawal %v and observers 1", r.Levels, lo)
	}
	if math.Abs(r.Outcome.Min-best) > 1e-9 || r.Outcome.Min < r.BestSingle.Min {
		t.Fatalf("min %v, want %v (best single %v)", r.Outcome.Min, best, r.BestSingle.Min)
	}
	// T and H bind the optimum.
	if len(r.Certificate.Participants) != 2 || !r.Certificate.Optimal {
		t.Fatalf("certificate %+v", r.Certificate)
	}
	for _, p := range r.Certificate.Participants {
		if p.Code != "TTT" && p.Code != "HHH" {
			t.Fatalf("certificate %+v: only T and H bind", r.Certificate)
		}
	}
	if r.Assessment.Verdict != indivisible.Indivisible {
		t.Fatalf("assessment %+v", r.Assessment)
	}
}

// A limit binds: A may cut at most 10% of its personnel, so the cut stops
// at level 0.15 (30 of 300, out of a candidate of 200). Cutting raises
// both states' security (A is a less attractive target, and less of a
// threat to B), so without the limit the optimiser would cut it all.
func TestOptimizeLimitBinds(t *testing.T) {
	sys := twoStates(t)
	cs := &optimize.Candidates{Candidates: []optimize.Candidate{
		{Name: "cut", Measure: indivisible.Measure{Type: "holdings", Actor: "AAA", Category: "personnel", Change: -200}, Levels: [2]float64{0, 1}},
	}, Limits: []optimize.Limit{{State: "AAA", MaxReduction: 0.1}}}
	for _, x := range []float64{0.1, 1} {
		after, err := sys.After([]indivisible.Measure{cs.Candidates[0].Measure.Scaled(x)})
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range after {
			if a <= sys.Before()[i] {
				t.Fatalf("the case needs the cut to raise every state: level %v, %v -> %v", x, sys.Before(), after)
			}
		}
	}
	r, err := optimize.Optimize(context.Background(), sys, cs, optimize.Options{Tolerance: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	if l := r.Levels[0].Level; l > 0.15+1e-9 || l < 0.15-1e-6 {
		t.Fatalf("level %v, want the limit's 0.15", l)
	}
	if len(r.Certificate.Limits) != 1 || r.Certificate.Limits[0].Code != "AAA" {
		t.Fatalf("the limit should bind: %+v", r.Certificate)
	}
}

// The result is never worse than the empty package or the best single
// candidate, and is admissible when either is.
func TestPropertyNeverWorse(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(4, 12).Draw(t, "n")
		s := scenario.Synthetic(n, rapid.Uint64().Draw(t, "seed"))
		sys, err := model.Compile(s, model.DefaultParams())
		if err != nil {
			t.Fatal(err)
		}
		codes := sys.Codes()
		cs := &optimize.Candidates{}
		for k := range rapid.IntRange(1, 6).Draw(t, "k") {
			a := rapid.SampledFrom(codes).Draw(t, "a")
			b := rapid.SampledFrom(codes).Filter(func(c string) bool { return c != a }).Draw(t, "b")
			var m indivisible.Measure
			switch rapid.IntRange(0, 2).Draw(t, "type") {
			case 0:
				m = indivisible.Measure{Type: "holdings", Actor: a, Category: "personnel", Change: rapid.Float64Range(-50, 50).Draw(t, "change")}
			case 1:
				m = indivisible.Measure{Type: "cbm", Actors: []string{a, b}, Kind: "hotline"}
			case 2:
				m = indivisible.Measure{Type: "deploy", Actor: a, Host: b, Category: "personnel", Quantity: rapid.Float64Range(1, 50).Draw(t, "q")}
			}
			if m.Change == 0 && m.Type == "holdings" {
				m.Change = 1
			}
			if _, err := sys.After([]indivisible.Measure{m}); err != nil {
				continue
			}
			cs.Candidates = append(cs.Candidates, optimize.Candidate{Name: string(rune('a' + k)), Measure: m, Levels: [2]float64{0, 1}})
		}
		if len(cs.Candidates) == 0 {
			t.Skip("no valid candidate")
		}
		tol := rapid.SampledFrom([]float64{0, 1e-4, 1e-2}).Draw(t, "tol")
		r, err := optimize.Optimize(context.Background(), sys, cs, optimize.Options{Tolerance: tol, MaxIterations: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range []optimize.Outcome{r.Empty, r.BestSingle} {
			if ref.Admissible && (!r.Outcome.Admissible || r.Outcome.Min < ref.Min-1e-12) {
				t.Fatalf("result %+v worse than %+v", r.Outcome, ref)
			}
		}
		// The reported outcome is the exact assessment of the package.
		min := math.Inf(1)
		for _, p := range r.Assessment.Participants {
			min = math.Min(min, p.Delta)
		}
		if min != r.Outcome.Min {
			t.Fatalf("outcome min %v, assessment min %v", r.Outcome.Min, min)
		}
	})
}

func TestOptimizeErrors(t *testing.T) {
	sys := twoStates(t)
	good := optimize.Candidate{Measure: indivisible.Measure{Type: "holdings", Actor: "AAA", Category: "personnel", Change: -10}, Levels: [2]float64{0, 1}}
	for name, c := range map[string]struct {
		cs    *optimize.Candidates
		opts  optimize.Options
		field string
	}{
		"unknown actor":  {&optimize.Candidates{Candidates: []optimize.Candidate{{Measure: indivisible.Measure{Type: "holdings", Actor: "ZZZ", Category: "personnel", Change: 1}, Levels: [2]float64{0, 1}}}}, optimize.Options{}, "candidates[0].measure.actor"},
		"overwithdrawal": {&optimize.Candidates{Candidates: []optimize.Candidate{good, {Measure: indivisible.Measure{Type: "withdraw", Actor: "AAA", Host: "BBB", Category: "personnel", Quantity: 5}, Levels: [2]float64{0, 1}}}}, optimize.Options{}, "candidates[1].measure.quantity"},
		"limit state":    {&optimize.Candidates{Candidates: []optimize.Candidate{good}, Limits: []optimize.Limit{{State: "XXX", MaxReduction: 0.2}}}, optimize.Options{}, "limits[0].state"},
		"limit category": {&optimize.Candidates{Candidates: []optimize.Candidate{good}, Limits: []optimize.Limit{{State: "AAA", MaxReduction: 0.2, Categories: []string{"tanks"}}}}, optimize.Options{}, "limits[0].categories[0]"},
		"tolerance":      {&optimize.Candidates{Candidates: []optimize.Candidate{good}}, optimize.Options{Tolerance: -1}, "tolerance"},
	} {
		_, err := optimize.Optimize(context.Background(), sys, c.cs, c.opts)
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != c.field {
			t.Errorf("%s: err = %v (field %q), want EINVALID at %q", name, err, indivisible.ErrorField(err), c.field)
		}
	}
}

// A cancelled search reports the best package found so far.
func TestOptimizeInterrupted(t *testing.T) {
	sys := twoStates(t)
	cs := &optimize.Candidates{Candidates: []optimize.Candidate{
		{Name: "cut", Measure: indivisible.Measure{Type: "holdings", Actor: "BBB", Category: "personnel", Change: -80}, Levels: [2]float64{0, 1}},
		{Name: "observers", Measure: indivisible.Measure{Type: "cbm", Actors: []string{"AAA", "BBB"}, Kind: "observers"}, Levels: [2]float64{0, 1}},
	}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := optimize.Optimize(ctx, sys, cs, optimize.Options{Tolerance: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Interrupted || r.Outcome.Min < r.BestSingle.Min || r.Assessment == nil {
		t.Fatalf("interrupted %v, outcome %+v, best single %+v", r.Interrupted, r.Outcome, r.BestSingle)
	}
}

// The README's example on the embedded scenario (examples/candidates):
// the package is admissible and no state loses; it meets every limit
// (recomputed here from the package's measures); it is at least as good
// as the best single candidate; the states its certificate names are the
// ones at the minimum; and the least secure state, Russia, is safer.
func TestOptimizeNatoRussia(t *testing.T) {
	b, err := os.ReadFile("../examples/candidates/nato-russia.json")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := optimize.ParseCandidates(b)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	sys, err := model.Compile(s, model.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	r, err := optimize.Optimize(context.Background(), sys, cs, optimize.Options{Tolerance: indivisible.DefaultTolerance})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Assessment
	if !r.Outcome.Admissible || a.Verdict != indivisible.Indivisible || len(a.Losers) != 0 {
		t.Fatalf("outcome %+v, verdict %s, losers %v", r.Outcome, a.Verdict, a.Losers)
	}
	if r.Outcome.Min < r.BestSingle.Min || r.Outcome.Min <= 0 {
		t.Fatalf("min %v, best single %v", r.Outcome.Min, r.BestSingle.Min)
	}
	cut := map[[2]string]float64{} // state, category -> reduction
	for _, m := range r.Package.Measures {
		switch {
		case m.Type == indivisible.MeasureHoldings && m.Change < 0:
			cut[[2]string{m.Actor, m.Category}] -= m.Change
		case m.Type == indivisible.MeasureTransfer:
			cut[[2]string{m.From, m.Category}] += m.Quantity
		}
	}
	for _, l := range cs.Limits {
		cats := l.Categories
		if len(cats) == 0 {
			cats = sys.Components()
		}
		for _, c := range cats {
			if held, ok := sys.Holding(l.State, c); ok && cut[[2]string{l.State, c}] > l.MaxReduction*held*(1+1e-9) {
				t.Errorf("%s cuts %v of %v %s, more than %v", l.State, cut[[2]string{l.State, c}], held, c, l.MaxReduction)
			}
		}
	}
	delta := map[string]float64{}
	for _, p := range a.Participants {
		delta[p.Code] = p.Delta
	}
	if len(r.Certificate.Participants) == 0 {
		t.Fatalf("no binding state: %+v", r.Certificate)
	}
	for _, d := range r.Certificate.Participants {
		if math.Abs(delta[d.Code]-r.Outcome.Min) > 1e-3*math.Abs(r.Outcome.Min) {
			t.Errorf("%s binds but its change %v is not the minimum %v", d.Code, delta[d.Code], r.Outcome.Min)
		}
	}
	if a.Equality.Before.MinCode != "RUS" || delta["RUS"] <= 0 {
		t.Fatalf("Russia, the least secure state (%s), should gain: %v", a.Equality.Before.MinCode, delta["RUS"])
	}
	t.Logf("min %.3g (%v bind), Russia %+.3g, total %.3g, %d iterations, %d assessments",
		r.Outcome.Min, r.Certificate.Participants, delta["RUS"], r.Outcome.Total, r.Iterations, r.Evaluations)
}
