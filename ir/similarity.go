package ir

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"github.com/indivisible-eurasia/indivisible"
)

// Similarity holds the alliance-portfolio similarity of one unordered pair
// of system members in one year, Ccode1 < Ccode2.
type Similarity struct {
	Ccode1, Ccode2, Year int
	// Unweighted is S with valued ties and unit weights.
	Unweighted float64
	// Weighted is S with valued ties weighted by each partner's CINC that
	// year.
	Weighted float64
	// TauB is Kendall's tau-b between the two valued portfolios; NaN when
	// one of them is constant.
	TauB float64
}

// maxTie is d_max for valued ties: the largest possible |x_k - y_k|.
const maxTie = 3

// Portfolios indexes NMC and ATOP data by year to compute the S scores of
// every pair of system members. The system of a year is the set of states
// with an NMC row that year; each state's portfolio is its valued tie to
// every system member, itself included (3). A dyad's tie is the strongest
// obligation in either direction of the directed ATOP data, so portfolios
// are symmetric; ATOP rows of states outside the system are ignored.
type Portfolios struct {
	system     map[int][]NMC // by year, ordered by ccode
	totals     map[int]*[NumComponents]float64
	alliances  map[int][]Alliance // by year
	first, end int                // years covered by both files: [first, end]
}

// NewPortfolios indexes nmc and atop by year.
func NewPortfolios(nmc []NMC, atop []Alliance) *Portfolios {
	p := &Portfolios{system: map[int][]NMC{}, totals: worldTotals(nmc), alliances: map[int][]Alliance{}}
	nmcFirst, nmcLast := math.MaxInt, math.MinInt
	for _, n := range nmc {
		p.system[n.Year] = append(p.system[n.Year], n)
		nmcFirst, nmcLast = min(nmcFirst, n.Year), max(nmcLast, n.Year)
	}
	for _, s := range p.system {
		slices.SortFunc(s, func(a, b NMC) int { return cmp.Compare(a.Ccode, b.Ccode) })
	}
	atopFirst, atopLast := math.MaxInt, math.MinInt
	for _, a := range atop {
		p.alliances[a.Year] = append(p.alliances[a.Year], a)
		atopFirst, atopLast = min(atopFirst, a.Year), max(atopLast, a.Year)
	}
	p.first, p.end = max(nmcFirst, atopFirst), min(nmcLast, atopLast)
	return p
}

// Span returns the first and last years covered by both the NMC and the
// ATOP data; first > last when they share no year.
func (p *Portfolios) Span() (first, last int) { return p.first, p.end }

// check rejects years outside Span: outside the ATOP data the absence of
// a row says nothing about a state's alliances.
func (p *Portfolios) check(first, last int) error {
	switch {
	case first > last:
		return indivisible.Invalid("years", "%d-%d is an empty range", first, last)
	case p.first > p.end:
		return indivisible.Invalid("years", "the NMC and ATOP data share no year")
	case first < p.first || last > p.end:
		return indivisible.Invalid("years", "%d-%d is outside %d-%d, the years both the NMC and the ATOP data cover", first, last, p.first, p.end)
	}
	return nil
}

// Year returns the similarity of every pair of system members in year,
// ordered by Ccode1, then Ccode2.
func (p *Portfolios) Year(year int) ([]Similarity, error) {
	if err := p.check(year, year); err != nil {
		return nil, err
	}
	return p.year(year), nil
}

// Years computes the years first to last in parallel, on GOMAXPROCS
// workers, and calls emit with each year's similarities in year order. It
// stops at the first error from emit or when ctx is done.
func (p *Portfolios) Years(ctx context.Context, first, last int, emit func(year int, s []Similarity) error) error {
	if err := p.check(first, last); err != nil {
		return err
	}
	workers := runtime.GOMAXPROCS(0)
	n := last - first + 1
	results := make([]chan []Similarity, n)
	for i := range results {
		results[i] = make(chan []Similarity, 1) // workers never block on a send
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // runs before wg.Wait, so that the feeder and workers stop
	// window bounds how many finished years wait for emit, so memory stays
	// at a few years' results however slow emit is.
	window := make(chan struct{}, 2*workers)
	jobs := make(chan int)
	wg.Go(func() {
		defer close(jobs)
		for i := range n {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				results[i] <- p.year(first + i)
			}
		})
	}
	for i := range n {
		var s []Similarity
		select {
		case s = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-window
		if err := emit(first+i, s); err != nil {
			return err
		}
	}
	return nil
}

// absDiff[a*4+b] is |a - b| for ties a and b.
var absDiff = func() (d [tieLevels * tieLevels]int32) {
	for a := range tieLevels {
		for b := range tieLevels {
			d[a*tieLevels+b] = int32(max(a-b, b-a))
		}
	}
	return d
}()

// year computes one year. It builds the n×n valued tie matrix of the
// system and, for each state and tie level 1-3, the bit set of partners at
// that level. The contingency table of two portfolios then takes 9·⌈n/64⌉
// AND-and-popcount operations (the level-0 row and column follow from the
// totals), and the weighted distance visits only the partners tied to both
// states: a handful rather than n.
func (p *Portfolios) year(year int) []Similarity {
	states := p.system[year]
	n := len(states)
	var index [maxCcode + 1]int32
	for i := range index {
		index[i] = -1
	}
	weights := make([]float64, n)
	var wsum float64
	for i, s := range states {
		index[s.Ccode] = int32(i)
		// A state reporting no component has no CINC and so no weight.
		if c := cinc(s, p.totals[year]); !math.IsNaN(c) {
			weights[i] = c
			wsum += c
		}
	}
	ties := make([]uint8, n*n)
	for i := range n {
		ties[i*n+i] = maxTie
	}
	for _, a := range p.alliances[year] {
		i, j := index[a.Ccode1], index[a.Ccode2]
		if i < 0 || j < 0 {
			continue
		}
		v := a.Tie()
		ties[int(i)*n+int(j)] = max(ties[int(i)*n+int(j)], v)
		ties[int(j)*n+int(i)] = max(ties[int(j)*n+int(i)], v)
	}
	// sets[(i*tieLevels+a)*words+w] holds bits w*64.. of the set of state
	// i's partners at level a >= 1; counts[i*tieLevels+a] is that set's
	// size, for every level.
	words := (n + 63) / 64
	sets := make([]uint64, n*tieLevels*words)
	counts := make([]int32, n*tieLevels)
	for i := range n {
		for k, a := range ties[i*n : i*n+n] {
			counts[i*tieLevels+int(a)]++
			if a > 0 {
				sets[(i*tieLevels+int(a))*words+k/64] |= 1 << (k % 64)
			}
		}
	}
	// weighted[i] is Σ_k w_k x_ik.
	weighted := make([]float64, n)
	for i := range n {
		for k, a := range ties[i*n : i*n+n] {
			weighted[i] += weights[k] * float64(a)
		}
	}
	out := make([]Similarity, 0, n*(n-1)/2)
	for i := range n {
		x := sets[i*tieLevels*words : (i+1)*tieLevels*words]
		for j := i + 1; j < n; j++ {
			y := sets[j*tieLevels*words : (j+1)*tieLevels*words]
			var t tieTable
			for a := 1; a < tieLevels; a++ {
				for b := 1; b < tieLevels; b++ {
					var c int
					for w := range words {
						c += bits.OnesCount64(x[a*words+w] & y[b*words+w])
					}
					t[a*tieLevels+b] = int32(c)
				}
			}
			t[0] = int32(n)
			for a := 1; a < tieLevels; a++ {
				row, col := a*tieLevels, a
				t[row] = counts[i*tieLevels+a] - t[row+1] - t[row+2] - t[row+3]
				t[col] = counts[j*tieLevels+a] - t[col+tieLevels] - t[col+2*tieLevels] - t[col+3*tieLevels]
			}
			for c := 1; c < len(t); c++ {
				t[0] -= t[c]
			}
			var dist int32
			for c, count := range t {
				dist += count * absDiff[c]
			}
			// The weighted distance, by |x-y| = x + y - 2 min(x, y) and
			// min(x, y) = Σ_l [x >= l][y >= l]: only partners tied to both
			// states are visited, usually a handful.
			var wmin float64
			for w := range words {
				x1, x2, x3 := x[words+w], x[2*words+w], x[3*words+w]
				y1, y2, y3 := y[words+w], y[2*words+w], y[3*words+w]
				for _, both := range [...]uint64{(x1 | x2 | x3) & (y1 | y2 | y3), (x2 | x3) & (y2 | y3), x3 & y3} {
					for ; both != 0; both &= both - 1 {
						wmin += weights[w*64+bits.TrailingZeros64(both)]
					}
				}
			}
			wdist := weighted[i] + weighted[j] - 2*wmin
			out = append(out, Similarity{
				Ccode1:     states[i].Ccode,
				Ccode2:     states[j].Ccode,
				Year:       year,
				Unweighted: 1 - 2*float64(dist)/(maxTie*float64(n)),
				Weighted:   1 - 2*wdist/(maxTie*wsum),
				TauB:       t.tauB(),
			})
		}
	}
	return out
}
