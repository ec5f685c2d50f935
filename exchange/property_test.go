package exchange

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/indivisible-eurasia/indivisible"
)

var states = []string{"DEU", "LTU", "POL", "RUS"}

// genBody draws a declaration of any kind but correction, with figures
// around the regime's thresholds so that the rules fire.
func genBody(t *rapid.T, p string) string {
	year := rapid.IntRange(2025, 2027).Draw(t, "year")
	switch rapid.IntRange(0, 3).Draw(t, "kind") {
	case 0:
		start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rapid.IntRange(0, 364).Draw(t, "start"))
		end := start.AddDate(0, 0, rapid.IntRange(0, 20).Draw(t, "days"))
		personnel := rapid.SampledFrom([]int64{1000, 8600, 9000, 12500, 13000, 14000, 26000, 39000, 41000}).Draw(t, "personnel")
		tanks := rapid.SampledFrom([]int64{0, 240, 250, 301, 901}).Draw(t, "tanks")
		return exerciseWith(p, start.Format(time.DateOnly), end.Format(time.DateOnly), personnel, tanks, rapid.Bool().Draw(t, "observers"), rapid.Bool().Draw(t, "snap"))
	case 1:
		return annual(p, year, rapid.Int64Range(0, 1000).Draw(t, "tanks"))
	case 2:
		other := rapid.SampledFrom(slices.DeleteFunc(slices.Clone(states), func(s string) bool { return s == p })).Draw(t, "counterpart")
		return transfer(p, rapid.SampledFrom([]string{"exporter", "importer"}).Draw(t, "role"), year, other, rapid.Int64Range(1, 30).Draw(t, "quantity"))
	default:
		return contribution(p, "NATO", year, rapid.Int64Range(0, 1000).Draw(t, "tanks"))
	}
}

// genLog draws a log of declarations with non-decreasing times.
func genLog(t *rapid.T) []indivisible.Entry {
	n := rapid.IntRange(1, 30).Draw(t, "n")
	day := time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)
	var es []indivisible.Entry
	for i := range n {
		day = day.AddDate(0, 0, rapid.IntRange(0, 60).Draw(t, "gap"))
		p := rapid.SampledFrom(states).Draw(t, "participant")
		es = append(es, indivisible.Entry{Index: int64(i), Time: day, Kind: indivisible.KindDeclaration, Participant: p,
			KeyName: p + "-00000000", Signature: []byte{1}, Body: []byte(genBody(t, p))})
	}
	return es
}

func next(es []indivisible.Entry, p, body string) indivisible.Entry {
	last := es[len(es)-1]
	return indivisible.Entry{Index: last.Index + 1, Time: last.Time, Kind: indivisible.KindDeclaration, Participant: p,
		KeyName: p + "-00000000", Signature: []byte{1}, Body: []byte(body)}
}

func TestCheckOrderIndependent(t *testing.T) {
	r := DefaultRegime()
	rapid.Check(t, func(t *rapid.T) {
		es := genLog(t)
		perm := rapid.Permutation(es).Draw(t, "perm")
		if diff := cmp.Diff(Check(r, es), Check(r, perm)); diff != "" {
			t.Fatalf("findings depend on the order of entries:\n%s", diff)
		}
	})
}

func TestWithdrawalRemovesFindings(t *testing.T) {
	r := DefaultRegime()
	rapid.Check(t, func(t *rapid.T) {
		es := genLog(t)
		target := rapid.SampledFrom(es).Draw(t, "target")
		es = append(es, next(es, target.Participant, withdraw(target.Participant, target.Index)))
		for _, f := range Check(r, es) {
			if slices.Contains(f.Entries, target.Index) {
				t.Fatalf("withdrawn entry %d still involved in %+v", target.Index, f)
			}
		}
	})
}

// TestIdenticalCorrectionChangesNothing: a correction that restates an
// entry's content only adds itself to the findings' entries.
func TestIdenticalCorrectionChangesNothing(t *testing.T) {
	r := DefaultRegime()
	rapid.Check(t, func(t *rapid.T) {
		es := genLog(t)
		target := rapid.SampledFrom(es).Draw(t, "target")
		corrected := append(slices.Clone(es), next(es, target.Participant, correct(target.Participant, target.Index, string(target.Body))))
		if diff := cmp.Diff(summary(Check(r, es)), summary(Check(r, corrected))); diff != "" {
			t.Fatalf("restating entry %d changed the findings:\n%s", target.Index, diff)
		}
	})
}

// summary is the findings without their entries, sorted.
func summary(fs []indivisible.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s", f.Rule, strings.Join(f.Participants, ","), f.Message))
	}
	slices.Sort(out)
	return out
}
