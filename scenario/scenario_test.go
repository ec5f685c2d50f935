package scenario_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// tinyFS returns the tiny fixture as a MapFS so tests can break one file.
func tinyFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, f := range scenario.Files {
		b, err := os.ReadFile("testdata/tiny/" + f)
		if err != nil {
			t.Fatal(err)
		}
		m[f] = &fstest.MapFile{Data: b}
	}
	return m
}

func TestLoadTiny(t *testing.T) {
	s, err := scenario.Load(tinyFS(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Participants) != 5 || len(s.Holdings) != 8 || len(s.Deployments) != 1 || len(s.Commitments) != 2 {
		t.Fatalf("unexpected counts: %d participants, %d holdings, %d deployments, %d commitments",
			len(s.Participants), len(s.Holdings), len(s.Deployments), len(s.Commitments))
	}
	a, _ := s.Participant("AAA")
	if diff := cmp.Diff([]string{"BBB"}, a.Borders); diff != "" {
		t.Errorf("AAA borders (-want +got):\n%s", diff)
	}
	for _, h := range s.Holdings {
		if h.State == "DDD" && h.Component == "battle_tanks" && !h.Missing {
			t.Error("-9 was not read as missing")
		}
	}
}

func TestWriteRoundTrip(t *testing.T) {
	s, err := scenario.Load(tinyFS(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := scenario.Write(dir, s); err != nil {
		t.Fatal(err)
	}
	got, err := scenario.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, got); diff != "" {
		t.Errorf("round trip changed the scenario (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new, field string
	}{
		{"unknown code", "holdings.csv", "BBB,battle_tanks", "ZZZ,battle_tanks", "holdings.csv:5:state"},
		{"negative count", "holdings.csv", "BBB,battle_tanks,200", "BBB,battle_tanks,-3", "holdings.csv:5:quantity"},
		{"duplicate row", "holdings.csv", "BBB,battle_tanks,200", "BBB,personnel,200", "holdings.csv:5:component"},
		{"unknown component", "holdings.csv", "BBB,battle_tanks,200", "BBB,tankz,200", "holdings.csv:5:component"},
		{"not a number", "holdings.csv", "BBB,battle_tanks,200", "BBB,battle_tanks,many", "holdings.csv:5:quantity"},
		{"broken reference", "memberships.csv", "CCC,PACT", "CCC,WARSAW", "memberships.csv:4:organisation"},
		{"org as state", "memberships.csv", "CCC,PACT", "PACT,PACT", "memberships.csv:4:state"},
		{"bad role", "memberships.csv", "partner", "friend", "memberships.csv:4:role"},
		{"bad type", "commitments.csv", "non_aggression", "friendship", "commitments.csv:3:type"},
		{"org commitment with b", "commitments.csv", "PACT,,", "PACT,AAA,", "commitments.csv:2:b"},
		{"duplicate border", "borders.csv", "AAA,BBB", "AAA,BBB\nBBB,AAA", "borders.csv:3:b"},
		{"over-deployed", "deployments.csv", "5000", "500000", "deployments.csv:2:quantity"},
		{"self deployment", "deployments.csv", "AAA,BBB", "AAA,AAA", "deployments.csv:2:host"},
		{"bad latitude", "participants.csv", "AAA,Alpha,state,Aville,50", "AAA,Alpha,state,Aville,95", "participants.csv:3:lat"},
		{"lower-case code", "participants.csv", "AAA,Alpha", "aaa,Alpha", "participants.csv:3:code"},
		{"wrong header", "borders.csv", "a,b", "x,y", "borders.csv:1:1"},
		{"wrong column count", "borders.csv", "AAA,BBB", "AAA,BBB,CCC", "borders.csv:2:1"},
		{"json unknown field", "scenario.json", `"year"`, `"yaer"`, "scenario.json:yaer"},
		{"json wrong type", "scenario.json", `"weight": 1,`, `"weight": "heavy",`, "scenario.json:components[0].weight"},
		{"negative weight", "scenario.json", `"weight": 1,`, `"weight": -1,`, "scenario.json:components[0].weight"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := tinyFS(t)
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

func TestMissingFile(t *testing.T) {
	fsys := tinyFS(t)
	delete(fsys, "deployments.csv")
	_, err := scenario.Load(fsys)
	if indivisible.ErrorField(err) != "deployments.csv" {
		t.Errorf("err = %v, want one naming deployments.csv", err)
	}
}

func TestEurasia(t *testing.T) {
	s, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	states := 0
	for _, p := range s.Participants {
		if p.Kind == indivisible.State {
			states++
		}
	}
	if states < 90 {
		t.Errorf("Eurasia has %d states, want about 100", states)
	}
	for _, code := range []string{"USA", "RUS", "CHN", "POL", "ARM", "AZE", "KAZ", "TUR", "JPN", "IND", "CSTO", "NATO", "EU", "SCO", "EAEU", "CIS", "OSCE", "CICA", "ASEAN"} {
		if _, ok := s.Participant(code); !ok {
			t.Errorf("Eurasia lacks %s", code)
		}
	}
	// Every state reports every category, each with a source and a year.
	n := map[string]int{}
	for _, h := range s.Holdings {
		n[h.State]++
		if h.Source == "" || h.Year == 0 {
			t.Errorf("holding %s/%s has no source or year", h.State, h.Component)
		}
	}
	for _, p := range s.Participants {
		if p.Kind == indivisible.State && n[p.Code] != len(indivisible.Categories) {
			t.Errorf("%s has %d holdings rows, want %d", p.Code, n[p.Code], len(indivisible.Categories))
		}
	}
}
