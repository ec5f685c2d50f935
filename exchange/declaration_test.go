package exchange

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/jsontest"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

func eurasiaCodes(t testing.TB) *Codes {
	t.Helper()
	s, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	return NewCodes(s)
}

// docExamples returns the JSON examples of docs/exchange.md's declaration
// section, so that the documentation cannot drift from the parser.
func docExamples(t testing.TB) []string {
	t.Helper()
	doc, err := os.ReadFile("../docs/exchange.md")
	if err != nil {
		t.Fatal(err)
	}
	section, _, _ := strings.Cut(string(doc), "## The regime")
	var out []string
	for _, m := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(section, -1) {
		out = append(out, m[1])
	}
	if len(out) < len(indivisible.DeclarationKinds) {
		t.Fatalf("docs/exchange.md has %d examples, want one per kind at least", len(out))
	}
	return out
}

func TestParseDocExamples(t *testing.T) {
	codes := eurasiaCodes(t)
	seen := map[indivisible.DeclarationKind]bool{}
	for _, ex := range docExamples(t) {
		d, err := Parse([]byte(ex), codes)
		if err != nil {
			t.Errorf("example does not parse: %v\n%s", err, ex)
			continue
		}
		seen[d.Kind] = true
	}
	for _, k := range indivisible.DeclarationKinds {
		if !seen[k] {
			t.Errorf("no example of %s in docs/exchange.md", k)
		}
	}
}

func TestParse(t *testing.T) {
	d, err := Parse([]byte(`{"kind": "correction", "participant": "POL", "corrects": 3, "reason": "typo",
		"declaration": {"kind": "transfer_report", "participant": "POL", "role": "importer", "year": 2025,
		"counterpart": "DEU", "category": "battle_tanks", "quantity": 14}}`), eurasiaCodes(t))
	if err != nil {
		t.Fatal(err)
	}
	want := &indivisible.TransferReport{Role: indivisible.Importer, Year: 2025, Counterpart: "DEU", Category: "battle_tanks", Quantity: 14}
	if c := d.Correction; c == nil || c.Corrects != 3 || c.Declaration == nil || *c.Declaration.TransferReport != *want {
		t.Errorf("got %+v", d.Correction)
	}
}

func TestParseErrors(t *testing.T) {
	const annual = `{"kind": "annual_exchange", "participant": "POL", "year": 2026, "holdings": {"battle_tanks": 600}}`
	const exercise = `{"kind": "exercise_notification", "participant": "POL", "start": "2026-06-01", "end": "2026-06-12",
		"host": "POL", "participating_states": ["POL", "LTU"], "personnel": 9000, "battle_tanks": 0,
		"armoured_combat_vehicles": 0, "artillery": 0, "aircraft_sorties": 0, "airborne_amphibious_troops": 0,
		"observers_invited": false}`
	const transfer = `{"kind": "transfer_report", "participant": "DEU", "role": "exporter", "year": 2025,
		"counterpart": "POL", "category": "battle_tanks", "quantity": 14}`
	const contribution = `{"kind": "collective_forces_contribution", "participant": "POL", "organisation": "NATO",
		"year": 2026, "units": [], "holdings": {"battle_tanks": 58}}`
	const correction = `{"kind": "correction", "participant": "POL", "corrects": 1, "reason": "typo", "declaration": ` + annual + `}`
	for _, ok := range []string{annual, exercise, transfer, contribution, correction} {
		if _, err := Parse([]byte(ok), eurasiaCodes(t)); err != nil {
			t.Fatalf("base case fails: %v\n%s", err, ok)
		}
	}
	tests := []struct {
		name, doc, old, new string
		field               string
	}{
		{"unknown field", annual, `"year"`, `"yaer"`, "yaer"},
		{"missing field", annual, `"year": 2026, `, ``, "year"},
		{"wrong type", annual, `2026`, `"2026"`, "year"},
		{"fraction", annual, `600`, `600.5`, "holdings.battle_tanks"},
		{"exponent", annual, `600`, `6e2`, "holdings.battle_tanks"},
		{"negative", annual, `600`, `-1`, "holdings.battle_tanks"},
		{"huge", annual, `600`, `1e400`, "holdings.battle_tanks"},
		{"unknown category", annual, `"battle_tanks"`, `"tanks"`, "holdings.tanks"},
		{"empty holdings", annual, `{"battle_tanks": 600}`, `{}`, "holdings"},
		{"holdings not an object", annual, `{"battle_tanks": 600}`, `[600]`, "holdings"},
		{"duplicate field", annual, `"year": 2026`, `"year": 2026, "year": 2027`, "year"},
		{"unknown kind", annual, `"annual_exchange"`, `"annual"`, "kind"},
		{"lower-case code", annual, `"POL"`, `"pol"`, "participant"},
		{"unknown state", annual, `"POL"`, `"XYZ"`, "participant"},
		{"organisation files", annual, `"POL"`, `"NATO"`, "participant"},
		{"year out of range", annual, `2026`, `20260`, "year"},
		{"not an object", `[1]`, ``, ``, ""},
		{"trailing data", annual + ` {}`, ``, ``, ""},
		{"truncated", annual[:40], ``, ``, ""},
		{"null", `null`, ``, ``, ""},
		{"bad date", exercise, `"2026-06-12"`, `"2026-06-31"`, "end"},
		{"end before start", exercise, `"2026-06-12"`, `"2026-05-12"`, "end"},
		{"state listed twice", exercise, `["POL", "LTU"]`, `["POL", "LTU", "POL"]`, "participating_states[2]"},
		{"unknown participating state", exercise, `["POL", "LTU"]`, `["POL", "XXX"]`, "participating_states[1]"},
		{"no participating state", exercise, `["POL", "LTU"]`, `[]`, "participating_states"},
		{"missing figure", exercise, `"artillery": 0, `, ``, "artillery"},
		{"boolean as string", exercise, `"observers_invited": false`, `"observers_invited": "no"`, "observers_invited"},
		{"control character", exercise, `"host"`, `"name": "a\u0007b", "host"`, "name"},
		{"bad role", transfer, `"exporter"`, `"seller"`, "role"},
		{"self transfer", transfer, `"counterpart": "POL"`, `"counterpart": "DEU"`, "counterpart"},
		{"personnel transferred", transfer, `"battle_tanks"`, `"personnel"`, "category"},
		{"zero quantity", transfer, `14`, `0`, "quantity"},
		{"not a member", contribution, `"NATO"`, `"CSTO"`, "participant"},
		{"not an organisation", contribution, `"NATO"`, `"DEU"`, "organisation"},
		{"unit not a string", contribution, `"units": []`, `"units": ["1st", 2]`, "units[1]"},
		{"nested error", correction, `"holdings": {"battle_tanks": 600}`, `"holdings": {"battle_tanks": -600}`, "declaration.holdings.battle_tanks"},
		{"nested participant", correction, `"participant": "POL", "year"`, `"participant": "DEU", "year"`, "declaration.participant"},
		{"correction of correction", correction, `"kind": "annual_exchange"`, `"kind": "correction"`, "declaration.kind"},
		{"both replacement and withdrawal", correction, `"reason": "typo"`, `"reason": "typo", "withdrawn": true`, "declaration"},
		{"neither replacement nor withdrawal", `{"kind": "correction", "participant": "POL", "corrects": 1, "reason": "x"}`, ``, ``, "declaration"},
		{"empty reason", correction, `"typo"`, `""`, "reason"},
		{"negative index", correction, `"corrects": 1`, `"corrects": -1`, "corrects"},
	}
	codes := eurasiaCodes(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(tt.doc, tt.old, tt.new, 1)
			if tt.old != "" && doc == tt.doc {
				t.Fatalf("%q not found", tt.old)
			}
			_, err := Parse([]byte(doc), codes)
			if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tt.field {
				t.Errorf("got %v (code %q, field %q), want EINVALID at %q", err, indivisible.ErrorCode(err), indivisible.ErrorField(err), tt.field)
			}
		})
	}

	t.Run("invalid UTF-8", func(t *testing.T) {
		doc := strings.Replace(exercise, `"host"`, "\"name\": \"a\xffb\", \"host\"", 1)
		if _, err := Parse([]byte(doc), codes); indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Errorf("got %v, want EINVALID", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		doc := strings.Replace(exercise, `"host"`, `"name": "`+strings.Repeat("x", MaxDeclarationSize)+`", "host"`, 1)
		if _, err := Parse([]byte(doc), codes); indivisible.ErrorCode(err) != indivisible.ETOOLARGE {
			t.Errorf("got %v, want ETOOLARGE", err)
		}
	})
	t.Run("deep nesting", func(t *testing.T) {
		doc := `{"kind": "annual_exchange", "x": ` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`
		if _, err := Parse([]byte(doc), codes); indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Errorf("got %v, want EINVALID", err)
		}
	})
	t.Run("codes only without scenario", func(t *testing.T) {
		doc := strings.Replace(annual, `"POL"`, `"XYZ"`, 1)
		if _, err := Parse([]byte(doc), nil); err != nil {
			t.Errorf("nil codes: %v", err)
		}
	})
}

func FuzzParseDeclaration(f *testing.F) {
	for _, ex := range docExamples(f) {
		f.Add([]byte(ex))
	}
	f.Add([]byte(`{"kind": "annual_exchange", "participant": "POL", "year": 2026, "holdings": {"a": 1}, "holdings": {}}`))
	f.Add([]byte(`{"kind":"correction","participant":"POL","corrects":0,"reason":"r","withdrawn":true}`))
	codes := eurasiaCodes(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data, codes)
		if err != nil {
			if c := indivisible.ErrorCode(err); c != indivisible.EINVALID && c != indivisible.ETOOLARGE {
				t.Fatalf("error code %q: %v", c, err)
			}
			return
		}
		// An independent strict reader reads the same participant and
		// kind from the signed bytes.
		doc, err := jsontest.Parse(data)
		if err != nil {
			t.Fatalf("accepted %q, which is not strict JSON: %v", data, err)
		}
		if p, _ := jsontest.Field(doc, "participant"); p != d.Participant {
			t.Fatalf("parsed for %q, but the document says participant %v", d.Participant, p)
		}
		if k, _ := jsontest.Field(doc, "kind"); k != string(d.Kind) {
			t.Fatalf("parsed as %q, but the document says kind %v", d.Kind, k)
		}
		// The scenario's codes only narrow what parses.
		d2, err := Parse(data, nil)
		if err != nil {
			t.Fatalf("parses with the scenario's codes but not without: %v", err)
		}
		if d2.Kind != d.Kind || d2.Participant != d.Participant {
			t.Fatalf("different results with and without codes: %+v, %+v", d, d2)
		}
		// A parsed declaration can be checked, alone in a log.
		_ = Check(DefaultRegime(), []indivisible.Entry{{Index: 1, Kind: indivisible.KindDeclaration, Participant: d.Participant, Body: bytes.Clone(data)}})
	})
}
