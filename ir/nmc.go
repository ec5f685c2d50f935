package ir

import (
	"cmp"
	"io"
	"math"
	"regexp"
	"slices"
)

// Components names the six NMC components in file order: military
// expenditure, military personnel, iron and steel production, primary
// energy consumption, total and urban population.
var Components = [NumComponents]string{"milex", "milper", "irst", "pec", "tpop", "upop"}

// NumComponents is the number of NMC components.
const NumComponents = 6

// NMC is one state-year of the Correlates of War National Material
// Capabilities data (Singer, Bremer & Stuckey 1972).
type NMC struct {
	Ccode    int    // COW state code
	StateAbb string // COW state abbreviation, e.g. USA, GMY
	Year     int
	// Values holds the components in the order of Components; a value
	// the source does not report has Reported false and Value 0.
	Values   [NumComponents]float64
	Reported [NumComponents]bool
}

var stateAbb = regexp.MustCompile(`^[A-Z]{3}$`)

// ReadNMC reads the NMC components CSV, with exactly the header
// ccode,stateabb,year,milex,milper,irst,pec,tpop,upop and -9 for a missing
// value. name is the file name used in error messages. It rejects a
// malformed value, a negative value other than -9, a repeated state-year,
// and a ccode and stateabb that do not correspond one to one.
func ReadNMC(r io.Reader, name string) ([]NMC, error) {
	t, err := newTable(r, name, append([]string{"ccode", "stateabb", "year"}, Components[:]...)...)
	if err != nil {
		return nil, err
	}
	type key struct{ ccode, year int }
	seen := map[key]int{}
	// The abbreviation is a participant's code in a built scenario, so
	// ccode and stateabb must correspond one to one.
	abbs, ccodes := map[int]string{}, map[string]int{}
	var out []NMC
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var n NMC
		if n.Ccode, err = t.int(0, 1, maxCcode); err != nil {
			return nil, err
		}
		n.StateAbb = t.rec[1]
		if !stateAbb.MatchString(n.StateAbb) {
			return nil, t.errorf(1, "%q is not a COW abbreviation (three upper-case letters)", n.StateAbb)
		}
		if prev, ok := abbs[n.Ccode]; ok && prev != n.StateAbb {
			return nil, t.errorf(1, "%q for ccode %d, which earlier rows abbreviate %q", n.StateAbb, n.Ccode, prev)
		}
		if prev, ok := ccodes[n.StateAbb]; ok && prev != n.Ccode {
			return nil, t.errorf(1, "%q for ccode %d, but earlier rows use it for ccode %d", n.StateAbb, n.Ccode, prev)
		}
		abbs[n.Ccode], ccodes[n.StateAbb] = n.StateAbb, n.Ccode
		if n.Year, err = t.int(2, minYear, maxYear); err != nil {
			return nil, err
		}
		if line, dup := seen[key{n.Ccode, n.Year}]; dup {
			return nil, t.errorf(2, "state %d has a second row for %d (first on line %d)", n.Ccode, n.Year, line)
		}
		seen[key{n.Ccode, n.Year}] = t.line()
		for i := range NumComponents {
			if t.rec[3+i] == "-9" { // COW's code for a value not reported
				continue
			}
			if n.Values[i], err = t.float(3+i, 0, 1e15); err != nil {
				return nil, err
			}
			n.Reported[i] = true
		}
		out = append(out, n)
	}
}

// CINC is a state's Composite Index of National Capability in one year.
type CINC struct {
	Ccode int
	Year  int
	// CINC is the mean, over the components the state reports, of its
	// share of the world total of that component in that year. It is NaN
	// for a state that reports no component.
	CINC float64
}

// ComputeCINC returns the CINC of every state-year in rows, by the COW
// method (Singer, Bremer & Stuckey 1972): for each component, a state's
// share of the total over the states reporting it that year; the CINC is
// the mean of the state's shares over the components it reports. A
// missing component is left out of both the total and the mean, never
// counted as zero. A component whose world total is 0 in a year (no state
// reports a positive value) gives every reporting state a share of 0. The
// result is ordered by year, then ccode.
func ComputeCINC(rows []NMC) []CINC {
	totals := worldTotals(rows)
	out := make([]CINC, len(rows))
	for i, n := range rows {
		out[i] = CINC{Ccode: n.Ccode, Year: n.Year, CINC: cinc(n, totals[n.Year])}
	}
	slices.SortFunc(out, func(a, b CINC) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Ccode, b.Ccode))
	})
	return out
}

// worldTotals returns each year's total of each component over the states
// reporting it.
func worldTotals(rows []NMC) map[int]*[NumComponents]float64 {
	totals := map[int]*[NumComponents]float64{}
	for _, n := range rows {
		t := totals[n.Year]
		if t == nil {
			t = new([NumComponents]float64)
			totals[n.Year] = t
		}
		for i, v := range n.Values {
			t[i] += v // unreported values are 0
		}
	}
	return totals
}

// cinc returns the CINC of n given the year's component totals.
func cinc(n NMC, totals *[NumComponents]float64) float64 {
	var sum float64
	var k int
	for i, v := range n.Values {
		if !n.Reported[i] {
			continue
		}
		k++
		if totals[i] > 0 {
			sum += v / totals[i]
		}
	}
	if k == 0 {
		return math.NaN()
	}
	return sum / float64(k)
}
