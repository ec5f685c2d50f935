// Package irtest gives tests the shared reference data (the COW, ATOP, GML
// MID, rivalry, UNGA and V-Dem files that the project reads from
// ../shared/data and never copies): read once per test binary, a skip with
// a clear message when the folder is absent, and a failure under CI=true,
// where it must be present.
package irtest

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/indivisible-eurasia/indivisible/ir"
)

// Dir is the shared data folder: shared/data beside the module's root,
// found from this file's own place so that any package's tests agree.
var Dir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data")
}()

var (
	once sync.Once
	data *ir.Data
	err  error
)

// Require skips tb when the shared data are absent, or fails it under
// CI=true.
func Require(tb testing.TB) {
	tb.Helper()
	if _, e := os.Stat(Dir); e != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("shared data missing: %v", e)
		}
		tb.Skipf("shared data missing (%v); see the shared data's README.md", e)
	}
}

// Data returns the shared data, read once with ir.LoadData.
func Data(tb testing.TB) *ir.Data {
	tb.Helper()
	Require(tb)
	once.Do(func() { data, err = ir.LoadData(Dir) })
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
