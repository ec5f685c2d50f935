package web

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/i18n"
	"github.com/indivisible-eurasia/indivisible/model"
)

var (
	// templateKeyRE is a template's lookup: {{T "key" …}}, {{TH "key" …}}.
	templateKeyRE = regexp.MustCompile(`\bTH? "([^"]+)"`)
	// goLiteralRE is any Go string literal shaped like a key: one that is
	// a key of the catalogs is a use of it (code passes keys around in
	// tables and fields before it looks them up).
	goLiteralRE = regexp.MustCompile(`"([a-z][a-z0-9_]*\.[a-z0-9_.]*[a-z0-9_])"`)
	// goLookupRE is a lookup in Go: l.T("key"), l.Args("key"), w.Say("key").
	// Its key must be in the catalogs.
	goLookupRE = regexp.MustCompile(`\b(?:T|Args|Say)\(\s*"([a-z][a-z0-9_]*\.[a-z0-9_.]*[a-z0-9_])"`)
	// familyRE is a key's prefix from which code builds keys at run time:
	// (print "rule." .Rule) in a template, "component."+c in Go.
	familyRE = regexp.MustCompile(`"([a-z][a-z0-9_]*\.(?:[a-z0-9_]+\.)*)"`)
)

// dynamicKeys are the keys built at run time from a closed vocabulary,
// which no literal shows: each family with its every member.
func dynamicKeys() []string {
	var keys []string
	add := func(prefix string, values ...string) {
		for _, v := range values {
			keys = append(keys, prefix+v)
		}
	}
	add("rule.", forum.RuleNames()...)
	add("doc.rule_name.", forum.RuleNames()...)
	add("doc.verdict_value.", string(indivisible.Indivisible), string(indivisible.Divisible))
	add("doc.kind.", string(indivisible.VersionProposal), string(indivisible.VersionAmendment))
	add("doc.by.", string(indivisible.Support), string(indivisible.Join), string(indivisible.Object), string(indivisible.Abstain))
	add("doc.statement.", indivisible.Reservation, indivisible.Interpretative)
	add("component.", indivisible.Categories...)
	add("cbm.", slices.Sorted(maps.Keys(model.DefaultParams().CBM))...)
	for _, s := range indivisible.Stances {
		add("stance.", string(s))
	}
	for _, k := range indivisible.DeclarationKinds {
		add("kind.", string(k))
	}
	add("outcome.", string(indivisible.Adopted), string(indivisible.NotAdopted))
	add("verdict.", string(indivisible.Indivisible), string(indivisible.Divisible))
	add("statement.", indivisible.Reservation, indivisible.Interpretative)
	for m := 1; m <= 12; m++ {
		add("date.month.", strconv.Itoa(m))
	}
	return keys
}

// TestCatalogKeys checks the catalogs against the code: every key a
// template or a Go file looks up is in the English catalog (and so, by
// i18n.CheckCatalogs, in every language with the same placeholders), and
// every key of the catalog is looked up somewhere. A key nobody uses is
// a translation nobody maintains; a key nobody defined shows as itself.
func TestCatalogKeys(t *testing.T) {
	if err := bundle.Check(); err != nil {
		t.Fatal(err)
	}
	en := map[string]bool{}
	prefixes := map[string]bool{}
	for _, k := range bundle.Keys(i18n.English) {
		en[k] = true
		prefixes[strings.SplitN(k, ".", 2)[0]] = true
	}
	used := map[string][]string{} // key -> where
	for _, k := range dynamicKeys() {
		used[k] = append(used[k], "dynamicKeys")
	}
	files, err := filepath.Glob("templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	families := map[string]string{} // prefix -> where
	for _, f := range files {
		text := readFile(t, f)
		for _, m := range templateKeyRE.FindAllStringSubmatch(text, -1) {
			used[m[1]] = append(used[m[1]], f)
		}
		for _, m := range familyRE.FindAllStringSubmatch(text, -1) {
			families[m[1]] = f
		}
	}
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != ".." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		text := readFile(t, p)
		for _, m := range goLiteralRE.FindAllStringSubmatch(text, -1) {
			if en[m[1]] {
				used[m[1]] = append(used[m[1]], p)
			}
		}
		for _, m := range goLookupRE.FindAllStringSubmatch(text, -1) {
			used[m[1]] = append(used[m[1]], p)
		}
		for _, m := range familyRE.FindAllStringSubmatch(text, -1) {
			if prefixes[strings.TrimSuffix(strings.SplitN(m[1], ".", 2)[0], ".")] {
				families[m[1]] = p
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A key of a family built at run time is used if its prefix is; the
	// families with a closed vocabulary are checked member by member
	// above (dynamicKeys).
	for k := range en {
		for prefix, where := range families {
			if strings.HasPrefix(k, prefix) {
				used[k] = append(used[k], where)
			}
		}
	}
	for k, where := range used {
		if !en[k] {
			t.Errorf("%s uses the key %q, which the catalogs lack", where[0], k)
		}
	}
	for k := range en {
		// The glossary's terms are checked against docs/glossary.md by
		// package i18n's tests: the glossary is their use.
		if used[k] == nil && !strings.HasPrefix(k, "term.") {
			t.Errorf("the catalogs' key %q is used by no template and no Go file", k)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
