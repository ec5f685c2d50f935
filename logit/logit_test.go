package logit

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"pgregory.net/rapid"
)

// synth draws n rows of a k-column design (intercept, then a mix of normal,
// correlated and binary regressors) and outcomes from a logit with
// coefficients beta, so that the fits below have a known neighbourhood.
func synth(r *rand.Rand, n, k int, beta []float64) ([]float64, []bool) {
	X := make([]float64, n*k)
	y := make([]bool, n)
	for i := range n {
		row := X[i*k : i*k+k]
		row[0] = 1
		for j := 1; j < k; j++ {
			switch j % 3 {
			case 0: // binary, like contiguity or alliance
				if r.Float64() < 0.3 {
					row[j] = 1
				}
			case 1:
				row[j] = r.NormFloat64()
			case 2: // correlated with its predecessor
				row[j] = 0.6*row[j-1] + 0.8*r.NormFloat64()
			}
		}
		eta := 0.0
		for j, b := range beta {
			eta += row[j] * b
		}
		y[i] = r.Float64() < 1/(1+math.Exp(-eta))
	}
	return X, y
}

// naiveLogLik is the textbook formula, which is fine for the moderate linear
// predictors of the reference data sets.
func naiveLogLik(X []float64, k int, y []bool, beta []float64, ridge float64) float64 {
	ll := 0.0
	for i := range y {
		eta := 0.0
		for j := range k {
			eta += X[i*k+j] * beta[j]
		}
		p := 1 / (1 + math.Exp(-eta))
		if y[i] {
			ll += math.Log(p)
		} else {
			ll += math.Log(1 - p)
		}
	}
	for _, b := range beta[1:] {
		ll -= ridge / 2 * b * b
	}
	return ll
}

// numGrad is the central-difference gradient of f.
func numGrad(f func([]float64) float64, b []float64, h float64) []float64 {
	g := make([]float64, len(b))
	x := append([]float64(nil), b...)
	for j := range b {
		x[j] = b[j] + h
		up := f(x)
		x[j] = b[j] - h
		down := f(x)
		x[j] = b[j]
		g[j] = (up - down) / (2 * h)
	}
	return g
}

// gauss solves A x = b by Gaussian elimination with partial pivoting; it is
// deliberately independent of gonum.
func gauss(A [][]float64, b []float64) []float64 {
	n := len(b)
	M := make([][]float64, n)
	for i := range A {
		M[i] = append(append([]float64(nil), A[i]...), b[i])
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(M[r][c]) > math.Abs(M[p][c]) {
				p = r
			}
		}
		M[c], M[p] = M[p], M[c]
		for r := c + 1; r < n; r++ {
			f := M[r][c] / M[c][c]
			for j := c; j <= n; j++ {
				M[r][j] -= f * M[c][j]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := M[r][n]
		for j := r + 1; j < n; j++ {
			s -= M[r][j] * x[j]
		}
		x[r] = s / M[r][r]
	}
	return x
}

// refNewton maximises the penalised log-likelihood by Newton's method with
// both derivatives taken numerically (central differences, h = 1e-4 for the
// gradient: truncation and rounding errors are then both ~1e-9), and returns the optimum and the
// numerical negative Hessian there.
func refNewton(t *testing.T, X []float64, k int, y []bool, ridge float64) ([]float64, [][]float64) {
	f := func(b []float64) float64 { return naiveLogLik(X, k, y, b, ridge) }
	b := make([]float64, k)
	negHess := func(b []float64) [][]float64 {
		const h = 1e-3
		H := make([][]float64, k)
		x := append([]float64(nil), b...)
		for j := range k {
			x[j] = b[j] + h
			up := numGrad(f, x, 1e-4)
			x[j] = b[j] - h
			down := numGrad(f, x, 1e-4)
			x[j] = b[j]
			H[j] = make([]float64, k)
			for i := range k {
				H[j][i] = -(up[i] - down[i]) / (2 * h)
			}
		}
		return H
	}
	for range 100 {
		d := gauss(negHess(b), numGrad(f, b, 1e-4))
		// Plain step halving keeps the reference monotone.
		t0, ll0 := 1.0, f(b)
		for f(add(b, d, t0)) < ll0 && t0 > 1e-8 {
			t0 /= 2
		}
		b = add(b, d, t0)
		// Finite-difference noise in the gradient (~1e-9 here) sets the
		// floor on the step, far below the 1e-6 agreement required.
		if maxAbs(d) < 1e-7 {
			return b, negHess(b)
		}
	}
	t.Fatal("reference Newton did not converge")
	return nil, nil
}

func add(b, d []float64, t float64) []float64 {
	out := make([]float64, len(b))
	for j := range b {
		out[j] = b[j] + t*d[j]
	}
	return out
}

func TestAgainstNumericalNewton(t *testing.T) {
	for _, ridge := range []float64{0, 2.5} {
		r := rand.New(rand.NewPCG(7, 11))
		X, y := synth(r, 600, 5, []float64{-1, 0.8, -0.5, 0.7, 0.3})
		fit, err := FitLogit(X, 5, y, Options{Ridge: ridge})
		if err != nil {
			t.Fatal(err)
		}
		want, H := refNewton(t, X, 5, y, ridge)
		for j := range want {
			if d := math.Abs(fit.Coef[j] - want[j]); d > 1e-6 {
				t.Errorf("ridge %g: coef %d = %.12g, reference %.12g (diff %.2g)", ridge, j, fit.Coef[j], want[j], d)
			}
		}
		// SE from the inverse of the numerical Hessian: finite differences
		// of finite differences are good to a few parts in 10⁵.
		for j := range want {
			e := make([]float64, 5)
			e[j] = 1
			se := math.Sqrt(gauss(H, e)[j])
			if math.Abs(fit.SE[j]/se-1) > 1e-4 {
				t.Errorf("ridge %g: SE %d = %.8g, reference %.8g", ridge, j, fit.SE[j], se)
			}
		}
		if ll := naiveLogLik(X, 5, y, fit.Coef, 0); math.Abs(ll-fit.LogLik) > 1e-9*math.Abs(ll) {
			t.Errorf("LogLik %.15g, naive %.15g", fit.LogLik, ll)
		}
		if !fit.Converged || fit.N != 600 || fit.Iterations < 2 {
			t.Errorf("fit summary: %+v", fit)
		}
	}
}

// TestTwoByTable checks the closed-form MLE of a saturated model with one
// binary regressor. With a = non-events and b = events at x=0, c = non-events
// and d = events at x=1, the fitted probabilities equal the cell rates:
//
//	β0 = logit(b/(a+b)) = ln(30/70)
//	β1 = logit(d/(c+d)) − logit(b/(a+b)) = ln(45/55) − ln(30/70)
//	SE(β0) = sqrt(1/a + 1/b),  SE(β1) = sqrt(1/a + 1/b + 1/c + 1/d)
//
// (the inverse of the 2×2 Fisher information Σ p(1−p) x x').
func TestTwoByTwoTable(t *testing.T) {
	const a, b, c, d = 70, 30, 55, 45
	var X []float64
	var y []bool
	cell := func(x float64, event bool, count int) {
		for range count {
			X = append(X, 1, x)
			y = append(y, event)
		}
	}
	cell(0, false, a)
	cell(1, true, d)
	cell(0, true, b)
	cell(1, false, c)
	fit, err := FitLogit(X, 2, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{math.Log(30.0 / 70), math.Log(45.0/55) - math.Log(30.0/70)}
	wantSE := []float64{math.Sqrt(1.0/a + 1.0/b), math.Sqrt(1.0/a + 1.0/b + 1.0/c + 1.0/d)}
	for j := range 2 {
		if math.Abs(fit.Coef[j]-want[j]) > 1e-9 {
			t.Errorf("β%d = %.15g, want %.15g", j, fit.Coef[j], want[j])
		}
		if math.Abs(fit.SE[j]-wantSE[j]) > 1e-9 {
			t.Errorf("SE(β%d) = %.15g, want %.15g", j, fit.SE[j], wantSE[j])
		}
	}
	// Off-diagonal: Cov(β0, β1) = −(1/a + 1/b).
	if cov := fit.Cov[1]; math.Abs(cov+(1.0/a+1.0/b)) > 1e-9 || fit.Cov[2] != cov {
		t.Errorf("Cov(β0,β1) = %g / %g, want %g", fit.Cov[1], fit.Cov[2], -(1.0/a + 1.0/b))
	}
	ll := a*math.Log(0.7) + b*math.Log(0.3) + c*math.Log(0.55) + d*math.Log(0.45)
	p := 75.0 / 200
	ll0 := 75*math.Log(p) + 125*math.Log(1-p)
	if math.Abs(fit.LogLik-ll) > 1e-9 || math.Abs(fit.LogLik0-ll0) > 1e-9 {
		t.Errorf("LogLik %.12g LogLik0 %.12g, want %.12g %.12g", fit.LogLik, fit.LogLik0, ll, ll0)
	}
	if fit.Events != 75 || fit.N != 200 {
		t.Errorf("N %d Events %d", fit.N, fit.Events)
	}
}

func TestRidge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	X, y := synth(r, 2000, 6, []float64{-2, 1, -0.7, 0.9, 0.5, -0.4})
	base, err := FitLogit(X, 6, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tiny, err := FitLogit(X, 6, y, Options{Ridge: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	for j := range base.Coef {
		if math.Abs(tiny.Coef[j]-base.Coef[j]) > 1e-6 {
			t.Errorf("Ridge 1e-9: coef %d = %g, unpenalised %g", j, tiny.Coef[j], base.Coef[j])
		}
	}
	norm := func(b []float64) float64 {
		s := 0.0
		for _, v := range b[1:] {
			s += v * v
		}
		return math.Sqrt(s)
	}
	prev, prevLL := norm(base.Coef), base.LogLik
	for _, lambda := range []float64{1, 10, 100, 1000, 1e5} {
		fit, err := FitLogit(X, 6, y, Options{Ridge: lambda})
		if err != nil {
			t.Fatal(err)
		}
		n := norm(fit.Coef)
		if !(n < prev) {
			t.Errorf("Ridge %g: |β| = %g, not below %g", lambda, n, prev)
		}
		// The penalty trades likelihood for shrinkage, so the unpenalised
		// log-likelihood can only fall.
		if fit.LogLik > prevLL+1e-9 {
			t.Errorf("Ridge %g: LogLik %g rose above %g", lambda, fit.LogLik, prevLL)
		}
		prev, prevLL = n, fit.LogLik
	}
	// A huge penalty leaves only the unpenalised intercept, which must then
	// match the event rate.
	fit, err := FitLogit(X, 6, y, Options{Ridge: 1e12})
	if err != nil {
		t.Fatal(err)
	}
	rate := float64(fit.Events) / float64(fit.N)
	if math.Abs(fit.Coef[0]-math.Log(rate/(1-rate))) > 1e-6 || norm(fit.Coef) > 1e-6 {
		t.Errorf("Ridge 1e12: %v, want (%g, 0…)", fit.Coef, math.Log(rate/(1-rate)))
	}
}

func wantInvalid(t *testing.T, err error, substr string) {
	t.Helper()
	if indivisible.ErrorCode(err) != indivisible.EINVALID {
		t.Fatalf("error %v, want EINVALID", err)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Errorf("error %q does not mention %q", err, substr)
	}
}

func TestErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	X, y := synth(r, 300, 4, []float64{-1, 1, 1, 1})
	clone := func() []float64 { return append([]float64(nil), X...) }

	_, err := FitLogit(X[:len(X)-1], 4, y, Options{})
	wantInvalid(t, err, "multiple")
	_, err = FitLogit(X, 4, y[:10], Options{})
	wantInvalid(t, err, "does not match")
	_, err = FitLogit(X, 4, make([]bool, 300), Options{})
	wantInvalid(t, err, "no events")
	all := make([]bool, 300)
	for i := range all {
		all[i] = true
	}
	_, err = FitLogit(X, 4, all, Options{})
	wantInvalid(t, err, "every one")

	bad := clone()
	bad[7*4+2] = math.NaN()
	_, err = FitLogit(bad, 4, y, Options{})
	wantInvalid(t, err, "row 7, column 2 is NaN")
	bad = clone()
	bad[3*4+1] = math.Inf(-1)
	_, err = FitLogit(bad, 4, y, Options{})
	wantInvalid(t, err, "-Inf")
	bad = clone()
	bad[5*4] = 0
	_, err = FitLogit(bad, 4, y, Options{})
	wantInvalid(t, err, "intercept")
	_, err = FitLogit(X, 4, y, Options{Ridge: -1})
	wantInvalid(t, err, "non-negative")

	// Column 3 duplicates column 1.
	dup := clone()
	for i := range 300 {
		dup[i*4+3] = dup[i*4+1]
	}
	_, err = FitLogit(dup, 4, y, Options{})
	wantInvalid(t, err, "columns [1 3] are collinear")
	// A linear combination of three columns.
	comb := clone()
	for i := range 300 {
		comb[i*4+3] = 2*comb[i*4+1] - comb[i*4+2]
	}
	_, err = FitLogit(comb, 4, y, Options{})
	wantInvalid(t, err, "columns [1 2 3] are collinear")
	// A constant column is collinear with the intercept.
	cons := clone()
	for i := range 300 {
		cons[i*4+2] = 5
	}
	_, err = FitLogit(cons, 4, y, Options{})
	wantInvalid(t, err, "column 2 has zero variance")
	// An all-zero column.
	zero := clone()
	for i := range 300 {
		zero[i*4+2] = 0
	}
	_, err = FitLogit(zero, 4, y, Options{})
	wantInvalid(t, err, "column 2")
	// The ridge makes the collinear problems identified again.
	if _, err := FitLogit(dup, 4, y, Options{Ridge: 0.1}); err != nil {
		t.Errorf("ridge on duplicated columns: %v", err)
	}

	// Complete separation: the MLE does not exist.
	sep := clone()
	for i := range 300 {
		if y[i] {
			sep[i*4+1] = 1 + r.Float64()
		} else {
			sep[i*4+1] = -1 - r.Float64()
		}
	}
	_, err = FitLogit(sep, 4, y, Options{})
	wantInvalid(t, err, "separate")
	if _, err := FitLogit(sep, 4, y, Options{Ridge: 1}); err != nil {
		t.Errorf("ridge under separation: %v", err)
	}
	// Quasi-complete separation: column 3 is a dummy that is 1 only for
	// some non-events, so its coefficient runs to −∞ while the likelihood
	// converges.
	quasi := clone()
	for i := range 300 {
		quasi[i*4+3] = 0
		if !y[i] && i%3 == 0 {
			quasi[i*4+3] = 1
		}
	}
	_, err = FitLogit(quasi, 4, y, Options{})
	wantInvalid(t, err, "quasi-separation: the likelihood has converged but the coefficients of columns [3]")
	if fit, err := FitLogit(quasi, 4, y, Options{Ridge: 1}); err != nil || fit.Coef[3] >= 0 {
		t.Errorf("ridge under quasi-separation: %v, %v", fit, err)
	}
}

// TestWorkersDeterministic checks that the fit is bit-for-bit the same
// whatever the number of workers, with many chunks.
func TestWorkersDeterministic(t *testing.T) {
	defer func(c int) { chunkRows = c }(chunkRows)
	chunkRows = 300
	r := rand.New(rand.NewPCG(9, 9))
	X, y := synth(r, 10000, 7, []float64{-3, 0.5, 0.5, -0.5, 1, 0.2, 0})
	var first *Fit
	for _, w := range []int{1, 2, 3, 8} {
		fit, err := FitLogit(X, 7, y, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = fit
			continue
		}
		for j := range fit.Coef {
			if fit.Coef[j] != first.Coef[j] || fit.SE[j] != first.SE[j] {
				t.Fatalf("Workers %d: coef %d %v / SE %v differ from %v / %v", w, j, fit.Coef[j], fit.SE[j], first.Coef[j], first.SE[j])
			}
		}
	}
}

func TestPredict(t *testing.T) {
	X := []float64{1, 0, 1, 800, 1, -700, 1, 2}
	out := make([]float64, 4)
	Predict(X, 2, []float64{0, 1}, out)
	want := []float64{0.5, 1, math.Exp(-700), 1 / (1 + math.Exp(-2))}
	for i := range want {
		if math.Abs(out[i]-want[i]) > 1e-15*want[i] {
			t.Errorf("row %d: %g, want %g", i, out[i], want[i])
		}
	}
}

// TestGradientZero is the defining property of the optimum: the penalised
// score X'(y−p) − λβ' vanishes, computed here naively from the returned
// coefficients.
func TestGradientZero(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(30, 400).Draw(rt, "n")
		k := rapid.IntRange(1, 6).Draw(rt, "k")
		seed := rapid.Uint64().Draw(rt, "seed")
		ridge := rapid.SampledFrom([]float64{0, 0, 1e-3, 0.5, 20}).Draw(rt, "ridge")
		r := rand.New(rand.NewPCG(seed, 1))
		beta := make([]float64, k)
		for j := range beta {
			beta[j] = r.NormFloat64()
		}
		beta[0] -= 1
		X, y := synth(r, n, k, beta)
		fit, err := FitLogit(X, k, y, Options{Ridge: ridge, Workers: rapid.IntRange(1, 4).Draw(rt, "workers")})
		if err != nil {
			// Small random designs can lack events, be separated or have a
			// constant binary column; those must be reported as bad input.
			if indivisible.ErrorCode(err) != indivisible.EINVALID {
				rt.Fatalf("non-EINVALID error %v", err)
			}
			rt.Skip(err.Error())
		}
		g := make([]float64, k)
		for i := range n {
			eta := 0.0
			for j := range k {
				eta += X[i*k+j] * fit.Coef[j]
			}
			res := -1 / (1 + math.Exp(-eta))
			if y[i] {
				res++
			}
			for j := range k {
				g[j] += X[i*k+j] * res
			}
		}
		for j := 1; j < k; j++ {
			g[j] -= ridge * fit.Coef[j]
		}
		for j, v := range g {
			if math.Abs(v) > 1e-6*float64(n) {
				rt.Fatalf("gradient %d = %g at %v", j, v, fit.Coef)
			}
		}
	})
}

// benchData is a militarized-dispute-like data set: 1.6 million dyad-years,
// 20 columns, about 0.3% events.
var benchData = sync.OnceValues(func() ([]float64, []bool) {
	const n, k = 1_600_000, 20
	r := rand.New(rand.NewPCG(2024, 1))
	beta := make([]float64, k)
	beta[0] = -6.6
	for j := 1; j < k; j++ {
		beta[j] = 0.35 * float64(1-2*(j%2)) * (1 + float64(j%4)/4)
	}
	return synth(r, n, k, beta)
})

func BenchmarkFitLogit(b *testing.B) {
	X, y := benchData()
	events := 0
	for _, v := range y {
		if v {
			events++
		}
	}
	b.Logf("%d rows, %d events (%.3f%%)", len(y), events, 100*float64(events)/float64(len(y)))
	var fit *Fit
	var err error
	start := time.Now()
	for b.Loop() {
		fit, err = FitLogit(X, 20, y, Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(fit.Iterations), "iterations")
	b.ReportMetric(per.Seconds()/float64(fit.Iterations), "s/iteration")
}
