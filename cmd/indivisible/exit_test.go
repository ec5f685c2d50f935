package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

// TestExitCode checks the exit statuses the README documents.
func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		exit int
	}{
		{nil, 0},
		{indivisible.Invalid("measures[0].actor", "unknown code %q", "XXX"), 2},
		{fmt.Errorf("wrapped: %w", indivisible.Errorf(indivisible.ENOTFOUND, "no such entry")), 4},
		{indivisible.Errorf(indivisible.EUNAUTHORIZED, "no token"), 3},
		{indivisible.Errorf(indivisible.EFORBIDDEN, "not yours"), 3},
		{indivisible.Errorf(indivisible.ECONFLICT, "replay"), 5},
		{indivisible.Errorf(indivisible.ERATELIMIT, "slow down"), 6},
		{errors.New("disk on fire"), 1},
		{indivisible.Errorf(indivisible.EINCONSISTENT, "split view"), 7},
		// A code without a row in the table is internal, never success.
		{indivisible.Errorf("unlisted", "x"), 1},
	} {
		if got := exitCode(tc.err); got != tc.exit {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.exit)
		}
	}
}
