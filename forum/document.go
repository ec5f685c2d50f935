package forum

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
)

// Record is what an outcome document is written from: the records the
// decision rests on, and the participants' names.
type Record struct {
	Forum    *indivisible.Forum
	Item     *indivisible.AgendaItem
	Version  *indivisible.ProposalVersion
	Decision *indivisible.Decision
	// Positions are the item's positions: the document lists who took
	// those the decision counted, by stance.
	Positions []*indivisible.Position
	// Name names a participant by its code (nil: the code alone).
	Name func(code string) string
}

// who names a participant with its code: "Poland (POL)".
func (r Record) who(code string) string {
	if r.Name == nil || r.Name(code) == code || r.Name(code) == "" {
		return code
	}
	return r.Name(code) + " (" + code + ")"
}

// Document writes the outcome document of a decision: the item, the rule
// with its version, the outcome and tally with who supported, joined,
// objected and abstained, the objections, the text decided with its
// reservations and interpretative statements, its measures, and the
// summary of its assessment. It is a pure function of the record, so
// anyone holding the records and the scenario can recompute its hash.
func Document(r Record) string {
	f, it, v, d := r.Forum, r.Item, r.Version, r.Decision
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Outcome: %s\n\n", it.Title)
	p("- Forum: %s\n- Agenda item: %d\n- Text decided: version %d (%s), %q\n", f.Title, it.ID, v.Number, v.Kind, v.Title)
	p("- Rule: %s, version %d%s\n", cmp.Or(ruleNames[d.Rule.Name], d.Rule.Name), d.Rule.Version, r.ruleParams(d.Rule))
	p("- Closed: %s\n\n", d.Time.UTC().Format(time.RFC3339))
	outcome := "**Adopted**"
	if d.Outcome != indivisible.Adopted {
		outcome = "**Not adopted**"
	}
	p("%s: %s.\n\n", outcome, d.Reason)
	t := d.Tally
	p("## Tally\n\n| accredited member states | present | support (incl. joins) | object | abstain | voting | others |\n|---|---|---|---|---|---|---|\n")
	p("| %d | %d | %d | %d | %d | %d | %d |\n\n", t.MemberStates, t.Present, t.Support, t.Object, t.Abstain, t.Voting, t.Others)
	if t.Quorum > 0 {
		p("Quorum: %d member states present needed.\n\n", t.Quorum)
	}
	counted := map[int64]bool{}
	for _, i := range d.Counted {
		counted[i] = true
	}
	by := map[indivisible.Stance][]string{}
	for _, ps := range r.Positions {
		if counted[ps.LogIndex] {
			by[ps.Stance] = append(by[ps.Stance], r.who(ps.Participant)+fmt.Sprintf(" (log entry %d)", ps.LogIndex))
		}
	}
	for _, s := range []struct {
		stance indivisible.Stance
		title  string
	}{{indivisible.Support, "Supported"}, {indivisible.Join, "Joined with a statement"}, {indivisible.Object, "Objected"}, {indivisible.Abstain, "Abstained"}} {
		if len(by[s.stance]) > 0 {
			slices.Sort(by[s.stance])
			p("- %s: %s\n", s.title, strings.Join(by[s.stance], "; "))
		}
	}
	if len(by) > 0 {
		p("\n")
	}
	objections := func(title string, os []indivisible.Objection) {
		if len(os) == 0 {
			return
		}
		p("## %s\n\n", title)
		for _, o := range os {
			p("- %s (log entry %d)", r.who(o.Participant), o.LogIndex)
			if o.Reason != "" {
				p(": %s", o.Reason)
			}
			p("\n")
			if o.Statement != "" {
				p("\n  > %s\n", strings.ReplaceAll(strings.TrimSpace(o.Statement), "\n", "\n  > "))
			}
		}
		p("\n")
	}
	objections("Objections", d.Objectors)
	objections("Objections that did not count", d.Ignored)
	p("## Text\n\n%s\n\n", strings.TrimSpace(v.Text))
	if len(d.Statements) > 0 {
		p("## Reservations and interpretative statements\n\n")
		for _, s := range d.Statements {
			p("- %s, %s statement (log entry %d):\n\n  > %s\n", r.who(s.Participant), s.StatementKind, s.LogIndex, strings.ReplaceAll(strings.TrimSpace(s.Statement), "\n", "\n  > "))
		}
		p("\n")
	}
	if v.Package != nil {
		p("## Package of measures\n\n")
		if len(v.Package.Measures) == 0 {
			p("No measures.\n")
		}
		words := indivisible.Words{Name: r.who, Count: func(q float64) string { return strconv.FormatFloat(q, 'f', -1, 64) }}
		for i, m := range v.Package.Measures {
			p("%d. %s\n", i+1, m.Describe(words))
		}
		p("\n")
	}
	if a := v.Assessment; a != nil {
		p("%s", AssessmentSummary(a, r.who))
	}
	return b.String()
}

// ruleNames are the rules' names in words.
var ruleNames = map[string]string{
	indivisible.RuleConsensus:         "consensus",
	indivisible.RuleConsensusMinusOne: "consensus minus one",
	indivisible.RuleQualifiedMajority: "qualified majority",
	indivisible.RuleSilence:           "silence procedure",
}

func (rec Record) ruleParams(r indivisible.RuleSpec) string {
	switch {
	case r.Quorum != 0:
		return fmt.Sprintf(" (quorum %g of member states)", r.Quorum)
	case r.Concerned != "":
		return fmt.Sprintf(" (state concerned: %s)", rec.who(r.Concerned))
	case r.Deadline != nil:
		return fmt.Sprintf(" (deadline %s)", r.Deadline.UTC().Format(time.RFC3339))
	}
	return ""
}

// AssessmentSummary is the assessment section of an outcome document:
// the verdict, who gains and who loses most, who now threatens a losing
// state more and the equality measures. Figures are annual risks of facing
// a militarized dispute (one minus security) in per cent, and changes in
// percentage points.
func AssessmentSummary(a *indivisible.Assessment, name func(code string) string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("## Assessment\n\nVerdict: **%s** (scenario %s, tolerance %g). %d gain, %d lose. "+
		"A state's risk is the probability that some state initiates a militarized dispute (a threat, display or use of force) against it within a year; a loser's risk rises by more than the tolerance.\n\n",
		a.Verdict, a.Scenario, a.Tolerance, len(a.Gainers), len(a.Losers))
	ps := slices.Clone(a.Participants)
	slices.SortStableFunc(ps, func(x, y indivisible.ParticipantResult) int {
		switch {
		case x.Delta > y.Delta:
			return -1
		case x.Delta < y.Delta:
			return 1
		}
		return 0
	})
	row := func(r indivisible.ParticipantResult) {
		p("| %s | %.3f%% | %.3f%% | %+.4f |\n", name(r.Code), pct(r.Before), pct(r.After), -100*r.Delta)
	}
	if len(ps) > 0 {
		p("| participant | annual risk before | after | change (percentage points) |\n|---|---|---|---|\n")
		n := min(5, len(ps))
		for _, r := range ps[:n] {
			if r.Delta > 0 {
				row(r)
			}
		}
		// The five largest losses; with few participants they overlap the
		// first five, whose gains alone were printed above.
		for _, r := range ps[max(0, len(ps)-5):] {
			if r.Delta < 0 {
				row(r)
			}
		}
		p("\n")
	}
	if len(a.Expense) > 0 {
		p("Who now threatens a losing state more (annual probability of initiating a dispute against it):\n\n")
		for _, e := range a.Expense[:min(5, len(a.Expense))] {
			gain := ""
			if e.FromDelta > a.Tolerance {
				gain = fmt.Sprintf(", while %s's own risk falls by %.4f percentage points", name(e.From), 100*e.FromDelta)
			}
			p("- %s against %s: %.3f%% → %.3f%%%s\n", name(e.From), name(e.To), 100*e.HazardBefore, 100*e.HazardAfter, gain)
		}
		p("\n")
	}
	eq := a.Equality
	p("Equality: highest risk %s %.3f%% → %s %.3f%%; mean risk %.3f%% → %.3f%%; Gini coefficient of security %.4f → %.4f.\n",
		name(eq.Before.MinCode), pct(eq.Before.Min), name(eq.After.MinCode), pct(eq.After.Min), pct(eq.Before.Mean), pct(eq.After.Mean), eq.Before.Gini, eq.After.Gini)
	return b.String()
}

// pct is the annual risk, in per cent, of a security.
func pct(security float64) float64 { return 100 * (1 - security) }

// SHA256 returns the hex SHA-256 of a document.
func SHA256(doc string) string {
	sum := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(sum[:])
}

// Log entry bodies. Both are JSON with a "type" naming the format and its
// version; field order is fixed by the structs, so the service and a
// client build the same bytes.
const (
	PositionType = "indivisible.forum.position/v1"
	DecisionType = "indivisible.forum.decision/v1"
)

// PositionBody is the body of a KindPosition log entry: the statement a
// delegation signs (or the service attests) of its position.
type PositionBody struct {
	Type          string             `json:"type"`
	Forum         int64              `json:"forum"`
	Item          int64              `json:"item"`
	Version       int                `json:"version"`
	Participant   string             `json:"participant"`
	Stance        indivisible.Stance `json:"stance"`
	StatementKind string             `json:"statement_kind,omitempty"`
	Statement     string             `json:"statement,omitempty"`
	// Time is the submitter's clock when it made the statement; it keeps
	// repeated positions distinct. The log's entry time is what counts.
	Time string `json:"time"`
}

// Marshal returns the body's bytes.
func (b *PositionBody) Marshal() []byte {
	out, _ := json.Marshal(b)
	return out
}

// Sign signs the body's bytes with a delegation's registered key, giving
// the statement its client sends as PositionRequest.Signed.
func (b *PositionBody) Sign(s note.Signer) (*indivisible.SignedStatement, error) {
	body := b.Marshal()
	sig, err := s.Sign(body)
	if err != nil {
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "sign: %v", err)
	}
	return &indivisible.SignedStatement{Body: body, KeyName: s.Name(), Signature: sig}, nil
}

// ParsePositionBody decodes a position body strictly.
func ParsePositionBody(data []byte) (*PositionBody, error) {
	var b PositionBody
	if err := indivisible.DecodeStrict(data, &b); err != nil {
		return nil, err
	}
	if b.Type != PositionType {
		return nil, indivisible.Invalid("type", "%q is not %q", b.Type, PositionType)
	}
	if _, err := time.Parse(time.RFC3339Nano, b.Time); err != nil {
		return nil, indivisible.Invalid("time", "not an RFC 3339 time")
	}
	return &b, nil
}

// DecisionBody is the body of a KindDecision log entry.
type DecisionBody struct {
	Type    string               `json:"type"`
	Forum   int64                `json:"forum"`
	Item    int64                `json:"item"`
	Version int                  `json:"version"`
	Rule    indivisible.RuleSpec `json:"rule"`
	Outcome indivisible.Outcome  `json:"outcome"`
	Tally   indivisible.Tally    `json:"tally"`
	// Objectors are the blocking objectors' participant codes.
	Objectors []string `json:"objectors"`
	// Statements are the log indexes of the joins' reservations and
	// interpretative statements.
	Statements []int64 `json:"statements"`
	// Counted are the log indexes of every position counted.
	Counted        []int64 `json:"counted"`
	DocumentSHA256 string  `json:"document_sha256"`
	Time           string  `json:"time"`
}

// NewDecisionBody returns the log body of decision d on item it.
func NewDecisionBody(it *indivisible.AgendaItem, d *indivisible.Decision) []byte {
	b := DecisionBody{Type: DecisionType, Forum: it.ForumID, Item: it.ID, Version: d.Version, Rule: d.Rule, Outcome: d.Outcome,
		Tally: d.Tally, Objectors: []string{}, Statements: []int64{}, Counted: d.Counted,
		DocumentSHA256: d.DocumentSHA256, Time: d.Time.UTC().Format(time.RFC3339Nano)}
	for _, o := range d.Objectors {
		b.Objectors = append(b.Objectors, o.Participant)
	}
	for _, s := range d.Statements {
		b.Statements = append(b.Statements, s.LogIndex)
	}
	out, _ := json.Marshal(b)
	return out
}
