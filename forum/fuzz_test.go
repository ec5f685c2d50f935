package forum_test

import (
	"bytes"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/jsontest"
)

const positionHead = `{"type":"indivisible.forum.position/v1","forum":1,"item":2,"version":1,`

// twoMeanings are position bodies that encoding/json reads one way and a
// case-sensitive, first-or-refuse reader (Python's json.loads, the log
// page's raw body) another: each must be refused, or the delegation could
// later deny what it signed.
var twoMeanings = []struct{ name, body, field string }{
	{"duplicate stance", positionHead + `"participant":"POL","stance":"support","stance":"object","time":"2026-01-01T00:00:00Z"}`, "stance"},
	{"case-folded stance", positionHead + `"participant":"POL","stance":"support","STANCE":"object","time":"2026-01-01T00:00:00Z"}`, "STANCE"},
	{"case-folded participant", positionHead + `"participant":"RUS","Participant":"POL","stance":"support","time":"2026-01-01T00:00:00Z"}`, "Participant"},
	{"case-folded only", positionHead + `"Participant":"POL","stance":"support","time":"2026-01-01T00:00:00Z"}`, "Participant"},
	{"invalid UTF-8", positionHead + `"participant":"POL","stance":"support","statement":"` + "\xff\xfe" + `","time":"2026-01-01T00:00:00Z"}`, "statement"},
	{"trailing value", positionHead + `"participant":"POL","stance":"support","time":"2026-01-01T00:00:00Z"} {"stance":"object"}`, ""},
	{"null", `null`, ""},
}

func TestParsePositionBodyOneMeaning(t *testing.T) {
	for _, c := range twoMeanings {
		t.Run(c.name, func(t *testing.T) {
			b, err := forum.ParsePositionBody([]byte(c.body))
			if err == nil {
				t.Fatalf("accepted, read as %+v", b)
			}
			if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != c.field {
				t.Errorf("error %v (field %q), want invalid at %q", err, indivisible.ErrorField(err), c.field)
			}
		})
	}
}

// FuzzParsePositionBody feeds arbitrary bytes to the parser of the
// position statements delegations submit: it must never panic, must
// refuse with EINVALID, and what it accepts must re-encode to an
// equivalent statement that an independent strict reader reads the same
// way as the bytes signed.
func FuzzParsePositionBody(f *testing.F) {
	f.Add((&forum.PositionBody{Type: forum.PositionType, Forum: 1, Item: 2, Version: 3, Participant: "POL", Stance: indivisible.Join,
		StatementKind: indivisible.Reservation, Statement: "Subject to ratification.", Time: "2026-11-30T10:00:00Z"}).Marshal())
	f.Add([]byte(`{"type":"indivisible.forum.position/v1","time":"x"}`))
	f.Add([]byte(`{"type":"indivisible.forum.position/v1","forum":1,"item":1,"version":1,"participant":"RUS","stance":"object","time":"2026-01-01T00:00:00.5Z","extra":1}`))
	for _, c := range twoMeanings {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := forum.ParsePositionBody(data)
		if err != nil {
			if indivisible.ErrorCode(err) != indivisible.EINVALID {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		if err := jsontest.SameReading(data, b.Marshal()); err != nil {
			t.Fatalf("accepted %q, but %v", data, err)
		}
		again, err := forum.ParsePositionBody(b.Marshal())
		if err != nil || !bytes.Equal(again.Marshal(), b.Marshal()) {
			t.Fatalf("re-encoding %q: %v", b.Marshal(), err)
		}
	})
}
