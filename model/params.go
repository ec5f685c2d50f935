package model

import (
	"fmt"
	"math"
	"sort"

	"github.com/indivisible-eurasia/indivisible"
)

// Dyad sets a factor on the odds of a militarized dispute between two
// states, in both directions: for example one elicited in a Delphi round
// for a pair whose relations the data do not capture.
type Dyad struct {
	A      string  `json:"a"`
	B      string  `json:"b"`
	Factor float64 `json:"factor"`
}

// Params are the parts of the model that history cannot estimate: the
// effect of measures with no historical record (exercises and
// confidence-building measures), component weights of the holdings index,
// and expert factors on particular pairs. Every one has a documented prior
// (docs/model.md, section 5) and can be set from a JSON file or a Delphi
// result. The estimated coefficients are in Coefficients.
type Params struct {
	// ExerciseIntensity is the increase in the odds of a dispute by the
	// exercising state against a state at the host's location, per unit of
	// the exercise's forces as a share of the state's own (section 5).
	ExerciseIntensity float64 `json:"exercise_intensity"`
	// ExerciseRangeKm is the distance over which an exercise's effect
	// decays by a factor e.
	ExerciseRangeKm  float64 `json:"exercise_range_km"`
	NotifiedDiscount float64 `json:"notified_discount"`
	ObserverDiscount float64 `json:"observer_discount"`
	// CBM is the reduction of the odds of a dispute between the parties to
	// a confidence-building measure, by kind.
	CBM map[string]float64 `json:"cbm"`
	// Weights override the scenario's component weights in the holdings
	// index.
	Weights map[string]float64 `json:"weights,omitempty"`
	Dyads   []Dyad             `json:"dyads,omitempty"`
	// Coefficients are the fitted models; nil means the shipped defaults
	// (DefaultCoefficients). Monte Carlo sets drawn ones here.
	Coefficients *Coefficients `json:"-"`
}

// DefaultParams returns the documented priors.
func DefaultParams() Params {
	return Params{
		ExerciseIntensity: 0.5,
		ExerciseRangeKm:   500,
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
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case !(p.ExerciseIntensity >= 0) || !finite(p.ExerciseIntensity):
		return indivisible.Invalid("exercise_intensity", "must be a non-negative number")
	case !(p.ExerciseRangeKm > 0) || !finite(p.ExerciseRangeKm):
		return indivisible.Invalid("exercise_range_km", "must be positive")
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
	for _, k := range sortedKeys(p.CBM) {
		if err := unit("cbm."+k, p.CBM[k]); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(p.Weights) {
		if v := p.Weights[k]; !(v >= 0) || !finite(v) {
			return indivisible.Invalid("weights."+k, "must be non-negative")
		}
	}
	for i, d := range p.Dyads {
		if !(d.Factor >= 0) || !finite(d.Factor) {
			return indivisible.Invalid(fmt.Sprintf("dyads[%d].factor", i), "must be non-negative")
		}
	}
	if p.Coefficients != nil {
		return p.Coefficients.Validate()
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

// fieldf formats a field name for an error.
func fieldf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
