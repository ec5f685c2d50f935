package ir

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/indivisible-eurasia/indivisible"
)

const (
	nmcHeader        = "ccode,stateabb,year,milex,milper,irst,pec,tpop,upop\n"
	capitalsHeader   = "ccode,statenme,capital,start,end,lat,lng\n"
	contiguityHeader = "ccode1,ccode2,conttype,start,end\n"
	atopHeader       = "ccode1,ccode2,year,defense,offense,neutral,nonagg,consul\n"
)

func TestReadNMC(t *testing.T) {
	got, err := ReadNMC(strings.NewReader(nmcHeader+"2,USA,1816,3823,17,80,254,8659,101\n600,MOR,1912,-9,-9,-9,-9,4517.6,173.6444444\n"), "nmc.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []NMC{
		{Ccode: 2, StateAbb: "USA", Year: 1816, Values: [6]float64{3823, 17, 80, 254, 8659, 101}, Reported: [6]bool{true, true, true, true, true, true}},
		{Ccode: 600, StateAbb: "MOR", Year: 1912, Values: [6]float64{0, 0, 0, 0, 4517.6, 173.6444444}, Reported: [6]bool{false, false, false, false, true, true}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}

func TestReadCapitalsAndContiguity(t *testing.T) {
	caps, err := ReadCapitals(strings.NewReader(capitalsHeader+
		"365,Russia,Saint Petersburg,1816-01-01,1918-03-11,59.9606739,30.1586551\n"+
		"365,Russia,Moscow,1918-03-12,2024-12-31,55.625578,37.6063916\n"), "capitals.csv")
	if err != nil {
		t.Fatal(err)
	}
	if on := CapitalsOn(caps, July1(1918)); len(on) != 1 || on[0].City != "Moscow" {
		t.Errorf("capital on 1 July 1918: %+v", on)
	}
	if on := CapitalsOn(caps, July1(1914)); len(on) != 1 || on[0].City != "Saint Petersburg" {
		t.Errorf("capital on 1 July 1914: %+v", on)
	}
	cont, err := ReadContiguity(strings.NewReader(contiguityHeader+
		"2,365,0,1816-01-01,1958-12-01\n2,365,2,1959-01-01,2016-12-01\n365,2,4,1959-01-01,2016-12-01\n"), "contiguity.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		year, want int
	}{{1900, 0}, {1959, 2}, {2016, 2}} {
		if got := ContiguityOn(cont, July1(tc.year))[Pair{2, 365}]; got != tc.want {
			t.Errorf("contiguity in %d = %d, want %d", tc.year, got, tc.want)
		}
	}
	if last := lastDate(cont); !last.Equal(time.Date(2016, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("lastDate = %v", last)
	}
}

func TestReadATOP(t *testing.T) {
	got, err := ReadATOP(strings.NewReader(atopHeader+"2,20,1942,1,1,0,0,0\n2,770,1986,0,0,0,0,1\n2,771,1986,0,0,0,1,0\n2,772,1986,0,0,0,0,0\n"), "atop.csv")
	if err != nil {
		t.Fatal(err)
	}
	var ties []uint8
	for _, a := range got {
		ties = append(ties, a.Tie())
	}
	if d := cmp.Diff([]uint8{3, 2, 1, 0}, ties); d != "" {
		t.Errorf("ties: %s", d)
	}
}

// TestReadersReject checks that every reader names the file, line and
// column of a malformed input.
func TestReadersReject(t *testing.T) {
	type reader func(string) error
	nmc := func(s string) error { _, err := ReadNMC(strings.NewReader(s), "nmc.csv"); return err }
	caps := func(s string) error { _, err := ReadCapitals(strings.NewReader(s), "capitals.csv"); return err }
	cont := func(s string) error { _, err := ReadContiguity(strings.NewReader(s), "contiguity.csv"); return err }
	atop := func(s string) error { _, err := ReadATOP(strings.NewReader(s), "atop.csv"); return err }
	for _, tc := range []struct {
		name  string
		read  reader
		input string
		field string
	}{
		{"empty", nmc, "", "nmc.csv:1"},
		{"wrong header", nmc, "ccode,stateabb,year,milex,milper,irst,pec,tpop,cinc\n", "nmc.csv:1:upop"},
		{"short header", nmc, "ccode,stateabb,year\n", "nmc.csv:1"},
		{"missing field", nmc, nmcHeader + "2,USA,1816,1,2,3,4,5\n", "nmc.csv:2"},
		{"bad ccode", nmc, nmcHeader + "x,USA,1816,1,2,3,4,5,6\n", "nmc.csv:2:ccode"},
		{"lower-case abb", nmc, nmcHeader + "2,usa,1816,1,2,3,4,5,6\n", "nmc.csv:2:stateabb"},
		{"abb changes", nmc, nmcHeader + "2,USA,1816,1,2,3,4,5,6\n2,USB,1817,1,2,3,4,5,6\n", "nmc.csv:3:stateabb"},
		{"abb reused", nmc, nmcHeader + "2,USA,1816,1,2,3,4,5,6\n20,USA,1817,1,2,3,4,5,6\n", "nmc.csv:3:stateabb"},
		{"duplicate", nmc, nmcHeader + "2,USA,1816,1,2,3,4,5,6\n2,USA,1816,1,2,3,4,5,6\n", "nmc.csv:3:year"},
		{"negative", nmc, nmcHeader + "2,USA,1816,1,2,-3,4,5,6\n", "nmc.csv:2:irst"},
		{"empty value", nmc, nmcHeader + "2,USA,1816,1,2,3,,5,6\n", "nmc.csv:2:pec"},
		{"NaN", nmc, nmcHeader + "2,USA,1816,1,2,3,4,NaN,6\n", "nmc.csv:2:tpop"},
		{"bad quote", nmc, nmcHeader + "2,\"USA,1816,1,2,3,4,5,6\n", "nmc.csv:2"},
		{"capital date", caps, capitalsHeader + "2,USA,Washington,1816/01/01,2024-12-31,38.9,-77\n", "capitals.csv:2:start"},
		{"capital end before start", caps, capitalsHeader + "2,USA,Washington,1816-01-01,1815-12-31,38.9,-77\n", "capitals.csv:2:end"},
		{"capital latitude", caps, capitalsHeader + "2,USA,Washington,1816-01-01,2024-12-31,98.9,-77\n", "capitals.csv:2:lat"},
		{"capital longitude", caps, capitalsHeader + "2,USA,Washington,1816-01-01,2024-12-31,38.9,-777\n", "capitals.csv:2:lng"},
		{"capital name", caps, capitalsHeader + "2,USA,,1816-01-01,2024-12-31,38.9,-77\n", "capitals.csv:2:capital"},
		{"capitals overlap", caps, capitalsHeader + "2,USA,Washington,1816-01-01,2024-12-31,38.9,-77\n2,USA,Philadelphia,1816-01-01,1820-01-01,40,-75\n", "capitals.csv:3:start"},
		{"contiguity type", cont, contiguityHeader + "2,20,6,1920-01-01,2016-12-01\n", "contiguity.csv:2:conttype"},
		{"contiguity self", cont, contiguityHeader + "2,2,1,1920-01-01,2016-12-01\n", "contiguity.csv:2:ccode2"},
		{"contiguity date", cont, contiguityHeader + "2,20,1,1920-01-01,2016-13-01\n", "contiguity.csv:2:end"},
		{"atop flag", atop, atopHeader + "2,20,1942,1,2,0,0,0\n", "atop.csv:2:offense"},
		{"atop year", atop, atopHeader + "2,20,42,1,1,0,0,0\n", "atop.csv:2:year"},
		{"atop duplicate", atop, atopHeader + "2,20,1942,1,1,0,0,0\n\n2,20,1942,1,1,0,0,0\n", "atop.csv:4:year"},
		{"atop self", atop, atopHeader + "2,2,1942,1,1,0,0,0\n", "atop.csv:2:ccode2"},
	} {
		err := tc.read(tc.input)
		if code := indivisible.ErrorCode(err); code != indivisible.EINVALID {
			t.Errorf("%s: code %q (%v), want invalid", tc.name, code, err)
			continue
		}
		if field := indivisible.ErrorField(err); field != tc.field {
			t.Errorf("%s: field %q (%v), want %q", tc.name, field, err, tc.field)
		}
	}
}

func TestComputeCINC(t *testing.T) {
	all := [6]bool{true, true, true, true, true, true}
	rows := []NMC{
		// Two states share the world: A holds 3/4 of every component.
		{Ccode: 1, Year: 1900, Values: [6]float64{3, 3, 3, 3, 3, 3}, Reported: all},
		{Ccode: 2, Year: 1900, Values: [6]float64{1, 1, 1, 1, 1, 1}, Reported: all},
		// In 1901 B reports only tpop and upop: its milex is left out of
		// both the world total and its own mean. A: (1 + 1 + 1 + 1 + 1/2 +
		// 1/4)/6; B: (1/2 + 3/4)/2.
		{Ccode: 1, Year: 1901, Values: [6]float64{5, 5, 5, 5, 1, 1}, Reported: all},
		{Ccode: 2, Year: 1901, Values: [6]float64{0, 0, 0, 0, 1, 3}, Reported: [6]bool{false, false, false, false, true, true}},
	}
	got := ComputeCINC(rows)
	want := []CINC{{1, 1900, 0.75}, {2, 1900, 0.25}, {1, 1901, 4.75 / 6}, {2, 1901, 0.625}}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-15 })); d != "" {
		t.Error(d)
	}
}

// TestSharedCINC checks the COW construction on every year of the shared
// data: a state's CINC times the number of components it reports is the
// sum of its shares, and each component's shares sum to 1 over the states
// reporting it, so these products sum to 6 in every year. (Only four
// years have every component of every state, where the CINCs themselves
// sum to 1.)
func TestSharedCINC(t *testing.T) {
	d := loadShared(t)
	reported := map[Pair]int{} // (ccode, year) -> components reported
	for _, n := range d.nmc {
		for _, r := range n.Reported {
			if r {
				reported[Pair{n.Ccode, n.Year}]++
			}
		}
	}
	sums := map[int]float64{}
	for _, c := range ComputeCINC(d.nmc) {
		if c.CINC < 0 || c.CINC > 1 || math.IsNaN(c.CINC) {
			t.Fatalf("%+v outside [0, 1]", c)
		}
		sums[c.Year] += c.CINC * float64(reported[Pair{c.Ccode, c.Year}])
	}
	if len(sums) != 2022-1816+1 {
		t.Errorf("%d years, want 1816-2022", len(sums))
	}
	for y, s := range sums {
		if math.Abs(s-NumComponents) > 1e-9 {
			t.Errorf("%d: sum of CINC x components reported = %v, want 6", y, s)
		}
	}
}
