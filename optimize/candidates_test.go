package optimize_test

import (
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/optimize"
)

func TestParseCandidates(t *testing.T) {
	cs, err := optimize.ParseCandidates([]byte(`{"title": "t", "candidates": [
		{"name": "tanks", "measure": {"type": "holdings", "actor": "RUS", "category": "battle_tanks", "change": -500}, "levels": [0.1, 0.8]},
		{"measure": {"type": "cbm", "actors": ["ARM", "AZE"], "kind": "hotline"}}],
		"limits": [{"state": "RUS", "max_reduction": 0.2, "categories": ["battle_tanks"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Candidates) != 2 || cs.Candidates[0].Levels != [2]float64{0.1, 0.8} || cs.Candidates[1].Levels != [2]float64{0, 1} ||
		cs.Candidates[1].Name != "candidates[1]" || !cs.Candidates[1].Binary() || cs.Limits[0].MaxReduction != 0.2 {
		t.Fatalf("%+v", cs)
	}
}

func TestParseCandidatesErrors(t *testing.T) {
	tanks := `{"type": "holdings", "actor": "RUS", "category": "battle_tanks", "change": -500}`
	for _, c := range []struct{ in, field string }{
		{`{}`, "candidates"},
		{`{"candidates": []}`, "candidates"},
		{`{"candidates": [{"name": "x"}]}`, "candidates[0].measure"},
		{`{"candidates": [{"measure": ` + tanks + `, "level": [0, 1]}]}`, "candidates[0].level"},
		{`{"candidates": [{"measure": {"type": "holdings", "actor": "RUS"}}]}`, "candidates[0].measure.category"},
		{`{"candidates": [{"measure": {"type": "holdings", "actor": "RUS", "category": "x", "change": 1, "host": "POL"}}]}`, "candidates[0].measure.host"},
		{`{"candidates": [{"measure": {"type": "teleport"}}]}`, "candidates[0].measure.type"},
		{`{"candidates": [{"measure": 5}]}`, "candidates[0].measure"},
		{`{"candidates": [{"measure": ` + tanks + `, "levels": [0.5]}]}`, "candidates[0].levels"},
		{`{"candidates": [{"measure": ` + tanks + `, "levels": [0.5, 0.2]}]}`, "candidates[0].levels"},
		{`{"candidates": [{"measure": ` + tanks + `, "levels": [0, 1.5]}]}`, "candidates[0].levels"},
		{`{"candidates": [{"measure": {"type": "join", "actor": "SRB", "organisation": "CSTO"}, "levels": [0, 0.5]}]}`, "candidates[0].levels"},
		{`{"candidates": [{"measure": ` + tanks + `}], "limits": [{"max_reduction": 0.2}]}`, "limits[0].state"},
		{`{"candidates": [{"measure": ` + tanks + `}], "limits": [{"state": "RUS", "max_reduction": 2}]}`, "limits[0].max_reduction"},
		{`{"candidates": [{"measure": ` + tanks + `}], "limits": [{"state": "RUS", "max_reduction": "a"}]}`, "limits[0].max_reduction"},
		{`{"candidates": [{"measure": ` + tanks + `}]} {}`, ""},
	} {
		_, err := optimize.ParseCandidates([]byte(c.in))
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != c.field {
			t.Errorf("%s: err = %v (field %q), want EINVALID at %q", c.in, err, indivisible.ErrorField(err), c.field)
		}
	}
}

// FuzzParseCandidates: any input parses or fails with EINVALID, never
// panics, and what parses validates.
func FuzzParseCandidates(f *testing.F) {
	f.Add([]byte(`{"candidates": [{"measure": {"type": "holdings", "actor": "RUS", "category": "battle_tanks", "change": -500}, "levels": [0, 1]}]}`))
	f.Add([]byte(`{"candidates": [{"measure": {"type": "cbm", "actors": ["A", "B"], "kind": "hotline"}}], "limits": [{"state": "A", "max_reduction": 0.1}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := optimize.ParseCandidates(b)
		if err != nil {
			if indivisible.ErrorCode(err) != indivisible.EINVALID {
				t.Fatalf("code %s: %v", indivisible.ErrorCode(err), err)
			}
			return
		}
		if err := cs.Validate(); err != nil {
			t.Fatalf("parsed but invalid: %v", err)
		}
	})
}
