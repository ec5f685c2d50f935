package web

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/model"
)

// maxFormBytes caps the assess form; a proposal of a few hundred measures
// fits with room to spare.
const maxFormBytes = 1 << 20

// measureForm is the form's composed measure, kept as text so that a page
// with an error shows what was typed. Actors are the further states taking
// part in an exercise or a confidence-building measure.
type measureForm struct {
	Type, Actor, Host, Category, Quantity, Organisation, Kind string
	Actors                                                    []string
	Notified, Observers                                       bool
}

// filled reports whether the user has started on the measure: a state or
// a quantity is set. The selects with a default (type, category, kind,
// organisation) alone do not count.
func (m measureForm) filled() bool {
	return m.Actor != "" || m.Host != "" || m.Quantity != "" || len(m.Actors) > 0
}

// packageForm is what the measure builder posts: the title, a measure
// being composed and the package so far as JSON. The Assess page's form
// and the item page's tabling form both hold one.
type packageForm struct {
	Title    string
	Measure  measureForm
	Proposal string
}

// assessForm is the Assess page's whole form: the builder's fields and
// the tolerance.
type assessForm struct {
	packageForm
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

// packageItem is one measure of the package as the list shows it.
type packageItem struct {
	Index, Number int // from 0, and from 1
	Text          string
	Invalid       bool
}

// builder is the measure builder as the templates "measure-fields" and
// "package-list" draw it: the composed measure, the package with a
// Remove button per measure, the menus, and the form's error, whose
// summary has the id ErrorID.
type builder struct {
	Measure  measureForm
	Proposal string
	Package  []packageItem
	Types    []choice
	States   []choice
	Orgs     []choice
	Comps    []choice
	CBMKinds []choice
	// MaxQuantity is the model's bound on a quantity, for the input's
	// limits.
	MaxQuantity     int64
	MaxQuantityText string
	Error           *formError
	ErrorID         string
	// ListHint says what the page's main button does with the package;
	// EmptyHint what to do while it is empty.
	ListHint, EmptyHint string
}

// Invalid reports whether the error is about the form field.
func (b builder) Invalid(field string) bool {
	return b.Error != nil && b.Error.Field == field
}

// Msg is the error to show next to the field, or nil.
func (b builder) Msg(field string) *formError {
	if b.Invalid(field) {
		return b.Error
	}
	return nil
}

// Extra reports whether the state is one of the measure's further actors.
func (b builder) Extra(code string) bool {
	return slices.Contains(b.Measure.Actors, code)
}

// newBuilder draws f's measure and package with the scenario's menus.
func (h *handler) newBuilder(f packageForm, ferr *formError, errorID string) builder {
	b := builder{Measure: f.Measure, Proposal: f.Proposal, Types: measureTypes, MaxQuantity: indivisible.MaxQuantity, MaxQuantityText: count(indivisible.MaxQuantity),
		Error: ferr, ErrorID: errorID}
	if p, err := f.parsePackage(); err == nil {
		for i, m := range p.Measures {
			b.Package = append(b.Package, packageItem{Index: i, Number: i + 1, Text: h.describe(m), Invalid: b.Invalid(fmt.Sprintf("measure-%d", i))})
		}
	}
	for _, p := range h.deps.Scenario.Participants {
		c := choice{p.Code, p.Name + " (" + p.Code + ")"}
		if p.Kind == indivisible.Organisation {
			b.Orgs = append(b.Orgs, c)
		} else {
			b.States = append(b.States, c)
		}
	}
	slices.SortFunc(b.States, func(x, y choice) int { return strings.Compare(x.Label, y.Label) })
	for _, c := range h.deps.Scenario.Components {
		b.Comps = append(b.Comps, choice{c.Name, strings.ReplaceAll(c.Name, "_", " ")})
	}
	for k := range model.DefaultParams().CBM {
		b.CBMKinds = append(b.CBMKinds, choice{k, strings.ReplaceAll(k, "_", " ")})
	}
	slices.SortFunc(b.CBMKinds, func(x, y choice) int { return strings.Compare(x.Value, y.Value) })
	return b
}

type assessData struct {
	Form    assessForm
	Error   *formError
	Notice  string
	Builder builder
	Map     mapData
	Legend  legend
	Result  *resultView
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
	// Measures describe the measures assessed; Included, when not "",
	// describes the measure of the form that had not been added to the
	// package and was assessed with it.
	Measures []string
	Included string
	// Link reproduces the assessment: GET /assess with the proposal.
	Link string
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

// assessPage shows the form, or, with ?p=<proposal>, the assessment of a
// shared proposal: p is the base64url (unpadded) encoding of the
// proposal's JSON, and tolerance the tolerance.
func (h *handler) assessPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := assessForm{packageForm: packageForm{Measure: measureForm{Type: indivisible.MeasureHoldings}}, Tolerance: cmp.Or(strings.TrimSpace(q.Get("tolerance")), strconv.FormatFloat(indivisible.DefaultTolerance, 'g', -1, 64))}
	if !q.Has("p") {
		h.showAssess(w, r, http.StatusOK, f, nil, "", nil)
		return
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(q.Get("p"), "="))
	if err != nil {
		h.showAssess(w, r, http.StatusBadRequest, f, indivisible.Invalid("p", "This link to a proposal is damaged: it does not decode. Ask for the link again, or compose the proposal below."), "", nil)
		return
	}
	p, err := indivisible.ParseProposal(b)
	if err != nil {
		f.Proposal = string(b)
		h.showAssess(w, r, api.StatusCode(err), f, packageError(err), "", nil)
		return
	}
	f.Title = p.Title
	f.Proposal = packageText(p)
	h.assessRun(w, r, f)
}

// assessSubmit handles the form's buttons: "add" appends the composed
// measure to the package, "remove" takes a measure out of it, and
// "assess" (also the default) assesses the package together with the
// composed measure when one is filled in, which it then says. All return
// the whole page, so the form works without JavaScript; htmx swaps in the
// part that changed.
func (h *handler) assessSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := readAssessForm(w, r)
	if err != nil {
		h.showAssess(w, r, api.StatusCode(err), f, err, "", nil)
		return
	}
	if pf, notice, done, err := h.buildPackage(r.PostForm, f.packageForm); done {
		f.packageForm = pf
		status := http.StatusOK
		if err != nil {
			status = api.StatusCode(err)
		}
		h.showAssess(w, r, status, f, err, notice, nil)
		return
	}
	h.assessRun(w, r, f)
}

// buildPackage does what the builder's own buttons ask: "remove" takes a
// measure out of the package, action "add" appends the composed measure.
// It reports done when one was pressed, with the form to show again, a
// notice of what it did, or an error on the form as typed; done is false
// for the page's own action (Assess, Table).
func (h *handler) buildPackage(v url.Values, f packageForm) (packageForm, string, bool, error) {
	if rm, ok := v["remove"]; ok {
		text, notice, err := h.remove(f, rm[0])
		if err != nil {
			return f, "", true, err
		}
		f.Proposal = text
		return f, notice, true, nil
	}
	if v.Get("action") != "add" {
		return f, "", false, nil
	}
	text, n, err := f.add()
	if err != nil {
		return f, "", true, err
	}
	f.Proposal = text
	f.Measure = f.Measure.next()
	return f, fmt.Sprintf("Added measure %d to the package.", n), true, nil
}

// next is the measure form after its measure joined the package: empty,
// keeping the type and category, which the next measure often shares.
func (m measureForm) next() measureForm {
	return measureForm{Type: m.Type, Category: m.Category}
}

// assessRun assesses what the form holds and shows the result.
func (h *handler) assessRun(w http.ResponseWriter, r *http.Request, f assessForm) {
	p, tol, included, err := f.compose()
	if err != nil {
		h.showAssess(w, r, api.StatusCode(err), f, err, "", nil)
		return
	}
	if p.Title == "" && len(p.Measures) == 1 {
		p.Title = h.describe(p.Measures[0])
	}
	p.Title = cmp.Or(p.Title, "Proposal")
	a, err := h.deps.Assessor.Assess(r.Context(), p, tol)
	if err != nil {
		h.showAssess(w, r, api.StatusCode(err), f, h.modelError(err, p, f.formIndex(p, included)), "", nil)
		return
	}
	res := h.result(p, a)
	res.Link = shareLink(p, f.Tolerance)
	for _, m := range p.Measures {
		res.Measures = append(res.Measures, h.describe(m))
	}
	if included {
		// The measure is now in the package; the form is cleared so that
		// the next Assess does not count it twice.
		res.Included = res.Measures[len(res.Measures)-1]
		f.Proposal = packageText(&indivisible.Proposal{Title: f.Title, Measures: p.Measures})
		f.Measure = f.Measure.next()
	}
	h.showAssess(w, r, http.StatusOK, f, nil, "", res)
}

// formIndex is the index in p, composed from f, of the measure that came
// from the builder's measure form (-1 if none): its errors mark the form's
// fields, the others a measure of the package's list.
func (f packageForm) formIndex(p *indivisible.Proposal, included bool) int {
	if included || strings.TrimSpace(f.Proposal) == "" {
		return len(p.Measures) - 1
	}
	return -1
}

// shareLink is the address that reproduces the assessment of p.
func shareLink(p *indivisible.Proposal, tolerance string) string {
	b, _ := json.Marshal(p) // a parsed proposal always marshals
	v := url.Values{"p": {base64.RawURLEncoding.EncodeToString(b)}, "tolerance": {tolerance}}
	return "/assess?" + v.Encode()
}

// assessDownload returns the assessment of the posted proposal as a JSON
// file, in the format of `indivisible assess -json`: its title, measures
// and tolerance are the proposal, so that the file reproduces.
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
	return assessForm{packageForm: packageFromValues(v), Tolerance: strings.TrimSpace(v.Get("tolerance"))}
}

// packageFromValues reads the builder's fields of a posted form.
func packageFromValues(v url.Values) packageForm {
	var actors []string
	for _, a := range v["actors"] {
		if a != "" {
			actors = append(actors, a)
		}
	}
	return packageForm{
		Title: strings.TrimSpace(v.Get("title")),
		Measure: measureForm{
			Type: v.Get("type"), Actor: v.Get("actor"), Host: v.Get("host"), Category: v.Get("category"),
			Quantity: strings.TrimSpace(v.Get("quantity")), Organisation: v.Get("organisation"), Kind: v.Get("kind"),
			Actors: actors, Notified: v.Get("notified") != "", Observers: v.Get("observers") != "",
		},
		Proposal: v.Get("proposal"),
	}
}

// count formats a number of forces with thin spaces between thousands.
func count(v float64) string {
	if math.Abs(v) < 1e15 && v == math.Trunc(v) {
		return thousands(int64(v))
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// catName is a component as the form says it ("battle tanks").
func catName(c string) string { return strings.ReplaceAll(c, "_", " ") }

// measure builds the composed measure. Errors name the form's fields.
func (m measureForm) measure() (indivisible.Measure, error) {
	need := func(field, v string) error {
		if v == "" {
			return indivisible.Invalid(field, "choose one for a %s measure", m.Type)
		}
		return nil
	}
	// quantity reads a count: a whole number, non-zero, within the model's
	// bound (indivisible.MaxQuantity).
	quantity := func() (float64, error) {
		what := cmp.Or(catName(m.Category), "forces")
		q, err := strconv.ParseFloat(m.Quantity, 64)
		switch {
		case err != nil && !errors.Is(err, strconv.ErrRange), math.IsNaN(q):
			return 0, indivisible.Invalid("quantity", "Enter the number of %s as a whole number, such as 250.", what)
		case math.Abs(q) > indivisible.MaxQuantity || errors.Is(err, strconv.ErrRange):
			return 0, indivisible.Invalid("quantity", "Enter at most %s %s: that is the model's limit, and %s is more.", count(indivisible.MaxQuantity), what, m.Quantity)
		case q != math.Trunc(q):
			return 0, indivisible.Invalid("quantity", "Enter a whole number of %s: %s is not one.", what, m.Quantity)
		case q == 0:
			return 0, indivisible.Invalid("quantity", "Enter a number of %s other than 0.", what)
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
		out.Actors, out.Host, out.Notified, out.Observers = append([]string{m.Actor}, m.Actors...), m.Host, m.Notified, m.Observers
		err = cmp.Or(need("actor", m.Actor), need("host", m.Host), need("category", m.Category))
		var q float64
		if err == nil {
			q, err = quantity()
		}
		if err == nil {
			setExerciseForce(&out, m.Category, q)
		}
	case indivisible.MeasureCBM:
		out.Actors, out.Kind = append([]string{m.Actor, m.Host}, m.Actors...), m.Kind
		err = cmp.Or(need("actor", m.Actor), need("host", m.Host), need("kind", m.Kind))
		if err == nil && m.Actor == m.Host {
			err = indivisible.Invalid("host", "a confidence-building measure needs two different states")
		}
	default:
		err = indivisible.Invalid("type", "choose a measure type")
	}
	return out, err
}

// describe says what a measure does, in words.
func (h *handler) describe(m indivisible.Measure) string {
	return m.Describe(indivisible.Words{Name: h.name, Count: count})
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

// packageError is an error of the package's JSON as the form shows it,
// on the package's field. The decoder's message has the line and column.
func packageError(err error) error {
	e := *err.(*indivisible.Error)
	e.Message = "The package's JSON cannot be read: " + e.Error() + "."
	e.Field = "proposal"
	return &e
}

// parsePackage parses the package's JSON; an empty text is an empty
// package. The form's title, when given, is the proposal's.
func (f packageForm) parsePackage() (*indivisible.Proposal, error) {
	if strings.TrimSpace(f.Proposal) == "" {
		return &indivisible.Proposal{Title: f.Title}, nil
	}
	p, err := indivisible.ParseProposal([]byte(f.Proposal))
	if err != nil {
		return nil, packageError(err)
	}
	p.Title = cmp.Or(f.Title, p.Title)
	return p, nil
}

// packageText is the package as the form's JSON field holds it.
func packageText(p *indivisible.Proposal) string {
	if len(p.Measures) == 0 && p.Title == "" {
		return ""
	}
	b, _ := json.MarshalIndent(p, "", "  ") // a parsed proposal always marshals
	return string(b)
}

// add appends the composed measure to the package and returns the new
// package as indented JSON, and its number of measures.
func (f packageForm) add() (string, int, error) {
	m, err := f.Measure.measure()
	if err != nil {
		return "", 0, err
	}
	p, err := f.parsePackage()
	if err != nil {
		return "", 0, err
	}
	p.Measures = append(p.Measures, m)
	return packageText(p), len(p.Measures), nil
}

// remove takes measure number index (from 0) out of the package.
func (h *handler) remove(f packageForm, index string) (string, string, error) {
	p, err := f.parsePackage()
	if err != nil {
		return "", "", err
	}
	i, err := strconv.Atoi(index)
	if err != nil || i < 0 || i >= len(p.Measures) {
		return "", "", indivisible.Invalid("proposal", "There is no measure %s in the package to remove; it has %d.", index, len(p.Measures))
	}
	text := h.describe(p.Measures[i])
	p.Measures = slices.Delete(p.Measures, i, i+1)
	return packageText(p), fmt.Sprintf("Removed measure %d (%s) from the package.", i+1, text), nil
}

// proposal returns what the assess button assesses: the package and, when
// one is filled in (or the package is empty), the composed measure.
func (f assessForm) proposal() (*indivisible.Proposal, float64, error) {
	p, tol, _, err := f.compose()
	return p, tol, err
}

// compose is proposal, also reporting whether the composed measure was
// added to a non-empty package. A filled-in measure that cannot be read
// is an error on its field, never dropped.
func (f assessForm) compose() (*indivisible.Proposal, float64, bool, error) {
	tol, err := strconv.ParseFloat(f.Tolerance, 64)
	if err != nil || tol < 0 || math.IsInf(tol, 0) {
		return nil, 0, false, indivisible.Invalid("tolerance", "enter a non-negative number, such as %g", indivisible.DefaultTolerance)
	}
	p, included, err := f.composed("assessed", "assess")
	if err != nil {
		return nil, 0, false, err
	}
	if len(p.Measures) == 0 {
		// Assess assesses at least a measure: the form's error says
		// which field to fill in.
		m, err := f.Measure.measure()
		if err != nil {
			return nil, 0, false, err
		}
		p.Measures = []indivisible.Measure{m}
	}
	return p, tol, included, nil
}

// composed is the package together with the composed measure when one is
// filled in, and whether that measure was added to a non-empty package.
// A filled-in measure that cannot be read is an error on its field, never
// dropped; done and act word it ("assessed", "assess").
func (f packageForm) composed(done, act string) (*indivisible.Proposal, bool, error) {
	p, err := f.parsePackage()
	if err != nil || !f.Measure.filled() {
		return p, false, err
	}
	m, err := f.Measure.measure()
	if err != nil {
		if len(p.Measures) == 0 {
			return nil, false, err
		}
		e := *err.(*indivisible.Error)
		e.Message = "The measure in the form was not added to the package, and it cannot be " + done + " with it: " + e.Message + ". Complete it, or clear it to " + act + " the package alone."
		return nil, false, &e
	}
	p.Measures = append(p.Measures, m)
	return p, len(p.Measures) > 1, nil
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
	d := assessData{Form: f, Notice: notice, Result: res, Error: h.fieldError(r, "assess", err)}
	d.Builder = h.newBuilder(f.packageForm, d.Error, "form-error")
	d.Builder.ListHint = "Assess assesses these measures together with the measure above, if you have filled it in."
	d.Builder.EmptyHint = "No measures yet. “Add to package” adds the measure above; Assess assesses it alone."
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

// fieldError is a form error as a page with the field marked shows it,
// logged if internal. The message of an invalid value is the bare
// message, since the field is marked on the form.
func (h *handler) fieldError(r *http.Request, page string, err error) *formError {
	if err == nil {
		return nil
	}
	if indivisible.ErrorCode(err) == indivisible.EINTERNAL {
		h.deps.Logger.ErrorContext(r.Context(), "web: "+page, "err", err)
	}
	fe := toFormError(err)
	var e *indivisible.Error
	if errors.As(err, &e) && e.Code == indivisible.EINVALID {
		fe.Message = e.Message
	}
	return fe
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

// The kinds of the model's measure errors that the form rewords. The
// model's message is matched only to word the form's message; the field
// comes from the error itself.
var (
	measureFieldRE = regexp.MustCompile(`^measures\[(\d+)\]\.(.+)$`)
	atHomeRE       = regexp.MustCompile(`^(\S+) would have (\S+) (\S+) at home after the proposal$`)
	withdrawRE     = regexp.MustCompile(`^withdraws more (\S+) from (\S+) than (\S+) has deployed there$`)
	boundRE        = regexp.MustCompile(`^must be a (positive|non-negative)? ?number (?:of at most|between) .*, got (\S+)$`)
	aboveRE        = regexp.MustCompile(`^(\S+) would (?:hold|have) (\S+) (\S+) (?:deployed in (\S+), )?(?:after the proposal, )?above the bound`)
	ownSoilRE      = regexp.MustCompile(`^a state cannot (\S+) forces at home$`)
	memberRE       = regexp.MustCompile(`^(\S+) is (already|not) a member of (\S+)$`)
	twiceRE        = regexp.MustCompile(`^(\S+) is listed twice$`)
	notReportedRE  = regexp.MustCompile(`^(\S+) is not reported for (\S+)$`)
)

// formField is the form's field for a field of a measure.
func formField(m indivisible.Measure, sub string) string {
	switch {
	case sub == "actor" || sub == "from" || sub == "actors[0]":
		return "actor"
	case sub == "host" || sub == "to":
		return "host"
	case sub == "actors[1]" && m.Type == indivisible.MeasureCBM:
		return "host"
	case strings.HasPrefix(sub, "actors"):
		return "actors"
	case sub == "category" || sub == "organisation" || sub == "kind" || sub == "type":
		return sub
	}
	return "quantity" // change, quantity and the exercise's forces
}

// modelError is an error of the model's assessment of p in form
// language. An error about measure fromForm (the composed measure, -1 if
// none) marks the form's field; one about a measure of the package marks
// that measure in the list ("measure-<i>").
func (h *handler) modelError(err error, p *indivisible.Proposal, fromForm int) error {
	var e *indivisible.Error
	if !errors.As(err, &e) || e.Code != indivisible.EINVALID {
		return err
	}
	m := measureFieldRE.FindStringSubmatch(e.Field)
	if m == nil {
		return err
	}
	i, _ := strconv.Atoi(m[1])
	if i >= len(p.Measures) {
		return err
	}
	out := &indivisible.Error{Code: e.Code, Message: h.reword(e.Message, p.Measures[i])}
	if i == fromForm {
		out.Field = formField(p.Measures[i], m[2])
	} else {
		out.Field = fmt.Sprintf("measure-%d", i)
		out.Message = fmt.Sprintf("Measure %d (%s): %s", i+1, h.describe(p.Measures[i]), out.Message)
	}
	return out
}

// home is what the scenario says state holds of component at home:
// its holdings less its forces deployed abroad.
func (h *handler) home(state, component string) float64 {
	q := 0.0
	for _, x := range h.deps.Scenario.Holdings {
		if x.State == state && x.Component == component {
			q += x.Quantity
		}
	}
	for _, d := range h.deps.Scenario.Deployments {
		if d.State == state && d.Component == component {
			q -= d.Quantity
		}
	}
	return q
}

// deployed is how much of component state has deployed in host.
func (h *handler) deployed(state, host, component string) float64 {
	q := 0.0
	for _, d := range h.deps.Scenario.Deployments {
		if d.State == state && d.Host == host && d.Component == component {
			q += d.Quantity
		}
	}
	return q
}

// reword says one of the model's measure errors in the form's words, with
// the scenario's names and holdings; an error of a kind it does not know
// keeps the model's message.
func (h *handler) reword(msg string, m indivisible.Measure) string {
	num := func(s string) string {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return s
		}
		return count(v)
	}
	if x := atHomeRE.FindStringSubmatch(msg); x != nil {
		state, comp := x[1], x[3]
		s := fmt.Sprintf("%s holds %s %s at home", h.name(state), count(h.home(state, comp)), catName(comp))
		switch m.Type {
		case indivisible.MeasureHoldings:
			s += fmt.Sprintf("; it cannot reduce them by %s", count(-m.Change))
		case indivisible.MeasureDeploy:
			s += fmt.Sprintf("; it cannot deploy %s abroad", count(m.Quantity))
		case indivisible.MeasureTransfer:
			s += fmt.Sprintf("; it cannot transfer %s", count(m.Quantity))
		}
		return s + fmt.Sprintf(" (the proposal would leave it with %s).", num(x[2]))
	}
	if x := withdrawRE.FindStringSubmatch(msg); x != nil {
		comp, host, state := x[1], x[2], x[3]
		return fmt.Sprintf("%s has %s %s deployed in %s; it cannot withdraw %s.", h.name(state), count(h.deployed(state, host, comp)), catName(comp), h.name(host), count(m.Quantity))
	}
	if x := boundRE.FindStringSubmatch(msg); x != nil {
		lim := count(indivisible.MaxQuantity)
		switch x[1] {
		case "positive":
			return fmt.Sprintf("Enter a whole number from 1 to %s (the model's limit); %s is not.", lim, num(x[2]))
		case "non-negative":
			return fmt.Sprintf("Enter a whole number from 0 to %s (the model's limit); %s is not.", lim, num(x[2]))
		}
		return fmt.Sprintf("Enter a change between -%s and %s (the model's limit); %s is not.", lim, lim, num(x[2]))
	}
	if x := aboveRE.FindStringSubmatch(msg); x != nil {
		where := "after the proposal"
		if x[4] != "" {
			where = "deployed in " + h.name(x[4])
		}
		return fmt.Sprintf("%s would have %s %s %s, more than the model's limit of %s.", h.name(x[1]), num(x[2]), catName(x[3]), where, count(indivisible.MaxQuantity))
	}
	if x := ownSoilRE.FindStringSubmatch(msg); x != nil {
		return fmt.Sprintf("Choose a host other than %s: a state cannot %s forces on its own territory.", h.name(m.Actor), x[1])
	}
	if x := memberRE.FindStringSubmatch(msg); x != nil {
		if x[2] == "already" {
			return fmt.Sprintf("%s is already a member of %s.", h.name(x[1]), h.name(x[3]))
		}
		return fmt.Sprintf("%s is not a member of %s, so it cannot leave it.", h.name(x[1]), h.name(x[3]))
	}
	if x := twiceRE.FindStringSubmatch(msg); x != nil {
		return fmt.Sprintf("%s is listed twice among the participating states.", h.name(x[1]))
	}
	if x := notReportedRE.FindStringSubmatch(msg); x != nil {
		return fmt.Sprintf("No %s are reported for %s; choose another category.", catName(x[1]), h.name(x[2]))
	}
	if msg == "" {
		return "The model cannot assess this measure."
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}
