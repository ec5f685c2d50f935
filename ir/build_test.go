package ir_test

import (
	"os"
	"slices"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ir"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// TestBuildScenario1914 builds the July 1914 system from the shared data,
// writes it and loads it back through the scenario package, and checks
// facts of that system.
func TestBuildScenario1914(t *testing.T) {
	nmc, atop, caps, cont := ir.SharedData(t)
	s, err := ir.BuildScenario(1914, nmc, atop, caps, cont)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := scenario.Write(dir, s); err != nil {
		t.Fatal(err)
	}
	got, err := scenario.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("the built scenario does not load: %v", err)
	}
	if len(got.Components) != 6 || got.Components[0].Name != "milex" {
		t.Errorf("components %+v", got.Components)
	}
	members := 0
	for _, n := range nmc {
		if n.Year == 1914 {
			members++
		}
	}
	if len(got.Participants) == 0 || len(got.Participants) > members {
		t.Errorf("%d participants of %d system members", len(got.Participants), members)
	}
	if len(got.Holdings) != 6*len(got.Participants) {
		t.Errorf("%d holdings for %d participants", len(got.Holdings), len(got.Participants))
	}
	gmy, ok := got.Participant("GMY")
	if !ok || gmy.Capital != "Berlin" {
		t.Fatalf("GMY: %+v", gmy)
	}
	for _, b := range []string{"AUH", "FRN", "RUS"} {
		if !slices.Contains(gmy.Borders, b) {
			t.Errorf("GMY borders %v, want %s", gmy.Borders, b)
		}
	}
	// The Dual Alliance and the Franco-Russian alliance were defence pacts.
	for _, c := range [][2]string{{"AUH", "GMY"}, {"FRN", "RUS"}} {
		i := slices.IndexFunc(got.Commitments, func(x indivisible.Commitment) bool { return x.A == c[0] && x.B == c[1] })
		if i < 0 || got.Commitments[i].Type != indivisible.Defence {
			t.Errorf("no defence commitment %s-%s", c[0], c[1])
		}
	}
}

func TestBuildScenarioRejectsYears(t *testing.T) {
	nmc, atop, caps, cont := ir.SharedData(t)
	for _, year := range []int{1700, 2019, 2020} {
		if _, err := ir.BuildScenario(year, nmc, atop, caps, cont); indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Errorf("%d: %v, want invalid", year, err)
		}
	}
	// The contiguity data end in December 2016.
	if _, err := ir.BuildScenario(2017, nmc, atop, caps, cont); indivisible.ErrorCode(err) != indivisible.EINVALID {
		t.Errorf("2017 with contiguity: %v, want invalid", err)
	}
	if _, err := ir.BuildScenario(2017, nmc, atop, caps, nil); err != nil {
		t.Errorf("2017 without contiguity: %v", err)
	}
}

func TestDistances1914(t *testing.T) {
	_, _, caps, cont := ir.SharedData(t)
	d, err := ir.Distances(caps, cont, 1914)
	if err != nil {
		t.Fatal(err)
	}
	find := func(a, b int) ir.CapitalDistance {
		for _, x := range d {
			if x.Ccode1 == a && x.Ccode2 == b {
				return x
			}
		}
		t.Fatalf("no pair %d-%d", a, b)
		return ir.CapitalDistance{}
	}
	// London-Paris is about 344 km, across 21 miles of sea (type 3);
	// Berlin and Vienna (about 524 km)
	// share a land border; Washington-Saint Petersburg about 7,200 km.
	for _, tc := range []struct {
		a, b       int
		lo, hi     float64
		contiguity int
	}{
		{200, 220, 330, 350, 3},
		{255, 300, 500, 550, 1},
		{2, 365, 7000, 7400, 0},
	} {
		x := find(tc.a, tc.b)
		if x.Km < tc.lo || x.Km > tc.hi || x.Contiguity != tc.contiguity {
			t.Errorf("%d-%d: %+v, want %v-%v km, contiguity %d", tc.a, tc.b, x, tc.lo, tc.hi, tc.contiguity)
		}
	}
	for i := 1; i < len(d); i++ {
		if p, x := d[i-1], d[i]; x.Ccode1 >= x.Ccode2 || p.Ccode1 > x.Ccode1 || (p.Ccode1 == x.Ccode1 && p.Ccode2 >= x.Ccode2) {
			t.Fatalf("out of order at %d: %+v after %+v", i, x, p)
		}
	}
}

// TestBuildScenarioEveryYear builds every year from 1816 to 2016 (every
// eighth, 1816 and 2016 included, under -short or the race detector),
// writes it, loads it back and compiles the model on it: each is a
// scenario that assess accepts.
func TestBuildScenarioEveryYear(t *testing.T) {
	step := 1
	if testing.Short() || raceEnabled {
		step = 8
	}
	nmc, atop, caps, cont := ir.SharedData(t)
	for year := 1816; year <= 2016; year += step {
		s, err := ir.BuildScenario(year, nmc, atop, caps, cont)
		if err != nil {
			t.Fatalf("%d: %v", year, err)
		}
		dir := t.TempDir()
		if err := scenario.Write(dir, s); err != nil {
			t.Fatalf("%d: %v", year, err)
		}
		loaded, err := scenario.Load(os.DirFS(dir))
		if err != nil {
			t.Fatalf("%d: the built scenario does not load: %v", year, err)
		}
		if _, err := model.Compile(loaded, model.DefaultParams()); err != nil {
			t.Fatalf("%d: the model rejects the built scenario: %v", year, err)
		}
	}
}
