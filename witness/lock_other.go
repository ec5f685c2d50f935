//go:build !unix

package witness

// lockDir is a no-op where flock is not available: run one witness per
// state directory.
func lockDir(string) (func() error, error) { return func() error { return nil }, nil }
