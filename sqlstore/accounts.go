package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

var _ indivisible.AccountStore = (*Store)(nil)

// now is the store's clock; tests of the store may replace it.
func (db *Store) now() time.Time {
	if db.Now != nil {
		return db.Now()
	}
	return time.Now()
}

// CreateAccount implements indivisible.AccountStore.
func (db *Store) CreateAccount(ctx context.Context, a *indivisible.Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.Created = db.now().UTC().Truncate(time.Millisecond)
	err := db.DB.QueryRowContext(ctx,
		`INSERT INTO accounts (name, role, participant, kind, created) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		a.Name, string(a.Role), a.Participant, string(a.Kind), a.Created.UnixMilli()).Scan(&a.ID)
	return internal(err)
}

const accountColumns = `id, name, role, participant, kind, created`

func scanAccount(row rowScanner) (*indivisible.Account, error) {
	var a indivisible.Account
	var created int64
	var role, kind string
	if err := row.Scan(&a.ID, &a.Name, &role, &a.Participant, &kind, &created); err != nil {
		return nil, err
	}
	a.Role, a.Kind, a.Created = indivisible.AccountRole(role), indivisible.DelegationKind(kind), time.UnixMilli(created).UTC()
	return &a, nil
}

// Account implements indivisible.AccountStore.
func (db *Store) Account(ctx context.Context, id int64) (*indivisible.Account, error) {
	a, err := scanAccount(db.queryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, "id", "no account %d", id)
	}
	return a, internal(err)
}

// Accounts implements indivisible.AccountStore.
func (db *Store) Accounts(ctx context.Context) ([]*indivisible.Account, error) {
	rows, err := db.DB.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, internal(err)
	}
	defer rows.Close()
	out := []*indivisible.Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, internal(err)
		}
		out = append(out, a)
	}
	return out, internal(rows.Err())
}

// CreateToken implements indivisible.AccountStore.
func (db *Store) CreateToken(ctx context.Context, accountID int64, name string, hash [32]byte) (*indivisible.Token, error) {
	if len(name) > 200 {
		return nil, indivisible.Invalid("name", "longer than 200 characters")
	}
	if _, err := db.Account(ctx, accountID); err != nil {
		return nil, err
	}
	t := &indivisible.Token{AccountID: accountID, Name: name, Created: db.now().UTC().Truncate(time.Millisecond)}
	err := db.DB.QueryRowContext(ctx,
		`INSERT INTO tokens (account_id, name, hash, created) VALUES ($1, $2, $3, $4) RETURNING id`,
		accountID, name, hash[:], t.Created.UnixMilli()).Scan(&t.ID)
	if db.isConstraint(err) {
		return nil, indivisible.Errorf(indivisible.ECONFLICT, "token already exists")
	}
	return t, internal(err)
}

// Tokens implements indivisible.AccountStore.
func (db *Store) Tokens(ctx context.Context, accountID int64) ([]*indivisible.Token, error) {
	if _, err := db.Account(ctx, accountID); err != nil {
		return nil, err
	}
	rows, err := db.DB.QueryContext(ctx, `SELECT id, name, created, revoked FROM tokens WHERE account_id = $1 ORDER BY id`, accountID)
	if err != nil {
		return nil, internal(err)
	}
	defer rows.Close()
	out := []*indivisible.Token{}
	for rows.Next() {
		t := &indivisible.Token{AccountID: accountID}
		var created int64
		var revoked sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &created, &revoked); err != nil {
			return nil, internal(err)
		}
		t.Created = time.UnixMilli(created).UTC()
		if revoked.Valid {
			r := time.UnixMilli(revoked.Int64).UTC()
			t.Revoked = &r
		}
		out = append(out, t)
	}
	return out, internal(rows.Err())
}

// RevokeToken implements indivisible.AccountStore. Revoking twice keeps
// the first revocation time.
func (db *Store) RevokeToken(ctx context.Context, id int64) error {
	res, err := db.DB.ExecContext(ctx, `UPDATE tokens SET revoked = COALESCE(revoked, $1) WHERE id = $2`, db.now().UnixMilli(), id)
	if err != nil {
		return internal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return indivisible.FieldErrorf(indivisible.ENOTFOUND, "id", "no token %d", id)
	}
	return nil
}

// Authenticate implements indivisible.AccountStore.
func (db *Store) Authenticate(ctx context.Context, hash [32]byte) (*indivisible.Account, error) {
	a, err := scanAccount(db.queryRow(ctx, `SELECT a.id, a.name, a.role, a.participant, a.kind, a.created
		FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = $1 AND t.revoked IS NULL`, hash[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, indivisible.Errorf(indivisible.EUNAUTHORIZED, "unknown or revoked token")
	}
	return a, internal(err)
}
