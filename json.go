package indivisible

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// StrictJSON returns the one rule by which every signed, stored or
// submitted JSON document is read (docs/exchange.md, "Canonical JSON"):
// valid UTF-8, no duplicate member names, member names matched exactly
// (never case-folded), no unknown members. Under it, the bytes a party
// signs mean one thing to every parser: encoding/json alone would take the
// last of duplicate names, match "STANCE" to "stance" and replace invalid
// UTF-8, so a body could read one way to the service and another to an
// auditor. The declaration parser (exchange) reads tokens under the same
// options.
func StrictJSON() json.Options {
	return json.JoinOptions(
		jsontext.AllowDuplicateNames(false),
		jsontext.AllowInvalidUTF8(false),
		json.MatchCaseInsensitiveNames(false),
		json.RejectUnknownMembers(true),
	)
}

// JSONSpace is the whitespace JSON allows between tokens (RFC 8259): not
// the form feed or vertical tab that bytes.TrimSpace would also take.
const JSONSpace = " \t\r\n"

// DecodeStrict decodes the JSON document b into v under StrictJSON. It
// also refuses a top-level null, which would otherwise leave v zero and
// read as a valid empty document. Errors name the field and the line and
// column.
func DecodeStrict(b []byte, v any) error {
	if bytes.Equal(bytes.Trim(b, JSONSpace), []byte("null")) {
		return Invalid("", "the document is null, not an object")
	}
	dec := jsontext.NewDecoder(bytes.NewReader(b), StrictJSON())
	if err := json.UnmarshalDecode(dec, v); err != nil {
		return JSONError(b, err)
	}
	// The decoder reads a stream of values; a document is exactly one.
	if off := dec.InputOffset(); len(bytes.Trim(b[off:], JSONSpace)) > 0 {
		return Invalid("", "trailing data after the JSON value (%s)", LineColumn(b, off))
	}
	return nil
}

// JSONError turns a decoding error of document b into an EINVALID error
// that names the field (as a path such as measures[0].quantity) and, for
// malformed text, the line and column.
func JSONError(b []byte, err error) error {
	var se *json.SemanticError
	var sx *jsontext.SyntacticError
	switch {
	case errors.As(err, &sx):
		where := LineColumn(b, sx.ByteOffset)
		field := pointerPath(sx.JSONPointer)
		switch {
		case errors.Is(sx.Err, jsontext.ErrDuplicateName):
			return Invalid(field, "duplicate field (%s)", where)
		case errors.Is(sx.Err, io.ErrUnexpectedEOF):
			return Invalid(field, "unexpected end of JSON (%s)", where)
		case strings.Contains(sx.Err.Error(), "invalid UTF-8"):
			// jsontext has no sentinel for this error; its text is
			// matched only to word the message, never to decide.
			return Invalid(field, "not valid UTF-8 (%s)", where)
		}
		return Invalid(field, "malformed JSON at %s: %v", where, sx.Err)
	case errors.As(err, &se):
		field := pointerPath(se.JSONPointer)
		switch {
		case errors.Is(se.Err, json.ErrUnknownName):
			return Invalid(field, "unknown field")
		case se.GoType != nil && se.JSONKind != 0:
			got := se.JSONKind.String()
			if len(se.JSONValue) > 0 && len(se.JSONValue) <= 40 {
				got += " " + string(se.JSONValue)
			}
			return Invalid(field, "expected %s, got JSON %s", typeName(se.GoType.String()), got)
		case se.Err != nil:
			return Invalid(field, "%v", se.Err)
		}
		return Invalid(field, "cannot be read as %v", se.GoType)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return Invalid("", "empty or incomplete document")
	}
	return Invalid("", "%v", err)
}

// typeName says a Go type in the words of a JSON author.
func typeName(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map["):
		return "an object"
	}
	return t
}

// pointerPath writes a JSON pointer (/measures/0/quantity) as the field
// path the rest of the service uses (measures[0].quantity).
func pointerPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.ParseUint(tok, 10, 31); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// LineColumn says where byte offset off of b lies, as "line L, column C"
// (both from 1; columns count characters, not bytes).
func LineColumn(b []byte, off int64) string {
	off = min(max(off, 0), int64(len(b)))
	before := b[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len([]rune(string(before[bytes.LastIndexByte(before, '\n')+1:]))) + 1
	return fmt.Sprintf("line %d, column %d", line, col)
}
