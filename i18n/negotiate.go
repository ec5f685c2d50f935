package i18n

import (
	"context"
	"net/http"
	"strings"

	"golang.org/x/text/language"
)

// CookieName is the cookie that remembers a reader's choice of language.
const CookieName = "lang"

// QueryParam is the query parameter that chooses a language (and sets the
// cookie): the language switcher's links are "?lang=ru".
const QueryParam = "lang"

// cookieMaxAge keeps a choice of language for a year.
const cookieMaxAge = 365 * 24 * 60 * 60

// Negotiate returns the language of the embedded catalogs to serve r in;
// see Bundle.Negotiate.
func Negotiate(r *http.Request) language.Tag { return Embedded().Negotiate(r) }

// Negotiate returns the language to serve r in. The first of these that
// names a language of the bundle wins: the query parameter ?lang=, the
// cookie "lang", the Accept-Language header (matched by CLDR's rules, so
// zh-CN and zh-SG give zh-Hans, and a preference list's later entries
// count: "zh-TW, en;q=0.8" gives English), and then English. Malformed or
// unknown values are skipped, never an error: a bad cookie must not make
// the site unusable.
//
// Traditional Chinese (zh-TW, zh-HK, zh-Hant) has no catalog; a reader
// who asks for nothing else gets Simplified Chinese, which CLDR rates a
// usable (low-confidence) match and which such readers generally read
// better than English. Listing English after zh-TW gets English. A
// zh-Hant.json file would take over these readers with no code.
func (b *Bundle) Negotiate(r *http.Request) language.Tag {
	tag, _ := b.negotiate(r)
	return tag
}

// negotiate also says whether the query chose the language.
func (b *Bundle) negotiate(r *http.Request) (language.Tag, bool) {
	if tag, ok := b.explicit(r.URL.Query().Get(QueryParam)); ok {
		return tag, true
	}
	if c, err := r.Cookie(CookieName); err == nil {
		if tag, ok := b.explicit(c.Value); ok {
			return tag, false
		}
	}
	if desired := acceptLanguage(r.Header.Get("Accept-Language")); len(desired) > 0 {
		if _, i, c := b.matcher.Match(desired...); c != language.No {
			return b.tags[i], false
		}
	}
	return English, false
}

// maxAccept bounds the entries of Accept-Language read: browsers send a
// handful, and each costs a parse.
const maxAccept = 32

// acceptLanguage returns the languages of an Accept-Language header, most
// wanted first. ParseAcceptLanguage rejects a whole header for one bad
// entry, so entries are vetted one by one: a header with a bad entry
// still counts for its good ones.
func acceptLanguage(header string) []language.Tag {
	var good []string
	for i, part := range strings.Split(header, ",") {
		if i == maxAccept {
			break
		}
		if _, _, err := language.ParseAcceptLanguage(part); err == nil && strings.TrimSpace(part) != "" {
			good = append(good, part)
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(strings.Join(good, ","))
	return tags
}

// explicit reads a language the reader chose by name (query or cookie).
// It must match a catalog with high confidence ("ru-RU" is ru, "fr" is
// nothing): a choice made by name is not second-guessed into another
// language. The pseudo-locale is accepted only here.
func (b *Bundle) explicit(s string) (language.Tag, bool) {
	if s == "" || len(s) > 64 {
		return language.Und, false
	}
	tag, err := language.Parse(s)
	if err != nil {
		return language.Und, false
	}
	if tag == Pseudo {
		return Pseudo, true
	}
	_, i, c := b.matcher.Match(tag)
	if c < language.High {
		return language.Und, false
	}
	return b.tags[i], true
}

type ctxKey struct{}

// WithTag returns a context carrying the reader's language.
func WithTag(ctx context.Context, tag language.Tag) context.Context {
	return context.WithValue(ctx, ctxKey{}, tag)
}

// TagFrom returns the reader's language set by Middleware or WithTag, and
// English if there is none.
func TagFrom(ctx context.Context) language.Tag {
	if tag, ok := ctx.Value(ctxKey{}).(language.Tag); ok {
		return tag
	}
	return English
}

// Middleware negotiates the language of each request (Negotiate), puts it
// in the request's context (TagFrom), and says it in Content-Language. The
// response varies with Accept-Language and Cookie, which Vary tells
// caches. A language chosen by ?lang= is remembered in the cookie.
func (b *Bundle) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tag, chosen := b.negotiate(r)
		h := w.Header()
		h.Set("Content-Language", tag.String())
		h.Add("Vary", "Accept-Language")
		h.Add("Vary", "Cookie")
		if chosen {
			http.SetCookie(w, &http.Cookie{Name: CookieName, Value: tag.String(), Path: "/", MaxAge: cookieMaxAge,
				HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
		}
		next.ServeHTTP(w, r.WithContext(WithTag(r.Context(), tag)))
	})
}
