package witness

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// TestProtocol walks one witness through the c2sp.org/tlog-witness cases
// in order, each step building on the state the earlier ones left.
func TestProtocol(t *testing.T) {
	logSigner, logKey := newLogKey(t, "test.example/log")
	tree := newTree(logSigner).grow(t, 20, "leaf")
	fork := tree.clone()
	fork.n = 4 // shares the first 4 leaves, then diverges
	fork.hashes = fork.hashes[:tlog.StoredHashCount(4)]
	fork.grow(t, 20, "forked")
	otherSigner, _ := newLogKey(t, "test.example/log") // same origin, not the known key
	stranger, _ := newLogKey(t, "stranger.example/log")
	tw := newWitness(t, "witness.example/w1", "", logKey)

	forged := tree.proof(t, 5, 8)
	forged[0][0] ^= 1
	tooLong := make(tlog.TreeProof, 64)

	steps := []struct {
		name   string
		body   []byte
		status int
		size   int64  // for 200 the size cosigned, for a conflict the size answered
		reason string // of a refusal
	}{
		{"unknown origin", newTree(stranger).grow(t, 3, "x").request(t, 0, 3), 404, 0, ReasonUnknownLog},
		{"wrong key", newTree(otherSigner).grow(t, 3, "leaf").request(t, 0, 3), 403, 0, ReasonBadSignature},
		{"no empty line", []byte("old 0\n" + string(tree.checkpoint(t, 3))[:10]), 400, 0, ReasonMalformed},
		{"no old line", append([]byte("new 0\n\n"), tree.checkpoint(t, 3)...), 400, 0, ReasonMalformed},
		{"leading zero", append([]byte("old 00\n\n"), tree.checkpoint(t, 3)...), 400, 0, ReasonMalformed},
		{"negative old", append([]byte("old -1\n\n"), tree.checkpoint(t, 3)...), 400, 0, ReasonMalformed},
		{"proof after old 0", body(t, 0, tree.proof(t, 2, 3), tree.checkpoint(t, 3)), 400, 0, ReasonMalformed},
		{"64 proof lines", body(t, 2, tooLong, tree.checkpoint(t, 3)), 400, 0, ReasonMalformed},
		{"bad base64", append([]byte("old 2\nnot base64!\n\n"), tree.checkpoint(t, 3)...), 400, 0, ReasonMalformed},
		{"CR in a hash", []byte(strings.Replace(string(tree.request(t, 2, 3)), "=\n", "=\r\n", 1)), 400, 0, ReasonMalformed},
		{"unsigned note", []byte("old 0\n\ntest.example/log\n3\n" + b64(tree.root(t, 3)) + "\n"), 400, 0, ReasonMalformed},
		{"bad checkpoint body", []byte("old 0\n\ntest.example/log\n03\n" + b64(tree.root(t, 3)) + "\n\n— test.example/log AAAA\n"), 400, 0, ReasonMalformed},
		// Checked before the old size against the latest, as the spec
		// orders the checks: 400, not 409.
		{"old beyond the checkpoint", body(t, 5, nil, tree.checkpoint(t, 3)), 400, 0, ReasonOldTooLarge},
		{"first checkpoint, from 0", tree.request(t, 0, 3), 200, 3, ""},
		{"stale old size", tree.request(t, 0, 5), 409, 3, ReasonConflict},
		{"old size ahead", tree.request(t, 4, 5), 409, 3, ReasonConflict},
		{"growth with a proof", tree.request(t, 3, 5), 200, 5, ""},
		{"forged proof", body(t, 5, forged, tree.checkpoint(t, 8)), 422, 0, ReasonInconsistent},
		{"proof from another size", body(t, 5, tree.proof(t, 4, 8), tree.checkpoint(t, 8)), 422, 0, ReasonInconsistent},
		{"fork's growth", fork.request(t, 5, 8), 422, 0, ReasonInconsistent},
		{"fork of the same size", fork.request(t, 5, 5), 409, 0, ReasonFork},
		{"same checkpoint again", tree.request(t, 5, 5), 200, 5, ""},
		{"growth again", tree.request(t, 5, 20), 200, 20, ""},
	}
	refused := map[string]int{}
	for _, s := range steps {
		a := tw.post(t, s.body)
		if a.status != s.status {
			t.Fatalf("%s: status %d (%s), want %d", s.name, a.status, a.body, s.status)
		}
		switch {
		case s.status == 200:
			_, cpNote, _ := bytes.Cut(s.body, []byte("\n\n"))
			verifyCosigned(t, tw, logKey, cpNote, a.body, s.size, tree.root(t, s.size))
			if size, root, _ := tw.Latest("test.example/log"); size != s.size || root != tree.root(t, s.size) {
				t.Errorf("%s: latest %d %x, want %d", s.name, size, root, s.size)
			}
		case s.reason == ReasonConflict:
			if a.contentType != ConflictContentType || a.body != fmt.Sprintf("%d\n", s.size) {
				t.Errorf("%s: Content-Type %q, body %q; want %s and %d", s.name, a.contentType, a.body, ConflictContentType, s.size)
			}
		default:
			if a.contentType == ConflictContentType {
				t.Errorf("%s: a %d refusal is typed %s", s.name, a.status, a.contentType)
			}
		}
		if s.reason != "" {
			origin := "test.example/log"
			if s.status == 404 || s.reason == ReasonMalformed {
				origin = "" // not a configured log, or not parsed
			}
			refused[origin+" "+s.reason]++
		}
	}
	m := tw.metrics(t)
	for k, n := range refused {
		origin, reason, _ := strings.Cut(k, " ")
		line := fmt.Sprintf("indivisible_witness_refused_total{origin=%q,reason=%q} %d\n", origin, reason, n)
		if !strings.Contains(m, line) {
			t.Errorf("metrics lack %q", line)
		}
	}
	for _, line := range []string{
		`indivisible_witness_cosigned_total{origin="test.example/log"} 4`,
		`indivisible_witness_size{origin="test.example/log"} 20`,
	} {
		if !strings.Contains(m, line+"\n") {
			t.Errorf("metrics lack %q", line)
		}
	}
	if strings.Contains(m, "stranger") {
		t.Errorf("an unknown origin became a metric label")
	}
}

// TestMethod: add-checkpoint is POST only.
func TestMethod(t *testing.T) {
	_, logKey := newLogKey(t, "test.example/log")
	tw := newWitness(t, "witness.example/w1", "", logKey)
	resp, err := http.Get(tw.url + "/add-checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /add-checkpoint: %d, want 405", resp.StatusCode)
	}
}

// TestKeyRotation: a log listed with two keys is accepted under either.
func TestKeyRotation(t *testing.T) {
	s1, k1 := newLogKey(t, "test.example/log")
	s2, k2 := newLogKey(t, "test.example/log")
	tw := newWitness(t, "witness.example/w1", "", k1, k2)
	t1 := newTree(s1).grow(t, 6, "leaf")
	t2 := t1.clone()
	t2.signer = s2
	if a := tw.post(t, t1.request(t, 0, 3)); a.status != 200 {
		t.Fatalf("old key: %d %s", a.status, a.body)
	}
	if a := tw.post(t, t2.request(t, 3, 6)); a.status != 200 {
		t.Fatalf("new key: %d %s", a.status, a.body)
	}
}

// TestSignatures: a checkpoint with an extra signature by an unknown key
// is accepted (unknown keys are ignored), one with a bad signature by the
// known key refused.
func TestSignatures(t *testing.T) {
	s, k := newLogKey(t, "test.example/log")
	other, _ := newLogKey(t, "someone.else")
	tw := newWitness(t, "witness.example/w1", "", k)
	tree := newTree(s).grow(t, 3, "leaf")
	cp := tree.checkpoint(t, 3)
	n, err := note.Open(cp, note.VerifierList(mustVerifier(t, k)))
	if err != nil {
		t.Fatal(err)
	}
	extra, err := note.Sign(n, s, other)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(cp)
	// A character in the signature proper (after the key hash), replaced
	// by another base64 letter: a well-formed line whose signature fails.
	i := bytes.LastIndexByte(bad, ' ') + 1 + 20
	if bad[i] == 'A' {
		bad[i] = 'B'
	} else {
		bad[i] = 'A'
	}
	if a := tw.post(t, body(t, 0, nil, bad)); a.status != 403 {
		t.Errorf("bad signature by the known key: %d %s, want 403", a.status, a.body)
	}
	if a := tw.post(t, body(t, 0, nil, extra)); a.status != 200 {
		t.Errorf("with an unknown key's signature too: %d %s, want 200", a.status, a.body)
	}
}

func mustVerifier(t testing.TB, vkey string) note.Verifier {
	t.Helper()
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
