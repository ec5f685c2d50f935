package api_test

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/indivisible-eurasia/indivisible"
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
	Properties map[string]schemaNode `yaml:"properties"`
	Items      *schemaNode           `yaml:"items"`
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

// TestOpenAPISchemasMatchTypes checks that the model's responses are
// documented field by field: the assessment, its participants and
// "who now threatens whom more" pairs, and a state's explanation.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
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
	sc := spec.Components.Schemas
	for _, tc := range []struct {
		name   string
		schema schemaNode
		typ    any
	}{
		{"Assessment", sc["Assessment"], indivisible.Assessment{}},
		{"ParticipantResult", sc["ParticipantResult"], indivisible.ParticipantResult{}},
		{"Assessment.expense", *sc["Assessment"].Properties["expense"].Items, indivisible.ExpensePair{}},
		{"Equality", sc["Equality"], indivisible.Equality{}},
		{"Explanation", sc["Explanation"], indivisible.Explanation{}},
		{"PairRisk", sc["PairRisk"], indivisible.PairRisk{}},
		{"PairRisk.contributions", *sc["PairRisk"].Properties["contributions"].Items, indivisible.Contribution{}},
	} {
		var documented []string
		for k := range tc.schema.Properties {
			documented = append(documented, k)
		}
		slices.Sort(documented)
		if diff := cmp.Diff(documented, jsonFields(reflect.TypeOf(tc.typ))); diff != "" {
			t.Errorf("%s: docs/openapi.yaml (-) and the Go type (+) differ:\n%s", tc.name, diff)
		}
	}
}
