package cosign

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/torchwood"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
	"github.com/indivisible-eurasia/indivisible/witness"
)

func TestParsePolicy(t *testing.T) {
	_, logV, _ := note.GenerateKey(rand.Reader, "example.org/log")
	_, wA, _ := witness.GenerateKey(rand.Reader, "a.example")
	_, wB, _ := witness.GenerateKey(rand.Reader, "b.example")
	_, wC, _ := witness.GenerateKey(rand.Reader, "c.example")
	head := "log " + logV + "\nwitness A " + wA + " https://a.example/w\nwitness B " + wB + " https://b.example\nwitness C " + wC + "\n"
	good := []struct {
		name, text, describe string
		witnesses            int
	}{
		{"group", head + "group g 2 A B C\nquorum g\n", "2 of A, B, C", 3},
		{"comments and blanks", "# policy\n\n" + strings.ReplaceAll(head, "\n", "   # c\n") + "  group g any A B  \nquorum g # q\n", "1 of A, B", 3},
		{"all", head + "group g all A B\nquorum g\n", "all of A, B", 3},
		{"nested", head + "group ab any A B\ngroup g 2 ab C\nquorum g\n", "all of (1 of A, B), C", 3},
		{"single witness", head + "quorum A\n", "A", 3},
		{"none", "log " + logV + " https://example.org/log\nquorum none\n", "none (no witness is required)", 0},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePolicy("w.txt", []byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Describe(); got != tc.describe {
				t.Errorf("Describe = %q, want %q", got, tc.describe)
			}
			if len(p.Witnesses) != tc.witnesses {
				t.Errorf("%d witnesses, want %d", len(p.Witnesses), tc.witnesses)
			}
			if p.LogKey != logV {
				t.Errorf("log key %q", p.LogKey)
			}
		})
	}
	p := mustPolicy(t, head+"group g 2 A B C\nquorum g\n")
	if w := p.Witnesses[0]; w.Name != "A" || w.Key != wA || w.URL != "https://a.example/w" {
		t.Errorf("witness A = %+v", w)
	}
	if p.Witnesses[2].URL != "" {
		t.Errorf("witness C has URL %q", p.Witnesses[2].URL)
	}
	if ok, missing := p.Satisfied(map[string]bool{"B": true}); ok || !slices.Equal(missing, []string{"A", "C"}) {
		t.Errorf("Satisfied(B) = %v, %v", ok, missing)
	}

	bad := []struct {
		name, text, field string
	}{
		{"unknown keyword", head + "frobnicate x\nquorum A\n", "w.txt:5"},
		{"bad log key", "log nonsense\nquorum none\n", "w.txt:1"},
		{"second log", "log " + logV + "\nlog " + logV + "\nquorum none\n", "w.txt:2"},
		{"log key as witness key", "log " + logV + "\nwitness A " + logV + "\nquorum A\n", "w.txt:2"},
		{"witness without key", "log " + logV + "\nwitness A\nquorum none\n", "w.txt:2"},
		{"bad URL", "log " + logV + "\nwitness A " + wA + " ftp://a\nquorum A\n", "w.txt:2"},
		{"duplicate name", head + "witness A " + wB + "\nquorum A\n", "w.txt:5"},
		{"duplicate key", "log " + logV + "\nwitness A " + wA + "\nwitness B " + wA + "\nquorum A\n", "w.txt:3"},
		{"unknown member", head + "group g 2 A D\nquorum g\n", "w.txt:5"},
		{"threshold too high", head + "group g 3 A B\nquorum g\n", "w.txt:5"},
		{"threshold zero", head + "group g 0 A B\nquorum g\n", "w.txt:5"},
		{"unknown quorum", head + "quorum g\n", "w.txt:5"},
		{"two quorums", head + "quorum A\nquorum B\n", "w.txt:6"},
		{"no quorum", head, "w.txt"},
		{"no log", "witness A " + wA + "\nquorum A\n", "w.txt"},
		{"empty", "", "w.txt"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePolicy("w.txt", []byte(tc.text))
			if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tc.field {
				t.Fatalf("err = %v (code %s, field %q), want EINVALID at %s", err, indivisible.ErrorCode(err), indivisible.ErrorField(err), tc.field)
			}
		})
	}
	// Every file we accept, torchwood accepts too (ParsePolicy calls it);
	// and torchwood accepts the example of the package documentation's
	// shape.
	if _, err := torchwood.ParsePolicy([]byte(head + "group g 2 A B C\nquorum g\n")); err != nil {
		t.Fatal(err)
	}
}

func TestCheckLog(t *testing.T) {
	l := newTestLog(t)
	other := newTestLog(t)
	p := mustPolicy(t, policyText(l.Log, 1, startWitness(t, "POL", l.Log)))
	if err := p.CheckLog(l.Info()); err != nil {
		t.Fatal(err)
	}
	if _, err := NewCollector(other.Log, p, Options{}); indivisible.ErrorCode(err) != indivisible.EINVALID {
		t.Fatalf("collector for another log: %v", err)
	}
}

// TestCollector: three real witnesses cosign what the collector submits;
// the served checkpoint verifies under our policy and under torchwood's
// VerifyCheckpoint; inclusion proofs carry it; metrics report it.
func TestCollector(t *testing.T) {
	l := newTestLog(t)
	ws := []*testWitness{startWitness(t, "POL", l.Log), startWitness(t, "KAZ", l.Log), startWitness(t, "ARM", l.Log)}
	p := mustPolicy(t, policyText(l.Log, 2, ws...))
	state := filepath.Join(t.TempDir(), "log.cosigned")
	c := startCollector(t, l.Log, p, Options{StateFile: state})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for round := range 3 {
		acked := l.appendN(t, 10)
		last := acked[len(acked)-1].Index
		cp, err := c.Wait(ctx, last+1)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if _, err := p.Verify(cp.Note); err != nil {
			t.Fatalf("round %d: our policy refuses the cosigned checkpoint: %v\n%s", round, err, cp.Note)
		}
		tc, _, err := torchwood.VerifyCheckpoint(cp.Note, p.Torchwood())
		if err != nil || tc.N != cp.Size {
			t.Fatalf("round %d: torchwood refuses the cosigned checkpoint: %v\n%s", round, err, cp.Note)
		}
	}
	// Wait for every witness (the third may lag the quorum).
	waitFor(t, "three cosignatures", 5*time.Second, func() bool {
		st := c.Status()
		n := 0
		for _, w := range st.Witnesses {
			if w.Cosigned {
				n++
			}
		}
		return n == 3 && st.Size == 31
	})
	st := c.Status()
	if !st.Quorum || st.Size != 31 || st.CosignedSize != 31 || len(st.Missing) != 0 {
		t.Errorf("status %+v", st)
	}
	for _, w := range st.Witnesses {
		if w.Size != 31 || w.At.IsZero() || w.Error != "" {
			t.Errorf("witness %+v", w)
		}
	}
	// An inclusion proof carries the cosigned checkpoint.
	proof, err := c.ProveInclusion(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	es, _ := l.Entries(ctx, 5, 6)
	rec, _ := logstore.Encode(&es[0])
	if _, err := proof.Verify(l.Verifier(), rec); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Verify(proof.Checkpoint.Note); err != nil {
		t.Errorf("proof's checkpoint: %v", err)
	}
	text, _ := proof.MarshalText()
	parsed, err := ledger.ParseInclusionProof(text)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Verify(parsed.Checkpoint.Note); err != nil {
		t.Errorf("parsed proof's checkpoint: %v", err)
	}
	// Metrics.
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`indivisible_witness_cosigned_size{witness="KAZ"} 31`, `indivisible_witness_failures_total{witness="ARM"} 0`, "indivisible_witness_quorum 1", "indivisible_witness_checkpoint_size 31"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// A restarted collector serves the saved checkpoint at once, and knows
	// the witnesses' sizes from it.
	c2, err := NewCollector(l.Log, p, Options{StateFile: state})
	if err != nil {
		t.Fatal(err)
	}
	st2 := c2.Status()
	if !st2.Quorum || st2.Size != 31 || st2.Witnesses[0].Size != 31 || st2.Witnesses[0].At.IsZero() {
		t.Errorf("restored status %+v", st2)
	}
}

// TestWitnessesDown: with 2 of 5 witnesses down, filing goes on and the
// 3-of-5 quorum holds; with 3 down, filing still goes on, but clients
// refuse the checkpoint, naming the missing witnesses; nothing
// acknowledged is lost, and the quorum returns with the witnesses.
func TestWitnessesDown(t *testing.T) {
	l := newTestLog(t)
	var ws []*testWitness
	for _, n := range []string{"POL", "KAZ", "ARM", "DEU", "RUS"} {
		ws = append(ws, startWitness(t, n, l.Log))
	}
	p := mustPolicy(t, policyText(l.Log, 3, ws...))
	c := startCollector(t, l.Log, p, Options{Timeout: 500 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var acked []indivisible.Entry

	ws[1].down.Store(true)
	ws[3].down.Store(true)
	start := time.Now()
	acked = append(acked, l.appendN(t, 50)...)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("filing 50 entries with 2 witnesses down took %v", d)
	}
	cp, err := c.Wait(ctx, int64(acked[len(acked)-1].Index+1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Verify(cp.Note); err != nil {
		t.Fatalf("2 of 5 down: %v", err)
	}
	waitFor(t, "failures of KAZ and DEU", 5*time.Second, func() bool {
		st := c.Status()
		return st.Witnesses[1].Error != "" && st.Witnesses[3].Error != "" && st.Witnesses[1].Failures > 0
	})

	ws[4].down.Store(true)
	start = time.Now()
	acked = append(acked, l.appendN(t, 50)...)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("filing 50 entries with 3 witnesses down took %v", d)
	}
	size := acked[len(acked)-1].Index + 1
	waitFor(t, "the checkpoint served without quorum", 10*time.Second, func() bool {
		st := c.Status()
		return st.Size >= size && !st.Quorum
	})
	st := c.Status()
	if !slices.Equal(st.Missing, []string{"KAZ", "DEU", "RUS"}) || st.CosignedSize >= size {
		t.Errorf("status %+v", st)
	}
	served, err := c.Cosigned(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Verify(served.Note)
	if indivisible.ErrorCode(err) != indivisible.EUNAUTHORIZED {
		t.Fatalf("3 of 5 down: Verify = %v, want EUNAUTHORIZED", err)
	}
	if !strings.HasSuffix(err.Error(), "missing valid cosignatures from KAZ, DEU, RUS") {
		t.Errorf("error %q does not name exactly the missing KAZ, DEU, RUS", err)
	}
	if _, _, err := torchwood.VerifyCheckpoint(served.Note, p.Torchwood()); err == nil {
		t.Error("torchwood accepts a checkpoint without the quorum")
	}

	// Nothing acknowledged is lost: every entry is in the log as
	// acknowledged, under the log's signed checkpoint.
	latest, _ := l.Checkpoint(ctx)
	if latest.Size < size {
		t.Fatalf("log has %d entries, %d acknowledged", latest.Size, size)
	}
	for _, e := range acked {
		got, err := l.Entry(ctx, e.Index)
		if err != nil || string(got.Body) != string(e.Body) {
			t.Fatalf("entry %d: %v", e.Index, err)
		}
	}
	// The witnesses come back: the quorum returns over every entry.
	for _, w := range ws {
		w.down.Store(false)
	}
	cp, err = c.Wait(ctx, size)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Verify(cp.Note); err != nil {
		t.Fatal(err)
	}
}

// TestConflictRecovery: a collector that knows nothing of the witnesses
// (a restart without state) offers "old 0" to witnesses that cosigned a
// larger tree; they answer 409 with their size, and the collector proves
// consistency from there.
func TestConflictRecovery(t *testing.T) {
	l := newTestLog(t)
	ws := []*testWitness{startWitness(t, "POL", l.Log), startWitness(t, "KAZ", l.Log)}
	p := mustPolicy(t, policyText(l.Log, 2, ws...))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c1, stop := runCollector(t, l.Log, p, Options{})
	l.appendN(t, 7)
	if _, err := c1.Wait(ctx, 8); err != nil {
		t.Fatal(err)
	}
	stop()
	c := startCollector(t, l.Log, p, Options{})
	l.appendN(t, 5)
	cp, err := c.Wait(ctx, 13)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Verify(cp.Note); err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.conflicts.Load() == 0 {
			t.Errorf("witness %s sent no 409", w.name)
		}
	}
	for _, w := range c.Status().Witnesses {
		if w.Error != "" || w.Failures != 0 {
			t.Errorf("a 409 counted as a failure: %+v", w)
		}
	}
}

// TestVerifyIgnoresBadCosignatures: a garbled cosignature by a known
// witness neither counts nor spoils the others (torchwood alone would
// refuse the whole note).
func TestVerifyIgnoresBadCosignatures(t *testing.T) {
	l := newTestLog(t)
	ws := []*testWitness{startWitness(t, "POL", l.Log), startWitness(t, "KAZ", l.Log), startWitness(t, "ARM", l.Log)}
	p := mustPolicy(t, policyText(l.Log, 2, ws...))
	c := startCollector(t, l.Log, p, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l.appendN(t, 3)
	waitFor(t, "three cosignatures", 5*time.Second, func() bool {
		st := c.Status()
		return st.Size == 4 && st.Witnesses[0].Cosigned && st.Witnesses[1].Cosigned && st.Witnesses[2].Cosigned
	})
	cp, _ := c.Cosigned(ctx)
	lines := strings.Split(strings.TrimSuffix(string(cp.Note), "\n"), "\n")
	// Spoil the last cosignature (ARM's): flip a character of its base64.
	last := []byte(lines[len(lines)-1])
	i := len(last) - 3
	if last[i] == 'A' {
		last[i] = 'B'
	} else {
		last[i] = 'A'
	}
	lines[len(lines)-1] = string(last)
	spoiled := []byte(strings.Join(lines, "\n") + "\n")
	if _, err := p.Verify(spoiled); err != nil {
		t.Fatalf("two good cosignatures of three: %v", err)
	}
	// Spoil a second: now the quorum fails, naming both.
	lines = lines[:len(lines)-2]
	_, err := p.Verify([]byte(strings.Join(lines, "\n") + "\n"))
	if indivisible.ErrorCode(err) != indivisible.EUNAUTHORIZED || !strings.Contains(err.Error(), "KAZ, ARM") {
		t.Fatalf("one cosignature: %v", err)
	}
}
