// Package history builds the directed dyad-years on which the model is
// fitted and tested: for every ordered pair of states in the system in a
// year, the model's features as of the end of the year before, and
// whether the first initiated a militarized interstate dispute against the
// second (GML MID). Features come from the same model.Compile that
// assesses scenarios, so that what is fitted is what is used.
package history

import (
	"cmp"
	"context"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ir"
	"github.com/indivisible-eurasia/indivisible/model"
)

// Set is a table of directed dyad-years, one row per ordered pair (From,
// To) and outcome year, ordered by year, then From, then To (COW numbers).
type Set struct {
	// K is the number of columns, len(model.Columns): the model's features,
	// then the candidates; X holds the rows.
	K int
	X []float64
	// Year is the outcome year; the features are as of the end of the
	// year before.
	Year     []int16
	From, To []int16 // COW state numbers
	// Dyad numbers the unordered pair, for resampling dyads.
	Dyad []int32
	// MID says that From initiated a militarized dispute against To in
	// Year: a dyadic onset with From on Side A. Force says that the
	// dispute reached the use of force (hostility level 4 or 5).
	MID, Force []bool
	// Relevant marks politically relevant pairs: contiguous (COW direct
	// contiguity by land or by up to 400 miles of water), or with a major
	// power on either side.
	Relevant []bool
	// Balance holds the previous model's index inputs (docs/validation.md,
	// baseline c): From's hostile power projected at To, and its support.
	Threat, Support []float64
	// Own is To's own capability, the previous index's P_ii.
	Own []float64
}

// Len returns the number of rows.
func (s *Set) Len() int { return len(s.Year) }

// Row returns the features of row r.
func (s *Set) Row(r int) []float64 { return s.X[r*s.K : (r+1)*s.K] }

// The previous model's defaults (docs/model.md before calibration): the
// support and hostility of the strongest commitment between two states,
// and its exponential loss-of-strength gradient.
var (
	balanceSupport   = map[indivisible.CommitmentType]float64{indivisible.Defence: 1, indivisible.Offence: 0.5, indivisible.Consultation: 0.25}
	balanceHostility = map[indivisible.CommitmentType]float64{"": 1, indivisible.Defence: 0, indivisible.Offence: 0, indivisible.Neutrality: 0.25, indivisible.Consultation: 0.5, indivisible.NonAggression: 0.5}
)

const balanceLambdaKm = 2000

// Build returns the dyad-years of the outcome years from to to. progress,
// if not nil, is called after each year (from several goroutines).
func Build(ctx context.Context, d *ir.Data, from, to int, progress func()) (*Set, error) {
	if from > to {
		return nil, indivisible.Invalid("-train", "%d-%d is not a window of years", from, to)
	}
	first, last := math.MaxInt, 0
	for _, n := range d.NMC {
		first, last = min(first, n.Year), max(last, n.Year)
	}
	lastMID := 0
	for _, r := range d.Disputes {
		lastMID = max(lastMID, r.Year)
	}
	if from-1 < first || to > lastMID {
		return nil, indivisible.Invalid("-train", "outcome years must lie in %d-%d (features from the NMC data, outcomes from the MID data)", first+1, lastMID)
	}
	years := make([]*Set, to-from+1)
	errs := make([]error, len(years))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				years[k], errs[k] = buildYear(d, from+k)
				if progress != nil {
					progress()
				}
			}
		}()
	}
	for k := range years {
		if ctx.Err() != nil {
			break
		}
		next <- k
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return concat(years), nil
}

// outcomes maps (from, to) COW pairs to whether the year has an onset by
// from against to, and whether it used force.
func outcomes(d *ir.Data, year int) map[[2]int]bool {
	out := map[[2]int]bool{}
	for _, r := range d.Disputes {
		if r.Year != year || !r.Onset || !r.SideA1 {
			continue
		}
		lev := max(r.HostLev1, r.HostLev2)
		if lev < 0 {
			lev = r.HostLev
		}
		k := [2]int{r.Ccode1, r.Ccode2}
		out[k] = out[k] || lev >= 4
	}
	return out
}

// buildYear returns the rows of one outcome year.
func buildYear(d *ir.Data, year int) (*Set, error) {
	y, err := d.BuildYear(year - 1)
	if err != nil {
		return nil, err
	}
	codes, x, err := model.Design(y.Scenario)
	if err != nil {
		return nil, err
	}
	n, k := len(codes), len(model.Columns)
	ons := outcomes(d, year)
	// Only pairs of states still in the system in the outcome year can
	// have an outcome.
	alive := map[int]bool{}
	for _, r := range d.NMC {
		if r.Year == year {
			alive[r.Ccode] = true
		}
	}
	strongest := map[[2]string]indivisible.CommitmentType{}
	for _, c := range y.Scenario.Commitments {
		strongest[[2]string{c.A, c.B}] = c.Type
		strongest[[2]string{c.B, c.A}] = c.Type
	}
	cc := make([]int, n)
	for i, c := range codes {
		cc[i] = y.Ccode[c]
	}
	// Rows follow the COW numbers, as Set says, not the codes' order.
	byCcode := make([]int, n)
	for i := range byCcode {
		byCcode[i] = i
	}
	slices.SortFunc(byCcode, func(a, b int) int { return cmp.Compare(cc[a], cc[b]) })
	s := &Set{K: k}
	for _, j := range byCcode {
		if !alive[cc[j]] {
			continue
		}
		for _, i := range byCcode {
			if i == j || !alive[cc[i]] {
				continue
			}
			row := x[(j*n+i)*k : (j*n+i+1)*k]
			s.X = append(s.X, row...)
			s.Year = append(s.Year, int16(year))
			s.From = append(s.From, int16(cc[j]))
			s.To = append(s.To, int16(cc[i]))
			s.Dyad = append(s.Dyad, int32(min(cc[i], cc[j])*1000+max(cc[i], cc[j])))
			force, mid := ons[[2]int{cc[j], cc[i]}]
			s.MID = append(s.MID, mid)
			s.Force = append(s.Force, mid && force)
			get := func(name string) float64 { return row[FeatureIndex(name)] }
			s.Relevant = append(s.Relevant, get("land") == 1 || get("sea") == 1 || get("major_from") == 1 || get("major_to") == 1)
			// The previous index projected capability with distance 0
			// between land neighbours.
			capJ := math.Max(math.Exp(get("ln_cap_from"))-1e-6, 0)
			g := 1.0
			if get("land") == 0 {
				g = math.Exp(-math.Expm1(get("ln_dist")) / balanceLambdaKm)
			}
			t := strongest[[2]string{codes[j], codes[i]}]
			s.Threat = append(s.Threat, balanceHostility[t]*capJ*g)
			s.Support = append(s.Support, balanceSupport[t]*capJ*g)
			s.Own = append(s.Own, math.Max(math.Exp(get("ln_cap_to"))-1e-6, 0))
		}
	}
	return s, nil
}

var featureIdx = func() map[string]int {
	m := map[string]int{}
	for k, f := range model.Columns {
		m[f] = k
	}
	return m
}()

// FeatureIndex returns the column of a feature, or -1.
func FeatureIndex(name string) int {
	if k, ok := featureIdx[name]; ok {
		return k
	}
	return -1
}

func concat(parts []*Set) *Set {
	total := 0
	for _, p := range parts {
		total += p.Len()
	}
	k := len(model.Columns)
	s := &Set{K: k, X: make([]float64, 0, total*k)}
	for _, p := range parts {
		s.X = append(s.X, p.X...)
		s.Year = append(s.Year, p.Year...)
		s.From = append(s.From, p.From...)
		s.To = append(s.To, p.To...)
		s.Dyad = append(s.Dyad, p.Dyad...)
		s.MID = append(s.MID, p.MID...)
		s.Force = append(s.Force, p.Force...)
		s.Relevant = append(s.Relevant, p.Relevant...)
		s.Threat = append(s.Threat, p.Threat...)
		s.Support = append(s.Support, p.Support...)
		s.Own = append(s.Own, p.Own...)
	}
	return s
}
