package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
)

// maxFormBytes caps the assess form; a proposal of a few hundred measures
// fits with room to spare.
const maxFormBytes = 1 << 20

// measureForm is the form's composed measure, kept as text so that a page
// with an error shows what was typed.
type measureForm struct {
	Type, Actor, Host, Category, Quantity, Organisation, Kind string
	Notified, Observers                                       bool
}

// assessForm is the whole form: a measure being composed, the package so
// far as JSON, and the tolerance.
type assessForm struct {
	Measure   measureForm
	Proposal  string
	Tolerance string
}

// formError is an error shown on the form, with the field to mark.
type formError struct {
	Field, Message string
}

// choice is an option of a select.
type choice struct {
	Value, Label string
}

// measureTypes labels the measure types for the form.
var measureTypes = []choice{
	{indivisible.MeasureHoldings, "Change holdings"},
	{indivisible.MeasureDeploy, "Deploy forces abroad"},
	{indivisible.MeasureWithdraw, "Withdraw deployed forces"},
	{indivisible.MeasureTransfer, "Transfer arms"},
	{indivisible.MeasureJoin, "Join an organisation"},
	{indivisible.MeasureLeave, "Leave an organisation"},
	{indivisible.MeasureExercise, "Hold an exercise"},
	{indivisible.MeasureCBM, "Confidence-building measure"},
}

type assessData struct {
	Form     assessForm
	Error    *formError
	Notice   string
	Types    []choice
	States   []choice
	Orgs     []choice
	Comps    []choice
	CBMKinds []choice
	Map      mapData
	Legend   legend
	Result   *resultView
}

// Invalid reports whether the error is about the form field.
func (d assessData) Invalid(field string) bool {
	return d.Error != nil && d.Error.Field == field
}

// resultView is an assessment as the page shows it. Every figure is an
// annual risk of facing a militarized dispute (one minus the model's
// security) in per cent, and every change is in percentage points.
type resultView struct {
	A *indivisible.Assessment
	// Tolerance is the assessment's tolerance in percentage points.
	Tolerance string
	// You says how the proposal changes the risk of the signed-in
	// delegation's state ("" for anyone else); Summary says it of the
	// states whose risk rises and falls most.
	You      string
	Summary  []string
	Chart    barChart
	Expense  []expenseRow
	Changes  []changeRow // by change, largest rise first
	Proposal string      // the assessed proposal, compact JSON, for the download
}

// expenseRow is a pair whose hazard the proposal raised against a loser:
// From now threatens To more.
type expenseRow struct {
	From, To      string
	Before, After float64 // annual probability that From initiates a dispute against To, in per cent
	Increase      float64 // percentage points
	FromGains     bool    // From's own risk falls beyond the tolerance
}

// changeRow is one state's risk before and after.
type changeRow struct {
	Code, Name              string
	Before, After           float64 // annual risk of facing a militarized dispute, in per cent
	Change                  float64 // percentage points
	ForceBefore, ForceAfter float64 // the same for disputes with the use of force
	// Mark is "rises" or "falls" beyond the tolerance, else "".
	Mark string
}

func (h *handler) assessPage(w http.ResponseWriter, r *http.Request) {
	f := assessForm{Measure: measureForm{Type: indivisible.MeasureHoldings}, Tolerance: strconv.FormatFloat(indivisible.DefaultTolerance, 'g', -1, 64)}
	h.showAssess(w, r, http.StatusOK, f, nil, "", nil)
}

// assessSubmit handles both of the form's buttons: "add" appends the
// composed measure to the package, "assess" assesses the package (or, when
// the package is empty, the composed measure alone). Both return the whole
// page, so the form works without JavaScript; htmx swaps in the part that
// changed.
func (h *handler) assessSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := readAssessForm(w, r)
	if err != nil {
		h.showAssess(w, r, indivisible.HTTPStatus(err), f, err, "", nil)
		return
	}
	if r.PostForm.Get("action") == "add" {
		text, n, err := f.add()
		if err != nil {
			h.showAssess(w, r, indivisible.HTTPStatus(err), f, err, "", nil)
			return
		}
		f.Proposal = text
		h.showAssess(w, r, http.StatusOK, f, nil, fmt.Sprintf("Added measure %d to the package.", n), nil)
		return
	}
	p, tol, err := f.proposal()
	if err == nil {
		if strings.TrimSpace(f.Proposal) == "" {
			p.Title = h.describe(p.Measures[0])
		}
		var a *indivisible.Assessment
		if a, err = h.deps.Assessor.Assess(r.Context(), p, tol); err == nil {
			h.showAssess(w, r, http.StatusOK, f, nil, "", h.result(p, a))
			return
		}
	}
	h.showAssess(w, r, indivisible.HTTPStatus(err), f, err, "", nil)
}

// assessDownload returns the assessment of the posted proposal as a JSON
// file, in the format of `indivisible assess -json`.
func (h *handler) assessDownload(w http.ResponseWriter, r *http.Request) {
	f, err := readAssessForm(w, r)
	var p *indivisible.Proposal
	var tol float64
	if err == nil {
		p, tol, err = f.proposal()
	}
	var a *indivisible.Assessment
	if err == nil {
		a, err = h.deps.Assessor.Assess(r.Context(), p, tol)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSONFile(w, r, "assessment.json", a)
}

func readAssessForm(w http.ResponseWriter, r *http.Request) (assessForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return assessForm{}, indivisible.Errorf(indivisible.ETOOLARGE, "the form is too large or malformed: %v", err)
	}
	return formFromValues(r.PostForm), nil
}

func formFromValues(v url.Values) assessForm {
	return assessForm{
		Measure: measureForm{
			Type: v.Get("type"), Actor: v.Get("actor"), Host: v.Get("host"), Category: v.Get("category"),
			Quantity: strings.TrimSpace(v.Get("quantity")), Organisation: v.Get("organisation"), Kind: v.Get("kind"),
			Notified: v.Get("notified") != "", Observers: v.Get("observers") != "",
		},
		Proposal:  v.Get("proposal"),
		Tolerance: strings.TrimSpace(v.Get("tolerance")),
	}
}

// measure builds the composed measure. Errors name the form's fields.
func (m measureForm) measure() (indivisible.Measure, error) {
	need := func(field, v string) error {
		if v == "" {
			return indivisible.Invalid(field, "choose one for a %s measure", m.Type)
		}
		return nil
	}
	quantity := func() (float64, error) {
		q, err := strconv.ParseFloat(m.Quantity, 64)
		if err != nil || q == 0 || math.IsInf(q, 0) || math.IsNaN(q) {
			return 0, indivisible.Invalid("quantity", "enter a non-zero number")
		}
		return q, nil
	}
	out := indivisible.Measure{Type: m.Type}
	var err error
	switch m.Type {
	case indivisible.MeasureHoldings:
		out.Actor, out.Category = m.Actor, m.Category
		err = cmp.Or(need("actor", m.Actor), need("category", m.Category))
		if err == nil {
			out.Change, err = quantity()
		}
	case indivisible.MeasureDeploy, indivisible.MeasureWithdraw:
		out.Actor, out.Host, out.Category = m.Actor, m.Host, m.Category
		err = cmp.Or(need("actor", m.Actor), need("host", m.Host), need("category", m.Category))
		if err == nil {
			out.Quantity, err = quantity()
		}
	case indivisible.MeasureTransfer:
		out.From, out.To, out.Category = m.Actor, m.Host, m.Category
		err = cmp.Or(need("actor", m.Actor), need("host", m.Host), need("category", m.Category))
		if err == nil {
			out.Quantity, err = quantity()
		}
	case indivisible.MeasureJoin, indivisible.MeasureLeave:
		out.Actor, out.Organisation = m.Actor, m.Organisation
		err = cmp.Or(need("actor", m.Actor), need("organisation", m.Organisation))
	case indivisible.MeasureExercise:
		out.Actors, out.Host, out.Notified, out.Observers = []string{m.Actor}, m.Host, m.Notified, m.Observers
		err = cmp.Or(need("actor", m.Actor), need("host", m.Host), need("category", m.Category))
		var q float64
		if err == nil {
			q, err = quantity()
		}
		if err == nil {
			setExerciseForce(&out, m.Category, q)
		}
	case indivisible.MeasureCBM:
		out.Actors, out.Kind = []string{m.Actor, m.Host}, m.Kind
		err = cmp.Or(need("actor", m.Actor), need("host", m.Host), need("kind", m.Kind))
		if err == nil && m.Actor == m.Host {
			err = indivisible.Invalid("host", "a confidence-building measure needs two different states")
		}
	default:
		err = indivisible.Invalid("type", "choose a measure type")
	}
	return out, err
}

// describe titles a proposal of one composed measure.
func (h *handler) describe(m indivisible.Measure) string {
	cat := strings.ReplaceAll(m.Category, "_", " ")
	q := strconv.FormatFloat(m.Quantity, 'f', -1, 64)
	switch m.Type {
	case indivisible.MeasureHoldings:
		return fmt.Sprintf("%s changes its %s by %+g", h.name(m.Actor), cat, m.Change)
	case indivisible.MeasureDeploy:
		return fmt.Sprintf("%s deploys %s %s to %s", h.name(m.Actor), q, cat, h.name(m.Host))
	case indivisible.MeasureWithdraw:
		return fmt.Sprintf("%s withdraws %s %s from %s", h.name(m.Actor), q, cat, h.name(m.Host))
	case indivisible.MeasureTransfer:
		return fmt.Sprintf("%s transfers %s %s to %s", h.name(m.From), q, cat, h.name(m.To))
	case indivisible.MeasureJoin:
		return fmt.Sprintf("%s joins %s", h.name(m.Actor), m.Organisation)
	case indivisible.MeasureLeave:
		return fmt.Sprintf("%s leaves %s", h.name(m.Actor), m.Organisation)
	case indivisible.MeasureExercise:
		return fmt.Sprintf("%s holds an exercise in %s", h.name(m.Actors[0]), h.name(m.Host))
	case indivisible.MeasureCBM:
		return fmt.Sprintf("%s and %s agree on %s", h.name(m.Actors[0]), h.name(m.Actors[1]), strings.ReplaceAll(m.Kind, "_", " "))
	}
	return "Proposal"
}

// setExerciseForce puts an exercise's forces in the Vienna Document field
// for the category, or in Forces for any other component.
func setExerciseForce(m *indivisible.Measure, category string, q float64) {
	fields := map[string]*float64{
		indivisible.Personnel: &m.Personnel, indivisible.BattleTanks: &m.BattleTanks,
		indivisible.ArmouredCombatVehicles: &m.ArmouredCombatVehicles, indivisible.Artillery: &m.Artillery,
		indivisible.CombatAircraft: &m.CombatAircraft,
	}
	if p, ok := fields[category]; ok {
		*p = q
		return
	}
	m.Forces = map[string]float64{category: q}
}

// parsePackage parses the package's JSON; an empty text is an empty
// package.
func (f assessForm) parsePackage() (*indivisible.Proposal, error) {
	if strings.TrimSpace(f.Proposal) == "" {
		return &indivisible.Proposal{Title: "Proposal"}, nil
	}
	p, err := indivisible.ParseProposal([]byte(f.Proposal))
	if err != nil {
		e := *err.(*indivisible.Error)
		e.Message = "proposal JSON: " + e.Error()
		e.Field = "proposal"
		return nil, &e
	}
	return p, nil
}

// add appends the composed measure to the package and returns the new
// package as indented JSON, and its number of measures.
func (f assessForm) add() (string, int, error) {
	m, err := f.Measure.measure()
	if err != nil {
		return "", 0, err
	}
	p, err := f.parsePackage()
	if err != nil {
		return "", 0, err
	}
	p.Measures = append(p.Measures, m)
	b, err := json.MarshalIndent(p, "", "  ")
	return string(b), len(p.Measures), err
}

// proposal returns what the assess button assesses: the package, or the
// composed measure when the package has no measures.
func (f assessForm) proposal() (*indivisible.Proposal, float64, error) {
	tol, err := strconv.ParseFloat(f.Tolerance, 64)
	if err != nil || tol < 0 || math.IsInf(tol, 0) {
		return nil, 0, indivisible.Invalid("tolerance", "enter a non-negative number, such as %g", indivisible.DefaultTolerance)
	}
	p, err := f.parsePackage()
	if err != nil {
		return nil, 0, err
	}
	if len(p.Measures) == 0 {
		m, err := f.Measure.measure()
		if err != nil {
			return nil, 0, err
		}
		p.Measures = []indivisible.Measure{m}
	}
	return p, tol, nil
}

// summaryPerSide is how many of the states whose risk rises (and falls)
// the most the result's summary names.
const summaryPerSide = 3

// result arranges an assessment for the page.
func (h *handler) result(p *indivisible.Proposal, a *indivisible.Assessment) *resultView {
	b, _ := json.Marshal(p) // a parsed proposal always marshals
	rv := &resultView{A: a, Proposal: string(b), Chart: newBarChart(a, h.name), Tolerance: strconv.FormatFloat(100*a.Tolerance, 'g', 4, 64)}
	for _, e := range a.Expense {
		rv.Expense = append(rv.Expense, expenseRow{h.name(e.From), h.name(e.To), 100 * e.HazardBefore, 100 * e.HazardAfter, 100 * e.Increase, e.FromDelta > a.Tolerance})
	}
	ps := slices.Clone(a.Participants)
	slices.SortStableFunc(ps, func(x, y indivisible.ParticipantResult) int { return cmp.Compare(x.Delta, y.Delta) })
	for _, p := range ps {
		c := changeRow{Code: p.Code, Name: p.Name, Before: risk(p), After: riskAfter(p), Change: riskChange(p),
			ForceBefore: forceRisk(p), ForceAfter: 100 * (1 - p.ForceAfter)}
		switch {
		case p.Delta < -a.Tolerance:
			c.Mark = "rises"
		case p.Delta > a.Tolerance:
			c.Mark = "falls"
		}
		rv.Changes = append(rv.Changes, c)
	}
	var rises, falls []changeRow
	for _, c := range rv.Changes {
		switch c.Mark {
		case "rises":
			rises = append(rises, c)
		case "falls":
			falls = append(falls, c)
		}
	}
	slices.Reverse(falls) // largest fall first
	for _, c := range rises[:min(summaryPerSide, len(rises))] {
		rv.Summary = append(rv.Summary, riskSentence(c.Name+"'s annual risk", c))
	}
	for _, c := range falls[:min(summaryPerSide, len(falls))] {
		rv.Summary = append(rv.Summary, riskSentence(c.Name+"'s annual risk", c))
	}
	return rv
}

// riskSentence says how a state's risk changes, e.g. "Poland's annual
// risk rises from 27.30% to 27.37% (+0.073 percentage points); of a
// dispute with the use of force, from 20.12% to 20.18%".
func riskSentence(subject string, c changeRow) string {
	verb := "rises"
	switch {
	case c.Change < 0:
		verb = "falls"
	case c.Change == 0:
		return fmt.Sprintf("%s stays at %.2f%%", subject, c.Before)
	}
	return fmt.Sprintf("%s %s from %.2f%% to %.2f%% (%s percentage points); of a dispute with the use of force, from %.2f%% to %.2f%%",
		subject, verb, c.Before, c.After, ppText(c.Change), c.ForceBefore, c.ForceAfter)
}

// ppText formats a change in percentage points with a sign: three
// decimals, or two significant digits when that would show none.
func ppText(v float64) string {
	if v != 0 && math.Abs(v) < 0.0005 {
		return fmt.Sprintf("%+.2g", v)
	}
	return fmt.Sprintf("%+.3f", v)
}

// yourRisk says, for the signed-in delegation of a state, how its risk
// changes; the summary then leaves that state out.
func (rv *resultView) yourRisk(r *http.Request) {
	s := sessionOf(r)
	if s == nil || s.account.Role != indivisible.RoleDelegation {
		return
	}
	for _, c := range rv.Changes {
		if c.Code == s.account.Participant {
			rv.You = riskSentence("Your annual risk ("+c.Name+")", c)
			rv.Summary = slices.DeleteFunc(rv.Summary, func(x string) bool { return strings.HasPrefix(x, c.Name+"'s ") })
			return
		}
	}
}

// showAssess renders the assess page: the form, the map (of the change
// once there is a result, of security before) and the result.
func (h *handler) showAssess(w http.ResponseWriter, r *http.Request, status int, f assessForm, err error, notice string, res *resultView) {
	d := assessData{Form: f, Notice: notice, Result: res, Types: measureTypes}
	if err != nil {
		if indivisible.ErrorCode(err) == indivisible.EINTERNAL {
			h.deps.Logger.ErrorContext(r.Context(), "web: assess", "err", err)
		}
		d.Error = toFormError(err)
	}
	for _, p := range h.deps.Scenario.Participants {
		c := choice{p.Code, p.Name + " (" + p.Code + ")"}
		if p.Kind == indivisible.Organisation {
			d.Orgs = append(d.Orgs, c)
		} else {
			d.States = append(d.States, c)
		}
	}
	slices.SortFunc(d.States, func(x, y choice) int { return strings.Compare(x.Label, y.Label) })
	for _, c := range h.deps.Scenario.Components {
		d.Comps = append(d.Comps, choice{c.Name, strings.ReplaceAll(c.Name, "_", " ")})
	}
	for k := range model.DefaultParams().CBM {
		d.CBMKinds = append(d.CBMKinds, choice{k, strings.ReplaceAll(k, "_", " ")})
	}
	slices.SortFunc(d.CBMKinds, func(x, y choice) int { return strings.Compare(x.Value, y.Value) })

	d.Map = mapData{Atlas: assetURL(atlasFile), Pick: true}
	if res != nil {
		res.yourRisk(r)
		d.Map.Label, d.Map.States, d.Legend = changeMap(res.A)
	} else {
		a, err := h.baseline(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		sc := sequentialScale(values(a.Participants, risk))
		d.Legend = sc.legend(riskLegend, percentTick)
		d.Map.Label = "Map of Eurasia: each state coloured by its annual risk of facing a militarized dispute, darker red for a higher risk; choose a state to fill the form"
		d.Map.States = colourStates(a.Participants, sc, risk, func(_ int, p indivisible.ParticipantResult) string {
			return fmt.Sprintf("%s: annual risk of facing a militarized dispute %.1f%%", p.Name, risk(p))
		})
	}
	h.render(w, r, status, "assess", "Assess a proposal", d)
}

// changeMap colours the states by an assessment's change in annual risk
// (percentage points) on a diverging scale, a rise red and a fall blue,
// and returns the map's label, its states and the legend. The Assess page
// and the forum's proposal versions draw the same map.
func changeMap(a *indivisible.Assessment) (string, []mapState, legend) {
	sc := divergingScale(values(a.Participants, riskChange))
	// Enough decimals for two significant digits at the mid ticks.
	decimals := max(0, 1-int(math.Floor(math.Log10(sc.hi/2))))
	lg := sc.legend(changeLegend, func(v float64) string {
		if math.Abs(v) < sc.hi/1e6 {
			return "0"
		}
		return strconv.FormatFloat(v, 'f', decimals, 64)
	})
	states := colourStates(a.Participants, sc, riskChange, func(_ int, p indivisible.ParticipantResult) string {
		return fmt.Sprintf("%s: annual risk %.2f%% to %.2f%% (%s percentage points)", p.Name, risk(p), riskAfter(p), ppText(riskChange(p)))
	})
	return "Map of Eurasia: each state coloured by the change in its annual risk of facing a militarized dispute, a rise red, a fall blue", states, lg
}

// changeLegend titles the colour bar of changes in risk.
const changeLegend = "Change in annual risk (percentage points)"
