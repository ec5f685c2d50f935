package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/monitor"
)

// cmdMonitor is a participant's monitor of the log: flags, I/O and wiring
// over package monitor.
func cmdMonitor(ctx context.Context, e *env, args []string) error {
	fs := newFlags("monitor", e)
	server := fs.String("server", "", "the service's `URL` (its log is under URL/log/)")
	dir := fs.String("dir", "indivisible-monitor", "`DIR` keeping the monitor's copy of the log (created if need be)")
	once := fs.Bool("once", false, "catch up, verify everything and exit: 0 when the log is consistent, non-zero with the reason otherwise")
	participant := fs.String("participant", "", "report new entries and findings about participant `CODE`")
	witnesses := fs.String("witnesses", "", "witness policy `FILE` (torchwood/Sigsum format): require its quorum of cosignatures")
	key := fs.String("key", "", "the log's verifier key `FILE` to trust (default: pinned in DIR, or fetched from URL/log/key on first use)")
	listen := fs.String("listen", "", "serve /metrics on `ADDRESS` (host:port) while following the log")
	interval := fs.Duration("interval", time.Minute, "how often to fetch the checkpoint while following the log")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	u, err := url.Parse(*server)
	if *server == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return indivisible.Invalid("server", "%q is not the http or https URL of a service", *server)
	}
	if *interval <= 0 {
		return indivisible.Invalid("interval", "must be positive")
	}
	cfg := monitor.Config{URL: strings.TrimRight(*server, "/") + "/log/", Dir: *dir, Participant: *participant,
		Regime: exchange.DefaultRegime(), HTTPClient: &http.Client{Timeout: 2 * time.Minute}}
	if *key != "" {
		if err := mustExist(*key); err != nil {
			return err
		}
		if cfg.Key, err = ledger.ReadVerifierKey(*key); err != nil {
			return err
		}
	}
	if *witnesses != "" {
		if cfg.Policy, err = readInput(*witnesses); err != nil {
			return err
		}
	}
	level := slog.LevelInfo
	if *once {
		level = slog.LevelWarn // the summary on stdout says the rest
	}
	cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	m, err := monitor.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	if *once {
		rep, err := m.Update(ctx)
		printMonitorReport(e.stdout, *server, *participant, rep, err)
		if err == nil {
			err = m.Standing()
		}
		return err
	}
	if *listen != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Handler())
		go func() {
			if err := serveHTTP(ctx, e, *listen, mux, cfg.Logger, nil); err != nil {
				cfg.Logger.Error("metrics server", "err", err)
			}
		}()
	}
	if err := m.Standing(); err != nil {
		cfg.Logger.Error("ALARM standing", "err", indivisible.ErrorMessage(err))
	}
	return m.Run(ctx, *interval)
}

// printMonitorReport is -once's summary.
func printMonitorReport(w io.Writer, server, participant string, rep *monitor.Report, err error) {
	if rep == nil {
		return
	}
	var b strings.Builder
	cp := rep.Checkpoint
	fmt.Fprintf(&b, "log %s at %s: %d entries verified (%d new), checkpoint of size %d, root %v\n", cp.Origin, server, cp.Size, cp.Size-rep.From, cp.Size, cp.Root)
	if rep.Served.Size != cp.Size && rep.Served.Note != nil {
		fmt.Fprintf(&b, "served: checkpoint of size %d, root %v (not taken into the copy)\n", rep.Served.Size, rep.Served.Root)
	}
	if rep.Cosigned {
		fmt.Fprintf(&b, "cosigned: the checkpoint carries the witness policy's quorum\n")
	}
	if participant != "" {
		fmt.Fprintf(&b, "new entries about %s: %d\n", participant, len(rep.Notices))
		for _, n := range rep.Notices {
			fmt.Fprintf(&b, "  %6d  %-11s  %s\n", n.Index, n.Kind, n.Summary)
		}
		fmt.Fprintf(&b, "new findings concerning %s: %d\n", participant, len(rep.NewFindings))
		for _, f := range rep.NewFindings {
			fmt.Fprintf(&b, "  %s %v: %s\n", f.Rule, f.Entries, f.Message)
		}
	}
	for _, wn := range rep.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", wn)
	}
	if err == nil {
		fmt.Fprintf(&b, "findings: %d, %d concerning %s\n", len(rep.Findings), len(exchange.Concerning(rep.Findings, participant)), orAll(participant))
		b.WriteString("consistent: every entry, signature and consistency proof verified\n")
	} else if monitor.IsAlarm(err) {
		fmt.Fprintf(&b, "ALARM (%s): %s\n", indivisible.ErrorField(err), indivisible.ErrorMessage(err))
	}
	io.WriteString(w, b.String())
}

func orAll(p string) string {
	if p == "" {
		return "no participant named"
	}
	return p
}
