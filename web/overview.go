package web

import (
	"cmp"
	"math"
	"net/http"
	"slices"
	"strconv"

	"golang.org/x/text/language"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// mapData is what map.js draws, embedded in the page as JSON: the shapes
// come from world-atlas, everything else (colours, labels) from here.
type mapData struct {
	// Atlas is the URL of the TopoJSON world atlas.
	Atlas  string     `json:"atlas"`
	Label  string     `json:"label"`
	States []mapState `json:"states"`
	// Highlight lists the states to outline: the selected organisation's
	// members.
	Highlight []string `json:"highlight,omitempty"`
	// Pick makes states clickable to fill the proposal form.
	Pick bool `json:"pick,omitempty"`
	// Link makes states links to their pages (/state/CODE).
	Link bool `json:"link,omitempty"`
}

// mapState is one state on the map.
type mapState struct {
	Code   string `json:"code"`
	ID     string `json:"id"` // ISO 3166-1 numeric, world-atlas's key
	Name   string `json:"name"`
	Colour string `json:"colour"`
	// Label is the tooltip and the shape's accessible name.
	Label string `json:"label"`
}

// rankRow is a row of the ranking table.
type rankRow struct {
	Rank int
	Code string
	Name string
	// Risk and Force are the annual risks, in per cent, of facing a
	// militarized dispute and one with the use of force.
	Risk, Force float64
	Colour      string
	Member      bool // of the selected organisation
}

// orgRow is an organisation with its members.
type orgRow struct {
	Code, Name string
	Members    []string
	Others     []string // partners, observers, dialogue partners
	// Risk is the annual risk, in per cent, that at least one member
	// faces a militarized dispute.
	Risk     float64
	RiskText string
	Selected bool
}

// riskText is an organisation's Risk to one decimal, in the reader's
// language, without rounding a near-certainty up to 100%.
func riskText(l *i18n.Localizer, risk float64) string {
	if risk >= 99.95 {
		return l.T("assess.overview.over", "value", i18n.FormatNumber(l.Tag(), 99.9, 1))
	}
	return i18n.FormatNumber(l.Tag(), risk, 1) + "%"
}

type overviewData struct {
	Map      mapData
	Legend   legend
	Ranking  []rankRow
	Orgs     []orgRow
	Selected *orgRow
}

// baseline assesses the empty proposal: every state's security as things
// stand.
func (h *handler) baseline(r *http.Request) (*indivisible.Assessment, error) {
	return h.deps.Assessor.Assess(r.Context(), &indivisible.Proposal{Title: "baseline"}, indivisible.DefaultTolerance)
}

func (h *handler) overview(w http.ResponseWriter, r *http.Request) {
	a, err := h.baseline(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l := loc(r)
	tag := l.Tag()
	d := overviewData{Orgs: h.organisations(l, a)}
	if sel := r.URL.Query().Get("org"); sel != "" {
		i := slices.IndexFunc(d.Orgs, func(o orgRow) bool { return o.Code == sel })
		if i < 0 {
			h.fail(w, r, indivisible.FieldErrorf(indivisible.ENOTFOUND, "org", "no organisation %q in the scenario", sel))
			return
		}
		d.Orgs[i].Selected = true
		d.Selected = &d.Orgs[i]
	}
	members := map[string]bool{}
	if d.Selected != nil {
		for _, m := range d.Selected.Members {
			members[m] = true
		}
	}

	// Lowest risk first: rank 1 is the most secure, as in the model's
	// explanations.
	ranked := slices.Clone(a.Participants)
	slices.SortStableFunc(ranked, func(x, y indivisible.ParticipantResult) int { return cmp.Compare(y.Before, x.Before) })
	sc := sequentialScale(values(ranked, risk))
	d.Legend = sc.legend(l.T("assess.legend.risk"), percentTick)
	d.Map = mapData{Atlas: assetURL(atlasFile), Link: true, Label: l.T("assess.map.label_risk"),
		States: h.colourStates(tag, ranked, sc, risk, func(i int, name string, p indivisible.ParticipantResult) string {
			return l.T("assess.map.state_risk", "name", name, "risk", i18n.FormatNumber(tag, risk(p), 1), "force", i18n.FormatNumber(tag, forceRisk(p), 1), "rank", i+1, "of", len(ranked))
		})}
	if d.Selected != nil {
		d.Map.Highlight = d.Selected.Members
	}
	for i, p := range ranked {
		d.Ranking = append(d.Ranking, rankRow{Rank: i + 1, Code: p.Code, Name: d.Map.States[i].Name, Risk: risk(p), Force: forceRisk(p), Colour: d.Map.States[i].Colour, Member: members[p.Code]})
	}
	h.render(w, r, http.StatusOK, "overview", l.T("nav.overview"), d)
}

// organisations lists the scenario's organisations with their members and
// the annual risk that at least one member faces a dispute.
func (h *handler) organisations(l *i18n.Localizer, a *indivisible.Assessment) []orgRow {
	orgRisk := map[string]float64{}
	for _, o := range a.Organisations {
		orgRisk[o.Code] = risk(o)
	}
	var orgs []orgRow
	for _, p := range h.deps.Scenario.Participants {
		if p.Kind != indivisible.Organisation {
			continue
		}
		o := orgRow{Code: p.Code, Name: p.Name, Risk: orgRisk[p.Code], RiskText: riskText(l, orgRisk[p.Code])}
		for _, m := range h.deps.Scenario.Memberships {
			switch {
			case m.Organisation != p.Code:
			case m.Role == indivisible.Member:
				o.Members = append(o.Members, m.State)
			default:
				o.Others = append(o.Others, m.State)
			}
		}
		slices.Sort(o.Members)
		slices.Sort(o.Others)
		orgs = append(orgs, o)
	}
	return orgs
}

// risk is a participant's annual risk of facing a militarized dispute
// before the proposal, in per cent: one minus its security.
func risk(p indivisible.ParticipantResult) float64 { return 100 * (1 - p.Before) }

// riskAfter is the same after the proposal.
func riskAfter(p indivisible.ParticipantResult) float64 { return 100 * (1 - p.After) }

// forceRisk is the annual risk, in per cent, of a dispute in which force
// is used, before the proposal.
func forceRisk(p indivisible.ParticipantResult) float64 { return 100 * (1 - p.ForceBefore) }

// riskChange is the change of the annual risk in percentage points:
// positive when the proposal makes a dispute against the state likelier.
func riskChange(p indivisible.ParticipantResult) float64 { return -100 * p.Delta }

// percentTick formats a legend tick of a risk in per cent: 0, 12.5, 25 and
// so on.
func percentTick(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

func values(ps []indivisible.ParticipantResult, f func(indivisible.ParticipantResult) float64) []float64 {
	v := make([]float64, len(ps))
	for i, p := range ps {
		v[i] = f(p)
	}
	return v
}

// colourStates puts the states on the map, coloured by value on sc and
// named in the language tag (localName); label words a state's tooltip
// from its name.
func (h *handler) colourStates(tag language.Tag, ps []indivisible.ParticipantResult, sc scale, value func(indivisible.ParticipantResult) float64, label func(int, string, indivisible.ParticipantResult) string) []mapState {
	s := make([]mapState, len(ps))
	for i, p := range ps {
		name := h.localName(tag, p.Code)
		s[i] = mapState{Code: p.Code, ID: isoNumeric[p.Code], Name: name, Colour: sc.colour(value(p)), Label: label(i, name, p)}
	}
	return s
}
