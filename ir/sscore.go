package ir

import (
	"math"
	"slices"
)

// SScore returns Signorino and Ritter's (1999) S, the similarity of the
// portfolios x and y over the same n partners:
//
//	S = 1 - 2 Σ w_k |x_k - y_k| / (dmax Σ w_k)
//
// S is 1 for identical portfolios and -1 for portfolios as far apart as
// dmax allows everywhere. dmax is the largest possible |x_k - y_k|: 3 for
// valued ATOP ties, 1 for binary ones (Häge 2011 discusses the choice). A
// nil w weighs every partner 1 (the unweighted S). It returns NaN when the
// weights sum to 0 and panics if the lengths differ.
func SScore(x, y, w []float64, dmax float64) float64 {
	if len(x) != len(y) || (w != nil && len(w) != len(x)) {
		panic("ir: SScore: slices of different lengths")
	}
	var dist, total float64
	for k := range x {
		wk := 1.0
		if w != nil {
			wk = w[k]
		}
		dist += wk * math.Abs(x[k]-y[k])
		total += wk
	}
	if total == 0 {
		return math.NaN()
	}
	return 1 - 2*dist/(dmax*total)
}

// TauB returns Kendall's tau-b rank correlation of x and y, which corrects
// tau for ties in either variable:
//
//	τb = (nc - nd) / sqrt((n0 - n1)(n0 - n2))
//
// with nc and nd the concordant and discordant pairs, n0 = n(n-1)/2 and
// n1, n2 the pairs tied in x and in y. It runs in O(n log n) time (Knight
// 1966). It returns NaN when x or y is constant (or n < 2), where tau-b is
// undefined, and panics if the lengths differ.
func TauB(x, y []float64) float64 {
	if len(x) != len(y) {
		panic("ir: TauB: slices of different lengths")
	}
	n := len(x)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	// Sort by x, then y: pairs tied in x are then in y order and are never
	// counted as discordant by the merge sort below.
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmpFloat(x[a], x[b]); c != 0 {
			return c
		}
		return cmpFloat(y[a], y[b])
	})
	var tiedX, tiedXY int64 // pairs tied in x; tied in both
	for i := 0; i < n; {
		j, k := i, i
		for j < n && x[idx[j]] == x[idx[i]] {
			if y[idx[j]] != y[idx[k]] {
				tiedXY += pairs(j - k)
				k = j
			}
			j++
		}
		tiedXY += pairs(j - k)
		tiedX += pairs(j - i)
		i = j
	}
	ys := make([]float64, n)
	for i, k := range idx {
		ys[i] = y[k]
	}
	swaps := mergeCount(ys, make([]float64, n))
	var tiedY int64
	for i := 0; i < n; {
		j := i
		for j < n && ys[j] == ys[i] {
			j++
		}
		tiedY += pairs(j - i)
		i = j
	}
	n0 := pairs(n)
	// Pairs neither tied in x nor in y are concordant or discordant; the
	// discordant ones are exactly the inversions of y in x order.
	nd := swaps
	nc := n0 - tiedX - tiedY + tiedXY - nd
	return tauB(nc-nd, n0, tiedX, tiedY)
}

// tauB finishes the computation from the pair counts.
func tauB(s, n0, tiedX, tiedY int64) float64 {
	den := float64(n0-tiedX) * float64(n0-tiedY)
	if den == 0 {
		return math.NaN()
	}
	return float64(s) / math.Sqrt(den)
}

// pairs returns n(n-1)/2.
func pairs(n int) int64 { return int64(n) * int64(n-1) / 2 }

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// mergeCount sorts v in place, using buf (of the same length) as scratch,
// and returns the number of inversions: pairs i < j with v[i] > v[j].
func mergeCount(v, buf []float64) int64 {
	n := len(v)
	if n < 2 {
		return 0
	}
	m := n / 2
	inv := mergeCount(v[:m], buf[:m]) + mergeCount(v[m:], buf[m:])
	i, j, k := 0, m, 0
	for i < m && j < n {
		if v[j] < v[i] {
			buf[k] = v[j]
			inv += int64(m - i) // v[j] is smaller than all of v[i:m]
			j++
		} else {
			buf[k] = v[i]
			i++
		}
		k++
	}
	k += copy(buf[k:], v[i:m])
	copy(buf[k:], v[j:n])
	copy(v, buf)
	return inv
}

// tieLevels is the number of valued ATOP tie levels, 0 to 3.
const tieLevels = 4

// tieTable is the contingency table of two valued portfolios: t[a*4+b]
// counts the partners to which the first state has tie a and the second
// tie b.
type tieTable [tieLevels * tieLevels]int32

// tauB returns Kendall's tau-b from the contingency table in constant
// time, which is exact because valued ties take only the values 0 to 3.
func (t *tieTable) tauB() float64 {
	// Walking the rows from the bottom up, below holds the column totals
	// of the rows already passed (larger x). A pair of cells is concordant
	// when the lower one lies to the right, discordant when to the left.
	var below, rows [tieLevels]int64
	var s, n int64
	for a := tieLevels - 1; a >= 0; a-- {
		total := below[0] + below[1] + below[2] + below[3]
		var left int64
		for b := range tieLevels {
			c := int64(t[a*tieLevels+b])
			s += c * (total - left - below[b] - left)
			left += below[b]
			rows[a] += c
		}
		for b := range tieLevels {
			below[b] += int64(t[a*tieLevels+b])
		}
		n += rows[a]
	}
	var tiedX, tiedY int64
	for i := range tieLevels {
		tiedX += rows[i] * (rows[i] - 1) / 2
		tiedY += below[i] * (below[i] - 1) / 2 // below now holds the column totals
	}
	return tauB(s, n*(n-1)/2, tiedX, tiedY)
}
