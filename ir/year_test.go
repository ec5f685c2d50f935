package ir_test

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ir"
)

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// nmcRow is a state-year of the NMC data; -9 marks a component not
// reported.
func nmcRow(ccode int, abb string, year int, v ...float64) ir.NMC {
	n := ir.NMC{Ccode: ccode, StateAbb: abb, Year: year}
	for i, x := range v {
		if x != -9 {
			n.Values[i], n.Reported[i] = x, true
		}
	}
	return n
}

// dispute returns both directed rows of a dispute-dyad-year; a is on
// Side A.
func dispute(num, a, b, year int, onset bool) []ir.DirDispute {
	return []ir.DirDispute{
		{DispNum: num, Ccode1: a, Ccode2: b, Year: year, Onset: onset, SideA1: true, HostLev1: 3, HostLev2: 1, HostLev: 3},
		{DispNum: num, Ccode1: b, Ccode2: a, Year: year, Onset: onset, SideA1: false, HostLev1: 1, HostLev2: 3, HostLev: 3},
	}
}

// handData is a made-up world of four states, USA (2), CAN (20), UKG
// (200) and RUS (365), in 2000 and 2001, with every data set the
// evidence reads.
func handData() *ir.Data {
	d := &ir.Data{
		NMC: []ir.NMC{
			// milex, milper, irst, pec, tpop, upop
			nmcRow(2, "USA", 2000, 300, 1.5, 100, 2000, 280, 100),
			nmcRow(20, "CAN", 2000, 10, 0.1, 15, 250, 30, 10),
			nmcRow(200, "UKG", 2000, -9, 0.2, 15, 300, 59, 20),
			nmcRow(365, "RUS", 2000, 50, 1.0, 60, 900, 146, -9),
			nmcRow(2, "USA", 2001, 400, 1.5, 100, 2000, 280, 100),
			nmcRow(20, "CAN", 2001, 10, 0.1, 15, 250, 30, 10),
			nmcRow(200, "UKG", 2001, -9, 0.2, 15, 300, 59, 20),
			nmcRow(365, "RUS", 2001, 50, 1.0, 60, 900, 146, -9),
		},
		ATOP: []ir.Alliance{
			{Ccode1: 2, Ccode2: 20, Year: 2000, Defense: true}, {Ccode1: 20, Ccode2: 2, Year: 2000, Defense: true},
			{Ccode1: 2, Ccode2: 20, Year: 2001, Defense: true}, {Ccode1: 20, Ccode2: 2, Year: 2001, Defense: true},
		},
		Capitals: []ir.Capital{
			{Ccode: 2, StateName: "United States of America", City: "Washington", Start: ymd(1800, 1, 1), End: ymd(2100, 12, 31), Lat: 38.9, Lon: -77},
			{Ccode: 20, StateName: "Canada", City: "Ottawa", Start: ymd(1867, 1, 1), End: ymd(2100, 12, 31), Lat: 45.4, Lon: -75.7},
			{Ccode: 200, StateName: "United Kingdom", City: "London", Start: ymd(1800, 1, 1), End: ymd(2100, 12, 31), Lat: 51.5, Lon: -0.1},
			{Ccode: 365, StateName: "Russia", City: "Moscow", Start: ymd(1918, 3, 12), End: ymd(2100, 12, 31), Lat: 55.8, Lon: 37.6},
		},
		Contiguity: []ir.Contiguity{
			{Ccode1: 2, Ccode2: 20, Type: 1, Start: ymd(1867, 1, 1), End: ymd(2016, 12, 31)},
			{Ccode1: 2, Ccode2: 365, Type: 4, Start: ymd(1959, 1, 1), End: ymd(2016, 12, 31)},
			{Ccode1: 200, Ccode2: 20, Type: 5, Start: ymd(1990, 1, 1), End: ymd(2000, 12, 31)},  // ends before 2001
			{Ccode1: 200, Ccode2: 365, Type: 0, Start: ymd(1816, 1, 1), End: ymd(2016, 12, 31)}, // not contiguous
		},
		Majors: []ir.Spell{
			{Ccode: 2, Start: ymd(1898, 8, 13), End: ymd(2016, 12, 31)},
			{Ccode: 200, Start: ymd(1816, 1, 1), End: ymd(1945, 8, 14)},
			{Ccode: 365, Start: ymd(1991, 12, 25), End: ymd(2016, 12, 31)},
			{Ccode: 20, Start: ymd(2000, 7, 2), End: ymd(2016, 12, 31)}, // begins the day after 1 July 2000
		},
		Democracy: []ir.Democracy{
			{Ccode: 2, Year: 2000, Polyarchy: 0.8}, {Ccode: 20, Year: 2000, Polyarchy: 0.85},
			{Ccode: 2, Year: 2001, Polyarchy: 0.81}, {Ccode: 365, Year: 2001, Polyarchy: 0.4},
			{Ccode: 2, Year: 2024, Polyarchy: 0.7}, {Ccode: 710, Year: 2024, Polyarchy: 0.1},
		},
		Rivalries: []ir.Rivalry{
			{No: 1, Name: "UK-Russia", Ccode1: 200, Ccode2: 365, Start: 1990, End: 2010, Types: []string{"positional"}},
			{No: 2, Name: "US-Russia", Ccode1: 2, Ccode2: 365, Start: 1950, End: 1989, Types: []string{"ideological"}},
		},
		Codes: []ir.CountryCode{
			{Cown: 2, Cowc: "USA", ISO3: "USA", ISO2: "US", Name: "United States"},
			{Cown: 20, Cowc: "CAN", ISO3: "CAN", ISO2: "CA", Name: "Canada"},
			{Cown: 200, Cowc: "UKG", ISO3: "GBR", ISO2: "GB", Name: "United Kingdom"},
			{Cown: 345, Cowc: "YUG", Name: "Yugoslavia"},
			{Cown: 365, Cowc: "RUS", ISO3: "RUS", ISO2: "RU", Name: "Russia"},
		},
	}
	d.Disputes = append(d.Disputes, dispute(1, 2, 365, 1995, true)...)   // USA starts one against RUS
	d.Disputes = append(d.Disputes, dispute(1, 2, 365, 1996, false)...)  // going on
	d.Disputes = append(d.Disputes, dispute(2, 365, 200, 2000, true)...) // RUS against UKG
	d.Disputes = append(d.Disputes, dispute(3, 200, 365, 1990, true)...) // UKG against RUS
	d.Disputes = append(d.Disputes, dispute(4, 20, 710, 1999, true)...)  // CAN against a state not in the system
	// UNGA: in 2000, ten roll calls with USA and UKG, which vote alike
	// but on two (yes against no: distance 2 each), and three with RUS;
	// in 1998, ten with USA and RUS voting alike.
	var votes []ir.Vote
	var calls []ir.RollCall
	for k := range 10 {
		d0 := ir.RollCall{RCID: 100 + k, Session: 55, Date: ymd(2000, 10, 1+k)}
		d1 := ir.RollCall{RCID: 200 + k, Session: 53, Date: ymd(1998, 10, 1+k)}
		votes = append(votes, ir.Vote{RCID: d0.RCID, Ccode: 2, Choice: 1}, ir.Vote{RCID: d1.RCID, Ccode: 2, Choice: 2}, ir.Vote{RCID: d1.RCID, Ccode: 365, Choice: 2})
		uk := int8(1)
		if k < 2 {
			uk = 3
		}
		votes = append(votes, ir.Vote{RCID: d0.RCID, Ccode: 200, Choice: uk})
		if k < 3 {
			votes = append(votes, ir.Vote{RCID: d0.RCID, Ccode: 365, Choice: 1})
		}
		calls = append(calls, d0, d1)
	}
	d.Affinity = ir.NewAffinity(votes, calls)
	return d
}

// codes of the four states, as BuildYear and Evidence take them.
var handCodes = map[int]string{2: "USA", 20: "CAN", 200: "UKG", 365: "RUS"}

func TestBuildYear(t *testing.T) {
	d := handData()
	y, err := d.BuildYear(2000)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"USA": 2, "CAN": 20, "UKG": 200, "RUS": 365}, y.Ccode); diff != "" {
		t.Errorf("Ccode (-want +got):\n%s", diff)
	}
	s := y.Scenario
	if s.Year != 2000 || len(s.Participants) != 4 {
		t.Fatalf("scenario of %d with %d participants, want 2000 and 4", s.Year, len(s.Participants))
	}
	// The evidence as of the end of 2000; Evidence itself is checked
	// below.
	if diff := cmp.Diff(d.Evidence(handCodes, 2000), s.Evidence, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("BuildYear's evidence is not Evidence(2000) (-want +got):\n%s", diff)
	}
	if _, err := d.BuildYear(2002); indivisible.ErrorCode(err) != indivisible.EINVALID {
		t.Errorf("BuildYear(2002), a year without NMC rows: %v, want invalid", err)
	}
}

func TestEvidence(t *testing.T) {
	d := handData()
	// Decayed onsets as Side A, weight exp(-age/10) at the end of the
	// year: RUS→UKG in 2000 (age 0), UKG→RUS in 1990 (age 10), USA→RUS
	// in 1995 (age 5); CAN's dispute is with a state outside the codes.
	hist2000 := []indivisible.History{
		{A: "RUS", B: "UKG", Through: 2000, Last: 2000, DecayAB: 1, DecayBA: math.Exp(-1)},
		{A: "RUS", B: "USA", Through: 2000, Last: 1996, DecayAB: 0, DecayBA: math.Exp(-0.5)},
	}
	for _, tc := range []struct {
		name string
		year int
		want indivisible.Evidence
	}{
		{"2000", 2000, indivisible.Evidence{
			// Majors on 1 July 2000: CAN's spell begins the day after.
			Majors: []indivisible.Major{{State: "USA", Since: 1898, Source: "COW State System Membership v2016"},
				{State: "RUS", Since: 1991, Source: "COW State System Membership v2016"}},
			Regimes: []indivisible.Regime{{State: "CAN", Polyarchy: 0.85, Year: 2000, Source: "V-Dem v15"},
				{State: "USA", Polyarchy: 0.8, Year: 2000, Source: "V-Dem v15"}},
			// Water only (the land border is in Borders); UKG-CAN type 5
			// still in force on 1 July 2000.
			Contiguities: []indivisible.Contiguity{{A: "CAN", B: "UKG", Type: 5}, {A: "RUS", B: "USA", Type: 4}},
			// UKG-USA: 1 - 2·2/(2·10) = 0.8 over the ten roll calls of
			// 2000. RUS-USA voted together on only three in 2000, fewer
			// than ten: the value is 1998's (ten alike: 1). RUS-UKG
			// have only those three.
			Affinities: []indivisible.Affinity{{A: "RUS", B: "USA", Agreement: 1, Votes: 10, Year: 1998},
				{A: "UKG", B: "USA", Agreement: 0.8, Votes: 10, Year: 2000}},
			// UK-Russia goes on to the handbook's close (2010): not ended.
			Rivalries: []indivisible.Rivalry{{A: "RUS", B: "UKG", Since: 1990, Types: []string{"positional"}, Source: "Thompson & Dreyer 2011"}},
			Histories: hist2000,
		}},
		// 2030: each source at its own last year. Majors and contiguity
		// as of 1 July 2016, V-Dem 2024, votes 2000, disputes 2000; no
		// rivalries after the handbook closes.
		{"2030", 2030, indivisible.Evidence{
			Majors: []indivisible.Major{{State: "USA", Since: 1898, Source: "COW State System Membership v2016"},
				{State: "CAN", Since: 2000, Source: "COW State System Membership v2016"},
				{State: "RUS", Since: 1991, Source: "COW State System Membership v2016"}},
			Regimes:      []indivisible.Regime{{State: "USA", Polyarchy: 0.7, Year: 2024, Source: "V-Dem v15"}},
			Contiguities: []indivisible.Contiguity{{A: "RUS", B: "USA", Type: 4}},
			Affinities: []indivisible.Affinity{{A: "RUS", B: "USA", Agreement: 1, Votes: 10, Year: 1998},
				{A: "UKG", B: "USA", Agreement: 0.8, Votes: 10, Year: 2000}},
			Histories: hist2000,
		}},
		// 1995: the votes five years on are out of reach, USA→RUS is an
		// onset of age 0 and UKG→RUS one of age 5.
		{"1995", 1995, indivisible.Evidence{
			Majors: []indivisible.Major{{State: "USA", Since: 1898, Source: "COW State System Membership v2016"},
				{State: "RUS", Since: 1991, Source: "COW State System Membership v2016"}},
			Contiguities: []indivisible.Contiguity{{A: "CAN", B: "UKG", Type: 5}, {A: "RUS", B: "USA", Type: 4}},
			Rivalries:    []indivisible.Rivalry{{A: "RUS", B: "UKG", Since: 1990, Types: []string{"positional"}, Source: "Thompson & Dreyer 2011"}},
			Histories: []indivisible.History{
				{A: "RUS", B: "UKG", Through: 1995, Last: 1990, DecayAB: 0, DecayBA: math.Exp(-0.5)},
				{A: "RUS", B: "USA", Through: 1995, Last: 1995, DecayAB: 0, DecayBA: 1},
			},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := d.Evidence(handCodes, tc.year)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty(), cmpopts.EquateApprox(0, 1e-15)); diff != "" {
				t.Errorf("Evidence(%d) (-want +got):\n%s", tc.year, diff)
			}
		})
	}
}

func TestHistories(t *testing.T) {
	var ds []ir.DirDispute
	// Onsets by 2 against 365 in 1980, 1990 and 2000 (each going on a
	// second year), by 365 against 2 in 1985, and rows of disputes after
	// the year, which are left out.
	for _, y := range []int{1980, 1990, 2000} {
		ds = append(ds, dispute(y, 2, 365, y, true)...)
		ds = append(ds, dispute(y, 2, 365, y+1, false)...)
	}
	ds = append(ds, dispute(5, 365, 2, 1985, true)...)
	// A row whose own side is not A is no initiation by its first state.
	ds = append(ds, ir.DirDispute{DispNum: 6, Ccode1: 200, Ccode2: 2, Year: 1999, Onset: true, SideA1: false})
	codes := map[int]string{2: "USA", 365: "RUS", 200: "UKG"}
	got := ir.Histories(ds, 2000, codes)
	// At the end of 2000: USA→RUS e^-2 + e^-1 + e^0, RUS→USA e^-1.5;
	// the last dispute year is 2000 (2001 is after the year). UKG-USA has
	// a dispute year but no initiation by UKG (and the USA row is not in
	// the data).
	want := []indivisible.History{
		{A: "RUS", B: "USA", Through: 2000, Last: 2000, DecayAB: math.Exp(-1.5), DecayBA: math.Exp(-2) + math.Exp(-1) + 1},
		{A: "UKG", B: "USA", Through: 2000, Last: 1999},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-15)); diff != "" {
		t.Errorf("Histories (-want +got):\n%s", diff)
	}
	if got := ir.Histories(ds, 1979, codes); len(got) != 0 {
		t.Errorf("Histories before any dispute = %+v, want none", got)
	}
}

func TestCowCodes(t *testing.T) {
	d := handData()
	got, err := d.CowCodes([]string{"USA", "GBR", "RUS", "SRB"})
	if err != nil {
		t.Fatal(err)
	}
	// Serbia has no COW code in the crosswalk; COW keeps it at 345.
	want := map[int]string{2: "USA", 200: "GBR", 365: "RUS", 345: "SRB"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CowCodes (-want +got):\n%s", diff)
	}
	for _, iso := range []string{"XKX", "UKG", ""} {
		_, err := d.CowCodes([]string{"USA", iso})
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != iso {
			t.Errorf("CowCodes(%q) = %v, want invalid naming %q", iso, err, iso)
		}
	}
}

// TestCapabilities: the CINC is the mean of a state's shares of the
// world totals of the components it reports, over all states of the year
// (CAN's count though it is not asked for), and its military part the
// milex and milper shares' part of that mean.
func TestCapabilities(t *testing.T) {
	d := handData()
	codes := map[int]string{2: "USA", 200: "UKG", 365: "RUS"}
	// 2000 totals: milex 300+10+50 = 360 (UKG's missing), milper 2.8,
	// irst 190, pec 3450, tpop 515, upop 130 (RUS's missing).
	const src = "COW NMC v7 (CINC computed by the COW method)"
	want := []indivisible.Capability{
		{State: "RUS", CINC: (50.0/360 + 1/2.8 + 60.0/190 + 900.0/3450 + 146.0/515) / 5, Military: (50.0/360 + 1/2.8) / 5, Year: 2000, Source: src},
		{State: "UKG", CINC: (0.2/2.8 + 15.0/190 + 300.0/3450 + 59.0/515 + 20.0/130) / 5, Military: (0.2 / 2.8) / 5, Year: 2000, Source: src},
		{State: "USA", CINC: (300.0/360 + 1.5/2.8 + 100.0/190 + 2000.0/3450 + 280.0/515 + 100.0/130) / 6, Military: (300.0/360 + 1.5/2.8) / 6, Year: 2000, Source: src},
	}
	if diff := cmp.Diff(want, d.Capabilities(codes, 2000), cmpopts.EquateApprox(1e-14, 0)); diff != "" {
		t.Errorf("Capabilities(2000) (-want +got):\n%s", diff)
	}
	// After the data's last year (2001), its last year: milex total 460.
	got := d.Capabilities(map[int]string{2: "USA"}, 2025)
	usa := indivisible.Capability{State: "USA", CINC: (400.0/460 + 1.5/2.8 + 100.0/190 + 2000.0/3450 + 280.0/515 + 100.0/130) / 6,
		Military: (400.0/460 + 1.5/2.8) / 6, Year: 2001, Source: src}
	if diff := cmp.Diff([]indivisible.Capability{usa}, got, cmpopts.EquateApprox(1e-14, 0)); diff != "" {
		t.Errorf("Capabilities(2025) (-want +got):\n%s", diff)
	}
	for _, c := range d.Capabilities(codes, 2000) {
		if !(c.Military >= 0 && c.Military <= c.CINC && c.CINC <= 1) {
			t.Errorf("%s: military %v, cinc %v", c.State, c.Military, c.CINC)
		}
	}
}
