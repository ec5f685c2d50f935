package demo_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/demo"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/ledgertest"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

// world is a fresh service on SQLite as the demo command wires it: a log,
// the Eurasia model, the exchange and the forum with its attestation key.
type world struct {
	db     *sqlite.DB
	log    *ledger.Log
	deps   demo.Deps
	keyDir string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l := ledgertest.NewLog(t, db, "demo.test/log")
	scen, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	sys, err := model.Compile(scen, model.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	skey, vkey, err := ledger.NewKey(rand.Reader, indivisible.ForumParticipant)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.RegisterKey(ctx, indivisible.ForumParticipant, vkey); err != nil {
		t.Fatal(err)
	}
	attest, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	svc := forum.NewService(forum.Config{Store: db, Accounts: db, Assessor: sys, Log: l, Attester: forum.KeyAttester{Signer: attest}, Scenario: scen})
	ex := exchange.NewService(l, exchange.NewCodes(scen), exchange.DefaultRegime())
	return &world{db: db, log: l, keyDir: filepath.Join(dir, "keys"),
		deps: demo.Deps{Accounts: db, Keys: l, Exchange: ex, Forum: svc}}
}

// now is mid-year, so that the declarations' dates fall in one year.
var now = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

// wantAccounts are the accounts the package documentation promises.
var wantAccounts = []indivisible.Account{
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

func TestSeed(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	creds, err := demo.Seed(ctx, w.deps, w.keyDir, now)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("accounts and tokens", func(t *testing.T) {
		if len(creds) != len(wantAccounts) {
			t.Fatalf("%d credentials, want %d", len(creds), len(wantAccounts))
		}
		for i, want := range wantAccounts {
			c := creds[i]
			got := c.Account
			if got.Name != want.Name || got.Role != want.Role || got.Participant != want.Participant || got.Kind != want.Kind {
				t.Errorf("account %d = %+v, want %+v", i, got, want)
			}
			toks, err := w.db.Tokens(ctx, got.ID)
			if err != nil || len(toks) != 1 {
				t.Errorf("%s: tokens %v, %v; want one", got.Name, toks, err)
			}
			// The secret handed out is the one that signs in.
			acc, err := w.db.Authenticate(ctx, indivisible.HashToken(c.Token))
			if err != nil || acc.ID != got.ID {
				t.Errorf("%s: token authenticates %v, %v", got.Name, acc, err)
			}
		}
		stored, err := w.db.Accounts(ctx)
		if err != nil || len(stored) != len(wantAccounts) {
			t.Errorf("stored accounts: %d, %v; want %d", len(stored), err, len(wantAccounts))
		}
	})

	t.Run("a registered key per delegation", func(t *testing.T) {
		keys, err := w.log.Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]indivisible.Key{}
		for _, k := range keys {
			byName[k.Name] = k
		}
		msg := []byte("checkpoint of the demo\n")
		for _, c := range creds {
			if c.Account.Role != indivisible.RoleDelegation {
				if c.KeyPath != "" {
					t.Errorf("%s (%s) has key file %s", c.Account.Name, c.Account.Role, c.KeyPath)
				}
				continue
			}
			if filepath.Dir(c.KeyPath) != w.keyDir {
				t.Errorf("%s: key file %s is not in %s", c.Account.Name, c.KeyPath, w.keyDir)
			}
			signer, err := ledger.LoadSigner(c.KeyPath)
			if err != nil {
				t.Errorf("%s: %v", c.Account.Name, err)
				continue
			}
			k, ok := byName[signer.Name()]
			if !ok || k.Participant != c.Account.Participant || k.RevokedFrom != 0 {
				t.Errorf("%s: key %s registered %v as %+v", c.Account.Name, signer.Name(), ok, k)
				continue
			}
			sig, err := signer.Sign(msg)
			if err != nil {
				t.Fatal(err)
			}
			v, err := note.NewVerifier(k.PublicKey)
			if err != nil || !v.Verify(msg, sig) {
				t.Errorf("%s: the key file's signature does not verify under the registered key (%v)", c.Account.Name, err)
			}
		}
	})

	t.Run("declarations on the log", func(t *testing.T) {
		cp, err := w.log.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := w.log.Entries(ctx, 0, cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		type decl struct{ participant, kind string }
		var got []decl
		for _, e := range entries {
			if e.Kind != indivisible.KindDeclaration {
				continue
			}
			var body struct{ Kind, Participant string }
			if err := json.Unmarshal(e.Body, &body); err != nil {
				t.Fatalf("entry %d: %v", e.Index, err)
			}
			if body.Participant != e.Participant {
				t.Errorf("entry %d by %s declares for %s", e.Index, e.Participant, body.Participant)
			}
			got = append(got, decl{e.Participant, body.Kind})
		}
		want := []decl{
			{"POL", "annual_exchange"}, {"POL", "exercise_notification"}, {"RUS", "exercise_notification"},
			{"DEU", "transfer_report"}, {"POL", "transfer_report"}, {"ARM", "annual_exchange"},
		}
		if !slices.Equal(got, want) {
			t.Errorf("declarations %v, want %v", got, want)
		}
	})

	t.Run("the forum", func(t *testing.T) {
		checkForum(t, w, creds)
	})

	t.Run("seeding again creates nothing", func(t *testing.T) {
		before, err := w.log.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		files, err := os.ReadDir(w.keyDir)
		if err != nil {
			t.Fatal(err)
		}
		again, err := demo.Seed(ctx, w.deps, w.keyDir, now.Add(time.Hour))
		if err != nil || again != nil {
			t.Fatalf("second seed: %v, %v; want no credentials, no error", again, err)
		}
		after, err := w.log.Checkpoint(ctx)
		if err != nil || after.Size != before.Size {
			t.Errorf("log size %d after the second seed, was %d (%v)", after.Size, before.Size, err)
		}
		accs, err := w.db.Accounts(ctx)
		if err != nil || len(accs) != len(wantAccounts) {
			t.Errorf("%d accounts after the second seed, want %d (%v)", len(accs), len(wantAccounts), err)
		}
		fs, err := w.db.Forums(ctx)
		if err != nil || len(fs) != 1 {
			t.Errorf("%d forums after the second seed, want 1 (%v)", len(fs), err)
		}
		files2, err := os.ReadDir(w.keyDir)
		if err != nil || len(files2) != len(files) {
			t.Errorf("%d key files after the second seed, were %d (%v)", len(files2), len(files), err)
		}
	})
}

// checkForum checks the forum the package documentation describes.
func checkForum(t *testing.T, w *world, creds []demo.Credential) {
	ctx := context.Background()
	fs, err := w.db.Forums(ctx)
	if err != nil || len(fs) != 1 {
		t.Fatalf("forums: %d, %v; want 1", len(fs), err)
	}
	f := fs[0]
	dels, err := w.db.Delegations(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	accredited := map[string]indivisible.DelegationKind{}
	for _, d := range dels {
		if d.Status != indivisible.Accredited {
			t.Errorf("delegation %s is %s", d.Participant, d.Status)
		}
		accredited[d.Participant] = d.Kind
	}
	wantDels := map[string]indivisible.DelegationKind{}
	var expertID int64
	var armKey string
	for _, c := range creds {
		switch c.Account.Role {
		case indivisible.RoleDelegation:
			wantDels[c.Account.Participant] = c.Account.Kind
			if c.Account.Participant == "ARM" {
				s, err := ledger.LoadSigner(c.KeyPath)
				if err != nil {
					t.Fatal(err)
				}
				armKey = s.Name()
			}
		case indivisible.RoleExpert:
			expertID = c.Account.ID
		}
	}
	if len(dels) != 8 || len(accredited) != len(wantDels) {
		t.Errorf("%d delegations, want the 8 demo delegations", len(dels))
	}
	for p, k := range wantDels {
		if accredited[p] != k {
			t.Errorf("delegation %s: kind %q, want %q", p, accredited[p], k)
		}
	}
	experts, err := w.db.Experts(ctx, f.ID)
	if err != nil || len(experts) != 1 || experts[0].AccountID != expertID {
		t.Errorf("experts %v, %v; want the independent expert alone", experts, err)
	}

	ss, err := w.db.Sessions(ctx, f.ID)
	if err != nil || len(ss) != 1 {
		t.Fatalf("sessions: %d, %v; want 1", len(ss), err)
	}
	items, err := w.db.Items(ctx, ss[0].ID)
	if err != nil || len(items) != 2 {
		t.Fatalf("items: %d, %v; want 2", len(items), err)
	}
	type itemWant struct {
		rule     string
		status   indivisible.ItemStatus
		versions int
		// positions by participant, and the one signed with its own key.
		stances map[string]indivisible.Stance
		signed  string
	}
	wants := []itemWant{
		{indivisible.RuleConsensus, indivisible.ItemOpen, 2, map[string]indivisible.Stance{
			"ARM": indivisible.Join, "AZE": indivisible.Support, "RUS": indivisible.Abstain, "AUS": indivisible.Join, "POL": indivisible.Support}, "ARM"},
		{indivisible.RuleQualifiedMajority, indivisible.ItemClosed, 1, map[string]indivisible.Stance{
			"POL": indivisible.Support, "DEU": indivisible.Support, "RUS": indivisible.Object, "ARM": indivisible.Abstain}, ""},
	}
	for i, want := range wants {
		it := items[i]
		if it.Rule.Name != want.rule || it.Status != want.status {
			t.Errorf("item %d: %s %s, want %s %s", i, it.Rule.Name, it.Status, want.rule, want.status)
		}
		vs, err := w.db.Versions(ctx, it.ID)
		if err != nil || len(vs) != want.versions {
			t.Errorf("item %d: %d versions (%v), want %d", i, len(vs), err, want.versions)
		}
		ps, err := w.db.Positions(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]indivisible.Stance{}
		for _, p := range ps {
			got[p.Participant] = p.Stance
			switch {
			case p.Participant == want.signed && p.KeyName != armKey:
				t.Errorf("item %d: %s's position is signed by %q, want its own key %s", i, p.Participant, p.KeyName, armKey)
			case p.Participant != want.signed && p.KeyName != "":
				t.Errorf("item %d: %s's position is signed by %q, want attested", i, p.Participant, p.KeyName)
			}
		}
		if len(ps) != len(want.stances) || !maps.Equal(got, want.stances) {
			t.Errorf("item %d: positions %v, want %v", i, got, want.stances)
		}
		_, err = w.db.Decision(ctx, it.ID)
		if decided := err == nil; decided != (want.status == indivisible.ItemClosed) {
			t.Errorf("item %d: decision %v", i, err)
		}
	}

	qs, err := w.db.Questions(ctx, f.ID)
	if err != nil || len(qs) != 1 {
		t.Fatalf("questions: %d, %v; want 1", len(qs), err)
	}
	if qs[0].Round != 1 {
		t.Errorf("question in round %d, want 1", qs[0].Round)
	}
	ans, err := w.db.Answers(ctx, qs[0].ID, 1)
	if err != nil || len(ans) != 1 || ans[0].Value != 450 {
		t.Errorf("answers %v, %v; want the expert's 450", ans, err)
	}
}
