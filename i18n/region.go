package i18n

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// RegionName returns the CLDR name, in the language tag, of the country
// with the ISO 3166-1 alpha-3 code iso3 (the codes participants are
// identified by): RUS is "Russia", "Россия", "俄罗斯". It reports false for
// anything that is not the alpha-3 code of a country CLDR has a name
// for. A language without CLDR display names gets the English name.
func RegionName(tag language.Tag, iso3 string) (string, bool) {
	if len(iso3) != 3 || !isUpperASCII(iso3) {
		// ParseRegion would also take "ru" and "643"; participants are
		// alpha-3 only, and accepting more would hide a wrong code.
		return "", false
	}
	r, err := language.ParseRegion(iso3)
	if err != nil || !r.IsCountry() {
		return "", false
	}
	names := display.Regions(tag)
	if names == nil { // a language CLDR has no display names for
		names = display.Regions(English)
	}
	name := names.Name(r)
	return name, name != ""
}

func isUpperASCII(s string) bool {
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
