package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/witness"
)

// crashTree is an in-memory log whose checkpoints a log key signs.
type crashTree struct {
	signer note.Signer
	hashes []tlog.Hash
	n      int64
}

func (tr *crashTree) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = tr.hashes[x]
		}
		return out, nil
	})
}

func newCrashTree(t *testing.T, signer note.Signer, prefix string, n int64) *crashTree {
	tr := &crashTree{signer: signer}
	for ; tr.n < n; tr.n++ {
		hs, err := tlog.StoredHashes(tr.n, fmt.Appendf(nil, "%s-%d", prefix, tr.n), tr.reader())
		if err != nil {
			t.Fatal(err)
		}
		tr.hashes = append(tr.hashes, hs...)
	}
	return tr
}

// request is the add-checkpoint body from old to the tree of size n, and
// the signed checkpoint.
func (tr *crashTree) request(old, n int64) (body, cp []byte, err error) {
	root, err := tlog.TreeHash(n, tr.reader())
	if err != nil {
		return nil, nil, err
	}
	c, err := ledger.SignCheckpoint(tr.signer, tr.signer.Name(), n, root)
	if err != nil {
		return nil, nil, err
	}
	var proof tlog.TreeProof
	if old > 0 && old < n {
		if proof, err = tlog.ProveTree(n, old, tr.reader()); err != nil {
			return nil, nil, err
		}
	}
	body, err = (&witness.AddCheckpointRequest{OldSize: old, Proof: proof, Checkpoint: c.Note}).MarshalText()
	return body, c.Note, err
}

// lockedBuffer collects a process's standard error.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestWitnessCrash runs the real "indivisible witness", feeds it a growing
// log from two concurrent clients and SIGKILLs it at a random moment, 25
// times. After each restart the witness must remember at least every
// checkpoint it answered with a cosignature, refuse a fork of the log at
// that size and grown from it, and still accept the honest lineage: it
// never cosigns a checkpoint inconsistent with one it cosigned before.
func TestWitnessCrash(t *testing.T) {
	const rounds = 25
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "w.key")
	out, err := exec.Command("indivisible", "witness", "keygen", "-name", "witness.example/crash", "-key", keyFile).Output()
	if err != nil {
		t.Fatalf("witness keygen: %v", err)
	}
	cosigner, err := torchwood.NewCosignatureVerifier(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("keygen printed %q: %v", out, err)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, "crash.example/log")
	if err != nil {
		t.Fatal(err)
	}
	logSigner, _ := note.NewSigner(skey)
	logVerifier, _ := note.NewVerifier(vkey)
	logsFile := filepath.Join(dir, "logs.txt")
	if err := os.WriteFile(logsFile, []byte("log "+vkey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const maxSize = 6000
	honest := newCrashTree(t, logSigner, "honest", maxSize)
	fork := newCrashTree(t, logSigner, "fork", maxSize)
	state := filepath.Join(dir, "state")

	start := func() (*exec.Cmd, string, *lockedBuffer) {
		t.Helper()
		cmd := exec.Command("indivisible", "witness", "-listen", "127.0.0.1:0", "-key", keyFile, "-logs", logsFile, "-state", state)
		stderr := &lockedBuffer{}
		cmd.Stderr = stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				go io.Copy(io.Discard, stdout)
				return cmd, url, stderr
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the witness exited before listening:\n%s", stderr)
		return nil, "", nil
	}
	post := func(c *http.Client, url string, body []byte) (int, string, error) {
		resp, err := c.Post(url+"/add-checkpoint", "text/plain", bytes.NewReader(body))
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	// verify checks a cosignature with torchwood's verifier.
	verify := func(cp []byte, cosig string) error {
		_, err := note.Open(append(bytes.Clone(cp), cosig...), note.VerifierList(logVerifier, cosigner))
		return err
	}

	var (
		mu          sync.Mutex
		maxCosigned int64 // the largest size the witness answered 200 for
		inFlight    int   // client requests cut off by a SIGKILL
		ahead       int   // restarts at a size saved but never answered
	)
	// The first checkpoint is cosigned before any crash, so that from then
	// on a fork is never the witness's first sight of the log.
	cmd, url, _ := start()
	body, cp, _ := honest.request(0, 1)
	if status, cosig, err := post(http.DefaultClient, url, body); err != nil || status != 200 || verify(cp, cosig) != nil {
		t.Fatalf("first checkpoint: %d %q %v", status, cosig, err)
	}
	maxCosigned = 1
	cmd.Process.Kill()
	cmd.Wait()

	rng := mrand.New(mrand.NewPCG(1, 2))
	var lastL int64
	for round := range rounds {
		cmd, url, stderr := start()
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}

		// What does the restarted witness remember? A fork's checkpoint
		// from old size 0 gets 409 and the latest cosigned size.
		body, _, _ := fork.request(0, 3)
		status, answer, err := post(client, url, body)
		if err != nil || status != 409 {
			t.Fatalf("round %d: fork from 0: %d %q %v, want 409", round, status, answer, err)
		}
		L, err := witness.ParseConflict([]byte(answer))
		if err != nil {
			t.Fatal(err)
		}
		if L < maxCosigned || L < lastL {
			t.Fatalf("round %d: after a SIGKILL the witness is at size %d, but it cosigned size %d (and was at %d)", round, L, maxCosigned, lastL)
		}
		if L > maxCosigned {
			ahead++ // killed between saving and answering: allowed
		}
		lastL = L
		// The fork at that size, and grown from it, is refused.
		body, _, _ = fork.request(L, L)
		if status, answer, err := post(client, url, body); err != nil || status != 409 {
			t.Fatalf("round %d: fork of size %d: %d %q %v, want 409", round, L, status, answer, err)
		}
		body, _, _ = fork.request(L, L+5)
		if status, answer, err := post(client, url, body); err != nil || status != 422 {
			t.Fatalf("round %d: fork grown from %d: %d %q %v, want 422", round, L, status, answer, err)
		}
		// Standard error reaches us through a pipe, so wait for the alarms.
		for deadline := time.Now().Add(10 * time.Second); strings.Count(stderr.String(), "REFUSED A FORK") < 2 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		if n := strings.Count(stderr.String(), "REFUSED A FORK"); n != 2 {
			t.Errorf("round %d: %d fork alarms on stderr, want 2:\n%s", round, n, stderr)
		}
		// The honest lineage goes on from L: the state holds its root.
		body, cp, _ = honest.request(L, L+1)
		if status, cosig, err := post(client, url, body); err != nil || status != 200 || verify(cp, cosig) != nil {
			t.Fatalf("round %d: honest growth from %d: %d %q %v", round, L, status, cosig, err)
		}
		var known atomic.Int64
		known.Store(L + 1)
		mu.Lock()
		maxCosigned = max(maxCosigned, L+1)
		mu.Unlock()

		// Two clients grow the log as fast as they can until the kill.
		var wg sync.WaitGroup
		var killed atomic.Bool
		for c := range 2 {
			seed := rng.Uint64()
			wg.Go(func() {
				r := mrand.New(mrand.NewPCG(seed, uint64(c)))
				for !killed.Load() {
					old := known.Load()
					target := old + 1 + r.Int64N(3)
					if target > maxSize-10 {
						return
					}
					body, cp, err := honest.request(old, target)
					if err != nil {
						t.Error(err)
						return
					}
					status, answer, err := post(client, url, body)
					if err != nil {
						if killed.Load() {
							mu.Lock()
							inFlight++
							mu.Unlock()
						} else {
							t.Errorf("round %d: %v", round, err)
						}
						return
					}
					switch status {
					case 200:
						if err := verify(cp, answer); err != nil {
							t.Errorf("round %d: cosignature of size %d: %v", round, target, err)
						}
						mu.Lock()
						maxCosigned = max(maxCosigned, target)
						mu.Unlock()
						for k := known.Load(); k < target && !known.CompareAndSwap(k, target); k = known.Load() {
						}
					case 409:
						n, err := witness.ParseConflict([]byte(answer))
						if err != nil {
							t.Errorf("round %d: 409 %q", round, answer)
							return
						}
						for k := known.Load(); k < n && !known.CompareAndSwap(k, n); k = known.Load() {
						}
					default:
						t.Errorf("round %d: %d to %d: %d %q", round, old, target, status, answer)
						return
					}
				}
			})
		}
		time.Sleep(time.Duration(rng.Int64N(int64(15 * time.Millisecond))))
		killed.Store(true)
		cmd.Process.Kill() // SIGKILL
		cmd.Wait()
		wg.Wait()
		client.CloseIdleConnections()
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d rounds; %d client requests cut off by the SIGKILL; %d restarts ahead of the last answer; final size at least %d", rounds, inFlight, ahead, maxCosigned)
}
