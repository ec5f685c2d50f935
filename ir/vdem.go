package ir

import (
	"io"
)

// vdemHeader is the header of democracy/vdem.csv, in file order.
var vdemHeader = []string{
	"vdem_country_name", "country_text_id", "country_id", "year", "vdem_cowcode", "cown",
	"v2x_polyarchy", "v2x_libdem", "v2x_partipdem", "v2x_delibdem", "v2x_egaldem", "v2x_api", "v2x_mpi",
}

// Democracy is a country-year's V-Dem electoral democracy index (Coppedge
// et al. 2025, V-Dem v15), keyed by COW code.
type Democracy struct {
	// Ccode is the cown column: the COW code democracyData assigns to the
	// country. It names the country, not system membership (Mexico has 70
	// from 1789), so a year need not be one in which the state is a COW
	// member.
	Ccode, Year int
	// Polyarchy is v2x_polyarchy, the electoral democracy index, in [0, 1].
	Polyarchy float64
}

// ReadVDem reads the V-Dem country-year CSV (democracy/vdem.csv), with
// exactly the 13 columns of vdemHeader; it parses year, cown and
// v2x_polyarchy, and the other columns must be present but are not read.
// name is the file name used in error messages.
//
// A row with an empty cown (a polity without a COW code, such as Hamburg
// or Hong Kong) or an empty v2x_polyarchy (not coded) is skipped, since it
// gives no score for a COW state; its year and any value present are still
// checked. When several scored rows share a cown and year, the first is
// kept and later ones ignored: in the shared data only 325 in 1861 has two
// rows, Italy and Piedmont-Sardinia, and Italy's is unscored, so the
// Piedmont-Sardinia score stands for 325 that year either way. Scores must
// lie in [0, 1].
func ReadVDem(r io.Reader, name string) ([]Democracy, error) {
	t, err := newTable(r, name, vdemHeader...)
	if err != nil {
		return nil, err
	}
	const colYear, colCown, colPolyarchy = 3, 5, 6
	type key struct{ ccode, year int }
	seen := map[key]bool{}
	var out []Democracy
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		var d Democracy
		if d.Year, err = t.int(colYear, minYear, maxYear); err != nil {
			return nil, err
		}
		if t.rec[colCown] != "" {
			if d.Ccode, err = t.int(colCown, 1, maxCcode); err != nil {
				return nil, err
			}
		}
		if t.rec[colPolyarchy] != "" {
			if d.Polyarchy, err = t.float(colPolyarchy, 0, 1); err != nil {
				return nil, err
			}
		}
		if t.rec[colCown] == "" || t.rec[colPolyarchy] == "" {
			continue
		}
		k := key{d.Ccode, d.Year}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
}
