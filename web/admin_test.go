package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/accounts"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

// adminFixture is the forum fixture with the accounts service, the desk's
// handler, and records for the desk's row forms: a pending delegation of
// Finland, an expert not yet on the panel, a token of Poland's and a key
// of Armenia's.
type adminFixture struct {
	*forumFixture
	h       http.Handler
	pending int64
	expert  *indivisible.Account
	token   *indivisible.Token
	key     indivisible.Key
}

func newAdminFixture(t *testing.T) *adminFixture {
	t.Helper()
	ctx := context.Background()
	f := &adminFixture{forumFixture: newForumFixture(t)}
	f.deps.AccountService = accounts.New(accounts.Config{Store: f.db, Scenario: f.deps.Scenario, Keys: f.log})
	f.h = NewHandler(f.deps)
	d := &indivisible.Delegation{ForumID: f.forum, Participant: "FIN", Kind: indivisible.MemberState, Name: "Delegation of Finland", Head: "Head of delegation"}
	if err := f.svc.RegisterDelegation(ctx, f.acc["secretariat"], d); err != nil {
		t.Fatal(err)
	}
	f.pending = d.ID
	f.expert = &indivisible.Account{Name: "Expert Novak", Role: indivisible.RoleExpert}
	if err := f.db.CreateAccount(ctx, f.expert); err != nil {
		t.Fatal(err)
	}
	_, hash := indivisible.NewTokenSecret()
	var err error
	if f.token, err = f.db.CreateToken(ctx, f.acc["POL"].ID, "old laptop", hash); err != nil {
		t.Fatal(err)
	}
	if f.key, err = f.log.RegisterKey(ctx, "ARM", newVKey(t, "ARM")); err != nil {
		t.Fatal(err)
	}
	return f
}

func newVKey(t *testing.T, participant string) string {
	t.Helper()
	_, v, err := ledger.NewKey(rand.Reader, participant)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// with returns form plus the CSRF token.
func with(csrf string, form url.Values) url.Values {
	v := url.Values{"csrf": {csrf}}
	for k, vs := range form {
		v[k] = vs
	}
	return v
}

func TestAdminAccess(t *testing.T) {
	f := newAdminFixture(t)
	for _, tc := range []struct {
		who    string // "" for a visitor
		target string
		status int
		want   []string
	}{
		{"", "/admin", http.StatusUnauthorized, []string{`action="/signin"`, `name="next" value="/admin"`}},
		{"", fmt.Sprintf("/admin/forums/%d", f.forum), http.StatusUnauthorized, []string{`action="/signin"`}},
		{"POL", "/admin", http.StatusForbidden, []string{`the delegation role may not manage_accounts`}},
		{"Expert Ivanova", fmt.Sprintf("/admin/accounts/%d", f.acc["POL"].ID), http.StatusForbidden, nil},
		{"secretariat", "/admin", http.StatusOK, []string{`id="desk-link"`, `action="/admin/accounts"`, `action="/admin/keys"`, `action="/admin/forums"`,
			`<a href="/admin/accounts/` + fmt.Sprint(f.acc["POL"].ID) + `">Delegation of Poland</a>`, `<code>` + f.key.Name + `</code>`}},
		{"secretariat", fmt.Sprintf("/admin/accounts/%d", f.acc["POL"].ID), http.StatusOK, []string{`old laptop`, fmt.Sprintf(`action="/admin/tokens/%d/revoke"`, f.token.ID)}},
		{"secretariat", fmt.Sprintf("/admin/forums/%d", f.forum), http.StatusOK, []string{`action="/admin/forums/` + fmt.Sprint(f.forum) + `/items"`,
			`<option value="consensus_minus_one">Consensus minus one</option>`, `<option value="` + fmt.Sprint(f.expert.ID) + `">Expert Novak</option>`,
			fmt.Sprintf(`id="accredit-%d"`, f.pending), fmt.Sprintf(`id="finish-%d"`, f.question)}},
		{"secretariat", "/admin/forums/999", http.StatusNotFound, nil},
		{"secretariat", "/admin/accounts/999", http.StatusNotFound, nil},
	} {
		t.Run(cmpOr(tc.who, "visitor")+tc.target, func(t *testing.T) {
			c := &client{t: t, h: f.h}
			if tc.who != "" {
				c, _ = f.client(t, f.h, tc.who)
			}
			res, body := c.get(tc.target)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
	// Only the secretariat's header links the desk.
	c, _ := f.client(t, f.h, "POL")
	if _, body := c.get("/forum"); strings.Contains(body, `id="desk-link"`) {
		t.Error("a delegation's header links the desk")
	}
}

// TestAdminForms posts each desk form four ways: as a delegation
// (refused), with another session's CSRF token (refused), with a bad
// value (the form again, its field marked) and with good values (done,
// and checked in the store).
func TestAdminForms(t *testing.T) {
	f := newAdminFixture(t)
	ctx := context.Background()
	fo := fmt.Sprintf("/admin/forums/%d", f.forum)
	for _, tc := range []struct {
		name, path string
		good       url.Values
		// bad is good with these values changed; field is the input the
		// error must name (form-field), on the form with id form, or ""
		// for an error about no input.
		bad         url.Values
		form, field string
		// status is the good post's status; location its redirect's
		// prefix.
		status   int
		location string
		check    func(t *testing.T, body string)
	}{
		{name: "create account", path: "/admin/accounts",
			good: url.Values{"name": {"Delegation of Armenia"}, "role": {"delegation"}, "participant": {"ARM"}, "kind": {"member_state"}},
			bad:  url.Values{"kind": {"organisation"}}, form: "new-account", field: "kind",
			status: http.StatusSeeOther, location: "/admin/accounts/",
			check: func(t *testing.T, _ string) {
				as, _ := f.db.Accounts(ctx)
				last := as[len(as)-1]
				if last.Name != "Delegation of Armenia" || last.Participant != "ARM" || last.Kind != indivisible.MemberState {
					t.Errorf("last account %+v", last)
				}
			}},
		{name: "create token", path: fmt.Sprintf("/admin/accounts/%d/tokens", f.acc["POL"].ID),
			good: url.Values{"name": {"new laptop"}}, bad: url.Values{"name": {strings.Repeat("n", 201)}}, form: "new-token", field: "name",
			status: http.StatusCreated,
			check: func(t *testing.T, body string) {
				m := regexp.MustCompile(`id="token-secret"[^>]* value="(ind_[^"]+)"`).FindStringSubmatch(body)
				if m == nil {
					t.Fatalf("the page shows no secret:\n%s", body)
				}
				if a, err := f.db.Authenticate(ctx, indivisible.HashToken(m[1])); err != nil || a.ID != f.acc["POL"].ID {
					t.Errorf("the secret shown authenticates as %v (%v), want Poland", a, err)
				}
			}},
		{name: "revoke token", path: fmt.Sprintf("/admin/tokens/%d/revoke", f.token.ID),
			good: url.Values{"account": {fmt.Sprint(f.acc["POL"].ID)}, "confirm": {"yes"}}, bad: url.Values{"confirm": {""}},
			form: fmt.Sprintf("revoke-token-%d", f.token.ID), field: "confirm",
			status: http.StatusSeeOther, location: fmt.Sprintf("/admin/accounts/%d?done=revoked", f.acc["POL"].ID),
			check: func(t *testing.T, _ string) {
				ts, _ := f.db.Tokens(ctx, f.acc["POL"].ID)
				for _, tk := range ts {
					if tk.ID == f.token.ID && tk.Revoked == nil {
						t.Error("the token is not revoked")
					}
				}
			}},
		{name: "register key", path: "/admin/keys",
			good: url.Values{"participant": {"FIN"}, "public_key": {newVKey(t, "FIN")}}, bad: url.Values{"public_key": {"not a key"}}, form: "new-key", field: "public_key",
			status: http.StatusSeeOther, location: "/admin?done=key",
			check: func(t *testing.T, _ string) {
				ks, _ := f.log.Keys(ctx)
				if ks[len(ks)-1].Participant != "FIN" {
					t.Errorf("last key %+v", ks[len(ks)-1])
				}
			}},
		{name: "revoke key", path: "/admin/keys/" + f.key.Name + "/revoke",
			good: url.Values{"from": {fmt.Sprint(f.key.RegisteredAt + 1)}, "confirm": {"yes"}}, bad: url.Values{"from": {"soon"}},
			form: "revoke-key-" + f.key.Name, field: "from",
			status: http.StatusSeeOther, location: "/admin?done=key-off",
			check: func(t *testing.T, _ string) {
				ks, _ := f.log.Keys(ctx)
				for _, k := range ks {
					if k.Name == f.key.Name && k.RevokedFrom != f.key.RegisteredAt+1 {
						t.Errorf("key %+v, want revoked from %d", k, f.key.RegisteredAt+1)
					}
				}
			}},
		{name: "create forum", path: "/admin/forums",
			good: url.Values{"title": {"Forum on the Caucasus"}}, bad: url.Values{"title": {"  "}}, form: "new-forum", field: "title",
			status: http.StatusSeeOther, location: "/admin/forums/",
			check: func(t *testing.T, _ string) {
				fs, _ := f.db.Forums(ctx)
				if fs[len(fs)-1].Title != "Forum on the Caucasus" {
					t.Errorf("last forum %+v", fs[len(fs)-1])
				}
			}},
		{name: "add session", path: fo + "/sessions",
			good: url.Values{"title": {"Second session"}}, bad: url.Values{"title": {""}}, form: "new-session", field: "title",
			status: http.StatusSeeOther, location: fo + "?done=session",
			check: func(t *testing.T, _ string) {
				ss, _ := f.db.Sessions(ctx, f.forum)
				if ss[len(ss)-1].Title != "Second session" {
					t.Errorf("last session %+v", ss[len(ss)-1])
				}
			}},
		{name: "put an item", path: fo + "/items",
			good: url.Values{"session_id": {"1"}, "title": {"Observers at exercises"}, "rule.name": {"consensus_minus_one"}, "rule.concerned": {"RUS"}},
			bad:  url.Values{"rule.name": {"silence"}, "rule.concerned": {""}}, form: "new-item", field: "rule.deadline",
			status: http.StatusSeeOther, location: fo + "?done=item",
			check: func(t *testing.T, _ string) {
				its, _ := f.db.Items(ctx, 1)
				last := its[len(its)-1]
				if last.Title != "Observers at exercises" || last.Rule.Name != indivisible.RuleConsensusMinusOne || last.Rule.Concerned != "RUS" || last.Rule.Version != 1 {
					t.Errorf("last item %+v", last)
				}
			}},
		{name: "register delegation", path: fo + "/delegations",
			good: url.Values{"participant": {"CSTO"}, "kind": {"organisation"}, "name": {"CSTO Secretariat"}, "head": {"Secretary General"}, "members": {"A. Adviser\r\n\r\nB. Expert"}},
			bad:  url.Values{"kind": {"member_state"}}, form: "new-delegation", field: "kind",
			status: http.StatusSeeOther, location: fo + "?done=reg",
			check: func(t *testing.T, _ string) {
				ds, _ := f.db.Delegations(ctx, f.forum)
				last := ds[len(ds)-1]
				if last.Participant != "CSTO" || last.Status != indivisible.Pending || len(last.Members) != 2 || last.Members[1] != "B. Expert" {
					t.Errorf("last delegation %+v", last)
				}
			}},
		{name: "accredit", path: fmt.Sprintf("%s/delegations/%d/status", fo, f.pending),
			// The form has no input: only a forged post sends a bad
			// status, which the summary names.
			good: url.Values{"status": {"accredited"}}, bad: url.Values{"status": {"admitted"}}, form: fmt.Sprintf("accredit-%d", f.pending),
			status: http.StatusSeeOther, location: fo + "?done=status",
			check: func(t *testing.T, _ string) {
				if d, _ := f.db.Delegation(ctx, f.pending); d.Status != indivisible.Accredited {
					t.Errorf("status %s", d.Status)
				}
			}},
		{name: "withdraw", path: fmt.Sprintf("%s/delegations/%d/status?form=end", fo, f.pending),
			good: url.Values{"status": {"withdrawn"}, "confirm": {"yes"}}, bad: url.Values{"confirm": {"no"}}, form: fmt.Sprintf("end-%d", f.pending), field: "confirm",
			status: http.StatusSeeOther, location: fo + "?done=status",
			check: func(t *testing.T, _ string) {
				if d, _ := f.db.Delegation(ctx, f.pending); d.Status != indivisible.Withdrawn {
					t.Errorf("status %s", d.Status)
				}
			}},
		{name: "add expert", path: fo + "/experts",
			good: url.Values{"account_id": {fmt.Sprint(f.expert.ID)}}, bad: url.Values{"account_id": {fmt.Sprint(f.acc["POL"].ID)}}, form: "new-expert", field: "account_id",
			status: http.StatusSeeOther, location: fo + "?done=expert",
			check: func(t *testing.T, _ string) {
				es, _ := f.db.Experts(ctx, f.forum)
				if es[len(es)-1].AccountID != f.expert.ID {
					t.Errorf("last expert %+v", es[len(es)-1])
				}
			}},
		{name: "open question", path: fo + "/questions",
			good: url.Values{"parameter": {"exercise_range_km"}, "text": {"At what distance does an exercise stop mattering?"}, "unit": {"km"},
				"min": {"50"}, "max": {"2000"}, "stop.iqr": {"100"}, "stop.stability": {"0.1"}, "stop.max_rounds": {"3"}},
			bad: url.Values{"min": {"3000"}}, form: "new-question", field: "max",
			status: http.StatusSeeOther, location: fo + "?done=question",
			check: func(t *testing.T, _ string) {
				qs, _ := f.db.Questions(ctx, f.forum)
				last := qs[len(qs)-1]
				if last.Parameter != "exercise_range_km" || last.Max != 2000 || last.Stop != (indivisible.StoppingRule{IQR: 100, Stability: 0.1, MaxRounds: 3}) || last.Round != 1 {
					t.Errorf("last question %+v", last)
				}
			}},
		{name: "finish round", path: fmt.Sprintf("%s/questions/%d/rounds", fo, f.question),
			good: url.Values{"confirm": {"yes"}}, bad: url.Values{"confirm": {""}}, form: fmt.Sprintf("finish-%d", f.question), field: "confirm",
			status: http.StatusSeeOther, location: fo + "?done=round",
			check: func(t *testing.T, _ string) {
				// The fixture's question is in round 2 with one answer.
				q, _ := f.db.Question(ctx, f.question)
				if len(q.Rounds) != 2 || q.Rounds[1].N != 1 {
					t.Errorf("question %+v, want two finished rounds, the second of one answer", q)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			del, delCSRF := f.client(t, f.h, "POL")
			if res, _ := del.post(tc.path, with(delCSRF, tc.good)); res.StatusCode != http.StatusForbidden {
				t.Errorf("a delegation posting: status %d, want 403", res.StatusCode)
			}
			sec, csrf := f.client(t, f.h, "secretariat")
			if res, body := sec.post(tc.path, with(delCSRF, tc.good)); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "did not come from this session") {
				t.Errorf("another session's CSRF token: status %d, want 403", res.StatusCode)
			}
			bad := with(csrf, tc.good)
			for k, v := range tc.bad {
				bad[k] = v
			}
			res, body := sec.post(tc.path, bad)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("bad value: status %d, want 400\n%s", res.StatusCode, body)
			}
			wants := []string{`id="` + tc.form + `-error" tabindex="-1" autofocus`} // the summary takes the focus
			if tc.field != "" {
				input := (&adminForm{ID: tc.form}).InputID(tc.field)
				wants = append(wants,
					`<a href="#`+input+`">`,                      // the summary links the input
					`aria-describedby="`+input+`-msg"`,           // which is marked
					`<p class="field-error" id="`+input+`-msg">`) // with the message next to it
			}
			for _, want := range wants {
				if !strings.Contains(body, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			res, body = sec.post(tc.path, with(csrf, tc.good))
			if res.StatusCode != tc.status || !strings.HasPrefix(res.Header.Get("Location"), tc.location) {
				t.Fatalf("good values: status %d to %q, want %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), tc.status, tc.location, body)
			}
			tc.check(t, body)
			if tc.status == http.StatusSeeOther {
				// A browser does not send the fragment.
				to, _, _ := strings.Cut(res.Header.Get("Location"), "#")
				if _, page := sec.get(to); !strings.Contains(page, `<p class="notice" role="status" id="notice">`) {
					t.Error("the page redirected to has no notice")
				}
			}
		})
	}
}

// TestAdminValuesAsTyped checks that a refused form comes back as typed.
func TestAdminValuesAsTyped(t *testing.T) {
	f := newAdminFixture(t)
	sec, csrf := f.client(t, f.h, "secretariat")
	res, body := sec.post(fmt.Sprintf("/admin/forums/%d/items", f.forum), with(csrf, url.Values{"session_id": {"1"}, "title": {"Naval <incidents>"},
		"rule.name": {"qualified_majority"}, "rule.quorum": {"1.5"}}))
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{`value="Naval &lt;incidents&gt;"`, `value="1.5"`, `<option value="qualified_majority" selected>`, `id="new-item-rule-quorum-msg"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestConfirmIrreversible checks the confirmation of closing an item and
// of objecting, which the item page asks for.
func TestConfirmIrreversible(t *testing.T) {
	f := newAdminFixture(t)
	sec, csrf := f.client(t, f.h, "secretariat")
	if _, page := sec.get(f.itemURL(f.open)); !strings.Contains(page, `id="close-confirm" name="confirm" value="yes" required`) {
		t.Error("the close form has no confirmation box")
	}
	if res, _ := sec.post(f.itemURL(f.open)+"/close", url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("closing unconfirmed: status %d, want 400", res.StatusCode)
	}
	if it, _ := f.db.Item(context.Background(), f.open); it.Status != indivisible.ItemOpen {
		t.Error("an unconfirmed close closed the item")
	}
	deu, csrf := f.client(t, f.h, "DEU")
	res, body := deu.post(f.itemURL(f.open)+"/positions", url.Values{"csrf": {csrf}, "version": {"2"}, "stance": {"object"}, "statement": {"No."}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-confirm" name="confirm" value="yes" aria-invalid="true"`) {
		t.Errorf("objecting unconfirmed: status %d, want 400 with the box marked", res.StatusCode)
	}
	if res, _ := deu.post(f.itemURL(f.open)+"/positions", url.Values{"csrf": {csrf}, "version": {"2"}, "stance": {"object"}, "statement": {"No."}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("objecting confirmed: status %d, want 303", res.StatusCode)
	}
}

// TestAdminLanguages renders the desk's pages for the secretariat in
// Russian and Chinese: the headings, a form's words and the codes the
// services store (roles, kinds, statuses) are the language's, and none of
// the English headings is left. The expected words are the glossary's.
func TestAdminLanguages(t *testing.T) {
	f := newAdminFixture(t)
	sec, csrf := f.client(t, f.h, "secretariat")
	account := fmt.Sprintf("/admin/accounts/%d", f.acc["POL"].ID)
	forum := fmt.Sprintf("/admin/forums/%d", f.forum)
	for _, tc := range []struct {
		lang, target  string
		want, notWant []string
	}{
		{"ru", "/admin", []string{`<h1>Рабочее место секретариата</h1>`, `<h2 id="accounts-h">Учетные записи</h2>`, `<h2 id="keys-h">Ключи делегаций</h2>`,
			`<legend>Создание учетной записи</legend>`, `<td>делегация</td>`, `<td>государство-член</td>`},
			[]string{`<h1>Secretariat's desk</h1>`, `>Accounts</h2>`, `>Create an account<`}},
		{"ru", account, []string{`<h2 id="tokens-h">Токены API</h2>`, `<dt>Роль</dt><dd>делегация</dd>`, `Окончательно прекратить действие этого токена: подтверждаю`},
			[]string{`>API tokens</h2>`, `I confirm`}},
		{"ru", forum, []string{`<h2 id="sessions-h">Сессии и повестка дня</h2>`, `<h2 id="delegations-h">Делегации</h2>`, `<h2 id="panel-h">Группа экспертов</h2>`,
			`<option value="consensus_minus_one">Консенсус минус один</option>`, `<td>на рассмотрении</td>`},
			[]string{`>Sessions and agenda</h2>`, `>Expert panel</h2>`, `>Delphi questions</h2>`}},
		{"zh-Hans", forum, []string{`<h2 id="panel-h">专家组</h2>`, `<option value="consensus_minus_one">协商一致减一</option>`},
			[]string{`>Expert panel</h2>`}},
	} {
		t.Run(tc.lang+tc.target, func(t *testing.T) {
			res, body := sec.get(tc.target + "?lang=" + tc.lang)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			if want := `<html lang="` + tc.lang + `">`; !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("the page still has the English %q", w)
				}
			}
		})
	}
	// The desk's own refusal is in the reader's language too.
	res, body := sec.post(fmt.Sprintf("/admin/tokens/%d/revoke?lang=ru", f.token.ID), url.Values{"csrf": {csrf}, "account": {fmt.Sprint(f.acc["POL"].ID)}})
	if want := "отметьте поле, чтобы подтвердить, что вы действительно хотите отозвать этот токен"; res.StatusCode != http.StatusBadRequest || !strings.Contains(body, want) {
		t.Errorf("unconfirmed revocation in Russian: status %d, want 400 with %q", res.StatusCode, want)
	}
}
