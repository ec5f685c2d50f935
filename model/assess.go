package model

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sort"

	"github.com/indivisible-eurasia/indivisible"
)

// outcome is the result of a proposal: hazards and security by outcome.
type outcome struct {
	p   [2][]float64
	sec [2][]float64
}

// change is what a proposal moves: the features after it, the pairs
// whose hazards can differ from the baseline's, and the states whose
// deployment terms differ.
type change struct {
	st     *state
	rows   []int
	xs     []float64 // the rows' features, row q for rows[q]
	owners []bool
}

// change finds what the state st moves.
func (sys *System) change(st *state) *change {
	n, k := sys.n, rowWidth
	ch := &change{st: st}
	var rows []int
	var xs []float64
	if st.structural {
		sys.forces(st)
		rows, xs = sys.redesign(st)
	}
	// Pairs beyond the redesigned ones move with a deployment term (which
	// depends on the owner's bases and on how its capability is split
	// between home and abroad) or an odds factor.
	extra := make([]bool, n*n)
	if st.structural {
		b0 := sys.base
		for j := range n {
			if slices.Equal(st.bases[j], b0.bases[j]) && (len(st.bases[j]) == 0 || st.caps[j] == b0.caps[j] && st.home[j] == b0.home[j]) {
				continue
			}
			if ch.owners == nil {
				ch.owners = make([]bool, n)
			}
			ch.owners[j] = true
			for i := range n {
				extra[j*n+i] = j != i
			}
		}
	}
	for ji, f := range st.odds {
		extra[ji] = extra[ji] || f != 1
	}
	for _, ji := range rows {
		extra[ji] = false
	}
	ch.rows, ch.xs = rows, xs
	for ji, e := range extra {
		if e {
			ch.rows = append(ch.rows, ji)
			ch.xs = append(ch.xs, sys.x0[ji*k:(ji+1)*k]...)
		}
	}
	return ch
}

// rescore returns one outcome's hazards and security after ch: the
// baseline's, with the moved pairs recomputed. Security is 1/Π(1 + o),
// so each moved pair multiplies a target's by (1 + o_before)/(1 + o_after).
func (sys *System) rescore(ch *change, beta []float64, b *baseline, odds []float64) (p, sec []float64) {
	n, k := sys.n, rowWidth
	geo := b.geo
	if ch.owners != nil {
		if geo = slices.Clone(b.geo); geo == nil {
			geo = make([]float64, n*n)
		}
		sys.ownerTerms(ch.st, beta, geo, ch.owners)
	}
	p = slices.Clone(b.p)
	ratio := make([]float64, n)
	for i := range ratio {
		ratio[i] = 1
	}
	for q, ji := range ch.rows {
		eta := linear(ch.xs[q*k:q*k+numFeatures], beta)
		if geo != nil {
			eta += geo[ji]
		}
		o := sys.odds1(ji, eta, odds)
		p[ji] = o / (1 + o)
		ratio[ji%n] *= (1 + b.odds[ji]) / (1 + o)
	}
	sec = make([]float64, n)
	for i, s := range b.sec {
		sec[i] = s * ratio[i]
	}
	return p, sec
}

// odds1 is the odds of pair ji with linear predictor eta, scaled by the
// expert dyad factors and a proposal's factors.
func (sys *System) odds1(ji int, eta float64, odds []float64) float64 {
	o := math.Exp(eta)
	if sys.odds != nil {
		o *= sys.odds[ji]
	}
	if odds != nil {
		o *= odds[ji]
	}
	return o
}

// evaluate applies the measures and computes the hazards and security.
func (sys *System) evaluate(measures []indivisible.Measure) (*outcome, error) {
	st, err := sys.apply(measures)
	if err != nil {
		return nil, err
	}
	return sys.outcome(st), nil
}

func (sys *System) outcome(st *state) *outcome {
	bs := sys.baselines()
	if !st.structural && st.odds == nil {
		// Nothing the model sees has changed: the baseline, bit for bit.
		return &outcome{p: [2][]float64{bs[0].p, bs[1].p}, sec: [2][]float64{bs[0].sec, bs[1].sec}}
	}
	ch := sys.change(st)
	var out outcome
	for o, beta := range sys.estimates() {
		out.p[o], out.sec[o] = sys.rescore(ch, beta, bs[o], st.odds)
	}
	return &out
}

// Assess implements indivisible.Assessor.
func (sys *System) Assess(ctx context.Context, p *indivisible.Proposal, tolerance float64) (*indivisible.Assessment, error) {
	if !(tolerance >= 0) || math.IsInf(tolerance, 0) {
		return nil, indivisible.Invalid("tolerance", "must be a non-negative number")
	}
	out, err := sys.evaluate(p.Measures)
	if err != nil {
		return nil, err
	}
	return sys.report(p, out, tolerance), nil
}

// After returns every state's security once the measures are applied,
// ordered as Codes. Measures commute: their order does not matter.
func (sys *System) After(measures []indivisible.Measure) ([]float64, error) {
	out, err := sys.evaluate(measures)
	if err != nil {
		return nil, err
	}
	return slices.Clone(out.sec[0]), nil
}

// Prepared is a proposal compiled once for many evaluations under
// different parameters (the Monte Carlo): for every pair whose hazard it
// can move, how its features change, and which states' deployment terms
// it changes. It is immutable and safe for concurrent use.
type Prepared struct {
	measures []indivisible.Measure
	w        []float64 // the component weights it was prepared under
	ch       *change
	rows     []movedRow
}

// movedRow is a pair whose hazard a proposal can move: the features that
// change, and by how much.
type movedRow struct {
	ji    int
	feats []int
	delta []float64
}

// Prepare compiles the measures against sys. The error is EINVALID when
// a measure does not apply, naming it.
func (sys *System) Prepare(measures []indivisible.Measure) (*Prepared, error) {
	st, err := sys.apply(measures)
	if err != nil {
		return nil, err
	}
	k := rowWidth
	pr := &Prepared{measures: measures, w: slices.Clone(sys.w), ch: sys.change(st)}
	for q, ji := range pr.ch.rows {
		r := movedRow{ji: ji}
		for f := range numFeatures {
			if d := pr.ch.xs[q*k+f] - sys.x0[ji*k+f]; d != 0 {
				r.feats = append(r.feats, f)
				r.delta = append(r.delta, d)
			}
		}
		pr.rows = append(pr.rows, r)
	}
	return pr, nil
}

// Changes writes every state's change in security under the prepared
// proposal into out (ordered as Codes): After minus Before. Only the
// pairs the proposal moves are recomputed, under sys's parameters, from
// sys's baseline linear predictors, so a Monte Carlo draw costs the
// baseline's hazards and a few terms per moved pair.
func (sys *System) Changes(pr *Prepared, out []float64) error {
	b := sys.mid
	if !slices.Equal(pr.w, sys.w) {
		// Drawn component weights change every capability: the full path.
		o, err := sys.evaluate(pr.measures)
		if err != nil {
			return err
		}
		for i, s := range b.sec {
			out[i] = o.sec[0][i] - s
		}
		return nil
	}
	n := sys.n
	beta := sys.coef.MID.Coef
	var odds []float64
	if pr.ch.st.odds != nil {
		// CBM and exercise factors depend on the parameters.
		st, err := sys.apply(pr.measures)
		if err != nil {
			return err
		}
		odds = st.odds
	}
	var geo []float64
	if pr.ch.owners != nil {
		if geo = slices.Clone(b.geo); geo == nil {
			geo = make([]float64, n*n)
		}
		sys.ownerTerms(pr.ch.st, beta, geo, pr.ch.owners)
	}
	ratio := make([]float64, n)
	for i := range ratio {
		ratio[i] = 1
	}
	for _, r := range pr.rows {
		ji := r.ji
		eta := b.eta[ji]
		for q, f := range r.feats {
			eta += r.delta[q] * beta[f]
		}
		if geo != nil {
			eta += geo[ji]
			if b.geo != nil {
				eta -= b.geo[ji]
			}
		}
		ratio[ji%n] *= (1 + b.odds[ji]) / (1 + sys.odds1(ji, eta, odds))
	}
	for i, s := range b.sec {
		out[i] = s*ratio[i] - s
	}
	return nil
}

// MaxExpensePairs bounds the "gain at the expense of" list.
const MaxExpensePairs = 10

// report builds the assessment from the outcome.
func (sys *System) report(p *indivisible.Proposal, out *outcome, tol float64) *indivisible.Assessment {
	r := &indivisible.Assessment{Title: p.Title, Scenario: sys.scenario, Year: sys.year, Tolerance: tol, Verdict: indivisible.Indivisible,
		Measures: p.Measures, Gainers: []string{}, Losers: []string{}, Participants: make([]indivisible.ParticipantResult, 0, sys.n)}
	if r.Measures == nil {
		r.Measures = []indivisible.Measure{}
	}
	before, after := sys.mid.sec, out.sec[0]
	forceBefore := sys.forceBase().sec
	delta := make([]float64, sys.n)
	loser := make([]bool, sys.n)
	for i, code := range sys.codes {
		delta[i] = after[i] - before[i]
		r.Participants = append(r.Participants, indivisible.ParticipantResult{Code: code, Name: sys.names[i],
			Before: before[i], After: after[i], Delta: delta[i],
			ForceBefore: forceBefore[i], ForceAfter: out.sec[1][i]})
		switch {
		case delta[i] < -tol:
			r.Losers = append(r.Losers, code)
			loser[i] = true
			r.Verdict = indivisible.Divisible
		case delta[i] > tol:
			r.Gainers = append(r.Gainers, code)
		}
	}
	r.Expense = sys.expense(out.p[0], loser, delta)
	r.Organisations = []indivisible.ParticipantResult{}
	for _, o := range sys.orgs {
		if len(o.members) == 0 {
			continue
		}
		// The organisation is secure when none of its members is targeted.
		res := indivisible.ParticipantResult{Code: o.code, Name: o.code, Before: 1, After: 1, ForceBefore: 1, ForceAfter: 1}
		for _, s := range o.members {
			res.Before *= before[s]
			res.After *= after[s]
			res.ForceBefore *= forceBefore[s]
			res.ForceAfter *= out.sec[1][s]
		}
		res.Delta = res.After - res.Before
		r.Organisations = append(r.Organisations, res)
	}
	r.Equality.Before = sys.equality(before)
	r.Equality.After = sys.equality(after)
	return r
}

// expense returns the pairs whose hazard the proposal raised most against
// a state that loses security beyond the tolerance: who now threatens whom
// more, and by how much.
func (sys *System) expense(p []float64, loser []bool, delta []float64) []indivisible.ExpensePair {
	n := sys.n
	type pair struct {
		j, i int
		inc  float64
	}
	var pairs []pair
	for j := range n {
		for i := range n {
			if i != j && loser[i] {
				if inc := p[j*n+i] - sys.mid.p[j*n+i]; inc > 0 {
					pairs = append(pairs, pair{j, i, inc})
				}
			}
		}
	}
	slices.SortStableFunc(pairs, func(x, y pair) int { return cmp.Compare(y.inc, x.inc) })
	out := make([]indivisible.ExpensePair, min(len(pairs), MaxExpensePairs))
	for k := range out {
		e := pairs[k]
		out[k] = indivisible.ExpensePair{From: sys.codes[e.j], To: sys.codes[e.i],
			HazardBefore: sys.mid.p[e.j*n+e.i], HazardAfter: p[e.j*n+e.i], Increase: e.inc, FromDelta: delta[e.j]}
	}
	return out
}

// equality returns the minimum, mean and Gini coefficient of security.
func (sys *System) equality(x []float64) indivisible.Equality {
	e := indivisible.Equality{Min: math.Inf(1)}
	for i, v := range x {
		if v < e.Min {
			e.Min, e.MinCode = v, sys.codes[i]
		}
		e.Mean += v
	}
	e.Mean /= float64(len(x))
	e.Gini = Gini(x)
	return e
}

// Gini is the Gini coefficient of non-negative values:
// G = Σ_i (2i - n - 1) x_(i) / (n Σ x) over the sorted values, i = 1..n.
func Gini(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := float64(len(s))
	num, sum := 0.0, 0.0
	for i, v := range s {
		num += (2*float64(i+1) - n - 1) * v
		sum += v
	}
	if sum == 0 {
		return 0
	}
	return num / (n * sum)
}
