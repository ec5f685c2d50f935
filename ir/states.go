package ir

import (
	"io"
	"time"
)

// Spell is a period in which a state is a member of the COW state system
// (ReadStates) or a COW major power (ReadMajors). A state can have several
// spells, e.g. the Netherlands as a member 1816-1940 and 1945-2016.
type Spell struct {
	Ccode int
	// Abb and Name are the COW abbreviation and state name; they are empty
	// for major-power spells, whose file has neither.
	Abb, Name string
	// Start and End bound the spell, both days included. An End of
	// 2016-12-31 means the spell lasts to the end of the v2016 data.
	Start, End time.Time
}

// ReadStates reads the COW State System Membership CSV (cow/states.csv),
// with exactly the header stateabb,ccode,statenme,styear,stmonth,stday,
// endyear,endmonth,endday,version (version must be present but is not
// read). name is the file name used in error messages. It rejects an
// impossible date, a spell that ends before it starts, spells of one state
// that overlap, and a ccode and stateabb that do not correspond one to one
// (the abbreviation identifies a state elsewhere, e.g. in the NMC data).
func ReadStates(r io.Reader, name string) ([]Spell, error) {
	t, err := newTable(r, name, "stateabb", "ccode", "statenme", "styear", "stmonth", "stday", "endyear", "endmonth", "endday", "version")
	if err != nil {
		return nil, err
	}
	abbs, ccodes := map[int]string{}, map[string]int{}
	var out []Spell
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var s Spell
		s.Abb = t.rec[0]
		if !stateAbb.MatchString(s.Abb) {
			return nil, t.errorf(0, "%q is not a COW abbreviation (three upper-case letters)", s.Abb)
		}
		if s.Ccode, err = t.int(1, 1, maxCcode); err != nil {
			return nil, err
		}
		if prev, ok := abbs[s.Ccode]; ok && prev != s.Abb {
			return nil, t.errorf(0, "%q for ccode %d, which earlier rows abbreviate %q", s.Abb, s.Ccode, prev)
		}
		if prev, ok := ccodes[s.Abb]; ok && prev != s.Ccode {
			return nil, t.errorf(0, "%q for ccode %d, but earlier rows use it for ccode %d", s.Abb, s.Ccode, prev)
		}
		abbs[s.Ccode], ccodes[s.Abb] = s.Abb, s.Ccode
		if s.Name, err = t.str(2); err != nil {
			return nil, err
		}
		if err := readSpell(t, out, &s, 3); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
}

// readSpell reads the start and end of s from the six columns from col
// (year, month, day twice) and checks them against the spells already
// read: overlapping spells of one state would make membership on a date
// depend on which row is consulted, so they are an error in the file.
func readSpell(t *table, prev []Spell, s *Spell, col int) error {
	var err error
	if s.Start, err = t.ymd(col, col+1, col+2); err != nil {
		return err
	}
	if s.End, err = t.ymd(col+3, col+4, col+5); err != nil {
		return err
	}
	if s.End.Before(s.Start) {
		return t.errorf(col+3, "%s is before the start %s", s.End.Format(time.DateOnly), s.Start.Format(time.DateOnly))
	}
	for _, p := range prev {
		if p.Ccode == s.Ccode && !s.Start.After(p.End) && !p.Start.After(s.End) {
			return t.errorf(col, "spell %s to %s of state %d overlaps its spell %s to %s",
				s.Start.Format(time.DateOnly), s.End.Format(time.DateOnly), s.Ccode,
				p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly))
		}
	}
	return nil
}

// Active reports whether ccode has a spell containing date, both ends of a
// spell included.
func Active(spells []Spell, ccode int, date time.Time) bool {
	for _, s := range spells {
		if s.Ccode == ccode && inForce(date, s.Start, s.End) {
			return true
		}
	}
	return false
}
