package exchange

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// variantLogs are logs whose findings use the message variants the golden
// fixture does not: every correction problem, the other constraint
// classes and spans, a notice due on the first day, both sides of a
// transfer mismatch and a missing import, and a duplicate contribution.
func variantLogs() [][]indivisible.Entry {
	const early = "2026-01-10"
	ex := func(personnel int64) string { return exercise("POL", "2026-06-01", "2026-06-12", personnel, 0) }
	simultaneous := func() []logged {
		var ls []logged
		for range 4 {
			ls = append(ls, logged{early, exercise("RUS", "2026-06-01", "2026-06-12", 14000, 0)})
		}
		return ls
	}
	return [][]indivisible.Entry{
		entries(logged{early, "{"}, logged{early, correct("POL", 0, annual("POL", 2026, 1))}),
		entries(logged{early, correct("POL", 1, annual("POL", 2026, 1))}, logged{early, annual("POL", 2026, 1)}),
		entries(logged{early, annual("POL", 2026, 1)}, logged{early, correct("POL", 0, annual("POL", 2026, 2))},
			logged{early, correct("POL", 1, annual("POL", 2026, 3))}),
		entries(logged{early, annual("POL", 2026, 1)}, logged{early, correct("POL", 0, transfer("POL", "exporter", 2025, "DEU", 1))}),
		entries(logged{early, ex(40000)}, logged{early, ex(39000)}),
		entries(sequence("RUS", 7, 14000)...),
		entries(simultaneous()...),
		entries(logged{"2026-06-02", exerciseWith("POL", "2026-06-01", "2026-06-03", 10000, 0, true, true)}),
		entries(logged{early, transfer("POL", "exporter", 2025, "DEU", 10)}, logged{early, transfer("DEU", "importer", 2025, "POL", 8)}),
		entries(logged{"2026-07-01", transfer("POL", "exporter", 2025, "DEU", 10)}),
		entries(logged{early, contribution("POL", "CSTO", 2026, 1)}, logged{early, contribution("POL", "CSTO", 2026, 2)}),
	}
}

// testFindings are the findings of the golden fixture and of variantLogs.
func testFindings(t *testing.T) []indivisible.Finding {
	r := DefaultRegime()
	r.Ceilings = []Ceiling{{Participant: "POL", Category: indivisible.BattleTanks, Quantity: 550, Reference: "fixture ceiling"}}
	fs := Check(r, readFixture(t))
	for _, es := range variantLogs() {
		fs = append(fs, Check(DefaultRegime(), es)...)
	}
	return fs
}

// latin is a word in Latin letters: in Russian or Chinese text, English
// left over once the data values are taken out.
var latin = regexp.MustCompile(`[A-Za-z]+`)

// TestLocalizeFindings renders every test finding in each language: in
// English it is the finding's Message; in Russian and Chinese no
// placeholder is left and, with the data values (codes, numbers, dates,
// a parser's error) taken out, no English word remains, so no message,
// phrase or name fell back to English. It also checks that the findings
// use every message of the "finding." family, so that all of them are
// held to this.
func TestLocalizeFindings(t *testing.T) {
	findings := testFindings(t)
	b := i18n.Embedded()
	used := map[string]bool{}
	for _, f := range findings {
		if f.Key == "" {
			t.Fatalf("%s finding without a key: %q", f.Rule, f.Message)
		}
		used[f.Key] = true
		for name, v := range f.Args {
			if p, ok := phraseArgs[name]; ok {
				used[p.family+v] = true
			}
			if l, ok := listArgs[name]; ok {
				used[l.item], used[l.sep] = true, true
			}
		}
		if got := Localize(b.Localizer(i18n.English), f); got != f.Message {
			t.Errorf("English %q, Message %q", got, f.Message)
		}
		for _, tag := range []language.Tag{language.Russian, language.MustParse("zh-Hans")} {
			got := Localize(b.Localizer(tag), f)
			if strings.ContainsAny(got, "{}") {
				t.Errorf("%s %s: placeholder left: %s", tag, f.Key, got)
			}
			// Longer values first, so that a number does not cut a code
			// that contains it ("three_above_13000_simultaneously").
			var values []string
			for name, v := range f.Args {
				_, phrase := phraseArgs[name]
				_, list := listArgs[name]
				if codeArgs[name] == "" && !phrase && !list {
					values = append(values, v)
				}
			}
			slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
			rest := got
			for _, v := range values {
				rest = strings.ReplaceAll(rest, v, "")
			}
			if w := latin.FindAllString(rest, -1); w != nil {
				t.Errorf("%s %s: English words %q in %s", tag, f.Key, w, got)
			}
		}
	}
	data, err := os.ReadFile("../i18n/catalog/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var catalog map[string]json.RawMessage
	if err := json.Unmarshal(data, &catalog); err != nil {
		t.Fatal(err)
	}
	for key := range catalog {
		// The rule titles are the web's; names of codes need not all occur.
		if rest, ok := strings.CutPrefix(key, "finding."); ok && strings.Contains(rest, ".") &&
			!strings.HasPrefix(rest, "category.") && !strings.HasPrefix(rest, "kind.") && !used[key] {
			t.Errorf("no test finding uses %s", key)
		}
	}
}

// TestLocalizeRussian checks whole Russian messages written out by hand,
// for the plural forms a count selects (1 день, 2 мероприятия, 7
// мероприятий) and for names of codes within them.
func TestLocalizeRussian(t *testing.T) {
	const early = "2026-01-10"
	ex := func(personnel int64) string { return exercise("POL", "2026-06-01", "2026-06-12", personnel, 0) }
	ru := i18n.Embedded().Localizer(language.Russian)
	tests := []struct {
		name    string
		rule    string
		entries []indivisible.Entry
		want    string
	}{
		{"a day late", RuleLateNotification, entries(logged{"2026-04-21", ex(10000)}),
			"деятельность государства POL с 2026-06-01 по 2026-06-12; масштаб: 10000 военнослужащих при пороговом уровне 9000; уведомление направлено 2026-04-21, " +
				"с опозданием на 1 день; срок — не позднее 2026-04-20, за 42 дня до ее начала"},
		{"near threshold twice", RuleNearThreshold, entries(logged{early, ex(8600)}, logged{early, exercise("POL", "2026-09-01", "2026-09-02", 8999, 0)}),
			"государство POL провело 2 мероприятия, начавшихся в 2026 году, в пределах 5% ниже порогового уровня «не менее 9000 военнослужащих» (8600, 8999)"},
		{"seven in a year", RuleConstraint, entries(sequence("RUS", 7, 14000)...),
			"RUS: в 2026 году — 7 мероприятий с участием более 13000 военнослужащих или 300 боевых танков, но не более 40000 военнослужащих или 900 боевых танков; " +
				"допускается не более 6 (six_above_13000_per_year)"},
		{"wrong kind", RuleInvalidCorrection, entries(logged{early, annual("POL", 2026, 1)}, logged{early, correct("POL", 0, transfer("POL", "exporter", 2025, "DEU", 1))}),
			"исправление 1 не может быть применено: запись 0 относится к виду «ежегодный обмен военной информацией», а не «отчет о передачах»"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range Check(DefaultRegime(), tc.entries) {
				if f.Rule == tc.rule {
					got = append(got, Localize(ru, f))
				}
			}
			if !slices.Equal(got, []string{tc.want}) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}
