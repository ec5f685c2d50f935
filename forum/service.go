package forum

import (
	"context"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
)

// Log appends entries to the tamper-evident log (package ledger's *Log).
// A position or decision is recorded with its entry, in one transaction
// (see indivisible.Fact), so that the forum's records are never missing
// an entry of the log or ahead of it, and an item is decided once even
// when several servers share the database.
type Log interface {
	Record(ctx context.Context, e indivisible.Entry, f indivisible.Fact) (indivisible.Entry, error)
}

// Attester signs the entries the service vouches for itself, with a key
// registered in the log to indivisible.ForumParticipant.
type Attester interface {
	Attest(ctx context.Context, body []byte) (keyName string, sig []byte, err error)
}

// Config holds a Service's dependencies.
type Config struct {
	Store    indivisible.ForumStore
	Accounts indivisible.AccountStore
	Assessor indivisible.Assessor
	Log      Log
	Attester Attester
	// Scenario, when set, is where delegations' participants and the
	// states concerned by a rule must be found.
	Scenario *indivisible.Scenario
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service runs the forum: every method takes the acting account and
// authorises it through indivisible.Authorize, so the API and the CLI
// share one set of checks.
type Service struct {
	cfg Config
}

// NewService returns a service over cfg.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }

// CreateForum creates a forum (secretariat).
func (s *Service) CreateForum(ctx context.Context, acc *indivisible.Account, f *indivisible.Forum) error {
	if err := indivisible.Authorize(acc, indivisible.ActManageForum, ""); err != nil {
		return err
	}
	return s.cfg.Store.CreateForum(ctx, f)
}

// CreateSession adds a session to a forum (secretariat).
func (s *Service) CreateSession(ctx context.Context, acc *indivisible.Account, se *indivisible.Session) error {
	if err := indivisible.Authorize(acc, indivisible.ActManageForum, ""); err != nil {
		return err
	}
	if _, err := s.cfg.Store.Forum(ctx, se.ForumID); err != nil {
		return err
	}
	return s.cfg.Store.CreateSession(ctx, se)
}

// RegisterDelegation registers a pending delegation: the secretariat for
// any participant, a delegation account for its own.
func (s *Service) RegisterDelegation(ctx context.Context, acc *indivisible.Account, d *indivisible.Delegation) error {
	if err := indivisible.Authorize(acc, indivisible.ActRegister, d.Participant); err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return err
	}
	if s.cfg.Scenario != nil {
		if err := s.cfg.Scenario.CheckDelegation(d.Participant, d.Kind); err != nil {
			return err
		}
	}
	if acc.Role == indivisible.RoleDelegation && acc.Kind != d.Kind {
		return indivisible.Invalid("kind", "the account of %s is a %s delegation", acc.Participant, acc.Kind)
	}
	if _, err := s.cfg.Store.Forum(ctx, d.ForumID); err != nil {
		return err
	}
	return s.cfg.Store.CreateDelegation(ctx, d)
}

// SetDelegationStatus accredits or rejects a registration (secretariat),
// or withdraws it (the secretariat or the delegation itself).
func (s *Service) SetDelegationStatus(ctx context.Context, acc *indivisible.Account, forumID, id int64, next indivisible.AccreditationStatus) (*indivisible.Delegation, error) {
	d, err := s.cfg.Store.Delegation(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.ForumID != forumID {
		return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, "id", "no delegation %d in forum %d", id, forumID)
	}
	act := indivisible.ActManageForum
	if next == indivisible.Withdrawn {
		act = indivisible.ActRegister
	}
	if err := indivisible.Authorize(acc, act, d.Participant); err != nil {
		return nil, err
	}
	if !slices.Contains([]indivisible.AccreditationStatus{indivisible.Accredited, indivisible.Rejected, indivisible.Withdrawn}, next) {
		return nil, indivisible.Invalid("status", "%q is not one of accredited, rejected, withdrawn", next)
	}
	return s.cfg.Store.SetDelegationStatus(ctx, id, next)
}

// AddExpert puts an expert account on a forum's panel (secretariat).
func (s *Service) AddExpert(ctx context.Context, acc *indivisible.Account, forumID, accountID int64) (*indivisible.Expert, error) {
	if err := indivisible.Authorize(acc, indivisible.ActManageForum, ""); err != nil {
		return nil, err
	}
	a, err := s.cfg.Accounts.Account(ctx, accountID)
	if err != nil {
		return nil, indivisible.FieldErrorf(indivisible.ErrorCode(err), "account_id", "%s", indivisible.ErrorMessage(err))
	}
	if a.Role != indivisible.RoleExpert {
		return nil, indivisible.Invalid("account_id", "account %d is a %s, not an expert", a.ID, a.Role)
	}
	if _, err := s.cfg.Store.Forum(ctx, forumID); err != nil {
		return nil, err
	}
	e := &indivisible.Expert{ForumID: forumID, AccountID: a.ID, Name: a.Name, Affiliation: a.Participant}
	return e, s.cfg.Store.AddExpert(ctx, e)
}

// CreateItem puts an item on a session's agenda under a decision rule
// (secretariat). A rule without a version gets the latest.
func (s *Service) CreateItem(ctx context.Context, acc *indivisible.Account, it *indivisible.AgendaItem) error {
	if err := indivisible.Authorize(acc, indivisible.ActManageForum, ""); err != nil {
		return err
	}
	if err := it.Validate(); err != nil {
		return err
	}
	r, err := NewRule(it.Rule)
	if err != nil {
		return err
	}
	it.Rule = r.Spec()
	if it.Rule.Concerned != "" && s.cfg.Scenario != nil {
		if _, ok := s.cfg.Scenario.Participant(it.Rule.Concerned); !ok {
			return indivisible.Invalid("rule.concerned", "unknown participant %q", it.Rule.Concerned)
		}
	}
	se, err := s.cfg.Store.Session(ctx, it.SessionID)
	if err != nil {
		return err
	}
	if se.ForumID != it.ForumID {
		return indivisible.FieldErrorf(indivisible.ENOTFOUND, "session_id", "no session %d in forum %d", it.SessionID, it.ForumID)
	}
	it.Status = indivisible.ItemOpen
	return s.cfg.Store.CreateItem(ctx, it)
}

// item returns an item of forumID (ENOTFOUND if it is another forum's).
func (s *Service) item(ctx context.Context, forumID, id int64) (*indivisible.AgendaItem, error) {
	it, err := s.cfg.Store.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	if it.ForumID != forumID {
		return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, "item", "no item %d in forum %d", id, forumID)
	}
	return it, nil
}

func (s *Service) openItem(ctx context.Context, forumID, id int64) (*indivisible.AgendaItem, error) {
	it, err := s.item(ctx, forumID, id)
	if err == nil && it.Status != indivisible.ItemOpen {
		err = indivisible.FieldErrorf(indivisible.ECONFLICT, "item", "item %d is closed", id)
	}
	return it, err
}

// accredited returns the accredited delegation of participant in forumID,
// or EFORBIDDEN.
func (s *Service) accredited(ctx context.Context, forumID int64, participant string) (*indivisible.Delegation, error) {
	ds, err := s.cfg.Store.Delegations(ctx, forumID)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.Participant == participant && d.Status == indivisible.Accredited {
			return d, nil
		}
	}
	return nil, indivisible.Errorf(indivisible.EFORBIDDEN, "%s has no accredited delegation in forum %d", participant, forumID)
}

// speaksFor checks that a delegation account acts through an accredited
// delegation and an expert as a member of the panel; the secretariat needs
// neither.
func (s *Service) speaksFor(ctx context.Context, acc *indivisible.Account, forumID int64) error {
	switch acc.Role {
	case indivisible.RoleDelegation:
		_, err := s.accredited(ctx, forumID, acc.Participant)
		return err
	case indivisible.RoleExpert:
		// An expert speaks in a forum only as a member of its panel.
		_, err := s.expert(ctx, acc, forumID)
		return err
	}
	return nil
}

// Table tables the item's proposal (the first version) or an amendment
// (every later one): the secretariat, or an accredited delegation. Its
// package of measures, if any, is assessed now and the assessment kept.
func (s *Service) Table(ctx context.Context, acc *indivisible.Account, forumID int64, v *indivisible.ProposalVersion) error {
	if err := indivisible.Authorize(acc, indivisible.ActPropose, acc.Participant); err != nil {
		return err
	}
	if _, err := s.openItem(ctx, forumID, v.ItemID); err != nil {
		return err
	}
	if err := s.speaksFor(ctx, acc, forumID); err != nil {
		return err
	}
	if err := v.Validate(); err != nil {
		return err
	}
	v.Participant, v.AccountID, v.Assessment = acc.Participant, acc.ID, nil
	if v.Package != nil {
		if v.Package.Title == "" {
			v.Package.Title = v.Title
		}
		a, err := s.cfg.Assessor.Assess(ctx, v.Package, indivisible.DefaultTolerance)
		if err != nil {
			return indivisible.PrefixField("package", err)
		}
		// Whatever assessor is configured, no verdict on a non-finite
		// number is ever stored.
		if err := a.CheckFinite(); err != nil {
			return err
		}
		v.Assessment = a
	}
	return s.cfg.Store.AddVersion(ctx, v)
}

// Comment adds a comment to an open item.
func (s *Service) Comment(ctx context.Context, acc *indivisible.Account, forumID int64, c *indivisible.Comment) error {
	if err := indivisible.Authorize(acc, indivisible.ActComment, acc.Participant); err != nil {
		return err
	}
	if _, err := s.openItem(ctx, forumID, c.ItemID); err != nil {
		return err
	}
	if err := s.speaksFor(ctx, acc, forumID); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	c.AccountID, c.Author, c.Participant = acc.ID, acc.Name, acc.Participant
	return s.cfg.Store.AddComment(ctx, c)
}

// RequestFloor puts the account on an open item's speakers' list; ECONFLICT
// if it is on it already.
func (s *Service) RequestFloor(ctx context.Context, acc *indivisible.Account, forumID, itemID int64) (*indivisible.Speaker, error) {
	if err := indivisible.Authorize(acc, indivisible.ActComment, acc.Participant); err != nil {
		return nil, err
	}
	if _, err := s.openItem(ctx, forumID, itemID); err != nil {
		return nil, err
	}
	if err := s.speaksFor(ctx, acc, forumID); err != nil {
		return nil, err
	}
	sp := &indivisible.Speaker{ItemID: itemID, AccountID: acc.ID, Name: acc.Name, Participant: acc.Participant}
	return sp, s.cfg.Store.AddSpeaker(ctx, sp)
}

// SpeakerDone takes a request off the list: the secretariat gives the
// floor, or the speaker withdraws the request.
func (s *Service) SpeakerDone(ctx context.Context, acc *indivisible.Account, forumID, itemID, id int64) (*indivisible.Speaker, error) {
	if _, err := s.item(ctx, forumID, itemID); err != nil {
		return nil, err
	}
	sps, err := s.cfg.Store.Speakers(ctx, itemID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(sps, func(sp *indivisible.Speaker) bool { return sp.ID == id })
	if i < 0 {
		return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, "speaker", "no request %d on item %d", id, itemID)
	}
	if sps[i].AccountID != acc.ID {
		if err := indivisible.Authorize(acc, indivisible.ActManageForum, ""); err != nil {
			return nil, err
		}
	}
	return s.cfg.Store.SpeakerDone(ctx, id)
}

// latest returns an item's latest version (ECONFLICT before a proposal).
func (s *Service) latest(ctx context.Context, itemID int64) (*indivisible.ProposalVersion, []*indivisible.ProposalVersion, error) {
	vs, err := s.cfg.Store.Versions(ctx, itemID)
	if err != nil {
		return nil, nil, err
	}
	if len(vs) == 0 {
		return nil, nil, indivisible.FieldErrorf(indivisible.ECONFLICT, "item", "item %d has no proposal yet", itemID)
	}
	return vs[len(vs)-1], vs, nil
}

// TakePosition records a delegation's position on the current version of
// an open item: first in the log, then in the store. Objecting needs the
// object action (member states only). A withdrawal needs a current
// position to withdraw.
func (s *Service) TakePosition(ctx context.Context, acc *indivisible.Account, forumID, itemID int64, req *indivisible.PositionRequest) (*indivisible.Position, error) {
	it, err := s.openItem(ctx, forumID, itemID)
	if err != nil {
		return nil, err
	}
	body := &PositionBody{Type: PositionType, Forum: forumID, Item: itemID, Version: req.Version, Participant: acc.Participant,
		Stance: req.Stance, StatementKind: req.StatementKind, Statement: req.Statement, Time: s.now().Format(time.RFC3339Nano)}
	if req.Signed != nil {
		if req.Version != 0 || req.Stance != "" || req.StatementKind != "" || req.Statement != "" {
			return nil, indivisible.Invalid("signed", "a signed position carries its fields in the signed body only")
		}
		if body, err = ParsePositionBody(req.Signed.Body); err != nil {
			return nil, indivisible.PrefixField("signed.body", err)
		}
		if body.Forum != forumID || body.Item != itemID {
			return nil, indivisible.Invalid("signed.body.item", "the statement is about forum %d item %d, not forum %d item %d", body.Forum, body.Item, forumID, itemID)
		}
	}
	act := indivisible.ActTakePosition
	if body.Stance == indivisible.Object {
		act = indivisible.ActObject
	}
	if err := indivisible.Authorize(acc, act, body.Participant); err != nil {
		return nil, err
	}
	if _, err := s.accredited(ctx, forumID, body.Participant); err != nil {
		return nil, err
	}
	cur, _, err := s.latest(ctx, itemID)
	if err != nil {
		return nil, err
	}
	if body.Version == 0 && req.Signed == nil {
		body.Version = cur.Number
	}
	if body.Version != cur.Number {
		return nil, indivisible.FieldErrorf(indivisible.ECONFLICT, "version", "version %d is current, not %d: positions are taken on the current text", cur.Number, body.Version)
	}
	p := &indivisible.Position{ItemID: itemID, Version: body.Version, Participant: body.Participant, Stance: body.Stance,
		StatementKind: body.StatementKind, Statement: body.Statement}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if it.Rule.Name == indivisible.RuleSilence && p.Stance == indivisible.Object && strings.TrimSpace(p.Statement) == "" {
		return nil, indivisible.Invalid("statement", "under the silence procedure an objection must be written")
	}
	if p.Stance == indivisible.Withdraw {
		if err := s.hasPosition(ctx, itemID, p.Participant); err != nil {
			return nil, err
		}
	}
	e := indivisible.Entry{Kind: indivisible.KindPosition}
	if req.Signed != nil {
		e.Participant, e.KeyName, e.Signature, e.Body = body.Participant, req.Signed.KeyName, req.Signed.Signature, req.Signed.Body
	} else {
		e.Participant, e.Body = indivisible.ForumParticipant, body.Marshal()
		if e.KeyName, e.Signature, err = s.cfg.Attester.Attest(ctx, e.Body); err != nil {
			return nil, err
		}
	}
	if req.Signed != nil {
		p.KeyName = e.KeyName
	}
	if _, err = s.cfg.Log.Record(ctx, e, indivisible.Fact{Position: p}); err != nil {
		if f := indivisible.ErrorField(err); f == "item" || f == "version" {
			return nil, err
		}
		return nil, indivisible.PrefixField("signed", err)
	}
	return p, nil
}

func (s *Service) hasPosition(ctx context.Context, itemID int64, participant string) error {
	ps, err := s.cfg.Store.Positions(ctx, itemID)
	if err != nil {
		return err
	}
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].Participant == participant {
			if ps[i].Stance != indivisible.Withdraw {
				return nil
			}
			break
		}
	}
	return indivisible.FieldErrorf(indivisible.ECONFLICT, "stance", "%s has no position on item %d to withdraw", participant, itemID)
}

// Close closes an item under its rule (secretariat): it counts the
// positions on the current version, writes the outcome document, and
// records the decision with the document's SHA-256 in the log, in one
// transaction with closing the item (see Log). Of two closes of one item,
// in this process or another sharing the database, one decides and the
// other fails with ECONFLICT. A position taken while the item was being
// counted makes the count stale: Close then counts again.
func (s *Service) Close(ctx context.Context, acc *indivisible.Account, forumID, itemID int64) (*indivisible.Decision, error) {
	if err := indivisible.Authorize(acc, indivisible.ActManageForum, ""); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		d, err := s.close(ctx, forumID, itemID)
		if indivisible.ErrorField(err) != "positions" || attempt == maxCloseAttempts {
			return d, err
		}
	}
}

// name names a participant as the scenario does (its code if the
// service has no scenario or the scenario does not know it).
func (s *Service) name(code string) string {
	if s.cfg.Scenario != nil {
		if p, ok := s.cfg.Scenario.Participant(code); ok {
			return p.Name
		}
	}
	return code
}

// maxCloseAttempts bounds how often Close counts again because positions
// kept arriving while it counted.
const maxCloseAttempts = 5

func (s *Service) close(ctx context.Context, forumID, itemID int64) (*indivisible.Decision, error) {
	it, err := s.openItem(ctx, forumID, itemID)
	if err != nil {
		return nil, err
	}
	f, err := s.cfg.Store.Forum(ctx, forumID)
	if err != nil {
		return nil, err
	}
	cur, _, err := s.latest(ctx, itemID)
	if err != nil {
		return nil, err
	}
	r, err := NewRule(it.Rule)
	if err != nil {
		return nil, err
	}
	ds, err := s.cfg.Store.Delegations(ctx, forumID)
	if err != nil {
		return nil, err
	}
	ps, err := s.cfg.Store.Positions(ctx, itemID)
	if err != nil {
		return nil, err
	}
	// The closing time is taken after the positions are read, so that
	// every position this count sees was in the log before it: one that
	// arrives later makes the count stale (LastPosition below), never
	// late.
	now := s.now()
	if _, err := r.Cutoff(now); err != nil {
		return nil, err
	}
	last := int64(-1)
	for _, p := range ps {
		last = max(last, p.LogIndex)
	}
	d := r.Decide(&Ballot{Delegations: ds, Positions: ps, Version: cur.Number, Closed: now})
	d.ItemID = itemID
	d.Document = Document(Record{Forum: f, Item: it, Version: cur, Decision: d, Positions: ps, Name: s.name})
	d.DocumentSHA256 = SHA256(d.Document)
	e := indivisible.Entry{Kind: indivisible.KindDecision, Participant: indivisible.ForumParticipant, Body: NewDecisionBody(it, d)}
	if e.KeyName, e.Signature, err = s.cfg.Attester.Attest(ctx, e.Body); err != nil {
		return nil, err
	}
	if _, err := s.cfg.Log.Record(ctx, e, indivisible.Fact{Decision: d, LastPosition: last}); err != nil {
		return nil, err
	}
	return d, nil
}

// CreateQuestion opens a Delphi question at round 1 (secretariat).
func (s *Service) CreateQuestion(ctx context.Context, acc *indivisible.Account, q *indivisible.Question) error {
	if err := indivisible.Authorize(acc, indivisible.ActManageForum, ""); err != nil {
		return err
	}
	if err := CheckQuestion(q); err != nil {
		return err
	}
	if _, err := s.cfg.Store.Forum(ctx, q.ForumID); err != nil {
		return err
	}
	q.Round, q.Status, q.Rounds, q.StopReason = 1, indivisible.QuestionOpen, []indivisible.RoundStats{}, ""
	return s.cfg.Store.CreateQuestion(ctx, q)
}

// question returns a question of forumID.
func (s *Service) question(ctx context.Context, forumID, id int64) (*indivisible.Question, error) {
	q, err := s.cfg.Store.Question(ctx, id)
	if err != nil {
		return nil, err
	}
	if q.ForumID != forumID {
		return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, "question", "no question %d in forum %d", id, forumID)
	}
	return q, nil
}

// expert returns the acting account's place on the forum's panel.
func (s *Service) expert(ctx context.Context, acc *indivisible.Account, forumID int64) (*indivisible.Expert, error) {
	es, err := s.cfg.Store.Experts(ctx, forumID)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.AccountID == acc.ID {
			return e, nil
		}
	}
	return nil, indivisible.Errorf(indivisible.EFORBIDDEN, "%s is not on the expert panel of forum %d", acc.Name, forumID)
}

// Answer records an expert's answer in the open round (replacing an
// earlier one of the same round).
func (s *Service) Answer(ctx context.Context, acc *indivisible.Account, forumID, questionID int64, value float64) (*indivisible.Answer, error) {
	if err := indivisible.Authorize(acc, indivisible.ActAnswerDelphi, acc.Participant); err != nil {
		return nil, err
	}
	q, err := s.question(ctx, forumID, questionID)
	if err != nil {
		return nil, err
	}
	e, err := s.expert(ctx, acc, forumID)
	if err != nil {
		return nil, err
	}
	if q.Status != indivisible.QuestionOpen {
		return nil, indivisible.FieldErrorf(indivisible.ECONFLICT, "question", "question %d is closed", q.ID)
	}
	if !(value >= q.Min && value <= q.Max) {
		return nil, indivisible.Invalid("value", "%v is outside [%v, %v]", value, q.Min, q.Max)
	}
	a := &indivisible.Answer{QuestionID: q.ID, Round: q.Round, ExpertID: e.ID, Value: value, Time: s.now()}
	return a, s.cfg.Store.SaveAnswer(ctx, a)
}

// FinishRound closes the open round (secretariat): it summarises the
// answers and applies the stopping rule, which either closes the question
// or opens the next round.
func (s *Service) FinishRound(ctx context.Context, acc *indivisible.Account, forumID, questionID int64) (*indivisible.Question, error) {
	if err := indivisible.Authorize(acc, indivisible.ActManageForum, ""); err != nil {
		return nil, err
	}
	q, err := s.question(ctx, forumID, questionID)
	if err != nil {
		return nil, err
	}
	if q.Status != indivisible.QuestionOpen {
		return nil, indivisible.FieldErrorf(indivisible.ECONFLICT, "question", "question %d is closed", q.ID)
	}
	as, err := s.cfg.Store.Answers(ctx, q.ID, q.Round)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, indivisible.FieldErrorf(indivisible.ECONFLICT, "round", "round %d has no answers yet", q.Round)
	}
	vals := make([]float64, len(as))
	for i, a := range as {
		vals[i] = a.Value
	}
	st := Summarise(q.Round, vals)
	return s.cfg.Store.FinishRound(ctx, q.ID, st, Stop(q.Stop, append(slices.Clone(q.Rounds), st)))
}

// QuestionFeedback returns a question with, for an expert on the panel,
// their own answers.
func (s *Service) QuestionFeedback(ctx context.Context, acc *indivisible.Account, forumID, questionID int64) (*indivisible.DelphiFeedback, error) {
	if err := read(acc); err != nil {
		return nil, err
	}
	q, err := s.question(ctx, forumID, questionID)
	if err != nil {
		return nil, err
	}
	fb := &indivisible.DelphiFeedback{Question: q}
	if acc == nil || acc.Role != indivisible.RoleExpert {
		return fb, nil
	}
	e, err := s.expert(ctx, acc, forumID)
	if err != nil {
		return fb, nil
	}
	fb.Own = []*indivisible.Answer{}
	for r := 1; r <= q.Round; r++ {
		as, err := s.cfg.Store.Answers(ctx, q.ID, r)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			if a.ExpertID == e.ID {
				fb.Own = append(fb.Own, a)
			}
		}
	}
	return fb, nil
}

// DelphiResult gathers a forum's closed questions into a parameter file
// and a distribution file.
func (s *Service) DelphiResult(ctx context.Context, acc *indivisible.Account, forumID int64) (*indivisible.DelphiResult, error) {
	qs, err := s.Questions(ctx, acc, forumID)
	if err != nil {
		return nil, err
	}
	finals := map[int64][]float64{}
	for _, q := range qs {
		if q.Status != indivisible.QuestionClosed {
			continue
		}
		as, err := s.cfg.Store.Answers(ctx, q.ID, q.Round)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			finals[q.ID] = append(finals[q.ID], a.Value)
		}
	}
	return MakeResult(qs, finals)
}

// KeyAttester attests with a note signer whose key the log has registered
// to indivisible.ForumParticipant.
type KeyAttester struct{ Signer note.Signer }

// Attest implements Attester.
func (k KeyAttester) Attest(_ context.Context, body []byte) (string, []byte, error) {
	sig, err := k.Signer.Sign(body)
	if err != nil {
		return "", nil, indivisible.Errorf(indivisible.EINTERNAL, "attest: %v", err)
	}
	return k.Signer.Name(), sig, nil
}

var _ indivisible.ForumService = (*Service)(nil)
