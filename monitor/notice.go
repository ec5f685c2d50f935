package monitor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/forum"
)

// Notice is a new entry of the log about the monitor's participant.
type Notice struct {
	Index int64                 `json:"index"`
	Kind  indivisible.EntryKind `json:"kind"`
	// Summary says what the entry records, in one line.
	Summary string `json:"summary"`
}

func (n Notice) String() string { return fmt.Sprintf("%d %s: %s", n.Index, n.Kind, n.Summary) }

// notice says whether the entry e is about participant p and what it
// records. About p are: declarations filed by p or naming it (a transfer's
// counterpart, an exercise's host or participating state); p's positions,
// signed or attested; decisions in which p objected or whose count or
// statements include a position of p (positions maps the log index of
// every position to its participant); and p's key registrations and
// revocations.
func notice(p string, e *indivisible.Entry, positions map[int64]string) (Notice, bool) {
	n := Notice{Index: e.Index, Kind: e.Kind}
	switch e.Kind {
	case indivisible.KindDeclaration:
		d, err := exchange.Parse(e.Body, nil)
		if err != nil {
			n.Summary = fmt.Sprintf("declaration by %s that does not parse: %v", e.Participant, err)
			return n, e.Participant == p
		}
		return n, describeDeclaration(p, e.Participant, d, &n)
	case indivisible.KindPosition:
		b, err := forum.ParsePositionBody(e.Body)
		if err != nil {
			n.Summary = fmt.Sprintf("position filed as %s that does not parse: %v", e.Participant, err)
			return n, e.Participant == p
		}
		how := "signed"
		if e.Participant == indivisible.ForumParticipant {
			how = "attested by the forum"
		}
		n.Summary = fmt.Sprintf("%s: %s on forum %d item %d version %d (%s)", b.Participant, b.Stance, b.Forum, b.Item, b.Version, how)
		if b.StatementKind != "" {
			n.Summary += fmt.Sprintf("; %s: %q", b.StatementKind, b.Statement)
		}
		return n, b.Participant == p
	case indivisible.KindDecision:
		var b forum.DecisionBody
		if err := indivisible.DecodeStrict(e.Body, &b); err != nil {
			n.Summary = fmt.Sprintf("decision that does not parse: %v", err)
			return n, false
		}
		objected := slices.Contains(b.Objectors, p)
		took := false
		for _, i := range append(slices.Clone(b.Counted), b.Statements...) {
			took = took || positions[i] == p
		}
		n.Summary = fmt.Sprintf("forum %d item %d version %d: %s under %s (support %d, object %d, abstain %d)",
			b.Forum, b.Item, b.Version, b.Outcome, b.Rule.Name, b.Tally.Support, b.Tally.Object, b.Tally.Abstain)
		if len(b.Objectors) > 0 {
			n.Summary += "; objectors: " + strings.Join(b.Objectors, ", ")
		}
		switch {
		case objected:
			n.Summary += "; " + p + " objected"
		case took:
			n.Summary += "; " + p + "'s position was counted"
		}
		return n, objected || took
	case indivisible.KindKey:
		line, _ := strings.CutSuffix(string(e.Body), "\n")
		verb, _, _ := strings.Cut(line, " ")
		n.Summary = fmt.Sprintf("key %s of %s: %s", e.KeyName, e.Participant, verb)
		return n, e.Participant == p
	}
	n.Summary = fmt.Sprintf("entry of kind %q by %s", e.Kind, e.Participant)
	return n, e.Participant == p
}

func describeDeclaration(p, filer string, d *indivisible.Declaration, n *Notice) bool {
	about := filer == p || d.Participant == p
	switch {
	case d.AnnualExchange != nil:
		n.Summary = fmt.Sprintf("annual exchange of %s for %d", d.Participant, d.AnnualExchange.Year)
	case d.ExerciseNotification != nil:
		x := d.ExerciseNotification
		n.Summary = fmt.Sprintf("%s notifies exercise %q in %s, %s to %s, %d personnel, with %s", d.Participant, x.Name, x.Host,
			x.Start.Format("2006-01-02"), x.End.Format("2006-01-02"), x.Personnel, strings.Join(x.ParticipatingStates, ", "))
		about = about || x.Host == p || slices.Contains(x.ParticipatingStates, p)
	case d.TransferReport != nil:
		x := d.TransferReport
		n.Summary = fmt.Sprintf("%s reports as %s %d %s with %s in %d", d.Participant, x.Role, x.Quantity, x.Category, x.Counterpart, x.Year)
		about = about || x.Counterpart == p
	case d.ForcesContribution != nil:
		n.Summary = fmt.Sprintf("%s contributes to %s's collective forces for %d", d.Participant, d.ForcesContribution.Organisation, d.ForcesContribution.Year)
	case d.Correction != nil:
		n.Summary = fmt.Sprintf("%s corrects entry %d: %s", d.Participant, d.Correction.Corrects, d.Correction.Reason)
		if d.Correction.Withdrawn {
			n.Summary += " (withdrawn)"
		}
	default:
		n.Summary = fmt.Sprintf("%s declaration of %s", d.Kind, d.Participant)
	}
	return about
}
