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

// evaluate applies the measures and computes the hazards and security.
func (sys *System) evaluate(measures []indivisible.Measure) (*outcome, error) {
	st, err := sys.apply(measures)
	if err != nil {
		return nil, err
	}
	return sys.outcome(st), nil
}

func (sys *System) outcome(st *state) *outcome {
	if !st.structural && st.odds == nil {
		// Nothing the model sees has changed: the baseline, bit for bit.
		return &outcome{p: sys.p0, sec: sys.sec0}
	}
	var out outcome
	x, geo := sys.x0, sys.geo0
	if st.structural {
		sys.forces(st)
		x = sys.design(st, nil)
	}
	for o, beta := range sys.estimates() {
		g := geo[o]
		if st.structural {
			g = sys.deploymentTerms(st, beta, nil)
		}
		out.p[o] = sys.hazards(x, g, beta, st.odds, nil)
		out.sec[o] = sys.security(out.p[o], nil)
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

// Changes writes every state's change in security under the measures into
// out (ordered as Codes): After minus Before.
func (sys *System) Changes(measures []indivisible.Measure, out []float64) error {
	o, err := sys.evaluate(measures)
	if err != nil {
		return err
	}
	for i, b := range sys.sec0[0] {
		out[i] = o.sec[0][i] - b
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
	before, after := sys.sec0[0], out.sec[0]
	delta := make([]float64, sys.n)
	loser := make([]bool, sys.n)
	for i, code := range sys.codes {
		delta[i] = after[i] - before[i]
		r.Participants = append(r.Participants, indivisible.ParticipantResult{Code: code, Name: sys.names[i],
			Before: before[i], After: after[i], Delta: delta[i],
			ForceBefore: sys.sec0[1][i], ForceAfter: out.sec[1][i]})
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
			res.ForceBefore *= sys.sec0[1][s]
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
				if inc := p[j*n+i] - sys.p0[0][j*n+i]; inc > 0 {
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
			HazardBefore: sys.p0[0][e.j*n+e.i], HazardAfter: p[e.j*n+e.i], Increase: e.inc, FromDelta: delta[e.j]}
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
