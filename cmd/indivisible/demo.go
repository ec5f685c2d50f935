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
	"github.com/indivisible-eurasia/indivisible/demo"
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
	return serveHTTP(ctx, e, *addr, a.handler, logger, func(url string) {
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

// seedDemo seeds a's database with package demo's data, as the demo
// command wires it, the delegations' keys under dir/keys.
func seedDemo(ctx context.Context, a *app, dir string) ([]demo.Credential, error) {
	d := demo.Deps{Accounts: a.db, Keys: a.log, Exchange: a.exchange, Forum: a.forum}
	return demo.Seed(ctx, d, demoKeyDir(dir), time.Now().UTC())
}

func demoKeyDir(dir string) string { return filepath.Join(dir, "keys") }

func printDemo(w io.Writer, url, dir string, temporary bool, creds []demo.Credential) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nIndivisible demo: open %s in a browser.\n\ndata: %s (keys in %s)\n", url, dir, demoKeyDir(dir))
	if temporary {
		b.WriteString("The data are removed when the demo stops; give -dir DIR to keep them.\n")
	}
	if len(creds) == 0 {
		b.WriteString("\nThis directory was seeded before: its tokens were shown then. Use a new -dir for fresh ones.\n")
	} else {
		b.WriteString("\nAPI tokens (shown once; send as 'Authorization: Bearer TOKEN'):\n\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "account\trole\tparticipant\ttoken\tsigning key")
		for _, c := range creds {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Account.Name, c.Account.Role, c.Account.Participant, c.Token, keyFileName(c.KeyPath))
		}
		tw.Flush()
		fmt.Fprintf(&b, "\nTry:\n  curl %s/api/v1/findings\n  curl -H 'Authorization: Bearer %s' -d @examples/05-caucasus-cbm.json %s/api/v1/assess\n", url, creds[1].Token, url)
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
