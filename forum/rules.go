// Package forum is the expert forum's logic: decision rules as explicit,
// versioned policy objects, the tally of positions, the outcome document,
// Delphi statistics and stopping rules, and the Service that ties them to
// a store, the model and the tamper-evident log. docs/forum.md describes
// the rules and the log entries.
package forum

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// Rule is a decision rule: a policy object with a name and a version, so
// that a decision can say exactly which rule produced it. A rule never
// changes once published; a changed rule is a new version.
type Rule interface {
	// Spec is the rule's name, version and parameters.
	Spec() indivisible.RuleSpec
	// Cutoff is the time after which positions no longer count, for an
	// item closed at closed; ECONFLICT if the item may not close yet.
	Cutoff(closed time.Time) (time.Time, error)
	// Decide counts the ballot.
	Decide(b *Ballot) *indivisible.Decision
}

// rules maps a rule name and version to its constructor, which checks the
// parameters.
var rules = map[string]map[int]func(s indivisible.RuleSpec) (Rule, error){
	indivisible.RuleConsensus:         {1: newConsensus},
	indivisible.RuleConsensusMinusOne: {1: newConsensusMinusOne},
	indivisible.RuleQualifiedMajority: {1: newQualifiedMajority},
	indivisible.RuleSilence:           {1: newSilence},
}

// RuleNames lists the rules.
func RuleNames() []string {
	return []string{indivisible.RuleConsensus, indivisible.RuleConsensusMinusOne, indivisible.RuleQualifiedMajority, indivisible.RuleSilence}
}

// NewRule returns the policy object for s. A zero Version means the latest
// version, and the returned rule's Spec says which. Errors are EINVALID
// naming the field (rule.name, rule.version, rule.quorum, ...).
func NewRule(s indivisible.RuleSpec) (Rule, error) {
	versions, ok := rules[s.Name]
	if !ok {
		return nil, indivisible.Invalid("rule.name", "%q is not one of %s", s.Name, strings.Join(RuleNames(), ", "))
	}
	if s.Version == 0 {
		for v := range versions {
			s.Version = max(s.Version, v)
		}
	}
	mk, ok := versions[s.Version]
	if !ok {
		return nil, indivisible.Invalid("rule.version", "%s has no version %d", s.Name, s.Version)
	}
	return mk(s)
}

// Ballot is what a rule counts: the forum's delegations, every position
// event on the item, the version decided and the time of closing.
type Ballot struct {
	Delegations []*indivisible.Delegation
	Positions   []*indivisible.Position
	Version     int
	Closed      time.Time
}

// voter is a delegation's current position, resolved.
type voter struct {
	participant string
	kind        indivisible.DelegationKind
	pos         *indivisible.Position // nil: none
}

// current resolves every accredited delegation's position as of cutoff:
// its latest event at or before cutoff, if that is not a withdrawal and is
// on the version decided (a position on an earlier text lapses when the
// text is amended). Events are ordered by their log index.
func (b *Ballot) current(cutoff time.Time) []voter {
	ps := slices.Clone(b.Positions)
	slices.SortStableFunc(ps, func(x, y *indivisible.Position) int { return cmp.Compare(x.LogIndex, y.LogIndex) })
	last := map[string]*indivisible.Position{}
	for _, p := range ps {
		if p.Time.After(cutoff) {
			continue
		}
		last[p.Participant] = p
	}
	var out []voter
	for _, d := range b.Delegations {
		if d.Status != indivisible.Accredited {
			continue
		}
		v := voter{participant: d.Participant, kind: d.Kind}
		if p := last[d.Participant]; p != nil && p.Stance != indivisible.Withdraw && p.Version == b.Version {
			v.pos = p
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(x, y voter) int { return strings.Compare(x.participant, y.participant) })
	return out
}

// late lists the member states' objections logged after cutoff, which
// never count.
func (b *Ballot) late(cutoff time.Time) []indivisible.Objection {
	member := map[string]bool{}
	for _, d := range b.Delegations {
		if d.Status == indivisible.Accredited && d.Kind == indivisible.MemberState {
			member[d.Participant] = true
		}
	}
	var out []indivisible.Objection
	for _, p := range b.Positions {
		if p.Stance == indivisible.Object && member[p.Participant] && p.Time.After(cutoff) {
			why := phrase("reason.late", "time", p.Time.UTC().Format(time.RFC3339Nano), "deadline", cutoff.UTC().Format(time.RFC3339))
			out = append(out, indivisible.Objection{Participant: p.Participant, LogIndex: p.LogIndex, Statement: p.Statement,
				Reason: Say(english, why, ""), ReasonPhrase: why})
		}
	}
	return out
}

// count tallies the voters and sorts the objections into blocking and
// ignored ones by blocks, which says why an objection does not block
// (nil if it does).
func count(spec indivisible.RuleSpec, b *Ballot, voters []voter, blocks func(v voter) *indivisible.Phrase) *indivisible.Decision {
	d := &indivisible.Decision{Version: b.Version, Rule: spec, Objectors: []indivisible.Objection{}, Ignored: []indivisible.Objection{},
		Statements: []indivisible.Position{}, Counted: []int64{}, Time: b.Closed}
	for _, v := range voters {
		if v.kind == indivisible.MemberState {
			d.Tally.MemberStates++
		}
		if v.pos == nil {
			continue
		}
		d.Counted = append(d.Counted, v.pos.LogIndex)
		if v.kind != indivisible.MemberState {
			d.Tally.Others++
		} else {
			d.Tally.Present++
			switch v.pos.Stance {
			case indivisible.Support, indivisible.Join:
				d.Tally.Support++
			case indivisible.Object:
				d.Tally.Object++
			case indivisible.Abstain:
				d.Tally.Abstain++
			}
		}
		switch v.pos.Stance {
		case indivisible.Join:
			d.Statements = append(d.Statements, *v.pos)
		case indivisible.Object:
			why := blocks(v)
			o := indivisible.Objection{Participant: v.participant, LogIndex: v.pos.LogIndex, Statement: v.pos.Statement, Reason: Say(english, why, ""), ReasonPhrase: why}
			if why == nil {
				d.Objectors = append(d.Objectors, o)
			} else {
				d.Ignored = append(d.Ignored, o)
			}
		}
	}
	d.Tally.Voting = d.Tally.Support + d.Tally.Object
	slices.Sort(d.Counted)
	return d
}

// memberOnly is the blocking test of the consensus rules: only member
// states block.
func memberOnly(v voter) *indivisible.Phrase {
	if v.kind != indivisible.MemberState {
		return phrase("reason.speaks", "kind", string(v.kind))
	}
	return nil
}

func decide(d *indivisible.Decision, adopted bool, reason *indivisible.Phrase) *indivisible.Decision {
	d.Outcome, d.Reason, d.ReasonPhrase = indivisible.NotAdopted, Say(english, reason, ""), reason
	if adopted {
		d.Outcome = indivisible.Adopted
	}
	return d
}

// consensus v1: adopted when no accredited member state objects when the
// item closes.
type consensus struct{ spec indivisible.RuleSpec }

func newConsensus(s indivisible.RuleSpec) (Rule, error) {
	if err := noParams(s, "quorum", "concerned", "deadline"); err != nil {
		return nil, err
	}
	return consensus{s}, nil
}

// noParams refuses the parameters a rule does not take.
func noParams(s indivisible.RuleSpec, names ...string) error {
	for _, n := range names {
		set := map[string]bool{"quorum": s.Quorum != 0, "concerned": s.Concerned != "", "deadline": s.Deadline != nil}[n]
		if set {
			return indivisible.Invalid("rule."+n, "the %s rule takes no %s", s.Name, n)
		}
	}
	return nil
}

func (r consensus) Spec() indivisible.RuleSpec                 { return r.spec }
func (r consensus) Cutoff(closed time.Time) (time.Time, error) { return closed, nil }
func (r consensus) Decide(b *Ballot) *indivisible.Decision {
	d := count(r.spec, b, b.current(b.Closed), memberOnly)
	if n := len(d.Objectors); n > 0 {
		return decide(d, false, phrase("reason.objected", "count", strconv.Itoa(n), "who", participants(d.Objectors)))
	}
	return decide(d, true, phrase("reason.none_objects"))
}

func participants(os []indivisible.Objection) string {
	ps := make([]string, len(os))
	for i, o := range os {
		ps[i] = o.Participant
	}
	return strings.Join(ps, ", ")
}

// consensusMinusOne v1 (OSCE, Prague 1992): consensus, except that the
// state concerned cannot block.
type consensusMinusOne struct{ spec indivisible.RuleSpec }

func newConsensusMinusOne(s indivisible.RuleSpec) (Rule, error) {
	if !indivisible.IsToken(s.Concerned) {
		return nil, indivisible.Invalid("rule.concerned", "consensus minus one names the state concerned")
	}
	if err := noParams(s, "quorum", "deadline"); err != nil {
		return nil, err
	}
	return consensusMinusOne{s}, nil
}

func (r consensusMinusOne) Spec() indivisible.RuleSpec                 { return r.spec }
func (r consensusMinusOne) Cutoff(closed time.Time) (time.Time, error) { return closed, nil }
func (r consensusMinusOne) Decide(b *Ballot) *indivisible.Decision {
	d := count(r.spec, b, b.current(b.Closed), func(v voter) *indivisible.Phrase {
		if v.participant == r.spec.Concerned {
			return phrase("reason.concerned_cannot_block")
		}
		return memberOnly(v)
	})
	if n := len(d.Objectors); n > 0 {
		return decide(d, false, phrase("reason.others_object", "count", strconv.Itoa(n), "concerned", r.spec.Concerned, "who", participants(d.Objectors)))
	}
	return decide(d, true, phrase("reason.none_other_objects", "concerned", r.spec.Concerned))
}

// qualifiedMajority v1: adopted when the quorum of member states is
// present and at least two thirds of the member states present and voting
// support. Present means having a current position on the version decided
// (support, join, object or abstain); voting means support, join or
// object. Abstentions are present but do not vote.
type qualifiedMajority struct{ spec indivisible.RuleSpec }

// DefaultQuorum is the qualified majority's default quorum.
const DefaultQuorum = 0.5

func newQualifiedMajority(s indivisible.RuleSpec) (Rule, error) {
	if s.Quorum == 0 {
		s.Quorum = DefaultQuorum
	}
	if !(s.Quorum > 0 && s.Quorum <= 1) {
		return nil, indivisible.Invalid("rule.quorum", "%v is not a share in (0, 1]", s.Quorum)
	}
	if err := noParams(s, "concerned", "deadline"); err != nil {
		return nil, err
	}
	return qualifiedMajority{s}, nil
}

func (r qualifiedMajority) Spec() indivisible.RuleSpec                 { return r.spec }
func (r qualifiedMajority) Cutoff(closed time.Time) (time.Time, error) { return closed, nil }
func (r qualifiedMajority) Decide(b *Ballot) *indivisible.Decision {
	d := count(r.spec, b, b.current(b.Closed), func(v voter) *indivisible.Phrase {
		if v.kind != indivisible.MemberState {
			return phrase("reason.does_not_vote", "kind", string(v.kind))
		}
		return nil
	})
	t := &d.Tally
	// The small tolerance keeps shares such as 2/3 from rounding up a
	// whole delegation: ceil(0.6666666666666666 * 3) must be 2.
	t.Quorum = int(math.Ceil(r.spec.Quorum*float64(t.MemberStates) - 1e-9))
	switch {
	case t.Present < t.Quorum:
		return decide(d, false, phrase("reason.no_quorum", "present", strconv.Itoa(t.Present), "members", strconv.Itoa(t.MemberStates), "needed", strconv.Itoa(t.Quorum)))
	case t.Voting == 0:
		return decide(d, false, phrase("reason.none_voted"))
	case 3*t.Support >= 2*t.Voting:
		return decide(d, true, phrase("reason.majority", "support", strconv.Itoa(t.Support), "voting", strconv.Itoa(t.Voting)))
	}
	return decide(d, false, phrase("reason.no_majority", "support", strconv.Itoa(t.Support), "voting", strconv.Itoa(t.Voting)))
}

// silence v1: adopted at the deadline unless a member state has broken
// silence with a written objection logged at or before the deadline.
type silence struct{ spec indivisible.RuleSpec }

func newSilence(s indivisible.RuleSpec) (Rule, error) {
	if s.Deadline == nil || s.Deadline.IsZero() {
		return nil, indivisible.Invalid("rule.deadline", "the silence procedure needs a deadline")
	}
	if err := noParams(s, "quorum", "concerned"); err != nil {
		return nil, err
	}
	return silence{s}, nil
}

func (r silence) Spec() indivisible.RuleSpec { return r.spec }
func (r silence) Cutoff(closed time.Time) (time.Time, error) {
	if closed.Before(*r.spec.Deadline) {
		return time.Time{}, indivisible.Errorf(indivisible.ECONFLICT, "the silence procedure runs until %s", r.spec.Deadline.UTC().Format(time.RFC3339))
	}
	return *r.spec.Deadline, nil
}
func (r silence) Decide(b *Ballot) *indivisible.Decision {
	cutoff := *r.spec.Deadline
	d := count(r.spec, b, b.current(cutoff), func(v voter) *indivisible.Phrase {
		if why := memberOnly(v); why != nil {
			return why
		}
		if strings.TrimSpace(v.pos.Statement) == "" {
			return phrase("reason.written_only")
		}
		return nil
	})
	d.Ignored = append(d.Ignored, b.late(cutoff)...)
	if n := len(d.Objectors); n > 0 {
		return decide(d, false, phrase("reason.silence_broken", "who", participants(d.Objectors)))
	}
	return decide(d, true, phrase("reason.silence_kept"))
}
