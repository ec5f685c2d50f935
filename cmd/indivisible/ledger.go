package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/cosign"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/postgres"
	"github.com/indivisible-eurasia/indivisible/sqlstore"
)

var ledgerCommands = map[string]command{
	"init":       {"create a log and its signing key: -db FILE|URL [-log-key FILE]", cmdLedgerInit},
	"checkpoint": {"the latest signed checkpoint: -db FILE|URL", cmdLedgerCheckpoint},
	"proof":      {"inclusion proof of an entry: -db FILE|URL -index N", cmdLedgerProof},
	"verify":     {"audit every hash and signature: -db FILE|URL [-since CP] [-witnesses FILE]", cmdLedgerVerify},
	"tile":       {"a C2SP tile: -db FILE|URL PATH", cmdLedgerTile},
}

// The operator commands (admin, keys, ledger) work on the database
// directly, a SQLite file or a PostgreSQL URL: whoever can open it needs
// no account. The participant commands are API clients (remote.go).

// dbUsage is the -db flag's usage for the operator commands.
const dbUsage = "the database: a SQLite `FILE` or a postgres://… URL"

// logKeyUsage is the -log-key flag's usage for the commands that sign.
const logKeyUsage = "the log's signing key `FILE` (default: a SQLite database's path + .key; required with PostgreSQL)"

// logKeyPath is where the log's private signing key lives: next to the
// database, mode 0600, so that the database itself (and its backups) hold
// only public data.
func logKeyPath(db string) string { return db + ".key" }

// logKeyFor is the signing key file of the log in db: -log-key, or else
// next to a SQLite database. A PostgreSQL URL names no file, so there the
// key must be given.
func logKeyFor(db, logKey string) (string, error) {
	switch {
	case logKey != "":
		return logKey, nil
	case postgres.IsURL(db):
		return "", indivisible.Invalid("log-key", "a PostgreSQL database needs -log-key FILE, the log's signing key")
	}
	return logKeyPath(db), nil
}

// redactDB is -db as messages show it: a PostgreSQL URL without its
// password.
func redactDB(db string) string {
	if u, err := url.Parse(db); err == nil && postgres.IsURL(db) {
		return u.Redacted()
	}
	return db
}

// openExisting opens the database named by -db, which must exist, so
// that a typo never silently creates an empty SQLite file: a missing one
// is ENOTFOUND. With write it is migrated if need be; without, a SQLite
// file is opened read-only and never migrated or written
// (openStoreReadOnly), so that an audit leaves what it audits untouched.
func openExisting(ctx context.Context, db string, write bool) (*sqlstore.Store, error) {
	if db == "" {
		return nil, indivisible.Invalid("db", "-db FILE or -db postgres://… is required")
	}
	if !postgres.IsURL(db) {
		if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
			return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, db, "no such database; create it with 'indivisible ledger init -db %s'", db)
		}
	}
	if write {
		return openStore(ctx, db)
	}
	return openStoreReadOnly(ctx, db)
}

// openLog opens the log in the existing database db. With write it also
// loads the log's signing key (logKey, see logKeyFor), so that entries
// can be appended; without, it only reads. The caller calls the returned
// function when done.
func openLog(ctx context.Context, db, logKey string, write bool) (*ledger.Log, func(), error) {
	store, err := openExisting(ctx, db, write)
	if err != nil {
		return nil, nil, err
	}
	signer, err := logSigner(db, logKey, write)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	l, err := ledger.Open(ctx, store, signer)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return l, func() { l.Close(); store.Close() }, nil
}

// logSigner loads the log's signing key for a command that appends (nil
// for one that only reads).
func logSigner(db, logKey string, write bool) (note.Signer, error) {
	if !write {
		return nil, nil
	}
	key, err := logKeyFor(db, logKey)
	if err != nil {
		return nil, err
	}
	if err := mustExist(key); err != nil {
		return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, key, "the log's signing key is missing")
	}
	return ledger.LoadSigner(key)
}

// cmdLedgerInit creates a database with an empty log and the log's
// signing key.
func cmdLedgerInit(ctx context.Context, e *env, args []string) error {
	fs := newFlags("ledger init", e)
	db := fs.String("db", "", dbUsage+" (a SQLite file is created)")
	logKey := fs.String("log-key", "", "the log's signing key `FILE` to create (default: a SQLite database's path + .key; required with PostgreSQL)")
	org := origin(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return indivisible.Invalid("db", "-db FILE or -db postgres://… is required")
	}
	keyPath, err := logKeyFor(*db, *logKey)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := ledger.CreateWithKeyFile(ctx, store, keyPath, org.name); err != nil {
		return err
	}
	info, err := store.Info(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created log %s in %s\nsigning key: %s (keep it secret)\nverifier key: %s\n", info.Origin, redactDB(*db), keyPath, info.VerifierKey)
	return nil
}

// cmdLedgerCheckpoint prints the latest signed checkpoint.
func cmdLedgerCheckpoint(ctx context.Context, e *env, args []string) error {
	fs := newFlags("ledger checkpoint", e)
	db := fs.String("db", "", dbUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	l, done, err := openLog(ctx, *db, "", false)
	if err != nil {
		return err
	}
	defer done()
	cp, err := l.Checkpoint(ctx)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(cp.Note)
	return err
}

// cmdLedgerProof prints the inclusion proof of an entry as a C2SP
// tlog-proof.
func cmdLedgerProof(ctx context.Context, e *env, args []string) error {
	fs := newFlags("ledger proof", e)
	db := fs.String("db", "", dbUsage)
	index := fs.Int64("index", -1, "log `INDEX` of the entry")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	l, done, err := openLog(ctx, *db, "", false)
	if err != nil {
		return err
	}
	defer done()
	p, err := l.ProveInclusion(ctx, *index)
	if err != nil {
		return err
	}
	text, err := p.MarshalText()
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(text)
	return err
}

// cmdLedgerTile writes the content of a C2SP tlog-tiles path, as the
// server would serve it.
func cmdLedgerTile(ctx context.Context, e *env, args []string) error {
	fs := newFlags("ledger tile", e)
	db := fs.String("db", "", dbUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return indivisible.Invalid("PATH", "one tile path is needed, such as tile/0/000 or tile/entries/000.p/5")
	}
	l, done, err := openLog(ctx, *db, "", false)
	if err != nil {
		return err
	}
	defer done()
	data, err := l.ReadTile(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(data)
	return err
}

// cmdLedgerVerify audits the log offline.
func cmdLedgerVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags("ledger verify", e)
	db := fs.String("db", "", dbUsage)
	since := fs.String("since", "", "checkpoint `FILE` saved earlier: prove the log consistent with it")
	key := fs.String("key", "", "the log's verifier key `FILE` to trust (default: the key recorded in the database)")
	witnesses := fs.String("witnesses", "", "witness policy `FILE`: accept the checkpoint (-since CP, else the one serve -witnesses saved as FILE.cosigned) only with the policy's quorum of valid cosignatures, and prove the log extends it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var opts ledger.AuditOptions
	if *since != "" {
		b, err := readInput(*since)
		if err != nil {
			return err
		}
		opts.Since = b
	}
	cosigned := ""
	if *witnesses != "" {
		if err := mustExist(*witnesses); err != nil {
			return err
		}
		p, err := cosign.ReadPolicy(*witnesses)
		if err != nil {
			return err
		}
		if opts.Since == nil {
			if postgres.IsURL(*db) {
				return indivisible.Invalid("since", "with a PostgreSQL database, give -since CP: the cosigned checkpoint saved from /log/checkpoint")
			}
			cosigned = cosignedPath(*db)
			if err := mustExist(cosigned); err != nil {
				return indivisible.FieldErrorf(indivisible.ENOTFOUND, cosigned, "no cosigned checkpoint: give -since CP (saved from /log/checkpoint), or run serve -witnesses, which keeps it there")
			}
			if opts.Since, err = readInput(cosigned); err != nil {
				return err
			}
		} else {
			cosigned = *since
		}
		cp, err := p.Verify(opts.Since)
		if err != nil {
			return indivisible.InFile(cosigned, err)
		}
		if *key == "" {
			opts.VerifierKey = p.LogKey // the policy names the log's key
		}
		fmt.Fprintf(e.stdout, "witnessed: %s (size %d) carries the quorum of %s\n", cosigned, cp.Size, p.Describe())
	}
	if *key != "" {
		if err := mustExist(*key); err != nil {
			return err
		}
		vkey, err := ledger.ReadVerifierKey(*key)
		if err != nil {
			return err
		}
		opts.VerifierKey = vkey
	}
	l, done, err := openLog(ctx, *db, "", false)
	if err != nil {
		return err
	}
	defer done()
	rep, err := ledger.Audit(ctx, l.Store(), opts)
	if err != nil {
		return err
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(e.stdout, "warning: %s\n", w)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(e.stdout, "FAIL: %s\n", p)
	}
	if !rep.OK() {
		return indivisible.Errorf(indivisible.ECONFLICT, "%s: the log failed verification: %d problem(s)", redactDB(*db), len(rep.Problems))
	}
	what := "checkpoint signature, every hash and every signature verified"
	if *since != "" {
		what += "; consistent with " + *since
	} else if cosigned != "" {
		what += "; consistent with the cosigned " + cosigned
	}
	fmt.Fprintf(e.stdout, "ok: %d entries (%d bytes), %d keys, root %v\n%s\n", rep.Checkpoint.Size, rep.Bytes, rep.Keys, rep.Checkpoint.Root, what)
	return nil
}
