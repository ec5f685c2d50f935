// Package storetest is the contract test suite that every storage backend
// (sqlite, postgres) runs, in the manner of golang.org/x/mod/sumdb's
// storage.TestStorage: one set of assertions, many implementations.
package storetest

import (
	"context"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

// TestAccounts checks an AccountStore. open must return an empty store.
func TestAccounts(t *testing.T, open func(t *testing.T) indivisible.AccountStore) {
	ctx := context.Background()
	t.Run("create and read", func(t *testing.T) {
		s := open(t)
		a := &indivisible.Account{Name: "Poland", Role: indivisible.RoleDelegation, Participant: "POL", Kind: indivisible.MemberState}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.Created.IsZero() {
			t.Fatalf("CreateAccount did not set ID and Created: %+v", a)
		}
		got, err := s.Account(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if *got != *a {
			t.Errorf("Account = %+v, want %+v", got, a)
		}
		b := &indivisible.Account{Name: "Secretariat", Role: indivisible.RoleSecretariat}
		if err := s.CreateAccount(ctx, b); err != nil {
			t.Fatal(err)
		}
		all, err := s.Accounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
			t.Errorf("Accounts = %+v", all)
		}
		if _, err := s.Account(ctx, 9999); indivisible.ErrorCode(err) != indivisible.ENOTFOUND {
			t.Errorf("missing account: %v, want not found", err)
		}
	})
	t.Run("invalid account is refused", func(t *testing.T) {
		s := open(t)
		err := s.CreateAccount(ctx, &indivisible.Account{Name: "x", Role: "root"})
		if indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Fatalf("err = %v, want invalid", err)
		}
		if all, _ := s.Accounts(ctx); len(all) != 0 {
			t.Errorf("a refused account was stored: %+v", all)
		}
	})
	t.Run("tokens", func(t *testing.T) {
		s := open(t)
		a := &indivisible.Account{Name: "Expert", Role: indivisible.RoleExpert}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		secret, hash := indivisible.NewTokenSecret()
		tok, err := s.CreateToken(ctx, a.ID, "laptop", hash)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Authenticate(ctx, indivisible.HashToken(secret))
		if err != nil || got.ID != a.ID {
			t.Fatalf("Authenticate = %+v, %v", got, err)
		}
		if _, err := s.CreateToken(ctx, a.ID, "again", hash); indivisible.ErrorCode(err) != indivisible.ECONFLICT {
			t.Errorf("duplicate token hash: %v, want conflict", err)
		}
		if _, err := s.CreateToken(ctx, 9999, "x", [32]byte{1}); indivisible.ErrorCode(err) != indivisible.ENOTFOUND {
			t.Errorf("token for missing account: %v, want not found", err)
		}
		if err := s.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, hash); indivisible.ErrorCode(err) != indivisible.EUNAUTHORIZED {
			t.Errorf("revoked token: %v, want unauthorized", err)
		}
		ts, err := s.Tokens(ctx, a.ID)
		if err != nil || len(ts) != 1 || ts[0].Revoked == nil || ts[0].Name != "laptop" {
			t.Fatalf("Tokens = %+v, %v", ts, err)
		}
		first := *ts[0].Revoked
		if err := s.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if ts, _ := s.Tokens(ctx, a.ID); !ts[0].Revoked.Equal(first) {
			t.Errorf("second revocation moved the time from %v to %v", first, ts[0].Revoked)
		}
		if err := s.RevokeToken(ctx, 9999); indivisible.ErrorCode(err) != indivisible.ENOTFOUND {
			t.Errorf("revoke missing token: %v, want not found", err)
		}
		if _, err := s.Authenticate(ctx, [32]byte{9}); indivisible.ErrorCode(err) != indivisible.EUNAUTHORIZED {
			t.Errorf("unknown token: %v, want unauthorized", err)
		}
	})
}
