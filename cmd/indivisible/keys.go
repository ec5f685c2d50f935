package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"text/tabwriter"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/accounts"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

var keysCommands = map[string]command{
	"new":      {"make a delegation key pair: -participant P -o DIR", cmdKeysNew},
	"register": {"register a public key in the log: -db FILE|URL [-log-key FILE] -participant P PUBKEYFILE", cmdKeysRegister},
	"revoke":   {"revoke a key from a log index on: -db FILE|URL [-log-key FILE] -key NAME [-from INDEX]", cmdKeysRevoke},
	"list":     {"the key registry: -db FILE|URL", cmdKeysList},
}

// cmdKeysNew makes a delegation's Ed25519 key pair.
func cmdKeysNew(ctx context.Context, e *env, args []string) error {
	fs := newFlags("keys new", e)
	participant := fs.String("participant", "", "participant `CODE` the key is for")
	dir := fs.String("o", ".", "`DIR` to write NAME.key (mode 0600) and NAME.pub into")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *participant == "" {
		return indivisible.Invalid("participant", "-participant CODE is required")
	}
	name, keyPath, pubPath, err := ledger.WriteKeyPair(rand.Reader, *dir, *participant)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "key %s\nprivate key: %s (mode 0600; keep it secret)\npublic key:  %s (give it to the secretariat to register)\n", name, keyPath, pubPath)
	return nil
}

// cmdKeysRegister is the secretariat's registration of a public key.
func cmdKeysRegister(ctx context.Context, e *env, args []string) error {
	fs := newFlags("keys register", e)
	db := fs.String("db", "", dbUsage)
	logKey := fs.String("log-key", "", logKeyUsage)
	participant := fs.String("participant", "", "participant `CODE` the key belongs to")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *participant == "" {
		return indivisible.Invalid("participant", "-participant CODE is required")
	}
	if fs.NArg() != 1 {
		return indivisible.Invalid("PUBKEYFILE", "one public key file is needed")
	}
	if err := mustExist(fs.Arg(0)); err != nil {
		return err
	}
	vkey, err := ledger.ReadVerifierKey(fs.Arg(0))
	if err != nil {
		return err
	}
	l, done, err := openLog(ctx, *db, *logKey, true)
	if err != nil {
		return err
	}
	defer done()
	svc, err := operatorAccounts(nil, l)
	if err != nil {
		return err
	}
	k, err := svc.RegisterKey(ctx, accounts.Operator, *participant, vkey)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "registered key %s for %s at log index %d; it may sign entries from index %d\n", k.Name, k.Participant, k.RegisteredAt, k.RegisteredAt+1)
	return nil
}

// cmdKeysRevoke revokes a key from a log index onward.
func cmdKeysRevoke(ctx context.Context, e *env, args []string) error {
	fs := newFlags("keys revoke", e)
	db := fs.String("db", "", dbUsage)
	logKey := fs.String("log-key", "", logKeyUsage)
	name := fs.String("key", "", "`NAME` of the key to revoke")
	from := fs.Int64("from", -1, "first log `INDEX` the key may no longer sign (default: the next index)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return indivisible.Invalid("key", "-key NAME is required")
	}
	l, done, err := openLog(ctx, *db, *logKey, true)
	if err != nil {
		return err
	}
	defer done()
	if *from < 0 {
		cp, err := l.Checkpoint(ctx)
		if err != nil {
			return err
		}
		*from = cp.Size
	}
	svc, err := operatorAccounts(nil, l)
	if err != nil {
		return err
	}
	k, err := svc.RevokeKey(ctx, accounts.Operator, *name, *from)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "revoked key %s of %s from log index %d\n", k.Name, k.Participant, k.RevokedFrom)
	return nil
}

// cmdKeysList prints the key registry.
func cmdKeysList(ctx context.Context, e *env, args []string) error {
	fs := newFlags("keys list", e)
	db := fs.String("db", "", dbUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	l, done, err := openLog(ctx, *db, "", false)
	if err != nil {
		return err
	}
	defer done()
	keys, err := l.Keys(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tparticipant\tregistered at\trevoked from\tpublic key")
	for _, k := range keys {
		revoked := "-"
		if k.RevokedFrom != 0 {
			revoked = fmt.Sprint(k.RevokedFrom)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", k.Name, k.Participant, k.RegisteredAt, revoked, k.PublicKey)
	}
	return tw.Flush()
}
