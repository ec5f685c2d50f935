package ir

import (
	"slices"
	"strings"
	"testing"
)

func FuzzReadDirDisputes(f *testing.F) {
	fuzzReader(f, "gml-dirdisp.csv", []string{
		dirdispHeader + dirdispUSA + dirdispUKG,
		dirdispHeader + dirdispRow(map[string]string{"hostlev1": "-9", "midonset": "0", "version": "\"a,b\""}),
	}, func(r *strings.Reader, name string) ([]DirDispute, error) { return ReadDirDisputes(r, name) },
		func(t *testing.T, d DirDispute) {
			level := func(v int) bool { return v == -9 || (v >= 1 && v <= 5) }
			if d.Ccode1 == d.Ccode2 || d.DispNum < 1 || !level(d.HostLev1) || !level(d.HostLev2) || !level(d.HostLev) {
				t.Fatalf("accepted %+v", d)
			}
		})
}

func FuzzReadRivalries(f *testing.F) {
	fuzzReader(f, "thompson-dreyer.csv", []string{
		rivalryHeader + "1,Austria-France,220,300,1494,1918,European GPs,spatial,positional,\n150,Cuba-US,2,40,1959,2010,Caribbean,ideological,,\n",
		rivalryHeader + "93,\"India, Pakistan\",750,770,1947,2010,South Asia,spatial,positional,ideological\n",
	}, func(r *strings.Reader, name string) ([]Rivalry, error) { return ReadRivalries(r, name) },
		func(t *testing.T, v Rivalry) {
			if v.Ccode1 >= v.Ccode2 || v.End < v.Start || v.Name == "" || len(v.Types) < 1 || len(v.Types) > 3 {
				t.Fatalf("accepted %+v", v)
			}
			for i, ty := range v.Types {
				if !slices.Contains([]string{"spatial", "positional", "ideological", "interventionary"}, ty) || slices.Contains(v.Types[:i], ty) {
					t.Fatalf("accepted types %q", v.Types)
				}
			}
		})
}

// checkSpell is the invariant of every accepted spell.
func checkSpell(t *testing.T, s Spell) {
	if s.End.Before(s.Start) || s.Start.Year() < minYear || s.End.Year() > maxYear || !Active([]Spell{s}, s.Ccode, s.Start) {
		t.Fatalf("accepted %+v", s)
	}
}

func FuzzReadMajors(f *testing.F) {
	fuzzReader(f, "majors.csv", []string{
		majorsHeader + "255,1816,1,1,1918,11,11,2016\n255,1925,1,1,1945,5,7,2016\n2,1898,8,13,2016,12,31,2016\n",
		majorsHeader + "2,2000,2,29,2000,2,29,x\n",
	}, func(r *strings.Reader, name string) ([]Spell, error) { return ReadMajors(r, name) },
		func(t *testing.T, s Spell) {
			checkSpell(t, s)
			if s.Abb != "" || s.Name != "" {
				t.Fatalf("a major-power spell with a name: %+v", s)
			}
		})
}

func FuzzReadStates(f *testing.F) {
	fuzzReader(f, "states.csv", []string{
		statesHeader + "NTH,210,Netherlands,1816,1,1,1940,5,14,2016\nNTH,210,Netherlands,1945,5,5,2016,12,31,2016\n",
		statesHeader + "AAB,58,\"Antigua, Barbuda\",1981,11,1,2016,12,31,2016\n",
	}, func(r *strings.Reader, name string) ([]Spell, error) { return ReadStates(r, name) },
		func(t *testing.T, s Spell) {
			checkSpell(t, s)
			if len(s.Abb) != 3 || s.Name == "" {
				t.Fatalf("accepted %+v", s)
			}
		})
}

func FuzzReadVDem(f *testing.F) {
	fuzzReader(f, "vdem.csv", []string{
		vdemHeaderCSV + "Mexico,MEX,3,1789,70,70,0.028,0.044,0.006,,,0.056,0\nHamburg,HAM,357,1820,,,0.1,0.1,0.1,,,0.1,0\n",
		vdemHeaderCSV + "Italy,ITA,82,1861,325,325,,,,,,,\nPiedmont-Sardinia,PMS,373,1861,325,325,0.21,0.1,0.1,,,0.2,0\n",
	}, func(r *strings.Reader, name string) ([]Democracy, error) { return ReadVDem(r, name) },
		func(t *testing.T, d Democracy) {
			if !(d.Polyarchy >= 0 && d.Polyarchy <= 1) || d.Ccode < 1 || d.Ccode > maxCcode {
				t.Fatalf("accepted %+v", d)
			}
		})
}

func FuzzReadCountryCodes(f *testing.F) {
	fuzzReader(f, "country-codes.csv", []string{
		codesHeader + "2,USA,USA,US,United States\n345,YUG,,,Yugoslavia\n565,NAM,NAM,NA,Namibia\n",
	}, func(r *strings.Reader, name string) ([]CountryCode, error) { return ReadCountryCodes(r, name) },
		func(t *testing.T, c CountryCode) {
			if c.Name == "" || len(c.Cowc) != 3 || (c.ISO2 != "" && len(c.ISO2) != 2) || (c.ISO3 != "" && len(c.ISO3) != 3) {
				t.Fatalf("accepted %+v", c)
			}
		})
}

func FuzzReadRollCalls(f *testing.F) {
	fuzzReader(f, "roll-calls.csv", []string{
		rollCallsHeader + "3,1,0,1946-01-01,R/1/66,1,0,\"AMENDMENTS, RULES\",\"A \"\"CUBAN\"\" D?ÃƒÂ«TENTE\"\n6027,52,,1997-12-09,,,,,\n",
	}, func(r *strings.Reader, name string) ([]RollCall, error) { return ReadRollCalls(r, name) },
		func(t *testing.T, c RollCall) {
			if c.RCID < 1 || c.Session < 1 || c.Date.IsZero() {
				t.Fatalf("accepted %+v", c)
			}
		})
}

func FuzzReadVotes(f *testing.F) {
	known := map[int]bool{260: true}
	for _, c := range testCodes {
		known[c.Cown] = true
	}
	fuzzReader(f, "votes.csv", []string{
		votesHeader + "3,United States,US,yes\n3,Cuba,CU,no\n3,Namibia,NA,abstain\n4,Federal Republic of Germany,,yes\n",
	}, func(r *strings.Reader, name string) ([]Vote, error) { return ReadVotes(r, name, testCodes) },
		func(t *testing.T, v Vote) {
			if v.Choice < 1 || v.Choice > 3 || !known[v.Ccode] || v.RCID < 1 {
				t.Fatalf("accepted %+v", v)
			}
		})
}
