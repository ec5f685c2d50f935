package api

import (
	"net/http"
	"slices"
)

// routes registers every route of the service. docs/openapi.yaml
// documents the same set, and a test checks that the two agree.
func (s *Server) routes() {
	m := &recordingMux{ServeMux: s.mux, patterns: &s.patterns}
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /metrics", s.metrics.handler())

	api := func(pattern string, h http.HandlerFunc) { m.Handle(pattern, s.authenticate(h)) }
	api("GET /api/v1/scenario", s.handle(s.getScenario))
	api("GET /api/v1/participants", s.handle(s.listParticipants))
	api("GET /api/v1/participants/{code}", s.handle(s.getParticipant))
	api("POST /api/v1/assess", s.handle(s.assess))

	if s.cfg.Accounts != nil {
		api("GET /api/v1/accounts", s.handle(s.listAccounts))
		api("POST /api/v1/accounts", s.handle(s.createAccount))
		api("GET /api/v1/accounts/{id}", s.handle(s.getAccount))
		api("GET /api/v1/accounts/{id}/tokens", s.handle(s.listTokens))
		api("POST /api/v1/accounts/{id}/tokens", s.handle(s.createToken))
		api("DELETE /api/v1/tokens/{id}", s.handle(s.revokeToken))
		api("GET /api/v1/whoami", s.handle(s.whoami))
	}
	if s.cfg.Ledger != nil && s.cfg.Exchange != nil {
		api("POST /api/v1/declarations", s.handle(s.submitDeclaration))
		api("GET /api/v1/declarations", s.handle(s.listDeclarations))
		api("GET /api/v1/declarations/{index}", s.handle(s.getDeclaration))
		api("GET /api/v1/findings", s.handle(s.listFindings))
		api("GET /api/v1/keys", s.handle(s.listKeys))
		api("POST /api/v1/keys", s.handle(s.registerKey))
		api("POST /api/v1/keys/{name}/revoke", s.handle(s.revokeKey))
	}
	if s.cfg.Log != nil {
		m.HandleFunc("GET /log/checkpoint", s.logCheckpoint)
		m.HandleFunc("GET /log/tile/{path...}", s.logTile)
		m.HandleFunc("GET /log/key", s.logKey)
	}
	if s.cfg.Web != nil {
		s.mux.Handle("/", s.cfg.Web)
	}
}

// recordingMux remembers the patterns registered, so that a test can check
// them against docs/openapi.yaml.
type recordingMux struct {
	*http.ServeMux
	patterns *[]string
}

func (m *recordingMux) Handle(pattern string, h http.Handler) {
	*m.patterns = append(*m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

func (m *recordingMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

// Routes lists the method and path patterns the server serves, except the
// web pages.
func (s *Server) Routes() []string { return slices.Clone(s.patterns) }
