package ir

import (
	"io"
)

// dirDisputeHeader is the header of gml-dirdisp.csv, in file order. Every
// column must be present, so that a file with shifted or renamed columns
// is rejected rather than misread, though only some are parsed.
var dirDisputeHeader = []string{
	"dispnum", "ccode1", "ccode2", "year", "midongoing", "midonset", "sidea1", "sidea2",
	"revstate1", "revstate2", "revtype11", "revtype12", "revtype21", "revtype22",
	"fatality1", "fatality2", "fatalpre1", "fatalpre2", "hiact1", "hiact2", "hostlev1", "hostlev2",
	"orig1", "orig2", "hiact", "hostlev", "mindur", "maxdur", "outcome", "settle", "fatality",
	"fatalpre", "stmon", "endmon", "recip", "numa", "numb", "ongo2010", "version",
}

// Indices of the parsed columns of dirDisputeHeader.
const (
	ddDispNum  = 0
	ddCcode1   = 1
	ddCcode2   = 2
	ddYear     = 3
	ddOnset    = 5
	ddSideA1   = 6
	ddSideA2   = 7
	ddHostLev1 = 20
	ddHostLev2 = 21
	ddOrig1    = 22
	ddHostLev  = 25
)

// DirDispute is one row of the Gibler-Miller-Little MID data v2.2.1,
// directed dispute-dyad-years (gml-dirdisp.csv): Ccode1 and Ccode2 are on
// opposite sides of dispute DispNum and both take part in it in Year. Both
// directions of every pair are in the file. A dyad in several disputes in
// one year has several rows.
type DirDispute struct {
	DispNum, Ccode1, Ccode2, Year int
	// Onset is midonset == 1: the first year of this dyad's part in the
	// dispute, or its re-entry after a gap; it marks dyadic onsets, which
	// can fall after the dispute's own start year.
	Onset bool
	// SideA1 is sidea1 == 1: Ccode1 is on Side A, the side that took the
	// first militarized action. Exactly one state of the dyad is.
	SideA1 bool
	// Orig1 is orig1 == 1: Ccode1 is an originator of the dispute, not a
	// joiner.
	Orig1 bool
	// HostLev1 and HostLev2 are each state's hostility level: 1 no
	// militarized action, 2 threat, 3 display, 4 use of force, 5 war, -9
	// unknown.
	HostLev1, HostLev2 int
	// HostLev is the dispute-level hostility level, coded alike.
	HostLev int
}

// ReadDirDisputes reads the GML MID directed dispute-dyad-year CSV
// (gml-dirdisp.csv), whose header must be exactly the 39 columns the
// shared data's README lists, in file order. It parses only the columns of
// DirDispute; the others must be present but are not read. name is the
// file name used in error messages. It rejects a state in dispute with
// itself, a dyad whose two states are both or neither on Side A, a value
// out of range (flags other than 0 or 1, hostility levels other than 1 to
// 5 or -9) and a repeated dispute-dyad-year.
func ReadDirDisputes(r io.Reader, name string) ([]DirDispute, error) {
	t, err := newTable(r, name, dirDisputeHeader...)
	if err != nil {
		return nil, err
	}
	type key struct{ disp, a, b, year int }
	seen := map[key]int{}
	var out []DirDispute
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var d DirDispute
		if d.DispNum, err = t.int(ddDispNum, 1, 1<<31-1); err != nil {
			return nil, err
		}
		if d.Ccode1, err = t.int(ddCcode1, 1, maxCcode); err != nil {
			return nil, err
		}
		if d.Ccode2, err = t.int(ddCcode2, 1, maxCcode); err != nil {
			return nil, err
		}
		if d.Ccode1 == d.Ccode2 {
			return nil, t.errorf(ddCcode2, "a state is not in dispute with itself")
		}
		if d.Year, err = t.int(ddYear, minYear, maxYear); err != nil {
			return nil, err
		}
		k := key{d.DispNum, d.Ccode1, d.Ccode2, d.Year}
		if line, dup := seen[k]; dup {
			return nil, t.errorf(ddYear, "dispute %d has a second row for %d-%d in %d (first on line %d)",
				d.DispNum, d.Ccode1, d.Ccode2, d.Year, line)
		}
		seen[k] = t.line()
		if d.Onset, err = t.flag(ddOnset); err != nil {
			return nil, err
		}
		if d.SideA1, err = t.flag(ddSideA1); err != nil {
			return nil, err
		}
		sideA2, err := t.flag(ddSideA2)
		if err != nil {
			return nil, err
		}
		// The rows hold states on opposite sides, so exactly one is on
		// Side A; anything else means the sides are miscoded.
		if sideA2 == d.SideA1 {
			return nil, t.errorf(ddSideA2, "sidea1 and sidea2 are both %s: the states of a row are on opposite sides", t.rec[ddSideA2])
		}
		if d.Orig1, err = t.flag(ddOrig1); err != nil {
			return nil, err
		}
		if d.HostLev1, err = t.code(ddHostLev1, 1, 5); err != nil {
			return nil, err
		}
		if d.HostLev2, err = t.code(ddHostLev2, 1, 5); err != nil {
			return nil, err
		}
		if d.HostLev, err = t.code(ddHostLev, 1, 5); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
}
