// Package simulate propagates the uncertainty of the model's parameters to
// an assessment by Monte Carlo: each draw takes every uncertain parameter
// from its distribution, re-evaluates the model (model.System.Reparam) and
// assesses the proposal. docs/model.md, section 9, gives the file format
// and the statistics.
package simulate

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"gonum.org/v1/gonum/stat/distuv"
)

// Distribution kinds.
const (
	Point      = "point"
	Uniform    = "uniform"
	Triangular = "triangular"
	LogNormal  = "lognormal"
)

// distFields lists the fields each kind requires; a distribution carries
// exactly these and "dist".
var distFields = map[string][]string{
	Point:      {"value"},
	Uniform:    {"min", "max"},
	Triangular: {"min", "mode", "max"},
	LogNormal:  {"median", "iqr"},
}

// z75 is the standard normal's upper quartile: a normal's IQR is 2·z75·σ.
const z75 = 0.6744897501960817

// Dist is one parameter's distribution, as the Delphi rounds state it.
type Dist struct {
	// Kind is point, uniform, triangular or lognormal.
	Kind string `json:"dist"`
	// Value is a point distribution's value.
	Value float64 `json:"value,omitempty"`
	// Min and Max bound a uniform or triangular distribution; Mode is the
	// triangular's peak.
	Min  float64 `json:"min,omitempty"`
	Mode float64 `json:"mode,omitempty"`
	Max  float64 `json:"max,omitempty"`
	// Median and IQR (the width q3 - q1) fit a log-normal: μ = ln median,
	// σ = asinh(IQR / (2·median)) / z₀.₇₅.
	Median float64 `json:"median,omitempty"`
	IQR    float64 `json:"iqr,omitempty"`
}

// support returns the smallest and largest values the distribution can
// take (+Inf for a log-normal's upper end).
func (d *Dist) support() (lo, hi float64) {
	switch d.Kind {
	case Point:
		return d.Value, d.Value
	case LogNormal:
		return 0, math.Inf(1)
	}
	return d.Min, d.Max
}

// validate checks the distribution's own parameters.
func (d *Dist) validate(field string) error {
	finite := func(name string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return indivisible.Invalid(field+"."+name, "must be a finite number")
		}
		return nil
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"value", d.Value}, {"min", d.Min}, {"mode", d.Mode}, {"max", d.Max}, {"median", d.Median}, {"iqr", d.IQR}} {
		if err := finite(f.name, f.v); err != nil {
			return err
		}
	}
	switch d.Kind {
	case Uniform:
		if !(d.Min < d.Max) {
			return indivisible.Invalid(field+".max", "must exceed min")
		}
	case Triangular:
		if !(d.Min < d.Max) {
			return indivisible.Invalid(field+".max", "must exceed min")
		}
		if d.Mode < d.Min || d.Mode > d.Max {
			return indivisible.Invalid(field+".mode", "must lie in [min, max]")
		}
	case LogNormal:
		if !(d.Median > 0) {
			return indivisible.Invalid(field+".median", "must be positive")
		}
		if !(d.IQR > 0) {
			return indivisible.Invalid(field+".iqr", "must be positive")
		}
	}
	return nil
}

// Mean returns the distribution's mean.
func (d *Dist) Mean() float64 {
	switch d.Kind {
	case Point:
		return d.Value
	case Uniform:
		return (d.Min + d.Max) / 2
	case Triangular:
		return (d.Min + d.Mode + d.Max) / 3
	}
	mu, sigma := d.logParams()
	return math.Exp(mu + sigma*sigma/2)
}

func (d *Dist) logParams() (mu, sigma float64) {
	return math.Log(d.Median), math.Asinh(d.IQR/(2*d.Median)) / z75
}

// draw takes one value from src.
func (d *Dist) draw(src rand.Source) float64 {
	switch d.Kind {
	case Uniform:
		return distuv.Uniform{Min: d.Min, Max: d.Max, Src: src}.Rand()
	case Triangular:
		return distuv.NewTriangle(d.Min, d.Max, d.Mode, src).Rand()
	case LogNormal:
		mu, sigma := d.logParams()
		return distuv.LogNormal{Mu: mu, Sigma: sigma, Src: src}.Rand()
	}
	return d.Value
}

// Spec is a parameter-distribution file: fixed parameters, as in a
// -params file, and a distribution for each uncertain one.
type Spec struct {
	Title string `json:"title,omitempty"`
	// Params are the fixed parameters (defaults overridden as in a
	// model parameter file).
	Params model.Params `json:"params"`
	// Distributions maps a parameter path (see Paths) to its distribution.
	Distributions map[string]Dist `json:"distributions"`
	// Estimation draws the model's coefficients, in every draw, from the
	// multivariate normal of their estimates and covariance, so that the
	// result includes the uncertainty of the fit. A file sets it false
	// ("estimation": false) to hold the coefficients at their estimates.
	Estimation bool `json:"estimation"`
}

// Names returns the uncertain parameters' paths, sorted: the order in which
// every draw takes them.
func (s *Spec) Names() []string {
	names := make([]string, 0, len(s.Distributions))
	for k := range s.Distributions {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ParseSpec decodes a parameter-distribution file strictly. Errors are
// EINVALID and name the field, e.g. "distributions.lambda_km.iqr".
func ParseSpec(b []byte) (*Spec, error) {
	var raw struct {
		Title         string                     `json:"title"`
		Params        json.RawMessage            `json:"params"`
		Distributions map[string]json.RawMessage `json:"distributions"`
		Estimation    *bool                      `json:"estimation"`
	}
	if err := indivisible.DecodeStrict(b, &raw); err != nil {
		return nil, err
	}
	s := &Spec{Title: raw.Title, Params: model.DefaultParams(), Distributions: map[string]Dist{}, Estimation: raw.Estimation == nil || *raw.Estimation}
	if len(raw.Params) > 0 && string(raw.Params) != "null" {
		p, err := model.ParseParams(raw.Params)
		if err != nil {
			return nil, indivisible.PrefixField("params", err)
		}
		s.Params = p
	}
	if len(raw.Distributions) == 0 && !s.Estimation {
		return nil, indivisible.Invalid("distributions", "at least one parameter distribution is needed when estimation is false")
	}
	for _, name := range sortedKeys(raw.Distributions) {
		field := "distributions." + name
		d, err := parseDist(raw.Distributions[name], field)
		if err != nil {
			return nil, err
		}
		s.Distributions[name] = d
	}
	return s, s.Validate()
}

func parseDist(b []byte, field string) (Dist, error) {
	var d Dist
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil || keys == nil {
		return d, indivisible.Invalid(field, "a distribution must be a JSON object")
	}
	var kind string
	if err := json.Unmarshal(keys["dist"], &kind); err != nil || kind == "" {
		return d, indivisible.Invalid(field+".dist", "missing or not a string (one of %s)", strings.Join(sortedKeys(distFields), ", "))
	}
	need, ok := distFields[kind]
	if !ok {
		return d, indivisible.Invalid(field+".dist", "unknown distribution %q (one of %s)", kind, strings.Join(sortedKeys(distFields), ", "))
	}
	allowed := map[string]bool{"dist": true}
	for _, f := range need {
		if _, ok := keys[f]; !ok {
			return d, indivisible.Invalid(field+"."+f, "required for a %s distribution", kind)
		}
		allowed[f] = true
	}
	for _, k := range sortedKeys(keys) {
		if !allowed[k] {
			return d, indivisible.Invalid(field+"."+k, "not a field of a %s distribution", kind)
		}
	}
	if err := indivisible.DecodeStrict(b, &d); err != nil {
		return d, indivisible.PrefixField(field, err)
	}
	return d, d.validate(field)
}

// Validate checks every distribution against its parameter's domain: a
// draw must always be a valid parameter.
func (s *Spec) Validate() error {
	for _, name := range s.Names() {
		field := "distributions." + name
		d := s.Distributions[name]
		if _, ok := distFields[d.Kind]; !ok {
			return indivisible.Invalid(field+".dist", "unknown distribution %q", d.Kind)
		}
		if err := d.validate(field); err != nil {
			return err
		}
		par, err := lookup(name)
		if err != nil {
			return indivisible.Invalid(field, "%v", err)
		}
		lo, hi := d.support()
		if lo < par.lo || hi > par.hi || par.open && lo == par.lo && d.Kind != LogNormal {
			return indivisible.Invalid(field, "draws in [%g, %g] leave the parameter's range %s", lo, hi, par.rangeText())
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

// param is an uncertain parameter: its range and how to set it.
type param struct {
	lo, hi float64
	open   bool // lo itself is excluded
	set    func(p *model.Params, v float64)
}

func (p param) rangeText() string {
	l := "["
	if p.open {
		l = "("
	}
	if math.IsInf(p.hi, 1) {
		return fmt.Sprintf("%s%g, ∞)", l, p.lo)
	}
	return fmt.Sprintf("%s%g, %g]", l, p.lo, p.hi)
}

// Paths lists the parameter paths a distribution file may name; X stands
// for a CBM kind, a component, or a pair of state codes. The estimated
// coefficients are not among them: every draw takes them from their
// sampling distribution (see Spec.Estimation).
func Paths() []string {
	return []string{"exercise_intensity", "exercise_range_km", "notified_discount", "observer_discount",
		"cbm.X", "weights.X", "dyads.AAA-BBB"}
}

// lookup resolves a parameter path. The setters write into the Params'
// maps, which the caller must own (Run gives each draw its copies).
func lookup(path string) (param, error) {
	unit := func(set func(p *model.Params, v float64)) param { return param{0, 1, false, set} }
	switch path {
	case "exercise_intensity":
		return param{0, math.Inf(1), false, func(p *model.Params, v float64) { p.ExerciseIntensity = v }}, nil
	case "exercise_range_km":
		return param{0, math.Inf(1), true, func(p *model.Params, v float64) { p.ExerciseRangeKm = v }}, nil
	case "notified_discount":
		return unit(func(p *model.Params, v float64) { p.NotifiedDiscount = v }), nil
	case "observer_discount":
		return unit(func(p *model.Params, v float64) { p.ObserverDiscount = v }), nil
	}
	group, key, ok := strings.Cut(path, ".")
	if !ok || key == "" {
		return param{}, fmt.Errorf("unknown parameter (one of %s)", strings.Join(Paths(), ", "))
	}
	switch group {
	case "cbm":
		return unit(func(p *model.Params, v float64) { p.CBM[key] = v }), nil
	case "weights":
		return param{0, math.Inf(1), false, func(p *model.Params, v float64) { p.Weights[key] = v }}, nil
	case "dyads":
		a, b, ok := strings.Cut(key, "-")
		if !ok || a == "" || b == "" {
			return param{}, fmt.Errorf("a dyad is named by two state codes, e.g. dyads.ARM-AZE")
		}
		return param{0, math.Inf(1), false, func(p *model.Params, v float64) { p.Dyads = withDyad(p.Dyads, a, b, v) }}, nil
	}
	return param{}, fmt.Errorf("unknown parameter (one of %s)", strings.Join(Paths(), ", "))
}

// withDyad returns a copy of ds with the factor of the pair a-b set to v.
func withDyad(ds []model.Dyad, a, b string, v float64) []model.Dyad {
	out := make([]model.Dyad, 0, len(ds)+1)
	for _, d := range ds {
		if !(d.A == a && d.B == b || d.A == b && d.B == a) {
			out = append(out, d)
		}
	}
	return append(out, model.Dyad{A: a, B: b, Factor: v})
}

// DefaultSpec is the uncertainty used when no distribution file is given:
// the estimated coefficients' sampling distribution, and the priors of the
// measures with no historical record spread around their defaults as
// docs/model.md (section 6) explains.
func DefaultSpec() *Spec {
	return &Spec{
		Title:      "default uncertainty",
		Params:     model.DefaultParams(),
		Estimation: true,
		Distributions: map[string]Dist{
			"exercise_intensity": {Kind: LogNormal, Median: 0.5, IQR: 0.5},
			"exercise_range_km":  {Kind: LogNormal, Median: 500, IQR: 400},
			"cbm.inspection":     {Kind: Triangular, Min: 0.05, Mode: 0.15, Max: 0.3},
			"cbm.observers":      {Kind: Triangular, Min: 0.02, Mode: 0.1, Max: 0.2},
			"cbm.hotline":        {Kind: Triangular, Min: 0.02, Mode: 0.1, Max: 0.2},
		},
	}
}
