package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/accounts"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/cosign"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/postgres"
	"github.com/indivisible-eurasia/indivisible/server"
	"github.com/indivisible-eurasia/indivisible/sqlite"
	"github.com/indivisible-eurasia/indivisible/sqlstore"
	"github.com/indivisible-eurasia/indivisible/web"
)

// app is the wiring of a running service, shared by serve and demo (and
// their tests): the store, the log, the model and the HTTP handler.
type app struct {
	db       *sqlstore.Store
	log      *ledger.Log
	scenario *indivisible.Scenario
	model    *model.System
	exchange *exchange.Service
	forum    *forum.Service
	api      *api.Server
	// handler serves the API and the pages (package server).
	handler http.Handler
	// witnesses collects the witnesses' cosignatures (serve -witnesses);
	// nil without a policy. runWitnesses runs it.
	witnesses *cosign.Collector
}

type appConfig struct {
	db, logKey string
	scenario   string
	params     string
	logger     *slog.Logger
	rate       float64
	burst      int
	// publicURL is -public-url (nil: none).
	publicURL *url.URL
	// origin is -origin, the name of a log created on first start ("":
	// derived from publicURL, see logOrigin).
	origin string
	// witnesses is -witnesses, the witness policy file ("": none).
	witnesses string
}

// openApp opens (creating and migrating on first start) the database, the
// log with its signing key, and the model, and builds the HTTP handler.
func openApp(ctx context.Context, c appConfig) (*app, error) {
	a := &app{}
	ok := false
	defer func() {
		if !ok {
			a.close()
		}
	}()
	mf := modelFlags{scenario: c.scenario, params: c.params}
	var err error
	if a.model, err = mf.system(); err != nil {
		return nil, err
	}
	if a.scenario, err = openScenario(c.scenario); err != nil {
		return nil, err
	}
	if c.logKey, err = logKeyFor(c.db, c.logKey); err != nil {
		return nil, err
	}
	if a.db, err = openStore(ctx, c.db); err != nil {
		return nil, err
	}
	if err := ensureLog(ctx, a.db, c.logKey, c, c.logger); err != nil {
		return nil, err
	}
	if err := mustExist(c.logKey); err != nil {
		return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, c.logKey, "the log's signing key is missing")
	}
	signer, err := ledger.LoadSigner(c.logKey)
	if err != nil {
		return nil, err
	}
	if a.log, err = ledger.Open(ctx, a.db, signer); err != nil {
		return nil, err
	}
	// Appends go through nl, which wakes the witness collector at once.
	nl := &notifyingLog{Log: a.log}
	var webLedger web.Ledger = nl
	var apiWitnesses api.Witnesses
	if c.witnesses != "" {
		if a.witnesses, err = openWitnesses(c, a.log); err != nil {
			return nil, err
		}
		nl.notify = a.witnesses.Notify
		webLedger = &witnessedLog{notifyingLog: nl, c: a.witnesses}
		apiWitnesses = a.witnesses
	}
	a.exchange = exchange.NewService(nl, exchange.NewCodes(a.scenario), exchange.DefaultRegime())
	a.forum = forum.NewService(forum.Config{Store: a.db, Accounts: a.db, Assessor: a.model, Log: nl,
		Attester: &ledger.FileAttester{Log: a.log, Participant: indivisible.ForumParticipant, KeyPath: forumKeyPath(c.logKey)},
		Scenario: a.scenario})
	// Key registrations go through nl, as declarations do.
	accountService := accounts.New(accounts.Config{Store: a.db, Scenario: a.scenario, Keys: nl})
	a.api = api.New(api.Config{
		Logger: c.logger, Scenario: a.scenario, Assessor: a.model, Baseline: a.model, Explainer: a.model,
		Accounts: a.db, AccountService: accountService, Log: a.log, Ledger: nl, Witnesses: apiWitnesses, Exchange: a.exchange, Forum: a.forum, Rate: c.rate, Burst: c.burst, Version: version(),
		Ready: func(ctx context.Context) error { return a.db.DB.PingContext(ctx) },
	})
	pages := web.NewHandler(web.Deps{Scenario: a.scenario, Assessor: a.model, Explainer: a.model, Logger: c.logger,
		Exchange: a.exchange, Ledger: webLedger, Accounts: a.db, AccountService: accountService, Forum: a.forum, PublicURL: c.publicURL, Version: version()})
	a.handler = server.New(a.api, pages)
	a.api.Gauge("indivisible_log_size", "Entries in the tamper-evident log.", func() float64 {
		cp, err := a.log.Checkpoint(context.Background())
		if err != nil {
			return -1
		}
		return float64(cp.Size)
	})
	a.api.Gauge("indivisible_findings", "Findings of the regime's rules over the whole log.", func() float64 {
		fs, _, err := a.exchange.Findings(context.Background(), nil)
		if err != nil {
			return -1
		}
		return float64(len(fs))
	})
	ok = true
	return a, nil
}

// openStore opens the database named by -db: a PostgreSQL URL, or else a
// SQLite file.
func openStore(ctx context.Context, db string) (*sqlstore.Store, error) {
	if postgres.IsURL(db) {
		pg, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, err
		}
		return pg.Store, nil
	}
	lite, err := sqlite.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	return lite.Store, nil
}

// openStoreReadOnly opens the existing database named by -db for commands
// that only read it. A SQLite file is opened read-only and never
// migrated; PostgreSQL is opened as usual (package postgres has no
// read-only mode: a read-only command against it migrates an old schema).
func openStoreReadOnly(ctx context.Context, db string) (*sqlstore.Store, error) {
	if postgres.IsURL(db) {
		return openStore(ctx, db)
	}
	lite, err := sqlite.OpenReadOnly(ctx, db)
	if err != nil {
		return nil, err
	}
	return lite.Store, nil
}

// ensureLog creates the log and its signing key on first start, named by
// logOrigin(c) (ledger.Ensure keeps the rule that no log exists without
// its key). An existing log keeps its origin: asking for another with
// -origin is an error, and one that only follows from -public-url is
// worth a warning.
func ensureLog(ctx context.Context, db logstore.Store, keyPath string, c appConfig, logger *slog.Logger) error {
	origin, err := logOrigin(c)
	if err != nil {
		return err
	}
	info, created, err := ledger.Ensure(ctx, db, keyPath, origin, c.origin != "")
	switch {
	case err != nil:
		return err
	case logger == nil:
	case created:
		logger.Info("created the log", "key", keyPath, "origin", origin)
	case info.Origin != origin && c.publicURL != nil:
		logger.Warn("the log keeps the origin it was created with", "origin", info.Origin, "public_url_origin", origin)
	}
	return nil
}

// forumKeyPath is the forum's attestation key file, next to the log's
// key (DB.forum.key and DB.forum.pub).
func forumKeyPath(logKey string) string { return strings.TrimSuffix(logKey, ".key") + ".forum.key" }

// logOrigin is the name a new log gets: -origin, or else the log's URL
// prefix under -public-url without the scheme, as C2SP tlog-tiles advises
// (the server serves the log under /log/), or else ledger.DefaultOrigin.
func logOrigin(c appConfig) (string, error) {
	switch {
	case c.origin != "":
		return c.origin, nil
	case c.publicURL != nil:
		return ledger.OriginFromURL(c.publicURL.JoinPath("log").String())
	}
	return ledger.DefaultOrigin, nil
}

// openWitnesses reads the witness policy and makes the collector for l.
// With a SQLite database the latest cosigned checkpoint is kept next to
// it (cosignedPath), for ledger verify -witnesses and restarts.
func openWitnesses(c appConfig, l *ledger.Log) (*cosign.Collector, error) {
	if err := mustExist(c.witnesses); err != nil {
		return nil, err
	}
	p, err := cosign.ReadPolicy(c.witnesses)
	if err != nil {
		return nil, err
	}
	opts := cosign.Options{Logger: c.logger}
	if !postgres.IsURL(c.db) {
		opts.StateFile = cosignedPath(c.db)
	}
	col, err := cosign.NewCollector(l, p, opts)
	if err != nil {
		return nil, indivisible.InFile(c.witnesses, err)
	}
	return col, nil
}

// cosignedPath is where serve -witnesses keeps the latest checkpoint
// cosigned by the quorum, next to a SQLite database.
func cosignedPath(db string) string { return db + ".cosigned" }

// runWitnesses runs the witness collector, if any, until ctx ends or stop
// is called; stop waits for it to finish.
func (a *app) runWitnesses(ctx context.Context) (stop func()) {
	if a.witnesses == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.witnesses.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// notifyingLog is the log as the services append to it: every append
// wakes the witness collector, so that a new checkpoint goes to the
// witnesses without waiting for the collector's poll. It never waits for
// the witnesses.
type notifyingLog struct {
	*ledger.Log
	notify func() // nil without witnesses
}

func (l *notifyingLog) wake() {
	if l.notify != nil {
		l.notify()
	}
}

func (l *notifyingLog) Append(ctx context.Context, e indivisible.Entry) (indivisible.Entry, error) {
	e, err := l.Log.Append(ctx, e)
	l.wake()
	return e, err
}

func (l *notifyingLog) Record(ctx context.Context, e indivisible.Entry, f indivisible.Fact) (indivisible.Entry, error) {
	e, err := l.Log.Record(ctx, e, f)
	l.wake()
	return e, err
}

func (l *notifyingLog) RegisterKey(ctx context.Context, participant, vkey string) (indivisible.Key, error) {
	k, err := l.Log.RegisterKey(ctx, participant, vkey)
	l.wake()
	return k, err
}

func (l *notifyingLog) RevokeKey(ctx context.Context, name string, from int64) (indivisible.Key, error) {
	k, err := l.Log.RevokeKey(ctx, name, from)
	l.wake()
	return k, err
}

// witnessedLog is the log as the web pages read it with witnesses
// (web.Witnessed): the Log and entry pages show the cosigned checkpoint.
type witnessedLog struct {
	*notifyingLog
	c *cosign.Collector
}

func (l *witnessedLog) Cosigned(ctx context.Context) (indivisible.Checkpoint, error) {
	return l.c.Cosigned(ctx)
}

func (l *witnessedLog) ProveCosigned(ctx context.Context, index int64) (*ledger.InclusionProof, error) {
	return l.c.ProveInclusion(ctx, index)
}

func (l *witnessedLog) Witnesses() cosign.Status { return l.c.Status() }

func (l *witnessedLog) Policy() *cosign.Policy { return l.c.Policy() }

func (a *app) close() {
	if a.log != nil {
		a.log.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
}
