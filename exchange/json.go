package exchange

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/indivisible-eurasia/indivisible"
)

// maxDepth bounds the nesting of a document. No schema nests deeper than a
// correction's holdings (3 levels); the bound keeps hostile input from
// costing more than its size.
const maxDepth = 8

// object is a decoded JSON object that remembers where it sits in its
// document, so that every error names the full path of the field at fault.
type object struct {
	path   string
	fields map[string]any
}

// decodeTree decodes one JSON value under the service's one strict rule
// (indivisible.StrictJSON: valid UTF-8, no duplicate field; the signed
// bytes must mean one thing), with bounded depth and nothing after the
// value. Field names are kept exactly as written, so a case-folded twin of
// a known field is an unknown field. Objects become *object, arrays []any,
// numbers json.Number.
func decodeTree(data []byte) (any, error) {
	t := tree{jsontext.NewDecoder(bytes.NewReader(data), indivisible.StrictJSON()), data}
	v, err := t.value("", 0)
	if err != nil {
		return nil, err
	}
	// The decoder reads a stream of values; a document is exactly one.
	if off := t.dec.InputOffset(); len(bytes.Trim(data[off:], indivisible.JSONSpace)) > 0 {
		return nil, indivisible.Invalid("", "trailing data after the JSON value (%s)", indivisible.LineColumn(data, off))
	}
	return v, nil
}

// tree reads a document's values; data is the whole document, for the
// line and column of an error.
type tree struct {
	dec  *jsontext.Decoder
	data []byte
}

func (t tree) value(path string, depth int) (any, error) {
	dec := t.dec
	kind := dec.PeekKind()
	if (kind == '{' || kind == '[') && depth >= maxDepth {
		return nil, indivisible.Invalid(path, "nested deeper than %d levels", maxDepth)
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, t.syntaxError(path, err)
	}
	switch tok.Kind() {
	case 'n':
		return nil, nil
	case 't', 'f':
		return tok.Bool(), nil
	case '"':
		return tok.String(), nil
	case '0':
		return json.Number(tok.String()), nil
	case '[':
		var a []any
		for dec.PeekKind() != ']' {
			v, err := t.value(index(path, len(a)), depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, t.syntaxError(path, err)
		}
		return a, nil
	}
	o := &object{path: path, fields: map[string]any{}}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, t.syntaxError(path, err)
		}
		k := tok.String()
		if o.fields[k], err = t.value(join(path, k), depth+1); err != nil {
			return nil, err
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, t.syntaxError(path, err)
	}
	return o, nil
}

// syntaxError names the field being read when the text went wrong.
func (t tree) syntaxError(path string, err error) error {
	e := indivisible.JSONError(t.data, err)
	if path != "" && indivisible.ErrorField(e) == "" {
		return indivisible.PrefixField(path, e)
	}
	return e
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// asObject returns v as an object, or an error naming path.
func asObject(v any, path string) (*object, error) {
	if o, ok := v.(*object); ok {
		return o, nil
	}
	return nil, indivisible.Invalid(path, "must be an object, not %s", jsonType(v))
}

func jsonType(v any) string {
	switch v.(type) {
	case *object:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// reader extracts typed fields from objects. It keeps the first error, so
// that a schema reads as a list of fields, checked once at the end. Each
// typed read has two forms: x(o, name, ...) for a field of an object and
// xAt(v, path, ...) for any value, such as an array element.
type reader struct{ err error }

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// allow fails on the first field of o (in sorted order) outside names: a
// misspelt field must never be silently ignored.
func (r *reader) allow(o *object, names ...string) {
	for _, k := range o.keys() {
		if !slices.Contains(names, k) {
			r.fail(indivisible.Invalid(join(o.path, k), "unknown field"))
			return
		}
	}
}

// get returns a field's value and path; a missing required field is an
// error, a missing optional one returns ok == false.
func (r *reader) get(o *object, name string, required bool) (v any, path string, ok bool) {
	path = join(o.path, name)
	if r.err != nil {
		return nil, path, false
	}
	v, ok = o.fields[name]
	if !ok && required {
		r.fail(indivisible.Invalid(path, "missing"))
	}
	return v, path, ok
}

func (r *reader) typeError(path, want string, v any) {
	r.fail(indivisible.Invalid(path, "must be %s, not %s", want, jsonType(v)))
}

// str reads a string field; an optional missing field reads as "".
func (r *reader) str(o *object, name string, required bool) string {
	if v, path, ok := r.get(o, name, required); ok {
		return r.strAt(v, path)
	}
	return ""
}

func (r *reader) strAt(v any, path string) string {
	s, ok := v.(string)
	if !ok && r.err == nil {
		r.typeError(path, "a string", v)
	}
	return s
}

// text reads a free-text string of at most maxText bytes, without control
// characters other than newline and tab.
func (r *reader) text(o *object, name string, required bool) string {
	if v, path, ok := r.get(o, name, required); ok {
		return r.textAt(v, path)
	}
	return ""
}

func (r *reader) textAt(v any, path string) string {
	s := r.strAt(v, path)
	if len(s) > maxText {
		r.fail(indivisible.Invalid(path, "longer than %d bytes", maxText))
	}
	for _, c := range s {
		if c < ' ' && c != '\n' && c != '\t' || c == 0x7f {
			r.fail(indivisible.Invalid(path, "contains a control character"))
			break
		}
	}
	return s
}

// integer reads a whole number in [min, max] written without fraction or
// exponent: a count of tanks is never 1.5 or 1e3.
func (r *reader) integer(o *object, name string, required bool, min, max int64) int64 {
	if v, path, ok := r.get(o, name, required); ok {
		return r.integerAt(v, path, min, max)
	}
	return 0
}

func (r *reader) integerAt(v any, path string, min, max int64) int64 {
	n, ok := v.(json.Number)
	if !ok {
		r.typeError(path, "a number", v)
		return 0
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		r.fail(indivisible.Invalid(path, "must be a whole number, not %s", n))
		return 0
	}
	if i < min || i > max {
		r.fail(indivisible.Invalid(path, "%d is out of range [%d, %d]", i, min, max))
	}
	return i
}

// float reads a required number in [min, max].
func (r *reader) float(o *object, name string, min, max float64) float64 {
	v, path, ok := r.get(o, name, true)
	if !ok {
		return 0
	}
	n, isNum := v.(json.Number)
	if !isNum {
		r.typeError(path, "a number", v)
		return 0
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < min || f > max {
		r.fail(indivisible.Invalid(path, "%s is out of range [%g, %g]", n, min, max))
	}
	return f
}

// boolean reads a true/false field; an optional missing field is false.
func (r *reader) boolean(o *object, name string, required bool) bool {
	v, path, ok := r.get(o, name, required)
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		r.typeError(path, "true or false", v)
	}
	return b
}

// date reads a calendar date written YYYY-MM-DD (UTC).
func (r *reader) date(o *object, name string) time.Time {
	v, path, ok := r.get(o, name, true)
	if !ok {
		return time.Time{}
	}
	s := r.strAt(v, path)
	if r.err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < minYear || t.Year() > maxYear {
		r.fail(indivisible.Invalid(path, "%q is not a date YYYY-MM-DD between %d and %d", s, minYear, maxYear))
	}
	return t
}

// array reads an array field.
func (r *reader) array(o *object, name string, required bool) ([]any, string) {
	v, path, ok := r.get(o, name, required)
	if !ok {
		return nil, path
	}
	a, isArr := v.([]any)
	if !isArr {
		r.typeError(path, "an array", v)
	}
	return a, path
}

// object reads an object field; nil if it is missing or on error.
func (r *reader) object(o *object, name string, required bool) *object {
	v, path, ok := r.get(o, name, required)
	if !ok {
		return nil
	}
	sub, err := asObject(v, path)
	r.fail(err)
	return sub
}

// keys returns o's field names sorted, so that the first error reported
// does not depend on map order.
func (o *object) keys() []string {
	ks := make([]string, 0, len(o.fields))
	for k := range o.fields {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
