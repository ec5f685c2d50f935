package ir

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// sharedFiles are the files of the shared data that LoadData reads.
var sharedFiles = []string{
	"cow/nmc-v7-components.csv", "atop/alliance-dyad-years.csv", "cow/capitals.csv", "cow/contiguity.csv",
	"cow/majors.csv", "cow/states.csv", "mid/gml-dirdisp.csv", "rivalry/thompson-dreyer.csv",
	"democracy/vdem.csv", "codes/country-codes.csv", "unga/votes.csv", "unga/roll-calls.csv",
}

var (
	sharedAll     *Data
	sharedAllOnce sync.Once
	sharedAllErr  error
	sharedAllTime time.Duration
)

// loadAll returns LoadData of the shared data, loaded once for all tests;
// it skips the test when the data are absent (failing under CI=true).
func loadAll(tb testing.TB) *Data {
	tb.Helper()
	for _, f := range sharedFiles {
		openData(tb, f)
	}
	sharedAllOnce.Do(func() {
		t0 := time.Now()
		sharedAll, sharedAllErr = LoadData(dataDir)
		sharedAllTime = time.Since(t0)
	})
	if sharedAllErr != nil {
		tb.Fatal(sharedAllErr)
	}
	return sharedAll
}

// TestSharedLoadData checks that LoadData reads every file and records the
// SHA-256 of its bytes, computed here independently of the streaming hash.
func TestSharedLoadData(t *testing.T) {
	d := loadAll(t)
	t.Logf("LoadData took %v", sharedAllTime)
	if len(d.Files) != len(sharedFiles) {
		t.Errorf("%d files hashed, want %d: %v", len(d.Files), len(sharedFiles), d.Files)
	}
	for _, f := range sharedFiles {
		b, err := os.ReadFile(filepath.Join(dataDir, f))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got, want := d.Files[f], hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: hash %q, want %q", f, got, want)
		}
	}
}

// TestSharedCounts checks the row counts and facts the README gives for
// the data sets LoadData reads, beyond those checked by older tests.
func TestSharedCounts(t *testing.T) {
	d := loadAll(t)

	// GML directed dispute-dyad-years: 10,276 rows, 1816-2010 with no row in
	// 1817, 1819, 1820, 1824 or 1825; both directions of every row; 992
	// rows repeat a ccode1,ccode2,year key; 734 onset rows fall after their
	// dispute's start year (here: its earliest year in the file).
	if len(d.Disputes) != 10276 {
		t.Errorf("%d dispute-dyad-years, want 10,276", len(d.Disputes))
	}
	type dyadYear struct{ a, b, year int }
	type row struct{ disp, a, b, year int }
	keys := map[dyadYear]int{}
	rows := map[row]DirDispute{}
	years := map[int]bool{}
	start := map[int]int{}
	for _, x := range d.Disputes {
		keys[dyadYear{x.Ccode1, x.Ccode2, x.Year}]++
		rows[row{x.DispNum, x.Ccode1, x.Ccode2, x.Year}] = x
		years[x.Year] = true
		if s, ok := start[x.DispNum]; !ok || x.Year < s {
			start[x.DispNum] = x.Year
		}
	}
	repeats := 0
	for _, n := range keys {
		repeats += n - 1
	}
	if repeats != 992 {
		t.Errorf("%d rows repeat a ccode1,ccode2,year key, want 992", repeats)
	}
	for y := 1816; y <= 2010; y++ {
		gap := y == 1817 || y == 1819 || y == 1820 || y == 1824 || y == 1825
		if years[y] == gap {
			t.Errorf("year %d: rows %v, want %v", y, years[y], !gap)
		}
	}
	for y := range years {
		if y < 1816 || y > 2010 {
			t.Errorf("dispute row in %d", y)
		}
	}
	late := 0
	for k, x := range rows {
		r, ok := rows[row{k.disp, k.b, k.a, k.year}]
		if !ok {
			t.Fatalf("dispute %d %d-%d in %d has no reverse row", k.disp, k.a, k.b, k.year)
		}
		if r.SideA1 == x.SideA1 || r.HostLev1 != x.HostLev2 || r.Onset != x.Onset || r.HostLev != x.HostLev {
			t.Errorf("dispute %d %d-%d in %d: reverse row %+v does not mirror %+v", k.disp, k.a, k.b, k.year, r, x)
		}
		if x.Onset && x.Year > start[x.DispNum] {
			late++
		}
	}
	if late != 734 {
		t.Errorf("%d onset rows after the dispute's start year, want 734", late)
	}
	if len(start) != 2174 {
		t.Errorf("%d disputes, want 2,174 (as in the participants file)", len(start))
	}

	// Rivalries: 197, 42 still going in 2010.
	if len(d.Rivalries) != 197 {
		t.Errorf("%d rivalries, want 197", len(d.Rivalries))
	}
	ongoing := 0
	for _, r := range d.Rivalries {
		if r.End == 2010 {
			ongoing++
		}
	}
	if ongoing != 42 {
		t.Errorf("%d rivalries end in 2010, want 42", ongoing)
	}
	if r := d.Rivalries[0]; r.Name != "Austria-France" || r.Ccode1 != 220 || r.Ccode2 != 300 || r.Start != 1494 {
		t.Errorf("first rivalry %+v", r)
	}

	// Major powers: 14 spells, France 2, Germany 3, Russia 2, Japan 2.
	if len(d.Majors) != 14 {
		t.Errorf("%d major-power spells, want 14", len(d.Majors))
	}
	spells := map[int]int{}
	for _, s := range d.Majors {
		spells[s.Ccode]++
	}
	for c, n := range map[int]int{220: 2, 255: 3, 365: 2, 740: 2, 2: 1, 200: 1} {
		if spells[c] != n {
			t.Errorf("state %d has %d major-power spells, want %d", c, spells[c], n)
		}
	}
	for _, tc := range []struct {
		ccode, year int
		want        bool
	}{{255, 1930, true}, {255, 1950, false}, {255, 2000, true}, {2, 1890, false}, {2, 1900, true}, {710, 1949, false}, {710, 1950, true}} {
		if got := Active(d.Majors, tc.ccode, July1(tc.year)); got != tc.want {
			t.Errorf("state %d a major power on 1 July %d: %v, want %v", tc.ccode, tc.year, got, tc.want)
		}
	}

	// States: 243 spells of 217 states, 26 of which re-enter; 195 spells
	// end on 2016-12-31.
	if len(d.States) != 243 {
		t.Errorf("%d state spells, want 243", len(d.States))
	}
	members := map[int]int{}
	current := 0
	for _, s := range d.States {
		members[s.Ccode]++
		if s.End.Equal(utcDate(2016, 12, 31)) {
			current++
		}
	}
	reentered := 0
	for _, n := range members {
		if n > 1 {
			reentered++
		}
	}
	if len(members) != 217 || reentered != 26 || current != 195 {
		t.Errorf("%d states, %d re-entering, %d current; want 217, 26, 195", len(members), reentered, current)
	}
	if Active(d.States, 210, July1(1942)) || !Active(d.States, 210, July1(1950)) {
		t.Error("the Netherlands (210) should be out in 1942 and in in 1950")
	}

	// Country codes: 215; 21 without ISO codes; Namibia's iso2c NA; 260
	// and 730 absent; cowc equal to the states' stateabb for shared codes.
	if len(d.Codes) != 215 {
		t.Errorf("%d country codes, want 215", len(d.Codes))
	}
	abb := map[int]string{}
	for _, s := range d.States {
		abb[s.Ccode] = s.Abb
	}
	noISO := 0
	for _, c := range d.Codes {
		if c.ISO2 == "" && c.ISO3 == "" {
			noISO++
		}
		if c.Cown == 260 || c.Cown == 730 {
			t.Errorf("code %d in the crosswalk", c.Cown)
		}
		if a, ok := abb[c.Cown]; ok && a != c.Cowc {
			t.Errorf("code %d: cowc %q, stateabb %q", c.Cown, c.Cowc, a)
		}
		if c.Cown == 565 && (c.ISO2 != "NA" || c.Name != "Namibia") {
			t.Errorf("Namibia: %+v", c)
		}
	}
	if noISO != 21 {
		t.Errorf("%d codes without ISO codes, want 21", noISO)
	}

	// V-Dem: 27,913 rows, of which 1,138 lack v2x_polyarchy and 933 lack
	// cown; 142 lack both (counted with Python's csv module), so 27,913 -
	// 1,138 - 933 + 142 = 25,984 are kept, with no repeated cown-year once
	// Italy's unscored 1861 row is skipped.
	if len(d.Democracy) != 25984 {
		t.Errorf("%d V-Dem country-years, want 25,984", len(d.Democracy))
	}
	for _, v := range d.Democracy {
		if v.Ccode == 325 && v.Year == 1861 && v.Polyarchy != 0.21 {
			t.Errorf("325 in 1861: %v, want Piedmont-Sardinia's 0.21", v.Polyarchy)
		}
	}
}

// writeFiles writes files (path relative to dir -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, s := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tinyData is a complete folder of one or two rows per file.
var tinyData = map[string]string{
	"cow/nmc-v7-components.csv":    nmcHeader + "2,USA,2000,1,1,1,1,1,1\n40,CUB,2000,1,1,1,1,1,1\n",
	"atop/alliance-dyad-years.csv": atopHeader + "2,20,2000,1,0,0,0,0\n",
	"cow/capitals.csv":             capitalsHeader + "2,United States,Washington,1816-01-01,2024-12-31,38.9,-77\n",
	"cow/contiguity.csv":           contiguityHeader + "2,40,4,1902-05-20,2016-12-31\n",
	"cow/majors.csv":               majorsHeader + "2,1898,8,13,2016,12,31,2016\n",
	"cow/states.csv":               statesHeader + "USA,2,United States of America,1816,1,1,2016,12,31,2016\n",
	"mid/gml-dirdisp.csv":          dirdispHeader + dirdispUSA + dirdispUKG,
	"rivalry/thompson-dreyer.csv":  rivalryHeader + "150,Cuba-US,2,40,1959,2010,Caribbean,ideological,,\n",
	"democracy/vdem.csv":           vdemHeaderCSV + "Mexico,MEX,3,1789,70,70,0.028,0.044,0.006,,,0.056,0\n",
	"codes/country-codes.csv":      codesHeader + "2,USA,USA,US,United States\n40,CUB,CUB,CU,Cuba\n",
	"unga/votes.csv":               votesHeader + "1,United States,US,yes\n1,Cuba,CU,no\n",
	"unga/roll-calls.csv":          rollCallsHeader + "1,55,0,2000-10-01,,,,,\n",
}

func TestLoadDataTiny(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, tinyData)
	d, err := LoadData(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.NMC) != 2 || len(d.ATOP) != 1 || len(d.Capitals) != 1 || len(d.Contiguity) != 1 || len(d.Majors) != 1 ||
		len(d.States) != 1 || len(d.Disputes) != 2 || len(d.Rivalries) != 1 || len(d.Democracy) != 1 || len(d.Codes) != 2 {
		t.Errorf("rows: %+v", d)
	}
	// USA yes, Cuba no: 1 - 2/2 = 0 over one roll call.
	if agree, n, ok := d.Affinity.At(2000, 2, 40); !ok || n != 1 || agree != 0 {
		t.Errorf("affinity %v, %d, %v; want 0 over 1", agree, n, ok)
	}
	if len(d.Files) != len(tinyData) {
		t.Errorf("%d hashes, want %d", len(d.Files), len(tinyData))
	}
	for rel, s := range tinyData {
		sum := sha256.Sum256([]byte(s))
		if d.Files[rel] != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: hash %q", rel, d.Files[rel])
		}
	}
}

func TestLoadDataErrors(t *testing.T) {
	// A missing file is ENOTFOUND at its path.
	dir := t.TempDir()
	missing := map[string]string{}
	for rel, s := range tinyData {
		if rel != "unga/roll-calls.csv" {
			missing[rel] = s
		}
	}
	writeFiles(t, dir, missing)
	_, err := LoadData(dir)
	if code, field := indivisibleCode(err), indivisible.ErrorField(err); code != indivisible.ENOTFOUND || field != filepath.Join(dir, "unga/roll-calls.csv") {
		t.Errorf("missing roll calls: code %q, field %q (%v)", code, field, err)
	}
	// An empty folder: the first file in the order of Data is reported.
	_, err = LoadData(t.TempDir())
	if code := indivisibleCode(err); code != indivisible.ENOTFOUND || !strings.HasSuffix(indivisible.ErrorField(err), "cow/nmc-v7-components.csv") {
		t.Errorf("empty folder: %v", err)
	}
	// A malformed file is the reader's error, named by its path.
	dir = t.TempDir()
	bad := maps.Clone(tinyData)
	bad["cow/majors.csv"] = majorsHeader + "2,1898,8,13,2016,13,31,2016\n"
	bad["unga/votes.csv"] = votesHeader + "1,Atlantis,AT,yes\n"
	writeFiles(t, dir, bad)
	_, err = LoadData(dir)
	if code, field := indivisibleCode(err), indivisible.ErrorField(err); code != indivisible.EINVALID || field != filepath.Join(dir, "cow/majors.csv")+":2:endmonth" {
		t.Errorf("bad majors: code %q, field %q (%v)", code, field, err)
	}
}
