package exchange

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// syntheticLog is n declarations by 50 participants over five years:
// exercises, annual exchanges and transfer reports, figures around the
// thresholds so that every rule has work.
func syntheticLog(n int) []indivisible.Entry {
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	es := make([]indivisible.Entry, n)
	for i := range es {
		p := fmt.Sprintf("P%02d", rng.IntN(50))
		at := t0.Add(time.Duration(i) * 5 * 365 * 24 * time.Hour / time.Duration(n))
		var body string
		switch rng.IntN(3) {
		case 0:
			start := at.AddDate(0, 0, rng.IntN(90))
			body = exerciseWith(p, start.Format(time.DateOnly), start.AddDate(0, 0, rng.IntN(15)).Format(time.DateOnly),
				int64(5000+rng.IntN(40000)), int64(rng.IntN(1000)), rng.IntN(2) == 0, false)
		case 1:
			body = annual(p, at.Year()+rng.IntN(2), int64(rng.IntN(1000)))
		default:
			role := []string{"exporter", "importer"}[rng.IntN(2)]
			body = transfer(p, role, at.Year()-1, fmt.Sprintf("Q%02d", rng.IntN(50)), int64(1+rng.IntN(30)))
		}
		es[i] = indivisible.Entry{Index: int64(i), Time: at, Kind: indivisible.KindDeclaration, Participant: p,
			KeyName: p + "-00000000", Signature: []byte{1}, Body: []byte(body)}
	}
	return es
}

func BenchmarkCheck(b *testing.B) {
	r := DefaultRegime()
	for _, n := range []int{1_000, 100_000} {
		es := syntheticLog(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			var found int
			for b.Loop() {
				found = len(Check(r, es))
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(float64(found), "findings")
		})
	}
}

func BenchmarkParse(b *testing.B) {
	body := []byte(exercise("POL", "2026-06-01", "2026-06-12", 14500, 180))
	codes := eurasiaCodes(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Parse(body, codes); err != nil {
			b.Fatal(err)
		}
	}
}
