package ir

import (
	"cmp"
	"math"
	"slices"

	"github.com/indivisible-eurasia/indivisible"
)

// DecayYears is τ of the decayed count of past dispute onsets, weight
// exp(-age/τ); it must equal model.DecayYears (checked by a test), and
// lives here too because ir cannot import model.
const DecayYears = 10

// Year is the system of one year built from the data, with the evidence
// the hazard model reads, and the COW codes of its participants.
type Year struct {
	Scenario *indivisible.Scenario
	// Ccode maps each participant's code (COW abbreviation) to its COW
	// number.
	Ccode map[string]int
}

// BuildYear returns the system of year as BuildScenario does, with the
// evidence as of the end of that year:
//
//   - majors: the COW major powers on 1 July;
//   - regimes: V-Dem polyarchy of that year;
//   - contiguities: water contiguity (COW types 2 to 5) in force on 1 July;
//   - affinities: UNGA agreement in the latest year up to this one in which
//     both voted (none before 1946);
//   - rivalries: Thompson-Dreyer rivalries going on that year (an end of
//     2010 is read as still going);
//   - histories: each pair's GML disputes up to and including the year:
//     the last year in dispute and each side's decayed onsets as Side A.
func (d *Data) BuildYear(year int) (*Year, error) {
	s, err := BuildScenario(year, d.NMC, d.ATOP, d.Capitals, d.Contiguity)
	if err != nil {
		return nil, err
	}
	y := &Year{Scenario: s, Ccode: map[string]int{}}
	abb := map[int]string{}
	var cc []int
	for _, n := range d.NMC {
		if n.Year == year {
			if _, ok := s.Participant(n.StateAbb); ok {
				y.Ccode[n.StateAbb] = n.Ccode
				abb[n.Ccode] = n.StateAbb
				cc = append(cc, n.Ccode)
			}
		}
	}
	slices.Sort(cc)
	date := July1(year)
	ev := &s.Evidence
	for _, c := range cc {
		if Active(d.Majors, c, date) {
			ev.Majors = append(ev.Majors, indivisible.Major{State: abb[c], Source: "COW State System Membership v2016"})
		}
	}
	for _, r := range d.Democracy {
		if r.Year == year {
			if a, ok := abb[r.Ccode]; ok {
				ev.Regimes = append(ev.Regimes, indivisible.Regime{State: a, Polyarchy: r.Polyarchy, Year: year, Source: "V-Dem v15"})
			}
		}
	}
	slices.SortFunc(ev.Regimes, func(a, b indivisible.Regime) int { return cmp.Compare(a.State, b.State) })
	for p, t := range ContiguityOn(d.Contiguity, date) {
		a, okA := abb[p.Ccode1]
		b, okB := abb[p.Ccode2]
		if okA && okB && t > Land && t <= indivisible.ContiguitySea {
			ev.Contiguities = append(ev.Contiguities, indivisible.Contiguity{A: min(a, b), B: max(a, b), Type: t})
		}
	}
	slices.SortFunc(ev.Contiguities, func(a, b indivisible.Contiguity) int {
		return cmp.Or(cmp.Compare(a.A, b.A), cmp.Compare(a.B, b.B))
	})
	if d.Affinity != nil {
		for x, c1 := range cc {
			for _, c2 := range cc[x+1:] {
				if v, from, ok := d.Affinity.Latest(year, c1, c2); ok {
					a, b := abb[c1], abb[c2]
					ev.Affinities = append(ev.Affinities, indivisible.Affinity{A: min(a, b), B: max(a, b), Agreement: v, Year: from})
				}
			}
		}
	}
	for _, r := range d.Rivalries {
		a, okA := abb[r.Ccode1]
		b, okB := abb[r.Ccode2]
		if okA && okB && r.Start <= year && year <= r.End {
			ended := r.End
			if ended == RivalryHandbookEnd {
				ended = 0
			}
			ev.Rivalries = append(ev.Rivalries, indivisible.Rivalry{A: min(a, b), B: max(a, b), Since: r.Start, Ended: ended, Types: r.Types, Source: "Thompson & Dreyer 2011"})
		}
	}
	ev.Histories = Histories(d.Disputes, year, abb)
	return y, nil
}

// RivalryHandbookEnd is the year Thompson and Dreyer's handbook closes: an
// end in that year means the rivalry was still going.
const RivalryHandbookEnd = 2010

// Histories summarises the disputes of every pair of the states in codes
// (COW number to participant code) through the end of year.
func Histories(disputes []DirDispute, year int, codes map[int]string) []indivisible.History {
	type key struct{ a, b int } // a < b
	type acc struct {
		last       int
		decayAB    float64
		decayBA    float64
		onsetsSeen map[[3]int]bool
	}
	hs := map[key]*acc{}
	for _, r := range disputes {
		if r.Year > year {
			continue
		}
		if _, ok := codes[r.Ccode1]; !ok {
			continue
		}
		if _, ok := codes[r.Ccode2]; !ok {
			continue
		}
		k := key{min(r.Ccode1, r.Ccode2), max(r.Ccode1, r.Ccode2)}
		h := hs[k]
		if h == nil {
			h = &acc{}
			hs[k] = h
		}
		h.last = max(h.last, r.Year)
		// Both directions of a dyad are rows; the one whose first state
		// is on Side A is its initiation.
		if r.Onset && r.SideA1 {
			w := math.Exp(-float64(year-r.Year) / DecayYears)
			if r.Ccode1 == k.a {
				h.decayAB += w
			} else {
				h.decayBA += w
			}
		}
	}
	out := make([]indivisible.History, 0, len(hs))
	for k, h := range hs {
		a, b := codes[k.a], codes[k.b]
		ab, ba := h.decayAB, h.decayBA
		if a > b {
			a, b, ab, ba = b, a, ba, ab
		}
		out = append(out, indivisible.History{A: a, B: b, Through: year, Last: h.last, DecayAB: ab, DecayBA: ba})
	}
	slices.SortFunc(out, func(x, y indivisible.History) int { return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B)) })
	return out
}
