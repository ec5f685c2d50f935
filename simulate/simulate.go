package simulate

import (
	"context"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Options control a run.
type Options struct {
	// Draws is the number of draws; Seed makes them reproducible: draw k
	// takes its parameters from rand.NewPCG(Seed, k), so the result does
	// not depend on Workers.
	Draws int
	Seed  uint64
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// Tolerance is the loss beyond which a draw's verdict is divisible.
	Tolerance float64
	// Progress, if not nil, is called with the number of completed draws
	// from the workers' goroutines; it must be safe for concurrent use.
	Progress func(done int)
}

// ParticipantStats summarises one state's change in security over the
// draws.
type ParticipantStats struct {
	Code string  `json:"code"`
	Mean float64 `json:"mean"`
	// P05 and P95 bound the central 90% interval (empirical quantiles).
	P05 float64 `json:"p05"`
	P95 float64 `json:"p95"`
	// PLoss is the share of draws in which the state loses more than the
	// tolerance.
	PLoss float64 `json:"p_loss"`
}

// Sensitivity is a parameter's Spearman rank correlation with the verdict
// indicator (1 for divisible) and with the smallest change over states.
// A parameter that never varies has zero correlations.
type Sensitivity struct {
	Parameter string  `json:"parameter"`
	Verdict   float64 `json:"verdict"`
	MinDelta  float64 `json:"min_delta"`
}

// Result is the outcome of a run.
type Result struct {
	Title string `json:"title"`
	// Uncertainty is the title of the distribution file.
	Uncertainty string  `json:"uncertainty"`
	Seed        uint64  `json:"seed"`
	Requested   int     `json:"requested"`
	Draws       int     `json:"draws"`
	Tolerance   float64 `json:"tolerance"`
	// Partial is set when the run was cancelled: the statistics then cover
	// draws 0 to Draws-1 only, exactly as a run of that many draws would.
	Partial      bool               `json:"partial"`
	PDivisible   float64            `json:"p_divisible"`
	MinDelta     ParticipantStats   `json:"min_delta"`
	Participants []ParticipantStats `json:"participants"`
	// Sensitivity is ordered by the strength of the correlation with the
	// verdict, then with the smallest change.
	Sensitivity []Sensitivity `json:"sensitivity"`
}

// chunk is how many draws a worker takes at a time: large enough to keep
// the shared counter cold, small enough that a cancelled run loses little.
const chunk = 64

// Run draws the parameters opts.Draws times and assesses the measures under
// each draw against sys, whose structure (scenario) it reuses. The context
// stops it early; the result then says Partial. Errors are EINVALID for a
// bad option, a parameter the scenario does not know (a weight or a dyad)
// or a proposal that does not apply.
func Run(ctx context.Context, sys *model.System, spec *Spec, p *indivisible.Proposal, opts Options) (*Result, error) {
	if opts.Draws < 1 {
		return nil, indivisible.Invalid("draws", "must be at least 1")
	}
	if opts.Workers < 0 {
		return nil, indivisible.Invalid("workers", "must not be negative")
	}
	if opts.Workers == 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	names := spec.Names()
	params := make([]param, len(names))
	for k, name := range names {
		params[k], _ = lookup(name) // Validate has resolved every path
	}
	var est *estimation
	if spec.Estimation {
		var err error
		if est, err = newEstimation(sys.Coefficients()); err != nil {
			return nil, err
		}
		for _, f := range model.Features {
			names = append(names, "coef."+f)
		}
	}
	// The central parameters must suit the scenario and the proposal, so
	// that a bad weight, dyad or measure is an input error, not a failure
	// in the middle of the run.
	central := ownMaps(spec.Params)
	for k, name := range spec.Names() {
		d := spec.Distributions[name]
		params[k].set(&central, d.Mean())
	}
	cs, err := sys.Reparam(central, nil)
	if err != nil {
		return nil, indivisible.PrefixField("distributions", err)
	}
	prep, err := cs.Prepare(p.Measures)
	if err != nil {
		return nil, err
	}

	n, k, N := len(sys.Codes()), len(names), opts.Draws
	deltas := make([]float64, N*n)
	values := make([]float64, N*k)
	done := make([]bool, N)
	errs := make([]error, opts.Workers)
	var next, completed atomic.Int64
	var wg sync.WaitGroup
	for w := range opts.Workers {
		wg.Go(func() {
			ws := &model.Workspace{}
			for ctx.Err() == nil {
				start := int(next.Add(chunk)) - chunk
				if start >= N {
					return
				}
				end := min(start+chunk, N)
				for d := start; d < end; d++ {
					if ctx.Err() != nil {
						return
					}
					if err := draw(sys, spec, est, params, prep, opts.Seed, d, ws, values[d*k:(d+1)*k], deltas[d*n:(d+1)*n]); err != nil {
						errs[w] = err
						return
					}
					done[d] = true
				}
				c := completed.Add(int64(end - start))
				if opts.Progress != nil {
					opts.Progress(int(c))
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	// Only the unbroken run of completed draws from 0 counts, so that a
	// partial result is the result of a shorter run with the same seed.
	got := 0
	for got < N && done[got] {
		got++
	}
	if got == 0 {
		return nil, context.Cause(ctx)
	}
	r := summarise(sys.Codes(), names, values[:got*k], deltas[:got*n], opts.Tolerance, opts.Workers)
	r.Title, r.Uncertainty, r.Seed, r.Requested, r.Partial = p.Title, spec.Title, opts.Seed, N, got < N
	return r, nil
}

// draw evaluates draw d: its parameter values go to vals (the drawn MID
// coefficients after the distributions' parameters), every state's change
// to delta.
func draw(sys *model.System, spec *Spec, est *estimation, params []param, p *model.Prepared, seed uint64, d int, ws *model.Workspace, vals, delta []float64) error {
	src := rand.NewPCG(seed, uint64(d))
	par := ownMaps(spec.Params)
	names := spec.Names()
	for k, name := range names {
		dist := spec.Distributions[name]
		vals[k] = dist.draw(src)
		params[k].set(&par, vals[k])
	}
	if est != nil {
		par.Coefficients = est.draw(rand.New(src))
		copy(vals[len(names):], par.Coefficients.MID.Coef)
	}
	rs, err := sys.Reparam(par, ws)
	if err != nil {
		return err
	}
	return rs.Changes(p, delta)
}

// ownMaps returns p with its own copies of the maps the setters write.
func ownMaps(p model.Params) model.Params {
	own := func(m map[string]float64) map[string]float64 {
		if c := maps.Clone(m); c != nil {
			return c
		}
		return map[string]float64{}
	}
	p.CBM, p.Weights = own(p.CBM), own(p.Weights)
	p.Dyads = slices.Clone(p.Dyads)
	return p
}

// estimation draws coefficients from the multivariate normal of their
// estimates: β = β̂ + L z, with L the Cholesky factor of the estimated
// covariance and z standard normal. The two outcomes' fits are separate,
// so they are drawn independently.
type estimation struct {
	base *model.Coefficients
	l    [2]*mat.TriDense
}

func newEstimation(c *model.Coefficients) (*estimation, error) {
	e := &estimation{base: c}
	for o, est := range []*model.Estimate{&c.MID, &c.Force} {
		k := len(est.Coef)
		if len(est.Cov) != k {
			return nil, indivisible.Invalid("coefficients", "the %s estimate has no covariance to draw from (re-run indivisible calibrate)", est.Outcome)
		}
		cov := mat.NewSymDense(k, nil)
		for i := range k {
			for j := i; j < k; j++ {
				cov.SetSym(i, j, est.Cov[i][j])
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(cov) {
			return nil, indivisible.Invalid("coefficients", "the %s covariance is not positive definite", est.Outcome)
		}
		e.l[o] = mat.NewTriDense(k, mat.Lower, nil)
		ch.LTo(e.l[o])
	}
	return e, nil
}

func (e *estimation) draw(r *rand.Rand) *model.Coefficients {
	c := e.base.Clone()
	for o, coef := range [][]float64{c.MID.Coef, c.Force.Coef} {
		k := len(coef)
		z := make([]float64, k)
		for i := range z {
			z[i] = r.NormFloat64()
		}
		l := e.l[o]
		for i := range k {
			for j := 0; j <= i; j++ {
				coef[i] += l.At(i, j) * z[j]
			}
		}
	}
	return c
}

// summarise computes the statistics over N = len(deltas)/n draws. The
// per-state work is spread over the workers; every figure is computed in
// draw order, so the result does not depend on how many there are.
func summarise(codes, names []string, values, deltas []float64, tol float64, workers int) *Result {
	n, k := len(codes), len(names)
	N := len(deltas) / n
	r := &Result{Draws: N, Tolerance: tol, Participants: make([]ParticipantStats, n)}
	minDelta := make([]float64, N)
	divisible := make([]float64, N)
	for d := range N {
		row := deltas[d*n : (d+1)*n]
		minDelta[d] = slices.Min(row)
		if minDelta[d] < -tol {
			divisible[d] = 1
			r.PDivisible++
		}
	}
	r.PDivisible /= float64(N)
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range workers {
		wg.Go(func() {
			col := make([]float64, N)
			for i := range jobs {
				for d := range N {
					col[d] = deltas[d*n+i]
				}
				r.Participants[i] = stats(codes[i], col, tol)
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	r.MinDelta = stats("min", slices.Clone(minDelta), tol)
	rv, rm := ranks(divisible), ranks(minDelta)
	col := make([]float64, N)
	for j, name := range names {
		for d := range N {
			col[d] = values[d*k+j]
		}
		rc := ranks(col)
		r.Sensitivity = append(r.Sensitivity, Sensitivity{Parameter: name, Verdict: pearson(rc, rv), MinDelta: pearson(rc, rm)})
	}
	slices.SortStableFunc(r.Sensitivity, func(a, b Sensitivity) int {
		if c := cmpAbs(b.Verdict, a.Verdict); c != 0 {
			return c
		}
		return cmpAbs(b.MinDelta, a.MinDelta)
	})
	return r
}

func cmpAbs(a, b float64) int {
	a, b = abs(a), abs(b)
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// stats summarises one column of changes; it sorts col.
func stats(code string, col []float64, tol float64) ParticipantStats {
	s := ParticipantStats{Code: code, Mean: stat.Mean(col, nil)}
	for _, v := range col {
		if v < -tol {
			s.PLoss++
		}
	}
	s.PLoss /= float64(len(col))
	slices.Sort(col)
	s.P05 = stat.Quantile(0.05, stat.Empirical, col, nil)
	s.P95 = stat.Quantile(0.95, stat.Empirical, col, nil)
	return s
}

// ranks returns the ranks of x (1-based), ties taking their mean rank, as
// Spearman's coefficient needs.
func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		mean := float64(i+j+1) / 2 // mean of ranks i+1 .. j
		for _, t := range idx[i:j] {
			r[t] = mean
		}
		i = j
	}
	return r
}

// Spearman is the Spearman rank correlation of x and y: the Pearson
// correlation of their ranks (mean ranks for ties). It is 0 when either
// is constant.
func Spearman(x, y []float64) float64 { return pearson(ranks(x), ranks(y)) }

func pearson(x, y []float64) float64 {
	if slices.Min(x) == slices.Max(x) || slices.Min(y) == slices.Max(y) {
		return 0
	}
	return stat.Correlation(x, y, nil)
}
