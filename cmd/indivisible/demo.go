package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"github.com/indivisible-eurasia/indivisible/witness"
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
	cfg := appConfig{db: filepath.Join(*dir, "indivisible.db"), scenario: scenario.DefaultName, logger: logger, rate: 200, burst: 400, publicURL: public.u, origin: org.name}
	// The witnesses need the log's key, and the log's server their
	// policy: create the log first.
	info, err := demoLog(ctx, cfg)
	if err != nil {
		return err
	}
	ws, stop, err := startDemoWitnesses(ctx, *dir, info, logger)
	if err != nil {
		return err
	}
	defer stop()
	if cfg.witnesses, err = writeDemoPolicy(*dir, info, ws); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.close()
	defer a.runWitnesses(ctx)()
	creds, err := seedDemo(ctx, a, *dir)
	if err != nil {
		return err
	}
	// So that the first visitor sees the seeded log cosigned: wait a
	// little for the witnesses (the demo serves anyway if they are slow).
	if cp, err := a.log.Checkpoint(ctx); err == nil && a.witnesses != nil {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		a.witnesses.Wait(wctx, cp.Size)
		cancel()
	}
	return serveHTTP(ctx, e, *addr, a.api, logger, func(url string) {
		printDemo(e.stdout, url, *dir, temporary, creds)
		printDemoWitnesses(e.stdout, cfg.db, cfg.witnesses, ws)
	})
}

// demoWitnesses are the states whose delegations run the demo's
// witnesses; two of the three must cosign.
var demoWitnesses = []string{"POL", "RUS", "ARM"}

// demoWitness is one running demo witness.
type demoWitness struct {
	participant, vkey, url string
}

// demoLog creates the demo's log, if the directory has none yet, and
// returns its identity.
func demoLog(ctx context.Context, c appConfig) (indivisible.LogInfo, error) {
	store, err := openStore(ctx, c.db)
	if err != nil {
		return indivisible.LogInfo{}, err
	}
	defer store.Close()
	if err := ensureLog(ctx, store, logKeyPath(c.db), c, c.logger); err != nil {
		return indivisible.LogInfo{}, err
	}
	return store.Info(ctx)
}

// startDemoWitnesses runs, in this process, one witness (package witness)
// per demoWitnesses state on a loopback port, each with its own key and
// state directory under dir/witnesses, cosigning for the log info names.
func startDemoWitnesses(ctx context.Context, dir string, info indivisible.LogInfo, logger *slog.Logger) (ws []demoWitness, stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	defer func() {
		if err != nil {
			stop()
		}
	}()
	base := filepath.Join(dir, "witnesses")
	if err := os.MkdirAll(base, 0o700); err != nil {
		return nil, nil, indivisible.Invalid("dir", "%v", err)
	}
	for _, p := range demoWitnesses {
		keyPath := filepath.Join(base, p+".key")
		if _, err := os.Stat(keyPath); err != nil {
			skey, _, err := witness.GenerateKey(rand.Reader, "witness.demo/"+strings.ToLower(p))
			if err != nil {
				return nil, nil, err
			}
			if err := ledger.WriteKeyFile(keyPath, skey); err != nil {
				return nil, nil, err
			}
		}
		signer, err := witness.LoadSigner(keyPath)
		if err != nil {
			return nil, nil, err
		}
		w, err := witness.Open(witness.Config{Signer: signer, Dir: filepath.Join(base, p),
			Logs: []witness.Log{{Origin: info.Origin, Keys: []string{info.VerifierKey}}}})
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			w.Close()
			return nil, nil, indivisible.Errorf(indivisible.EINTERNAL, "witness %s: %v", p, err)
		}
		srv := &http.Server{Handler: w, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		go srv.Serve(ln)
		stops = append(stops, func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(sctx)
			w.Close()
		})
		ws = append(ws, demoWitness{participant: p, vkey: w.VerifierKey(), url: "http://" + ln.Addr().String()})
	}
	return ws, stop, nil
}

// writeDemoPolicy writes the demo's witness policy, two of the three
// witnesses, to dir/witnesses.txt and returns its path.
func writeDemoPolicy(dir string, info indivisible.LogInfo, ws []demoWitness) (string, error) {
	var b strings.Builder
	b.WriteString("# The demo's witness policy (cosign package documentation): the log,\n# three witnesses run by delegations, and a quorum of two.\n")
	fmt.Fprintf(&b, "log %s\n", info.VerifierKey)
	var names []string
	for _, w := range ws {
		fmt.Fprintf(&b, "witness %s %s %s\n", w.participant, w.vkey, w.url)
		names = append(names, w.participant)
	}
	fmt.Fprintf(&b, "group delegations 2 %s\nquorum delegations\n", strings.Join(names, " "))
	path := filepath.Join(dir, "witnesses.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return "", indivisible.Invalid("dir", "%v", err)
	}
	return path, nil
}

func printDemoWitnesses(w io.Writer, db, policy string, ws []demoWitness) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nWitnesses (2 of 3 must cosign each checkpoint; policy %s):\n", policy)
	for _, x := range ws {
		fmt.Fprintf(&b, "  %s  %s\n", x.participant, x.url)
	}
	b.WriteString("The cosigned checkpoint is at /log/checkpoint; check it with\n  indivisible ledger verify -db " + db + " -witnesses " + policy + "\n")
	io.WriteString(w, b.String())
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
