package ir

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/indivisible-eurasia/indivisible"
)

// Headers as the shared data's README and files give them.
const (
	dirdispHeader = "dispnum,ccode1,ccode2,year,midongoing,midonset,sidea1,sidea2,revstate1,revstate2," +
		"revtype11,revtype12,revtype21,revtype22,fatality1,fatality2,fatalpre1,fatalpre2,hiact1,hiact2," +
		"hostlev1,hostlev2,orig1,orig2,hiact,hostlev,mindur,maxdur,outcome,settle,fatality,fatalpre," +
		"stmon,endmon,recip,numa,numb,ongo2010,version\n"
	rivalryHeader = "rivalryno,rivalryname,ccode1,ccode2,styear,endyear,region,type1,type2,type3\n"
	majorsHeader  = "ccode,styear,stmonth,stday,endyear,endmonth,endday,version\n"
	statesHeader  = "stateabb,ccode,statenme,styear,stmonth,stday,endyear,endmonth,endday,version\n"
	vdemHeaderCSV = "vdem_country_name,country_text_id,country_id,year,vdem_cowcode,cown,v2x_polyarchy," +
		"v2x_libdem,v2x_partipdem,v2x_delibdem,v2x_egaldem,v2x_api,v2x_mpi\n"
	codesHeader     = "cown,cowc,iso3c,iso2c,country.name.en\n"
	rollCallsHeader = "rcid,session,importantvote,date,unres,amend,para,short,descr\n"
	votesHeader     = "rcid,country,country_code,vote\n"
)

// The first two rows of gml-dirdisp.csv: dispute 2, the United States (2)
// on Side A against the United Kingdom (200) in 1902, both directions.
const (
	dirdispUSA = "2,2,200,1902,1,1,1,0,1,1,1,1,-9,-9,0,0,0,0,7,0,3,1,1,1,7,3,1,31,6,1,0,0,5,5,0,1,1,0,gml-2.2.1\n"
	dirdispUKG = "2,200,2,1902,1,1,0,1,1,1,1,1,-9,-9,0,0,0,0,0,7,1,3,1,1,7,3,1,31,6,1,0,0,5,5,0,1,1,0,gml-2.2.1\n"
)

// dirdispRow returns dirdispUSA with the named columns replaced.
func dirdispRow(set map[string]string) string {
	names := strings.Split(strings.TrimSpace(dirdispHeader), ",")
	vals := strings.Split(strings.TrimSpace(dirdispUSA), ",")
	for i, n := range names {
		if v, ok := set[n]; ok {
			vals[i] = v
		}
	}
	return strings.Join(vals, ",") + "\n"
}

func utcDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestReadDirDisputes(t *testing.T) {
	// A joiner (orig1 0) entering in a later year (midonset 0) with an
	// unknown hostility level.
	later := dirdispRow(map[string]string{"dispnum": "7", "ccode1": "365", "ccode2": "640", "year": "1903",
		"midonset": "0", "orig1": "0", "hostlev1": "-9", "hostlev2": "5", "hostlev": "5"})
	got, err := ReadDirDisputes(strings.NewReader(dirdispHeader+dirdispUSA+dirdispUKG+later), "gml-dirdisp.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []DirDispute{
		{DispNum: 2, Ccode1: 2, Ccode2: 200, Year: 1902, Onset: true, SideA1: true, Orig1: true, HostLev1: 3, HostLev2: 1, HostLev: 3},
		{DispNum: 2, Ccode1: 200, Ccode2: 2, Year: 1902, Onset: true, SideA1: false, Orig1: true, HostLev1: 1, HostLev2: 3, HostLev: 3},
		{DispNum: 7, Ccode1: 365, Ccode2: 640, Year: 1903, Onset: false, SideA1: true, Orig1: false, HostLev1: -9, HostLev2: 5, HostLev: 5},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}

func TestReadRivalries(t *testing.T) {
	got, err := ReadRivalries(strings.NewReader(rivalryHeader+
		"1,Austria-France,220,300,1494,1918,European GPs,spatial,positional,\n"+
		"93,\"India-Pakistan, \"\"Kashmir\"\"\",750,770,1947,2010,South Asia,spatial,positional,ideological\n"+
		"150,Cuba-US,2,40,1959,2010,Caribbean,ideological,,\n"), "thompson-dreyer.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Rivalry{
		{No: 1, Name: "Austria-France", Ccode1: 220, Ccode2: 300, Start: 1494, End: 1918, Types: []string{"spatial", "positional"}},
		{No: 93, Name: `India-Pakistan, "Kashmir"`, Ccode1: 750, Ccode2: 770, Start: 1947, End: 2010, Types: []string{"spatial", "positional", "ideological"}},
		{No: 150, Name: "Cuba-US", Ccode1: 2, Ccode2: 40, Start: 1959, End: 2010, Types: []string{"ideological"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}

func TestReadMajorsStatesActive(t *testing.T) {
	majors, err := ReadMajors(strings.NewReader(majorsHeader+
		"255,1816,1,1,1918,11,11,2016\n255,1925,1,1,1945,5,7,2016\n255,1991,12,11,2016,12,31,2016\n2,1898,8,13,2016,12,31,2016\n"), "majors.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Spell{
		{Ccode: 255, Start: utcDate(1816, 1, 1), End: utcDate(1918, 11, 11)},
		{Ccode: 255, Start: utcDate(1925, 1, 1), End: utcDate(1945, 5, 7)},
		{Ccode: 255, Start: utcDate(1991, 12, 11), End: utcDate(2016, 12, 31)},
		{Ccode: 2, Start: utcDate(1898, 8, 13), End: utcDate(2016, 12, 31)},
	}
	if d := cmp.Diff(want, majors); d != "" {
		t.Error(d)
	}
	for _, tc := range []struct {
		ccode int
		date  time.Time
		want  bool
	}{
		{255, utcDate(1918, 11, 11), true},  // the last day of a spell is in it
		{255, utcDate(1918, 11, 12), false}, // Germany between its first two spells
		{255, utcDate(1925, 1, 1), true},    // the first day too
		{255, utcDate(1960, 7, 1), false},
		{2, utcDate(1898, 8, 12), false},
		{2, utcDate(1898, 8, 13), true},
		{20, utcDate(1950, 7, 1), false}, // no spell at all
	} {
		if got := Active(majors, tc.ccode, tc.date); got != tc.want {
			t.Errorf("Active(%d, %s) = %v, want %v", tc.ccode, tc.date.Format(time.DateOnly), got, tc.want)
		}
	}
	states, err := ReadStates(strings.NewReader(statesHeader+
		"NTH,210,Netherlands,1816,1,1,1940,5,14,2016\nNTH,210,Netherlands,1945,5,5,2016,12,31,2016\n"+
		"AAB,58,Antigua & Barbuda,1981,11,1,2016,12,31,2016\nGMY,255,\"Germany, Prussia\",1816,1,1,1945,5,8,2016\n"), "states.csv")
	if err != nil {
		t.Fatal(err)
	}
	want = []Spell{
		{Ccode: 210, Abb: "NTH", Name: "Netherlands", Start: utcDate(1816, 1, 1), End: utcDate(1940, 5, 14)},
		{Ccode: 210, Abb: "NTH", Name: "Netherlands", Start: utcDate(1945, 5, 5), End: utcDate(2016, 12, 31)},
		{Ccode: 58, Abb: "AAB", Name: "Antigua & Barbuda", Start: utcDate(1981, 11, 1), End: utcDate(2016, 12, 31)},
		{Ccode: 255, Abb: "GMY", Name: "Germany, Prussia", Start: utcDate(1816, 1, 1), End: utcDate(1945, 5, 8)},
	}
	if d := cmp.Diff(want, states); d != "" {
		t.Error(d)
	}
	if Active(states, 210, utcDate(1942, 7, 1)) || !Active(states, 210, utcDate(1946, 7, 1)) {
		t.Error("the Netherlands should be out of the system in 1942 and in it in 1946")
	}
}

func TestReadVDem(t *testing.T) {
	got, err := ReadVDem(strings.NewReader(vdemHeaderCSV+
		"Mexico,MEX,3,1789,70,70,0.028,0.044,0.006,,,0.056,0\n"+
		"Hamburg,HAM,357,1820,,,0.1,0.1,0.1,,,0.1,0\n"+ // no cown: skipped
		"Italy,ITA,82,1861,325,325,,,,,,,\n"+ // no score: skipped
		"Piedmont-Sardinia,PMS,373,1861,325,325,0.21,0.1,0.1,,,0.2,0\n"+
		"Repeat,REP,1,1861,325,325,0.5,0.1,0.1,,,0.2,0\n"+ // same cown-year as the row above: ignored
		"\"Korea, South\",KOR,42,2024,732,732,1,0.8,0.6,0.8,0.8,0.9,0.8\n"), "vdem.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Democracy{{70, 1789, 0.028}, {325, 1861, 0.21}, {732, 2024, 1}}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}

func TestReadCountryCodes(t *testing.T) {
	got, err := ReadCountryCodes(strings.NewReader(codesHeader+
		"2,USA,USA,US,United States\n345,YUG,,,Yugoslavia\n565,NAM,NAM,NA,Namibia\n680,YPR,,,Yemen People's Republic\n"+
		"652,SYR,SYR,SY,\"Syria, Arab Republic\"\n"), "country-codes.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []CountryCode{
		{2, "USA", "USA", "US", "United States"},
		{345, "YUG", "", "", "Yugoslavia"},
		{565, "NAM", "NAM", "NA", "Namibia"}, // NA is Namibia's code, not a missing value
		{680, "YPR", "", "", "Yemen People's Republic"},
		{652, "SYR", "SYR", "SY", "Syria, Arab Republic"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}

func TestReadRollCalls(t *testing.T) {
	got, err := ReadRollCalls(strings.NewReader(rollCallsHeader+
		"3,1,0,1946-01-01,R/1/66,1,0,\"AMENDMENTS, RULES OF PROCEDURE\",\"TO ADOPT A \"\"CUBAN\"\" AMENDMENT, D?ÃƒÂ«TENTE\"\n"+
		"6027,52,,1997-12-09,,,,,\n"+ // the source's roll call without text; empty importantvote
		"2000,39,1,1984-10-17,R/39/1,,,SOUTH AFRICA\t,TEXT WITH \\ BACKSLASH\n"), "roll-calls.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []RollCall{
		{RCID: 3, Session: 1, Date: utcDate(1946, 1, 1), Important: false},
		{RCID: 6027, Session: 52, Date: utcDate(1997, 12, 9), Important: false},
		{RCID: 2000, Session: 39, Date: utcDate(1984, 10, 17), Important: true},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}

// testCodes is a small crosswalk for the votes tests.
var testCodes = []CountryCode{
	{2, "USA", "USA", "US", "United States"},
	{40, "CUB", "CUB", "CU", "Cuba"},
	{255, "GMY", "DEU", "DE", "Germany"},
	{565, "NAM", "NAM", "NA", "Namibia"},
}

func TestReadVotes(t *testing.T) {
	got, err := ReadVotes(strings.NewReader(votesHeader+
		"3,United States,US,yes\n3,Cuba,CU,no\n3,Namibia,NA,abstain\n"+
		"1500,Federal Republic of Germany,,yes\n1500,Germany,DE,no\n"), "votes.csv", testCodes)
	if err != nil {
		t.Fatal(err)
	}
	want := []Vote{{3, 2, 1}, {3, 40, 3}, {3, 565, 2}, {1500, 260, 1}, {1500, 255, 3}}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}

// TestNewReadersReject checks that every new reader names the file, line
// and column of a malformed input.
func TestNewReadersReject(t *testing.T) {
	type reader func(string) error
	dd := func(s string) error { _, err := ReadDirDisputes(strings.NewReader(s), "dd.csv"); return err }
	riv := func(s string) error { _, err := ReadRivalries(strings.NewReader(s), "riv.csv"); return err }
	maj := func(s string) error { _, err := ReadMajors(strings.NewReader(s), "maj.csv"); return err }
	sta := func(s string) error { _, err := ReadStates(strings.NewReader(s), "sta.csv"); return err }
	vd := func(s string) error { _, err := ReadVDem(strings.NewReader(s), "vdem.csv"); return err }
	cc := func(s string) error { _, err := ReadCountryCodes(strings.NewReader(s), "cc.csv"); return err }
	rc := func(s string) error { _, err := ReadRollCalls(strings.NewReader(s), "rc.csv"); return err }
	vo := func(s string) error { _, err := ReadVotes(strings.NewReader(s), "votes.csv", testCodes); return err }
	row := dirdispRow
	for _, tc := range []struct {
		name  string
		read  reader
		input string
		field string
	}{
		{"dd empty", dd, "", "dd.csv:1"},
		// The README describes orig1/orig2 before revstate1/revstate2;
		// the file, and so the reader, has them after hostlev1/hostlev2.
		{"dd README order", dd, strings.Replace(dirdispHeader, "sidea2,revstate1", "sidea2,orig1", 1), "dd.csv:1:revstate1"},
		{"dd missing column", dd, strings.Replace(dirdispHeader, ",version", "", 1), "dd.csv:1"},
		{"dd short row", dd, dirdispHeader + strings.Replace(dirdispUSA, ",gml-2.2.1", "", 1), "dd.csv:2"},
		{"dd self", dd, dirdispHeader + row(map[string]string{"ccode2": "2"}), "dd.csv:2:ccode2"},
		{"dd both side A", dd, dirdispHeader + row(map[string]string{"sidea2": "1"}), "dd.csv:2:sidea2"},
		{"dd neither side A", dd, dirdispHeader + row(map[string]string{"sidea1": "0"}), "dd.csv:2:sidea2"},
		{"dd sidea 2", dd, dirdispHeader + row(map[string]string{"sidea1": "2"}), "dd.csv:2:sidea1"},
		{"dd onset", dd, dirdispHeader + row(map[string]string{"midonset": "-9"}), "dd.csv:2:midonset"},
		{"dd orig", dd, dirdispHeader + row(map[string]string{"orig1": ""}), "dd.csv:2:orig1"},
		{"dd hostlev1 0", dd, dirdispHeader + row(map[string]string{"hostlev1": "0"}), "dd.csv:2:hostlev1"},
		{"dd hostlev2 6", dd, dirdispHeader + row(map[string]string{"hostlev2": "6"}), "dd.csv:2:hostlev2"},
		{"dd hostlev -8", dd, dirdispHeader + row(map[string]string{"hostlev": "-8"}), "dd.csv:2:hostlev"},
		{"dd ccode", dd, dirdispHeader + row(map[string]string{"ccode1": "1000"}), "dd.csv:2:ccode1"},
		{"dd year", dd, dirdispHeader + row(map[string]string{"year": "x"}), "dd.csv:2:year"},
		{"dd dispnum", dd, dirdispHeader + row(map[string]string{"dispnum": "0"}), "dd.csv:2:dispnum"},
		{"dd duplicate", dd, dirdispHeader + dirdispUSA + dirdispUKG + dirdispUSA, "dd.csv:4:year"},

		{"riv header", riv, strings.Replace(rivalryHeader, "type3", "type", 1), "riv.csv:1:type3"},
		{"riv order", riv, rivalryHeader + "1,France-Austria,300,220,1494,1918,E,spatial,,\n", "riv.csv:2:ccode2"},
		{"riv equal", riv, rivalryHeader + "1,France-France,220,220,1494,1918,E,spatial,,\n", "riv.csv:2:ccode2"},
		{"riv end", riv, rivalryHeader + "1,Austria-France,220,300,1494,1493,E,spatial,,\n", "riv.csv:2:endyear"},
		{"riv no type", riv, rivalryHeader + "1,Austria-France,220,300,1494,1918,E,,,\n", "riv.csv:2:type1"},
		{"riv gap", riv, rivalryHeader + "1,Austria-France,220,300,1494,1918,E,spatial,,positional\n", "riv.csv:2:type3"},
		{"riv unknown type", riv, rivalryHeader + "1,Austria-France,220,300,1494,1918,E,spatial,Spatial,\n", "riv.csv:2:type2"},
		{"riv repeated type", riv, rivalryHeader + "1,Austria-France,220,300,1494,1918,E,spatial,positional,spatial\n", "riv.csv:2:type3"},
		{"riv name", riv, rivalryHeader + "1,,220,300,1494,1918,E,spatial,,\n", "riv.csv:2:rivalryname"},
		{"riv duplicate", riv, rivalryHeader + "1,A-F,220,300,1494,1918,E,spatial,,\n1,A-P,300,640,1494,1918,E,spatial,,\n", "riv.csv:3:rivalryno"},

		{"maj header", maj, "ccode,styear,stmonth,stday,endyear,endmonth,endday\n", "maj.csv:1"},
		{"maj month", maj, majorsHeader + "2,1898,13,13,2016,12,31,2016\n", "maj.csv:2:stmonth"},
		{"maj day", maj, majorsHeader + "2,1898,2,29,2016,12,31,2016\n", "maj.csv:2:stday"}, // 1898 is no leap year
		{"maj day 0", maj, majorsHeader + "2,1898,8,13,2016,12,0,2016\n", "maj.csv:2:endday"},
		{"maj end before start", maj, majorsHeader + "2,1898,8,13,1898,8,12,2016\n", "maj.csv:2:endyear"},
		{"maj overlap", maj, majorsHeader + "255,1816,1,1,1918,11,11,2016\n255,1918,11,11,1945,5,7,2016\n", "maj.csv:3:styear"},
		{"sta abb", sta, statesHeader + "Usa,2,United States of America,1816,1,1,2016,12,31,2016\n", "sta.csv:2:stateabb"},
		{"sta abb changes", sta, statesHeader + "NTH,210,Netherlands,1816,1,1,1940,5,14,2016\nHOL,210,Netherlands,1945,5,5,2016,12,31,2016\n", "sta.csv:3:stateabb"},
		{"sta abb reused", sta, statesHeader + "GMY,255,Germany,1816,1,1,1945,5,8,2016\nGMY,260,German Federal Republic,1955,5,5,1990,10,2,2016\n", "sta.csv:3:stateabb"},
		{"sta name", sta, statesHeader + "USA,2,,1816,1,1,2016,12,31,2016\n", "sta.csv:2:statenme"},
		{"sta leap day", sta, statesHeader + "USA,2,United States,1900,2,29,2016,12,31,2016\n", "sta.csv:2:stday"}, // 1900 is no leap year

		{"vdem header", vd, strings.Replace(vdemHeaderCSV, "cown", "ccode", 1), "vdem.csv:1:cown"},
		{"vdem above 1", vd, vdemHeaderCSV + "Mexico,MEX,3,1789,70,70,1.028,0.044,0.006,,,0.056,0\n", "vdem.csv:2:v2x_polyarchy"},
		{"vdem negative", vd, vdemHeaderCSV + "Mexico,MEX,3,1789,70,70,-0.01,0.044,0.006,,,0.056,0\n", "vdem.csv:2:v2x_polyarchy"},
		{"vdem NA", vd, vdemHeaderCSV + "Mexico,MEX,3,1789,70,70,NA,0.044,0.006,,,0.056,0\n", "vdem.csv:2:v2x_polyarchy"},
		{"vdem cown", vd, vdemHeaderCSV + "Mexico,MEX,3,1789,70,x,0.028,0.044,0.006,,,0.056,0\n", "vdem.csv:2:cown"},
		{"vdem year skipped row", vd, vdemHeaderCSV + "Hamburg,HAM,357,18x0,,,0.1,0.1,0.1,,,0.1,0\n", "vdem.csv:2:year"},

		{"cc header", cc, "cown,cowc,iso3c,iso2c,country.name\n", "cc.csv:1:country.name.en"},
		{"cc cowc", cc, codesHeader + "2,US,USA,US,United States\n", "cc.csv:2:cowc"},
		{"cc iso3", cc, codesHeader + "2,USA,US,US,United States\n", "cc.csv:2:iso3c"},
		{"cc iso2", cc, codesHeader + "2,USA,USA,us,United States\n", "cc.csv:2:iso2c"},
		{"cc name", cc, codesHeader + "2,USA,USA,US,\n", "cc.csv:2:country.name.en"},
		{"cc cown repeated", cc, codesHeader + "2,USA,USA,US,United States\n2,USB,,,America\n", "cc.csv:3:cown"},
		{"cc name repeated", cc, codesHeader + "2,USA,USA,US,United States\n3,USB,,,United States\n", "cc.csv:3:country.name.en"},
		{"cc iso2 repeated", cc, codesHeader + "2,USA,USA,US,United States\n3,USB,USB,US,America\n", "cc.csv:3:iso2c"},

		{"rc header", rc, "rcid,session,importantvote,date\n", "rc.csv:1"},
		{"rc date", rc, rollCallsHeader + "3,1,0,1946-1-1,R/1/66,1,0,S,D\n", "rc.csv:2:date"},
		{"rc important", rc, rollCallsHeader + "3,1,NA,1946-01-01,R/1/66,1,0,S,D\n", "rc.csv:2:importantvote"},
		{"rc session", rc, rollCallsHeader + "3,0,0,1946-01-01,R/1/66,1,0,S,D\n", "rc.csv:2:session"},
		{"rc duplicate", rc, rollCallsHeader + "3,1,0,1946-01-01,,,,,\n4,1,0,1946-01-02,,,,,\n3,1,0,1946-01-03,,,,,\n", "rc.csv:4:rcid"},
		{"rc quote", rc, rollCallsHeader + "3,1,0,1946-01-01,R/1/66,1,0,\"S,D\n", "rc.csv:2"},

		{"votes header", vo, "rcid,country,vote\n", "votes.csv:1"},
		{"votes unknown country", vo, votesHeader + "3,United States,US,yes\n3,Atlantis,AT,no\n", "votes.csv:3:country"},
		{"votes name case", vo, votesHeader + "3,united states,US,yes\n", "votes.csv:2:country"},
		{"votes choice", vo, votesHeader + "3,United States,US,absent\n", "votes.csv:2:vote"},
		{"votes numeric choice", vo, votesHeader + "3,United States,US,1\n", "votes.csv:2:vote"},
		{"votes rcid", vo, votesHeader + "x,United States,US,yes\n", "votes.csv:2:rcid"},
		{"votes twice", vo, votesHeader + "3,United States,US,yes\n4,United States,US,yes\n3,United States,US,no\n", "votes.csv:4:country"},
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
