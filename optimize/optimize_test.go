package optimize_test

import (
	"context"
	"math"
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

// A hand-solved case. A and B may agree on observers (a CBM, which raises
// both, the weak B more); B may cut up to 80 of its 100 personnel, which
// lowers B and raises A. The max-min optimum adopts the CBM and cuts
// exactly until both gain equally: the root of Δ_A(x) = Δ_B(x), which
// bisection on the exact model finds independently.
func TestOptimizeTwoStatesByHand(t *testing.T) {
	sys := twoStates(t)
	cut := indivisible.Measure{Type: "holdings", Actor: "BBB", Category: "personnel", Change: -80}
	cbm := indivisible.Measure{Type: "cbm", Actors: []string{"AAA", "BBB"}, Kind: "observers"}
	gap := func(x float64) (float64, float64) {
		ms := []indivisible.Measure{cbm}
		if x > 0 {
			ms = append(ms, cut.Scaled(x))
		}
		after, err := sys.After(ms)
		if err != nil {
			t.Fatal(err)
		}
		dA, dB := after[0]-sys.Before()[0], after[1]-sys.Before()[1]
		return dB - dA, min(dA, dB)
	}
	if g, _ := gap(0); g <= 0 {
		t.Fatalf("the case needs B to gain more from the CBM alone: gap %v", g)
	}
	if g, _ := gap(1); g >= 0 {
		t.Fatalf("the case needs the full cut to overshoot: gap %v", g)
	}
	lo, hi := 0.0, 1.0
	for range 100 {
		mid := (lo + hi) / 2
		if g, _ := gap(mid); g > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	_, best := gap(lo)

	cs := &optimize.Candidates{Title: "two", Candidates: []optimize.Candidate{
		{Name: "cut", Measure: cut, Levels: [2]float64{0, 1}},
		{Name: "observers", Measure: cbm, Levels: [2]float64{0, 1}},
	}}
	r, err := optimize.Optimize(context.Background(), sys, cs, optimize.Options{Tolerance: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	if r.Levels[1].Level != 1 || math.Abs(r.Levels[0].Level-lo) > 1e-3 {
		t.Fatalf("levels %+v, want cut %v and observers 1", r.Levels, lo)
	}
	if math.Abs(r.Outcome.Min-best) > 1e-9 || r.Outcome.Min < r.BestSingle.Min {
		t.Fatalf("min %v, want %v (best single %v)", r.Outcome.Min, best, r.BestSingle.Min)
	}
	// Both states bind the optimum.
	if len(r.Certificate.Participants) != 2 || !r.Certificate.Optimal {
		t.Fatalf("certificate %+v", r.Certificate)
	}
	if r.Assessment.Verdict != indivisible.Indivisible {
		t.Fatalf("assessment %+v", r.Assessment)
	}
}

// A limit binds: A may cut at most 10% of its personnel, so the cut stops
// at level 0.15 (30 of 300, out of a candidate of 200).
func TestOptimizeLimitBinds(t *testing.T) {
	sys := twoStates(t)
	cs := &optimize.Candidates{Candidates: []optimize.Candidate{
		{Name: "cut", Measure: indivisible.Measure{Type: "holdings", Actor: "AAA", Category: "personnel", Change: -200}, Levels: [2]float64{0, 1}},
	}, Limits: []optimize.Limit{{State: "AAA", MaxReduction: 0.1}}}
	// Cutting alone lowers A: allow it with a large tolerance so that
	// the max-min (B gains, A loses) wants the cut until the limit.
	r, err := optimize.Optimize(context.Background(), sys, cs, optimize.Options{Tolerance: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Levels[0].Level > 0.15+1e-9 {
		t.Fatalf("level %v breaks the limit", r.Levels[0].Level)
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
