// Package i18n localizes the interface: message catalogs, language
// negotiation, and the numbers, dates and region names of a locale.
//
// A language is one file, catalog/<BCP 47 tag>.json, embedded in the
// binary: adding a fourth language is adding a file, with no code. A
// catalog maps stable, language-neutral keys ("nav.exchange",
// "finding.transfer_mirror_mismatch") to a message: either a string with
// named placeholders ("{name}") or a plural object whose categories
// ("one", "few", "many", "other") are the CLDR plural categories of the
// language, selected by the "count" argument. English (en.json) is the
// reference: every other catalog has exactly its keys (CheckCatalogs), and
// a key a catalog lacks falls back to English (Bundle.Missing lists them).
//
// Everything that depends on CLDR data (language matching, plural rules,
// number symbols, region names) comes from one library, golang.org/x/text,
// so that a new catalog file needs no table of its own.
package i18n

import (
	"embed"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/indivisible-eurasia/indivisible"
)

//go:embed catalog/*.json
var embedded embed.FS

// English is the reference language and the last resort of negotiation.
var English = language.English

// Bundle holds the catalogs of every language and the localizers built
// from them. It is safe for concurrent use.
type Bundle struct {
	// tags are the catalogs' languages, English first, then by tag.
	tags     []language.Tag
	files    map[language.Tag]string
	catalogs map[language.Tag]map[string]*msg
	matcher  language.Matcher
	pseudo   map[string]*msg

	mu         sync.Mutex
	localizers map[language.Tag]*Localizer
}

var embeddedBundle = sync.OnceValues(func() (*Bundle, error) {
	sub, err := fs.Sub(embedded, "catalog")
	if err != nil {
		return nil, err
	}
	return Load(sub)
})

// Embedded returns the bundle of the catalogs built into the binary. It
// panics if they do not load, which the package's tests rule out.
func Embedded() *Bundle {
	b, err := embeddedBundle()
	if err != nil {
		panic("i18n: embedded catalogs: " + err.Error())
	}
	return b
}

// Load reads every *.json file at the root of fsys as the catalog of the
// language its name gives ("ru.json", "zh-Hans.json"). en.json is
// required. A catalog may lack keys (they fall back to English); Check
// reports that and every other inconsistency. Errors (EINVALID) name the
// file and the key.
func Load(fsys fs.FS) (*Bundle, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	b := &Bundle{files: map[language.Tag]string{}, catalogs: map[language.Tag]map[string]*msg{}, localizers: map[language.Tag]*Localizer{}}
	for _, name := range names {
		base := strings.TrimSuffix(name, ".json")
		tag, err := language.Parse(base)
		if err != nil || tag.String() != base {
			// The name must be the canonical form, so that the Content-Language
			// the server sends is the file's name and two files cannot be one
			// language ("zh-hans.json" and "zh-Hans.json").
			return nil, indivisible.InFile(name, indivisible.Invalid("", "the file name is not a canonical BCP 47 language tag (want %s.json)", tag))
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		cat, err := parseCatalog(data)
		if err != nil {
			return nil, indivisible.InFile(name, err)
		}
		b.files[tag], b.catalogs[tag] = name, cat
		b.tags = append(b.tags, tag)
	}
	if b.catalogs[English] == nil {
		return nil, indivisible.Invalid("en.json", "the English catalog is missing; it is the reference every other catalog follows")
	}
	slices.SortFunc(b.tags, func(x, y language.Tag) int {
		switch {
		case x == English:
			return -1
		case y == English:
			return 1
		}
		return strings.Compare(x.String(), y.String())
	})
	b.matcher = language.NewMatcher(b.tags)
	b.pseudo = pseudoCatalog(b.catalogs[English])
	return b, nil
}

// Languages returns the languages of the catalogs, English first: the
// choices of a language switcher. The pseudo-locale is not among them.
func (b *Bundle) Languages() []language.Tag { return slices.Clone(b.tags) }

// Keys returns, sorted, the keys of the catalog tag is served from.
func (b *Bundle) Keys(tag language.Tag) []string {
	keys := slices.Collect(maps.Keys(b.catalog(b.Match(tag))))
	slices.Sort(keys)
	return keys
}

// Missing returns, sorted, the keys of the English catalog that the
// catalog tag is served from lacks, and so shows in English.
func (b *Bundle) Missing(tag language.Tag) []string {
	cat := b.catalog(b.Match(tag))
	var keys []string
	for k := range b.catalogs[English] {
		if cat[k] == nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Match returns the language of the bundle that serves a reader of tag:
// the pseudo-locale for itself, else the best CLDR match among the
// catalogs (zh-CN, zh-SG and zh-Hant to zh-Hans, be and kk to ru), else
// English. It never fails: an undetermined or unmatched tag gives English.
func (b *Bundle) Match(tag language.Tag) language.Tag {
	if tag == Pseudo {
		return Pseudo
	}
	_, i, c := b.matcher.Match(tag)
	if c == language.No {
		return English
	}
	return b.tags[i]
}

func (b *Bundle) catalog(tag language.Tag) map[string]*msg {
	if tag == Pseudo {
		return b.pseudo
	}
	return b.catalogs[tag]
}

// Localizer returns the localizer for a reader of tag (see Match).
func (b *Bundle) Localizer(tag language.Tag) *Localizer {
	tag = b.Match(tag)
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.localizers[tag]
	if l == nil {
		l = &Localizer{tag: tag, cat: b.catalog(tag), en: b.catalogs[English], p: message.NewPrinter(tag)}
		b.localizers[tag] = l
	}
	return l
}

// parseCatalog reads one catalog file: an object of keys to strings or
// plural objects, without duplicate keys.
func parseCatalog(data []byte) (map[string]*msg, error) {
	var raw map[string]jsontext.Value
	if err := indivisible.DecodeStrict(data, &raw); err != nil {
		return nil, err
	}
	cat := make(map[string]*msg, len(raw))
	for key, v := range raw {
		if !validKey(key) {
			return nil, indivisible.Invalid(key, "a key is lower-case ASCII words joined by '.' or '_'")
		}
		m, err := parseMessage(v)
		if err != nil {
			return nil, indivisible.PrefixField(key, err)
		}
		cat[key] = m
	}
	return cat, nil
}

func parseMessage(v jsontext.Value) (*msg, error) {
	var forms map[string]string
	plural := v.Kind() == '{'
	switch v.Kind() {
	case '"':
		var s string
		if err := indivisible.DecodeStrict(v, &s); err != nil {
			return nil, err
		}
		forms = map[string]string{"other": s}
	case '{':
		if err := indivisible.DecodeStrict(v, &forms); err != nil {
			return nil, err
		}
	default:
		return nil, indivisible.Invalid("", "a message is a string or an object of plural forms, not %s", v.Kind())
	}
	m := &msg{plural: plural, forms: map[string][]segment{}}
	for form, text := range forms {
		if _, ok := pluralForms[form]; !ok {
			return nil, indivisible.Invalid(form, "not a CLDR plural category (zero, one, two, few, many, other)")
		}
		segs, err := parseText(text)
		if err != nil && plural {
			err = indivisible.PrefixField(form, err)
		}
		if err != nil {
			return nil, err
		}
		m.forms[form] = segs
	}
	if m.forms["other"] == nil {
		return nil, indivisible.Invalid("other", "every plural object needs the \"other\" form")
	}
	return m, nil
}

// parseText splits a message into literal text and {name} placeholders.
// Braces have no other use, so a stray one is an error rather than a
// placeholder silently printed as text.
func parseText(s string) ([]segment, error) {
	var segs []segment
	for s != "" {
		i := strings.IndexAny(s, "{}")
		if i < 0 {
			segs = append(segs, segment{text: s})
			break
		}
		if i > 0 {
			segs = append(segs, segment{text: s[:i]})
		}
		end := strings.IndexByte(s[i:], '}')
		if s[i] == '}' || end < 0 || !indivisible.IsName(s[i+1:i+end]) {
			return nil, indivisible.Invalid("", "stray brace or malformed placeholder near %q: placeholders are {lower_case_name}", s[i:min(len(s), i+20)])
		}
		segs = append(segs, segment{arg: s[i+1 : i+end], isArg: true})
		s = s[i+end+1:]
	}
	return segs, nil
}

func validKey(s string) bool {
	return s != "" && !strings.HasPrefix(s, ".") && !strings.HasSuffix(s, ".") && !strings.Contains(s, "..") &&
		indivisible.IsName(strings.ReplaceAll(s, ".", "_"))
}

// placeholders returns the sorted names of the placeholders of every form.
func (m *msg) placeholders() []string {
	var names []string
	for _, segs := range m.forms {
		for _, s := range segs {
			if s.isArg {
				names = append(names, s.arg)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
