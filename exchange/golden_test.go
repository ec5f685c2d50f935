package exchange

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// readFixture reads testdata/fixture.json: a log as a list of entries, the
// index being the position. "body" is a declaration; "body_text" gives
// bytes that are not one.
func readFixture(t testing.TB) []indivisible.Entry {
	t.Helper()
	b, err := os.ReadFile("testdata/fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Time        time.Time
		Participant string
		Body        json.RawMessage
		BodyText    string `json:"body_text"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	es := make([]indivisible.Entry, len(rows))
	for i, r := range rows {
		body := []byte(r.Body)
		if r.BodyText != "" {
			body = []byte(r.BodyText)
		}
		es[i] = indivisible.Entry{Index: int64(i), Time: r.Time, Kind: indivisible.KindDeclaration, Participant: r.Participant,
			KeyName: r.Participant + "-00000000", Signature: []byte{1}, Body: body}
	}
	return es
}

// TestGolden checks the findings of a fixture log that exercises every
// rule, with a ceiling added to the default regime.
func TestGolden(t *testing.T) {
	r := DefaultRegime()
	r.Ceilings = []Ceiling{{Participant: "POL", Category: indivisible.BattleTanks, Quantity: 550, Reference: "fixture ceiling"}}
	got, err := json.MarshalIndent(Check(r, readFixture(t)), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const golden = "testdata/fixture.golden"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("findings differ from %s (run go test -update and review the diff):\n%s", golden, got)
	}
}
