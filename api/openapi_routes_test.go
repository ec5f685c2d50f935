package api_test

import (
	"fmt"
	"testing"
)

// TestOpenAPIEmptyStates calls the read routes on things just created, when
// every list is still empty and nothing is decided: the shapes most likely
// to come out as null where the spec promises an array or an object. The
// spec check under the client (TestMain) validates every answer; this test
// adds what the other tests leave out.
func TestOpenAPIEmptyStates(t *testing.T) {
	f, _ := withForum(t)
	if v := f.must(t, 200, "", "GET", "/api/v1/forums", ""); len(v["forums"].([]any)) != 0 {
		t.Fatalf("forums before any: %v", v)
	}
	fo := f.must(t, 201, "secretariat", "POST", "/api/v1/forums", `{"title": "Forum"}`)
	base := fmt.Sprintf("/api/v1/forums/%d", num(fo["id"]))
	f.must(t, 200, "public", "GET", base, "")
	for _, p := range []string{"/sessions", "/delegations", "/experts", "/questions"} {
		f.must(t, 200, "", "GET", base+p, "")
	}
	if v := f.must(t, 200, "", "GET", base+"/delphi", ""); v["distributions"] == nil {
		t.Errorf("Delphi result with no closed question: %v", v)
	}
	se := f.must(t, 201, "secretariat", "POST", base+"/sessions", `{"title": "First session"}`)
	items := fmt.Sprintf("%s/sessions/%d/items", base, num(se["id"]))
	f.must(t, 200, "", "GET", items, "")
	// A delegation registered without members.
	d := f.must(t, 201, "secretariat", "POST", base+"/delegations", `{"participant": "RUS", "kind": "member_state", "name": "Delegation of Russia", "head": "Head"}`)
	f.must(t, 200, "secretariat", "POST", fmt.Sprintf("%s/delegations/%d/status", base, num(d["id"])), `{"status": "accredited"}`)
	f.must(t, 200, "", "GET", base+"/delegations", "")

	it := f.must(t, 201, "secretariat", "POST", items, `{"title": "Item", "rule": {"name": "consensus"}}`)
	item := fmt.Sprintf("%s/items/%d", base, num(it["id"]))
	f.must(t, 200, "", "GET", item, "")
	for _, p := range []string{"/versions", "/comments", "/speakers", "/positions"} {
		f.must(t, 200, "", "GET", item+p, "")
	}
	// A version without a package, then the provisional count with no
	// position taken.
	f.must(t, 201, "secretariat", "POST", item+"/versions", `{"title": "Text", "text": "Words only."}`)
	f.must(t, 200, "", "GET", item, "")
	f.must(t, 201, "RUS", "POST", item+"/comments", `{"text": "A comment."}`)
	f.must(t, 200, "", "GET", item+"/comments", "")
	sp := f.must(t, 201, "RUS", "POST", item+"/speakers", "")
	f.must(t, 200, "", "GET", item+"/speakers", "")
	f.must(t, 200, "secretariat", "POST", fmt.Sprintf("%s/speakers/%d/done", item, num(sp["id"])), "")
	// Closed with no position at all.
	f.must(t, 200, "secretariat", "POST", item+"/close", "")
	f.must(t, 200, "", "GET", item+"/decision", "")
	f.must(t, 200, "", "GET", item, "")

	f.must(t, 201, "secretariat", "POST", base+"/experts", fmt.Sprintf(`{"account_id": %d}`, accountID(t, f, "X")))
	f.must(t, 200, "", "GET", base+"/experts", "")
	q := f.must(t, 201, "secretariat", "POST", base+"/questions", `{"parameter": "exercise_range_km", "text": "How far?", "unit": "km", "min": 1, "max": 2000}`)
	qp := fmt.Sprintf("%s/questions/%d", base, num(q["id"]))
	f.must(t, 200, "X", "GET", qp, "")
	f.must(t, 200, "", "GET", base+"/questions", "")
	f.must(t, 200, "", "GET", base+"/delphi", "")
}
