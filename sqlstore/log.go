package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

var _ logstore.Store = (*Store)(nil)

// The queries below use $n placeholders and portable SQL so that the
// PostgreSQL store can run the same text.

// Init implements logstore.Store.
func (db *Store) Init(ctx context.Context, info indivisible.LogInfo, cp indivisible.Checkpoint) error {
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return internal(err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO log_info (id, origin, verifier_key) VALUES (1, $1, $2)`, info.Origin, info.VerifierKey)
	if db.isConstraint(err) {
		return indivisible.Errorf(indivisible.ECONFLICT, "%s: the log is already initialised", db.name)
	} else if err != nil {
		return internal(err)
	}
	if err := db.insertCheckpoint(ctx, tx, cp); err != nil {
		return err
	}
	return internal(tx.Commit())
}

// Info implements logstore.Store.
func (db *Store) Info(ctx context.Context) (indivisible.LogInfo, error) {
	var info indivisible.LogInfo
	err := db.queryRow(ctx, `SELECT origin, verifier_key FROM log_info WHERE id = 1`).Scan(&info.Origin, &info.VerifierKey)
	if errors.Is(err, sql.ErrNoRows) {
		return info, db.notInitialised()
	}
	return info, internal(err)
}

func (db *Store) notInitialised() error {
	return indivisible.Errorf(indivisible.ENOTFOUND, "%s: no log here; run 'indivisible ledger init -db %s' first", db.name, db.name)
}

// Checkpoint implements logstore.Store.
func (db *Store) Checkpoint(ctx context.Context) (indivisible.Checkpoint, error) {
	return db.scanCheckpoint(db.queryRow(ctx, latestCheckpoint))
}

const latestCheckpoint = `SELECT c.size, c.root, c.note, i.origin FROM checkpoints c, log_info i ORDER BY c.size DESC LIMIT 1`

func (db *Store) scanCheckpoint(row rowScanner) (indivisible.Checkpoint, error) {
	var (
		cp   indivisible.Checkpoint
		root []byte
		note string
	)
	err := row.Scan(&cp.Size, &root, &note, &cp.Origin)
	if errors.Is(err, sql.ErrNoRows) {
		return cp, db.notInitialised()
	} else if err != nil {
		return cp, internal(err)
	}
	if len(root) != tlog.HashSize {
		return cp, indivisible.Errorf(indivisible.EINTERNAL, "%s: checkpoint %d: root hash of %d bytes", db.name, cp.Size, len(root))
	}
	copy(cp.Root[:], root)
	cp.Note = []byte(note)
	return cp, nil
}

func (db *Store) insertCheckpoint(ctx context.Context, tx *sql.Tx, cp indivisible.Checkpoint) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (size, root, note) VALUES ($1, $2, $3)`, cp.Size, cp.Root[:], string(cp.Note))
	if db.isConstraint(err) {
		return indivisible.Errorf(indivisible.ECONFLICT, "checkpoint of size %d already stored", cp.Size)
	}
	return internal(err)
}

// Append implements logstore.Store. The whole batch is one
// transaction, so one fsync covers every entry in it.
func (db *Store) Append(ctx context.Context, b *logstore.Batch) error {
	if want := b.Start + int64(len(b.Entries)); b.Checkpoint.Size != want {
		return indivisible.Errorf(indivisible.EINTERNAL, "batch checkpoint size %d, want %d", b.Checkpoint.Size, want)
	}
	if want := tlog.StoredHashCount(b.Checkpoint.Size) - tlog.StoredHashCount(b.Start); int64(len(b.Hashes)) != want {
		return indivisible.Errorf(indivisible.EINTERNAL, "batch has %d stored hashes, want %d", len(b.Hashes), want)
	}
	if len(b.Facts) != 0 && len(b.Facts) != len(b.Entries) {
		return indivisible.Errorf(indivisible.EINTERNAL, "batch has %d facts for %d entries", len(b.Facts), len(b.Entries))
	}
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return internal(err)
	}
	defer tx.Rollback()
	if db.dialect.Sequence != nil {
		if err := db.dialect.Sequence(ctx, tx); err != nil {
			return internal(err)
		}
	}
	cur, err := db.scanCheckpoint(tx.QueryRowContext(ctx, latestCheckpoint))
	if err != nil {
		return err
	}
	if cur.Size != b.Start {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "start", "log has %d entries, not %d: another writer appended", cur.Size, b.Start)
	}
	// Multi-row inserts: one statement per chunk rather than per row, which
	// saves a round trip per row on PostgreSQL.
	rows := make([][]any, len(b.Entries))
	for i := range b.Entries {
		e := &b.Entries[i]
		data, err := logstore.Encode(e)
		if err != nil {
			return err
		}
		sum := e.BodyHash()
		rows[i] = []any{b.Start + int64(i), string(e.Kind), e.Participant, e.KeyName, sum[:], data}
	}
	err = insertRows(ctx, tx, `INSERT INTO entries (idx, kind, participant, key_name, body_hash, data) VALUES `, rows)
	if db.isConstraint(err) {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "body", "an identical entry is already in the log")
	} else if err != nil {
		return internal(err)
	}
	first := tlog.StoredHashCount(b.Start)
	rows = make([][]any, len(b.Hashes))
	for i, h := range b.Hashes {
		rows[i] = []any{first + int64(i), h[:]}
	}
	if err := insertRows(ctx, tx, `INSERT INTO hashes (id, hash) VALUES `, rows); err != nil {
		return internal(err)
	}
	for _, k := range b.Keys {
		_, err := tx.ExecContext(ctx, `INSERT INTO keys (name, participant, public_key, registered_at, revoked_from) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (name) DO UPDATE SET participant = excluded.participant, public_key = excluded.public_key,
			registered_at = excluded.registered_at, revoked_from = excluded.revoked_from`,
			k.Name, k.Participant, k.PublicKey, k.RegisteredAt, k.RevokedFrom)
		if err != nil {
			return internal(err)
		}
	}
	if err := db.insertCheckpoint(ctx, tx, b.Checkpoint); err != nil {
		return err
	}
	for i, f := range b.Facts {
		if err := db.commitFact(ctx, tx, f, &b.Entries[i]); err != nil {
			return err
		}
	}
	return internal(tx.Commit())
}

// insertRows inserts rows (all of one width) with multi-row INSERTs of at
// most 500 parameters each.
func insertRows(ctx context.Context, tx *sql.Tx, insert string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, 500/len(rows[0]))
	for lo := 0; lo < len(rows); lo += per {
		chunk := rows[lo:min(lo+per, len(rows))]
		var q strings.Builder
		q.WriteString(insert)
		var args []any
		for i, r := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j, v := range r {
				if j > 0 {
					q.WriteString(", ")
				}
				args = append(args, v)
				q.WriteString("$" + strconv.Itoa(len(args)))
			}
			q.WriteString(")")
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// inChunks calls f with consecutive slices of at most 500 elements of n,
// because SQLite limits the number of parameters of one statement.
func inChunks(n int, f func(lo, hi int) error) error {
	const chunk = 500
	for lo := 0; lo < n; lo += chunk {
		if err := f(lo, min(lo+chunk, n)); err != nil {
			return err
		}
	}
	return nil
}

// placeholders returns "$1, $2, ..., $n".
func placeholders(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$")
		b.WriteString(strconv.Itoa(i + 1))
	}
	return b.String()
}

// ReadHashes implements logstore.Store.
func (db *Store) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	pos := make(map[int64][]int, len(indexes))
	for i, x := range indexes {
		pos[x] = append(pos[x], i)
	}
	err := inChunks(len(indexes), func(lo, hi int) error {
		args := make([]any, hi-lo)
		for i, x := range indexes[lo:hi] {
			args[i] = x
		}
		rows, err := db.query(ctx, `SELECT id, hash FROM hashes WHERE id IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id int64
				h  []byte
			)
			if err := rows.Scan(&id, &h); err != nil {
				return internal(err)
			}
			if len(h) != tlog.HashSize {
				return indivisible.Errorf(indivisible.EINTERNAL, "%s: stored hash %d has %d bytes", db.name, id, len(h))
			}
			for _, i := range pos[id] {
				copy(out[i][:], h)
			}
			delete(pos, id)
		}
		return internal(rows.Err())
	})
	if err != nil {
		return nil, err
	}
	for x := range pos {
		return nil, indivisible.Errorf(indivisible.ENOTFOUND, "stored hash %d not found", x)
	}
	return out, nil
}

// ReadRecords implements logstore.Store.
func (db *Store) ReadRecords(ctx context.Context, start, end int64) ([][]byte, error) {
	if start < 0 || end < start {
		return nil, indivisible.Invalid("index", "bad range %d..%d", start, end)
	}
	rows, err := db.query(ctx, `SELECT idx, data FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, start, end)
	if err != nil {
		return nil, internal(err)
	}
	defer rows.Close()
	out := make([][]byte, 0, end-start)
	for rows.Next() {
		var (
			idx  int64
			data []byte
		)
		if err := rows.Scan(&idx, &data); err != nil {
			return nil, internal(err)
		}
		if want := start + int64(len(out)); idx != want {
			return nil, indivisible.Errorf(indivisible.ENOTFOUND, "entry %d not found", want)
		}
		out = append(out, data)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(err)
	}
	if int64(len(out)) != end-start {
		return nil, indivisible.Errorf(indivisible.ENOTFOUND, "entry %d not found", start+int64(len(out)))
	}
	return out, nil
}

// FindBodies implements logstore.Store.
func (db *Store) FindBodies(ctx context.Context, sums [][sha256.Size]byte) ([]int64, error) {
	out := make([]int64, len(sums))
	pos := make(map[[sha256.Size]byte][]int, len(sums))
	for i, s := range sums {
		out[i] = -1
		pos[s] = append(pos[s], i)
	}
	err := inChunks(len(sums), func(lo, hi int) error {
		args := make([]any, hi-lo)
		for i, s := range sums[lo:hi] {
			args[i] = s[:]
		}
		rows, err := db.query(ctx, `SELECT idx, body_hash FROM entries WHERE body_hash IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return internal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				idx int64
				h   []byte
			)
			if err := rows.Scan(&idx, &h); err != nil {
				return internal(err)
			}
			var s [sha256.Size]byte
			copy(s[:], h)
			for _, i := range pos[s] {
				out[i] = idx
			}
		}
		return internal(rows.Err())
	})
	return out, err
}

// Keys implements logstore.Store.
func (db *Store) Keys(ctx context.Context) ([]indivisible.Key, error) {
	rows, err := db.DB.QueryContext(ctx, `SELECT name, participant, public_key, registered_at, revoked_from FROM keys ORDER BY registered_at, name`)
	if err != nil {
		return nil, internal(err)
	}
	defer rows.Close()
	var out []indivisible.Key
	for rows.Next() {
		var k indivisible.Key
		if err := rows.Scan(&k.Name, &k.Participant, &k.PublicKey, &k.RegisteredAt, &k.RevokedFrom); err != nil {
			return nil, internal(err)
		}
		out = append(out, k)
	}
	return out, internal(rows.Err())
}
