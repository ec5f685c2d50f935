package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// cmdDemo is the README's main job: a complete service on SQLite with the
// Eurasia scenario, demonstration delegations with keys and tokens, and a
// few declarations already on the log.
func cmdDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags("demo", e)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `ADDRESS` (port 0 picks a free one)")
	dir := fs.String("dir", "", "`DIR` for the database and keys, kept (default: a new temporary directory, removed when the demo stops)")
	public := publicURL(fs)
	org := origin(fs, true)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	temporary := *dir == ""
	if temporary {
		d, err := os.MkdirTemp("", "indivisible-demo-")
		if err != nil {
			return indivisible.Errorf(indivisible.EINTERNAL, "temporary directory: %v", err)
		}
		*dir = d
		// Removed however the demo ends: SIGINT and SIGTERM cancel ctx
		// (mainExit), so serveHTTP returns and this runs after the
		// database is closed.
		defer os.RemoveAll(d)
	} else if err := os.MkdirAll(*dir, 0o700); err != nil {
		return indivisible.Invalid("dir", "%v", err)
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := openApp(ctx, appConfig{db: filepath.Join(*dir, "indivisible.db"), scenario: scenario.DefaultName, logger: logger, rate: 200, burst: 400, publicURL: public.u, origin: org.name})
	if err != nil {
		return err
	}
	defer a.close()
	creds, err := seedDemo(ctx, a, *dir)
	if err != nil {
		return err
	}
	return serveHTTP(ctx, e, *addr, a.api, logger, func(url string) { printDemo(e.stdout, url, *dir, temporary, creds) })
}

// demoAccount is one account the demo creates.
type demoAccount struct {
	acc     indivisible.Account
	token   string
	keyPath string
}

// demoAccounts are the demonstration delegations: member states on both
// sides, a partner state, an organisation and an integration association,
// an expert and a public reader.
var demoAccounts = []indivisible.Account{
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

// seedDemo creates the demo's accounts, tokens, keys and declarations. On
// a directory seeded before it creates nothing and returns no credentials:
// tokens are shown only once.
func seedDemo(ctx context.Context, a *app, dir string) ([]demoAccount, error) {
	existing, err := a.db.Accounts(ctx)
	if err != nil || len(existing) > 0 {
		return nil, err
	}
	keyDir := filepath.Join(dir, "keys")
	if err := os.MkdirAll(keyDir, 0o700); err != nil {
		return nil, indivisible.Invalid("dir", "%v", err)
	}
	var out []demoAccount
	for _, acc := range demoAccounts {
		d := demoAccount{acc: acc}
		if err := a.db.CreateAccount(ctx, &d.acc); err != nil {
			return nil, err
		}
		secret, hash := indivisible.NewTokenSecret()
		if _, err := a.db.CreateToken(ctx, d.acc.ID, "demo", hash); err != nil {
			return nil, err
		}
		d.token = secret
		if acc.Role == indivisible.RoleDelegation {
			_, keyPath, pubPath, err := ledger.WriteKeyPair(rand.Reader, keyDir, acc.Participant)
			if err != nil {
				return nil, err
			}
			vkey, err := ledger.ReadVerifierKey(pubPath)
			if err != nil {
				return nil, err
			}
			if _, err := a.log.RegisterKey(ctx, acc.Participant, vkey); err != nil {
				return nil, err
			}
			d.keyPath = keyPath
		}
		out = append(out, d)
	}
	keyOf := map[string]string{}
	for _, d := range out {
		keyOf[d.acc.Participant] = d.keyPath
	}
	for _, decl := range demoDeclarations(time.Now().UTC()) {
		signer, err := ledger.LoadSigner(keyOf[decl.participant])
		if err != nil {
			return nil, err
		}
		sig, err := signer.Sign([]byte(decl.body))
		if err != nil {
			return nil, indivisible.Errorf(indivisible.EINTERNAL, "sign: %v", err)
		}
		if _, err := a.exchange.Submit(ctx, []byte(decl.body), signer.Name(), sig); err != nil {
			return nil, fmt.Errorf("demo declaration of %s: %w", decl.participant, err)
		}
	}
	if err := seedForum(ctx, a, out); err != nil {
		return nil, fmt.Errorf("demo forum: %w", err)
	}
	return out, nil
}

type demoDeclaration struct{ participant, body string }

// demoDeclarations are a handful of declarations that show the regime at
// work: on-time filings, a late exercise notification, and two transfer
// reports that disagree.
func demoDeclarations(now time.Time) []demoDeclaration {
	day := func(d int) string { return now.AddDate(0, 0, d).Format("2006-01-02") }
	next := now.Year() + 1
	return []demoDeclaration{
		{"POL", fmt.Sprintf(`{"kind": "annual_exchange", "participant": "POL", "year": %d, "holdings": {"personnel": 164000, "battle_tanks": 612, "armoured_combat_vehicles": 1580, "artillery": 820, "combat_aircraft": 95}}`, next)},
		{"POL", fmt.Sprintf(`{"kind": "exercise_notification", "participant": "POL", "name": "Anakonda", "start": %q, "end": %q, "host": "POL", "participating_states": ["POL", "DEU"], "personnel": 14500, "battle_tanks": 180, "armoured_combat_vehicles": 420, "artillery": 96, "aircraft_sorties": 240, "airborne_amphibious_troops": 0, "observers_invited": true}`, day(60), day(71))},
		{"RUS", fmt.Sprintf(`{"kind": "exercise_notification", "participant": "RUS", "name": "Zapad", "start": %q, "end": %q, "host": "RUS", "participating_states": ["RUS"], "personnel": 12800, "battle_tanks": 250, "armoured_combat_vehicles": 480, "artillery": 240, "aircraft_sorties": 150, "airborne_amphibious_troops": 0, "observers_invited": false}`, day(20), day(27))},
		{"DEU", fmt.Sprintf(`{"kind": "transfer_report", "participant": "DEU", "role": "exporter", "year": %d, "counterpart": "POL", "category": "battle_tanks", "quantity": 14, "description": "Leopard 2A4 from German Army stocks"}`, now.Year()-1)},
		{"POL", fmt.Sprintf(`{"kind": "transfer_report", "participant": "POL", "role": "importer", "year": %d, "counterpart": "DEU", "category": "battle_tanks", "quantity": 12, "description": "Leopard 2A4"}`, now.Year()-1)},
		{"ARM", fmt.Sprintf(`{"kind": "annual_exchange", "participant": "ARM", "year": %d, "holdings": {"personnel": 42900, "battle_tanks": 109, "armoured_combat_vehicles": 200, "artillery": 232, "combat_aircraft": 4}}`, next)},
	}
}

func printDemo(w io.Writer, url, dir string, temporary bool, creds []demoAccount) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nIndivisible demo: open %s in a browser.\n\ndata: %s (keys in %s)\n", url, dir, filepath.Join(dir, "keys"))
	if temporary {
		b.WriteString("The data are removed when the demo stops; give -dir DIR to keep them.\n")
	}
	if len(creds) == 0 {
		b.WriteString("\nThis directory was seeded before: its tokens were shown then. Use a new -dir for fresh ones.\n")
	} else {
		b.WriteString("\nAPI tokens (shown once; send as 'Authorization: Bearer TOKEN'):\n\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "account\trole\tparticipant\ttoken\tsigning key")
		for _, d := range creds {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.acc.Name, d.acc.Role, d.acc.Participant, d.token, keyFileName(d.keyPath))
		}
		tw.Flush()
		fmt.Fprintf(&b, "\nTry:\n  curl %s/api/v1/findings\n  curl -H 'Authorization: Bearer %s' -d @examples/05-caucasus-cbm.json %s/api/v1/assess\n", url, creds[1].token, url)
	}
	b.WriteString("\nPress Ctrl-C to stop.\n")
	io.WriteString(w, b.String())
}

func keyFileName(path string) string {
	if path == "" {
		return "-"
	}
	return filepath.Base(path)
}
