package ir

import (
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// CapitalDistance is the geodesic distance between the capitals of two
// states, Ccode1 < Ccode2, and their direct contiguity.
type CapitalDistance struct {
	Ccode1, Ccode2 int
	Km             float64 // on the WGS84 ellipsoid
	Contiguity     int     // the type in force (1 to 5), or 0
}

// Distances returns, for every pair of states with a capital on 1 July of
// year, the distance between those capitals and the direct-contiguity type
// then in force (0 if cont is nil), ordered by Ccode1, then Ccode2. It
// rejects a year after the contiguity data end, where the absence of a row
// says nothing.
func Distances(caps []Capital, cont []Contiguity, year int) ([]CapitalDistance, error) {
	date := July1(year)
	if err := checkContiguity(cont, date); err != nil {
		return nil, err
	}
	on := CapitalsOn(caps, date)
	types := ContiguityOn(cont, date)
	out := make([]CapitalDistance, 0, len(on)*(len(on)-1)/2)
	for i, a := range on {
		for _, b := range on[i+1:] {
			out = append(out, CapitalDistance{
				Ccode1:     a.Ccode,
				Ccode2:     b.Ccode,
				Km:         Distance(a.Lat, a.Lon, b.Lat, b.Lon),
				Contiguity: types[Pair{a.Ccode, b.Ccode}],
			})
		}
	}
	return out, nil
}

// checkContiguity rejects a date after the end of the contiguity data.
func checkContiguity(cont []Contiguity, date time.Time) error {
	if cont == nil {
		return nil
	}
	if last := lastDate(cont); date.After(last) {
		return indivisible.Invalid("year", "%s is after the end of the contiguity data (%s)",
			date.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	return nil
}
