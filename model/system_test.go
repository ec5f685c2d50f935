package model_test

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
)

// TestExplainEurasia: Explain's figures are Before's and Hazard's, its
// rank counts the states more secure, and its threats are the largest
// hazards against the state, largest first.
func TestExplainEurasia(t *testing.T) {
	sys := eurasiaSystem(t)
	codes, sec := sys.Codes(), sys.Before()
	for _, code := range []string{"POL", "ARM", "CHN", "LIE"} {
		i := index(t, sys, code)
		e, err := sys.Explain(code, 10)
		if err != nil {
			t.Fatal(err)
		}
		rank := 1
		for _, v := range sec {
			if v > sec[i] {
				rank++
			}
		}
		if e.Security != sec[i] || e.Risk != 1-sec[i] || e.ForceSecurity != sys.ForceBefore()[i] || e.Rank != rank || e.Of != len(codes) {
			t.Errorf("%s: %+v; want security %v, rank %d of %d", code, e, sec[i], rank, len(codes))
		}
		var hz []float64
		for j := range codes {
			if j != i {
				hz = append(hz, sys.Hazard(model.OutcomeMID, j, i))
			}
		}
		slices.Sort(hz)
		slices.Reverse(hz)
		if len(e.Threats) != 10 {
			t.Fatalf("%s: %d threats, want 10", code, len(e.Threats))
		}
		for k, th := range e.Threats {
			j := index(t, sys, th.From)
			if th.To != code || th.P != sys.Hazard(model.OutcomeMID, j, i) || th.PForce != sys.Hazard(model.OutcomeForce, j, i) || th.P != hz[k] {
				t.Errorf("%s threat %d: %s→%s p %v, want the %d-th largest hazard %v", code, k, th.From, th.To, th.P, k+1, hz[k])
			}
			// The terms and the deployment term make the hazard.
			sum := th.Deployments
			for _, c := range th.Contributions {
				sum += c.Term
			}
			if o := th.Odds * math.Exp(sum); !near(o/(1+o), th.P, 1e-12) {
				t.Errorf("%s→%s: terms give %v, P %v", th.From, th.To, o/(1+o), th.P)
			}
		}
	}
	// Pairs lists every ordered pair once, by From then To.
	pairs := sys.Pairs()
	n := len(codes)
	if len(pairs) != n*(n-1) {
		t.Fatalf("%d pairs, want %d", len(pairs), n*(n-1))
	}
	k := 0
	for j := range n {
		for i := range n {
			if i == j {
				continue
			}
			if p := pairs[k]; p.From != codes[j] || p.To != codes[i] || p.P != sys.Hazard(model.OutcomeMID, j, i) {
				t.Fatalf("pair %d = %s→%s %v, want %s→%s %v", k, p.From, p.To, p.P, codes[j], codes[i], sys.Hazard(model.OutcomeMID, j, i))
			}
			k++
		}
	}
}

// TestConcurrentUse: a System (and a Prepared proposal) is safe for
// concurrent use, including the first use of the lazily computed
// use-of-force baseline; every goroutine sees what a sequential caller
// sees. Run under -race to find data races.
func TestConcurrentUse(t *testing.T) {
	s := tiny(t)
	p := &indivisible.Proposal{Measures: []indivisible.Measure{
		{Type: "holdings", Actor: "AAA", Category: "battle_tanks", Change: 50},
		{Type: "deploy", Actor: "CCC", Host: "DDD", Category: "personnel", Quantity: 1000},
		{Type: "cbm", Actors: []string{"AAA", "DDD"}, Kind: "hotline"},
		{Type: "exercise", Actors: []string{"BBB"}, Host: "BBB", Personnel: 1000},
	}}
	ref := mustCompile(t, s, model.DefaultParams())
	want, err := ref.Assess(context.Background(), p, 0)
	if err != nil {
		t.Fatal(err)
	}
	sys := mustCompile(t, s, model.DefaultParams())
	pr, err := sys.Prepare(p.Measures)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Go(func() {
			a, err := sys.Assess(context.Background(), p, 0)
			if err != nil {
				errs <- err.Error()
				return
			}
			for i, r := range a.Participants {
				if r != want.Participants[i] {
					errs <- r.Code + ": concurrent assessment differs"
				}
			}
			out := make([]float64, len(sys.Codes()))
			if err := sys.Changes(pr, out); err != nil {
				errs <- err.Error()
			}
			for i, d := range out {
				if math.Abs(d-want.Participants[i].Delta) > 1e-12 {
					errs <- "concurrent prepared change differs"
				}
			}
			if _, err := sys.Explain(sys.Codes()[g%len(sys.Codes())], 3); err != nil {
				errs <- err.Error()
			}
			_ = sys.ForceBefore()
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestReparamLeavesBase: re-parameterising into a workspace changes
// neither the base system nor a proposal prepared on it, and the result
// of the previous Reparam into the same workspace is the only one
// overwritten.
func TestReparamLeavesBase(t *testing.T) {
	sys := mustCompile(t, tiny(t), model.DefaultParams())
	ms := []indivisible.Measure{{Type: "holdings", Actor: "CCC", Category: "personnel", Change: 5000}, {Type: "cbm", Actors: []string{"AAA", "CCC"}, Kind: "inspection"}}
	before := slices.Clone(sys.Before())
	after := mustAfter(t, sys, ms...)
	pr, err := sys.Prepare(ms)
	if err != nil {
		t.Fatal(err)
	}
	ws := &model.Workspace{}
	for k := range 3 {
		p := model.DefaultParams()
		p.Coefficients = model.DefaultCoefficients().Clone()
		p.Coefficients.MID.Coef[0] += 0.5 * float64(k+1)
		p.CBM["inspection"] = 0.5
		p.Weights = map[string]float64{"battle_tanks": float64(k)}
		r, err := sys.Reparam(p, ws)
		if err != nil {
			t.Fatal(err)
		}
		fresh := mustCompile(t, tiny(t), p)
		checkSlicesNear(t, "reparam before", r.Codes(), r.Before(), fresh.Before(), 1e-12)
		if r.Params().CBM["inspection"] != 0.5 {
			t.Errorf("Params of the reparam'd system: %+v", r.Params())
		}
	}
	if !slices.Equal(sys.Before(), before) {
		t.Errorf("Reparam changed the base system's Before: %v → %v", before, sys.Before())
	}
	if got := mustAfter(t, sys, ms...); !slices.Equal(got, after) {
		t.Errorf("Reparam changed the base system's After: %v → %v", after, got)
	}
	out := make([]float64, len(before))
	if err := sys.Changes(pr, out); err != nil {
		t.Fatal(err)
	}
	for i := range out {
		checkNear(t, "prepared change on the base", out[i], after[i]-before[i], 1e-12)
	}
}

// TestExerciseShareWithUnreportedComponent: docs/model.md, section 5, has
// an exercise's factor grow with F/M_A, the exercised forces as a share of
// the actors' own holdings index, at most 1. BBB reports personnel only
// (tanks missing), so its index is its personnel share, 100/400 = 0.25;
// exercising all its 100 personnel is the whole of it, share 1, and
// raises its odds against AAA by κ e^(-d/R).
func TestExerciseShareWithUnreportedComponent(t *testing.T) {
	s := &indivisible.Scenario{
		Name: "missing", Year: 2025,
		Components:   []indivisible.Component{{Name: "personnel", Weight: 1}, {Name: "battle_tanks", Weight: 1}},
		Participants: []indivisible.Participant{state("AAA", 0), state("BBB", 5)},
		Holdings: []indivisible.Holding{holding("AAA", "personnel", 300), holding("AAA", "battle_tanks", 100),
			holding("BBB", "personnel", 100), {State: "BBB", Component: "battle_tanks", Missing: true}},
	}
	c := handCoefficients(t, capMID, capMID)
	sys := mustCompile(t, s, paramsWith(c))
	// M_A = (300/400 + 100/100)/2 = 0.875; M_B = 100/400 = 0.25.
	caps := map[string]float64{"AAA": 0.875, "BBB": 0.25}
	h := handModel{codes: []string{"AAA", "BBB"}, beta: capMID, x: func(j, i string) feats {
		x := defaults()
		x["ln_cap_from"], x["ln_cap_to"], x["ln_dist"] = lnCap(caps[j]), lnCap(caps[i]), lnDist(5)
		return x
	}}
	checkSlicesNear(t, "Before", sys.Codes(), sys.Before(), h.security(), tol)
	h.odds = map[string]float64{"BBBAAA": 1 + 0.5*1*math.Exp(-5*kmPerDegree/500)}
	after := mustAfter(t, sys, indivisible.Measure{Type: "exercise", Actors: []string{"BBB"}, Host: "BBB", Personnel: 100})
	if !near(after[0], h.security()[0], tol) {
		t.Errorf("AAA's security after BBB exercises all its forces = %v, want %v", after[0], h.security()[0])
	}
}
