package i18n

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

func TestMiddleware(t *testing.T) {
	tests := []struct {
		name       string
		query      string // raw query
		cookie     string // raw Cookie header
		accept     string
		want       string
		wantCookie string // the Set-Cookie value, "" for none
	}{
		{name: "nothing", want: "en"},
		{name: "accept ru", accept: "ru-RU,ru;q=0.9,en;q=0.8", want: "ru"},
		{name: "accept zh-CN", accept: "zh-CN,zh;q=0.9", want: "zh-Hans"},
		{name: "accept zh-SG", accept: "zh-SG", want: "zh-Hans"},
		{name: "accept zh-Hans", accept: "zh-Hans", want: "zh-Hans"},
		{name: "accept zh-TW alone", accept: "zh-TW", want: "zh-Hans"},
		{name: "accept zh-Hant then English", accept: "zh-Hant, en;q=0.8", want: "en"},
		{name: "accept by weight", accept: "en;q=0.2, ru;q=0.9", want: "ru"},
		{name: "accept unknown", accept: "fr-FR, de;q=0.5", want: "en"},
		{name: "accept unknown then Russian", accept: "de, ru;q=0.5", want: "ru"},
		{name: "accept wildcard", accept: "*", want: "en"},
		{name: "accept never pseudo", accept: "en-XA", want: "en"},
		{name: "query", query: "lang=ru", accept: "zh-CN", want: "ru", wantCookie: "ru"},
		{name: "query with region", query: "lang=zh-CN", want: "zh-Hans", wantCookie: "zh-Hans"},
		{name: "query pseudo", query: "lang=en-XA", want: "en-XA", wantCookie: "en-XA"},
		{name: "query beats cookie", query: "lang=en", cookie: "lang=ru", want: "en", wantCookie: "en"},
		{name: "cookie beats accept", cookie: "lang=zh-Hans", accept: "ru", want: "zh-Hans"},
		{name: "cookie pseudo", cookie: "lang=en-XA", want: "en-XA"},
		{name: "unknown query falls through to cookie", query: "lang=fr", cookie: "lang=ru", want: "ru"},
		{name: "low-confidence query is no choice", query: "lang=zh-TW", accept: "ru", want: "ru"},
		// Malformed values are skipped, never an error.
		{name: "malformed query", query: "lang=%%%", accept: "ru", want: "ru"},
		{name: "garbage query", query: "lang=" + strings.Repeat("x", 200), want: "en"},
		{name: "malformed cookie", cookie: "lang=(((", accept: "zh", want: "zh-Hans"},
		{name: "empty cookie", cookie: "lang=", accept: "ru", want: "ru"},
		{name: "malformed accept", accept: "((( ;q=zz, ,,", want: "en"},
		{name: "refused by weight", accept: "ru;q=0", want: "en"},
		{name: "refused by weight, then Chinese", accept: "ru;q=0, zh;q=0.5", want: "zh-Hans"},
		{name: "bad entry after a good one", accept: "ru, !!!", want: "ru"},
		{name: "huge accept", accept: strings.Repeat("en-US-x-abcdefgh,", 2000), want: "en"},
	}
	var got language.Tag
	h := Embedded().Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = TagFrom(r.Context())
	}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/forum", nil)
			r.URL.RawQuery = tt.query
			if tt.cookie != "" {
				r.Header.Set("Cookie", tt.cookie)
			}
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			w := httptest.NewRecorder()
			got = language.Und
			h.ServeHTTP(w, r)
			res := w.Result()
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			if got.String() != tt.want {
				t.Errorf("TagFrom = %v, want %s", got, tt.want)
			}
			if cl := res.Header.Get("Content-Language"); cl != tt.want {
				t.Errorf("Content-Language = %q, want %q", cl, tt.want)
			}
			if v := res.Header.Values("Vary"); !slices.Contains(v, "Accept-Language") || !slices.Contains(v, "Cookie") {
				t.Errorf("Vary = %v, want Accept-Language and Cookie", v)
			}
			var set *http.Cookie
			for _, c := range res.Cookies() {
				if c.Name == CookieName {
					set = c
				}
			}
			switch {
			case tt.wantCookie == "" && set != nil:
				t.Errorf("Set-Cookie %v, want none", set)
			case tt.wantCookie != "" && (set == nil || set.Value != tt.wantCookie || set.Path != "/" || set.MaxAge <= 0):
				t.Errorf("Set-Cookie %v, want lang=%s for the whole site", set, tt.wantCookie)
			}
			if Negotiate(r).String() != tt.want {
				t.Errorf("Negotiate = %v, want %s", Negotiate(r), tt.want)
			}
		})
	}
}

func TestTagFromEmptyContext(t *testing.T) {
	if got := TagFrom(httptest.NewRequest("GET", "/", nil).Context()); got != English {
		t.Errorf("TagFrom(no tag) = %v, want English", got)
	}
}
