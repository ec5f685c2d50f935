package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
var vd2011Counts = []choice{
	{indivisible.Personnel, "Personnel (troops)"},
	{indivisible.BattleTanks, "Battle tanks"},
	{indivisible.ArmouredCombatVehicles, "Armoured combat vehicles"},
	{indivisible.Artillery, "Artillery pieces (100 mm and above)"},
	{indivisible.AircraftSorties, "Aircraft sorties"},
	{indivisible.AirborneAmphibiousTroops, "Airborne or amphibious troops"},
}

const maxCountText = "1000000000"

// fieldLabels names the fields in messages.
var fieldLabels = map[string]string{
	"year": "Year", "name": "Name", "start": "First day", "end": "Last day", "host": "Host state",
	"participating_states": "Participating states", "observers_invited": "Observers invited",
	"without_advance_notice": "Without advance notice", "role": "Role", "counterpart": "Counterpart",
	"category": "Category", "quantity": "Quantity", "description": "Description", "organisation": "Organisation",
	"units": "Units", "holdings": "Holdings", "corrects": "Entry corrected", "reason": "Reason",
	"action": "Withdraw or replace", "replacement": "Replacement declaration", "kind": "Kind", "participant": "Participant",
}

func fieldLabel(name string) string {
	if l, ok := fieldLabels[name]; ok {
		return l
	}
	for _, c := range vd2011Counts {
		if c.Value == name {
			return c.Label
		}
	}
	if cat, ok := strings.CutPrefix(name, "h_"); ok {
		name = cat
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
func (h *handler) newComposer(c *composer, participant string, decls []indivisible.DeclaredEntry) {
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
			cats = append(cats, choice{k, fieldLabel(k)})
		}
	}
	for _, d := range slices.Backward(decls) {
		if d.Participant == participant && d.Declaration != nil && d.Declaration.Kind != indivisible.KindCorrection {
			c.Own = append(c.Own, choice{strconv.FormatInt(d.Index, 10), fmt.Sprintf("entry %d, %s: %s", d.Index, label(string(d.Declaration.Kind)), h.summary(d.Declaration))})
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
		f := &declForm{Kind: kind, Title: fieldLabel(kind), Open: kind == c.Kind}
		add := func(fd *declField) {
			fd.ID = "d-" + kind + "-" + fd.Name
			if fd.Label == "" {
				fd.Label = fieldLabel(fd.Name)
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
			fd := &declField{Name: "holdings", Type: "holdings", Label: "Holdings", Hint: "leave a category blank to not report it (blank is not 0)"}
			for _, k := range h.categories() {
				fd.Sub = append(fd.Sub, &declField{Name: "h_" + k, Label: fieldLabel(k), Type: "number", Min: "0", Max: maxCountText})
			}
			return fd
		}
		switch k {
		case indivisible.KindAnnualExchange:
			f.Intro = "Holdings by category as of 1 January of the year; due by 15 December of the year before."
			add(year("holdings as of 1 January of this year"))
			add(holdings())
		case indivisible.KindExerciseNotification:
			f.Intro = "The prior notification of a military activity (Vienna Document 2011). Every figure is required and may be 0."
			add(&declField{Name: "name", Type: "text", Hint: "optional: the activity's designation"})
			add(&declField{Name: "start", Type: "date", Required: true})
			add(&declField{Name: "end", Type: "date", Required: true})
			add(&declField{Name: "host", Type: "select", Options: states, Required: true, Hint: "the state on whose territory it takes place"})
			add(&declField{Name: "participating_states", Type: "multiselect", Options: states, Required: true, Hint: "the states whose forces take part (hold Ctrl or ⌘ to choose several)"})
			for _, c := range vd2011Counts {
				add(&declField{Name: c.Value, Label: c.Label, Type: "number", Min: "0", Max: maxCountText, Required: true})
			}
			add(&declField{Name: "observers_invited", Label: "Observers from all other participants are invited", Type: "checkbox"})
			add(&declField{Name: "without_advance_notice", Label: "Carried out without advance notice to the troops (due when it starts, VD2011 ¶41)", Type: "checkbox"})
		case indivisible.KindTransferReport:
			f.Intro = "One side's report of an international transfer during the year (UN Register of Conventional Arms)."
			add(&declField{Name: "role", Type: "radio", Required: true, Options: []choice{{string(indivisible.Exporter), "Exporter (the counterpart imports)"}, {string(indivisible.Importer), "Importer (the counterpart exports)"}}})
			add(year("the year of the transfer"))
			add(&declField{Name: "counterpart", Type: "select", Options: states, Required: true, Hint: "the other state"})
			add(&declField{Name: "category", Type: "select", Options: cats, Required: true})
			add(&declField{Name: "quantity", Type: "number", Min: "1", Max: maxCountText, Required: true})
			add(&declField{Name: "description", Type: "text", Hint: "optional"})
		case indivisible.KindForcesContribution:
			f.Title = "Collective forces contribution"
			f.Intro = "What you place at the disposal of an organisation's collective forces as of 1 January of the year."
			add(&declField{Name: "organisation", Type: "select", Options: orgs, Required: true, Hint: "an organisation you are a member of"})
			add(year("as of 1 January of this year"))
			add(&declField{Name: "units", Type: "textarea", Hint: "one unit designation a line; may be empty"})
			add(holdings())
		case indivisible.KindCorrection:
			f.Intro = "Corrects or withdraws an earlier declaration of yours. The log keeps both; the latest correction counts."
			add(&declField{Name: "corrects", Type: "select", Options: c.Own, Required: true, Hint: "an earlier declaration of yours, not a correction"})
			add(&declField{Name: "reason", Type: "text", Required: true})
			add(&declField{Name: "action", Type: "radio", Required: true, Options: []choice{{"replace", "Replace it with the declaration below"}, {"withdraw", "Withdraw it (for example a cancelled exercise)"}}})
			add(&declField{Name: "replacement", Type: "textarea", Hint: "the complete replacement, same kind and participant (JSON); use \"Pre-fill\" above to start from the entry"})
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

var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// number is a typed number as JSON: an integer as such, another JSON
// number as written (Parse says what is wrong with it), anything else as
// a string (Parse says it is not a number).
func number(s string) any {
	s = strings.NewReplacer(" ", "", "\u202f", "", "\u00a0", "").Replace(s)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if jsonNumberRE.MatchString(s) {
		return json.RawMessage(s)
	}
	return s
}

// composeDeclaration writes the declaration of kind for participant from
// a form's values. It checks nothing but that the replacement of a
// correction is JSON: exchange.Parse checks the rest.
func composeDeclaration(kind, participant string, v url.Values, categories []string) ([]byte, error) {
	o := object{{"kind", kind}, {"participant", participant}}
	// A blank field is left out: Parse says it is missing if it is
	// required.
	str := func(name string) {
		if s := strings.TrimSpace(v.Get(name)); s != "" {
			o = append(o, member{name, s})
		}
	}
	num := func(name string) {
		if s := strings.TrimSpace(v.Get(name)); s != "" {
			o = append(o, member{name, number(s)})
		}
	}
	holdings := func() {
		hs := object{}
		for _, c := range categories {
			if s := strings.TrimSpace(v.Get("h_" + c)); s != "" {
				hs = append(hs, member{c, number(s)})
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
			num(c.Value)
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
				return nil, indivisible.Invalid("replacement", "give the replacement declaration, or choose to withdraw the entry")
			}
			if !json.Valid([]byte(r)) {
				_, err := exchange.Parse([]byte(r), nil)
				return nil, indivisible.Invalid("replacement", "is not JSON: %s", indivisible.ErrorMessage(err))
			}
			o = append(o, member{"declaration", json.RawMessage(r)})
		default:
			return nil, indivisible.Invalid("action", "choose to replace or to withdraw the entry")
		}
	default:
		return nil, indivisible.Invalid("kind", "%q is not a declaration kind", kind)
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

// formMessage says a Parse message about a field in the form's words.
func formMessage(field, msg string) string {
	what := fieldLabel(field)
	if field == "replacement" {
		return what + ": " + msg + "."
	}
	switch {
	case msg == "missing":
		msg = "required: fill it in"
	case msg == "must be a number, not a string" || strings.HasPrefix(msg, "must be a whole number"):
		msg = "enter a whole number (digits only, no fraction or exponent)"
	case rangeRE.MatchString(msg):
		m := rangeRE.FindStringSubmatch(msg)
		lo, _ := strconv.ParseInt(m[2], 10, 64)
		hi, _ := strconv.ParseInt(m[3], 10, 64)
		if field == "year" || field == "corrects" {
			msg = fmt.Sprintf("%s is not allowed: enter a number from %d to %d", m[1], lo, hi)
		} else {
			msg = fmt.Sprintf("%s is not allowed: enter a whole number from %s to %s", m[1], thousands(lo), thousands(hi))
		}
	case dateRE.MatchString(msg):
		m := dateRE.FindStringSubmatch(msg)
		msg = fmt.Sprintf("enter a date (year-month-day) between %s and %s", m[1], m[2])
	case msg == "before start":
		msg = "is before the first day"
	case msg == "must not be empty" && field == "participating_states":
		msg = "choose at least one state"
	case msg == "must list at least one category":
		msg = "fill in at least one category"
	case msg == "contains a control character":
		msg = "remove the control characters"
	}
	return what + ": " + msg + "."
}

// toComposeError is a compose error as the form shows it.
func toComposeError(kind string, err error) *formError {
	var e *indivisible.Error
	if !errors.As(err, &e) || e.Field == "" {
		return &formError{Message: indivisible.ErrorMessage(err)}
	}
	f := declFieldFor(kind, e.Field)
	msg := e.Message
	if sub, ok := strings.CutPrefix(e.Field, "declaration."); ok && f == "replacement" {
		msg = "its field " + sub + ": " + msg
	}
	return &formError{Field: f, Message: formMessage(f, msg)}
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
	body, err := composeDeclaration(kind, s.account.Participant, v, h.categories())
	if err == nil {
		_, err = exchange.Parse(body, exchange.NewCodes(h.deps.Scenario))
	}
	if err != nil {
		c.Error = toComposeError(kind, err)
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
				b, _ := composeDeclaration(string(c.Declaration.Kind), c.Declaration.Participant, declValues(c.Declaration, categories), categories)
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
