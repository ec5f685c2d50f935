package forum_test

import (
	"bytes"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
)

// FuzzParsePositionBody feeds arbitrary bytes to the parser of the
// position statements delegations submit: it must never panic, must
// refuse with EINVALID, and what it accepts must re-encode to an
// equivalent statement.
func FuzzParsePositionBody(f *testing.F) {
	f.Add((&forum.PositionBody{Type: forum.PositionType, Forum: 1, Item: 2, Version: 3, Participant: "POL", Stance: indivisible.Join,
		StatementKind: indivisible.Reservation, Statement: "Subject to ratification.", Time: "2026-11-30T10:00:00Z"}).Marshal())
	f.Add([]byte(`{"type":"indivisible.forum.position/v1","time":"x"}`))
	f.Add([]byte(`{"type":"indivisible.forum.position/v1","forum":1,"item":1,"version":1,"participant":"RUS","stance":"object","time":"2026-01-01T00:00:00.5Z","extra":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := forum.ParsePositionBody(data)
		if err != nil {
			if indivisible.ErrorCode(err) != indivisible.EINVALID {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		again, err := forum.ParsePositionBody(b.Marshal())
		if err != nil || !bytes.Equal(again.Marshal(), b.Marshal()) {
			t.Fatalf("re-encoding %q: %v", b.Marshal(), err)
		}
	})
}
