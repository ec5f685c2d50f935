package scenario

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/indivisible-eurasia/indivisible"
)

// Synthetic returns a random but valid scenario of n states with the
// Eurasia categories, for benchmarks and property tests. The same n and
// seed always give the same scenario. States sit in a box the size of
// Eurasia; each borders its nearest neighbours; a handful of organisations
// with treaty commitments, some bilateral treaties and some deployments
// complete it.
func Synthetic(n int, seed uint64) *indivisible.Scenario {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	s := &indivisible.Scenario{Name: fmt.Sprintf("synthetic-%d-%d", n, seed), Year: 2025}
	for _, c := range indivisible.Categories {
		s.Components = append(s.Components, indivisible.Component{Name: c, Weight: 1})
	}
	for i := 0; i < n; i++ {
		s.Participants = append(s.Participants, indivisible.Participant{
			Code: fmt.Sprintf("S%04d", i), Name: fmt.Sprintf("State %d", i), Kind: indivisible.State,
			Lat: 5 + 65*r.Float64(), Lon: -10 + 150*r.Float64(),
		})
	}
	// Border the nearest two or three states (symmetrically).
	borders := make([]map[string]bool, n)
	for i := range borders {
		borders[i] = map[string]bool{}
	}
	for i := 0; i < n; i++ {
		idx := make([]int, 0, n-1)
		for j := 0; j < n; j++ {
			if j != i {
				idx = append(idx, j)
			}
		}
		pi := s.Participants[i]
		d := func(j int) float64 {
			pj := s.Participants[j]
			return math.Hypot(pi.Lat-pj.Lat, pi.Lon-pj.Lon)
		}
		sort.Slice(idx, func(a, b int) bool { return d(idx[a]) < d(idx[b]) })
		for _, j := range idx[:min(len(idx), 2+r.IntN(2))] {
			if d(j) < 8 {
				borders[i][s.Participants[j].Code] = true
				borders[j][pi.Code] = true
			}
		}
	}
	for i := range s.Participants {
		for b := range borders[i] {
			s.Participants[i].Borders = append(s.Participants[i].Borders, b)
		}
		sort.Strings(s.Participants[i].Borders)
	}
	for i := 0; i < n; i++ {
		size := math.Exp(r.NormFloat64() * 1.5)
		for _, c := range indivisible.Categories {
			q := math.Round(size * 1000 * r.Float64())
			if c == indivisible.Personnel {
				q *= 100
			}
			s.Holdings = append(s.Holdings, indivisible.Holding{State: s.Participants[i].Code, Component: c, Quantity: q, Year: 2025, Source: "synthetic"})
		}
	}
	types := indivisible.CommitmentTypes
	for o := 0; o < max(2, n/20); o++ {
		code := fmt.Sprintf("ORG%d", o)
		s.Participants = append(s.Participants, indivisible.Participant{Code: code, Name: "Organisation " + code, Kind: indivisible.Organisation})
		for i := 0; i < n; i++ {
			if r.Float64() < 0.15 {
				role := indivisible.Member
				if r.Float64() < 0.2 {
					role = indivisible.Partner
				}
				s.Memberships = append(s.Memberships, indivisible.Membership{State: s.Participants[i].Code, Organisation: code, Role: role})
			}
		}
		s.Commitments = append(s.Commitments, indivisible.Commitment{A: code, Type: types[r.IntN(len(types))], Treaty: code + " treaty"})
	}
	seen := map[[2]int]bool{}
	for k := 0; k < n/4; k++ {
		a, b := r.IntN(n), r.IntN(n)
		if a == b || seen[[2]int{min(a, b), max(a, b)}] {
			continue
		}
		seen[[2]int{min(a, b), max(a, b)}] = true
		s.Commitments = append(s.Commitments, indivisible.Commitment{A: s.Participants[a].Code, B: s.Participants[b].Code, Type: types[r.IntN(len(types))], Treaty: "bilateral"})
	}
	deployed := map[[2]int]bool{}
	for k := 0; k < n/5; k++ {
		a, h := r.IntN(n), r.IntN(n)
		if a == h || deployed[[2]int{a, h}] {
			continue
		}
		deployed[[2]int{a, h}] = true
		held := s.Holdings[a*len(indivisible.Categories)].Quantity
		s.Deployments = append(s.Deployments, indivisible.Deployment{State: s.Participants[a].Code, Host: s.Participants[h].Code,
			Component: indivisible.Personnel, Quantity: math.Floor(held * 0.1 * r.Float64()), Year: 2025, Source: "synthetic"})
	}
	return s
}
