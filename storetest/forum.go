package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/ledgertest"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

// ForumStore is what the forum suite needs: the forum's records, the
// accounts its experts are, and the log its positions and decisions are
// written with.
type ForumStore interface {
	indivisible.ForumStore
	indivisible.AccountStore
	logstore.Store
}

// TestForum checks a ForumStore. open must return an empty store each
// time it is called; every test opens its own, so a test added here
// needs only its function and its line below.
func TestForum(t *testing.T, open func(t *testing.T) ForumStore) {
	t.Run("ForumsAndSessions", func(t *testing.T) { testForumsAndSessions(t, open(t)) })
	t.Run("DelegationsAndAccreditation", func(t *testing.T) { testDelegations(t, open(t)) })
	t.Run("Experts", func(t *testing.T) { testExperts(t, open(t)) })
	t.Run("ItemsAndVersions", func(t *testing.T) { testItemsAndVersions(t, open(t)) })
	t.Run("CommentsAndSpeakers", func(t *testing.T) { testCommentsAndSpeakers(t, open(t)) })
	t.Run("Positions", func(t *testing.T) { testPositions(t, open(t)) })
	t.Run("ClosingAndDecisions", func(t *testing.T) { testClosing(t, open(t)) })
	t.Run("DelphiQuestionsAndRounds", func(t *testing.T) { testDelphi(t, open(t)) })
	t.Run("UnencodableValues", func(t *testing.T) { testUnencodable(t, open) })
	t.Run("DamagedRecords", func(t *testing.T) { testDamaged(t, open(t)) })
}

var code = indivisible.ErrorCode

// facts writes positions and decisions as the forum does: each with an
// entry of a log over the store, in one transaction (indivisible.Fact).
type facts struct {
	log    *ledger.Log
	signer note.Signer
	n      int
}

func newFacts(t *testing.T, s ForumStore) *facts {
	t.Helper()
	l := ledgertest.NewLog(t, s, "storetest.example/forum")
	sk, vk, err := ledger.NewKey(rand.Reader, indivisible.ForumParticipant)
	must(t, err)
	_, err = l.RegisterKey(context.Background(), indivisible.ForumParticipant, vk)
	must(t, err)
	signer, err := note.NewSigner(sk)
	must(t, err)
	return &facts{log: l, signer: signer}
}

// record appends an attested entry stating f; its body is unique, so the
// log refuses it only for what the store says of f.
func (fs *facts) record(f indivisible.Fact) error {
	fs.n++
	e := indivisible.Entry{Kind: indivisible.KindPosition, Participant: indivisible.ForumParticipant, Body: fmt.Appendf(nil, "storetest fact %d", fs.n)}
	if f.Decision != nil {
		e.Kind = indivisible.KindDecision
	}
	sig, err := fs.signer.Sign(e.Body)
	if err != nil {
		return err
	}
	e.KeyName, e.Signature = fs.signer.Name(), sig
	_, err = fs.log.Record(context.Background(), e, f)
	return err
}

// size is the log's size, to check that a refused fact left no entry.
func (fs *facts) size(t *testing.T) int64 {
	t.Helper()
	cp, err := fs.log.Checkpoint(context.Background())
	must(t, err)
	return cp.Size
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// setupForum makes a forum, a session and an item under consensus.
func setupForum(t *testing.T, s ForumStore) (*indivisible.Forum, *indivisible.Session, *indivisible.AgendaItem) {
	t.Helper()
	ctx := context.Background()
	f := &indivisible.Forum{Title: "Eurasian security forum", Description: "test"}
	must(t, s.CreateForum(ctx, f))
	se := &indivisible.Session{ForumID: f.ID, Title: "First session"}
	must(t, s.CreateSession(ctx, se))
	it := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Caucasus CBMs", Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus, Version: 1}}
	must(t, s.CreateItem(ctx, it))
	return f, se, it
}

// testForumsAndSessions: forums and sessions read back as written, and a
// missing one is ENOTFOUND.
func testForumsAndSessions(t *testing.T, s ForumStore) {
	ctx := context.Background()
	f, se, it := setupForum(t, s)
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
	for _, err := range []error{
		func() error { _, err := s.Forum(ctx, 999); return err }(),
		func() error { _, err := s.Session(ctx, 999); return err }(),
		s.CreateSession(ctx, &indivisible.Session{ForumID: 999, Title: "x"}),
	} {
		if code(err) != indivisible.ENOTFOUND {
			t.Errorf("missing record: %v, want not found", err)
		}
	}
	if err := s.CreateForum(ctx, &indivisible.Forum{}); code(err) != indivisible.EINVALID {
		t.Errorf("untitled forum: %v", err)
	}
}

// testDelegations: a delegation is registered pending, once per
// participant until withdrawn, and moves only along the accreditation
// statuses' allowed transitions.
func testDelegations(t *testing.T, s ForumStore) {
	ctx := context.Background()
	f, _, _ := setupForum(t, s)
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
}

// testExperts: an account is on a forum's panel at most once.
func testExperts(t *testing.T, s ForumStore) {
	ctx := context.Background()
	f, _, _ := setupForum(t, s)
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
}

// testItemsAndVersions: items keep their rules (a deadline included), and
// versions are numbered in order, the first the proposal and the rest
// amendments.
func testItemsAndVersions(t *testing.T, s ForumStore) {
	ctx := context.Background()
	f, se, it := setupForum(t, s)
	deadline := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	it2 := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Silence", Rule: indivisible.RuleSpec{Name: indivisible.RuleSilence, Version: 1, Deadline: &deadline}}
	must(t, s.CreateItem(ctx, it2))
	items, err := s.Items(ctx, se.ID)
	must(t, err)
	if len(items) != 2 || !items[1].Rule.Deadline.Equal(deadline) || items[0].Title != it.Title {
		t.Errorf("Items = %+v", items)
	}
	if _, err := s.Item(ctx, 999); code(err) != indivisible.ENOTFOUND {
		t.Errorf("missing record: %v, want not found", err)
	}
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
}

// testCommentsAndSpeakers: comments read back as written; a speaker is on
// an item's list once until done.
func testCommentsAndSpeakers(t *testing.T, s ForumStore) {
	ctx := context.Background()
	_, _, it := setupForum(t, s)
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
}

// positionTime is the time of the positions and the decision.
var positionTime = time.Date(2026, 11, 30, 10, 0, 0, 123e6, time.UTC)

// takePositions makes an item with one version and two positions on it,
// an objection (signed) and a joining statement (attested), each written
// with its log entry, and returns the item, the positions and the log.
func takePositions(t *testing.T, s ForumStore) (*indivisible.AgendaItem, []*indivisible.Position, *facts) {
	t.Helper()
	ctx := context.Background()
	_, _, it := setupForum(t, s)
	must(t, s.AddVersion(ctx, &indivisible.ProposalVersion{ItemID: it.ID, Title: "T", Text: "text"}))
	ps := []*indivisible.Position{
		{ItemID: it.ID, Version: 1, Participant: "POL", Stance: indivisible.Object, Statement: "no", KeyName: "POL-12345678"},
		{ItemID: it.ID, Version: 1, Participant: "AUS", Stance: indivisible.Join, StatementKind: indivisible.Interpretative, Statement: "we read it so"},
	}
	fs := newFacts(t, s)
	for _, p := range ps {
		must(t, fs.record(indivisible.Fact{Position: p}))
	}
	return it, ps, fs
}

// testPositions: a position takes its entry's index and time, positions
// list in log order, and a position the store refuses (its item closed,
// or its version not the current one) leaves neither a record nor an
// entry.
func testPositions(t *testing.T, s ForumStore) {
	ctx := context.Background()
	it, ps, fs := takePositions(t, s)
	es, err := fs.log.Entries(ctx, 0, fs.size(t))
	must(t, err)
	for _, p := range ps {
		if e := es[p.LogIndex]; e.Kind != indivisible.KindPosition || !e.Time.Equal(p.Time) {
			t.Errorf("position at %d: the entry there is a %s at %v, the position's time %v", p.LogIndex, e.Kind, e.Time, p.Time)
		}
	}
	got, err := s.Positions(ctx, it.ID)
	must(t, err)
	if diff := cmp.Diff(ps, got); diff != "" {
		t.Errorf("Positions, by log index (-want +got):\n%s", diff)
	}
	must(t, s.AddVersion(ctx, &indivisible.ProposalVersion{ItemID: it.ID, Title: "T", Text: "amended"}))
	before := fs.size(t)
	stale := &indivisible.Position{ItemID: it.ID, Version: 1, Participant: "DEU", Stance: indivisible.Support}
	if err := fs.record(indivisible.Fact{Position: stale}); code(err) != indivisible.ECONFLICT || indivisible.ErrorField(err) != "version" {
		t.Errorf("a position on version 1 of 2: %v, want a conflict on version", err)
	}
	closing := &indivisible.Decision{ItemID: it.ID, Version: 2, Rule: it.Rule, Outcome: indivisible.Adopted, Ignored: []indivisible.Objection{}}
	must(t, fs.record(indivisible.Fact{Decision: closing, LastPosition: ps[1].LogIndex}))
	late := &indivisible.Position{ItemID: it.ID, Version: 2, Participant: "DEU", Stance: indivisible.Support}
	if err := fs.record(indivisible.Fact{Position: late}); code(err) != indivisible.ECONFLICT || indivisible.ErrorField(err) != "item" {
		t.Errorf("a position on a closed item: %v, want a conflict on item", err)
	}
	if got := fs.size(t); got != before+1 {
		t.Errorf("log size %d after two refused positions and a decision, want %d", got, before+1)
	}
	if got, err := s.Positions(ctx, it.ID); err != nil || len(got) != len(ps) {
		t.Errorf("after the refused positions: %d positions (%v), want %d", len(got), err, len(ps))
	}
}

// testClosing: an item is closed once, with its decision read back as
// written, and a closed item takes no amendment and gives no floor.
func testClosing(t *testing.T, s ForumStore) {
	ctx := context.Background()
	it, ps, fs := takePositions(t, s)
	if _, err := s.Decision(ctx, it.ID); code(err) != indivisible.ENOTFOUND {
		t.Errorf("decision of an open item: %v", err)
	}
	d := &indivisible.Decision{ItemID: it.ID, Version: 1, Rule: it.Rule, Outcome: indivisible.NotAdopted, Reason: "POL objects",
		Tally: indivisible.Tally{MemberStates: 1, Present: 1, Object: 1, Voting: 1, Others: 1}, Objectors: []indivisible.Objection{{Participant: "POL", LogIndex: ps[0].LogIndex, Statement: "no"}},
		Ignored: []indivisible.Objection{}, Statements: []indivisible.Position{*ps[1]}, Counted: []int64{ps[0].LogIndex, ps[1].LogIndex},
		Document: "# Outcome", DocumentSHA256: "ab", Time: positionTime}
	before := fs.size(t)
	if err := fs.record(indivisible.Fact{Decision: d, LastPosition: ps[0].LogIndex}); code(err) != indivisible.ECONFLICT || indivisible.ErrorField(err) != "positions" {
		t.Errorf("a decision that did not see the last position: %v, want a conflict on positions", err)
	}
	if got := fs.size(t); got != before {
		t.Errorf("the refused decision left %d entries", got-before)
	}
	must(t, fs.record(indivisible.Fact{Decision: d, LastPosition: ps[1].LogIndex}))
	if d.LogIndex != before {
		t.Errorf("decision at log index %d, want its entry's, %d", d.LogIndex, before)
	}
	gd, err := s.Decision(ctx, it.ID)
	must(t, err)
	if diff := cmp.Diff(d, gd); diff != "" {
		t.Errorf("Decision (-want +got):\n%s", diff)
	}
	again := *d
	if err := fs.record(indivisible.Fact{Decision: &again, LastPosition: ps[1].LogIndex}); code(err) != indivisible.ECONFLICT || indivisible.ErrorField(err) != "item" {
		t.Errorf("closing twice: %v, want a conflict on item", err)
	}
	if got := fs.size(t); got != before+1 {
		t.Errorf("log size %d after one decision and a refused one, want %d", got, before+1)
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
}

// testDelphi: an expert's answer in a round replaces the earlier one,
// only the open round takes answers, and finishing rounds records their
// statistics until the question closes.
func testDelphi(t *testing.T, s ForumStore) {
	ctx := context.Background()
	f, _, _ := setupForum(t, s)
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
}

// testUnencodable: a value that does not encode as JSON (a NaN, an
// infinity) must be refused with an internal error naming the record and
// the column, and leave nothing stored: a column stored empty would make
// the record unreadable from then on.
func testUnencodable(t *testing.T, open func(t *testing.T) ForumStore) {
	ctx := context.Background()
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name           string
		write          func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, q *indivisible.Question) error
		record, column string
		// stored reports what the refused write would have left;
		// want is that report with nothing stored.
		stored func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, q *indivisible.Question) string
		want   string
	}{
		{"version with a NaN in its assessment", func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, _ *indivisible.Question) error {
			return s.AddVersion(ctx, &indivisible.ProposalVersion{ItemID: it.ID, Title: "T", Text: "text", Assessment: &indivisible.Assessment{Tolerance: nan}})
		}, "version 1 of item", "assessment", func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, _ *indivisible.Question) string {
			vs, err := s.Versions(ctx, it.ID)
			must(t, err)
			return fmt.Sprintf("%d versions", len(vs))
		}, "0 versions"},
		{"version with an infinite package", func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, _ *indivisible.Question) error {
			pkg := &indivisible.Proposal{Measures: []indivisible.Measure{{Type: indivisible.MeasureHoldings, Actor: "POL", Category: "battle_tanks", Change: inf}}}
			return s.AddVersion(ctx, &indivisible.ProposalVersion{ItemID: it.ID, Title: "T", Text: "text", Package: pkg})
		}, "version 1 of item", "package", func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, _ *indivisible.Question) string {
			vs, err := s.Versions(ctx, it.ID)
			must(t, err)
			return fmt.Sprintf("%d versions", len(vs))
		}, "0 versions"},
		{"item with a NaN quorum", func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, _ *indivisible.Question) error {
			return s.CreateItem(ctx, &indivisible.AgendaItem{ForumID: it.ForumID, SessionID: it.SessionID, Title: "T", Rule: indivisible.RuleSpec{Name: indivisible.RuleQualifiedMajority, Version: 1, Quorum: nan}})
		}, "item of session", "rule", func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, _ *indivisible.Question) string {
			its, err := s.Items(ctx, it.SessionID)
			must(t, err)
			return fmt.Sprintf("%d items", len(its))
		}, "1 items"},
		{"decision with an infinite quorum", func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, _ *indivisible.Question) error {
			rule := it.Rule
			rule.Quorum = inf
			return newFacts(t, s).record(indivisible.Fact{Decision: &indivisible.Decision{ItemID: it.ID, Version: 1, Rule: rule, Outcome: indivisible.Adopted}, LastPosition: -1})
		}, "decision on item", "decision", func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, _ *indivisible.Question) string {
			gi, err := s.Item(ctx, it.ID)
			must(t, err)
			_, err = s.Decision(ctx, it.ID)
			return fmt.Sprintf("item %s, decision: %s", gi.Status, code(err))
		}, "item open, decision: not_found"},
		{"question with a NaN stopping rule", func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, _ *indivisible.Question) error {
			return s.CreateQuestion(ctx, &indivisible.Question{ForumID: it.ForumID, Parameter: "observer_discount", Text: "?", Min: 0, Max: 1, Stop: indivisible.StoppingRule{IQR: nan, MaxRounds: 3}})
		}, "question on observer_discount", "stop", func(t *testing.T, s ForumStore, it *indivisible.AgendaItem, _ *indivisible.Question) string {
			qs, err := s.Questions(ctx, it.ForumID)
			must(t, err)
			return fmt.Sprintf("%d questions", len(qs))
		}, "1 questions"},
		{"round with a NaN median", func(t *testing.T, s ForumStore, _ *indivisible.AgendaItem, q *indivisible.Question) error {
			_, err := s.FinishRound(ctx, q.ID, indivisible.RoundStats{Round: 1, N: 1, Median: nan}, "")
			return err
		}, "question", "rounds", func(t *testing.T, s ForumStore, _ *indivisible.AgendaItem, q *indivisible.Question) string {
			got, err := s.Question(ctx, q.ID)
			must(t, err)
			return fmt.Sprintf("round %d, %d rounds", got.Round, len(got.Rounds))
		}, "round 1, 0 rounds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			_, _, it := setupForum(t, s)
			q := &indivisible.Question{ForumID: it.ForumID, Parameter: "exercise_range_km", Text: "How far?", Min: 1, Max: 10, Stop: indivisible.StoppingRule{MaxRounds: 3}}
			must(t, s.CreateQuestion(ctx, q))
			err := tc.write(t, s, it, q)
			if code(err) != indivisible.EINTERNAL || !strings.Contains(err.Error(), tc.record) || !strings.Contains(err.Error(), tc.column) {
				t.Errorf("error %v (%s), want an internal error naming %q and %q", err, code(err), tc.record, tc.column)
			}
			if got := tc.stored(t, s, it, q); got != tc.want {
				t.Errorf("after the refused write: %s, want %s", got, tc.want)
			}
		})
	}
}

// testDamaged: a row whose structured column does not decode (damaged
// by hand here) is reported by name: a list leaves it out and returns the
// rest with a *indivisible.DamagedError, whose code is internal so that a
// caller needing every row fails; a read of the record alone returns the
// error and no record.
func testDamaged(t *testing.T, s ForumStore) {
	ctx := context.Background()
	raw, ok := s.(interface{ SQL() *sql.DB })
	if !ok {
		t.Skip("the store is not over database/sql: its rows cannot be damaged by hand")
	}
	f, se, it := setupForum(t, s)
	for i := range 3 {
		must(t, s.AddVersion(ctx, &indivisible.ProposalVersion{ItemID: it.ID, Title: fmt.Sprintf("V%d", i+1), Text: "text",
			Package: &indivisible.Proposal{}, Assessment: &indivisible.Assessment{Verdict: indivisible.Indivisible}}))
	}
	it2 := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Second", Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus, Version: 1}}
	must(t, s.CreateItem(ctx, it2))
	must(t, newFacts(t, s).record(indivisible.Fact{Decision: &indivisible.Decision{ItemID: it2.ID, Version: 1, Rule: it2.Rule, Outcome: indivisible.Adopted}, LastPosition: -1}))
	it3 := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Third", Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus, Version: 1}}
	must(t, s.CreateItem(ctx, it3))
	var ds []*indivisible.Delegation
	for _, p := range []string{"POL", "DEU"} {
		d := &indivisible.Delegation{ForumID: f.ID, Participant: p, Kind: indivisible.MemberState, Name: "Delegation of " + p, Head: "Head"}
		must(t, s.CreateDelegation(ctx, d))
		ds = append(ds, d)
	}
	var qs []*indivisible.Question
	for _, p := range []string{"exercise_range_km", "observer_discount"} {
		q := &indivisible.Question{ForumID: f.ID, Parameter: p, Text: "?", Min: 0, Max: 1, Stop: indivisible.StoppingRule{MaxRounds: 3}}
		must(t, s.CreateQuestion(ctx, q))
		qs = append(qs, q)
	}
	for _, tc := range []struct {
		name   string
		damage string
		args   []any
		// read lists the records, returning how many it read.
		read func() (int, error)
		want indivisible.DamagedRecord
		n    int
	}{
		{"version", `UPDATE forum_versions SET assessment = '' WHERE item_id = $1 AND number = 2`, []any{it.ID},
			func() (int, error) { vs, err := s.Versions(ctx, it.ID); return len(vs), err },
			indivisible.DamagedRecord{Kind: "version", ID: 2, Of: it.ID, Column: "assessment"}, 2},
		{"package", `UPDATE forum_versions SET package = '{"measures": 7}' WHERE item_id = $1 AND number = 3`, []any{it.ID},
			func() (int, error) { vs, err := s.Versions(ctx, it.ID); return len(vs), err },
			indivisible.DamagedRecord{Kind: "version", ID: 3, Of: it.ID, Column: "package"}, 1},
		{"item", `UPDATE forum_items SET rule = 'null x' WHERE id = $1`, []any{it3.ID},
			func() (int, error) { its, err := s.Items(ctx, se.ID); return len(its), err },
			indivisible.DamagedRecord{Kind: "item", ID: it3.ID, Column: "rule"}, 2},
		{"item alone", ``, nil,
			func() (int, error) { got, err := s.Item(ctx, it3.ID); return count(got), err },
			indivisible.DamagedRecord{Kind: "item", ID: it3.ID, Column: "rule"}, 0},
		{"decision", `UPDATE forum_decisions SET decision = '' WHERE item_id = $1`, []any{it2.ID},
			func() (int, error) { got, err := s.Decision(ctx, it2.ID); return count(got), err },
			indivisible.DamagedRecord{Kind: "decision", ID: it2.ID, Column: "decision"}, 0},
		{"delegation", `UPDATE forum_delegations SET members = '[1' WHERE id = $1`, []any{ds[0].ID},
			func() (int, error) { got, err := s.Delegations(ctx, f.ID); return len(got), err },
			indivisible.DamagedRecord{Kind: "delegation", ID: ds[0].ID, Column: "members"}, 1},
		{"question", `UPDATE forum_questions SET rounds = '' WHERE id = $1`, []any{qs[1].ID},
			func() (int, error) { got, err := s.Questions(ctx, f.ID); return len(got), err },
			indivisible.DamagedRecord{Kind: "question", ID: qs[1].ID, Column: "rounds"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.damage != "" {
				if _, err := raw.SQL().ExecContext(ctx, tc.damage, tc.args...); err != nil {
					t.Fatal(err)
				}
			}
			n, err := tc.read()
			var d *indivisible.DamagedError
			if !errors.As(err, &d) || code(err) != indivisible.EINTERNAL {
				t.Fatalf("read: %d records, error %v; want a *DamagedError with code internal", n, err)
			}
			if n != tc.n {
				t.Errorf("read %d records, want the %d undamaged", n, tc.n)
			}
			// The earlier cases' damage is still there: the one just
			// made is the last reported.
			got := d.Records[len(d.Records)-1]
			if got.Err == nil {
				t.Errorf("%s: no cause", got.Name())
			}
			got.Err = nil
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("damaged record (-want +got):\n%s", diff)
			}
		})
	}
	if got := (indivisible.DamagedRecord{Kind: "version", ID: 2, Of: 7}).Name(); got != "version 2 of item 7" {
		t.Errorf("Name = %q", got)
	}
}

// count is 1 for a record read, 0 for none.
func count[T any](p *T) int {
	if p == nil {
		return 0
	}
	return 1
}
