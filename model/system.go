// Package model is the security model: the probability that each state
// initiates a militarized interstate dispute against each other state
// within a year, estimated from history (docs/model.md), and every state's
// security as the probability that no state does so. It is a pure function
// from a scenario, its parameters and a proposal to every state's security
// before and after.
package model

import (
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ir"
)

// System is a scenario compiled for fast, repeated assessment. It is
// immutable after Compile and safe for concurrent use.
type System struct {
	structure
	derived
}

// structure is what Compile takes from the scenario alone. Reparam shares
// it between systems that differ only in their parameters.
type structure struct {
	scenario string
	year     int
	n, m     int
	codes    []string // states, sorted by code
	names    []string
	idx      map[string]int
	comps    []string
	cidx     map[string]int
	compW    []float64 // the scenario's component weights
	total    []float64 // baseline system total per component
	hold     []float64 // n*m holdings, deployed forces included
	missing  []bool    // n*m
	deps     []deployment
	// cinc and mil are the scenario's capability records; has is false
	// for a state without one, whose capability is its holdings index.
	cinc, mil []float64
	has       []bool
	dist      []float64 // n*n km between capitals
	lnDist    []float64 // n*n ln(1 + km), the distance feature
	kern      []float64 // n*n coalition kernel exp(-d/CoalitionRangeKm), 1 for neighbours
	land, sea []bool    // n*n
	orgs      []organisation
	orgIdx    map[string]int
	bilat     []bilateral
	mask      []uint8 // n*n commitment types binding each pair, as bits
	// Pair evidence, n*n; affinity NaN where unknown. decay[j*n+i] is j's
	// decayed count of onsets against i.
	affinity []float64
	rivalry  []bool
	ongoing  []bool
	peace    []float64
	decay    []float64
	dem      []float64 // n, NaN where unknown
	major    []bool    // n
}

// derived is everything that depends on the parameters.
type derived struct {
	p     Params
	coef  *Coefficients
	w     []float64 // component weights
	scale []float64 // capability per unit of holdings index, by state
	odds  []float64 // n*n odds factors of Params.Dyads, nil if none
	base  *state
	x0    []float64 // design of the baseline, n*n rows of Columns
	cx    *compactDesign
	// mid is the baseline of the MID outcome; force that of the use of
	// force, computed on first use: the Monte Carlo never needs it.
	mid   *baseline
	force *lazyBaseline
}

// baseline is one outcome's baseline: the deployment factors e^G (see
// deploymentTerms), the linear predictors x·β (without the deployment
// terms), the odds of every pair (with the deployments and the expert dyad
// factors), and every state's security; the probabilities are computed on
// first use.
type baseline struct {
	mix, eta, odds []float64 // n*n; mix nil without deployments
	sec            []float64 // n
	prod           []float64 // hazards' scratch
	mixBuf         []float64 // mix's buffer, kept when mix is nil
	mixScratch     []float64 // deploymentTerms' scratch
	pOnce          *sync.Once
	p              []float64
}

// deploymentTerm is G of pair ji.
func (b *baseline) deploymentTerm(ji int) float64 {
	if b.mix == nil {
		return 0
	}
	return math.Log(b.mix[ji])
}

// mixOf is e^G of pair ji.
func (b *baseline) mixOf(ji int) float64 {
	if b.mix == nil {
		return 1
	}
	return b.mix[ji]
}

// probs returns the probability of every pair, p = o/(1 + o).
func (b *baseline) probs() []float64 {
	b.pOnce.Do(func() {
		b.p = resize(b.p, len(b.odds))
		for ji, o := range b.odds {
			b.p[ji] = prob(o)
		}
	})
	return b.p
}

// lazyBaseline is a baseline computed once on first use.
type lazyBaseline struct {
	once sync.Once
	b    *baseline
}

// newBaseline computes an outcome's baseline under beta, in the buffers
// of into when it is not nil.
func (sys *System) newBaseline(beta []float64, into *baseline) *baseline {
	b := into
	if b == nil {
		b = &baseline{}
	}
	mix := sys.deploymentTerms(sys.base, beta, b.mixBuf, &b.mixScratch)
	if mix != nil {
		b.mixBuf = mix
	}
	sys.hazards(mix, beta, b)
	b.pOnce = &sync.Once{}
	return b
}

// forceBase returns the baseline of the use-of-force outcome.
func (sys *System) forceBase() *baseline {
	f := sys.force
	f.once.Do(func() { f.b = sys.newBaseline(sys.coef.Force.Coef, nil) })
	return f.b
}

type deployment struct {
	owner, host, comp int
	q                 float64
}

type organisation struct {
	code    string
	member  []bool // by state index, role member only
	mask    uint8  // commitment types binding its members
	members []int
}

type bilateral struct {
	a, b int
	bit  uint8
}

// typeBit maps commitment types to bits of a pair's mask.
func typeBit(t indivisible.CommitmentType) uint8 {
	for i, x := range indivisible.CommitmentTypes {
		if x == t {
			return 1 << i
		}
	}
	return 0
}

// defenceBits are the commitment types that oblige a party to fight for
// the other: ATOP defence and offence pacts.
var defenceBits = typeBit(indivisible.Defence) | typeBit(indivisible.Offence)

// Compile validates p against s and precomputes everything that does not
// depend on a proposal, including the baseline security of every state.
func Compile(s *indivisible.Scenario, p Params) (*System, error) {
	return compile(s, p, true)
}

// Design compiles s under the default weights as far as the features: it
// returns the states' codes, ordered as Codes, and the baseline's design
// rows (as System.Design), without evaluating any coefficients. It is
// what calibration fits.
func Design(s *indivisible.Scenario) ([]string, []float64, error) {
	sys, err := compile(s, DefaultParams(), false)
	if err != nil {
		return nil, nil, err
	}
	return sys.codes, sys.x0, nil
}

func compile(s *indivisible.Scenario, p Params, hazards bool) (*System, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	sys := &System{structure: structure{scenario: s.Name, year: s.Year, idx: map[string]int{}, cidx: map[string]int{}, orgIdx: map[string]int{}}}
	var states []indivisible.Participant
	var orgs []string
	for _, pt := range s.Participants {
		if pt.Kind == indivisible.State {
			states = append(states, pt)
		} else {
			orgs = append(orgs, pt.Code)
		}
	}
	sort.Slice(states, func(i, j int) bool { return states[i].Code < states[j].Code })
	sort.Strings(orgs)
	n := len(states)
	sys.n = n
	for i, st := range states {
		sys.codes = append(sys.codes, st.Code)
		sys.names = append(sys.names, st.Name)
		sys.idx[st.Code] = i
	}
	for _, c := range s.Components {
		sys.cidx[c.Name] = len(sys.comps)
		sys.comps = append(sys.comps, c.Name)
		sys.compW = append(sys.compW, c.Weight)
	}
	m := len(sys.comps)
	sys.m = m
	sys.hold = make([]float64, n*m)
	sys.missing = make([]bool, n*m)
	sys.total = make([]float64, m)
	for _, h := range s.Holdings {
		i, ok1 := sys.idx[h.State]
		c, ok2 := sys.cidx[h.Component]
		if !ok1 || !ok2 {
			return nil, indivisible.Invalid("holdings", "%s/%s is not a state and component of the scenario", h.State, h.Component)
		}
		if math.IsNaN(h.Quantity) || math.IsInf(h.Quantity, 0) || h.Quantity < 0 {
			return nil, indivisible.Invalid("holdings", "%s/%s must be a finite, non-negative number", h.State, h.Component)
		}
		sys.hold[i*m+c] = h.Quantity
		sys.missing[i*m+c] = h.Missing
		sys.total[c] += h.Quantity
	}
	for _, d := range s.Deployments {
		o, ok1 := sys.idx[d.State]
		h, ok2 := sys.idx[d.Host]
		c, ok3 := sys.cidx[d.Component]
		if !ok1 || !ok2 || !ok3 {
			return nil, indivisible.Invalid("deployments", "%s in %s (%s) does not fit the scenario", d.State, d.Host, d.Component)
		}
		sys.deps = append(sys.deps, deployment{o, h, c, d.Quantity})
	}
	sys.geography(states, s.Contiguities)
	for _, code := range orgs {
		sys.orgIdx[code] = len(sys.orgs)
		sys.orgs = append(sys.orgs, organisation{code: code, member: make([]bool, n)})
	}
	for _, ms := range s.Memberships {
		o, ok1 := sys.orgIdx[ms.Organisation]
		i, ok2 := sys.idx[ms.State]
		if !ok1 || !ok2 {
			return nil, indivisible.Invalid("memberships", "%s in %s does not fit the scenario", ms.State, ms.Organisation)
		}
		if ms.Role == indivisible.Member {
			sys.orgs[o].member[i] = true
			sys.orgs[o].members = append(sys.orgs[o].members, i)
		}
	}
	for _, c := range s.Commitments {
		bit := typeBit(c.Type)
		if o, ok := sys.orgIdx[c.A]; ok && c.B == "" {
			sys.orgs[o].mask |= bit
			continue
		}
		a, ok1 := sys.idx[c.A]
		b, ok2 := sys.idx[c.B]
		if !ok1 || !ok2 || bit == 0 {
			return nil, indivisible.Invalid("commitments", "%s-%s (%s) does not fit the scenario", c.A, c.B, c.Type)
		}
		sys.bilat = append(sys.bilat, bilateral{a, b, bit})
	}
	sys.mask = sys.masks(nil)
	if err := sys.evidence(&s.Evidence); err != nil {
		return nil, err
	}
	if err := sys.parametrise(p, nil, hazards, nil); err != nil {
		return nil, err
	}
	return sys, nil
}

// masks returns the commitment types binding every pair, with members
// overriding the organisations' membership where it is not nil.
func (sys *System) masks(members [][]bool) []uint8 {
	n := sys.n
	mask := make([]uint8, n*n)
	for o, org := range sys.orgs {
		if org.mask == 0 {
			continue
		}
		mem := org.member
		if members != nil && members[o] != nil {
			mem = members[o]
		}
		var in []int
		for s, ok := range mem {
			if ok {
				in = append(in, s)
			}
		}
		for _, a := range in {
			for _, b := range in {
				if a != b {
					mask[a*n+b] |= org.mask
				}
			}
		}
	}
	for _, b := range sys.bilat {
		mask[b.a*n+b.b] |= b.bit
		mask[b.b*n+b.a] |= b.bit
	}
	return mask
}

// geography fills the distances, the coalition kernel and contiguity.
func (sys *System) geography(states []indivisible.Participant, water []indivisible.Contiguity) {
	n := sys.n
	sys.dist = make([]float64, n*n)
	sys.lnDist = make([]float64, n*n)
	sys.kern = make([]float64, n*n)
	sys.land = make([]bool, n*n)
	sys.sea = make([]bool, n*n)
	for a := 0; a < n; a++ {
		for _, b := range states[a].Borders {
			if k, ok := sys.idx[b]; ok {
				sys.land[a*n+k], sys.land[k*n+a] = true, true
			}
		}
	}
	for _, c := range water {
		a, ok1 := sys.idx[c.A]
		b, ok2 := sys.idx[c.B]
		if ok1 && ok2 && !sys.land[a*n+b] {
			sys.sea[a*n+b], sys.sea[b*n+a] = true, true
		}
	}
	for a := 0; a < n; a++ {
		sys.kern[a*n+a] = 1
		// Distances are symmetric: compute each pair once.
		for b := a + 1; b < n; b++ {
			d := ir.Distance(states[a].Lat, states[a].Lon, states[b].Lat, states[b].Lon)
			sys.dist[a*n+b], sys.dist[b*n+a] = d, d
			sys.lnDist[a*n+b], sys.lnDist[b*n+a] = math.Log1p(d), math.Log1p(d)
			k := 1.0
			if !sys.land[a*n+b] {
				k = math.Exp(-d / CoalitionRangeKm)
			}
			sys.kern[a*n+b], sys.kern[b*n+a] = k, k
		}
	}
}

// evidence reads the pairs' and states' evidence as of the scenario year.
func (sys *System) evidence(ev *indivisible.Evidence) error {
	n := sys.n
	sys.cinc, sys.mil, sys.has = make([]float64, n), make([]float64, n), make([]bool, n)
	for k, c := range ev.Capabilities {
		i, ok := sys.idx[c.State]
		if !ok {
			return indivisible.Invalid(fieldf("capabilities[%d].state", k), "unknown state %q", c.State)
		}
		if !(c.CINC >= 0 && c.CINC <= 1) || !(c.Military >= 0 && c.Military <= c.CINC) {
			return indivisible.Invalid(fieldf("capabilities[%d]", k), "%s: cinc must be in [0, 1] and military in [0, cinc]", c.State)
		}
		sys.cinc[i], sys.mil[i], sys.has[i] = c.CINC, c.Military, true
	}
	sys.dem = make([]float64, n)
	for i := range sys.dem {
		sys.dem[i] = math.NaN()
	}
	for _, r := range ev.Regimes {
		if i, ok := sys.idx[r.State]; ok {
			sys.dem[i] = r.Polyarchy
		}
	}
	sys.major = make([]bool, n)
	for _, mj := range ev.Majors {
		if i, ok := sys.idx[mj.State]; ok && (mj.Since == 0 || sys.year == 0 || mj.Since <= sys.year) {
			sys.major[i] = true
		}
	}
	sys.affinity = make([]float64, n*n)
	for k := range sys.affinity {
		sys.affinity[k] = math.NaN()
	}
	for _, a := range ev.Affinities {
		i, ok1 := sys.idx[a.A]
		j, ok2 := sys.idx[a.B]
		if ok1 && ok2 {
			sys.affinity[i*n+j], sys.affinity[j*n+i] = a.Agreement, a.Agreement
		}
	}
	sys.rivalry = make([]bool, n*n)
	for _, r := range ev.Rivalries {
		i, ok1 := sys.idx[r.A]
		j, ok2 := sys.idx[r.B]
		active := sys.year == 0 || r.Since <= sys.year && (r.Ended == 0 || r.Ended >= sys.year)
		if ok1 && ok2 && active {
			sys.rivalry[i*n+j], sys.rivalry[j*n+i] = true, true
		}
	}
	last := make([]int, n*n) // symmetric
	sys.decay = make([]float64, n*n)
	for _, h := range ev.Histories {
		i, ok1 := sys.idx[h.A]
		j, ok2 := sys.idx[h.B]
		if !ok1 || !ok2 {
			continue
		}
		if h.Through > sys.year && sys.year != 0 {
			return indivisible.Invalid("histories", "%s-%s is summarised through %d, after the scenario year %d", h.A, h.B, h.Through, sys.year)
		}
		age := math.Exp(-float64(sys.year-h.Through) / DecayYears)
		sys.decay[i*n+j] += h.DecayAB * age
		sys.decay[j*n+i] += h.DecayBA * age
		last[i*n+j] = max(last[i*n+j], h.Last)
		last[j*n+i] = last[i*n+j]
	}
	for _, d := range ev.Disputes {
		i, ok1 := sys.idx[d.A]
		j, ok2 := sys.idx[d.B]
		if !ok1 || !ok2 || d.Year > sys.year {
			continue
		}
		last[i*n+j] = max(last[i*n+j], d.Year)
		last[j*n+i] = last[i*n+j]
		if !d.Onset {
			continue
		}
		w := math.Exp(-float64(sys.year-d.Year) / DecayYears)
		if d.Initiated {
			sys.decay[i*n+j] += w
		} else {
			// Side unknown: half an onset each way.
			sys.decay[i*n+j] += w / 2
			sys.decay[j*n+i] += w / 2
		}
	}
	sys.ongoing = make([]bool, n*n)
	sys.peace = make([]float64, n*n)
	for k, l := range last {
		sys.ongoing[k] = l != 0 && l == sys.year
		sys.peace[k] = peaceYears(sys.year, l)
	}
	return nil
}

// parametrise computes everything that depends on the parameters. When
// from has the same component weights, its baseline forces and features
// are shared rather than recomputed: only the coefficients and the odds
// factors change the hazards.
//
// Without hazards it stops at the features, never reading coefficients.
//
// When ws is not nil, the dyad factors and the MID baseline are written
// into its buffers.
func (sys *System) parametrise(p Params, from *System, hazards bool, ws *Workspace) error {
	n, m := sys.n, sys.m
	sys.p = p
	sys.w = resize(sys.w, m)
	for c, name := range sys.comps {
		sys.w[c] = sys.compW[c]
		if o, ok := p.Weights[name]; ok {
			sys.w[c] = o
		}
	}
	for _, k := range sortedKeys(p.Weights) {
		if _, ok := sys.cidx[k]; !ok {
			return indivisible.Invalid("weights."+k, "unknown component")
		}
	}
	sys.odds = nil
	for k, d := range p.Dyads {
		a, ok1 := sys.idx[d.A]
		b, ok2 := sys.idx[d.B]
		if !ok1 || !ok2 || a == b {
			return indivisible.Invalid(fieldf("dyads[%d]", k), "%s-%s is not a pair of distinct states", d.A, d.B)
		}
		if sys.odds == nil {
			if ws != nil {
				ws.odds = resize(ws.odds, n*n)
				sys.odds = ws.odds
			} else {
				sys.odds = make([]float64, n*n)
			}
			for i := range sys.odds {
				sys.odds[i] = 1
			}
		}
		sys.odds[a*n+b], sys.odds[b*n+a] = d.Factor, d.Factor
	}
	if from != nil && slices.Equal(from.w, sys.w) {
		sys.scale, sys.base, sys.x0, sys.cx = from.scale, from.base, from.x0, from.cx
	} else {
		sys.scale = nil // never write a buffer that from shares
		sys.capScale()
		st := &state{hold: sys.hold, deps: sys.deps, mask: sys.mask}
		sys.base = st
		sys.forces(st)
		sys.x0 = sys.design(st)
		sys.cx = nil
	}
	if !hazards {
		return nil
	}
	if sys.cx == nil {
		sys.cx = compact(sys.x0, sys.n)
	}
	sys.coef = p.Coefficients
	if sys.coef == nil {
		sys.coef = DefaultCoefficients()
	}
	if from != nil && slices.Equal(from.w, sys.w) && from.coef == sys.coef && slices.Equal(from.p.Dyads, p.Dyads) {
		// Only the priors of measures without a historical record differ:
		// the baselines are from's.
		sys.mid, sys.force = from.mid, from.force
		return nil
	}
	var into *baseline
	if ws != nil {
		into = &ws.mid
	}
	sys.mid = sys.newBaseline(sys.coef.MID.Coef, into)
	sys.force = &lazyBaseline{}
	return nil
}

// estimates returns the coefficients of the two outcomes, MID first.
func (sys *System) estimates() [2][]float64 {
	return [2][]float64{sys.coef.MID.Coef, sys.coef.Force.Coef}
}

// capScale sets, for every state with a capability record, how much
// capability one unit of its holdings index carries: the military part of
// its CINC over its baseline holdings index. A state that holds nothing
// takes the system's ratio, so that arming it still counts.
func (sys *System) capScale() {
	sys.scale = resize(sys.scale, sys.n)
	idx := make([]float64, sys.n)
	num, den := 0.0, 0.0
	for i := range sys.n {
		idx[i] = sys.holdingsIndex(sys.hold, i)
		if sys.has[i] && idx[i] > 0 {
			num += sys.mil[i]
			den += idx[i]
		}
	}
	common := 1.0
	if den > 0 {
		common = num / den
	}
	for i := range sys.n {
		switch {
		case !sys.has[i]:
			sys.scale[i] = 1
		case idx[i] > 0:
			sys.scale[i] = sys.mil[i] / idx[i]
		default:
			sys.scale[i] = common
		}
	}
}

// holdingsIndex is state i's weighted mean, over the components it
// reports, of its holding as a share of the baseline system total (the
// CINC when the components are COW's and the weights equal).
func (sys *System) holdingsIndex(hold []float64, i int) float64 {
	num, den := 0.0, 0.0
	for c := 0; c < sys.m; c++ {
		if sys.missing[i*sys.m+c] || sys.total[c] == 0 {
			continue
		}
		num += sys.w[c] * hold[i*sys.m+c] / sys.total[c]
		den += sys.w[c]
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// share is q units of component c held by state i, in holdings-index
// units.
func (sys *System) share(i, c int, q float64) float64 {
	den := 0.0
	for k := 0; k < sys.m; k++ {
		if !sys.missing[i*sys.m+k] && sys.total[k] != 0 {
			den += sys.w[k]
		}
	}
	if den == 0 || sys.total[c] == 0 {
		return 0
	}
	return sys.w[c] * q / sys.total[c] / den
}

func resize(b []float64, n int) []float64 {
	if cap(b) >= n {
		return b[:n]
	}
	return make([]float64, n)
}

// Codes returns the states' codes in the order of Before.
func (sys *System) Codes() []string { return sys.codes }

// Names returns the states' names, ordered as Codes.
func (sys *System) Names() []string { return sys.names }

// Before returns the baseline security of every state (the probability
// that no state initiates a militarized dispute against it within a
// year), ordered as Codes.
func (sys *System) Before() []float64 { return sys.mid.sec }

// ForceBefore is Before for disputes in which force is used.
func (sys *System) ForceBefore() []float64 { return sys.forceBase().sec }

// Params returns the parameters the system was compiled with.
func (sys *System) Params() Params { return sys.p }

// Coefficients returns the coefficients the system uses.
func (sys *System) Coefficients() *Coefficients { return sys.coef }

// Year is the scenario's year: the evidence is as of its end, and the
// hazards are for the year after.
func (sys *System) Year() int { return sys.year }

// Components returns the scenario's capability components, in the order
// of the scenario file.
func (sys *System) Components() []string { return sys.comps }

// Holding returns a state's holding of a component, deployed forces
// included, and whether the scenario reports it.
func (sys *System) Holding(code, component string) (float64, bool) {
	i, ok1 := sys.idx[code]
	c, ok2 := sys.cidx[component]
	if !ok1 || !ok2 || sys.missing[i*sys.m+c] {
		return 0, false
	}
	return sys.hold[i*sys.m+c], true
}
