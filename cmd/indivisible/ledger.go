package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/cosign"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

var ledgerCommands = map[string]command{
	"init":       {"create a log and its signing key: -db FILE", cmdLedgerInit},
	"checkpoint": {"the latest signed checkpoint: -db FILE", cmdLedgerCheckpoint},
	"proof":      {"inclusion proof of an entry: -db FILE -index N", cmdLedgerProof},
	"verify":     {"audit every hash and signature: -db FILE [-since CP] [-witnesses FILE]", cmdLedgerVerify},
	"tile":       {"a C2SP tile: -db FILE PATH", cmdLedgerTile},
}

// logKeyPath is where the log's private signing key lives: next to the
// database, mode 0600, so that the database itself (and its backups) hold
// only public data.
func logKeyPath(db string) string { return db + ".key" }

// openLog opens the log in the SQLite file db. With write it migrates the
// database and loads the log's signing key, so that entries can be
// appended; without, it opens the database read-only and never migrates
// or writes it, so that an audit leaves what it audits untouched and
// works on a file and folder nobody may write. The caller closes the
// returned function.
func openLog(ctx context.Context, db string, write bool) (*ledger.Log, func(), error) {
	if db == "" {
		return nil, nil, indivisible.Invalid("db", "-db FILE is required")
	}
	if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, db, "no such database; create it with 'indivisible ledger init -db %s'", db)
	}
	open := sqlite.OpenReadOnly
	if write {
		open = sqlite.Open
	}
	store, err := open(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	var signer note.Signer
	if write {
		if err := mustExist(logKeyPath(db)); err != nil {
			store.Close()
			return nil, nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, logKeyPath(db), "the log's signing key is missing")
		}
		if signer, err = ledger.LoadSigner(logKeyPath(db)); err != nil {
			store.Close()
			return nil, nil, err
		}
	}
	l, err := ledger.Open(ctx, store, signer)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return l, func() { l.Close(); store.Close() }, nil
}

// cmdLedgerInit creates a database with an empty log and the log's
// signing key.
func cmdLedgerInit(ctx context.Context, e *env, args []string) error {
	fs := newFlags("ledger init", e)
	db := fs.String("db", "", "SQLite database `FILE` to create")
	org := origin(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return indivisible.Invalid("db", "-db FILE is required")
	}
	keyPath := logKeyPath(*db)
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := createLog(ctx, store, keyPath, org.name); err != nil {
		return err
	}
	info, err := store.Info(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created log %s in %s\nsigning key: %s (keep it secret)\nverifier key: %s\n", info.Origin, *db, keyPath, info.VerifierKey)
	return nil
}

// cmdLedgerCheckpoint prints the latest signed checkpoint.
func cmdLedgerCheckpoint(ctx context.Context, e *env, args []string) error {
	fs := newFlags("ledger checkpoint", e)
	db := fs.String("db", "", "SQLite database `FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	l, done, err := openLog(ctx, *db, false)
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
	db := fs.String("db", "", "SQLite database `FILE`")
	index := fs.Int64("index", -1, "log `INDEX` of the entry")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	l, done, err := openLog(ctx, *db, false)
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
	db := fs.String("db", "", "SQLite database `FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return indivisible.Invalid("PATH", "one tile path is needed, such as tile/0/000 or tile/entries/000.p/5")
	}
	l, done, err := openLog(ctx, *db, false)
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
	db := fs.String("db", "", "SQLite database `FILE`")
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
	l, done, err := openLog(ctx, *db, false)
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
		return indivisible.Errorf(indivisible.ECONFLICT, "%s: the log failed verification: %d problem(s)", *db, len(rep.Problems))
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
