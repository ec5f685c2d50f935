package forum

import (
	"context"

	"github.com/indivisible-eurasia/indivisible"
)

// LogReader reads the log (package ledger's *Log), for recovery.
type LogReader interface {
	Checkpoint(ctx context.Context) (indivisible.Checkpoint, error)
	Entries(ctx context.Context, start, end int64) ([]indivisible.Entry, error)
}

// RecoverPositions stores the positions that are in the log but not in
// the store. A position is appended to the log before it is stored, so a
// crash or a failed write in between leaves the log ahead of the store;
// the log is the record, and this brings the store back in line. It
// returns how many positions it restored. Entries about items this store
// does not have (a log shared with another forum store) are left alone.
func (s *Service) RecoverPositions(ctx context.Context, r LogReader) (int, error) {
	cp, err := r.Checkpoint(ctx)
	if err != nil {
		return 0, err
	}
	restored := 0
	const chunk = 1000
	for lo := int64(0); lo < cp.Size; lo += chunk {
		es, err := r.Entries(ctx, lo, min(lo+chunk, cp.Size))
		if err != nil {
			return restored, err
		}
		for _, e := range es {
			ok, err := s.recoverPosition(ctx, e)
			if err != nil {
				return restored, err
			}
			if ok {
				restored++
			}
		}
	}
	return restored, nil
}

// recoverPosition stores the position entry e if the store lacks it.
func (s *Service) recoverPosition(ctx context.Context, e indivisible.Entry) (bool, error) {
	if e.Kind != indivisible.KindPosition {
		return false, nil
	}
	body, err := ParsePositionBody(e.Body)
	if err != nil {
		return false, nil // not ours to mend: the audit reports malformed entries
	}
	signed := e.Participant != indivisible.ForumParticipant
	if signed && e.Participant != body.Participant {
		return false, nil
	}
	it, err := s.cfg.Store.Item(ctx, body.Item)
	switch {
	case indivisible.ErrorCode(err) == indivisible.ENOTFOUND:
		return false, nil
	case err != nil:
		return false, err
	case it.ForumID != body.Forum:
		return false, nil
	}
	p := &indivisible.Position{ItemID: body.Item, Version: body.Version, Participant: body.Participant, Stance: body.Stance,
		StatementKind: body.StatementKind, Statement: body.Statement, Time: e.Time, LogIndex: e.Index}
	if signed {
		p.KeyName = e.KeyName
	}
	switch err := s.cfg.Store.AddPosition(ctx, p); indivisible.ErrorCode(err) {
	case "":
		return true, nil
	case indivisible.ECONFLICT, indivisible.EINVALID:
		return false, nil // stored already, or not a position the store can hold
	default:
		return false, err
	}
}
