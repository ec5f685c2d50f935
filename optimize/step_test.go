package optimize

import (
	"fmt"
	"math"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// The LP of a real step (a synthetic scenario, cuts of every state's
// holdings, linearised at the empty package) solved by gonum and by
// GLPK from the MPS file must agree.
func TestLPStepAgainstGlpsol(t *testing.T) {
	needGlpsol(t)
	sys, err := model.Compile(scenario.Synthetic(25, 3), model.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	cs := &Candidates{}
	for k, code := range sys.Codes() {
		cat := sys.Components()[k%len(sys.Components())]
		if h, ok := sys.Holding(code, cat); ok && h >= 4 {
			cs.Candidates = append(cs.Candidates, Candidate{Name: fmt.Sprint(k), Measure: indivisible.Measure{Type: "holdings", Actor: code, Category: cat, Change: -h / 4}, Levels: [2]float64{0, 1}})
		}
	}
	pr, err := compile(sys, cs, Options{Tolerance: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	for _, level := range []float64{0, 0.5} {
		x0 := make([]float64, pr.K)
		for k := range x0 {
			x0[k] = level
		}
		x := pr.eval(x0)
		J := pr.jacobian(x)
		var cols []column
		for k := range pr.K {
			cols = append(cols, column{k, 1, 1 - level})
			if level > 0 {
				cols = append(cols, column{k, -1, level})
			}
		}
		rows := make([]int, pr.n)
		for i := range rows {
			rows[i] = i
		}
		p := pr.buildLP(x, J, cols, rows, min(-pr.tol, x.min), 0.3)
		roundMPS(p)
		s, err := p.Solve()
		if err != nil {
			t.Fatal(err)
		}
		want := glpsolObjective(t, p) // of the minimisation: -c'v
		if math.Abs(-s.Objective-want) > 1e-7*(1+math.Abs(want)) {
			t.Fatalf("level %v: gonum optimum %v, glpsol %v", level, -s.Objective, want)
		}
		t.Logf("level %v: %d rows x %d columns, optimum %v (glpsol %v)", level, len(p.H), len(p.C), -s.Objective, want)
	}
}
