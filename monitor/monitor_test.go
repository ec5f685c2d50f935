package monitor_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/torchwood"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/monitor"
)

// seed gives the log keys for POL, DEU, ARM and the forum, and a few
// declarations: POL's annual exchange, a mismatched pair of transfer
// reports between DEU and POL, and ARM's annual exchange.
func seed(t *testing.T, tl *testLog) {
	for _, p := range []string{"POL", "DEU", "ARM", indivisible.ForumParticipant} {
		tl.register(t, p)
	}
	tl.declare(t, "POL", annual("POL", 2027, 600))
	tl.declare(t, "DEU", transfer("DEU", "exporter", "POL", 2025, 14))
	tl.declare(t, "POL", transfer("POL", "importer", "DEU", 2025, 12))
	tl.declare(t, "ARM", annual("ARM", 2027, 100))
}

func update(t *testing.T, m *monitor.Monitor) *monitor.Report {
	t.Helper()
	rep, err := m.Update(context.Background())
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	return rep
}

// serverFindings reads the server's /api/v1/findings.
func serverFindings(t *testing.T, url string) []indivisible.Finding {
	t.Helper()
	resp, err := http.Get(url + "/api/v1/findings")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Findings []indivisible.Finding `json:"findings"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v.Findings
}

// sameCopy checks that the monitor's copy holds exactly the log's entries.
func sameCopy(t *testing.T, m *monitor.Monitor, tl *testLog) {
	t.Helper()
	ctx := context.Background()
	cp, _ := tl.l.Checkpoint(ctx)
	got, err := m.Entries()
	if err != nil {
		t.Fatal(err)
	}
	want, err := tl.db.ReadRecords(ctx, 0, cp.Size)
	if err != nil && cp.Size > 0 {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("copy holds %d entries, the log %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("copy's entry %d differs from the log's", i)
		}
	}
	if m.Checkpoint().Size != cp.Size || m.Checkpoint().Root != cp.Root {
		t.Fatalf("copy's checkpoint %d %v, log's %d %v", m.Checkpoint().Size, m.Checkpoint().Root, cp.Size, cp.Root)
	}
}

func TestCatchUpResumeAndReport(t *testing.T) {
	tl := newTestLog(t, filepath.Join(t.TempDir(), "log.db"), "")
	seed(t, tl)
	f := newFront(t, tl.handler)
	dir := t.TempDir()

	m := f.open(t, dir)
	rep := update(t, m)
	sameCopy(t, m, tl)
	if rep.From != 0 || rep.Checkpoint.Size != 8 {
		t.Fatalf("first update: from %d to %d, want 0 to 8", rep.From, rep.Checkpoint.Size)
	}
	// About POL: its key, its annual exchange, both transfer reports.
	if got := indexes(rep.Notices); !cmp.Equal(got, []int64{0, 4, 5, 6}) {
		t.Errorf("notices %v, want entries 0, 4, 5, 6:\n%v", got, rep.Notices)
	}
	// The findings recomputed from the copy are the server's, and the
	// exchange's over the log's own entries.
	entries, _ := tl.l.Entries(context.Background(), 0, 8)
	want := exchange.Check(exchange.DefaultRegime(), entries)
	if len(want) == 0 {
		t.Fatal("the seed gives no findings; the comparison would prove nothing")
	}
	if diff := cmp.Diff(want, m.Findings(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("findings differ from exchange.Check over the log (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(serverFindings(t, f.srv.URL), m.Findings(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("findings differ from the server's /api/v1/findings (-server +monitor):\n%s", diff)
	}
	if len(rep.NewFindings) == 0 || !strings.Contains(rep.NewFindings[0].Rule, "transfer_mirror") {
		t.Errorf("new findings concerning POL: %v, want the transfer mismatch", rep.NewFindings)
	}
	m.Close()

	// New entries while the monitor is down: positions and a decision.
	pol := tl.position(t, "POL", indivisible.Object)
	arm := tl.position(t, "ARM", indivisible.Support)
	dec := tl.decision(t, "not_adopted", []string{"POL"}, []int64{pol, arm})
	tl.declare(t, "ARM", annual("ARM", 2028, 110))
	other := tl.decision(t, "adopted", nil, []int64{arm})

	m = f.open(t, dir)
	if m.Checkpoint().Size != 8 {
		t.Fatalf("resumed at %d, want 8", m.Checkpoint().Size)
	}
	rep = update(t, m)
	sameCopy(t, m, tl)
	if rep.From != 8 {
		t.Errorf("second update from %d, want 8 (resume where it left off)", rep.From)
	}
	if got := indexes(rep.Notices); !cmp.Equal(got, []int64{pol, dec}) {
		t.Errorf("notices %v, want POL's position %d and the decision it objected to %d (not %d):\n%v", got, pol, dec, other, rep.Notices)
	}
	if !strings.Contains(rep.Notices[1].Summary, "POL objected") || !strings.Contains(rep.Notices[0].Summary, "object") {
		t.Errorf("summaries: %v", rep.Notices)
	}
	if diff := cmp.Diff(serverFindings(t, f.srv.URL), m.Findings(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("findings differ from the server's after resuming (-server +monitor):\n%s", diff)
	}
	// Nothing new: nothing reported.
	if rep := update(t, m); rep.From != rep.Checkpoint.Size || len(rep.Notices) != 0 {
		t.Errorf("idle update: from %d to %d, notices %v", rep.From, rep.Checkpoint.Size, rep.Notices)
	}
	if err := m.Standing(); err != nil {
		t.Errorf("standing alarm on a consistent log: %v", err)
	}
	if metrics := scrape(t, m); !strings.Contains(metrics, "indivisible_monitor_log_size 13") || !strings.Contains(metrics, "indivisible_monitor_alarm 0") {
		t.Errorf("metrics:\n%s", grep(metrics, "indivisible_monitor"))
	}
}

func indexes(ns []monitor.Notice) []int64 {
	out := []int64{}
	for _, n := range ns {
		out = append(out, n.Index)
	}
	return out
}

func scrape(t *testing.T, m *monitor.Monitor) string {
	t.Helper()
	rec := &strings.Builder{}
	w := &respWriter{h: http.Header{}, b: rec}
	req, _ := http.NewRequest("GET", "/metrics", nil)
	m.Handler().ServeHTTP(w, req)
	return rec.String()
}

type respWriter struct {
	h http.Header
	b *strings.Builder
}

func (w *respWriter) Header() http.Header         { return w.h }
func (w *respWriter) Write(p []byte) (int, error) { return w.b.Write(p) }
func (w *respWriter) WriteHeader(int)             {}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// wantAlarm checks that err is the alarm kind, that it stands (after a
// restart too) and that the metrics show it.
func wantAlarm(t *testing.T, m *monitor.Monitor, err error, kind string) {
	t.Helper()
	if !monitor.IsAlarm(err) || indivisible.ErrorField(err) != kind {
		t.Fatalf("err %v (code %s, field %s), want a %s alarm", err, indivisible.ErrorCode(err), indivisible.ErrorField(err), kind)
	}
	if indivisible.ErrorCode(err) != indivisible.EINCONSISTENT {
		t.Errorf("an alarm's code is %q, not inconsistent (exit status 7)", indivisible.ErrorCode(err))
	}
	if m.Standing() == nil {
		t.Errorf("the alarm does not stand")
	}
	metrics := scrape(t, m)
	if !strings.Contains(metrics, "indivisible_monitor_alarm 1") || !strings.Contains(metrics, `indivisible_monitor_alarms_total{kind="`+kind+`"} 1`) {
		t.Errorf("metrics do not show the %s alarm:\n%s", kind, grep(metrics, "alarm"))
	}
}

// TestSplitView serves two histories of one log, forked at size 8 and
// signed by the same key, to one monitor in turn.
func TestSplitView(t *testing.T) {
	for _, tc := range []struct {
		name   string
		aExtra int // entries appended to A after the fork, before the monitor sees it
		bExtra int
	}{
		{"larger fork", 1, 3},
		{"same size", 2, 2},
		{"smaller fork", 3, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestLog(t, filepath.Join(t.TempDir(), "a.db"), "")
			seed(t, a)
			b := a.fork(t)
			for i := range tc.aExtra {
				a.declare(t, "POL", annual("POL", 2030+i, 600))
			}
			for i := range tc.bExtra {
				b.declare(t, "POL", annual("POL", 2030+i, 900)) // another history
			}
			f := newFront(t, a.handler)
			dir := t.TempDir()
			m := f.open(t, dir)
			update(t, m)
			f.serve(b.handler)
			_, err := m.Update(context.Background())
			wantAlarm(t, m, err, monitor.AlarmSplitView)
			sameCopy(t, m, a) // the copy keeps the history it saw first
			// Back on A, the log is consistent again, but the alarm
			// stands, across a restart too, until its record is removed.
			f.serve(a.handler)
			if _, err := m.Update(context.Background()); err != nil {
				t.Errorf("back on A: %v", err)
			}
			m.Close()
			m = f.open(t, dir)
			if err := m.Standing(); !monitor.IsAlarm(err) || !strings.Contains(indivisible.ErrorMessage(err), "alarm stands") {
				t.Errorf("after a restart: %v, want the standing alarm", err)
			}
			ev, _ := os.ReadFile(filepath.Join(dir, "alarms"))
			if bytes.Count(ev, []byte("— "+origin)) < 2 {
				t.Errorf("the alarms file does not hold both checkpoints as evidence:\n%s", ev)
			}
		})
	}
}

// TestTampered serves tiles altered in transit: an entry in a bundle, a
// hash in a hash tile.
func TestTampered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(path string, body []byte) []byte
	}{
		{"entry bundle", func(path string, body []byte) []byte {
			if strings.HasPrefix(path, "/log/tile/entries/") {
				return bytes.Replace(body, []byte(`"battle_tanks": 600`), []byte(`"battle_tanks": 060`), 1)
			}
			return body
		}},
		{"hash tile", func(path string, body []byte) []byte {
			if strings.HasPrefix(path, "/log/tile/0/") && len(body) >= 64 {
				body = bytes.Clone(body)
				body[40] ^= 1
			}
			return body
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl := newTestLog(t, filepath.Join(t.TempDir(), "log.db"), "")
			seed(t, tl)
			f := newFront(t, tl.handler)
			m := f.open(t, t.TempDir())
			if tc.name == "hash tile" {
				// A consistency proof reads hash tiles: start from a
				// copy of some entries.
				update(t, m)
				for i := range 300 {
					tl.declare(t, "ARM", annual("ARM", 2100+i, 1))
				}
			}
			before := m.Checkpoint().Size
			f.setTamper(tc.tamper)
			_, err := m.Update(context.Background())
			wantAlarm(t, m, err, monitor.AlarmTampered)
			if m.Checkpoint().Size != before {
				t.Errorf("the copy advanced to %d on tampered tiles", m.Checkpoint().Size)
			}
			// Served honestly again, the copy catches up.
			f.setTamper(nil)
			update(t, m)
			sameCopy(t, m, tl)
		})
	}
}

// TestLogKey changes the log key the server serves, and the signature of
// its checkpoint.
func TestLogKey(t *testing.T) {
	tl := newTestLog(t, filepath.Join(t.TempDir(), "log.db"), "")
	seed(t, tl)
	f := newFront(t, tl.handler)
	dir := t.TempDir()
	m := f.open(t, dir)
	update(t, m)
	pinned, _ := os.ReadFile(filepath.Join(dir, "log.pub"))
	if strings.TrimSpace(string(pinned)) != tl.l.Info().VerifierKey {
		t.Fatalf("pinned %q, want the log's key", pinned)
	}

	t.Run("another log at the URL", func(t *testing.T) {
		other := newTestLog(t, filepath.Join(t.TempDir(), "other.db"), "") // same origin, new key
		seed(t, other)
		f.serve(other.handler)
		defer f.serve(tl.handler)
		m := f.open(t, copyDir(t, dir))
		_, err := m.Update(context.Background())
		wantAlarm(t, m, err, monitor.AlarmLogKey)
	})
	t.Run("checkpoint signed by another key", func(t *testing.T) {
		skey, _ := ledger.GenerateLogKey(origin)
		s, _ := note.NewSigner(skey)
		f.setTamper(func(path string, body []byte) []byte {
			if path != "/log/checkpoint" {
				return body
			}
			n, err := note.Open(body, note.VerifierList(tl.l.Verifier()))
			if err != nil {
				t.Error(err)
				return body
			}
			out, _ := note.Sign(&note.Note{Text: n.Text}, s)
			return out
		})
		defer f.setTamper(nil)
		m := f.open(t, copyDir(t, dir))
		_, err := m.Update(context.Background())
		wantAlarm(t, m, err, monitor.AlarmCheckpointSignature)
	})
	t.Run("trusted key given", func(t *testing.T) {
		// A key given that is not the pinned one is a usage error.
		_, err := monitor.Open(context.Background(), monitor.Config{URL: f.srv.URL + "/log/", Dir: copyDir(t, dir), Key: mustVerifierKey(t)})
		if indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Errorf("err %v, want EINVALID", err)
		}
	})
}

func mustVerifierKey(t *testing.T) string {
	_, vkey, err := ledger.NewKey(rand.Reader, "XXX")
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

// copyDir copies a monitor's directory, so that subtests start from the
// same copy.
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(out, e.Name()), b, 0o644)
	}
	return out
}

// TestBadEntry serves a log whose operator accepted what the log never
// should: a declaration with a bad signature, one signed with another
// participant's key.
func TestBadEntry(t *testing.T) {
	ctx := context.Background()
	tl := newTestLog(t, filepath.Join(t.TempDir(), "log.db"), "")
	seed(t, tl)
	cp, _ := tl.l.Checkpoint(ctx)
	// Rebuild the stored hashes so far to append raw batches.
	var all []tlog.Hash
	for i := range tlog.StoredHashCount(cp.Size) {
		h, err := tl.db.ReadHashes(ctx, []int64{i})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, h[0])
	}
	tl.l.Close()
	pol, deu := tl.signers["POL"], tl.signers["DEU"]
	body := []byte(annual("POL", 2031, 1))
	sigByDEU, _ := deu.Sign(body)
	body2 := []byte(annual("POL", 2033, 1))
	sig2, _ := deu.Sign(body2)
	good, _ := pol.Sign([]byte(annual("POL", 2032, 1)))
	now := cp.Size
	entries := []indivisible.Entry{
		{Index: now, Kind: indivisible.KindDeclaration, Participant: "POL", KeyName: pol.Name(), Signature: sigByDEU, Body: body},
		{Index: now + 1, Kind: indivisible.KindDeclaration, Participant: "POL", KeyName: deu.Name(), Signature: sig2, Body: body2},
		{Index: now + 2, Kind: indivisible.KindDeclaration, Participant: "POL", KeyName: pol.Name(), Signature: good, Body: []byte(annual("POL", 2032, 1))},
	}
	for i := range entries {
		entries[i].Time = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	}
	rawAppend(t, tl.db, tl.skey, &all, entries, nil)
	f := newFront(t, tl.handler)
	m := f.open(t, t.TempDir())
	_, err := m.Update(ctx)
	wantAlarm(t, m, err, monitor.AlarmEntry)
	msg := indivisible.ErrorMessage(err)
	if !strings.Contains(msg, "2 entries") || !strings.Contains(msg, "entry 8") {
		t.Errorf("alarm %q, want entries 8 and 9 named", msg)
	}
	// The copy mirrors the log, bad entries included: they are evidence.
	sameCopy(t, m, tl)
}

// TestWitnessPolicy checks a checkpoint's cosignatures under a 2-of-3
// policy: the copy advances only to a checkpoint with the quorum, and a
// missing quorum names the witnesses missing.
func TestWitnessPolicy(t *testing.T) {
	tl := newTestLog(t, filepath.Join(t.TempDir(), "log.db"), "")
	seed(t, tl)
	var signers []*torchwood.CosignatureSigner
	policy := "log " + tl.l.Info().VerifierKey + "\n"
	for _, name := range []string{"w1", "w2", "w3"} {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		s, err := torchwood.NewCosignatureSigner(name+".example", priv)
		if err != nil {
			t.Fatal(err)
		}
		signers = append(signers, s)
		policy += "witness " + name + " " + s.Verifier().String() + "\n"
	}
	policy += "group g 2 w1 w2 w3\nquorum g\n"
	cosign := func(n int) func(string, []byte) []byte {
		return func(path string, body []byte) []byte {
			if path != "/log/checkpoint" {
				return body
			}
			nt, err := note.Open(body, note.VerifierList(tl.l.Verifier()))
			if err != nil {
				t.Error(err)
				return body
			}
			var ss []note.Signer
			for _, s := range signers[:n] {
				ss = append(ss, s)
			}
			out, err := note.Sign(nt, ss...)
			if err != nil {
				t.Error(err)
			}
			return out
		}
	}
	f := newFront(t, tl.handler)
	f.setTamper(cosign(2))
	m := f.open(t, t.TempDir(), func(c *monitor.Config) { c.Policy = []byte(policy) })
	rep := update(t, m)
	if !rep.Cosigned || rep.Checkpoint.Size != 8 {
		t.Fatalf("cosigned %v at %d, want a cosigned checkpoint of size 8", rep.Cosigned, rep.Checkpoint.Size)
	}
	fork := tl.fork(t) // the same history so far
	tl.declare(t, "POL", annual("POL", 2031, 1))
	f.setTamper(cosign(1))
	_, err := m.Update(context.Background())
	if indivisible.ErrorCode(err) != indivisible.EUNAUTHORIZED || !strings.Contains(indivisible.ErrorMessage(err), "missing w2, w3") {
		t.Fatalf("err %v, want EUNAUTHORIZED naming w2 and w3", err)
	}
	if monitor.IsAlarm(err) || m.Checkpoint().Size != 8 {
		t.Errorf("alarm %v, copy at %d: a missing quorum is no alarm and the copy waits", monitor.IsAlarm(err), m.Checkpoint().Size)
	}
	// A cosigned checkpoint of another history than the one seen (size
	// 9, without quorum) is a split view, though it extends the copy.
	fork.declare(t, "POL", annual("POL", 2031, 2))
	fork.declare(t, "POL", annual("POL", 2032, 2))
	f.serve(fork.handler)
	f.setTamper(cosign(3))
	_, err = m.Update(context.Background())
	wantAlarm(t, m, err, monitor.AlarmSplitView)
	// The honest log, cosigned, is taken in.
	f.serve(tl.handler)
	rep = update(t, m)
	if !rep.Cosigned || rep.Checkpoint.Size != 9 {
		t.Errorf("cosigned %v at %d, want 9", rep.Cosigned, rep.Checkpoint.Size)
	}
}

// TestTornCopy checks that what an interrupted update wrote beyond the
// checkpoint is cut back on opening, and that a damaged copy is refused.
func TestTornCopy(t *testing.T) {
	tl := newTestLog(t, filepath.Join(t.TempDir(), "log.db"), "")
	seed(t, tl)
	f := newFront(t, tl.handler)
	dir := t.TempDir()
	m := f.open(t, dir)
	update(t, m)
	m.Close()
	for _, name := range []string{"entries", "hashes"} {
		fh, _ := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_APPEND, 0)
		fh.Write(bytes.Repeat([]byte{7}, 100))
		fh.Close()
	}
	tl.declare(t, "POL", annual("POL", 2031, 1))
	m = f.open(t, dir)
	update(t, m)
	sameCopy(t, m, tl)
	m.Close()

	b, _ := os.ReadFile(filepath.Join(dir, "entries"))
	b[20] ^= 1
	os.WriteFile(filepath.Join(dir, "entries"), b, 0o644)
	_, err := monitor.Open(context.Background(), monitor.Config{URL: f.srv.URL + "/log/", Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("a damaged copy opened: %v", err)
	}
}
