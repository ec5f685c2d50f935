package witness

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/ledgertest"
	"github.com/indivisible-eurasia/indivisible/sqlite"
)

// TestFork: a log signs two checkpoints of one size with different roots,
// shows one to each of two witnesses, then tries to get each witness to
// cosign the other lineage too, at the same size and grown. Each witness
// cosigns exactly one lineage and refuses the other, loudly.
func TestFork(t *testing.T) {
	logSigner, logKey := newLogKey(t, "test.example/log")
	a := newTree(logSigner).grow(t, 4, "shared")
	b := a.clone()
	a.grow(t, 12, "poland")
	b.grow(t, 12, "russia")
	if a.root(t, 6) == b.root(t, 6) {
		t.Fatal("the lineages do not differ")
	}
	wa := newWitness(t, "witness.example/a", "", logKey)
	wb := newWitness(t, "witness.example/b", "", logKey)

	for _, c := range []struct {
		w          *testWitness
		mine, fork *testTree
	}{{wa, a, b}, {wb, b, a}} {
		if ans := c.w.post(t, c.mine.request(t, 0, 6)); ans.status != 200 {
			t.Fatalf("%s: first checkpoint: %d %s", c.w.Name(), ans.status, ans.body)
		}
		if ans := c.w.post(t, c.fork.request(t, 6, 6)); ans.status != 409 || ans.contentType == ConflictContentType {
			t.Errorf("%s: the other lineage's checkpoint of the same size: %d %q %s, want 409 (not of size)", c.w.Name(), ans.status, ans.contentType, ans.body)
		}
		if ans := c.w.post(t, c.fork.request(t, 6, 12)); ans.status != 422 {
			t.Errorf("%s: the other lineage grown: %d %s, want 422", c.w.Name(), ans.status, ans.body)
		}
		if size, root, _ := c.w.Latest(a.origin); size != 6 || root != c.mine.root(t, 6) {
			t.Errorf("%s: latest %d %x, want its own lineage at 6", c.w.Name(), size, root)
		}
		// Its own lineage still grows.
		if ans := c.w.post(t, c.mine.request(t, 6, 12)); ans.status != 200 {
			t.Errorf("%s: own lineage grown: %d %s", c.w.Name(), ans.status, ans.body)
		}
		m := c.w.metrics(t)
		for _, reason := range []string{ReasonFork, ReasonInconsistent} {
			line := fmt.Sprintf("indivisible_witness_refused_total{origin=%q,reason=%q} 1\n", a.origin, reason)
			if !strings.Contains(m, line) {
				t.Errorf("%s: metrics lack %q", c.w.Name(), line)
			}
		}
		logs := c.w.logs.String()
		var loud int
		for line := range strings.SplitSeq(logs, "\n") {
			theirs := fmt.Sprintf(" root=%q", b64(c.fork.root(t, 6)))
			if strings.Contains(line, "size=12") {
				theirs = fmt.Sprintf(" root=%q", b64(c.fork.root(t, 12)))
			}
			if strings.Contains(line, "level=ERROR") && strings.Contains(line, "FORK") &&
				strings.Contains(line, " origin=test.example/log ") && strings.Contains(line, fmt.Sprintf(" cosigned_root=%q", b64(c.mine.root(t, 6)))) &&
				strings.Contains(line, theirs) {
				loud++
			}
		}
		if loud != 2 {
			t.Errorf("%s: %d loud fork lines with origin and both roots, want 2:\n%s", c.w.Name(), loud, logs)
		}
	}
}

// TestLedger feeds the witness the checkpoints and consistency proofs of a
// real Indivisible log as it grows, and checks each cosignature with
// torchwood's verifier and policy.
func TestLedger(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "log.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l := ledgertest.NewLog(t, db, "forum.example.org/log")
	tw := newWitness(t, "witness.example/pol", "", l.Info().VerifierKey)

	var old int64
	for round := range 5 {
		for range round + 1 {
			_, vkey, err := ledger.NewKey(rand.Reader, "POL")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := l.RegisterKey(ctx, "POL", vkey); err != nil {
				t.Fatal(err)
			}
		}
		var proof tlog.TreeProof
		var cp indivisible.Checkpoint
		if old == 0 {
			cp, err = l.Checkpoint(ctx)
		} else {
			proof, cp, err = l.ProveConsistency(ctx, old)
		}
		if err != nil {
			t.Fatal(err)
		}
		ans := tw.post(t, body(t, old, proof, cp.Note))
		if ans.status != 200 {
			t.Fatalf("round %d, %d to %d: %d %s", round, old, cp.Size, ans.status, ans.body)
		}
		verifyCosigned(t, tw, l.Info().VerifierKey, cp.Note, ans.body, cp.Size, cp.Root)
		// Our own checkpoint reader accepts the cosigned note too.
		if _, err := ledger.OpenCheckpoint(append(cp.Note, ans.body...), l.Verifier()); err != nil {
			t.Errorf("ledger.OpenCheckpoint of the cosigned note: %v", err)
		}
		old = cp.Size
	}
}

// TestSerialised: many clients race to grow the witness from one size to
// different sizes. Exactly one wins; the rest learn the new size (409),
// and the state is never rolled back to a loser's.
func TestSerialised(t *testing.T) {
	logSigner, logKey := newLogKey(t, "test.example/log")
	tree := newTree(logSigner).grow(t, 40, "leaf")
	tw := newWitness(t, "witness.example/w1", "", logKey)
	if a := tw.post(t, tree.request(t, 0, 3)); a.status != 200 {
		t.Fatal(a)
	}
	bodies := make([][]byte, 30)
	for i := range bodies {
		bodies[i] = tree.request(t, 3, int64(4+i))
	}
	status := make([]int, len(bodies))
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Go(func() { status[i] = tw.post(t, bodies[i]).status })
	}
	wg.Wait()
	won := -1
	for i, s := range status {
		switch {
		case s == 200 && won >= 0:
			t.Errorf("requests %d and %d from size 3 were both cosigned", won, i)
		case s == 200:
			won = i
		case s != 409:
			t.Errorf("request %d: status %d", i, s)
		}
	}
	if won < 0 {
		t.Fatal("no request was cosigned")
	}
	if size, _, _ := tw.Latest(tree.origin); size != int64(4+won) {
		t.Errorf("latest size %d, want the winner's %d", size, 4+won)
	}
}

// TestRestart: the state survives closing and reopening the witness, a
// second witness cannot share the directory, and a corrupt state file
// stops the witness from starting instead of resetting it.
func TestRestart(t *testing.T) {
	logSigner, logKey := newLogKey(t, "test.example/log")
	tree := newTree(logSigner).grow(t, 10, "leaf")
	skey, _, err := GenerateKey(rand.Reader, "witness.example/w1")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := NewSigner(skey)
	dir := t.TempDir()
	logs, _ := ParseLogs([]byte("log " + logKey + "\n"))
	w, err := Open(Config{Signer: signer, Logs: logs, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseAddCheckpoint(tree.request(t, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddCheckpoint(r); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Config{Signer: signer, Logs: logs, Dir: dir}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("a second witness on the same state: %v, want an error", err)
	}
	w.Close()

	tw := openWitness(t, signer, dir, logKey)
	if size, root, _ := tw.Latest(tree.origin); size != 7 || root != tree.root(t, 7) {
		t.Errorf("after restart: latest %d, want 7", size)
	}
	if a := tw.post(t, tree.request(t, 0, 10)); a.status != 409 || a.body != "7\n" {
		t.Errorf("after restart, old 0: %d %q, want 409 7", a.status, a.body)
	}
	tw.Close()

	file := filepath.Join(dir, "test.example%2Flog.checkpoint")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(tree.checkpoint(t, 7)) {
		t.Errorf("state file holds %q, want the cosigned checkpoint", data)
	}
	for _, bad := range []string{"", "garbage", strings.Replace(string(data), "test.example/log", "other.example/log", 1)} {
		os.WriteFile(file, []byte(bad), 0o600)
		if _, err := Open(Config{Signer: signer, Logs: logs, Dir: dir}); err == nil {
			t.Errorf("opened with state %q", bad)
		}
	}
}

// TestParseLogs checks the -logs file format.
func TestParseLogs(t *testing.T) {
	_, k1 := newLogKey(t, "a.example/log")
	_, k2 := newLogKey(t, "a.example/log")
	_, k3 := newLogKey(t, "b.example/log")
	logs, err := ParseLogs([]byte("# logs\n\nlog " + k1 + " https://a.example/log\nlog " + k2 + "  # rotated\nwitness w X\nquorum none\nlog " + k3 + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 2 || logs[0].Origin != "a.example/log" || len(logs[0].Keys) != 2 || logs[1].Origin != "b.example/log" {
		t.Errorf("ParseLogs = %+v", logs)
	}
	for _, c := range []struct{ in, field string }{
		{"", ""},
		{"# nothing\n", ""},
		{"log\n", "1"},
		{"log not-a-key\n", "1"},
		{"log " + k1 + " url extra\n", "1"},
		{"\nlogs " + k1 + "\n", "2"},
		{"log " + k1 + "\nlog " + k1 + "\n", "2"},
	} {
		_, err := ParseLogs([]byte(c.in))
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != c.field {
			t.Errorf("ParseLogs(%q) = %v (field %q), want EINVALID at %q", c.in, err, indivisible.ErrorField(err), c.field)
		}
	}
}

// TestKeys: a generated key loads, names the cosigner and refuses a
// readable file.
func TestKeys(t *testing.T) {
	skey, vkey, err := GenerateKey(rand.Reader, "witness.example/w1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(skey, "PRIVATE+KEY+witness.example/w1+") || !strings.HasPrefix(vkey, "witness.example/w1+") {
		t.Errorf("keys %q %q", skey, vkey)
	}
	path := filepath.Join(t.TempDir(), "w.key")
	if err := ledger.WriteKeyFile(path, skey); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSigner(path)
	if err != nil || s.Verifier().String() != vkey {
		t.Errorf("LoadSigner: %v, %v; want %s", s, err, vkey)
	}
	os.Chmod(path, 0o644)
	if _, err := LoadSigner(path); indivisible.ErrorCode(err) != indivisible.EFORBIDDEN {
		t.Errorf("LoadSigner of a readable key: %v, want EFORBIDDEN", err)
	}
	if _, _, err := GenerateKey(rand.Reader, "bad name"); indivisible.ErrorCode(err) != indivisible.EINVALID {
		t.Errorf("GenerateKey(bad name): %v", err)
	}
	if _, err := NewSigner("PRIVATE+KEY+x+00000000+AAAA"); err == nil {
		t.Error("NewSigner accepted a bad key")
	}
}
