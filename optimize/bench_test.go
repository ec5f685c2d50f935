package optimize_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/optimize"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// eurasiaCandidates returns n candidates on the Eurasia scenario: cuts of
// up to a quarter of a state's holding in one category, and observer CBMs
// between pairs of states, in a fixed order.
func eurasiaCandidates(tb testing.TB, sys *model.System, n int) *optimize.Candidates {
	tb.Helper()
	cs := &optimize.Candidates{Title: fmt.Sprintf("%d candidates", n)}
	codes := sys.Codes()
	for _, code := range codes {
		for _, cat := range sys.Components() {
			if h, ok := sys.Holding(code, cat); ok && h >= 4 && len(cs.Candidates) < n*4/5 {
				cs.Candidates = append(cs.Candidates, optimize.Candidate{Name: code + " cuts " + cat,
					Measure: indivisible.Measure{Type: "holdings", Actor: code, Category: cat, Change: -float64(int(h / 4))}, Levels: [2]float64{0, 1}})
			}
		}
	}
	for a := 0; len(cs.Candidates) < n; a = (a + 7) % len(codes) {
		b := (a*31 + len(cs.Candidates)) % len(codes)
		if a == b {
			b = (b + 1) % len(codes)
		}
		cs.Candidates = append(cs.Candidates, optimize.Candidate{Name: codes[a] + "-" + codes[b] + " observers",
			Measure: indivisible.Measure{Type: "cbm", Actors: []string{codes[a], codes[b]}, Kind: "observers"}, Levels: [2]float64{0, 1}})
	}
	return cs
}

func BenchmarkOptimizeEurasia1000(b *testing.B) {
	s, err := scenario.Eurasia()
	if err != nil {
		b.Fatal(err)
	}
	sys, err := model.Compile(s, model.DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	cs := eurasiaCandidates(b, sys, 1000)
	b.ReportAllocs()
	var r *optimize.Result
	for b.Loop() {
		if r, err = optimize.Optimize(context.Background(), sys, cs, optimize.Options{Tolerance: indivisible.DefaultTolerance}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r.Iterations), "iterations")
	b.ReportMetric(float64(r.Evaluations), "assessments")
	b.ReportMetric(r.Improvement.OverBestSingle, "gain-over-single")
}
