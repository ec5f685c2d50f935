package indivisible_test

import (
	"fmt"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

// TestAuthorizeTable checks the authorisation table cell by cell: every
// action against every kind of caller, acting for its own participant and
// for another.
func TestAuthorizeTable(t *testing.T) {
	var (
		anon    = (*indivisible.Account)(nil)
		public  = &indivisible.Account{ID: 1, Role: indivisible.RolePublic}
		sec     = &indivisible.Account{ID: 2, Role: indivisible.RoleSecretariat}
		member  = &indivisible.Account{ID: 3, Role: indivisible.RoleDelegation, Participant: "POL", Kind: indivisible.MemberState}
		partner = &indivisible.Account{ID: 4, Role: indivisible.RoleDelegation, Participant: "AUS", Kind: indivisible.PartnerState}
		org     = &indivisible.Account{ID: 5, Role: indivisible.RoleDelegation, Participant: "CSTO", Kind: indivisible.OrganisationDelegation}
		expert  = &indivisible.Account{ID: 6, Role: indivisible.RoleExpert, Participant: "POL"}
	)
	callers := []struct {
		name string
		a    *indivisible.Account
		self string // the participant the caller speaks for
	}{{"anonymous", anon, ""}, {"public", public, ""}, {"secretariat", sec, ""}, {"member", member, "POL"},
		{"partner", partner, "AUS"}, {"organisation", org, "CSTO"}, {"expert", expert, "POL"}}
	const (
		A = "ok" // allowed
		U = indivisible.EUNAUTHORIZED
		F = indivisible.EFORBIDDEN
	)
	// For each action: the outcome per caller (in the order above), when
	// acting for the caller's own participant, then for another ("RUS").
	table := []struct {
		act   indivisible.Action
		self  [7]string
		other [7]string
	}{
		{indivisible.ActRead, [7]string{A, A, A, A, A, A, A}, [7]string{A, A, A, A, A, A, A}},
		{indivisible.ActAssess, [7]string{U, F, A, A, A, A, A}, [7]string{U, F, A, A, A, A, A}},
		{indivisible.ActFileDeclaration, [7]string{U, F, F, A, A, A, F}, [7]string{U, F, F, F, F, F, F}},
		{indivisible.ActManageAccounts, [7]string{U, F, A, F, F, F, F}, [7]string{U, F, A, F, F, F, F}},
		{indivisible.ActManageKeys, [7]string{U, F, A, F, F, F, F}, [7]string{U, F, A, F, F, F, F}},
		{indivisible.ActManageForum, [7]string{U, F, A, F, F, F, F}, [7]string{U, F, A, F, F, F, F}},
		{indivisible.ActRegister, [7]string{U, F, A, A, A, A, F}, [7]string{U, F, A, F, F, F, F}},
		{indivisible.ActPropose, [7]string{U, F, A, A, A, A, F}, [7]string{U, F, A, F, F, F, F}},
		{indivisible.ActComment, [7]string{U, F, A, A, A, A, A}, [7]string{U, F, A, F, F, F, A}},
		{indivisible.ActTakePosition, [7]string{U, F, F, A, A, A, F}, [7]string{U, F, F, F, F, F, F}},
		{indivisible.ActObject, [7]string{U, F, F, A, F, F, F}, [7]string{U, F, F, F, F, F, F}},
		{indivisible.ActAnswerDelphi, [7]string{U, F, F, F, F, F, A}, [7]string{U, F, F, F, F, F, A}},
	}
	for _, row := range table {
		for k, c := range callers {
			for _, tc := range []struct {
				target, want string
			}{{c.self, row.self[k]}, {"RUS", row.other[k]}} {
				t.Run(fmt.Sprintf("%s/%s/%s", row.act, c.name, tc.target), func(t *testing.T) {
					err := indivisible.Authorize(c.a, row.act, tc.target)
					got := indivisible.ErrorCode(err)
					if got == "" {
						got = A
					}
					if got != tc.want {
						t.Errorf("Authorize(%s, %s, %q) = %v, want %s", c.name, row.act, tc.target, err, tc.want)
					}
				})
			}
		}
	}
}

func TestAuthorizeUnknownAction(t *testing.T) {
	if code := indivisible.ErrorCode(indivisible.Authorize(nil, "launch", "")); code != indivisible.EINTERNAL {
		t.Errorf("unknown action: %s, want internal", code)
	}
}

func TestAccountValidate(t *testing.T) {
	for _, tc := range []struct {
		a     indivisible.Account
		field string
	}{
		{indivisible.Account{Name: "POL", Role: indivisible.RoleDelegation, Participant: "POL", Kind: indivisible.MemberState}, ""},
		{indivisible.Account{Name: "", Role: indivisible.RolePublic}, "name"},
		{indivisible.Account{Name: "x", Role: "admin"}, "role"},
		{indivisible.Account{Name: "x", Role: indivisible.RoleDelegation, Kind: indivisible.MemberState}, "participant"},
		{indivisible.Account{Name: "x", Role: indivisible.RoleDelegation, Participant: "POL", Kind: "club"}, "kind"},
		{indivisible.Account{Name: "x", Role: indivisible.RoleExpert, Kind: indivisible.MemberState}, "kind"},
		{indivisible.Account{Name: "x", Role: indivisible.RoleSecretariat, Participant: "POL"}, "participant"},
		{indivisible.Account{Name: "x", Role: indivisible.RoleExpert}, ""},
	} {
		err := tc.a.Validate()
		if indivisible.ErrorField(err) != tc.field || (tc.field == "") != (err == nil) {
			t.Errorf("Validate(%+v) = %v, want field %q", tc.a, err, tc.field)
		}
	}
}
