package model

import (
	"bytes"
	"math"
	"math/bits"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
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
	// members are the organisations' memberships after joins and leaves,
	// by organisation (nil where unchanged).
	members [][]bool
	// odds holds the odds factors of the proposal's CBMs and exercises,
	// n*n; nil if none. cbm (the kinds of the CBMs binding each pair, in
	// the order of the measures) and exercises are what they are made of,
	// for a Monte Carlo draw to remake them under its own parameters.
	odds      []float64
	cbm       map[int][]string
	exercises []exercise
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

// movable are the columns of a design row that a proposal can change: the
// capabilities, the coalition, and the commitments of the pair. Every
// other column is the pair's geography and evidence.
var movable = []int{fCapFrom, fCapTo, cCoalition, fDefence, fPact}

// fitted are the movable columns that enter the linear predictor (the
// others are candidates, which only the ablation reads); pairCols are
// those of them that are the pair's own (not a state's capability), and
// coalFitted says whether the coalition is among them.
var (
	fitted     = slices.DeleteFunc(slices.Clone(movable), func(c int) bool { return c >= numFeatures })
	pairCols   = slices.DeleteFunc(slices.Clone(fitted), func(c int) bool { return c == fCapFrom || c == fCapTo })
	fromFitted = slices.Contains(fitted, fCapFrom)
	toFitted   = slices.Contains(fitted, fCapTo)
	coalFitted = slices.Contains(fitted, cCoalition)
)

// redesign finds the pairs whose fitted features a proposal's structural
// measures change. It returns the change of every state's capability
// feature (nil if none changes), and calls moved(ji, d) for every such
// pair, in increasing order of ji, with d the change of each of pairCols
// (nil when none of them changes; d is reused between calls), after
// telling bound (when not nil) how many calls there can be. It
// recomputes from the baseline's only what can change: the capability
// features of states whose forces change, the commitment features of the
// pairs whose commitments change, and (when the coalition is fitted) the
// coalitions of targets with such an ally or with changed commitments.
func (sys *System) redesign(st *state, bound func(rows int), moved func(ji int, d []float64)) []float64 {
	n, k := sys.n, rowWidth
	b0 := sys.base
	capCh := make([]bool, n)
	for j := range n {
		capCh[j] = st.caps[j] != b0.caps[j] || st.home[j] != b0.home[j] || !slices.Equal(st.bases[j], b0.bases[j])
	}
	maskCh := &st.mask[0] != &sys.mask[0]
	lnCap := sys.lnCaps(st)
	var coal []bool
	var cv []float64
	if coalFitted {
		// A target's coalition against j changes when one of its allies'
		// forces change, or when any commitment does.
		coal = make([]bool, n)
		anyCoal := false
		for i := range n {
			coal[i] = maskCh
			for a := 0; a < n && !coal[i]; a++ {
				coal[i] = capCh[a] && (st.mask[a*n+i]&defenceBits != 0)
			}
			anyCoal = anyCoal || coal[i]
		}
		if anyCoal {
			cv = make([]float64, n*n)
			sys.coalitions(st, coal, func(ji int, v float64) { cv[ji] = v })
		}
	}
	// The capability columns of a pair hold its states' capabilities: their
	// change is one per state.
	var capList []int
	var dCap []float64
	if fromFitted || toFitted {
		for s, c := range capCh {
			if c && n > 1 {
				if d := lnCap[s] - sys.x0[(s*n+(s+1)%n)*k+fCapFrom]; d != 0 {
					if dCap == nil {
						dCap = make([]float64, n)
					}
					dCap[s] = d
					capList = append(capList, s)
				}
			}
		}
	}
	if bound != nil {
		rows := 2 * n * len(capList)
		if maskCh || coal != nil {
			rows = n * n
		}
		bound(min(rows, n*n))
	}
	// Rows of sources whose capability, commitments or (targets')
	// coalitions change are scanned whole; the others only at the
	// targets whose capability changes.
	d := make([]float64, len(pairCols))
	visit := func(j, i int, pairCh bool) {
		ji := j*n + i
		any := false
		for q, c := range pairCols {
			d[q] = 0
			switch c {
			case cCoalition:
				if coal[i] {
					d[q] = cv[ji] - sys.x0[ji*k+c]
				}
			case fDefence:
				if pairCh {
					d[q] = b2f(st.mask[ji]&defenceBits != 0) - sys.x0[ji*k+c]
				}
			case fPact:
				if pairCh {
					mk := st.mask[ji]
					d[q] = b2f(mk != 0 && mk&defenceBits == 0) - sys.x0[ji*k+c]
				}
			}
			any = any || d[q] != 0
		}
		switch {
		case any:
			moved(ji, d)
		case dCap != nil && (fromFitted && dCap[j] != 0 || toFitted && dCap[i] != 0):
			moved(ji, nil)
		}
	}
	for j := range n {
		rowMask := maskCh && !bytes.Equal(st.mask[j*n:j*n+n], sys.mask[j*n:j*n+n])
		if dCap != nil && dCap[j] != 0 || rowMask || coal != nil {
			for i := range n {
				pairCh := rowMask && st.mask[j*n+i] != sys.mask[j*n+i]
				if i != j && (dCap != nil && (dCap[j] != 0 || dCap[i] != 0) || pairCh || coal != nil && coal[i]) {
					visit(j, i, pairCh)
				}
			}
			continue
		}
		for _, i := range capList {
			if i != j {
				visit(j, i, false)
			}
		}
	}
	return dCap
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
//
// The sources j that share the same allies of i (every member of an
// alliance, against a target in it) have the same coalition: for each
// target, the allies of i that each source shares are a bit set over i's
// allies (built from every ally's partners at once), and the sum and its
// logarithm are computed once per distinct set.
func (sys *System) coalitions(st *state, targets []bool, set func(ji int, v float64)) {
	n := sys.n
	words := (n + 63) / 64
	partners := make([]uint64, n*words) // row a: the states a is allied with
	for a := range n {
		for j := range n {
			if st.mask[a*n+j]&defenceBits != 0 {
				partners[a*words+j/64] |= 1 << (j % 64)
			}
		}
	}
	allies := make([]int, 0, n)
	proj := make([]float64, n)
	var keys []uint64
	var cache coalCache
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
		none := math.Log(math.Max(total, 0) + capFloor)
		kw := (len(allies) + 63) / 64
		if kw == 0 {
			for j := range n {
				if j != i {
					set(j*n+i, none)
				}
			}
			continue
		}
		// keys[j]: bit q when allies[q] is j or one of j's allies.
		if cap(keys) < n*kw {
			keys = make([]uint64, n*kw)
		}
		keys = keys[:n*kw]
		clear(keys)
		for q, a := range allies {
			w, bit := q/64, uint64(1)<<(q%64)
			keys[a*kw+w] |= bit
			for wi, word := range partners[a*words : (a+1)*words] {
				for word != 0 {
					j := wi*64 + bits.TrailingZeros64(word)
					keys[j*kw+w] |= bit
					word &= word - 1
				}
			}
		}
		cache.reset(kw)
		for j := range n {
			if j == i {
				continue
			}
			key := keys[j*kw : (j+1)*kw]
			if isZero(key) {
				set(j*n+i, none)
				continue
			}
			v, ok := cache.get(key)
			if !ok {
				// Subtract in the order of the allies, as a scan over
				// them would.
				c := total
				for w, word := range key {
					for word != 0 {
						c -= proj[allies[w*64+bits.TrailingZeros64(word)]]
						word &= word - 1
					}
				}
				v = math.Log(math.Max(c, 0) + capFloor)
				cache.put(key, v)
			}
			set(j*n+i, v)
		}
	}
}

// coalCache remembers the coalitions of the last few sets of shared
// allies of one target.
type coalCache struct {
	kw   int
	keys []uint64
	vals []float64
	next int
}

const coalCacheSize = 8

func (c *coalCache) reset(kw int) {
	c.kw, c.keys, c.vals, c.next = kw, c.keys[:0], c.vals[:0], 0
}

func (c *coalCache) get(key []uint64) (float64, bool) {
	for e := range c.vals {
		if slices.Equal(c.keys[e*c.kw:(e+1)*c.kw], key) {
			return c.vals[e], true
		}
	}
	return 0, false
}

func (c *coalCache) put(key []uint64, v float64) {
	if len(c.vals) < coalCacheSize {
		c.keys = append(c.keys, key...)
		c.vals = append(c.vals, v)
		return
	}
	copy(c.keys[c.next*c.kw:], key)
	c.vals[c.next] = v
	c.next = (c.next + 1) % coalCacheSize
}

func isZero(w []uint64) bool {
	for _, v := range w {
		if v != 0 {
			return false
		}
	}
	return true
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
// contiguous. It returns the factors e^G that the odds take (the
// mixtures, 1 for the pairs of states without forces abroad), so that no
// logarithm is taken; nil when no state has forces abroad. It writes into
// out when out is large enough, and uses scratch (grown as needed).
func (sys *System) deploymentTerms(st *state, beta []float64, out []float64, scratch *[]float64) []float64 {
	var owners []int
	for j, b := range st.bases {
		if len(b) > 0 {
			owners = append(owners, j)
		}
	}
	if owners == nil {
		return nil
	}
	n := sys.n
	out = resize(out, n*n)
	for i := range out {
		out[i] = 1
	}
	sys.mixtures(st, beta, owners, out, func(k int) []float64 { return out[owners[k]*n : owners[k]*n+n] }, scratch)
	return out
}

// ownerRows writes into out the deployment factors under beta of the
// pairs from each of owners, n values per owner: 1 unless the owner has
// forces abroad (and for a mixture that is not positive, whose term is 0).
func (sys *System) ownerRows(st *state, beta []float64, owners []int, out []float64) {
	n := sys.n
	for i := range out {
		out[i] = 1
	}
	var scratch []float64
	sys.mixtures(st, beta, owners, out, func(k int) []float64 { return out[k*n : k*n+n] }, &scratch)
}

// mixtures writes the deployment factors of the pairs from each owner
// owners[k] with forces abroad into row(k), which holds 1s. Every place
// forces are (the owners' homes and hosts) gets one row of exp(g(x, i))
// over the targets i, shared by the owners stationed there, so that
//
//	e^G_ji = w_home + Σ_b w_b exp(g(b, i)) / exp(g(j, i))
//
// costs one exponential per place and target.
func (sys *System) mixtures(st *state, beta []float64, owners []int, out []float64, row func(k int) []float64, scratch *[]float64) {
	n := sys.n
	slot := make([]int, n) // place -> its row in e, or -1
	for i := range slot {
		slot[i] = -1
	}
	places := 0
	use := func(x int) {
		if slot[x] < 0 {
			slot[x] = places
			places++
		}
	}
	for _, j := range owners {
		if len(st.bases[j]) > 0 && st.caps[j] > 0 {
			use(j)
			for _, b := range st.bases[j] {
				use(b.host)
			}
		}
	}
	if places == 0 {
		return
	}
	*scratch = resize(*scratch, (places+1)*n)
	e, acc := (*scratch)[:places*n], (*scratch)[places*n:]
	there := geoTerm(beta, 0, true, false) // forces stationed in the target
	for x, q := range slot {
		if q < 0 {
			continue
		}
		ex := e[q*n : q*n+n]
		for i := range n {
			g := there
			if i != x {
				g = geoTerm(beta, sys.lnDist[x*n+i], sys.land[x*n+i], sys.sea[x*n+i])
			}
			if g > -700 && g < 700 { // fastExp, inlined
				ex[i] = expReduced(g)
			} else {
				ex[i] = math.Exp(g)
			}
		}
	}
	for k, j := range owners {
		bs := st.bases[j]
		if len(bs) == 0 || st.caps[j] <= 0 {
			continue
		}
		clear(acc)
		for _, b := range bs {
			w, eb := b.c/st.caps[j], e[slot[b.host]*n:slot[b.host]*n+n]
			for i, v := range eb {
				acc[i] += w * v
			}
		}
		home, ej, r := st.home[j]/st.caps[j], e[slot[j]*n:slot[j]*n+n], row(k)
		for i := range n {
			if i == j {
				continue
			}
			mix := home + acc[i]/ej[i]
			if !(ej[i] > 0) || math.IsInf(ej[i], 0) || math.IsInf(acc[i], 0) {
				mix = sys.mixture(st, beta, j, i) // beyond floating point's range
			}
			if mix > 0 {
				r[i] = mix
			}
		}
	}
}

// mixture is e^G_ji computed term by term, exp(g(b, i) - g(j, i)), for
// geography terms too large for mixtures' products.
func (sys *System) mixture(st *state, beta []float64, j, i int) float64 {
	n := sys.n
	home := geoTerm(beta, sys.lnDist[j*n+i], sys.land[j*n+i], sys.sea[j*n+i])
	mix := st.home[j] / st.caps[j]
	for _, b := range st.bases[j] {
		g := geoTerm(beta, 0, true, false)
		if b.host != i {
			g = geoTerm(beta, sys.lnDist[b.host*n+i], sys.land[b.host*n+i], sys.sea[b.host*n+i])
		}
		mix += b.c / st.caps[j] * math.Exp(g-home)
	}
	return mix
}

// compactDesign is a design arranged for fast linear predictors: the
// fitted columns that are constant along each source's row (the constant,
// the source's capability) or along each target's column, by state; the
// binary ones (contiguity, commitments, missing evidence: at most 8) as one
// bit pattern per pair, whose terms a table of 2^8 sums gives; and the
// rest dense, row-major. A pair's predictor is then
//
//	x·β = u_j + v_i + T[pattern_ji] + dense_ji·β_dense
//
// with a matrix-vector product (gonum's BLAS, vectorised in assembly)
// over a few columns only.
type compactDesign struct {
	n                    int
	src, tgt, bin, dense []int // columns of x
	srcX, tgtX           []float64
	pat                  []uint8
	dx                   []float64
}

// compact classifies the fitted columns of the design x of n states by
// their values.
func compact(x []float64, n int) *compactDesign {
	k := rowWidth
	c := &compactDesign{n: n}
	at := func(j, i, f int) float64 { return x[(j*n+i)*k+f] }
	other := func(s int) int { // the first state that is not s
		if s == 0 {
			return 1
		}
		return 0
	}
	for f := range numFeatures {
		src, tgt, bin := true, true, true
		for j := 0; j < n && (src || tgt || bin); j++ {
			for i := range n {
				if i == j {
					continue
				}
				v := at(j, i, f)
				src = src && v == at(j, other(j), f)
				tgt = tgt && v == at(other(i), i, f)
				bin = bin && (v == 0 || v == 1)
			}
		}
		switch {
		case src:
			c.src = append(c.src, f)
		case tgt:
			c.tgt = append(c.tgt, f)
		case bin && len(c.bin) < 8:
			c.bin = append(c.bin, f)
		default:
			c.dense = append(c.dense, f)
		}
	}
	c.srcX = make([]float64, n*len(c.src))
	c.tgtX = make([]float64, n*len(c.tgt))
	for s := 0; s < n && n > 1; s++ {
		for q, f := range c.src {
			c.srcX[s*len(c.src)+q] = at(s, other(s), f)
		}
		for q, f := range c.tgt {
			c.tgtX[s*len(c.tgt)+q] = at(other(s), s, f)
		}
	}
	c.pat = make([]uint8, n*n)
	c.dx = make([]float64, n*n*len(c.dense))
	for ji := range n * n {
		if ji/n == ji%n {
			continue
		}
		for b, f := range c.bin {
			if x[ji*k+f] == 1 {
				c.pat[ji] |= 1 << b
			}
		}
		for q, f := range c.dense {
			c.dx[ji*len(c.dense)+q] = x[ji*k+f]
		}
	}
	return c
}

// predictors writes the dense part of x·β of every ordered pair into
// eta, and the terms of each source, target and bit pattern into u, v and
// t (n, n and 256 values), which the caller adds; the pairs with oneself
// are meaningless.
func (c *compactDesign) predictors(beta, eta, u, v, t []float64) {
	n := c.n
	if nd := len(c.dense); nd > 0 && n > 0 {
		bd := make([]float64, nd)
		for q, f := range c.dense {
			bd[q] = beta[f]
		}
		a := blas64.General{Rows: n * n, Cols: nd, Stride: nd, Data: c.dx}
		blas64.Gemv(blas.NoTrans, 1, a, blas64.Vector{N: nd, Inc: 1, Data: bd}, 0, blas64.Vector{N: n * n, Inc: 1, Data: eta})
	} else {
		clear(eta)
	}
	for s := range n {
		u[s], v[s] = 0, 0
		for q, f := range c.src {
			u[s] += beta[f] * c.srcX[s*len(c.src)+q]
		}
		for q, f := range c.tgt {
			v[s] += beta[f] * c.tgtX[s*len(c.tgt)+q]
		}
	}
	t[0] = 0
	for p := 1; p < 1<<len(c.bin); p++ {
		b := bits.TrailingZeros(uint(p))
		t[p] = t[p&(p-1)] + beta[c.bin[b]]
	}
	// hazards adds the terms of the source, the target and the pattern
	// as it takes the exponentials: eta[ji] += u[j] + v[i] + t[pat[ji]].
}

// hazards fills b, the baseline of the system's design under beta with the
// deployment factors mix = e^G (nil if none): every ordered pair's linear
// predictor x·β and odds f·e^(x·β + G), with f the expert dyad factors,
// and each state's security
//
//	Π_j (1 - p_ji) = 1 / Π_j (1 + o_ji)
//
// so each pair costs one exponential; the running products are moved
// into logarithms before they could overflow. The probabilities are
// computed on first use (probs): a Monte Carlo draw needs none.
func (sys *System) hazards(mix, beta []float64, b *baseline) {
	n := sys.n
	b.mix = mix
	b.eta = resize(b.eta, n*n)
	b.odds = resize(b.odds, n*n)
	b.sec = resize(b.sec, n)
	b.prod = resize(b.prod, 4*n+256)
	b.pOnce = nil
	u, v, t := b.prod[2*n:3*n], b.prod[3*n:4*n], b.prod[4*n:]
	sys.cx.predictors(beta, b.eta, u, v, t)
	prod, logs := b.prod[:n], b.prod[n:2*n]
	for i := range prod {
		prod[i], logs[i] = 1, 0
	}
	for j := range n {
		eta, odds, pat := b.eta[j*n:j*n+n], b.odds[j*n:j*n+n], sys.cx.pat[j*n:j*n+n]
		var g, f []float64
		if mix != nil {
			g = mix[j*n : j*n+n]
		}
		if sys.odds != nil {
			f = sys.odds[j*n : j*n+n]
		}
		for i := range n {
			if i == j {
				eta[i], odds[i] = 0, 0
				continue
			}
			eta[i] += u[j] + v[i] + t[pat[i]]
			e := eta[i]
			if e > -700 && e < 700 { // fastExp, inlined
				e = expReduced(e)
			} else {
				e = math.Exp(e)
			}
			if g != nil {
				e *= g[i]
			}
			if f != nil {
				e *= f[i]
			}
			odds[i] = e
			prod[i] *= 1 + e
		}
		for i, pi := range prod {
			if pi > 1e200 {
				logs[i] += math.Log(pi)
				prod[i] = 1
			}
		}
	}
	for i := range b.sec {
		b.sec[i] = math.Exp(-logs[i]) / prod[i]
	}
}

// prob is the probability of odds o.
func prob(o float64) float64 {
	if math.IsInf(o, 1) {
		return 1
	}
	return o / (1 + o)
}

// movedOdds is the odds of pair ji once its linear predictor moves by d
// (ed = e^d) from the baseline's, its deployment factor by q (the ratio
// of the new to the baseline's) and a proposal's factor f applies: the
// baseline's odds times e^d·q·f, which costs no exponential when many
// pairs share d; from the predictor itself where that product could
// leave the range of floating point.
func (sys *System) movedOdds(b *baseline, ji int, d, ed, q, f float64) float64 {
	if o := b.odds[ji]; o > 1e-290 && o < 1e290 && d > -600 && d < 600 {
		return o * ed * q * f
	}
	o := fastExp(b.eta[ji]+d) * b.mixOf(ji) * q
	if sys.odds != nil {
		o *= sys.odds[ji]
	}
	return o * f
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
		return sys.forceBase().probs()[from*sys.n+to]
	}
	return sys.mid.probs()[from*sys.n+to]
}

// DeploymentTerm returns what the baseline's deployments add to the
// linear predictor of the pair (MID outcome).
func (sys *System) DeploymentTerm(from, to int) float64 {
	return sys.mid.deploymentTerm(from*sys.n + to)
}
