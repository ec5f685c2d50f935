package model

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
)

// state is what a proposal changes. Slices shared with the System are
// copied before they are written.
type state struct {
	hold       []float64
	deps       []deployment
	sigma, eta []float64
	threat     []float64 // temporary threat from exercises, per state
	mask       []uint8   // commitment types binding each pair; nil if unchanged
	// cbm lists, sorted, the pairs whose hostility CBMs scale, when eta
	// is the baseline's (no join or leave): copying n² values for a few
	// pairs would dominate the Monte Carlo.
	cbm []cbmPair
	// caps and bases, if set, are the forces of hold and deps.
	caps  []float64
	bases [][]base
}

func (sys *System) baseState() *state {
	return &state{hold: sys.hold, deps: sys.deps, sigma: sys.sigma, eta: sys.eta}
}

// security computes every state's security index into out:
//
//	sec_i = (S_i + κ) / (S_i + T_i + 2κ)
//	S_i   = P_ii + Σ_{j≠i} σ_ji P_ji
//	T_i   = Σ_{j≠i} η_ji P_ji + X_i
//
// where P_ji is j's capability projected at i from every base of j.
func (sys *System) security(st *state, out []float64) error {
	sup, thr, err := sys.sums(st)
	if err != nil {
		return err
	}
	sys.index(sup, thr, st.threat, out)
	return nil
}

// index turns support and threat into the security index.
func (sys *System) index(sup, thr, threat, out []float64) {
	k := sys.p.Baseline
	for i := range out {
		t := thr[i]
		if threat != nil {
			t += threat[i]
		}
		out[i] = (sup[i] + k) / (sup[i] + t + 2*k)
	}
}

// sums returns every state's support S_i and threat T_i (without
// exercises) from every state's forces at home and abroad (forces).
func (sys *System) sums(st *state) (sup, thr []float64, err error) {
	n := sys.n
	caps, bases := st.caps, st.bases
	if caps == nil {
		caps, bases = sys.forces(st.hold, st.deps)
	}
	buf := make([]float64, 3*n) // one allocation for the scratch space
	sup, thr, p := buf[:n], buf[n:2*n], buf[2*n:3*n]
	bdm := sys.expo != nil
	// p is j's power projected at every i. Filling it row by row keeps the
	// inner loops free of branches; σ_jj = η_jj = 0, so j's own power is
	// added to its support separately.
	c := 0 // next CBM pair, in the order of j
	for j := 0; j < n; j++ {
		cj := caps[j]
		if bdm && cj > 1 {
			return nil, nil, indivisible.Invalid("gradient", "the BdM discount needs capability shares of at most 1; %s has %.3g", sys.codes[j], cj)
		}
		row := j * n
		if bdm {
			for i := range p {
				p[i] = math.Pow(cj, sys.expo[row+i])
			}
			for _, b := range bases[j] {
				ex := sys.expo[b.host*n : b.host*n+n]
				for i := range p {
					p[i] += math.Pow(b.c, ex[i])
				}
			}
		} else {
			sys.project(cj, bases[j], j, p)
		}
		sig, eta := st.sigma[row:row+n], st.eta[row:row+n]
		for i := range p {
			sup[i] += sig[i] * p[i]
			thr[i] += eta[i] * p[i]
		}
		for ; c < len(st.cbm) && st.cbm[c].j == j; c++ {
			e := st.cbm[c]
			thr[e.i] += (e.f - 1) * eta[e.i] * p[e.i]
		}
		sup[j] += p[j]
	}
	return sup, thr, nil
}

// project writes into p the power of state j projected at every state
// under the exponential gradient: its capability cj at home and its bases.
func (sys *System) project(cj float64, bases []base, j int, p []float64) {
	n := sys.n
	g := sys.g[j*n : j*n+n]
	for i := range p {
		p[i] = cj * g[i]
	}
	for _, b := range bases {
		g := sys.g[b.host*n : b.host*n+n]
		for i := range p {
			p[i] += b.c * g[i]
		}
	}
}

// cbmPair says that CBMs scale the hostility of j toward i by f.
type cbmPair struct {
	j, i int
	f    float64
}

// hostility returns j's hostility toward i after the CBMs.
func (st *state) hostility(n, j, i int) float64 {
	h := st.eta[j*n+i]
	if k, ok := slices.BinarySearchFunc(st.cbm, [2]int{j, i}, func(c cbmPair, t [2]int) int {
		return cmp.Or(cmp.Compare(c.j, t[0]), cmp.Compare(c.i, t[1]))
	}); ok {
		h *= st.cbm[k].f
	}
	return h
}

// share is q units of component c held by state i, in capability units.
func (sys *System) share(i, c int, q float64) float64 {
	num, den := 0.0, 0.0
	for k := 0; k < sys.m; k++ {
		if sys.missing[i*sys.m+k] || sys.total[k] == 0 {
			continue
		}
		if k == c {
			num = sys.w[k] * q / sys.total[k]
		}
		den += sys.w[k]
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// Assess implements indivisible.Assessor.
func (sys *System) Assess(ctx context.Context, p *indivisible.Proposal, tolerance float64) (*indivisible.Assessment, error) {
	if !(tolerance >= 0) || math.IsInf(tolerance, 0) {
		return nil, indivisible.Invalid("tolerance", "must be a non-negative number")
	}
	after, err := sys.After(p.Measures)
	if err != nil {
		return nil, err
	}
	return sys.report(p.Title, after, tolerance), nil
}

// After returns every state's security once the measures are applied,
// ordered as Codes. Measures commute: their order does not matter.
func (sys *System) After(measures []indivisible.Measure) ([]float64, error) {
	st, err := sys.apply(measures)
	if err != nil {
		return nil, err
	}
	out := make([]float64, sys.n)
	return out, sys.security(st, out)
}

// measureErr names a measure's field.
func measureErr(i int, field, format string, args ...any) error {
	return indivisible.Invalid(fmt.Sprintf("measures[%d].%s", i, field), format, args...)
}

// applier applies measures to a copy-on-write state and validates the net
// result, so that the order of measures never matters.
type applier struct {
	sys *System
	st  *state
	// firstCut remembers the first measure that reduced a home stock
	// (key state*m+comp) or a deployment (key "owner host comp"), to name
	// it if the net result is negative.
	firstCut    map[int]int
	firstDepCut map[[3]int]int
	depq        map[[3]int]float64
	member      map[[2]int]bool // (org, state) -> member after the proposal
	memberBy    map[[2]int]int  // which measure changed it
	cbm         map[[2]int]float64
	exercises   []exercise
}

type exercise struct {
	actors   []int
	host     int
	force    float64
	discount float64
}

func (sys *System) apply(ms []indivisible.Measure) (*state, error) {
	a := &applier{sys: sys, st: &state{hold: sys.hold, deps: sys.deps, sigma: sys.sigma, eta: sys.eta},
		firstCut: map[int]int{}, firstDepCut: map[[3]int]int{}}
	for i := range ms {
		if err := a.measure(i, &ms[i]); err != nil {
			return nil, err
		}
	}
	if err := a.finish(); err != nil {
		return nil, err
	}
	return a.st, nil
}

func (a *applier) state(i int, field, code string) (int, error) {
	if code == "" {
		return 0, measureErr(i, field, "missing")
	}
	k, ok := a.sys.idx[code]
	if !ok {
		if _, org := a.sys.orgIdx[code]; org {
			return 0, measureErr(i, field, "%s is an organisation, not a state", code)
		}
		return 0, measureErr(i, field, "unknown participant %q", code)
	}
	return k, nil
}

func (a *applier) component(i int, field, name string, state int) (int, error) {
	c, ok := a.sys.cidx[name]
	if !ok {
		return 0, measureErr(i, field, "unknown category %q (one of %s)", name, strings.Join(a.sys.comps, ", "))
	}
	if a.sys.missing[state*a.sys.m+c] {
		return 0, measureErr(i, field, "%s is not reported for %s", name, a.sys.codes[state])
	}
	return c, nil
}

func positive(i int, field string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return measureErr(i, field, "must be a positive number, got %v", v)
	}
	return nil
}

// addHold changes a home stock; the first measure that cuts it is kept.
func (a *applier) addHold(i, state, comp int, delta float64) {
	if len(a.st.hold) > 0 && &a.st.hold[0] == &a.sys.hold[0] {
		a.st.hold = append([]float64(nil), a.sys.hold...)
	}
	k := state*a.sys.m + comp
	a.st.hold[k] += delta
	if _, ok := a.firstCut[k]; !ok && delta < 0 {
		a.firstCut[k] = i
	}
}

// addDeployed moves forces between home and a host.
func (a *applier) addDeployed(i, owner, host, comp int, delta float64) {
	if a.depq == nil {
		a.depq = map[[3]int]float64{}
		for _, d := range a.sys.deps {
			a.depq[[3]int{d.owner, d.host, d.comp}] += d.q
		}
	}
	k := [3]int{owner, host, comp}
	a.depq[k] += delta
	if _, ok := a.firstDepCut[k]; !ok && delta < 0 {
		a.firstDepCut[k] = i
	}
	// Deploying takes forces from home; withdrawing returns them.
	hk := owner*a.sys.m + comp
	if _, ok := a.firstCut[hk]; !ok && delta > 0 {
		a.firstCut[hk] = i
	}
}

func (a *applier) measure(i int, m *indivisible.Measure) error {
	sys := a.sys
	switch m.Type {
	case indivisible.MeasureHoldings:
		s, err := a.state(i, "actor", m.Actor)
		if err != nil {
			return err
		}
		c, err := a.component(i, "category", m.Category, s)
		if err != nil {
			return err
		}
		if math.IsNaN(m.Change) || math.IsInf(m.Change, 0) {
			return measureErr(i, "change", "must be a finite number")
		}
		a.addHold(i, s, c, m.Change)
	case indivisible.MeasureDeploy, indivisible.MeasureWithdraw:
		s, err := a.state(i, "actor", m.Actor)
		if err != nil {
			return err
		}
		h, err := a.state(i, "host", m.Host)
		if err != nil {
			return err
		}
		if h == s {
			return measureErr(i, "host", "a state cannot %s forces at home", m.Type)
		}
		c, err := a.component(i, "category", m.Category, s)
		if err != nil {
			return err
		}
		if err := positive(i, "quantity", m.Quantity); err != nil {
			return err
		}
		q := m.Quantity
		if m.Type == indivisible.MeasureWithdraw {
			q = -q
		}
		a.addDeployed(i, s, h, c, q)
	case indivisible.MeasureTransfer:
		from, err := a.state(i, "from", m.From)
		if err != nil {
			return err
		}
		to, err := a.state(i, "to", m.To)
		if err != nil {
			return err
		}
		if from == to {
			return measureErr(i, "to", "a transfer needs two different states")
		}
		c, err := a.component(i, "category", m.Category, from)
		if err != nil {
			return err
		}
		if _, err := a.component(i, "category", m.Category, to); err != nil {
			return err
		}
		if err := positive(i, "quantity", m.Quantity); err != nil {
			return err
		}
		a.addHold(i, from, c, -m.Quantity)
		a.addHold(i, to, c, m.Quantity)
	case indivisible.MeasureJoin, indivisible.MeasureLeave:
		s, err := a.state(i, "actor", m.Actor)
		if err != nil {
			return err
		}
		o, ok := sys.orgIdx[m.Organisation]
		if !ok {
			return measureErr(i, "organisation", "unknown organisation %q", m.Organisation)
		}
		k := [2]int{o, s}
		if a.member == nil {
			a.member, a.memberBy = map[[2]int]bool{}, map[[2]int]int{}
		}
		if prev, ok := a.memberBy[k]; ok {
			return measureErr(i, "organisation", "conflicts with measures[%d] for %s in %s", prev, m.Actor, m.Organisation)
		}
		join := m.Type == indivisible.MeasureJoin
		if sys.orgs[o].member[s] == join {
			if join {
				return measureErr(i, "organisation", "%s is already a member of %s", m.Actor, m.Organisation)
			}
			return measureErr(i, "organisation", "%s is not a member of %s", m.Actor, m.Organisation)
		}
		a.member[k], a.memberBy[k] = join, i
	case indivisible.MeasureExercise:
		return a.exercise(i, m)
	case indivisible.MeasureCBM:
		if len(m.Actors) < 2 {
			return measureErr(i, "actors", "a confidence-building measure needs at least two states")
		}
		rho, ok := sys.p.CBM[m.Kind]
		if !ok {
			return measureErr(i, "kind", "unknown kind %q (one of %s)", m.Kind, strings.Join(sortedKeys(sys.p.CBM), ", "))
		}
		actors, err := a.actors(i, m.Actors)
		if err != nil {
			return err
		}
		if a.cbm == nil {
			a.cbm = map[[2]int]float64{}
		}
		for _, x := range actors {
			for _, y := range actors {
				if x != y {
					k := [2]int{x, y}
					if _, ok := a.cbm[k]; !ok {
						a.cbm[k] = 1
					}
					a.cbm[k] *= 1 - rho
				}
			}
		}
	default:
		return measureErr(i, "type", "unknown measure type %q", m.Type)
	}
	return nil
}

func (a *applier) actors(i int, codes []string) ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for k, code := range codes {
		s, ok := a.sys.idx[code]
		if !ok { // the field name is built only for the error: this is hot
			_, err := a.state(i, fmt.Sprintf("actors[%d]", k), code)
			return nil, err
		}
		if seen[s] {
			return nil, measureErr(i, fmt.Sprintf("actors[%d]", k), "%s is listed twice", code)
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

func (a *applier) exercise(i int, m *indivisible.Measure) error {
	sys := a.sys
	if len(m.Actors) == 0 {
		return measureErr(i, "actors", "an exercise needs at least one state")
	}
	actors, err := a.actors(i, m.Actors)
	if err != nil {
		return err
	}
	host, err := a.state(i, "host", m.Host)
	if err != nil {
		return err
	}
	forces := m.ExerciseForces()
	force, wsum := 0.0, 0.0
	for _, w := range sys.w {
		wsum += w
	}
	for _, name := range sortedKeys(forces) {
		q := forces[name]
		field := name
		if _, ok := m.Forces[name]; ok {
			field = "forces." + name
		}
		c, ok := sys.cidx[name]
		if !ok {
			return measureErr(i, field, "not a component of this scenario (one of %s)", strings.Join(sys.comps, ", "))
		}
		if !(q >= 0) || math.IsInf(q, 0) {
			return measureErr(i, field, "must be a non-negative number, got %v", q)
		}
		if sys.total[c] > 0 && wsum > 0 {
			force += sys.w[c] * q / sys.total[c] / wsum
		}
	}
	if force == 0 {
		return measureErr(i, "personnel", "an exercise needs forces in at least one category")
	}
	disc := 1.0
	if m.Notified {
		disc *= 1 - sys.p.NotifiedDiscount
	}
	if m.Observers {
		disc *= 1 - sys.p.ObserverDiscount
	}
	a.exercises = append(a.exercises, exercise{actors, host, force * sys.p.ExerciseIntensity, disc})
	return nil
}

// finish validates the net stocks and rebuilds what structural measures
// changed: commitments after joins and leaves, hostility after CBMs, and
// the temporary threat of exercises.
func (a *applier) finish() error {
	sys := a.sys
	if a.depq != nil {
		a.st.deps = a.st.deps[:0:0]
		keys := make([][3]int, 0, len(a.depq))
		for k := range a.depq {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(x, y int) bool {
			kx, ky := keys[x], keys[y]
			if kx[0] != ky[0] {
				return kx[0] < ky[0]
			}
			if kx[1] != ky[1] {
				return kx[1] < ky[1]
			}
			return kx[2] < ky[2]
		})
		for _, k := range keys {
			q := a.depq[k]
			if q < -1e-9 {
				i := a.firstDepCut[k]
				return measureErr(i, "quantity", "withdraws more %s from %s than %s has deployed there", sys.comps[k[2]], sys.codes[k[1]], sys.codes[k[0]])
			}
			if q > 1e-9 {
				a.st.deps = append(a.st.deps, deployment{k[0], k[1], k[2], q})
			}
		}
	}
	deployed := map[int]float64{}
	for _, d := range a.st.deps {
		deployed[d.owner*sys.m+d.comp] += d.q
	}
	cuts := make([]int, 0, len(a.firstCut))
	for k := range a.firstCut {
		cuts = append(cuts, k)
	}
	sort.Ints(cuts)
	for _, k := range cuts {
		if a.st.hold[k]-deployed[k] < -1e-9 {
			i := a.firstCut[k]
			s, c := k/sys.m, k%sys.m
			return measureErr(i, "quantity", "%s would have %v %s at home after the proposal", sys.codes[s], a.st.hold[k]-deployed[k], sys.comps[c])
		}
	}
	if a.member != nil || a.cbm != nil {
		a.rebuildPairs()
	}
	if len(a.exercises) > 0 {
		n := sys.n
		a.st.threat = make([]float64, n)
		for _, ex := range a.exercises {
			in := make([]bool, n)
			for _, x := range ex.actors {
				in[x] = true
			}
			for i := 0; i < n; i++ {
				if in[i] {
					continue
				}
				h := 0.0
				for _, x := range ex.actors {
					h += a.st.hostility(n, x, i)
				}
				h /= float64(len(ex.actors))
				a.st.threat[i] += h * ex.force * ex.discount * sys.g[ex.host*n+i]
			}
		}
	}
	return nil
}

// rebuildPairs recomputes support and hostility after joins, leaves and
// CBMs. Only the rows of states whose commitments changed are recomputed,
// except under S-score alignment, where a changed portfolio moves the S
// score of every pair.
func (a *applier) rebuildPairs() {
	sys := a.sys
	n := sys.n
	mask := sys.mask
	touched := make([]bool, n)
	if a.member != nil {
		mask = append([]uint8(nil), sys.mask...)
		members := make([][]bool, len(sys.orgs))
		for k, join := range a.member {
			o, s := k[0], k[1]
			if members[o] == nil {
				members[o] = append([]bool(nil), sys.orgs[o].member...)
			}
			members[o][s] = join
			touched[s] = true
		}
		for s := 0; s < n; s++ {
			if !touched[s] {
				continue
			}
			for j := 0; j < n; j++ {
				if j == s {
					continue
				}
				var mk uint8
				for o := range sys.orgs {
					mem := sys.orgs[o].member
					if members[o] != nil {
						mem = members[o]
					}
					if mem[s] && mem[j] {
						mk |= sys.orgs[o].mask
					}
				}
				for _, b := range sys.bilat {
					if b.a == s && b.b == j || b.a == j && b.b == s {
						mk |= b.bit
					}
				}
				mask[s*n+j], mask[j*n+s] = mk, mk
			}
		}
	}
	// CBMs change hostility only: support is copied only when
	// commitments change.
	if a.member != nil {
		a.st.sigma = append([]float64(nil), sys.sigma...)
		a.st.mask = mask
	}
	if a.member == nil {
		// CBMs alone: eta stays the baseline's, and the pairs say what
		// changes.
		for k, f := range a.cbm {
			a.st.cbm = append(a.st.cbm, cbmPair{k[0], k[1], f})
		}
		slices.SortFunc(a.st.cbm, func(x, y cbmPair) int { return cmp.Or(cmp.Compare(x.j, y.j), cmp.Compare(x.i, y.i)) })
		return
	}
	a.st.eta = append([]float64(nil), sys.eta...)
	if sys.dist1 != nil {
		// Under S-score alignment a changed portfolio moves every pair.
		dist1 := sys.portfolioDistances(mask)
		for j := 0; j < n; j++ {
			for i := 0; i < n; i++ {
				if i != j {
					a.st.sigma[j*n+i], a.st.eta[j*n+i] = sys.pair(j, i, mask[j*n+i], dist1)
				}
			}
		}
	} else {
		for s := 0; s < n; s++ {
			if !touched[s] {
				continue
			}
			for j := 0; j < n; j++ {
				if j != s {
					a.st.sigma[j*n+s], a.st.eta[j*n+s] = sys.pair(j, s, mask[j*n+s], sys.dist1)
					a.st.sigma[s*n+j], a.st.eta[s*n+j] = sys.pair(s, j, mask[s*n+j], sys.dist1)
				}
			}
		}
	}
	for k, f := range a.cbm {
		a.st.eta[k[0]*n+k[1]] *= f
	}
}

// report builds the assessment from the security before and after.
func (sys *System) report(title string, after []float64, tol float64) *indivisible.Assessment {
	r := &indivisible.Assessment{Title: title, Scenario: sys.scenario, Tolerance: tol, Verdict: indivisible.Indivisible,
		Gainers: []string{}, Losers: []string{}, Participants: make([]indivisible.ParticipantResult, 0, sys.n)}
	delta := make([]float64, sys.n)
	var gainers, losers []int
	for i, code := range sys.codes {
		delta[i] = after[i] - sys.before[i]
		r.Participants = append(r.Participants, indivisible.ParticipantResult{Code: code, Name: sys.names[i], Before: sys.before[i], After: after[i], Delta: delta[i]})
		switch {
		case delta[i] < -tol:
			r.Losers = append(r.Losers, code)
			losers = append(losers, i)
			r.Verdict = indivisible.Divisible
		case delta[i] > tol:
			r.Gainers = append(r.Gainers, code)
			gainers = append(gainers, i)
		}
	}
	r.Expense = sys.expense(gainers, losers, delta)
	r.Organisations = []indivisible.ParticipantResult{}
	for _, o := range sys.orgs {
		if len(o.members) == 0 {
			continue
		}
		var b, af float64
		for _, s := range o.members {
			b += sys.before[s]
			af += after[s]
		}
		k := float64(len(o.members))
		r.Organisations = append(r.Organisations, indivisible.ParticipantResult{Code: o.code, Name: o.code, Before: b / k, After: af / k, Delta: (af - b) / k})
	}
	r.Equality.Before = sys.equality(sys.before)
	r.Equality.After = sys.equality(after)
	return r
}

// expense returns the MaxExpensePairs largest "gain at the expense of"
// pairs, largest amount first. Only the top gainers and top losers can
// form them: a pair with a gainer outside the top K is matched by K pairs
// of better gainers with the same loser, each with at least its amount.
func (sys *System) expense(gainers, losers []int, delta []float64) []indivisible.ExpensePair {
	top := func(idx []int, sign float64) []int {
		slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(sign*delta[y], sign*delta[x]) })
		return idx[:min(len(idx), MaxExpensePairs)]
	}
	type pair struct {
		g, l   int
		amount float64
	}
	gs, ls := top(gainers, 1), top(losers, -1)
	pairs := make([]pair, 0, len(gs)*len(ls))
	for _, g := range gs {
		for _, l := range ls {
			pairs = append(pairs, pair{g, l, min(delta[g], -delta[l])})
		}
	}
	slices.SortStableFunc(pairs, func(x, y pair) int { return cmp.Compare(y.amount, x.amount) })
	out := make([]indivisible.ExpensePair, min(len(pairs), MaxExpensePairs))
	for k := range out {
		p := pairs[k]
		out[k] = indivisible.ExpensePair{Gainer: sys.codes[p.g], Loser: sys.codes[p.l], Gain: delta[p.g], Loss: -delta[p.l], Amount: p.amount}
	}
	return out
}

// MaxExpensePairs bounds the "gain at the expense of" list.
const MaxExpensePairs = 10

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
