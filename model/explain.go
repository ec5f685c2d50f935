package model

import (
	"cmp"
	"slices"

	"github.com/indivisible-eurasia/indivisible"
)

// pairRisk describes the baseline hazard of the pair (j, i).
func (sys *System) pairRisk(j, i int) indivisible.PairRisk {
	n, w, k := sys.n, rowWidth, numFeatures
	ji := j*n + i
	x := sys.x0[ji*w : ji*w+k]
	beta := sys.coef.MID.Coef
	r := indivisible.PairRisk{From: sys.codes[j], To: sys.codes[i], P: sys.mid.probs()[ji], PForce: sys.forceBase().probs()[ji],
		Contributions: make([]indivisible.Contribution, k), Odds: 1}
	for f := range k {
		r.Contributions[f] = indivisible.Contribution{Feature: Features[f], Value: x[f], Coef: beta[f], Term: x[f] * beta[f]}
	}
	r.Deployments = sys.mid.deploymentTerm(ji)
	if sys.odds != nil {
		r.Odds = sys.odds[ji]
	}
	return r
}

// Pairs returns the baseline hazard of every ordered pair of states,
// ordered by From, then To.
func (sys *System) Pairs() []indivisible.PairRisk {
	out := make([]indivisible.PairRisk, 0, sys.n*(sys.n-1))
	for j := range sys.n {
		for i := range sys.n {
			if i != j {
				out = append(out, sys.pairRisk(j, i))
			}
		}
	}
	return out
}

// Explain returns a state's baseline security, its rank and the top pairs
// that contribute most to its risk, largest hazard first. The error is
// ENOTFOUND for a code that is not a state of the scenario.
func (sys *System) Explain(code string, top int) (*indivisible.Explanation, error) {
	i, ok := sys.idx[code]
	if !ok {
		return nil, indivisible.Errorf(indivisible.ENOTFOUND, "%q is not a state of scenario %s", code, sys.scenario)
	}
	sec := sys.mid.sec
	e := &indivisible.Explanation{Code: code, Name: sys.names[i], Year: sys.year, Security: sec[i], Risk: 1 - sec[i],
		ForceSecurity: sys.forceBase().sec[i], Rank: 1, Of: sys.n}
	for _, v := range sec {
		if v > sec[i] {
			e.Rank++
		}
	}
	js := make([]int, 0, sys.n-1)
	for j := range sys.n {
		if j != i {
			js = append(js, j)
		}
	}
	p := sys.mid.probs()
	slices.SortStableFunc(js, func(a, b int) int { return cmp.Compare(p[b*sys.n+i], p[a*sys.n+i]) })
	for _, j := range js[:min(top, len(js))] {
		e.Threats = append(e.Threats, sys.pairRisk(j, i))
	}
	return e, nil
}
