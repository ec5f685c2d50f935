package model_test

import (
	"math"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ir"
	"github.com/indivisible-eurasia/indivisible/ir/irtest"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// kmPerDegree is the length of one degree of longitude on the equator,
// which is a geodesic of the WGS84 ellipsoid with radius a = 6378.137 km:
// a·π/180.
const kmPerDegree = 6378.137 * math.Pi / 180 // 111.31949079327357 km

// eps is the model's floor inside the capability logarithms (docs/model.md,
// section 2: "the floor 10⁻⁶").
const eps = 1e-6

func logistic(eta float64) float64 { return 1 / (1 + math.Exp(-eta)) }

// coef builds a coefficient vector over model.Features from the named
// values; every other coefficient is 0.
func coef(tb testing.TB, named map[string]float64) []float64 {
	tb.Helper()
	out := make([]float64, len(model.Features))
	for name, v := range named {
		k := slices.Index(model.Features, name)
		switch {
		case k >= 0:
			out[k] = v
		case slices.Contains(model.Candidates, name):
			// A candidate has no coefficient: the tests' expected
			// values, x·β over model.Features, leave it out too.
		default:
			tb.Fatalf("no feature or candidate %q", name)
		}
	}
	return out
}

// handCoefficients returns coefficients with the given MID and force
// vectors (no covariance), valid for the model.
func handCoefficients(tb testing.TB, mid, force map[string]float64) *model.Coefficients {
	tb.Helper()
	c := &model.Coefficients{Features: slices.Clone(model.Features)}
	c.MID = model.Estimate{Outcome: model.OutcomeMID, Coef: coef(tb, mid)}
	c.Force = model.Estimate{Outcome: model.OutcomeForce, Coef: coef(tb, force)}
	if err := c.Validate(); err != nil {
		tb.Fatal(err)
	}
	return c
}

// paramsWith returns the default parameters with coefficients c.
func paramsWith(c *model.Coefficients) model.Params {
	p := model.DefaultParams()
	p.Coefficients = c
	return p
}

func mustCompile(tb testing.TB, s *indivisible.Scenario, p model.Params) *model.System {
	tb.Helper()
	sys, err := model.Compile(s, p)
	if err != nil {
		tb.Fatalf("compile: %v", err)
	}
	return sys
}

func mustAfter(tb testing.TB, sys *model.System, ms ...indivisible.Measure) []float64 {
	tb.Helper()
	after, err := sys.After(ms)
	if err != nil {
		tb.Fatalf("after %v: %v", ms, err)
	}
	return after
}

// index returns the position of code in sys.Codes().
func index(tb testing.TB, sys *model.System, code string) int {
	tb.Helper()
	k := slices.Index(sys.Codes(), code)
	if k < 0 {
		tb.Fatalf("%s is not a state of the system", code)
	}
	return k
}

// close reports whether a and b agree to within tol, absolutely or
// relative to the larger.
func near(a, b, tol float64) bool {
	if a == b {
		return true
	}
	d := math.Abs(a - b)
	return d <= tol || d <= tol*math.Max(math.Abs(a), math.Abs(b))
}

func checkNear(tb testing.TB, what string, got, want, tol float64) {
	tb.Helper()
	if !near(got, want, tol) {
		tb.Errorf("%s = %.17g, want %.17g (diff %.3g)", what, got, want, got-want)
	}
}

func checkSlicesNear(tb testing.TB, what string, codes []string, got, want []float64, tol float64) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !near(got[i], want[i], tol) {
			tb.Errorf("%s[%s] = %.17g, want %.17g (diff %.3g)", what, codes[i], got[i], want[i], got[i]-want[i])
		}
	}
}

// tiny loads the four-state fixture of the scenario package.
func tiny(tb testing.TB) *indivisible.Scenario {
	tb.Helper()
	s, err := scenario.Load(os.DirFS("../scenario/testdata/tiny"))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func eurasia(tb testing.TB) *indivisible.Scenario {
	tb.Helper()
	s, err := scenario.Eurasia()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

var (
	eurasiaSysOnce sync.Once
	eurasiaSys     *model.System
	eurasiaSysErr  error
)

// eurasiaSystem compiles the embedded scenario with the shipped
// coefficients once for all tests (a System is immutable).
func eurasiaSystem(tb testing.TB) *model.System {
	tb.Helper()
	s := eurasia(tb)
	eurasiaSysOnce.Do(func() { eurasiaSys, eurasiaSysErr = model.Compile(s, model.DefaultParams()) })
	if eurasiaSysErr != nil {
		tb.Fatal(eurasiaSysErr)
	}
	return eurasiaSys
}

// sharedData is the shared data, read once (irtest skips without them and
// fails under CI=true).
func sharedData(tb testing.TB) *ir.Data { return irtest.Data(tb) }
