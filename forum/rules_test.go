package forum_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// delegations: five member states, a partner, an organisation and an
// integration association, all accredited, plus a rejected member state.
func delegations() []*indivisible.Delegation {
	var ds []*indivisible.Delegation
	add := func(p string, k indivisible.DelegationKind, st indivisible.AccreditationStatus) {
		ds = append(ds, &indivisible.Delegation{Participant: p, Kind: k, Status: st})
	}
	for _, p := range []string{"ARM", "AZE", "DEU", "POL", "RUS"} {
		add(p, indivisible.MemberState, indivisible.Accredited)
	}
	add("AUS", indivisible.PartnerState, indivisible.Accredited)
	add("CSTO", indivisible.OrganisationDelegation, indivisible.Accredited)
	add("EU", indivisible.IntegrationAssociation, indivisible.Accredited)
	add("GEO", indivisible.MemberState, indivisible.Rejected)
	return ds
}

// pos is a position event: "POL object" at second s on version 1; the
// statement is "why" for objections and joins.
func pos(participant string, stance indivisible.Stance, s int) *indivisible.Position {
	p := &indivisible.Position{Participant: participant, Stance: stance, Version: 1, Time: t0.Add(time.Duration(s) * time.Second), LogIndex: int64(s)}
	switch stance {
	case indivisible.Join:
		p.StatementKind, p.Statement = indivisible.Reservation, "we read article 2 narrowly"
	case indivisible.Object:
		p.Statement = "why"
	}
	return p
}

func TestRules(t *testing.T) {
	deadline := t0.Add(time.Hour)
	consensus := indivisible.RuleSpec{Name: indivisible.RuleConsensus}
	minusOne := indivisible.RuleSpec{Name: indivisible.RuleConsensusMinusOne, Concerned: "RUS"}
	qm := indivisible.RuleSpec{Name: indivisible.RuleQualifiedMajority}
	qmQuorum := indivisible.RuleSpec{Name: indivisible.RuleQualifiedMajority, Quorum: 0.8}
	silence := indivisible.RuleSpec{Name: indivisible.RuleSilence, Deadline: &deadline}
	unwritten := pos("POL", indivisible.Object, 10)
	unwritten.Statement = ""
	stale := pos("DEU", indivisible.Object, 10)
	stale.Version = 1
	for _, tc := range []struct {
		name      string
		rule      indivisible.RuleSpec
		positions []*indivisible.Position
		version   int
		closed    time.Time
		outcome   indivisible.Outcome
		objectors []string
		ignored   []string
	}{
		{"consensus without positions", consensus, nil, 1, deadline, indivisible.Adopted, nil, nil},
		{"a member state blocks a consensus", consensus, []*indivisible.Position{pos("POL", indivisible.Object, 1), pos("DEU", indivisible.Support, 2)}, 1, deadline, indivisible.NotAdopted, []string{"POL"}, nil},
		{"a partner objecting under consensus does not block", consensus, []*indivisible.Position{pos("AUS", indivisible.Object, 1)}, 1, deadline, indivisible.Adopted, nil, []string{"AUS"}},
		{"an organisation objecting does not block", consensus, []*indivisible.Position{pos("CSTO", indivisible.Object, 1), pos("EU", indivisible.Object, 2)}, 1, deadline, indivisible.Adopted, nil, []string{"CSTO", "EU"}},
		{"a rejected delegation does not count", consensus, []*indivisible.Position{pos("GEO", indivisible.Object, 1)}, 1, deadline, indivisible.Adopted, nil, nil},
		{"withdrawing an objection before close", consensus, []*indivisible.Position{pos("POL", indivisible.Object, 1), pos("POL", indivisible.Withdraw, 2)}, 1, deadline, indivisible.Adopted, nil, nil},
		{"a later position replaces an objection", consensus, []*indivisible.Position{pos("POL", indivisible.Object, 1), pos("POL", indivisible.Join, 2)}, 1, deadline, indivisible.Adopted, nil, nil},
		{"an objection to an amended text lapses", consensus, []*indivisible.Position{stale}, 2, deadline, indivisible.Adopted, nil, nil},
		{"an objection after closing does not count", consensus, []*indivisible.Position{pos("POL", indivisible.Object, 7200)}, 1, deadline, indivisible.Adopted, nil, nil},
		{"the state concerned cannot block", minusOne, []*indivisible.Position{pos("RUS", indivisible.Object, 1)}, 1, deadline, indivisible.Adopted, nil, []string{"RUS"}},
		{"another state blocks under consensus minus one", minusOne, []*indivisible.Position{pos("RUS", indivisible.Object, 1), pos("ARM", indivisible.Object, 2)}, 1, deadline, indivisible.NotAdopted, []string{"ARM"}, []string{"RUS"}},
		{"partner under consensus minus one", minusOne, []*indivisible.Position{pos("AUS", indivisible.Object, 1)}, 1, deadline, indivisible.Adopted, nil, []string{"AUS"}},
		{"a tie under qualified majority", qm, []*indivisible.Position{pos("ARM", indivisible.Support, 1), pos("AZE", indivisible.Object, 2), pos("DEU", indivisible.Join, 3), pos("RUS", indivisible.Object, 4)}, 1, deadline, indivisible.NotAdopted, []string{"AZE", "RUS"}, nil},
		{"exactly two thirds", qm, []*indivisible.Position{pos("ARM", indivisible.Support, 1), pos("AZE", indivisible.Object, 2), pos("DEU", indivisible.Support, 3)}, 1, deadline, indivisible.Adopted, []string{"AZE"}, nil},
		{"abstentions do not vote", qm, []*indivisible.Position{pos("ARM", indivisible.Support, 1), pos("AZE", indivisible.Abstain, 2), pos("DEU", indivisible.Abstain, 3)}, 1, deadline, indivisible.Adopted, nil, nil},
		{"no quorum", qm, []*indivisible.Position{pos("ARM", indivisible.Support, 1), pos("AZE", indivisible.Support, 2)}, 1, deadline, indivisible.NotAdopted, nil, nil},
		{"partners are not counted towards the quorum", qm, []*indivisible.Position{pos("ARM", indivisible.Support, 1), pos("AUS", indivisible.Support, 2), pos("CSTO", indivisible.Support, 3), pos("EU", indivisible.Support, 3)}, 1, deadline, indivisible.NotAdopted, nil, nil},
		{"only abstentions", qm, []*indivisible.Position{pos("ARM", indivisible.Abstain, 1), pos("AZE", indivisible.Abstain, 2), pos("DEU", indivisible.Abstain, 3)}, 1, deadline, indivisible.NotAdopted, nil, nil},
		{"a configured quorum of 0.8 needs 4 of 5", qmQuorum, []*indivisible.Position{pos("ARM", indivisible.Support, 1), pos("AZE", indivisible.Support, 2), pos("DEU", indivisible.Support, 3)}, 1, deadline, indivisible.NotAdopted, nil, nil},
		{"withdrawing a vote before close removes it", qm, []*indivisible.Position{pos("ARM", indivisible.Support, 1), pos("AZE", indivisible.Object, 2), pos("DEU", indivisible.Support, 3), pos("DEU", indivisible.Withdraw, 4), pos("POL", indivisible.Support, 5)}, 1, deadline, indivisible.Adopted, []string{"AZE"}, nil},
		{"silence kept", silence, []*indivisible.Position{pos("POL", indivisible.Support, 1)}, 1, deadline, indivisible.Adopted, nil, nil},
		{"silence broken by a written objection", silence, []*indivisible.Position{pos("POL", indivisible.Object, 3599)}, 1, deadline, indivisible.NotAdopted, []string{"POL"}, nil},
		{"an objection at the deadline counts", silence, []*indivisible.Position{pos("POL", indivisible.Object, 3600)}, 1, deadline.Add(time.Hour), indivisible.NotAdopted, []string{"POL"}, nil},
		{"an objection one second after the deadline does not count", silence, []*indivisible.Position{pos("POL", indivisible.Object, 3601)}, 1, deadline.Add(time.Hour), indivisible.Adopted, nil, []string{"POL"}},
		{"silence is not broken by an unwritten objection", silence, []*indivisible.Position{unwritten}, 1, deadline, indivisible.Adopted, nil, []string{"POL"}},
		{"silence is not broken by a partner", silence, []*indivisible.Position{pos("AUS", indivisible.Object, 1)}, 1, deadline, indivisible.Adopted, nil, []string{"AUS"}},
		{"an objection withdrawn before the deadline", silence, []*indivisible.Position{pos("POL", indivisible.Object, 1), pos("POL", indivisible.Withdraw, 2)}, 1, deadline, indivisible.Adopted, nil, nil},
		{"a withdrawal after the deadline is too late", silence, []*indivisible.Position{pos("POL", indivisible.Object, 1), pos("POL", indivisible.Withdraw, 3700)}, 1, deadline.Add(time.Hour), indivisible.NotAdopted, []string{"POL"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := forum.NewRule(tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Cutoff(tc.closed); err != nil {
				t.Fatal(err)
			}
			d := r.Decide(&forum.Ballot{Delegations: delegations(), Positions: tc.positions, Version: tc.version, Closed: tc.closed})
			if d.Outcome != tc.outcome {
				t.Errorf("outcome %s (%s), want %s; tally %+v", d.Outcome, d.Reason, tc.outcome, d.Tally)
			}
			if got := codes(d.Objectors); !slices.Equal(got, tc.objectors) {
				t.Errorf("objectors %v, want %v", got, tc.objectors)
			}
			if got := codes(d.Ignored); !slices.Equal(got, tc.ignored) {
				t.Errorf("ignored %v, want %v", got, tc.ignored)
			}
			if d.Rule.Version != 1 {
				t.Errorf("rule version %d, want 1", d.Rule.Version)
			}
		})
	}
}

func codes(os []indivisible.Objection) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Participant)
	}
	return out
}

func TestQualifiedMajorityTally(t *testing.T) {
	r, _ := forum.NewRule(indivisible.RuleSpec{Name: indivisible.RuleQualifiedMajority})
	d := r.Decide(&forum.Ballot{Delegations: delegations(), Version: 1, Closed: t0.Add(time.Minute), Positions: []*indivisible.Position{
		pos("ARM", indivisible.Support, 1), pos("AZE", indivisible.Abstain, 2), pos("DEU", indivisible.Object, 3), pos("AUS", indivisible.Support, 4)}})
	want := indivisible.Tally{MemberStates: 5, Present: 3, Support: 1, Object: 1, Abstain: 1, Voting: 2, Quorum: 3, Others: 1}
	if d.Tally != want {
		t.Errorf("tally %+v, want %+v", d.Tally, want)
	}
	if d.Outcome != indivisible.NotAdopted {
		t.Errorf("1 of 2 voting adopted")
	}
}

func TestSilenceCannotCloseEarly(t *testing.T) {
	deadline := t0.Add(time.Hour)
	r, _ := forum.NewRule(indivisible.RuleSpec{Name: indivisible.RuleSilence, Deadline: &deadline})
	if _, err := r.Cutoff(deadline.Add(-time.Millisecond)); indivisible.ErrorCode(err) != indivisible.ECONFLICT {
		t.Errorf("closing before the deadline: %v, want conflict", err)
	}
	if c, err := r.Cutoff(deadline.Add(time.Hour)); err != nil || !c.Equal(deadline) {
		t.Errorf("cutoff %v %v, want the deadline", c, err)
	}
}

func TestNewRule(t *testing.T) {
	deadline := t0
	for _, tc := range []struct {
		spec  indivisible.RuleSpec
		field string
	}{
		{indivisible.RuleSpec{Name: "majority"}, "rule.name"},
		{indivisible.RuleSpec{Name: indivisible.RuleConsensus, Version: 2}, "rule.version"},
		{indivisible.RuleSpec{Name: indivisible.RuleConsensus, Quorum: 0.5}, "rule.quorum"},
		{indivisible.RuleSpec{Name: indivisible.RuleConsensusMinusOne}, "rule.concerned"},
		{indivisible.RuleSpec{Name: indivisible.RuleQualifiedMajority, Quorum: 1.5}, "rule.quorum"},
		{indivisible.RuleSpec{Name: indivisible.RuleQualifiedMajority, Deadline: &deadline}, "rule.deadline"},
		{indivisible.RuleSpec{Name: indivisible.RuleSilence}, "rule.deadline"},
		{indivisible.RuleSpec{Name: indivisible.RuleSilence, Deadline: &deadline, Concerned: "RUS"}, "rule.concerned"},
	} {
		_, err := forum.NewRule(tc.spec)
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tc.field {
			t.Errorf("NewRule(%+v) = %v, want invalid at %s", tc.spec, err, tc.field)
		}
	}
	r, err := forum.NewRule(indivisible.RuleSpec{Name: indivisible.RuleQualifiedMajority})
	if err != nil || r.Spec().Version != 1 || r.Spec().Quorum != forum.DefaultQuorum {
		t.Errorf("defaults: %+v %v", r, err)
	}
}

// TestRuleProperties checks, over random ballots, what holds for every
// rule: partners and organisations never change an outcome, only member
// states are ever blocking objectors, and consensus adopts exactly when no
// member state objects.
func TestRuleProperties(t *testing.T) {
	members := []string{"ARM", "AZE", "DEU", "POL", "RUS"}
	others := []string{"AUS", "CSTO", "EU"}
	stances := []indivisible.Stance{indivisible.Support, indivisible.Object, indivisible.Abstain, indivisible.Join, indivisible.Withdraw}
	deadline := t0.Add(time.Hour)
	specs := []indivisible.RuleSpec{{Name: indivisible.RuleConsensus}, {Name: indivisible.RuleConsensusMinusOne, Concerned: "RUS"},
		{Name: indivisible.RuleQualifiedMajority}, {Name: indivisible.RuleSilence, Deadline: &deadline}}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 20).Draw(t, "n")
		var ps, membersOnly []*indivisible.Position
		for i := range n {
			who := rapid.SampledFrom(append(slices.Clone(members), others...)).Draw(t, fmt.Sprint("who", i))
			p := pos(who, rapid.SampledFrom(stances).Draw(t, fmt.Sprint("stance", i)), rapid.IntRange(0, 7200).Draw(t, fmt.Sprint("s", i)))
			p.LogIndex = int64(i)
			ps = append(ps, p)
			if slices.Contains(members, who) {
				membersOnly = append(membersOnly, p)
			}
		}
		spec := rapid.SampledFrom(specs).Draw(t, "rule")
		r, _ := forum.NewRule(spec)
		closed := deadline.Add(time.Hour)
		all := r.Decide(&forum.Ballot{Delegations: delegations(), Positions: ps, Version: 1, Closed: closed})
		mem := r.Decide(&forum.Ballot{Delegations: delegations(), Positions: membersOnly, Version: 1, Closed: closed})
		if all.Outcome != mem.Outcome {
			t.Fatalf("%s: partners and organisations changed the outcome: %s vs %s", spec.Name, all.Outcome, mem.Outcome)
		}
		for _, o := range all.Objectors {
			if !slices.Contains(members, o.Participant) {
				t.Fatalf("%s: %s blocked", spec.Name, o.Participant)
			}
		}
		if spec.Name == indivisible.RuleConsensus && (all.Outcome == indivisible.Adopted) != (all.Tally.Object == 0) {
			t.Fatalf("consensus %s with %d member-state objections", all.Outcome, all.Tally.Object)
		}
	})
}
