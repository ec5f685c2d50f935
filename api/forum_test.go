package api_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

// withForum gives the fixture the forum service over its store and log,
// with an attestation key registered to the forum, and more accounts: RUS
// (member state), AUS (partner), CSTO (organisation) and experts X and Y.
func withForum(t *testing.T) (*fixture, *ledger.Log) {
	f, l := withLog(t, func(c *api.Config) {
		l := c.Ledger.(*ledger.Log)
		skey, vkey, err := ledger.NewKey(rand.Reader, indivisible.ForumParticipant)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.RegisterKey(context.Background(), indivisible.ForumParticipant, vkey); err != nil {
			t.Fatal(err)
		}
		signer, _ := note.NewSigner(skey)
		db := c.Accounts.(indivisible.ForumStore)
		c.Forum = forum.NewService(forum.Config{Store: db, Accounts: c.Accounts, Assessor: c.Assessor, Log: l, Attester: forum.KeyAttester{Signer: signer},
			Scenario: c.Scenario})
	})
	for name, a := range map[string]*indivisible.Account{
		"RUS":  {Name: "Russia", Role: indivisible.RoleDelegation, Participant: "RUS", Kind: indivisible.MemberState},
		"AUS":  {Name: "Australia", Role: indivisible.RoleDelegation, Participant: "AUS", Kind: indivisible.PartnerState},
		"CSTO": {Name: "CSTO", Role: indivisible.RoleDelegation, Participant: "CSTO", Kind: indivisible.OrganisationDelegation},
		"X":    {Name: "Expert X", Role: indivisible.RoleExpert},
		"Y":    {Name: "Expert Y", Role: indivisible.RoleExpert, Participant: "POL"},
	} {
		if err := f.db.CreateAccount(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		secret, hash := indivisible.NewTokenSecret()
		if _, err := f.db.CreateToken(context.Background(), a.ID, "test", hash); err != nil {
			t.Fatal(err)
		}
		f.tokens[name] = secret
	}
	return f, l
}

// must sends a request and fails the test unless the status is want.
func (f *fixture) must(t *testing.T, want int, who, method, path, body string) map[string]any {
	t.Helper()
	status, _, v := f.do(t, who, method, path, body)
	if status != want {
		t.Fatalf("%s %s as %q: %d, want %d: %v", method, path, who, status, want, v)
	}
	return v
}

// accountID finds the ID of the account of the named token.
func accountID(t *testing.T, f *fixture, name string) int64 {
	t.Helper()
	a, err := f.db.Authenticate(context.Background(), indivisible.HashToken(f.tokens[name]))
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func num(v any) int { f, _ := v.(float64); return int(f) }

// TestForumAPI walks a session over HTTP: delegations, a package and an
// amendment with their assessments, positions attested and signed, the
// provisional count, closing, and the decision's log entry and proof.
func TestForumAPI(t *testing.T) {
	f, l := withForum(t)
	ctx := context.Background()
	fo := f.must(t, 201, "secretariat", "POST", "/api/v1/forums", `{"title": "International expert forum on an equal and indivisible security architecture in Eurasia"}`)
	base := fmt.Sprintf("/api/v1/forums/%d", num(fo["id"]))
	se := f.must(t, 201, "secretariat", "POST", base+"/sessions", `{"title": "First session"}`)
	dels := map[string]int{}
	for _, d := range []struct{ who, participant, kind string }{
		{"POL", "POL", "member_state"}, {"secretariat", "RUS", "member_state"}, {"secretariat", "AUS", "partner_state"}, {"secretariat", "CSTO", "organisation"},
	} {
		v := f.must(t, 201, d.who, "POST", base+"/delegations", fmt.Sprintf(`{"participant": %q, "kind": %q, "name": "Delegation of %s", "head": "Head", "members": ["Adviser"]}`, d.participant, d.kind, d.participant))
		if v["status"] != "pending" {
			t.Fatalf("new delegation %v", v)
		}
		dels[d.participant] = num(v["id"])
		f.must(t, 200, "secretariat", "POST", fmt.Sprintf("%s/delegations/%d/status", base, dels[d.participant]), `{"status": "accredited"}`)
	}
	it := f.must(t, 201, "secretariat", "POST", fmt.Sprintf("%s/sessions/%d/items", base, num(se["id"])), `{"title": "Caucasus", "rule": {"name": "consensus"}}`)
	item := fmt.Sprintf("%s/items/%d", base, num(it["id"]))
	v1 := f.must(t, 201, "POL", "POST", item+"/versions", `{"title": "Hotline", "text": "A hotline.", "package": {"measures": [{"type": "cbm", "actors": ["ARM", "AZE"], "kind": "hotline"}]}}`)
	if a, _ := v1["assessment"].(map[string]any); a["verdict"] != "indivisible" {
		t.Errorf("version 1 assessment %v", v1["assessment"])
	}
	f.must(t, 201, "RUS", "POST", item+"/versions", `{"title": "Hotline and observers", "text": "A hotline and observers.", "package": {"measures": [{"type": "cbm", "actors": ["ARM", "AZE"], "kind": "hotline"}, {"type": "cbm", "actors": ["ARM", "AZE"], "kind": "observers"}]}}`)
	vs := f.must(t, 200, "", "GET", item+"/versions", "")
	if list, _ := vs["versions"].([]any); len(list) != 2 {
		t.Fatalf("versions %v", vs)
	}

	// Requests that fail, by code and field.
	for _, tc := range []struct {
		name, who, method, path, body string
		status                        int
		code, field                   string
	}{
		{"the public creates a forum", "public", "POST", "/api/v1/forums", `{"title": "x"}`, 403, indivisible.EFORBIDDEN, ""},
		{"anonymous position", "", "POST", item + "/positions", `{"stance": "support"}`, 401, indivisible.EUNAUTHORIZED, ""},
		{"a partner objects", "AUS", "POST", item + "/positions", `{"stance": "object", "statement": "no"}`, 403, indivisible.EFORBIDDEN, ""},
		{"an unknown stance", "POL", "POST", item + "/positions", `{"stance": "veto"}`, 400, indivisible.EINVALID, "stance"},
		{"an outdated version", "POL", "POST", item + "/positions", `{"version": 1, "stance": "support"}`, 409, indivisible.ECONFLICT, "version"},
		{"an unknown field", "POL", "POST", item + "/positions", `{"stance": "support", "colour": "red"}`, 400, indivisible.EINVALID, "colour"},
		{"a misplaced measure field", "POL", "POST", item + "/versions", `{"title": "x", "text": "x", "package": {"measures": [{"type": "cbm", "actors": ["ARM"], "kind": "hotline", "host": "ARM"}]}}`, 400, indivisible.EINVALID, "package.measures[0].host"},
		{"an unknown rule", "secretariat", "POST", fmt.Sprintf("%s/sessions/%d/items", base, num(se["id"])), `{"title": "x", "rule": {"name": "veto"}}`, 400, indivisible.EINVALID, "rule.name"},
		{"another forum's item", "", "GET", fmt.Sprintf("/api/v1/forums/999/items/%d", num(it["id"])), "", 404, indivisible.ENOTFOUND, "item"},
		{"no decision yet", "", "GET", item + "/decision", "", 404, indivisible.ENOTFOUND, "item"},
		{"an expert closes", "X", "POST", item + "/close", "", 403, indivisible.EFORBIDDEN, ""},
		{"a delegation accredits", "POL", "POST", fmt.Sprintf("%s/delegations/%d/status", base, dels["RUS"]), `{"status": "rejected"}`, 403, indivisible.EFORBIDDEN, ""},
		{"accredited cannot become rejected", "secretariat", "POST", fmt.Sprintf("%s/delegations/%d/status", base, dels["RUS"]), `{"status": "rejected"}`, 409, indivisible.ECONFLICT, "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, v := f.do(t, tc.who, tc.method, tc.path, tc.body)
			if code, field := errorOf(v); status != tc.status || code != tc.code || field != tc.field {
				t.Errorf("%d %q at %q, want %d %q at %q (%v)", status, code, field, tc.status, tc.code, tc.field, v)
			}
		})
	}

	f.must(t, 201, "RUS", "POST", item+"/positions", `{"stance": "object", "statement": "Observers need a mandate."}`)
	f.must(t, 201, "AUS", "POST", item+"/positions", `{"stance": "join", "statement_kind": "interpretative", "statement": "Civilian observers."}`)
	f.must(t, 201, "CSTO", "POST", item+"/comments", `{"text": "We will send observers."}`)
	f.must(t, 201, "CSTO", "POST", item+"/speakers", "")
	st := f.must(t, 200, "", "GET", item, "")
	if p, _ := st["provisional"].(map[string]any); p["outcome"] != "not_adopted" {
		t.Errorf("provisional %v", st["provisional"])
	}
	f.must(t, 201, "RUS", "POST", item+"/positions", `{"stance": "withdraw"}`)

	// POL signs its statement with its registered key.
	skey, vkey, _ := ledger.NewKey(rand.Reader, "POL")
	if _, err := l.RegisterKey(ctx, "POL", vkey); err != nil {
		t.Fatal(err)
	}
	body := (&forum.PositionBody{Type: forum.PositionType, Forum: int64(num(fo["id"])), Item: int64(num(it["id"])), Version: 2, Participant: "POL",
		Stance: indivisible.Support, Time: "2026-11-30T10:00:00Z"}).Marshal()
	signer, _ := note.NewSigner(skey)
	sig, _ := signer.Sign(body)
	req, _ := json.Marshal(map[string]any{"signed": map[string]string{"body": base64.StdEncoding.EncodeToString(body), "key_name": signer.Name(), "signature": base64.StdEncoding.EncodeToString(sig)}})
	pos := f.must(t, 201, "POL", "POST", item+"/positions", string(req))
	if pos["key_name"] != signer.Name() {
		t.Errorf("signed position %v", pos)
	}

	d := f.must(t, 200, "secretariat", "POST", item+"/close", "")
	if d["outcome"] != "adopted" || d["proof"] == "" {
		t.Fatalf("decision %v", d)
	}
	got := f.must(t, 200, "public", "GET", item+"/decision", "")
	if got["document_sha256"] != d["document_sha256"] {
		t.Errorf("stored decision %v", got)
	}
	// The outcome document served hashes to what the log carries, and the
	// proof verifies against the log's key.
	resp, err := http.Get(f.srv.URL + item + "/outcome")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := sha256.Sum256(doc)
	if resp.Header.Get("Content-Type") != "text/markdown; charset=utf-8" || hex.EncodeToString(sum[:]) != d["document_sha256"] || !strings.Contains(string(doc), "Civilian observers.") {
		t.Errorf("outcome document (%s):\n%s", resp.Header.Get("Content-Type"), doc)
	}
	entry := d["entry"].(map[string]any)
	raw, _ := base64.StdEncoding.DecodeString(entry["body"].(string))
	var db forum.DecisionBody
	if err := json.Unmarshal(raw, &db); err != nil || db.DocumentSHA256 != d["document_sha256"] || entry["kind"] != "decision" {
		t.Fatalf("decision entry %v: %v", entry, err)
	}
	proof, err := ledger.ParseInclusionProof([]byte(d["proof"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	e, err := l.Entry(ctx, int64(num(d["log_index"])))
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := logstore.Encode(&e)
	if _, err := proof.Verify(l.Verifier(), rec); err != nil {
		t.Errorf("proof: %v", err)
	}
	ps := f.must(t, 200, "", "GET", item+"/positions", "")
	if list, _ := ps["positions"].([]any); len(list) != 4 {
		t.Errorf("positions %v", ps)
	}
}

func TestDelphiAPI(t *testing.T) {
	f, _ := withForum(t)
	fo := f.must(t, 201, "secretariat", "POST", "/api/v1/forums", `{"title": "Forum"}`)
	base := fmt.Sprintf("/api/v1/forums/%d", num(fo["id"]))
	for _, x := range []string{"X", "Y"} {
		f.must(t, 201, "secretariat", "POST", base+"/experts", fmt.Sprintf(`{"account_id": %d}`, accountID(t, f, x)))
	}
	status, _, v := f.do(t, "secretariat", "POST", base+"/questions", `{"parameter": "notified_discount", "text": "Discount?", "min": 0, "max": 2}`)
	if code, field := errorOf(v); status != 400 || code != indivisible.EINVALID || field != "parameter" {
		t.Errorf("a range beyond the parameter's: %d %v", status, v)
	}
	q := f.must(t, 201, "secretariat", "POST", base+"/questions", `{"parameter": "notified_discount", "text": "By how much does notifying an exercise reduce the threat it poses?", "min": 0, "max": 1, "stop": {"iqr": 0.05, "max_rounds": 3}}`)
	qp := fmt.Sprintf("%s/questions/%d", base, num(q["id"]))
	f.must(t, 201, "X", "POST", qp+"/answers", `{"value": 0.2}`)
	f.must(t, 201, "Y", "POST", qp+"/answers", `{"value": 0.5}`)
	if status, _, _ := f.do(t, "POL", "POST", qp+"/answers", `{"value": 0.3}`); status != 403 {
		t.Errorf("a delegation answered: %d", status)
	}
	r1 := f.must(t, 200, "secretariat", "POST", qp+"/rounds", "")
	if r1["round"] != 2.0 || r1["status"] != "open" {
		t.Fatalf("after round 1: %v", r1)
	}
	fb := f.must(t, 200, "X", "GET", qp, "")
	own, _ := fb["own"].([]any)
	rounds := fb["question"].(map[string]any)["rounds"].([]any)
	if len(own) != 1 || own[0].(map[string]any)["value"] != 0.2 || rounds[0].(map[string]any)["median"] != 0.35 {
		t.Errorf("feedback %v", fb)
	}
	if pub := f.must(t, 200, "public", "GET", qp, ""); pub["own"] != nil {
		t.Errorf("the public sees answers: %v", pub)
	}
	f.must(t, 201, "X", "POST", qp+"/answers", `{"value": 0.3}`)
	f.must(t, 201, "Y", "POST", qp+"/answers", `{"value": 0.32}`)
	r2 := f.must(t, 200, "secretariat", "POST", qp+"/rounds", "")
	if r2["status"] != "closed" {
		t.Fatalf("after round 2: %v", r2)
	}
	res := f.must(t, 200, "", "GET", base+"/delphi", "")
	if p := res["params"].(map[string]any); p["notified_discount"] != 0.31 {
		t.Errorf("result %v", res)
	}
}

// TestForumSilenceLateObjection is the regression test for a late
// objection under the silence procedure: logged after the deadline, it is
// neither counted nor current, in the item's standings as in the rule's
// count.
func TestForumSilenceLateObjection(t *testing.T) {
	f, _ := withForum(t)
	fo := f.must(t, 201, "secretariat", "POST", "/api/v1/forums", `{"title": "Forum"}`)
	base := fmt.Sprintf("/api/v1/forums/%d", num(fo["id"]))
	se := f.must(t, 201, "secretariat", "POST", base+"/sessions", `{"title": "First session"}`)
	for _, p := range []string{"POL", "RUS"} {
		d := f.must(t, 201, "secretariat", "POST", base+"/delegations", fmt.Sprintf(`{"participant": %q, "kind": "member_state", "name": "Delegation of %s", "head": "Head"}`, p, p))
		f.must(t, 200, "secretariat", "POST", fmt.Sprintf("%s/delegations/%d/status", base, num(d["id"])), `{"status": "accredited"}`)
	}
	// The deadline has passed: every position is logged after it.
	it := f.must(t, 201, "secretariat", "POST", fmt.Sprintf("%s/sessions/%d/items", base, num(se["id"])),
		`{"title": "Hotline", "rule": {"name": "silence", "deadline": "2020-01-01T00:00:00Z"}}`)
	item := fmt.Sprintf("%s/items/%d", base, num(it["id"]))
	f.must(t, 201, "secretariat", "POST", item+"/versions", `{"title": "Hotline", "text": "A hotline."}`)
	obj := f.must(t, 201, "RUS", "POST", item+"/positions", `{"stance": "object", "statement": "Too late, but we object."}`)

	st := f.must(t, 200, "", "GET", item, "")
	prov, _ := st["provisional"].(map[string]any)
	if prov["outcome"] != "adopted" || len(prov["counted"].([]any)) != 0 || len(prov["objectors"].([]any)) != 0 {
		t.Fatalf("provisional %v, want adopted with nothing counted", prov)
	}
	ps, _ := st["positions"].([]any)
	if len(ps) != 1 {
		t.Fatalf("positions %v", ps)
	}
	p := ps[0].(map[string]any)
	if num(p["log_index"]) != num(obj["log_index"]) || p["standing"] != "late" || !strings.Contains(fmt.Sprint(p["reason"]), "after the deadline") {
		t.Errorf("the late objection stands as %v (%v), want late, after the deadline", p["standing"], p["reason"])
	}
}

// TestForumDamagedVersion: a version row that cannot be decoded spoils its
// item, not GET of the forum (which carries no item), while the item's own
// route says it is damaged.
func TestForumDamagedVersion(t *testing.T) {
	f, _ := withForum(t)
	fo := f.must(t, 201, "secretariat", "POST", "/api/v1/forums", `{"title": "Forum"}`)
	base := fmt.Sprintf("/api/v1/forums/%d", num(fo["id"]))
	se := f.must(t, 201, "secretariat", "POST", base+"/sessions", `{"title": "First session"}`)
	it := f.must(t, 201, "secretariat", "POST", fmt.Sprintf("%s/sessions/%d/items", base, num(se["id"])),
		`{"title": "Hotline", "rule": {"name": "consensus"}}`)
	item := fmt.Sprintf("%s/items/%d", base, num(it["id"]))
	f.must(t, 201, "secretariat", "POST", item+"/versions",
		`{"title": "Hotline", "text": "A hotline.", "package": {"measures": [{"type": "cbm", "actors": ["ARM", "AZE"], "kind": "hotline"}]}}`)
	if _, err := f.db.DB.Exec(`UPDATE forum_versions SET assessment = '{' WHERE item_id = $1`, num(it["id"])); err != nil {
		t.Fatal(err)
	}
	if v := f.must(t, 200, "", "GET", base, ""); v["forum"] == nil || len(v["sessions"].([]any)) != 1 {
		t.Errorf("GET %s: %v", base, v)
	}
	f.must(t, 500, "", "GET", item, "")
}
