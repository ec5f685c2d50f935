//go:build race

package ledger

// raceEnabled shortens the slowest tests under the race detector, which
// slows the crash test's child and the tile reads tenfold.
const raceEnabled = true
