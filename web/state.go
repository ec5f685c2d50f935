package web

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// stateTop is how many of a state's largest threats its page explains.
const stateTop = 5

// featureKeys are the catalog keys that say in words what each of the
// model's features is, for the pair "from" → the state of the page
// (docs/model.md, section 2).
var featureKeys = map[string]string{
	"const":            "assess.feature.const",
	"ln_cap_from":      "assess.feature.ln_cap_from",
	"ln_cap_to":        "assess.feature.ln_cap_to",
	"ln_dist":          "assess.feature.ln_dist",
	"land":             "assess.feature.land",
	"sea":              "assess.feature.sea",
	"defence":          "assess.feature.defence",
	"pact":             "assess.feature.pact",
	"affinity":         "assess.feature.affinity",
	"affinity_missing": "assess.feature.affinity_missing",
	"joint_dem":        "assess.feature.joint_dem",
	"dem_dist":         "assess.feature.dem_dist",
	"dem_missing":      "assess.feature.dem_missing",
	"ongoing":          "assess.feature.ongoing",
	"ln_peace":         "assess.feature.ln_peace",
	"decay_from":       "assess.feature.decay_from",
	"major_to":         "assess.feature.major_to",
}

// stateLink names a participant and links its page.
type stateLink struct {
	Code, Name string
}

// Link is the participant's name as a link to its page, for a message
// that names it among other words.
func (s stateLink) Link() template.HTML {
	return template.HTML(`<a href="/state/` + template.HTMLEscapeString(s.Code) + `">` + template.HTMLEscapeString(s.Name) + "</a>")
}

// termRow is one feature's part in a pair's log-odds.
type termRow struct {
	Feature, Text string
	Value, Coef   float64
	Term          float64
}

// negligible is the size of a term below which it is shown as about 0:
// less than the last digit shown.
const negligible = 5e-4

// termText formats a term in the log-odds to three decimals.
func termText(v float64) string {
	if math.Abs(v) < negligible {
		return "≈ 0"
	}
	return fmt.Sprintf("%+.3f", v)
}

// effectText is the catalog key that says which way a term in the
// log-odds moves the risk; the template translates it.
func effectText(v float64) string {
	switch {
	case v >= negligible:
		return "assess.effect.raises"
	case v <= -negligible:
		return "assess.effect.lowers"
	}
	return "assess.effect.barely"
}

// threatRow is a state that might initiate a dispute against the page's
// state, with why.
type threatRow struct {
	From stateLink
	// P and PForce are the annual probabilities, in per cent, that From
	// initiates a dispute against the state, and one with the use of force.
	P, PForce float64
	Terms     []termRow
	// Deployments is what forces abroad add to the log-odds; Odds is an
	// expert factor on the odds (1: none).
	Deployments, Odds float64
}

// HasOdds reports whether an expert factor changes the pair's odds.
func (t threatRow) HasOdds() bool { return t.Odds != 1 && t.Odds != 0 }

type holdingRow struct {
	Component, Label, Unit string
	Quantity               float64
	Missing                bool
	Year                   int
	Source                 string
}

type membershipRow struct {
	Organisation stateLink
	Role         string
	Since        int
}

type commitmentRow struct {
	// With is the other party: a state, or the organisation whose members
	// the treaty binds.
	With    stateLink
	Through bool // With is an organisation of which the state is a member
	Type    string
	Treaty  string
	Year    int
}

type deploymentRow struct {
	// Other is the host, for forces abroad, or the sending state, for
	// forces on the state's soil.
	Other     stateLink
	Component string
	Quantity  float64
	Year      int
	Source    string
}

type stateData struct {
	stateLink
	Capital string
	Year    int
	// Risk and Force are the annual risks, in per cent, of facing a
	// militarized dispute and one with the use of force.
	Risk, Force float64
	Rank, Of    int
	// Explained is false when no explainer is configured: the page then
	// shows the baseline's numbers without the pairs behind them.
	Explained   bool
	Threats     []threatRow
	Holdings    []holdingRow
	Memberships []membershipRow
	Commitments []commitmentRow
	Abroad      []deploymentRow
	Hosted      []deploymentRow
	Borders     []stateLink
}

// statePageData is the page's data: a state or an organisation.
type statePageData struct {
	State *stateData
	Org   *orgData
}

type orgData struct {
	Org         orgRow
	Members     []stateLink
	Others      []membershipRow
	Commitments []commitmentRow
}

// explainer is Deps.Explainer, or else the Assessor if it explains too
// (model.System does).
func (h *handler) explainer() indivisible.Explainer {
	if h.deps.Explainer != nil {
		return h.deps.Explainer
	}
	x, _ := h.deps.Assessor.(indivisible.Explainer)
	return x
}

// link names a participant in the reader's language (see localName).
func (h *handler) link(tag language.Tag, code string) stateLink {
	return stateLink{code, h.localName(tag, code)}
}

// localName is a participant's name in the language tag (see localName).
func (h *handler) localName(tag language.Tag, code string) string {
	return localName(tag, code, h.name(code))
}

// localName is a participant's name in the language tag: CLDR's name of
// the country for a state, else (an organisation, a code CLDR does not
// know) name, the scenario's. English pages keep the scenario's names,
// which its authors chose ("Türkiye") and which CLDR's English may not
// share.
func localName(tag language.Tag, code, name string) string {
	if base, _ := tag.Base(); base.String() == "en" {
		return name
	}
	if n, ok := i18n.RegionName(tag, code); ok {
		return n
	}
	return name
}

// roleLabel and obligationLabel are a membership role and an ATOP
// obligation type in the reader's language.
func roleLabel(l *i18n.Localizer, r indivisible.MembershipRole) string {
	return l.T("assess.role." + string(r))
}

func obligationLabel(l *i18n.Localizer, t indivisible.CommitmentType) string {
	return l.T("assess.obligation." + string(t))
}

// statePage shows a state: its annual risk and why, its forces, and its
// ties; or an organisation: its members and their security.
func (h *handler) statePage(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(r.PathValue("code"))
	p, ok := h.deps.Scenario.Participant(code)
	if !ok {
		h.notFound(w, r)
		return
	}
	if p.Kind == indivisible.Organisation {
		h.orgPage(w, r, p)
		return
	}
	l := loc(r)
	tag := l.Tag()
	d := stateData{stateLink: h.link(tag, p.Code), Capital: p.Capital, Year: h.deps.Scenario.Year}
	if x := h.explainer(); x != nil {
		e, err := x.Explain(code, stateTop)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Explained = true
		d.Year = e.Year
		d.Risk, d.Force = 100*e.Risk, 100*(1-e.ForceSecurity)
		d.Rank, d.Of = e.Rank, e.Of
		for _, t := range e.Threats {
			tr := threatRow{From: h.link(tag, t.From), P: 100 * t.P, PForce: 100 * t.PForce, Deployments: t.Deployments, Odds: t.Odds}
			for _, c := range t.Contributions {
				if c.Term == 0 {
					continue
				}
				tr.Terms = append(tr.Terms, termRow{Feature: c.Feature, Text: featureLabel(l, c.Feature), Value: c.Value, Coef: c.Coef, Term: c.Term})
			}
			d.Threats = append(d.Threats, tr)
		}
	} else {
		a, err := h.baseline(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		i := slices.IndexFunc(a.Participants, func(x indivisible.ParticipantResult) bool { return x.Code == code })
		if i < 0 {
			h.fail(w, r, errors.New("the baseline has no result for "+code))
			return
		}
		me := a.Participants[i]
		d.Risk, d.Force = risk(me), forceRisk(me)
		d.Rank, d.Of = 1, len(a.Participants)
		for _, x := range a.Participants {
			if x.Before > me.Before {
				d.Rank++
			}
		}
	}
	d.Holdings = h.holdings(bundle.Localizer(tag), code)
	member := map[string]bool{}
	for _, m := range h.deps.Scenario.Memberships {
		if m.State != code {
			continue
		}
		d.Memberships = append(d.Memberships, membershipRow{Organisation: h.link(tag, m.Organisation), Role: roleLabel(l, m.Role), Since: m.Since})
		if m.Role == indivisible.Member {
			member[m.Organisation] = true
		}
	}
	for _, c := range h.deps.Scenario.Commitments {
		row := commitmentRow{Type: obligationLabel(l, c.Type), Treaty: c.Treaty, Year: c.Year}
		switch {
		case c.B == "" && member[c.A]:
			row.With, row.Through = h.link(tag, c.A), true
		case c.A == code && c.B != "":
			row.With = h.link(tag, c.B)
		case c.B == code:
			row.With = h.link(tag, c.A)
		default:
			continue
		}
		d.Commitments = append(d.Commitments, row)
	}
	for _, x := range h.deps.Scenario.Deployments {
		switch code {
		case x.State:
			d.Abroad = append(d.Abroad, deploymentRow{Other: h.link(tag, x.Host), Component: terms(bundle.Localizer(tag)).Component(x.Component), Quantity: x.Quantity, Year: x.Year, Source: x.Source})
		case x.Host:
			d.Hosted = append(d.Hosted, deploymentRow{Other: h.link(tag, x.State), Component: terms(bundle.Localizer(tag)).Component(x.Component), Quantity: x.Quantity, Year: x.Year, Source: x.Source})
		}
	}
	for _, b := range p.Borders {
		d.Borders = append(d.Borders, h.link(tag, b))
	}
	h.render(w, r, http.StatusOK, "state", d.Name, statePageData{State: &d})
}

// featureLabel says a feature of the model in words, or, for one the
// page has no words for, its name.
func featureLabel(l *i18n.Localizer, feature string) string {
	if k, ok := featureKeys[feature]; ok {
		return l.T(k)
	}
	return label(feature)
}

// holdings lists a state's holdings in the scenario's order of components.
func (h *handler) holdings(l *i18n.Localizer, code string) []holdingRow {
	var rows []holdingRow
	for _, c := range h.deps.Scenario.Components {
		for _, x := range h.deps.Scenario.Holdings {
			if x.State == code && x.Component == c.Name {
				rows = append(rows, holdingRow{Component: c.Name, Label: terms(l).Component(c.Name), Unit: c.Unit, Quantity: x.Quantity, Missing: x.Missing, Year: x.Year, Source: x.Source})
			}
		}
	}
	return rows
}

// orgPage shows an organisation: its members, its partners and observers,
// the treaties that bind its members, and the annual risk that at least
// one member faces a militarized dispute.
func (h *handler) orgPage(w http.ResponseWriter, r *http.Request, p indivisible.Participant) {
	a, err := h.baseline(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l := loc(r)
	tag := l.Tag()
	orgs := h.organisations(l, a)
	i := slices.IndexFunc(orgs, func(o orgRow) bool { return o.Code == p.Code })
	if i < 0 {
		h.notFound(w, r)
		return
	}
	d := orgData{Org: orgs[i]}
	for _, m := range orgs[i].Members {
		d.Members = append(d.Members, h.link(tag, m))
	}
	for _, m := range h.deps.Scenario.Memberships {
		if m.Organisation == p.Code && m.Role != indivisible.Member {
			d.Others = append(d.Others, membershipRow{Organisation: h.link(tag, m.State), Role: roleLabel(l, m.Role), Since: m.Since})
		}
	}
	slices.SortFunc(d.Others, func(x, y membershipRow) int { return strings.Compare(x.Organisation.Code, y.Organisation.Code) })
	for _, c := range h.deps.Scenario.Commitments {
		if c.A == p.Code && c.B == "" {
			d.Commitments = append(d.Commitments, commitmentRow{With: h.link(tag, c.A), Through: true, Type: obligationLabel(l, c.Type), Treaty: c.Treaty, Year: c.Year})
		}
	}
	h.render(w, r, http.StatusOK, "state", p.Name, statePageData{Org: &d})
}

// quantity formats a holding or deployment: a whole number with
// thousands separators, or a decimal when it is not whole.
func quantity(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return thousands(int64(v))
	}
	return short(v)
}
