package ir

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// table reads a CSV file with a fixed header and reports every problem as
// an *indivisible.Error whose Field is "file:line:column", the column
// being the header name.
type table struct {
	name   string
	header []string
	r      *csv.Reader
	rec    []string
}

// newTable reads and checks the header of r, which must be exactly header.
func newTable(r io.Reader, name string, header ...string) (*table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(header)
	cr.ReuseRecord = true
	t := &table{name: name, header: header, r: cr}
	got, err := cr.Read()
	if err == io.EOF {
		return nil, indivisible.Invalid(name+":1", "empty file: want header %q", strings.Join(header, ","))
	}
	if err != nil {
		return nil, t.readError(err)
	}
	for i, h := range header {
		if got[i] != h {
			return nil, indivisible.Invalid(fmt.Sprintf("%s:1:%s", name, h),
				"header column %d is %q, want %q (header %q)", i+1, got[i], h, strings.Join(header, ","))
		}
	}
	return t, nil
}

// next reads the next row; it returns false at the end of the file.
func (t *table) next() (bool, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, t.readError(err)
	}
	t.rec = rec
	return true, nil
}

// readError translates a CSV syntax error, such as a row with the wrong
// number of fields, into an *indivisible.Error naming the line.
func (t *table) readError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return indivisible.Invalid(fmt.Sprintf("%s:%d", t.name, pe.Line),
				"row has the wrong number of fields: want %d (%s)", len(t.header), strings.Join(t.header, ","))
		}
		return indivisible.Invalid(fmt.Sprintf("%s:%d", t.name, pe.Line), "%v", pe.Err)
	}
	return indivisible.Invalid(t.name, "%v", err)
}

// line returns the line on which the current row starts.
func (t *table) line() int {
	line, _ := t.r.FieldPos(0)
	return line
}

// errorf returns an error at column col of the current row.
func (t *table) errorf(col int, format string, args ...any) error {
	line, _ := t.r.FieldPos(col)
	return indivisible.Invalid(fmt.Sprintf("%s:%d:%s", t.name, line, t.header[col]), format, args...)
}

// str returns column col, which must not be empty.
func (t *table) str(col int) (string, error) {
	s := t.rec[col]
	if s == "" {
		return "", t.errorf(col, "empty")
	}
	return s, nil
}

// int returns column col as an integer in [lo, hi].
func (t *table) int(col, lo, hi int) (int, error) {
	v, err := strconv.Atoi(t.rec[col])
	if err != nil {
		return 0, t.errorf(col, "%q is not an integer", t.rec[col])
	}
	if v < lo || v > hi {
		return 0, t.errorf(col, "%d is outside %d..%d", v, lo, hi)
	}
	return v, nil
}

// float returns column col as a finite number in [lo, hi].
func (t *table) float(col int, lo, hi float64) (float64, error) {
	v, err := strconv.ParseFloat(t.rec[col], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, t.errorf(col, "%q is not a finite number", t.rec[col])
	}
	if v < lo || v > hi {
		return 0, t.errorf(col, "%v is outside %v..%v", v, lo, hi)
	}
	return v, nil
}

// date returns column col, an ISO 8601 calendar date (YYYY-MM-DD).
func (t *table) date(col int) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, t.rec[col])
	if err != nil {
		return time.Time{}, t.errorf(col, "%q is not a date YYYY-MM-DD", t.rec[col])
	}
	return d, nil
}

// ccode and year bound the integer columns: COW codes are positive and
// below 1000; years are written with four digits.
const (
	maxCcode = 999
	minYear  = 1000
	maxYear  = 9999
)

// July1 returns 1 July of year, the date on which the system of a year is
// taken: the capital then valid and the contiguity then in force.
func July1(year int) time.Time {
	return time.Date(year, time.July, 1, 0, 0, 0, 0, time.UTC)
}

// inForce reports whether date lies in the closed interval [start, end].
func inForce(date, start, end time.Time) bool {
	return !date.Before(start) && !date.After(end)
}
