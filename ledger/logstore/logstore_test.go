package logstore_test

import (
	"bytes"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

func validEntry() indivisible.Entry {
	return indivisible.Entry{
		Time:        time.UnixMilli(1_767_225_600_123).UTC(),
		Kind:        indivisible.KindDeclaration,
		Participant: "POL",
		KeyName:     "POL-0a1b2c3d",
		Signature:   bytes.Repeat([]byte{7}, 64),
		Body:        []byte(`{"kind":"annual_exchange"}`),
	}
}

func TestEntryEncoding(t *testing.T) {
	e := validEntry()
	data, err := logstore.Encode(&e)
	if err != nil {
		t.Fatal(err)
	}
	// The layout is a published format: pin its first fields.
	want := []byte{1, 0, 0, 0x01, 0x9b, 0x76, 0xda, 0xa8, 0x7b, 11} // 2026-01-01T00:00:00.123Z
	want = append(want, "declaration"...)
	if !bytes.HasPrefix(data, want) {
		t.Errorf("encoding starts % x, want % x", data[:len(want)], want)
	}
	got, err := logstore.Decode(0, data)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Time.Equal(e.Time) || got.Kind != e.Kind || got.Participant != e.Participant || got.KeyName != e.KeyName ||
		!bytes.Equal(got.Signature, e.Signature) || !bytes.Equal(got.Body, e.Body) {
		t.Errorf("round trip: got %+v, want %+v", got, e)
	}
}

func TestEntryInvalid(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*indivisible.Entry)
		field string
		code  string
	}{
		{"no kind", func(e *indivisible.Entry) { e.Kind = "" }, "kind", indivisible.EINVALID},
		{"space in participant", func(e *indivisible.Entry) { e.Participant = "P L" }, "participant", indivisible.EINVALID},
		{"plus in key name", func(e *indivisible.Entry) { e.KeyName = "POL+1" }, "key_name", indivisible.EINVALID},
		{"no key name", func(e *indivisible.Entry) { e.KeyName = "" }, "key_name", indivisible.EINVALID},
		{"no signature", func(e *indivisible.Entry) { e.Signature = nil }, "signature", indivisible.EINVALID},
		{"long signature", func(e *indivisible.Entry) { e.Signature = make([]byte, 256) }, "signature", indivisible.EINVALID},
		{"oversized body", func(e *indivisible.Entry) { e.Body = make([]byte, indivisible.MaxBodySize+1) }, "body", indivisible.ETOOLARGE},
		{"no time", func(e *indivisible.Entry) { e.Time = time.Time{} }, "time", indivisible.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := validEntry()
			tc.edit(&e)
			_, err := logstore.Encode(&e)
			if indivisible.ErrorCode(err) != tc.code || indivisible.ErrorField(err) != tc.field {
				t.Errorf("error %v, want code %s field %s", err, tc.code, tc.field)
			}
		})
	}
	// A key entry needs no signature.
	e := validEntry()
	e.Kind, e.Signature = indivisible.KindKey, nil
	if _, err := logstore.Encode(&e); err != nil {
		t.Errorf("key entry: %v", err)
	}
}

func TestEntryDecodeErrors(t *testing.T) {
	e := validEntry()
	data, _ := logstore.Encode(&e)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"version 2", append([]byte{2}, data[1:]...)},
		{"truncated", data[:len(data)-1]},
		{"trailing byte", append(bytes.Clone(data), 0)},
		{"header only", data[:9]},
	} {
		if _, err := logstore.Decode(0, tc.data); indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Errorf("%s: error %v, want EINVALID", tc.name, err)
		}
	}
}

// Every valid entry survives a round trip, and re-encoding is exact.
func TestEntryRoundTrip(t *testing.T) {
	token := rapid.StringMatching(`[A-Za-z0-9_.-]{1,40}`)
	rapid.Check(t, func(t *rapid.T) {
		e := indivisible.Entry{
			Time:        time.UnixMilli(rapid.Int64Range(1, 1<<50).Draw(t, "ms")).UTC(),
			Kind:        indivisible.EntryKind(token.Draw(t, "kind")),
			Participant: token.Draw(t, "participant"),
			KeyName:     token.Draw(t, "key"),
			Signature:   rapid.SliceOfN(rapid.Byte(), 1, 255).Draw(t, "sig"),
			Body:        rapid.SliceOfN(rapid.Byte(), 0, 2000).Draw(t, "body"),
		}
		data, err := logstore.Encode(&e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := logstore.Decode(0, data)
		if err != nil {
			t.Fatal(err)
		}
		again, err := logstore.Encode(&got)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs: %v", err)
		}
	})
}

// FuzzEntryDecode: decoding untrusted bytes never panics, and whatever
// decodes re-encodes to exactly the same bytes (the encoding is canonical,
// so a leaf hash cannot be matched by two different readings).
func FuzzEntryDecode(f *testing.F) {
	e := validEntry()
	data, _ := logstore.Encode(&e)
	f.Add(data)
	e.Kind, e.Signature, e.Body = indivisible.KindKey, nil, []byte("register x\n")
	data, _ = logstore.Encode(&e)
	f.Add(data)
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := logstore.Decode(0, data)
		if err != nil {
			return
		}
		again, err := logstore.Encode(&e)
		if err != nil {
			t.Fatalf("decoded entry does not encode: %v", err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs:\n% x\n% x", data, again)
		}
	})
}
