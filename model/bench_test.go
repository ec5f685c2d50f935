package model_test

import (
	"context"
	"os"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// syntheticPackage is an eight-measure package like the README example:
// one of each measure type.
func syntheticPackage() []indivisible.Measure {
	return []indivisible.Measure{
		{Type: "holdings", Actor: "S0001", Category: "battle_tanks", Change: 250},
		{Type: "deploy", Actor: "S0002", Host: "S0003", Category: "personnel", Quantity: 100},
		{Type: "transfer", From: "S0004", To: "S0005", Category: "artillery", Quantity: 1},
		{Type: "join", Actor: "S0006", Organisation: "ORG0"},
		{Type: "leave", Actor: "S0007", Organisation: "ORG1"},
		{Type: "exercise", Actors: []string{"S0008", "S0009"}, Host: "S0009", Personnel: 12800, BattleTanks: 250},
		{Type: "cbm", Actors: []string{"S0010", "S0011"}, Kind: "observers"},
	}
}

// validPackage drops the measures a given synthetic draw cannot take (a
// join of a member, say), keeping the benchmark honest about what it runs.
func validPackage(b *testing.B, sys *model.System) []indivisible.Measure {
	var ms []indivisible.Measure
	for _, m := range syntheticPackage() {
		if _, err := sys.After(append(ms, m)); err == nil {
			ms = append(ms, m)
		}
	}
	if len(ms) < 5 {
		b.Fatalf("only %d measures apply", len(ms))
	}
	return ms
}

func benchmarkSynthetic(b *testing.B, n int) {
	sys, err := model.Compile(scenario.Synthetic(n, 1), model.DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	p := &indivisible.Proposal{Measures: validPackage(b, sys)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := sys.Assess(context.Background(), p, indivisible.DefaultTolerance); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(p.Measures)), "measures")
}

// BenchmarkAssessEurasia assesses the README's mixed package (one measure
// of every type) on the embedded scenario.
func BenchmarkAssessEurasia(b *testing.B) {
	s, err := scenario.Eurasia()
	if err != nil {
		b.Fatal(err)
	}
	sys, err := model.Compile(s, model.DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile("../examples/07-package.json")
	if err != nil {
		b.Fatal(err)
	}
	p, err := indivisible.ParseProposal(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sys.Assess(context.Background(), p, indivisible.DefaultTolerance); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAssessSynthetic200(b *testing.B)  { benchmarkSynthetic(b, 200) }
func BenchmarkAssessSynthetic1000(b *testing.B) { benchmarkSynthetic(b, 1000) }

// BenchmarkCompileSynthetic1000 measures the one-off cost of loading a
// scenario (distances, commitments, baseline security).
func BenchmarkCompileSynthetic1000(b *testing.B) {
	s := scenario.Synthetic(1000, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := model.Compile(s, model.DefaultParams()); err != nil {
			b.Fatal(err)
		}
	}
}
