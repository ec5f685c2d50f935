package i18n

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/text/language"

	"github.com/indivisible-eurasia/indivisible"
)

var (
	russian  = language.Russian
	chinese  = language.MustParse("zh-Hans")
	allTags  = []language.Tag{English, russian, chinese}
	nbsp     = "\u00a0"
	enSample = `{"nav.log": "Log", "header.signed_in": "Signed in: {name}",
		"count.declarations": {"one": "{count} declaration", "other": "{count} declarations"}}`
)

func TestEmbeddedCatalogs(t *testing.T) {
	if err := CheckCatalogs(); err != nil {
		t.Fatal(err)
	}
	if got := Embedded().Languages(); !slices.Equal(got, allTags) {
		t.Errorf("Languages() = %v, want %v", got, allTags)
	}
	for _, tag := range allTags {
		if m := Embedded().Missing(tag); len(m) != 0 {
			t.Errorf("Missing(%v) = %v", tag, m)
		}
	}
	if n := len(Embedded().catalogs[English]); n < 60 {
		t.Errorf("en.json has %d keys, want a starter set of at least 60", n)
	}
}

func TestLocalize(t *testing.T) {
	b := Embedded()
	tests := []struct {
		tag  language.Tag
		key  string
		args []any
		want string
	}{
		{English, "nav.exchange", nil, "Exchange"},
		{russian, "nav.exchange", nil, "Обмен информацией"},
		{chinese, "nav.exchange", nil, "信息交流"},
		{English, "header.signed_in", []any{"name", "Kazakhstan"}, "Signed in: Kazakhstan"},
		{russian, "header.signed_in", []any{"name", "Казахстан"}, "Вход выполнен: Казахстан"},
		// English: one for 1 only.
		{English, "count.declarations", []any{"count", 1}, "1 declaration"},
		{English, "count.declarations", []any{"count", 0}, "0 declarations"},
		{English, "count.declarations", []any{"count", 1.5}, "1.5 declarations"},
		{English, "count.declarations", []any{"count", 1234}, "1,234 declarations"},
		// Russian: one for 1, 21, 101 (not 11); few for 2-4, 22-24 (not
		// 12-14); many for 0, 5-20, 25-30, 111; other for fractions.
		{russian, "count.declarations", []any{"count", 1}, "1 декларация"},
		{russian, "count.declarations", []any{"count", 2}, "2 декларации"},
		{russian, "count.declarations", []any{"count", 4}, "4 декларации"},
		{russian, "count.declarations", []any{"count", 5}, "5 деклараций"},
		{russian, "count.declarations", []any{"count", 0}, "0 деклараций"},
		{russian, "count.declarations", []any{"count", 11}, "11 деклараций"},
		{russian, "count.declarations", []any{"count", 12}, "12 деклараций"},
		{russian, "count.declarations", []any{"count", 21}, "21 декларация"},
		{russian, "count.declarations", []any{"count", 22}, "22 декларации"},
		{russian, "count.declarations", []any{"count", 25}, "25 деклараций"},
		{russian, "count.declarations", []any{"count", 101}, "101 декларация"},
		{russian, "count.declarations", []any{"count", 111}, "111 деклараций"},
		{russian, "count.declarations", []any{"count", 1.5}, "1,5 декларации"},
		{russian, "count.declarations", []any{"count", int64(1234)}, "1" + nbsp + "234 декларации"},
		{russian, "count.entries", []any{"count", 57}, "57 записей"},
		{russian, "count.entries", []any{"count", 3}, "3 записи"},
		{russian, "count.entries", []any{"count", 21}, "21 запись"},
		{russian, "count.findings", []any{"count", 1000}, "1" + nbsp + "000 замечаний"},
		{russian, "count.findings", []any{"count", 1}, "1 замечание"},
		// Chinese has the one category "other".
		{chinese, "count.declarations", []any{"count", 1}, "1份申报"},
		{chinese, "count.entries", []any{"count", 57}, "57条记录"},
		// Unmatched and regional tags.
		{language.MustParse("zh-CN"), "nav.forum", nil, "论坛"},
		{language.MustParse("ru-KZ"), "nav.forum", nil, "Форум"},
		{language.French, "nav.forum", nil, "Forum"},
		{language.Und, "nav.forum", nil, "Forum"},
		// A key no catalog has shows itself; a missing argument shows its
		// placeholder; a plural without count uses other.
		{russian, "nav.no_such_key", nil, "nav.no_such_key"},
		{English, "header.signed_in", nil, "Signed in: {name}"},
		{English, "count.declarations", []any{"count", "many"}, "many declarations"},
		{English, "header.signed_in", []any{"name"}, "Signed in: {name}"},
	}
	for _, tt := range tests {
		if got := b.Localizer(tt.tag).T(tt.key, tt.args...); got != tt.want {
			t.Errorf("%v T(%q, %v) = %q, want %q", tt.tag, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestFallbackToEnglish(t *testing.T) {
	fsys := fstest.MapFS{
		"en.json": {Data: []byte(enSample)},
		"ru.json": {Data: []byte(`{"nav.log": "Журнал"}`)},
	}
	b, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	l := b.Localizer(russian)
	if got := l.T("nav.log"); got != "Журнал" {
		t.Errorf("T(nav.log) = %q", got)
	}
	if got, want := l.T("header.signed_in", "name", "Армения"), "Signed in: Армения"; got != want {
		t.Errorf("missing key: T = %q, want the English %q", got, want)
	}
	if got, want := b.Missing(russian), []string{"count.declarations", "header.signed_in"}; !slices.Equal(got, want) {
		t.Errorf("Missing(ru) = %v, want %v", got, want)
	}
	if got := b.Missing(English); len(got) != 0 {
		t.Errorf("Missing(en) = %v", got)
	}
	// The partial catalog loads (it works, in part), but does not pass.
	if err := b.Check(); err == nil || !strings.Contains(err.Error(), "ru.json:header.signed_in") {
		t.Errorf("Check() = %v, want the missing key named", err)
	}
}

func TestCheckNamesFileAndKey(t *testing.T) {
	tests := []struct {
		name string
		file string // the catalog under test, next to enSample
		data string
		want []string
	}{
		{"missing key", "ru.json", `{"nav.log": "Журнал", "header.signed_in": "Вход выполнен: {name}"}`,
			[]string{"ru.json:count.declarations: missing"}},
		{"extra key", "zh-Hans.json", `{"nav.log": "日志", "nav.extra": "多余", "header.signed_in": "已登录：{name}", "count.declarations": {"other": "{count}份申报"}}`,
			[]string{"zh-Hans.json:nav.extra: not in en.json"}},
		{"placeholder renamed", "ru.json", `{"nav.log": "Журнал", "header.signed_in": "Вход выполнен: {user}",
			"count.declarations": {"one": "{count} декларация", "few": "{count} декларации", "many": "{count} деклараций", "other": "{count} декларации"}}`,
			[]string{"ru.json:header.signed_in: placeholders [user] differ from en.json's [name]"}},
		{"plural lacks few and many", "ru.json", `{"nav.log": "Журнал", "header.signed_in": "Вход выполнен: {name}",
			"count.declarations": {"one": "{count} декларация", "other": "{count} декларации"}}`,
			[]string{"ru.json:count.declarations: plural forms [one other]; ru needs exactly [few many one other]"}},
		{"plural with a category Chinese lacks", "zh-Hans.json", `{"nav.log": "日志", "header.signed_in": "已登录：{name}", "count.declarations": {"one": "一份申报", "other": "{count}份申报"}}`,
			[]string{"zh-Hans.json:count.declarations: plural forms [one other]; zh-Hans needs exactly [other]"}},
		{"string for plural", "zh-Hans.json", `{"nav.log": "日志", "header.signed_in": "已登录：{name}", "count.declarations": "{count}份申报"}`,
			[]string{"zh-Hans.json:count.declarations: is a plural object in en.json, a string here"}},
		{"two problems", "ru.json", `{"nav.log": "Журнал", "nav.extra": "x"}`,
			[]string{"ru.json:header.signed_in: missing", "ru.json:count.declarations: missing", "ru.json:nav.extra: not in en.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Load(fstest.MapFS{"en.json": {Data: []byte(enSample)}, tt.file: {Data: []byte(tt.data)}})
			if err != nil {
				t.Fatal(err)
			}
			err = b.Check()
			if indivisible.ErrorCode(err) != indivisible.EINVALID {
				t.Fatalf("Check() = %v, want EINVALID", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestCheckEnglishPlural(t *testing.T) {
	b, err := Load(fstest.MapFS{"en.json": {Data: []byte(`{"count.x": {"one": "one x", "few": "{count} x", "other": "{count} xs"}, "count.y": {"one": "a y", "other": "some ys"}}`)}})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Check()
	for _, w := range []string{"en.json:count.x: plural forms [few one other]; en needs exactly [one other]", "en.json:count.y: a plural message needs a {count} placeholder"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Check() = %v, want it to contain %q", err, w)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"no English", fstest.MapFS{"ru.json": {Data: []byte(`{}`)}}, "en.json: the English catalog is missing"},
		{"malformed JSON", fstest.MapFS{"en.json": {Data: []byte(`{"nav.log": "Log",}`)}}, "en.json"},
		{"duplicate key", fstest.MapFS{"en.json": {Data: []byte(`{"nav.log": "Log", "nav.log": "Journal"}`)}}, "en.json"},
		{"number value", fstest.MapFS{"en.json": {Data: []byte(`{"nav.log": 3}`)}}, "en.json:nav.log: a message is a string or an object of plural forms"},
		{"stray brace", fstest.MapFS{"en.json": {Data: []byte(`{"nav.log": "Log {"}`)}}, "en.json:nav.log: stray brace"},
		{"closing brace", fstest.MapFS{"en.json": {Data: []byte(`{"nav.log": "Log }"}`)}}, "en.json:nav.log: stray brace"},
		{"upper-case placeholder", fstest.MapFS{"en.json": {Data: []byte(`{"nav.log": "Log {Name}"}`)}}, "en.json:nav.log: stray brace or malformed placeholder"},
		{"bad key", fstest.MapFS{"en.json": {Data: []byte(`{"Nav Log": "Log"}`)}}, "en.json:Nav Log: a key is lower-case"},
		{"unknown plural category", fstest.MapFS{"en.json": {Data: []byte(`{"c": {"single": "x", "other": "y"}}`)}}, "en.json:c.single: not a CLDR plural category"},
		{"plural without other", fstest.MapFS{"en.json": {Data: []byte(`{"c": {"one": "x"}}`)}}, "en.json:c.other: every plural object needs"},
		{"non-canonical file name", fstest.MapFS{"en.json": {Data: []byte(`{}`)}, "zh-hans.json": {Data: []byte(`{}`)}}, "zh-hans.json: the file name is not a canonical BCP 47 language tag (want zh-Hans.json)"},
		{"not a tag", fstest.MapFS{"en.json": {Data: []byte(`{}`)}, "russian.json": {Data: []byte(`{}`)}}, "russian.json: the file name is not a canonical"},
		{"null", fstest.MapFS{"en.json": {Data: []byte(`null`)}}, "en.json: the document is null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.files)
			if indivisible.ErrorCode(err) != indivisible.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load() = %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}

// A new language is a file: nothing else names it.
func TestNewLanguageIsAFile(t *testing.T) {
	b, err := Load(fstest.MapFS{
		"en.json": {Data: []byte(enSample)},
		"uk.json": {Data: []byte(`{"nav.log": "Журнал", "header.signed_in": "Ви увійшли: {name}",
			"count.declarations": {"one": "{count} декларація", "few": "{count} декларації", "many": "{count} декларацій", "other": "{count} декларації"}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	uk := language.Ukrainian
	l := b.Localizer(uk)
	if l.Tag() != uk {
		t.Fatalf("Localizer(uk).Tag() = %v", l.Tag())
	}
	for n, want := range map[int]string{1: "1 декларація", 3: "3 декларації", 7: "7 декларацій"} {
		if got := l.T("count.declarations", "count", n); got != want {
			t.Errorf("uk %d: %q, want %q", n, got, want)
		}
	}
}

func TestPseudoLocale(t *testing.T) {
	b := Embedded()
	l := b.Localizer(Pseudo)
	if l.Tag() != Pseudo {
		t.Fatalf("Localizer(en-XA).Tag() = %v", l.Tag())
	}
	en := b.Localizer(English)
	for _, key := range sortedKeys(b.catalogs[English]) {
		got, plain := l.T(key, "count", 2, "name", "X"), en.T(key, "count", 2, "name", "X")
		if !strings.HasPrefix(got, "⟦") || !strings.HasSuffix(got, "⟧") {
			t.Errorf("%s: %q is not wrapped in ⟦…⟧", key, got)
		}
		if len([]rune(got)) < len([]rune(plain))*5/4 {
			t.Errorf("%s: %q is not much longer than %q", key, got, plain)
		}
	}
	if got, want := l.T("header.signed_in", "name", "Kazakhstan"), "⟦Šíĝñéð íñ: Kazakhstan······⟧"; got != want {
		// 17 characters ("Signed in: " and "{name}"), 40% more is 6.
		t.Errorf("pseudo T = %q, want %q: text accented, arguments kept", got, want)
	}
	// The pseudo-locale is for tests: it is never negotiated from a
	// browser's languages, and it is no choice of a language switcher.
	if slices.Contains(b.Languages(), Pseudo) {
		t.Error("Languages() offers the pseudo-locale")
	}
}

// Localizers are shared by every request; run under -race, this finds any
// state they mutate.
func TestConcurrentUse(t *testing.T) {
	b, err := Load(fstest.MapFS{"en.json": {Data: []byte(enSample)}, "ru.json": {Data: []byte(`{"nav.log": "Журнал"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	for i := range 8 {
		go func() {
			l := b.Localizer(allTags[i%len(allTags)])
			done <- l.T("count.declarations", "count", i*1000) + FormatNumber(l.Tag(), float64(i), 2)
		}()
	}
	for range 8 {
		if s := <-done; s == "" {
			t.Error("empty message")
		}
	}
}
