package ledger

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

// TestFileAttester: the first attestation makes the key file (mode 0600)
// and registers the key to the participant; the signature is then valid
// under the registry; a second attester on the same file reuses the key
// without registering it again; a log that lacks the registration (a
// restored database) gets it again.
func TestFileAttester(t *testing.T) {
	ctx := context.Background()
	tl := newTestLog(t)
	keyPath := filepath.Join(t.TempDir(), "forum.key")
	a := &FileAttester{Log: tl.Log, Participant: indivisible.ForumParticipant, KeyPath: keyPath}
	body := []byte("attested")
	name, sig, err := a.Attest(ctx, body)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", fi, err)
	}
	if err := tl.CheckSignature(indivisible.ForumParticipant, name, body, sig); err != nil {
		t.Errorf("the attestation does not verify under the registry: %v", err)
	}
	keys := func(l *Log) int {
		ks, err := l.Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, k := range ks {
			if k.Name == name && k.Participant == indivisible.ForumParticipant {
				n++
			}
		}
		return n
	}
	if n := keys(tl.Log); n != 1 {
		t.Fatalf("%d registrations of %s, want 1", n, name)
	}
	again := &FileAttester{Log: tl.Log, Participant: indivisible.ForumParticipant, KeyPath: keyPath}
	if name2, _, err := again.Attest(ctx, body); err != nil || name2 != name {
		t.Errorf("a second attester: key %q (%v), want the same key %q", name2, err, name)
	}
	if n := keys(tl.Log); n != 1 {
		t.Errorf("%d registrations after a second attester, want still 1", n)
	}
	restored := newTestLog(t)
	if name3, _, err := (&FileAttester{Log: restored.Log, Participant: indivisible.ForumParticipant, KeyPath: keyPath}).Attest(ctx, body); err != nil || name3 != name {
		t.Fatalf("on a log without the key: %q, %v", name3, err)
	}
	if n := keys(restored.Log); n != 1 {
		t.Errorf("a log lacking the key has %d registrations of it after attesting, want 1", n)
	}
}
