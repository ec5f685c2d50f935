package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
)

// participant is a participant as the API shows it, with the baseline
// security of states (the probability that no state initiates a
// militarized dispute against it within a year) and its complement, the
// annual risk. One participant alone also carries, for a state, the
// model's explanation of that risk.
type participant struct {
	indivisible.Participant
	Security    *float64                 `json:"security,omitempty"`
	Risk        *float64                 `json:"risk,omitempty"`
	Members     []string                 `json:"members,omitempty"`
	Explanation *indivisible.Explanation `json:"explanation,omitempty"`
}

// explainTop is how many of a state's largest threats its explanation
// lists.
const explainTop = 10

func (s *Server) participants() []participant {
	sec := map[string]float64{}
	for i, c := range s.cfg.Baseline.Codes() {
		sec[c] = s.cfg.Baseline.Before()[i]
	}
	members := map[string][]string{}
	for _, m := range s.cfg.Scenario.Memberships {
		if m.Role == indivisible.Member {
			members[m.Organisation] = append(members[m.Organisation], m.State)
		}
	}
	out := make([]participant, 0, len(s.cfg.Scenario.Participants))
	for _, p := range s.cfg.Scenario.Participants {
		v := participant{Participant: p, Members: members[p.Code]}
		if x, ok := sec[p.Code]; ok {
			r := 1 - x
			v.Security, v.Risk = &x, &r
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) getScenario(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := indivisible.Authorize(account(r), indivisible.ActRead, ""); err != nil {
		return 0, nil, err
	}
	sc := s.cfg.Scenario
	return http.StatusOK, map[string]any{
		"name": sc.Name, "year": sc.Year, "description": sc.Description, "components": sc.Components,
		"memberships": sc.Memberships, "commitments": sc.Commitments, "holdings": sc.Holdings, "deployments": sc.Deployments,
	}, nil
}

func (s *Server) listParticipants(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := indivisible.Authorize(account(r), indivisible.ActRead, ""); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"participants": s.participants()}, nil
}

func (s *Server) getParticipant(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := indivisible.Authorize(account(r), indivisible.ActRead, ""); err != nil {
		return 0, nil, err
	}
	code := strings.ToUpper(r.PathValue("code"))
	for _, p := range s.participants() {
		if p.Code != code {
			continue
		}
		if p.Kind == indivisible.State && s.cfg.Explainer != nil {
			x, err := s.cfg.Explainer.Explain(code, explainTop)
			if err != nil {
				return 0, nil, err
			}
			p.Explanation = x
		}
		return http.StatusOK, p, nil
	}
	return 0, nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, "code", "no participant %q", code)
}

// assess runs the model on the posted proposal (the CLI's format). The
// tolerance is a query parameter, so the body is exactly a proposal file.
func (s *Server) assess(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if err := indivisible.Authorize(account(r), indivisible.ActAssess, ""); err != nil {
		return 0, nil, err
	}
	t := indivisible.DefaultTolerance
	if q := r.URL.Query().Get("tolerance"); q != "" {
		v, err := strconv.ParseFloat(q, 64)
		if err != nil {
			return 0, nil, indivisible.Invalid("tolerance", "%q is not a number", q)
		}
		t = v
	}
	b, err := s.readBody(w, r)
	if err != nil {
		return 0, nil, err
	}
	p, err := indivisible.ParseProposal(b)
	if err != nil {
		return 0, nil, err
	}
	a, err := s.cfg.Assessor.Assess(r.Context(), p, t)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a, nil
}
