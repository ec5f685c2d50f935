// Package optimize finds the package of measures that raises the least
// secure participant the most (max-min fairness), by sequential linear
// programming over candidate measures whose levels it chooses.
// docs/model.md, section 8, gives the method and the file format.
package optimize

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
)

// Candidate is a measure the optimiser may adopt at a level in
// [Levels[0], Levels[1]] ⊆ [0, 1]; level x scales the measure's quantities
// (indivisible.Measure.Scaled). Membership and CBM measures have no
// quantity: they are binary, adopted or not, and their levels must be 0
// or 1.
type Candidate struct {
	// Name labels the candidate in the output; it defaults to
	// "candidates[k]".
	Name    string              `json:"name,omitempty"`
	Measure indivisible.Measure `json:"measure"`
	Levels  [2]float64          `json:"levels"`
}

// Binary reports whether the candidate is adopted whole or not at all.
func (c *Candidate) Binary() bool { return Binary(c.Measure.Type) }

// Binary reports whether measures of the type are binary: joins, leaves and
// confidence-building measures scale nothing.
func Binary(measureType string) bool {
	switch measureType {
	case indivisible.MeasureJoin, indivisible.MeasureLeave, indivisible.MeasureCBM:
		return true
	}
	return false
}

// Limit bounds what the package may ask of one state: in no category (or
// in none of Categories, if given) may its holdings fall by more than
// MaxReduction of what it holds now. Holdings fall by reductions and by
// transfers to others.
type Limit struct {
	State        string   `json:"state"`
	MaxReduction float64  `json:"max_reduction"`
	Categories   []string `json:"categories,omitempty"`
}

// Candidates is an optimiser input file.
type Candidates struct {
	Title      string      `json:"title"`
	Candidates []Candidate `json:"candidates"`
	Limits     []Limit     `json:"limits,omitempty"`
}

// ParseCandidates decodes a candidates file strictly: unknown fields, wrong
// types, bad levels and malformed measures are EINVALID errors naming the
// field, e.g. "candidates[3].measure.quantity" or "candidates[0].levels".
// Whether the codes and quantities fit a scenario is checked by Optimize.
func ParseCandidates(b []byte) (*Candidates, error) {
	var raw struct {
		Title      string            `json:"title"`
		Candidates []json.RawMessage `json:"candidates"`
		Limits     []json.RawMessage `json:"limits"`
	}
	if err := indivisible.DecodeStrict(b, &raw); err != nil {
		return nil, err
	}
	cs := &Candidates{Title: raw.Title}
	if len(raw.Candidates) == 0 {
		return nil, indivisible.Invalid("candidates", "at least one candidate is needed")
	}
	for k, rawc := range raw.Candidates {
		field := fmt.Sprintf("candidates[%d]", k)
		var rc struct {
			Name    string          `json:"name"`
			Measure json.RawMessage `json:"measure"`
			Levels  []float64       `json:"levels"`
		}
		if err := indivisible.DecodeStrict(rawc, &rc); err != nil {
			return nil, indivisible.PrefixField(field, err)
		}
		if len(rc.Measure) == 0 || string(rc.Measure) == "null" {
			return nil, indivisible.Invalid(field+".measure", "required")
		}
		// The measure obeys the proposal format's rules exactly.
		p, err := indivisible.ParseProposal([]byte(`{"measures":[` + string(rc.Measure) + `]}`))
		if err != nil {
			return nil, rename(err, "measures[0]", field+".measure", "measures", field+".measure")
		}
		c := Candidate{Name: rc.Name, Measure: p.Measures[0], Levels: [2]float64{0, 1}}
		if c.Name == "" {
			c.Name = field
		}
		if rc.Levels != nil {
			if len(rc.Levels) != 2 {
				return nil, indivisible.Invalid(field+".levels", "must be [lowest, highest]")
			}
			c.Levels = [2]float64{rc.Levels[0], rc.Levels[1]}
		}
		cs.Candidates = append(cs.Candidates, c)
	}
	for k, rawl := range raw.Limits {
		var l Limit
		if err := indivisible.DecodeStrict(rawl, &l); err != nil {
			return nil, indivisible.PrefixField(fmt.Sprintf("limits[%d]", k), err)
		}
		cs.Limits = append(cs.Limits, l)
	}
	return cs, cs.Validate()
}

// rename replaces a field's prefix old with new (or oldAlt with newAlt).
func rename(err error, old, new, oldAlt, newAlt string) error {
	e, ok := err.(*indivisible.Error)
	if !ok {
		return err
	}
	c := *e
	switch {
	case strings.HasPrefix(c.Field, old):
		c.Field = new + strings.TrimPrefix(c.Field, old)
	case strings.HasPrefix(c.Field, oldAlt):
		c.Field = newAlt + strings.TrimPrefix(c.Field, oldAlt)
	default:
		c.Field = newAlt
	}
	return &c
}

// Validate checks the levels and limits for form.
func (cs *Candidates) Validate() error {
	for k, c := range cs.Candidates {
		field := fmt.Sprintf("candidates[%d].levels", k)
		lo, hi := c.Levels[0], c.Levels[1]
		if !(lo >= 0 && lo <= hi && hi <= 1) {
			return indivisible.Invalid(field, "[%v, %v] is not a range within [0, 1]", lo, hi)
		}
		if c.Binary() && (lo != 0 && lo != 1 || hi != 0 && hi != 1) {
			return indivisible.Invalid(field, "a %s measure is adopted or not: its levels are 0 or 1", c.Measure.Type)
		}
	}
	for k, l := range cs.Limits {
		field := fmt.Sprintf("limits[%d]", k)
		if l.State == "" {
			return indivisible.Invalid(field+".state", "required")
		}
		if !(l.MaxReduction >= 0 && l.MaxReduction <= 1) || math.IsInf(l.MaxReduction, 0) {
			return indivisible.Invalid(field+".max_reduction", "must be a share in [0, 1]")
		}
	}
	return nil
}

// Package returns the measures of the package that adopts candidate k at
// level x[k]; candidates at level 0 are left out.
func (cs *Candidates) Package(x []float64) []indivisible.Measure {
	ms := make([]indivisible.Measure, 0, len(x))
	for k, c := range cs.Candidates {
		if x[k] > 0 {
			ms = append(ms, c.Measure.Scaled(x[k]))
		}
	}
	return ms
}
