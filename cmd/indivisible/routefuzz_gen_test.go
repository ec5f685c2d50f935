package main

// The input side of the route fuzzer (routefuzz_test.go): a chooser that
// is either a seeded PRNG (the bounded go test) or the fuzzer's bytes
// (go test -fuzz), a JSON tree that keeps what encoding/json would throw
// away (key order, duplicate and case-folded names, invalid UTF-8), and
// the structural mutations applied to it.

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// chooser makes every random decision of the fuzzer, so that the bounded
// test (a seeded PRNG) and the fuzz targets (the fuzzer's bytes) run the
// same code.
type chooser interface {
	intn(n int) int
}

type prngChooser struct{ r *rand.Rand }

func (c prngChooser) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return c.r.IntN(n)
}

// byteChooser reads decisions from the fuzzer's input, two bytes each;
// once the input is used up every choice is 0 (the first, most ordinary
// option), so short inputs are valid and the fuzzer grows them.
type byteChooser struct{ b []byte }

func (c *byteChooser) intn(n int) int {
	if n <= 1 {
		return 0
	}
	var v int
	for range 2 {
		v <<= 8
		if len(c.b) > 0 {
			v |= int(c.b[0])
			c.b = c.b[1:]
		}
	}
	return v % n
}

func pick[T any](c chooser, xs []T) T { return xs[c.intn(len(xs))] }

// chance is true with probability 1/n.
func chance(c chooser, n int) bool { return c.intn(n) == 0 }

// extremeNumbers are the JSON number texts at the edges of float64 and
// int64, and the ones a naive check gets wrong (-0, a subnormal).
var extremeNumbers = []string{
	"1e308", "-1e308", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
	"1e-320", "0", "-0", "1e309", "-1", "0.5", "4294967296", "1.7976931348623157e308", "2", "1000000000000",
}

// oddStrings are string values that have broken parsers and pages: empty,
// huge, invalid UTF-8, NUL, bidirectional controls, another script,
// markup, near-miss codes. (A lone surrogate, which a Go string cannot
// hold, is written as a JSON escape by the odd-string mutation.)
var oddStrings = []string{
	"",
	strings.Repeat("A", 100<<10),
	"\xff\xfe\xfd",
	"POL\xc3",
	"a\x00b",
	"\u202eLOP\u202c",
	"\u200f\u061c",
	"Польша",
	"<script>alert(1)</script>",
	"\"><img src=x onerror=alert(1)>",
	"pol",
	" POL ",
	"POL\n",
	"\\u0000",
	"{{.}}",
	"../../etc/passwd",
	"1e308",
	"NaN",
	strings.Repeat("ж", 5000),
}

// jnode is a JSON value as written, not as encoding/json reads it: object
// members keep their order and may repeat, strings keep invalid bytes.
type jnode struct {
	kind byte // 'o' object, 'a' array, 's' string, 'l' literal (number, true, false, null) or raw text
	keys []string
	kids []*jnode
	text string // a string's content, or a literal's text
}

// parseJSON reads a well-formed JSON text into a tree (nil if it is not
// one: then the fuzzer mutates its bytes only).
func parseJSON(b []byte) *jnode {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil
	}
	return n
}

func readNode(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		n := &jnode{kind: 'a'}
		if v == '{' {
			n.kind = 'o'
		}
		for dec.More() {
			if n.kind == 'o' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
			}
			kid, err := readNode(dec)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		}
		_, err := dec.Token() // the closing delimiter
		return n, err
	case string:
		return &jnode{kind: 's', text: v}, nil
	case json.Number:
		return &jnode{kind: 'l', text: v.String()}, nil
	case bool:
		return &jnode{kind: 'l', text: strconv.FormatBool(v)}, nil
	default:
		return &jnode{kind: 'l', text: "null"}, nil
	}
}

func (n *jnode) clone() *jnode {
	c := &jnode{kind: n.kind, text: n.text, keys: append([]string(nil), n.keys...)}
	for _, k := range n.kids {
		c.kids = append(c.kids, k.clone())
	}
	return c
}

// bytes writes the tree. Strings escape only what JSON requires, so
// invalid UTF-8 goes out as it is.
func (n *jnode) bytes() []byte {
	var b bytes.Buffer
	n.write(&b)
	return b.Bytes()
}

func (n *jnode) write(b *bytes.Buffer) {
	switch n.kind {
	case 'o':
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			n.kids[i].write(b)
		}
		b.WriteByte('}')
	case 'a':
		b.WriteByte('[')
		for i, k := range n.kids {
			if i > 0 {
				b.WriteByte(',')
			}
			k.write(b)
		}
		b.WriteByte(']')
	case 's':
		writeString(b, n.text)
	default:
		b.WriteString(n.text)
	}
}

func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// nodes lists the tree's values, parents first, with each value's parent
// (nil for the root) and position in it.
type nodeRef struct {
	n, parent *jnode
	i         int
}

func (n *jnode) nodes() []nodeRef {
	out := []nodeRef{{n: n, i: -1}}
	for i := 0; i < len(out); i++ {
		p := out[i].n
		for j, k := range p.kids {
			out = append(out, nodeRef{n: k, parent: p, i: j})
		}
	}
	return out
}

// vocabulary is what random shapes and duplicate members are made of: the
// field names and string values of the routes' valid bodies, so that a
// duplicate "stance" carries another real stance.
type vocabulary struct {
	keys, strs []string
}

func (v *vocabulary) learn(n *jnode) {
	if n == nil {
		return
	}
	for _, r := range n.nodes() {
		v.keys = append(v.keys, r.n.keys...)
		if r.n.kind == 's' && len(r.n.text) < 64 {
			v.strs = append(v.strs, r.n.text)
		}
	}
}

// randomValue makes a random JSON shape of at most the given depth.
func (v *vocabulary) randomValue(c chooser, depth int) *jnode {
	k := c.intn(7)
	if depth <= 0 {
		k = c.intn(4)
	}
	switch k {
	case 0:
		return &jnode{kind: 'l', text: pick(c, extremeNumbers)}
	case 1:
		return &jnode{kind: 'l', text: pick(c, []string{"true", "false", "null"})}
	case 2:
		return &jnode{kind: 's', text: pick(c, oddStrings)}
	case 3:
		return &jnode{kind: 's', text: v.str(c)}
	case 4, 5:
		n := &jnode{kind: 'o'}
		for range c.intn(5) {
			n.keys = append(n.keys, v.key(c))
			n.kids = append(n.kids, v.randomValue(c, depth-1))
		}
		return n
	default:
		n := &jnode{kind: 'a'}
		for range c.intn(4) {
			n.kids = append(n.kids, v.randomValue(c, depth-1))
		}
		return n
	}
}

func (v *vocabulary) key(c chooser) string {
	if len(v.keys) == 0 || chance(c, 8) {
		return pick(c, []string{"x", "", "KIND", "__proto__", "\u212aind", "a\x00"})
	}
	return pick(c, v.keys)
}

func (v *vocabulary) str(c chooser) string {
	if len(v.strs) == 0 {
		return "x"
	}
	return pick(c, v.strs)
}

// foldCase returns a name that encoding/json takes for k but a
// case-sensitive parser does not: upper case, title case, or with the
// Kelvin sign, which folds to "k".
func foldCase(c chooser, k string) string {
	switch c.intn(3) {
	case 0:
		if u := strings.ToUpper(k); u != k {
			return u
		}
	case 1:
		if k != "" {
			if t := strings.ToUpper(k[:1]) + k[1:]; t != k {
				return t
			}
		}
	}
	if strings.Contains(k, "k") {
		return strings.Replace(k, "k", "\u212a", 1)
	}
	return strings.ToUpper(k) + "\u017f" // ſ folds to s
}

// deepNesting is 30,000 levels of arrays or objects around a value.
func deepNesting(c chooser) *jnode {
	const depth = 30000
	open, close := "[", "]"
	if chance(c, 2) {
		open, close = `{"a":`, "}"
	}
	return &jnode{kind: 'l', text: strings.Repeat(open, depth) + "1" + strings.Repeat(close, depth)}
}

// mutation names a structural change; mutate applies one to a tree.
var mutations = []string{
	"extreme-number", "odd-string", "wrong-type", "null", "wrap-in-array", "duplicate-key",
	"casefold-key", "delete-key", "unknown-key", "duplicate-element", "deep-nesting",
	"random-shape", "all-numbers-extreme", "empty-container",
}

// mutate changes the tree in place (the root may be replaced: the result
// is the new root) and says what it did.
func (v *vocabulary) mutate(c chooser, root *jnode) (*jnode, string) {
	m := pick(c, mutations)
	refs := root.nodes()
	r := pick(c, refs)
	set := func(n *jnode) {
		if r.parent == nil {
			root = n
		} else {
			r.parent.kids[r.i] = n
		}
	}
	// Objects and arrays are the targets of the member mutations.
	var objs, arrs []*jnode
	for _, x := range refs {
		switch x.n.kind {
		case 'o':
			objs = append(objs, x.n)
		case 'a':
			arrs = append(arrs, x.n)
		}
	}
	switch m {
	case "extreme-number":
		set(&jnode{kind: 'l', text: pick(c, extremeNumbers)})
	case "odd-string":
		set(&jnode{kind: 's', text: pick(c, oddStrings)})
		if chance(c, 8) { // a lone surrogate, which Go cannot hold in a string
			set(&jnode{kind: 'l', text: `"\ud800x"`})
		}
	case "wrong-type":
		set(pick(c, []*jnode{{kind: 'l', text: "true"}, {kind: 's', text: "1"}, {kind: 'l', text: "1"}, {kind: 'o'}, {kind: 'a'}}))
	case "null":
		set(&jnode{kind: 'l', text: "null"})
	case "wrap-in-array":
		set(&jnode{kind: 'a', kids: []*jnode{r.n}})
	case "duplicate-key", "casefold-key":
		if len(objs) == 0 {
			return root, m + "(no object)"
		}
		o := pick(c, objs)
		if len(o.keys) == 0 {
			o.keys, o.kids = append(o.keys, v.key(c)), append(o.kids, v.randomValue(c, 1))
		}
		i := c.intn(len(o.keys))
		k := o.keys[i]
		if m == "casefold-key" {
			k = foldCase(c, k)
		}
		// The repeated member carries another value of the same kind.
		val := v.randomValue(c, 1)
		if o.kids[i].kind == 's' {
			val = &jnode{kind: 's', text: v.str(c)}
			if val.text == o.kids[i].text {
				val.text += "x"
			}
		}
		o.keys, o.kids = append(o.keys, k), append(o.kids, val)
		if chance(c, 2) { // either order: the first or the last may win
			last := len(o.keys) - 1
			o.keys[i], o.keys[last] = o.keys[last], o.keys[i]
			o.kids[i], o.kids[last] = o.kids[last], o.kids[i]
		}
	case "delete-key":
		if len(objs) == 0 {
			return root, m + "(no object)"
		}
		o := pick(c, objs)
		if len(o.keys) > 0 {
			i := c.intn(len(o.keys))
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			o.kids = append(o.kids[:i], o.kids[i+1:]...)
		}
	case "unknown-key":
		if len(objs) == 0 {
			return root, m + "(no object)"
		}
		o := pick(c, objs)
		o.keys, o.kids = append(o.keys, v.key(c)+"_x"), append(o.kids, v.randomValue(c, 2))
	case "duplicate-element":
		if len(arrs) == 0 {
			return root, m + "(no array)"
		}
		a := pick(c, arrs)
		if len(a.kids) > 0 {
			a.kids = append(a.kids, pick(c, a.kids).clone())
		}
	case "deep-nesting":
		set(deepNesting(c))
	case "random-shape":
		set(v.randomValue(c, 3))
	case "all-numbers-extreme":
		// One extreme everywhere: values that pass one by one may still
		// overflow a sum.
		x := pick(c, extremeNumbers[:6])
		for _, y := range refs {
			if y.n.kind == 'l' && y.n.text != "true" && y.n.text != "false" && y.n.text != "null" {
				y.n.text = x
			}
		}
	case "empty-container":
		set(pick(c, []*jnode{{kind: 'o'}, {kind: 'a'}}))
	}
	return root, m
}

// mutateBody returns a variant of a valid body (nil or not JSON: only the
// whole-document mutations apply) and a short description of it.
func (v *vocabulary) mutateBody(c chooser, valid []byte) ([]byte, string) {
	// Now and then, a document-level change instead.
	switch c.intn(16) {
	case 0:
		return nil, "empty body"
	case 1:
		return []byte(pick(c, []string{"null", "[]", `""`, "0", "true", "{", "}", "[{]", "\x00", "{\"a\":1}\x00", "\xef\xbb\xbf{}"})), "odd document"
	case 2:
		if len(valid) > 1 {
			return valid[:c.intn(len(valid))], "truncated"
		}
	case 3:
		return v.randomValue(c, 4).bytes(), "random shape"
	}
	root := parseJSON(valid)
	if root == nil {
		root = &jnode{kind: 'o'}
	}
	var did []string
	for range 1 + c.intn(3) {
		var m string
		root, m = v.mutate(c, root)
		did = append(did, m)
	}
	out := root.bytes()
	if chance(c, 10) {
		out = append(out, pick(c, []string{" {}", "x", "\x00", "]", " null", `{"a":1}`})...)
		did = append(did, "trailing-data")
	}
	return out, strings.Join(did, "+")
}

// ambiguous reports why a JSON text could be read two ways, or "": it
// repeats a member name (exactly or up to case, as encoding/json matches
// names) or holds invalid UTF-8, which encoding/json silently replaces.
// A signed body must mean one thing, so such a body must be refused.
func ambiguous(b []byte) string {
	if !utf8.Valid(b) {
		return "invalid UTF-8"
	}
	root := parseJSON(b)
	if root == nil {
		return ""
	}
	for _, r := range root.nodes() {
		seen := map[string]string{}
		for _, k := range r.n.keys {
			f := strings.ToLower(k)
			f = strings.ReplaceAll(strings.ReplaceAll(f, "\u212a", "k"), "\u017f", "s")
			if prev, ok := seen[f]; ok {
				if prev == k {
					return "duplicate name " + strconv.Quote(k)
				}
				return "names " + strconv.Quote(prev) + " and " + strconv.Quote(k) + " differ only in case"
			}
			seen[f] = k
		}
	}
	return ""
}
