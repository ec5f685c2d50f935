package ir

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
)

// Affinity holds UN General Assembly voting agreement per calendar year
// (the year of each roll call's date), for every pair of states that voted
// on at least one common roll call that year.
//
// Each year keeps, over that year's voters in ascending COW code, a dense
// matrix of the summed vote distances and one of the number of common roll
// calls, upper triangle only. Integer sums rather than the agreement
// itself make every value exact, for the same memory as float32
// agreements plus counts (some 15 MB for 1946-2020).
type Affinity struct {
	years []int           // ascending
	byYr  []*affinityYear // parallel to years
}

// affinityYear is one year of an Affinity.
type affinityYear struct {
	ccodes []int // the year's voters, ascending; row and column order
	// dist[i*n+j] and count[i*n+j], i <= j, are the sum of |v_i,r - v_j,r|
	// and the number of roll calls r on which both i and j voted; the
	// lower triangle is unused.
	dist, count []uint32
}

// voteDist is |a - b| for choices a and b in 1..3, by table to keep the
// inner loop free of branches.
var voteDist = [4][4]uint32{{}, {0, 0, 1, 2}, {0, 1, 0, 1}, {0, 2, 1, 0}}

// NewAffinity computes, for every year and every pair of states that both
// voted on at least one common roll call that year, the agreement index
//
//	a = 1 - Σ_r |v_i,r - v_j,r| / (2 N)
//
// with yes = 1, abstain = 2, no = 3 and N the number of roll calls both
// voted on: 1 when they always vote alike, 0 when one always votes yes and
// the other no. A year is the calendar year of the roll call's date (so a
// session's December and January votes fall in different years). Votes on
// a roll call not in calls, and choices other than 1, 2 and 3,
// are ignored; of a state's several votes on one roll call only the first
// counts; of several roll calls with one RCID, the first.
//
// The work is one pass over the pairs of voters of each roll call (some 70
// million for the shared data), into per-year dense matrices; years are
// computed in parallel.
func NewAffinity(votes []Vote, calls []RollCall) *Affinity {
	// Bucket the votes by roll call, keeping their order within a call so
	// that "the first vote" is the first in votes.
	callIdx := make(map[int]int32, len(calls))
	for i, c := range calls {
		if _, dup := callIdx[c.RCID]; !dup {
			callIdx[c.RCID] = int32(i)
		}
	}
	type entry struct {
		ccode  int
		choice int8
	}
	slot := make([]int32, len(votes)) // call index of each vote, -1 if ignored
	start := make([]int, len(calls)+1)
	for i, v := range votes {
		ci, ok := callIdx[v.RCID]
		if !ok || v.Choice < voteYes || v.Choice > voteNo {
			slot[i] = -1
			continue
		}
		slot[i] = ci
		start[ci+1]++
	}
	for i := range calls {
		start[i+1] += start[i]
	}
	entries := make([]entry, start[len(calls)])
	fill := slices.Clone(start[:len(calls)])
	for i, v := range votes {
		if ci := slot[i]; ci >= 0 {
			entries[fill[ci]] = entry{v.Ccode, v.Choice}
			fill[ci]++
		}
	}
	slot = nil

	// The roll calls of each year that has votes.
	callsOf := map[int][]int{}
	for i, c := range calls {
		if start[i+1] > start[i] {
			y := c.Date.Year()
			callsOf[y] = append(callsOf[y], i)
		}
	}
	a := &Affinity{}
	for y := range callsOf {
		a.years = append(a.years, y)
	}
	slices.Sort(a.years)
	a.byYr = make([]*affinityYear, len(a.years))

	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(a.years)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			type voter struct {
				idx    int
				choice int8
			}
			var list []voter
			for yi := range work {
				ay := &affinityYear{}
				for _, ci := range callsOf[a.years[yi]] {
					for _, e := range entries[start[ci]:start[ci+1]] {
						ay.ccodes = append(ay.ccodes, e.ccode)
					}
				}
				slices.Sort(ay.ccodes)
				ay.ccodes = slices.Compact(ay.ccodes)
				n := len(ay.ccodes)
				ay.dist = make([]uint32, n*n)
				ay.count = make([]uint32, n*n)
				for _, ci := range callsOf[a.years[yi]] {
					list = list[:0]
					for _, e := range entries[start[ci]:start[ci+1]] {
						idx, _ := slices.BinarySearch(ay.ccodes, e.ccode)
						list = append(list, voter{idx, e.choice})
					}
					// Stable, so that of a state's repeated votes the
					// first stays first and is the one kept.
					slices.SortStableFunc(list, func(p, q voter) int { return cmp.Compare(p.idx, q.idx) })
					list = slices.CompactFunc(list, func(p, q voter) bool { return p.idx == q.idx })
					for k, p := range list {
						row := p.idx * n
						dist, count := ay.dist[row:row+n], ay.count[row:row+n]
						d := &voteDist[p.choice]
						count[p.idx]++ // a state votes with itself
						for _, q := range list[k+1:] {
							dist[q.idx] += d[q.choice]
							count[q.idx]++
						}
					}
				}
				a.byYr[yi] = ay
			}
		}()
	}
	for yi := range a.years {
		work <- yi
	}
	close(work)
	wg.Wait()
	return a
}

// year returns the matrices of year, or nil if it has no votes.
func (a *Affinity) year(year int) *affinityYear {
	if i, ok := slices.BinarySearch(a.years, year); ok {
		return a.byYr[i]
	}
	return nil
}

// at returns the summed distance and common roll calls of c1 and c2 in y.
func (y *affinityYear) at(c1, c2 int) (dist, n uint32) {
	i, ok1 := slices.BinarySearch(y.ccodes, c1)
	j, ok2 := slices.BinarySearch(y.ccodes, c2)
	if !ok1 || !ok2 {
		return 0, 0
	}
	if i > j {
		i, j = j, i
	}
	k := i*len(y.ccodes) + j
	return y.dist[k], y.count[k]
}

// At returns the agreement of c1 and c2 in year and the number of roll
// calls both voted on then, with false if there is none (a year without
// votes, or a state that did not vote, or two that never voted on the same
// roll call). The agreement of a state with itself is 1 over the roll
// calls it voted on.
func (a *Affinity) At(year, c1, c2 int) (agree float64, n int, ok bool) {
	y := a.year(year)
	if y == nil {
		return 0, 0, false
	}
	d, c := y.at(c1, c2)
	if c == 0 {
		return 0, 0, false
	}
	return 1 - float64(d)/(2*float64(c)), int(c), true
}

// Latest returns the agreement of c1 and c2 in the latest year not after
// year in which both voted on a common roll call, with that year, and
// false if there is none. Years without votes (the General Assembly held
// no roll call in 1964) and years in which either state did not vote thus
// carry the previous value.
func (a *Affinity) Latest(year, c1, c2 int) (agree float64, from int, ok bool) {
	i, found := slices.BinarySearch(a.years, year)
	if !found {
		i-- // a.years[i] is the last year before year
	}
	for ; i >= 0; i-- {
		if d, c := a.byYr[i].at(c1, c2); c > 0 {
			return 1 - float64(d)/(2*float64(c)), a.years[i], true
		}
	}
	return 0, 0, false
}

// Years returns the years with votes, ascending.
func (a *Affinity) Years() []int { return slices.Clone(a.years) }
