package ir

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

// dataDir is the shared reference data, relative to this package.
const dataDir = "../../shared/data"

// openData opens a file of the shared data, skipping the test when the data
// are absent (failing under CI=true, where they must be present).
func openData(tb testing.TB, name string) *os.File {
	tb.Helper()
	f, err := os.Open(filepath.Join(dataDir, name))
	if os.IsNotExist(err) {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("shared data missing: %v", err)
		}
		tb.Skipf("shared data missing (%v); see /work/shared/data/README.md", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// sharedData holds the shared data sets, read once for all tests.
type sharedData struct {
	nmc        []NMC
	atop       []Alliance
	capitals   []Capital
	contiguity []Contiguity
}

var (
	shared     sharedData
	sharedOnce sync.Once
	sharedErr  error
)

// loadShared reads the four shared data sets with the package's readers.
func loadShared(tb testing.TB) *sharedData {
	tb.Helper()
	files := map[string]*os.File{}
	for _, n := range []string{"cow/nmc-v7-components.csv", "atop/alliance-dyad-years.csv", "cow/capitals.csv", "cow/contiguity.csv"} {
		files[n] = openData(tb, n)
	}
	sharedOnce.Do(func() {
		if shared.nmc, sharedErr = ReadNMC(files["cow/nmc-v7-components.csv"], "nmc-v7-components.csv"); sharedErr != nil {
			return
		}
		if shared.atop, sharedErr = ReadATOP(files["atop/alliance-dyad-years.csv"], "alliance-dyad-years.csv"); sharedErr != nil {
			return
		}
		if shared.capitals, sharedErr = ReadCapitals(files["cow/capitals.csv"], "capitals.csv"); sharedErr != nil {
			return
		}
		shared.contiguity, sharedErr = ReadContiguity(files["cow/contiguity.csv"], "contiguity.csv")
	})
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return &shared
}

// indivisibleCode is indivisible.ErrorCode, kept short for table tests.
func indivisibleCode(err error) string { return indivisible.ErrorCode(err) }
