package forum_test

import (
	"context"
	"testing"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
)

// tabledItem makes a forum with an accredited POL delegation and an open
// consensus item with one version.
func tabledItem(t *testing.T, w *world) (*indivisible.Forum, *indivisible.AgendaItem) {
	t.Helper()
	ctx := context.Background()
	sec := w.acc["sec"]
	f := &indivisible.Forum{Title: "Forum"}
	if err := w.svc.CreateForum(ctx, sec, f); err != nil {
		t.Fatal(err)
	}
	se := &indivisible.Session{ForumID: f.ID, Title: "Session"}
	if err := w.svc.CreateSession(ctx, sec, se); err != nil {
		t.Fatal(err)
	}
	d := &indivisible.Delegation{ForumID: f.ID, Participant: "POL", Kind: indivisible.MemberState, Name: "Poland", Head: "Head"}
	if err := w.svc.RegisterDelegation(ctx, sec, d); err != nil {
		t.Fatal(err)
	}
	must[*indivisible.Delegation](t)(w.svc.SetDelegationStatus(ctx, sec, f.ID, d.ID, indivisible.Accredited))
	it := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Hotline", Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus}}
	if err := w.svc.CreateItem(ctx, sec, it); err != nil {
		t.Fatal(err)
	}
	v := &indivisible.ProposalVersion{ItemID: it.ID, Title: "Hotline", Text: "A hotline.\n"}
	if err := w.svc.Table(ctx, w.acc["POL"], f.ID, v); err != nil {
		t.Fatal(err)
	}
	return f, it
}

// TestConcurrentCloses checks that two closes of one item at once append
// one decision to the log, and the other close is refused.
func TestConcurrentCloses(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	f, it := tabledItem(t, w)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := w.svc.Close(ctx, w.acc["sec"], f.ID, it.ID)
			errs <- err
		}()
	}
	failed := 0
	for range 2 {
		if err := <-errs; err != nil {
			failed++
		}
	}
	cp, err := w.log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	es, err := w.log.Entries(ctx, 0, cp.Size)
	if err != nil {
		t.Fatal(err)
	}
	decisions := 0
	for _, e := range es {
		if e.Kind == indivisible.KindDecision {
			decisions++
		}
	}
	if decisions != 1 || failed != 1 {
		t.Fatalf("%d decision entries and %d refused closes, want 1 and 1", decisions, failed)
	}
}

// TestRecoverPositions appends a signed position to the log behind the
// service's back, as a crash between the log append and the store write
// would leave it, and checks that recovery stores it exactly once.
func TestRecoverPositions(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	f, it := tabledItem(t, w)

	body := (&forum.PositionBody{Type: forum.PositionType, Forum: f.ID, Item: it.ID, Version: 1, Participant: "POL",
		Stance: indivisible.Support, Time: time.Now().UTC().Format(time.RFC3339Nano)}).Marshal()
	sig, err := w.polKey.Sign(body)
	if err != nil {
		t.Fatal(err)
	}
	e, err := w.log.Append(ctx, indivisible.Entry{Kind: indivisible.KindPosition, Participant: "POL", KeyName: w.polKey.Name(), Signature: sig, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if ps, _ := w.db.Positions(ctx, it.ID); len(ps) != 0 {
		t.Fatalf("store has %d positions before recovery", len(ps))
	}
	for round, want := range []int{1, 0} { // the second run finds nothing to do
		n, err := w.svc.RecoverPositions(ctx, w.log)
		if err != nil || n != want {
			t.Fatalf("recovery %d restored %d (%v), want %d", round, n, err, want)
		}
	}
	ps, err := w.db.Positions(ctx, it.ID)
	if err != nil || len(ps) != 1 {
		t.Fatalf("positions after recovery: %v, %v", ps, err)
	}
	if p := ps[0]; p.LogIndex != e.Index || p.Participant != "POL" || p.Stance != indivisible.Support || p.KeyName != w.polKey.Name() || !p.Time.Equal(e.Time) {
		t.Errorf("recovered position %+v does not match entry %d", p, e.Index)
	}
}
