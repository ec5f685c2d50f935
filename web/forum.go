package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// forumOn reports whether the Forum pages have what they need: the forum,
// and the sign-in and log of the Exchange pages.
func (h *handler) forumOn() bool { return h.deps.Forum != nil && h.exchangeOn() }

// pathID reads a numeric path segment; a malformed one is not found.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id < 1 {
		return 0, indivisible.FieldErrorf(indivisible.ENOTFOUND, name, "no %s %q", name, r.PathValue(name))
	}
	return id, nil
}

// pathIDs reads the forum's ID and another path ID.
func pathIDs(r *http.Request, name string) (int64, int64, error) {
	f, err := pathID(r, "forum")
	if err != nil {
		return 0, 0, err
	}
	id, err := pathID(r, name)
	return f, id, err
}

// ruleView is an item's rule as the pages show it.
type ruleView struct {
	// Code is the rule's name as the API has it ("qualified_majority"):
	// the pages show the catalog's name of it, rule.<code>.
	Code    string
	Version int
	Params  []string
}

func (h *handler) ruleView(l *i18n.Localizer, s indivisible.RuleSpec) ruleView {
	v := ruleView{Code: s.Name, Version: s.Version}
	if s.Name == indivisible.RuleQualifiedMajority {
		q := cmp.Or(s.Quorum, 0.5)
		v.Params = append(v.Params, l.T("forum.rule.quorum", "quorum", strconv.FormatFloat(q*100, 'f', -1, 64)+"%"))
	}
	if s.Concerned != "" {
		v.Params = append(v.Params, l.T("forum.rule.concerned", "name", h.name(s.Concerned), "code", s.Concerned))
	}
	if s.Deadline != nil {
		v.Params = append(v.Params, l.T("forum.rule.deadline", "time", l.FormatTime(*s.Deadline, nil)))
	}
	return v
}

// damage collects the records a page could not read. The store's list
// methods return the records they could read with a
// *indivisible.DamagedError naming the others: a page shows the rest,
// names these, and logs them.
type damage struct{ records []indivisible.DamagedRecord }

// keep returns err, or nil when err only reports damaged records, which
// it notes.
func (d *damage) keep(err error) error {
	var de *indivisible.DamagedError
	if errors.As(err, &de) {
		d.records = append(d.records, de.Records...)
		return nil
	}
	return err
}

// report logs the damaged records and returns the page's sentences
// naming them.
func (d *damage) report(ctx context.Context, h *handler, r *http.Request) []string {
	var out []string
	for _, rec := range d.records {
		h.deps.Logger.ErrorContext(ctx, "web: a stored record could not be read", "record", rec.Name(), "column", rec.Column, "err", rec.Err, "path", r.URL.Path)
		out = append(out, sentence(loc(r).T("forum.damaged_record", "record", rec.Name())))
	}
	return out
}

// Forum index.

type forumIndexData struct {
	Forums []forumRow
	// Damaged names the records that could not be read.
	Damaged []string
	// Account is the signed-in account; SignInError a failed sign-in
	// from this page, and Next brings a sign-in back to it.
	Account     *indivisible.Account
	SignInError *formError
	Next        string
	// Page is set on a forum's own page (/forum/{id}), which the same
	// template renders.
	Page *forumPageData
}

type forumRow struct {
	Forum       *indivisible.Forum
	Sessions    []sessionRow
	Questions   []*indivisible.Question
	Delegations int // accredited
	Experts     int
}

type sessionRow struct {
	Session *indivisible.Session
	Items   []itemRow
}

type itemRow struct {
	Item     *indivisible.AgendaItem
	Rule     ruleView
	Versions int
	// Outcome is the decision's outcome once closed ("" if the decision
	// could not be read).
	Outcome indivisible.Outcome
}

func (h *handler) forumIndex(w http.ResponseWriter, r *http.Request) {
	h.forumIndexWith(w, r, http.StatusOK, nil)
}

// forumIndexWith renders the forum index with a failed sign-in's error.
func (h *handler) forumIndexWith(w http.ResponseWriter, r *http.Request, status int, signInErr error) {
	ctx := r.Context()
	fs, err := h.deps.Forum.Forums(ctx, accountOf(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := forumIndexData{Account: accountOf(r), SignInError: toFormError(signInErr), Next: r.URL.Path}
	var dm damage
	for _, f := range fs {
		o, err := h.deps.Forum.Overview(ctx, accountOf(r), f.ID)
		if err := dm.keep(err); err != nil {
			h.fail(w, r, err)
			return
		}
		d.Forums = append(d.Forums, h.forumRow(loc(r), o))
	}
	d.Damaged = dm.report(ctx, h, r)
	h.render(w, r, status, "forum", loc(r).T("nav.forum"), d)
}

// A forum's page.

type forumPageData struct {
	Row         forumRow
	Delegations []*indivisible.Delegation
	Experts     []expertRow
	Damaged     []string
	Account     *indivisible.Account
	SignInError *formError
	Next        string
}

type expertRow struct {
	E           *indivisible.Expert
	Affiliation string // the participant's name, or "" for an independent expert
}

func (h *handler) forumPage(w http.ResponseWriter, r *http.Request) {
	h.forumPageWith(w, r, http.StatusOK, nil)
}

// forumPageWith renders a forum's page: its sessions and agendas, its
// delegations with their status and its expert panel.
func (h *handler) forumPageWith(w http.ResponseWriter, r *http.Request, status int, signInErr error) {
	fid, err := pathID(r, "forum")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	var dm damage
	o, err := h.deps.Forum.Overview(ctx, accountOf(r), fid)
	if err := dm.keep(err); err != nil {
		h.fail(w, r, err)
		return
	}
	d := forumPageData{Row: h.forumRow(loc(r), o), Delegations: o.Delegations, Account: accountOf(r), SignInError: toFormError(signInErr), Next: r.URL.Path}
	for _, e := range o.Experts {
		row := expertRow{E: e}
		if e.Affiliation != "" {
			row.Affiliation = h.name(e.Affiliation)
		}
		d.Experts = append(d.Experts, row)
	}
	d.Damaged = dm.report(ctx, h, r)
	h.render(w, r, status, "forum", o.Forum.Title, forumIndexData{Page: &d})
}

// accountOf is the signed-in account, or nil.
func accountOf(r *http.Request) *indivisible.Account {
	if s := sessionOf(r); s != nil {
		return s.account
	}
	return nil
}

func (h *handler) forumRow(l *i18n.Localizer, o *indivisible.ForumOverview) forumRow {
	row := forumRow{Forum: o.Forum, Questions: o.Questions, Delegations: o.Accredited(), Experts: len(o.Experts)}
	for _, sa := range o.Sessions {
		sr := sessionRow{Session: &sa.Session}
		for _, it := range sa.Items {
			sr.Items = append(sr.Items, itemRow{Item: &it.AgendaItem, Rule: h.ruleView(l, it.Rule), Versions: it.Versions, Outcome: it.Outcome})
		}
		row.Sessions = append(row.Sessions, sr)
	}
	return row
}

// Agenda item.

// positionForm is the position form as typed.
type positionForm struct {
	Stance, StatementKind, Statement string
}

// itemState is what a POST adds to the item page.
type itemState struct {
	// form is the position form as typed (typed is set), else the page
	// shows the delegation's current position.
	form  positionForm
	typed bool
	err   error
	// comment is the comment form as typed, and commentErr its refusal;
	// floorErr refuses a request for the floor, signInErr a sign-in.
	comment              string
	commentErr, floorErr error
	signInErr            error
	// closeErr refuses closing the item.
	closeErr error
	// table is the tabling form as typed (nil: empty), tableErr its
	// refusal and tableNotice what one of its builder buttons did.
	table       *tableForm
	tableErr    error
	tableNotice string
}

// tableForm is the tabling form: the version's title (the package's
// title too), its Markdown text and its package of measures composed in
// the measure builder.
type tableForm struct {
	packageForm
	Text string
}

// tableView is the tabling form as the item page shows it.
type tableView struct {
	Form    tableForm
	Builder builder
	Error   *formError
	Notice  string
	// Kind is what tabling now tables: the proposal or an amendment.
	Kind indivisible.VersionKind
}

// Invalid reports whether the tabling form's error is about field.
func (t tableView) Invalid(field string) bool { return t.Error != nil && t.Error.Field == field }

// ErrorInput is the id of the tabling form's input, or of the package's
// measure, its error is about, which the error summary links ("" for
// none): the builder's inputs are named f-FIELD.
func (t tableView) ErrorInput() string {
	switch {
	case t.Error == nil || t.Error.Field == "":
		return ""
	case strings.HasPrefix(t.Error.Field, "measure-"):
		return t.Error.Field
	case t.Error.Field == "title", t.Error.Field == "text", t.Error.Field == "proposal", slices.Contains(builderFields, t.Error.Field):
		return "f-" + t.Error.Field
	}
	return ""
}

// builderFields are the measure builder's inputs, by form field.
var builderFields = []string{"type", "actor", "host", "actors", "category", "quantity", "organisation", "kind"}

type itemData struct {
	Forum    *indivisible.Forum
	Session  *indivisible.Session
	Item     *indivisible.AgendaItem
	Rule     ruleView
	Versions []versionTab
	// Version is the version shown (by default the current one).
	Version *versionView
	Current int // the current version's number (0 before a proposal)

	Positions []positionRow
	// Decision is the final decision, or while open the provisional one
	// (nil before a proposal).
	Decision    *decisionView
	Outcome     string // the outcome document's URL
	Delegations []*indivisible.Delegation

	Account *indivisible.Account
	// AccountName is the account's name as the position form's message
	// shows it, marked up.
	AccountName template.HTML
	CSRF        string
	// Delegation is the signed-in account's accredited delegation.
	Delegation *indivisible.Delegation
	CanObject  bool
	CanClose   bool
	// Stances are the form's choices, in order, with their labels.
	Stances      []indivisible.Stance
	StanceLabels map[indivisible.Stance]string
	Form         positionForm
	Error        *formError
	// Taken is the log index of the position just taken (-1 if none).
	Taken  int64
	Closed bool // the item was just closed
	// CloseError refuses closing the item, next to the confirmation.
	CloseError *formError
	// Refused is a refusal of a form the page does not show (the item
	// was closed meanwhile, or the account may not use it), with
	// RefusedWhat saying what was not done.
	Refused     *formError
	RefusedWhat string
	// Table is the tabling form, for who may table (nil otherwise);
	// Tabled the number of the version just tabled (0 if none).
	Table  *tableView
	Tabled int
	// CurrentPosition is the signed-in delegation's position that the
	// rule counts, which the form shows (nil if none).
	CurrentPosition *indivisible.PositionView

	// Comments and Speakers (the requests for the floor not yet given)
	// are in order. CanSpeak is set when the signed-in account may add
	// to them; OnList is its place on the speakers' list (0 if not on
	// it).
	Comments     []commentRow
	Speakers     []speakerRow
	CanSpeak     bool
	OnList       int
	CommentText  string
	CommentError *formError
	FloorError   *formError
	Commented    bool // the comment just posted
	Floored      bool // the request for the floor just made

	// SignInError is a failed sign-in from this page; Next brings a
	// sign-in back to it.
	SignInError *formError
	Next        string
	// Damaged names the item's records that could not be read. Degraded
	// is set when the page shows what could be read without the forum's
	// count: no provisional decision, and no forms.
	Damaged  []string
	Degraded bool
}

// Invalid reports whether the form's error is about field.
func (d itemData) Invalid(field string) bool { return d.Error != nil && d.Error.Field == field }

// CloseInvalid reports whether closing was refused for want of the
// confirmation.
func (d itemData) CloseInvalid() bool {
	return d.CloseError != nil && d.CloseError.Field == confirmField
}

// positionInputs are the position form's inputs by field, which its
// error summary links.
var positionInputs = map[string]string{"stance": "stance-support", "confirm": "f-confirm", "statement_kind": "f-statement-kind", "statement": "f-statement"}

// ErrorInput is the id of the position form's input its error is about,
// or "" when it is about none of them.
func (d itemData) ErrorInput() string {
	if d.Error == nil {
		return ""
	}
	return positionInputs[d.Error.Field]
}

// versionTab is a link to a version.
type versionTab struct {
	Number   int
	Title    string
	Kind     indivisible.VersionKind
	Selected bool
}

// versionView is a version with its text, its diff against the version
// before, and its assessment drawn as on the Assess page. An unreadable
// version has only its number.
type versionView struct {
	Unreadable bool
	V          *indivisible.ProposalVersion
	Prev       int // the number of the version before (0 for the proposal)
	Tabler     string
	Created    string // when it was tabled, in the page's language
	Text       template.HTML
	Diff       []diffLine
	Map        mapData
	Legend     legend
	Result     *resultView
}

// positionRow is a position event with what became of it.
type positionRow struct {
	P      *indivisible.Position
	Name   string
	Kind   indivisible.DelegationKind
	Time   string
	Signed bool
	// Standing says whether the rule counts it as the delegation's
	// current position, or why not.
	Standing string
}

// decisionView is a decision or provisional count.
type decisionView struct {
	D       *indivisible.Decision
	Final   bool
	Outcome string // in words
	Reason  string // as a sentence
	Quorum  bool   // the rule has a quorum
	// Time is when the decision was logged, in the page's language;
	// HashCode the document's SHA-256 as markup, an argument of a message.
	Time       string
	HashCode   template.HTML
	Objectors  []objectionRow
	Ignored    []objectionRow
	Statements []positionRow
	// DocumentURL serves the outcome document's Markdown (the API);
	// OutcomeURL is its page.
	DocumentURL, OutcomeURL string
}

type objectionRow struct {
	O    indivisible.Objection
	Name string
}

// commentRow is a comment with its author's participant named.
type commentRow struct {
	C    *indivisible.Comment
	Of   string // the participant's name, if any
	Time string
}

// speakerRow is a request for the floor.
type speakerRow struct {
	S    *indivisible.Speaker
	Of   string
	Time string
}

func (h *handler) forumItem(w http.ResponseWriter, r *http.Request) {
	h.itemWith(w, r, http.StatusOK, itemState{})
}

// formStances are the position form's stances, in the order offered.
var formStances = []indivisible.Stance{indivisible.Support, indivisible.Join, indivisible.Abstain, indivisible.Object, indivisible.Withdraw}

// stanceLabels are the form's labels of the stances: the form words
// joining and withdrawing more fully than the stances' names.
func stanceLabels(l *i18n.Localizer) map[indivisible.Stance]string {
	return map[indivisible.Stance]string{
		indivisible.Support:  l.T("stance.support"),
		indivisible.Join:     l.T("forum.take.stance_join"),
		indivisible.Abstain:  l.T("stance.abstain"),
		indivisible.Object:   l.T("stance.object"),
		indivisible.Withdraw: l.T("forum.take.stance_withdraw"),
	}
}

// readItem reads the path's item as the acting account sees it, noting
// damaged records in dm; on an error it has answered the request.
func (h *handler) readItem(w http.ResponseWriter, r *http.Request) (fid, iid int64, s *indivisible.ItemView, dm damage, ok bool) {
	fid, iid, err := pathIDs(r, "item")
	if err != nil {
		h.fail(w, r, err)
		return 0, 0, nil, dm, false
	}
	s, err = h.deps.Forum.ItemView(r.Context(), accountOf(r), fid, iid)
	if err := dm.keep(err); err != nil {
		h.fail(w, r, err)
		return 0, 0, nil, dm, false
	}
	return fid, iid, s, dm, true
}

// itemWith renders an item's page with the outcome of a POST.
func (h *handler) itemWith(w http.ResponseWriter, r *http.Request, status int, st itemState) {
	fid, iid, s, dm, ok := h.readItem(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	// The comments and the speakers' list, as the API lists them.
	comments, err := h.deps.Forum.Comments(ctx, accountOf(r), fid, iid)
	if err := dm.keep(err); err != nil {
		h.fail(w, r, err)
		return
	}
	speakers, err := h.deps.Forum.Speakers(ctx, accountOf(r), fid, iid)
	if err := dm.keep(err); err != nil {
		h.fail(w, r, err)
		return
	}
	degraded := s.Degraded
	l := loc(r)
	d := itemData{Forum: s.Forum, Session: s.Session, Delegations: s.Delegations, Current: s.Current, Item: s.Item, Rule: h.ruleView(l, s.Item.Rule), Form: st.form, Error: h.fieldError(r, "forum", st.err), Taken: -1, Next: r.URL.Path,
		Stances: formStances, StanceLabels: stanceLabels(l), Degraded: degraded,
		CommentText: st.comment, CommentError: toFormError(st.commentErr), FloorError: toFormError(st.floorErr), SignInError: toFormError(st.signInErr),
		CloseError: h.fieldError(r, "forum", st.closeErr)}
	for _, c := range comments {
		d.Comments = append(d.Comments, commentRow{C: c, Of: h.participantName(c.Participant), Time: l.FormatTime(c.Created, nil)})
	}
	for _, sp := range speakers {
		if !sp.Done {
			d.Speakers = append(d.Speakers, speakerRow{S: sp, Of: h.participantName(sp.Participant), Time: l.FormatTime(sp.Requested, nil)})
		}
	}
	for _, e := range []error{st.commentErr, st.floorErr} {
		if indivisible.ErrorCode(e) == indivisible.EINTERNAL {
			h.deps.Logger.ErrorContext(ctx, "web: forum", "err", e)
		}
	}
	// The numbers of the versions that could not be read.
	unreadable := map[int]bool{}
	for _, rec := range dm.records {
		if rec.Kind == "version" && rec.Of == iid {
			unreadable[int(rec.ID)] = true
		}
	}
	d.Damaged = dm.report(ctx, h, r)
	q := r.URL.Query()
	// The banners after a redirect say only what the records bear out.
	if v, err := strconv.ParseInt(q.Get("position"), 10, 64); err == nil && slices.ContainsFunc(s.Positions, func(p *indivisible.PositionView) bool { return p.LogIndex == v }) {
		d.Taken = v
	}
	d.Closed = q.Get("closed") != "" && s.Item.Status == indivisible.ItemClosed
	if v, err := strconv.ParseInt(q.Get("comment"), 10, 64); err == nil {
		d.Commented = slices.ContainsFunc(comments, func(c *indivisible.Comment) bool { return c.ID == v })
	}
	// Versions are numbered from 1 without gaps; the ones that could not
	// be read keep their place.
	byNumber := map[int]*indivisible.ProposalVersion{}
	for _, v := range s.Versions {
		byNumber[v.Number] = v
	}
	if n, err := strconv.Atoi(q.Get("tabled")); err == nil && byNumber[n] != nil {
		d.Tabled = n
	}
	if d.Current > 0 {
		show := d.Current
		if v := q.Get("version"); v != "" {
			show, err = strconv.Atoi(v)
			if err != nil || show < 1 || show > d.Current {
				h.fail(w, r, indivisible.FieldErrorf(indivisible.ENOTFOUND, "version", "%s", l.T("forum.error.no_such_version", "item", strconv.FormatInt(iid, 10), "version", v)))
				return
			}
		}
		for n := 1; n <= d.Current; n++ {
			if v := byNumber[n]; v != nil {
				d.Versions = append(d.Versions, versionTab{v.Number, v.Title, v.Kind, n == show})
			} else {
				d.Versions = append(d.Versions, versionTab{n, l.T("forum.versions.tab_unreadable"), "unreadable", n == show})
			}
		}
		if v := byNumber[show]; v != nil {
			d.Version = h.versionView(l, v, byNumber[show-1])
		} else {
			d.Version = &versionView{Unreadable: true, V: &indivisible.ProposalVersion{ItemID: iid, Number: show}}
		}
	}
	kinds := map[string]indivisible.DelegationKind{}
	for _, dl := range d.Delegations {
		kinds[dl.Participant] = dl.Kind
	}
	d.Positions = h.positionRows(l, s.Positions, kinds)
	if dec := cmp.Or(s.Decision, s.Provisional); dec != nil {
		d.Decision = h.decisionView(l, dec, s.Decision != nil, kinds)
		if d.Decision.Final {
			d.Decision.DocumentURL = fmt.Sprintf("/api/v1/forums/%d/items/%d/outcome", fid, iid)
			d.Decision.OutcomeURL = fmt.Sprintf("/forum/%d/items/%d/outcome", fid, iid)
		}
	}
	if ses := sessionOf(r); ses != nil {
		acc := ses.account
		d.Account, d.CSRF = acc, ses.csrf
		d.AccountName = template.HTML(`<strong id="account-name">` + template.HTMLEscapeString(acc.Name) + "</strong>")
		// What the account may do is the forum service's to say; the
		// page offers only the forms it would accept.
		d.Delegation, d.CanObject, d.CanClose, d.CanSpeak = s.May.Delegation, s.May.Object, s.May.Close, s.May.Speak
		if s.May.Propose && !degraded {
			d.Table = h.tableView(r, s.Current, st)
		}
		// The form shows the position the rule counts, as the forum
		// service computed it; a form sent back keeps what was typed.
		if d.Delegation != nil && !st.typed {
			d.Form = positionForm{Stance: string(indivisible.Support)}
			for _, p := range s.Positions {
				if p.Participant == acc.Participant && p.Standing == indivisible.StandingCurrent {
					d.Form = positionForm{Stance: string(p.Stance), StatementKind: p.StatementKind, Statement: p.Statement}
					d.CurrentPosition = p
				}
			}
		}
		for i, sp := range d.Speakers {
			if sp.S.AccountID == acc.ID {
				d.OnList = i + 1
			}
		}
		d.Floored = q.Get("floor") != "" && d.OnList > 0
	}
	// A refused form that is not on the page says so at the page's top.
	switch {
	case st.closeErr != nil && !(d.CanClose && d.Decision != nil && !d.Decision.Final):
		d.Refused, d.RefusedWhat = d.CloseError, l.T("forum.not_closed")
	case st.tableErr != nil && d.Table == nil:
		d.Refused, d.RefusedWhat = h.fieldError(r, "forum", st.tableErr), l.T("forum.not_tabled")
	}
	h.render(w, r, status, "item", s.Item.Title, d)
}

// tableView is the tabling form: as typed after a POST, else empty with
// a measure type chosen.
func (h *handler) tableView(r *http.Request, current int, st itemState) *tableView {
	f := tableForm{packageForm: packageForm{Measure: measureForm{Type: indivisible.MeasureHoldings}}}
	if st.table != nil {
		f = *st.table
	}
	t := &tableView{Form: f, Notice: st.tableNotice, Error: h.fieldError(r, "forum", st.tableErr), Kind: indivisible.VersionAmendment}
	// The version's own checks word their message without its subject:
	// the field's label says it.
	l := loc(r)
	if e := t.Error; e != nil && indivisible.ErrorCode(st.tableErr) == indivisible.EINVALID {
		switch e.Field {
		case "title":
			e.Message = sentence(l.T("forum.table.title") + ": " + e.Message)
		case "text":
			e.Message = sentence(l.T("forum.table.text") + ": " + e.Message)
		}
	}
	if current == 0 {
		t.Kind = indivisible.VersionProposal
	}
	t.Builder = h.newBuilder(l, f.packageForm, t.Error, "table-error")
	t.Builder.ListHint = l.T("forum.table.list_hint")
	t.Builder.EmptyHint = l.T("forum.table.empty_hint")
	return t
}

// participantName names a participant, or "" for none.
func (h *handler) participantName(code string) string {
	if code == "" {
		return ""
	}
	return h.name(code)
}

func (h *handler) versionView(l *i18n.Localizer, v, prev *indivisible.ProposalVersion) *versionView {
	vv := &versionView{V: v, Text: markdown(v.Text), Tabler: l.T("forum.versions.secretariat"), Created: l.FormatTime(v.Created, nil)}
	if v.Participant != "" {
		vv.Tabler = h.name(v.Participant)
	}
	if prev != nil {
		vv.Prev, vv.Diff = prev.Number, textDiff(prev.Text, v.Text)
	}
	if v.Assessment != nil {
		vv.Result = h.result(l.Tag(), v.Package, v.Assessment)
		vv.Map = mapData{Atlas: assetURL(atlasFile)}
		vv.Map.Label, vv.Map.States, vv.Legend = h.changeMap(l, v.Assessment)
	}
	return vv
}

// positionRows lists the position events in log order, each with its
// standing under the item's rule as the forum service computed it.
func (h *handler) positionRows(l *i18n.Localizer, ps []*indivisible.PositionView, kinds map[string]indivisible.DelegationKind) []positionRow {
	var rows []positionRow
	for _, p := range ps {
		row := positionRow{P: &p.Position, Name: h.name(p.Participant), Kind: kinds[p.Participant], Time: l.FormatTime(p.Time, nil), Signed: p.KeyName != "",
			Standing: standingText(l, p)}
		rows = append(rows, row)
	}
	return rows
}

// standingKeys are the catalog's words for the standings; "" is a
// degraded view's, whose rule's records could not all be read.
var standingKeys = map[indivisible.Standing]string{
	"":                                "forum.standing.not_known",
	indivisible.StandingCurrent:       "forum.standing.current",
	indivisible.StandingSuperseded:    "forum.standing.superseded",
	indivisible.StandingWithdrawal:    "forum.standing.withdrawal",
	indivisible.StandingLapsed:        "forum.standing.lapsed",
	indivisible.StandingLate:          "forum.standing.late",
	indivisible.StandingNotAccredited: "forum.standing.not_accredited",
}

// standingText words a position's standing: "current", or what it is
// and why it is not counted (the reason is the forum service's words).
func standingText(l *i18n.Localizer, p *indivisible.PositionView) string {
	standing := string(p.Standing) // a standing the page has no words for yet
	if key, ok := standingKeys[p.Standing]; ok {
		standing = l.T(key)
	}
	switch p.Standing {
	case "", indivisible.StandingCurrent, indivisible.StandingWithdrawal:
		return standing
	}
	return l.T("forum.standing.reason", "standing", standing, "reason", forum.Say(l, p.ReasonPhrase, p.Reason))
}

func (h *handler) decisionView(l *i18n.Localizer, d *indivisible.Decision, final bool, kinds map[string]indivisible.DelegationKind) *decisionView {
	v := &decisionView{D: d, Final: final, Outcome: l.T("outcome." + string(d.Outcome)), Reason: sentence(forum.Say(l, d.ReasonPhrase, d.Reason)), Quorum: d.Tally.Quorum > 0,
		Time: l.FormatTime(d.Time, nil), HashCode: template.HTML(`<code class="hash">` + template.HTMLEscapeString(d.DocumentSHA256) + "</code>")}
	for _, o := range d.Objectors {
		v.Objectors = append(v.Objectors, objectionRow{o, h.name(o.Participant)})
	}
	for _, o := range d.Ignored {
		v.Ignored = append(v.Ignored, objectionRow{o, h.name(o.Participant)})
	}
	for _, p := range d.Statements {
		v.Statements = append(v.Statements, positionRow{P: &p, Name: h.name(p.Participant), Kind: kinds[p.Participant], Signed: p.KeyName != ""})
	}
	return v
}

// sentence capitalises s and ends it with a full stop: the rules word
// their reasons as clauses ("no member state objects"). A Chinese
// full stop (。) ends a sentence too.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "。") {
		s += "."
	}
	return s
}

// maxPositionBytes caps the position form: a statement and a few fields.
const maxPositionBytes = 2*indivisible.MaxText + 8<<10

// itemPost reads the forum and item of a form posted to an item's page,
// and the form with its session (see readForm).
func itemPost(w http.ResponseWriter, r *http.Request, limit int64) (forumID, itemID int64, s *session, err error) {
	if forumID, itemID, err = pathIDs(r, "item"); err != nil {
		return 0, 0, nil, err
	}
	s, err = readForm(w, r, limit)
	return forumID, itemID, s, err
}

// readForm parses a signed-in page's POST form and checks its CSRF token.
func readForm(w http.ResponseWriter, r *http.Request, limit int64) (*session, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		return nil, indivisible.Errorf(indivisible.ETOOLARGE, "the form is too large or malformed: %v", err)
	}
	s := sessionOf(r)
	return s, checkCSRF(r, s)
}

// takePosition takes the signed-in delegation's position through the
// forum service, which authorises it, appends it to the log and stores
// it. Success redirects to the item's page (so a reload does not post
// again); an error shows the page with the form as typed and the field
// marked.
func (h *handler) takePosition(w http.ResponseWriter, r *http.Request) {
	fid, iid, s, err := itemPost(w, r, maxPositionBytes)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := readPositionForm(r)
	var req *indivisible.PositionRequest
	if r.PostFormValue("signed_body") != "" {
		req, err = signedRequest(r)
	} else {
		req, err = attestedRequest(r, f)
	}
	if err != nil {
		h.itemWith(w, r, http.StatusBadRequest, itemState{form: f, typed: true, err: err})
		return
	}
	// A signed statement's stance is the one signed.
	stance := req.Stance
	if req.Signed != nil {
		if b, err := forum.ParsePositionBody(req.Signed.Body); err == nil {
			stance = b.Stance
		}
	}
	// An objection blocks the consensus: one who may object must
	// confirm it.
	if stance == indivisible.Object && indivisible.Authorize(s.account, indivisible.ActObject, s.account.Participant) == nil {
		if err := confirmed(r, "object: an objection blocks the consensus"); err != nil {
			h.itemWith(w, r, http.StatusBadRequest, itemState{form: f, typed: true, err: err})
			return
		}
	}
	p, err := h.deps.Forum.TakePosition(r.Context(), s.account, fid, iid, req)
	if err != nil {
		// The authorisation table refuses an objection without naming a
		// field; on this form it is the stance that is wrong.
		if indivisible.ErrorField(err) == "" && stance == indivisible.Object && indivisible.Authorize(s.account, indivisible.ActObject, s.account.Participant) != nil {
			err = indivisible.FieldErrorf(indivisible.ErrorCode(err), "stance", "%s", loc(r).T("forum.error.object_member_only", "name", s.account.Name))
		}
		h.itemWith(w, r, api.StatusCode(err), itemState{form: f, typed: true, err: err})
		return
	}
	// The notice of the position heads the positions' section; it takes
	// the focus (autofocus), which brings it into view. The address has
	// no fragment: a browser skips autofocus on a page it scrolls to a
	// fragment, and the fragment's scroll would leave the notice
	// unfocused.
	http.Redirect(w, r, fmt.Sprintf("/forum/%d/items/%d?%s", fid, iid, url.Values{"position": {strconv.FormatInt(p.LogIndex, 10)}}.Encode()), http.StatusSeeOther)
}

// readPositionForm reads the position form as typed.
func readPositionForm(r *http.Request) positionForm {
	return positionForm{Stance: r.PostFormValue("stance"), StatementKind: r.PostFormValue("statement_kind"),
		Statement: strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("statement"), "\r\n", "\n"))}
}

// signedRequest is the statement the page's script signed in the
// browser with the delegation's key: signed_body, signed_key and
// signed_signature, base64 as the API's JSON has them.
func signedRequest(r *http.Request) (*indivisible.PositionRequest, error) {
	body, err := base64.StdEncoding.DecodeString(r.PostFormValue("signed_body"))
	if err != nil {
		return nil, indivisible.Invalid("signed", "%s", loc(r).T("forum.error.signed_body"))
	}
	sig, err := base64.StdEncoding.DecodeString(r.PostFormValue("signed_signature"))
	if err != nil {
		return nil, indivisible.Invalid("signed", "%s", loc(r).T("forum.error.signed_signature"))
	}
	return &indivisible.PositionRequest{Signed: &indivisible.SignedStatement{Body: body, KeyName: r.PostFormValue("signed_key"), Signature: sig}}, nil
}

// attestedRequest is the position the form's fields state, for the
// service to attest, or to put in the body to sign.
func attestedRequest(r *http.Request, f positionForm) (*indivisible.PositionRequest, error) {
	req := &indivisible.PositionRequest{Stance: indivisible.Stance(f.Stance), Statement: f.Statement}
	// The kind menu always sends a value; only a join carries one.
	if req.Stance == indivisible.Join {
		req.StatementKind = f.StatementKind
	}
	// The version the page showed as current: if another amendment came
	// in meanwhile, the service refuses rather than count this position
	// on a text the delegation has not seen.
	var err error
	if req.Version, err = strconv.Atoi(r.PostFormValue("version")); err != nil || req.Version < 1 {
		return nil, indivisible.Invalid("version", "%s", loc(r).T("forum.error.no_version"))
	}
	return req, nil
}

// positionBody answers the position form, posted by the page's script
// before it signs, with the exact bytes of the statement to sign: the
// forum.PositionBody of the signed-in delegation's position as the form
// states it, stamped with the server's clock. The service parses these
// bytes as they are signed, so the browser never builds JSON itself. An
// error is its message as plain text.
func (h *handler) positionBody(w http.ResponseWriter, r *http.Request) {
	fid, iid, s, err := itemPost(w, r, maxPositionBytes)
	var req *indivisible.PositionRequest
	if err == nil {
		req, err = attestedRequest(r, readPositionForm(r))
	}
	if err == nil && req.Stance == indivisible.Object && indivisible.Authorize(s.account, indivisible.ActObject, s.account.Participant) == nil {
		err = confirmed(r, "object: an objection blocks the consensus")
	}
	if err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(api.StatusCode(err))
		fmt.Fprintln(w, indivisible.ErrorMessage(err))
		return
	}
	body := &forum.PositionBody{Type: forum.PositionType, Forum: fid, Item: iid, Version: req.Version, Participant: s.account.Participant,
		Stance: req.Stance, StatementKind: req.StatementKind, Statement: req.Statement, Time: h.now().UTC().Format(time.RFC3339Nano)}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body.Marshal())
}

// mayTable refuses, as Table would, an account the forum service does not
// let table on the item now (ItemView's May.Propose).
func (h *handler) mayTable(ctx context.Context, acc *indivisible.Account, forumID, itemID int64) error {
	v, err := h.deps.Forum.ItemView(ctx, acc, forumID, itemID)
	var dm damage
	if err := dm.keep(err); err != nil {
		return err
	}
	l := bundle.Localizer(i18n.TagFrom(ctx))
	switch {
	case v.May.Propose:
		return nil
	case v.Item.Status != indivisible.ItemOpen:
		return indivisible.Errorf(indivisible.ECONFLICT, "%s", l.T("forum.error.table_closed"))
	}
	return indivisible.Errorf(indivisible.EFORBIDDEN, "%s", l.T("forum.error.table_forbidden", "name", acc.Name))
}

// maxTableBytes caps the tabling form: a title, a text and the builder's
// package.
const maxTableBytes = maxFormBytes + 2*indivisible.MaxText

// tableVersion handles the tabling form: its builder's buttons compose
// the package as on the Assess page, and its own button tables the title,
// the text and the package (with the measure in the builder when one is
// filled in) through the forum service, which assesses the package.
// Success redirects to the new version; an error shows the page with the
// form as typed and the field marked.
func (h *handler) tableVersion(w http.ResponseWriter, r *http.Request) {
	fid, iid, s, err := itemPost(w, r, maxTableBytes)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := tableForm{packageForm: packageFromValues(r.PostForm), Text: strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"))}
	// The builder's buttons too are for those the forum service lets
	// table, on an item still open.
	if err := h.mayTable(r.Context(), s.account, fid, iid); err != nil {
		h.itemWith(w, r, api.StatusCode(err), itemState{table: &f, tableErr: err})
		return
	}
	if pf, notice, done, err := h.buildPackage(loc(r), r.PostForm, f.packageForm); done {
		f.packageForm = pf
		status := http.StatusOK
		if err != nil {
			status = api.StatusCode(err)
		}
		h.itemWith(w, r, status, itemState{table: &f, tableErr: err, tableNotice: notice})
		return
	}
	p, included, err := f.composed("table")
	if err == nil {
		v := &indivisible.ProposalVersion{ItemID: iid, Title: f.Title, Text: f.Text}
		if len(p.Measures) > 0 {
			v.Package = p
		}
		if err = h.deps.Forum.Table(r.Context(), s.account, fid, v); err == nil {
			// As after a position, the notice takes the focus.
			http.Redirect(w, r, fmt.Sprintf("/forum/%d/items/%d?tabled=%d", fid, iid, v.Number), http.StatusSeeOther)
			return
		}
		// The model's errors about the package, in the builder's words.
		var e *indivisible.Error
		if errors.As(err, &e) && strings.HasPrefix(e.Field, "package.") {
			c := *e
			c.Field = strings.TrimPrefix(e.Field, "package.")
			err = h.modelError(loc(r), &c, p, f.formIndex(p, included))
		}
	}
	h.itemWith(w, r, api.StatusCode(err), itemState{table: &f, tableErr: err})
}

// maxCommentBytes caps the comment form: a text and the CSRF token.
const maxCommentBytes = 2*indivisible.MaxText + 8<<10

// postComment adds the signed-in account's comment to an item through the
// forum service, which decides who may. Success redirects to the item's
// comments; a refusal shows the page with the comment as typed.
func (h *handler) postComment(w http.ResponseWriter, r *http.Request) {
	fid, iid, s, err := itemPost(w, r, maxCommentBytes)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	text := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"))
	c := &indivisible.Comment{ItemID: iid, Text: text}
	if err := h.deps.Forum.Comment(r.Context(), s.account, fid, c); err != nil {
		h.itemWith(w, r, api.StatusCode(err), itemState{comment: text, commentErr: err})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/forum/%d/items/%d?%s#comment-%d", fid, iid, url.Values{"comment": {strconv.FormatInt(c.ID, 10)}}.Encode(), c.ID), http.StatusSeeOther)
}

// requestFloor puts the signed-in account on an item's speakers' list
// through the forum service.
func (h *handler) requestFloor(w http.ResponseWriter, r *http.Request) {
	fid, iid, s, err := itemPost(w, r, 8<<10)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.deps.Forum.RequestFloor(r.Context(), s.account, fid, iid); err != nil {
		h.itemWith(w, r, api.StatusCode(err), itemState{floorErr: err})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/forum/%d/items/%d?floor=1#speakers", fid, iid), http.StatusSeeOther)
}

// closeItem closes an item under its rule (the secretariat). A refusal
// shows the item's page with the message at the confirmation.
func (h *handler) closeItem(w http.ResponseWriter, r *http.Request) {
	fid, iid, s, err := itemPost(w, r, 8<<10)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Closing is final: whoever may close must have ticked the box.
	if indivisible.Authorize(s.account, indivisible.ActManageForum, "") == nil {
		err = confirmed(r, "close the item")
	}
	if err == nil {
		_, err = h.deps.Forum.Close(r.Context(), s.account, fid, iid)
	}
	if err != nil {
		h.itemWith(w, r, api.StatusCode(err), itemState{closeErr: err})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/forum/%d/items/%d?closed=1#decision", fid, iid), http.StatusSeeOther)
}

// Delphi questions.

type questionData struct {
	Forum       *indivisible.Forum
	Q           *indivisible.Question
	Chart       delphiChart
	Rounds      []roundRow
	Account     *indivisible.Account
	CSRF        string
	Expert      bool // the signed-in account is on the forum's panel
	Value       string
	Error       *formError
	Answered    bool
	SignInError *formError
	Next        string
}

// roundRow is a row of the rounds table: a round's statistics (nil for
// the open round) and the expert's own answer.
type roundRow struct {
	Round int
	Stats *indivisible.RoundStats
	Own   string
}

// Invalid reports whether the form's error is about field.
func (d questionData) Invalid(field string) bool { return d.Error != nil && d.Error.Field == field }

func (h *handler) forumQuestion(w http.ResponseWriter, r *http.Request) {
	h.questionWith(w, r, http.StatusOK, "", nil, nil)
}

func (h *handler) questionWith(w http.ResponseWriter, r *http.Request, status int, value string, formErr, signInErr error) {
	fid, qid, err := pathIDs(r, "question")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	f, err := h.deps.Forum.Forum(ctx, accountOf(r), fid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var acc *indivisible.Account
	d := questionData{Forum: f, Error: toFormError(formErr), Answered: r.URL.Query().Get("answered") != "", Next: r.URL.Path, SignInError: toFormError(signInErr)}
	if s := sessionOf(r); s != nil {
		acc, d.Account, d.CSRF = s.account, s.account, s.csrf
	}
	fb, err := h.deps.Forum.QuestionFeedback(ctx, acc, fid, qid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Q, d.Expert = fb.Question, fb.Own != nil
	own := map[int]float64{}
	for _, a := range fb.Own {
		own[a.Round] = a.Value
	}
	d.Chart = newDelphiChart(loc(r), fb.Question, own)
	for rd := 1; rd <= fb.Question.Round; rd++ {
		row := roundRow{Round: rd}
		if rd <= len(fb.Question.Rounds) {
			row.Stats = &fb.Question.Rounds[rd-1]
		}
		if v, ok := own[rd]; ok {
			row.Own = short(v)
		}
		d.Rounds = append(d.Rounds, row)
	}
	d.Value = value
	if v, ok := own[fb.Question.Round]; ok && formErr == nil {
		d.Value = strconv.FormatFloat(v, 'f', -1, 64)
	}
	h.render(w, r, status, "question", loc(r).T("forum.question.title", "parameter", fb.Question.Parameter), d)
}

// answerQuestion records the signed-in expert's answer in the open round.
func (h *handler) answerQuestion(w http.ResponseWriter, r *http.Request) {
	fid, qid, err := pathIDs(r, "question")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := readForm(w, r, 8<<10)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	text := strings.TrimSpace(r.PostFormValue("value"))
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		err = indivisible.Invalid("value", "%s", loc(r).T("form.not_a_number", "value", text))
	} else {
		_, err = h.deps.Forum.Answer(r.Context(), s.account, fid, qid, v)
	}
	if err != nil {
		h.questionWith(w, r, api.StatusCode(err), text, err, nil)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/forum/%d/questions/%d?answered=1#answer", fid, qid), http.StatusSeeOther)
}

// Sign-in from a forum page.

// forumSignInFailed shows a failed sign-in on the forum page it came from
// (next, a path localPath accepted), with the error on the page's sign-in
// form and the sign-in's status. It reports false, having written
// nothing, when next is no forum page or the page cannot show the error
// (it is gone, or shows no sign-in form): the caller then shows the
// Exchange page's form.
func (h *handler) forumSignInFailed(w http.ResponseWriter, r *http.Request, next string, status int, err error) bool {
	if !h.forumOn() || next == "" {
		return false
	}
	u, perr := url.Parse(next)
	if perr != nil {
		return false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if parts[0] != "forum" {
		return false
	}
	// The page is rendered as its GET would be, uncompressed so that it
	// can be checked, into a buffer.
	r2 := r.Clone(r.Context())
	r2.Method, r2.URL, r2.Form, r2.PostForm = http.MethodGet, u, nil, nil
	r2.Header.Del("Accept-Encoding")
	var page func(w http.ResponseWriter, r *http.Request)
	switch {
	case len(parts) == 1:
		page = func(w http.ResponseWriter, r *http.Request) { h.forumIndexWith(w, r, status, err) }
	case len(parts) == 2:
		r2.SetPathValue("forum", parts[1])
		page = func(w http.ResponseWriter, r *http.Request) { h.forumPageWith(w, r, status, err) }
	case len(parts) == 4 && parts[2] == "items":
		r2.SetPathValue("forum", parts[1])
		r2.SetPathValue("item", parts[3])
		page = func(w http.ResponseWriter, r *http.Request) { h.itemWith(w, r, status, itemState{signInErr: err}) }
	case len(parts) == 4 && parts[2] == "questions":
		r2.SetPathValue("forum", parts[1])
		r2.SetPathValue("question", parts[3])
		page = func(w http.ResponseWriter, r *http.Request) { h.questionWith(w, r, status, "", nil, err) }
	default:
		return false
	}
	rec := &pageBuffer{header: http.Header{}}
	page(rec, r2)
	if rec.status != status || !bytes.Contains(rec.body.Bytes(), []byte(`id="signin-error"`)) {
		return false
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	w.Write(rec.body.Bytes())
	return true
}

// pageBuffer is a ResponseWriter that keeps a page to look at first.
type pageBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *pageBuffer) Header() http.Header { return b.header }
func (b *pageBuffer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *pageBuffer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}
