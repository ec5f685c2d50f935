package i18n

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// glossary reads the term tables of docs/glossary.md: English (lower
// case) → the Russian and Chinese alternatives.
func glossary(t *testing.T) map[string][2][]string {
	data, err := os.ReadFile("../docs/glossary.md")
	if err != nil {
		t.Fatal(err)
	}
	terms := map[string][2][]string{}
	for line := range strings.Lines(string(data)) {
		cells := strings.Split(strings.TrimSpace(line), "|")
		if len(cells) < 5 || !strings.HasPrefix(line, "|") || strings.HasPrefix(cells[1], "---") || strings.TrimSpace(cells[1]) == "English" {
			continue
		}
		alts := func(cell string) []string {
			var out []string
			for a := range strings.SplitSeq(cell, ";") {
				out = append(out, strings.ToLower(strings.TrimSpace(a)))
			}
			return out
		}
		ru, zh := alts(cells[2]), alts(cells[3])
		for _, en := range alts(cells[1]) {
			terms[en] = [2][]string{ru, zh}
		}
	}
	return terms
}

// The catalogs name the rules, outcomes, stances, verdicts, declaration
// kinds and forum terms as the glossary does.
func TestCatalogsFollowGlossary(t *testing.T) {
	terms := glossary(t)
	b := Embedded()
	en, ru, zh := b.Localizer(English), b.Localizer(russian), b.Localizer(chinese)
	var keys []string
	for _, k := range sortedKeys(b.catalogs[English]) {
		for _, prefix := range []string{"rule.", "outcome.", "stance.", "statement.", "verdict.", "kind.", "term."} {
			if strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) < 30 {
		t.Fatalf("only %d keys to check", len(keys))
	}
	for _, key := range keys {
		term := strings.ToLower(en.T(key))
		g, ok := terms[term]
		if !ok {
			t.Errorf("%s: %q is not in docs/glossary.md", key, term)
			continue
		}
		for i, l := range []*Localizer{ru, zh} {
			if got := strings.ToLower(l.T(key)); !slices.Contains(g[i], got) {
				t.Errorf("%s (%v): catalog %q, glossary %q", key, l.Tag(), got, g[i])
			}
		}
	}
	for _, rule := range []string{"consensus", "consensus minus one", "qualified majority", "silence procedure"} {
		if _, ok := terms[rule]; !ok {
			t.Errorf("the glossary lacks the decision rule %q", rule)
		}
	}
}
