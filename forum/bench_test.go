package forum_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
)

// BenchmarkDecide counts a large forum: 60 member states and 40 other
// delegations, each with five position events.
func BenchmarkDecide(b *testing.B) {
	var ds []*indivisible.Delegation
	var ps []*indivisible.Position
	stances := []indivisible.Stance{indivisible.Support, indivisible.Object, indivisible.Abstain, indivisible.Withdraw, indivisible.Support}
	for i := range 100 {
		kind := indivisible.MemberState
		if i >= 60 {
			kind = indivisible.PartnerState
		}
		code := fmt.Sprintf("P%03d", i)
		ds = append(ds, &indivisible.Delegation{Participant: code, Kind: kind, Status: indivisible.Accredited})
		for k, st := range stances {
			ps = append(ps, &indivisible.Position{Participant: code, Stance: st, Version: 1, Time: t0.Add(time.Duration(k) * time.Second), LogIndex: int64(len(ps))})
		}
	}
	for _, name := range forum.RuleNames() {
		spec := indivisible.RuleSpec{Name: name}
		switch name {
		case indivisible.RuleConsensusMinusOne:
			spec.Concerned = "P000"
		case indivisible.RuleSilence:
			d := t0.Add(time.Hour)
			spec.Deadline = &d
		}
		r, err := forum.NewRule(spec)
		if err != nil {
			b.Fatal(err)
		}
		ballot := &forum.Ballot{Delegations: ds, Positions: ps, Version: 1, Closed: t0.Add(2 * time.Hour)}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.Decide(ballot)
			}
		})
	}
}
