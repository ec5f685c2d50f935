// Package model is the security model: pure functions from a scenario, its
// parameters and a proposal to every state's security before and after.
// docs/model.md gives the equations and their sources.
package model

import (
	"fmt"
	"math"
	"sort"

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
	dist     []float64 // n*n km between capitals; 0 for oneself and neighbours
	orgs     []organisation
	orgIdx   map[string]int
	bilat    []bilateral
	mask     []uint8 // n*n commitment types binding each pair, as bits
}

// derived is everything that depends on the parameters.
type derived struct {
	p    Params
	w    []float64 // component weights
	g    []float64 // n*n gradient from base k to target i (exponential)
	expo []float64 // n*n BdM exponent from base k to target i
	// supTab and hostTab give the support weight and hostility factor of
	// every combination of commitment types, so the inner loops need no
	// map lookups.
	supTab, hostTab [1 << 8]float64
	dyad            map[[2]int]float64
	sw              []float64 // S-score weights
	swSum           float64
	dist1           []float64 // n*n weighted L1 distance of tie portfolios (sscore)
	sigma           []float64 // n*n support weight of j's power for i, at j*n+i
	eta             []float64 // n*n hostility of j toward i, at j*n+i
	before          []float64
	// The baseline's forces, support and threat, which Changes updates.
	cap0       []float64
	bases0     [][]base
	sup0, thr0 []float64
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

// Compile validates p against s and precomputes everything that does not
// depend on a proposal, including the baseline security of every state.
func Compile(s *indivisible.Scenario, p Params) (*System, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	sys := &System{structure: structure{scenario: s.Name, idx: map[string]int{}, cidx: map[string]int{}, orgIdx: map[string]int{}}}
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
	sys.distances(states)
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
	sys.mask = make([]uint8, n*n)
	for _, o := range sys.orgs {
		if o.mask == 0 {
			continue
		}
		for _, a := range o.members {
			for _, b := range o.members {
				if a != b {
					sys.mask[a*n+b] |= o.mask
				}
			}
		}
	}
	for _, b := range sys.bilat {
		sys.mask[b.a*n+b.b] |= b.bit
		sys.mask[b.b*n+b.a] |= b.bit
	}
	if err := sys.parametrise(p); err != nil {
		return nil, err
	}
	return sys, nil
}

// parametrise computes everything that depends on the parameters, reusing
// the buffers sys already has (see Reparam).
func (sys *System) parametrise(p Params) error {
	n, m := sys.n, sys.m
	sys.p = p
	sys.w = resize(sys.w, m)
	for c, name := range sys.comps {
		sys.w[c] = sys.compW[c]
		if o, ok := p.Weights[name]; ok {
			sys.w[c] = o
		}
	}
	if len(p.Weights) > 0 {
		for _, k := range sortedKeys(p.Weights) {
			if _, ok := sys.cidx[k]; !ok {
				return indivisible.Invalid("weights."+k, "unknown component")
			}
		}
	}
	sys.gradients()
	sys.tables()
	if sys.dyad == nil {
		sys.dyad = map[[2]int]float64{}
	}
	clear(sys.dyad)
	for k, d := range p.Dyads {
		a, ok1 := sys.idx[d.A]
		b, ok2 := sys.idx[d.B]
		if !ok1 || !ok2 || a == b {
			return indivisible.Invalid(fmt.Sprintf("dyads[%d]", k), "%s-%s is not a pair of distinct states", d.A, d.B)
		}
		sys.dyad[[2]int{a, b}] = d.Factor
		sys.dyad[[2]int{b, a}] = d.Factor
	}
	sys.sw = resize(sys.sw, n)
	sys.swSum = 0
	for i := range sys.sw {
		sys.sw[i] = 1
		if p.SWeighting == SCapability {
			sys.sw[i] = sys.capability(sys.hold, i)
		}
		sys.swSum += sys.sw[i]
	}
	sys.dist1 = nil
	if p.Alignment == AlignmentSScore {
		sys.dist1 = sys.portfolioDistances(sys.mask)
	}
	sys.sigma = resize(sys.sigma, n*n)
	sys.eta = resize(sys.eta, n*n)
	if sys.dist1 == nil && len(sys.dyad) == 0 {
		// The common case, which Reparam runs per Monte Carlo draw: the
		// tables alone decide.
		for k, mk := range sys.mask {
			sys.sigma[k], sys.eta[k] = sys.supTab[mk], sys.hostTab[mk]
		}
	} else {
		for j := 0; j < n; j++ {
			for i := 0; i < n; i++ {
				if i != j {
					sys.sigma[j*n+i], sys.eta[j*n+i] = sys.pair(j, i, sys.mask[j*n+i], sys.dist1)
				}
			}
		}
	}
	for j := 0; j < n; j++ {
		sys.sigma[j*n+j], sys.eta[j*n+j] = 0, 0 // no pair with oneself
	}
	sys.before = resize(sys.before, n)
	sys.cap0, sys.bases0 = sys.forces(sys.hold, sys.deps)
	st := sys.baseState()
	st.caps, st.bases = sys.cap0, sys.bases0
	sup, thr, err := sys.sums(st)
	if err != nil {
		return err
	}
	sys.sup0, sys.thr0 = sup, thr
	sys.index(sup, thr, nil, sys.before)
	return nil
}

// resize returns a slice of length n, reusing b's array when it is large
// enough. Callers overwrite every element.
func resize(b []float64, n int) []float64 {
	if cap(b) >= n {
		return b[:n]
	}
	return make([]float64, n)
}

// distances fills the distance matrix. Distances run between capitals;
// states sharing a land border, and a state with itself, are at distance 0.
func (sys *System) distances(states []indivisible.Participant) {
	n := sys.n
	sys.dist = make([]float64, n*n)
	for a := 0; a < n; a++ {
		borders := map[string]bool{}
		for _, b := range states[a].Borders {
			borders[b] = true
		}
		// Distances are symmetric: compute each pair once.
		for b := a + 1; b < n; b++ {
			if !borders[states[b].Code] {
				d := ir.Distance(states[a].Lat, states[a].Lon, states[b].Lat, states[b].Lon)
				sys.dist[a*n+b], sys.dist[b*n+a] = d, d
			}
		}
	}
}

// gradients fills the gradient matrices from the distances. The Monte
// Carlo runs this for every draw, so the exponential loop is kept tight:
// one multiplication by -1/λ instead of a division, and each pair once.
func (sys *System) gradients() {
	n := sys.n
	sys.g = resize(sys.g, n*n)
	scale := -1 / sys.p.LambdaKm
	for a := 0; a < n; a++ {
		row, g := sys.dist[a*n:a*n+n], sys.g[a*n:a*n+n]
		g[a] = 1
		for b := a + 1; b < n; b++ {
			v := 1.0 // exp(-0): neighbours are common
			if d := row[b]; d != 0 {
				v = math.Exp(d * scale)
			}
			g[b], sys.g[b*n+a] = v, v
		}
	}
	sys.expo = nil
	if sys.p.Gradient == GradientBdM {
		sys.expo = make([]float64, n*n)
		for k, d := range sys.dist {
			sys.expo[k] = bdmExponent(d, sys.p.MilesPerDay)
		}
	}
}

// bdmExponent is Bueno de Mesquita's (1981) distance exponent.
func bdmExponent(km, milesPerDay float64) float64 {
	const kmPerMile = 1.609344
	return math.Log10(km/kmPerMile/milesPerDay + 10 - math.E)
}

// pair returns the support weight of j's power for i and j's hostility
// toward i, given the commitment types binding them.
func (sys *System) pair(j, i int, mask uint8, dist1 []float64) (sigma, eta float64) {
	sigma, eta = sys.supTab[mask], sys.hostTab[mask]
	if dist1 != nil {
		eta *= (1 - sys.sscore(dist1, j, i)) / 2
	}
	if len(sys.dyad) > 0 {
		if f, ok := sys.dyad[[2]int{j, i}]; ok {
			eta *= f
		}
	}
	return sigma, eta
}

// tables fills supTab and hostTab: a pair bound by several commitments gets
// the strongest support and the lowest hostility among them.
func (sys *System) tables() {
	p := &sys.p
	for mask := range 1 << len(indivisible.CommitmentTypes) {
		sup, host := 0.0, p.Hostility[NoCommitment]
		for k, t := range indivisible.CommitmentTypes {
			if mask&(1<<k) != 0 {
				sup = max(sup, p.Support[t])
				host = min(host, p.Hostility[string(t)])
			}
		}
		sys.supTab[mask], sys.hostTab[mask] = sup, host
	}
}

// tie is the valued ATOP tie of a pair's strongest commitment.
func tie(mask uint8) float64 {
	v := 0
	for k, t := range indivisible.CommitmentTypes {
		if mask&(1<<k) != 0 {
			v = max(v, t.TieValue())
		}
	}
	return float64(v)
}

// portfolioDistances returns Σ_k w_k |x_ik - x_jk| for every pair, where x
// are the valued tie portfolios (3 with oneself).
func (sys *System) portfolioDistances(mask []uint8) []float64 {
	n := sys.n
	x := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for k := 0; k < n; k++ {
			x[i*n+k] = sys.tieAt(mask, i, k)
		}
	}
	d := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			s := 0.0
			for k := 0; k < n; k++ {
				s += sys.sw[k] * math.Abs(x[i*n+k]-x[j*n+k])
			}
			d[i*n+j], d[j*n+i] = s, s
		}
	}
	return d
}

func (sys *System) tieAt(mask []uint8, i, k int) float64 {
	if i == k {
		return 3
	}
	return tie(mask[i*sys.n+k])
}

// sscore is the Signorino-Ritter S of i and j with valued ties (d_max = 3);
// it agrees with ir.SScore on the same portfolios.
func (sys *System) sscore(dist1 []float64, i, j int) float64 {
	if sys.swSum == 0 {
		return 1
	}
	return 1 - 2*dist1[i*sys.n+j]/(3*sys.swSum)
}

// capability is state i's capability index: the weighted mean, over the
// components it reports, of its holding as a share of the baseline system
// total (CINC when the weights are equal and nothing has changed).
func (sys *System) capability(hold []float64, i int) float64 {
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

// Codes returns the states' codes in the order of Before.
func (sys *System) Codes() []string { return sys.codes }

// Before returns the baseline security of every state, ordered as Codes.
func (sys *System) Before() []float64 { return sys.before }

// Params returns the parameters the system was compiled with.
func (sys *System) Params() Params { return sys.p }

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
