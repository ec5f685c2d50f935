package api_test

import (
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/simulate"
)

// TestOpenAPIMatchesRoutes checks that docs/openapi.yaml documents exactly
// the routes the server registers, method by method.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	b, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, ops := range spec.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	f, _ := withForum(t)
	var served []string
	for _, p := range f.api.Routes() {
		served = append(served, strings.ReplaceAll(p, "...}", "}"))
	}
	slices.Sort(documented)
	slices.Sort(served)
	if diff := cmp.Diff(documented, served); diff != "" {
		t.Errorf("docs/openapi.yaml (-) and the routes (+) differ:\n%s", diff)
	}
}

// schemaNode is as much of an OpenAPI schema as the test reads.
type schemaNode struct {
	Ref        string                `yaml:"$ref"`
	Properties map[string]schemaNode `yaml:"properties"`
	Items      *schemaNode           `yaml:"items"`
	OneOf      []schemaNode          `yaml:"oneOf"`
	Required   []string              `yaml:"required"`
	Type       any                   `yaml:"type"`
	Const      string                `yaml:"const"`
}

// jsonFields returns the JSON names of a struct type's fields, embedded
// structs flattened.
func jsonFields(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "":
			names = append(names, jsonFields(f.Type)...)
		case name == "-" || !f.IsExported():
		case name == "":
			names = append(names, f.Name)
		default:
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// TestOpenAPISchemasMatchTypes checks that the responses and request
// bodies are documented field by field, against the Go types that encode
// or decode them: the model's assessment and explanation, a measure (every
// field of indivisible.Measure over its types), the scenario, accounts,
// the log's keys and findings, and the forum's and the Delphi rounds'
// records. extra lists the fields the API adds to a type.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	sc := specSchemas(t)
	resolve := func(n schemaNode) schemaNode {
		for n.Ref != "" {
			n = sc[strings.TrimPrefix(n.Ref, "#/components/schemas/")]
		}
		return n
	}
	prop := func(schema, path string) schemaNode {
		n := sc[schema]
		for _, p := range strings.Split(path, ".") {
			n = resolve(n).Properties[p]
			if n.Items != nil {
				n = *n.Items
			}
		}
		return resolve(n)
	}
	// A measure's fields are those of its types together.
	measure := schemaNode{Properties: map[string]schemaNode{}}
	for _, v := range sc["Measure"].OneOf {
		for k, p := range resolve(v).Properties {
			measure.Properties[k] = p
		}
	}
	for _, tc := range []struct {
		name   string
		schema schemaNode
		typ    any
		extra  []string
	}{
		{"Assessment", sc["Assessment"], indivisible.Assessment{}, nil},
		{"ParticipantResult", sc["ParticipantResult"], indivisible.ParticipantResult{}, nil},
		{"Assessment.expense", *sc["Assessment"].Properties["expense"].Items, indivisible.ExpensePair{}, nil},
		{"Equality", sc["Equality"], indivisible.Equality{}, nil},
		{"Explanation", sc["Explanation"], indivisible.Explanation{}, nil},
		{"PairRisk", sc["PairRisk"], indivisible.PairRisk{}, nil},
		{"PairRisk.contributions", *sc["PairRisk"].Properties["contributions"].Items, indivisible.Contribution{}, nil},
		{"Measure", measure, indivisible.Measure{}, nil},
		{"Proposal", sc["Proposal"], indivisible.Proposal{}, nil},
		{"Participant", sc["Participant"], indivisible.Participant{}, []string{"security", "risk", "members", "explanation"}},
		{"Scenario.components", prop("Scenario", "components"), indivisible.Component{}, nil},
		{"Scenario.memberships", prop("Scenario", "memberships"), indivisible.Membership{}, nil},
		{"Scenario.commitments", prop("Scenario", "commitments"), indivisible.Commitment{}, nil},
		{"Scenario.holdings", prop("Scenario", "holdings"), indivisible.Holding{}, nil},
		{"Scenario.deployments", prop("Scenario", "deployments"), indivisible.Deployment{}, nil},
		{"Account", sc["Account"], indivisible.Account{}, nil},
		{"Token", sc["Token"], indivisible.Token{}, nil},
		{"NewToken", sc["NewToken"], indivisible.Token{}, []string{"secret"}},
		{"Key", sc["Key"], indivisible.Key{}, nil},
		{"Finding", sc["Finding"], indivisible.Finding{}, nil},
		{"Forum", sc["Forum"], indivisible.Forum{}, nil},
		{"Session", sc["Session"], indivisible.Session{}, nil},
		{"Delegation", sc["Delegation"], indivisible.Delegation{}, nil},
		{"Expert", sc["Expert"], indivisible.Expert{}, nil},
		{"RuleSpec", sc["RuleSpec"], indivisible.RuleSpec{}, nil},
		{"AgendaItem", sc["AgendaItem"], indivisible.AgendaItem{}, nil},
		{"ProposalVersion", sc["ProposalVersion"], indivisible.ProposalVersion{}, nil},
		{"Comment", sc["Comment"], indivisible.Comment{}, nil},
		{"Speaker", sc["Speaker"], indivisible.Speaker{}, nil},
		{"Position", sc["Position"], indivisible.Position{}, nil},
		{"PositionRequest", sc["PositionRequest"], indivisible.PositionRequest{}, nil},
		{"PositionRequest.signed", prop("PositionRequest", "signed"), indivisible.SignedStatement{}, nil},
		{"Tally", sc["Tally"], indivisible.Tally{}, nil},
		{"Objection", sc["Objection"], indivisible.Objection{}, nil},
		{"Decision", sc["Decision"], indivisible.Decision{}, []string{"entry", "proof"}},
		{"ItemStatus", sc["ItemStatus"], indivisible.ItemView{}, nil},
		{"ItemPosition", sc["ItemPosition"], indivisible.PositionView{}, nil},
		{"RoundStats", sc["RoundStats"], indivisible.RoundStats{}, nil},
		{"StoppingRule", sc["StoppingRule"], indivisible.StoppingRule{}, nil},
		{"Question", sc["Question"], indivisible.Question{}, nil},
		{"Answer", sc["Answer"], indivisible.Answer{}, nil},
		{"Feedback", sc["Feedback"], indivisible.DelphiFeedback{}, nil},
		{"DelphiResult", sc["DelphiResult"], indivisible.DelphiResult{}, nil},
		{"DelphiResult.questions", prop("DelphiResult", "questions"), indivisible.DelphiResultQuestion{}, nil},
		{"Dist", sc["Dist"], simulate.Dist{}, nil},
	} {
		var documented []string
		for k := range tc.schema.Properties {
			documented = append(documented, k)
		}
		slices.Sort(documented)
		want := append(jsonFields(reflect.TypeOf(tc.typ)), tc.extra...)
		slices.Sort(want)
		if diff := cmp.Diff(documented, want); diff != "" {
			t.Errorf("%s: docs/openapi.yaml (-) and the Go type (+) differ:\n%s", tc.name, diff)
		}
	}
}

// TestOpenAPIMeasureTypes checks each measure type's schema against the
// proposal parser: a measure with every documented field parses, one
// without a required field does not, nor one with a field of another type.
func TestOpenAPIMeasureTypes(t *testing.T) {
	sc := specSchemas(t)
	// A value of the right JSON type for each field; the parser checks
	// form only.
	value := func(name string, n schemaNode) any {
		for n.Ref != "" {
			n = sc[strings.TrimPrefix(n.Ref, "#/components/schemas/")]
		}
		switch n.Type {
		case "array":
			return []string{"RUS", "BLR"}
		case "boolean":
			return true
		case "number":
			return 1.0
		case "object":
			return map[string]float64{"warships": 1}
		}
		if n.Const != "" {
			return n.Const
		}
		return "POL"
	}
	var all []string
	variants := map[string]schemaNode{}
	for _, v := range sc["Measure"].OneOf {
		n := sc[strings.TrimPrefix(v.Ref, "#/components/schemas/")]
		variants[n.Properties["type"].Const] = n
		for k := range n.Properties {
			all = append(all, k)
		}
	}
	if got, want := slices.Sorted(maps.Keys(variants)), indivisible.MeasureTypes(); !slices.Equal(got, want) {
		t.Fatalf("measure types %v, the parser's %v", got, want)
	}
	parse := func(m map[string]any) error {
		b, _ := json.Marshal(map[string]any{"measures": []any{m}})
		_, err := indivisible.ParseProposal(b)
		return err
	}
	for typ, n := range variants {
		full := map[string]any{}
		for k, p := range n.Properties {
			full[k] = value(k, p)
		}
		if err := parse(full); err != nil {
			t.Errorf("%s with every documented field: %v", typ, err)
		}
		for k := range n.Properties {
			if k == "type" {
				continue
			}
			m := maps.Clone(full)
			delete(m, k)
			required := slices.Contains(n.Required, k)
			if err := parse(m); (err == nil) == required {
				t.Errorf("%s without %s (required: %v): %v", typ, k, required, err)
			}
		}
		for _, k := range all {
			if _, ok := n.Properties[k]; ok {
				continue
			}
			m := maps.Clone(full)
			m[k] = 1
			if err := parse(m); err == nil {
				t.Errorf("%s with %s, which the spec does not give it, parses", typ, k)
			}
		}
	}
}

// specSchemas reads docs/openapi.yaml's component schemas.
func specSchemas(t *testing.T) map[string]schemaNode {
	t.Helper()
	b, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Components struct {
			Schemas map[string]schemaNode `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	return spec.Components.Schemas
}
