package forum_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"github.com/indivisible-eurasia/indivisible/simulate"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

var (
	sysOnce sync.Once
	sys     *model.System
	scen    *indivisible.Scenario
	sysErr  error
)

func eurasia(t *testing.T) (*indivisible.Scenario, *model.System) {
	t.Helper()
	sysOnce.Do(func() {
		if scen, sysErr = scenario.Eurasia(); sysErr == nil {
			sys, sysErr = model.Compile(scen, model.DefaultParams())
		}
	})
	if sysErr != nil {
		t.Fatal(sysErr)
	}
	return scen, sys
}

// clock is a fake clock shared by the log and the service: each reading
// is one second after the previous one.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

type world struct {
	svc    *forum.Service
	log    *ledger.Log
	db     *sqlite.DB
	clock  *clock
	acc    map[string]*indivisible.Account
	polKey note.Signer
}

// newWorld opens a forum service on SQLite with a real log, the Eurasia
// model, an attestation key and accounts: the secretariat, member states
// POL, RUS and DEU, partner AUS, organisation CSTO, and experts X and Y.
func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	s, m := eurasia(t)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "forum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	skey, err := ledger.GenerateLogKey(ledger.DefaultOrigin)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.Create(ctx, db, skey); err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	c := &clock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	l, err := ledger.Open(ctx, db, signer, ledger.WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	register := func(participant string) note.Signer {
		sk, vk, err := ledger.NewKey(rand.Reader, participant)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.RegisterKey(ctx, participant, vk); err != nil {
			t.Fatal(err)
		}
		sg, _ := note.NewSigner(sk)
		return sg
	}
	w := &world{log: l, db: db, clock: c, acc: map[string]*indivisible.Account{}}
	attester := forum.KeyAttester{Signer: register(indivisible.ForumParticipant)}
	w.polKey = register("POL")
	w.svc = forum.NewService(forum.Config{Store: db, Accounts: db, Assessor: m, Log: l, Attester: attester, Now: c.now,
		Scenario: s})
	for name, a := range map[string]*indivisible.Account{
		"sec":  {Name: "Secretariat", Role: indivisible.RoleSecretariat},
		"POL":  {Name: "Poland", Role: indivisible.RoleDelegation, Participant: "POL", Kind: indivisible.MemberState},
		"RUS":  {Name: "Russia", Role: indivisible.RoleDelegation, Participant: "RUS", Kind: indivisible.MemberState},
		"DEU":  {Name: "Germany", Role: indivisible.RoleDelegation, Participant: "DEU", Kind: indivisible.MemberState},
		"AUS":  {Name: "Australia", Role: indivisible.RoleDelegation, Participant: "AUS", Kind: indivisible.PartnerState},
		"CSTO": {Name: "CSTO", Role: indivisible.RoleDelegation, Participant: "CSTO", Kind: indivisible.OrganisationDelegation},
		"X":    {Name: "Expert X", Role: indivisible.RoleExpert},
		"Y":    {Name: "Expert Y", Role: indivisible.RoleExpert, Participant: "DEU"},
		"Z":    {Name: "Expert Z", Role: indivisible.RoleExpert},
	} {
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		w.acc[name] = a
	}
	return w
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if indivisible.ErrorCode(err) != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

// TestSession is the end-to-end test of a whole session: accredit three
// kinds of delegation, propose a package, amend it, take positions (one
// signed by the delegation), close the item, and check the outcome
// document and its log entry with an inclusion proof.
func TestSession(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	sec := w.acc["sec"]
	f := &indivisible.Forum{Title: "International expert forum on an equal and indivisible security architecture in Eurasia"}
	if err := w.svc.CreateForum(ctx, w.acc["POL"], f); indivisible.ErrorCode(err) != indivisible.EFORBIDDEN {
		t.Fatalf("a delegation created a forum: %v", err)
	}
	if err := w.svc.CreateForum(ctx, sec, f); err != nil {
		t.Fatal(err)
	}
	se := &indivisible.Session{ForumID: f.ID, Title: "First session"}
	if err := w.svc.CreateSession(ctx, sec, se); err != nil {
		t.Fatal(err)
	}

	// Registration: POL registers itself, the secretariat the others.
	dels := map[string]*indivisible.Delegation{}
	for _, c := range []struct {
		who, participant string
		kind             indivisible.DelegationKind
	}{{"POL", "POL", indivisible.MemberState}, {"sec", "RUS", indivisible.MemberState}, {"sec", "DEU", indivisible.MemberState},
		{"sec", "AUS", indivisible.PartnerState}, {"sec", "CSTO", indivisible.OrganisationDelegation}, {"sec", "GEO", indivisible.MemberState}} {
		d := &indivisible.Delegation{ForumID: f.ID, Participant: c.participant, Kind: c.kind, Name: "Delegation of " + c.participant, Head: "Head of " + c.participant}
		if err := w.svc.RegisterDelegation(ctx, w.acc[c.who], d); err != nil {
			t.Fatalf("register %s: %v", c.participant, err)
		}
		dels[c.participant] = d
	}
	wantCode(t, "RUS registers for POL", w.svc.RegisterDelegation(ctx, w.acc["RUS"], &indivisible.Delegation{ForumID: f.ID, Participant: "UKR", Kind: indivisible.MemberState, Name: "x", Head: "y"}), indivisible.EFORBIDDEN)
	wantCode(t, "unknown participant", w.svc.RegisterDelegation(ctx, sec, &indivisible.Delegation{ForumID: f.ID, Participant: "XYZ", Kind: indivisible.MemberState, Name: "x", Head: "y"}), indivisible.EINVALID)
	_, err := w.svc.SetDelegationStatus(ctx, w.acc["POL"], f.ID, dels["POL"].ID, indivisible.Accredited)
	wantCode(t, "a delegation accredits itself", err, indivisible.EFORBIDDEN)
	for _, p := range []string{"POL", "RUS", "DEU", "AUS", "CSTO"} {
		must[*indivisible.Delegation](t)(w.svc.SetDelegationStatus(ctx, sec, f.ID, dels[p].ID, indivisible.Accredited))
	}
	must[*indivisible.Delegation](t)(w.svc.SetDelegationStatus(ctx, sec, f.ID, dels["GEO"].ID, indivisible.Rejected))

	it := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Caucasus confidence-building", Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus}}
	if err := w.svc.CreateItem(ctx, sec, it); err != nil {
		t.Fatal(err)
	}
	if it.Rule.Version != 1 {
		t.Errorf("rule version %d, want the latest, 1", it.Rule.Version)
	}
	_, err = w.svc.TakePosition(ctx, w.acc["POL"], f.ID, it.ID, &indivisible.PositionRequest{Stance: indivisible.Support})
	wantCode(t, "a position before any proposal", err, indivisible.ECONFLICT)

	// POL proposes a package; RUS amends it. Each version is assessed.
	v1 := &indivisible.ProposalVersion{ItemID: it.ID, Title: "Hotline", Text: "Armenia and Azerbaijan open a hotline.\n",
		Package: &indivisible.Proposal{Measures: []indivisible.Measure{{Type: indivisible.MeasureCBM, Actors: []string{"ARM", "AZE"}, Kind: "hotline"}}}}
	if err := w.svc.Table(ctx, w.acc["POL"], f.ID, v1); err != nil {
		t.Fatal(err)
	}
	v2 := &indivisible.ProposalVersion{ItemID: it.ID, Title: "Hotline and observers", Text: "Armenia and Azerbaijan open a hotline and exchange observers.\n",
		Package: &indivisible.Proposal{Measures: []indivisible.Measure{{Type: indivisible.MeasureCBM, Actors: []string{"ARM", "AZE"}, Kind: "hotline"}, {Type: indivisible.MeasureCBM, Actors: []string{"ARM", "AZE"}, Kind: "observers"}}}}
	if err := w.svc.Table(ctx, w.acc["RUS"], f.ID, v2); err != nil {
		t.Fatal(err)
	}
	if v1.Number != 1 || v2.Number != 2 || v2.Kind != indivisible.VersionAmendment || v1.Assessment == nil || v2.Assessment == nil || v2.Assessment.Verdict != indivisible.Indivisible {
		t.Fatalf("versions: %d %d %s, assessments %v %v", v1.Number, v2.Number, v2.Kind, v1.Assessment != nil, v2.Assessment != nil)
	}
	bad := &indivisible.ProposalVersion{ItemID: it.ID, Title: "x", Text: "x", Package: &indivisible.Proposal{Measures: []indivisible.Measure{{Type: indivisible.MeasureCBM, Actors: []string{"ARM", "XYZ"}, Kind: "hotline"}}}}
	if err := w.svc.Table(ctx, w.acc["POL"], f.ID, bad); indivisible.ErrorCode(err) != indivisible.EINVALID || !strings.HasPrefix(indivisible.ErrorField(err), "package.measures[0]") {
		t.Errorf("unknown actor: %v (field %q)", err, indivisible.ErrorField(err))
	}
	wantCode(t, "an expert tables", w.svc.Table(ctx, w.acc["X"], f.ID, &indivisible.ProposalVersion{ItemID: it.ID, Title: "x", Text: "x"}), indivisible.EFORBIDDEN)

	// Comments and the speakers' list.
	if err := w.svc.Comment(ctx, w.acc["AUS"], f.ID, &indivisible.Comment{ItemID: it.ID, Text: "Observers are welcome."}); err != nil {
		t.Fatal(err)
	}
	sp := must[*indivisible.Speaker](t)(w.svc.RequestFloor(ctx, w.acc["CSTO"], f.ID, it.ID))
	_, err = w.svc.SpeakerDone(ctx, w.acc["AUS"], f.ID, it.ID, sp.ID)
	wantCode(t, "another delegation gives the floor", err, indivisible.EFORBIDDEN)
	must[*indivisible.Speaker](t)(w.svc.SpeakerDone(ctx, sec, f.ID, it.ID, sp.ID))

	// Positions.
	take := func(who string, req indivisible.PositionRequest) (*indivisible.Position, error) {
		return w.svc.TakePosition(ctx, w.acc[who], f.ID, it.ID, &req)
	}
	_, err = take("AUS", indivisible.PositionRequest{Stance: indivisible.Object, Statement: "no"})
	wantCode(t, "a partner objects", err, indivisible.EFORBIDDEN)
	_, err = take("RUS", indivisible.PositionRequest{Version: 1, Stance: indivisible.Support})
	wantCode(t, "a position on an amended version", err, indivisible.ECONFLICT)
	_, err = take("DEU", indivisible.PositionRequest{Stance: indivisible.Withdraw})
	wantCode(t, "withdrawing nothing", err, indivisible.ECONFLICT)
	_, err = take("DEU", indivisible.PositionRequest{Stance: indivisible.Join})
	wantCode(t, "joining without a statement", err, indivisible.EINVALID)
	rusObj := must[*indivisible.Position](t)(take("RUS", indivisible.PositionRequest{Version: 2, Stance: indivisible.Object, Statement: "Observers need a mandate."}))
	must[*indivisible.Position](t)(take("AUS", indivisible.PositionRequest{Stance: indivisible.Join, StatementKind: indivisible.Interpretative, Statement: "We read 'observers' as civilian."}))
	must[*indivisible.Position](t)(take("CSTO", indivisible.PositionRequest{Stance: indivisible.Abstain}))
	must[*indivisible.Position](t)(take("DEU", indivisible.PositionRequest{Stance: indivisible.Support}))

	// While RUS objects, the provisional count is not adopted.
	st := must[*indivisible.ItemView](t)(w.svc.ItemView(ctx, sec, f.ID, it.ID))
	if st.Provisional == nil || st.Provisional.Outcome != indivisible.NotAdopted || len(st.Provisional.Objectors) != 1 {
		t.Fatalf("provisional %+v", st.Provisional)
	}
	// RUS withdraws its objection before close.
	must[*indivisible.Position](t)(take("RUS", indivisible.PositionRequest{Stance: indivisible.Withdraw}))

	// POL signs its position with its own key.
	body := (&forum.PositionBody{Type: forum.PositionType, Forum: f.ID, Item: it.ID, Version: 2, Participant: "POL", Stance: indivisible.Join,
		StatementKind: indivisible.Reservation, Statement: "Subject to ratification.", Time: "2026-11-30T09:30:00Z"}).Marshal()
	sig, _ := w.polKey.Sign(body)
	polPos := must[*indivisible.Position](t)(take("POL", indivisible.PositionRequest{Signed: &indivisible.SignedStatement{Body: body, KeyName: w.polKey.Name(), Signature: sig}}))
	if polPos.KeyName != w.polKey.Name() {
		t.Errorf("signed position's key %q", polPos.KeyName)
	}
	_, err = take("RUS", indivisible.PositionRequest{Signed: &indivisible.SignedStatement{Body: body, KeyName: w.polKey.Name(), Signature: sig}})
	wantCode(t, "RUS submits POL's statement", err, indivisible.EFORBIDDEN)
	forged := strings.Replace(string(body), "ratification", "nothing", 1)
	_, err = take("POL", indivisible.PositionRequest{Signed: &indivisible.SignedStatement{Body: []byte(forged), KeyName: w.polKey.Name(), Signature: sig}})
	wantCode(t, "a forged statement", err, indivisible.EUNAUTHORIZED)

	_, err = w.svc.Close(ctx, w.acc["POL"], f.ID, it.ID)
	wantCode(t, "a delegation closes the item", err, indivisible.EFORBIDDEN)
	d := must[*indivisible.Decision](t)(w.svc.Close(ctx, sec, f.ID, it.ID))
	if d.Outcome != indivisible.Adopted || d.Version != 2 || len(d.Objectors) != 0 || len(d.Statements) != 2 {
		t.Fatalf("decision %+v", d)
	}
	want := indivisible.Tally{MemberStates: 3, Present: 2, Support: 2, Voting: 2, Others: 2}
	if d.Tally != want {
		t.Errorf("tally %+v, want %+v", d.Tally, want)
	}
	for _, s := range []string{"**Adopted**", "consensus, version 1", "Subject to ratification.", "We read 'observers' as civilian.", "Verdict: **indivisible**", "exchange observers"} {
		if !strings.Contains(d.Document, s) {
			t.Errorf("the outcome document lacks %q:\n%s", s, d.Document)
		}
	}
	_, err = w.svc.Close(ctx, sec, f.ID, it.ID)
	wantCode(t, "closing twice", err, indivisible.ECONFLICT)
	_, err = take("DEU", indivisible.PositionRequest{Stance: indivisible.Abstain})
	wantCode(t, "a position after close", err, indivisible.ECONFLICT)

	// The decision is in the log, attested, with the document's hash, and
	// its inclusion proof verifies against the log's key.
	e, err := w.log.Entry(ctx, d.LogIndex)
	if err != nil {
		t.Fatal(err)
	}
	var db forum.DecisionBody
	if err := json.Unmarshal(e.Body, &db); err != nil {
		t.Fatal(err)
	}
	if e.Kind != indivisible.KindDecision || e.Participant != indivisible.ForumParticipant || db.DocumentSHA256 != forum.SHA256(d.Document) || db.Outcome != indivisible.Adopted {
		t.Errorf("decision entry %+v / %+v", e, db)
	}
	if len(db.Counted) != 4 {
		t.Errorf("decision counts positions %v, want 4", db.Counted)
	}
	proof, err := w.log.ProveInclusion(ctx, d.LogIndex)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := logstore.Encode(&e)
	if _, err := proof.Verify(w.log.Verifier(), rec); err != nil {
		t.Errorf("inclusion proof: %v", err)
	}
	// POL's position entry is POL's own signed statement; RUS's objection
	// is attested by the service.
	pe, _ := w.log.Entry(ctx, polPos.LogIndex)
	if pe.Kind != indivisible.KindPosition || pe.Participant != "POL" || string(pe.Body) != string(body) {
		t.Errorf("POL's entry %+v", pe)
	}
	re, _ := w.log.Entry(ctx, rusObj.LogIndex)
	rb, err := forum.ParsePositionBody(re.Body)
	if err != nil || re.Participant != indivisible.ForumParticipant || rb.Participant != "RUS" || rb.Stance != indivisible.Object {
		t.Errorf("RUS's entry %+v %+v %v", re, rb, err)
	}
	got, err := w.db.Decision(ctx, it.ID)
	if err != nil || got.DocumentSHA256 != d.DocumentSHA256 {
		t.Errorf("stored decision %v %v", got, err)
	}
}

func TestSilenceProcedureService(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	sec := w.acc["sec"]
	f := &indivisible.Forum{Title: "Forum"}
	must[struct{}](t)(struct{}{}, w.svc.CreateForum(ctx, sec, f))
	se := &indivisible.Session{ForumID: f.ID, Title: "S"}
	must[struct{}](t)(struct{}{}, w.svc.CreateSession(ctx, sec, se))
	d := &indivisible.Delegation{ForumID: f.ID, Participant: "RUS", Kind: indivisible.MemberState, Name: "Russia", Head: "H"}
	must[struct{}](t)(struct{}{}, w.svc.RegisterDelegation(ctx, sec, d))
	must[*indivisible.Delegation](t)(w.svc.SetDelegationStatus(ctx, sec, f.ID, d.ID, indivisible.Accredited))
	deadline := w.clock.now().Add(time.Minute)
	it := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Silence", Rule: indivisible.RuleSpec{Name: indivisible.RuleSilence, Deadline: &deadline}}
	must[struct{}](t)(struct{}{}, w.svc.CreateItem(ctx, sec, it))
	must[struct{}](t)(struct{}{}, w.svc.Table(ctx, sec, f.ID, &indivisible.ProposalVersion{ItemID: it.ID, Title: "T", Text: "Text."}))
	_, err := w.svc.TakePosition(ctx, w.acc["RUS"], f.ID, it.ID, &indivisible.PositionRequest{Stance: indivisible.Object})
	wantCode(t, "an unwritten objection", err, indivisible.EINVALID)
	_, err = w.svc.Close(ctx, sec, f.ID, it.ID)
	wantCode(t, "closing before the deadline", err, indivisible.ECONFLICT)
	// The clock passes the deadline; the objection comes too late.
	w.clock.t = deadline
	late := must[*indivisible.Position](t)(w.svc.TakePosition(ctx, w.acc["RUS"], f.ID, it.ID, &indivisible.PositionRequest{Stance: indivisible.Object, Statement: "Too late?"}))
	if !late.Time.After(deadline) {
		t.Fatalf("objection at %v, deadline %v", late.Time, deadline)
	}
	dec := must[*indivisible.Decision](t)(w.svc.Close(ctx, sec, f.ID, it.ID))
	if dec.Outcome != indivisible.Adopted || len(dec.Ignored) != 1 || !strings.Contains(dec.Ignored[0].Reason, "after the deadline") {
		t.Errorf("decision %+v", dec)
	}
}

func TestDelphiService(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	sec := w.acc["sec"]
	f := &indivisible.Forum{Title: "Forum"}
	must[struct{}](t)(struct{}{}, w.svc.CreateForum(ctx, sec, f))
	for _, x := range []string{"X", "Y", "Z"} {
		must[*indivisible.Expert](t)(w.svc.AddExpert(ctx, sec, f.ID, w.acc[x].ID))
	}
	_, err := w.svc.AddExpert(ctx, sec, f.ID, w.acc["POL"].ID)
	wantCode(t, "a delegation on the panel", err, indivisible.EINVALID)
	q := &indivisible.Question{ForumID: f.ID, Parameter: "exercise_range_km", Text: "At what distance (km) has an exercise's effect fallen to 1/e?", Unit: "km", Min: 50, Max: 2000,
		Stop: indivisible.StoppingRule{MaxRounds: 3}}
	wantCode(t, "a delegation opens a question", w.svc.CreateQuestion(ctx, w.acc["POL"], q), indivisible.EFORBIDDEN)
	must[struct{}](t)(struct{}{}, w.svc.CreateQuestion(ctx, sec, q))
	answer := func(who string, v float64) {
		t.Helper()
		must[*indivisible.Answer](t)(w.svc.Answer(ctx, w.acc[who], f.ID, q.ID, v))
	}
	_, err = w.svc.Answer(ctx, w.acc["POL"], f.ID, q.ID, 250)
	wantCode(t, "a delegation answers", err, indivisible.EFORBIDDEN)
	_, err = w.svc.Answer(ctx, w.acc["X"], f.ID, q.ID, 2250)
	wantCode(t, "out of range", err, indivisible.EINVALID)
	answer("X", 250)
	answer("Y", 500)
	answer("Z", 1000)
	got := must[*indivisible.Question](t)(w.svc.FinishRound(ctx, sec, f.ID, q.ID))
	if got.Round != 2 || got.Rounds[0].Median != 500 || got.Rounds[0].IQR != 375 {
		t.Fatalf("after round 1: %+v", got)
	}
	// X sees the group's median and IQR next to their own answer; the
	// public sees the statistics only.
	fb := must[*indivisible.DelphiFeedback](t)(w.svc.QuestionFeedback(ctx, w.acc["X"], f.ID, q.ID))
	if len(fb.Own) != 1 || fb.Own[0].Value != 250 || fb.Question.Rounds[0].Median != 500 {
		t.Errorf("feedback %+v", fb)
	}
	if fb := must[*indivisible.DelphiFeedback](t)(w.svc.QuestionFeedback(ctx, indivisible.Anonymous, f.ID, q.ID)); fb.Own != nil {
		t.Errorf("the public sees answers: %+v", fb.Own)
	}
	answer("X", 450)
	answer("Y", 525)
	answer("Z", 750)
	got = must[*indivisible.Question](t)(w.svc.FinishRound(ctx, sec, f.ID, q.ID))
	// The median moved from 500 to 525: 5%, stable.
	if got.Status != indivisible.QuestionClosed || !strings.HasPrefix(got.StopReason, "stability") {
		t.Fatalf("after round 2: %+v", got)
	}
	res := must[*indivisible.DelphiResult](t)(w.svc.DelphiResult(ctx, indivisible.Anonymous, f.ID))
	p, err := model.ParseParams(res.Params)
	if err != nil || p.ExerciseRangeKm != 525 {
		t.Errorf("params %s: %v", res.Params, err)
	}
	spec, err := simulate.ParseSpec(res.Distributions)
	if err != nil || spec.Distributions["exercise_range_km"].Kind != simulate.LogNormal {
		t.Errorf("distributions %s: %v", res.Distributions, err)
	}
}

// TestNoRuleLooserThanTheRole: an expert speaks in a forum only from its
// panel, and a delegation's kind must agree with its participant's (an
// organisation registered as a member state would block a consensus).
func TestNoRuleLooserThanTheRole(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	sec := w.acc["sec"]
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f := &indivisible.Forum{Title: "Forum"}
	check(w.svc.CreateForum(ctx, sec, f))
	se := &indivisible.Session{ForumID: f.ID, Title: "Session"}
	check(w.svc.CreateSession(ctx, sec, se))
	it := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Item", Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus}}
	check(w.svc.CreateItem(ctx, sec, it))
	must[*indivisible.Expert](t)(w.svc.AddExpert(ctx, sec, f.ID, w.acc["X"].ID))

	comment := func(who string) error {
		return w.svc.Comment(ctx, w.acc[who], f.ID, &indivisible.Comment{ItemID: it.ID, Text: "A remark."})
	}
	if err := comment("X"); err != nil {
		t.Errorf("an expert on the panel comments: %v", err)
	}
	wantCode(t, "an expert off the panel comments", comment("Z"), indivisible.EFORBIDDEN)
	_, err := w.svc.RequestFloor(ctx, w.acc["Z"], f.ID, it.ID)
	wantCode(t, "an expert off the panel asks for the floor", err, indivisible.EFORBIDDEN)
	if _, err := w.svc.RequestFloor(ctx, w.acc["X"], f.ID, it.ID); err != nil {
		t.Errorf("an expert on the panel asks for the floor: %v", err)
	}

	for _, c := range []struct {
		participant string
		kind        indivisible.DelegationKind
		ok          bool
	}{
		{"CSTO", indivisible.MemberState, false},
		{"CSTO", indivisible.PartnerState, false},
		{"POL", indivisible.OrganisationDelegation, false},
		{"POL", indivisible.IntegrationAssociation, false},
		{"CSTO", indivisible.OrganisationDelegation, true},
		{"AUS", indivisible.PartnerState, true},
	} {
		d := &indivisible.Delegation{ForumID: f.ID, Participant: c.participant, Kind: c.kind, Name: "Delegation", Head: "Head"}
		err := w.svc.RegisterDelegation(ctx, sec, d)
		switch {
		case c.ok && err != nil:
			t.Errorf("%s as %s: %v", c.participant, c.kind, err)
		case !c.ok && (indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != "kind"):
			t.Errorf("%s as %s: %v, want invalid at kind", c.participant, c.kind, err)
		}
	}
}
