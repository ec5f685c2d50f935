package indivisible

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Every failure that crosses a package boundary carries one of
// these, so that each edge translates it in one place (api.StatusCode to
// an HTTP status, cmd/indivisible's exitCode to an exit status) and tests
// can assert codes, not strings.
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	EMETHOD       = "method_not_allowed"
	ECONFLICT     = "conflict"
	ETOOLARGE     = "too_large"
	ERATELIMIT    = "rate_limited"
	// EINCONSISTENT is evidence that a log misbehaved: a split view, a
	// tampered tile, a changed key. It is never the client's fault.
	EINCONSISTENT = "inconsistent"
	EINTERNAL     = "internal"
)

// Error is the one application error type. Field names the offending input
// (a JSON path such as "measures[2].category", or "file:line:field") so that
// a user can find what to fix.
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error for input that is wrong at field.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Invalid is shorthand for the most common error: bad input at field.
func Invalid(field, format string, args ...any) *Error {
	return FieldErrorf(EINVALID, field, format, args...)
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorField returns the field of the first *Error in err's chain.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorMessage returns a message safe to show to a user: internal errors are
// reduced to a generic text so that they leak nothing.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Error()
	}
	return "internal error"
}

// InFile puts the name of the file that held the bad input in front of an
// error's field ("scenario.json:components[0].weight"), so that the user
// knows where to look. Errors other than *Error pass unchanged.
func InFile(file string, err error) error { return nest(file, ":", err) }

// PrefixField puts an error's field inside the part of a larger document it
// came from: "package" and "measures[0].quantity" give
// "package.measures[0].quantity". Errors other than *Error pass unchanged.
func PrefixField(prefix string, err error) error { return nest(prefix, ".", err) }

func nest(prefix, sep string, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	switch {
	case e.Field == "":
		c.Field = prefix
	case sep == "." && strings.HasPrefix(e.Field, "["):
		c.Field = prefix + e.Field
	default:
		c.Field = prefix + sep + e.Field
	}
	return &c
}
