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

// sparse computes the security after st from the baseline sums. st keeps
// the baseline's support and hostility matrices (no join or leave), with
// its CBM pairs listed; only the exponential gradient is handled.
func (sys *System) sparse(st *state, out []float64) {
	n := sys.n
	sup, thr := slices.Clone(sys.sup0), slices.Clone(sys.thr0)
	cap0, bases0 := sys.cap0, sys.bases0
	cap1, bases1 := sys.forces(st.hold, st.deps)
	p0, p1 := make([]float64, n), make([]float64, n)
	eta1 := make([]float64, n)
	c := 0 // next CBM pair, in the order of j
	for j := range n {
		first := c
		for c < len(st.cbm) && st.cbm[c].j == j {
			c++
		}
		pairs := st.cbm[first:c]
		if cap0[j] == cap1[j] && slices.Equal(bases0[j], bases1[j]) {
			// j's forces are unchanged: only its CBM pairs move.
			for _, e := range pairs {
				pji := cap0[j] * sys.g[j*n+e.i]
				for _, b := range bases0[j] {
					pji += b.c * sys.g[b.host*n+e.i]
				}
				thr[e.i] += (e.f - 1) * sys.eta[j*n+e.i] * pji
			}
			continue
		}
		sys.project(cap0[j], bases0[j], j, p0)
		sys.project(cap1[j], bases1[j], j, p1)
		sig, eta0 := sys.sigma[j*n:j*n+n], sys.eta[j*n:j*n+n]
		copy(eta1, eta0)
		for _, e := range pairs {
			eta1[e.i] *= e.f
		}
		for i := range n {
			sup[i] += sig[i] * (p1[i] - p0[i])
			thr[i] += eta1[i]*p1[i] - eta0[i]*p0[i]
		}
		sup[j] += p1[j] - p0[j]
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
