package forum_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/postgres"
	"github.com/indivisible-eurasia/indivisible/postgres/pgtest"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

// server is what one serve process holds: its own connection to the
// database, its own log writer over it, and a forum service.
type server struct {
	svc *forum.Service
	log *ledger.Log
}

// backend opens n servers on one fresh database. The log is created once,
// with the attestation key registered, as the first serve would.
type backend struct {
	name string
	open func(t *testing.T, n int) (indivisible.ForumStore, indivisible.AccountStore, []server)
}

// TestDecidedOnce closes every item 20 times at once, from two servers
// sharing one database (PostgreSQL: two processes; SQLite: two services
// in one process, on one log), while delegations keep taking positions.
// Exactly one close of each item succeeds, the others fail with
// ECONFLICT, the log holds exactly one decision per item, and every
// position in the log is in the store and the other way round: the log
// and the forum's records are written in one transaction.
func TestDecidedOnce(t *testing.T) {
	for _, b := range []backend{
		{"sqlite", func(t *testing.T, n int) (indivisible.ForumStore, indivisible.AccountStore, []server) {
			db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "forum.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			l, att, _ := newSharedLog(t, db)
			var ss []server
			for range n {
				ss = append(ss, server{newService(t, db, db, l, att), l})
			}
			return db, db, ss
		}},
		{"postgres", func(t *testing.T, n int) (indivisible.ForumStore, indivisible.AccountStore, []server) {
			dsn := pgtest.Fresh(t)
			var ss []server
			var first *postgres.DB
			var (
				att  forum.Attester
				skey string
			)
			for i := range n {
				db, err := postgres.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				var l *ledger.Log
				if i == 0 {
					first = db
					l, att, skey = newSharedLog(t, db)
				} else {
					l = openLog(t, db, skey)
				}
				ss = append(ss, server{newService(t, db, db, l, att), l})
			}
			return first, first, ss
		}},
	} {
		t.Run(b.name, func(t *testing.T) { testDecidedOnce(t, b) })
	}
}

// newSharedLog creates the log in db and opens it, with the forum's
// attestation key registered; it returns the log's signing key for the
// other servers.
func newSharedLog(t *testing.T, db logstore.Store) (*ledger.Log, forum.Attester, string) {
	t.Helper()
	skey, err := ledger.GenerateLogKey(ledger.DefaultOrigin)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.Create(context.Background(), db, skey); err != nil {
		t.Fatal(err)
	}
	l := openLog(t, db, skey)
	sk, vk, err := ledger.NewKey(rand.Reader, indivisible.ForumParticipant)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.RegisterKey(context.Background(), indivisible.ForumParticipant, vk); err != nil {
		t.Fatal(err)
	}
	sg, err := note.NewSigner(sk)
	if err != nil {
		t.Fatal(err)
	}
	return l, forum.KeyAttester{Signer: sg}, skey
}

func openLog(t *testing.T, db logstore.Store, skey string) *ledger.Log {
	t.Helper()
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(context.Background(), db, signer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func newService(t *testing.T, fs indivisible.ForumStore, as indivisible.AccountStore, l *ledger.Log, att forum.Attester) *forum.Service {
	s, m := eurasia(t)
	return forum.NewService(forum.Config{Store: fs, Accounts: as, Assessor: m, Log: l, Attester: att, Scenario: s})
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testDecidedOnce(t *testing.T, b backend) {
	const items, closes = 20, 20
	ctx := context.Background()
	store, accounts, servers := b.open(t, 2)
	svc := servers[0].svc
	sec := &indivisible.Account{Name: "Secretariat", Role: indivisible.RoleSecretariat}
	dels := []*indivisible.Account{
		{Name: "Poland", Role: indivisible.RoleDelegation, Participant: "POL", Kind: indivisible.MemberState},
		{Name: "Russia", Role: indivisible.RoleDelegation, Participant: "RUS", Kind: indivisible.MemberState},
	}
	for _, a := range append([]*indivisible.Account{sec}, dels...) {
		if err := accounts.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	f := &indivisible.Forum{Title: "Forum"}
	ok(t, svc.CreateForum(ctx, sec, f))
	se := &indivisible.Session{ForumID: f.ID, Title: "Session"}
	ok(t, svc.CreateSession(ctx, sec, se))
	for _, a := range dels {
		d := &indivisible.Delegation{ForumID: f.ID, Participant: a.Participant, Kind: indivisible.MemberState, Name: a.Name, Head: "Head"}
		ok(t, svc.RegisterDelegation(ctx, sec, d))
		must[*indivisible.Delegation](t)(svc.SetDelegationStatus(ctx, sec, f.ID, d.ID, indivisible.Accredited))
	}
	var ids []int64
	for i := range items {
		it := &indivisible.AgendaItem{ForumID: f.ID, SessionID: se.ID, Title: fmt.Sprintf("Item %d", i+1), Rule: indivisible.RuleSpec{Name: indivisible.RuleConsensus}}
		ok(t, svc.CreateItem(ctx, sec, it))
		v := &indivisible.ProposalVersion{ItemID: it.ID, Title: "Text", Text: "A text.\n"}
		ok(t, svc.Table(ctx, dels[0], f.ID, v))
		must[*indivisible.Position](t)(svc.TakePosition(ctx, dels[0], f.ID, it.ID, &indivisible.PositionRequest{Stance: indivisible.Support}))
		ids = append(ids, it.ID)
	}

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		decided = map[int64][]*indivisible.Decision{}
		errs    []error
	)
	for _, id := range ids {
		for c := range closes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := servers[c%len(servers)].svc.Close(ctx, sec, f.ID, id)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					decided[id] = append(decided[id], d)
				} else if indivisible.ErrorCode(err) != indivisible.ECONFLICT {
					errs = append(errs, err)
				}
			}()
		}
		// Positions race with the closes: each is either stored before
		// the decision (and counted) or refused because the item closed.
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := servers[1].svc.TakePosition(ctx, dels[1], f.ID, id, &indivisible.PositionRequest{Stance: indivisible.Abstain})
			if err != nil && indivisible.ErrorCode(err) != indivisible.ECONFLICT {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Errorf("a close or position failed otherwise than ECONFLICT: %v", err)
	}

	// The log, read through a server that did not write most of it.
	l := servers[1].log
	cp := must[indivisible.Checkpoint](t)(l.Checkpoint(ctx))
	es := must[[]indivisible.Entry](t)(l.Entries(ctx, 0, cp.Size))
	inLog := map[int64]int{}
	positionsInLog := map[int64]bool{}
	for _, e := range es {
		switch e.Kind {
		case indivisible.KindDecision:
			var body struct {
				Item int64 `json:"item"`
			}
			if err := json.Unmarshal(e.Body, &body); err != nil {
				t.Fatal(err)
			}
			inLog[body.Item]++
		case indivisible.KindPosition:
			positionsInLog[e.Index] = true
		}
	}
	for _, id := range ids {
		if n := len(decided[id]); n != 1 {
			t.Errorf("item %d: %d closes succeeded, want exactly 1", id, n)
		}
		if inLog[id] != 1 {
			t.Errorf("item %d: %d decisions in the log, want exactly 1", id, inLog[id])
		}
		d, err := store.Decision(ctx, id)
		if err != nil {
			t.Errorf("item %d: stored decision: %v", id, err)
			continue
		}
		if len(decided[id]) == 1 && d.LogIndex != decided[id][0].LogIndex {
			t.Errorf("item %d: stored decision at log index %d, the successful close returned %d", id, d.LogIndex, decided[id][0].LogIndex)
		}
		ps := must[[]*indivisible.Position](t)(store.Positions(ctx, id))
		for _, p := range ps {
			if !positionsInLog[p.LogIndex] {
				t.Errorf("item %d: stored position at log index %d is not a position entry of the log", id, p.LogIndex)
			}
			delete(positionsInLog, p.LogIndex)
			if p.LogIndex > d.LogIndex {
				t.Errorf("item %d: position at %d stored after the decision at %d", id, p.LogIndex, d.LogIndex)
			}
		}
		if want := len(ps); d.Tally.Present != want {
			t.Errorf("item %d: the decision counted %d positions, %d are stored", id, d.Tally.Present, want)
		}
	}
	for idx := range positionsInLog {
		t.Errorf("position entry %d of the log is in no item's records", idx)
	}
}
