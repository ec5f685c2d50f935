package accounts_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/accounts"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/ledgertest"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

// fixture is a service over a real SQLite store and log, with one account
// of each role: a member-state delegation of POL and an expert.
type fixture struct {
	svc *accounts.Service
	db  *sqlite.DB
	who map[string]*indivisible.Account // nil for "nil"
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "accounts.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := ledgertest.NewLog(t, db, "accounts.test/log")
	sc := &indivisible.Scenario{Participants: []indivisible.Participant{
		{Code: "POL", Name: "Poland", Kind: indivisible.State},
		{Code: "CSTO", Name: "CSTO", Kind: indivisible.Organisation},
	}}
	f := &fixture{svc: accounts.New(accounts.Config{Store: db, Scenario: sc, Keys: log}), db: db,
		who: map[string]*indivisible.Account{"nil": nil, "anonymous": indivisible.Anonymous}}
	for name, a := range map[string]*indivisible.Account{
		"secretariat": {Name: "Secretariat", Role: indivisible.RoleSecretariat},
		"delegation":  {Name: "Poland", Role: indivisible.RoleDelegation, Participant: "POL", Kind: indivisible.MemberState},
		"expert":      {Name: "Expert", Role: indivisible.RoleExpert},
		"public":      {Name: "Reader", Role: indivisible.RolePublic},
	} {
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		f.who[name] = a
	}
	return f
}

func vkey(t *testing.T, participant string) string {
	t.Helper()
	_, v, err := ledger.NewKey(rand.Reader, participant)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestWhoMay checks every method against every kind of actor: the
// secretariat manages, everyone reads the keys, an account reads itself,
// and the rest is refused: EUNAUTHORIZED without an account (a token
// might help), EFORBIDDEN with one.
func TestWhoMay(t *testing.T) {
	ctx := context.Background()
	type call func(f *fixture, acc *indivisible.Account) error
	calls := map[string]call{
		"Accounts": func(f *fixture, acc *indivisible.Account) error {
			_, err := f.svc.Accounts(ctx, acc)
			return err
		},
		"Account of the expert": func(f *fixture, acc *indivisible.Account) error {
			_, err := f.svc.Account(ctx, acc, f.who["expert"].ID)
			return err
		},
		"CreateAccount": func(f *fixture, acc *indivisible.Account) error {
			return f.svc.CreateAccount(ctx, acc, &indivisible.Account{Name: "CSTO", Role: indivisible.RoleDelegation, Participant: "CSTO", Kind: indivisible.OrganisationDelegation})
		},
		"Tokens": func(f *fixture, acc *indivisible.Account) error {
			_, err := f.svc.Tokens(ctx, acc, f.who["delegation"].ID)
			return err
		},
		"CreateToken": func(f *fixture, acc *indivisible.Account) error {
			_, _, err := f.svc.CreateToken(ctx, acc, f.who["delegation"].ID, "laptop")
			return err
		},
		"RevokeToken": func(f *fixture, acc *indivisible.Account) error {
			_, hash := indivisible.NewTokenSecret()
			tok, err := f.db.CreateToken(ctx, f.who["delegation"].ID, "old", hash)
			if err != nil {
				t.Fatal(err)
			}
			return f.svc.RevokeToken(ctx, acc, tok.ID)
		},
		"Keys": func(f *fixture, acc *indivisible.Account) error {
			_, err := f.svc.Keys(ctx, acc)
			return err
		},
		"RegisterKey": func(f *fixture, acc *indivisible.Account) error {
			_, err := f.svc.RegisterKey(ctx, acc, "POL", vkey(t, "POL"))
			return err
		},
		"RevokeKey": func(f *fixture, acc *indivisible.Account) error {
			k, err := f.svc.RegisterKey(ctx, f.who["secretariat"], "POL", vkey(t, "POL"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.RevokeKey(ctx, acc, k.Name, k.RegisteredAt+1)
			return err
		},
	}
	const ok, unauth, forbid = "", indivisible.EUNAUTHORIZED, indivisible.EFORBIDDEN
	// want[method][actor] is the error code expected ("" for success).
	want := map[string]map[string]string{
		"Accounts":              {"secretariat": ok, "delegation": forbid, "expert": forbid, "public": forbid, "anonymous": unauth, "nil": unauth},
		"Account of the expert": {"secretariat": ok, "delegation": forbid, "expert": ok, "public": forbid, "anonymous": unauth, "nil": unauth},
		"CreateAccount":         {"secretariat": ok, "delegation": forbid, "expert": forbid, "public": forbid, "anonymous": unauth, "nil": unauth},
		"Tokens":                {"secretariat": ok, "delegation": forbid, "expert": forbid, "public": forbid, "anonymous": unauth, "nil": unauth},
		"CreateToken":           {"secretariat": ok, "delegation": forbid, "expert": forbid, "public": forbid, "anonymous": unauth, "nil": unauth},
		"RevokeToken":           {"secretariat": ok, "delegation": forbid, "expert": forbid, "public": forbid, "anonymous": unauth, "nil": unauth},
		"Keys":                  {"secretariat": ok, "delegation": ok, "expert": ok, "public": ok, "anonymous": ok, "nil": ok},
		"RegisterKey":           {"secretariat": ok, "delegation": forbid, "expert": forbid, "public": forbid, "anonymous": unauth, "nil": unauth},
		"RevokeKey":             {"secretariat": ok, "delegation": forbid, "expert": forbid, "public": forbid, "anonymous": unauth, "nil": unauth},
	}
	for method, row := range want {
		for actor, code := range row {
			t.Run(method+"/"+actor, func(t *testing.T) {
				f := newFixture(t)
				err := calls[method](f, f.who[actor])
				if got := indivisible.ErrorCode(err); err != nil && got != code || err == nil && code != ok {
					t.Errorf("%s by %s: got %v (code %q), want code %q", method, actor, err, got, code)
				}
			})
		}
	}
}

// TestOwnAccount: any account reads itself, even the public one.
func TestOwnAccount(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"delegation", "expert", "public"} {
		me := f.who[name]
		got, err := f.svc.Account(context.Background(), me, me.ID)
		if err != nil || got.Name != me.Name {
			t.Errorf("%s reading itself: %v, %v", name, got, err)
		}
	}
}

// TestValidation checks that bad input is EINVALID naming its field.
func TestValidation(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		do    func(f *fixture, sec *indivisible.Account) error
		code  string
		field string
	}{
		{"blank name", func(f *fixture, sec *indivisible.Account) error {
			return f.svc.CreateAccount(ctx, sec, &indivisible.Account{Name: " ", Role: indivisible.RoleExpert})
		}, indivisible.EINVALID, "name"},
		{"unknown role", func(f *fixture, sec *indivisible.Account) error {
			return f.svc.CreateAccount(ctx, sec, &indivisible.Account{Name: "X", Role: "admin"})
		}, indivisible.EINVALID, "role"},
		{"delegation without participant", func(f *fixture, sec *indivisible.Account) error {
			return f.svc.CreateAccount(ctx, sec, &indivisible.Account{Name: "X", Role: indivisible.RoleDelegation, Kind: indivisible.MemberState})
		}, indivisible.EINVALID, "participant"},
		{"unknown participant", func(f *fixture, sec *indivisible.Account) error {
			return f.svc.CreateAccount(ctx, sec, &indivisible.Account{Name: "X", Role: indivisible.RoleDelegation, Participant: "ATL", Kind: indivisible.MemberState})
		}, indivisible.EINVALID, "participant"},
		{"organisation as a member state", func(f *fixture, sec *indivisible.Account) error {
			return f.svc.CreateAccount(ctx, sec, &indivisible.Account{Name: "X", Role: indivisible.RoleDelegation, Participant: "CSTO", Kind: indivisible.MemberState})
		}, indivisible.EINVALID, "kind"},
		{"expert of an unknown participant", func(f *fixture, sec *indivisible.Account) error {
			return f.svc.CreateAccount(ctx, sec, &indivisible.Account{Name: "X", Role: indivisible.RoleExpert, Participant: "ATL"})
		}, indivisible.EINVALID, "participant"},
		{"token name too long", func(f *fixture, sec *indivisible.Account) error {
			name := make([]byte, 201)
			for i := range name {
				name[i] = 'a'
			}
			_, _, err := f.svc.CreateToken(ctx, sec, f.who["delegation"].ID, string(name))
			return err
		}, indivisible.EINVALID, "name"},
		{"token of no account", func(f *fixture, sec *indivisible.Account) error {
			_, _, err := f.svc.CreateToken(ctx, sec, 999, "laptop")
			return err
		}, indivisible.ENOTFOUND, "id"},
		{"revoke no token", func(f *fixture, sec *indivisible.Account) error {
			return f.svc.RevokeToken(ctx, sec, 999)
		}, indivisible.ENOTFOUND, "id"},
		{"key of an unknown participant", func(f *fixture, sec *indivisible.Account) error {
			_, err := f.svc.RegisterKey(ctx, sec, "ATL", vkey(t, "ATL"))
			return err
		}, indivisible.EINVALID, "participant"},
		{"key text not a key", func(f *fixture, sec *indivisible.Account) error {
			_, err := f.svc.RegisterKey(ctx, sec, "POL", "not a key")
			return err
		}, indivisible.EINVALID, "public_key"},
		{"revoke an unknown key", func(f *fixture, sec *indivisible.Account) error {
			_, err := f.svc.RevokeKey(ctx, sec, "POL-00000000", 5)
			return err
		}, indivisible.ENOTFOUND, "key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			err := tt.do(f, f.who["secretariat"])
			if indivisible.ErrorCode(err) != tt.code || indivisible.ErrorField(err) != tt.field {
				t.Errorf("got %v (code %q, field %q), want code %q, field %q", err, indivisible.ErrorCode(err), indivisible.ErrorField(err), tt.code, tt.field)
			}
		})
	}
}

// TestToken checks that the secret returned authenticates as the account
// until the token is revoked, and that the store keeps no secret.
func TestToken(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sec, del := f.who["secretariat"], f.who["delegation"]
	tok, secret, err := f.svc.CreateToken(ctx, sec, del.ID, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccountID != del.ID || tok.Name != "laptop" || len(secret) <= len(indivisible.TokenPrefix) || secret[:len(indivisible.TokenPrefix)] != indivisible.TokenPrefix {
		t.Fatalf("token %+v, secret %q", tok, secret)
	}
	if a, err := f.db.Authenticate(ctx, indivisible.HashToken(secret)); err != nil || a.ID != del.ID {
		t.Fatalf("authenticating with the new secret: %v, %v", a, err)
	}
	ts, err := f.svc.Tokens(ctx, sec, del.ID)
	if err != nil || len(ts) != 1 || ts[0].ID != tok.ID || ts[0].Revoked != nil {
		t.Fatalf("tokens: %v, %v", ts, err)
	}
	if err := f.svc.RevokeToken(ctx, sec, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Authenticate(ctx, indivisible.HashToken(secret)); indivisible.ErrorCode(err) != indivisible.EUNAUTHORIZED {
		t.Errorf("a revoked token authenticates: %v", err)
	}
}

// TestKeys registers and revokes a key and reads the registry back.
func TestKeys(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sec := f.who["secretariat"]
	if ks, err := f.svc.Keys(ctx, nil); err != nil || ks == nil || len(ks) != 0 {
		t.Fatalf("keys of an empty log: %#v, %v (want an empty, non-nil list)", ks, err)
	}
	v := vkey(t, "CSTO")
	k, err := f.svc.RegisterKey(ctx, sec, "CSTO", v)
	if err != nil {
		t.Fatal(err)
	}
	if k.Participant != "CSTO" || k.PublicKey != v || k.RevokedFrom != 0 {
		t.Fatalf("registered %+v", k)
	}
	r, err := f.svc.RevokeKey(ctx, sec, k.Name, k.RegisteredAt+1)
	if err != nil || r.RevokedFrom != k.RegisteredAt+1 {
		t.Fatalf("revoked %+v, %v", r, err)
	}
	if _, err := f.svc.RevokeKey(ctx, sec, k.Name, k.RegisteredAt+1); indivisible.ErrorCode(err) != indivisible.ECONFLICT {
		t.Errorf("revoking twice: %v, want ECONFLICT", err)
	}
	ks, err := f.svc.Keys(ctx, nil)
	if err != nil || len(ks) != 1 || ks[0].Name != k.Name || ks[0].RevokedFrom != k.RegisteredAt+1 {
		t.Errorf("keys: %+v, %v", ks, err)
	}
}
