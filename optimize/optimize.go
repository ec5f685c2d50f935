package optimize

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
)

// Options control the optimiser.
type Options struct {
	// Tolerance is the largest loss any participant may bear.
	Tolerance float64
	// Workers evaluate the finite differences; 0 means GOMAXPROCS.
	Workers int
	// MaxIterations bounds the linear programs solved; 0 means 40.
	MaxIterations int
}

// Level is the level chosen for one candidate.
type Level struct {
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Level  float64 `json:"level"`
	Binary bool    `json:"binary"`
}

// Outcome summarises a package: the smallest change of security over the
// states and the sum of the changes.
type Outcome struct {
	Name  string  `json:"name"`
	Min   float64 `json:"min"`
	Total float64 `json:"total"`
	// Admissible is false when the package breaks a limit or makes some
	// state lose more than the tolerance.
	Admissible bool `json:"admissible"`
}

// Dual is the dual value of one row of the final linear program.
type Dual struct {
	Code     string  `json:"code"`
	Category string  `json:"category,omitempty"`
	Value    float64 `json:"value"`
}

// Certificate is the final linear program's dual solution. The
// participants with positive duals are the ones that bind the optimum:
// raising any of them requires lowering another. Their duals sum to one,
// the weight of the minimum in the LP's objective.
type Certificate struct {
	// Participants lists the binding states, largest dual first.
	Participants []Dual `json:"participants"`
	// Limits lists the binding limits.
	Limits []Dual `json:"limits"`
	// Radius is the trust region of the final linear program.
	Radius float64 `json:"radius"`
	// Objective is the LP's optimum and DualObjective h'y: equal at a
	// verified optimum (strong duality).
	Objective     float64 `json:"objective"`
	DualObjective float64 `json:"dual_objective"`
	// Optimal says that no candidate, in the LP or not, prices in with
	// these duals and that strong duality holds: the package is a local
	// optimum of the linearised problem.
	Optimal bool `json:"optimal"`
}

// Result is the optimiser's answer.
type Result struct {
	Title  string  `json:"title"`
	Levels []Level `json:"levels"`
	// Package is the chosen package as a proposal, which assess accepts.
	Package    indivisible.Proposal    `json:"package"`
	Assessment *indivisible.Assessment `json:"assessment"`
	Outcome    Outcome                 `json:"outcome"`
	Empty      Outcome                 `json:"empty"`
	BestSingle Outcome                 `json:"best_single"`
	// Improvement is the rise of the minimum change over the best single
	// candidate and over the empty package.
	Improvement struct {
		OverBestSingle float64 `json:"over_best_single"`
		OverEmpty      float64 `json:"over_empty"`
	} `json:"improvement"`
	Iterations int `json:"iterations"`
	// Interrupted is set when the context ended the search early; the
	// result is then the best package found so far.
	Interrupted bool        `json:"interrupted"`
	Evaluations int         `json:"evaluations"`
	Certificate Certificate `json:"certificate"`
}

// Tuning of the method (docs/model.md, section 8).
const (
	fdStep      = 1e-4 // finite-difference step in level units
	startRadius = 0.25
	minRadius   = 1e-4
	maxRadius   = 1
	firstCols   = 20 // columns of the first LP, besides one per row
	moreCols    = 10 // columns added per pricing round
	rounds      = 2  // LPs per step
	gainTol     = 1e-10
	lagSteps    = 4    // accepted steps a Jacobian may serve
	tieBreak    = 1e-3 // weight of the mean change in the LP objective
	epsMin      = 1e-12
)

// problem is a candidates file compiled against a system.
type problem struct {
	sys     *model.System
	cs      *Candidates
	n, K    int
	lo, hi  []float64
	binary  []bool
	limits  []limitRow
	tol     float64
	workers int
	evals   int
	mu      sync.Mutex
}

// limitRow is Σ_k a_k x_k ≤ cap for one state and category.
type limitRow struct {
	state, category string
	a               []float64
	cap             float64
}

// point is a package and its exact assessment.
type point struct {
	x     []float64
	delta []float64
	min   float64
	total float64
	ok    bool // the package applies and meets the limits and tolerance
}

// Optimize chooses the candidates' levels that maximise the smallest change
// in security over all states, with no state losing more than the
// tolerance and every limit met; the total change breaks ties. Errors are
// EINVALID for candidates or limits that do not fit the scenario (naming
// the field) and for bad options.
func Optimize(ctx context.Context, sys *model.System, cs *Candidates, opts Options) (*Result, error) {
	pr, err := compile(sys, cs, opts)
	if err != nil {
		return nil, err
	}
	maxIter := opts.MaxIterations
	if maxIter == 0 {
		maxIter = 40
	}
	// The empty package and every candidate alone at its highest level:
	// the search starts from the best of them, so its result is never
	// worse.
	empty := pr.eval(slices.Clone(pr.lo))
	singles := make([]*point, pr.K)
	pr.parallel(pr.K, func(k int) {
		if pr.hi[k] > pr.lo[k] {
			x := slices.Clone(pr.lo)
			x[k] = pr.hi[k]
			singles[k] = pr.eval(x)
		}
	})
	best := empty
	bestSingle := -1
	for k, s := range singles {
		if s != nil && s.ok && (bestSingle < 0 || better(s, singles[bestSingle])) {
			bestSingle = k
		}
	}
	if bestSingle >= 0 && (!best.ok || better(singles[bestSingle], best)) {
		best = singles[bestSingle]
	}
	// A cancelled search still has an incumbent, as good as any package
	// seen: report it as interrupted.
	x, cert, iters, err := pr.search(ctx, best, maxIter)
	r := &Result{Title: cs.Title, Iterations: iters, Certificate: cert, Interrupted: err != nil}
	r.Package = indivisible.Proposal{Title: "optimised: " + cs.Title, Measures: cs.Package(x.x)}
	if r.Assessment, err = sys.Assess(context.WithoutCancel(ctx), &r.Package, pr.tol); err != nil {
		return nil, err
	}
	for k, c := range cs.Candidates {
		r.Levels = append(r.Levels, Level{Name: c.Name, Type: c.Measure.Type, Level: x.x[k], Binary: pr.binary[k]})
	}
	r.Outcome = outcome("optimised package", x)
	r.Empty = outcome("empty package", empty)
	r.BestSingle = r.Empty
	if bestSingle >= 0 {
		r.BestSingle = outcome(cs.Candidates[bestSingle].Name, singles[bestSingle])
	}
	r.Improvement.OverBestSingle = r.Outcome.Min - r.BestSingle.Min
	r.Improvement.OverEmpty = r.Outcome.Min - r.Empty.Min
	r.Evaluations = pr.evals
	return r, nil
}

func outcome(name string, p *point) Outcome {
	return Outcome{Name: name, Min: p.min, Total: p.total, Admissible: p.ok}
}

// better orders packages: an admissible one first, then by the smallest
// change, then by the total change.
func better(a, b *point) bool {
	if a.ok != b.ok {
		return a.ok
	}
	if a.min > b.min+epsMin {
		return true
	}
	return a.min >= b.min-epsMin && a.total > b.total+epsMin*float64(len(a.delta))
}

// compile checks the candidates and limits against the system.
func compile(sys *model.System, cs *Candidates, opts Options) (*problem, error) {
	if !(opts.Tolerance >= 0) || math.IsInf(opts.Tolerance, 0) {
		return nil, indivisible.Invalid("tolerance", "must be a non-negative number")
	}
	if opts.Workers < 0 || opts.MaxIterations < 0 {
		return nil, indivisible.Invalid("workers", "must not be negative")
	}
	if err := cs.Validate(); err != nil {
		return nil, err
	}
	pr := &problem{sys: sys, cs: cs, n: len(sys.Codes()), K: len(cs.Candidates), tol: opts.Tolerance, workers: opts.Workers}
	if pr.workers == 0 {
		pr.workers = runtime.GOMAXPROCS(0)
	}
	for k, c := range cs.Candidates {
		pr.lo = append(pr.lo, c.Levels[0])
		pr.hi = append(pr.hi, c.Levels[1])
		pr.binary = append(pr.binary, c.Binary())
		// Each candidate must apply alone at its highest level.
		if _, err := sys.After([]indivisible.Measure{c.Measure.Scaled(max(c.Levels[1], fdStep))}); err != nil {
			return nil, rename(err, "measures[0]", fmt.Sprintf("candidates[%d].measure", k), "measures", fmt.Sprintf("candidates[%d].measure", k))
		}
	}
	known := map[string]bool{}
	for _, c := range sys.Codes() {
		known[c] = true
	}
	for l, lim := range cs.Limits {
		field := fmt.Sprintf("limits[%d]", l)
		if !known[lim.State] {
			return nil, indivisible.Invalid(field+".state", "unknown state %q", lim.State)
		}
		cats := lim.Categories
		if len(cats) == 0 {
			cats = sys.Components()
		}
		for q, cat := range cats {
			if !slices.Contains(sys.Components(), cat) {
				return nil, indivisible.Invalid(fmt.Sprintf("%s.categories[%d]", field, q), "unknown category %q (one of %s)", cat, strings.Join(sys.Components(), ", "))
			}
			held, ok := sys.Holding(lim.State, cat)
			if !ok {
				continue
			}
			row := limitRow{state: lim.State, category: cat, a: make([]float64, pr.K), cap: lim.MaxReduction * held}
			any := false
			for k, c := range cs.Candidates {
				row.a[k] = reduction(&c.Measure, lim.State, cat)
				any = any || row.a[k] != 0
			}
			if any {
				pr.limits = append(pr.limits, row)
			}
		}
	}
	return pr, nil
}

// reduction is how much of a category a measure at level 1 takes from a
// state's holdings.
func reduction(m *indivisible.Measure, state, cat string) float64 {
	if m.Category != cat {
		return 0
	}
	switch {
	case m.Type == indivisible.MeasureHoldings && m.Actor == state && m.Change < 0:
		return -m.Change
	case m.Type == indivisible.MeasureTransfer && m.From == state:
		return m.Quantity
	}
	return 0
}

// eval assesses the package x exactly.
func (pr *problem) eval(x []float64) *point { return pr.evalPackage(x, pr.cs.Package(x)) }

// evalPackage assesses x, whose measures are ms.
func (pr *problem) evalPackage(x []float64, ms []indivisible.Measure) *point {
	pr.mu.Lock()
	pr.evals++
	pr.mu.Unlock()
	p := &point{x: x, min: math.Inf(-1), total: math.Inf(-1)}
	after, err := pr.sys.After(ms)
	if err != nil {
		return p
	}
	p.delta = make([]float64, pr.n)
	p.total = 0
	for i, b := range pr.sys.Before() {
		p.delta[i] = after[i] - b
		p.total += p.delta[i]
	}
	p.min = slices.Min(p.delta)
	p.ok = p.min >= -pr.tol && pr.withinLimits(x)
	return p
}

func (pr *problem) withinLimits(x []float64) bool {
	for _, l := range pr.limits {
		s := 0.0
		for k, a := range l.a {
			s += a * x[k]
		}
		if s > l.cap*(1+1e-12)+1e-9 {
			return false
		}
	}
	return true
}

// parallel runs f(0..n-1) on the workers.
func (pr *problem) parallel(n int, f func(int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(pr.workers, n) {
		wg.Go(func() {
			for k := range next {
				f(k)
			}
		})
	}
	for k := range n {
		next <- k
	}
	close(next)
	wg.Wait()
}

// jacobian returns the change of every state's security per unit level of
// each continuous candidate at x, column by column, by a forward (at the
// top of the range, backward) difference; nil for a candidate that is
// binary, fixed, or invalid when moved.
func (pr *problem) jacobian(at *point) [][]float64 {
	J := make([][]float64, pr.K)
	// The package at x, built once: each column replaces or adds one
	// measure in a copy of it (measures commute).
	base := pr.cs.Package(at.x)
	pos := make([]int, pr.K)
	p := 0
	for k := range pr.K {
		pos[k] = -1
		if at.x[k] > 0 {
			pos[k], p = p, p+1
		}
	}
	pr.parallel(pr.K, func(k int) {
		x := slices.Clone(at.x)
		switch {
		case pr.lo[k] == pr.hi[k] || pr.binary[k]:
			return
		case x[k]+fdStep <= pr.hi[k]:
			x[k] += fdStep
		case x[k]-fdStep >= pr.lo[k]:
			x[k] -= fdStep
		default:
			x[k] = pr.hi[k]
			if x[k] == at.x[k] {
				x[k] = pr.lo[k]
			}
		}
		ms := make([]indivisible.Measure, len(base), len(base)+1)
		copy(ms, base)
		switch m := pr.cs.Candidates[k].Measure.Scaled(x[k]); {
		case pos[k] >= 0:
			ms[pos[k]] = m
		default:
			ms = append(ms, m)
		}
		p := pr.evalPackage(x, ms)
		if p.delta == nil {
			return
		}
		h := x[k] - at.x[k]
		col := make([]float64, pr.n)
		for i := range col {
			col[i] = (p.delta[i] - at.delta[i]) / h
		}
		J[k] = col
	})
	return J
}

// column is one direction of the LP: candidate k moving up (dir +1) or
// down (dir -1) by at most room.
type column struct {
	k    int
	dir  float64
	room float64
}

// search is the sequential linear programming loop from start (docs/model.md,
// section 8): linearise, solve the LP within the trust region, accept the
// step only if the exact assessment is better; binary candidates move by
// exact flips when the continuous levels are stuck.
func (pr *problem) search(ctx context.Context, start *point, maxIter int) (*point, Certificate, int, error) {
	x := start
	r := startRadius
	var cert Certificate
	var J [][]float64
	var jx *point // the point J was taken at
	age, failed := 0, false
	iter := 0
	for iter < maxIter && ctx.Err() == nil {
		iter++
		// The Jacobian is re-taken when it is stale and either a step has
		// just failed or it has served lagSteps accepted steps: the
		// exact assessment guards every step, so a slightly old
		// linearisation costs only a shorter step.
		if jx != x && (J == nil || failed || age >= lagSteps) {
			J, jx, age = pr.jacobian(x), x, 0
		}
		next, c, gain := pr.step(x, J, r)
		cert = c
		var y *point
		if gain > gainTol {
			y = pr.eval(next)
		}
		failed = false
		switch {
		case y != nil && y.ok && better(y, x):
			x = y
			r = min(2*r, maxRadius)
			age++
			continue
		case jx != x:
			failed = true // first re-linearise at x
			continue
		case y != nil && r >= minRadius:
			r /= 4 // the linearisation overpromised: shrink
			if r >= minRadius {
				continue
			}
		}
		// No improving continuous step: try the binary candidates.
		f := pr.flips(x)
		if f == nil {
			break
		}
		x, r = f, startRadius
	}
	return x, cert, iter, ctx.Err()
}

// flips tries flipping each binary candidate of x exactly. It returns the
// package with every improving flip if that is better still, else the best
// single flip, or nil if no flip improves on x.
func (pr *problem) flips(x *point) *point {
	ys := make([]*point, pr.K)
	pr.parallel(pr.K, func(k int) {
		if pr.binary[k] && pr.lo[k] != pr.hi[k] {
			y := slices.Clone(x.x)
			y[k] = 1 - y[k]
			ys[k] = pr.eval(y)
		}
	})
	var best *point
	all := slices.Clone(x.x)
	improving := 0
	for k, y := range ys {
		if y != nil && y.ok && better(y, x) {
			improving++
			all[k] = y.x[k]
			if best == nil || better(y, best) {
				best = y
			}
		}
	}
	if improving > 1 {
		if y := pr.eval(all); y.ok && better(y, best) {
			return y
		}
	}
	return best
}

// step solves the linearised problem at x within the trust region
// Σ|Δx_k| ≤ r over the continuous candidates, and returns the new levels,
// the certificate and the LP's predicted rise of its objective.
func (pr *problem) step(x *point, J [][]float64, r float64) ([]float64, Certificate, float64) {
	n := pr.n
	tlow := min(-pr.tol, x.min)
	var cols []column
	for k := range pr.K {
		if J[k] == nil || pr.binary[k] {
			continue
		}
		if up := pr.hi[k] - x.x[k]; up > 0 {
			cols = append(cols, column{k, 1, up})
		}
		if down := x.x[k] - pr.lo[k]; down > 0 {
			cols = append(cols, column{k, -1, down})
		}
	}
	cert := Certificate{Radius: r, Participants: []Dual{}, Limits: []Dual{}}
	if len(cols) == 0 {
		return x.x, cert, 0
	}
	// Within the region state i's change moves by at most r·M_i, so only
	// the states that could end at the minimum need a row.
	M := make([]float64, n)
	for _, c := range cols {
		for i, v := range J[c.k] {
			M[i] = max(M[i], math.Abs(v))
		}
	}
	ceiling := math.Inf(1)
	for i := range n {
		ceiling = min(ceiling, x.delta[i]+r*M[i])
	}
	var rows []int
	for i := range n {
		if x.delta[i]-r*M[i] <= ceiling {
			rows = append(rows, i)
		}
	}
	// The simplex's cost grows with the columns too: start from the
	// directions that raise the least secure states (equal duals on the
	// states at the minimum), then price the rest with the LP's duals and
	// add those that would improve it.
	y := make([]float64, n)
	var atMin []int
	for i, d := range x.delta {
		if d <= x.min+epsMin {
			atMin = append(atMin, i)
		}
	}
	for _, i := range atMin {
		y[i] = 1 / float64(len(atMin))
	}
	ylim := make([]float64, len(pr.limits))
	price := func(c column) float64 {
		d := c.dir * tieBreak * floatsSum(J[c.k]) / float64(n)
		for i, v := range y {
			d += v * c.dir * J[c.k][i]
		}
		for l, v := range ylim {
			d -= v * c.dir * pr.limits[l].a[c.k]
		}
		return d
	}
	in := make([]bool, len(cols))
	addCols := func(limit int) int {
		var cand []int
		ds := make([]float64, len(cols))
		for j, c := range cols {
			if !in[j] {
				if ds[j] = price(c); ds[j] > 1e-14 {
					cand = append(cand, j)
				}
			}
		}
		slices.SortStableFunc(cand, func(a, b int) int { return cmp.Compare(ds[b], ds[a]) })
		for _, j := range cand[:min(limit, len(cand))] {
			in[j] = true
		}
		return min(limit, len(cand))
	}
	if addCols(firstCols+len(rows)) == 0 {
		// No direction prices in: the equal duals on the states at the
		// minimum are themselves an optimal dual solution (they price
		// every column out and their objective, the minimum, is reached at
		// Δx = 0).
		cert.Objective, cert.DualObjective, cert.Optimal = x.min-tlow, x.min-tlow, true
		codes := pr.sys.Codes()
		for _, i := range atMin {
			cert.Participants = append(cert.Participants, Dual{Code: codes[i], Value: y[i]})
		}
		return x.x, cert, 0
	}
	var sol *Solution
	var lpCols []column
	for round := 0; round < rounds; round++ {
		var cs []column
		for j, c := range cols {
			if in[j] {
				cs = append(cs, c)
			}
		}
		if len(cs) == 0 {
			break
		}
		prob := pr.buildLP(x, J, cs, rows, tlow, r)
		s, err := prob.Solve()
		if err != nil {
			break
		}
		sol, lpCols = s, cs
		cert = pr.certificate(s, prob, rows, r)
		clear(y)
		for a, i := range rows {
			y[i] = s.Y[a]
		}
		copy(ylim, s.Y[len(rows):])
		if addCols(moreCols) == 0 {
			break
		}
		cert.Optimal = false // some candidate outside the LP prices in
	}
	if sol == nil {
		return x.x, cert, 0
	}
	next := slices.Clone(x.x)
	for a, c := range lpCols {
		next[c.k] = min(max(next[c.k]+c.dir*sol.V[1+a], pr.lo[c.k]), pr.hi[c.k])
	}
	return next, cert, sol.Objective - (x.min - tlow)
}

// buildLP writes the linearised problem: variables s (the minimum's rise
// above tlow) and one per column,
//
//	maximise s + ε Σ_j dir_j mean_i(J_ij) v_j
//	s - Σ_j dir_j J_ij v_j ≤ Δ_i - tlow        (each state i in rows)
//	Σ_j dir_j a_lj v_j ≤ slack_l               (each limit l)
//	Σ_j v_j ≤ r                                (trust region)
//	v_j ≤ room_j                               (levels, where room_j < r)
func (pr *problem) buildLP(x *point, J [][]float64, cols []column, rows []int, tlow, r float64) *LP {
	var bounded []int
	for j, c := range cols {
		if c.room < r {
			bounded = append(bounded, j)
		}
	}
	nv := 1 + len(cols)
	m := len(rows) + len(pr.limits) + 1 + len(bounded)
	p := &LP{C: make([]float64, nv), G: make([]float64, m*nv), H: make([]float64, m)}
	p.C[0] = 1
	for j, c := range cols {
		p.C[1+j] = c.dir * tieBreak * floatsSum(J[c.k]) / float64(pr.n)
	}
	for a, i := range rows {
		p.G[a*nv] = 1
		for j, c := range cols {
			p.G[a*nv+1+j] = -c.dir * J[c.k][i]
		}
		p.H[a] = max(x.delta[i]-tlow, 0)
	}
	for l, lim := range pr.limits {
		a := len(rows) + l
		slack := lim.cap
		for k, v := range lim.a {
			slack -= v * x.x[k]
		}
		for j, c := range cols {
			p.G[a*nv+1+j] = c.dir * lim.a[c.k]
		}
		p.H[a] = max(slack, 0)
	}
	a := len(rows) + len(pr.limits)
	for j := range cols {
		p.G[a*nv+1+j] = 1
	}
	p.H[a] = r
	for b, j := range bounded {
		a := len(rows) + len(pr.limits) + 1 + b
		p.G[a*nv+1+j] = 1
		p.H[a] = cols[j].room
	}
	return p
}

// certificate reads the LP's duals as states and limits.
func (pr *problem) certificate(s *Solution, p *LP, rows []int, r float64) Certificate {
	c := Certificate{Radius: r, Objective: s.Objective, Participants: []Dual{}, Limits: []Dual{}}
	for i, y := range s.Y {
		c.DualObjective += y * p.H[i]
	}
	codes := pr.sys.Codes()
	for a, i := range rows {
		if s.Y[a] > 1e-12 {
			c.Participants = append(c.Participants, Dual{Code: codes[i], Value: s.Y[a]})
		}
	}
	for l, lim := range pr.limits {
		if v := s.Y[len(rows)+l]; v > 1e-12 {
			c.Limits = append(c.Limits, Dual{Code: lim.state, Category: lim.category, Value: v})
		}
	}
	slices.SortStableFunc(c.Participants, func(a, b Dual) int { return cmp.Compare(b.Value, a.Value) })
	c.Optimal = math.Abs(c.Objective-c.DualObjective) <= 1e-9*(1+math.Abs(c.Objective))
	return c
}

func floatsSum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}
