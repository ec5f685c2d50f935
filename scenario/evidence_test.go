package scenario_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ir/irtest"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// evidenceDir is the tiny scenario with every evidence file.
const evidenceDir = "testdata/evidence"

// evidenceFS returns the evidence fixture as a MapFS so tests can break
// one file.
func evidenceFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, f := range append(slices.Clone(scenario.Files), scenario.EvidenceFiles()...) {
		b, err := os.ReadFile(filepath.Join(evidenceDir, f))
		if err != nil {
			t.Fatal(err)
		}
		m[f] = &fstest.MapFile{Data: b}
	}
	return m
}

// wantEvidence is the fixture's evidence, read off its files by hand. The
// disputes' onsets follow the rule of docs/scenario.md: a dispute year of a
// pair with no dispute between the two (either way round) the year before,
// counting a history whose last dispute year is the year it runs through
// as a dispute going on.
var wantEvidence = indivisible.Evidence{
	Capabilities: []indivisible.Capability{
		{State: "AAA", CINC: 0.3, Military: 0.1, Year: 2022, Source: "test"},
		{State: "BBB", CINC: 0.05, Military: 0.02, Year: 2022, Source: "test"},
		{State: "CCC", CINC: 0.5, Source: "test"},
	},
	Regimes: []indivisible.Regime{
		{State: "AAA", Polyarchy: 0.8, Year: 2024, Source: "V-Dem v15"},
		{State: "BBB", Polyarchy: 0.25, Year: 2024, Source: "V-Dem v15"},
	},
	Majors:       []indivisible.Major{{State: "CCC", Since: 1950, Source: "COW"}, {State: "DDD", Source: "COW"}},
	Contiguities: []indivisible.Contiguity{{A: "AAA", B: "CCC", Type: 4}, {A: "BBB", B: "CCC", Type: 2}},
	Affinities: []indivisible.Affinity{
		{A: "AAA", B: "BBB", Agreement: 0.9, Votes: 80, Year: 2019},
		{A: "AAA", B: "CCC", Agreement: 0.5, Year: 2018},
	},
	Rivalries: []indivisible.Rivalry{
		{A: "AAA", B: "BBB", Since: 1990, Types: []string{"spatial", "positional"}, Source: "Thompson & Dreyer 2011"},
		{A: "CCC", B: "DDD", Since: 2000, Ended: 2010, Types: []string{"ideological"}, Source: "curated", Date: "2025-01-01"},
	},
	Histories: []indivisible.History{
		{A: "AAA", B: "BBB", Through: 2010, Last: 2010, DecayAB: 1.5, DecayBA: 0.25},
		{A: "AAA", B: "CCC", Through: 2010, Last: 2004, DecayBA: 0.5},
		{A: "BBB", B: "DDD", Through: 2010},
	},
	Disputes: []indivisible.Dispute{
		// AAA-BBB were in a dispute in 2010, their history's last year:
		// 2011 continues it, and 2012 continues 2011.
		{Year: 2011, A: "AAA", B: "BBB", Initiated: true, Onset: false, HostLev: 3, Source: "news", Date: "2011-05-01", Note: "continues the dispute going on in 2010"},
		{Year: 2012, A: "AAA", B: "BBB", Initiated: false, Onset: false, HostLev: 2, Source: "news"},
		// Nothing in 2013: a new onset, whichever way round the pair is.
		{Year: 2014, A: "BBB", B: "AAA", Initiated: true, Onset: true, HostLev: 4, Source: "news", Note: "a new dispute after a year without one"},
		// AAA-CCC's last dispute was in 2004, before 2010.
		{Year: 2011, A: "AAA", B: "CCC", Initiated: true, Onset: true, HostLev: 2, Source: "news"},
		{Year: 2015, A: "CCC", B: "DDD", Initiated: false, Onset: true, HostLev: 5, Source: "news"},
		{Year: 2016, A: "DDD", B: "CCC", Initiated: true, Onset: false, HostLev: 3, Source: "news", Note: "continues in the other direction"},
	},
}

func TestLoadEvidence(t *testing.T) {
	s, err := scenario.Load(evidenceFS(t))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantEvidence, s.Evidence); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
	// The rest of the scenario is the tiny one.
	tiny, err := scenario.Load(tinyFS(t))
	if err != nil {
		t.Fatal(err)
	}
	s.Evidence, s.Name, s.Description = indivisible.Evidence{}, tiny.Name, tiny.Description
	if diff := cmp.Diff(tiny, s); diff != "" {
		t.Errorf("the evidence changed the rest of the scenario (-tiny +got):\n%s", diff)
	}
}

func TestEvidenceFiles(t *testing.T) {
	want := []string{"capabilities.csv", "regimes.csv", "majors.csv", "contiguity.csv", "affinity.csv", "history.csv", "rivalries.csv", "disputes.csv"}
	if diff := cmp.Diff(want, scenario.EvidenceFiles()); diff != "" {
		t.Errorf("EvidenceFiles (-want +got):\n%s", diff)
	}
}

// TestEvidenceRoundTrip: what Write and WriteEvidence store, Load reads
// back unchanged, for every evidence file.
func TestEvidenceRoundTrip(t *testing.T) {
	s, err := scenario.Load(evidenceFS(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Write", func(t *testing.T) {
		dir := t.TempDir()
		if err := scenario.Write(dir, s); err != nil {
			t.Fatal(err)
		}
		for _, f := range scenario.EvidenceFiles() {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("Write did not write %s: %v", f, err)
			}
		}
		got, err := scenario.Load(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s, got); diff != "" {
			t.Errorf("round trip changed the scenario (-want +got):\n%s", diff)
		}
	})
	t.Run("WriteEvidence", func(t *testing.T) {
		dir := t.TempDir()
		for _, f := range scenario.Files {
			copyFile(t, filepath.Join("testdata/tiny", f), filepath.Join(dir, f))
		}
		names, err := scenario.WriteEvidence(dir, &s.Evidence)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Sorted(slices.Values(scenario.EvidenceFiles()))
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("WriteEvidence wrote (-want +got):\n%s", diff)
		}
		got, err := scenario.Load(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s.Evidence, got.Evidence); diff != "" {
			t.Errorf("round trip changed the evidence (-want +got):\n%s", diff)
		}
		// Evidence with only some kinds writes only their files.
		dir2 := t.TempDir()
		names, err = scenario.WriteEvidence(dir2, &indivisible.Evidence{Majors: s.Majors, Histories: s.Histories})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"history.csv", "majors.csv"}, names); diff != "" {
			t.Errorf("WriteEvidence of majors and histories wrote (-want +got):\n%s", diff)
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEvidenceErrors breaks one row of one file at a time; the error is
// EINVALID and names file:line:column (lines count the header and, in
// disputes.csv, two comment lines).
func TestEvidenceErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new, field string
	}{
		{"wrong header", "capabilities.csv", "state,cinc,military", "state,cinc,mil", "capabilities.csv:1:3"},
		{"unknown code", "regimes.csv", "BBB,0.25", "ZZZ,0.25", "regimes.csv:3:state"},
		{"organisation as a state", "capabilities.csv", "CCC,0.5", "PACT,0.5", "capabilities.csv:4:state"},
		{"duplicate state", "regimes.csv", "BBB,0.25", "AAA,0.25", "regimes.csv:3:state"},
		{"cinc above 1", "capabilities.csv", "AAA,0.3,", "AAA,1.3,", "capabilities.csv:2:cinc"},
		{"cinc not a number", "capabilities.csv", "AAA,0.3,", "AAA,lots,", "capabilities.csv:2:cinc"},
		{"military above cinc", "capabilities.csv", "BBB,0.05,0.02", "BBB,0.05,0.06", "capabilities.csv:3:military"},
		{"bad year", "capabilities.csv", "AAA,0.3,0.1,2022", "AAA,0.3,0.1,22", "capabilities.csv:2:year"},
		{"polyarchy outside [0, 1]", "regimes.csv", "AAA,0.8", "AAA,-0.8", "regimes.csv:2:polyarchy"},
		{"bad since", "majors.csv", "CCC,1950", "CCC,nineteen", "majors.csv:2:since"},
		{"land contiguity", "contiguity.csv", "BBB,CCC,2", "BBB,CCC,1", "contiguity.csv:3:type"},
		{"contiguity type 6", "contiguity.csv", "BBB,CCC,2", "BBB,CCC,6", "contiguity.csv:3:type"},
		{"pair with itself", "contiguity.csv", "BBB,CCC,2", "CCC,CCC,2", "contiguity.csv:3:b"},
		{"contiguity b>a duplicate", "contiguity.csv", "BBB,CCC,2", "BBB,CCC,2\nCCC,AAA,3", "contiguity.csv:4:b"},
		{"affinity b>a duplicate", "affinity.csv", "AAA,CCC,0.5,,2018", "AAA,CCC,0.5,,2018\nBBB,AAA,0.7,,2018", "affinity.csv:4:b"},
		{"agreement outside [0, 1]", "affinity.csv", "AAA,BBB,0.9", "AAA,BBB,1.9", "affinity.csv:2:agreement"},
		{"negative votes", "affinity.csv", "0.9,80", "0.9,-80", "affinity.csv:2:votes"},
		{"history b>a duplicate", "history.csv", "BBB,DDD,2010,,,", "BBB,DDD,2010,,,\nBBB,AAA,2010,,,", "history.csv:5:b"},
		{"through before last", "history.csv", "AAA,CCC,2010,2004", "AAA,CCC,2010,2012", "history.csv:3:last"},
		{"through missing", "history.csv", "BBB,DDD,2010,,,", "BBB,DDD,,,,", "history.csv:4:through"},
		{"negative decay", "history.csv", "AAA,CCC,2010,2004,0,0.5", "AAA,CCC,2010,2004,0,-0.5", "history.csv:3:decay_ba"},
		{"decay not a number", "history.csv", "AAA,BBB,2010,2010,1.5", "AAA,BBB,2010,2010,NaN", "history.csv:2:decay_ab"},
		{"unknown rivalry type", "rivalries.csv", "spatial;positional", "spatial;religious", "rivalries.csv:2:types"},
		{"rivalry ends before it starts", "rivalries.csv", "CCC,DDD,2000,2010", "CCC,DDD,2000,1999", "rivalries.csv:3:ended"},
		{"rivalry without since", "rivalries.csv", "CCC,DDD,2000,2010", "CCC,DDD,,2010", "rivalries.csv:3:since"},
		{"rivalry without source", "rivalries.csv", "ideological,curated", "ideological,", "rivalries.csv:3:source"},
		{"rivalry duplicate", "rivalries.csv", "CCC,DDD,2000", "BBB,AAA,1990", "rivalries.csv:3:since"},
		{"hostlev above 5", "disputes.csv", "2015,CCC,DDD,unknown,5", "2015,CCC,DDD,unknown,6", "disputes.csv:8:hostlev"},
		{"hostlev 1 (no militarized action)", "disputes.csv", "2011,AAA,CCC,AAA,2", "2011,AAA,CCC,AAA,1", "disputes.csv:7:hostlev"},
		{"hostlev not a number", "disputes.csv", "2012,AAA,BBB,unknown,2", "2012,AAA,BBB,unknown,two", "disputes.csv:5:hostlev"},
		{"initiator not a", "disputes.csv", "2014,BBB,AAA,BBB", "2014,BBB,AAA,AAA", "disputes.csv:6:initiator"},
		{"dispute year missing", "disputes.csv", "2011,AAA,CCC", ",AAA,CCC", "disputes.csv:7:year"},
		{"dispute without source", "disputes.csv", "5,news,,", "5,,,", "disputes.csv:8:source"},
		{"dispute of an unknown state", "disputes.csv", "2016,DDD,CCC", "2016,DDD,ZZZ", "disputes.csv:9:b"},
		{"duplicate dispute", "disputes.csv", "2012,AAA,BBB", "2011,AAA,BBB", "disputes.csv:5:b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := evidenceFS(t)
			src := string(fsys[tc.file].Data)
			if !strings.Contains(src, tc.old) {
				t.Fatalf("fixture has no %q", tc.old)
			}
			fsys[tc.file] = &fstest.MapFile{Data: []byte(strings.Replace(src, tc.old, tc.new, 1))}
			_, err := scenario.Load(fsys)
			if code := indivisible.ErrorCode(err); code != indivisible.EINVALID {
				t.Fatalf("code = %q (%v), want invalid", code, err)
			}
			if f := indivisible.ErrorField(err); f != tc.field {
				t.Errorf("field = %q, want %q (%v)", f, tc.field, err)
			}
		})
	}
}

// TestDisputeOnsets: the onset rule on its own cases. Each case is a
// history (or none) and the disputes file's rows (year, a, b), with the
// onsets expected in the order of the rows.
func TestDisputeOnsets(t *testing.T) {
	for _, tc := range []struct {
		name    string
		history string // a history.csv row, or ""
		rows    []string
		want    []bool
	}{
		{"first year is an onset", "", []string{"2015,AAA,BBB"}, []bool{true}},
		{"a run of years is one onset", "", []string{"2015,AAA,BBB", "2016,AAA,BBB", "2017,BBB,AAA"}, []bool{true, false, false}},
		{"a gap makes a new onset", "", []string{"2015,AAA,BBB", "2017,AAA,BBB"}, []bool{true, true}},
		{"rows out of order", "", []string{"2016,AAA,BBB", "2015,BBB,AAA"}, []bool{false, true}},
		{"other pairs do not count", "", []string{"2015,AAA,CCC", "2016,AAA,BBB"}, []bool{true, true}},
		{"continuing the summary's last year", "AAA,BBB,2010,2010,1,0", []string{"2011,AAA,BBB", "2013,AAA,BBB"}, []bool{false, true}},
		{"continuing it the other way round", "AAA,BBB,2010,2010,1,0", []string{"2011,BBB,AAA"}, []bool{false}},
		{"the summary's last dispute ended earlier", "AAA,BBB,2010,2009,1,0", []string{"2011,AAA,BBB"}, []bool{true}},
		{"a summary with no dispute", "AAA,BBB,2010,,,", []string{"2011,AAA,BBB"}, []bool{true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := evidenceFS(t)
			h := "a,b,through,last,decay_ab,decay_ba\n"
			if tc.history != "" {
				h += tc.history + "\n"
			}
			fsys["history.csv"] = &fstest.MapFile{Data: []byte(h)}
			d := "year,a,b,initiator,hostlev,source,date,note\n"
			for _, r := range tc.rows {
				d += r + ",unknown,2,test,,\n"
			}
			fsys["disputes.csv"] = &fstest.MapFile{Data: []byte(d)}
			s, err := scenario.Load(fsys)
			if err != nil {
				t.Fatal(err)
			}
			var got []bool
			for _, x := range s.Disputes {
				got = append(got, x.Onset)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("onsets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEurasiaEvidenceReproduces regenerates the Eurasia scenario's
// evidence files from the shared data as `indivisible scenario evidence`
// does (ir.Data.DerivedEvidence) and compares them with the committed ones,
// byte for byte.
func TestEurasiaEvidenceReproduces(t *testing.T) {
	d := irtest.Data(t)
	s, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := d.DerivedEvidence(s)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	names, err := scenario.WriteEvidence(dir, &ev)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"affinity.csv", "capabilities.csv", "contiguity.csv", "history.csv", "majors.csv", "regimes.csv"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("files written (-want +got):\n%s", diff)
	}
	for _, name := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join("eurasia", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, committed) {
			gl, cl := strings.Split(string(got), "\n"), strings.Split(string(committed), "\n")
			for k := range max(len(gl), len(cl)) {
				var g, c string
				if k < len(gl) {
					g = gl[k]
				}
				if k < len(cl) {
					c = cl[k]
				}
				if g != c {
					t.Errorf("%s differs from the committed file at line %d:\n  regenerated %q\n  committed   %q", name, k+1, g, c)
					break
				}
			}
		}
	}
}
