package witness

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseAddCheckpoint: the parser never panics, and what it accepts is
// canonical: marshalling the request gives back the very input.
func FuzzParseAddCheckpoint(f *testing.F) {
	s, _ := newLogKey(f, "test.example/log")
	tree := newTree(s).grow(f, 9, "leaf")
	f.Add(tree.request(f, 0, 3))
	f.Add(tree.request(f, 3, 9))
	f.Add(tree.request(f, 5, 5))
	f.Add([]byte("old 0\n\n"))
	f.Add([]byte("old 1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\no\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— o AAAA\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseAddCheckpoint(body)
		if err != nil {
			var ref *Refusal
			if !errors.As(err, &ref) || ref.Status != 400 {
				t.Fatalf("error %v is not a 400 refusal", err)
			}
			return
		}
		if r.OldSize < 0 || len(r.Proof) > MaxProofLines || r.OldSize == 0 && len(r.Proof) > 0 {
			t.Fatalf("accepted %+v", r)
		}
		out, _ := r.MarshalText()
		if !bytes.Equal(out, body) {
			t.Fatalf("not canonical:\n%q\nmarshals as\n%q", body, out)
		}
		r2, err := ParseAddCheckpoint(out)
		if err != nil || !reflect.DeepEqual(r, r2) {
			t.Fatalf("re-parse: %+v, %v; want %+v", r2, err, r)
		}
	})
}

// FuzzAddCheckpoint: whatever the body, the witness answers with a
// refusal of a status the spec gives, or a cosignature, never a panic or
// an internal error.
func FuzzAddCheckpoint(f *testing.F) {
	s, logKey := newLogKey(f, "test.example/log")
	tree := newTree(s).grow(f, 9, "leaf")
	f.Add(tree.request(f, 0, 3))
	f.Add(tree.request(f, 3, 9))
	f.Add(tree.request(f, 0, 0))
	tw := newWitness(f, "witness.example/w1", "", logKey)
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseAddCheckpoint(body)
		if err != nil {
			return
		}
		cosig, err := tw.AddCheckpoint(r)
		var ref *Refusal
		switch {
		case err == nil:
			if _, err := ParseCosignatures(cosig); err != nil {
				t.Fatalf("cosignature %q: %v", cosig, err)
			}
		case !errors.As(err, &ref):
			t.Fatalf("error %v is not a refusal", err)
		case !specStatus[ref.Status]:
			t.Fatalf("status %d: %v", ref.Status, err)
		}
	})
}

// specStatus are the refusals c2sp.org/tlog-witness gives.
var specStatus = map[int]bool{400: true, 403: true, 404: true, 409: true, 422: true}

// FuzzParseCosignature: the cosignature-line parser never panics, and what
// it accepts formats back to the same line.
func FuzzParseCosignature(f *testing.F) {
	s, _ := newLogKey(f, "test.example/log")
	tree := newTree(s).grow(f, 3, "leaf")
	skey, _, _ := GenerateKey(rand.Reader, "witness.example/w1")
	signer, _ := NewSigner(skey)
	text := string(tree.checkpoint(f, 3))
	text = text[:strings.Index(text, "\n\n")+1]
	for range 2 {
		line, err := signer.Sign([]byte(text))
		if err != nil {
			f.Fatal(err)
		}
		c := Cosignature{Name: signer.Name(), KeyHash: signer.KeyHash(), Time: int64(binary.BigEndian.Uint64(line)), Signature: line[8:]}
		f.Add(c.String())
		f.Add(strings.TrimSuffix(c.String(), "\n"))
	}
	f.Add("— a AAAA")
	f.Add("— witness.example/w1 " + strings.Repeat("A", 100) + "==")
	f.Fuzz(func(t *testing.T, line string) {
		c, err := ParseCosignature(line)
		if err != nil {
			return
		}
		if len(c.Signature) != 64 || c.Time < 0 {
			t.Fatalf("accepted %+v", c)
		}
		if got := c.String(); got != line && got != line+"\n" {
			t.Fatalf("%q formats back as %q", line, got)
		}
		c2, err := ParseCosignature(c.String())
		if err != nil || !reflect.DeepEqual(c, c2) {
			t.Fatalf("re-parse: %+v, %v; want %+v", c2, err, c)
		}
	})
}

// TestParseCosignature checks the line parser on what it must refuse.
func TestParseCosignature(t *testing.T) {
	sig := func(t uint64) string {
		b := binary.BigEndian.AppendUint32(nil, 0xdeadbeef)
		b = binary.BigEndian.AppendUint64(b, t)
		return base64.StdEncoding.EncodeToString(append(b, make([]byte, 64)...))
	}
	good := "— witness.example/w1 " + sig(1700000000) + "\n"
	c, err := ParseCosignature(good)
	if err != nil || c.Name != "witness.example/w1" || c.KeyHash != 0xdeadbeef || c.Time != 1700000000 || c.String() != good {
		t.Fatalf("ParseCosignature(%q) = %+v, %v", good, c, err)
	}
	for _, bad := range []string{
		"",
		"- witness.example/w1 " + sig(1),          // hyphen, not em dash
		"—witness.example/w1 " + sig(1),           // no space after the dash
		"— witness.example/w1  " + sig(1),         // two spaces
		"— witness+x " + sig(1),                   // '+' in the name
		"— witness.example/w1 " + sig(1)[:100],    // short
		"— witness.example/w1 " + sig(1) + "\n\n", // two newlines
		"— witness.example/w1 " + sig(1<<63),      // timestamp beyond 2^63-1
		"— witness.example/w1 " + sig(1)[:50] + "\n" + sig(1)[50:],
	} {
		if _, err := ParseCosignature(bad); err == nil {
			t.Errorf("ParseCosignature(%q) accepted", bad)
		}
	}
	if _, err := ParseCosignatures([]byte(good + good)); err != nil {
		t.Errorf("two lines: %v", err)
	}
	for _, bad := range []string{"", strings.TrimSuffix(good, "\n"), good + "\n"} {
		if _, err := ParseCosignatures([]byte(bad)); err == nil {
			t.Errorf("ParseCosignatures(%q) accepted", bad)
		}
	}
}
