// Package demo is the demonstration data: accounts, keys, declarations
// and a forum, for the demo command and for tests.
//
// Seed creates, on a store without accounts:
//
//   - eleven accounts: the secretariat; delegations of Poland, Germany,
//     the Russian Federation, Armenia and Azerbaijan (member states),
//     Australia (a partner state), the CSTO Secretariat (an organisation)
//     and the European Union (an integration association); an
//     independent expert and a public reader; one token each;
//   - a signing key per delegation, written to the key directory and
//     registered in the log;
//   - six declarations signed with those keys: on-time filings, a late
//     exercise notification, and two transfer reports that disagree;
//   - a forum with every delegation accredited and the expert on its
//     panel, an open item under consensus with a proposal, an amendment
//     and positions (Armenia's signed with its own key), an item under
//     qualified majority already decided, and a Delphi question in its
//     first round.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

// KeyRegistrar registers a delegation's key in the log, as *ledger.Log
// does.
type KeyRegistrar interface {
	RegisterKey(ctx context.Context, participant, vkey string) (indivisible.Key, error)
}

// Filer files a signed declaration for a delegation's account, as
// *exchange.Service does.
type Filer interface {
	File(ctx context.Context, acc *indivisible.Account, body []byte, keyName string, sig []byte) (*indivisible.Filing, error)
}

// Deps are the services Seed works through, so that the demonstration
// data pass every rule real users' data pass.
type Deps struct {
	Accounts indivisible.AccountStore
	Keys     KeyRegistrar
	Exchange Filer
	Forum    *forum.Service
}

// Credential is what seeding gives one account, shown once: its token's
// secret and, for a delegation, the path of its private key file.
type Credential struct {
	Account indivisible.Account
	Token   string
	// KeyPath is "" for an account that is not a delegation.
	KeyPath string
}

// accounts are the demonstration accounts: member states on both sides,
// a partner state, an organisation and an integration association, an
// expert and a public reader.
var accounts = []indivisible.Account{
	{Name: "Secretariat", Role: indivisible.RoleSecretariat},
	{Name: "Delegation of Poland", Role: indivisible.RoleDelegation, Participant: "POL", Kind: indivisible.MemberState},
	{Name: "Delegation of Germany", Role: indivisible.RoleDelegation, Participant: "DEU", Kind: indivisible.MemberState},
	{Name: "Delegation of the Russian Federation", Role: indivisible.RoleDelegation, Participant: "RUS", Kind: indivisible.MemberState},
	{Name: "Delegation of Armenia", Role: indivisible.RoleDelegation, Participant: "ARM", Kind: indivisible.MemberState},
	{Name: "Delegation of Azerbaijan", Role: indivisible.RoleDelegation, Participant: "AZE", Kind: indivisible.MemberState},
	{Name: "Delegation of Australia", Role: indivisible.RoleDelegation, Participant: "AUS", Kind: indivisible.PartnerState},
	{Name: "CSTO Secretariat", Role: indivisible.RoleDelegation, Participant: "CSTO", Kind: indivisible.OrganisationDelegation},
	{Name: "European Union", Role: indivisible.RoleDelegation, Participant: "EU", Kind: indivisible.IntegrationAssociation},
	{Name: "Independent expert", Role: indivisible.RoleExpert},
	{Name: "Public reader", Role: indivisible.RolePublic},
}

// Seed creates the demonstration data (see the package documentation),
// the delegations' key pairs in keyDir, dated from now. On a store that
// has accounts already it creates nothing and returns no credentials:
// tokens are shown only once, when they are made.
func Seed(ctx context.Context, d Deps, keyDir string, now time.Time) ([]Credential, error) {
	existing, err := d.Accounts.Accounts(ctx)
	if err != nil || len(existing) > 0 {
		return nil, err
	}
	if err := os.MkdirAll(keyDir, 0o700); err != nil {
		return nil, indivisible.Invalid("dir", "%v", err)
	}
	var out []Credential
	for _, acc := range accounts {
		c := Credential{Account: acc}
		if err := d.Accounts.CreateAccount(ctx, &c.Account); err != nil {
			return nil, err
		}
		secret, hash := indivisible.NewTokenSecret()
		if _, err := d.Accounts.CreateToken(ctx, c.Account.ID, "demo", hash); err != nil {
			return nil, err
		}
		c.Token = secret
		if acc.Role == indivisible.RoleDelegation {
			_, keyPath, pubPath, err := ledger.WriteKeyPair(rand.Reader, keyDir, acc.Participant)
			if err != nil {
				return nil, err
			}
			vkey, err := ledger.ReadVerifierKey(pubPath)
			if err != nil {
				return nil, err
			}
			if _, err := d.Keys.RegisterKey(ctx, acc.Participant, vkey); err != nil {
				return nil, err
			}
			c.KeyPath = keyPath
		}
		out = append(out, c)
	}
	of := map[string]Credential{}
	for _, c := range out {
		of[c.Account.Participant] = c
	}
	for _, decl := range declarations(now) {
		c := of[decl.participant]
		signer, err := ledger.LoadSigner(c.KeyPath)
		if err != nil {
			return nil, err
		}
		sig, err := signer.Sign([]byte(decl.body))
		if err != nil {
			return nil, indivisible.Errorf(indivisible.EINTERNAL, "sign: %v", err)
		}
		if _, err := d.Exchange.File(ctx, &c.Account, []byte(decl.body), signer.Name(), sig); err != nil {
			return nil, fmt.Errorf("demo declaration of %s: %w", decl.participant, err)
		}
	}
	if err := seedForum(ctx, d.Forum, out, now); err != nil {
		return nil, fmt.Errorf("demo forum: %w", err)
	}
	return out, nil
}

type declaration struct{ participant, body string }

// declarations are a handful of declarations that show the regime at
// work: on-time filings, a late exercise notification, and two transfer
// reports that disagree.
func declarations(now time.Time) []declaration {
	day := func(d int) string { return now.AddDate(0, 0, d).Format("2006-01-02") }
	next := now.Year() + 1
	return []declaration{
		{"POL", fmt.Sprintf(`{"kind": "annual_exchange", "participant": "POL", "year": %d, "holdings": {"personnel": 164000, "battle_tanks": 612, "armoured_combat_vehicles": 1580, "artillery": 820, "combat_aircraft": 95}}`, next)},
		{"POL", fmt.Sprintf(`{"kind": "exercise_notification", "participant": "POL", "name": "Anakonda", "start": %q, "end": %q, "host": "POL", "participating_states": ["POL", "DEU"], "personnel": 14500, "battle_tanks": 180, "armoured_combat_vehicles": 420, "artillery": 96, "aircraft_sorties": 240, "airborne_amphibious_troops": 0, "observers_invited": true}`, day(60), day(71))},
		{"RUS", fmt.Sprintf(`{"kind": "exercise_notification", "participant": "RUS", "name": "Zapad", "start": %q, "end": %q, "host": "RUS", "participating_states": ["RUS"], "personnel": 12800, "battle_tanks": 250, "armoured_combat_vehicles": 480, "artillery": 240, "aircraft_sorties": 150, "airborne_amphibious_troops": 0, "observers_invited": false}`, day(20), day(27))},
		{"DEU", fmt.Sprintf(`{"kind": "transfer_report", "participant": "DEU", "role": "exporter", "year": %d, "counterpart": "POL", "category": "battle_tanks", "quantity": 14, "description": "Leopard 2A4 from German Army stocks"}`, now.Year()-1)},
		{"POL", fmt.Sprintf(`{"kind": "transfer_report", "participant": "POL", "role": "importer", "year": %d, "counterpart": "DEU", "category": "battle_tanks", "quantity": 12, "description": "Leopard 2A4"}`, now.Year()-1)},
		{"ARM", fmt.Sprintf(`{"kind": "annual_exchange", "participant": "ARM", "year": %d, "holdings": {"personnel": 42900, "battle_tanks": 109, "armoured_combat_vehicles": 200, "artillery": 232, "combat_aircraft": 4}}`, next)},
	}
}
