package ir

import (
	"io"
	"slices"
)

// rivalryTypes are the kinds of strategic rivalry Thompson and Dreyer
// distinguish: over territory, over position in a regional or global
// hierarchy, over ideology, and over intervention in a third state.
var rivalryTypes = []string{"spatial", "positional", "ideological", "interventionary"}

// Rivalry is one of Thompson and Dreyer's strategic rivalries, 1494-2010
// (Thompson & Dreyer 2011, Handbook of International Rivalries), as
// peacesciencer's td_rivalries table gives it: undirected, one row per
// rivalry. A pair of states can have several rivalries, in different
// periods or of different kinds.
type Rivalry struct {
	No   int    // rivalryno, unique
	Name string // e.g. "Austria-France"
	// Ccode1 < Ccode2. COW codes also stand for polities before they were
	// COW system members (220 France from 1494).
	Ccode1, Ccode2 int
	// Start and End are years, both included. An End of 2010 means the
	// rivalry was still going when the handbook closed, not that it ended.
	Start, End int
	// Types lists the rivalry's one to three types, in the source's order,
	// each one of "spatial", "positional", "ideological" and
	// "interventionary".
	Types []string
}

// ReadRivalries reads the Thompson-Dreyer rivalries CSV, with exactly the
// header rivalryno,rivalryname,ccode1,ccode2,styear,endyear,region,type1,
// type2,type3 (region must be present but is not read). name is the file
// name used in error messages. It rejects a pair not in order (ccode1 <
// ccode2), an end before the start, an unknown or repeated type, a type3
// without a type2, and a repeated rivalryno.
func ReadRivalries(r io.Reader, name string) ([]Rivalry, error) {
	t, err := newTable(r, name, "rivalryno", "rivalryname", "ccode1", "ccode2", "styear", "endyear", "region", "type1", "type2", "type3")
	if err != nil {
		return nil, err
	}
	seen := map[int]int{}
	var out []Rivalry
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var v Rivalry
		if v.No, err = t.int(0, 1, 1<<31-1); err != nil {
			return nil, err
		}
		if line, dup := seen[v.No]; dup {
			return nil, t.errorf(0, "rivalry %d has a second row (first on line %d)", v.No, line)
		}
		seen[v.No] = t.line()
		if v.Name, err = t.str(1); err != nil {
			return nil, err
		}
		if v.Ccode1, err = t.int(2, 1, maxCcode); err != nil {
			return nil, err
		}
		if v.Ccode2, err = t.int(3, 1, maxCcode); err != nil {
			return nil, err
		}
		// The table is undirected; keeping the documented order lets a
		// caller key rivalries by Pair without normalising.
		if v.Ccode1 >= v.Ccode2 {
			return nil, t.errorf(3, "%d is not above ccode1 %d: the pairs are undirected, ccode1 < ccode2", v.Ccode2, v.Ccode1)
		}
		if v.Start, err = t.int(4, minYear, maxYear); err != nil {
			return nil, err
		}
		if v.End, err = t.int(5, minYear, maxYear); err != nil {
			return nil, err
		}
		if v.End < v.Start {
			return nil, t.errorf(5, "%d is before the start %d", v.End, v.Start)
		}
		for col := 7; col <= 9; col++ {
			s := t.rec[col]
			if s == "" {
				if col == 7 {
					return nil, t.errorf(col, "empty: a rivalry has at least one type")
				}
				continue
			}
			if t.rec[col-1] == "" {
				return nil, t.errorf(col, "%q follows an empty %s", s, t.header[col-1])
			}
			if !slices.Contains(rivalryTypes, s) {
				return nil, t.errorf(col, "%q is not a rivalry type (%v)", s, rivalryTypes)
			}
			if slices.Contains(v.Types, s) {
				return nil, t.errorf(col, "%q repeats an earlier type", s)
			}
			v.Types = append(v.Types, internType(s))
		}
		out = append(out, v)
	}
}

// internType returns the rivalryTypes string equal to s, so that rows
// share the four strings instead of each holding a copy of its record.
func internType(s string) string {
	return rivalryTypes[slices.Index(rivalryTypes, s)]
}
