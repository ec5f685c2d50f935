package ir

import (
	"bytes"
	"context"
	"io"
	"math"
	"testing"
)

func TestReadSharedData(t *testing.T) {
	d := loadShared(t)
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"NMC", len(d.nmc), 17121},
		{"ATOP", len(d.atop), 273296},
		{"capitals", len(d.capitals), 242},
		{"contiguity", len(d.contiguity), 1874},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d rows, want %d (README)", tc.name, tc.got, tc.want)
		}
	}
}

func TestSharedSimilarityProperties(t *testing.T) {
	d := loadShared(t)
	p := NewPortfolios(d.nmc, d.atop)
	if first, last := p.Span(); first != 1816 || last != 2018 {
		t.Fatalf("Span = %d-%d, want 1816-2018", first, last)
	}
	cincs := map[Pair]float64{} // (ccode, year) -> CINC
	for _, c := range ComputeCINC(d.nmc) {
		cincs[Pair{c.Ccode, c.Year}] = c.CINC
	}
	years := 0
	err := p.Years(context.Background(), 1816, 2018, func(year int, s []Similarity) error {
		years++
		n := len(p.system[year])
		if len(s) != n*(n-1)/2 {
			t.Errorf("%d: %d pairs for %d states", year, len(s), n)
		}
		for i, r := range s {
			if r.Year != year || r.Ccode1 >= r.Ccode2 || (i > 0 && !(s[i-1].Ccode1 < r.Ccode1 || s[i-1].Ccode1 == r.Ccode1 && s[i-1].Ccode2 < r.Ccode2)) {
				t.Fatalf("%d: row %d %+v out of order", year, i, r)
			}
			for _, v := range []float64{r.Unweighted, r.Weighted, r.TauB} {
				if v < -1-1e-12 || v > 1+1e-12 {
					t.Fatalf("%d: %+v outside [-1, 1]", year, r)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if years != 2018-1816+1 {
		t.Errorf("emitted %d years", years)
	}

	// Check some years pair by pair against the exported, straightforward
	// functions on independently built portfolios, for symmetry and
	// S(i,i) = 1 as well.
	for _, year := range []int{1816, 1914, 1962, 2018} {
		checkYear(t, p, d.atop, cincs, year)
	}
}

// checkYear compares p.Year(year) with SScore and TauB on portfolios built
// by portfolioMatrix.
func checkYear(t *testing.T, p *Portfolios, atop []Alliance, cincs map[Pair]float64, year int) {
	t.Helper()
	states := p.system[year]
	x := portfolioMatrix(atop, states, year)
	w := make([]float64, len(states))
	for k, s := range states {
		w[k] = cincs[Pair{s.Ccode, year}]
	}
	got, err := p.Year(year)
	if err != nil {
		t.Fatal(err)
	}
	r := 0
	for i := range states {
		if s := SScore(x[i], x[i], w, 3); s != 1 {
			t.Errorf("%d: S(%s, %s) = %v", year, states[i].StateAbb, states[i].StateAbb, s)
		}
		for j := i + 1; j < len(states); j++ {
			want := Similarity{
				Ccode1: states[i].Ccode, Ccode2: states[j].Ccode, Year: year,
				Unweighted: SScore(x[i], x[j], nil, 3),
				Weighted:   SScore(x[i], x[j], w, 3),
				TauB:       TauB(x[i], x[j]),
			}
			g := got[r]
			r++
			if g.Ccode1 != want.Ccode1 || g.Ccode2 != want.Ccode2 ||
				!sameFloat(g.Unweighted, want.Unweighted, 1e-12) ||
				!sameFloat(g.Weighted, want.Weighted, 1e-12) ||
				!sameFloat(g.TauB, want.TauB, 1e-12) {
				t.Fatalf("got %+v, want %+v", g, want)
			}
			if s := SScore(x[j], x[i], w, 3); !sameFloat(s, want.Weighted, 1e-15) {
				t.Errorf("%d: S not symmetric for %d-%d", year, want.Ccode1, want.Ccode2)
			}
		}
	}
}

// portfolioMatrix builds the valued portfolios of states (ordered by ccode)
// in year directly from the ATOP rows, independently of Portfolios.year.
func portfolioMatrix(atop []Alliance, states []NMC, year int) [][]float64 {
	pos := map[int]int{}
	x := make([][]float64, len(states))
	for i, s := range states {
		pos[s.Ccode] = i
		x[i] = make([]float64, len(states))
		x[i][i] = 3
	}
	for _, a := range atop {
		i, ok1 := pos[a.Ccode1]
		j, ok2 := pos[a.Ccode2]
		if a.Year != year || !ok1 || !ok2 {
			continue
		}
		v := float64(a.Tie())
		x[i][j] = math.Max(x[i][j], v)
		x[j][i] = math.Max(x[j][i], v)
	}
	return x
}

func TestYearsOutsideSpan(t *testing.T) {
	p := NewPortfolios(
		[]NMC{{Ccode: 2, StateAbb: "USA", Year: 1900}, {Ccode: 2, StateAbb: "USA", Year: 1901}},
		[]Alliance{{Ccode1: 2, Ccode2: 20, Year: 1901, Defense: true}})
	for _, r := range [][2]int{{1900, 1901}, {1901, 1902}, {1902, 1901}} {
		err := p.Years(context.Background(), r[0], r[1], func(int, []Similarity) error { return nil })
		if code := indivisibleCode(err); code != "invalid" {
			t.Errorf("Years(%d, %d): code %q, want invalid", r[0], r[1], code)
		}
	}
	if _, err := p.Year(1901); err != nil {
		t.Errorf("Year(1901): %v", err)
	}
}

func BenchmarkSScoreYear2000(b *testing.B) {
	d := loadShared(b)
	p := NewPortfolios(d.nmc, d.atop)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Year(2000); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSScoreAllYears(b *testing.B) {
	d := loadShared(b)
	p := NewPortfolios(d.nmc, d.atop)
	b.ReportAllocs()
	for b.Loop() {
		pairs := 0
		err := p.Years(context.Background(), 1816, 2018, func(_ int, s []Similarity) error {
			pairs += len(s)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(pairs), "pairs/op")
	}
}

func BenchmarkReadATOP(b *testing.B) {
	f := openData(b, "atop/alliance-dyad-years.csv")
	data, err := io.ReadAll(f)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadATOP(bytes.NewReader(data), "atop.csv"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadNMC(b *testing.B) {
	f := openData(b, "cow/nmc-v7-components.csv")
	data, err := io.ReadAll(f)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadNMC(bytes.NewReader(data), "nmc.csv"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDistances1914(b *testing.B) {
	d := loadShared(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Distances(d.capitals, d.contiguity, 1914); err != nil {
			b.Fatal(err)
		}
	}
}
