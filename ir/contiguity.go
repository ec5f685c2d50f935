package ir

import (
	"io"
	"time"
)

// Contiguity is a period of direct contiguity between two states, from the
// COW Direct Contiguity data (Stinnett et al. 2002).
type Contiguity struct {
	Ccode1, Ccode2 int
	// Type is 1 for a land or river border and 2, 3, 4 or 5 for a
	// separation by at most 12, 24, 150 or 400 miles of water. The shared
	// data also hold rows of type 0, periods in which the pair is not
	// directly contiguous (e.g. the United States and Russia, 1816-1958).
	Type int
	// Start and End bound the period, both days included.
	Start, End time.Time
}

// Land is the contiguity type of a land or river border.
const Land = 1

// ReadContiguity reads the COW direct contiguity CSV, with exactly the
// header ccode1,ccode2,conttype,start,end and ISO dates (YYYY-MM-DD). name
// is the file name used in error messages.
func ReadContiguity(r io.Reader, name string) ([]Contiguity, error) {
	t, err := newTable(r, name, "ccode1", "ccode2", "conttype", "start", "end")
	if err != nil {
		return nil, err
	}
	var out []Contiguity
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var c Contiguity
		if c.Ccode1, err = t.int(0, 1, maxCcode); err != nil {
			return nil, err
		}
		if c.Ccode2, err = t.int(1, 1, maxCcode); err != nil {
			return nil, err
		}
		if c.Ccode1 == c.Ccode2 {
			return nil, t.errorf(1, "a state is not contiguous with itself")
		}
		if c.Type, err = t.int(2, 0, 5); err != nil {
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
		out = append(out, c)
	}
}

// Pair is an unordered pair of states, Ccode1 < Ccode2.
type Pair struct{ Ccode1, Ccode2 int }

// MakePair returns the pair of a and b in order.
func MakePair(a, b int) Pair { return Pair{min(a, b), max(a, b)} }

// ContiguityOn returns the direct-contiguity type in force on date for
// each pair of states that has one: the closest (lowest) type from 1 to 5
// if several periods apply, in either direction of the directed data.
// Rows of type 0 (not contiguous) are ignored.
func ContiguityOn(rows []Contiguity, date time.Time) map[Pair]int {
	out := map[Pair]int{}
	for _, c := range rows {
		if c.Type == 0 || !inForce(date, c.Start, c.End) {
			continue
		}
		p := MakePair(c.Ccode1, c.Ccode2)
		if t, ok := out[p]; !ok || c.Type < t {
			out[p] = c.Type
		}
	}
	return out
}

// lastDate returns the latest end date in rows: the end of the data, after
// which the absence of a row says nothing.
func lastDate(rows []Contiguity) time.Time {
	var last time.Time
	for _, c := range rows {
		if c.End.After(last) {
			last = c.End
		}
	}
	return last
}
