package indivisible

import "context"

// The domain's services. Each is implemented once (forum.Service,
// exchange.Service, accounts.Service) and every surface (api, web, cmd) is a thin adapter
// over it. Every method takes the acting account (nil or Anonymous for a
// visitor) and authorises it through Authorize: a read needs ActRead,
// which every role has; each act its own action. The errors are the
// codes of error.go: EUNAUTHORIZED or EFORBIDDEN for an act the account
// may not take, ENOTFOUND for a record that is not there (or not in the
// forum the path names), ECONFLICT for an act the records' state refuses
// (a closed item, a version that is no longer current), EINVALID naming
// the field of bad input.

// ForumService runs the expert forum.
type ForumService interface {
	// Reads of the published record. Overview and ItemView are the
	// views computed from the rules (standings, provisional counts, what
	// the account may do); with records that cannot be read they return
	// what can be, with a *DamagedError naming the rest.
	Forums(ctx context.Context, acc *Account) ([]*Forum, error)
	Forum(ctx context.Context, acc *Account, id int64) (*Forum, error)
	Overview(ctx context.Context, acc *Account, forumID int64) (*ForumOverview, error)
	Sessions(ctx context.Context, acc *Account, forumID int64) ([]*Session, error)
	Session(ctx context.Context, acc *Account, forumID, id int64) (*Session, error)
	Items(ctx context.Context, acc *Account, forumID, sessionID int64) ([]*AgendaItem, error)
	Delegations(ctx context.Context, acc *Account, forumID int64) ([]*Delegation, error)
	Experts(ctx context.Context, acc *Account, forumID int64) ([]*Expert, error)
	Questions(ctx context.Context, acc *Account, forumID int64) ([]*Question, error)
	ItemView(ctx context.Context, acc *Account, forumID, itemID int64) (*ItemView, error)
	Versions(ctx context.Context, acc *Account, forumID, itemID int64) ([]*ProposalVersion, error)
	Comments(ctx context.Context, acc *Account, forumID, itemID int64) ([]*Comment, error)
	Speakers(ctx context.Context, acc *Account, forumID, itemID int64) ([]*Speaker, error)
	Positions(ctx context.Context, acc *Account, forumID, itemID int64) ([]*Position, error)
	// Decision is a closed item's decision (ENOTFOUND while open).
	Decision(ctx context.Context, acc *Account, forumID, itemID int64) (*Decision, error)
	// OutcomeDocument is a closed item's outcome document in the
	// language lang (BCP 47): the record itself in English, a
	// translation of it, marked as one, in any other.
	OutcomeDocument(ctx context.Context, acc *Account, forumID, itemID int64, lang string) (string, error)
	// QuestionFeedback is a Delphi question with, for an expert on the
	// panel, their own answers.
	QuestionFeedback(ctx context.Context, acc *Account, forumID, questionID int64) (*DelphiFeedback, error)
	// DelphiResult is what the closed questions give the model.
	DelphiResult(ctx context.Context, acc *Account, forumID int64) (*DelphiResult, error)

	// The secretariat's acts.
	CreateForum(ctx context.Context, acc *Account, f *Forum) error
	CreateSession(ctx context.Context, acc *Account, s *Session) error
	SetDelegationStatus(ctx context.Context, acc *Account, forumID, id int64, next AccreditationStatus) (*Delegation, error)
	AddExpert(ctx context.Context, acc *Account, forumID, accountID int64) (*Expert, error)
	CreateItem(ctx context.Context, acc *Account, it *AgendaItem) error
	// Close decides an item under its rule: the decision and its log
	// entry are one transaction, so an item is decided once.
	Close(ctx context.Context, acc *Account, forumID, itemID int64) (*Decision, error)
	CreateQuestion(ctx context.Context, acc *Account, q *Question) error
	FinishRound(ctx context.Context, acc *Account, forumID, questionID int64) (*Question, error)

	// The delegations' and experts' acts.
	RegisterDelegation(ctx context.Context, acc *Account, d *Delegation) error
	Table(ctx context.Context, acc *Account, forumID int64, v *ProposalVersion) error
	Comment(ctx context.Context, acc *Account, forumID int64, c *Comment) error
	RequestFloor(ctx context.Context, acc *Account, forumID, itemID int64) (*Speaker, error)
	SpeakerDone(ctx context.Context, acc *Account, forumID, itemID, id int64) (*Speaker, error)
	// TakePosition records a position with its log entry, in one
	// transaction.
	TakePosition(ctx context.Context, acc *Account, forumID, itemID int64, req *PositionRequest) (*Position, error)
	Answer(ctx context.Context, acc *Account, forumID, questionID int64, value float64) (*Answer, error)
}

// ExchangeService files declarations into the log and reads the regime's
// findings over it.
type ExchangeService interface {
	// File files a signed declaration for acc, who must be allowed to
	// file for its participant; nothing is appended on any error.
	File(ctx context.Context, acc *Account, body []byte, keyName string, sig []byte) (*Filing, error)
	// Parse reads a declaration as File does, without filing it.
	Parse(body []byte) (*Declaration, error)
	// Findings are the regime's findings over the whole log, with the
	// log size they were computed at.
	Findings(ctx context.Context, acc *Account) ([]Finding, int64, error)
	// View is the exchange's reading of the whole log: declarations with
	// corrections applied, transfers reconciled, findings.
	View(ctx context.Context, acc *Account) (*ExchangeView, error)
}

// AccountService manages accounts, their API tokens and the delegations'
// keys in the log.
type AccountService interface {
	Accounts(ctx context.Context, acc *Account) ([]*Account, error)
	// Account is one account: anyone's own, or any for the secretariat.
	Account(ctx context.Context, acc *Account, id int64) (*Account, error)
	CreateAccount(ctx context.Context, acc *Account, a *Account) error
	Tokens(ctx context.Context, acc *Account, accountID int64) ([]*Token, error)
	// CreateToken returns the token and its secret, which is shown once
	// and never stored.
	CreateToken(ctx context.Context, acc *Account, accountID int64, name string) (*Token, string, error)
	RevokeToken(ctx context.Context, acc *Account, id int64) error
	Keys(ctx context.Context, acc *Account) ([]Key, error)
	RegisterKey(ctx context.Context, acc *Account, participant, vkey string) (Key, error)
	RevokeKey(ctx context.Context, acc *Account, name string, from int64) (Key, error)
}
