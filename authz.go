package indivisible

// Action is something a request does, as the authorisation table names it.
type Action string

// Actions.
const (
	ActRead            Action = "read"             // published data: scenario, log, declarations, findings, forum record
	ActAssess          Action = "assess"           // run the model
	ActFileDeclaration Action = "file_declaration" // submit a signed declaration for a participant
	ActManageAccounts  Action = "manage_accounts"  // accounts and tokens
	ActManageKeys      Action = "manage_keys"      // register and revoke delegation keys
	ActManageForum     Action = "manage_forum"     // sessions, agenda items, accreditation, closing items, Delphi questions
	ActRegister        Action = "register"         // register a delegation to a forum, or withdraw it
	ActPropose         Action = "propose"          // table a proposal or an amendment
	ActComment         Action = "comment"          // comment or ask for the floor
	ActTakePosition    Action = "take_position"    // support, abstain, join with a reservation
	ActObject          Action = "object"           // object: blocks a consensus
	ActAnswerDelphi    Action = "answer_delphi"    // answer a Delphi round
)

// rule is one cell of the authorisation table.
type rule int

const (
	deny rule = iota
	allow
	// own allows acting for the account's own participant only.
	own
	// ownMemberState is own, and only for member-state delegations.
	ownMemberState
)

// authz is the authorisation table: one row per action, one column per
// role. It is the only place that decides who may do what, and its tests
// check it cell by cell.
var authz = map[Action]map[AccountRole]rule{
	ActRead:            {RoleSecretariat: allow, RoleDelegation: allow, RoleExpert: allow, RolePublic: allow},
	ActAssess:          {RoleSecretariat: allow, RoleDelegation: allow, RoleExpert: allow},
	ActFileDeclaration: {RoleDelegation: own},
	ActManageAccounts:  {RoleSecretariat: allow},
	ActManageKeys:      {RoleSecretariat: allow},
	ActManageForum:     {RoleSecretariat: allow},
	ActRegister:        {RoleSecretariat: allow, RoleDelegation: own},
	ActPropose:         {RoleSecretariat: allow, RoleDelegation: own},
	ActComment:         {RoleSecretariat: allow, RoleDelegation: own, RoleExpert: allow},
	ActTakePosition:    {RoleDelegation: own},
	ActObject:          {RoleDelegation: ownMemberState},
	ActAnswerDelphi:    {RoleExpert: allow},
}

// Anonymous is the account of a request without a token.
var Anonymous = &Account{Name: "anonymous", Role: RolePublic}

// Authorize reports whether account a may do act for participant (""
// when the action concerns no participant). A refusal is EUNAUTHORIZED for
// an anonymous request, which a token might fix, and EFORBIDDEN otherwise.
func Authorize(a *Account, act Action, participant string) error {
	if a == nil {
		a = Anonymous
	}
	row, ok := authz[act]
	if !ok {
		return Errorf(EINTERNAL, "no authorisation rule for action %q", act)
	}
	ok = false
	switch row[a.Role] {
	case allow:
		ok = true
	case own:
		ok = a.Participant != "" && a.Participant == participant
	case ownMemberState:
		ok = a.Participant != "" && a.Participant == participant && a.Kind == MemberState
	}
	switch {
	case ok:
		return nil
	case a.ID == 0 && a.Role == RolePublic:
		return Errorf(EUNAUTHORIZED, "%s needs an API token", act)
	case row[a.Role] == own || row[a.Role] == ownMemberState:
		if row[a.Role] == ownMemberState && a.Kind != MemberState {
			return Errorf(EFORBIDDEN, "only member-state delegations may %s", act)
		}
		return Errorf(EFORBIDDEN, "a delegation of %s may not %s for %s", a.Participant, act, participant)
	}
	return Errorf(EFORBIDDEN, "the %s role may not %s", a.Role, act)
}
