package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/postgres"
	"github.com/indivisible-eurasia/indivisible/postgres/pgtest"
)

// TestTwoServersOnePostgres runs two serve processes on one PostgreSQL
// database with concurrent submitters on both, and checks that the result
// is one linear log: every acknowledged declaration is in it exactly once,
// at the index it was acknowledged with, and every checkpoint either server
// handed out is consistent with the final tree.
func TestTwoServersOnePostgres(t *testing.T) {
	dsn := pgtest.Fresh(t)
	keyFile := filepath.Join(t.TempDir(), "log.key")
	ctx := context.Background()
	a, _ := startCommand(t, "serve", "-db", dsn, "-log-key", keyFile, "-rate", "10000", "-burst", "10000")
	b, _ := startCommand(t, "serve", "-db", dsn, "-log-key", keyFile, "-rate", "10000", "-burst", "10000")
	servers := []string{a, b}

	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	token := func(acc *indivisible.Account) string {
		if err := db.CreateAccount(ctx, acc); err != nil {
			t.Fatal(err)
		}
		secret, hash := indivisible.NewTokenSecret()
		if _, err := db.CreateToken(ctx, acc.ID, "test", hash); err != nil {
			t.Fatal(err)
		}
		return secret
	}
	secretariat := token(&indivisible.Account{Name: "Secretariat", Role: indivisible.RoleSecretariat})
	post := func(url, tok, body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0, nil
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v
	}

	type submitter struct {
		participant, token string
		signer             note.Signer
	}
	var subs []submitter
	for i, p := range []string{"POL", "DEU", "FRA", "ITA"} {
		skey, vkey, err := ledger.NewKey(rand.Reader, p)
		if err != nil {
			t.Fatal(err)
		}
		// Keys are registered through alternate servers, so each server
		// must learn of keys the other registered.
		body, _ := json.Marshal(map[string]string{"participant": p, "public_key": vkey})
		if status, v := post(servers[i%2]+"/api/v1/keys", secretariat, string(body)); status != 201 {
			t.Fatalf("register %s: %d %v", p, status, v)
		}
		signer, _ := note.NewSigner(skey)
		subs = append(subs, submitter{p, token(&indivisible.Account{Name: p, Role: indivisible.RoleDelegation, Participant: p, Kind: indivisible.MemberState}), signer})
	}

	const perSubmitter = 25
	type ack struct {
		index int64
		sum   [32]byte
	}
	var (
		mu          sync.Mutex
		acks        []ack
		checkpoints []string
		wg          sync.WaitGroup
	)
	for k, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSubmitter {
				body := fmt.Sprintf(`{"kind": "transfer_report", "participant": %q, "role": "exporter", "year": 2025, "counterpart": "USA", "category": "artillery", "quantity": %d}`, s.participant, i+1)
				sig, _ := s.signer.Sign([]byte(body))
				env, _ := json.Marshal(map[string]string{"declaration": base64.StdEncoding.EncodeToString([]byte(body)), "key_name": s.signer.Name(), "signature": base64.StdEncoding.EncodeToString(sig)})
				server := servers[(k+i)%2]
				status, v := post(server+"/api/v1/declarations", s.token, string(env))
				if status != 201 {
					t.Errorf("%s submission %d on %s: %d %v", s.participant, i, server, status, v)
					continue
				}
				idx := int64(v["entry"].(map[string]any)["index"].(float64))
				resp, err := http.Get(servers[(k+i+1)%2] + "/log/checkpoint")
				if err != nil {
					t.Error(err)
					continue
				}
				cp, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				acks = append(acks, ack{idx, sha256.Sum256([]byte(body))})
				checkpoints = append(checkpoints, string(cp))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	l, err := ledger.Open(ctx, db.Store, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	final, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := l.Entries(ctx, 0, final.Size)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(subs) + len(subs)*perSubmitter); final.Size != want {
		t.Errorf("log has %d entries, want %d (4 keys and %d declarations)", final.Size, want, len(subs)*perSubmitter)
	}
	at := map[[32]byte][]int64{}
	for _, e := range entries {
		at[sha256.Sum256(e.Body)] = append(at[sha256.Sum256(e.Body)], e.Index)
	}
	for _, a := range acks {
		if got := at[a.sum]; len(got) != 1 || got[0] != a.index {
			t.Errorf("declaration acknowledged at %d is at %v", a.index, got)
		}
	}
	// Every checkpoint handed out is a prefix of the final tree.
	for _, text := range checkpoints {
		n, err := note.Open([]byte(text), note.VerifierList(l.Verifier()))
		if err != nil {
			t.Fatalf("checkpoint signature: %v", err)
		}
		lines := strings.Split(n.Text, "\n")
		size, _ := strconv.ParseInt(lines[1], 10, 64)
		root, _ := tlog.ParseHash(lines[2])
		proof, cp, err := l.ProveConsistency(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(proof, cp.Size, cp.Root, size, root); err != nil {
			t.Errorf("checkpoint of size %d is not consistent with the final tree: %v", size, err)
		}
	}
	if !bytes.Contains([]byte(checkpoints[len(checkpoints)-1]), []byte(ledger.DefaultOrigin)) {
		t.Errorf("unexpected origin in %q", checkpoints[len(checkpoints)-1])
	}
}
