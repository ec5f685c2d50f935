package simulate_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"github.com/indivisible-eurasia/indivisible/simulate"
	"pgregory.net/rapid"
)

func synthetic(t testing.TB, n int) *model.System {
	t.Helper()
	sys, err := model.Compile(scenario.Synthetic(n, 7), model.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

var buildUp = &indivisible.Proposal{Title: "build-up", Measures: []indivisible.Measure{
	{Type: "holdings", Actor: "S0001", Category: "battle_tanks", Change: 400},
	{Type: "cbm", Actors: []string{"S0002", "S0003"}, Kind: "inspection"},
}}

func TestSpearman(t *testing.T) {
	for _, c := range []struct {
		x, y []float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}, 1},
		{[]float64{1, 2, 3, 4}, []float64{1, 4, 9, 16}, 1}, // monotone, not linear
		{[]float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},
		{[]float64{1, 2, 3}, []float64{5, 5, 5}, 0},
		// Ties take mean ranks: x ranks 1,2,3,4; y ranks 1.5,1.5,3.5,3.5.
		{[]float64{1, 2, 3, 4}, []float64{0, 0, 1, 1}, 0.8944271909999159},
	} {
		if got := simulate.Spearman(c.x, c.y); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Spearman(%v, %v) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
}

// With the coefficients at their estimates and point distributions,
// every draw is the deterministic assessment: Changes recomputes only the
// pairs the proposal moves, with the same arithmetic as After, so the
// changes agree bit for bit. The proposals cover every kind of pair that
// moves: capabilities, a deployment term, CBM and exercise odds factors,
// and commitments.
func TestPointDistributionsEqualAssess(t *testing.T) {
	sys := synthetic(t, 20)
	codes := sys.Codes()
	for name, p := range map[string]*indivisible.Proposal{
		"build-up": buildUp,
		"deployment and exercise": {Measures: []indivisible.Measure{
			{Type: "deploy", Actor: codes[4], Host: codes[7], Category: "personnel", Quantity: 500},
			{Type: "exercise", Actors: []string{codes[1], codes[2]}, Host: codes[2], Personnel: 3000, Notified: true}}},
	} {
		spec := &simulate.Spec{Params: model.DefaultParams(), Distributions: map[string]simulate.Dist{
			"exercise_range_km": {Kind: simulate.Point, Value: 500}, "cbm.inspection": {Kind: simulate.Point, Value: 0.15}}}
		r, err := simulate.Run(context.Background(), sys, spec, p, simulate.Options{Draws: 10, Seed: 1, Tolerance: 1e-4})
		if err != nil {
			t.Fatal(err)
		}
		a, err := sys.Assess(context.Background(), p, 1e-4)
		if err != nil {
			t.Fatal(err)
		}
		moved := false
		for i, pa := range a.Participants {
			s := r.Participants[i]
			// The mean of ten equal values may differ from them by
			// rounding; the quantiles are draws themselves.
			if s.Code != pa.Code || s.P05 != pa.Delta || s.P95 != pa.Delta || math.Abs(s.Mean-pa.Delta) > 1e-18 {
				t.Fatalf("%s, %s: stats %+v, assessment delta %v", name, pa.Code, s, pa.Delta)
			}
			moved = moved || pa.Delta != 0
		}
		if !moved {
			t.Fatalf("%s: the proposal moves nothing", name)
		}
		want := 0.0
		if a.Verdict == indivisible.Divisible {
			want = 1
		}
		if r.PDivisible != want {
			t.Fatalf("%s: P(divisible) = %v, verdict %s", name, r.PDivisible, a.Verdict)
		}
		if len(r.Sensitivity) != 2 {
			t.Fatalf("%s: without estimation only the distributions' parameters are reported: %+v", name, r.Sensitivity)
		}
	}
}

// The result depends on the seed only, never on the number of workers.
func TestPropertyDeterministicAcrossWorkers(t *testing.T) {
	sys := synthetic(t, 15)
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		draws := rapid.IntRange(1, 300).Draw(t, "draws")
		w1 := rapid.IntRange(1, 8).Draw(t, "w1")
		w2 := rapid.IntRange(1, 8).Draw(t, "w2")
		run := func(w int) *simulate.Result {
			r, err := simulate.Run(context.Background(), sys, simulate.DefaultSpec(), buildUp, simulate.Options{Draws: draws, Seed: seed, Workers: w, Tolerance: 1e-4})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		if d := cmp.Diff(run(w1), run(w2)); d != "" {
			t.Fatalf("workers %d vs %d:\n%s", w1, w2, d)
		}
	})
}

// Statistics are consistent: the interval holds the mean's neighbourhood,
// probabilities are probabilities, correlations lie in [-1, 1].
func TestStatisticsConsistent(t *testing.T) {
	sys := synthetic(t, 25)
	r, err := simulate.Run(context.Background(), sys, simulate.DefaultSpec(), buildUp, simulate.Options{Draws: 500, Seed: 3, Tolerance: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	if r.Draws != 500 || r.Partial {
		t.Fatalf("draws %d partial %v", r.Draws, r.Partial)
	}
	for _, p := range append(slices.Clone(r.Participants), r.MinDelta) {
		if p.P05 > p.P95 || p.Mean < p.P05-0.5 || p.PLoss < 0 || p.PLoss > 1 {
			t.Fatalf("%+v", p)
		}
	}
	// Every distribution's parameter and every drawn coefficient.
	if len(r.Sensitivity) != len(simulate.DefaultSpec().Distributions)+len(model.Features) {
		t.Fatalf("sensitivity %v", r.Sensitivity)
	}
	for _, s := range r.Sensitivity {
		if math.Abs(s.Verdict) > 1 || math.Abs(s.MinDelta) > 1 {
			t.Fatalf("%+v", s)
		}
	}
	// The build-up raises S0001's capability, and capable states are
	// targeted more (ln_cap_to > 0): S0001's own security falls, by more
	// the larger that coefficient. Its loss is the smallest change, so the
	// coefficient must be strongly and negatively correlated with it.
	found := false
	for _, s := range r.Sensitivity {
		if s.Parameter == "coef.ln_cap_to" {
			found = true
			if s.MinDelta > -0.5 {
				t.Fatalf("ln_cap_to should drive the smallest change down: %+v", s)
			}
		}
	}
	if !found {
		t.Fatalf("no sensitivity for coef.ln_cap_to: %+v", r.Sensitivity)
	}
	for _, p := range r.Participants {
		if p.Code == "S0001" && p.Mean != r.MinDelta.Mean {
			t.Fatalf("S0001 should bear the smallest change in every draw: %+v, min %+v", p, r.MinDelta)
		}
	}
}

// A cancelled run reports the draws it finished, as a shorter run would.
// With one worker the finished draws are exactly a prefix; with several,
// a draw still running when the context ends cuts the prefix short.
func TestCancelledRunIsPartial(t *testing.T) {
	sys := synthetic(t, 15)
	for _, workers := range []int{1, 3} {
		ctx, cancel := context.WithCancel(context.Background())
		opts := simulate.Options{Draws: 100000, Seed: 5, Workers: workers, Tolerance: 1e-4,
			Progress: func(done int) {
				if done >= 1000 {
					cancel()
				}
			}}
		r, err := simulate.Run(ctx, sys, simulate.DefaultSpec(), buildUp, opts)
		cancel()
		if workers > 1 && errors.Is(err, context.Canceled) {
			continue // cancelled before draw 0 finished: nothing to report
		}
		if err != nil {
			t.Fatal(err)
		}
		if !r.Partial || r.Draws >= 100000 || workers == 1 && r.Draws < 1000 {
			t.Fatalf("%d workers: partial %v after %d draws", workers, r.Partial, r.Draws)
		}
		short, err := simulate.Run(context.Background(), sys, simulate.DefaultSpec(), buildUp, simulate.Options{Draws: r.Draws, Seed: 5, Tolerance: 1e-4})
		if err != nil {
			t.Fatal(err)
		}
		short.Partial, short.Requested = true, 100000
		if d := cmp.Diff(short, r); d != "" {
			t.Fatalf("partial result differs from a run of %d draws:\n%s", r.Draws, d)
		}
	}
}

func TestRunErrors(t *testing.T) {
	sys := synthetic(t, 10)
	good := simulate.Options{Draws: 10}
	for name, c := range map[string]struct {
		spec  *simulate.Spec
		p     *indivisible.Proposal
		opts  simulate.Options
		field string
	}{
		"no draws":      {simulate.DefaultSpec(), buildUp, simulate.Options{}, "draws"},
		"bad workers":   {simulate.DefaultSpec(), buildUp, simulate.Options{Draws: 1, Workers: -1}, "workers"},
		"unknown comp":  {&simulate.Spec{Params: model.DefaultParams(), Distributions: map[string]simulate.Dist{"weights.nukes": {Kind: simulate.Point, Value: 1}}}, buildUp, good, "distributions.weights.nukes"},
		"unknown dyad":  {&simulate.Spec{Params: model.DefaultParams(), Distributions: map[string]simulate.Dist{"dyads.S0001-XXX": {Kind: simulate.Point, Value: 1}}}, buildUp, good, "distributions.dyads[0]"},
		"bad proposal":  {simulate.DefaultSpec(), &indivisible.Proposal{Measures: []indivisible.Measure{{Type: "holdings", Actor: "ZZZ", Category: "battle_tanks", Change: 1}}}, good, "measures[0].actor"},
		"out of domain": {&simulate.Spec{Params: model.DefaultParams(), Distributions: map[string]simulate.Dist{"cbm.hotline": {Kind: simulate.Uniform, Min: 0.5, Max: 1.5}}}, buildUp, good, "distributions.cbm.hotline"},
	} {
		_, err := simulate.Run(context.Background(), sys, c.spec, c.p, c.opts)
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != c.field {
			t.Errorf("%s: err = %v (field %q), want EINVALID at %q", name, err, indivisible.ErrorField(err), c.field)
		}
	}
}

// BenchmarkSimulateEurasia runs the Monte Carlo on the README's mutual
// restraint package, with the default uncertainty; draws/s is the figure
// docs/benchmarks.md records.
func BenchmarkSimulateEurasia(b *testing.B) {
	s, err := scenario.Eurasia()
	if err != nil {
		b.Fatal(err)
	}
	sys, err := model.Compile(s, model.DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	p := &indivisible.Proposal{Measures: []indivisible.Measure{
		{Type: "holdings", Actor: "RUS", Category: "battle_tanks", Change: -200},
		{Type: "holdings", Actor: "POL", Category: "battle_tanks", Change: -100},
		{Type: "holdings", Actor: "FIN", Category: "battle_tanks", Change: -50},
		{Type: "cbm", Actors: []string{"RUS", "BLR", "POL", "LTU", "LVA", "EST", "FIN"}, Kind: "inspection"},
	}}
	const draws = 20000
	b.ReportAllocs()
	for b.Loop() {
		if _, err := simulate.Run(context.Background(), sys, simulate.DefaultSpec(), p, simulate.Options{Draws: draws, Seed: 1, Tolerance: 1e-4}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(draws*b.N)/b.Elapsed().Seconds(), "draws/s")
}

// Every kind of parameter path reaches the model: with the coefficients
// held at their estimates and that one parameter drawn, the changes of a
// proposal it bears on vary between draws, and (for the parameters of
// measures) those of a proposal it does not bear on do not. Weights and
// dyad factors move the baseline itself, hence every change.
func TestEveryPathMovesItsMeasure(t *testing.T) {
	sys := synthetic(t, 12)
	c := sys.Codes()
	exercise := func(notified, observers bool) indivisible.Measure {
		return indivisible.Measure{Type: "exercise", Actors: []string{c[1]}, Host: c[1], Personnel: 2000, Notified: notified, Observers: observers}
	}
	hotline := indivisible.Measure{Type: "cbm", Actors: []string{c[2], c[3]}, Kind: "hotline"}
	tanks := indivisible.Measure{Type: "holdings", Actor: c[4], Category: "battle_tanks", Change: 100}
	for path, bears := range map[string]indivisible.Measure{
		"exercise_intensity":         exercise(false, false),
		"exercise_range_km":          exercise(false, false),
		"notified_discount":          exercise(true, false),
		"observer_discount":          exercise(false, true),
		"cbm.hotline":                hotline,
		"weights.personnel":          tanks, // the index is a weighted mean: another weight moves every share
		"dyads." + c[2] + "-" + c[3]: hotline,
	} {
		spread := func(m indivisible.Measure) bool {
			spec := &simulate.Spec{Params: model.DefaultParams(), Distributions: map[string]simulate.Dist{path: {Kind: simulate.Uniform, Min: 0.2, Max: 0.8}}}
			if path == "exercise_range_km" {
				spec.Distributions[path] = simulate.Dist{Kind: simulate.Uniform, Min: 200, Max: 2000}
			}
			r, err := simulate.Run(context.Background(), sys, spec, &indivisible.Proposal{Measures: []indivisible.Measure{m}}, simulate.Options{Draws: 20, Seed: 2, Tolerance: 1e-4})
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, p := range r.Participants {
				if p.P05 != p.P95 {
					return true
				}
			}
			return false
		}
		if !spread(bears) {
			t.Errorf("%s does not move %s", path, bears.Type)
		}
		unrelated := exercise(false, false)
		if bears.Type == indivisible.MeasureExercise {
			unrelated = hotline
		}
		if !strings.HasPrefix(path, "weights.") && !strings.HasPrefix(path, "dyads.") && spread(unrelated) {
			t.Errorf("%s moves %s, which it does not bear on", path, unrelated.Type)
		}
	}
}
