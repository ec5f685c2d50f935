package ir

import (
	"time"
)

// unknown is the MID files' code for an unknown value (the COW MID
// codebook's -9), which they keep beside empty fields.
const unknown = -9

// flag returns column col, which must be 0 or 1, as a bool.
func (t *table) flag(col int) (bool, error) {
	v, err := t.int(col, 0, 1)
	return v == 1, err
}

// code returns column col as an integer in [lo, hi] or the unknown code -9,
// which the MID files use beside their real codes.
func (t *table) code(col, lo, hi int) (int, error) {
	if t.rec[col] == "-9" {
		return unknown, nil
	}
	return t.int(col, lo, hi)
}

// ymd returns the calendar date held in three integer columns (year,
// month, day), as the COW membership files write it. A day the month does
// not have (30 February) is an error at the day column rather than being
// carried into the next month as time.Date would.
func (t *table) ymd(ycol, mcol, dcol int) (time.Time, error) {
	y, err := t.int(ycol, minYear, maxYear)
	if err != nil {
		return time.Time{}, err
	}
	m, err := t.int(mcol, 1, 12)
	if err != nil {
		return time.Time{}, err
	}
	// Day 0 of the next month is the last day of this one.
	last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	d, err := t.int(dcol, 1, last)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}
