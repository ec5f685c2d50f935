package score

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestCountedAUC checks the bootstrap's integer, cluster-coded pass against
// WeightedAUC with the equivalent row weights.
func TestCountedAUC(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(2, 50).Draw(rt, "n")
		C := rapid.IntRange(1, n).Draw(rt, "C")
		p := make([]float64, n)
		y := make([]bool, n)
		cluster := make([]int32, n)
		for i := range n {
			p[i] = float64(rapid.IntRange(0, 5).Draw(rt, "p"))
			y[i] = rapid.Bool().Draw(rt, "y")
			cluster[i] = int32(rapid.IntRange(0, C-1).Draw(rt, "cluster"))
		}
		r, err := NewRanked([][]float64{p}, y)
		if err != nil {
			rt.Skip(err.Error())
		}
		ids, nc, err := denseClusters(cluster, n)
		if err != nil {
			rt.Fatal(err)
		}
		cnt := make([]int32, nc)
		for i := range cnt {
			cnt[i] = int32(rapid.IntRange(0, 3).Draw(rt, "count"))
		}
		codes := make([]uint32, n)
		w := make([]float64, n)
		for i, c := range r.pos[0] {
			row := c >> 1
			codes[i] = uint32(ids[row])<<2 | c&1
			if y[row] {
				codes[i] |= 2
			}
			w[row] = float64(cnt[ids[row]])
		}
		got, want := countedAUC(codes, cnt), WeightedAUC(ascending(p), p, y, w)
		if math.IsNaN(got) != math.IsNaN(want) || math.Abs(got-want) > 1e-12 {
			rt.Fatalf("counted %g, weighted %g", got, want)
		}
	})
}

// TestAscendingRadix checks the radix sort against the standard library's
// stable sort on inputs large enough to take the radix path, with
// negatives, signed zeros, infinities and many ties.
func TestAscendingRadix(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(512, 5000).Draw(rt, "n")
		seed := rapid.Uint64().Draw(rt, "seed")
		r := rand.New(rand.NewPCG(seed, 0))
		special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), 1e-300, -1e-300, 0.5, 1}
		p := make([]float64, n)
		for i := range p {
			switch r.IntN(4) {
			case 0:
				p[i] = special[r.IntN(len(special))]
			case 1:
				p[i] = float64(r.IntN(10)) / 10
			case 2:
				p[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(20)-10))
			default:
				p[i] = r.Float64()
			}
		}
		got := ascending(p)
		want := make([]int32, n)
		for i := range want {
			want[i] = int32(i)
		}
		slices.SortStableFunc(want, func(a, b int32) int { return cmp.Compare(p[a], p[b]) })
		for i := range got {
			// Equal values (including −0 and +0) may come in either order.
			if p[got[i]] != p[want[i]] {
				rt.Fatalf("position %d: %g, want %g", i, p[got[i]], p[want[i]])
			}
		}
		seen := make([]bool, n)
		for _, g := range got {
			if seen[g] {
				rt.Fatalf("row %d twice", g)
			}
			seen[g] = true
		}
	})
}
