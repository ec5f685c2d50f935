package ir

import (
	"io"
	"regexp"
)

// CountryCode is one row of the countrycode package's crosswalk
// (Arel-Bundock, Enevoldsen & Yetman 2018): a COW code with its COW
// letters, ISO 3166-1 codes and English name.
type CountryCode struct {
	Cown int
	Cowc string // COW letters, equal to stateabb in the COW state list
	// ISO3 and ISO2 are the ISO 3166-1 alpha-3 and alpha-2 codes, empty
	// for a state without one (Austria-Hungary, Yugoslavia, ...). Namibia's
	// ISO2 is "NA", a code, not a missing value.
	ISO3, ISO2 string
	Name       string // country.name.en, the name unvotes uses
}

var (
	iso3 = regexp.MustCompile(`^[A-Z]{3}$`)
	iso2 = regexp.MustCompile(`^[A-Z]{2}$`)
)

// ReadCountryCodes reads the country-code crosswalk CSV
// (codes/country-codes.csv), with exactly the header
// cown,cowc,iso3c,iso2c,country.name.en. name is the file name used in
// error messages. Every field is read as text, so Namibia's "NA" stays a
// code. It rejects a malformed code and a repeated cown, cowc, ISO code or
// name, since each column serves as a join key and must map to one row.
func ReadCountryCodes(r io.Reader, name string) ([]CountryCode, error) {
	t, err := newTable(r, name, "cown", "cowc", "iso3c", "iso2c", "country.name.en")
	if err != nil {
		return nil, err
	}
	var seen [5]map[string]int // per column, value -> line
	for i := range seen {
		seen[i] = map[string]int{}
	}
	var out []CountryCode
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var c CountryCode
		if c.Cown, err = t.int(0, 1, maxCcode); err != nil {
			return nil, err
		}
		c.Cowc, c.ISO3, c.ISO2 = t.rec[1], t.rec[2], t.rec[3]
		if !stateAbb.MatchString(c.Cowc) {
			return nil, t.errorf(1, "%q is not a COW abbreviation (three upper-case letters)", c.Cowc)
		}
		if c.ISO3 != "" && !iso3.MatchString(c.ISO3) {
			return nil, t.errorf(2, "%q is not an ISO 3166-1 alpha-3 code", c.ISO3)
		}
		if c.ISO2 != "" && !iso2.MatchString(c.ISO2) {
			return nil, t.errorf(3, "%q is not an ISO 3166-1 alpha-2 code", c.ISO2)
		}
		if c.Name, err = t.str(4); err != nil {
			return nil, err
		}
		for col := range seen {
			v := t.rec[col]
			if v == "" {
				continue // a missing ISO code joins nothing
			}
			if line, dup := seen[col][v]; dup {
				return nil, t.errorf(col, "%q repeats line %d", v, line)
			}
			seen[col][v] = t.line()
		}
		out = append(out, c)
	}
}
