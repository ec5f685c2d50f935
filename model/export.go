package model

import (
	"math"

	"github.com/indivisible-eurasia/indivisible"
)

// Inputs are the model's raw inputs for one proposal, as plain arrays
// indexed like Codes and Components, for an independent implementation of
// the equations (bench/reference_simulate.py) to read: it recomputes
// capabilities, coalitions, features, hazards and security from them.
// Matrices are flattened row by row; -1 marks an unknown affinity or
// democracy score (JSON has no NaN).
type Inputs struct {
	Codes      []string  `json:"codes"`
	Components []string  `json:"components"`
	Features   []string  `json:"features"`
	Weights    []float64 `json:"weights"` // after parameters
	Total      []float64 `json:"total"`
	Missing    []bool    `json:"missing"` // n*m
	// CINC, Military and Has are the capability records (Has false: the
	// capability is the holdings index).
	CINC     []float64 `json:"cinc"`
	Military []float64 `json:"military"`
	Has      []bool    `json:"has"`
	// Hold and HoldAfter are the holdings (deployed forces included)
	// before and after the proposal; Deps and DepsAfter the deployments;
	// Mask and MaskAfter the commitment types of each pair (bit k for
	// CommitmentTypes[k]).
	Hold            []float64     `json:"hold"`
	HoldAfter       []float64     `json:"hold_after"`
	Deps            []ExportedDep `json:"deps"`
	DepsAfter       []ExportedDep `json:"deps_after"`
	Mask            []int         `json:"mask"`
	MaskAfter       []int         `json:"mask_after"`
	CommitmentTypes []string      `json:"commitment_types"`
	Dist            []float64     `json:"dist_km"` // n*n between capitals
	Land            []bool        `json:"land"`
	Sea             []bool        `json:"sea"`
	Affinity        []float64     `json:"affinity"`
	Democracy       []float64     `json:"democracy"`
	Major           []bool        `json:"major"`
	Rivalry         []bool        `json:"rivalry"`
	Ongoing         []bool        `json:"ongoing"`
	Peace           []float64     `json:"peace_years"`
	Decay           []float64     `json:"decay"`
	// Odds and OddsAfter are the odds factors of every pair before (expert
	// dyads) and after (with the proposal's CBMs and exercises).
	Odds      []float64 `json:"odds"`
	OddsAfter []float64 `json:"odds_after"`
	CoefMID   []float64 `json:"coef_mid"`
	CoefForce []float64 `json:"coef_force"`
	// CovMID and CovForce are the coefficients' covariances, for the
	// reference's own draws.
	CovMID   [][]float64 `json:"cov_mid"`
	CovForce [][]float64 `json:"cov_force"`
	// Constants of the feature construction.
	CoalitionRangeKm float64 `json:"coalition_range_km"`
	CapFloor         float64 `json:"cap_floor"`
	// The security by outcome before and after, as Go computes it.
	Before      []float64 `json:"before"`
	After       []float64 `json:"after"`
	ForceBefore []float64 `json:"force_before"`
	ForceAfter  []float64 `json:"force_after"`
}

// ExportedDep is a deployment: indices of owner, host and component.
type ExportedDep struct {
	Owner    int     `json:"owner"`
	Host     int     `json:"host"`
	Comp     int     `json:"comp"`
	Quantity float64 `json:"quantity"`
}

// Export returns the raw inputs of the proposal's measures under the
// system's parameters, with the security before and after.
func (sys *System) Export(measures []indivisible.Measure) (*Inputs, error) {
	st, err := sys.apply(measures)
	if err != nil {
		return nil, err
	}
	out := sys.outcome(st, true)
	n := sys.n
	ones := func() []float64 {
		o := make([]float64, n*n)
		for k := range o {
			o[k] = 1
		}
		return o
	}
	odds := ones()
	if sys.odds != nil {
		copy(odds, sys.odds)
	}
	after := append([]float64(nil), odds...)
	if st.odds != nil {
		for k, f := range st.odds {
			after[k] *= f
		}
	}
	unknown := func(v []float64) []float64 {
		o := make([]float64, len(v))
		for k, x := range v {
			o[k] = x
			if math.IsNaN(x) {
				o[k] = -1
			}
		}
		return o
	}
	in := &Inputs{Codes: sys.codes, Components: sys.comps, Features: Features, Weights: sys.w, Total: sys.total, Missing: sys.missing,
		CINC: sys.cinc, Military: sys.mil, Has: sys.has,
		Hold: sys.hold, HoldAfter: st.hold, Deps: exportDeps(sys.deps), DepsAfter: exportDeps(st.deps),
		Mask: ints(sys.mask), MaskAfter: ints(st.mask),
		Dist: sys.dist, Land: sys.land, Sea: sys.sea, Affinity: unknown(sys.affinity), Democracy: unknown(sys.dem),
		Major: sys.major, Rivalry: sys.rivalry, Ongoing: sys.ongoing, Peace: sys.peace, Decay: sys.decay,
		Odds: odds, OddsAfter: after, CoefMID: sys.coef.MID.Coef, CoefForce: sys.coef.Force.Coef,
		CovMID: sys.coef.MID.Cov, CovForce: sys.coef.Force.Cov,
		CoalitionRangeKm: CoalitionRangeKm, CapFloor: capFloor,
		Before: sys.mid.sec, After: out.sec[0], ForceBefore: sys.forceBase().sec, ForceAfter: out.sec[1]}
	for _, t := range indivisible.CommitmentTypes {
		in.CommitmentTypes = append(in.CommitmentTypes, string(t))
	}
	return in, nil
}

func exportDeps(ds []deployment) []ExportedDep {
	out := make([]ExportedDep, len(ds))
	for k, d := range ds {
		out[k] = ExportedDep{d.owner, d.host, d.comp, d.q}
	}
	return out
}

func ints(b []uint8) []int {
	out := make([]int, len(b))
	for k, v := range b {
		out[k] = int(v)
	}
	return out
}
