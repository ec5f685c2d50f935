// Package jsontest is an independent reader of strict JSON, for tests of
// the service's parsers of signed and stored bodies. It shares no code with
// indivisible.StrictJSON (which is built on go-json-experiment): it is
// written on encoding/json's token stream, with its own checks for
// duplicate names and invalid UTF-8. A parser of the service that accepts a
// document this package refuses, or reads a field differently from it,
// gives a signature two meanings.
package jsontest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Parse reads one strict JSON document: valid UTF-8 with no lone
// surrogate escape (parsers differ on what "\ud800" means), no object with
// two members of the same name, every number a finite float64 (Python
// reads 1e400 as infinity), nothing after the value. Objects become
// map[string]any, arrays []any and numbers json.Number, with names kept
// exactly as written.
func Parse(b []byte) (any, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("not valid UTF-8")
	}
	if err := surrogates(b); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := value(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the value")
	}
	return v, nil
}

func value(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('['):
		a := []any{}
		for dec.More() {
			v, err := value(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token()
		return a, err
	case json.Delim('{'):
		m := map[string]any{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			name := k.(string)
			if _, dup := m[name]; dup {
				return nil, fmt.Errorf("duplicate name %q", name)
			}
			if m[name], err = value(dec); err != nil {
				return nil, err
			}
		}
		_, err := dec.Token()
		return m, err
	}
	if n, ok := tok.(json.Number); ok {
		if f, err := strconv.ParseFloat(string(n), 64); err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("number %s is not a finite float64", n)
		}
	}
	return tok, nil
}

// surrogates refuses a \u escape of a UTF-16 surrogate that is not half of
// a pair. It scans the raw text, since encoding/json replaces such escapes
// with U+FFFD before a caller can see them.
func surrogates(b []byte) error {
	in := false
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '"':
			in = !in
		case in && b[i] == '\\' && i+1 < len(b) && b[i+1] == 'u':
			r, ok := hex4(b, i+2)
			switch {
			case ok && utf16.IsSurrogate(r) && r < 0xdc00:
				lo, ok := hex4(b, i+8)
				if i+7 >= len(b) || b[i+6] != '\\' || b[i+7] != 'u' || !ok || lo < 0xdc00 || lo > 0xdfff {
					return fmt.Errorf("lone surrogate escape at byte %d", i)
				}
				i += 11
			case ok && utf16.IsSurrogate(r):
				return fmt.Errorf("lone surrogate escape at byte %d", i)
			default:
				i++
			}
		case in && b[i] == '\\':
			i++ // the escaped character, which may be a quote
		}
	}
	return nil
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[at:at+4]), 16, 16)
	return rune(n), err == nil
}

// Field returns the member name of the object doc, exactly as named, and
// whether it is there.
func Field(doc any, name string) (any, bool) {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := m[name]
	return v, ok
}

// SameReading reports how a strict reader's view of the document raw
// differs from its view of canon, a parser's re-encoding of what it read
// from raw, or nil if they agree. Members absent from one side may only be
// zero on the other (a field left out, or omitted on encoding because it is
// empty); every other member must hold the same value under the same,
// exactly spelt, name.
func SameReading(raw, canon []byte) error {
	a, err := Parse(raw)
	if err != nil {
		return fmt.Errorf("the accepted document is not strict JSON: %v", err)
	}
	b, err := Parse(canon)
	if err != nil {
		return fmt.Errorf("the re-encoding is not strict JSON: %v", err)
	}
	return same("", a, b)
}

func same(path string, a, b any) error {
	ma, okA := a.(map[string]any)
	mb, okB := b.(map[string]any)
	if !okA || !okB {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			return fmt.Errorf("%s reads %v in the document but %v as parsed", path, a, b)
		}
		return nil
	}
	for k, va := range ma {
		vb, ok := mb[k]
		if !ok {
			if !zero(va) {
				return fmt.Errorf("%s.%s = %v in the document is not what the parser read", path, k, va)
			}
			continue
		}
		if err := same(path+"."+k, va, vb); err != nil {
			return err
		}
	}
	for k, vb := range mb {
		if _, ok := ma[k]; !ok && !zero(vb) {
			return fmt.Errorf("the parser read %s.%s = %v, which the document does not say", path, k, vb)
		}
	}
	return nil
}

// zero says whether v is a JSON value an encoder may leave out as empty.
func zero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case bool:
		return !v
	case json.Number:
		f, err := v.Float64()
		return err == nil && f == 0
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}
