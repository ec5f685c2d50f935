package model

import (
	"math"
	"slices"
)

// state is what a proposal changes. Slices shared with the System are
// never written.
type state struct {
	hold []float64
	deps []deployment
	mask []uint8 // commitment types binding each pair
	// structural says that holdings, deployments or commitments differ
	// from the baseline's, so the features must be recomputed.
	structural bool
	// odds holds the odds factors of the proposal's CBMs and exercises,
	// n*n; nil if none.
	odds []float64
	// The forces of hold and deps (forces fills them): every state's
	// capability in all, at home, and at its bases abroad.
	caps, home []float64
	bases      [][]base
}

// base is capability c of an owner stationed in host.
type base struct {
	host int
	c    float64
}

// forces computes every state's capability from its holdings:
//
//	C_j = CINC_j + s_j (M'_j - M_j)
//
// where M is the holdings index before and M' after, and s_j the military
// part of its CINC per unit of index (capScale); a state without a
// capability record has C_j = M'_j. Deployed forces are part of C_j; the
// capability they carry is s_j times their share of the index.
func (sys *System) forces(st *state) {
	n := sys.n
	st.caps, st.home = make([]float64, n), make([]float64, n)
	st.bases = make([][]base, n)
	for j := range n {
		idx := sys.holdingsIndex(st.hold, j)
		c := idx
		if sys.has[j] {
			c = sys.cinc[j] + sys.scale[j]*(idx-sys.holdingsIndex(sys.hold, j))
		}
		st.caps[j] = math.Max(c, 0)
		st.home[j] = st.caps[j]
	}
	for _, d := range st.deps {
		c := sys.scale[d.owner] * sys.share(d.owner, d.comp, d.q)
		st.home[d.owner] -= c
		// One base per host: several components there are one place.
		bs := st.bases[d.owner]
		if k := slices.IndexFunc(bs, func(b base) bool { return b.host == d.host }); k >= 0 {
			bs[k].c += c
		} else {
			st.bases[d.owner] = append(bs, base{d.host, c})
		}
	}
	for j := range n {
		st.home[j] = math.Max(st.home[j], 0)
	}
}

// design writes the feature rows of every ordered pair (j, i), row j*n+i;
// the rows of a state with itself stay zero.
func (sys *System) design(st *state) []float64 {
	n, k := sys.n, rowWidth
	x := make([]float64, n*n*k)
	lnCap := sys.lnCaps(st)
	for j := range n {
		for i := range n {
			if i != j {
				sys.pairRow(st, j, i, lnCap, x[(j*n+i)*k:(j*n+i+1)*k])
			}
		}
	}
	all := make([]bool, n)
	for i := range all {
		all[i] = true
	}
	sys.coalitions(st, all, func(ji int, v float64) { x[ji*k+cCoalition] = v })
	return x
}

// redesign returns the pairs whose features a proposal's structural
// measures change, with their new feature rows (row q of xs for pair
// rows[q]), recomputing from the baseline's only what can change: the
// capability features of states whose forces change, the coalitions of
// targets with such an ally, and everything of the pairs whose
// commitments change.
func (sys *System) redesign(st *state) (rows []int, xs []float64) {
	n, k := sys.n, rowWidth
	b0 := sys.base
	capCh := make([]bool, n)
	for j := range n {
		capCh[j] = st.caps[j] != b0.caps[j] || st.home[j] != b0.home[j] || !slices.Equal(st.bases[j], b0.bases[j])
	}
	maskCh := &st.mask[0] != &sys.mask[0]
	lnCap := sys.lnCaps(st)
	// A target's coalition against j changes when one of its allies'
	// forces change, or when any commitment does.
	coal := make([]bool, n)
	anyCoal := false
	for i := range n {
		coal[i] = maskCh
		for a := 0; a < n && !coal[i]; a++ {
			coal[i] = capCh[a] && (st.mask[a*n+i]&defenceBits != 0)
		}
		anyCoal = anyCoal || coal[i]
	}
	var cv []float64
	if anyCoal {
		cv = make([]float64, n*n)
		sys.coalitions(st, coal, func(ji int, v float64) { cv[ji] = v })
	}
	touched := func(j, i int) bool {
		return i != j && (maskCh && st.mask[j*n+i] != sys.mask[j*n+i] || capCh[j] || capCh[i] || coal[i])
	}
	count := 0
	for j := range n {
		for i := range n {
			if touched(j, i) {
				count++
			}
		}
	}
	rows, xs = make([]int, 0, count), make([]float64, 0, count*k)
	row := make([]float64, k)
	for j := range n {
		for i := range n {
			ji := j*n + i
			if !touched(j, i) {
				continue
			}
			pairCh := maskCh && st.mask[ji] != sys.mask[ji]
			copy(row, sys.x0[ji*k:(ji+1)*k])
			if pairCh {
				sys.pairRow(st, j, i, lnCap, row)
			}
			row[fCapFrom], row[fCapTo] = lnCap[j], lnCap[i]
			if coal[i] {
				row[cCoalition] = cv[ji]
			}
			if !slices.Equal(row, sys.x0[ji*k:(ji+1)*k]) {
				rows = append(rows, ji)
				xs = append(xs, row...)
			}
		}
	}
	return rows, xs
}

// lnCaps returns the capability feature of every state.
func (sys *System) lnCaps(st *state) []float64 {
	out := make([]float64, sys.n)
	for j, c := range st.caps {
		out[j] = math.Log(c + capFloor)
	}
	return out
}

// coalitions sets the coalition feature of every pair (j, i) whose
// target has targets[i]: the logarithm of the capability of i's defence
// allies that are not also j's, j itself excluded, projected at i.
func (sys *System) coalitions(st *state, targets []bool, set func(ji int, v float64)) {
	n := sys.n
	allies := make([]int, 0, n)
	proj := make([]float64, n)
	for i, t := range targets {
		if !t {
			continue
		}
		allies = allies[:0]
		total := 0.0
		for a := range n {
			if a != i && st.mask[a*n+i]&defenceBits != 0 {
				allies = append(allies, a)
				v := st.home[a] * sys.kern[a*n+i]
				for _, b := range st.bases[a] {
					v += b.c * sys.kern[b.host*n+i]
				}
				proj[a] = v
				total += v
			}
		}
		for j := range n {
			if j == i {
				continue
			}
			c := total
			for _, a := range allies {
				if a == j || st.mask[a*n+j]&defenceBits != 0 {
					c -= proj[a]
				}
			}
			set(j*n+i, math.Log(math.Max(c, 0)+capFloor))
		}
	}
}

// pairRow writes the features of the ordered pair (j, i) but its
// coalition, which coalitions writes for all of a target's pairs at once.
func (sys *System) pairRow(st *state, j, i int, lnCap []float64, x []float64) {
	n := sys.n
	ji := j*n + i
	x[fConst] = 1
	x[fCapFrom] = lnCap[j]
	x[fCapTo] = lnCap[i]
	x[fDist] = sys.lnDist[ji]
	x[fLand] = b2f(sys.land[ji])
	x[fSea] = b2f(sys.sea[ji])
	mk := st.mask[ji]
	x[fDefence] = b2f(mk&defenceBits != 0)
	x[fPact] = b2f(mk != 0 && mk&defenceBits == 0)
	if a := sys.affinity[ji]; math.IsNaN(a) {
		x[fAffinityMissing] = 1
	} else {
		x[fAffinity] = a
	}
	if dj, di := sys.dem[j], sys.dem[i]; math.IsNaN(dj) || math.IsNaN(di) {
		x[fDemMissing] = 1
	} else {
		x[fJointDem] = math.Min(dj, di)
		x[fDemDist] = math.Abs(dj - di)
	}
	x[cRivalry] = b2f(sys.rivalry[ji])
	x[fOngoing] = b2f(sys.ongoing[ji])
	x[fPeace] = math.Log1p(sys.peace[ji])
	x[fDecayFrom] = sys.decay[ji]
	x[cDecayTo] = sys.decay[i*n+j]
	x[cMajorFrom] = b2f(sys.major[j])
	x[fMajorTo] = b2f(sys.major[i])
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// geoTerm is the geographic part of the linear predictor of a base at
// distance d from the target, contiguous by land or sea.
func geoTerm(beta []float64, lnDist float64, land, sea bool) float64 {
	return beta[fDist]*lnDist + beta[fLand]*b2f(land) + beta[fSea]*b2f(sea)
}

// deploymentTerms returns, for every pair (j, i) whose source has forces
// abroad, what the deployments add to the linear predictor: the
// geography of the pair becomes the capability-weighted mixture of the
// geography of each place j's forces are,
//
//	G_ji = ln Σ_b w_b exp(g(b, i)) - g(j, i)
//
// with w_b the share of j's capability at b and g the fitted distance and
// contiguity terms; forces stationed in i itself are at distance 0 and
// contiguous. It is nil when no state has forces abroad.
func (sys *System) deploymentTerms(st *state, beta []float64, out []float64) []float64 {
	any := false
	for _, b := range st.bases {
		any = any || len(b) > 0
	}
	if !any {
		return nil
	}
	out = resize(out, sys.n*sys.n)
	clear(out)
	sys.ownerTerms(st, beta, out, nil)
	return out
}

// ownerTerms writes into out the deployment terms of the pairs from every
// owner j with forces abroad (and, when only is not nil, with only[j]),
// leaving the other rows as they are.
func (sys *System) ownerTerms(st *state, beta []float64, out []float64, only []bool) {
	n := sys.n
	for j, bs := range st.bases {
		if only != nil && !only[j] {
			continue
		}
		clear(out[j*n : j*n+n])
		if len(bs) == 0 || st.caps[j] <= 0 {
			continue
		}
		for i := range n {
			if i == j {
				continue
			}
			home := geoTerm(beta, sys.lnDist[j*n+i], sys.land[j*n+i], sys.sea[j*n+i])
			mix := st.home[j] / st.caps[j]
			for _, b := range bs {
				g := geoTerm(beta, 0, true, false)
				if b.host != i {
					g = geoTerm(beta, sys.lnDist[b.host*n+i], sys.land[b.host*n+i], sys.sea[b.host*n+i])
				}
				mix += b.c / st.caps[j] * math.Exp(g-home)
			}
			if mix > 0 {
				out[j*n+i] = math.Log(mix)
			}
		}
	}
}

// hazards writes every ordered pair's probability of a dispute,
// logistic(x·β + G) with the odds scaled by the expert dyad factors and
// the proposal's factors, into p; the odds themselves, f·e^η, into o if
// it is not nil; the linear predictor x·β + G into etas if it is not
// nil; and each state's security into sec. Security is
//
//	Π_j (1 - p_ji) = 1 / Π_j (1 + o_ji)
//
// so each pair costs one exponential; the running products are moved
// into logarithms before they could overflow.
func (sys *System) hazards(x, geo, beta, odds []float64, p, o, etas, sec []float64) ([]float64, []float64) {
	n, k := sys.n, rowWidth
	p = resize(p, n*n)
	sec = resize(sec, n)
	prod := make([]float64, 2*n)
	prod, logs := prod[:n], prod[n:]
	for i := range prod {
		prod[i] = 1
	}
	for j := range n {
		for i := range n {
			ji := j*n + i
			if i == j {
				p[ji] = 0
				if o != nil {
					o[ji] = 0
				}
				continue
			}
			eta := linear(x[ji*k:ji*k+numFeatures], beta)
			if geo != nil {
				eta += geo[ji]
			}
			if etas != nil {
				etas[ji] = eta
			}
			e := math.Exp(eta)
			if sys.odds != nil {
				e *= sys.odds[ji]
			}
			if odds != nil {
				e *= odds[ji]
			}
			if o != nil {
				o[ji] = e
			}
			p[ji] = e / (1 + e)
			if math.IsInf(e, 1) {
				p[ji] = 1
			}
			prod[i] *= 1 + e
		}
		for i, v := range prod {
			if v > 1e200 {
				logs[i] += math.Log(v)
				prod[i] = 1
			}
		}
	}
	for i := range sec {
		sec[i] = math.Exp(-logs[i]) / prod[i]
	}
	return p, sec
}

// Design returns the rows of every ordered pair of the baseline (row
// j*n+i for the pair from j to i, with the Columns, the rows with oneself
// zero), for the calibration to fit and the risk table to print. The slice is
// shared: callers must not modify it.
func (sys *System) Design() []float64 { return sys.x0 }

// Hazard returns the baseline probability that from initiates a dispute
// against to within a year, for an outcome.
func (sys *System) Hazard(outcome string, from, to int) float64 {
	if outcome == OutcomeForce {
		return sys.forceBase().p[from*sys.n+to]
	}
	return sys.mid.p[from*sys.n+to]
}

// DeploymentTerm returns what the baseline's deployments add to the
// linear predictor of the pair (MID outcome).
func (sys *System) DeploymentTerm(from, to int) float64 {
	if sys.mid.geo == nil {
		return 0
	}
	return sys.mid.geo[from*sys.n+to]
}
