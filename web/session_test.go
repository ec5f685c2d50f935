package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestNoStore checks that every response served to a session, which
// shows the account and carries its CSRF token, is marked not to be
// stored by the browser or a proxy, and that the public pages are not.
func TestNoStore(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	signedIn, _ := f.client(t, h, "POL")
	anonymous := &client{t: t, h: h}
	for _, target := range []string{"/", "/assess", "/exchange", "/log", "/log/entry/0", "/forum", f.itemURL(f.open),
		fmt.Sprintf("/forum/%d/questions/%d", f.forum, f.question), "/nowhere"} {
		t.Run(target, func(t *testing.T) {
			res, _ := signedIn.get(target)
			if got := res.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("signed in: Cache-Control %q, want no-store", got)
			}
			res, _ = anonymous.get(target)
			if got := res.Header.Get("Cache-Control"); strings.Contains(got, "no-store") {
				t.Errorf("public: Cache-Control %q", got)
			}
		})
	}
	// Signing in and out sets the cookie: neither answer may be kept.
	c := &client{t: t, h: h}
	res, _ := c.post("/signin", url.Values{"token": {f.tokens["DEU"]}})
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("sign-in: Cache-Control %q, want no-store", got)
	}
	res, _ = c.post("/signout", url.Values{"csrf": {c.csrf()}})
	if got := res.Header.Get("Cache-Control"); res.StatusCode != http.StatusSeeOther || got != "no-store" {
		t.Errorf("sign-out: status %d, Cache-Control %q, want no-store", res.StatusCode, got)
	}
}

// TestSecureCookie checks that the session cookie is Secure when the
// service's public URL is https, as behind a proxy that terminates TLS,
// or when the request itself came over TLS; and that the log page's
// audit commands name the public URL.
func TestSecureCookie(t *testing.T) {
	f := newExchangeFixture(t)
	for _, tc := range []struct {
		public string
		tls    bool
		secure bool
		origin string
	}{
		{"", false, false, "http://example.com"},
		{"", true, true, "https://example.com"},
		{"https://forum.example.org", false, true, "https://forum.example.org"},
		{"https://forum.example.org/", true, true, "https://forum.example.org"},
		{"http://localhost:8080", false, false, "http://localhost:8080"},
		{"http://localhost:8080", true, true, "http://localhost:8080"},
	} {
		t.Run(fmt.Sprintf("%s,tls=%v", tc.public, tc.tls), func(t *testing.T) {
			deps := f.deps
			if tc.public != "" {
				u, err := url.Parse(tc.public)
				if err != nil {
					t.Fatal(err)
				}
				deps.PublicURL = u
			}
			h := NewHandler(deps)
			scheme := "http"
			if tc.tls {
				scheme = "https"
			}
			// httptest.NewRequest sets TLS for an https target.
			req := httptest.NewRequest("POST", scheme+"://example.com/signin", strings.NewReader(url.Values{"token": {f.tokens["POL"]}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var ck *http.Cookie
			for _, c := range rec.Result().Cookies() {
				if c.Name == sessionCookie {
					ck = c
				}
			}
			if rec.Code != http.StatusSeeOther || ck == nil {
				t.Fatalf("sign-in: status %d, no session cookie", rec.Code)
			}
			if ck.Secure != tc.secure {
				t.Errorf("Secure = %v, want %v", ck.Secure, tc.secure)
			}
			_, page := do(t, h, "GET", scheme+"://example.com/log", nil)
			if want := "<code>" + tc.origin + "/log/key</code>"; !strings.Contains(page, want) {
				t.Errorf("the log page lacks %q", want)
			}
		})
	}
}

// TestErrorShownWithoutForm checks that a refused form post shows its
// error on the page even when the page does not offer the form to the
// account: a sign-in while signed in, an answer by someone off the
// panel.
func TestErrorShownWithoutForm(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	for _, tc := range []struct {
		who, target string
		form        url.Values
		status      int
	}{
		{"RUS", "/signin", url.Values{"token": {""}}, http.StatusBadRequest},
		{"POL", "/signin", url.Values{"token": {"ind_nope"}}, http.StatusUnauthorized},
		{"secretariat", fmt.Sprintf("/forum/%d/questions/%d/answers", f.forum, f.question), url.Values{"value": {"450"}}, http.StatusForbidden},
	} {
		t.Run(tc.who+" "+tc.target, func(t *testing.T) {
			c, csrf := f.client(t, h, tc.who)
			tc.form.Set("csrf", csrf)
			res, page := c.post(tc.target, tc.form)
			if res.StatusCode != tc.status || !strings.Contains(page, `role="alert"`) {
				t.Errorf("status %d (want %d); the page shows no error", res.StatusCode, tc.status)
			}
		})
	}
}
