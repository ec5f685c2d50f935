// Package logit fits logistic regressions by iteratively reweighted least
// squares (Newton–Raphson on the log-likelihood), sized for event-history
// data sets of millions of rows and a few dozen columns: the O(n·k²) cross
// product X'WX is the only expensive step, so it is tiled, parallelised and
// handed to gonum's assembly dot products, while the k×k algebra (Cholesky
// solve, inverse) is left to gonum/mat.
package logit

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/indivisible-eurasia/indivisible"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Options tune a fit. The zero value is a plain maximum-likelihood fit with
// the defaults below.
type Options struct {
	// Ridge is an L2 penalty λ on every coefficient except the intercept
	// (column 0): the fit maximises loglik − λ/2 Σ_{k>0} β_k². It keeps
	// coefficients finite under (quasi-)separation, which rare events make
	// common; the intercept is left free so the mean rate is still matched.
	Ridge float64
	// MaxIter bounds the Newton iterations; 0 means 50. Newton converges
	// quadratically, so a fit that needs more is almost always separated.
	MaxIter int
	// Tol: the fit has converged when every Newton step component satisfies
	// |Δβ_j| < Tol·(1+|β_j|); 0 means 1e-10. It also stops when the penalised
	// log-likelihood changes, or the Newton step is predicted to change it,
	// by less than 1e-12 relative, because beyond that the change is
	// rounding noise and the step is within the quadratic model's accuracy.
	Tol float64
	// Workers is the number of goroutines computing X'WX; 0 means
	// runtime.GOMAXPROCS(0). The result does not depend on it: rows are
	// summed in fixed chunks merged in order.
	Workers int
}

// Fit is a fitted model.
type Fit struct {
	// Coef are the coefficients β, one per column of X; SE their standard
	// errors, the square roots of the diagonal of Cov.
	Coef, SE []float64
	// Cov is the k×k row-major inverse of the (penalised) negative Hessian at
	// the optimum: the usual asymptotic covariance when Ridge is 0.
	Cov []float64
	// LogLik is the unpenalised log-likelihood at the optimum, so that it can
	// be compared across models and with LogLik0 whatever the penalty.
	LogLik float64
	// LogLik0 is the log-likelihood of the intercept-only model, in closed
	// form from the event rate Events/N (for likelihood-ratio tests and
	// pseudo-R²).
	LogLik0 float64
	// N is the number of rows and Events the number with y true.
	N, Events int
	// Iterations is the number of Newton steps taken.
	Iterations int
	// Converged is true for every fit returned without error; it is kept so
	// that a Fit serialised elsewhere still says so.
	Converged bool
}

const (
	defaultMaxIter = 50
	defaultTol     = 1e-10
	// llRelTol is the relative change of the penalised log-likelihood below
	// which further iterations cannot improve it beyond rounding.
	llRelTol = 1e-12
	// condLimit is the largest condition number of the equilibrated
	// (unit-diagonal) penalised Hessian that is accepted: beyond it the
	// Newton step and the covariance lose more than 12 of 16 digits, so the
	// design is treated as collinear rather than reporting meaningless SEs.
	condLimit = 1e12
	// maxEtaStep is the largest change of any fitted linear predictor that
	// one more Newton step may make at a converged fit. At a true optimum the
	// step is at rounding level (~1e-5 at worst for rare, ill-conditioned
	// data); under quasi-separation each step moves the separated rows'
	// predictors by about 1 while the likelihood no longer changes.
	maxEtaStep = 1e-2
	// maxHalvings bounds the step-halving line search; 2⁻⁴⁰ of a Newton step
	// is below rounding for any sensible coefficient.
	maxHalvings = 40
	// tileRows is the number of rows transposed at a time, so that the
	// column-major tile (2·k·tileRows floats) stays in L1/L2 cache while the
	// k(k+1)/2 dot products run over it.
	tileRows = 256
)

// chunkRows is the unit of parallel work and of summation order. Each chunk
// has its own partial sums, merged in chunk order, which makes the fit
// bit-for-bit independent of Workers. It is a variable so that tests can
// exercise many chunks on small data.
var chunkRows = 32 * tileRows

// FitLogit fits P(y=1|x) = 1/(1+exp(−x'β)) to the rows of X (n×k, row-major;
// column 0 must be the intercept, all ones) and the 0/1 outcomes y.
//
// It starts from the intercept-only optimum β = (logit(mean y), 0, …, 0),
// takes Newton steps solved by Cholesky, and halves a step whenever it would
// lower the penalised log-likelihood. Bad input is reported as an
// indivisible EINVALID error: mismatched lengths, a non-intercept column 0,
// non-finite X, no events or no non-events, a singular Hessian (naming the
// collinear columns), failure to converge within MaxIter (complete
// separation), and quasi-separation, where the likelihood converges while a
// coefficient still runs off to infinity (naming the columns). A small Ridge
// cures the last two.
func FitLogit(X []float64, k int, y []bool, opt Options) (*Fit, error) {
	if k < 1 {
		return nil, indivisible.Invalid("k", "need at least one column (the intercept), got k=%d", k)
	}
	if len(X)%k != 0 {
		return nil, indivisible.Invalid("X", "length %d is not a multiple of k=%d", len(X), k)
	}
	n := len(X) / k
	if len(y) != n {
		return nil, indivisible.Invalid("y", "length %d does not match the %d rows of X", len(y), n)
	}
	if n == 0 {
		return nil, indivisible.Invalid("X", "no rows")
	}
	if err := checkOptions(&opt); err != nil {
		return nil, err
	}
	events := 0
	for _, v := range y {
		if v {
			events++
		}
	}
	switch events {
	case 0:
		return nil, indivisible.Invalid("y", "no events among %d rows: the model is not identified", n)
	case n:
		return nil, indivisible.Invalid("y", "every one of %d rows is an event: the model is not identified", n)
	}
	if err := checkX(X, k, n); err != nil {
		return nil, err
	}

	pr := newProblem(X, k, y, opt.Workers)
	lambda := opt.Ridge
	penalty := func(b []float64) float64 {
		s := 0.0
		for _, v := range b[1:] {
			s += v * v
		}
		return lambda / 2 * s
	}

	rate := float64(events) / float64(n)
	beta := make([]float64, k)
	beta[0] = math.Log(rate / (1 - rate))
	ll, grad, hess := pr.eval(beta, true)
	pll := ll - penalty(beta)

	var (
		step      = make([]float64, k)
		trial     = make([]float64, k)
		converged bool
		iter      int
	)
	for iter = 1; iter <= opt.MaxIter; iter++ {
		// Penalised gradient and negative Hessian; the intercept is not
		// penalised so that the fitted mean rate stays unbiased.
		pg := slices.Clone(grad)
		for j := 1; j < k; j++ {
			pg[j] -= lambda * beta[j]
		}
		sys, err := newSystem(hess, k, lambda)
		if err != nil {
			return nil, singular(err, X, k, n, iter)
		}
		sys.solve(step, pg)

		small := true
		for j, d := range step {
			if !(math.Abs(d) < opt.Tol*(1+math.Abs(beta[j]))) {
				small = false
				break
			}
		}
		// pg·step is twice the increase the quadratic model predicts. Once
		// that is below the rounding of the log-likelihood sum, comparing
		// likelihoods cannot judge the step, but the quadratic model is then
		// exact to far better than the tolerance: take the step and stop.
		tiny := floats.Dot(pg, step)/2 <= llRelTol*math.Abs(pll)

		for j := range trial {
			trial[j] = beta[j] + step[j]
		}
		nll, ngrad, nhess := pr.eval(trial, true)
		npll := nll - penalty(trial)
		if npll >= pll || small || tiny {
			change := math.Abs(npll - pll)
			copy(beta, trial)
			ll, grad, hess, pll = nll, ngrad, nhess, npll
			if small || tiny || change <= llRelTol*math.Abs(pll) {
				converged = true
				break
			}
			continue
		}
		// Overshoot (typical of the first steps when events are rare):
		// halve until the penalised likelihood rises, evaluating only the
		// likelihood, then recompute the derivatives at the accepted point.
		t, accepted := 1.0, false
		for h := 0; h < maxHalvings; h++ {
			t /= 2
			for j := range trial {
				trial[j] = beta[j] + t*step[j]
			}
			nll, _, _ = pr.eval(trial, false)
			if npll = nll - penalty(trial); npll >= pll {
				accepted = true
				break
			}
		}
		if !accepted {
			return nil, indivisible.Invalid("X", "line search failed at iteration %d: no fraction of the Newton step raises the log-likelihood (%.17g); the design may be nearly collinear or separated, try Ridge > 0", iter, pll)
		}
		copy(beta, trial)
		ll, grad, hess = pr.eval(beta, true)
		pll = ll - penalty(beta)
	}
	if !converged {
		return nil, indivisible.Invalid("y", "no convergence in %d iterations (log-likelihood %.6g, max |β| %.3g): the regressors probably (quasi-)separate the events, so some coefficients diverge; try Ridge > 0", opt.MaxIter, ll, maxAbs(beta))
	}
	sys, err := newSystem(hess, k, lambda)
	if err != nil {
		return nil, singular(err, X, k, n, iter)
	}
	for j := 1; j < k; j++ {
		grad[j] -= lambda * beta[j]
	}
	sys.solve(step, grad)
	if err := diverging(X, k, step); err != nil {
		return nil, err
	}
	cov := sys.inverse()
	se := make([]float64, k)
	for j := range se {
		se[j] = math.Sqrt(cov[j*k+j])
	}
	return &Fit{
		Coef:       beta,
		SE:         se,
		Cov:        cov,
		LogLik:     ll,
		LogLik0:    float64(events)*math.Log(rate) + float64(n-events)*math.Log1p(-rate),
		N:          n,
		Events:     events,
		Iterations: iter,
		Converged:  true,
	}, nil
}

// Predict writes 1/(1+exp(−x'β)) for each row of X (n×k row-major) into
// out[:n]. It is accurate in both tails, where the naive formula underflows
// to 0 or rounds to 1. It panics if coef does not have k entries or out is
// shorter than the n rows, as those are programming errors.
func Predict(X []float64, k int, coef []float64, out []float64) {
	if k < 1 || len(coef) != k || len(X)%k != 0 || len(out) < len(X)/k {
		panic(fmt.Sprintf("logit.Predict: k=%d, len(coef)=%d, len(X)=%d, len(out)=%d do not fit", k, len(coef), len(X), len(out)))
	}
	for i := range len(X) / k {
		row := X[i*k : i*k+k]
		eta := 0.0
		for j, c := range coef {
			eta += row[j] * c
		}
		out[i] = sigmoid(eta)
	}
}

// sigmoid is 1/(1+exp(−η)) without overflow: exp is only taken of −|η|.
func sigmoid(eta float64) float64 {
	if eta >= 0 {
		return 1 / (1 + math.Exp(-eta))
	}
	e := math.Exp(eta)
	return e / (1 + e)
}

func checkOptions(opt *Options) error {
	if !(opt.Ridge >= 0) || math.IsInf(opt.Ridge, 1) {
		return indivisible.Invalid("Ridge", "must be finite and non-negative, got %g", opt.Ridge)
	}
	if opt.MaxIter < 0 {
		return indivisible.Invalid("MaxIter", "must be non-negative, got %d", opt.MaxIter)
	}
	if opt.MaxIter == 0 {
		opt.MaxIter = defaultMaxIter
	}
	if !(opt.Tol >= 0) || math.IsInf(opt.Tol, 1) {
		return indivisible.Invalid("Tol", "must be finite and non-negative, got %g", opt.Tol)
	}
	if opt.Tol == 0 {
		opt.Tol = defaultTol
	}
	if opt.Workers < 0 {
		return indivisible.Invalid("Workers", "must be non-negative, got %d", opt.Workers)
	}
	if opt.Workers == 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	return nil
}

// checkX rejects non-finite values, which would silently poison every sum,
// and a column 0 that is not the intercept, which the unpenalised intercept,
// the starting point and LogLik0 all assume.
func checkX(X []float64, k, n int) error {
	for i := range n {
		row := X[i*k : i*k+k]
		if row[0] != 1 {
			return indivisible.Invalid("X", "row %d, column 0 is %g: column 0 must be the intercept, all ones", i, row[0])
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return indivisible.Invalid("X", "row %d, column %d is %v: values must be finite", i, j, v)
			}
		}
	}
	return nil
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}

// problem holds the data and the per-chunk partial sums of one fit.
type problem struct {
	X       []float64
	k, n    int
	y       []bool
	workers int
	chunks  int
	// part holds, for each chunk, the log-likelihood, the gradient (k) and
	// the upper triangle of X'WX (k×k row-major, lower part unused).
	part   []float64
	stride int
	pool   sync.Pool
}

func newProblem(X []float64, k int, y []bool, workers int) *problem {
	n := len(y)
	chunks := (n + chunkRows - 1) / chunkRows
	stride := 1 + k + k*k
	pr := &problem{X: X, k: k, n: n, y: y, workers: min(workers, chunks), chunks: chunks, part: make([]float64, chunks*stride), stride: stride}
	pr.pool.New = func() any { return newScratch(k) }
	return pr
}

// scratch is one worker's tile: U holds the rows of X column-major, V the
// same scaled by the IRLS weights, so that each entry of X'WX over the tile
// is one contiguous dot product.
type scratch struct {
	U, V      []float64
	eta, r, w []float64
}

func newScratch(k int) *scratch {
	return &scratch{
		U:   make([]float64, k*tileRows),
		V:   make([]float64, k*tileRows),
		eta: make([]float64, tileRows),
		r:   make([]float64, tileRows),
		w:   make([]float64, tileRows),
	}
}

// eval returns the log-likelihood at beta and, if full, its gradient and the
// negative Hessian X'WX (upper triangle, k×k row-major). The returned slices
// are fresh, so callers may keep them across calls.
func (pr *problem) eval(beta []float64, full bool) (ll float64, grad, hess []float64) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range pr.workers {
		wg.Go(func() {
			s := pr.pool.Get().(*scratch)
			defer pr.pool.Put(s)
			for {
				c := int(next.Add(1)) - 1
				if c >= pr.chunks {
					return
				}
				pr.chunk(c, beta, full, s)
			}
		})
	}
	wg.Wait()

	k := pr.k
	if full {
		grad = make([]float64, k)
		hess = make([]float64, k*k)
	}
	for c := range pr.chunks {
		p := pr.part[c*pr.stride : (c+1)*pr.stride]
		ll += p[0]
		if full {
			floats.Add(grad, p[1:1+k])
			floats.Add(hess, p[1+k:])
		}
	}
	if full {
		for a := range k {
			for b := a + 1; b < k; b++ {
				hess[b*k+a] = hess[a*k+b]
			}
		}
	}
	return ll, grad, hess
}

// chunk accumulates chunk c's partial sums into its slot of pr.part.
func (pr *problem) chunk(c int, beta []float64, full bool, s *scratch) {
	k := pr.k
	out := pr.part[c*pr.stride : (c+1)*pr.stride]
	clear(out)
	g, h := out[1:1+k], out[1+k:]
	lo, hi := c*chunkRows, min((c+1)*chunkRows, pr.n)
	for r0 := lo; r0 < hi; r0 += tileRows {
		m := min(tileRows, hi-r0)
		U, eta, r, w := s.U, s.eta[:m], s.r[:m], s.w[:m]
		for i := range m {
			row := pr.X[(r0+i)*k : (r0+i)*k+k]
			for a, v := range row {
				U[a*tileRows+i] = v
			}
		}
		clear(eta)
		for a, b := range beta {
			if b != 0 {
				floats.AddScaled(eta, b, U[a*tileRows:a*tileRows+m])
			}
		}
		for i, e := range eta {
			// One exp of −|η| gives p and 1−p without cancellation, and
			// log(1+exp(±η)) without overflow.
			x := math.Exp(-math.Abs(e))
			l1p := math.Log1p(x)
			var p, q float64
			if e >= 0 {
				p, q = 1/(1+x), x/(1+x)
			} else {
				p, q = x/(1+x), 1/(1+x)
			}
			if pr.y[r0+i] {
				// log p = −log(1+exp(−η))
				out[0] -= max(-e, 0) + l1p
				r[i] = q
			} else {
				// log(1−p) = −log(1+exp(η))
				out[0] -= max(e, 0) + l1p
				r[i] = -p
			}
			w[i] = p * q
		}
		if !full {
			continue
		}
		for a := range k {
			ua := U[a*tileRows : a*tileRows+m]
			g[a] += floats.Dot(ua, r)
			floats.MulTo(s.V[a*tileRows:a*tileRows+m], ua, w)
		}
		for a := range k {
			va := s.V[a*tileRows : a*tileRows+m]
			for b := a; b < k; b++ {
				h[a*k+b] += floats.Dot(va, U[b*tileRows:b*tileRows+m])
			}
		}
	}
}

// system is the Cholesky factorisation of the equilibrated penalised negative
// Hessian D^{-1/2}(H+λI')D^{-1/2}. Scaling to a unit diagonal first makes the
// condition number measure collinearity rather than the units of the columns.
type system struct {
	k     int
	scale []float64 // D^{-1/2}
	chol  mat.Cholesky
	a     []float64 // the equilibrated matrix, kept for diagnosis
}

// singularError carries the equilibrated matrix of a failed factorisation so
// that the caller can name the collinear columns.
type singularError struct {
	a    []float64
	k    int
	zero int // a column whose diagonal is zero, or −1
	cond float64
}

func (e *singularError) Error() string { return "singular Hessian" }

func newSystem(hess []float64, k int, lambda float64) (*system, error) {
	s := &system{k: k, scale: make([]float64, k), a: make([]float64, k*k)}
	for j := range k {
		d := hess[j*k+j]
		if j > 0 {
			d += lambda
		}
		if !(d > 0) {
			return nil, &singularError{k: k, zero: j}
		}
		s.scale[j] = 1 / math.Sqrt(d)
	}
	for a := range k {
		for b := range k {
			v := hess[a*k+b]
			if a == b && a > 0 {
				v += lambda
			}
			s.a[a*k+b] = v * s.scale[a] * s.scale[b]
		}
	}
	ok := s.chol.Factorize(mat.NewSymDense(k, slices.Clone(s.a)))
	if !ok || s.chol.Cond() > condLimit {
		cond := math.Inf(1)
		if ok {
			cond = s.chol.Cond()
		}
		return nil, &singularError{a: s.a, k: k, zero: -1, cond: cond}
	}
	return s, nil
}

// solve sets x to (H+λI')⁻¹ g.
func (s *system) solve(x, g []float64) {
	b := mat.NewVecDense(s.k, nil)
	for j := range g {
		b.SetVec(j, g[j]*s.scale[j])
	}
	var z mat.VecDense
	// The condition was checked in newSystem, so a Condition error here
	// cannot exceed condLimit and is ignored.
	_ = s.chol.SolveVecTo(&z, b)
	for j := range x {
		x[j] = z.AtVec(j) * s.scale[j]
	}
}

// inverse returns (H+λI')⁻¹ row-major.
func (s *system) inverse() []float64 {
	var inv mat.SymDense
	_ = s.chol.InverseTo(&inv) // condition checked in newSystem
	k := s.k
	out := make([]float64, k*k)
	for a := range k {
		for b := range k {
			out[a*k+b] = inv.At(a, b) * (s.scale[a] * s.scale[b])
		}
	}
	return out
}

// singular turns a failed factorisation into an EINVALID error that names
// the offending columns, found from the eigenvector of the smallest
// eigenvalue of the equilibrated Hessian (the near-null combination).
func singular(err error, X []float64, k, n, iter int) error {
	se, ok := err.(*singularError)
	if !ok {
		return err
	}
	when := ""
	if iter > 1 {
		// Collinearity would already show at the start; later singularity
		// means the weights p(1−p) collapsed, i.e. separation.
		when = fmt.Sprintf(" at iteration %d (fitted probabilities reached 0 or 1: the regressors probably separate the events; try Ridge > 0)", iter)
	}
	if se.zero >= 0 {
		return indivisible.Invalid("X", "singular Hessian%s: column %d contributes nothing (all zero, or all weights vanish)", when, se.zero)
	}
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(k, slices.Clone(se.a)), true) {
		return indivisible.Invalid("X", "singular Hessian%s (condition number %.3g)", when, se.cond)
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	lo := 0 // eigenvalues are ascending, but do not rely on it
	for i, v := range vals {
		if v < vals[lo] {
			lo = i
		}
	}
	var cols []int
	for j := range k {
		if math.Abs(vecs.At(j, lo)) >= 0.05 {
			cols = append(cols, j)
		}
	}
	what := fmt.Sprintf("columns %v are collinear", cols)
	if len(cols) == 2 && cols[0] == 0 && constantColumn(X, k, n, cols[1]) {
		what = fmt.Sprintf("column %d has zero variance (it is constant, so collinear with the intercept)", cols[1])
	} else if len(cols) == 1 {
		what = fmt.Sprintf("column %d is (nearly) zero in the weighted design", cols[0])
	}
	return indivisible.Invalid("X", "singular Hessian%s: %s (condition number %.3g of the scaled X'WX)", when, what, se.cond)
}

func constantColumn(X []float64, k, n, j int) bool {
	for i := 1; i < n; i++ {
		if X[i*k+j] != X[j] {
			return false
		}
	}
	return true
}

// diverging reports quasi-separation: a fit whose likelihood has stopped
// changing while a further Newton step d would still move some rows' linear
// predictor x'd materially, because a coefficient is running off to ±∞
// (typically a dummy whose category has no events, or only events). The
// likelihood criteria alone would call that converged and return a huge
// coefficient with a meaningless standard error.
func diverging(X []float64, k int, d []float64) error {
	colMax := make([]float64, k)
	worst := 0.0
	for i := range len(X) / k {
		row := X[i*k : i*k+k]
		s := 0.0
		for j, v := range row {
			s += v * d[j]
			colMax[j] = max(colMax[j], math.Abs(v))
		}
		worst = max(worst, math.Abs(s))
	}
	if !(worst > maxEtaStep) {
		return nil
	}
	// Name the columns that carry most of the step.
	big := 0.0
	for j := range k {
		big = max(big, math.Abs(d[j])*colMax[j])
	}
	var cols []int
	for j := range k {
		if math.Abs(d[j])*colMax[j] >= 0.1*big {
			cols = append(cols, j)
		}
	}
	return indivisible.Invalid("X", "quasi-separation: the likelihood has converged but the coefficients of columns %v keep diverging (a further Newton step would move a linear predictor by %.3g); some category or range of these regressors has no events, or only events; try Ridge > 0", cols, worst)
}
