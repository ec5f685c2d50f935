// Package accounts is the service over accounts, their API tokens and the
// delegations' signing keys. Every method takes the acting account and
// authorises it through indivisible.Authorize, so that the API, the web
// desk and the command line apply one set of rules.
package accounts

import (
	"context"

	"github.com/indivisible-eurasia/indivisible"
)

// Keys is the log's registry of delegation keys (*ledger.Log): a
// registration or a revocation is itself a log entry.
type Keys interface {
	Keys(ctx context.Context) ([]indivisible.Key, error)
	RegisterKey(ctx context.Context, participant, vkey string) (indivisible.Key, error)
	RevokeKey(ctx context.Context, name string, from int64) (indivisible.Key, error)
}

// Config holds the service's dependencies.
type Config struct {
	// Store keeps the accounts and tokens.
	Store indivisible.AccountStore
	// Scenario names the participants a delegation or a key may speak
	// for.
	Scenario *indivisible.Scenario
	// Keys is the log's key registry, which the key methods need.
	Keys Keys
}

// Operator is the identity the operator commands act as (indivisible
// admin and keys, on the database directly): whoever can open the
// database needs no account, and has the secretariat's rights. It is
// never stored and has no token, so no request can carry it.
var Operator = &indivisible.Account{Name: "operator (direct database access)", Role: indivisible.RoleSecretariat}

// Service manages accounts, tokens and keys.
type Service struct{ cfg Config }

// New returns the service over cfg.
func New(cfg Config) *Service { return &Service{cfg: cfg} }

// Accounts lists every account (secretariat).
func (s *Service) Accounts(ctx context.Context, acc *indivisible.Account) ([]*indivisible.Account, error) {
	if err := indivisible.Authorize(acc, indivisible.ActManageAccounts, ""); err != nil {
		return nil, err
	}
	return s.cfg.Store.Accounts(ctx)
}

// Account returns account id: anyone may read their own, the secretariat
// reads all. ENOTFOUND for an unknown id.
func (s *Service) Account(ctx context.Context, acc *indivisible.Account, id int64) (*indivisible.Account, error) {
	if acc == nil || acc.ID != id {
		if err := indivisible.Authorize(acc, indivisible.ActManageAccounts, ""); err != nil {
			return nil, err
		}
	}
	return s.cfg.Store.Account(ctx, id)
}

// CreateAccount validates and stores a new account (secretariat). A
// delegation's or an affiliated expert's participant must be one of the
// scenario's, and a delegation's kind must fit it. EINVALID names the
// field.
func (s *Service) CreateAccount(ctx context.Context, acc *indivisible.Account, a *indivisible.Account) error {
	if err := indivisible.Authorize(acc, indivisible.ActManageAccounts, ""); err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if a.Participant != "" {
		if err := s.cfg.Scenario.CheckDelegation(a.Participant, a.Kind); err != nil {
			return err
		}
	}
	return s.cfg.Store.CreateAccount(ctx, a)
}

// Tokens lists an account's tokens, revoked ones included (secretariat).
func (s *Service) Tokens(ctx context.Context, acc *indivisible.Account, accountID int64) ([]*indivisible.Token, error) {
	if err := indivisible.Authorize(acc, indivisible.ActManageAccounts, ""); err != nil {
		return nil, err
	}
	return s.cfg.Store.Tokens(ctx, accountID)
}

// CreateToken makes a new API token for account accountID (secretariat)
// and returns its record with the secret, which is never stored and so
// cannot be shown again. ENOTFOUND for an unknown account.
func (s *Service) CreateToken(ctx context.Context, acc *indivisible.Account, accountID int64, name string) (*indivisible.Token, string, error) {
	if err := indivisible.Authorize(acc, indivisible.ActManageAccounts, ""); err != nil {
		return nil, "", err
	}
	if _, err := s.cfg.Store.Account(ctx, accountID); err != nil {
		return nil, "", err
	}
	secret, hash := indivisible.NewTokenSecret()
	t, err := s.cfg.Store.CreateToken(ctx, accountID, name, hash)
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// RevokeToken revokes token id from now on (secretariat). ENOTFOUND for
// an unknown token.
func (s *Service) RevokeToken(ctx context.Context, acc *indivisible.Account, id int64) error {
	if err := indivisible.Authorize(acc, indivisible.ActManageAccounts, ""); err != nil {
		return err
	}
	return s.cfg.Store.RevokeToken(ctx, id)
}

// Keys lists the registered keys, revoked ones included: they are public,
// so that anyone can check a declaration's signature.
func (s *Service) Keys(ctx context.Context, acc *indivisible.Account) ([]indivisible.Key, error) {
	if err := indivisible.Authorize(acc, indivisible.ActRead, ""); err != nil {
		return nil, err
	}
	keys, err := s.cfg.Keys.Keys(ctx)
	if keys == nil && err == nil {
		keys = []indivisible.Key{}
	}
	return keys, err
}

// RegisterKey registers a public key (a note verifier key text) for a
// state or an organisation of the scenario (secretariat). EINVALID names
// participant or public_key.
func (s *Service) RegisterKey(ctx context.Context, acc *indivisible.Account, participant, vkey string) (indivisible.Key, error) {
	if err := indivisible.Authorize(acc, indivisible.ActManageKeys, ""); err != nil {
		return indivisible.Key{}, err
	}
	// Only those who file declarations have keys; CheckDelegation says
	// the same of delegations.
	if err := s.cfg.Scenario.CheckDelegation(participant, ""); err != nil {
		return indivisible.Key{}, err
	}
	return s.cfg.Keys.RegisterKey(ctx, participant, vkey)
}

// RevokeKey revokes key name from log index from onward (secretariat).
// ENOTFOUND for an unknown key, ECONFLICT if it is revoked already,
// EINVALID if from is not after its registration.
func (s *Service) RevokeKey(ctx context.Context, acc *indivisible.Account, name string, from int64) (indivisible.Key, error) {
	if err := indivisible.Authorize(acc, indivisible.ActManageKeys, ""); err != nil {
		return indivisible.Key{}, err
	}
	return s.cfg.Keys.RevokeKey(ctx, name, from)
}

var _ indivisible.AccountService = (*Service)(nil)
