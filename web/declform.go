package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// Declaration forms. Each declaration kind has a form whose fields are
// built from the scenario (its states, organisations and holdings
// categories). POST /exchange/compose turns a form's fields into the
// declaration's JSON and checks it with exchange.Parse, which alone holds
// the schema: the web builds the document and shows Parse's error on the
// field it names, in the form's words. The JSON is then shown, as the
// exact text to sign, in the filing form's text box.

// declForm is one kind's form as the page shows it.
type declForm struct {
	Kind, Title, Intro string
	Fields             []*declField
	// Open says the form is the one being worked on (composed, refused or
	// started from a template).
	Open bool
}

// declField is a control of a declaration form.
type declField struct {
	ID, Name, Label, Hint string
	// Type is number, text, date, textarea, select, multiselect, radio,
	// checkbox or holdings (a fieldset of number fields, Sub).
	Type     string
	Value    string
	Values   []string
	Options  []choice
	Min, Max string
	Required bool
	Sub      []*declField
	// Error is the message shown next to the field.
	Error string
}

// Has reports whether v is among a multiple select's values.
func (f *declField) Has(v string) bool { return slices.Contains(f.Values, v) }

// composer is the declaration forms' state on the page.
type composer struct {
	// Kind is the form being worked on, and V its values.
	Kind string
	V    url.Values
	// Error is a refusal, with Field the form field at fault ("" when no
	// field of the form shows it).
	Error *formError
	// ErrorID is the id of the field at fault, for the summary's link.
	ErrorID string
	// Composed says the filing form holds the declaration just composed.
	Composed bool
	Forms    []*declForm
	// Own are the delegation's declarations a correction may correct.
	Own []choice
}

// vd2011Counts are the figures of an exercise notification.
var vd2011Counts = []string{indivisible.Personnel, indivisible.BattleTanks, indivisible.ArmouredCombatVehicles,
	indivisible.Artillery, indivisible.AircraftSorties, indivisible.AirborneAmphibiousTroops}

const maxCountText = "1000000000"

// fieldLabel names a form field (or a holdings category, "h_" and its
// code) in the reader's language: the catalog's "exchange.field.NAME",
// or, for a category of a scenario the catalog does not know, its code
// in words.
func fieldLabel(l *i18n.Localizer, name string) string {
	name = strings.TrimPrefix(name, "h_")
	key := "exchange.field." + name
	if s := l.T(key); s != key {
		return s
	}
	s := label(name)
	return strings.ToUpper(s[:min(1, len(s))]) + s[min(1, len(s)):]
}

// categories are the scenario's holdings categories, in its order.
func (h *handler) categories() []string {
	var out []string
	for _, c := range h.deps.Scenario.Components {
		out = append(out, c.Name)
	}
	return out
}

// newComposer builds the forms for participant with the values of c.V
// for form c.Kind, and defaults for the others.
func (h *handler) newComposer(l *i18n.Localizer, c *composer, participant string, decls []indivisible.DeclaredEntry) {
	codes := exchange.NewCodes(h.deps.Scenario)
	var states, orgs []choice
	for _, p := range h.deps.Scenario.Participants {
		switch p.Kind {
		case indivisible.State:
			states = append(states, choice{p.Code, p.Name + " (" + p.Code + ")"})
		case indivisible.Organisation:
			if codes.Members[p.Code][participant] {
				orgs = append(orgs, choice{p.Code, p.Name + " (" + p.Code + ")"})
			}
		}
	}
	var cats []choice
	for _, k := range h.categories() {
		if k != indivisible.Personnel {
			cats = append(cats, choice{k, fieldLabel(l, k)})
		}
	}
	for _, d := range slices.Backward(decls) {
		if d.Participant == participant && d.Declaration != nil && d.Declaration.Kind != indivisible.KindCorrection {
			c.Own = append(c.Own, choice{strconv.FormatInt(d.Index, 10), l.T("exchange.own_entry", "index", strconv.FormatInt(d.Index, 10), "kind", l.T("kind."+string(d.Declaration.Kind)), "summary", h.summary(l, d.Declaration))})
		}
	}
	year := h.now().Year()
	defaults := map[string]url.Values{
		string(indivisible.KindAnnualExchange):       {"year": {strconv.Itoa(year + 1)}},
		string(indivisible.KindExerciseNotification): {"host": {participant}, "participating_states": {participant}, "observers_invited": {"1"}},
		string(indivisible.KindTransferReport):       {"role": {string(indivisible.Exporter)}, "year": {strconv.Itoa(year - 1)}},
		string(indivisible.KindForcesContribution):   {"year": {strconv.Itoa(year + 1)}},
		string(indivisible.KindCorrection):           {"action": {"replace"}},
	}
	for _, k := range indivisible.DeclarationKinds {
		kind := string(k)
		v := defaults[kind]
		if kind == c.Kind && c.V != nil {
			v = c.V
		}
		f := &declForm{Kind: kind, Title: l.T("kind." + kind), Open: kind == c.Kind}
		add := func(fd *declField) {
			fd.ID = "d-" + kind + "-" + fd.Name
			if fd.Label == "" {
				fd.Label = fieldLabel(l, fd.Name)
			}
			switch fd.Type {
			case "multiselect":
				fd.Values = v[fd.Name]
			case "checkbox":
				fd.Value = v.Get(fd.Name)
			case "holdings":
				for _, s := range fd.Sub {
					s.ID, s.Value = "d-"+kind+"-"+s.Name, v.Get(s.Name)
				}
			default:
				fd.Value = v.Get(fd.Name)
			}
			f.Fields = append(f.Fields, fd)
		}
		year := func(hint string) *declField {
			return &declField{Name: "year", Type: "number", Min: "1900", Max: "2999", Required: true, Hint: hint}
		}
		holdings := func() *declField {
			fd := &declField{Name: "holdings", Type: "holdings", Hint: l.T("exchange.hint.holdings")}
			for _, k := range h.categories() {
				fd.Sub = append(fd.Sub, &declField{Name: "h_" + k, Label: fieldLabel(l, k), Type: "number", Min: "0", Max: maxCountText})
			}
			return fd
		}
		switch k {
		case indivisible.KindAnnualExchange:
			f.Intro = l.T("exchange.intro.annual_exchange")
			add(year(l.T("exchange.hint.holdings_year")))
			add(holdings())
		case indivisible.KindExerciseNotification:
			f.Intro = l.T("exchange.intro.exercise_notification")
			add(&declField{Name: "name", Type: "text", Hint: l.T("exchange.hint.name")})
			add(&declField{Name: "start", Type: "date", Required: true})
			add(&declField{Name: "end", Type: "date", Required: true})
			add(&declField{Name: "host", Type: "select", Options: states, Required: true, Hint: l.T("exchange.hint.host")})
			add(&declField{Name: "participating_states", Type: "multiselect", Options: states, Required: true, Hint: l.T("exchange.hint.participating_states")})
			for _, c := range vd2011Counts {
				add(&declField{Name: c, Type: "number", Min: "0", Max: maxCountText, Required: true})
			}
			add(&declField{Name: "observers_invited", Label: l.T("exchange.label.observers_invited"), Type: "checkbox"})
			add(&declField{Name: "without_advance_notice", Label: l.T("exchange.label.without_advance_notice"), Type: "checkbox"})
		case indivisible.KindTransferReport:
			f.Intro = l.T("exchange.intro.transfer_report")
			add(&declField{Name: "role", Type: "radio", Required: true, Options: []choice{{string(indivisible.Exporter), l.T("exchange.option.exporter")}, {string(indivisible.Importer), l.T("exchange.option.importer")}}})
			add(year(l.T("exchange.hint.transfer_year")))
			add(&declField{Name: "counterpart", Type: "select", Options: states, Required: true, Hint: l.T("exchange.hint.counterpart")})
			add(&declField{Name: "category", Type: "select", Options: cats, Required: true})
			add(&declField{Name: "quantity", Type: "number", Min: "1", Max: maxCountText, Required: true})
			add(&declField{Name: "description", Type: "text", Hint: l.T("exchange.hint.optional")})
		case indivisible.KindForcesContribution:
			f.Intro = l.T("exchange.intro.collective_forces_contribution")
			add(&declField{Name: "organisation", Type: "select", Options: orgs, Required: true, Hint: l.T("exchange.hint.organisation")})
			add(year(l.T("exchange.hint.contribution_year")))
			add(&declField{Name: "units", Type: "textarea", Hint: l.T("exchange.hint.units")})
			add(holdings())
		case indivisible.KindCorrection:
			f.Intro = l.T("exchange.intro.correction")
			add(&declField{Name: "corrects", Type: "select", Options: c.Own, Required: true, Hint: l.T("exchange.hint.corrects")})
			add(&declField{Name: "reason", Type: "text", Required: true})
			add(&declField{Name: "action", Type: "radio", Required: true, Options: []choice{{"replace", l.T("exchange.option.replace")}, {"withdraw", l.T("exchange.option.withdraw")}}})
			add(&declField{Name: "replacement", Type: "textarea", Hint: l.T("exchange.hint.replacement")})
		}
		c.Forms = append(c.Forms, f)
	}
	if c.Error != nil && c.Error.Field != "" {
		for _, f := range c.Forms {
			if f.Kind != c.Kind {
				continue
			}
			for _, fd := range f.Fields {
				for _, x := range append([]*declField{fd}, fd.Sub...) {
					if x.Name == c.Error.Field {
						x.Error, c.ErrorID = c.Error.Message, x.ID
					}
				}
			}
		}
	}
}

// member is a member of an ordered JSON object.
type member struct {
	k string
	v any
}

// object is a JSON object written in its members' order, as the
// documentation writes declarations.
type object []member

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.k)
		b.Write(k)
		b.WriteByte(':')
		x, err := encodeJSON(m.v, "")
		if err != nil {
			return nil, err
		}
		b.Write(x)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// encodeJSON encodes v without HTML escapes (the text is shown and
// signed as it reads), indented by indent if not "".
func encodeJSON(v any, indent string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// number reads the number typed in field in the reader's language
// (i18n.ParseNumber: "1 234" or "0,5" in Russian, "1,234" or "0.5" in
// English) as JSON: an integer as such, a fraction as a JSON number, so
// that exchange.Parse, which alone knows which fields are whole, says
// what is wrong with it. Text that is no number, or could be two, is
// refused here, on the field.
func number(l *i18n.Localizer, field, s string) (any, error) {
	f, err := i18n.ParseNumber(l.Tag(), s)
	switch {
	case err != nil && strings.Contains(indivisible.ErrorMessage(err), "ambiguous"):
		return nil, indivisible.Invalid(field, "%s", l.T("form.ambiguous_number", "value", s))
	case err != nil:
		return nil, indivisible.Invalid(field, "%s", l.T("exchange.err.whole_number"))
	case f == math.Trunc(f) && math.Abs(f) < 1<<53:
		return int64(f), nil
	}
	return json.RawMessage(strconv.FormatFloat(f, 'f', -1, 64)), nil
}

// machineLocalizer composes the values the server itself writes
// (declValues: plain digits, which read alike in every language).
var machineLocalizer = bundle.Localizer(i18n.English)

// composeDeclaration writes the declaration of kind for participant from
// a form's values, typed in l's language. It checks nothing but that the
// numbers are numbers and the replacement of a correction is JSON:
// exchange.Parse checks the rest.
func composeDeclaration(l *i18n.Localizer, kind, participant string, v url.Values, categories []string) ([]byte, error) {
	o := object{{"kind", kind}, {"participant", participant}}
	var numErr error
	// A blank field is left out: Parse says it is missing if it is
	// required.
	str := func(name string) {
		if s := strings.TrimSpace(v.Get(name)); s != "" {
			o = append(o, member{name, s})
		}
	}
	// numIn reads the number of field, keeping the first error.
	numIn := func(field, s string) any {
		n, err := number(l, field, s)
		if numErr == nil {
			numErr = err
		}
		return n
	}
	num := func(name string) {
		if s := strings.TrimSpace(v.Get(name)); s != "" {
			o = append(o, member{name, numIn(name, s)})
		}
	}
	holdings := func() {
		hs := object{}
		for _, c := range categories {
			if s := strings.TrimSpace(v.Get("h_" + c)); s != "" {
				hs = append(hs, member{c, numIn("h_"+c, s)})
			}
		}
		o = append(o, member{"holdings", hs})
	}
	checked := func(name string) bool { s := v.Get(name); return s != "" && s != "0" && s != "false" }
	switch indivisible.DeclarationKind(kind) {
	case indivisible.KindAnnualExchange:
		num("year")
		holdings()
	case indivisible.KindExerciseNotification:
		str("name")
		str("start")
		str("end")
		str("host")
		o = append(o, member{"participating_states", append([]string{}, v["participating_states"]...)})
		for _, c := range vd2011Counts {
			num(c)
		}
		o = append(o, member{"observers_invited", checked("observers_invited")})
		if checked("without_advance_notice") {
			o = append(o, member{"without_advance_notice", true})
		}
	case indivisible.KindTransferReport:
		str("role")
		num("year")
		str("counterpart")
		str("category")
		num("quantity")
		str("description")
	case indivisible.KindForcesContribution:
		str("organisation")
		num("year")
		units := []string{}
		for l := range strings.Lines(v.Get("units")) {
			if l = strings.TrimSpace(l); l != "" {
				units = append(units, l)
			}
		}
		o = append(o, member{"units", units})
		holdings()
	case indivisible.KindCorrection:
		num("corrects")
		str("reason")
		switch v.Get("action") {
		case "withdraw":
			o = append(o, member{"withdrawn", true})
		case "replace":
			r := strings.TrimSpace(v.Get("replacement"))
			if r == "" {
				return nil, indivisible.Invalid("replacement", "%s", l.T("exchange.err.no_replacement"))
			}
			if !json.Valid([]byte(r)) {
				_, err := exchange.Parse([]byte(r), nil)
				return nil, indivisible.Invalid("replacement", "%s", l.T("exchange.err.not_json", "message", indivisible.ErrorMessage(err)))
			}
			o = append(o, member{"declaration", json.RawMessage(r)})
		default:
			return nil, indivisible.Invalid("action", "%s", l.T("exchange.err.no_action"))
		}
	default:
		return nil, indivisible.Invalid("kind", "%s", l.T("exchange.err.unknown_kind", "kind", kind))
	}
	if numErr != nil {
		return nil, numErr
	}
	return encodeJSON(o, "  ")
}

// declFieldFor is the form field that shows an error of exchange.Parse at
// the JSON path path of a declaration of kind.
func declFieldFor(kind, path string) string {
	if kind == string(indivisible.KindCorrection) {
		switch {
		case path == "declaration" || strings.HasPrefix(path, "declaration."):
			return "replacement"
		case path == "withdrawn":
			return "action"
		}
	}
	if kind == string(indivisible.KindForcesContribution) && path == "participant" {
		return "organisation"
	}
	if cat, ok := strings.CutPrefix(path, "holdings."); ok {
		return "h_" + cat
	}
	if i := strings.IndexByte(path, '['); i > 0 {
		return path[:i]
	}
	return path
}

var (
	rangeRE = regexp.MustCompile(`^(-?\d+) is out of range \[(-?\d+), (-?\d+)\]$`)
	dateRE  = regexp.MustCompile(`^".*" is not a date YYYY-MM-DD between (\d+) and (\d+)$`)
)

// formMessage says a Parse message about a field in the form's words, in
// l's language. Parse's other messages, and those already in the form's
// words, pass as they are.
func formMessage(l *i18n.Localizer, field, msg string) string {
	what := fieldLabel(l, field)
	if field == "replacement" {
		return l.T("exchange.err.field", "field", what, "message", msg)
	}
	switch {
	case msg == "missing":
		msg = l.T("exchange.err.required")
	case msg == "must be a number, not a string" || strings.HasPrefix(msg, "must be a whole number"):
		msg = l.T("exchange.err.whole_number")
	case rangeRE.MatchString(msg):
		m := rangeRE.FindStringSubmatch(msg)
		lo, _ := strconv.ParseInt(m[2], 10, 64)
		hi, _ := strconv.ParseInt(m[3], 10, 64)
		if field == "year" || field == "corrects" {
			msg = l.T("exchange.err.range", "value", m[1], "min", strconv.FormatInt(lo, 10), "max", strconv.FormatInt(hi, 10))
		} else {
			msg = l.T("exchange.err.range_whole", "value", m[1], "min", thousands(lo), "max", thousands(hi))
		}
	case dateRE.MatchString(msg):
		m := dateRE.FindStringSubmatch(msg)
		msg = l.T("exchange.err.date", "min", m[1], "max", m[2])
	case msg == "before start":
		msg = l.T("exchange.err.before_start")
	case msg == "must not be empty" && field == "participating_states":
		msg = l.T("exchange.err.no_state")
	case msg == "must list at least one category":
		msg = l.T("exchange.err.no_category")
	case msg == "contains a control character":
		msg = l.T("exchange.err.control")
	}
	// A catalog message that is a sentence (form.ambiguous_number) ends
	// where the field's sentence ends.
	return l.T("exchange.err.field", "field", what, "message", strings.TrimRight(msg, ".。"))
}

// toComposeError is a compose error as the form shows it.
func toComposeError(l *i18n.Localizer, kind string, err error) *formError {
	var e *indivisible.Error
	if !errors.As(err, &e) || e.Field == "" {
		return &formError{Message: indivisible.ErrorMessage(err)}
	}
	f := declFieldFor(kind, e.Field)
	msg := e.Message
	if sub, ok := strings.CutPrefix(e.Field, "declaration."); ok && f == "replacement" {
		msg = l.T("exchange.err.its_field", "field", sub, "message", msg)
	}
	return &formError{Field: f, Message: formMessage(l, f, msg)}
}

// composeDecl is POST /exchange/compose: a declaration form's fields to
// the declaration's JSON, checked by exchange.Parse, shown in the filing
// form as the text to sign.
func (h *handler) composeDecl(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFilingBytes)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, indivisible.Errorf(indivisible.ETOOLARGE, "the form is too large or malformed: %v", err))
		return
	}
	s := sessionOf(r)
	if err := checkCSRF(r, s); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := indivisible.Authorize(s.account, indivisible.ActFileDeclaration, s.account.Participant); err != nil {
		h.fail(w, r, err)
		return
	}
	v := url.Values{}
	for k, vs := range r.PostForm {
		if k != csrfField {
			v[k] = vs
		}
	}
	kind := v.Get("kind")
	c := &composer{Kind: kind, V: v}
	l := loc(r)
	body, err := composeDeclaration(l, kind, s.account.Participant, v, h.categories())
	if err == nil {
		_, err = exchange.Parse(body, exchange.NewCodes(h.deps.Scenario))
	}
	if err != nil {
		c.Error = toComposeError(l, kind, err)
		h.exchangeWith(w, r, api.StatusCode(err), exchangeState{compose: c})
		return
	}
	c.Composed = true
	h.exchangeWith(w, r, http.StatusOK, exchangeState{compose: c, form: fileForm{Declaration: string(body)}})
}

// declValues are a parsed declaration's form values: the inverse of
// composeDeclaration.
func declValues(d *indivisible.Declaration, categories []string) url.Values {
	v := url.Values{}
	itoa := func(n int64) []string { return []string{strconv.FormatInt(n, 10)} }
	hold := func(m map[string]int64) {
		for _, c := range categories {
			if n, ok := m[c]; ok {
				v["h_"+c] = itoa(n)
			}
		}
	}
	flag := func(name string, b bool) {
		if b {
			v.Set(name, "1")
		}
	}
	switch d.Kind {
	case indivisible.KindAnnualExchange:
		v["year"] = itoa(int64(d.AnnualExchange.Year))
		hold(d.AnnualExchange.Holdings)
	case indivisible.KindExerciseNotification:
		x := d.ExerciseNotification
		if x.Name != "" {
			v.Set("name", x.Name)
		}
		v.Set("start", x.Start.Format(time.DateOnly))
		v.Set("end", x.End.Format(time.DateOnly))
		v.Set("host", x.Host)
		v["participating_states"] = slices.Clone(x.ParticipatingStates)
		for name, n := range map[string]int64{indivisible.Personnel: x.Personnel, indivisible.BattleTanks: x.BattleTanks,
			indivisible.ArmouredCombatVehicles: x.ArmouredCombatVehicles, indivisible.Artillery: x.Artillery,
			indivisible.AircraftSorties: x.AircraftSorties, indivisible.AirborneAmphibiousTroops: x.AirborneAmphibiousTroops} {
			v[name] = itoa(n)
		}
		flag("observers_invited", x.ObserversInvited)
		flag("without_advance_notice", x.WithoutAdvanceNotice)
	case indivisible.KindTransferReport:
		t := d.TransferReport
		v.Set("role", string(t.Role))
		v["year"] = itoa(int64(t.Year))
		v.Set("counterpart", t.Counterpart)
		v.Set("category", t.Category)
		v["quantity"] = itoa(t.Quantity)
		if t.Description != "" {
			v.Set("description", t.Description)
		}
	case indivisible.KindForcesContribution:
		c := d.ForcesContribution
		v.Set("organisation", c.Organisation)
		v["year"] = itoa(int64(c.Year))
		v.Set("units", strings.Join(c.Units, "\n"))
		hold(c.Holdings)
	case indivisible.KindCorrection:
		c := d.Correction
		v["corrects"] = itoa(c.Corrects)
		v.Set("reason", c.Reason)
		if c.Withdrawn {
			v.Set("action", "withdraw")
		} else {
			v.Set("action", "replace")
			if c.Declaration != nil {
				b, _ := composeDeclaration(machineLocalizer, string(c.Declaration.Kind), c.Declaration.Participant, declValues(c.Declaration, categories), categories)
				v.Set("replacement", string(b))
			}
		}
	}
	return v
}

// moveParticipant rewrites an example's declaration, filed by from, for
// participant to: to's own fields become its, and a counterpart that
// would be to itself becomes from.
func moveParticipant(d *indivisible.Declaration, from, to string, codes *exchange.Codes) {
	if d == nil || from == to {
		return
	}
	d.Participant = to
	switch d.Kind {
	case indivisible.KindExerciseNotification:
		x := d.ExerciseNotification
		if x.Host == from {
			x.Host = to
		}
		states := []string{}
		for _, s := range x.ParticipatingStates {
			if s == from {
				s = to
			} else if s == to {
				s = from
			}
			states = append(states, s)
		}
		x.ParticipatingStates = states
	case indivisible.KindTransferReport:
		if d.TransferReport.Counterpart == to {
			d.TransferReport.Counterpart = from
		}
	case indivisible.KindForcesContribution:
		if !codes.Members[d.ForcesContribution.Organisation][to] {
			d.ForcesContribution.Organisation = ""
			for _, org := range slicesSortedKeys(codes.Members) {
				if codes.Members[org][to] {
					d.ForcesContribution.Organisation = org
					break
				}
			}
		}
	case indivisible.KindCorrection:
		moveParticipant(d.Correction.Declaration, from, to, codes)
	}
}

func slicesSortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
