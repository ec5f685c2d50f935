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
//     both voted together often enough (none before 1946; see affinity);
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
	for _, n := range d.NMC {
		if n.Year == year {
			if _, ok := s.Participant(n.StateAbb); ok {
				y.Ccode[n.StateAbb] = n.Ccode
				abb[n.Ccode] = n.StateAbb
			}
		}
	}
	s.Evidence = d.Evidence(abb, year)
	return y, nil
}

// lastYear returns the last year of a data set's rows.
func lastYear[T any](rows []T, year func(T) int) int {
	last := 0
	for _, r := range rows {
		last = max(last, year(r))
	}
	return last
}

// Evidence returns the evidence on the states in codes (COW number to
// participant code) as of the end of year. Each source is taken as of
// year or its own last year, whichever is earlier, so that a scenario of
// today reads the latest data: V-Dem to 2024, COW majors and contiguity to
// 2016, UNGA votes to 2019 (2020 has one roll call) and GML disputes to 2010 (Histories then end
// there; later disputes come from the scenario's own disputes file).
// Thompson-Dreyer rivalries are taken only for years the handbook covers.
func (d *Data) Evidence(codes map[int]string, year int) indivisible.Evidence {
	var ev indivisible.Evidence
	cc := make([]int, 0, len(codes))
	for c := range codes {
		cc = append(cc, c)
	}
	slices.Sort(cc)
	spellEnd := func(spells []Spell) int {
		return lastYear(spells, func(s Spell) int { return s.End.Year() })
	}
	majorDate := July1(min(year, spellEnd(d.Majors)))
	for _, c := range cc {
		for _, sp := range d.Majors {
			if sp.Ccode == c && inForce(majorDate, sp.Start, sp.End) {
				ev.Majors = append(ev.Majors, indivisible.Major{State: codes[c], Since: sp.Start.Year(), Source: "COW State System Membership v2016"})
			}
		}
	}
	vdemYear := min(year, lastYear(d.Democracy, func(r Democracy) int { return r.Year }))
	for _, r := range d.Democracy {
		if r.Year == vdemYear {
			if a, ok := codes[r.Ccode]; ok {
				ev.Regimes = append(ev.Regimes, indivisible.Regime{State: a, Polyarchy: r.Polyarchy, Year: vdemYear, Source: "V-Dem v15"})
			}
		}
	}
	slices.SortFunc(ev.Regimes, func(a, b indivisible.Regime) int { return cmp.Compare(a.State, b.State) })
	contDate := July1(min(year, lastDate(d.Contiguity).Year()))
	for p, t := range ContiguityOn(d.Contiguity, contDate) {
		a, okA := codes[p.Ccode1]
		b, okB := codes[p.Ccode2]
		if okA && okB && t > Land && t <= indivisible.ContiguitySea {
			ev.Contiguities = append(ev.Contiguities, indivisible.Contiguity{A: min(a, b), B: max(a, b), Type: t})
		}
	}
	slices.SortFunc(ev.Contiguities, func(a, b indivisible.Contiguity) int {
		return cmp.Or(cmp.Compare(a.A, b.A), cmp.Compare(a.B, b.B))
	})
	if d.Affinity != nil && len(d.Affinity.Years()) > 0 {
		ys := d.Affinity.Years()
		affYear := min(year, ys[len(ys)-1])
		for x, c1 := range cc {
			for _, c2 := range cc[x+1:] {
				if v, n, from, ok := d.affinity(affYear, c1, c2); ok {
					a, b := codes[c1], codes[c2]
					ev.Affinities = append(ev.Affinities, indivisible.Affinity{A: min(a, b), B: max(a, b), Agreement: v, Votes: n, Year: from})
				}
			}
		}
		slices.SortFunc(ev.Affinities, func(a, b indivisible.Affinity) int {
			return cmp.Or(cmp.Compare(a.A, b.A), cmp.Compare(a.B, b.B))
		})
	}
	if year < RivalryHandbookEnd {
		for _, r := range d.Rivalries {
			a, okA := codes[r.Ccode1]
			b, okB := codes[r.Ccode2]
			if okA && okB && r.Start <= year && year <= r.End {
				ended := r.End
				if ended == RivalryHandbookEnd {
					ended = 0
				}
				ev.Rivalries = append(ev.Rivalries, indivisible.Rivalry{A: min(a, b), B: max(a, b), Since: r.Start, Ended: ended, Types: r.Types, Source: "Thompson & Dreyer 2011"})
			}
		}
		slices.SortFunc(ev.Rivalries, func(a, b indivisible.Rivalry) int {
			return cmp.Or(cmp.Compare(a.A, b.A), cmp.Compare(a.B, b.B), cmp.Compare(a.Since, b.Since))
		})
	}
	ev.Histories = Histories(d.Disputes, min(year, lastYear(d.Disputes, func(r DirDispute) int { return r.Year })), codes)
	return ev
}

// Affinity is taken from the latest calendar year (at most the data's
// last), up to affinityLookback years back, in which the pair voted together in at least
// affinityMinVotes roll calls: a year that holds only a session's last
// votes (January 2020 has one roll call) says nothing reliable.
const (
	affinityMinVotes = 10
	affinityLookback = 5
)

func (d *Data) affinity(year, c1, c2 int) (agree float64, n, from int, ok bool) {
	// year is at most the data's last year (Evidence clamps it).
	for y := year; y > year-affinityLookback; y-- {
		if v, k, ok := d.Affinity.At(y, c1, c2); ok && k >= affinityMinVotes {
			return v, k, y, true
		}
	}
	return 0, 0, 0, false
}

// Capabilities returns the CINC of the states in codes as of year (or the
// NMC data's last year, if earlier), with the part that military
// expenditure and personnel contribute.
func (d *Data) Capabilities(codes map[int]string, year int) []indivisible.Capability {
	y := min(year, lastYear(d.NMC, func(r NMC) int { return r.Year }))
	var rows []NMC
	for _, n := range d.NMC {
		if n.Year == y {
			rows = append(rows, n)
		}
	}
	totals := worldTotals(rows)[y]
	var out []indivisible.Capability
	for _, n := range rows {
		a, ok := codes[n.Ccode]
		if !ok {
			continue
		}
		c := cinc(n, totals)
		if math.IsNaN(c) {
			continue
		}
		// cinc is the mean share over the reported components; the
		// military part is the milex and milper shares' part of that mean.
		k, mil := 0, 0.0
		for i := range NumComponents {
			if !n.Reported[i] {
				continue
			}
			k++
			if (i == 0 || i == 1) && totals[i] > 0 {
				mil += n.Values[i] / totals[i]
			}
		}
		out = append(out, indivisible.Capability{State: a, CINC: c, Military: mil / float64(k), Year: y, Source: "COW NMC v7 (CINC computed by the COW method)"})
	}
	slices.SortFunc(out, func(a, b indivisible.Capability) int { return cmp.Compare(a.State, b.State) })
	return out
}

// RivalryHandbookEnd is the year Thompson and Dreyer's handbook closes: an
// end in that year means the rivalry was still going.
const RivalryHandbookEnd = 2010

// Histories summarises the disputes of every pair of the states in codes
// (COW number to participant code) through the end of year.
func Histories(disputes []DirDispute, year int, codes map[int]string) []indivisible.History {
	type key struct{ a, b int } // a < b
	type acc struct {
		last    int
		decayAB float64
		decayBA float64
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

// cowExceptions are ISO 3166-1 alpha-3 codes the crosswalk leaves out:
// countrycode gives Serbia no COW code, which COW keeps at 345
// (Yugoslavia, then Serbia and Montenegro, then Serbia from 2006).
var cowExceptions = map[string]int{"SRB": 345}

// CowCodes maps ISO 3166-1 alpha-3 codes to COW numbers through the
// crosswalk (d.Codes), returning the map from COW number to ISO code.
// The error names the first code without one.
func (d *Data) CowCodes(iso []string) (map[int]string, error) {
	by := map[string]int{}
	for _, c := range d.Codes {
		if c.ISO3 != "" {
			by[c.ISO3] = c.Cown
		}
	}
	for k, v := range cowExceptions {
		by[k] = v
	}
	out := map[int]string{}
	for _, code := range iso {
		c, ok := by[code]
		if !ok {
			return nil, indivisible.Invalid(code, "no COW code for %s in the country-code crosswalk", code)
		}
		out[c] = code
	}
	return out, nil
}

// DerivedEvidence returns the evidence of s, a scenario coded by ISO
// 3166-1 alpha-3 (the Eurasia scenario), that comes from the published
// data, as of the scenario's year or each source's last year: capabilities,
// regimes, majors, water contiguity, UNGA affinity and dispute histories.
// Rivalries and the disputes after the histories are left out: they are
// curated in the scenario itself. The error names a state without a COW
// code.
func (d *Data) DerivedEvidence(s *indivisible.Scenario) (indivisible.Evidence, error) {
	var iso []string
	for _, p := range s.Participants {
		if p.Kind == indivisible.State {
			iso = append(iso, p.Code)
		}
	}
	codes, err := d.CowCodes(iso)
	if err != nil {
		return indivisible.Evidence{}, err
	}
	ev := d.Evidence(codes, s.Year)
	ev.Capabilities = d.Capabilities(codes, s.Year)
	ev.Rivalries, ev.Disputes = nil, nil
	return ev, nil
}
