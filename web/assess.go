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

	"golang.org/x/text/language"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/i18n"
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

// measureTypes labels the measure types for the form: each label is a
// catalog key (newBuilder translates it).
var measureTypes = []choice{
	{indivisible.MeasureHoldings, "assess.type.holdings"},
	{indivisible.MeasureDeploy, "assess.type.deploy"},
	{indivisible.MeasureWithdraw, "assess.type.withdraw"},
	{indivisible.MeasureTransfer, "assess.type.transfer"},
	{indivisible.MeasureJoin, "assess.type.join"},
	{indivisible.MeasureLeave, "assess.type.leave"},
	{indivisible.MeasureExercise, "assess.type.exercise"},
	{indivisible.MeasureCBM, "assess.type.cbm"},
}

// localError is a form error that the page words in the reader's
// language (fieldError). It wraps the error worded in English, which
// keeps the code and the field for the status and the log, and is what
// a path that shows no form (the JSON download) says.
type localError struct {
	err  *indivisible.Error
	key  string
	args []any // pairs, as Localizer.T takes them; see text
}

func (e *localError) Error() string { return e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

// catalogKey is an argument of a localError that is itself a message,
// worded in the same language.
type catalogKey string

// place is an argument of a localError that names a participant, in the
// reader's language (localName); name is the scenario's.
type place struct{ code, name string }

// place names a participant in a localError.
func (h *handler) place(code string) place { return place{code, h.name(code)} }

// english words errors for the English message a localError wraps.
var english = bundle.Localizer(i18n.English)

// invalidf is an EINVALID error on field, worded by the catalog's key.
func invalidf(field, key string, args ...any) *localError {
	e := &localError{key: key, args: args}
	e.err = indivisible.Invalid(field, "%s", e.text(english))
	return e
}

// text words the error in l's language, and so its arguments that are
// messages, participants or errors.
func (e *localError) text(l *i18n.Localizer) string {
	args := slices.Clone(e.args)
	for i := 1; i < len(args); i += 2 {
		switch v := args[i].(type) {
		case catalogKey:
			args[i] = l.T(string(v))
		case place:
			args[i] = localName(l.Tag(), v.code, v.name)
		case error:
			args[i] = localMessage(l, v)
		}
	}
	return l.T(e.key, args...)
}

// localMessage is an error's message without its field, in l's language
// if it is a localError.
func localMessage(l *i18n.Localizer, err error) string {
	var le *localError
	if errors.As(err, &le) {
		return le.text(l)
	}
	var e *indivisible.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
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

// newBuilder draws f's measure and package with the scenario's menus, in
// l's language.
func (h *handler) newBuilder(l *i18n.Localizer, f packageForm, ferr *formError, errorID string) builder {
	b := builder{Measure: f.Measure, Proposal: f.Proposal, MaxQuantity: indivisible.MaxQuantity, MaxQuantityText: count(indivisible.MaxQuantity),
		Error: ferr, ErrorID: errorID}
	for _, t := range measureTypes {
		b.Types = append(b.Types, choice{t.Value, l.T(t.Label)})
	}
	if p, err := f.parsePackage(); err == nil {
		for i, m := range p.Measures {
			b.Package = append(b.Package, packageItem{Index: i, Number: i + 1, Text: h.describe(l, m), Invalid: b.Invalid(fmt.Sprintf("measure-%d", i))})
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
		b.Comps = append(b.Comps, choice{c.Name, terms(l).Component(c.Name)})
	}
	for k := range model.DefaultParams().CBM {
		b.CBMKinds = append(b.CBMKinds, choice{k, terms(l).CBM(k)})
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
	// You is the signed-in delegation's state, whose change the page
	// says first (nil for anyone else); Summary are the states whose
	// risk rises and falls most.
	You      *changeRow
	Summary  []changeRow
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
		h.showAssess(w, r, http.StatusBadRequest, f, invalidf("p", "assess.error.link_damaged"), "", nil)
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
	if pf, notice, done, err := h.buildPackage(loc(r), r.PostForm, f.packageForm); done {
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
func (h *handler) buildPackage(l *i18n.Localizer, v url.Values, f packageForm) (packageForm, string, bool, error) {
	if rm, ok := v["remove"]; ok {
		text, notice, err := h.remove(l, f, rm[0])
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
	return f, l.T("assess.notice.added", "number", n), true, nil
}

// next is the measure form after its measure joined the package: empty,
// keeping the type and category, which the next measure often shares.
func (m measureForm) next() measureForm {
	return measureForm{Type: m.Type, Category: m.Category}
}

// assessRun assesses what the form holds and shows the result.
func (h *handler) assessRun(w http.ResponseWriter, r *http.Request, f assessForm) {
	l := loc(r)
	p, tol, included, err := f.compose(l.Tag())
	if err != nil {
		h.showAssess(w, r, api.StatusCode(err), f, err, "", nil)
		return
	}
	if p.Title == "" && len(p.Measures) == 1 {
		p.Title = h.describe(l, p.Measures[0])
	}
	p.Title = cmp.Or(p.Title, l.T("term.proposal"))
	a, err := h.deps.Assessor.Assess(r.Context(), p, tol)
	if err != nil {
		h.showAssess(w, r, api.StatusCode(err), f, h.modelError(l, err, p, f.formIndex(p, included)), "", nil)
		return
	}
	res := h.result(l.Tag(), p, a)
	res.Link = shareLink(p, tol)
	for _, m := range p.Measures {
		res.Measures = append(res.Measures, h.describe(l, m))
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

// shareLink is the address that reproduces the assessment of p. The
// tolerance is written with a point and no exponent, which every
// language reads (parseTolerance), not in the reader's notation ("0,001"
// in Russian, which English refuses).
func shareLink(p *indivisible.Proposal, tolerance float64) string {
	b, _ := json.Marshal(p) // a parsed proposal always marshals
	v := url.Values{"p": {base64.RawURLEncoding.EncodeToString(b)}, "tolerance": {strconv.FormatFloat(tolerance, 'f', -1, 64)}}
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
		p, tol, err = f.proposal(i18n.TagFrom(r.Context()))
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
			return invalidf(field, "assess.error.choose", "type", m.Type)
		}
		return nil
	}
	// quantity reads a count: a whole number, non-zero, within the model's
	// bound (indivisible.MaxQuantity).
	quantity := func() (float64, error) {
		var what any = catalogKey("assess.error.forces")
		if m.Category != "" {
			what = catName(m.Category)
		}
		q, err := strconv.ParseFloat(m.Quantity, 64)
		switch {
		case err != nil && !errors.Is(err, strconv.ErrRange), math.IsNaN(q):
			return 0, invalidf("quantity", "assess.error.quantity_number", "what", what)
		case math.Abs(q) > indivisible.MaxQuantity || errors.Is(err, strconv.ErrRange):
			return 0, invalidf("quantity", "assess.error.quantity_limit", "max", count(indivisible.MaxQuantity), "what", what, "value", m.Quantity)
		case q != math.Trunc(q):
			return 0, invalidf("quantity", "assess.error.quantity_whole", "what", what, "value", m.Quantity)
		case q == 0:
			return 0, invalidf("quantity", "assess.error.quantity_zero", "what", what)
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
			err = invalidf("host", "assess.error.cbm_two")
		}
	default:
		err = invalidf("type", "assess.error.choose_type")
	}
	return out, err
}

// describe says what a measure does, in the reader's words.
func (h *handler) describe(l *i18n.Localizer, m indivisible.Measure) string {
	w := terms(l)
	w.Name = func(code string) string { return h.localName(l.Tag(), code) }
	return m.Describe(w)
}

// terms are the reader's words for measures, components and CBMs.
func terms(l *i18n.Localizer) indivisible.Words {
	return indivisible.Words{Count: count, Say: l.T}
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
	return invalidf("proposal", "assess.error.json", "error", err.Error())
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
func (h *handler) remove(l *i18n.Localizer, f packageForm, index string) (string, string, error) {
	p, err := f.parsePackage()
	if err != nil {
		return "", "", err
	}
	i, err := strconv.Atoi(index)
	if err != nil || i < 0 || i >= len(p.Measures) {
		return "", "", invalidf("proposal", "assess.error.no_measure", "index", index, "count", len(p.Measures))
	}
	text := h.describe(l, p.Measures[i])
	p.Measures = slices.Delete(p.Measures, i, i+1)
	return packageText(p), l.T("assess.notice.removed", "number", i+1, "measure", text), nil
}

// proposal returns what the assess button assesses: the package and, when
// one is filled in (or the package is empty), the composed measure. The
// tolerance is read as a reader of tag types numbers.
func (f assessForm) proposal(tag language.Tag) (*indivisible.Proposal, float64, error) {
	p, tol, _, err := f.compose(tag)
	return p, tol, err
}

// compose is proposal, also reporting whether the composed measure was
// added to a non-empty package. A filled-in measure that cannot be read
// is an error on its field, never dropped.
func (f assessForm) compose(tag language.Tag) (*indivisible.Proposal, float64, bool, error) {
	tol, err := parseTolerance(tag, f.Tolerance)
	if err != nil {
		return nil, 0, false, err
	}
	p, included, err := f.composed("assess")
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

// parseTolerance reads the tolerance as a reader of tag types it ("0,001"
// in Russian); a point reads as a decimal point in every language, so
// shared links work whatever the reader's. It is a probability, so
// non-negative.
//
// Links made before tolerances were read in the reader's language may
// carry Go's notation ("1e-05"), which ParseNumber does not read, so
// that notation is still taken when the language's is not.
func parseTolerance(tag language.Tag, s string) (float64, error) {
	tol, err := i18n.ParseNumber(tag, s)
	if err != nil {
		tol, err = strconv.ParseFloat(s, 64)
	}
	if err != nil || tol < 0 || math.IsNaN(tol) || math.IsInf(tol, 0) {
		return 0, invalidf("tolerance", "assess.error.tolerance")
	}
	return tol, nil
}

// composed is the package together with the composed measure when one is
// filled in, and whether that measure was added to a non-empty package.
// A filled-in measure that cannot be read is an error on its field, never
// dropped; act is what the page does with the package ("assess" or
// "table"), which the error says.
func (f packageForm) composed(act string) (*indivisible.Proposal, bool, error) {
	p, err := f.parsePackage()
	if err != nil || !f.Measure.filled() {
		return p, false, err
	}
	m, err := f.Measure.measure()
	if err != nil {
		if len(p.Measures) == 0 {
			return nil, false, err
		}
		key := "assess.error.unadded_assess"
		if act == "table" {
			key = "assess.error.unadded_table"
		}
		return nil, false, invalidf(indivisible.ErrorField(err), key, "reason", err)
	}
	p.Measures = append(p.Measures, m)
	return p, len(p.Measures) > 1, nil
}

// summaryPerSide is how many of the states whose risk rises (and falls)
// the most the result's summary names.
const summaryPerSide = 3

// result arranges an assessment for the page, naming the states in the
// language tag.
func (h *handler) result(tag language.Tag, p *indivisible.Proposal, a *indivisible.Assessment) *resultView {
	b, _ := json.Marshal(p) // a parsed proposal always marshals
	name := func(code string) string { return h.localName(tag, code) }
	rv := &resultView{A: a, Proposal: string(b), Chart: newBarChart(a, name), Tolerance: strconv.FormatFloat(100*a.Tolerance, 'g', 4, 64)}
	for _, e := range a.Expense {
		rv.Expense = append(rv.Expense, expenseRow{name(e.From), name(e.To), 100 * e.HazardBefore, 100 * e.HazardAfter, 100 * e.Increase, e.FromDelta > a.Tolerance})
	}
	ps := slices.Clone(a.Participants)
	slices.SortStableFunc(ps, func(x, y indivisible.ParticipantResult) int { return cmp.Compare(x.Delta, y.Delta) })
	for _, p := range ps {
		c := changeRow{Code: p.Code, Name: name(p.Code), Before: risk(p), After: riskAfter(p), Change: riskChange(p),
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
	rv.Summary = slices.Concat(rises[:min(summaryPerSide, len(rises))], falls[:min(summaryPerSide, len(falls))])
	return rv
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
			rv.You = &c
			rv.Summary = slices.DeleteFunc(rv.Summary, func(x changeRow) bool { return x.Code == c.Code })
			return
		}
	}
}

// showAssess renders the assess page: the form, the map (of the change
// once there is a result, of security before) and the result.
func (h *handler) showAssess(w http.ResponseWriter, r *http.Request, status int, f assessForm, err error, notice string, res *resultView) {
	l := loc(r)
	tag := l.Tag()
	d := assessData{Form: f, Notice: notice, Result: res, Error: h.fieldError(r, "assess", err)}
	d.Builder = h.newBuilder(l, f.packageForm, d.Error, "form-error")
	d.Builder.ListHint = l.T("assess.builder.list_hint")
	d.Builder.EmptyHint = l.T("assess.builder.empty_hint")
	d.Map = mapData{Atlas: assetURL(atlasFile), Pick: true}
	if res != nil {
		res.yourRisk(r)
		d.Map.Label, d.Map.States, d.Legend = h.changeMap(l, res.A)
	} else {
		a, err := h.baseline(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		sc := sequentialScale(values(a.Participants, risk))
		d.Legend = sc.legend(l.T("assess.legend.risk"), percentTick)
		d.Map.Label = l.T("assess.map.label_pick")
		d.Map.States = h.colourStates(tag, a.Participants, sc, risk, func(_ int, name string, p indivisible.ParticipantResult) string {
			return l.T("assess.map.state_risk_short", "name", name, "risk", i18n.FormatNumber(tag, risk(p), 1))
		})
	}
	h.render(w, r, status, "assess", l.T("assess.heading"), d)
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
		fe.Message = localMessage(loc(r), err)
	}
	return fe
}

// changeMap colours the states by an assessment's change in annual risk
// (percentage points) on a diverging scale, a rise red and a fall blue,
// and returns the map's label, its states and the legend, in l's
// language. The Assess page and the forum's proposal versions draw the
// same map.
func (h *handler) changeMap(l *i18n.Localizer, a *indivisible.Assessment) (string, []mapState, legend) {
	tag := l.Tag()
	sc := divergingScale(values(a.Participants, riskChange))
	// Enough decimals for two significant digits at the mid ticks.
	decimals := max(0, 1-int(math.Floor(math.Log10(sc.hi/2))))
	lg := sc.legend(l.T("assess.legend.change"), func(v float64) string {
		if math.Abs(v) < sc.hi/1e6 {
			return "0"
		}
		return strconv.FormatFloat(v, 'f', decimals, 64)
	})
	states := h.colourStates(tag, a.Participants, sc, riskChange, func(_ int, name string, p indivisible.ParticipantResult) string {
		return l.T("assess.map.state_change", "name", name, "before", i18n.FormatNumber(tag, risk(p), 2), "after", i18n.FormatNumber(tag, riskAfter(p), 2), "change", ppText(riskChange(p)))
	})
	return l.T("assess.map.label_change"), states, lg
}

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
func (h *handler) modelError(l *i18n.Localizer, err error, p *indivisible.Proposal, fromForm int) error {
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
	key, args := h.reword(e.Message, p.Measures[i])
	if i == fromForm {
		return invalidf(formField(p.Measures[i], m[2]), key, args...)
	}
	return invalidf(fmt.Sprintf("measure-%d", i), "assess.error.measure_n", "number", i+1, "measure", h.describe(l, p.Measures[i]), "reason", invalidf("", key, args...))
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
// the scenario's names and holdings, as a catalog key and its arguments;
// an error of a kind it does not know keeps the model's message.
func (h *handler) reword(msg string, m indivisible.Measure) (string, []any) {
	num := func(s string) string {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return s
		}
		return count(v)
	}
	lim := count(indivisible.MaxQuantity)
	if x := atHomeRE.FindStringSubmatch(msg); x != nil {
		state, comp := x[1], x[3]
		args := []any{"state", h.place(state), "quantity", count(h.home(state, comp)), "category", catName(comp), "left", num(x[2])}
		switch m.Type {
		case indivisible.MeasureHoldings:
			return "assess.reword.at_home_reduce", append(args, "change", count(-m.Change))
		case indivisible.MeasureDeploy:
			return "assess.reword.at_home_deploy", append(args, "change", count(m.Quantity))
		case indivisible.MeasureTransfer:
			return "assess.reword.at_home_transfer", append(args, "change", count(m.Quantity))
		}
		return "assess.reword.at_home", args
	}
	if x := withdrawRE.FindStringSubmatch(msg); x != nil {
		comp, host, state := x[1], x[2], x[3]
		return "assess.reword.withdraw", []any{"state", h.place(state), "quantity", count(h.deployed(state, host, comp)), "category", catName(comp), "host", h.place(host), "change", count(m.Quantity)}
	}
	if x := boundRE.FindStringSubmatch(msg); x != nil {
		args := []any{"max", lim, "value", num(x[2])}
		switch x[1] {
		case "positive":
			return "assess.reword.bound_positive", args
		case "non-negative":
			return "assess.reword.bound_non_negative", args
		}
		return "assess.reword.bound_change", args
	}
	if x := aboveRE.FindStringSubmatch(msg); x != nil {
		args := []any{"state", h.place(x[1]), "quantity", num(x[2]), "category", catName(x[3]), "max", lim}
		if x[4] != "" {
			return "assess.reword.above_deployed", append(args, "host", h.place(x[4]))
		}
		return "assess.reword.above", args
	}
	if x := ownSoilRE.FindStringSubmatch(msg); x != nil {
		if x[1] == indivisible.MeasureWithdraw {
			return "assess.reword.own_soil_withdraw", []any{"state", h.place(m.Actor)}
		}
		return "assess.reword.own_soil_deploy", []any{"state", h.place(m.Actor)}
	}
	if x := memberRE.FindStringSubmatch(msg); x != nil {
		if x[2] == "already" {
			return "assess.reword.already_member", []any{"state", h.place(x[1]), "organisation", h.place(x[3])}
		}
		return "assess.reword.not_member", []any{"state", h.place(x[1]), "organisation", h.place(x[3])}
	}
	if x := twiceRE.FindStringSubmatch(msg); x != nil {
		return "assess.reword.twice", []any{"state", h.place(x[1])}
	}
	if x := notReportedRE.FindStringSubmatch(msg); x != nil {
		return "assess.reword.not_reported", []any{"category", catName(x[1]), "state", h.place(x[2])}
	}
	if msg == "" {
		return "assess.reword.cannot", nil
	}
	return "assess.reword.model", []any{"message", strings.ToUpper(msg[:1]) + msg[1:]}
}
