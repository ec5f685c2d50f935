package web

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/forum"
)

// The secretariat's desk (/admin): forms for every act the API gives the
// secretariat. Each form posts to its own route, which acts through the
// accounts or the forum service with the signed-in account, so that the
// services decide who may do what and check every value; the desk only
// turns form text into the services' types. Success redirects to the
// page with a notice (so a reload does not post again); an error shows
// the page again with the form as typed, the message next to its field
// and a summary that takes the focus.

// adminOn reports whether the desk has what it needs: the accounts
// service, and the sign-in of the Exchange pages.
func (h *handler) adminOn() bool { return h.deps.AccountService != nil && h.exchangeOn() }

// forumDesk returns the forum, if the desk has one.
func (h *handler) forumDesk() (indivisible.ForumService, bool) {
	return h.deps.Forum, h.forumOn()
}

func (h *handler) adminRoutes() {
	if !h.adminOn() {
		return
	}
	h.mux.HandleFunc("GET /admin", h.adminPage)
	h.mux.HandleFunc("POST /admin/accounts", h.adminCreateAccount)
	h.mux.HandleFunc("GET /admin/accounts/{id}", h.adminAccountPage)
	h.mux.HandleFunc("POST /admin/accounts/{id}/tokens", h.adminCreateToken)
	h.mux.HandleFunc("POST /admin/tokens/{id}/revoke", h.adminRevokeToken)
	h.mux.HandleFunc("POST /admin/keys", h.adminRegisterKey)
	h.mux.HandleFunc("POST /admin/keys/{name}/revoke", h.adminRevokeKey)
	if _, ok := h.forumDesk(); !ok {
		return
	}
	h.mux.HandleFunc("POST /admin/forums", h.adminCreateForum)
	h.mux.HandleFunc("GET /admin/forums/{forum}", h.adminForumPage)
	h.mux.HandleFunc("POST /admin/forums/{forum}/sessions", h.adminCreateSession)
	h.mux.HandleFunc("POST /admin/forums/{forum}/items", h.adminCreateItem)
	h.mux.HandleFunc("POST /admin/forums/{forum}/delegations", h.adminRegisterDelegation)
	h.mux.HandleFunc("POST /admin/forums/{forum}/delegations/{id}/status", h.adminDelegationStatus)
	h.mux.HandleFunc("POST /admin/forums/{forum}/experts", h.adminAddExpert)
	h.mux.HandleFunc("POST /admin/forums/{forum}/questions", h.adminCreateQuestion)
	h.mux.HandleFunc("POST /admin/forums/{forum}/questions/{question}/rounds", h.adminFinishRound)
}

// deskLink reports whether the header links the desk for acc: whoever may
// manage the accounts, as the authorisation table says.
func (h *handler) deskLink(acc *indivisible.Account) bool {
	return acc != nil && h.adminOn() && indivisible.Authorize(acc, indivisible.ActManageAccounts, "") == nil
}

// Forms.

// adminField is an input of a desk form. Name is both the input's name
// and the field the services name in their errors (rule.quorum,
// stop.iqr, public_key, ...), so that an error finds its input.
type adminField struct {
	Name, Label, Hint string
	// Type is the input's type: text, textarea, select, number or
	// datetime-local.
	Type     string
	Options  []choice
	Value    string
	Required bool
}

// adminForm is one form of the desk.
type adminForm struct {
	// ID is unique on the page; the inputs' ids derive from it.
	ID, Action, Legend, Submit string
	Hidden                     []hiddenInput
	Fields                     []adminField
	// Confirm, for an irreversible act, is the sentence of the checkbox
	// that must be ticked; the server refuses the form without it.
	Confirm string
	// Inline lays the form out in a table's row.
	Inline bool
	CSRF   string
	Error  *formError
}

// InputID is the id of the form's input name.
func (f *adminForm) InputID(name string) string {
	return f.ID + "-" + strings.NewReplacer(".", "-", "_", "-").Replace(name)
}

// Invalid reports whether the form's error is about input name (or one
// of its elements: members[2] is about members).
func (f *adminForm) Invalid(name string) bool {
	return f.Error != nil && (f.Error.Field == name || strings.HasPrefix(f.Error.Field, name+"["))
}

// ErrorInput is the id of the input the error is about, or "" when it
// is about none of the form's inputs.
func (f *adminForm) ErrorInput() string {
	if f.Error == nil {
		return ""
	}
	if f.Invalid(confirmField) {
		return f.InputID(confirmField)
	}
	for _, fl := range f.Fields {
		if f.Invalid(fl.Name) {
			return f.InputID(fl.Name)
		}
	}
	return ""
}

// hiddenInput is a form's fixed value.
type hiddenInput struct{ Name, Value string }

// failure is a posted form that the services refused, to show again.
type failure struct {
	form   string
	values url.Values
	err    error
}

// fill gives each form the page's CSRF token and, to the one that
// failed, the values as typed and the error. It returns the error for
// the page's top when the form is no longer on the page (the token it
// revoked is revoked already, say), so that the error is still shown.
func fill(csrf string, fail *failure, forms ...*adminForm) *formError {
	lost := fail != nil
	for _, f := range forms {
		f.CSRF = csrf
		if fail == nil || f.ID != fail.form {
			continue
		}
		lost = false
		f.Error = toFormError(fail.err)
		for i := range f.Fields {
			f.Fields[i].Value = fail.values.Get(f.Fields[i].Name)
		}
	}
	if lost {
		return toFormError(fail.err)
	}
	return nil
}

// confirmField is the checkbox of an irreversible act.
const confirmField = "confirm"

// confirmed refuses a form of an irreversible act whose confirmation box
// is not ticked: the box is required in the browser, but a form posted
// without one (no JavaScript is needed to skip it) must not act either.
func confirmed(r *http.Request, act string) error {
	if r.PostFormValue(confirmField) != "yes" {
		return indivisible.Invalid(confirmField, "tick the box to confirm that you mean to %s: it cannot be undone", act)
	}
	return nil
}

// maxAdminBytes caps a desk form: the longest is a question's text or a
// delegation's members.
const maxAdminBytes = 64 << 10

// adminAct reads a desk form posted to a signed-in page, does act with
// the account and redirects where act says. A refusal of the account
// itself is the error page; any other error shows the form again, on the
// page show renders.
func (h *handler) adminAct(w http.ResponseWriter, r *http.Request, formID string, show func(http.ResponseWriter, *http.Request, int, *failure), act func(acc *indivisible.Account) (string, error)) {
	s, err := readForm(w, r, maxAdminBytes)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to, err := act(s.account)
	switch indivisible.ErrorCode(err) {
	case "":
		http.Redirect(w, r, to, http.StatusSeeOther)
	case indivisible.EFORBIDDEN, indivisible.EUNAUTHORIZED, indivisible.EINTERNAL:
		h.fail(w, r, err)
	default:
		show(w, r, api.StatusCode(err), &failure{form: formID, values: r.PostForm, err: err})
	}
}

// formInt reads an integer input; blank is zero unless required.
func formInt(r *http.Request, name string, required bool) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" && !required {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, indivisible.Invalid(name, "enter a whole number")
	}
	return n, nil
}

// formFloat reads a number input; blank is zero unless required.
func formFloat(r *http.Request, name string, required bool) (float64, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" && !required {
		return 0, nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, indivisible.Invalid(name, "enter a number")
	}
	return x, nil
}

// deadlineLayout is what a datetime-local input sends; the desk reads it
// as UTC, as the page says.
const deadlineLayout = "2006-01-02T15:04"

// formDeadline reads the silence procedure's deadline; blank is none.
func formDeadline(r *http.Request, name string) (*time.Time, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(deadlineLayout, v)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, v); err != nil {
			return nil, indivisible.Invalid(name, "enter a date and time, such as 2026-06-30T18:00 (UTC)")
		}
	}
	t = t.UTC()
	return &t, nil
}

// firstErr returns the first error of errs.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Choices.

var roleChoices = []choice{
	{string(indivisible.RoleDelegation), "delegation"},
	{string(indivisible.RoleExpert), "expert"},
	{string(indivisible.RolePublic), "public (reads only)"},
	{string(indivisible.RoleSecretariat), "secretariat"},
}

func kindChoices(blank string) []choice {
	var cs []choice
	if blank != "" {
		cs = append(cs, choice{"", blank})
	}
	for _, k := range indivisible.DelegationKinds {
		cs = append(cs, choice{string(k), label(string(k))})
	}
	return cs
}

// ruleLabels names the decision rules (forum.RuleNames) on the form.
var ruleLabels = map[string]string{
	indivisible.RuleConsensus:         "consensus",
	indivisible.RuleConsensusMinusOne: "consensus minus one",
	indivisible.RuleQualifiedMajority: "qualified majority",
	indivisible.RuleSilence:           "silence procedure",
}

func ruleChoices() []choice {
	var cs []choice
	for _, n := range forum.RuleNames() {
		cs = append(cs, choice{n, cmp.Or(ruleLabels[n], label(n))})
	}
	return cs
}

// participantChoices lists the scenario's participants; kind "" lists
// them all.
func (h *handler) participantChoices(blank string, kind indivisible.ParticipantKind) []choice {
	var cs []choice
	if blank != "" {
		cs = append(cs, choice{"", blank})
	}
	for _, p := range h.deps.Scenario.Participants {
		if kind == "" || p.Kind == kind {
			cs = append(cs, choice{p.Code, p.Code + " · " + p.Name})
		}
	}
	return cs
}

// adminNotices are the notices a redirect after a successful post asks
// for (?done=KEY): fixed sentences, so that no link can make the page say
// anything else.
var adminNotices = map[string]string{
	"account":  "The account is created. Create a token for it below.",
	"revoked":  "The token is revoked: it no longer signs anyone in.",
	"key":      "The key is registered in the log.",
	"key-off":  "The key's revocation is recorded in the log.",
	"forum":    "The forum is created. Add a session, register delegations and put experts on the panel.",
	"session":  "The session is added.",
	"item":     "The item is on the agenda.",
	"reg":      "The delegation is registered, pending accreditation.",
	"status":   "The delegation's status is changed.",
	"expert":   "The expert is on the panel.",
	"question": "The Delphi question is open for its first round.",
	"round":    "The round is finished; its statistics are below.",
}

// The desk's main page: accounts, keys, forums.

type adminData struct {
	Account *indivisible.Account
	Notice  string
	// Error is a refusal whose form is no longer on the page.
	Error    *formError
	Accounts []*indivisible.Account
	Keys     []indivisible.Key
	Forums   []*indivisible.Forum
	// ForumsOn says the forum part of the desk is there.
	ForumsOn bool
	// RevokeKey holds one form per key still valid.
	RevokeKey                    map[string]*adminForm
	NewAccount, NewKey, NewForum *adminForm
}

// signInData is the desk's sign-in page.
type signInData struct {
	SignInError *formError
	Next        string
}

// adminGate returns the signed-in account if it may use the desk. A
// visitor gets the sign-in form, anyone else the forbidden page; the
// accounts service decides, by listing the accounts.
func (h *handler) adminGate(w http.ResponseWriter, r *http.Request) (*indivisible.Account, []*indivisible.Account, bool) {
	acc := accountOf(r)
	as, err := h.deps.AccountService.Accounts(r.Context(), acc)
	switch {
	case indivisible.ErrorCode(err) == indivisible.EUNAUTHORIZED:
		h.render(w, r, http.StatusUnauthorized, "admin-signin", "Sign in to the secretariat's desk", signInData{Next: r.URL.Path})
		return nil, nil, false
	case err != nil:
		h.fail(w, r, err)
		return nil, nil, false
	}
	return acc, as, true
}

func (h *handler) adminPage(w http.ResponseWriter, r *http.Request) {
	h.adminWith(w, r, http.StatusOK, nil)
}

func (h *handler) adminWith(w http.ResponseWriter, r *http.Request, status int, fail *failure) {
	acc, as, ok := h.adminGate(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	keys, err := h.deps.AccountService.Keys(ctx, acc)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := adminData{Account: acc, Notice: adminNotices[r.URL.Query().Get("done")], Accounts: as, Keys: keys, RevokeKey: map[string]*adminForm{}}
	d.NewAccount = &adminForm{ID: "new-account", Action: "/admin/accounts", Legend: "Create an account", Submit: "Create the account", Fields: []adminField{
		{Name: "name", Label: "Name", Type: "text", Required: true, Hint: "e.g. Delegation of Armenia, or the expert's name"},
		{Name: "role", Label: "Role", Type: "select", Options: roleChoices},
		{Name: "participant", Label: "Participant", Type: "select", Options: h.participantChoices("none", ""), Hint: "the delegation's participant, or an expert's affiliation"},
		{Name: "kind", Label: "Delegation kind", Type: "select", Options: kindChoices("none (not a delegation)"), Hint: "delegations only"},
	}}
	d.NewKey = &adminForm{ID: "new-key", Action: "/admin/keys", Legend: "Register a delegation's public key", Submit: "Register the key", Fields: []adminField{
		{Name: "participant", Label: "Participant", Type: "select", Options: h.participantChoices("", "")},
		{Name: "public_key", Label: "Public key", Type: "textarea", Required: true, Hint: "paste the .pub file's text (NAME+HASH+KEY), as indivisible keygen wrote it"},
	}}
	forms := []*adminForm{d.NewAccount, d.NewKey}
	for _, k := range keys {
		if k.RevokedFrom != 0 {
			continue
		}
		f := &adminForm{ID: "revoke-key-" + k.Name, Action: "/admin/keys/" + url.PathEscape(k.Name) + "/revoke", Legend: "Revoke " + k.Name, Submit: "Revoke", Inline: true,
			Fields:  []adminField{{Name: "from", Label: "from log index", Type: "number", Required: true, Hint: fmt.Sprintf("after %d", k.RegisteredAt)}},
			Confirm: "The key may sign nothing from this index on"}
		d.RevokeKey[k.Name] = f
		forms = append(forms, f)
	}
	if desk, ok := h.forumDesk(); ok {
		d.ForumsOn = true
		if d.Forums, err = desk.Forums(ctx, acc); err != nil {
			h.fail(w, r, err)
			return
		}
		d.NewForum = &adminForm{ID: "new-forum", Action: "/admin/forums", Legend: "Create a forum", Submit: "Create the forum", Fields: []adminField{
			{Name: "title", Label: "Title", Type: "text", Required: true},
			{Name: "description", Label: "Description", Type: "textarea"},
		}}
		forms = append(forms, d.NewForum)
	}
	d.Error = fill(sessionOf(r).csrf, fail, forms...)
	h.render(w, r, status, "admin", "Secretariat's desk", d)
}

func (h *handler) adminCreateAccount(w http.ResponseWriter, r *http.Request) {
	h.adminAct(w, r, "new-account", h.adminWith, func(acc *indivisible.Account) (string, error) {
		a := &indivisible.Account{Name: strings.TrimSpace(r.PostFormValue("name")), Role: indivisible.AccountRole(r.PostFormValue("role")),
			Participant: r.PostFormValue("participant"), Kind: indivisible.DelegationKind(r.PostFormValue("kind"))}
		if err := h.deps.AccountService.CreateAccount(r.Context(), acc, a); err != nil {
			return "", err
		}
		return fmt.Sprintf("/admin/accounts/%d?done=account", a.ID), nil
	})
}

func (h *handler) adminRegisterKey(w http.ResponseWriter, r *http.Request) {
	h.adminAct(w, r, "new-key", h.adminWith, func(acc *indivisible.Account) (string, error) {
		_, err := h.deps.AccountService.RegisterKey(r.Context(), acc, r.PostFormValue("participant"), strings.TrimSpace(r.PostFormValue("public_key")))
		return "/admin?done=key#keys", err
	})
}

func (h *handler) adminRevokeKey(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	h.adminAct(w, r, "revoke-key-"+name, h.adminWith, func(acc *indivisible.Account) (string, error) {
		from, err := formInt(r, "from", true)
		if err = firstErr(err, confirmed(r, "revoke key "+name)); err != nil {
			return "", err
		}
		_, err = h.deps.AccountService.RevokeKey(r.Context(), acc, name, from)
		return "/admin?done=key-off#keys", err
	})
}

func (h *handler) adminCreateForum(w http.ResponseWriter, r *http.Request) {
	desk, _ := h.forumDesk()
	h.adminAct(w, r, "new-forum", h.adminWith, func(acc *indivisible.Account) (string, error) {
		f := &indivisible.Forum{Title: strings.TrimSpace(r.PostFormValue("title")), Description: strings.TrimSpace(r.PostFormValue("description"))}
		if err := desk.CreateForum(r.Context(), acc, f); err != nil {
			return "", err
		}
		return fmt.Sprintf("/admin/forums/%d?done=forum", f.ID), nil
	})
}

// An account's page: its tokens.

type adminAccountData struct {
	Account *indivisible.Account
	Notice  string
	Error   *formError
	A       *indivisible.Account
	Tokens  []*indivisible.Token
	// Revoke holds one form per token not revoked.
	Revoke   map[int64]*adminForm
	NewToken *adminForm
}

func (h *handler) adminAccountPage(w http.ResponseWriter, r *http.Request) {
	h.adminAccountWith(w, r, http.StatusOK, nil)
}

func (h *handler) adminAccountWith(w http.ResponseWriter, r *http.Request, status int, fail *failure) {
	acc, _, ok := h.adminGate(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.deps.AccountService.Account(r.Context(), acc, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ts, err := h.deps.AccountService.Tokens(r.Context(), acc, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := adminAccountData{Account: acc, Notice: adminNotices[r.URL.Query().Get("done")], A: a, Tokens: ts, Revoke: map[int64]*adminForm{}}
	d.NewToken = &adminForm{ID: "new-token", Action: fmt.Sprintf("/admin/accounts/%d/tokens", id), Legend: "Create an API token", Submit: "Create the token",
		Fields: []adminField{{Name: "name", Label: "Token name", Type: "text", Hint: "where it is used, e.g. laptop or ci"}}}
	forms := []*adminForm{d.NewToken}
	for _, t := range ts {
		if t.Revoked != nil {
			continue
		}
		f := &adminForm{ID: fmt.Sprintf("revoke-token-%d", t.ID), Action: fmt.Sprintf("/admin/tokens/%d/revoke", t.ID), Legend: "Revoke token " + t.Name,
			Submit: "Revoke", Inline: true, Hidden: []hiddenInput{{"account", strconv.FormatInt(id, 10)}}, Confirm: "Sign this token out for good"}
		d.Revoke[t.ID] = f
		forms = append(forms, f)
	}
	d.Error = fill(sessionOf(r).csrf, fail, forms...)
	h.render(w, r, status, "admin-account", a.Name+" · Secretariat's desk", d)
}

// newTokenData is the page that shows a new token's secret, once.
type newTokenData struct {
	A      *indivisible.Account
	Token  *indivisible.Token
	Secret string
}

// adminCreateToken creates a token and shows its secret on the response
// itself: the secret is not stored, so no later page could show it.
func (h *handler) adminCreateToken(w http.ResponseWriter, r *http.Request) {
	s, err := readForm(w, r, maxAdminBytes)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	t, secret, err := h.deps.AccountService.CreateToken(ctx, s.account, id, strings.TrimSpace(r.PostFormValue("name")))
	switch indivisible.ErrorCode(err) {
	case "":
	case indivisible.EINVALID:
		h.adminAccountWith(w, r, api.StatusCode(err), &failure{form: "new-token", values: r.PostForm, err: err})
		return
	default:
		h.fail(w, r, err)
		return
	}
	a, err := h.deps.AccountService.Account(ctx, s.account, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusCreated, "admin-token", "New token · Secretariat's desk", newTokenData{A: a, Token: t, Secret: secret})
}

func (h *handler) adminRevokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The form names its account, for the page to return to; a bad one
	// is not found, as in the path.
	h.adminAct(w, r, fmt.Sprintf("revoke-token-%d", id), func(w http.ResponseWriter, r *http.Request, status int, fail *failure) {
		r.SetPathValue("id", r.PostFormValue("account"))
		h.adminAccountWith(w, r, status, fail)
	}, func(acc *indivisible.Account) (string, error) {
		if err := confirmed(r, "revoke this token"); err != nil {
			return "", err
		}
		if err := h.deps.AccountService.RevokeToken(r.Context(), acc, id); err != nil {
			return "", err
		}
		account, err := strconv.ParseInt(r.PostFormValue("account"), 10, 64)
		if err != nil || account < 1 {
			return "/admin?done=revoked", nil
		}
		return fmt.Sprintf("/admin/accounts/%d?done=revoked#tokens", account), nil
	})
}

// A forum's desk: sessions, agenda, delegations, panel, Delphi.

type adminForumData struct {
	Account *indivisible.Account
	Notice  string
	Error   *formError
	O       *indivisible.ForumOverview
	Damaged []string
	// Accredit and End hold each delegation's forms, by its ID: accredit
	// a pending one, reject or withdraw a pending or accredited one.
	Accredit, End map[int64]*adminForm
	// Finish holds each open question's form.
	Finish                                                     map[int64]*adminForm
	NewSession, NewItem, NewDelegation, NewExpert, NewQuestion *adminForm
	RuleLabels                                                 map[string]string
}

func (h *handler) adminForumPage(w http.ResponseWriter, r *http.Request) {
	h.adminForumWith(w, r, http.StatusOK, nil)
}

func (h *handler) adminForumWith(w http.ResponseWriter, r *http.Request, status int, fail *failure) {
	acc, as, ok := h.adminGate(w, r)
	if !ok {
		return
	}
	desk, _ := h.forumDesk()
	fid, err := pathID(r, "forum")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	var dm damage
	o, err := desk.Overview(ctx, acc, fid)
	if err := dm.keep(err); err != nil {
		h.fail(w, r, err)
		return
	}
	d := adminForumData{Account: acc, Notice: adminNotices[r.URL.Query().Get("done")], O: o, Damaged: dm.report(ctx, h, r),
		Accredit: map[int64]*adminForm{}, End: map[int64]*adminForm{}, Finish: map[int64]*adminForm{}, RuleLabels: ruleLabels}
	base := fmt.Sprintf("/admin/forums/%d", fid)
	var sessions []choice
	for _, s := range o.Sessions {
		sessions = append(sessions, choice{strconv.FormatInt(s.ID, 10), s.Title})
	}
	d.NewSession = &adminForm{ID: "new-session", Action: base + "/sessions", Legend: "Add a session", Submit: "Add the session",
		Fields: []adminField{{Name: "title", Label: "Title", Type: "text", Required: true}}}
	forms := []*adminForm{d.NewSession}
	if len(sessions) > 0 {
		d.NewItem = &adminForm{ID: "new-item", Action: base + "/items", Legend: "Put an item on a session's agenda", Submit: "Put it on the agenda", Fields: []adminField{
			{Name: "session_id", Label: "Session", Type: "select", Options: sessions},
			{Name: "title", Label: "Title", Type: "text", Required: true},
			{Name: "description", Label: "Description", Type: "textarea"},
			{Name: "rule.name", Label: "Decision rule", Type: "select", Options: ruleChoices()},
			{Name: "rule.quorum", Label: "Quorum", Type: "number", Hint: "qualified majority only: the share of accredited member states present, in (0, 1]; blank is 0.5"},
			{Name: "rule.concerned", Label: "State concerned", Type: "select", Options: h.participantChoices("none", indivisible.State), Hint: "consensus minus one only: the state that cannot block"},
			{Name: "rule.deadline", Label: "Deadline (UTC)", Type: "datetime-local", Hint: "silence procedure only: the item adopts unless a member state objects before then"},
		}}
		forms = append(forms, d.NewItem)
	}
	d.NewDelegation = &adminForm{ID: "new-delegation", Action: base + "/delegations", Legend: "Register a delegation", Submit: "Register the delegation", Fields: []adminField{
		{Name: "participant", Label: "Participant", Type: "select", Options: h.participantChoices("", "")},
		{Name: "kind", Label: "Kind", Type: "select", Options: kindChoices("")},
		{Name: "name", Label: "Name", Type: "text", Required: true, Hint: "e.g. Delegation of Poland"},
		{Name: "head", Label: "Head of delegation", Type: "text", Required: true},
		{Name: "members", Label: "Members", Type: "textarea", Hint: "one per line"},
	}}
	var experts []choice
	for _, a := range as {
		if a.Role == indivisible.RoleExpert {
			experts = append(experts, choice{strconv.FormatInt(a.ID, 10), a.Name})
		}
	}
	d.NewExpert = &adminForm{ID: "new-expert", Action: base + "/experts", Legend: "Put an expert on the panel", Submit: "Add to the panel",
		Fields: []adminField{{Name: "account_id", Label: "Expert account", Type: "select", Options: experts}}}
	d.NewQuestion = &adminForm{ID: "new-question", Action: base + "/questions", Legend: "Open a Delphi question", Submit: "Open the question", Fields: []adminField{
		{Name: "parameter", Label: "Model parameter", Type: "text", Required: true, Hint: "its path, e.g. exercise_intensity, cbm.hotline, weights.NAME, dyads.AAA-BBB"},
		{Name: "text", Label: "Question", Type: "textarea", Required: true},
		{Name: "unit", Label: "Unit", Type: "text"},
		{Name: "min", Label: "Smallest answer", Type: "number", Required: true},
		{Name: "max", Label: "Largest answer", Type: "number", Required: true},
		{Name: "stop.iqr", Label: "Stop when the interquartile range is at most", Type: "number", Hint: "blank: no IQR rule"},
		{Name: "stop.stability", Label: "Stop when the median moves less than (share)", Type: "number", Hint: fmt.Sprintf("in (0, 1); blank is %g", forum.DefaultStability)},
		{Name: "stop.max_rounds", Label: "At most this many rounds", Type: "number", Hint: fmt.Sprintf("1 to 20; blank is %d", forum.DefaultMaxRounds)},
	}}
	forms = append(forms, d.NewDelegation, d.NewExpert, d.NewQuestion)
	for _, dl := range o.Delegations {
		action := fmt.Sprintf("%s/delegations/%d/status", base, dl.ID)
		if dl.Status == indivisible.Pending {
			f := &adminForm{ID: fmt.Sprintf("accredit-%d", dl.ID), Action: action, Legend: "Accredit " + dl.Name, Submit: "Accredit", Inline: true,
				Hidden: []hiddenInput{{"status", string(indivisible.Accredited)}}}
			d.Accredit[dl.ID] = f
			forms = append(forms, f)
		}
		if dl.Status == indivisible.Pending || dl.Status == indivisible.Accredited {
			var ends []choice
			if dl.Status == indivisible.Pending {
				ends = append(ends, choice{string(indivisible.Rejected), "reject"})
			}
			ends = append(ends, choice{string(indivisible.Withdrawn), "withdraw"})
			f := &adminForm{ID: fmt.Sprintf("end-%d", dl.ID), Action: action + "?form=end", Legend: "End the registration of " + dl.Name, Submit: "Apply", Inline: true,
				Fields: []adminField{{Name: "status", Label: "Act", Type: "select", Options: ends}}, Confirm: "Final: the registration cannot be restored"}
			d.End[dl.ID] = f
			forms = append(forms, f)
		}
	}
	for _, q := range o.Questions {
		if q.Status != indivisible.QuestionOpen {
			continue
		}
		f := &adminForm{ID: fmt.Sprintf("finish-%d", q.ID), Action: fmt.Sprintf("%s/questions/%d/rounds", base, q.ID), Legend: fmt.Sprintf("Finish round %d", q.Round),
			Submit: fmt.Sprintf("Finish round %d", q.Round), Inline: true, Confirm: "The round's answers are final"}
		d.Finish[q.ID] = f
		forms = append(forms, f)
	}
	d.Error = fill(sessionOf(r).csrf, fail, forms...)
	h.render(w, r, status, "admin-forum", o.Forum.Title+" · Secretariat's desk", d)
}

// forumAct is adminAct for a form of a forum's desk.
func (h *handler) forumAct(w http.ResponseWriter, r *http.Request, formID string, act func(desk indivisible.ForumService, acc *indivisible.Account, fid int64) (string, error)) {
	fid, err := pathID(r, "forum")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	desk, _ := h.forumDesk()
	h.adminAct(w, r, formID, h.adminForumWith, func(acc *indivisible.Account) (string, error) {
		to, err := act(desk, acc, fid)
		return fmt.Sprintf("/admin/forums/%d?done=%s", fid, to), err
	})
}

func (h *handler) adminCreateSession(w http.ResponseWriter, r *http.Request) {
	h.forumAct(w, r, "new-session", func(desk indivisible.ForumService, acc *indivisible.Account, fid int64) (string, error) {
		se := &indivisible.Session{ForumID: fid, Title: strings.TrimSpace(r.PostFormValue("title"))}
		return "session#sessions", desk.CreateSession(r.Context(), acc, se)
	})
}

func (h *handler) adminCreateItem(w http.ResponseWriter, r *http.Request) {
	h.forumAct(w, r, "new-item", func(desk indivisible.ForumService, acc *indivisible.Account, fid int64) (string, error) {
		sid, err1 := formInt(r, "session_id", true)
		quorum, err2 := formFloat(r, "rule.quorum", false)
		deadline, err3 := formDeadline(r, "rule.deadline")
		if err := firstErr(err1, err2, err3); err != nil {
			return "", err
		}
		it := &indivisible.AgendaItem{ForumID: fid, SessionID: sid, Title: strings.TrimSpace(r.PostFormValue("title")),
			Description: strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("description"), "\r\n", "\n")),
			Rule:        indivisible.RuleSpec{Name: r.PostFormValue("rule.name"), Quorum: quorum, Concerned: r.PostFormValue("rule.concerned"), Deadline: deadline}}
		return "item#sessions", desk.CreateItem(r.Context(), acc, it)
	})
}

func (h *handler) adminRegisterDelegation(w http.ResponseWriter, r *http.Request) {
	h.forumAct(w, r, "new-delegation", func(desk indivisible.ForumService, acc *indivisible.Account, fid int64) (string, error) {
		var members []string
		for _, m := range strings.Split(r.PostFormValue("members"), "\n") {
			if m = strings.TrimSpace(m); m != "" {
				members = append(members, m)
			}
		}
		d := &indivisible.Delegation{ForumID: fid, Participant: r.PostFormValue("participant"), Kind: indivisible.DelegationKind(r.PostFormValue("kind")),
			Name: strings.TrimSpace(r.PostFormValue("name")), Head: strings.TrimSpace(r.PostFormValue("head")), Members: members}
		return "reg#delegations", desk.RegisterDelegation(r.Context(), acc, d)
	})
}

// finalStatuses are the statuses a delegation never leaves.
var finalStatuses = []indivisible.AccreditationStatus{indivisible.Rejected, indivisible.Withdrawn}

func (h *handler) adminDelegationStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The accredit button and the reject-or-withdraw form post here; an
	// error belongs to the form that sent it.
	form := fmt.Sprintf("accredit-%d", id)
	if r.URL.Query().Get("form") == "end" {
		form = fmt.Sprintf("end-%d", id)
	}
	h.forumAct(w, r, form, func(desk indivisible.ForumService, acc *indivisible.Account, fid int64) (string, error) {
		next := indivisible.AccreditationStatus(r.PostFormValue("status"))
		if slices.Contains(finalStatuses, next) {
			if err := confirmed(r, string(next)+" the delegation"); err != nil {
				return "", err
			}
		}
		_, err := desk.SetDelegationStatus(r.Context(), acc, fid, id, next)
		return "status#delegations", err
	})
}

func (h *handler) adminAddExpert(w http.ResponseWriter, r *http.Request) {
	h.forumAct(w, r, "new-expert", func(desk indivisible.ForumService, acc *indivisible.Account, fid int64) (string, error) {
		id, err := formInt(r, "account_id", true)
		if err != nil {
			return "", err
		}
		_, err = desk.AddExpert(r.Context(), acc, fid, id)
		return "expert#panel", err
	})
}

func (h *handler) adminCreateQuestion(w http.ResponseWriter, r *http.Request) {
	h.forumAct(w, r, "new-question", func(desk indivisible.ForumService, acc *indivisible.Account, fid int64) (string, error) {
		lo, err1 := formFloat(r, "min", true)
		hi, err2 := formFloat(r, "max", true)
		iqr, err3 := formFloat(r, "stop.iqr", false)
		stab, err4 := formFloat(r, "stop.stability", false)
		rounds, err5 := formInt(r, "stop.max_rounds", false)
		if err := firstErr(err1, err2, err3, err4, err5); err != nil {
			return "", err
		}
		// The service bounds the rounds; this only keeps a huge number
		// from wrapping where int has 32 bits.
		if rounds > math.MaxInt32 || rounds < math.MinInt32 {
			return "", indivisible.Invalid("stop.max_rounds", "must be 1 to 20")
		}
		q := &indivisible.Question{ForumID: fid, Parameter: strings.TrimSpace(r.PostFormValue("parameter")),
			Text: strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n")), Unit: strings.TrimSpace(r.PostFormValue("unit")),
			Min: lo, Max: hi, Stop: indivisible.StoppingRule{IQR: iqr, Stability: stab, MaxRounds: int(rounds)}}
		return "question#delphi", desk.CreateQuestion(r.Context(), acc, q)
	})
}

func (h *handler) adminFinishRound(w http.ResponseWriter, r *http.Request) {
	qid, err := pathID(r, "question")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.forumAct(w, r, fmt.Sprintf("finish-%d", qid), func(desk indivisible.ForumService, acc *indivisible.Account, fid int64) (string, error) {
		if err := confirmed(r, "finish the round"); err != nil {
			return "", err
		}
		_, err := desk.FinishRound(r.Context(), acc, fid, qid)
		return "round#delphi", err
	})
}
