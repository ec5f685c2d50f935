package forum_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
)

// countingStore counts the store's reads by method.
type countingStore struct {
	indivisible.ForumStore
	mu sync.Mutex
	n  map[string]int
}

func (c *countingStore) count(m string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[m]++
}

func (c *countingStore) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, n := range c.n {
		t += n
	}
	return t
}

// counted counts one call of the store's read named name, then makes it.
func counted[T any](c *countingStore, name string, read func(context.Context, int64) (T, error), ctx context.Context, id int64) (T, error) {
	c.count(name)
	return read(ctx, id)
}

func (c *countingStore) Forum(ctx context.Context, id int64) (*indivisible.Forum, error) {
	return counted(c, "Forum", c.ForumStore.Forum, ctx, id)
}
func (c *countingStore) Sessions(ctx context.Context, id int64) ([]*indivisible.Session, error) {
	return counted(c, "Sessions", c.ForumStore.Sessions, ctx, id)
}
func (c *countingStore) Session(ctx context.Context, id int64) (*indivisible.Session, error) {
	return counted(c, "Session", c.ForumStore.Session, ctx, id)
}
func (c *countingStore) Delegations(ctx context.Context, id int64) ([]*indivisible.Delegation, error) {
	return counted(c, "Delegations", c.ForumStore.Delegations, ctx, id)
}
func (c *countingStore) Experts(ctx context.Context, id int64) ([]*indivisible.Expert, error) {
	return counted(c, "Experts", c.ForumStore.Experts, ctx, id)
}
func (c *countingStore) Questions(ctx context.Context, id int64) ([]*indivisible.Question, error) {
	return counted(c, "Questions", c.ForumStore.Questions, ctx, id)
}
func (c *countingStore) Item(ctx context.Context, id int64) (*indivisible.AgendaItem, error) {
	return counted(c, "Item", c.ForumStore.Item, ctx, id)
}
func (c *countingStore) Items(ctx context.Context, id int64) ([]*indivisible.AgendaItem, error) {
	return counted(c, "Items", c.ForumStore.Items, ctx, id)
}
func (c *countingStore) Versions(ctx context.Context, id int64) ([]*indivisible.ProposalVersion, error) {
	return counted(c, "Versions", c.ForumStore.Versions, ctx, id)
}
func (c *countingStore) Positions(ctx context.Context, id int64) ([]*indivisible.Position, error) {
	return counted(c, "Positions", c.ForumStore.Positions, ctx, id)
}
func (c *countingStore) Decision(ctx context.Context, id int64) (*indivisible.Decision, error) {
	return counted(c, "Decision", c.ForumStore.Decision, ctx, id)
}

// TestViewQueries counts the store's reads of the forum's views as the
// forum grows. ItemView reads a fixed number of times however many
// versions and positions the item has. Overview reads once per forum for
// the forum's lists and once per session for its agenda; the store keeps
// versions and decisions per item, so it reads those once per item (and
// never a position, a comment or a speaker).
func TestViewQueries(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sec := w.acc["sec"]
	f := &indivisible.Forum{Title: "Forum"}
	must[struct{}](t)(struct{}{}, w.svc.CreateForum(ctx, sec, f))
	se := &indivisible.Session{ForumID: f.ID, Title: "Session"}
	must[struct{}](t)(struct{}{}, w.svc.CreateSession(ctx, sec, se))
	for _, p := range []string{"POL", "RUS", "DEU"} {
		d := &indivisible.Delegation{ForumID: f.ID, Participant: p, Kind: indivisible.MemberState, Name: "Delegation of " + p, Head: "Head"}
		must[struct{}](t)(struct{}{}, w.svc.RegisterDelegation(ctx, sec, d))
		must[*indivisible.Delegation](t)(w.svc.SetDelegationStatus(ctx, sec, f.ID, d.ID, indivisible.Accredited))
	}
	cs := &countingStore{ForumStore: w.db}
	svc := forum.NewService(forum.Config{Store: cs, Now: w.clock.now})
	var first *indivisible.AgendaItem
	var itemReads int
	for n := 1; n <= 6; n++ {
		it := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: fmt.Sprintf("Item %d", n), Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus}}
		must[struct{}](t)(struct{}{}, w.svc.CreateItem(ctx, sec, it))
		if first == nil {
			first = it
		}
		// The first item gets a version and positions with every step.
		must[struct{}](t)(struct{}{}, w.svc.Table(ctx, sec, f.ID, &indivisible.ProposalVersion{ItemID: first.ID, Title: "Text", Text: fmt.Sprintf("Text %d.", n)}))
		for _, p := range []string{"POL", "RUS"} {
			must[*indivisible.Position](t)(w.svc.TakePosition(ctx, w.acc[p], f.ID, first.ID, &indivisible.PositionRequest{Stance: indivisible.Support}))
		}

		cs.n = map[string]int{}
		must[*indivisible.ForumOverview](t)(svc.Overview(ctx, nil, f.ID))
		perItem := cs.n["Versions"] + cs.n["Decision"]
		if fixed := cs.total() - perItem; fixed != 6 || cs.n["Versions"] != n || cs.n["Decision"] != 0 || cs.n["Positions"] != 0 {
			t.Errorf("%d items: the overview read %v: want 6 reads for the forum and its session, and one Versions per item", n, cs.n)
		}

		cs.n = map[string]int{}
		v := must[*indivisible.ItemView](t)(svc.ItemView(ctx, nil, f.ID, first.ID))
		if len(v.Versions) != n || len(v.Positions) != 2*n {
			t.Fatalf("item view: %d versions, %d positions", len(v.Versions), len(v.Positions))
		}
		if itemReads == 0 {
			itemReads = cs.total()
		}
		if cs.total() != itemReads || cs.n["Positions"] != 1 || cs.n["Versions"] != 1 {
			t.Errorf("%d versions: the item view read %v, want %d reads as with one version", n, cs.n, itemReads)
		}
	}
}

// TestItemViewSilence checks the standings against the rule: under the
// silence procedure an objection logged after the deadline is late, not
// current, and exactly the current positions are those the count
// counts.
func TestItemViewSilence(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sec := w.acc["sec"]
	f := &indivisible.Forum{Title: "Forum"}
	must[struct{}](t)(struct{}{}, w.svc.CreateForum(ctx, sec, f))
	se := &indivisible.Session{ForumID: f.ID, Title: "Session"}
	must[struct{}](t)(struct{}{}, w.svc.CreateSession(ctx, sec, se))
	for _, p := range []string{"POL", "RUS"} {
		d := &indivisible.Delegation{ForumID: f.ID, Participant: p, Kind: indivisible.MemberState, Name: "Delegation of " + p, Head: "Head"}
		must[struct{}](t)(struct{}{}, w.svc.RegisterDelegation(ctx, sec, d))
		must[*indivisible.Delegation](t)(w.svc.SetDelegationStatus(ctx, sec, f.ID, d.ID, indivisible.Accredited))
	}
	// The clock ticks a second a reading: the deadline falls between
	// Poland's support and Russia's objection.
	deadline := w.clock.now().Add(30 * time.Second)
	it := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: "Hotline", Rule: indivisible.RuleSpec{Name: indivisible.RuleSilence, Deadline: &deadline}}
	must[struct{}](t)(struct{}{}, w.svc.CreateItem(ctx, sec, it))
	must[struct{}](t)(struct{}{}, w.svc.Table(ctx, sec, f.ID, &indivisible.ProposalVersion{ItemID: it.ID, Title: "Hotline", Text: "A hotline."}))
	sup := must[*indivisible.Position](t)(w.svc.TakePosition(ctx, w.acc["POL"], f.ID, it.ID, &indivisible.PositionRequest{Stance: indivisible.Support}))
	for w.clock.now().Before(deadline) {
	}
	obj := must[*indivisible.Position](t)(w.svc.TakePosition(ctx, w.acc["RUS"], f.ID, it.ID, &indivisible.PositionRequest{Stance: indivisible.Object, Statement: "Late."}))
	if !obj.Time.After(deadline) || sup.Time.After(deadline) {
		t.Fatalf("support at %v, objection at %v, deadline %v", sup.Time, obj.Time, deadline)
	}
	check := func(v *indivisible.ItemView, d *indivisible.Decision) {
		t.Helper()
		counted := map[int64]bool{}
		for _, i := range d.Counted {
			counted[i] = true
		}
		for _, p := range v.Positions {
			if (p.Standing == indivisible.StandingCurrent) != counted[p.LogIndex] {
				t.Errorf("log entry %d stands as %s, but counted is %v", p.LogIndex, p.Standing, d.Counted)
			}
		}
		if st := v.Positions[1]; st.LogIndex != obj.LogIndex || st.Standing != indivisible.StandingLate {
			t.Errorf("the late objection stands as %s (%s)", st.Standing, st.Reason)
		}
	}
	v := must[*indivisible.ItemView](t)(w.svc.ItemView(ctx, nil, f.ID, it.ID))
	if v.Provisional == nil || v.Provisional.Outcome != indivisible.Adopted {
		t.Fatalf("provisional %+v", v.Provisional)
	}
	check(v, v.Provisional)
	d := must[*indivisible.Decision](t)(w.svc.Close(ctx, sec, f.ID, it.ID))
	v = must[*indivisible.ItemView](t)(w.svc.ItemView(ctx, nil, f.ID, it.ID))
	if v.Decision == nil || v.Decision.Outcome != indivisible.Adopted {
		t.Fatalf("decision %+v", v.Decision)
	}
	check(v, d)
}
