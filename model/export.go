package model

import "github.com/indivisible-eurasia/indivisible"

// Inputs are the model's compiled inputs for one proposal, as plain arrays
// indexed like Codes and Components, for an independent implementation of
// the equations (bench/reference_simulate.py) to read. Matrices are
// flattened row by row.
type Inputs struct {
	Codes      []string  `json:"codes"`
	Components []string  `json:"components"`
	Weights    []float64 `json:"weights"` // the scenario's, before parameters
	Total      []float64 `json:"total"`
	Missing    []bool    `json:"missing"` // n*m
	// Hold and HoldAfter are the holdings (deployed forces included)
	// before and after the proposal; Deps and DepsAfter the deployments.
	Hold      []float64     `json:"hold"`
	HoldAfter []float64     `json:"hold_after"`
	Deps      []ExportedDep `json:"deps"`
	DepsAfter []ExportedDep `json:"deps_after"`
	Dist      []float64     `json:"dist_km"` // n*n; 0 for oneself and neighbours
	// Mask and MaskAfter hold the commitment types binding each pair, bit k
	// for CommitmentTypes[k].
	Mask            []int    `json:"mask"`
	MaskAfter       []int    `json:"mask_after"`
	CommitmentTypes []string `json:"commitment_types"`
	// CBM lists the proposal's confidence-building measures.
	CBM    []ExportedCBM `json:"cbm"`
	Before []float64     `json:"before"`
	After  []float64     `json:"after"`
}

// ExportedDep is a deployment: indices of owner, host and component.
type ExportedDep struct {
	Owner    int     `json:"owner"`
	Host     int     `json:"host"`
	Comp     int     `json:"comp"`
	Quantity float64 `json:"quantity"`
}

// ExportedCBM is a confidence-building measure: its states' indices.
type ExportedCBM struct {
	Actors []int  `json:"actors"`
	Kind   string `json:"kind"`
}

// Export returns the compiled inputs of the proposal's measures under the
// system's parameters, with the security before and after. The reference
// implementation covers the default exponential gradient and direct
// alignment without dyads, and not exercises, whose threat it does not
// model; anything else is EINVALID.
func (sys *System) Export(measures []indivisible.Measure) (*Inputs, error) {
	p := sys.p
	if p.Gradient != GradientExponential || p.Alignment != AlignmentDirect || len(p.Dyads) > 0 {
		return nil, indivisible.Invalid("params", "export covers the exponential gradient and direct alignment without dyads")
	}
	st, err := sys.apply(measures)
	if err != nil {
		return nil, err
	}
	if st.threat != nil {
		return nil, indivisible.Invalid("measures", "export does not cover exercises")
	}
	after := make([]float64, sys.n)
	if err := sys.security(st, after); err != nil {
		return nil, err
	}
	in := &Inputs{Codes: sys.codes, Components: sys.comps, Weights: sys.compW, Total: sys.total, Missing: sys.missing,
		Hold: sys.hold, HoldAfter: st.hold, Dist: sys.dist, Before: sys.before, After: after,
		Deps: exportDeps(sys.deps), DepsAfter: exportDeps(st.deps), Mask: ints(sys.mask), MaskAfter: ints(sys.mask), CBM: []ExportedCBM{}}
	if st.mask != nil {
		in.MaskAfter = ints(st.mask)
	}
	for _, t := range indivisible.CommitmentTypes {
		in.CommitmentTypes = append(in.CommitmentTypes, string(t))
	}
	for _, m := range measures {
		if m.Type == indivisible.MeasureCBM {
			c := ExportedCBM{Kind: m.Kind}
			for _, a := range m.Actors {
				c.Actors = append(c.Actors, sys.idx[a])
			}
			in.CBM = append(in.CBM, c)
		}
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
