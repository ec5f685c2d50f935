//go:build !race

package ir_test

// raceEnabled reports whether the race detector is on, which slows the
// exhaustive tests about tenfold; they then sample instead.
const raceEnabled = false
