// Package bench holds the benchmarks that docs/benchmarks.md records for
// the model on the embedded scenario and the examples, and the NumPy
// reference (reference_simulate.py).
package bench_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

func eurasia(tb testing.TB) *model.System {
	tb.Helper()
	s, err := scenario.Eurasia()
	if err != nil {
		tb.Fatal(err)
	}
	sys, err := model.Compile(s, model.DefaultParams())
	if err != nil {
		tb.Fatal(err)
	}
	return sys
}

// examples returns the README's example proposals, by file name without
// the extension.
func examples(tb testing.TB) ([]string, map[string]*indivisible.Proposal) {
	tb.Helper()
	files, err := filepath.Glob("../examples/0*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no examples: %v", err)
	}
	var names []string
	out := map[string]*indivisible.Proposal{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		p, err := indivisible.ParseProposal(b)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		names = append(names, name)
		out[name] = p
	}
	return names, out
}

// cpuTime is the CPU time the process has used, user and system: on a
// machine shared with other jobs it is steadier than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkAssessEurasia is one assessment (both outcomes and the
// report) of each example on the embedded scenario.
func BenchmarkAssessEurasia(b *testing.B) {
	sys := eurasia(b)
	names, ps := examples(b)
	sys.ForceBefore() // the force baseline is computed once, on first use
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if _, err := sys.Assess(context.Background(), ps[name], indivisible.DefaultTolerance); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkAfterEurasia is every state's security after each example
// (the MID outcome only), as the optimiser asks for it.
func BenchmarkAfterEurasia(b *testing.B) {
	sys := eurasia(b)
	names, ps := examples(b)
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if _, err := sys.After(ps[name].Measures); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkDrawEurasia is one Monte Carlo draw's model work on the mutual
// restraint example: Reparam under drawn coefficients and CBM factor,
// then Changes.
func BenchmarkDrawEurasia(b *testing.B) {
	sys := eurasia(b)
	_, ps := examples(b)
	pr, err := sys.Prepare(ps["08-mutual-restraint"].Measures)
	if err != nil {
		b.Fatal(err)
	}
	c := sys.Coefficients()
	r := rand.New(rand.NewPCG(1, 2))
	const pool = 64
	var params [pool]model.Params
	for k := range params {
		p := model.DefaultParams()
		d := c.Clone()
		for f := range d.MID.Coef {
			d.MID.Coef[f] += 0.01 * r.NormFloat64()
			d.Force.Coef[f] += 0.01 * r.NormFloat64()
		}
		p.Coefficients = d
		p.CBM["inspection"] = 0.05 + 0.2*r.Float64()
		params[k] = p
	}
	ws := &model.Workspace{}
	out := make([]float64, len(sys.Codes()))
	b.ReportAllocs()
	k := 0
	start := cpuTime()
	for b.Loop() {
		rs, err := sys.Reparam(params[k%pool], ws)
		if err != nil {
			b.Fatal(err)
		}
		if err := rs.Changes(pr, out); err != nil {
			b.Fatal(err)
		}
		k++
	}
	reportCPU(b, start)
}
