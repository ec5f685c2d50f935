package model

import "math"

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
		st.bases[d.owner] = append(st.bases[d.owner], base{d.host, c})
		st.home[d.owner] -= c
	}
	for j := range n {
		st.home[j] = math.Max(st.home[j], 0)
	}
}

// design writes the feature rows of every ordered pair (j, i), row j*n+i;
// the rows of a state with itself stay zero.
func (sys *System) design(st *state, out []float64) []float64 {
	n, k := sys.n, numFeatures
	out = resize(out, n*n*k)
	clear(out)
	// proj[k*n+i] is k's capability projected at i, for coalitions.
	proj := make([]float64, n*n)
	for a := range n {
		row := proj[a*n : a*n+n]
		kern := sys.kern[a*n : a*n+n]
		for i := range row {
			row[i] = st.home[a] * kern[i]
		}
		for _, b := range st.bases[a] {
			kb := sys.kern[b.host*n : b.host*n+n]
			for i := range row {
				row[i] += b.c * kb[i]
			}
		}
	}
	allies := make([]int, 0, n)
	for i := range n {
		allies = allies[:0]
		total := 0.0
		for a := range n {
			if a != i && st.mask[a*n+i]&defenceBits != 0 {
				allies = append(allies, a)
				total += proj[a*n+i]
			}
		}
		for j := range n {
			if j == i {
				continue
			}
			// i's coalition against j: its defence allies that are not
			// also j's, j itself excluded.
			coal := total
			for _, a := range allies {
				if a == j || st.mask[a*n+j]&defenceBits != 0 {
					coal -= proj[a*n+i]
				}
			}
			x := out[(j*n+i)*k : (j*n+i+1)*k]
			sys.pairRow(st, j, i, math.Max(coal, 0), x)
		}
	}
	return out
}

// pairRow writes the features of the ordered pair (j, i).
func (sys *System) pairRow(st *state, j, i int, coal float64, x []float64) {
	n := sys.n
	ji := j*n + i
	x[fConst] = 1
	x[fCapFrom] = math.Log(st.caps[j] + capFloor)
	x[fCapTo] = math.Log(st.caps[i] + capFloor)
	x[fCoalition] = math.Log(coal + capFloor)
	x[fDist] = math.Log1p(sys.dist[ji])
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
	x[fRivalry] = b2f(sys.rivalry[ji])
	x[fOngoing] = b2f(sys.ongoing[ji])
	x[fPeace] = math.Log1p(sys.peace[ji])
	x[fDecayFrom] = sys.decay[ji]
	x[fDecayTo] = sys.decay[i*n+j]
	x[fMajorFrom] = b2f(sys.major[j])
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
func geoTerm(beta []float64, d float64, land, sea bool) float64 {
	return beta[fDist]*math.Log1p(d) + beta[fLand]*b2f(land) + beta[fSea]*b2f(sea)
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
	n := sys.n
	any := false
	for _, b := range st.bases {
		any = any || len(b) > 0
	}
	if !any {
		return nil
	}
	out = resize(out, n*n)
	clear(out)
	for j, bs := range st.bases {
		if len(bs) == 0 || st.caps[j] <= 0 {
			continue
		}
		for i := range n {
			if i == j {
				continue
			}
			home := geoTerm(beta, sys.dist[j*n+i], sys.land[j*n+i], sys.sea[j*n+i])
			mix := st.home[j] / st.caps[j]
			for _, b := range bs {
				g := geoTerm(beta, 0, true, false)
				if b.host != i {
					g = geoTerm(beta, sys.dist[b.host*n+i], sys.land[b.host*n+i], sys.sea[b.host*n+i])
				}
				mix += b.c / st.caps[j] * math.Exp(g-home)
			}
			if mix > 0 {
				out[j*n+i] = math.Log(mix)
			}
		}
	}
	return out
}

// hazards writes every ordered pair's probability of a dispute:
// logistic(x·β + G) with the odds scaled by the expert dyad factors and
// the proposal's factors.
func (sys *System) hazards(x, geo, beta, odds, out []float64) []float64 {
	n, k := sys.n, numFeatures
	out = resize(out, n*n)
	for ji := range out {
		if ji/n == ji%n {
			out[ji] = 0
			continue
		}
		eta := linear(x[ji*k:(ji+1)*k], beta)
		if geo != nil {
			eta += geo[ji]
		}
		p := logistic(eta)
		f := 1.0
		if sys.odds != nil {
			f *= sys.odds[ji]
		}
		if odds != nil {
			f *= odds[ji]
		}
		out[ji] = scaleOdds(p, f)
	}
	return out
}

// security writes each state's probability that no state initiates a
// dispute against it, Π_j (1 - p_ji), summing logarithms for accuracy.
func (sys *System) security(p, out []float64) []float64 {
	n := sys.n
	out = resize(out, n)
	clear(out)
	for j := range n {
		row := p[j*n : j*n+n]
		for i, v := range row {
			out[i] += math.Log1p(-v)
		}
	}
	for i := range out {
		out[i] = math.Exp(out[i])
	}
	return out
}

// Design returns the feature rows of every ordered pair of the baseline
// (row j*n+i for the pair from j to i, the rows with oneself zero), for
// the calibration to fit and the risk table to print. The slice is
// shared: callers must not modify it.
func (sys *System) Design() []float64 { return sys.x0 }

// Hazard returns the baseline probability that from initiates a dispute
// against to within a year, for an outcome.
func (sys *System) Hazard(outcome string, from, to int) float64 {
	o := 0
	if outcome == OutcomeForce {
		o = 1
	}
	return sys.p0[o][from*sys.n+to]
}

// DeploymentTerm returns what the baseline's deployments add to the
// linear predictor of the pair (MID outcome).
func (sys *System) DeploymentTerm(from, to int) float64 {
	if sys.geo0[0] == nil {
		return 0
	}
	return sys.geo0[0][from*sys.n+to]
}
