package main

// The web half of the route fuzzer (routefuzz_test.go). Forms are found
// by parsing the HTML the pages serve to each role (every <form>'s
// action, method, enctype and the names and values of its inputs,
// selects, textareas and buttons), not from the web router: a form a page
// grows is fuzzed without a change here, and so is a form only one role
// sees, sent by every role. Roles sign in through the real path: POST
// /signin with the API token, then the session cookie and the CSRF token
// the pages carry.

import (
	"bytes"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// webField is one named control of a form, with the values the page
// offers for it.
type webField struct {
	name, tag, typ string
	values         []string
}

// webForm is a form as the pages serve it.
type webForm struct {
	method, action, enctype string
	fields                  []webField
	seenBy                  []string // the roles whose pages have it
}

type webForms struct {
	forms []*webForm
	pages []string // the pages discovered, revisited now and then
}

var (
	formRE     = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	blockRE    = regexp.MustCompile(`(?s)<(select|textarea)\b([^>]*)>(.*?)</(?:select|textarea)>`)
	controlRE  = regexp.MustCompile(`<(input|button)\b([^>]*)>`)
	attrRE     = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*"([^"]*)")?`)
	optionRE   = regexp.MustCompile(`<option\b([^>]*)>([^<]*)`)
	pageLinkRE = regexp.MustCompile(`href="(/forum/\d+/(?:items|questions)/\d+|/admin/(?:forums|accounts)/\d+)"`)
)

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

// parseForms reads the forms of a page.
func parseForms(page string) []*webForm {
	var out []*webForm
	for _, fm := range formRE.FindAllStringSubmatch(page, -1) {
		a := attrs(fm[1])
		f := &webForm{method: strings.ToUpper(a["method"]), action: a["action"], enctype: a["enctype"]}
		if f.method == "" {
			f.method = "GET"
		}
		// Selects and text areas first, then the inputs and buttons of
		// what is left, so that an option's text is never read as a tag.
		controls := blockRE.FindAllStringSubmatch(fm[2], -1)
		for _, cm := range controlRE.FindAllStringSubmatch(blockRE.ReplaceAllString(fm[2], ""), -1) {
			controls = append(controls, append(cm, ""))
		}
		for _, cm := range controls {
			ca := attrs(cm[2])
			if ca["name"] == "" {
				continue
			}
			fd := webField{name: ca["name"], tag: cm[1], typ: ca["type"]}
			switch cm[1] {
			case "select":
				for _, o := range optionRE.FindAllStringSubmatch(cm[3], -1) {
					oa := attrs(o[1])
					v, ok := oa["value"]
					if !ok {
						v = html.UnescapeString(o[2])
					}
					fd.values = append(fd.values, v)
				}
			case "textarea":
				fd.values = []string{html.UnescapeString(cm[3])}
			default:
				fd.values = []string{ca["value"]}
			}
			// Radio buttons and repeated names merge into one field.
			if i := slices.IndexFunc(f.fields, func(x webField) bool { return x.name == fd.name }); i >= 0 {
				f.fields[i].values = append(f.fields[i].values, fd.values...)
				continue
			}
			f.fields = append(f.fields, fd)
		}
		out = append(out, f)
	}
	return out
}

// webGet fetches a page as a role.
func (e *routeEnv) webGet(tb testing.TB, r *fuzzRole, path string) answer {
	fc := &fuzzCase{role: r, pattern: "GET " + path, method: "GET", target: path, web: true, header: http.Header{}}
	if r.cookie != "" {
		fc.header.Set("Cookie", sessionCookieName+"="+r.cookie)
	}
	ans, _, _ := e.do(tb, fc)
	return ans
}

const sessionCookieName = "indivisible_session"

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// signIn signs a role in on the web as a browser does, and reads its CSRF
// token from the Exchange page.
func (e *routeEnv) signIn(tb testing.TB, r *fuzzRole) {
	r.cookie, r.csrf = "", ""
	if r.token == "" {
		return
	}
	fc := &fuzzCase{role: r, pattern: "POST /signin", method: "POST", target: "/signin", web: true, header: http.Header{},
		body: []byte(url.Values{"token": {r.token}}.Encode()), contentType: "application/x-www-form-urlencoded"}
	ans, _, _ := e.do(tb, fc)
	for _, c := range ans.cookies {
		if c.Name == sessionCookieName {
			r.cookie = c.Value
		}
	}
	if ans.status != http.StatusSeeOther || r.cookie == "" {
		tb.Fatalf("%s cannot sign in: %d %s", r.name, ans.status, truncate(ans.body))
	}
	if m := csrfRE.FindSubmatch(e.webGet(tb, r, "/exchange").body); m != nil {
		r.csrf = html.UnescapeString(string(m[1]))
	}
	if r.csrf == "" {
		tb.Fatalf("%s's pages carry no CSRF token", r.name)
	}
}

// discoverForms signs every role in and collects the forms of every page
// it can reach: the navigation's pages and the forum's item and question
// pages they link to. The page visits are checked like any request.
func (e *routeEnv) discoverForms(tb testing.TB, found *findings) *webForms {
	if e.web != nil {
		return e.web
	}
	w := &webForms{}
	byKey := map[string]*webForm{}
	for _, r := range e.roles {
		e.signIn(tb, r)
		pages := []string{"/", "/assess", "/exchange", "/forum", "/log", "/admin"}
		for i := 0; i < len(pages); i++ {
			fc := &fuzzCase{role: r, pattern: "GET " + pages[i], method: "GET", target: pages[i], web: true, header: http.Header{}, did: "page"}
			if r.cookie != "" {
				fc.header.Set("Cookie", sessionCookieName+"="+r.cookie)
			}
			ans, before, after := e.do(tb, fc)
			found.add(fc, ans, e.check(fc, ans, before, after))
			for _, m := range pageLinkRE.FindAllSubmatch(ans.body, -1) {
				if p := string(m[1]); !slices.Contains(pages, p) {
					pages = append(pages, p)
				}
			}
			for _, f := range parseForms(string(ans.body)) {
				k := f.method + " " + f.action
				if old, ok := byKey[k]; ok {
					for _, fd := range f.fields {
						if !slices.ContainsFunc(old.fields, func(x webField) bool { return x.name == fd.name }) {
							old.fields = append(old.fields, fd)
						}
					}
					if !slices.Contains(old.seenBy, r.name) {
						old.seenBy = append(old.seenBy, r.name)
					}
					continue
				}
				f.seenBy = []string{r.name}
				byKey[k] = f
				w.forms = append(w.forms, f)
			}
		}
		for _, p := range pages {
			if !slices.Contains(w.pages, p) {
				w.pages = append(w.pages, p)
			}
		}
	}
	slices.SortFunc(w.forms, func(a, b *webForm) int { return strings.Compare(a.method+a.action, b.method+b.action) })
	e.web = w
	return w
}

var idSegmentRE = regexp.MustCompile(`/\d+(/|$)`)

// webCase makes one random form submission (or, now and then, a page
// visit).
func (e *routeEnv) webCase(c chooser) *fuzzCase {
	r := pick(c, e.roles)
	if chance(c, 8) {
		p := pick(c, e.web.pages)
		fc := &fuzzCase{role: r, web: true, header: http.Header{}, pattern: "GET " + p, method: "GET", target: p, did: "page"}
		if r.cookie != "" {
			fc.header.Set("Cookie", sessionCookieName+"="+r.cookie)
		}
		return fc
	}
	return e.formCase(c, pick(c, e.web.forms), r, true)
}

// formCase makes a submission of form f as role r: the page's own values,
// mutated if mutate is set.
func (e *routeEnv) formCase(c chooser, f *webForm, r *fuzzRole, mutate bool) *fuzzCase {
	fc := &fuzzCase{role: r, web: true, header: http.Header{}}
	if r.cookie != "" && !(mutate && chance(c, 20)) {
		fc.header.Set("Cookie", sessionCookieName+"="+r.cookie)
	}
	action := f.action
	// The forms that destroy act only on the records kept for it: the
	// close form on the items kept for closing, the desk's revocations and
	// status changes on the tokens, keys and delegations kept for those.
	path, query, _ := strings.Cut(action, "?")
	guard := ""
	switch {
	case strings.HasSuffix(path, "/close"):
		guard = "item"
	case strings.HasPrefix(path, "/admin/tokens/") && strings.HasSuffix(path, "/revoke"):
		guard = "token"
	case strings.HasPrefix(path, "/admin/keys/") && strings.HasSuffix(path, "/revoke"):
		guard = "key"
	case strings.HasPrefix(path, "/admin/forums/") && strings.HasSuffix(path, "/status"):
		guard = "delegation"
	}
	if guard != "" {
		parts := strings.Split(path, "/")
		parts[len(parts)-2] = url.PathEscape(pick(c, e.guarded[guard]))
		action = strings.Join(parts, "/")
		if query != "" {
			action += "?" + query
		}
	}
	fc.pattern = f.method + " " + idSegmentRE.ReplaceAllString(f.action, "/N$1")
	fc.method = f.method
	fc.anonymousOK = f.action == "/assess" || f.action == "/assess/result.json"
	var dids []string
	if mutate && chance(c, 10) && idSegmentRE.MatchString(action) { // another id in the path
		action = idSegmentRE.ReplaceAllStringFunc(action, func(s string) string {
			if chance(c, 2) {
				return s
			}
			return "/" + url.PathEscape(pick(c, randomIDs)) + strings.TrimPrefix(s, strings.TrimRight(s, "/"))
		})
		dids, fc.unrouted = append(dids, "path-id"), true
	}
	if mutate && chance(c, 30) {
		fc.method = pick(c, []string{"GET", "POST", "PUT", "DELETE"})
		dids, fc.unrouted = append(dids, "method"), true
	}

	// The valid values first: what the page offers, with a real proposal
	// and a signed declaration where the page leaves a text box empty.
	type kv struct{ k, v string }
	var vals []kv
	var declaration string
	for _, fd := range f.fields {
		v := ""
		if len(fd.values) > 0 {
			v = pick(c, fd.values)
		}
		switch {
		case fd.name == "csrf":
			v = r.csrf
		case fd.name == "proposal" && strings.TrimSpace(v) == "":
			v = pick(c, e.bodies["POST /api/v1/assess"]).text
		case fd.name == "declaration":
			declaration = e.fill(pick(c, e.bodies["POST /api/v1/declarations"]).text, r, nil)
			continue // added with its signature below
		case fd.name == "signature" || fd.typ == "file":
			continue
		case fd.name == "token":
			v = r.token
		case fd.name == "value" && v == "":
			v = "450"
		case (fd.typ == "checkbox" || fd.typ == "radio") && chance(c, 3):
			continue
		}
		vals = append(vals, kv{fd.name, v})
	}
	// Mutations: odd values, missing, repeated and unknown fields, JSON
	// mutations of the JSON text boxes, and a wrong CSRF token.
	for range 1 + c.intn(3) {
		if len(vals) == 0 || !mutate {
			break
		}
		i := c.intn(len(vals))
		switch m := c.intn(9); m {
		case 0:
			vals[i].v = pick(c, oddStrings)
			dids = append(dids, "odd-string:"+vals[i].k)
		case 1:
			vals[i].v = pick(c, extremeNumbers)
			dids = append(dids, "extreme-number:"+vals[i].k)
		case 2:
			dids = append(dids, "drop:"+vals[i].k)
			vals = append(vals[:i], vals[i+1:]...)
		case 3:
			vals = append(vals, kv{vals[i].k, pick(c, append(e.voc.strs, extremeNumbers...))})
			dids = append(dids, "repeat:"+vals[i].k)
		case 4:
			vals = append(vals, kv{e.voc.key(c), pick(c, oddStrings)})
			dids = append(dids, "unknown-field")
		case 5:
			for j := range vals {
				if vals[j].k == "csrf" {
					vals[j].v = pick(c, []string{"", "x", e.roles[1].csrf, e.roles[2].csrf, r.csrf + "x"})
					dids = append(dids, "csrf")
				}
			}
		default:
			if declaration != "" && chance(c, 2) {
				b, did := e.voc.mutateBody(c, []byte(declaration))
				declaration = string(b)
				dids = append(dids, "declaration:"+did)
				continue
			}
			for j := range vals {
				if vals[j].k == "proposal" {
					b, did := e.voc.mutateBody(c, []byte(vals[j].v))
					vals[j].v = string(b)
					dids = append(dids, "proposal:"+did)
				}
			}
		}
	}
	if declaration != "" {
		s := e.signer(r, c)
		sig, _ := s.Sign([]byte(declaration))
		fc.signed = []byte(declaration)
		vals = append(vals, kv{"declaration", declaration}, kv{"signature", s.Name() + " " + base64Std(sig)})
	}
	if len(dids) == 0 {
		dids = append(dids, "valid")
	}
	fc.did = strings.Join(dids, " ")

	// Encode as the form says (now and then the other way).
	multi := f.enctype == "multipart/form-data"
	if mutate && chance(c, 6) {
		multi = !multi
		fc.did += " other-encoding"
	}
	if fc.method == "GET" {
		q := url.Values{}
		for _, x := range vals {
			q.Add(x.k, x.v)
		}
		fc.target = action + "?" + q.Encode()
		return fc
	}
	fc.target = action
	if multi {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for _, x := range vals {
			if x.k == "declaration" && mutate && chance(c, 3) {
				part, _ := mw.CreateFormFile("declaration_file", "declaration.json")
				part.Write([]byte(x.v))
				continue
			}
			mw.WriteField(x.k, x.v)
		}
		mw.Close()
		fc.body, fc.contentType = b.Bytes(), mw.FormDataContentType()
	} else {
		q := url.Values{}
		for _, x := range vals {
			q.Add(x.k, x.v)
		}
		fc.body, fc.contentType = []byte(q.Encode()), "application/x-www-form-urlencoded"
	}
	if m := regexp.MustCompile(`^/forum/(\d+)/`).FindStringSubmatch(action); m != nil && fc.method == "POST" {
		fmt.Sscan(m[1], &fc.forumWrite)
	}
	return fc
}

// afterWeb keeps the roles signed in: a request that signed a role out or
// in again (the sign-in and sign-out forms are fuzzed too) is followed by
// a fresh sign-in.
func (e *routeEnv) afterWeb(tb testing.TB, fc *fuzzCase, ans answer) {
	for _, c := range ans.cookies {
		if c.Name == sessionCookieName {
			e.signIn(tb, fc.role)
			return
		}
	}
}

// webRun sends one web case and checks it.
func (e *routeEnv) webRun(tb testing.TB, fc *fuzzCase) (answer, []violation) {
	ans, before, after := e.do(tb, fc)
	vs := e.check(fc, ans, before, after)
	e.afterWeb(tb, fc, ans)
	return ans, vs
}

// webSystematic sends every form as every role with the page's own
// values, then the malformed declarations of issue 12 signed with the
// role's key.
func (e *routeEnv) webSystematic(tb testing.TB, c chooser, f *findings) int {
	n := 0
	send := func(fc *fuzzCase) {
		ans, vs := e.webRun(tb, fc)
		f.add(fc, ans, vs)
		n++
	}
	for _, fm := range e.web.forms {
		for _, r := range e.roles {
			send(e.formCase(c, fm, r, false))
		}
	}
	for _, fm := range e.web.forms {
		if fm.action != "/exchange/declarations" {
			continue
		}
		for _, r := range e.roles {
			for _, d := range malformedDocs {
				fc := e.formCase(c, fm, r, false)
				s := e.signer(r, prngChooser{newPRNG(7)})
				sig, _ := s.Sign([]byte(d))
				q, _ := url.ParseQuery(string(fc.body))
				q.Set("declaration", d)
				q.Set("signature", s.Name()+" "+base64Std(sig))
				fc.body, fc.contentType, fc.signed, fc.did = []byte(q.Encode()), "application/x-www-form-urlencoded", []byte(d), "malformed declaration"
				send(fc)
			}
		}
	}
	return n
}

// webBudget is the bounded test's count of form submissions.
const webBudget = 400

// TestWebFormFuzz is the bounded run of the web forms: every form as every
// role with the page's own values, then random mutations.
func TestWebFormFuzz(t *testing.T) {
	e := newRouteEnv(t)
	var f findings
	w := e.discoverForms(t, &f)
	if len(w.forms) < 5 {
		f.fail(t, 0)
		t.Fatalf("found only %d forms", len(w.forms))
	}
	c := prngChooser{newPRNG(99)}
	n := e.webSystematic(t, c, &f)
	for range webBudget {
		fc := e.webCase(c)
		ans, vs := e.webRun(t, fc)
		f.add(fc, ans, vs)
		n++
	}
	var names []string
	for _, fm := range w.forms {
		names = append(names, fm.method+" "+fm.action)
	}
	t.Logf("%d requests to %d forms: %s", n, len(w.forms), strings.Join(names, ", "))
	f.fail(t, n)
}

// FuzzWebForms is the fuzz target of the web forms: each input is one
// submission.
func FuzzWebForms(f *testing.F) {
	e := newRouteEnv(f)
	var found findings
	e.discoverForms(f, &found)
	found.fail(f, e.webSystematic(f, prngChooser{newPRNG(99)}, &found))
	for i := range 8 {
		f.Add([]byte{0, byte(i), 0, byte(i * 3), 0, 1})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fc := e.webCase(&byteChooser{b: data})
		ans, vs := e.webRun(t, fc)
		for _, v := range vs {
			t.Fatal(fc.report(ans, v))
		}
	})
}
