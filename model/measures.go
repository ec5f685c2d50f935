package model

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
)

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
	firstChange map[int]int
	firstDepCut map[[3]int]int
	firstDep    map[[3]int]int // the first measure to move forces there
	depq        map[[3]int]float64
	member      map[[2]int]bool  // (org, state) -> member after the proposal
	memberBy    map[[2]int]int   // which measure changed it
	cbm         map[int][]string // pair j*n+i -> the kinds of the CBMs binding it
	exercises   []exercise
}

// exercise is an exercise measure as the odds factors need it.
type exercise struct {
	actors              []int
	in                  []bool // by state: an actor
	host                int
	share               float64 // the exercise's forces as a share of the actors' own
	notified, observers bool
}

func (sys *System) apply(ms []indivisible.Measure) (*state, error) {
	a := &applier{sys: sys, st: &state{hold: sys.hold, deps: sys.deps, mask: sys.mask},
		firstCut: map[int]int{}, firstChange: map[int]int{}, firstDepCut: map[[3]int]int{}, firstDep: map[[3]int]int{}}
	for i := range ms {
		if err := a.measure(i, &ms[i]); err != nil {
			return nil, err
		}
	}
	if err := a.finish(); err != nil {
		return nil, err
	}
	a.st.structural = len(a.st.hold) > 0 && &a.st.hold[0] != &sys.hold[0] || a.depq != nil || a.member != nil
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
	if !(v > 0) || v > indivisible.MaxQuantity {
		return measureErr(i, field, "must be a positive number of at most %s, got %v", bound, v)
	}
	return nil
}

// bound is indivisible.MaxQuantity as the user reads it.
const bound = "1e9 (10⁹)"

// addHold changes a home stock; the first measure that cuts it is kept.
func (a *applier) addHold(i, state, comp int, delta float64) {
	if len(a.st.hold) > 0 && &a.st.hold[0] == &a.sys.hold[0] {
		a.st.hold = append([]float64(nil), a.sys.hold...)
	}
	k := state*a.sys.m + comp
	a.st.hold[k] += delta
	if _, ok := a.firstChange[k]; !ok {
		a.firstChange[k] = i
	}
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
	if _, ok := a.firstDep[k]; !ok {
		a.firstDep[k] = i
	}
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
		if !(math.Abs(m.Change) <= indivisible.MaxQuantity) {
			return measureErr(i, "change", "must be a number between -%s and %s, got %v", bound, bound, m.Change)
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
		if _, ok := sys.p.CBM[m.Kind]; !ok {
			return measureErr(i, "kind", "unknown kind %q (one of %s)", m.Kind, strings.Join(sortedKeys(sys.p.CBM), ", "))
		}
		actors, err := a.actors(i, m.Actors)
		if err != nil {
			return err
		}
		if a.cbm == nil {
			a.cbm = map[int][]string{}
		}
		for _, x := range actors {
			for _, y := range actors {
				if x != y {
					k := x*sys.n + y
					a.cbm[k] = append(a.cbm[k], m.Kind)
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
	// The forces are counted in the actors' own index units: over the
	// components some actor reports, as holdingsIndex counts them.
	force, wsum := 0.0, 0.0
	for c, w := range sys.w {
		for _, x := range actors {
			if !sys.missing[x*sys.m+c] && sys.total[c] != 0 {
				wsum += w
				break
			}
		}
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
		if !(q >= 0) || q > indivisible.MaxQuantity {
			return measureErr(i, field, "must be a non-negative number of at most %s, got %v", bound, q)
		}
		if sys.total[c] > 0 && wsum > 0 {
			force += sys.w[c] * q / sys.total[c] / wsum
		}
	}
	if force == 0 {
		return measureErr(i, "personnel", "an exercise needs forces in at least one category")
	}
	own := 0.0
	for _, x := range actors {
		own += sys.holdingsIndex(sys.hold, x)
	}
	share := 1.0 // actors that hold nothing exercise all they have
	if own > 0 {
		share = math.Min(force/own, 1)
	}
	in := make([]bool, sys.n)
	for _, x := range actors {
		in[x] = true
	}
	a.exercises = append(a.exercises, exercise{actors, in, host, share, m.Notified, m.Observers})
	return nil
}

// finish validates the net stocks and rebuilds what structural measures
// changed: commitments after joins and leaves, and the odds factors of
// CBMs and exercises.
func (a *applier) finish() error {
	sys := a.sys
	if len(a.st.hold) > 0 && &a.st.hold[0] != &sys.hold[0] {
		// Bounded changes can still add up to an unbounded stock.
		for k, v := range a.st.hold {
			if v > indivisible.MaxQuantity {
				i := a.firstChange[k]
				return measureErr(i, "change", "%s would hold %v %s after the proposal, above the bound of %s", sys.codes[k/sys.m], v, sys.comps[k%sys.m], bound)
			}
		}
	}
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
			if q > indivisible.MaxQuantity {
				return measureErr(a.firstDep[k], "quantity", "%s would have %v %s deployed in %s, above the bound of %s", sys.codes[k[0]], q, sys.comps[k[2]], sys.codes[k[1]], bound)
			}
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
	if a.member != nil {
		members := make([][]bool, len(sys.orgs))
		for k, join := range a.member {
			o, s := k[0], k[1]
			if members[o] == nil {
				members[o] = slices.Clone(sys.orgs[o].member)
			}
			members[o][s] = join
		}
		a.st.mask = sys.masks(members)
		a.st.members = members
	}
	if a.cbm == nil && len(a.exercises) == 0 {
		return nil
	}
	n := sys.n
	a.st.cbm, a.st.exercises = a.cbm, a.exercises
	a.st.odds = make([]float64, n*n)
	for k := range a.st.odds {
		a.st.odds[k] = 1
	}
	for k, kinds := range a.cbm {
		a.st.odds[k] *= sys.cbmFactor(kinds)
	}
	for e := range a.exercises {
		ex := &a.exercises[e]
		for i := range n {
			if ex.in[i] {
				continue
			}
			f := sys.exerciseFactor(ex, i)
			for _, x := range ex.actors {
				a.st.odds[x*n+i] *= f
			}
		}
	}
	return nil
}

// cbmFactor is the factor on the odds of a pair that the CBMs of kinds
// bind: Π (1 - ρ_kind) under the system's parameters. Every kind must be
// one the parameters know.
func (sys *System) cbmFactor(kinds []string) float64 {
	f := 1.0
	for _, k := range kinds {
		f *= 1 - sys.p.CBM[k]
	}
	return f
}

// exerciseFactor is the factor on the odds of the exercise's actors
// against a state i that is not one of them: 1 plus the intensity times
// the exercise's share of the actors' forces, discounted when it is
// notified or observed, decaying with the distance from the exercise area
// (the host) to i, 0 for the host itself and its land neighbours.
func (sys *System) exerciseFactor(ex *exercise, i int) float64 {
	n := sys.n
	disc := 1.0
	if ex.notified {
		disc *= 1 - sys.p.NotifiedDiscount
	}
	if ex.observers {
		disc *= 1 - sys.p.ObserverDiscount
	}
	d := sys.dist[ex.host*n+i]
	if i == ex.host || sys.land[ex.host*n+i] {
		d = 0
	}
	return 1 + sys.p.ExerciseIntensity*ex.share*disc*math.Exp(-d/sys.p.ExerciseRangeKm)
}
