package witness

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible/ledger"
)

// testTree is an in-memory log: an RFC 6962 tree over leaves named by a
// prefix, whose checkpoints a log key signs.
type testTree struct {
	origin string
	signer note.Signer
	hashes []tlog.Hash // stored hashes, as tlog.StoredHashes lays them out
	n      int64
}

// newLogKey returns a log signing key named origin and its verifier key.
func newLogKey(t testing.TB, origin string) (note.Signer, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

func newTree(signer note.Signer) *testTree {
	return &testTree{origin: signer.Name(), signer: signer}
}

func (tr *testTree) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(tr.hashes)) {
				return nil, fmt.Errorf("hash %d not stored", x)
			}
			out[i] = tr.hashes[x]
		}
		return out, nil
	})
}

// grow appends leaves prefix-N.. until the tree has n leaves.
func (tr *testTree) grow(t testing.TB, n int64, prefix string) *testTree {
	t.Helper()
	for ; tr.n < n; tr.n++ {
		hs, err := tlog.StoredHashes(tr.n, fmt.Appendf(nil, "%s-%d", prefix, tr.n), tr.reader())
		if err != nil {
			t.Fatal(err)
		}
		tr.hashes = append(tr.hashes, hs...)
	}
	return tr
}

// clone returns a copy of the tree that grows independently: a fork.
func (tr *testTree) clone() *testTree {
	c := *tr
	c.hashes = append([]tlog.Hash(nil), tr.hashes...)
	return &c
}

func (tr *testTree) root(t testing.TB, n int64) tlog.Hash {
	t.Helper()
	h, err := tlog.TreeHash(n, tr.reader())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// checkpoint is the signed checkpoint of the tree's first n leaves.
func (tr *testTree) checkpoint(t testing.TB, n int64) []byte {
	t.Helper()
	cp, err := ledger.SignCheckpoint(tr.signer, tr.origin, n, tr.root(t, n))
	if err != nil {
		t.Fatal(err)
	}
	return cp.Note
}

func (tr *testTree) proof(t testing.TB, old, n int64) tlog.TreeProof {
	t.Helper()
	if old == 0 || old == n {
		return nil
	}
	p, err := tlog.ProveTree(n, old, tr.reader())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// request is the add-checkpoint body growing the witness from old to n.
func (tr *testTree) request(t testing.TB, old, n int64) []byte {
	t.Helper()
	return body(t, old, tr.proof(t, old, n), tr.checkpoint(t, n))
}

func body(t testing.TB, old int64, proof tlog.TreeProof, cp []byte) []byte {
	t.Helper()
	b, err := (&AddCheckpointRequest{OldSize: old, Proof: proof, Checkpoint: cp}).MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// syncBuffer is a log destination tests can read while the witness writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testWitness is a witness served over HTTP.
type testWitness struct {
	*Witness
	url  string
	dir  string
	logs *syncBuffer
}

// newWitness opens a witness named name for the logs with these verifier
// keys, in a fresh state directory unless dir is given.
func newWitness(t testing.TB, name, dir string, vkeys ...string) *testWitness {
	t.Helper()
	skey, _, err := GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return openWitness(t, signer, dir, vkeys...)
}

func openWitness(t testing.TB, signer *torchwood.CosignatureSigner, dir string, vkeys ...string) *testWitness {
	t.Helper()
	var cfg strings.Builder
	for _, v := range vkeys {
		fmt.Fprintf(&cfg, "log %s\n", v)
	}
	logs, err := ParseLogs([]byte(cfg.String()))
	if err != nil {
		t.Fatal(err)
	}
	if dir == "" {
		dir = t.TempDir()
	}
	buf := &syncBuffer{}
	w, err := Open(Config{Signer: signer, Logs: logs, Dir: dir, Logger: slog.New(slog.NewTextHandler(buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(func() { srv.Close(); w.Close() })
	return &testWitness{Witness: w, url: srv.URL, dir: dir, logs: buf}
}

// answer is a witness's HTTP answer.
type answer struct {
	status      int
	contentType string
	body        string
}

func (tw *testWitness) post(t testing.TB, body []byte) answer {
	t.Helper()
	resp, err := http.Post(tw.url+"/add-checkpoint", "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

func (tw *testWitness) metrics(t testing.TB) string {
	t.Helper()
	resp, err := http.Get(tw.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// verifyCosigned checks, with torchwood's own verifier, that cosig is the
// witness's valid cosignature of the checkpoint cp, and that cp's body
// is the tree of size n and root hash root.
func verifyCosigned(t testing.TB, tw *testWitness, logKey string, cp []byte, cosig string, n int64, root tlog.Hash) {
	t.Helper()
	policy, err := torchwood.ParsePolicy(fmt.Appendf(nil, "log %s\nwitness w %s\nquorum w\n", logKey, tw.VerifierKey()))
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := torchwood.VerifyCheckpoint(append(bytes.Clone(cp), cosig...), policy)
	if err != nil {
		t.Fatalf("torchwood does not accept the cosigned checkpoint: %v\n%s%s", err, cp, cosig)
	}
	if c.N != n || c.Hash != root {
		t.Fatalf("cosigned checkpoint of size %d root %x, want %d %x", c.N, c.Hash, n, root)
	}
	cs, err := ParseCosignatures([]byte(cosig))
	if err != nil || len(cs) != 1 || cs[0].Name != tw.Name() {
		t.Fatalf("ParseCosignatures(%q) = %v, %v", cosig, cs, err)
	}
}
