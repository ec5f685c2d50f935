package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/accounts"
	"github.com/indivisible-eurasia/indivisible/postgres"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

// cmdAdmin is the secretariat's command: accounts, tokens and backups.
var adminCommands = map[string]command{
	"account-create": {"create an account: -name N -role R [-participant P -kind K]", cmdAdminAccountCreate},
	"account-list":   {"list the accounts", cmdAdminAccountList},
	"token-create":   {"make an API token for an account (shown once): -account ID", cmdAdminTokenCreate},
	"token-revoke":   {"revoke a token: -id ID", cmdAdminTokenRevoke},
	"backup":         {"online, consistent copy of a SQLite database: -o FILE", cmdAdminBackup},
	"restore":        {"check a backup and restore it to a new file: -db NEW BACKUP", cmdAdminRestore},
}

// operatorAccounts is the accounts service as the operator commands use
// it: on the database directly, as accounts.Operator, with the embedded
// scenario's participants; keys is the log, for the key commands.
func operatorAccounts(store indivisible.AccountStore, keys accounts.Keys) (*accounts.Service, error) {
	s, err := scenario.Eurasia()
	if err != nil {
		return nil, err
	}
	return accounts.New(accounts.Config{Store: store, Scenario: s, Keys: keys}), nil
}

// sqliteOnly refuses a PostgreSQL URL for the commands that copy a
// SQLite file: PostgreSQL has its own tools for that (pg_dump).
func sqliteOnly(flag, db string) error {
	if postgres.IsURL(db) {
		return indivisible.Invalid(flag, "backup and restore copy a SQLite file; back up a PostgreSQL database with pg_dump and restore it with pg_restore")
	}
	return nil
}

func cmdAdminAccountCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlags("admin account-create", e)
	db := fs.String("db", "indivisible.db", dbUsage)
	a := &indivisible.Account{}
	fs.StringVar(&a.Name, "name", "", "the account's `NAME`")
	role := fs.String("role", "", "secretariat, delegation, expert or public")
	fs.StringVar(&a.Participant, "participant", "", "the delegation's participant `CODE`, or an expert's affiliation")
	kind := fs.String("kind", "", "a delegation's kind: member_state, partner_state, organisation, integration_association")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a.Role, a.Kind = indivisible.AccountRole(*role), indivisible.DelegationKind(*kind)
	store, err := openExisting(ctx, *db, true)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := operatorAccounts(store, nil)
	if err != nil {
		return err
	}
	if err := svc.CreateAccount(ctx, accounts.Operator, a); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "account %d: %s (%s)\n", a.ID, a.Name, a.Role)
	return nil
}

func cmdAdminAccountList(ctx context.Context, e *env, args []string) error {
	fs := newFlags("admin account-list", e)
	db := fs.String("db", "indivisible.db", dbUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := openExisting(ctx, *db, false)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := operatorAccounts(store, nil)
	if err != nil {
		return err
	}
	as, err := svc.Accounts(ctx, accounts.Operator)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tname\trole\tparticipant\tkind")
	for _, a := range as {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", a.ID, a.Name, a.Role, a.Participant, a.Kind)
	}
	return tw.Flush()
}

func cmdAdminTokenCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlags("admin token-create", e)
	db := fs.String("db", "indivisible.db", dbUsage)
	id := fs.Int64("account", 0, "account `ID`")
	name := fs.String("name", "", "a `NAME` to recognise the token by")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := openExisting(ctx, *db, true)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := operatorAccounts(store, nil)
	if err != nil {
		return err
	}
	t, secret, err := svc.CreateToken(ctx, accounts.Operator, *id, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "token %d for account %d; the secret is shown once:\n", t.ID, t.AccountID)
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func cmdAdminTokenRevoke(ctx context.Context, e *env, args []string) error {
	fs := newFlags("admin token-revoke", e)
	db := fs.String("db", "indivisible.db", dbUsage)
	id := fs.Int64("id", 0, "token `ID`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := openExisting(ctx, *db, true)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := operatorAccounts(store, nil)
	if err != nil {
		return err
	}
	if err := svc.RevokeToken(ctx, accounts.Operator, *id); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "token %d revoked\n", *id)
	return nil
}

// cmdAdminBackup takes an online, consistent copy of a live SQLite
// database (VACUUM INTO). The log's signing key is not in the database:
// back it up separately, and keep it secret.
func cmdAdminBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags("admin backup", e)
	db := fs.String("db", "indivisible.db", dbUsage)
	out := fs.String("o", "", "backup `FILE` to write (must not exist)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return indivisible.Invalid("o", "-o FILE is required")
	}
	if err := sqliteOnly("db", *db); err != nil {
		return err
	}
	store, err := sqlite.OpenReadOnly(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s\n", *db, *out)
	return nil
}

// cmdAdminRestore checks a backup and puts it in place as a new database.
func cmdAdminRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlags("admin restore", e)
	db := fs.String("db", "", "database `FILE` to create from the backup (must not exist)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *db == "" {
		return indivisible.Invalid("BACKUP", "usage: indivisible admin restore -db FILE BACKUP")
	}
	if err := sqliteOnly("db", *db); err != nil {
		return err
	}
	if err := mustExist(fs.Arg(0)); err != nil {
		return err
	}
	if err := sqlite.Restore(ctx, fs.Arg(0), *db); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s to %s; verify it with 'indivisible ledger verify -db %s'\n", fs.Arg(0), *db, *db)
	return nil
}
