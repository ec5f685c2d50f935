package ledger

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
)

// tamperLog makes a log of 20 entries (a key registration and 19
// declarations) to tamper with.
func tamperLog(t *testing.T) *testLog {
	tl := newTestLog(t)
	tl.appendN(t, 19)
	rep, err := Audit(context.Background(), tl.db, AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Checkpoint.Size != 20 {
		t.Fatalf("untouched log: size %d, problems %v", rep.Checkpoint.Size, rep.Problems)
	}
	return tl
}

func (tl *testLog) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	res, err := tl.db.DB.Exec(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("%s changed nothing", query)
	}
}

// Every kind of tampering with the stored rows is reported with the index
// of the entry concerned.
func TestAuditTampering(t *testing.T) {
	leaf7 := tlog.StoredHashIndex(0, 7)
	node := tlog.StoredHashIndex(2, 1) // covers entries 4..7, written by entry 7
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, tl *testLog)
		want   []int64 // indexes that must be reported (-1: the log as a whole)
	}{
		{"flip a byte of an entry", func(t *testing.T, tl *testLog) {
			tl.exec(t, `UPDATE entries SET data = substr(data, 1, 40) || x'ff' || substr(data, 42) WHERE idx = 5`)
		}, []int64{5}},
		{"flip a byte of a body so that it still decodes", func(t *testing.T, tl *testLog) {
			tl.exec(t, `UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), '"n":', '"m":') AS BLOB) WHERE idx = 9`)
		}, []int64{9}},
		{"flip a byte of a leaf hash", func(t *testing.T, tl *testLog) {
			tl.exec(t, `UPDATE hashes SET hash = x'00' || substr(hash, 2) WHERE id = $1`, leaf7)
		}, []int64{7}},
		{"flip a byte of an interior hash", func(t *testing.T, tl *testLog) {
			tl.exec(t, `UPDATE hashes SET hash = x'00' || substr(hash, 2) WHERE id = $1`, node)
		}, []int64{7}},
		{"delete an entry", func(t *testing.T, tl *testLog) {
			tl.exec(t, `DELETE FROM entries WHERE idx = 12`)
		}, []int64{12}},
		{"delete the last entry", func(t *testing.T, tl *testLog) {
			tl.exec(t, `DELETE FROM entries WHERE idx = 19`)
		}, []int64{19}},
		{"delete a hash", func(t *testing.T, tl *testLog) {
			tl.exec(t, `DELETE FROM hashes WHERE id = $1`, leaf7)
		}, []int64{7}},
		{"swap two entries", func(t *testing.T, tl *testLog) {
			tl.exec(t, `UPDATE entries SET idx = -1 WHERE idx = 3`)
			tl.exec(t, `UPDATE entries SET idx = 3 WHERE idx = 4`)
			tl.exec(t, `UPDATE entries SET idx = 4 WHERE idx = -1`)
		}, []int64{3, 4}},
		{"insert an entry at the end", func(t *testing.T, tl *testLog) {
			tl.exec(t, `INSERT INTO entries (idx, kind, participant, key_name, body_hash, data)
				SELECT 20, kind, participant, key_name, x'00', data FROM entries WHERE idx = 2`)
		}, []int64{20}},
		{"insert an entry in the middle", func(t *testing.T, tl *testLog) {
			tl.exec(t, `UPDATE entries SET idx = idx + 100 WHERE idx >= 10`)
			tl.exec(t, `UPDATE entries SET idx = idx - 99 WHERE idx >= 110`)
			tl.exec(t, `INSERT INTO entries (idx, kind, participant, key_name, body_hash, data)
				SELECT 10, kind, participant, key_name, x'00', data FROM entries WHERE idx = 2`)
		}, []int64{10, 11, 19, 20}},
		{"change a registered key", func(t *testing.T, tl *testLog) {
			tl.exec(t, `UPDATE keys SET participant = 'DEU'`)
		}, []int64{0}},
		{"revoke a key without a log entry", func(t *testing.T, tl *testLog) {
			tl.exec(t, `UPDATE keys SET revoked_from = 3`)
		}, []int64{0}},
		{"replace the checkpoint root", func(t *testing.T, tl *testLog) {
			tl.exec(t, `UPDATE checkpoints SET root = x'00' || substr(root, 2) WHERE size = 20`)
		}, []int64{-1}},
		{"forge the checkpoint note", func(t *testing.T, tl *testLog) {
			tl.exec(t, `UPDATE checkpoints SET note = replace(note, char(10) || '20' || char(10), char(10) || '21' || char(10)), size = 21 WHERE size = 20`)
		}, []int64{-1}},
		{"roll back the last checkpoint", func(t *testing.T, tl *testLog) {
			tl.exec(t, `DELETE FROM checkpoints WHERE size = 20`)
		}, []int64{-1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl := tamperLog(t)
			ctx := context.Background()
			before, _ := tl.Checkpoint(ctx)
			tc.tamper(t, tl)
			rep, err := Audit(ctx, tl.db, AuditOptions{VerifierKey: tl.Info().VerifierKey, Since: before.Note})
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Fatal("the audit found nothing")
			}
			t.Logf("problems:\n%s", problems(rep.Problems))
			reported := map[int64]bool{}
			for _, p := range rep.Problems {
				reported[p.Index] = true
			}
			for _, i := range tc.want {
				if !reported[i] {
					t.Errorf("index %d not reported; problems:\n%s", i, problems(rep.Problems))
				}
			}
		})
	}
}

func problems(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\t" + p.String() + "\n")
	}
	return b.String()
}

// A log whose every row was rewritten consistently by someone with the
// database but not the log's key still fails against the trusted key, and
// against a checkpoint saved before.
func TestAuditRewrittenLog(t *testing.T) {
	tl := tamperLog(t)
	ctx := context.Background()
	saved, _ := tl.Checkpoint(ctx)
	trusted := tl.Info().VerifierKey

	// The attacker re-creates the log with their own key.
	other := newTestLog(t)
	other.appendN(t, 25)
	rep, err := Audit(ctx, other.db, AuditOptions{VerifierKey: trusted})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() {
		t.Error("a log signed by another key passed against the trusted key")
	}
	rep, err = Audit(ctx, other.db, AuditOptions{Since: saved.Note})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() {
		t.Error("a log signed by another key passed against a checkpoint saved before")
	}
	_, err = Audit(ctx, other.db, AuditOptions{Since: saved.Note, VerifierKey: other.Info().VerifierKey})
	wantCode(t, "since a checkpoint of another log, trusting its key", err, indivisible.EINVALID)
}

// Consistency with an earlier checkpoint: a log that only grew passes.
func TestAuditSince(t *testing.T) {
	tl := tamperLog(t)
	ctx := context.Background()
	var saved [][]byte
	empty, _ := Open(ctx, tl.db, nil)
	cp0, _ := empty.Checkpoint(ctx)
	saved = append(saved, cp0.Note)
	for range 3 {
		tl.appendN(t, 7)
		cp, _ := tl.Checkpoint(ctx)
		saved = append(saved, cp.Note)
	}
	for i, s := range saved {
		rep, err := Audit(ctx, tl.db, AuditOptions{Since: s})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Errorf("since checkpoint %d: %s", i, problems(rep.Problems))
		}
	}
}
