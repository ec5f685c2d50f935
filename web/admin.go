package web

import (
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
	"github.com/indivisible-eurasia/indivisible/i18n"
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
// act is the act in the request's language, as the message's verb phrase
// ("revoke this token").
func confirmed(r *http.Request, act string) error {
	if r.PostFormValue(confirmField) != "yes" {
		return indivisible.Invalid(confirmField, "%s", loc(r).T("admin.error.confirm", "act", act))
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
		return 0, indivisible.Invalid(name, "%s", loc(r).T("admin.error.whole_number"))
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
		return 0, indivisible.Invalid(name, "%s", loc(r).T("admin.error.number"))
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
			return nil, indivisible.Invalid(name, "%s", loc(r).T("admin.error.date_time"))
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

// Choices and labels.

// deskText gives the desk's pages their words for the services' codes
// (roles, delegation kinds, decision rules, statuses), in the request's
// language. The page data embed it, so that a template writes
// {{$.Role .Role}}; a code it does not know shows as it is.
type deskText struct{ l *i18n.Localizer }

// Role, Kind, Rule and Accreditation name an account's role, a
// delegation's kind, a decision rule and an accreditation status, in the
// words the forum's pages use too; a code the catalogs lack shows as its
// words.
func (d deskText) Role(r indivisible.AccountRole) string { return d.word("forum.role.", string(r)) }

func (d deskText) Kind(k indivisible.DelegationKind) string {
	return d.word("forum.delegation_kind.", string(k))
}

func (d deskText) Rule(name string) string { return d.word("rule.", name) }

func (d deskText) Accreditation(s indivisible.AccreditationStatus) string {
	return d.word("forum.accreditation.", string(s))
}

// word is the catalog's name of a code in a family of keys.
func (d deskText) word(family, code string) string {
	if code == "" {
		return ""
	}
	if s := d.l.T(family + code); s != family+code {
		return s
	}
	return label(code)
}

// Item names an agenda item's status.
func (d deskText) Item(s indivisible.ItemStatus) string {
	return d.openClosed(string(s), string(indivisible.ItemOpen), string(indivisible.ItemClosed))
}

// Question names a Delphi question's status.
func (d deskText) Question(s indivisible.QuestionStatus) string {
	return d.openClosed(string(s), string(indivisible.QuestionOpen), string(indivisible.QuestionClosed))
}

// openClosed names a status that is open or closed, as agenda items and
// Delphi questions have.
func (d deskText) openClosed(s, open, closed string) string {
	switch s {
	case open:
		return d.l.T("admin.status.open")
	case closed:
		return d.l.T("admin.status.closed")
	}
	return s
}

func (d deskText) roleChoices() []choice {
	return []choice{
		{string(indivisible.RoleDelegation), d.Role(indivisible.RoleDelegation)},
		{string(indivisible.RoleExpert), d.Role(indivisible.RoleExpert)},
		{string(indivisible.RolePublic), d.l.T("admin.role.public_choice")},
		{string(indivisible.RoleSecretariat), d.Role(indivisible.RoleSecretariat)},
	}
}

func (d deskText) kindChoices(blank string) []choice {
	var cs []choice
	if blank != "" {
		cs = append(cs, choice{"", blank})
	}
	for _, k := range indivisible.DelegationKinds {
		cs = append(cs, choice{string(k), d.Kind(k)})
	}
	return cs
}

func (d deskText) ruleChoices() []choice {
	var cs []choice
	for _, n := range forum.RuleNames() {
		cs = append(cs, choice{n, d.Rule(n)})
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

// notice is the notice a redirect after a successful post asks for
// (?done=KEY): fixed sentences, so that no link can make the page say
// anything else.
func (d deskText) notice(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "account":
		return d.l.T("admin.notice.account")
	case "revoked":
		return d.l.T("admin.notice.revoked")
	case "key":
		return d.l.T("admin.notice.key")
	case "key-off":
		return d.l.T("admin.notice.key_off")
	case "forum":
		return d.l.T("admin.notice.forum")
	case "session":
		return d.l.T("admin.notice.session")
	case "item":
		return d.l.T("admin.notice.item")
	case "reg":
		return d.l.T("admin.notice.reg")
	case "status":
		return d.l.T("admin.notice.status")
	case "expert":
		return d.l.T("admin.notice.expert")
	case "question":
		return d.l.T("admin.notice.question")
	case "round":
		return d.l.T("admin.notice.round")
	}
	return ""
}

// The desk's main page: accounts, keys, forums.

type adminData struct {
	deskText
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
		h.render(w, r, http.StatusUnauthorized, "admin-signin", loc(r).T("admin.title.sign_in"), signInData{Next: r.URL.Path})
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
	l := loc(r)
	d := adminData{deskText: deskText{l}, Account: acc, Accounts: as, Keys: keys, RevokeKey: map[string]*adminForm{}}
	d.Notice = d.notice(r)
	d.NewAccount = &adminForm{ID: "new-account", Action: "/admin/accounts", Legend: l.T("admin.new_account.legend"), Submit: l.T("admin.new_account.submit"), Fields: []adminField{
		{Name: "name", Label: l.T("admin.label.name"), Type: "text", Required: true, Hint: l.T("admin.hint.account_name")},
		{Name: "role", Label: l.T("admin.label.role"), Type: "select", Options: d.roleChoices()},
		{Name: "participant", Label: l.T("admin.label.participant"), Type: "select", Options: h.participantChoices(l.T("admin.choice.none"), ""), Hint: l.T("admin.hint.account_participant")},
		{Name: "kind", Label: l.T("admin.label.delegation_kind"), Type: "select", Options: d.kindChoices(l.T("admin.choice.not_a_delegation")), Hint: l.T("admin.hint.delegations_only")},
	}}
	d.NewKey = &adminForm{ID: "new-key", Action: "/admin/keys", Legend: l.T("admin.new_key.legend"), Submit: l.T("admin.new_key.submit"), Fields: []adminField{
		{Name: "participant", Label: l.T("admin.label.participant"), Type: "select", Options: h.participantChoices("", "")},
		{Name: "public_key", Label: l.T("admin.label.public_key"), Type: "textarea", Required: true, Hint: l.T("admin.hint.public_key")},
	}}
	forms := []*adminForm{d.NewAccount, d.NewKey}
	for _, k := range keys {
		if k.RevokedFrom != 0 {
			continue
		}
		// The index is a log entry's number, written as the input
		// takes it: without digit grouping.
		f := &adminForm{ID: "revoke-key-" + k.Name, Action: "/admin/keys/" + url.PathEscape(k.Name) + "/revoke", Legend: l.T("admin.revoke_key.legend", "key", k.Name),
			Submit: l.T("admin.revoke.submit"), Inline: true,
			Fields: []adminField{{Name: "from", Label: l.T("admin.label.from_index"), Type: "number", Required: true,
				Hint: l.T("admin.hint.after_index", "index", strconv.FormatInt(k.RegisteredAt, 10))}},
			Confirm: l.T("admin.revoke_key.confirm")}
		d.RevokeKey[k.Name] = f
		forms = append(forms, f)
	}
	if desk, ok := h.forumDesk(); ok {
		d.ForumsOn = true
		if d.Forums, err = desk.Forums(ctx, acc); err != nil {
			h.fail(w, r, err)
			return
		}
		d.NewForum = &adminForm{ID: "new-forum", Action: "/admin/forums", Legend: l.T("admin.new_forum.legend"), Submit: l.T("admin.new_forum.submit"), Fields: []adminField{
			{Name: "title", Label: l.T("admin.label.title"), Type: "text", Required: true},
			{Name: "description", Label: l.T("admin.label.description"), Type: "textarea"},
		}}
		forms = append(forms, d.NewForum)
	}
	d.Error = fill(sessionOf(r).csrf, fail, forms...)
	h.render(w, r, status, "admin", l.T("nav.secretariat_desk"), d)
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
		if err = firstErr(err, confirmed(r, loc(r).T("admin.act.revoke_key", "key", name))); err != nil {
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
	deskText
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
	l := loc(r)
	d := adminAccountData{deskText: deskText{l}, Account: acc, A: a, Tokens: ts, Revoke: map[int64]*adminForm{}}
	d.Notice = d.notice(r)
	d.NewToken = &adminForm{ID: "new-token", Action: fmt.Sprintf("/admin/accounts/%d/tokens", id), Legend: l.T("admin.new_token.legend"), Submit: l.T("admin.new_token.submit"),
		Fields: []adminField{{Name: "name", Label: l.T("admin.label.token_name"), Type: "text", Hint: l.T("admin.hint.token_name")}}}
	forms := []*adminForm{d.NewToken}
	for _, t := range ts {
		if t.Revoked != nil {
			continue
		}
		f := &adminForm{ID: fmt.Sprintf("revoke-token-%d", t.ID), Action: fmt.Sprintf("/admin/tokens/%d/revoke", t.ID), Legend: l.T("admin.revoke_token.legend", "token", t.Name),
			Submit: l.T("admin.revoke.submit"), Inline: true, Hidden: []hiddenInput{{"account", strconv.FormatInt(id, 10)}}, Confirm: l.T("admin.revoke_token.confirm")}
		d.Revoke[t.ID] = f
		forms = append(forms, f)
	}
	d.Error = fill(sessionOf(r).csrf, fail, forms...)
	h.render(w, r, status, "admin-account", l.T("admin.title.page", "name", a.Name), d)
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
	h.render(w, r, http.StatusCreated, "admin-token", loc(r).T("admin.title.new_token"), newTokenData{A: a, Token: t, Secret: secret})
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
		if err := confirmed(r, loc(r).T("admin.act.revoke_token")); err != nil {
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
	deskText
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
	l := loc(r)
	d := adminForumData{deskText: deskText{l}, Account: acc, O: o, Damaged: dm.report(ctx, h, r),
		Accredit: map[int64]*adminForm{}, End: map[int64]*adminForm{}, Finish: map[int64]*adminForm{}}
	d.Notice = d.notice(r)
	base := fmt.Sprintf("/admin/forums/%d", fid)
	var sessions []choice
	for _, s := range o.Sessions {
		sessions = append(sessions, choice{strconv.FormatInt(s.ID, 10), s.Title})
	}
	d.NewSession = &adminForm{ID: "new-session", Action: base + "/sessions", Legend: l.T("admin.new_session.legend"), Submit: l.T("admin.new_session.submit"),
		Fields: []adminField{{Name: "title", Label: l.T("admin.label.title"), Type: "text", Required: true}}}
	forms := []*adminForm{d.NewSession}
	if len(sessions) > 0 {
		d.NewItem = &adminForm{ID: "new-item", Action: base + "/items", Legend: l.T("admin.new_item.legend"), Submit: l.T("admin.new_item.submit"), Fields: []adminField{
			{Name: "session_id", Label: l.T("admin.label.session"), Type: "select", Options: sessions},
			{Name: "title", Label: l.T("admin.label.title"), Type: "text", Required: true},
			{Name: "description", Label: l.T("admin.label.description"), Type: "textarea"},
			{Name: "rule.name", Label: l.T("admin.label.rule"), Type: "select", Options: d.ruleChoices()},
			{Name: "rule.quorum", Label: l.T("admin.label.quorum"), Type: "number", Hint: l.T("admin.hint.quorum")},
			{Name: "rule.concerned", Label: l.T("admin.label.concerned"), Type: "select", Options: h.participantChoices(l.T("admin.choice.none"), indivisible.State), Hint: l.T("admin.hint.concerned")},
			{Name: "rule.deadline", Label: l.T("admin.label.deadline"), Type: "datetime-local", Hint: l.T("admin.hint.deadline")},
		}}
		forms = append(forms, d.NewItem)
	}
	d.NewDelegation = &adminForm{ID: "new-delegation", Action: base + "/delegations", Legend: l.T("admin.new_delegation.legend"), Submit: l.T("admin.new_delegation.submit"), Fields: []adminField{
		{Name: "participant", Label: l.T("admin.label.participant"), Type: "select", Options: h.participantChoices("", "")},
		{Name: "kind", Label: l.T("admin.label.kind"), Type: "select", Options: d.kindChoices("")},
		{Name: "name", Label: l.T("admin.label.delegation_name"), Type: "text", Required: true, Hint: l.T("admin.hint.delegation_name")},
		{Name: "head", Label: l.T("admin.label.head"), Type: "text", Required: true},
		{Name: "members", Label: l.T("admin.label.members"), Type: "textarea", Hint: l.T("admin.hint.members")},
	}}
	var experts []choice
	for _, a := range as {
		if a.Role == indivisible.RoleExpert {
			experts = append(experts, choice{strconv.FormatInt(a.ID, 10), a.Name})
		}
	}
	d.NewExpert = &adminForm{ID: "new-expert", Action: base + "/experts", Legend: l.T("admin.new_expert.legend"), Submit: l.T("admin.new_expert.submit"),
		Fields: []adminField{{Name: "account_id", Label: l.T("admin.label.expert_account"), Type: "select", Options: experts}}}
	// The defaults are written as the inputs take numbers, with a
	// decimal point, whatever the language.
	d.NewQuestion = &adminForm{ID: "new-question", Action: base + "/questions", Legend: l.T("admin.new_question.legend"), Submit: l.T("admin.new_question.submit"), Fields: []adminField{
		{Name: "parameter", Label: l.T("admin.label.parameter"), Type: "text", Required: true, Hint: l.T("admin.hint.parameter")},
		{Name: "text", Label: l.T("admin.label.question"), Type: "textarea", Required: true},
		{Name: "unit", Label: l.T("admin.label.unit"), Type: "text"},
		{Name: "min", Label: l.T("admin.label.min"), Type: "number", Required: true},
		{Name: "max", Label: l.T("admin.label.max"), Type: "number", Required: true},
		{Name: "stop.iqr", Label: l.T("admin.label.stop_iqr"), Type: "number", Hint: l.T("admin.hint.stop_iqr")},
		{Name: "stop.stability", Label: l.T("admin.label.stop_stability"), Type: "number",
			Hint: l.T("admin.hint.stop_stability", "default", strconv.FormatFloat(forum.DefaultStability, 'g', -1, 64))},
		{Name: "stop.max_rounds", Label: l.T("admin.label.stop_max_rounds"), Type: "number",
			Hint: l.T("admin.hint.stop_max_rounds", "default", strconv.Itoa(forum.DefaultMaxRounds))},
	}}
	forms = append(forms, d.NewDelegation, d.NewExpert, d.NewQuestion)
	for _, dl := range o.Delegations {
		action := fmt.Sprintf("%s/delegations/%d/status", base, dl.ID)
		if dl.Status == indivisible.Pending {
			f := &adminForm{ID: fmt.Sprintf("accredit-%d", dl.ID), Action: action, Legend: l.T("admin.accredit.legend", "delegation", dl.Name), Submit: l.T("admin.accredit.submit"), Inline: true,
				Hidden: []hiddenInput{{"status", string(indivisible.Accredited)}}}
			d.Accredit[dl.ID] = f
			forms = append(forms, f)
		}
		if dl.Status == indivisible.Pending || dl.Status == indivisible.Accredited {
			var ends []choice
			if dl.Status == indivisible.Pending {
				ends = append(ends, choice{string(indivisible.Rejected), l.T("admin.end.reject")})
			}
			ends = append(ends, choice{string(indivisible.Withdrawn), l.T("admin.end.withdraw")})
			f := &adminForm{ID: fmt.Sprintf("end-%d", dl.ID), Action: action + "?form=end", Legend: l.T("admin.end.legend", "delegation", dl.Name), Submit: l.T("admin.end.submit"), Inline: true,
				Fields: []adminField{{Name: "status", Label: l.T("admin.label.act"), Type: "select", Options: ends}}, Confirm: l.T("admin.end.confirm")}
			d.End[dl.ID] = f
			forms = append(forms, f)
		}
	}
	for _, q := range o.Questions {
		if q.Status != indivisible.QuestionOpen {
			continue
		}
		finish := l.T("admin.finish.submit", "round", q.Round)
		f := &adminForm{ID: fmt.Sprintf("finish-%d", q.ID), Action: fmt.Sprintf("%s/questions/%d/rounds", base, q.ID), Legend: finish,
			Submit: finish, Inline: true, Confirm: l.T("admin.finish.confirm")}
		d.Finish[q.ID] = f
		forms = append(forms, f)
	}
	d.Error = fill(sessionOf(r).csrf, fail, forms...)
	h.render(w, r, status, "admin-forum", l.T("admin.title.page", "name", o.Forum.Title), d)
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
			act := loc(r).T("admin.act.withdraw")
			if next == indivisible.Rejected {
				act = loc(r).T("admin.act.reject")
			}
			if err := confirmed(r, act); err != nil {
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
			return "", indivisible.Invalid("stop.max_rounds", "%s", loc(r).T("admin.error.max_rounds"))
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
		if err := confirmed(r, loc(r).T("admin.act.finish_round")); err != nil {
			return "", err
		}
		_, err := desk.FinishRound(r.Context(), acc, fid, qid)
		return "round#delphi", err
	})
}
