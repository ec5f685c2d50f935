// Package score scores probabilistic forecasts of binary events: ranking
// (ROC AUC, average precision), calibration (Brier, log loss, reliability
// bins), cluster-bootstrap intervals for AUCs and their differences, and an
// SVG rendering of ROC curves and reliability diagrams.
//
// The functions take predicted probabilities p and outcomes y of equal
// length and panic if the lengths differ, since that is a programming error
// rather than bad data. Scores that are undefined on the input (no events,
// no rows) are NaN.
package score

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

func checkLen(fn string, p []float64, y []bool) {
	if len(p) != len(y) {
		panic(fmt.Sprintf("score.%s: %d predictions but %d outcomes", fn, len(p), len(y)))
	}
}

// ascending returns the row indices sorted by p ascending, ties in row
// order. p must not contain NaN (callers check), which would land at one
// end. It is an LSD radix sort on the float bits, O(n) instead of a
// comparison sort's O(n log n) with a slow comparator, because sorting is
// most of the cost of an AUC over a million rows.
func ascending(p []float64) []int32 {
	n := len(p)
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	if n < 512 {
		slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(p[a], p[b]) })
		return order
	}
	// Map each float to a uint64 with the same order: flip all bits of
	// negatives, only the sign bit of positives. −0 then sorts just below
	// +0, next to it, so tie groups (found by == on p) stay contiguous.
	keys := make([]uint64, n)
	var counts [8][256]int
	for i, v := range p {
		k := math.Float64bits(v)
		if k>>63 != 0 {
			k = ^k
		} else {
			k |= 1 << 63
		}
		keys[i] = k
		for d := range 8 {
			counts[d][k>>(8*d)&0xff]++
		}
	}
	tmpK, tmpO := make([]uint64, n), make([]int32, n)
	for d := range 8 {
		c := &counts[d]
		shift := 8 * d
		if c[keys[0]>>shift&0xff] == n {
			continue // every key has the same digit here: nothing moves
		}
		sum := 0
		for i, v := range c {
			c[i] = sum
			sum += v
		}
		for i, k := range keys {
			j := c[k>>shift&0xff]
			c[k>>shift&0xff]++
			tmpK[j], tmpO[j] = k, order[i]
		}
		keys, tmpK = tmpK, keys
		order, tmpO = tmpO, order
	}
	return order
}

func hasNaN(p []float64) bool {
	return slices.ContainsFunc(p, math.IsNaN)
}

// AUC is the area under the ROC curve: the probability that a random event
// is scored above a random non-event, ties counting one half (the
// Mann–Whitney statistic with mid-ranks, divided by events × non-events).
// It is NaN if there are no events, no non-events, or p contains NaN.
func AUC(p []float64, y []bool) float64 {
	checkLen("AUC", p, y)
	if hasNaN(p) {
		return math.NaN()
	}
	return WeightedAUC(ascending(p), p, y, nil)
}

// WeightedAUC is AUC with non-negative row weights, as if row i appeared
// w[i] times; nil w means all ones. order must hold the row indices sorted by
// p ascending (ties in any order), so that repeated calls with different
// weights, as in Bootstrap, cost O(n) each instead of a sort.
//
// Rows are taken in tie groups of equal p: each event in a group beats every
// non-event below the group and ties with the group's own non-events, which
// is exactly the mid-rank formula without computing ranks.
func WeightedAUC(order []int32, p []float64, y []bool, w []float64) float64 {
	checkLen("WeightedAUC", p, y)
	if len(order) != len(p) || (w != nil && len(w) != len(p)) {
		panic(fmt.Sprintf("score.WeightedAUC: %d order entries and %d weights for %d rows", len(order), len(w), len(p)))
	}
	var negBelow, pos, u float64
	var gPos, gNeg float64
	for i, r := range order {
		wt := 1.0
		if w != nil {
			wt = w[r]
		}
		if y[r] {
			gPos += wt
		} else {
			gNeg += wt
		}
		if i+1 == len(order) || p[order[i+1]] != p[r] {
			u += gPos * (negBelow + gNeg/2)
			negBelow += gNeg
			pos += gPos
			gPos, gNeg = 0, 0
		}
	}
	if pos == 0 || negBelow == 0 {
		return math.NaN()
	}
	return u / (pos * negBelow)
}

// PRAUC is the average precision, scikit-learn's average_precision_score:
// Σ_t (R_t − R_{t−1}) P_t over the distinct thresholds t taken from the
// highest score down, with precision P_t and recall R_t of predicting an
// event for scores ≥ t. Tied scores form one threshold, so their order does
// not matter. This step-wise sum does not interpolate, which would be
// optimistic for the rare events this package is meant for. It is NaN if
// there are no events or p contains NaN.
func PRAUC(p []float64, y []bool) float64 {
	checkLen("PRAUC", p, y)
	if hasNaN(p) {
		return math.NaN()
	}
	events := 0
	for _, v := range y {
		if v {
			events++
		}
	}
	if events == 0 {
		return math.NaN()
	}
	order := ascending(p)
	var tp, fp int
	ap, prevRecall := 0.0, 0.0
	for i := len(order) - 1; i >= 0; i-- {
		r := order[i]
		if y[r] {
			tp++
		} else {
			fp++
		}
		if i == 0 || p[order[i-1]] != p[r] {
			recall := float64(tp) / float64(events)
			ap += (recall - prevRecall) * float64(tp) / float64(tp+fp)
			prevRecall = recall
		}
	}
	return ap
}

// Brier is the mean squared error of p against the 0/1 outcomes; NaN for no
// rows.
func Brier(p []float64, y []bool) float64 {
	checkLen("Brier", p, y)
	if len(p) == 0 {
		return math.NaN()
	}
	s := 0.0
	for i, v := range p {
		d := v
		if y[i] {
			d = 1 - v
		}
		s += d * d
	}
	return s / float64(len(p))
}

// LogLoss is the mean −[y ln p + (1−y) ln(1−p)], with p clipped to
// [1e-15, 1−1e-15] (scikit-learn's convention) so that one confident miss
// costs about 34.5 instead of +Inf; NaN for no rows.
func LogLoss(p []float64, y []bool) float64 {
	checkLen("LogLoss", p, y)
	if len(p) == 0 {
		return math.NaN()
	}
	const eps = 1e-15
	s := 0.0
	for i, v := range p {
		v = min(max(v, eps), 1-eps)
		if y[i] {
			s -= math.Log(v)
		} else {
			s -= math.Log1p(-v)
		}
	}
	return s / float64(len(p))
}

// Bin is one bin of a reliability diagram.
type Bin struct {
	// Lo and Hi are the smallest and largest predicted value in the bin.
	Lo, Hi float64
	// MeanP is the mean predicted probability and Rate the observed event
	// rate; a calibrated forecast has Rate ≈ MeanP.
	MeanP, Rate float64
	// N is the number of rows and Events the number of them with y true.
	N, Events int
}

// Reliability groups the rows into bins of equal count by predicted value
// (deciles for bins = 10; the first n mod bins bins get one row more) and
// reports each bin's range, mean prediction and observed rate. Equal counts
// rather than equal widths keep every bin populated when the predictions
// are concentrated near zero, as for rare events. Rows with equal p may fall
// on both sides of a bin edge, so that the counts stay equal. bins is capped
// at the number of rows; it returns nil for no rows or bins < 1, and panics
// if p contains NaN, which has no place in any bin.
func Reliability(p []float64, y []bool, bins int) []Bin {
	checkLen("Reliability", p, y)
	n := len(p)
	if n == 0 || bins < 1 {
		return nil
	}
	if hasNaN(p) {
		panic("score.Reliability: NaN prediction")
	}
	bins = min(bins, n)
	order := ascending(p)
	out := make([]Bin, bins)
	size, extra := n/bins, n%bins
	start := 0
	for b := range out {
		end := start + size
		if b < extra {
			end++
		}
		bin := &out[b]
		bin.Lo, bin.Hi = p[order[start]], p[order[end-1]]
		sum := 0.0
		for _, r := range order[start:end] {
			sum += p[r]
			if y[r] {
				bin.Events++
			}
		}
		bin.N = end - start
		bin.MeanP = sum / float64(bin.N)
		bin.Rate = float64(bin.Events) / float64(bin.N)
		start = end
	}
	return out
}

// Point is a point of a curve.
type Point struct{ X, Y float64 }

// ROC returns the ROC curve as (false positive rate, true positive rate)
// points from (0,0) to (1,1), one per distinct threshold from the highest
// score down, so that the trapezoidal area under it equals AUC (a tie group
// is a diagonal segment, the one-half rule). If maxPoints ≥ 2 the curve is
// thinned to at most maxPoints points by keeping only points at least
// 2/(maxPoints−1) apart along the curve (FPR+TPR, which grows monotonically
// to 2): every dropped point then lies within that distance of the kept
// polyline, so the shape survives while a plot of a million rows stays
// small. maxPoints < 2 means no thinning. It returns nil if there are no
// events, no non-events, or p contains NaN.
func ROC(p []float64, y []bool, maxPoints int) []Point {
	checkLen("ROC", p, y)
	if hasNaN(p) {
		return nil
	}
	var P, N int
	for _, v := range y {
		if v {
			P++
		} else {
			N++
		}
	}
	if P == 0 || N == 0 {
		return nil
	}
	order := ascending(p)
	pts := []Point{{0, 0}}
	var tp, fp int
	for i := len(order) - 1; i >= 0; i-- {
		r := order[i]
		if y[r] {
			tp++
		} else {
			fp++
		}
		if i == 0 || p[order[i-1]] != p[r] {
			pts = append(pts, Point{float64(fp) / float64(N), float64(tp) / float64(P)})
		}
	}
	if maxPoints < 2 || len(pts) <= maxPoints {
		return pts
	}
	if maxPoints == 2 {
		return []Point{pts[0], pts[len(pts)-1]}
	}
	step := 2 / float64(maxPoints-1)
	kept := []Point{pts[0]}
	last := 0.0
	for _, q := range pts[1 : len(pts)-1] {
		// The length check only guards against rounding in the spacing
		// test; the spacing alone admits at most maxPoints−2 interior points.
		if s := q.X + q.Y; s-last >= step && len(kept) < maxPoints-1 {
			kept = append(kept, q)
			last = s
		}
	}
	return append(kept, pts[len(pts)-1])
}
