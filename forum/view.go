package forum

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// The forum's read views. They are computed here, once, with the rule
// code that decides (Ballot and the rule's cutoff), so that the API, the
// web pages and the CLI show what the rule counts and never re-derive it.

// damaged collects the records a view could not read. The store's
// methods return what they could read with a *indivisible.DamagedError
// naming the rest: a view keeps the rest and reports them all in one
// DamagedError.
type damaged struct{ records []indivisible.DamagedRecord }

// keep returns err, or nil when err only reports damaged records, which
// it notes.
func (d *damaged) keep(err error) error {
	var de *indivisible.DamagedError
	if errors.As(err, &de) {
		d.records = append(d.records, de.Records...)
		return nil
	}
	return err
}

// err is the DamagedError naming the records noted, or nil.
func (d *damaged) err() error {
	if len(d.records) == 0 {
		return nil
	}
	return &indivisible.DamagedError{Records: d.records}
}

// Overview returns a forum with its delegations, expert panel, Delphi
// questions and agendas. Its queries are per forum and per session, and
// per item only for what the store keeps per item (its versions and, once
// closed, its decision).
//
// Records that cannot be read are left out, and reported together in a
// *indivisible.DamagedError returned with the rest of the view; any other
// error returns no view.
func (s *Service) Overview(ctx context.Context, acc *indivisible.Account, forumID int64) (*indivisible.ForumOverview, error) {
	if err := indivisible.Authorize(acc, indivisible.ActRead, ""); err != nil {
		return nil, err
	}
	st := s.cfg.Store
	f, err := st.Forum(ctx, forumID)
	if err != nil {
		return nil, err
	}
	o := &indivisible.ForumOverview{Forum: f, Sessions: []*indivisible.SessionAgenda{}}
	var dm damaged
	if o.Delegations, err = st.Delegations(ctx, forumID); dm.keep(err) != nil {
		return nil, err
	}
	if o.Experts, err = st.Experts(ctx, forumID); err != nil {
		return nil, err
	}
	if o.Questions, err = st.Questions(ctx, forumID); dm.keep(err) != nil {
		return nil, err
	}
	ss, err := st.Sessions(ctx, forumID)
	if err != nil {
		return nil, err
	}
	for _, se := range ss {
		sa := &indivisible.SessionAgenda{Session: *se, Items: []*indivisible.ItemSummary{}}
		its, err := st.Items(ctx, se.ID)
		if dm.keep(err) != nil {
			return nil, err
		}
		for _, it := range its {
			sum := &indivisible.ItemSummary{AgendaItem: *it}
			before := len(dm.records)
			vs, err := st.Versions(ctx, it.ID)
			if dm.keep(err) != nil {
				return nil, err
			}
			// A damaged version is still a version.
			sum.Versions = len(vs) + len(dm.records) - before
			if it.Status == indivisible.ItemClosed {
				d, err := st.Decision(ctx, it.ID)
				if dm.keep(err) != nil {
					return nil, err
				}
				if d != nil {
					sum.Outcome = d.Outcome
				}
			}
			sa.Items = append(sa.Items, sum)
		}
		o.Sessions = append(o.Sessions, sa)
	}
	return o, dm.err()
}

// ItemView returns an item of forumID with its versions, its position
// events with their standings, and its provisional count or decision.
// Standings and the provisional count come from the same Ballot, cutoff
// and accreditation that Close decides with.
//
// When some of the item's records cannot be read, ItemView returns what
// can be, marked Degraded (no provisional count, no standings), with a
// *indivisible.DamagedError naming them. Positions are never left out: a
// position that cannot be read is an error.
func (s *Service) ItemView(ctx context.Context, acc *indivisible.Account, forumID, itemID int64) (*indivisible.ItemView, error) {
	if err := indivisible.Authorize(acc, indivisible.ActRead, ""); err != nil {
		return nil, err
	}
	st := s.cfg.Store
	it, err := s.item(ctx, forumID, itemID)
	if err != nil {
		return nil, err
	}
	f, err := st.Forum(ctx, forumID)
	if err != nil {
		return nil, err
	}
	v := &indivisible.ItemView{Forum: f, Item: it}
	if v.Session, err = st.Session(ctx, it.SessionID); err != nil {
		return nil, err
	}
	var dm damaged
	if v.Versions, err = st.Versions(ctx, itemID); dm.keep(err) != nil {
		return nil, err
	}
	ps, err := st.Positions(ctx, itemID)
	if err != nil {
		return nil, err
	}
	if v.Delegations, err = st.Delegations(ctx, forumID); dm.keep(err) != nil {
		return nil, err
	}
	if it.Status == indivisible.ItemClosed {
		if v.Decision, err = st.Decision(ctx, itemID); dm.keep(err) != nil {
			return nil, err
		}
	}
	for _, ver := range v.Versions {
		v.Current = max(v.Current, ver.Number)
	}
	for _, r := range dm.records {
		if r.Kind == "version" && r.Of == itemID {
			v.Current = max(v.Current, int(r.ID))
		}
	}
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(x, y *indivisible.Position) int { return cmp.Compare(x.LogIndex, y.LogIndex) })
	v.Positions = make([]*indivisible.PositionView, len(ps))
	for i, p := range ps {
		v.Positions[i] = &indivisible.PositionView{Position: *p}
	}
	v.May = s.itemActs(ctx, acc, v)
	if err := dm.err(); err != nil {
		v.Degraded = true
		v.May.Close = false
		return v, err
	}
	if v.Current == 0 {
		return v, nil
	}
	r, err := NewRule(it.Rule)
	if err != nil {
		return nil, err
	}
	b := &Ballot{Delegations: v.Delegations, Positions: ps, Version: v.Current, Closed: s.now()}
	if v.Decision != nil {
		// A decided item's positions stand as they did when it closed.
		b.Version, b.Closed = v.Decision.Version, v.Decision.Time
	} else {
		v.Provisional = r.Decide(b)
		v.Provisional.ItemID = itemID
	}
	standings := b.Standings(r)
	for _, pv := range v.Positions {
		sd := standings[pv.LogIndex]
		pv.Standing, pv.Reason, pv.ReasonPhrase = sd.Standing, sd.Reason, sd.ReasonPhrase
	}
	return v, nil
}

// itemActs is what acc may do on v's item: the checks its acts make.
func (s *Service) itemActs(ctx context.Context, acc *indivisible.Account, v *indivisible.ItemView) indivisible.ItemActs {
	var m indivisible.ItemActs
	if acc == nil {
		return m
	}
	if acc.Role == indivisible.RoleDelegation {
		for _, d := range v.Delegations {
			if d.Participant == acc.Participant && d.Status == indivisible.Accredited {
				m.Delegation = d
			}
		}
	}
	if v.Item.Status != indivisible.ItemOpen {
		return m
	}
	may := func(act indivisible.Action) bool { return indivisible.Authorize(acc, act, acc.Participant) == nil }
	speaks := s.speaksFor(ctx, acc, v.Forum.ID) == nil
	m.Speak = speaks && may(indivisible.ActComment)
	m.Propose = speaks && may(indivisible.ActPropose)
	m.TakePosition = m.Delegation != nil && v.Current > 0 && may(indivisible.ActTakePosition)
	m.Object = m.TakePosition && may(indivisible.ActObject)
	m.Close = v.Current > 0 && may(indivisible.ActManageForum)
	return m
}

// PositionStanding is a position event's standing and, if it is not
// counted, why.
type PositionStanding struct {
	Standing     indivisible.Standing
	Reason       string
	ReasonPhrase *indivisible.Phrase
}

func standing(s indivisible.Standing, why *indivisible.Phrase) PositionStanding {
	return PositionStanding{s, Say(english, why, ""), why}
}

// cutoff is the time after which r counts no position: its Cutoff, or
// while a silence procedure still runs (when nothing can be logged after
// its deadline yet) the deadline itself.
func cutoff(r Rule, closed time.Time) time.Time {
	c, err := r.Cutoff(closed)
	if err != nil {
		if d := r.Spec().Deadline; d != nil {
			return *d
		}
		return closed
	}
	return c
}

// Standings says, for every position event by log index, what became of
// it under r: exactly the events whose index r.Decide(b) puts in Counted
// are current, resolved by the same cutoff and accreditation.
func (b *Ballot) Standings(r Rule) map[int64]PositionStanding {
	c := cutoff(r, b.Closed)
	counted := map[int64]bool{}
	accredited := map[string]bool{}
	for _, v := range b.current(c) {
		accredited[v.participant] = true
		if v.pos != nil {
			counted[v.pos.LogIndex] = true
		}
	}
	// last is each delegation's latest event at or before the cutoff.
	last := map[string]int64{}
	for _, p := range b.Positions {
		if !p.Time.After(c) {
			if i, ok := last[p.Participant]; !ok || p.LogIndex > i {
				last[p.Participant] = p.LogIndex
			}
		}
	}
	out := map[int64]PositionStanding{}
	for _, p := range b.Positions {
		var sd PositionStanding
		switch {
		case counted[p.LogIndex]:
			sd.Standing = indivisible.StandingCurrent
		case p.Time.After(c):
			sd = standing(indivisible.StandingLate, phrase("reason.late", "time", p.Time.UTC().Format(time.RFC3339Nano), "deadline", c.UTC().Format(time.RFC3339)))
		case !accredited[p.Participant]:
			sd = standing(indivisible.StandingNotAccredited, phrase("reason.not_accredited", "participant", p.Participant))
		case p.Stance == indivisible.Withdraw:
			sd = standing(indivisible.StandingWithdrawal, phrase("reason.withdrawal"))
		case last[p.Participant] != p.LogIndex:
			sd = standing(indivisible.StandingSuperseded, phrase("reason.superseded", "index", strconv.FormatInt(last[p.Participant], 10)))
		default:
			sd = standing(indivisible.StandingLapsed, phrase("reason.lapsed", "version", strconv.Itoa(p.Version), "decided", strconv.Itoa(b.Version)))
		}
		out[p.LogIndex] = sd
	}
	return out
}
