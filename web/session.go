package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
)

// Authenticator finds the account of an API token's hash
// (indivisible.AccountStore does).
type Authenticator interface {
	// Authenticate returns the account of an unrevoked token's hash, or
	// EUNAUTHORIZED.
	Authenticate(ctx context.Context, hash [32]byte) (*indivisible.Account, error)
}

// Sign-in. A delegation signs in with its API token. The browser gets a
// cookie holding only a random session id: HttpOnly (no script reads it),
// Secure over TLS (the request's, or a proxy's when the public URL is
// https), SameSite=Strict (no other site's link or form carries
// it). The server keeps, per session, the token's hash and a CSRF token
// that every POST form of a signed-in page carries. Each request
// authenticates the hash again, so a revoked token ends its sessions at
// once. Sessions live in memory: a restart signs everyone out. Every
// response to a session, and every one that sets its cookie, is marked
// Cache-Control: no-store: it shows the account and carries its CSRF
// token, which no browser cache or proxy may keep.
const (
	sessionCookie = "indivisible_session"
	csrfField     = "csrf"
)

// sessionRecord is what the server keeps of a session.
type sessionRecord struct {
	hash    [32]byte
	csrf    string
	expires time.Time
}

// session is the signed-in state of one request.
type session struct {
	id      string
	csrf    string
	account *indivisible.Account
}

// sessions is the server-side session table.
type sessions struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]sessionRecord
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{ttl: ttl, now: now, m: map[string]sessionRecord{}}
}

// randomID returns 256 random bits, URL-safe.
func randomID() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create starts a session for a token's hash and returns its id. It also
// drops expired sessions, so the table stays as small as the number of
// people signed in.
func (s *sessions) create(hash [32]byte) (id string, rec sessionRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, r := range s.m {
		if !now.Before(r.expires) {
			delete(s.m, k)
		}
	}
	id = randomID()
	rec = sessionRecord{hash: hash, csrf: randomID(), expires: now.Add(s.ttl)}
	s.m[id] = rec
	return id, rec
}

func (s *sessions) get(id string) (sessionRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[id]
	if ok && !s.now().Before(r.expires) {
		delete(s.m, id)
		return r, false
	}
	return r, ok
}

func (s *sessions) delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

type sessionKey struct{}

// withSession puts the request's session, if it has a valid one, in its
// context.
func (h *handler) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		rec, ok := h.sessions.get(c.Value)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		acc, err := h.deps.Accounts.Authenticate(r.Context(), rec.hash)
		switch {
		case indivisible.ErrorCode(err) == indivisible.EUNAUTHORIZED:
			h.sessions.delete(c.Value) // the token was revoked
		case err != nil:
			h.fail(w, r, err)
			return
		default:
			w.Header().Set("Cache-Control", "no-store")
			r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, &session{id: c.Value, csrf: rec.csrf, account: acc}))
		}
		next.ServeHTTP(w, r)
	})
}

// sessionOf returns the request's session, or nil.
func sessionOf(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey{}).(*session)
	return s
}

// checkCSRF checks the form's CSRF token against the session's. The form
// must have been parsed.
func checkCSRF(r *http.Request, s *session) error {
	if s == nil {
		return indivisible.Errorf(indivisible.EUNAUTHORIZED, "%s", loc(r).T("exchange.err.session_ended"))
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue(csrfField)), []byte(s.csrf)) != 1 {
		return indivisible.Errorf(indivisible.EFORBIDDEN, "%s", loc(r).T("exchange.err.csrf"))
	}
	return nil
}

// setSessionCookie sets (or, with maxAge -1, deletes) the session
// cookie. It is Secure when the request came over TLS or the public URL
// is https: behind a proxy that terminates TLS, r.TLS is nil.
func (h *handler) setSessionCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	secure := r.TLS != nil || h.deps.PublicURL != nil && h.deps.PublicURL.Scheme == "https"
	w.Header().Set("Cache-Control", "no-store")
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
}

// signIn exchanges an API token for a session. A new session id is made
// on every sign-in, so an id planted before cannot be carried into it.
func (h *handler) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, indivisible.Errorf(indivisible.ETOOLARGE, "the form is too large or malformed: %v", err))
		return
	}
	token := strings.TrimSpace(r.PostForm.Get("token"))
	// A failed sign-in shows the forum page it came from with the error
	// (forumSignInFailed), or else the Exchange page's form, which then
	// returns to the page the sign-in came from.
	next := localPath(r.PostForm.Get("next"))
	if token == "" {
		err := indivisible.Invalid("token", "%s", loc(r).T("exchange.err.no_token"))
		// From a forum page, the page itself shows the error.
		if h.forumSignInFailed(w, r, next, http.StatusBadRequest, err) {
			return
		}
		h.exchangeWith(w, r, http.StatusBadRequest, exchangeState{signInError: err, next: next})
		return
	}
	hash := indivisible.HashToken(token)
	if _, err := h.deps.Accounts.Authenticate(r.Context(), hash); err != nil {
		if indivisible.ErrorCode(err) == indivisible.EUNAUTHORIZED {
			err = indivisible.FieldErrorf(indivisible.EUNAUTHORIZED, "token", "%s", loc(r).T("exchange.err.unknown_token"))
		}
		if h.forumSignInFailed(w, r, next, api.StatusCode(err), err) {
			return
		}
		h.exchangeWith(w, r, api.StatusCode(err), exchangeState{signInError: err, next: next})
		return
	}
	if old := sessionOf(r); old != nil {
		h.sessions.delete(old.id)
	}
	id, _ := h.sessions.create(hash)
	h.setSessionCookie(w, r, id, int(h.sessions.ttl/time.Second))
	http.Redirect(w, r, cmp.Or(next, "/exchange#file"), http.StatusSeeOther)
}

// localPath returns next if it is a path on this site (the page a sign-in
// form was on), or "": a sign-in must not redirect to another site.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return ""
	}
	return next
}

// signOut ends the session, here and in the browser, and returns to the
// page the form was on (next), or else to the Exchange page, which says so.
func (h *handler) signOut(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	r.ParseForm()
	s := sessionOf(r)
	if err := checkCSRF(r, s); err != nil {
		h.fail(w, r, err)
		return
	}
	h.sessions.delete(s.id)
	h.setSessionCookie(w, r, "", -1)
	http.Redirect(w, r, cmp.Or(localPath(r.PostForm.Get("next")), "/exchange?"+url.Values{"signed_out": {"1"}}.Encode()), http.StatusSeeOther)
}
