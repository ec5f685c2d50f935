package api

import (
	"net/http"

	"github.com/indivisible-eurasia/indivisible"
)

// statuses is the one translation of error codes to HTTP statuses, for
// the API and the pages alike.
var statuses = map[string]int{
	indivisible.EINVALID:      http.StatusBadRequest,
	indivisible.EUNAUTHORIZED: http.StatusUnauthorized,
	indivisible.EFORBIDDEN:    http.StatusForbidden,
	indivisible.ENOTFOUND:     http.StatusNotFound,
	indivisible.EMETHOD:       http.StatusMethodNotAllowed,
	indivisible.ECONFLICT:     http.StatusConflict,
	indivisible.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	indivisible.ERATELIMIT:    http.StatusTooManyRequests,
	// Evidence that a log misbehaved is never the client's fault.
	indivisible.EINCONSISTENT: http.StatusBadGateway,
	indivisible.EINTERNAL:     http.StatusInternalServerError,
}

// StatusCode maps err to an HTTP status (200 for nil). A code without a
// row is an internal error, never a success.
func StatusCode(err error) int {
	if err == nil {
		return http.StatusOK
	}
	if c, ok := statuses[indivisible.ErrorCode(err)]; ok {
		return c
	}
	return http.StatusInternalServerError
}
