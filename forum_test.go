package indivisible_test

import (
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

// TestAccreditation checks the registration state machine transition by
// transition.
func TestAccreditation(t *testing.T) {
	all := []indivisible.AccreditationStatus{indivisible.Pending, indivisible.Accredited, indivisible.Rejected, indivisible.Withdrawn}
	allowed := map[[2]indivisible.AccreditationStatus]bool{
		{indivisible.Pending, indivisible.Accredited}:   true,
		{indivisible.Pending, indivisible.Rejected}:     true,
		{indivisible.Pending, indivisible.Withdrawn}:    true,
		{indivisible.Accredited, indivisible.Withdrawn}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := from.CanBecome(to); got != allowed[[2]indivisible.AccreditationStatus{from, to}] {
				t.Errorf("%s -> %s: %v", from, to, got)
			}
		}
	}
}

func TestForumValidate(t *testing.T) {
	long := strings.Repeat("x", indivisible.MaxText+1)
	pos := func(st indivisible.Stance, kind, statement string) error {
		p := indivisible.Position{Version: 1, Stance: st, StatementKind: kind, Statement: statement}
		return p.Validate()
	}
	del := func(mod func(d *indivisible.Delegation)) error {
		d := indivisible.Delegation{Participant: "POL", Kind: indivisible.MemberState, Name: "Poland", Head: "Ambassador", Members: []string{"Adviser"}}
		mod(&d)
		return d.Validate()
	}
	for _, tc := range []struct {
		name  string
		err   error
		field string
	}{
		{"support", pos(indivisible.Support, "", ""), ""},
		{"join with a reservation", pos(indivisible.Join, indivisible.Reservation, "ratification"), ""},
		{"written objection", pos(indivisible.Object, "", "no"), ""},
		{"unknown stance", pos("veto", "", ""), "stance"},
		{"join without a kind", pos(indivisible.Join, "", "x"), "statement_kind"},
		{"join without a text", pos(indivisible.Join, indivisible.Interpretative, " "), "statement"},
		{"support with a kind", pos(indivisible.Support, indivisible.Reservation, ""), "statement_kind"},
		{"abstain with a statement", pos(indivisible.Abstain, "", "x"), "statement"},
		{"overlong objection", pos(indivisible.Object, "", long), "statement"},
		{"version 0", (&indivisible.Position{Stance: indivisible.Support}).Validate(), "version"},
		{"delegation", del(func(*indivisible.Delegation) {}), ""},
		{"delegation without a head", del(func(d *indivisible.Delegation) { d.Head = "" }), "head"},
		{"delegation of a club", del(func(d *indivisible.Delegation) { d.Kind = "club" }), "kind"},
		{"delegation with a blank member", del(func(d *indivisible.Delegation) { d.Members = []string{"A", " "} }), "members[1]"},
		{"delegation with a spaced code", del(func(d *indivisible.Delegation) { d.Participant = "P L" }), "participant"},
		{"untitled forum", (&indivisible.Forum{}).Validate(), "title"},
		{"untitled session", (&indivisible.Session{}).Validate(), "title"},
		{"overlong description", (&indivisible.AgendaItem{Title: "t", Description: long}).Validate(), "description"},
		{"version without text", (&indivisible.ProposalVersion{Title: "t"}).Validate(), "text"},
		{"blank comment", (&indivisible.Comment{Text: "\n"}).Validate(), "text"},
	} {
		if indivisible.ErrorField(tc.err) != tc.field || (tc.field == "") != (tc.err == nil) {
			t.Errorf("%s: %v, want field %q", tc.name, tc.err, tc.field)
		}
	}
}
