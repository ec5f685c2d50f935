package model_test

import (
	"math"
	"slices"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"pgregory.net/rapid"
)

// Re-parameterising a compiled system gives exactly what compiling the
// scenario under the new parameters gives, before and after any proposal,
// whether or not a workspace is reused.
func TestPropertyReparamEqualsCompile(t *testing.T) {
	ws := &model.Workspace{}
	rapid.Check(t, func(t *rapid.T) {
		s, p := genSystem(t)
		base := mustCompile(t, s, model.DefaultParams())
		p.Hostility = model.DefaultParams().Hostility
		p.Hostility[model.NoCommitment] = rapid.Float64Range(0, 1).Draw(t, "hnone")
		p.CBM = map[string]float64{"hotline": rapid.Float64Range(0, 1).Draw(t, "hotline"), "observers": 0.1, "inspection": 0.2}
		p.Weights = map[string]float64{indivisible.BattleTanks: rapid.Float64Range(0, 3).Draw(t, "wtanks")}
		p.Baseline = rapid.Float64Range(1e-9, 1e-3).Draw(t, "baseline")
		if rapid.Bool().Draw(t, "capweights") {
			p.SWeighting = model.SCapability
		}
		want := mustCompile(t, s, p)
		w := ws
		if rapid.Bool().Draw(t, "fresh") {
			w = nil
		}
		got, err := base.Reparam(p, w)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Before(), want.Before()) {
			t.Fatalf("before: reparam %v, compile %v", got.Before(), want.Before())
		}
		ms := []indivisible.Measure{genMeasure(t, s, "m0"), genMeasure(t, s, "m1")}
		wa, err1 := want.After(ms)
		ga, err2 := got.After(ms)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("errors differ: %v vs %v", err1, err2)
		}
		if !slices.Equal(wa, ga) {
			t.Fatalf("after: reparam %v, compile %v", ga, wa)
		}
	})
}

func TestReparamInvalid(t *testing.T) {
	sys := compile(t, scenario.Synthetic(5, 1), model.DefaultParams())
	p := model.DefaultParams()
	p.LambdaKm = -1
	if _, err := sys.Reparam(p, nil); indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != "lambda_km" {
		t.Fatalf("err = %v", err)
	}
	p = model.DefaultParams()
	p.Weights = map[string]float64{"nukes": 1}
	if _, err := sys.Reparam(p, nil); indivisible.ErrorField(err) != "weights.nukes" {
		t.Fatalf("err = %v", err)
	}
}

// BenchmarkReparamEurasia is the per-draw cost of the Monte Carlo fast
// path: new parameters, then one proposal.
func BenchmarkReparamEurasia(b *testing.B) {
	s, err := scenario.Eurasia()
	if err != nil {
		b.Fatal(err)
	}
	sys := compile(b, s, model.DefaultParams())
	ms := []indivisible.Measure{{Type: "holdings", Actor: "RUS", Category: "battle_tanks", Change: -200}, {Type: "cbm", Actors: []string{"RUS", "POL"}, Kind: "inspection"}}
	p := model.DefaultParams()
	ws := &model.Workspace{}
	b.ReportAllocs()
	for b.Loop() {
		p.LambdaKm += 1
		r, err := sys.Reparam(p, ws)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.After(ms); err != nil {
			b.Fatal(err)
		}
	}
}

// Changes agrees with After - Before, whether it takes the sparse path
// (holdings, deployments, transfers, CBMs) or the full one.
func TestPropertyChangesEqualsAfter(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s, p := genSystem(t)
		sys := mustCompile(t, s, p)
		ms := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) indivisible.Measure { return genMeasure(t, s, "m") }), 0, 4).Draw(t, "measures")
		after, err := sys.After(ms)
		got := make([]float64, len(sys.Codes()))
		err2 := sys.Changes(ms, got)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("errors differ: %v vs %v", err, err2)
		}
		if err != nil {
			t.Skip("invalid draw")
		}
		for i, b := range sys.Before() {
			if d := after[i] - b; math.Abs(got[i]-d) > 1e-12 {
				t.Fatalf("%s: Changes %v, After - Before %v", sys.Codes()[i], got[i], d)
			}
		}
	})
}
