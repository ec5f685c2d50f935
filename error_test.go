package indivisible_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

func TestErrorCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code string
	}{
		{nil, ""},
		{indivisible.Invalid("measures[0].actor", "unknown code %q", "XXX"), indivisible.EINVALID},
		{fmt.Errorf("wrapped: %w", indivisible.Errorf(indivisible.ENOTFOUND, "no such entry")), indivisible.ENOTFOUND},
		{indivisible.Errorf(indivisible.EUNAUTHORIZED, "no token"), indivisible.EUNAUTHORIZED},
		{indivisible.Errorf(indivisible.EFORBIDDEN, "not yours"), indivisible.EFORBIDDEN},
		{indivisible.Errorf(indivisible.ECONFLICT, "replay"), indivisible.ECONFLICT},
		{errors.New("disk on fire"), indivisible.EINTERNAL},
		{indivisible.Errorf(indivisible.EINCONSISTENT, "split view"), indivisible.EINCONSISTENT},
		// A code without a row in the table is internal, never success.
		{indivisible.Errorf("unlisted", "x"), "unlisted"},
	} {
		if got := indivisible.ErrorCode(tc.err); got != tc.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.err, got, tc.code)
		}
	}
	if got := indivisible.ErrorMessage(errors.New("secret path /etc")); got != "internal error" {
		t.Errorf("internal error leaked: %q", got)
	}
	if got := indivisible.ErrorField(indivisible.Invalid("f", "x")); got != "f" {
		t.Errorf("ErrorField = %q", got)
	}
}
