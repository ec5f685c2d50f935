package model

import (
	"cmp"
	"context"
	"encoding/binary"
	"math"
	"slices"
	"sort"

	"github.com/indivisible-eurasia/indivisible"
)

// outcome is the result of a proposal: every state's security by
// outcome, and the MID hazards after it of the pairs it moves (when they
// were asked for).
type outcome struct {
	members [][]bool // memberships after, by organisation; nil where unchanged
	sec     [2][]float64
	moved   []int     // pairs, increasing
	p       []float64 // their MID hazards after
}

// change is what a proposal moves: the pairs whose hazards can differ
// from the baseline's (increasing); how much the capability feature of
// each state changes (nil if none does) and, for the rows pairRows (in
// increasing order), how much each of pairCols changes (len(pairCols)
// values each in pairD); the states whose deployment terms differ, and
// the odds factors.
type change struct {
	st       *state
	rows     []int
	dcap     []float64
	pairRows []int
	pairD    []float64
	owner    []int // by state: its index in owners, or -1
	owners   []int
}

// change finds what the state st moves.
func (sys *System) change(st *state) *change {
	n := sys.n
	ch := &change{st: st}
	if st.structural {
		sys.forces(st)
		// Pairs beyond the redesigned ones move with a deployment term
		// (which depends on the owner's bases and on how its capability
		// is split between home and abroad).
		b0 := sys.base
		for j := range n {
			if slices.Equal(st.bases[j], b0.bases[j]) && (len(st.bases[j]) == 0 || st.caps[j] == b0.caps[j] && st.home[j] == b0.home[j]) {
				continue
			}
			if ch.owner == nil {
				ch.owner = make([]int, n)
				for k := range ch.owner {
					ch.owner[k] = -1
				}
			}
			ch.owner[j] = len(ch.owners)
			ch.owners = append(ch.owners, j)
		}
	}
	// An odds factor moves a pair whatever its value: a Monte Carlo draw
	// may give it another.
	var odds []bool
	if st.cbm != nil || st.exercises != nil {
		odds = make([]bool, n*n)
		for ji := range st.cbm {
			odds[ji] = true
		}
		for e := range st.exercises {
			ex := &st.exercises[e]
			for _, x := range ex.actors {
				for i := range n {
					odds[x*n+i] = odds[x*n+i] || !ex.in[i]
				}
			}
		}
	}
	// Merge the redesigned pairs (increasing) with the others.
	var rowExtra []bool // by source: some pair from it moves beyond the redesigned
	if ch.owner != nil || odds != nil {
		rowExtra = make([]bool, n)
		for j := range n {
			rowExtra[j] = ch.owner != nil && ch.owner[j] >= 0 || odds != nil && slices.Contains(odds[j*n:j*n+n], true)
		}
	}
	next := 0
	extra := func(upto int) {
		for next < upto {
			j, i := next/n, next%n
			if !rowExtra[j] {
				next = min((j+1)*n, upto) // nothing more in this row
				continue
			}
			if i != j && (ch.owner != nil && ch.owner[j] >= 0 || odds != nil && odds[next]) {
				ch.rows = append(ch.rows, next)
			}
			next++
		}
	}
	if st.structural {
		ch.dcap = sys.redesign(st, func(rows int) {
			ch.rows = make([]int, 0, rows+len(ch.owners)*n)
		}, func(ji int, d []float64) {
			if rowExtra != nil {
				extra(ji)
			}
			if d != nil {
				ch.pairRows = append(ch.pairRows, len(ch.rows))
				ch.pairD = append(ch.pairD, d...)
			}
			ch.rows = append(ch.rows, ji)
			next = ji + 1
		})
	}
	if rowExtra != nil {
		extra(n * n)
	}
	return ch
}

// shifts returns the columns' changes of pair ji, whose pair columns
// change by pd (nil for none): the change of the source's and the
// target's capability features, then pd.
func (ch *change) shifts(ji, n int, pd []float64, out []float64) []float64 {
	out = out[:0]
	var from, to float64
	if ch.dcap != nil {
		from, to = ch.dcap[ji/n], ch.dcap[ji%n]
	}
	out = append(out, from, to)
	if pd == nil {
		for range pairCols {
			out = append(out, 0)
		}
		return out
	}
	return append(out, pd...)
}

// shift is the change of a pair's linear predictor under beta, before
// deployment terms, from its columns' changes (shifts).
func shift(d, beta []float64) float64 {
	s := 0.0
	if fromFitted {
		s += d[0] * beta[fCapFrom]
	}
	if toFitted {
		s += d[1] * beta[fCapTo]
	}
	for q, c := range pairCols {
		s += d[2+q] * beta[c]
	}
	return s
}

// pairShifts iterates over ch's rows with the changes of their pair
// columns (nil for none).
type pairShifts struct {
	ch *change
	p  int
}

func (it *pairShifts) at(r int) []float64 {
	ch, np := it.ch, len(pairCols)
	if it.p < len(ch.pairRows) && ch.pairRows[it.p] == r {
		it.p++
		return ch.pairD[(it.p-1)*np : it.p*np]
	}
	return nil
}

// changedMixtures returns the deployment factors under beta of the pairs
// from each of ch's owners after the proposal, n per owner.
func (sys *System) changedMixtures(ch *change, beta []float64) []float64 {
	if ch.owners == nil {
		return nil
	}
	mix := make([]float64, len(ch.owners)*sys.n)
	sys.ownerRows(ch.st, beta, ch.owners, mix)
	return mix
}

// mixShift is the ratio of pair ji's deployment factor after (given the
// owners' factors, changedMixtures) to its baseline's, 1 if it is not an
// owner's.
func (sys *System) mixShift(ch *change, mix []float64, b *baseline, ji int) float64 {
	n := sys.n
	j, i := ji/n, ji%n
	if mix == nil || ch.owner[j] < 0 {
		return 1
	}
	return mix[ch.owner[j]*n+i] / b.mixOf(ji)
}

// rescore returns one outcome's security after ch: the baseline's, with
// the moved pairs recomputed, and, if p is not nil, the moved pairs'
// hazards after, written into p. Security is 1/Π(1 + o), so each moved
// pair multiplies a target's by (1 + o_before)/(1 + o_after).
func (sys *System) rescore(ch *change, beta []float64, b *baseline, odds []float64, p []float64) []float64 {
	n := sys.n
	mix := sys.changedMixtures(ch, beta)
	ratio := make([]float64, n)
	for i := range ratio {
		ratio[i] = 1
	}
	it := pairShifts{ch: ch}
	ds := make([]float64, 0, 2+len(pairCols))
	for r, ji := range ch.rows {
		ds = ch.shifts(ji, n, it.at(r), ds)
		d := shift(ds, beta)
		f := 1.0
		if odds != nil {
			f = odds[ji]
		}
		o := sys.movedOdds(b, ji, d, fastExp(d), sys.mixShift(ch, mix, b, ji), f)
		if p != nil {
			p[r] = prob(o)
		}
		ratio[ji%n] *= (1 + b.odds[ji]) / (1 + o)
	}
	sec := make([]float64, n)
	for i, s := range b.sec {
		sec[i] = s * ratio[i]
	}
	return sec
}

// evaluate applies the measures and computes the security after them: of
// both outcomes with the MID hazards of the moved pairs when full, of the
// MID outcome only otherwise.
func (sys *System) evaluate(measures []indivisible.Measure, full bool) (*outcome, error) {
	st, err := sys.apply(measures)
	if err != nil {
		return nil, err
	}
	out := sys.outcome(st, full)
	out.members = st.members
	return out, nil
}

func (sys *System) outcome(st *state, full bool) *outcome {
	bs := [2]*baseline{sys.mid}
	if full {
		bs[1] = sys.forceBase()
	}
	if !st.structural && st.odds == nil {
		// Nothing the model sees has changed: the baseline, bit for bit.
		return &outcome{sec: [2][]float64{bs[0].sec, bs[1].secOrNil()}}
	}
	ch := sys.change(st)
	out := &outcome{moved: ch.rows}
	if full {
		out.p = make([]float64, len(ch.rows))
	}
	for o, beta := range sys.estimates() {
		if bs[o] == nil {
			continue
		}
		var p []float64
		if o == 0 {
			p = out.p
		}
		out.sec[o] = sys.rescore(ch, beta, bs[o], st.odds, p)
	}
	return out
}

func (b *baseline) secOrNil() []float64 {
	if b == nil {
		return nil
	}
	return b.sec
}

// Assess implements indivisible.Assessor.
func (sys *System) Assess(ctx context.Context, p *indivisible.Proposal, tolerance float64) (*indivisible.Assessment, error) {
	if !(tolerance >= 0) || math.IsInf(tolerance, 0) {
		return nil, indivisible.Invalid("tolerance", "must be a non-negative number")
	}
	out, err := sys.evaluate(p.Measures, true)
	if err != nil {
		return nil, err
	}
	// The measures' bounds keep every number finite; should the model
	// still produce NaN or infinity, no verdict is given on it.
	r := sys.report(p, out, tolerance)
	if err := r.CheckFinite(); err != nil {
		return nil, err
	}
	return r, nil
}

// After returns every state's security once the measures are applied,
// ordered as Codes. Measures commute: their order does not matter.
func (sys *System) After(measures []indivisible.Measure) ([]float64, error) {
	out, err := sys.evaluate(measures, false)
	if err != nil {
		return nil, err
	}
	return slices.Clone(out.sec[0]), nil
}

// Prepared is a proposal compiled once for many evaluations under
// different parameters (the Monte Carlo): the pairs whose hazard it can
// move, how their features change, which states' deployment terms it
// changes, and what its odds factors are made of. It is immutable and
// safe for concurrent use.
type Prepared struct {
	measures []indivisible.Measure
	w        []float64 // the component weights it was prepared under
	ch       *change
	// The moved pairs that share their feature changes share one group,
	// so that a draw takes one exponential per group: group[r] for row r,
	// and the changes of each group (as shifts gives them).
	group  []int
	gdelta []float64
	// cbm and exs give, for each row, the kinds of the CBMs and the
	// exercises (indices in ch.st.exercises) whose factors apply to it.
	cbm [][]string
	exs [][]int
}

// Prepare compiles the measures against sys. The error is EINVALID when
// a measure does not apply, naming it.
func (sys *System) Prepare(measures []indivisible.Measure) (*Prepared, error) {
	st, err := sys.apply(measures)
	if err != nil {
		return nil, err
	}
	n := sys.n
	ch := sys.change(st)
	pr := &Prepared{measures: measures, w: slices.Clone(sys.w), ch: ch, group: make([]int, len(ch.rows))}
	groups := map[string]int{}
	key := make([]byte, 0, 8*(2+len(pairCols)))
	it := pairShifts{ch: ch}
	var ds []float64
	for r, ji := range ch.rows {
		ds = ch.shifts(ji, n, it.at(r), ds)
		key = key[:0]
		for _, v := range ds {
			key = binary.LittleEndian.AppendUint64(key, math.Float64bits(v))
		}
		g, ok := groups[string(key)]
		if !ok {
			g = len(groups)
			groups[string(key)] = g
			pr.gdelta = append(pr.gdelta, ds...)
		}
		pr.group[r] = g
	}
	if st.odds != nil {
		pr.cbm, pr.exs = make([][]string, len(ch.rows)), make([][]int, len(ch.rows))
		for r, ji := range ch.rows {
			pr.cbm[r] = st.cbm[ji]
			for e := range st.exercises {
				ex := &st.exercises[e]
				if j, i := ji/n, ji%n; ex.in[j] && !ex.in[i] {
					pr.exs[r] = append(pr.exs[r], e)
				}
			}
		}
	}
	return pr, nil
}

// Changes writes every state's change in security under the prepared
// proposal into out (ordered as Codes): After minus Before. Only the
// pairs the proposal moves are recomputed, under sys's parameters, from
// sys's baseline odds, so a Monte Carlo draw costs the baseline's hazards
// and a few operations per moved pair (one exponential per group of pairs
// whose features change alike, and the deployment factors of the owners
// whose forces change). Its results are those of After, bit for bit.
func (sys *System) Changes(pr *Prepared, out []float64) error {
	b := sys.mid
	if !slices.Equal(pr.w, sys.w) {
		// Drawn component weights change every capability: the full path.
		o, err := sys.evaluate(pr.measures, false)
		if err != nil {
			return err
		}
		for i, s := range b.sec {
			out[i] = o.sec[0][i] - s
		}
		return nil
	}
	ch := pr.ch
	st := ch.st
	for _, kinds := range st.cbm {
		for _, k := range kinds {
			if _, ok := sys.p.CBM[k]; !ok {
				// The parameters lack a kind: the error apply gives.
				_, err := sys.apply(pr.measures)
				return err
			}
		}
	}
	n := sys.n
	beta := sys.coef.MID.Coef
	mix := sys.changedMixtures(ch, beta)
	w := 2 + len(pairCols)
	ng := len(pr.gdelta) / w
	gd := make([]float64, 2*ng)
	gd, ge := gd[:ng], gd[ng:]
	for g := range ng {
		d := shift(pr.gdelta[g*w:(g+1)*w], beta)
		gd[g], ge[g] = d, fastExp(d)
	}
	ratio := make([]float64, n)
	for i := range ratio {
		ratio[i] = 1
	}
	for r, ji := range ch.rows {
		g := pr.group[r]
		f := 1.0
		if pr.cbm != nil {
			if kinds := pr.cbm[r]; kinds != nil {
				f *= sys.cbmFactor(kinds)
			}
			for _, e := range pr.exs[r] {
				f *= sys.exerciseFactor(&st.exercises[e], ji%n)
			}
		}
		ratio[ji%n] *= (1 + b.odds[ji]) / (1 + sys.movedOdds(b, ji, gd[g], ge[g], sys.mixShift(ch, mix, b, ji), f))
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
	r.Expense = sys.expense(out, loser, delta)
	r.Organisations = []indivisible.ParticipantResult{}
	for k, o := range sys.orgs {
		memberAfter := o.member
		if out.members != nil && out.members[k] != nil {
			memberAfter = out.members[k]
		}
		if len(o.members) == 0 && !slices.Contains(memberAfter, true) {
			continue
		}
		// The organisation is secure when none of its members is targeted:
		// its members before the proposal, and after it.
		res := indivisible.ParticipantResult{Code: o.code, Name: o.code, Before: 1, After: 1, ForceBefore: 1, ForceAfter: 1}
		for _, s := range o.members {
			res.Before *= before[s]
			res.ForceBefore *= forceBefore[s]
		}
		for s, in := range memberAfter {
			if in {
				res.After *= after[s]
				res.ForceAfter *= out.sec[1][s]
			}
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
// more, and by how much. Only moved pairs can have risen.
func (sys *System) expense(out *outcome, loser []bool, delta []float64) []indivisible.ExpensePair {
	n := sys.n
	p0 := sys.mid.probs()
	type pair struct {
		ji, r int
		inc   float64
	}
	var pairs []pair
	for r, ji := range out.moved {
		if loser[ji%n] {
			if inc := out.p[r] - p0[ji]; inc > 0 {
				pairs = append(pairs, pair{ji, r, inc})
			}
		}
	}
	slices.SortStableFunc(pairs, func(x, y pair) int { return cmp.Compare(y.inc, x.inc) })
	res := make([]indivisible.ExpensePair, min(len(pairs), MaxExpensePairs))
	for k := range res {
		e := pairs[k]
		j, i := e.ji/n, e.ji%n
		res[k] = indivisible.ExpensePair{From: sys.codes[j], To: sys.codes[i],
			HazardBefore: p0[e.ji], HazardAfter: out.p[e.r], Increase: e.inc, FromDelta: delta[j]}
	}
	return res
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
