package i18n

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Pseudo is the pseudo-locale: English with every message wrapped in
// ⟦…⟧, its letters accented and its length increased by about 40%. A page
// rendered in it shows at a glance (and to a crawler test) any text that
// bypassed the catalogs, since that text is plain, and any layout that
// breaks when a translation is longer than the English. "XA" is a private
// use region in BCP 47, so no real reader asks for it; it is never chosen
// from Accept-Language, only by ?lang=en-XA or the cookie.
var Pseudo = language.MustParse("en-XA")

// accents maps ASCII letters to accented look-alikes that stay readable.
var accents = strings.NewReplacer(
	"a", "á", "b", "ƀ", "c", "ç", "d", "ð", "e", "é", "f", "ƒ", "g", "ĝ", "h", "ĥ", "i", "í",
	"j", "ĵ", "k", "ķ", "l", "ĺ", "m", "ɱ", "n", "ñ", "o", "ö", "p", "þ", "q", "ǫ", "r", "ŕ",
	"s", "š", "t", "ţ", "u", "ü", "v", "ṽ", "w", "ŵ", "x", "ẋ", "y", "ý", "z", "ž",
	"A", "Å", "B", "Ɓ", "C", "Ç", "D", "Ð", "E", "É", "F", "Ƒ", "G", "Ĝ", "H", "Ĥ", "I", "Î",
	"J", "Ĵ", "K", "Ķ", "L", "Ĺ", "M", "Ṁ", "N", "Ñ", "O", "Ö", "P", "Þ", "Q", "Ǫ", "R", "Ŕ",
	"S", "Š", "T", "Ţ", "U", "Û", "V", "Ṽ", "W", "Ŵ", "X", "Ẋ", "Y", "Ý", "Z", "Ž",
)

// pseudoCatalog derives the pseudo-locale's catalog from English. The
// placeholders are kept, so arguments still show and plural selection
// (by English rules) still works.
func pseudoCatalog(en map[string]*msg) map[string]*msg {
	cat := make(map[string]*msg, len(en))
	for key, m := range en {
		p := &msg{plural: m.plural, forms: make(map[string][]segment, len(m.forms))}
		for form, segs := range m.forms {
			p.forms[form] = pseudoSegments(segs)
		}
		cat[key] = p
	}
	return cat
}

func pseudoSegments(segs []segment) []segment {
	out := []segment{{text: "⟦"}}
	n := 0
	for _, s := range segs {
		if s.isArg {
			out = append(out, s)
			n += len(s.arg) + 2
			continue
		}
		out = append(out, segment{text: accents.Replace(s.text)})
		n += utf8.RuneCountInString(s.text)
	}
	// 40% longer, at least one mark, as translations into Russian run.
	out = append(out, segment{text: strings.Repeat("·", max(1, n*2/5)) + "⟧"})
	return out
}
