package forum

import (
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
	"github.com/indivisible-eurasia/indivisible/i18n"
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
	// Name names a participant by its code (nil: the code alone), in
	// the document's language.
	Name func(code string) string
	// Lang is the document's language: nil is English, the language of
	// the record whose SHA-256 the log carries. A document in another
	// language is a translation of that record, and says so.
	Lang *i18n.Localizer
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
	l := r.Lang
	if l == nil {
		l = i18n.Embedded().Localizer(i18n.English)
	}
	f, it, v, d := r.Forum, r.Item, r.Version, r.Decision
	var b strings.Builder
	line := func(key string, pairs ...any) { b.WriteString(l.T(key, pairs...)) }
	line("doc.title", "title", it.Title)
	b.WriteString("\n\n")
	if l.Tag() != i18n.English && d.DocumentSHA256 != "" {
		line("doc.translation", "sha256", d.DocumentSHA256)
		b.WriteString("\n\n")
	}
	line("doc.forum", "forum", f.Title)
	line("doc.item", "item", strconv.FormatInt(it.ID, 10))
	line("doc.version", "number", strconv.Itoa(v.Number), "kind", l.T("doc.kind."+string(v.Kind)), "title", strconv.Quote(v.Title))
	line("doc.rule", "rule", l.T("doc.rule_name."+d.Rule.Name), "version", strconv.Itoa(d.Rule.Version), "params", r.ruleParams(l, d.Rule))
	line("doc.closed", "time", d.Time.UTC().Format(time.RFC3339))
	b.WriteString("\n")
	line("doc.outcome", "outcome", l.T("outcome."+string(d.Outcome)), "reason", Say(l, d.ReasonPhrase, d.Reason))
	b.WriteString("\n\n")
	t := d.Tally
	line("doc.tally")
	fmt.Fprintf(&b, "\n| %d | %d | %d | %d | %d | %d | %d |\n\n", t.MemberStates, t.Present, t.Support, t.Object, t.Abstain, t.Voting, t.Others)
	if t.Quorum > 0 {
		line("doc.quorum", "count", strconv.Itoa(t.Quorum))
		b.WriteString("\n\n")
	}
	counted := map[int64]bool{}
	for _, i := range d.Counted {
		counted[i] = true
	}
	by := map[indivisible.Stance][]string{}
	for _, ps := range r.Positions {
		if counted[ps.LogIndex] {
			by[ps.Stance] = append(by[ps.Stance], l.T("doc.entry", "who", r.who(ps.Participant), "index", strconv.FormatInt(ps.LogIndex, 10)))
		}
	}
	for _, s := range []indivisible.Stance{indivisible.Support, indivisible.Join, indivisible.Object, indivisible.Abstain} {
		if len(by[s]) > 0 {
			slices.Sort(by[s])
			line("doc.by."+string(s), "who", strings.Join(by[s], "; "))
			b.WriteString("\n")
		}
	}
	if len(by) > 0 {
		b.WriteString("\n")
	}
	objections := func(key string, os []indivisible.Objection) {
		if len(os) == 0 {
			return
		}
		fmt.Fprintf(&b, "## %s\n\n", l.T(key))
		for _, o := range os {
			b.WriteString("- " + l.T("doc.entry", "who", r.who(o.Participant), "index", strconv.FormatInt(o.LogIndex, 10)))
			if o.Reason != "" {
				b.WriteString(": " + Say(l, o.ReasonPhrase, o.Reason))
			}
			b.WriteString("\n")
			if o.Statement != "" {
				b.WriteString("\n  > " + strings.ReplaceAll(strings.TrimSpace(o.Statement), "\n", "\n  > ") + "\n")
			}
		}
		b.WriteString("\n")
	}
	objections("doc.objections", d.Objectors)
	objections("doc.objections_ignored", d.Ignored)
	fmt.Fprintf(&b, "## %s\n\n%s\n\n", l.T("doc.text"), strings.TrimSpace(v.Text))
	if len(d.Statements) > 0 {
		fmt.Fprintf(&b, "## %s\n\n", l.T("doc.statements"))
		for _, s := range d.Statements {
			b.WriteString("- " + l.T("doc.statement."+s.StatementKind, "who", r.who(s.Participant), "index", strconv.FormatInt(s.LogIndex, 10)))
			b.WriteString("\n\n  > " + strings.ReplaceAll(strings.TrimSpace(s.Statement), "\n", "\n  > ") + "\n")
		}
		b.WriteString("\n")
	}
	if v.Package != nil {
		fmt.Fprintf(&b, "## %s\n\n", l.T("doc.package"))
		if len(v.Package.Measures) == 0 {
			b.WriteString(l.T("doc.no_measures") + "\n")
		}
		words := indivisible.Words{Name: r.who, Count: func(q float64) string { return strconv.FormatFloat(q, 'f', -1, 64) }, Say: l.T}
		for i, m := range v.Package.Measures {
			fmt.Fprintf(&b, "%d. %s\n", i+1, m.Describe(words))
		}
		b.WriteString("\n")
	}
	if a := v.Assessment; a != nil {
		b.WriteString(AssessmentSummary(l, a, r.who))
	}
	return b.String()
}

func (rec Record) ruleParams(l *i18n.Localizer, r indivisible.RuleSpec) string {
	switch {
	case r.Quorum != 0:
		return l.T("doc.rule.quorum", "quorum", strconv.FormatFloat(r.Quorum, 'g', -1, 64))
	case r.Concerned != "":
		return l.T("doc.rule.concerned", "who", rec.who(r.Concerned))
	case r.Deadline != nil:
		return l.T("doc.rule.deadline", "time", r.Deadline.UTC().Format(time.RFC3339))
	}
	return ""
}

// AssessmentSummary is the assessment section of an outcome document, in
// l's language: the verdict, who gains and who loses most, who now
// threatens a losing state more and the equality measures. Figures are
// annual risks of facing a militarized dispute (one minus security) in
// per cent, and changes in percentage points, written with a full stop
// in every language, as the figures of a record.
func AssessmentSummary(l *i18n.Localizer, a *indivisible.Assessment, name func(code string) string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	fmt.Fprintf(&b, "## %s\n\n", l.T("doc.assessment"))
	b.WriteString(l.T("doc.verdict", "verdict", l.T("doc.verdict_value."+string(a.Verdict)), "scenario", a.Scenario, "tolerance", strconv.FormatFloat(a.Tolerance, 'g', -1, 64),
		"gain", strconv.Itoa(len(a.Gainers)), "lose", strconv.Itoa(len(a.Losers))))
	b.WriteString("\n\n")
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
		b.WriteString(l.T("doc.risk_table") + "\n")
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
		b.WriteString(l.T("doc.expense") + "\n\n")
		for _, e := range a.Expense[:min(5, len(a.Expense))] {
			gain := ""
			if e.FromDelta > a.Tolerance {
				gain = l.T("doc.expense.gain", "who", name(e.From), "pp", fmt.Sprintf("%.4f", 100*e.FromDelta))
			}
			b.WriteString("- " + l.T("doc.expense.row", "from", name(e.From), "to", name(e.To), "before", fmt.Sprintf("%.3f%%", 100*e.HazardBefore),
				"after", fmt.Sprintf("%.3f%%", 100*e.HazardAfter), "gain", gain) + "\n")
		}
		p("\n")
	}
	eq := a.Equality
	f := func(format string, v float64) string { return fmt.Sprintf(format, v) }
	b.WriteString(l.T("doc.equality", "min_before", name(eq.Before.MinCode), "risk_before", f("%.3f%%", pct(eq.Before.Min)),
		"min_after", name(eq.After.MinCode), "risk_after", f("%.3f%%", pct(eq.After.Min)),
		"mean_before", f("%.3f%%", pct(eq.Before.Mean)), "mean_after", f("%.3f%%", pct(eq.After.Mean)),
		"gini_before", f("%.4f", eq.Before.Gini), "gini_after", f("%.4f", eq.After.Gini)) + "\n")
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
