package ir

import "io"

// ReadMajors reads the COW major powers CSV (cow/majors.csv), with exactly
// the header ccode,styear,stmonth,stday,endyear,endmonth,endday,version
// (version must be present but is not read). name is the file name used
// in error messages. It rejects an impossible date, a spell that ends
// before it starts and spells of one state that overlap.
func ReadMajors(r io.Reader, name string) ([]Spell, error) {
	t, err := newTable(r, name, "ccode", "styear", "stmonth", "stday", "endyear", "endmonth", "endday", "version")
	if err != nil {
		return nil, err
	}
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
		if s.Ccode, err = t.int(0, 1, maxCcode); err != nil {
			return nil, err
		}
		if err := readSpell(t, out, &s, 1); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
}
