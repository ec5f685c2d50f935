package indivisible

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// AccountRole is what an account may do (see the authorisation table in authz.go).
type AccountRole string

// Roles.
const (
	// RoleSecretariat administers the regime: accounts, keys, the forum.
	RoleSecretariat AccountRole = "secretariat"
	// RoleDelegation speaks and files for one participant.
	RoleDelegation AccountRole = "delegation"
	// RoleExpert models and answers Delphi rounds, affiliated with a
	// delegation's participant or independent.
	RoleExpert AccountRole = "expert"
	// RolePublic reads what the regime publishes.
	RolePublic AccountRole = "public"
)

// AccountRoles lists the valid roles.
var AccountRoles = []AccountRole{RoleSecretariat, RoleDelegation, RoleExpert, RolePublic}

// DelegationKind distinguishes the delegations of the forum.
type DelegationKind string

// Delegation kinds. Only member states can block a consensus.
const (
	MemberState            DelegationKind = "member_state"
	PartnerState           DelegationKind = "partner_state"
	OrganisationDelegation DelegationKind = "organisation"
	IntegrationAssociation DelegationKind = "integration_association"
)

// DelegationKinds lists the valid kinds.
var DelegationKinds = []DelegationKind{MemberState, PartnerState, OrganisationDelegation, IntegrationAssociation}

// Account is a user of the service.
type Account struct {
	ID   int64       `json:"id"`
	Name string      `json:"name"`
	Role AccountRole `json:"role"`
	// Participant is the delegation's participant, or an expert's
	// affiliation ("" for an independent expert).
	Participant string         `json:"participant,omitempty"`
	Kind        DelegationKind `json:"kind,omitempty"`
	Created     time.Time      `json:"created"`
}

// Validate checks an account's fields against each other.
func (a *Account) Validate() error {
	switch {
	case strings.TrimSpace(a.Name) == "" || len(a.Name) > 200:
		return Invalid("name", "must be 1 to 200 characters")
	case !oneOf(a.Role, AccountRoles):
		return Invalid("role", "%q is not one of secretariat, delegation, expert, public", a.Role)
	case a.Role == RoleDelegation && a.Participant == "":
		return Invalid("participant", "a delegation speaks for a participant")
	case a.Role == RoleDelegation && !oneOf(a.Kind, DelegationKinds):
		return Invalid("kind", "%q is not one of member_state, partner_state, organisation, integration_association", a.Kind)
	case a.Role != RoleDelegation && a.Kind != "":
		return Invalid("kind", "only delegations have a kind")
	case (a.Role == RoleSecretariat || a.Role == RolePublic) && a.Participant != "":
		return Invalid("participant", "a %s account speaks for no participant", a.Role)
	}
	return nil
}

func oneOf[T comparable](v T, set []T) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

// Token is an API token's record. The secret itself is shown once, when
// it is created, and only its SHA-256 hash is stored: tokens carry 256
// random bits, so a fast hash is enough (ASVS 2.4 concerns low-entropy
// passwords).
type Token struct {
	ID        int64      `json:"id"`
	AccountID int64      `json:"account_id"`
	Name      string     `json:"name"`
	Created   time.Time  `json:"created"`
	Revoked   *time.Time `json:"revoked,omitempty"`
}

// TokenPrefix marks Indivisible tokens, so that secret scanners can find
// leaked ones.
const TokenPrefix = "ind_"

// NewTokenSecret returns a new random token and its hash.
func NewTokenSecret() (secret string, hash [32]byte) {
	var b [32]byte
	rand.Read(b[:])
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashToken(secret)
}

// HashToken is the stored form of a token.
func HashToken(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// AccountStore keeps accounts and their tokens.
type AccountStore interface {
	// CreateAccount stores a validated account, setting its ID and
	// creation time.
	CreateAccount(ctx context.Context, a *Account) error
	// Account returns the account with the given ID (ENOTFOUND).
	Account(ctx context.Context, id int64) (*Account, error)
	// Accounts lists every account by ID.
	Accounts(ctx context.Context) ([]*Account, error)
	// CreateToken stores a token hash for an account.
	CreateToken(ctx context.Context, accountID int64, name string, hash [32]byte) (*Token, error)
	// Tokens lists an account's tokens, revoked ones included.
	Tokens(ctx context.Context, accountID int64) ([]*Token, error)
	// RevokeToken revokes a token from now on (ENOTFOUND).
	RevokeToken(ctx context.Context, id int64) error
	// Authenticate returns the account of an unrevoked token's hash, or
	// EUNAUTHORIZED.
	Authenticate(ctx context.Context, hash [32]byte) (*Account, error)
}
