// Package server assembles the service's surfaces on one handler. The API
// (package api) answers its own paths: everything under /api/, the log's
// machine endpoints (/log/checkpoint, /log/tile/…, /log/key), and the
// health and metrics endpoints. The web pages (package web) answer the
// rest, the log's pages under /log included. Neither surface mounts the
// other, so an /api/ path always gets the API's JSON error shape, a 404 or
// a 405 included, and never a page.
package server

import (
	"net/http"
	"strings"
)

// API is the API's handler (*api.Server).
type API interface {
	http.Handler
	// Routes lists the API's route patterns ("GET /log/key").
	Routes() []string
	// Wrap gives the pages the API's outer layers (panic recovery,
	// metrics).
	Wrap(http.Handler) http.Handler
}

// New returns the handler serving a's paths with a and the rest with web.
func New(a API, web http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", a)
	mux.Handle("/api", a)
	seen := map[string]bool{}
	for _, p := range a.Routes() {
		// By path alone, so that a wrong method on an API path reaches
		// the API and gets its 405.
		_, path, _ := strings.Cut(p, " ")
		if strings.HasPrefix(path, "/api/") || seen[path] {
			continue
		}
		seen[path] = true
		mux.Handle(path, a)
	}
	mux.Handle("/", a.Wrap(web))
	return mux
}
