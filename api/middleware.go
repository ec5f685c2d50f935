package api

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"golang.org/x/time/rate"
)

type ctxKey int

const accountKey ctxKey = 0

// account returns the request's authenticated account (Anonymous if none).
func account(r *http.Request) *indivisible.Account {
	if a, ok := r.Context().Value(accountKey).(*indivisible.Account); ok {
		return a
	}
	return indivisible.Anonymous
}

// authenticate resolves the bearer token, if any, to an account and
// applies the rate limit of that token (or of the client address).
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := indivisible.Anonymous
		key := "addr:" + clientAddr(r)
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || s.cfg.Accounts == nil {
				s.writeError(w, r, indivisible.Errorf(indivisible.EUNAUTHORIZED, "the Authorization header must be \"Bearer TOKEN\""))
				return
			}
			hash := indivisible.HashToken(strings.TrimSpace(secret))
			acc, ok := s.tokens.get(hash)
			if !ok {
				var err error
				if acc, err = s.cfg.Accounts.Authenticate(r.Context(), hash); err != nil {
					s.writeError(w, r, err)
					return
				}
				s.tokens.put(hash, acc)
			}
			a, key = acc, fmt.Sprintf("token:%x", hash[:8])
		}
		if wait, ok := s.limiter.allow(key); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
			s.writeError(w, r, indivisible.Errorf(indivisible.ERATELIMIT, "rate limit exceeded; retry later"))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), accountKey, a)))
	})
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tokenTTL is how long an authentication is remembered. Revoking a token
// through this server takes effect at once (the cache is cleared); through
// another server or the CLI, within tokenTTL.
const tokenTTL = 2 * time.Second

// tokenCache remembers recent authentications, so that a busy client
// costs one database query per tokenTTL instead of one per request.
type tokenCache struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[[32]byte]cachedAccount
}

type cachedAccount struct {
	acc   *indivisible.Account
	until time.Time
}

func (c *tokenCache) get(hash [32]byte) (*indivisible.Account, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || !c.now().Before(e.until) {
		return nil, false
	}
	return e.acc, true
}

func (c *tokenCache) put(hash [32]byte, acc *indivisible.Account) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= 10000 {
		c.m = map[[32]byte]cachedAccount{} // bounded: start afresh
	}
	c.m[hash] = cachedAccount{acc, c.now().Add(tokenTTL)}
}

// clear forgets every authentication, after a revocation.
func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}

// limiter keeps one token bucket per key. Buckets idle for a minute are
// dropped, so the map stays bounded by the active clients.
type limiter struct {
	mu      sync.Mutex
	r       rate.Limit
	burst   int
	now     func() time.Time
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiter(perSecond float64, burst int, now func() time.Time) *limiter {
	return &limiter{r: rate.Limit(perSecond), burst: burst, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token from key's bucket, or says how long to wait.
func (l *limiter) allow(key string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{l: rate.NewLimiter(l.r, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	res := b.l.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

// instrument records every request's route, status and latency.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.metrics.observe(route, sw.status, time.Since(start))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recover turns a panic in a handler into a logged 500, so one bad request
// cannot take the service down.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
