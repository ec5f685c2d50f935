package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// serveFlags are the flags of serve.
type serveFlags struct {
	addr, db, logKey, scenario, params string
	witnesses                          string
	rate                               float64
	burst                              int
}

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags("serve", e)
	var f serveFlags
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen `ADDRESS` (host:port; port 0 picks a free one)")
	fs.StringVar(&f.db, "db", "indivisible.db", "SQLite database `FILE`, or postgres://… URL; created or migrated on start")
	fs.StringVar(&f.logKey, "log-key", "", "the log's signing key `FILE` (default: the database path + .key)")
	fs.StringVar(&f.scenario, "scenario", scenario.DefaultName, "scenario: eurasia (embedded) or a directory")
	fs.StringVar(&f.params, "params", "", "model parameter `FILE` (JSON)")
	fs.Float64Var(&f.rate, "rate", 50, "requests per second allowed per token (or per address without one)")
	fs.IntVar(&f.burst, "burst", 100, "request burst allowed per token")
	fs.StringVar(&f.witnesses, "witnesses", "", "witness policy `FILE` (torchwood/Sigsum format: log, witness NAME VKEY URL, group, quorum): submit every checkpoint to the witnesses and serve it cosigned")
	public := publicURL(fs)
	org := origin(fs, true)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	a, err := openApp(ctx, appConfig{db: f.db, logKey: f.logKey, scenario: f.scenario, params: f.params, logger: logger, rate: f.rate, burst: f.burst, publicURL: public.u, origin: org.name, witnesses: f.witnesses})
	if err != nil {
		return err
	}
	defer a.close()
	// Stopped after the HTTP server, before the log closes (defers run
	// last in, first out).
	defer a.runWitnesses(ctx)()
	return serveHTTP(ctx, e, f.addr, a.handler, logger, nil)
}

// serveHTTP listens on addr and serves h until ctx is done, then shuts
// down gracefully, letting in-flight requests finish. ready, if not nil,
// gets the URL once the listener is open.
func serveHTTP(ctx context.Context, e *env, addr string, h http.Handler, logger *slog.Logger, ready func(url string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return indivisible.Invalid("addr", "%v", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String()
	logger.Info("listening", "url", url)
	fmt.Fprintf(e.stdout, "listening on %s\n", url)
	if ready != nil {
		ready(url)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
