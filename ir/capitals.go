package ir

import (
	"cmp"
	"io"
	"slices"
	"time"
)

// Capital is a state's capital city over a period, from the capitals table
// of the peacesciencer R package (Miller 2022).
type Capital struct {
	Ccode     int
	StateName string
	City      string
	// Start and End bound the period in which City is the capital, both
	// days included.
	Start, End time.Time
	Lat, Lon   float64 // WGS84 degrees
}

// ReadCapitals reads the capitals CSV, with exactly the header
// ccode,statenme,capital,start,end,lat,lng and ISO dates (YYYY-MM-DD). name
// is the file name used in error messages. It rejects a period that ends
// before it starts and periods of one state that overlap, since the capital
// on a date must be unambiguous.
func ReadCapitals(r io.Reader, name string) ([]Capital, error) {
	t, err := newTable(r, name, "ccode", "statenme", "capital", "start", "end", "lat", "lng")
	if err != nil {
		return nil, err
	}
	var out []Capital
	byState := map[int][]int{} // indices into out
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		var c Capital
		if c.Ccode, err = t.int(0, 1, maxCcode); err != nil {
			return nil, err
		}
		if c.StateName, err = t.str(1); err != nil {
			return nil, err
		}
		if c.City, err = t.str(2); err != nil {
			return nil, err
		}
		if c.Start, err = t.date(3); err != nil {
			return nil, err
		}
		if c.End, err = t.date(4); err != nil {
			return nil, err
		}
		if c.End.Before(c.Start) {
			return nil, t.errorf(4, "%s is before the start %s", t.rec[4], t.rec[3])
		}
		if c.Lat, err = t.float(5, -90, 90); err != nil {
			return nil, err
		}
		if c.Lon, err = t.float(6, -180, 180); err != nil {
			return nil, err
		}
		for _, i := range byState[c.Ccode] {
			if prev := out[i]; !c.Start.After(prev.End) && !prev.Start.After(c.End) {
				return nil, t.errorf(3, "period %s to %s overlaps %s's capital %s from %s to %s",
					t.rec[3], t.rec[4], prev.StateName, prev.City, prev.Start.Format(time.DateOnly), prev.End.Format(time.DateOnly))
			}
		}
		byState[c.Ccode] = append(byState[c.Ccode], len(out))
		out = append(out, c)
	}
	return out, nil
}

// CapitalsOn returns the capital of every state that has one on date,
// ordered by ccode.
func CapitalsOn(caps []Capital, date time.Time) []Capital {
	var out []Capital
	for _, c := range caps {
		if inForce(date, c.Start, c.End) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Capital) int { return cmp.Compare(a.Ccode, b.Ccode) })
	return out
}
