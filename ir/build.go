package ir

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
)

// units gives the unit of each NMC component, in the order of Components.
var units = [NumComponents]string{
	"thousands of pounds sterling to 1913, of current US$ from 1914",
	"thousands of personnel",
	"thousands of tons",
	"thousands of coal-ton equivalents",
	"thousands of people",
	"thousands of people in cities of 100,000 or more",
}

// nmcSource is the source recorded on the holdings of a built scenario.
const nmcSource = "COW National Material Capabilities"

// BuildScenario returns the system of 1 July of year as a scenario the
// model can assess:
//
//   - components: the six NMC components, weight 1 each, so that the
//     model's capability index is the CINC;
//   - participants: the states with an NMC row that year and a capital on
//     1 July, coded by their COW abbreviation (stateabb, e.g. USA, GMY,
//     RUS), named as in the capitals table;
//   - holdings: each participant's NMC components, Missing for -9;
//   - borders: contiguity of type 1 (land or river) in force on 1 July;
//     none when contiguity is nil;
//   - commitments: one per allied pair of participants, the strongest
//     obligation of the ATOP dyad in either direction that year.
//
// System members without a capital that day are left out and listed in the
// description. It rejects a year without NMC rows, outside the ATOP data,
// or after the end of the contiguity data.
func BuildScenario(year int, nmc []NMC, atop []Alliance, caps []Capital, contiguity []Contiguity) (*indivisible.Scenario, error) {
	date := July1(year)
	var system []NMC
	for _, n := range nmc {
		if n.Year == year {
			system = append(system, n)
		}
	}
	if len(system) == 0 {
		return nil, indivisible.Invalid("year", "the NMC data have no row for %d", year)
	}
	if err := NewPortfolios(nmc, atop).check(year, year); err != nil {
		return nil, err
	}
	if err := checkContiguity(contiguity, date); err != nil {
		return nil, err
	}
	slices.SortFunc(system, func(a, b NMC) int { return cmp.Compare(a.Ccode, b.Ccode) })
	capital := map[int]Capital{}
	for _, c := range CapitalsOn(caps, date) {
		capital[c.Ccode] = c
	}

	s := &indivisible.Scenario{
		Name:        fmt.Sprintf("cow-%d", year),
		Year:        year,
		Memberships: []indivisible.Membership{},
		Deployments: []indivisible.Deployment{},
	}
	for i, name := range Components {
		s.Components = append(s.Components, indivisible.Component{Name: name, Weight: 1, Unit: units[i]})
	}
	code := map[int]string{} // participants' ccode -> stateabb
	var left []string
	for _, n := range system {
		c, ok := capital[n.Ccode]
		if !ok {
			left = append(left, n.StateAbb)
			continue
		}
		code[n.Ccode] = n.StateAbb
		s.Participants = append(s.Participants, indivisible.Participant{
			Code: n.StateAbb, Name: c.StateName, Kind: indivisible.State,
			Capital: c.City, Lat: c.Lat, Lon: c.Lon,
		})
		for i, name := range Components {
			s.Holdings = append(s.Holdings, indivisible.Holding{
				State: n.StateAbb, Component: name, Quantity: n.Values[i], Missing: !n.Reported[i],
				Year: year, Source: nmcSource,
			})
		}
	}
	s.Description = fmt.Sprintf("The state system on 1 July %d: COW NMC v7 capabilities, ATOP v5 alliances, COW direct contiguity; states coded by COW abbreviation.", year)
	if len(left) > 0 {
		s.Description += fmt.Sprintf(" Left out for want of a capital on that day: %s.", strings.Join(left, ", "))
	}

	borders := map[string][]string{}
	for p, t := range ContiguityOn(contiguity, date) {
		a, okA := code[p.Ccode1]
		b, okB := code[p.Ccode2]
		if t == Land && okA && okB {
			borders[a] = append(borders[a], b)
			borders[b] = append(borders[b], a)
		}
	}
	for i := range s.Participants {
		b := borders[s.Participants[i].Code]
		slices.Sort(b)
		s.Participants[i].Borders = b
	}

	strongest := map[Pair]indivisible.CommitmentType{}
	for _, a := range atop {
		_, okA := code[a.Ccode1]
		_, okB := code[a.Ccode2]
		t := a.Strongest()
		if a.Year != year || !okA || !okB || t == "" {
			continue
		}
		p := MakePair(a.Ccode1, a.Ccode2)
		if prev, ok := strongest[p]; !ok || strength(t) < strength(prev) {
			strongest[p] = t
		}
	}
	for p, t := range strongest {
		a, b := code[p.Ccode1], code[p.Ccode2]
		s.Commitments = append(s.Commitments, indivisible.Commitment{
			A: min(a, b), B: max(a, b), Type: t, Treaty: "ATOP alliance obligations", Year: year,
		})
	}
	slices.SortFunc(s.Commitments, func(x, y indivisible.Commitment) int {
		return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	return s, nil
}

// strength ranks a commitment type, 0 for the strongest, in the order of
// indivisible.CommitmentTypes.
func strength(t indivisible.CommitmentType) int {
	return slices.Index(indivisible.CommitmentTypes, t)
}
