package indivisible_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code string
		http int
	}{
		{nil, "", 200},
		{indivisible.Invalid("measures[0].actor", "unknown code %q", "XXX"), indivisible.EINVALID, 400},
		{fmt.Errorf("wrapped: %w", indivisible.Errorf(indivisible.ENOTFOUND, "no such entry")), indivisible.ENOTFOUND, 404},
		{indivisible.Errorf(indivisible.EUNAUTHORIZED, "no token"), indivisible.EUNAUTHORIZED, 401},
		{indivisible.Errorf(indivisible.EFORBIDDEN, "not yours"), indivisible.EFORBIDDEN, 403},
		{indivisible.Errorf(indivisible.ECONFLICT, "replay"), indivisible.ECONFLICT, 409},
		{errors.New("disk on fire"), indivisible.EINTERNAL, 500},
		{indivisible.Errorf(indivisible.EINCONSISTENT, "split view"), indivisible.EINCONSISTENT, 502},
		// A code without a row in the table is internal, never success.
		{indivisible.Errorf("unlisted", "x"), "unlisted", 500},
	} {
		if got := indivisible.ErrorCode(tc.err); got != tc.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.err, got, tc.code)
		}
		if got := indivisible.HTTPStatus(tc.err); got != tc.http {
			t.Errorf("HTTPStatus(%v) = %d, want %d", tc.err, got, tc.http)
		}
	}
	if got := indivisible.ErrorMessage(errors.New("secret path /etc")); got != "internal error" {
		t.Errorf("internal error leaked: %q", got)
	}
	if got := indivisible.ErrorField(indivisible.Invalid("f", "x")); got != "f" {
		t.Errorf("ErrorField = %q", got)
	}
}
