package model

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/indivisible-eurasia/indivisible"
)

// Outcomes the model predicts: any militarized interstate dispute (GML
// MID: a threat, display or use of force), and one in which force is used
// (hostility level 4 or 5).
const (
	OutcomeMID   = "mid"
	OutcomeForce = "force"
)

// Estimate is one fitted logistic regression: the coefficients of the
// features in Coefficients.Features, their standard errors and covariance,
// and the fit statistics.
type Estimate struct {
	Outcome string    `json:"outcome"`
	Coef    []float64 `json:"coef"`
	SE      []float64 `json:"se"`
	// Cov is the estimated covariance of Coef (the inverse of the
	// penalised negative Hessian), row by row.
	Cov        [][]float64 `json:"cov"`
	LogLik     float64     `json:"loglik"`
	LogLik0    float64     `json:"loglik0"`
	N          int         `json:"n"`
	Events     int         `json:"events"`
	Iterations int         `json:"iterations"`
	Ridge      float64     `json:"ridge"`
}

// Coefficients are the output of `indivisible calibrate`: the estimates
// for both outcomes, with the training window and the data they came from.
type Coefficients struct {
	// Features names the columns of the design, in order (see Features).
	Features []string `json:"features"`
	MID      Estimate `json:"mid"`
	Force    Estimate `json:"force"`
	// Train is the window of outcome years fitted.
	Train struct {
		From int `json:"from"`
		To   int `json:"to"`
	} `json:"train"`
	// Data gives the SHA-256 of every data file read, by path relative to
	// the data folder.
	Data map[string]string `json:"data"`
}

//go:embed coefficients.json
var defaultCoefficients []byte

var (
	defaultOnce sync.Once
	defaultCoef *Coefficients
	defaultErr  error
)

// DefaultCoefficients returns the shipped coefficients: `indivisible
// calibrate` on the published data (docs/model.md, section 3). The result
// is shared: callers must not modify it.
func DefaultCoefficients() *Coefficients {
	defaultOnce.Do(func() {
		defaultCoef, defaultErr = ParseCoefficients(defaultCoefficients)
	})
	if defaultErr != nil {
		panic("model: the embedded coefficients.json is invalid: " + defaultErr.Error()) // a build defect, caught by the tests
	}
	return defaultCoef
}

// ParseCoefficients reads a coefficient file strictly.
func ParseCoefficients(b []byte) (*Coefficients, error) {
	var c Coefficients
	if err := indivisible.DecodeStrict(b, &c); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks that the coefficients fit this model's features and are
// finite.
func (c *Coefficients) Validate() error {
	if !slices.Equal(c.Features, Features) {
		return indivisible.Invalid("features", "the coefficients are for features %v; this model has %v (re-run indivisible calibrate)", c.Features, Features)
	}
	for _, e := range []*Estimate{&c.MID, &c.Force} {
		if len(e.Coef) != len(Features) {
			return indivisible.Invalid(e.Outcome+".coef", "has %d values for %d features", len(e.Coef), len(Features))
		}
		for k, v := range e.Coef {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return indivisible.Invalid(fmt.Sprintf("%s.coef[%d]", e.Outcome, k), "must be finite")
			}
		}
		if len(e.Cov) != 0 && len(e.Cov) != len(Features) {
			return indivisible.Invalid(e.Outcome+".cov", "must be %d×%d", len(Features), len(Features))
		}
		for _, row := range e.Cov {
			if len(row) != len(Features) {
				return indivisible.Invalid(e.Outcome+".cov", "must be %d×%d", len(Features), len(Features))
			}
		}
	}
	return nil
}

// Clone returns a deep copy, for Monte Carlo draws to overwrite.
func (c *Coefficients) Clone() *Coefficients {
	d := *c
	d.MID.Coef = slices.Clone(c.MID.Coef)
	d.Force.Coef = slices.Clone(c.Force.Coef)
	return &d
}

// Estimate returns the estimate of an outcome.
func (c *Coefficients) Estimate(outcome string) (*Estimate, error) {
	switch outcome {
	case OutcomeMID:
		return &c.MID, nil
	case OutcomeForce:
		return &c.Force, nil
	}
	return nil, indivisible.Invalid("outcome", "%q is neither %q nor %q", outcome, OutcomeMID, OutcomeForce)
}
