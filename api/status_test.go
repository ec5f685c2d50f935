package api_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
)

// TestStatusCode checks the statuses docs/openapi.yaml documents for each
// error code.
func TestStatusCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 200},
		{indivisible.Invalid("measures[0].actor", "unknown code %q", "XXX"), 400},
		{fmt.Errorf("wrapped: %w", indivisible.Errorf(indivisible.ENOTFOUND, "no such entry")), 404},
		{indivisible.Errorf(indivisible.EUNAUTHORIZED, "no token"), 401},
		{indivisible.Errorf(indivisible.EFORBIDDEN, "not yours"), 403},
		{indivisible.Errorf(indivisible.EMETHOD, "no"), 405},
		{indivisible.Errorf(indivisible.ECONFLICT, "replay"), 409},
		{indivisible.Errorf(indivisible.ETOOLARGE, "big"), 413},
		{indivisible.Errorf(indivisible.ERATELIMIT, "slow down"), 429},
		{errors.New("disk on fire"), 500},
		{indivisible.Errorf(indivisible.EINCONSISTENT, "split view"), 502},
		// A code without a row in the table is internal, never success.
		{indivisible.Errorf("unlisted", "x"), 500},
	} {
		if got := api.StatusCode(tc.err); got != tc.want {
			t.Errorf("StatusCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
