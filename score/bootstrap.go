package score

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/indivisible-eurasia/indivisible"
)

// Ranked precomputes the sort of several models' scores over the same rows,
// so that AUCs under different row weights (bootstrap replicates) cost O(n)
// each instead of O(n log n).
type Ranked struct {
	y []bool
	// pos[m] lists model m's rows in ascending score order, each entry
	// row<<1 | 1 if it is the last row of its tie group.
	pos [][]uint32
}

// NewRanked sorts every model's scores once. Each model must score every row
// of y, without NaN, and y must contain both events and non-events, as AUC
// is otherwise undefined; violations are EINVALID errors.
func NewRanked(models [][]float64, y []bool) (*Ranked, error) {
	if len(models) == 0 {
		return nil, indivisible.Invalid("models", "no models")
	}
	if len(y) >= math.MaxInt32 {
		return nil, indivisible.Invalid("y", "%d rows is more than 2³¹−1", len(y))
	}
	var events int
	for _, v := range y {
		if v {
			events++
		}
	}
	if events == 0 || events == len(y) {
		return nil, indivisible.Invalid("y", "%d events among %d rows: AUC needs both events and non-events", events, len(y))
	}
	for m, p := range models {
		field := fmt.Sprintf("models[%d]", m)
		if len(p) != len(y) {
			return nil, indivisible.Invalid(field, "%d scores for %d rows", len(p), len(y))
		}
		if i := slices.IndexFunc(p, math.IsNaN); i >= 0 {
			return nil, indivisible.Invalid(field, "row %d is NaN", i)
		}
	}
	r := &Ranked{y: y, pos: make([][]uint32, len(models))}
	// The models' sorts are independent: one goroutine each, at most
	// GOMAXPROCS at a time.
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for m, p := range models {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			order := ascending(p)
			pos := make([]uint32, len(order))
			for i, row := range order {
				pos[i] = uint32(row) << 1
				if i+1 == len(order) || p[order[i+1]] != p[row] {
					pos[i] |= 1
				}
			}
			r.pos[m] = pos
		})
	}
	wg.Wait()
	return r, nil
}

// AUC returns model m's AUC with row weights w (nil for all ones), as
// WeightedAUC does but without needing the scores again.
func (r *Ranked) AUC(m int, w []float64) float64 {
	if w != nil && len(w) != len(r.y) {
		panic(fmt.Sprintf("score.Ranked.AUC: %d weights for %d rows", len(w), len(r.y)))
	}
	var negBelow, pos, u, gPos, gNeg float64
	for _, c := range r.pos[m] {
		row := c >> 1
		wt := 1.0
		if w != nil {
			wt = w[row]
		}
		if r.y[row] {
			gPos += wt
		} else {
			gNeg += wt
		}
		if c&1 != 0 {
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

// Interval is a two-sided interval [Lo, Hi].
type Interval struct{ Lo, Hi float64 }

// Boot holds cluster-bootstrap percentile intervals.
type Boot struct {
	// AUC is each model's interval.
	AUC []Interval
	// Diff[a][b] is the interval of AUC_a − AUC_b over the same replicates,
	// which is much narrower than the two separate intervals suggest when
	// the models' errors are correlated; Diff[a][a] is {0, 0}.
	Diff [][]Interval
	// B is the number of replicates drawn.
	B int
	// Skipped counts replicates that drew no events or no non-events (rare
	// events with few clusters), where AUC is undefined; they are left out
	// of every interval.
	Skipped int
}

// Bootstrap ranks the models (NewRanked, with its input checks) and returns
// Ranked.Bootstrap's cluster-bootstrap percentile intervals of every model's
// AUC and of every pair's difference. Call NewRanked directly to reuse the
// sorts across several bootstraps (other cluster definitions, levels).
func Bootstrap(models [][]float64, y []bool, cluster []int32, B int, seed uint64, level float64) (*Boot, error) {
	r, err := NewRanked(models, y)
	if err != nil {
		return nil, err
	}
	return r.Bootstrap(cluster, B, seed, level)
}

// Bootstrap resamples clusters with replacement B times and computes every
// model's AUC on each replicate, each row weighted by the number of times
// its cluster was drawn. Resampling clusters (e.g. dyads, cluster[i] being
// row i's) rather than rows respects the dependence of a cluster's rows over
// time, which row resampling would ignore and so understate the spread.
// Cluster ids must be non-negative but need not be contiguous: the distinct
// ids are the clusters. A nil cluster makes every row its own cluster.
//
// It returns the percentile interval at level (e.g. 0.95: the 2.5% and 97.5%
// quantiles, linearly interpolated) for each model and for each ordered pair
// of models' difference. Replicate b draws from its own PCG stream derived
// from (seed, b), and replicates are spread over GOMAXPROCS workers, so the
// result depends on the seed only, not on the number of workers.
func (r *Ranked) Bootstrap(cluster []int32, B int, seed uint64, level float64) (*Boot, error) {
	if B < 1 {
		return nil, indivisible.Invalid("B", "need at least one replicate, got %d", B)
	}
	if !(level > 0 && level < 1) {
		return nil, indivisible.Invalid("level", "must be in (0, 1), got %g", level)
	}
	ids, C, err := denseClusters(cluster, len(r.y))
	if err != nil {
		return nil, err
	}
	// Recode each model's sorted rows as cluster<<2 | event<<1 | group end,
	// so that a replicate's pass reads one sequential array and a per-worker
	// count table of C entries instead of row-indexed weights.
	M := len(r.pos)
	codes := make([][]uint32, M)
	for m, pos := range r.pos {
		cs := make([]uint32, len(pos))
		for i, c := range pos {
			row := c >> 1
			cs[i] = uint32(ids[row])<<2 | c&1
			if r.y[row] {
				cs[i] |= 2
			}
		}
		codes[m] = cs
	}

	aucs := make([]float64, B*M)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), B) {
		wg.Go(func() {
			cnt := make([]int32, C)
			for {
				b := int(next.Add(1)) - 1
				if b >= B {
					return
				}
				rng := rand.New(rand.NewPCG(mix(seed, 2*uint64(b)), mix(seed, 2*uint64(b)+1)))
				clear(cnt)
				for range C {
					cnt[rng.IntN(C)]++
				}
				for m, cs := range codes {
					aucs[b*M+m] = countedAUC(cs, cnt)
				}
			}
		})
	}
	wg.Wait()

	out := &Boot{AUC: make([]Interval, M), Diff: make([][]Interval, M), B: B}
	valid := make([]int, 0, B)
	for b := range B {
		if math.IsNaN(aucs[b*M]) {
			out.Skipped++
			continue
		}
		valid = append(valid, b)
	}
	alpha := (1 - level) / 2
	vals := make([]float64, len(valid))
	interval := func(f func(b int) float64) Interval {
		for i, b := range valid {
			vals[i] = f(b)
		}
		slices.Sort(vals)
		return Interval{quantile(vals, alpha), quantile(vals, 1-alpha)}
	}
	for a := range M {
		out.AUC[a] = interval(func(b int) float64 { return aucs[b*M+a] })
		out.Diff[a] = make([]Interval, M)
		for c := range M {
			if c != a {
				out.Diff[a][c] = interval(func(b int) float64 { return aucs[b*M+a] - aucs[b*M+c] })
			}
		}
	}
	return out, nil
}

// countedAUC is the AUC of one model's recoded rows with each cluster
// weighted by its draw count. Integer sums keep it exact (twice the
// Mann–Whitney U fits int64 for any n below 2³¹).
func countedAUC(codes []uint32, cnt []int32) float64 {
	var negBelow, pos, u2, gPos, gNeg int64
	for _, c := range codes {
		wt := int64(cnt[c>>2])
		if c&3 == 1 && gPos|gNeg == 0 {
			// A non-event alone in its tie group, nearly every row when
			// events are rare and scores continuous: it only adds to the
			// non-events below the rows that follow. This shortcut halves
			// the time of a replicate.
			negBelow += wt
			continue
		}
		if c&2 != 0 {
			gPos += wt
		} else {
			gNeg += wt
		}
		if c&1 != 0 {
			u2 += gPos * (2*negBelow + gNeg)
			negBelow += gNeg
			pos += gPos
			gPos, gNeg = 0, 0
		}
	}
	if pos == 0 || negBelow == 0 {
		return math.NaN()
	}
	return float64(u2) / (2 * float64(pos) * float64(negBelow))
}

// denseClusters maps cluster ids onto 0..C−1 in order of first appearance.
func denseClusters(cluster []int32, n int) ([]int32, int, error) {
	ids := make([]int32, n)
	if cluster == nil {
		for i := range ids {
			ids[i] = int32(i)
		}
		return ids, n, nil
	}
	if len(cluster) != n {
		return nil, 0, indivisible.Invalid("cluster", "%d cluster ids for %d rows", len(cluster), n)
	}
	if n >= 1<<30 {
		return nil, 0, indivisible.Invalid("cluster", "%d rows is more than 2³⁰−1", n)
	}
	hi := int32(0)
	for i, c := range cluster {
		if c < 0 {
			return nil, 0, indivisible.Invalid("cluster", "row %d has negative id %d", i, c)
		}
		hi = max(hi, c)
	}
	C := int32(0)
	if int(hi) < 4*n+1024 {
		// Ids are dense enough for a lookup table, the common case.
		seen := make([]int32, int(hi)+1)
		for i, c := range cluster {
			if seen[c] == 0 {
				C++
				seen[c] = C
			}
			ids[i] = seen[c] - 1
		}
		return ids, int(C), nil
	}
	seen := make(map[int32]int32)
	for i, c := range cluster {
		id, ok := seen[c]
		if !ok {
			id = C
			seen[c] = id
			C++
		}
		ids[i] = id
	}
	return ids, int(C), nil
}

// mix is the SplitMix64 finaliser of seed and i, so that neighbouring
// replicate numbers start far-apart, uncorrelated PCG states.
func mix(seed, i uint64) uint64 {
	z := seed + (i+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// quantile is the type-7 (linear interpolation) quantile of sorted x; NaN
// for empty x.
func quantile(x []float64, q float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	h := q * float64(len(x)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(x) {
		return x[len(x)-1]
	}
	return x[lo] + (h-float64(lo))*(x[lo+1]-x[lo])
}
