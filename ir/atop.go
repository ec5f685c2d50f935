package ir

import (
	"io"

	"github.com/indivisible-eurasia/indivisible"
)

// Alliance is one directed dyad-year of the ATOP alliance data (Leeds et
// al. 2002): the obligations binding Ccode1 and Ccode2 in Year.
type Alliance struct {
	Ccode1, Ccode2, Year int
	Defense, Offense     bool
	Neutral, NonAgg      bool
	Consul               bool
}

// Tie returns the valued alliance tie of the dyad (Signorino & Ritter 1999,
// ATOP coding): 3 for defence or offence, 2 for neutrality or
// consultation, 1 for non-aggression only, 0 for none.
func (a Alliance) Tie() uint8 {
	return uint8(a.Strongest().TieValue())
}

// Strongest returns the dyad's strongest obligation, in the order of
// indivisible.CommitmentTypes, or "" when it has none.
func (a Alliance) Strongest() indivisible.CommitmentType {
	switch {
	case a.Defense:
		return indivisible.Defence
	case a.Offense:
		return indivisible.Offence
	case a.Neutral:
		return indivisible.Neutrality
	case a.Consul:
		return indivisible.Consultation
	case a.NonAgg:
		return indivisible.NonAggression
	}
	return ""
}

// ReadATOP reads the ATOP alliance dyad-year CSV, with exactly the header
// ccode1,ccode2,year,defense,offense,neutral,nonagg,consul and 0 or 1 in
// each obligation column. name is the file name used in error messages. It
// rejects a repeated directed dyad-year.
func ReadATOP(r io.Reader, name string) ([]Alliance, error) {
	t, err := newTable(r, name, "ccode1", "ccode2", "year", "defense", "offense", "neutral", "nonagg", "consul")
	if err != nil {
		return nil, err
	}
	type key struct{ a, b, year int }
	seen := map[key]int{}
	var out []Alliance
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var a Alliance
		if a.Ccode1, err = t.int(0, 1, maxCcode); err != nil {
			return nil, err
		}
		if a.Ccode2, err = t.int(1, 1, maxCcode); err != nil {
			return nil, err
		}
		if a.Ccode1 == a.Ccode2 {
			return nil, t.errorf(1, "a state is not allied to itself")
		}
		if a.Year, err = t.int(2, minYear, maxYear); err != nil {
			return nil, err
		}
		k := key{a.Ccode1, a.Ccode2, a.Year}
		if line, dup := seen[k]; dup {
			return nil, t.errorf(2, "dyad %d-%d has a second row for %d (first on line %d)", a.Ccode1, a.Ccode2, a.Year, line)
		}
		seen[k] = t.line()
		var flags [5]bool
		for i := range flags {
			v, err := t.int(3+i, 0, 1)
			if err != nil {
				return nil, err
			}
			flags[i] = v == 1
		}
		a.Defense, a.Offense, a.Neutral, a.NonAgg, a.Consul = flags[0], flags[1], flags[2], flags[3], flags[4]
		out = append(out, a)
	}
}
