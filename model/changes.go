package model

import (
	"slices"

	"github.com/indivisible-eurasia/indivisible"
)

// Changes writes every state's change in security under the measures into
// out (ordered as Codes): After minus Before, up to rounding. Where it can,
// it updates the baseline's support and threat with what the measures
// change (the projected power of states whose forces change, the
// hostility of the pairs of a CBM) in O(n) per changed state, instead of
// recomputing all n² terms; joins, leaves, exercises and the BdM gradient
// take the full path. The Monte Carlo calls it once per draw.
func (sys *System) Changes(measures []indivisible.Measure, out []float64) error {
	st, err := sys.apply(measures)
	if err != nil {
		return err
	}
	if st.mask != nil || st.threat != nil || sys.expo != nil {
		if err := sys.security(st, out); err != nil {
			return err
		}
	} else {
		sys.sparse(st, out)
	}
	for i, b := range sys.before {
		out[i] -= b
	}
	return nil
}

// base is capability c of an owner stationed in host.
type base struct {
	host int
	c    float64
}

// sparse computes the security after st, whose support weights are the
// baseline's, from the baseline sums.
func (sys *System) sparse(st *state, out []float64) {
	n := sys.n
	sup, thr := slices.Clone(sys.sup0), slices.Clone(sys.thr0)
	cap0, bases0 := sys.cap0, sys.bases0
	cap1, bases1 := sys.forces(st.hold, st.deps)
	changed := make([]bool, n)
	row := func(cj float64, bs []base, j int, p []float64) {
		g := sys.g[j*n : j*n+n]
		for i := range p {
			p[i] = cj * g[i]
		}
		for _, b := range bs {
			g := sys.g[b.host*n : b.host*n+n]
			for i := range p {
				p[i] += b.c * g[i]
			}
		}
	}
	p0, p1 := make([]float64, n), make([]float64, n)
	for j := range n {
		if cap0[j] == cap1[j] && slices.Equal(bases0[j], bases1[j]) {
			continue
		}
		changed[j] = true
		row(cap0[j], bases0[j], j, p0)
		row(cap1[j], bases1[j], j, p1)
		sig, eta0, eta1 := sys.sigma[j*n:j*n+n], sys.eta[j*n:j*n+n], st.eta[j*n:j*n+n]
		for i := range n {
			sup[i] += sig[i] * (p1[i] - p0[i])
			thr[i] += eta1[i]*p1[i] - eta0[i]*p0[i]
		}
		sup[j] += p1[j] - p0[j]
	}
	// Pairs whose hostility a CBM changed, where the first state's forces
	// did not change (those rows are done).
	for _, pr := range st.pairs {
		j, i := pr[0], pr[1]
		if changed[j] {
			continue
		}
		pji := cap0[j] * sys.g[j*n+i]
		for _, b := range bases0[j] {
			pji += b.c * sys.g[b.host*n+i]
		}
		thr[i] += (st.eta[j*n+i] - sys.eta[j*n+i]) * pji
	}
	sys.index(sup, thr, nil, out)
}

// forces returns every state's capability at home and its bases abroad.
func (sys *System) forces(hold []float64, deps []deployment) ([]float64, [][]base) {
	n, m := sys.n, sys.m
	buf := make([]float64, n*m+n)
	deployed, caps := buf[:n*m], buf[n*m:]
	for _, d := range deps {
		deployed[d.owner*m+d.comp] += d.q
	}
	for k := range deployed {
		deployed[k] = hold[k] - deployed[k] // now the forces at home
	}
	for j := range n {
		caps[j] = sys.capability(deployed, j)
	}
	bases := make([][]base, n)
	for _, d := range deps {
		bases[d.owner] = append(bases[d.owner], base{d.host, sys.share(d.owner, d.comp, d.q)})
	}
	return caps, bases
}
