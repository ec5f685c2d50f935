package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// The expert forum's routes (/api/v1/forums/...). Each handler reads the
// path and body and calls the forum.Service, which authorises the account
// through the one table; reads are ActRead. docs/forum.md describes the
// flow, docs/openapi.yaml the shapes.

// forumAndID returns the path's forum ID and another path ID.
func forumAndID(r *http.Request, name string) (int64, int64, error) {
	f, err := pathID(r, "forum")
	if err != nil {
		return 0, 0, err
	}
	id, err := pathID(r, name)
	return f, id, err
}

func (s *Server) listForums(w http.ResponseWriter, r *http.Request) (int, any, error) {
	fs, err := s.cfg.Forum.Forums(r.Context(), account(r))
	return http.StatusOK, map[string]any{"forums": fs}, err
}

func (s *Server) createForum(w http.ResponseWriter, r *http.Request) (int, any, error) {
	req, err := decode[struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	f := &indivisible.Forum{Title: req.Title, Description: req.Description}
	return http.StatusCreated, f, s.cfg.Forum.CreateForum(r.Context(), account(r), f)
}

// getForum returns a forum with its sessions and delegations, from the
// forum's overview.
func (s *Server) getForum(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "forum")
	if err != nil {
		return 0, nil, err
	}
	o, err := s.cfg.Forum.Overview(r.Context(), account(r), id)
	// A damaged item, version, decision or question spoils only parts of
	// the overview this answer does not carry; a damaged delegation is in
	// it, and fails the answer as any damage used to.
	var damaged *indivisible.DamagedError
	if err != nil && !(errors.As(err, &damaged) && o != nil && !slices.ContainsFunc(damaged.Records,
		func(r indivisible.DamagedRecord) bool { return r.Kind == "delegation" })) {
		return 0, nil, err
	}
	ss := make([]*indivisible.Session, len(o.Sessions))
	for i, sa := range o.Sessions {
		ss[i] = &sa.Session
	}
	return http.StatusOK, map[string]any{"forum": o.Forum, "sessions": ss, "delegations": o.Delegations}, nil
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "forum")
	if err != nil {
		return 0, nil, err
	}
	ss, err := s.cfg.Forum.Sessions(r.Context(), account(r), id)
	return http.StatusOK, map[string]any{"sessions": ss}, err
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "forum")
	if err != nil {
		return 0, nil, err
	}
	req, err := decode[struct {
		Title string `json:"title"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	se := &indivisible.Session{ForumID: id, Title: req.Title}
	return http.StatusCreated, se, s.cfg.Forum.CreateSession(r.Context(), account(r), se)
}

// session returns the path's session, which must be the path forum's.
func (s *Server) listItems(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "session")
	if err != nil {
		return 0, nil, err
	}
	its, err := s.cfg.Forum.Items(r.Context(), account(r), f, id)
	return http.StatusOK, map[string]any{"items": its}, err
}

func (s *Server) createItem(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, sid, err := forumAndID(r, "session")
	if err != nil {
		return 0, nil, err
	}
	req, err := decode[struct {
		Title       string               `json:"title"`
		Description string               `json:"description"`
		Rule        indivisible.RuleSpec `json:"rule"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	it := &indivisible.AgendaItem{ForumID: f, SessionID: sid, Title: req.Title, Description: req.Description, Rule: req.Rule}
	return http.StatusCreated, it, s.cfg.Forum.CreateItem(r.Context(), account(r), it)
}

func (s *Server) listDelegations(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "forum")
	if err != nil {
		return 0, nil, err
	}
	ds, err := s.cfg.Forum.Delegations(r.Context(), account(r), id)
	return http.StatusOK, map[string]any{"delegations": ds}, err
}

func (s *Server) registerDelegation(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "forum")
	if err != nil {
		return 0, nil, err
	}
	req, err := decode[struct {
		Participant string                     `json:"participant"`
		Kind        indivisible.DelegationKind `json:"kind"`
		Name        string                     `json:"name"`
		Head        string                     `json:"head"`
		Members     []string                   `json:"members"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	d := &indivisible.Delegation{ForumID: id, Participant: req.Participant, Kind: req.Kind, Name: req.Name, Head: req.Head, Members: req.Members}
	return http.StatusCreated, d, s.cfg.Forum.RegisterDelegation(r.Context(), account(r), d)
}

func (s *Server) setDelegationStatus(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	req, err := decode[struct {
		Status indivisible.AccreditationStatus `json:"status"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	d, err := s.cfg.Forum.SetDelegationStatus(r.Context(), account(r), f, id, req.Status)
	return http.StatusOK, d, err
}

func (s *Server) listExperts(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "forum")
	if err != nil {
		return 0, nil, err
	}
	es, err := s.cfg.Forum.Experts(r.Context(), account(r), id)
	return http.StatusOK, map[string]any{"experts": es}, err
}

func (s *Server) addExpert(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "forum")
	if err != nil {
		return 0, nil, err
	}
	req, err := decode[struct {
		AccountID int64 `json:"account_id"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	e, err := s.cfg.Forum.AddExpert(r.Context(), account(r), id, req.AccountID)
	return http.StatusCreated, e, err
}

// getItem returns an item's view: its versions with their assessments,
// its position events with their standings under the rule, and its
// provisional count or its decision.
func (s *Server) getItem(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	v, err := s.cfg.Forum.ItemView(r.Context(), account(r), f, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	vs, err := s.cfg.Forum.Versions(r.Context(), account(r), f, id)
	return http.StatusOK, map[string]any{"versions": vs}, err
}

// tableVersion tables the proposal or an amendment. The package is read
// in the strict proposal format, so a misplaced field is an error.
func (s *Server) tableVersion(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	req, err := decode[struct {
		Title   string          `json:"title"`
		Text    string          `json:"text"`
		Package json.RawMessage `json:"package"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	v := &indivisible.ProposalVersion{ItemID: id, Title: req.Title, Text: req.Text}
	if len(req.Package) > 0 && string(req.Package) != "null" {
		if v.Package, err = indivisible.ParseProposal(req.Package); err != nil {
			e := *err.(*indivisible.Error)
			e.Field = "package." + e.Field
			return 0, nil, &e
		}
	}
	return http.StatusCreated, v, s.cfg.Forum.Table(r.Context(), account(r), f, v)
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	cs, err := s.cfg.Forum.Comments(r.Context(), account(r), f, id)
	return http.StatusOK, map[string]any{"comments": cs}, err
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	req, err := decode[struct {
		Text string `json:"text"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	c := &indivisible.Comment{ItemID: id, Text: req.Text}
	return http.StatusCreated, c, s.cfg.Forum.Comment(r.Context(), account(r), f, c)
}

func (s *Server) listSpeakers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	sps, err := s.cfg.Forum.Speakers(r.Context(), account(r), f, id)
	return http.StatusOK, map[string]any{"speakers": sps}, err
}

func (s *Server) requestFloor(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	sp, err := s.cfg.Forum.RequestFloor(r.Context(), account(r), f, id)
	return http.StatusCreated, sp, err
}

func (s *Server) speakerDone(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, item, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	sp, err := s.cfg.Forum.SpeakerDone(r.Context(), account(r), f, item, id)
	return http.StatusOK, sp, err
}

func (s *Server) listPositions(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	ps, err := s.cfg.Forum.Positions(r.Context(), account(r), f, id)
	return http.StatusOK, map[string]any{"positions": ps}, err
}

// takePosition records a position: the fields for the service to attest,
// or "signed" with a statement signed by the delegation's key.
func (s *Server) takePosition(w http.ResponseWriter, r *http.Request) (int, any, error) {
	// Anyone without a token is turned away before the body is read.
	if account(r) == indivisible.Anonymous {
		return 0, nil, indivisible.Errorf(indivisible.EUNAUTHORIZED, "taking a position needs a delegation's API token")
	}
	f, id, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	req, err := decode[indivisible.PositionRequest](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	p, err := s.cfg.Forum.TakePosition(r.Context(), account(r), f, id, req)
	return http.StatusCreated, p, err
}

func (s *Server) closeItem(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	d, err := s.cfg.Forum.Close(r.Context(), account(r), f, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.withProof(r, d), nil
}

// decisionView is a decision with its log entry and, when the server has
// the log, the entry's inclusion proof (a C2SP tlog-proof).
type decisionView struct {
	*indivisible.Decision
	Entry *entryView `json:"entry,omitempty"`
	Proof string     `json:"proof,omitempty"`
}

func (s *Server) withProof(r *http.Request, d *indivisible.Decision) decisionView {
	v := decisionView{Decision: d}
	if s.cfg.Ledger == nil {
		return v
	}
	es, err := s.cfg.Ledger.Entries(r.Context(), d.LogIndex, d.LogIndex+1)
	if err != nil {
		return v
	}
	ev := viewEntry(es[0])
	v.Entry = &ev
	if p, err := s.cfg.Ledger.ProveInclusion(r.Context(), d.LogIndex); err == nil {
		text, _ := p.MarshalText()
		v.Proof = string(text)
	}
	return v
}

func (s *Server) getDecision(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "item")
	if err != nil {
		return 0, nil, err
	}
	d, err := s.cfg.Forum.Decision(r.Context(), account(r), f, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.withProof(r, d), nil
}

// getOutcome serves the outcome document itself, as Markdown: in
// English, the bytes whose SHA-256 the decision's log entry carries; in
// the language Accept-Language asks for, a translation marked as one.
func (s *Server) getOutcome(w http.ResponseWriter, r *http.Request) {
	f, id, err := forumAndID(r, "item")
	tag := i18n.Negotiate(r)
	var doc string
	if err == nil {
		doc, err = s.cfg.Forum.OutcomeDocument(r.Context(), account(r), f, id, tag.String())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Language", tag.String())
	w.Header().Add("Vary", "Accept-Language")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write([]byte(doc))
}

func (s *Server) listQuestions(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "forum")
	if err != nil {
		return 0, nil, err
	}
	qs, err := s.cfg.Forum.Questions(r.Context(), account(r), id)
	return http.StatusOK, map[string]any{"questions": qs}, err
}

func (s *Server) createQuestion(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "forum")
	if err != nil {
		return 0, nil, err
	}
	req, err := decode[struct {
		Parameter string                   `json:"parameter"`
		Text      string                   `json:"text"`
		Unit      string                   `json:"unit"`
		Min       float64                  `json:"min"`
		Max       float64                  `json:"max"`
		Stop      indivisible.StoppingRule `json:"stop"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	q := &indivisible.Question{ForumID: id, Parameter: req.Parameter, Text: req.Text, Unit: req.Unit, Min: req.Min, Max: req.Max, Stop: req.Stop}
	return http.StatusCreated, q, s.cfg.Forum.CreateQuestion(r.Context(), account(r), q)
}

// getQuestion returns a question with its rounds' statistics and, for an
// expert of the panel, their own answers.
func (s *Server) getQuestion(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "question")
	if err != nil {
		return 0, nil, err
	}
	fb, err := s.cfg.Forum.QuestionFeedback(r.Context(), account(r), f, id)
	return http.StatusOK, fb, err
}

func (s *Server) answerQuestion(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "question")
	if err != nil {
		return 0, nil, err
	}
	req, err := decode[struct {
		Value float64 `json:"value"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	a, err := s.cfg.Forum.Answer(r.Context(), account(r), f, id, req.Value)
	return http.StatusCreated, a, err
}

func (s *Server) finishRound(w http.ResponseWriter, r *http.Request) (int, any, error) {
	f, id, err := forumAndID(r, "question")
	if err != nil {
		return 0, nil, err
	}
	q, err := s.cfg.Forum.FinishRound(r.Context(), account(r), f, id)
	return http.StatusOK, q, err
}

func (s *Server) delphiResult(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "forum")
	if err != nil {
		return 0, nil, err
	}
	res, err := s.cfg.Forum.DelphiResult(r.Context(), account(r), id)
	if err != nil {
		return 0, nil, err
	}
	// With no closed question there is no distribution file: the API
	// answers an empty object, as docs/openapi.yaml says, not null.
	if string(res.Distributions) == "null" {
		v := *res
		v.Distributions = json.RawMessage("{}")
		res = &v
	}
	return http.StatusOK, res, nil
}
