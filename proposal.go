package indivisible

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Measure types.
const (
	MeasureHoldings = "holdings"
	MeasureDeploy   = "deploy"
	MeasureWithdraw = "withdraw"
	MeasureTransfer = "transfer"
	MeasureJoin     = "join"
	MeasureLeave    = "leave"
	MeasureExercise = "exercise"
	MeasureCBM      = "cbm"
)

// MaxQuantity bounds every quantity of forces a proposal may name or
// produce: a measure's change, quantity or exercise forces, and every stock
// or deployment after the proposal. It is far above any real holding (the
// largest armed forces number about 2·10⁶ personnel) and far below where
// sums of float64 lose meaning, so that every assessment stays finite.
const MaxQuantity = 1e9

// Measure is one change proposed to the security situation. Which fields a
// measure takes depends on its Type (see measureFields).
type Measure struct {
	Type         string   `json:"type"`
	Actor        string   `json:"actor,omitempty"`
	Actors       []string `json:"actors,omitempty"`
	Host         string   `json:"host,omitempty"`
	From         string   `json:"from,omitempty"`
	To           string   `json:"to,omitempty"`
	Category     string   `json:"category,omitempty"`
	Change       float64  `json:"change,omitempty"`
	Quantity     float64  `json:"quantity,omitempty"`
	Organisation string   `json:"organisation,omitempty"`
	// Exercise forces: the Vienna Document categories, plus Forces for any
	// other component of the scenario.
	Personnel              float64            `json:"personnel,omitempty"`
	BattleTanks            float64            `json:"battle_tanks,omitempty"`
	ArmouredCombatVehicles float64            `json:"armoured_combat_vehicles,omitempty"`
	Artillery              float64            `json:"artillery,omitempty"`
	CombatAircraft         float64            `json:"combat_aircraft,omitempty"`
	Forces                 map[string]float64 `json:"forces,omitempty"`
	Notified               bool               `json:"notified,omitempty"`
	Observers              bool               `json:"observers,omitempty"`
	// Kind is the confidence-building measure's kind.
	Kind string `json:"kind,omitempty"`
}

// measureFields lists, per measure type, the JSON fields it requires and
// the ones it may carry. A field outside both is rejected, so that a typo
// or a misplaced field never silently changes nothing.
var measureFields = map[string]struct{ required, optional []string }{
	MeasureHoldings: {[]string{"actor", "category", "change"}, nil},
	MeasureDeploy:   {[]string{"actor", "host", "category", "quantity"}, nil},
	MeasureWithdraw: {[]string{"actor", "host", "category", "quantity"}, nil},
	MeasureTransfer: {[]string{"from", "to", "category", "quantity"}, nil},
	MeasureJoin:     {[]string{"actor", "organisation"}, nil},
	MeasureLeave:    {[]string{"actor", "organisation"}, nil},
	MeasureExercise: {[]string{"actors", "host"}, []string{"personnel", "battle_tanks", "armoured_combat_vehicles", "artillery", "combat_aircraft", "forces", "notified", "observers"}},
	MeasureCBM:      {[]string{"actors", "kind"}, nil},
}

// MeasureTypes lists the measure types in a stable order.
func MeasureTypes() []string {
	ts := make([]string, 0, len(measureFields))
	for t := range measureFields {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}

// ExerciseForces returns the forces of an exercise measure by component.
func (m *Measure) ExerciseForces() map[string]float64 {
	f := map[string]float64{}
	for k, v := range m.Forces {
		f[k] = v
	}
	for k, v := range map[string]float64{Personnel: m.Personnel, BattleTanks: m.BattleTanks, ArmouredCombatVehicles: m.ArmouredCombatVehicles, Artillery: m.Artillery, CombatAircraft: m.CombatAircraft} {
		if v != 0 {
			f[k] += v
		}
	}
	return f
}

// Scaled returns a copy of m with its quantities multiplied by level, for
// the optimiser's partial adoption of a measure. Membership and CBM
// measures have no quantity and are returned unchanged.
func (m Measure) Scaled(level float64) Measure {
	m.Change *= level
	m.Quantity *= level
	m.Personnel *= level
	m.BattleTanks *= level
	m.ArmouredCombatVehicles *= level
	m.Artillery *= level
	m.CombatAircraft *= level
	if m.Forces != nil {
		f := make(map[string]float64, len(m.Forces))
		for k, v := range m.Forces {
			f[k] = v * level
		}
		m.Forces = f
	}
	return m
}

// Proposal is a titled package of measures.
type Proposal struct {
	Title    string    `json:"title"`
	Measures []Measure `json:"measures"`
}

// ParseProposal decodes a proposal strictly: unknown fields, fields that do
// not belong to a measure's type, missing required fields, wrong types and
// trailing data are EINVALID errors naming the field, e.g.
// "measures[2].host". It checks form only; whether codes and quantities fit
// a scenario is the model's to check.
func ParseProposal(b []byte) (*Proposal, error) {
	var raw struct {
		Title    string            `json:"title"`
		Measures []json.RawMessage `json:"measures"`
	}
	if err := DecodeStrict(b, &raw); err != nil {
		return nil, err
	}
	p := &Proposal{Title: raw.Title, Measures: make([]Measure, len(raw.Measures))}
	for i, rm := range raw.Measures {
		field := fmt.Sprintf("measures[%d]", i)
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(rm, &keys); err != nil {
			return nil, Invalid(field, "a measure must be a JSON object")
		}
		var typ string
		if err := json.Unmarshal(keys["type"], &typ); err != nil || typ == "" {
			return nil, Invalid(field+".type", "missing or not a string (one of %s)", strings.Join(MeasureTypes(), ", "))
		}
		spec, ok := measureFields[typ]
		if !ok {
			return nil, Invalid(field+".type", "unknown measure type %q (one of %s)", typ, strings.Join(MeasureTypes(), ", "))
		}
		allowed := map[string]bool{"type": true}
		for _, f := range spec.required {
			if _, ok := keys[f]; !ok {
				return nil, Invalid(field+"."+f, "required for a %s measure", typ)
			}
			allowed[f] = true
		}
		for _, f := range spec.optional {
			allowed[f] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if !allowed[k] {
				return nil, Invalid(field+"."+k, "not a field of a %s measure", typ)
			}
		}
		if err := DecodeStrict(rm, &p.Measures[i]); err != nil {
			e := err.(*Error)
			e.Field = field + "." + e.Field
			return nil, e
		}
	}
	return p, nil
}

// Verdict says whether a proposal leaves every participant at least as
// secure (indivisible) or not.
type Verdict string

// Verdicts.
const (
	Indivisible Verdict = "indivisible"
	Divisible   Verdict = "divisible"
)

// ParticipantResult is one participant's security before and after: the
// probability that no state initiates a militarized interstate dispute
// against it within a year (for an organisation, against none of its
// members). One minus it is the annual risk. ForceBefore and ForceAfter
// are the same for disputes in which force is used.
type ParticipantResult struct {
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Before      float64 `json:"before"`
	After       float64 `json:"after"`
	Delta       float64 `json:"delta"`
	ForceBefore float64 `json:"force_before"`
	ForceAfter  float64 `json:"force_after"`
}

// ExpensePair says that the proposal raises the probability that From
// initiates a militarized dispute against To, a state that loses security:
// From now threatens To more, by Increase. FromDelta is From's own change
// in security, so a positive one reads "From gains at To's expense".
type ExpensePair struct {
	From         string  `json:"from"`
	To           string  `json:"to"`
	HazardBefore float64 `json:"hazard_before"`
	HazardAfter  float64 `json:"hazard_after"`
	Increase     float64 `json:"increase"`
	FromDelta    float64 `json:"from_delta"`
}

// Equality summarises the distribution of security over states.
type Equality struct {
	Min     float64 `json:"min"`
	MinCode string  `json:"min_code"`
	Mean    float64 `json:"mean"`
	Gini    float64 `json:"gini"`
}

// Assessment is the effect of a proposal on every participant.
type Assessment struct {
	Title    string `json:"title"`
	Scenario string `json:"scenario"`
	// Year is the scenario's year; the risks are for the year after.
	Year      int     `json:"year,omitempty"`
	Verdict   Verdict `json:"verdict"`
	Tolerance float64 `json:"tolerance"`
	// Measures are the measures assessed, so that the result reproduces.
	Measures []Measure `json:"measures"`
	// Participants are the states, ordered by code.
	Participants []ParticipantResult `json:"participants"`
	// Organisations carry the probability that none of their members
	// faces a militarized dispute: the product of the members' security.
	Organisations []ParticipantResult `json:"organisations"`
	Gainers       []string            `json:"gainers"`
	Losers        []string            `json:"losers"`
	Expense       []ExpensePair       `json:"expense"`
	Equality      struct {
		Before Equality `json:"before"`
		After  Equality `json:"after"`
	} `json:"equality"`
}

// CheckFinite returns an EINTERNAL error naming the first number of the
// assessment that is NaN or infinite. JSON cannot carry such a number and a
// verdict computed from one means nothing, so the model checks its results
// before they are served or stored. (A test sets every number of an
// assessment to NaN in turn, so a field added here must be checked too.)
func (a *Assessment) CheckFinite() error {
	bad := func(field string) error {
		return Errorf(EINTERNAL, "the model's assessment: %s is not a finite number", field)
	}
	if !finite(a.Tolerance) {
		return bad("tolerance")
	}
	for i, m := range a.Measures {
		if !finite(m.Change, m.Quantity, m.Personnel, m.BattleTanks, m.ArmouredCombatVehicles, m.Artillery, m.CombatAircraft) {
			return bad(fmt.Sprintf("measures[%d]", i))
		}
		for k, v := range m.Forces {
			if !finite(v) {
				return bad(fmt.Sprintf("measures[%d].forces.%s", i, k))
			}
		}
	}
	for _, list := range [][]ParticipantResult{a.Participants, a.Organisations} {
		for _, r := range list {
			if !finite(r.Before, r.After, r.Delta, r.ForceBefore, r.ForceAfter) {
				return bad("the result for " + r.Code)
			}
		}
	}
	for _, e := range a.Expense {
		if !finite(e.HazardBefore, e.HazardAfter, e.Increase, e.FromDelta) {
			return bad("the expense pair " + e.From + "→" + e.To)
		}
	}
	for _, q := range []Equality{a.Equality.Before, a.Equality.After} {
		if !finite(q.Min, q.Mean, q.Gini) {
			return bad("equality")
		}
	}
	return nil
}

func finite(v ...float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// Assessor assesses proposals against a scenario. The model package
// implements it; the API and the forum depend only on this interface.
type Assessor interface {
	Assess(ctx context.Context, p *Proposal, tolerance float64) (*Assessment, error)
}

// Explainer says why a state has its baseline security: its annual risk,
// its rank, and the top pairs that contribute most to that risk, each with
// every feature's part in its log-odds. The model package implements it;
// the API depends only on this interface. The error is ENOTFOUND for a
// code that is not a state of the scenario (an organisation included).
type Explainer interface {
	Explain(code string, top int) (*Explanation, error)
}

// DefaultTolerance is the fall in a state's security (probability) below
// which a loss does not make a measure divisible: 0.01 percentage points
// of annual risk.
const DefaultTolerance = 1e-4
