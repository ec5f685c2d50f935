package indivisible

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The expert forum (package forum holds its decision logic, docs/forum.md
// describes it): forums hold sessions with agenda items; accredited
// delegations table proposals, amend them and take positions; an item
// closes with a decision under the rule chosen for it. Experts answer
// Delphi questions whose results set model parameters.

// ForumParticipant is the participant code of the log entries the service
// attests itself (positions taken without a delegation's signature, and
// decisions). It is not a scenario code, so it never collides with one.
const ForumParticipant = "forum"

// Forum is an expert forum, such as "International expert forum on an
// equal and indivisible security architecture in Eurasia".
type Forum struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created"`
}

// Validate checks a forum's fields.
func (f *Forum) Validate() error { return checkTitle("title", f.Title) }

func checkTitle(field, s string) error {
	if strings.TrimSpace(s) == "" || len(s) > 300 {
		return Invalid(field, "must be 1 to 300 characters")
	}
	return nil
}

// checkText bounds a free text (a description, statement, comment or
// proposal text); a required one must not be blank.
func checkText(field, s string, required bool) error {
	switch {
	case len(s) > MaxText:
		return Invalid(field, "longer than %d bytes", MaxText)
	case required && strings.TrimSpace(s) == "":
		return Invalid(field, "missing")
	}
	return nil
}

// MaxText bounds a proposal's Markdown text, a comment or a statement.
const MaxText = 64 << 10

// Session is a meeting of a forum; agenda items belong to it.
type Session struct {
	ID      int64     `json:"id"`
	ForumID int64     `json:"forum_id"`
	Title   string    `json:"title"`
	Created time.Time `json:"created"`
}

// Validate checks a session's fields.
func (s *Session) Validate() error { return checkTitle("title", s.Title) }

// AccreditationStatus is where a delegation's registration stands.
type AccreditationStatus string

// Accreditation statuses. A registration starts pending; the secretariat
// accredits or rejects it; a pending or accredited delegation may be
// withdrawn. Rejected and withdrawn are final.
const (
	Pending    AccreditationStatus = "pending"
	Accredited AccreditationStatus = "accredited"
	Rejected   AccreditationStatus = "rejected"
	Withdrawn  AccreditationStatus = "withdrawn"
)

// CanBecome reports whether a registration may go from s to next.
func (s AccreditationStatus) CanBecome(next AccreditationStatus) bool {
	switch s {
	case Pending:
		return next == Accredited || next == Rejected || next == Withdrawn
	case Accredited:
		return next == Withdrawn
	}
	return false
}

// Delegation is a participant's delegation to a forum.
type Delegation struct {
	ID          int64          `json:"id"`
	ForumID     int64          `json:"forum_id"`
	Participant string         `json:"participant"`
	Kind        DelegationKind `json:"kind"`
	// Name is the delegation's name, e.g. "Delegation of Poland".
	Name string `json:"name"`
	// Head and Members are the people on the delegation.
	Head    string              `json:"head"`
	Members []string            `json:"members"`
	Status  AccreditationStatus `json:"status"`
	Created time.Time           `json:"created"`
	Updated time.Time           `json:"updated"`
}

// Validate checks a delegation's fields (not its status).
func (d *Delegation) Validate() error {
	switch {
	case !IsToken(d.Participant) || len(d.Participant) > 20:
		return Invalid("participant", "%q is not a participant code", d.Participant)
	case !oneOf(d.Kind, DelegationKinds):
		return Invalid("kind", "%q is not one of member_state, partner_state, organisation, integration_association", d.Kind)
	case strings.TrimSpace(d.Head) == "" || len(d.Head) > 200:
		return Invalid("head", "the head of delegation must be named (1 to 200 characters)")
	case len(d.Members) > 100:
		return Invalid("members", "at most 100 members")
	}
	if err := checkTitle("name", d.Name); err != nil {
		return err
	}
	for i, m := range d.Members {
		if strings.TrimSpace(m) == "" || len(m) > 200 {
			return Invalid("members["+strconv.Itoa(i)+"]", "must be 1 to 200 characters")
		}
	}
	return nil
}

// Expert is a member of a forum's expert panel: an expert account,
// affiliated with a participant or independent.
type Expert struct {
	ID        int64  `json:"id"`
	ForumID   int64  `json:"forum_id"`
	AccountID int64  `json:"account_id"`
	Name      string `json:"name"`
	// Affiliation is the participant the expert is affiliated with, or ""
	// for an independent expert.
	Affiliation string    `json:"affiliation,omitempty"`
	Created     time.Time `json:"created"`
}

// Decision rule names. Each rule is a versioned policy object in package
// forum; an agenda item names the rule and version it is decided under.
const (
	RuleConsensus         = "consensus"
	RuleConsensusMinusOne = "consensus_minus_one"
	RuleQualifiedMajority = "qualified_majority"
	RuleSilence           = "silence"
)

// RuleSpec chooses an agenda item's decision rule and sets its
// parameters. It is stored with the item and with its decision.
type RuleSpec struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
	// Quorum is the qualified majority's quorum: the share of accredited
	// member states that must be present (default 1/2).
	Quorum float64 `json:"quorum,omitempty"`
	// Concerned is the state that consensus-minus-one excludes from
	// blocking.
	Concerned string `json:"concerned,omitempty"`
	// Deadline ends a silence procedure.
	Deadline *time.Time `json:"deadline,omitempty"`
}

// ItemStatus is an agenda item's state.
type ItemStatus string

// Item statuses.
const (
	ItemOpen   ItemStatus = "open"
	ItemClosed ItemStatus = "closed"
)

// AgendaItem is an item on a session's agenda: a proposal with its
// versions, comments, speakers, positions and, once closed, a decision.
type AgendaItem struct {
	ID          int64      `json:"id"`
	ForumID     int64      `json:"forum_id"`
	SessionID   int64      `json:"session_id"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Rule        RuleSpec   `json:"rule"`
	Status      ItemStatus `json:"status"`
	Created     time.Time  `json:"created"`
}

// Validate checks an item's title and description (package forum checks
// its rule).
func (it *AgendaItem) Validate() error {
	if err := checkTitle("title", it.Title); err != nil {
		return err
	}
	return checkText("description", it.Description, false)
}

// VersionKind says whether a version is the proposal or an amendment.
type VersionKind string

// Version kinds.
const (
	VersionProposal  VersionKind = "proposal"
	VersionAmendment VersionKind = "amendment"
)

// ProposalVersion is one version of an agenda item's proposal: version 1
// is the proposal, every amendment makes the next. Each is assessed when
// it is tabled, and the assessment is kept with it.
type ProposalVersion struct {
	ItemID int64 `json:"item_id"`
	Number int   `json:"number"`
	// Kind is proposal (version 1) or amendment.
	Kind VersionKind `json:"kind"`
	// Participant is the tabling delegation's participant ("" when the
	// secretariat tables it); AccountID is the account that did.
	Participant string `json:"participant,omitempty"`
	AccountID   int64  `json:"account_id"`
	Title       string `json:"title"`
	// Text is the proposal's Markdown text.
	Text string `json:"text"`
	// Package is the optional package of measures, in the proposal format.
	Package *Proposal `json:"package,omitempty"`
	// Assessment is the package's assessment (nil without a package).
	Assessment *Assessment `json:"assessment,omitempty"`
	Created    time.Time   `json:"created"`
}

// Validate checks a version's title and text (package forum checks its
// package by assessing it).
func (v *ProposalVersion) Validate() error {
	if err := checkTitle("title", v.Title); err != nil {
		return err
	}
	return checkText("text", v.Text, true)
}

// Comment is a remark on an agenda item.
type Comment struct {
	ID          int64     `json:"id"`
	ItemID      int64     `json:"item_id"`
	AccountID   int64     `json:"account_id"`
	Author      string    `json:"author"`
	Participant string    `json:"participant,omitempty"`
	Text        string    `json:"text"`
	Created     time.Time `json:"created"`
}

// Validate checks a comment's text.
func (c *Comment) Validate() error { return checkText("text", c.Text, true) }

// Speaker is a request for the floor on an agenda item. The speakers'
// list is the item's undone requests in order.
type Speaker struct {
	ID          int64     `json:"id"`
	ItemID      int64     `json:"item_id"`
	AccountID   int64     `json:"account_id"`
	Name        string    `json:"name"`
	Participant string    `json:"participant,omitempty"`
	Requested   time.Time `json:"requested"`
	Done        bool      `json:"done"`
}

// Stance is what a position says.
type Stance string

// Stances. Join is support with a reservation or an interpretative
// statement; Withdraw takes back the delegation's current position.
const (
	Support  Stance = "support"
	Object   Stance = "object"
	Abstain  Stance = "abstain"
	Join     Stance = "join"
	Withdraw Stance = "withdraw"
)

// Stances lists the valid stances.
var Stances = []Stance{Support, Object, Abstain, Join, Withdraw}

// Statement kinds of a Join position.
const (
	Reservation    = "reservation"
	Interpretative = "interpretative"
)

// Position is one position event of a delegation on an agenda item, as
// recorded in the log. A delegation's current position is its latest
// event; a Withdraw event leaves it with none.
type Position struct {
	ID     int64 `json:"id"`
	ItemID int64 `json:"item_id"`
	// Version is the proposal version the position is on. Only positions
	// on the version being decided count.
	Version     int    `json:"version"`
	Participant string `json:"participant"`
	Stance      Stance `json:"stance"`
	// StatementKind (reservation or interpretative) and Statement go with
	// a Join; an objection may carry a Statement too (under the silence
	// procedure it must).
	StatementKind string `json:"statement_kind,omitempty"`
	Statement     string `json:"statement,omitempty"`
	// Time is the log's time of the entry, which decides deadlines.
	Time time.Time `json:"time"`
	// LogIndex is the index of the position's entry in the log.
	LogIndex int64 `json:"log_index"`
	// KeyName is the delegation's key that signed the entry, or "" when
	// the service attested it.
	KeyName string `json:"key_name,omitempty"`
}

// Validate checks a position's form.
func (p *Position) Validate() error {
	switch {
	case !oneOf(p.Stance, Stances):
		return Invalid("stance", "%q is not one of support, object, abstain, join, withdraw", p.Stance)
	case p.Version < 1:
		return Invalid("version", "must be a proposal version number (1 or more)")
	case p.Stance == Join && p.StatementKind != Reservation && p.StatementKind != Interpretative:
		return Invalid("statement_kind", "joining needs a reservation or an interpretative statement")
	case p.Stance == Join && strings.TrimSpace(p.Statement) == "":
		return Invalid("statement", "joining needs the text of the reservation or interpretative statement")
	case p.Stance != Join && p.StatementKind != "":
		return Invalid("statement_kind", "only a join carries a reservation or interpretative statement")
	case (p.Stance == Support || p.Stance == Abstain || p.Stance == Withdraw) && p.Statement != "":
		return Invalid("statement", "a %s carries no statement", p.Stance)
	}
	return checkText("statement", p.Statement, false)
}

// Tally counts the member states' current positions on the version
// decided. Only member states count; partners' and organisations'
// positions are in Others.
type Tally struct {
	// MemberStates is the number of accredited member-state delegations.
	MemberStates int `json:"member_states"`
	// Present is the member states with a current position on the
	// version decided (support, join, object or abstain).
	Present int `json:"present"`
	// Support counts supports and joins.
	Support int `json:"support"`
	Object  int `json:"object"`
	Abstain int `json:"abstain"`
	// Voting is Support + Object: abstentions are present, not voting.
	Voting int `json:"voting"`
	// Quorum is the number of member states that must be present
	// (qualified majority only).
	Quorum int `json:"quorum,omitempty"`
	// Others counts the current positions of partners and organisations.
	Others int `json:"others"`
}

// Objection is an objection and whether it blocked; a non-blocking one
// says why it did not count.
type Objection struct {
	Participant string `json:"participant"`
	LogIndex    int64  `json:"log_index"`
	Statement   string `json:"statement,omitempty"`
	// Reason is why the objection does not block ("" if it does), in
	// English; ReasonPhrase is the same as a catalog phrase.
	Reason       string  `json:"reason,omitempty"`
	ReasonPhrase *Phrase `json:"reason_phrase,omitempty"`
}

// Phrase is a sentence of the record as a catalog key with named
// arguments (package i18n), so that every surface words it in its
// reader's language; the record keeps its English text beside it. A
// record stored before phrases were kept has none, and reads in English.
type Phrase struct {
	Key  string            `json:"key"`
	Args map[string]string `json:"args,omitempty"`
}

// Outcome is what became of a closed item's proposal.
type Outcome string

// Outcomes.
const (
	Adopted    Outcome = "adopted"
	NotAdopted Outcome = "not_adopted"
)

// Decision is the result of closing an agenda item.
type Decision struct {
	ItemID int64 `json:"item_id"`
	// Version is the proposal version decided.
	Version int      `json:"version"`
	Rule    RuleSpec `json:"rule"`
	// Outcome is adopted or not_adopted; Reason says why in words.
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason"`
	// ReasonPhrase is Reason as a catalog phrase.
	ReasonPhrase *Phrase `json:"reason_phrase,omitempty"`
	Tally        Tally   `json:"tally"`
	// Objectors are the blocking objections (under a majority rule, the
	// member states that voted against); Ignored the objections that did
	// not count, with the reason.
	Objectors []Objection `json:"objectors"`
	Ignored   []Objection `json:"ignored"`
	// Statements are the reservations and interpretative statements of
	// the delegations that joined, attached to the adopted text.
	Statements []Position `json:"statements"`
	// Counted are the log indexes of the positions the decision counted.
	Counted []int64 `json:"counted"`
	// Document is the outcome document (Markdown); DocumentSHA256 its
	// SHA-256 in hex, which the decision's log entry carries.
	Document       string    `json:"document"`
	DocumentSHA256 string    `json:"document_sha256"`
	Time           time.Time `json:"time"`
	LogIndex       int64     `json:"log_index"`
}

// QuestionStatus is a Delphi question's state.
type QuestionStatus string

// Question statuses.
const (
	QuestionOpen   QuestionStatus = "open"
	QuestionClosed QuestionStatus = "closed"
)

// StoppingRule ends a Delphi question's rounds: when the interquartile
// range is at most IQR (if IQR > 0), when the median changed by less than
// Stability (a fraction, default 0.15) since the previous round, or after
// MaxRounds rounds (default 4), whichever comes first.
type StoppingRule struct {
	IQR       float64 `json:"iqr,omitempty"`
	Stability float64 `json:"stability"`
	MaxRounds int     `json:"max_rounds"`
}

// RoundStats summarises one Delphi round's answers. Quartiles are the
// Hyndman-Fan type 7 (linear) sample quantiles.
type RoundStats struct {
	Round  int     `json:"round"`
	N      int     `json:"n"`
	Min    float64 `json:"min"`
	Q1     float64 `json:"q1"`
	Median float64 `json:"median"`
	Q3     float64 `json:"q3"`
	Max    float64 `json:"max"`
	IQR    float64 `json:"iqr"`
}

// Question is a Delphi question: a numeric estimate of a model parameter.
type Question struct {
	ID      int64 `json:"id"`
	ForumID int64 `json:"forum_id"`
	// Parameter is the model parameter path it sets (the paths of a
	// simulate distribution file: exercise_intensity, cbm.X, weights.X,
	// dyads.AAA-BBB, notified_discount, ...).
	Parameter string `json:"parameter"`
	Text      string `json:"text"`
	Unit      string `json:"unit,omitempty"`
	// Min and Max bound the answers; they must lie in the parameter's
	// range.
	Min  float64      `json:"min"`
	Max  float64      `json:"max"`
	Stop StoppingRule `json:"stop"`
	// Round is the round open for answers (the last round once closed).
	Round  int            `json:"round"`
	Status QuestionStatus `json:"status"`
	// Rounds are the statistics of the finished rounds.
	Rounds []RoundStats `json:"rounds"`
	// StopReason says which stopping rule closed the question.
	StopReason string    `json:"stop_reason,omitempty"`
	Created    time.Time `json:"created"`
}

// Answer is an expert's answer in a round. Answers are anonymous: only
// the expert sees their own; everyone else sees the round's statistics.
type Answer struct {
	QuestionID int64     `json:"question_id"`
	Round      int       `json:"round"`
	ExpertID   int64     `json:"expert_id"`
	Value      float64   `json:"value"`
	Time       time.Time `json:"time"`
}

// ForumStore keeps the forum's records. Methods return ENOTFOUND for a
// missing record (naming the field of its ID) and EINVALID for a record
// that fails validation.
//
// A stored record that cannot be read (a damaged row) is a *DamagedError,
// whose code is EINTERNAL. A method that lists records returns the
// records it could read together with the *DamagedError naming the
// others, so that a page can show the rest; a caller that needs every
// record, such as a decision rule, fails on it as on any other error.
type ForumStore interface {
	ForumDirectory
	DelegationStore
	AgendaStore
	DebateStore
	DelphiStore
}

// ForumDirectory keeps the forums and their sessions.
type ForumDirectory interface {
	CreateForum(ctx context.Context, f *Forum) error
	Forum(ctx context.Context, id int64) (*Forum, error)
	Forums(ctx context.Context) ([]*Forum, error)

	CreateSession(ctx context.Context, s *Session) error
	Session(ctx context.Context, id int64) (*Session, error)
	Sessions(ctx context.Context, forumID int64) ([]*Session, error)
}

// DelegationStore keeps who takes part: delegations and the expert panel.
type DelegationStore interface {
	// CreateDelegation registers a pending delegation; ECONFLICT if the
	// participant already has a pending or accredited one in the forum.
	CreateDelegation(ctx context.Context, d *Delegation) error
	Delegation(ctx context.Context, id int64) (*Delegation, error)
	Delegations(ctx context.Context, forumID int64) ([]*Delegation, error)
	// SetDelegationStatus moves a registration on; ECONFLICT if its
	// current status may not become next.
	SetDelegationStatus(ctx context.Context, id int64, next AccreditationStatus) (*Delegation, error)

	// AddExpert puts an account on the forum's panel; ECONFLICT if it is
	// already there.
	AddExpert(ctx context.Context, e *Expert) error
	Experts(ctx context.Context, forumID int64) ([]*Expert, error)
}

// AgendaStore keeps the agenda items, their proposal versions, and the
// positions and decisions on them. Positions and decisions are written
// only with their log entries (Fact, logstore.Store.Append), so the store has
// no method that writes them alone.
type AgendaStore interface {
	CreateItem(ctx context.Context, it *AgendaItem) error
	Item(ctx context.Context, id int64) (*AgendaItem, error)
	Items(ctx context.Context, sessionID int64) ([]*AgendaItem, error)

	// AddVersion stores the item's next version, setting Number (1 for
	// the first); ECONFLICT if the item is closed.
	AddVersion(ctx context.Context, v *ProposalVersion) error
	Versions(ctx context.Context, itemID int64) ([]*ProposalVersion, error)

	// Positions lists an item's positions in log order.
	Positions(ctx context.Context, itemID int64) ([]*Position, error)
	// Decision returns a closed item's decision (ENOTFOUND while open).
	Decision(ctx context.Context, itemID int64) (*Decision, error)
}

// DebateStore keeps the floor: comments and the speakers' list.
type DebateStore interface {
	AddComment(ctx context.Context, c *Comment) error
	Comments(ctx context.Context, itemID int64) ([]*Comment, error)
	AddSpeaker(ctx context.Context, s *Speaker) error
	Speakers(ctx context.Context, itemID int64) ([]*Speaker, error)
	// SpeakerDone takes a request off the speakers' list.
	SpeakerDone(ctx context.Context, id int64) (*Speaker, error)
}

// DelphiStore keeps the Delphi questions, their rounds and answers.
type DelphiStore interface {
	CreateQuestion(ctx context.Context, q *Question) error
	Question(ctx context.Context, id int64) (*Question, error)
	Questions(ctx context.Context, forumID int64) ([]*Question, error)
	// SaveAnswer stores an expert's answer for the question's open round,
	// replacing an earlier answer in the same round.
	SaveAnswer(ctx context.Context, a *Answer) error
	// Answers returns a round's answers.
	Answers(ctx context.Context, questionID int64, round int) ([]*Answer, error)
	// FinishRound records the open round's statistics and either opens
	// the next round or, with a non-empty stop reason, closes the
	// question; ECONFLICT if round is not the open round.
	FinishRound(ctx context.Context, questionID int64, stats RoundStats, stopReason string) (*Question, error)
}

// DamagedError reports stored records that could not be read (see
// ForumStore). Its code is EINTERNAL.
type DamagedError struct {
	Records []DamagedRecord
}

// DamagedRecord is a stored record that could not be read.
type DamagedRecord struct {
	// Kind and ID identify the record: "item" 7, or "version" 3 (its
	// number) of the item Of 7, or the "decision" on item 7.
	Kind string
	ID   int64
	Of   int64
	// Column is the stored column that did not decode, Err why.
	Column string
	Err    error
}

// Name names the record in words: "version 3 of item 7".
func (r DamagedRecord) Name() string {
	switch {
	case r.Kind == "decision":
		return fmt.Sprintf("the decision on item %d", r.ID)
	case r.Of != 0:
		return fmt.Sprintf("%s %d of item %d", r.Kind, r.ID, r.Of)
	}
	return fmt.Sprintf("%s %d", r.Kind, r.ID)
}

func (e *DamagedError) Error() string {
	var b strings.Builder
	b.WriteString("database: ")
	for i, r := range e.Records {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s could not be read (%s: %v)", r.Name(), r.Column, r.Err)
	}
	return b.String()
}

// Unwrap gives the error its code, EINTERNAL.
func (e *DamagedError) Unwrap() error { return &Error{Code: EINTERNAL, Message: e.Error()} }

// Read views of the forum. The forum service computes them once, with
// the rule code that decides, and the API, the web pages and the CLI
// render them.

// ForumOverview is a forum with its delegations, expert panel, Delphi
// questions and each session's agenda.
type ForumOverview struct {
	Forum       *Forum           `json:"forum"`
	Sessions    []*SessionAgenda `json:"sessions"`
	Delegations []*Delegation    `json:"delegations"`
	Experts     []*Expert        `json:"experts"`
	Questions   []*Question      `json:"questions"`
}

// Accredited counts the accredited delegations.
func (o *ForumOverview) Accredited() int {
	n := 0
	for _, d := range o.Delegations {
		if d.Status == Accredited {
			n++
		}
	}
	return n
}

// SessionAgenda is a session with its agenda items.
type SessionAgenda struct {
	Session
	Items []*ItemSummary `json:"items"`
}

// ItemSummary is an agenda item as a forum's agenda lists it.
type ItemSummary struct {
	AgendaItem
	// Versions counts the item's versions, those that could not be read
	// included.
	Versions int `json:"versions"`
	// Outcome is a closed item's outcome ("" while open, or if its
	// decision could not be read).
	Outcome Outcome `json:"outcome,omitempty"`
}

// Standing is what became of a position event under the item's rule.
type Standing string

// Standings. Only a current position is counted.
const (
	// StandingCurrent is the delegation's current position on the version
	// decided, which the rule counts.
	StandingCurrent Standing = "current"
	// StandingSuperseded is replaced by a later event of the delegation.
	StandingSuperseded Standing = "superseded"
	// StandingWithdrawal is a withdrawal, which leaves no position.
	StandingWithdrawal Standing = "withdrawal"
	// StandingLapsed is on an earlier text, amended since.
	StandingLapsed Standing = "lapsed"
	// StandingLate was logged after the rule's cutoff (the deadline of a
	// silence procedure).
	StandingLate Standing = "late"
	// StandingNotAccredited is of a delegation that is not accredited.
	StandingNotAccredited Standing = "not_accredited"
)

// PositionView is a position event with its standing under the item's
// rule.
type PositionView struct {
	Position
	Standing Standing `json:"standing"`
	// Reason says in words why a position is not counted ("" if it is);
	// ReasonPhrase is the same as a catalog phrase.
	Reason       string  `json:"reason,omitempty"`
	ReasonPhrase *Phrase `json:"reason_phrase,omitempty"`
}

// ItemView is an agenda item with its versions and position events,
// each with its standing, and while open what its rule would decide if
// it closed now; once closed, its decision.
type ItemView struct {
	Item     *AgendaItem        `json:"item"`
	Versions []*ProposalVersion `json:"versions"`
	// Positions are the position events in log order.
	Positions []*PositionView `json:"positions"`
	// Provisional is the rule's count if the item closed now (open items
	// with a proposal only); its document is left empty.
	Provisional *Decision `json:"provisional,omitempty"`
	Decision    *Decision `json:"decision,omitempty"`

	// Forum, Session and Delegations are the item's forum, session and
	// the forum's delegations, for the pages.
	Forum       *Forum        `json:"-"`
	Session     *Session      `json:"-"`
	Delegations []*Delegation `json:"-"`
	// Current is the current version's number (0 before a proposal),
	// counting versions that could not be read.
	Current int `json:"-"`
	// Degraded is set when some of the item's records could not be read:
	// the view then holds what could be, without the provisional count
	// or the standings, which need every record.
	Degraded bool `json:"-"`
	// May is what the acting account may do on the item now, as the
	// forum service decides it: the pages offer only those forms.
	May ItemActs `json:"-"`
}

// ItemActs are the acts an account may take on an item now.
type ItemActs struct {
	// Speak: comment and ask for the floor. Propose: table an amendment
	// (or the proposal).
	Speak, Propose bool
	// TakePosition and Object (which blocks a consensus) need an
	// accredited delegation and a proposal.
	TakePosition, Object bool
	// Close needs every record readable (not Degraded).
	Close bool
	// Delegation is the account's accredited delegation, if any.
	Delegation *Delegation
}

// PositionRequest is a position to take. Either the fields are set and
// the forum service attests the statement, or Signed carries a statement
// the delegation signed with its registered key.
type PositionRequest struct {
	Version       int              `json:"version"`
	Stance        Stance           `json:"stance"`
	StatementKind string           `json:"statement_kind"`
	Statement     string           `json:"statement"`
	Signed        *SignedStatement `json:"signed"`
}

// SignedStatement is a position body's exact bytes (forum.PositionBody),
// signed by a key of the delegation registered in the log.
type SignedStatement struct {
	Body      []byte `json:"body"`
	KeyName   string `json:"key_name"`
	Signature []byte `json:"signature"`
}

// DelphiFeedback is what an expert sees of a Delphi question: the
// statistics of the finished rounds next to their own answers.
type DelphiFeedback struct {
	Question *Question `json:"question"`
	// Own are the expert's answers by round (nil for the secretariat
	// and the public, who see statistics only).
	Own []*Answer `json:"own,omitempty"`
}

// DelphiResult is what the closed Delphi questions of a forum give the
// model.
type DelphiResult struct {
	// Params is a model parameter file (assess -params) with each
	// question's final median.
	Params json.RawMessage `json:"params"`
	// Distributions is a parameter-distribution file (simulate -params):
	// the same parameters, and each question's final-round spread.
	Distributions json.RawMessage `json:"distributions"`
	// Questions are the questions used, by parameter.
	Questions []DelphiResultQuestion `json:"questions"`
}

// DelphiResultQuestion is one closed question's contribution to a
// DelphiResult.
type DelphiResultQuestion struct {
	ID        int64      `json:"id"`
	Parameter string     `json:"parameter"`
	Final     RoundStats `json:"final"`
	// Dist is the parameter's distribution as the distribution file
	// gives it (a simulate.Dist).
	Dist       json.RawMessage `json:"dist"`
	StopReason string          `json:"stop_reason"`
}
