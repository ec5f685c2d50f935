package indivisible

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DecodeStrict decodes JSON into v, rejecting unknown fields, type
// mismatches and trailing data, with the offending field named.
func DecodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return Invalid("", "trailing data after the JSON value")
	}
	return nil
}

// jsonError names the field of a decoding error.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return Invalid(te.Field, "expected %s, got JSON %s", te.Type, te.Value)
	case errors.As(err, &se):
		return Invalid(fmt.Sprintf("offset %d", se.Offset), "malformed JSON: %v", se)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return Invalid(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
	case err == io.EOF:
		return Invalid("", "empty document")
	}
	return Invalid("", "%v", err)
}
