package demo

import (
	"context"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

// seedForum gives the demo a forum: every demo delegation accredited, an
// open item under consensus with a proposal, an amendment and positions
// (Armenia's signed with its key), an item under qualified majority
// already decided, and a Delphi question in its first round.
func seedForum(ctx context.Context, svc *forum.Service, creds []Credential, now time.Time) error {
	var sec, expert *indivisible.Account
	del := map[string]Credential{}
	for _, c := range creds {
		switch c.Account.Role {
		case indivisible.RoleSecretariat:
			sec = &c.Account
		case indivisible.RoleExpert:
			expert = &c.Account
		case indivisible.RoleDelegation:
			del[c.Account.Participant] = c
		}
	}
	f := &indivisible.Forum{Title: "International expert forum on an equal and indivisible security architecture in Eurasia",
		Description: "Delegations of member states, partner states, organisations and integration associations, with an expert panel."}
	if err := svc.CreateForum(ctx, sec, f); err != nil {
		return err
	}
	se := &indivisible.Session{ForumID: f.ID, Title: "First session: confidence-building in the Caucasus and in Europe"}
	if err := svc.CreateSession(ctx, sec, se); err != nil {
		return err
	}
	for _, c := range creds {
		if c.Account.Role != indivisible.RoleDelegation {
			continue
		}
		dl := &indivisible.Delegation{ForumID: f.ID, Participant: c.Account.Participant, Kind: c.Account.Kind, Name: c.Account.Name, Head: "Head of delegation", Members: []string{"Military adviser"}}
		if err := svc.RegisterDelegation(ctx, &c.Account, dl); err != nil {
			return err
		}
		if _, err := svc.SetDelegationStatus(ctx, sec, f.ID, dl.ID, indivisible.Accredited); err != nil {
			return err
		}
	}
	if _, err := svc.AddExpert(ctx, sec, f.ID, expert.ID); err != nil {
		return err
	}
	cbm := func(kinds ...string) *indivisible.Proposal {
		p := &indivisible.Proposal{}
		for _, k := range kinds {
			p.Measures = append(p.Measures, indivisible.Measure{Type: indivisible.MeasureCBM, Actors: []string{"ARM", "AZE"}, Kind: k})
		}
		return p
	}
	caucasus := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Confidence-building between Armenia and Azerbaijan",
		Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus}}
	europe := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Data exchange on forces in Central Europe",
		Rule: indivisible.RuleSpec{Name: indivisible.RuleQualifiedMajority}}
	for _, it := range []*indivisible.AgendaItem{caucasus, europe} {
		if err := svc.CreateItem(ctx, sec, it); err != nil {
			return err
		}
	}
	type step struct {
		who string
		v   *indivisible.ProposalVersion
		pos *indivisible.PositionRequest
		key bool
	}
	steps := []step{
		{who: "ARM", v: &indivisible.ProposalVersion{ItemID: caucasus.ID, Title: "A hotline", Text: "Armenia and Azerbaijan open a **hotline** between their ministries of defence.\n", Package: cbm("hotline")}},
		{who: "AZE", v: &indivisible.ProposalVersion{ItemID: caucasus.ID, Title: "A hotline and observers", Text: "Armenia and Azerbaijan open a **hotline** between their ministries of defence and **exchange military observers** at exercises.\n", Package: cbm("hotline", "observers")}},
		{who: "ARM", pos: &indivisible.PositionRequest{Stance: indivisible.Join, StatementKind: indivisible.Reservation, Statement: "Observers are exchanged on the basis of reciprocity."}, key: true},
		{who: "AZE", pos: &indivisible.PositionRequest{Stance: indivisible.Support}},
		{who: "RUS", pos: &indivisible.PositionRequest{Stance: indivisible.Abstain}},
		{who: "AUS", pos: &indivisible.PositionRequest{Stance: indivisible.Join, StatementKind: indivisible.Interpretative, Statement: "We understand 'observers' to include civilian experts."}},
		{who: "POL", pos: &indivisible.PositionRequest{Stance: indivisible.Support}},
	}
	current := 0 // the caucasus item's current version
	for _, s := range steps {
		d := del[s.who]
		if s.v != nil {
			if err := svc.Table(ctx, &d.Account, f.ID, s.v); err != nil {
				return err
			}
			current = s.v.Number
			continue
		}
		if s.key {
			// As a delegation's client does: the statement is signed
			// with the delegation's own key, not attested by the forum.
			signer, err := ledger.LoadSigner(d.KeyPath)
			if err != nil {
				return err
			}
			body := &forum.PositionBody{Type: forum.PositionType, Forum: f.ID, Item: caucasus.ID, Version: current, Participant: d.Account.Participant,
				Stance: s.pos.Stance, StatementKind: s.pos.StatementKind, Statement: s.pos.Statement, Time: now.UTC().Format(time.RFC3339Nano)}
			signed, err := body.Sign(signer)
			if err != nil {
				return err
			}
			s.pos = &indivisible.PositionRequest{Signed: signed}
		}
		if _, err := svc.TakePosition(ctx, &d.Account, f.ID, caucasus.ID, s.pos); err != nil {
			return err
		}
	}
	dataExchange := &indivisible.Proposal{Measures: []indivisible.Measure{{Type: indivisible.MeasureCBM, Actors: []string{"POL", "DEU", "RUS"}, Kind: "data_exchange"}}}
	if err := svc.Table(ctx, sec, f.ID, &indivisible.ProposalVersion{ItemID: europe.ID, Title: "Annual data exchange",
		Text: "Poland, Germany and the Russian Federation exchange data on their forces every year.\n", Package: dataExchange}); err != nil {
		return err
	}
	for who, st := range map[string]indivisible.Stance{"POL": indivisible.Support, "DEU": indivisible.Support, "RUS": indivisible.Object, "ARM": indivisible.Abstain} {
		req := &indivisible.PositionRequest{Stance: st}
		if st == indivisible.Object {
			req.Statement = "Data exchange must cover all of Europe."
		}
		acc := del[who].Account
		if _, err := svc.TakePosition(ctx, &acc, f.ID, europe.ID, req); err != nil {
			return err
		}
	}
	if _, err := svc.Close(ctx, sec, f.ID, europe.ID); err != nil {
		return err
	}
	q := &indivisible.Question{ForumID: f.ID, Parameter: "exercise_range_km", Text: "At what distance (km) from an exercise has its effect on the odds of a dispute fallen to 1/e (about 37%)?",
		Unit: "km", Min: 50, Max: 2000, Stop: indivisible.StoppingRule{IQR: 75}}
	if err := svc.CreateQuestion(ctx, sec, q); err != nil {
		return err
	}
	_, err := svc.Answer(ctx, expert, f.ID, q.ID, 450)
	return err
}
