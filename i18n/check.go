package i18n

import (
	"errors"
	"slices"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/indivisible-eurasia/indivisible"
)

// CheckCatalogs checks the embedded catalogs; see Bundle.Check.
func CheckCatalogs() error {
	b, err := embeddedBundle()
	if err != nil {
		return err
	}
	return b.Check()
}

// Check reports every inconsistency of the catalogs, each an EINVALID
// error whose field is "file:key": a key of en.json another catalog lacks,
// a key only another catalog has, a message whose placeholders differ
// from English, a plain string where English has a plural (or the
// reverse), and a plural object without exactly the CLDR categories its
// language needs (Russian: one, few, many, other). Missing keys only
// degrade a page to English at run time; Check is what the tests hold the
// catalogs to.
func (b *Bundle) Check() error {
	var errs []error
	en := b.catalogs[English]
	for _, tag := range b.tags {
		file, cat := b.files[tag], b.catalogs[tag]
		fail := func(key, format string, args ...any) {
			errs = append(errs, indivisible.InFile(file, indivisible.Invalid(key, format, args...)))
		}
		need := pluralCategories(tag)
		for _, key := range sortedKeys(en) {
			m, ref := cat[key], en[key]
			switch {
			case m == nil:
				fail(key, "missing: en.json has it (%q)", ref.english())
				continue
			case m.plural != ref.plural:
				fail(key, "is %s in en.json, %s here", ref.kind(), m.kind())
				continue
			}
			if got, want := m.placeholders(), ref.placeholders(); !slices.Equal(got, want) {
				fail(key, "placeholders %v differ from en.json's %v", got, want)
			}
			if m.plural {
				if got := sortedKeys(m.forms); !slices.Equal(got, need) {
					fail(key, "plural forms %v; %s needs exactly %v", got, tag, need)
				}
				if !slices.Contains(m.placeholders(), "count") {
					fail(key, "a plural message needs a {count} placeholder in some form, the number its form is chosen by")
				}
			}
		}
		for _, key := range sortedKeys(cat) {
			if en[key] == nil {
				fail(key, "not in en.json: every key starts in English")
			}
		}
	}
	return errors.Join(errs...)
}

// pluralCategories returns, sorted, the CLDR plural categories tag uses
// for whole numbers, and "other", which CLDR requires of every language
// (Russian uses it for fractions: 1,5 декларации).
func pluralCategories(tag language.Tag) []string {
	seen := map[string]bool{"other": true}
	// Every rule of CLDR's cardinals depends on n modulo 100 or 1,000,000
	// and on small values, so these cover each category a language has
	// for whole numbers.
	for _, n := range append(seq(0, 1000), 1_000_000, 2_000_000) {
		seen[formName(plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0))] = true
	}
	return sortedKeys(seen)
}

func seq(lo, hi int) []int {
	s := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (m *msg) kind() string {
	if m.plural {
		return "a plural object"
	}
	return "a string"
}

// english returns the text of the message's "other" form, placeholders
// included, to show a translator what is missing.
func (m *msg) english() string {
	var b strings.Builder
	for _, s := range m.forms["other"] {
		if s.isArg {
			b.WriteString("{" + s.arg + "}")
		} else {
			b.WriteString(s.text)
		}
	}
	return b.String()
}
