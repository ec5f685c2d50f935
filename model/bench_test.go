package model_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
)

func readProposal(tb testing.TB, path string) *indivisible.Proposal {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := indivisible.ParseProposal(raw)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return p
}

// BenchmarkAssess assesses every example proposal on the Eurasia
// scenario.
func BenchmarkAssess(b *testing.B) {
	sys := eurasiaSystem(b)
	files, err := filepath.Glob("../examples/0*.json")
	if err != nil || len(files) == 0 {
		b.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		p := readProposal(b, f)
		b.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sys.Assess(context.Background(), p, indivisible.DefaultTolerance); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(p.Measures)), "measures")
		})
	}
}

// BenchmarkCompile is the one-off cost of loading the Eurasia scenario:
// distances, commitments, features and the baseline.
func BenchmarkCompile(b *testing.B) {
	s := eurasia(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := model.Compile(s, model.DefaultParams()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReparam is a Monte Carlo draw's cost of new parameters and
// coefficients on Eurasia, in a reused workspace.
func BenchmarkReparam(b *testing.B) {
	sys := eurasiaSystem(b)
	p := model.DefaultParams()
	p.Coefficients = model.DefaultCoefficients().Clone()
	ws := &model.Workspace{}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		k++
		p.Coefficients.MID.Coef[0] = model.DefaultCoefficients().MID.Coef[0] + float64(k%7)*1e-3
		p.CBM["inspection"] = 0.1 + float64(k%5)*0.01
		if _, err := sys.Reparam(p, ws); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChanges is the prepared path of the Monte Carlo for
// examples/08-mutual-restraint.json: Changes on the compiled system, and
// after a draw of coefficients.
func BenchmarkChanges(b *testing.B) {
	sys := eurasiaSystem(b)
	prop := readProposal(b, "../examples/08-mutual-restraint.json")
	pr, err := sys.Prepare(prop.Measures)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]float64, len(sys.Codes()))
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := sys.Changes(pr, out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("draw", func(b *testing.B) {
		p := model.DefaultParams()
		p.Coefficients = model.DefaultCoefficients().Clone()
		p.Coefficients.MID.Coef[1] += 0.01
		draw, err := sys.Reparam(p, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := draw.Changes(pr, out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
