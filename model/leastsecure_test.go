package model_test

import (
	"context"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// TestLeastSecureMoves checks, on the shipped Eurasia scenario, what the
// previous model could not do: the least secure state is not pinned. The
// least secure state before is the one whose risk is largest; CBMs
// between it and its largest threats (found from Explain, not named here)
// lower only its pairs' odds, so its risk must fall below the next least
// secure state's, which the CBMs do not touch.
func TestLeastSecureMoves(t *testing.T) {
	s, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	sys, err := model.Compile(s, model.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	codes, sec := sys.Codes(), sys.Before()
	worst, second := 0, -1
	for i := range sec {
		if sec[i] < sec[worst] {
			worst = i
		}
	}
	for i := range sec {
		if i != worst && (second < 0 || sec[i] < sec[second]) {
			second = i
		}
	}
	x, err := sys.Explain(codes[worst], 12)
	if err != nil {
		t.Fatal(err)
	}
	actors := []string{codes[worst]}
	for _, p := range x.Threats {
		if p.From != codes[second] {
			actors = append(actors, p.From)
		}
	}
	var ms []indivisible.Measure
	for _, kind := range []string{"inspection", "hotline", "risk_reduction", "observers"} {
		ms = append(ms, indivisible.Measure{Type: indivisible.MeasureCBM, Actors: actors, Kind: kind})
	}
	a, err := sys.Assess(context.Background(), &indivisible.Proposal{Title: "CBMs around the least secure", Measures: ms}, indivisible.DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	if a.Equality.Before.MinCode != codes[worst] {
		t.Fatalf("before: least secure %s, want %s", a.Equality.Before.MinCode, codes[worst])
	}
	if a.Equality.After.MinCode == codes[worst] {
		t.Fatalf("after CBMs among %v the least secure is still %s (%.4f, next %s %.4f)", actors, codes[worst], a.Equality.After.Min, codes[second], sec[second])
	}
	if a.Verdict != indivisible.Indivisible {
		t.Errorf("CBMs alone are %s: they must never raise anyone's risk", a.Verdict)
	}
}
