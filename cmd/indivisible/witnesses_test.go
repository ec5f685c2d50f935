package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/cosign"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/witness"
)

// TestDemoWitnesses: the demo's three witnesses cosign at once; the API
// serves the cosigned checkpoint and proofs in its tree, /readyz reports
// the quorum, and ledger verify -witnesses accepts the saved checkpoint,
// or refuses it, with exit status 3 and the missing witness named, under
// a policy it does not meet.
func TestDemoWitnesses(t *testing.T) {
	dir := t.TempDir()
	url, _ := startCommand(t, "demo", "-dir", dir)
	var ready struct {
		Status    string
		Witnesses cosign.Status
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := get(t, url+"/readyz")
		if err := json.Unmarshal([]byte(body), &ready); err != nil {
			t.Fatal(err)
		}
		if ready.Witnesses.Quorum && ready.Witnesses.Size >= 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no quorum: %s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if ready.Status != "ready" || len(ready.Witnesses.Witnesses) != 3 || ready.Witnesses.Policy != "2 of POL, RUS, ARM" {
		t.Errorf("readyz %+v", ready)
	}
	policyPath := filepath.Join(dir, "witnesses.txt")
	p, err := cosign.ReadPolicy(policyPath)
	if err != nil {
		t.Fatal(err)
	}
	_, cpNote := get(t, url+"/log/checkpoint")
	if _, err := p.Verify([]byte(cpNote)); err != nil {
		t.Fatalf("/log/checkpoint: %v\n%s", err, cpNote)
	}
	_, body := get(t, url+"/api/v1/declarations/12")
	var decl struct{ Proof string }
	json.Unmarshal([]byte(body), &decl)
	proof, err := ledger.ParseInclusionProof([]byte(decl.Proof))
	if err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if _, err := p.Verify(proof.Checkpoint.Note); err != nil {
		t.Errorf("the proof's checkpoint: %v", err)
	}
	_, page := get(t, url+"/log")
	for _, want := range []string{"The quorum holds", "witness.demo/pol"} {
		if !strings.Contains(page, want) {
			t.Errorf("the Log page lacks %q", want)
		}
	}

	db := filepath.Join(dir, "indivisible.db")
	var out, errOut bytes.Buffer
	ctx := context.Background()
	if err := run(ctx, []string{"ledger", "verify", "-db", db, "-witnesses", policyPath}, os.Getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("ledger verify -witnesses: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "witnessed: ") || !strings.Contains(out.String(), "consistent with the cosigned") {
		t.Errorf("ledger verify printed %q", out.String())
	}
	// A policy that also needs KAZ, which never cosigned.
	_, kaz, _ := witness.GenerateKey(rand.Reader, "witness.demo/kaz")
	text, _ := os.ReadFile(policyPath)
	strict := strings.Replace(string(text), "group delegations 2 POL RUS ARM", "witness KAZ "+kaz+" http://127.0.0.1:9\ngroup delegations all POL RUS ARM KAZ", 1)
	strictPath := filepath.Join(t.TempDir(), "strict.txt")
	os.WriteFile(strictPath, []byte(strict), 0o644)
	out.Reset()
	err = run(ctx, []string{"ledger", "verify", "-db", db, "-witnesses", strictPath}, os.Getenv, strings.NewReader(""), &out, &errOut)
	if exitCode(err) != 3 || !strings.HasSuffix(indivisible.ErrorMessage(err), "missing valid cosignatures from KAZ") {
		t.Fatalf("ledger verify under a policy not met: exit %d, %v", exitCode(err), err)
	}
	// A bad policy file is bad input naming its line.
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, []byte(string(text)+"group x 9 POL\n"), 0o644)
	err = run(ctx, []string{"ledger", "verify", "-db", db, "-witnesses", bad}, os.Getenv, strings.NewReader(""), &out, &errOut)
	if exitCode(err) != 2 || !strings.Contains(indivisible.ErrorField(err), "bad.txt:") {
		t.Fatalf("bad policy: exit %d, field %q, %v", exitCode(err), indivisible.ErrorField(err), err)
	}
	err = run(ctx, []string{"ledger", "verify", "-db", db, "-witnesses", filepath.Join(dir, "missing.txt")}, os.Getenv, strings.NewReader(""), &out, &errOut)
	if exitCode(err) != 4 {
		t.Fatalf("missing policy: exit %d, %v", exitCode(err), err)
	}
}

// TestServeWitnessesFlag: serve refuses a policy that is not its log's.
func TestServeWitnessesFlag(t *testing.T) {
	dir := t.TempDir()
	_, other, _ := note.GenerateKey(rand.Reader, "other.example/log")
	_, w, _ := witness.GenerateKey(rand.Reader, "w.example")
	policy := filepath.Join(dir, "w.txt")
	os.WriteFile(policy, []byte("log "+other+"\nwitness W "+w+" http://127.0.0.1:9\nquorum W\n"), 0o644)
	err := run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "s.db"), "-witnesses", policy}, os.Getenv, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	if exitCode(err) != 2 || !strings.Contains(indivisible.ErrorMessage(err), "is not this log's key") {
		t.Fatalf("serve with another log's policy: exit %d, %v", exitCode(err), err)
	}
}
