package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

var _ indivisible.ForumStore = (*Store)(nil)

// stamp is the store's time for a new record: UTC, millisecond precision,
// as it is stored.
func (db *Store) stamp() time.Time { return db.now().UTC().Truncate(time.Millisecond) }

func ms(t int64) time.Time { return time.UnixMilli(t).UTC() }

// encode encodes the structured column of record. A value that does not
// encode (a NaN or an infinity) is an internal error and the write is
// refused: a column stored empty would make the record unreadable.
func encode(record, column string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", indivisible.Errorf(indivisible.EINTERNAL, "database: %s not stored: its %s does not encode as JSON: %v", record, column, err)
	}
	return string(b), nil
}

// decode decodes a structured column of the record r names; a stored
// value that does not decode makes the record damaged.
func decode(s string, v any, r indivisible.DamagedRecord) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		r.Err = err
		return &indivisible.DamagedError{Records: []indivisible.DamagedRecord{r}}
	}
	return nil
}

// rec names a record for decode.
func rec(kind string, id, of int64, column string) indivisible.DamagedRecord {
	return indivisible.DamagedRecord{Kind: kind, ID: id, Of: of, Column: column}
}

type scanner interface{ Scan(...any) error }

// one runs a query for one row and maps no row to ENOTFOUND at field.
func one[T any](ctx context.Context, q queryer, scan func(scanner) (T, error), field string, id int64, query string, args ...any) (T, error) {
	var zero T
	v, err := scan(q.QueryRowContext(ctx, query, args...))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return zero, indivisible.FieldErrorf(indivisible.ENOTFOUND, field, "no %s %d", field, id)
	case err != nil:
		return zero, internal(err)
	}
	return v, nil
}

// all runs a query and scans every row. Damaged rows are left out and
// reported together, in a *indivisible.DamagedError returned with the
// rows read; any other error fails the whole read.
func all[T any](ctx context.Context, db *sql.DB, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, internal(err)
	}
	defer rows.Close()
	out := []T{}
	var damaged *indivisible.DamagedError
	for rows.Next() {
		v, err := scan(rows)
		var d *indivisible.DamagedError
		switch {
		case errors.As(err, &d):
			if damaged == nil {
				damaged = &indivisible.DamagedError{}
			}
			damaged.Records = append(damaged.Records, d.Records...)
			continue
		case err != nil:
			return nil, internal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(err)
	}
	if damaged != nil {
		return out, damaged
	}
	return out, nil
}

// insert runs an INSERT ... RETURNING id. Its error is the driver's, so
// that the caller can tell a constraint violation.
func insert(ctx context.Context, q queryer, query string, args ...any) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, query, args...).Scan(&id)
	return id, err
}

// CreateForum implements indivisible.ForumStore.
func (db *Store) CreateForum(ctx context.Context, f *indivisible.Forum) error {
	if err := f.Validate(); err != nil {
		return err
	}
	f.Created = db.stamp()
	id, err := insert(ctx, db.DB, `INSERT INTO forums (title, description, created) VALUES ($1, $2, $3) RETURNING id`, f.Title, f.Description, f.Created.UnixMilli())
	f.ID = id
	return internal(err)
}

func scanForum(r scanner) (*indivisible.Forum, error) {
	var f indivisible.Forum
	var created int64
	err := r.Scan(&f.ID, &f.Title, &f.Description, &created)
	f.Created = ms(created)
	return &f, err
}

// Forum implements indivisible.ForumStore.
func (db *Store) Forum(ctx context.Context, id int64) (*indivisible.Forum, error) {
	return one(ctx, db.DB, scanForum, "forum", id, `SELECT id, title, description, created FROM forums WHERE id = $1`, id)
}

// Forums implements indivisible.ForumStore.
func (db *Store) Forums(ctx context.Context) ([]*indivisible.Forum, error) {
	return all(ctx, db.DB, scanForum, `SELECT id, title, description, created FROM forums ORDER BY id`)
}

// CreateSession implements indivisible.ForumStore.
func (db *Store) CreateSession(ctx context.Context, s *indivisible.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if _, err := db.Forum(ctx, s.ForumID); err != nil {
		return err
	}
	s.Created = db.stamp()
	id, err := insert(ctx, db.DB, `INSERT INTO forum_sessions (forum_id, title, created) VALUES ($1, $2, $3) RETURNING id`, s.ForumID, s.Title, s.Created.UnixMilli())
	s.ID = id
	return internal(err)
}

func scanSession(r scanner) (*indivisible.Session, error) {
	var s indivisible.Session
	var created int64
	err := r.Scan(&s.ID, &s.ForumID, &s.Title, &created)
	s.Created = ms(created)
	return &s, err
}

// Session implements indivisible.ForumStore.
func (db *Store) Session(ctx context.Context, id int64) (*indivisible.Session, error) {
	return one(ctx, db.DB, scanSession, "session", id, `SELECT id, forum_id, title, created FROM forum_sessions WHERE id = $1`, id)
}

// Sessions implements indivisible.ForumStore.
func (db *Store) Sessions(ctx context.Context, forumID int64) ([]*indivisible.Session, error) {
	return all(ctx, db.DB, scanSession, `SELECT id, forum_id, title, created FROM forum_sessions WHERE forum_id = $1 ORDER BY id`, forumID)
}

const delegationColumns = `id, forum_id, participant, kind, name, head, members, status, created, updated`

func scanDelegation(r scanner) (*indivisible.Delegation, error) {
	var d indivisible.Delegation
	var kind, members, status string
	var created, updated int64
	if err := r.Scan(&d.ID, &d.ForumID, &d.Participant, &kind, &d.Name, &d.Head, &members, &status, &created, &updated); err != nil {
		return nil, err
	}
	d.Kind, d.Status, d.Created, d.Updated = indivisible.DelegationKind(kind), indivisible.AccreditationStatus(status), ms(created), ms(updated)
	return &d, decode(members, &d.Members, rec("delegation", d.ID, 0, "members"))
}

// CreateDelegation implements indivisible.ForumStore.
func (db *Store) CreateDelegation(ctx context.Context, d *indivisible.Delegation) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if d.Members == nil {
		d.Members = []string{}
	}
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return internal(err)
	}
	defer tx.Rollback()
	if _, err := one(ctx, tx, scanForum, "forum", d.ForumID, `SELECT id, title, description, created FROM forums WHERE id = $1`, d.ForumID); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM forum_delegations WHERE forum_id = $1 AND participant = $2 AND status IN ('pending', 'accredited')`,
		d.ForumID, d.Participant).Scan(&n); err != nil {
		return internal(err)
	}
	if n > 0 {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "participant", "%s already has a pending or accredited delegation in forum %d", d.Participant, d.ForumID)
	}
	members, err := encode("the delegation of "+d.Participant, "members", d.Members)
	if err != nil {
		return err
	}
	d.Status, d.Created = indivisible.Pending, db.stamp()
	d.Updated = d.Created
	if d.ID, err = insert(ctx, tx, `INSERT INTO forum_delegations (forum_id, participant, kind, name, head, members, status, created, updated)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		d.ForumID, d.Participant, string(d.Kind), d.Name, d.Head, members, string(d.Status), d.Created.UnixMilli(), d.Updated.UnixMilli()); err != nil {
		return internal(err)
	}
	return internal(tx.Commit())
}

// Delegation implements indivisible.ForumStore.
func (db *Store) Delegation(ctx context.Context, id int64) (*indivisible.Delegation, error) {
	return one(ctx, db.DB, scanDelegation, "delegation", id, `SELECT `+delegationColumns+` FROM forum_delegations WHERE id = $1`, id)
}

// Delegations implements indivisible.ForumStore.
func (db *Store) Delegations(ctx context.Context, forumID int64) ([]*indivisible.Delegation, error) {
	return all(ctx, db.DB, scanDelegation, `SELECT `+delegationColumns+` FROM forum_delegations WHERE forum_id = $1 ORDER BY id`, forumID)
}

// SetDelegationStatus implements indivisible.ForumStore. The update is
// conditional on the status read, so two concurrent changes cannot both
// succeed.
func (db *Store) SetDelegationStatus(ctx context.Context, id int64, next indivisible.AccreditationStatus) (*indivisible.Delegation, error) {
	d, err := db.Delegation(ctx, id)
	if err != nil {
		return nil, err
	}
	if !d.Status.CanBecome(next) {
		return nil, indivisible.FieldErrorf(indivisible.ECONFLICT, "status", "delegation %d is %s and cannot become %s", id, d.Status, next)
	}
	now := db.stamp()
	res, err := db.DB.ExecContext(ctx, `UPDATE forum_delegations SET status = $1, updated = $2 WHERE id = $3 AND status = $4`, string(next), now.UnixMilli(), id, string(d.Status))
	if err != nil {
		return nil, internal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, indivisible.FieldErrorf(indivisible.ECONFLICT, "status", "delegation %d changed meanwhile", id)
	}
	d.Status, d.Updated = next, now
	return d, nil
}

// AddExpert implements indivisible.ForumStore.
func (db *Store) AddExpert(ctx context.Context, e *indivisible.Expert) error {
	if _, err := db.Forum(ctx, e.ForumID); err != nil {
		return err
	}
	e.Created = db.stamp()
	id, err := insert(ctx, db.DB, `INSERT INTO forum_experts (forum_id, account_id, name, affiliation, created) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		e.ForumID, e.AccountID, e.Name, e.Affiliation, e.Created.UnixMilli())
	if db.isConstraint(err) {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "account_id", "account %d is on the panel already", e.AccountID)
	}
	e.ID = id
	return internal(err)
}

// Experts implements indivisible.ForumStore.
func (db *Store) Experts(ctx context.Context, forumID int64) ([]*indivisible.Expert, error) {
	return all(ctx, db.DB, func(r scanner) (*indivisible.Expert, error) {
		var e indivisible.Expert
		var created int64
		err := r.Scan(&e.ID, &e.ForumID, &e.AccountID, &e.Name, &e.Affiliation, &created)
		e.Created = ms(created)
		return &e, err
	}, `SELECT id, forum_id, account_id, name, affiliation, created FROM forum_experts WHERE forum_id = $1 ORDER BY id`, forumID)
}

const itemColumns = `id, forum_id, session_id, title, description, rule, status, created`

func scanItem(r scanner) (*indivisible.AgendaItem, error) {
	var it indivisible.AgendaItem
	var rule, status string
	var created int64
	if err := r.Scan(&it.ID, &it.ForumID, &it.SessionID, &it.Title, &it.Description, &rule, &status, &created); err != nil {
		return nil, err
	}
	it.Status, it.Created = indivisible.ItemStatus(status), ms(created)
	return &it, decode(rule, &it.Rule, rec("item", it.ID, 0, "rule"))
}

// CreateItem implements indivisible.ForumStore.
func (db *Store) CreateItem(ctx context.Context, it *indivisible.AgendaItem) error {
	if err := it.Validate(); err != nil {
		return err
	}
	rule, err := encode(fmt.Sprintf("the new item of session %d", it.SessionID), "rule", it.Rule)
	if err != nil {
		return err
	}
	if _, err := db.Session(ctx, it.SessionID); err != nil {
		return err
	}
	it.Status, it.Created = indivisible.ItemOpen, db.stamp()
	id, err := insert(ctx, db.DB, `INSERT INTO forum_items (forum_id, session_id, title, description, rule, status, created)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		it.ForumID, it.SessionID, it.Title, it.Description, rule, string(it.Status), it.Created.UnixMilli())
	it.ID = id
	return internal(err)
}

// Item implements indivisible.ForumStore.
func (db *Store) Item(ctx context.Context, id int64) (*indivisible.AgendaItem, error) {
	return one(ctx, db.DB, scanItem, "item", id, `SELECT `+itemColumns+` FROM forum_items WHERE id = $1`, id)
}

// Items implements indivisible.ForumStore.
func (db *Store) Items(ctx context.Context, sessionID int64) ([]*indivisible.AgendaItem, error) {
	return all(ctx, db.DB, scanItem, `SELECT `+itemColumns+` FROM forum_items WHERE session_id = $1 ORDER BY id`, sessionID)
}

// openItem checks inside tx that item id exists and is open.
func openItem(ctx context.Context, tx *sql.Tx, id int64) error {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM forum_items WHERE id = $1`, id).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return indivisible.FieldErrorf(indivisible.ENOTFOUND, "item", "no item %d", id)
	case err != nil:
		return internal(err)
	case status != string(indivisible.ItemOpen):
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "item", "item %d is closed", id)
	}
	return nil
}

// AddVersion implements indivisible.ForumStore.
func (db *Store) AddVersion(ctx context.Context, v *indivisible.ProposalVersion) error {
	if err := v.Validate(); err != nil {
		return err
	}
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return internal(err)
	}
	defer tx.Rollback()
	if err := openItem(ctx, tx, v.ItemID); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM forum_versions WHERE item_id = $1`, v.ItemID).Scan(&v.Number); err != nil {
		return internal(err)
	}
	v.Kind = indivisible.VersionAmendment
	if v.Number == 1 {
		v.Kind = indivisible.VersionProposal
	}
	record := fmt.Sprintf("version %d of item %d", v.Number, v.ItemID)
	var pkg, assessment sql.NullString
	if v.Package != nil {
		if pkg.String, err = encode(record, "package", v.Package); err != nil {
			return err
		}
		pkg.Valid = true
	}
	if v.Assessment != nil {
		if assessment.String, err = encode(record, "assessment", v.Assessment); err != nil {
			return err
		}
		assessment.Valid = true
	}
	v.Created = db.stamp()
	_, err = tx.ExecContext(ctx, `INSERT INTO forum_versions (item_id, number, kind, participant, account_id, title, text, package, assessment, created)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		v.ItemID, v.Number, v.Kind, v.Participant, v.AccountID, v.Title, v.Text, pkg, assessment, v.Created.UnixMilli())
	if db.isConstraint(err) {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "item", "another version of item %d was tabled at the same time", v.ItemID)
	} else if err != nil {
		return internal(err)
	}
	return internal(tx.Commit())
}

// Versions implements indivisible.ForumStore.
func (db *Store) Versions(ctx context.Context, itemID int64) ([]*indivisible.ProposalVersion, error) {
	return all(ctx, db.DB, func(r scanner) (*indivisible.ProposalVersion, error) {
		var v indivisible.ProposalVersion
		var pkg, assessment sql.NullString
		var created int64
		if err := r.Scan(&v.ItemID, &v.Number, &v.Kind, &v.Participant, &v.AccountID, &v.Title, &v.Text, &pkg, &assessment, &created); err != nil {
			return nil, err
		}
		v.Created = ms(created)
		if pkg.Valid {
			v.Package = new(indivisible.Proposal)
			if err := decode(pkg.String, v.Package, rec("version", int64(v.Number), v.ItemID, "package")); err != nil {
				return nil, err
			}
		}
		if assessment.Valid {
			v.Assessment = new(indivisible.Assessment)
			if err := decode(assessment.String, v.Assessment, rec("version", int64(v.Number), v.ItemID, "assessment")); err != nil {
				return nil, err
			}
		}
		return &v, nil
	}, `SELECT item_id, number, kind, participant, account_id, title, text, package, assessment, created
		FROM forum_versions WHERE item_id = $1 ORDER BY number`, itemID)
}

// AddComment implements indivisible.ForumStore.
func (db *Store) AddComment(ctx context.Context, c *indivisible.Comment) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if _, err := db.Item(ctx, c.ItemID); err != nil {
		return err
	}
	c.Created = db.stamp()
	id, err := insert(ctx, db.DB, `INSERT INTO forum_comments (item_id, account_id, author, participant, text, created) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		c.ItemID, c.AccountID, c.Author, c.Participant, c.Text, c.Created.UnixMilli())
	c.ID = id
	return internal(err)
}

// Comments implements indivisible.ForumStore.
func (db *Store) Comments(ctx context.Context, itemID int64) ([]*indivisible.Comment, error) {
	return all(ctx, db.DB, func(r scanner) (*indivisible.Comment, error) {
		var c indivisible.Comment
		var created int64
		err := r.Scan(&c.ID, &c.ItemID, &c.AccountID, &c.Author, &c.Participant, &c.Text, &created)
		c.Created = ms(created)
		return &c, err
	}, `SELECT id, item_id, account_id, author, participant, text, created FROM forum_comments WHERE item_id = $1 ORDER BY id`, itemID)
}

const speakerColumns = `id, item_id, account_id, name, participant, requested, done`

func scanSpeaker(r scanner) (*indivisible.Speaker, error) {
	var s indivisible.Speaker
	var requested int64
	var done int
	err := r.Scan(&s.ID, &s.ItemID, &s.AccountID, &s.Name, &s.Participant, &requested, &done)
	s.Requested, s.Done = ms(requested), done != 0
	return &s, err
}

// AddSpeaker implements indivisible.ForumStore: ECONFLICT if the account
// is on the item's list already.
func (db *Store) AddSpeaker(ctx context.Context, s *indivisible.Speaker) error {
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return internal(err)
	}
	defer tx.Rollback()
	if err := openItem(ctx, tx, s.ItemID); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM forum_speakers WHERE item_id = $1 AND account_id = $2 AND done = 0`, s.ItemID, s.AccountID).Scan(&n); err != nil {
		return internal(err)
	}
	if n > 0 {
		return indivisible.Errorf(indivisible.ECONFLICT, "%s is on the speakers' list already", s.Name)
	}
	s.Requested, s.Done = db.stamp(), false
	if s.ID, err = insert(ctx, tx, `INSERT INTO forum_speakers (item_id, account_id, name, participant, requested, done) VALUES ($1, $2, $3, $4, $5, 0) RETURNING id`,
		s.ItemID, s.AccountID, s.Name, s.Participant, s.Requested.UnixMilli()); err != nil {
		return internal(err)
	}
	return internal(tx.Commit())
}

// Speakers implements indivisible.ForumStore.
func (db *Store) Speakers(ctx context.Context, itemID int64) ([]*indivisible.Speaker, error) {
	return all(ctx, db.DB, scanSpeaker, `SELECT `+speakerColumns+` FROM forum_speakers WHERE item_id = $1 ORDER BY id`, itemID)
}

// SpeakerDone implements indivisible.ForumStore.
func (db *Store) SpeakerDone(ctx context.Context, id int64) (*indivisible.Speaker, error) {
	if _, err := db.DB.ExecContext(ctx, `UPDATE forum_speakers SET done = 1 WHERE id = $1`, id); err != nil {
		return nil, internal(err)
	}
	return one(ctx, db.DB, scanSpeaker, "speaker", id, `SELECT `+speakerColumns+` FROM forum_speakers WHERE id = $1`, id)
}

// Positions implements indivisible.ForumStore.
func (db *Store) Positions(ctx context.Context, itemID int64) ([]*indivisible.Position, error) {
	return all(ctx, db.DB, func(r scanner) (*indivisible.Position, error) {
		var p indivisible.Position
		var stance string
		var t int64
		err := r.Scan(&p.ID, &p.ItemID, &p.Version, &p.Participant, &stance, &p.StatementKind, &p.Statement, &t, &p.LogIndex, &p.KeyName)
		p.Stance, p.Time = indivisible.Stance(stance), ms(t)
		return &p, err
	}, `SELECT id, item_id, version, participant, stance, statement_kind, statement, time, log_index, key_name
		FROM forum_positions WHERE item_id = $1 ORDER BY log_index`, itemID)
}

// Decision implements indivisible.ForumStore.
func (db *Store) Decision(ctx context.Context, itemID int64) (*indivisible.Decision, error) {
	if _, err := db.Item(ctx, itemID); err != nil {
		return nil, err
	}
	d, err := one(ctx, db.DB, func(r scanner) (*indivisible.Decision, error) {
		var s string
		if err := r.Scan(&s); err != nil {
			return nil, err
		}
		var d indivisible.Decision
		return &d, decode(s, &d, rec("decision", itemID, 0, "decision"))
	}, "decision", itemID, `SELECT decision FROM forum_decisions WHERE item_id = $1`, itemID)
	if indivisible.ErrorCode(err) == indivisible.ENOTFOUND {
		return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, "item", "item %d is not decided yet", itemID)
	}
	return d, err
}

const questionColumns = `id, forum_id, parameter, text, unit, min, max, stop, round, status, rounds, stop_reason, created`

func scanQuestion(r scanner) (*indivisible.Question, error) {
	var q indivisible.Question
	var stop, status, rounds string
	var created int64
	if err := r.Scan(&q.ID, &q.ForumID, &q.Parameter, &q.Text, &q.Unit, &q.Min, &q.Max, &stop, &q.Round, &status, &rounds, &q.StopReason, &created); err != nil {
		return nil, err
	}
	q.Status, q.Created = indivisible.QuestionStatus(status), ms(created)
	if err := decode(stop, &q.Stop, rec("question", q.ID, 0, "stop")); err != nil {
		return nil, err
	}
	return &q, decode(rounds, &q.Rounds, rec("question", q.ID, 0, "rounds"))
}

// CreateQuestion implements indivisible.ForumStore.
func (db *Store) CreateQuestion(ctx context.Context, q *indivisible.Question) error {
	if _, err := db.Forum(ctx, q.ForumID); err != nil {
		return err
	}
	if q.Rounds == nil {
		q.Rounds = []indivisible.RoundStats{}
	}
	if q.Round == 0 {
		q.Round = 1
	}
	record := "the new question on " + q.Parameter
	stop, err := encode(record, "stop", q.Stop)
	if err != nil {
		return err
	}
	rounds, err := encode(record, "rounds", q.Rounds)
	if err != nil {
		return err
	}
	q.Status, q.Created = indivisible.QuestionOpen, db.stamp()
	id, err := insert(ctx, db.DB, `INSERT INTO forum_questions (forum_id, parameter, text, unit, min, max, stop, round, status, rounds, stop_reason, created)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		q.ForumID, q.Parameter, q.Text, q.Unit, q.Min, q.Max, stop, q.Round, string(q.Status), rounds, q.StopReason, q.Created.UnixMilli())
	q.ID = id
	return internal(err)
}

// Question implements indivisible.ForumStore.
func (db *Store) Question(ctx context.Context, id int64) (*indivisible.Question, error) {
	return one(ctx, db.DB, scanQuestion, "question", id, `SELECT `+questionColumns+` FROM forum_questions WHERE id = $1`, id)
}

// Questions implements indivisible.ForumStore.
func (db *Store) Questions(ctx context.Context, forumID int64) ([]*indivisible.Question, error) {
	return all(ctx, db.DB, scanQuestion, `SELECT `+questionColumns+` FROM forum_questions WHERE forum_id = $1 ORDER BY id`, forumID)
}

// SaveAnswer implements indivisible.ForumStore. The answer must be for
// the question's open round (ECONFLICT otherwise).
func (db *Store) SaveAnswer(ctx context.Context, a *indivisible.Answer) error {
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return internal(err)
	}
	defer tx.Rollback()
	q, err := one(ctx, tx, scanQuestion, "question", a.QuestionID, `SELECT `+questionColumns+` FROM forum_questions WHERE id = $1`, a.QuestionID)
	if err != nil {
		return err
	}
	if q.Status != indivisible.QuestionOpen || q.Round != a.Round {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, "round", "round %d of question %d is not open", a.Round, a.QuestionID)
	}
	if a.Time.IsZero() {
		a.Time = db.stamp()
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_answers (question_id, round, expert_id, value, time) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (question_id, round, expert_id) DO UPDATE SET value = excluded.value, time = excluded.time`,
		a.QuestionID, a.Round, a.ExpertID, a.Value, a.Time.UnixMilli()); err != nil {
		return internal(err)
	}
	return internal(tx.Commit())
}

// Answers implements indivisible.ForumStore.
func (db *Store) Answers(ctx context.Context, questionID int64, round int) ([]*indivisible.Answer, error) {
	return all(ctx, db.DB, func(r scanner) (*indivisible.Answer, error) {
		var a indivisible.Answer
		var t int64
		err := r.Scan(&a.QuestionID, &a.Round, &a.ExpertID, &a.Value, &t)
		a.Time = ms(t)
		return &a, err
	}, `SELECT question_id, round, expert_id, value, time FROM forum_answers WHERE question_id = $1 AND round = $2 ORDER BY expert_id`, questionID, round)
}

// FinishRound implements indivisible.ForumStore.
func (db *Store) FinishRound(ctx context.Context, questionID int64, stats indivisible.RoundStats, stopReason string) (*indivisible.Question, error) {
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, internal(err)
	}
	defer tx.Rollback()
	q, err := one(ctx, tx, scanQuestion, "question", questionID, `SELECT `+questionColumns+` FROM forum_questions WHERE id = $1`, questionID)
	if err != nil {
		return nil, err
	}
	if q.Status != indivisible.QuestionOpen || q.Round != stats.Round {
		return nil, indivisible.FieldErrorf(indivisible.ECONFLICT, "round", "round %d of question %d is not open", stats.Round, questionID)
	}
	q.Rounds = append(q.Rounds, stats)
	rounds, err := encode(fmt.Sprintf("question %d", questionID), "rounds", q.Rounds)
	if err != nil {
		return nil, err
	}
	if stopReason != "" {
		q.Status, q.StopReason = indivisible.QuestionClosed, stopReason
	} else {
		q.Round++
	}
	res, err := tx.ExecContext(ctx, `UPDATE forum_questions SET round = $1, status = $2, rounds = $3, stop_reason = $4 WHERE id = $5 AND round = $6`,
		q.Round, string(q.Status), rounds, q.StopReason, questionID, stats.Round)
	if err != nil {
		return nil, internal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, indivisible.FieldErrorf(indivisible.ECONFLICT, "round", "question %d changed meanwhile", questionID)
	}
	return q, internal(tx.Commit())
}
