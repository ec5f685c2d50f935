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

	if s.cfg.AccountService != nil {
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
	}
	if s.cfg.Ledger != nil && s.cfg.AccountService != nil {
		api("GET /api/v1/keys", s.handle(s.listKeys))
		api("POST /api/v1/keys", s.handle(s.registerKey))
		api("POST /api/v1/keys/{name}/revoke", s.handle(s.revokeKey))
	}
	if s.cfg.Forum != nil {
		api("GET /api/v1/forums", s.handle(s.listForums))
		api("POST /api/v1/forums", s.handle(s.createForum))
		api("GET /api/v1/forums/{forum}", s.handle(s.getForum))
		api("GET /api/v1/forums/{forum}/sessions", s.handle(s.listSessions))
		api("POST /api/v1/forums/{forum}/sessions", s.handle(s.createSession))
		api("GET /api/v1/forums/{forum}/sessions/{session}/items", s.handle(s.listItems))
		api("POST /api/v1/forums/{forum}/sessions/{session}/items", s.handle(s.createItem))
		api("GET /api/v1/forums/{forum}/delegations", s.handle(s.listDelegations))
		api("POST /api/v1/forums/{forum}/delegations", s.handle(s.registerDelegation))
		api("POST /api/v1/forums/{forum}/delegations/{id}/status", s.handle(s.setDelegationStatus))
		api("GET /api/v1/forums/{forum}/experts", s.handle(s.listExperts))
		api("POST /api/v1/forums/{forum}/experts", s.handle(s.addExpert))
		api("GET /api/v1/forums/{forum}/items/{item}", s.handle(s.getItem))
		api("GET /api/v1/forums/{forum}/items/{item}/versions", s.handle(s.listVersions))
		api("POST /api/v1/forums/{forum}/items/{item}/versions", s.handle(s.tableVersion))
		api("GET /api/v1/forums/{forum}/items/{item}/comments", s.handle(s.listComments))
		api("POST /api/v1/forums/{forum}/items/{item}/comments", s.handle(s.addComment))
		api("GET /api/v1/forums/{forum}/items/{item}/speakers", s.handle(s.listSpeakers))
		api("POST /api/v1/forums/{forum}/items/{item}/speakers", s.handle(s.requestFloor))
		api("POST /api/v1/forums/{forum}/items/{item}/speakers/{id}/done", s.handle(s.speakerDone))
		api("GET /api/v1/forums/{forum}/items/{item}/positions", s.handle(s.listPositions))
		api("POST /api/v1/forums/{forum}/items/{item}/positions", s.handle(s.takePosition))
		api("POST /api/v1/forums/{forum}/items/{item}/close", s.handle(s.closeItem))
		api("GET /api/v1/forums/{forum}/items/{item}/decision", s.handle(s.getDecision))
		api("GET /api/v1/forums/{forum}/items/{item}/outcome", s.getOutcome)
		api("GET /api/v1/forums/{forum}/questions", s.handle(s.listQuestions))
		api("POST /api/v1/forums/{forum}/questions", s.handle(s.createQuestion))
		api("GET /api/v1/forums/{forum}/questions/{question}", s.handle(s.getQuestion))
		api("POST /api/v1/forums/{forum}/questions/{question}/answers", s.handle(s.answerQuestion))
		api("POST /api/v1/forums/{forum}/questions/{question}/rounds", s.handle(s.finishRound))
		api("GET /api/v1/forums/{forum}/delphi", s.handle(s.delphiResult))
	}
	if s.cfg.Log != nil {
		m.HandleFunc("GET /log/checkpoint", s.logCheckpoint)
		m.HandleFunc("GET /log/tile/{path...}", s.logTile)
		m.HandleFunc("GET /log/key", s.logKey)
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
