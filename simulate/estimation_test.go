package simulate

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
)

// ar1 is the covariance s_k s_l ρ^|k-l| of an AR(1) process, positive
// definite for |ρ| < 1.
func ar1(k int, rho float64, scale func(int) float64) [][]float64 {
	c := make([][]float64, k)
	for a := range c {
		c[a] = make([]float64, k)
		for b := range c[a] {
			c[a][b] = scale(a) * scale(b) * math.Pow(rho, math.Abs(float64(a-b)))
		}
	}
	return c
}

func syntheticCoefficients() *model.Coefficients {
	k := len(model.Features)
	c := &model.Coefficients{Features: slices.Clone(model.Features)}
	c.MID = model.Estimate{Outcome: model.OutcomeMID, Coef: make([]float64, k), Cov: ar1(k, 0.6, func(a int) float64 { return 0.1 * (1 + float64(a)/10) })}
	c.Force = model.Estimate{Outcome: model.OutcomeForce, Coef: make([]float64, k), Cov: ar1(k, -0.4, func(a int) float64 { return 0.05 + 0.01*float64(a%3) })}
	for a := range k {
		c.MID.Coef[a] = float64(a) - 8
		c.Force.Coef[a] = 0.5 * float64(a%5)
	}
	return c
}

// Coefficient draws are N(β̂, Σ): over many draws the sample mean and
// covariance of each outcome's coefficients match the estimate's within
// sampling error, and the two outcomes (separate fits) are uncorrelated.
func TestEstimationDrawMoments(t *testing.T) {
	c := syntheticCoefficients()
	est, err := newEstimation(c)
	if err != nil {
		t.Fatal(err)
	}
	const N = 20000
	k := len(model.Features)
	r := rand.New(rand.NewPCG(11, 12))
	draws := [2][][]float64{make([][]float64, N), make([][]float64, N)}
	for d := range N {
		x := est.draw(r)
		draws[0][d], draws[1][d] = x.MID.Coef, x.Force.Coef
	}
	if !slices.Equal(c.MID.Coef, syntheticCoefficients().MID.Coef) {
		t.Fatal("a draw wrote into the estimate")
	}
	mean := func(xs [][]float64, a int) float64 {
		s := 0.0
		for _, x := range xs {
			s += x[a]
		}
		return s / N
	}
	for o, e := range []*model.Estimate{&c.MID, &c.Force} {
		xs := draws[o]
		m := make([]float64, k)
		for a := range k {
			m[a] = mean(xs, a)
			// The sample mean's standard error is σ/√N.
			if se := math.Sqrt(e.Cov[a][a] / N); math.Abs(m[a]-e.Coef[a]) > 5*se {
				t.Errorf("%s: mean of coefficient %d is %v, want %v ± %v", e.Outcome, a, m[a], e.Coef[a], 5*se)
			}
		}
		for a := range k {
			for b := range k {
				s := 0.0
				for _, x := range xs {
					s += (x[a] - m[a]) * (x[b] - m[b])
				}
				s /= N - 1
				// For a normal sample, Var(s_ab) = (Σ_aa Σ_bb + Σ_ab²)/(N-1).
				se := math.Sqrt((e.Cov[a][a]*e.Cov[b][b] + e.Cov[a][b]*e.Cov[a][b]) / (N - 1))
				if math.Abs(s-e.Cov[a][b]) > 5*se {
					t.Errorf("%s: covariance (%d, %d) is %v, want %v ± %v", e.Outcome, a, b, s, e.Cov[a][b], 5*se)
				}
			}
		}
	}
	// Cross-covariance of the two outcomes: zero, within 5 standard errors
	// of √(Σ_aa Σ'_bb / N).
	for a := range k {
		ma, mb := mean(draws[0], a), mean(draws[1], a)
		s := 0.0
		for d := range N {
			s += (draws[0][d][a] - ma) * (draws[1][d][a] - mb)
		}
		s /= N - 1
		if se := math.Sqrt(c.MID.Cov[a][a] * c.Force.Cov[a][a] / N); math.Abs(s) > 5*se {
			t.Errorf("MID and force coefficient %d covary: %v (± %v)", a, s, 5*se)
		}
	}
}

func TestEstimationErrors(t *testing.T) {
	c := syntheticCoefficients()
	c.Force.Cov = nil
	if _, err := newEstimation(c); indivisible.ErrorCode(err) != indivisible.EINVALID {
		t.Fatalf("no covariance: %v", err)
	}
	c = syntheticCoefficients()
	c.MID.Cov[0][0] = -1
	if _, err := newEstimation(c); indivisible.ErrorCode(err) != indivisible.EINVALID {
		t.Fatalf("not positive definite: %v", err)
	}
}
