package model

import (
	"fmt"
	"math"
	"sort"

	"github.com/indivisible-eurasia/indivisible"
)

// Distance gradients.
const (
	// GradientExponential is Boulding's loss-of-strength gradient in its
	// exponential form: g(d) = exp(-d/λ).
	GradientExponential = "exponential"
	// GradientBdM is Bueno de Mesquita's (1981) discount: a base's
	// capability share C becomes C^log10(miles/(miles per day) + 10 - e).
	GradientBdM = "bdm"
)

// Alignment sources.
const (
	// AlignmentDirect takes hostility from the pair's own commitments.
	AlignmentDirect = "direct"
	// AlignmentSScore also scales it by the dissimilarity of the pair's
	// alliance portfolios, (1-S)/2 (Signorino & Ritter 1999).
	AlignmentSScore = "sscore"
)

// S score weightings.
const (
	SUnweighted = "unweighted"
	SCapability = "capability"
)

// Dyad sets a factor on the hostility perceived between two states, for
// example one elicited in a Delphi round. It applies in both directions.
type Dyad struct {
	A      string  `json:"a"`
	B      string  `json:"b"`
	Factor float64 `json:"factor"`
}

// Params are the model's parameters. Every one has a documented default
// (docs/model.md) and can be set from a JSON file or a Delphi result.
type Params struct {
	Gradient    string  `json:"gradient"`
	LambdaKm    float64 `json:"lambda_km"`
	MilesPerDay float64 `json:"miles_per_day"`
	Alignment   string  `json:"alignment"`
	SWeighting  string  `json:"s_weighting"`
	// Support is the share of an ally's projected power that counts for a
	// state, by the strongest commitment type between them.
	Support map[indivisible.CommitmentType]float64 `json:"support"`
	// Hostility is the share of another state's projected power that
	// counts as a threat, by commitment type; "none" for no commitment.
	Hostility map[string]float64 `json:"hostility"`
	// Baseline keeps the security index in (0,1) for a state with neither
	// capability nor threat.
	Baseline float64 `json:"baseline"`
	// ExerciseIntensity scales an exercise's forces into temporary threat.
	ExerciseIntensity float64 `json:"exercise_intensity"`
	NotifiedDiscount  float64 `json:"notified_discount"`
	ObserverDiscount  float64 `json:"observer_discount"`
	// CBM is the reduction of hostility between the parties to a
	// confidence-building measure, by kind.
	CBM map[string]float64 `json:"cbm"`
	// Weights override the scenario's component weights.
	Weights map[string]float64 `json:"weights,omitempty"`
	Dyads   []Dyad             `json:"dyads,omitempty"`
}

// NoCommitment is the Hostility key for a pair with no commitment.
const NoCommitment = "none"

// DefaultParams returns the documented defaults.
func DefaultParams() Params {
	return Params{
		Gradient:    GradientExponential,
		LambdaKm:    2000,
		MilesPerDay: 250,
		Alignment:   AlignmentDirect,
		SWeighting:  SUnweighted,
		Support: map[indivisible.CommitmentType]float64{
			indivisible.Defence: 1, indivisible.Offence: 0.5, indivisible.Consultation: 0.25,
			indivisible.Neutrality: 0, indivisible.NonAggression: 0,
		},
		Hostility: map[string]float64{
			NoCommitment: 1, string(indivisible.Defence): 0, string(indivisible.Offence): 0,
			string(indivisible.Neutrality): 0.25, string(indivisible.Consultation): 0.5, string(indivisible.NonAggression): 0.5,
		},
		Baseline:          1e-6,
		ExerciseIntensity: 1,
		NotifiedDiscount:  0.3,
		ObserverDiscount:  0.3,
		CBM: map[string]float64{
			"observers": 0.10, "notification": 0.05, "hotline": 0.10, "inspection": 0.15,
			"military_contacts": 0.05, "risk_reduction": 0.10, "data_exchange": 0.05,
		},
	}
}

// ParseParams reads a parameter file: a JSON object whose fields override
// the defaults. Decoding into the defaults means an absent field keeps its
// default, a present one (even 0) replaces it, and maps merge key by key.
func ParseParams(b []byte) (Params, error) {
	p := DefaultParams()
	if err := indivisible.DecodeStrict(b, &p); err != nil {
		return p, err
	}
	return p, p.Validate()
}

// Validate checks every parameter's range and names the offending one.
func (p *Params) Validate() error {
	switch {
	case p.Gradient != GradientExponential && p.Gradient != GradientBdM:
		return indivisible.Invalid("gradient", "%q is neither %q nor %q", p.Gradient, GradientExponential, GradientBdM)
	case p.Alignment != AlignmentDirect && p.Alignment != AlignmentSScore:
		return indivisible.Invalid("alignment", "%q is neither %q nor %q", p.Alignment, AlignmentDirect, AlignmentSScore)
	case p.SWeighting != SUnweighted && p.SWeighting != SCapability:
		return indivisible.Invalid("s_weighting", "%q is neither %q nor %q", p.SWeighting, SUnweighted, SCapability)
	case !(p.LambdaKm > 0) || math.IsInf(p.LambdaKm, 0):
		return indivisible.Invalid("lambda_km", "must be positive")
	case !(p.MilesPerDay > 0) || math.IsInf(p.MilesPerDay, 0):
		return indivisible.Invalid("miles_per_day", "must be positive")
	case !(p.Baseline > 0) || p.Baseline > 1:
		return indivisible.Invalid("baseline", "must be in (0, 1]")
	case !(p.ExerciseIntensity >= 0) || math.IsInf(p.ExerciseIntensity, 0):
		return indivisible.Invalid("exercise_intensity", "must be non-negative")
	}
	unit := func(field string, v float64) error {
		if !(v >= 0 && v <= 1) {
			return indivisible.Invalid(field, "%v is outside [0, 1]", v)
		}
		return nil
	}
	if err := unit("notified_discount", p.NotifiedDiscount); err != nil {
		return err
	}
	if err := unit("observer_discount", p.ObserverDiscount); err != nil {
		return err
	}
	for _, t := range indivisible.CommitmentTypes {
		if err := unit("support."+string(t), p.Support[t]); err != nil {
			return err
		}
		if err := unit("hostility."+string(t), p.Hostility[string(t)]); err != nil {
			return err
		}
	}
	for k := range p.Support {
		if k.TieValue() == 0 {
			return indivisible.Invalid("support."+string(k), "not a commitment type")
		}
	}
	for _, k := range sortedKeys(p.Hostility) {
		if k != NoCommitment && indivisible.CommitmentType(k).TieValue() == 0 {
			return indivisible.Invalid("hostility."+k, "not a commitment type or %q", NoCommitment)
		}
		if err := unit("hostility."+k, p.Hostility[k]); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(p.CBM) {
		if err := unit("cbm."+k, p.CBM[k]); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(p.Weights) {
		if v := p.Weights[k]; !(v >= 0) || math.IsInf(v, 0) {
			return indivisible.Invalid("weights."+k, "must be non-negative")
		}
	}
	for i, d := range p.Dyads {
		if !(d.Factor >= 0) || math.IsInf(d.Factor, 0) {
			return indivisible.Invalid(fmt.Sprintf("dyads[%d].factor", i), "must be non-negative")
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
