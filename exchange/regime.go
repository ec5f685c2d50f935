package exchange

import (
	_ "embed"
	"fmt"
	"slices"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// defaultRegime is the regime shipped in the binary; see docs/exchange.md
// for the provisions each value comes from.
//
//go:embed regime.json
var defaultRegime []byte

// MaxRegimeSize bounds a regime file.
const MaxRegimeSize = 1 << 20

// Regime is the set of rules declarations are checked against. Its values
// are the secretariat's to set; the defaults (DefaultRegime) are those of
// the Vienna Document 2011 and the UN Register of Conventional Arms.
type Regime struct {
	Name           string
	Notification   Notification
	Observation    Observation
	Constraints    []Constraint
	NearThreshold  NearThreshold
	AnnualExchange AnnualExchangeRule
	Transfers      TransferRule
	Ceilings       []Ceiling
}

// Thresholds maps an exercise measure (one of indivisible.ExerciseMeasures)
// to a level. An activity reaches a set of thresholds when any one of its
// measures does.
type Thresholds map[string]int64

// Notification says which activities must be notified and how far ahead.
type Notification struct {
	Reference string
	// NoticeDays is how many days before its start an activity must be
	// notified, unless it is carried out without advance notice to the
	// troops, when it is due on its first day.
	NoticeDays int
	// AtLeast are the levels at or above which an activity is notifiable.
	AtLeast Thresholds
}

// Observation says which activities must be opened to observers.
type Observation struct {
	Reference string
	AtLeast   Thresholds
}

// Constraint limits how many activities of a class a participant holds:
// activities with a measure strictly above one of Above, and none strictly
// above NotAbove, counted per window of CalendarYears calendar years, or
// at any one time when Simultaneous is set.
type Constraint struct {
	ID            string
	Reference     string
	Above         Thresholds
	NotAbove      Thresholds
	Max           int
	CalendarYears int
	Simultaneous  bool
}

// NearThreshold describes the pattern of activities sized just below a
// threshold: MinActivities or more in a calendar year by one participant,
// each within Band (a fraction) below the same threshold.
type NearThreshold struct {
	Reference     string
	Band          float64
	MinActivities int
}

// MonthDay is a date without a year.
type MonthDay struct {
	Month time.Month
	Day   int
}

// In returns the date in the given year.
func (m MonthDay) In(year int) time.Time {
	return time.Date(year, m.Month, m.Day, 0, 0, 0, 0, time.UTC)
}

func (m MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(m.Month), m.Day) }

// AnnualExchangeRule sets when the annual exchange is due and how far a
// year's holdings may differ from the previous year's plus the transfers
// the participant reported: by more than max(ToleranceRelative times the
// expected figure, ToleranceAbsolute) is a finding.
type AnnualExchangeRule struct {
	Reference string
	// DuePreviousYear is the last day, in the year before, for the annual
	// exchange of a year.
	DuePreviousYear   MonthDay
	ToleranceRelative float64
	ToleranceAbsolute int64
}

// TransferRule sets when both sides' transfer reports for a year are due:
// one side missing after that is a finding.
type TransferRule struct {
	Reference string
	// DueFollowingYear is the last day, in the year after, for the reports
	// on a year's transfers.
	DueFollowingYear MonthDay
}

// Ceiling is an agreed maximum holding of a category for a participant.
type Ceiling struct {
	Participant string
	Category    string
	Quantity    int64
	Reference   string
}

// DefaultRegime returns the regime shipped with Indivisible.
func DefaultRegime() *Regime {
	r, err := ParseRegime(defaultRegime)
	if err != nil {
		panic("exchange: embedded regime.json: " + err.Error()) // caught by TestDefaultRegime
	}
	return r
}

// ParseRegime parses a regime file (the format of regime.json, documented
// in docs/exchange.md). Errors are EINVALID naming the JSON path at fault,
// or ETOOLARGE.
func ParseRegime(data []byte) (*Regime, error) {
	if len(data) > MaxRegimeSize {
		return nil, indivisible.Errorf(indivisible.ETOOLARGE, "regime of %d bytes exceeds the limit of %d", len(data), MaxRegimeSize)
	}
	v, err := decodeTree(data)
	if err != nil {
		return nil, err
	}
	o, err := asObject(v, "")
	if err != nil {
		return nil, err
	}
	var r reader
	g := &Regime{}
	r.allow(o, "name", "notification", "observation", "constraints", "near_threshold", "annual_exchange", "transfers", "ceilings")
	g.Name = r.text(o, "name", true)

	if n := r.object(o, "notification", true); n != nil {
		r.allow(n, "reference", "notice_days", "at_least")
		g.Notification = Notification{
			Reference:  r.text(n, "reference", false),
			NoticeDays: int(r.integer(n, "notice_days", true, 0, 366)),
			AtLeast:    r.thresholds(n, "at_least", true),
		}
	}
	if n := r.object(o, "observation", true); n != nil {
		r.allow(n, "reference", "at_least")
		g.Observation = Observation{Reference: r.text(n, "reference", false), AtLeast: r.thresholds(n, "at_least", true)}
	}

	cs, path := r.array(o, "constraints", true)
	for i, v := range cs {
		c, err := asObject(v, index(path, i))
		r.fail(err)
		if r.err != nil {
			break
		}
		r.allow(c, "id", "reference", "above", "not_above", "max", "calendar_years", "simultaneous")
		k := Constraint{
			ID:            r.text(c, "id", true),
			Reference:     r.text(c, "reference", false),
			Above:         r.thresholds(c, "above", true),
			NotAbove:      r.thresholds(c, "not_above", false),
			Max:           int(r.integer(c, "max", true, 0, 1000)),
			CalendarYears: int(r.integer(c, "calendar_years", false, 1, 100)),
			Simultaneous:  r.boolean(c, "simultaneous", false),
		}
		switch {
		case r.err != nil:
		case k.ID == "" || slices.ContainsFunc(g.Constraints, func(o Constraint) bool { return o.ID == k.ID }):
			r.fail(indivisible.Invalid(join(c.path, "id"), "%q is empty or not unique", k.ID))
		case (k.CalendarYears == 0) == !k.Simultaneous:
			r.fail(indivisible.Invalid(c.path, "give either calendar_years or \"simultaneous\": true"))
		}
		g.Constraints = append(g.Constraints, k)
	}

	if n := r.object(o, "near_threshold", true); n != nil {
		r.allow(n, "reference", "band", "min_activities")
		g.NearThreshold = NearThreshold{
			Reference:     r.text(n, "reference", false),
			Band:          r.float(n, "band", 0, 1),
			MinActivities: int(r.integer(n, "min_activities", true, 1, 1000)),
		}
	}
	if n := r.object(o, "annual_exchange", true); n != nil {
		r.allow(n, "reference", "due_previous_year", "tolerance_relative", "tolerance_absolute")
		g.AnnualExchange = AnnualExchangeRule{
			Reference:         r.text(n, "reference", false),
			DuePreviousYear:   r.monthDay(n, "due_previous_year"),
			ToleranceRelative: r.float(n, "tolerance_relative", 0, 100),
			ToleranceAbsolute: r.integer(n, "tolerance_absolute", true, 0, maxCount),
		}
	}
	if n := r.object(o, "transfers", true); n != nil {
		r.allow(n, "reference", "due_following_year")
		g.Transfers = TransferRule{Reference: r.text(n, "reference", false), DueFollowingYear: r.monthDay(n, "due_following_year")}
	}

	cs, path = r.array(o, "ceilings", false)
	for i, v := range cs {
		c, err := asObject(v, index(path, i))
		r.fail(err)
		if r.err != nil {
			break
		}
		r.allow(c, "participant", "category", "quantity", "reference")
		k := Ceiling{
			Participant: r.text(c, "participant", true),
			Category:    r.text(c, "category", true),
			Quantity:    r.integer(c, "quantity", true, 0, maxCount),
			Reference:   r.text(c, "reference", false),
		}
		switch {
		case r.err != nil:
		case !codeRE.MatchString(k.Participant):
			r.fail(indivisible.Invalid(join(c.path, "participant"), "%q is not a participant code", k.Participant))
		case !categoryRE.MatchString(k.Category):
			r.fail(indivisible.Invalid(join(c.path, "category"), "%q is not a category name", k.Category))
		case slices.ContainsFunc(g.Ceilings, func(o Ceiling) bool { return o.Participant == k.Participant && o.Category == k.Category }):
			r.fail(indivisible.Invalid(c.path, "a second ceiling for %s %s", k.Participant, k.Category))
		}
		g.Ceilings = append(g.Ceilings, k)
	}
	if r.err != nil {
		return nil, r.err
	}
	return g, nil
}

// thresholds reads an object of exercise measure: positive level.
func (r *reader) thresholds(o *object, name string, required bool) Thresholds {
	t := r.object(o, name, required)
	if t == nil || r.err != nil {
		return nil
	}
	if len(t.fields) == 0 {
		r.fail(indivisible.Invalid(t.path, "must give at least one measure"))
	}
	th := Thresholds{}
	for _, k := range t.keys() {
		if !slices.Contains(indivisible.ExerciseMeasures, k) {
			r.fail(indivisible.Invalid(join(t.path, k), "not an exercise measure (one of %v)", indivisible.ExerciseMeasures))
		}
		th[k] = r.integerAt(t.fields[k], join(t.path, k), 1, maxCount)
	}
	return th
}

// monthDay reads a date without a year, written MM-DD.
func (r *reader) monthDay(o *object, name string) MonthDay {
	s := r.str(o, name, true)
	if r.err != nil {
		return MonthDay{}
	}
	t, err := time.Parse("01-02", s)
	if err != nil {
		r.fail(indivisible.Invalid(join(o.path, name), "%q is not a date MM-DD", s))
	}
	return MonthDay{t.Month(), t.Day()}
}
