package cosign

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/torchwood"
)

// litewitnessVersion is the independent implementation the interop test
// builds from the Go module proxy.
const litewitnessVersion = "v0.9.0"

// need skips the test when a tool is missing, and fails it under CI=true.
func need(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: %v", what, err)
	}
	t.Skipf("skipping: %s: %v (scripts/test.sh installs openssh-client; building litewitness needs the Go module proxy)", what, err)
}

// TestLitewitness: torchwood's litewitness, an independent
// c2sp.org/tlog-witness, cosigns the checkpoints our collector submits,
// and torchwood's VerifyCheckpoint accepts our cosigned checkpoint under
// our policy.
func TestLitewitness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds litewitness")
	}
	for _, tool := range []string{"ssh-agent", "ssh-add", "ssh-keygen"} {
		_, err := exec.LookPath(tool)
		need(t, tool, err)
	}
	bin := t.TempDir()
	build := exec.Command("go", "install",
		"filippo.io/torchwood/cmd/litewitness@"+litewitnessVersion,
		"filippo.io/torchwood/cmd/witnessctl@"+litewitnessVersion)
	build.Dir = bin // outside our module: its go.mod does not apply
	build.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=")
	out, err := build.CombinedOutput()
	if err != nil {
		need(t, "go install litewitness@"+litewitnessVersion, &exitErr{err, out})
	}

	dir := t.TempDir()
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK="+filepath.Join(dir, "agent.sock"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	key := filepath.Join(dir, "witness")
	run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "litewitness", "-f", key)
	fp := strings.Fields(run("ssh-keygen", "-l", "-f", key+".pub"))[1] // SHA256:...
	// A dedicated ssh-agent in the foreground, as litewitness advises.
	sock := filepath.Join(dir, "agent.sock")
	agent := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	waitFor(t, "ssh-agent's socket", 5*time.Second, func() bool { _, err := os.Stat(sock); return err == nil })
	run("ssh-add", key)

	l := newTestLog(t)
	db := filepath.Join(dir, "litewitness.db")
	run(filepath.Join(bin, "witnessctl"), "add-log", "-db", db, "-origin", l.Info().Origin)
	run(filepath.Join(bin, "witnessctl"), "add-key", "-db", db, "-origin", l.Info().Origin, "-key", l.Info().VerifierKey)

	addr := freePort(t)
	lw := exec.Command(filepath.Join(bin, "litewitness"), "-db", db, "-name", "litewitness.example/w", "-key", fp, "-ssh-agent", sock, "-listen", addr)
	stderr, _ := lw.StderrPipe()
	if err := lw.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lw.Process.Kill(); lw.Wait() })
	vkeyRE := regexp.MustCompile(`vkey=(\S+)`)
	vkeyc := scanFor(bufio.NewScanner(stderr), func(line string) (string, bool) {
		m := vkeyRE.FindStringSubmatch(line)
		if m == nil {
			return "", false
		}
		return strings.Trim(m[1], `"`), true
	})
	var vkey string
	select {
	case vkey = <-vkeyc:
	case <-time.After(10 * time.Second):
		t.Fatal("litewitness printed no verifier key")
	}
	if vkey == "" {
		t.Fatal("litewitness exited before printing its verifier key")
	}
	waitFor(t, "litewitness listening", 10*time.Second, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	// Our own witness beside it, with a 2-of-2 quorum: both must cosign.
	ours := startWitness(t, "POL", l.Log)
	lite := &testWitness{name: "lite", vkey: vkey, url: "http://" + addr}
	p := mustPolicy(t, policyText(l.Log, 2, lite, ours))
	c, stop := runCollector(t, l.Log, p, Options{})
	t.Cleanup(stop)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for round := range 3 { // the first from old 0, then with proofs
		acked := l.appendN(t, 5)
		cp, err := c.Wait(ctx, acked[len(acked)-1].Index+1)
		if err != nil {
			t.Fatalf("round %d: %v (status %+v)", round, err, c.Status())
		}
		tc, n, err := torchwood.VerifyCheckpoint(cp.Note, p.Torchwood())
		if err != nil {
			t.Fatalf("round %d: torchwood refuses our cosigned checkpoint: %v\n%s", round, err, cp.Note)
		}
		if tc.N != cp.Size || len(n.Sigs) != 3 {
			t.Errorf("round %d: torchwood read size %d with %d signatures", round, tc.N, len(n.Sigs))
		}
		if _, err := p.Verify(cp.Note); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	// A collector that knows nothing of litewitness (old 0) gets its 409
	// and recovers.
	stop()
	c2 := startCollector(t, l.Log, p, Options{})
	acked := l.appendN(t, 2)
	if _, err := c2.Wait(ctx, acked[len(acked)-1].Index+1); err != nil {
		t.Fatalf("after a 409: %v (status %+v)", err, c2.Status())
	}
}

type exitErr struct {
	err error
	out []byte
}

func (e *exitErr) Error() string { return e.err.Error() + "\n" + string(e.out) }
