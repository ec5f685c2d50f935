package ledger

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible/sqlite"
)

// crashEnv names the directory of the log a crash-test child appends to.
const crashEnv = "INDIVISIBLE_LEDGER_CRASH_DIR"

// TestCrash runs the append loop in a child process (this test binary,
// re-executed), kills it with SIGKILL at random moments, and checks after
// every round that every acknowledged entry is in the log, that the tree
// is consistent with every checkpoint handed out, and that SQLite's
// integrity check passes.
func TestCrash(t *testing.T) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashChild(dir)
		return
	}
	rounds, maxAcks := 25, 300
	if testing.Short() || raceEnabled {
		rounds, maxAcks = 5, 50
	}
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "log.db")
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	skey, _ := GenerateLogKey("crash.example/log")
	if err := Create(ctx, db, skey); err != nil {
		t.Fatal(err)
	}
	if err := WriteKeyFile(filepath.Join(dir, "log.key"), skey); err != nil {
		t.Fatal(err)
	}
	_, keyPath, pubPath, err := WriteKeyPair(rand.Reader, dir, "POL")
	if err != nil {
		t.Fatal(err)
	}
	os.Rename(keyPath, filepath.Join(dir, "pol.key"))
	vkey, _ := ReadVerifierKey(pubPath)
	ls, _ := note.NewSigner(skey)
	l, err := Open(ctx, db, ls)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.RegisterKey(ctx, "POL", vkey); err != nil {
		t.Fatal(err)
	}
	l.Close()
	db.Close()

	rng := mrand.New(mrand.NewPCG(1, 2))
	acked := map[int64][sha256.Size]byte{}
	var handedOut [][]byte
	for round := range rounds {
		acks, cps := crashRound(t, dir, 1+rng.IntN(maxAcks), time.Duration(rng.IntN(20))*time.Millisecond)
		for i, h := range acks {
			acked[i] = h
		}
		handedOut = append(handedOut, cps...)
		checkAfterCrash(t, round, dbPath, ls, acked, handedOut)
	}
	t.Logf("%d rounds, %d acknowledged entries, %d checkpoints handed out", rounds, len(acked), len(handedOut))
	db, err = sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := Audit(ctx, db, AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("audit after the crashes:\n%s", problems(rep.Problems))
	}
}

// crashRound starts a child, waits until it has acknowledged minAcks
// entries, lets it run a little longer and kills it. It returns what the
// child acknowledged: entry indexes with their body hashes, and
// checkpoints.
func crashRound(t *testing.T, dir string, minAcks int, extra time.Duration) (map[int64][sha256.Size]byte, [][]byte) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acks := map[int64][sha256.Size]byte{}
	var cps [][]byte
	enough := make(chan struct{})
	var once sync.Once
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 3 && f[0] == "ack":
				i, err1 := strconv.ParseInt(f[1], 10, 64)
				h, err2 := hex.DecodeString(f[2])
				if err1 == nil && err2 == nil && len(h) == sha256.Size {
					acks[i] = [sha256.Size]byte(h)
				}
			case len(f) == 2 && f[0] == "cp":
				if n, err := base64.StdEncoding.DecodeString(f[1]); err == nil {
					cps = append(cps, n)
				}
			}
			if len(acks) >= minAcks {
				once.Do(func() { close(enough) })
			}
		}
		once.Do(func() { close(enough) }) // the child died by itself
	}()
	select {
	case <-enough:
	case <-time.After(2 * time.Minute):
		t.Log("the child acknowledged too little in 2 minutes; killing it anyway")
	}
	time.Sleep(extra)
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("the child was not killed (%v); stderr:\n%s", err, stderr.String())
	}
	return acks, cps
}

func checkAfterCrash(t *testing.T, round int, dbPath string, ls note.Signer, acked map[int64][sha256.Size]byte, handedOut [][]byte) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	l, err := Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range acked {
		e, err := l.Entry(ctx, i)
		if err != nil {
			t.Fatalf("round %d: acknowledged entry %d lost: %v", round, i, err)
		}
		if e.BodyHash() != h {
			t.Fatalf("round %d: acknowledged entry %d has another body", round, i)
		}
	}
	for _, msg := range handedOut {
		old, err := OpenCheckpoint(msg, l.Verifier())
		if err != nil {
			t.Fatalf("round %d: a checkpoint handed out does not verify: %v", round, err)
		}
		p, _, err := l.ProveConsistency(ctx, old.Size)
		if err == nil {
			err = tlog.CheckTree(p, cp.Size, cp.Root, old.Size, old.Root)
		}
		if err != nil {
			t.Fatalf("round %d: the log of size %d is not consistent with the checkpoint of size %d handed out before: %v", round, cp.Size, old.Size, err)
		}
	}
}

// crashChild appends signed declarations from 8 goroutines until it is
// killed, printing "ack INDEX BODYSHA256" after each acknowledged append
// and "cp BASE64(CHECKPOINT)" after every tenth.
func crashChild(dir string) {
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(3)
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "log.db"))
	if err != nil {
		fail(err)
	}
	ls, err := LoadSigner(filepath.Join(dir, "log.key"))
	if err != nil {
		fail(err)
	}
	ps, err := LoadSigner(filepath.Join(dir, "pol.key"))
	if err != nil {
		fail(err)
	}
	l, err := Open(ctx, db, ls)
	if err != nil {
		fail(err)
	}
	var mu sync.Mutex
	var n int
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				body := []byte(`{"kind":"annual_exchange","participant":"POL","nonce":"` + rand.Text() + `"}`)
				e, err := l.Append(ctx, signed(ps, "POL", body))
				if err != nil {
					fail(err)
				}
				cp, err := l.Checkpoint(ctx)
				if err != nil {
					fail(err)
				}
				h := sha256.Sum256(body)
				mu.Lock()
				// One write per line, so a kill cannot interleave lines.
				fmt.Fprintf(os.Stdout, "ack %d %x\n", e.Index, h)
				if n++; n%10 == 0 {
					fmt.Fprintf(os.Stdout, "cp %s\n", base64.StdEncoding.EncodeToString(cp.Note))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
