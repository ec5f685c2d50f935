package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/indivisible-eurasia/indivisible"
)

// commitFact stores f, the fact entry e states, in the transaction that
// appends e (see indivisible.Fact). The checks run after the log's
// sequencer lock is taken (Dialect.Sequence), so that on PostgreSQL two
// servers deciding one item cannot both see it open.
func (db *Store) commitFact(ctx context.Context, tx *sql.Tx, f indivisible.Fact, e *indivisible.Entry) error {
	switch {
	case f.Position != nil:
		f.Position.LogIndex, f.Position.Time = e.Index, e.Time
		return db.addPosition(ctx, tx, f.Position)
	case f.Decision != nil:
		f.Decision.LogIndex = e.Index
		return db.closeItem(ctx, tx, f.Decision, f.LastPosition)
	}
	return nil
}

func (db *Store) addPosition(ctx context.Context, tx *sql.Tx, p *indivisible.Position) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := openItem(ctx, tx, p.ItemID); err != nil {
		return err
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) FROM forum_versions WHERE item_id = $1`, p.ItemID).Scan(&current); err != nil {
		return internal(err)
	}
	if p.Version != current {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "version", "version %d is current, not %d: positions are taken on the current text", current, p.Version)
	}
	id, err := insert(ctx, tx, `INSERT INTO forum_positions (item_id, version, participant, stance, statement_kind, statement, time, log_index, key_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		p.ItemID, p.Version, p.Participant, string(p.Stance), p.StatementKind, p.Statement, p.Time.UnixMilli(), p.LogIndex, p.KeyName)
	if db.isConstraint(err) {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "log_index", "log entry %d is stored already", p.LogIndex)
	}
	p.ID = id
	return internal(err)
}

func (db *Store) closeItem(ctx context.Context, tx *sql.Tx, d *indivisible.Decision, lastPosition int64) error {
	decision, err := encode(fmt.Sprintf("the decision on item %d", d.ItemID), "decision", d)
	if err != nil {
		return err
	}
	if err := openItem(ctx, tx, d.ItemID); err != nil {
		return err
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(log_index), -1) FROM forum_positions WHERE item_id = $1`, d.ItemID).Scan(&last); err != nil {
		return internal(err)
	}
	if last != lastPosition {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "positions", "a position was taken on item %d (log index %d) while it was being closed", d.ItemID, last)
	}
	// The status changes only from open, so that even without the
	// sequencer lock (SQLite has no need of one) one decision wins.
	res, err := tx.ExecContext(ctx, `UPDATE forum_items SET status = $1 WHERE id = $2 AND status = $3`, string(indivisible.ItemClosed), d.ItemID, string(indivisible.ItemOpen))
	if err != nil {
		return internal(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return internal(err)
	} else if n != 1 {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "item", "item %d is closed", d.ItemID)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO forum_decisions (item_id, decision, log_index) VALUES ($1, $2, $3)`, d.ItemID, decision, d.LogIndex)
	if db.isConstraint(err) {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "item", "item %d has a decision already", d.ItemID)
	}
	return internal(err)
}
