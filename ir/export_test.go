package ir

import "testing"

// SharedData exposes the shared data sets to the external tests.
func SharedData(tb testing.TB) ([]NMC, []Alliance, []Capital, []Contiguity) {
	d := loadShared(tb)
	return d.nmc, d.atop, d.capitals, d.contiguity
}
