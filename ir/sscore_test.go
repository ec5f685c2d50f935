package ir

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

func TestSScoreHandCases(t *testing.T) {
	for _, tc := range []struct {
		name    string
		x, y, w []float64
		dmax    float64
		want    float64
	}{
		// Signorino & Ritter (1999): the valued portfolios (3,3,2,2) and
		// (2,2,3,3) differ by 1 everywhere: S = 1 - 2*4/(3*4) = 1/3.
		{"Signorino-Ritter", []float64{3, 3, 2, 2}, []float64{2, 2, 3, 3}, nil, 3, 1.0 / 3},
		{"identical", []float64{3, 0, 1}, []float64{3, 0, 1}, nil, 3, 1},
		{"opposite", []float64{3, 0}, []float64{0, 3}, nil, 3, -1},
		{"binary", []float64{1, 0, 1, 0}, []float64{1, 1, 0, 0}, nil, 1, 0},
		// Weighted: only the heavy partner (weight 3 of 4) disagrees, by 3.
		{"weighted", []float64{3, 3}, []float64{0, 3}, []float64{3, 1}, 3, 1 - 2*9.0/(3*4)},
		{"zero weights", []float64{3}, []float64{0}, []float64{0}, 3, math.NaN()},
	} {
		got := SScore(tc.x, tc.y, tc.w, tc.dmax)
		if !sameFloat(got, tc.want, 1e-15) {
			t.Errorf("%s: SScore = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTauBHandCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		x, y []float64
		want float64
	}{
		{"perfect", []float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}, 1},
		{"reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},
		// Pairs: (1,2)c (1,3)c (2,3)d: nc=2, nd=1, no ties: 1/3.
		{"one swap", []float64{1, 2, 3}, []float64{1, 3, 2}, 1.0 / 3},
		// Signorino-Ritter portfolios: n0=6, ties in x 2, in y 2, nc=0,
		// nd=4: -4/sqrt(4*4) = -1.
		{"Signorino-Ritter", []float64{3, 3, 2, 2}, []float64{2, 2, 3, 3}, -1},
		// x=(1,1,2,3), y=(1,2,2,3): pairs 12 tied x; 13 c; 14 c; 23 tied
		// y; 24 c; 34 c: nc=4, nd=0, n1=n2=1: 4/sqrt(5*5) = 0.8.
		{"ties in both", []float64{1, 1, 2, 3}, []float64{1, 2, 2, 3}, 0.8},
		{"constant", []float64{1, 1, 1}, []float64{1, 2, 3}, math.NaN()},
		{"too short", []float64{1}, []float64{1}, math.NaN()},
	} {
		if got := TauB(tc.x, tc.y); !sameFloat(got, tc.want, 1e-15) {
			t.Errorf("%s: TauB = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// naiveTauB is the O(n²) textbook definition, to check TauB and the
// contingency-table version against.
func naiveTauB(x, y []float64) float64 {
	var s, n0, tx, ty int64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			n0++
			dx, dy := cmpFloat(x[i], x[j]), cmpFloat(y[i], y[j])
			if dx == 0 {
				tx++
			}
			if dy == 0 {
				ty++
			}
			s += int64(dx * dy)
		}
	}
	return tauB(s, n0, tx, ty)
}

func TestTauBMatchesNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 60).Draw(t, "n")
		levels := rapid.IntRange(1, 8).Draw(t, "levels")
		x := make([]float64, n)
		y := make([]float64, n)
		var table tieTable
		for i := range n {
			x[i] = float64(rapid.IntRange(0, levels-1).Draw(t, "x"))
			y[i] = float64(rapid.IntRange(0, levels-1).Draw(t, "y"))
			if levels <= tieLevels {
				table[int(x[i])*tieLevels+int(y[i])]++
			}
		}
		want := naiveTauB(x, y)
		if got := TauB(x, y); !sameFloat(got, want, 1e-12) {
			t.Fatalf("TauB = %v, naive = %v", got, want)
		}
		if levels <= tieLevels {
			if got := table.tauB(); !sameFloat(got, want, 1e-12) {
				t.Fatalf("table tau-b = %v, naive = %v", got, want)
			}
		}
	})
}

func TestSScoreProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 40).Draw(t, "n")
		x, y, w := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range n {
			x[i] = float64(rapid.IntRange(0, 3).Draw(t, "x"))
			y[i] = float64(rapid.IntRange(0, 3).Draw(t, "y"))
			w[i] = rapid.Float64Range(0.001, 1).Draw(t, "w")
		}
		for _, weights := range [][]float64{nil, w} {
			s := SScore(x, y, weights, 3)
			if s < -1-1e-12 || s > 1+1e-12 {
				t.Fatalf("S = %v outside [-1, 1]", s)
			}
			if r := SScore(y, x, weights, 3); r != s {
				t.Fatalf("S not symmetric: %v vs %v", s, r)
			}
			if self := SScore(x, x, weights, 3); self != 1 {
				t.Fatalf("S(x, x) = %v", self)
			}
		}
	})
}

// sameFloat reports whether a and b agree within tol, treating NaNs as
// equal.
func sameFloat(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol
}
