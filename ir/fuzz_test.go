package ir

import (
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

// fuzzReader runs read on fuzzed input and checks that it fails only with
// an EINVALID error naming the file, never panicking, and that what it
// accepts passes check.
func fuzzReader[T any](f *testing.F, name string, seeds []string, read func(*strings.Reader, string) ([]T, error), check func(*testing.T, T)) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		rows, err := read(strings.NewReader(input), name)
		if err != nil {
			if indivisible.ErrorCode(err) != indivisible.EINVALID || !strings.HasPrefix(indivisible.ErrorField(err), name) {
				t.Fatalf("error %v: code %q, field %q", err, indivisible.ErrorCode(err), indivisible.ErrorField(err))
			}
			return
		}
		for _, r := range rows {
			check(t, r)
		}
	})
}

func FuzzReadNMC(f *testing.F) {
	fuzzReader(f, "nmc.csv", []string{
		nmcHeader + "2,USA,1816,3823,17,80,254,8659,101\n600,MOR,1912,-9,-9,-9,-9,4517.6,173.6444444\n",
		nmcHeader + "2,USA,1816,1e3,-9,0,0,0,0\n2,USA,1817,-9.0,1,1,1,1,1\n",
	}, func(r *strings.Reader, name string) ([]NMC, error) { return ReadNMC(r, name) },
		func(t *testing.T, n NMC) {
			for i, v := range n.Values {
				if v < 0 || (!n.Reported[i] && v != 0) {
					t.Fatalf("%+v: component %s = %v", n, Components[i], v)
				}
			}
		})
}

func FuzzReadCapitals(f *testing.F) {
	fuzzReader(f, "capitals.csv", []string{
		capitalsHeader + "365,Russia,Saint Petersburg,1816-01-01,1918-03-11,59.9606739,30.1586551\n365,Russia,Moscow,1918-03-12,2024-12-31,55.625578,37.6063916\n",
		capitalsHeader + "2,\"United States, of America\",Washington D.C.,1816-01-01,2024-12-31,38.8950368,-77.0365427\n",
	}, func(r *strings.Reader, name string) ([]Capital, error) { return ReadCapitals(r, name) },
		func(t *testing.T, c Capital) {
			if c.End.Before(c.Start) || c.Lat < -90 || c.Lat > 90 || c.Lon < -180 || c.Lon > 180 || c.City == "" {
				t.Fatalf("accepted %+v", c)
			}
		})
}

func FuzzReadContiguity(f *testing.F) {
	fuzzReader(f, "contiguity.csv", []string{
		contiguityHeader + "2,20,1,1920-01-01,2016-12-01\n2,365,0,1816-01-01,1958-12-01\n",
	}, func(r *strings.Reader, name string) ([]Contiguity, error) { return ReadContiguity(r, name) },
		func(t *testing.T, c Contiguity) {
			if c.End.Before(c.Start) || c.Type < 0 || c.Type > 5 || c.Ccode1 == c.Ccode2 {
				t.Fatalf("accepted %+v", c)
			}
		})
}

func FuzzReadATOP(f *testing.F) {
	fuzzReader(f, "atop.csv", []string{
		atopHeader + "2,20,1942,1,1,0,0,0\n20,2,1942,1,1,0,0,0\n2,770,1986,0,0,0,1,1\n",
	}, func(r *strings.Reader, name string) ([]Alliance, error) { return ReadATOP(r, name) },
		func(t *testing.T, a Alliance) {
			if a.Ccode1 == a.Ccode2 || a.Tie() > 3 {
				t.Fatalf("accepted %+v", a)
			}
		})
}
