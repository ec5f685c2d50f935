package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/indivisible-eurasia/indivisible"
)

// ForumStore is what the forum suite needs: the forum's records, and the
// accounts its experts are.
type ForumStore interface {
	indivisible.ForumStore
	indivisible.AccountStore
}

// TestForum checks a ForumStore. open must return an empty store.
func TestForum(t *testing.T, open func(t *testing.T) ForumStore) {
	ctx := context.Background()
	code := indivisible.ErrorCode
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// setup makes a forum, a session and an item.
	setup := func(t *testing.T, s ForumStore) (*indivisible.Forum, *indivisible.Session, *indivisible.AgendaItem) {
		f := &indivisible.Forum{Title: "Eurasian security forum", Description: "test"}
		must(t, s.CreateForum(ctx, f))
		se := &indivisible.Session{ForumID: f.ID, Title: "First session"}
		must(t, s.CreateSession(ctx, se))
		it := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Caucasus CBMs", Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus, Version: 1}}
		must(t, s.CreateItem(ctx, it))
		return f, se, it
	}

	t.Run("forums, sessions and items", func(t *testing.T) {
		s := open(t)
		f, se, it := setup(t, s)
		if f.ID == 0 || f.Created.IsZero() || se.ID == 0 || it.ID == 0 || it.Status != indivisible.ItemOpen {
			t.Fatalf("IDs and times not set: %+v %+v %+v", f, se, it)
		}
		gf, err := s.Forum(ctx, f.ID)
		must(t, err)
		if diff := cmp.Diff(f, gf); diff != "" {
			t.Errorf("Forum (-want +got):\n%s", diff)
		}
		fs, err := s.Forums(ctx)
		must(t, err)
		ss, err := s.Sessions(ctx, f.ID)
		must(t, err)
		if len(fs) != 1 || len(ss) != 1 || *ss[0] != *se {
			t.Errorf("Forums %v, Sessions %v", fs, ss)
		}
		deadline := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
		it2 := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Silence", Rule: indivisible.RuleSpec{Name: indivisible.RuleSilence, Version: 1, Deadline: &deadline}}
		must(t, s.CreateItem(ctx, it2))
		items, err := s.Items(ctx, se.ID)
		must(t, err)
		if len(items) != 2 || !items[1].Rule.Deadline.Equal(deadline) || items[0].Title != it.Title {
			t.Errorf("Items = %+v", items)
		}
		for _, err := range []error{
			func() error { _, err := s.Forum(ctx, 999); return err }(),
			func() error { _, err := s.Session(ctx, 999); return err }(),
			func() error { _, err := s.Item(ctx, 999); return err }(),
			s.CreateSession(ctx, &indivisible.Session{ForumID: 999, Title: "x"}),
		} {
			if code(err) != indivisible.ENOTFOUND {
				t.Errorf("missing record: %v, want not found", err)
			}
		}
		if err := s.CreateForum(ctx, &indivisible.Forum{}); code(err) != indivisible.EINVALID {
			t.Errorf("untitled forum: %v", err)
		}
	})

	t.Run("delegations", func(t *testing.T) {
		s := open(t)
		f, _, _ := setup(t, s)
		d := &indivisible.Delegation{ForumID: f.ID, Participant: "POL", Kind: indivisible.MemberState, Name: "Delegation of Poland", Head: "Ambassador", Members: []string{"Adviser"}}
		must(t, s.CreateDelegation(ctx, d))
		if d.Status != indivisible.Pending || d.ID == 0 {
			t.Fatalf("new delegation %+v", d)
		}
		again := *d
		if err := s.CreateDelegation(ctx, &again); code(err) != indivisible.ECONFLICT {
			t.Errorf("second registration: %v, want conflict", err)
		}
		got, err := s.SetDelegationStatus(ctx, d.ID, indivisible.Accredited)
		must(t, err)
		if got.Status != indivisible.Accredited {
			t.Errorf("status %s", got.Status)
		}
		if _, err := s.SetDelegationStatus(ctx, d.ID, indivisible.Rejected); code(err) != indivisible.ECONFLICT {
			t.Errorf("accredited -> rejected: %v, want conflict", err)
		}
		_, err = s.SetDelegationStatus(ctx, d.ID, indivisible.Withdrawn)
		must(t, err)
		// Once withdrawn, the participant may register again.
		must(t, s.CreateDelegation(ctx, &again))
		ds, err := s.Delegations(ctx, f.ID)
		must(t, err)
		if len(ds) != 2 || ds[0].Status != indivisible.Withdrawn || ds[1].Status != indivisible.Pending || !cmp.Equal(ds[1].Members, []string{"Adviser"}) {
			t.Errorf("Delegations = %+v", ds)
		}
		if _, err := s.SetDelegationStatus(ctx, 999, indivisible.Accredited); code(err) != indivisible.ENOTFOUND {
			t.Errorf("missing delegation: %v", err)
		}
		if err := s.CreateDelegation(ctx, &indivisible.Delegation{ForumID: f.ID, Participant: "DEU", Kind: "club", Name: "x", Head: "y"}); code(err) != indivisible.EINVALID {
			t.Errorf("bad kind: %v", err)
		}
	})

	t.Run("experts", func(t *testing.T) {
		s := open(t)
		f, _, _ := setup(t, s)
		a := &indivisible.Account{Name: "Expert", Role: indivisible.RoleExpert}
		must(t, s.CreateAccount(ctx, a))
		e := &indivisible.Expert{ForumID: f.ID, AccountID: a.ID, Name: a.Name}
		must(t, s.AddExpert(ctx, e))
		if err := s.AddExpert(ctx, &indivisible.Expert{ForumID: f.ID, AccountID: a.ID, Name: a.Name}); code(err) != indivisible.ECONFLICT {
			t.Errorf("expert twice: %v, want conflict", err)
		}
		es, err := s.Experts(ctx, f.ID)
		must(t, err)
		if len(es) != 1 || *es[0] != *e {
			t.Errorf("Experts = %+v", es)
		}
	})

	t.Run("versions, comments and speakers", func(t *testing.T) {
		s := open(t)
		_, _, it := setup(t, s)
		pkg := &indivisible.Proposal{Title: "CBM", Measures: []indivisible.Measure{{Type: indivisible.MeasureCBM, Actors: []string{"ARM", "AZE"}, Kind: "hotline"}}}
		a := &indivisible.Assessment{Title: "CBM", Verdict: indivisible.Indivisible, Gainers: []string{"ARM", "AZE"}, Losers: []string{}}
		v1 := &indivisible.ProposalVersion{ItemID: it.ID, Participant: "ARM", AccountID: 2, Title: "Hotline", Text: "A *hotline*.", Package: pkg, Assessment: a}
		must(t, s.AddVersion(ctx, v1))
		v2 := &indivisible.ProposalVersion{ItemID: it.ID, AccountID: 1, Title: "Hotline and observers", Text: "A hotline and observers."}
		must(t, s.AddVersion(ctx, v2))
		if v1.Number != 1 || v1.Kind != indivisible.VersionProposal || v2.Number != 2 || v2.Kind != indivisible.VersionAmendment {
			t.Errorf("numbers %d %s, %d %s", v1.Number, v1.Kind, v2.Number, v2.Kind)
		}
		vs, err := s.Versions(ctx, it.ID)
		must(t, err)
		if diff := cmp.Diff([]*indivisible.ProposalVersion{v1, v2}, vs); diff != "" {
			t.Errorf("Versions (-want +got):\n%s", diff)
		}
		c := &indivisible.Comment{ItemID: it.ID, AccountID: 2, Author: "Armenia", Participant: "ARM", Text: "We support it."}
		must(t, s.AddComment(ctx, c))
		cs, err := s.Comments(ctx, it.ID)
		must(t, err)
		if len(cs) != 1 || *cs[0] != *c {
			t.Errorf("Comments = %+v", cs)
		}
		sp := &indivisible.Speaker{ItemID: it.ID, AccountID: 2, Name: "Armenia", Participant: "ARM"}
		must(t, s.AddSpeaker(ctx, sp))
		if err := s.AddSpeaker(ctx, &indivisible.Speaker{ItemID: it.ID, AccountID: 2, Name: "Armenia"}); code(err) != indivisible.ECONFLICT {
			t.Errorf("on the list twice: %v, want conflict", err)
		}
		done, err := s.SpeakerDone(ctx, sp.ID)
		must(t, err)
		if !done.Done {
			t.Errorf("SpeakerDone = %+v", done)
		}
		must(t, s.AddSpeaker(ctx, &indivisible.Speaker{ItemID: it.ID, AccountID: 2, Name: "Armenia"}))
		sps, err := s.Speakers(ctx, it.ID)
		must(t, err)
		if len(sps) != 2 || !sps[0].Done || sps[1].Done {
			t.Errorf("Speakers = %+v", sps)
		}
		if _, err := s.SpeakerDone(ctx, 999); code(err) != indivisible.ENOTFOUND {
			t.Errorf("missing speaker: %v", err)
		}
	})

	t.Run("positions and decisions", func(t *testing.T) {
		s := open(t)
		_, _, it := setup(t, s)
		must(t, s.AddVersion(ctx, &indivisible.ProposalVersion{ItemID: it.ID, Title: "T", Text: "text"}))
		when := time.Date(2026, 11, 30, 10, 0, 0, 123e6, time.UTC)
		ps := []*indivisible.Position{
			{ItemID: it.ID, Version: 1, Participant: "POL", Stance: indivisible.Object, Statement: "no", Time: when, LogIndex: 7, KeyName: "POL-12345678"},
			{ItemID: it.ID, Version: 1, Participant: "AUS", Stance: indivisible.Join, StatementKind: indivisible.Interpretative, Statement: "we read it so", Time: when, LogIndex: 5},
		}
		for _, p := range ps {
			must(t, s.AddPosition(ctx, p))
		}
		dup := *ps[0]
		if err := s.AddPosition(ctx, &dup); code(err) != indivisible.ECONFLICT {
			t.Errorf("same log entry twice: %v, want conflict", err)
		}
		got, err := s.Positions(ctx, it.ID)
		must(t, err)
		if diff := cmp.Diff([]*indivisible.Position{ps[1], ps[0]}, got); diff != "" {
			t.Errorf("Positions, by log index (-want +got):\n%s", diff)
		}
		if _, err := s.Decision(ctx, it.ID); code(err) != indivisible.ENOTFOUND {
			t.Errorf("decision of an open item: %v", err)
		}
		d := &indivisible.Decision{ItemID: it.ID, Version: 1, Rule: it.Rule, Outcome: indivisible.NotAdopted, Reason: "POL objects",
			Tally: indivisible.Tally{MemberStates: 1, Present: 1, Object: 1, Voting: 1, Others: 1}, Objectors: []indivisible.Objection{{Participant: "POL", LogIndex: 7, Statement: "no"}},
			Ignored: []indivisible.Objection{}, Statements: []indivisible.Position{*ps[1]}, Counted: []int64{5, 7},
			Document: "# Outcome", DocumentSHA256: "ab", Time: when, LogIndex: 9}
		must(t, s.CloseItem(ctx, d))
		gd, err := s.Decision(ctx, it.ID)
		must(t, err)
		if diff := cmp.Diff(d, gd); diff != "" {
			t.Errorf("Decision (-want +got):\n%s", diff)
		}
		if err := s.CloseItem(ctx, d); code(err) != indivisible.ECONFLICT {
			t.Errorf("closing twice: %v, want conflict", err)
		}
		if err := s.AddVersion(ctx, &indivisible.ProposalVersion{ItemID: it.ID, Title: "T", Text: "late"}); code(err) != indivisible.ECONFLICT {
			t.Errorf("amending a closed item: %v, want conflict", err)
		}
		if err := s.AddSpeaker(ctx, &indivisible.Speaker{ItemID: it.ID, AccountID: 3, Name: "x"}); code(err) != indivisible.ECONFLICT {
			t.Errorf("the floor on a closed item: %v, want conflict", err)
		}
		gi, err := s.Item(ctx, it.ID)
		must(t, err)
		if gi.Status != indivisible.ItemClosed {
			t.Errorf("item status %s", gi.Status)
		}
	})

	t.Run("Delphi", func(t *testing.T) {
		s := open(t)
		f, _, _ := setup(t, s)
		var experts []*indivisible.Expert
		for _, name := range []string{"A", "B"} {
			a := &indivisible.Account{Name: name, Role: indivisible.RoleExpert}
			must(t, s.CreateAccount(ctx, a))
			e := &indivisible.Expert{ForumID: f.ID, AccountID: a.ID, Name: name}
			must(t, s.AddExpert(ctx, e))
			experts = append(experts, e)
		}
		q := &indivisible.Question{ForumID: f.ID, Parameter: "exercise_range_km", Text: "How far?", Unit: "km", Min: 100, Max: 10000,
			Stop: indivisible.StoppingRule{IQR: 100, Stability: 0.15, MaxRounds: 3}}
		must(t, s.CreateQuestion(ctx, q))
		if q.Round != 1 || q.Status != indivisible.QuestionOpen {
			t.Fatalf("new question %+v", q)
		}
		must(t, s.SaveAnswer(ctx, &indivisible.Answer{QuestionID: q.ID, Round: 1, ExpertID: experts[0].ID, Value: 1500}))
		must(t, s.SaveAnswer(ctx, &indivisible.Answer{QuestionID: q.ID, Round: 1, ExpertID: experts[0].ID, Value: 1800}))
		must(t, s.SaveAnswer(ctx, &indivisible.Answer{QuestionID: q.ID, Round: 1, ExpertID: experts[1].ID, Value: 2500.5}))
		as, err := s.Answers(ctx, q.ID, 1)
		must(t, err)
		if len(as) != 2 || as[0].Value != 1800 || as[1].Value != 2500.5 {
			t.Errorf("Answers = %+v", as)
		}
		if err := s.SaveAnswer(ctx, &indivisible.Answer{QuestionID: q.ID, Round: 2, ExpertID: experts[0].ID, Value: 1}); code(err) != indivisible.ECONFLICT {
			t.Errorf("answer for a round not open: %v", err)
		}
		st := indivisible.RoundStats{Round: 1, N: 2, Min: 1800, Q1: 1975.125, Median: 2150.25, Q3: 2325.375, Max: 2500.5, IQR: 350.25}
		got, err := s.FinishRound(ctx, q.ID, st, "")
		must(t, err)
		if got.Round != 2 || got.Status != indivisible.QuestionOpen || len(got.Rounds) != 1 || got.Rounds[0] != st {
			t.Errorf("after round 1: %+v", got)
		}
		if _, err := s.FinishRound(ctx, q.ID, st, ""); code(err) != indivisible.ECONFLICT {
			t.Errorf("finishing round 1 twice: %v", err)
		}
		st.Round = 2
		got, err = s.FinishRound(ctx, q.ID, st, "limit")
		must(t, err)
		if got.Status != indivisible.QuestionClosed || got.StopReason != "limit" || got.Round != 2 {
			t.Errorf("closed: %+v", got)
		}
		back, err := s.Question(ctx, q.ID)
		must(t, err)
		if diff := cmp.Diff(got, back); diff != "" {
			t.Errorf("Question (-want +got):\n%s", diff)
		}
		qs, err := s.Questions(ctx, f.ID)
		must(t, err)
		if len(qs) != 1 || qs[0].Stop != q.Stop {
			t.Errorf("Questions = %+v", qs)
		}
		if err := s.SaveAnswer(ctx, &indivisible.Answer{QuestionID: q.ID, Round: 2, ExpertID: experts[0].ID, Value: 1}); code(err) != indivisible.ECONFLICT {
			t.Errorf("answer to a closed question: %v", err)
		}
	})
}
