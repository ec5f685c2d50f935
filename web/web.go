// Package web is the browser interface: html/template pages over embedded
// templates, enhanced with vendored htmx, and a map of Eurasia drawn in the
// browser with vendored d3-geo from world-atlas 50m. There is no front-end
// build step: go build embeds everything under templates/ and static/.
//
// Pages work without JavaScript where they can: tables and forms are plain
// HTML, and the map only adds to them.
package web

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
)

//go:embed templates
var templateFS embed.FS

// Deps is what the pages need. Scenario and Assessor are required; the
// Exchange and Log pages appear when Exchange, Ledger and Accounts are set,
// and the Forum pages when Forum is set too.
type Deps struct {
	// Scenario names the participants and holds the organisations'
	// memberships.
	Scenario *indivisible.Scenario
	// Assessor assesses proposals; the overview shows the baseline, which is
	// the assessment of the empty proposal, so that the pages and the API
	// have one source of numbers.
	Assessor indivisible.Assessor
	// Explainer says why a state has its baseline risk, on its page
	// (/state/{code}): the pairs that contribute most and each feature's
	// term. Nil uses the Assessor if it explains too (model.System does),
	// else the page shows the baseline's numbers alone.
	Explainer indivisible.Explainer
	// Exchange files declarations and computes the regime's findings
	// (*exchange.Service): the Exchange page files through it, as the API
	// does.
	Exchange indivisible.ExchangeService
	// Ledger is the tamper-evident log (*ledger.Log).
	Ledger Ledger
	// Accounts authenticates the API tokens delegations sign in with
	// (indivisible.AccountStore).
	Accounts Authenticator
	// AccountService manages accounts, tokens and keys
	// (*accounts.Service): the secretariat's desk (/admin) acts through
	// it, as the API does, and appears when it is set.
	AccountService indivisible.AccountService
	// Forum is the expert forum (*forum.Service). The pages read and act
	// through it with the signed-in account, as the API does, so that a
	// position taken in the browser passes the same checks, and reaches
	// the same log, as one taken through the API or the CLI.
	Forum indivisible.ForumService
	// PublicURL is where the users reach the service (serve's
	// -public-url), when a proxy in front of it terminates TLS or
	// rewrites the host; nil means the request's own scheme and host. An
	// https URL makes the session cookie Secure, and the log pages name
	// it in their audit commands.
	PublicURL *url.URL
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
	// Now is the clock (the calendar marks today); nil is time.Now.
	Now func() time.Time
	// Version is the build's version, as "indivisible version" prints
	// it, shown in every page's footer; "" leaves it out.
	Version string
}

// handler serves the pages. Each page lives in its own file as a method
// and a template; routes lists them all.
type handler struct {
	deps     Deps
	mux      *http.ServeMux
	nav      []navLink
	names    map[string]string // participant code -> name
	sessions *sessions
	now      func() time.Time
}

// NewHandler returns the web interface's handler. It serves the pages at
// "/" and below (with its own 404 page) and the embedded assets at
// /static/. Mount it as the server mux's "/" pattern, so that the API's
// more specific patterns (/api/v1/, /log/checkpoint, /log/key, /log/tile/,
// /healthz, /metrics) win:
//
//	mux.Handle("/", web.NewHandler(web.Deps{Scenario: s, Assessor: sys, Explainer: sys, Logger: logger,
//		Exchange: exchangeService, Ledger: log, Accounts: store, Forum: forumService}))
//
// The log entry page fetches the log's key from /log/key, which the API
// server serves next to the pages.
//
// A new page is one file with its handler method, one template in
// templates/, one line in routes and one in nav.
func NewHandler(deps Deps) http.Handler {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{deps: deps, mux: http.NewServeMux(), names: map[string]string{}, now: deps.Now}
	if h.now == nil {
		h.now = time.Now
	}
	h.sessions = newSessions(12*time.Hour, h.now)
	for _, l := range nav {
		if l.on == nil || l.on(h) {
			h.nav = append(h.nav, l)
		}
	}
	for _, p := range deps.Scenario.Participants {
		h.names[p.Code] = p.Name
	}
	h.routes()
	// Compress the atlas before the first browser asks for it.
	go static[atlasFile].gzipped()
	// Browsers say where a POST comes from (Sec-Fetch-Site, Origin): a
	// form posted from another site is refused before any handler runs,
	// which also covers the sign-in form, where there is no session yet to
	// hold a CSRF token.
	var root http.Handler = h.mux
	if h.exchangeOn() {
		root = h.withSession(root)
	}
	return securityHeaders(bundle.Middleware(http.NewCrossOriginProtection().Handler(root)))
}

// navLink is an entry of the navigation bar.
type navLink struct {
	// Label is the catalog key of the entry's name.
	Path, Label string
	// on reports whether the page has its dependencies (nil: always).
	on func(*handler) bool
}

// nav lists the pages in the navigation bar, in order.
var nav = []navLink{
	{"/", "nav.overview", nil},
	{"/assess", "nav.assess", nil},
	{"/exchange", "nav.exchange", (*handler).exchangeOn},
	{"/forum", "nav.forum", (*handler).forumOn},
	{"/log", "nav.log", (*handler).exchangeOn},
}

// routes registers every route in one place.
func (h *handler) routes() {
	h.mux.HandleFunc("GET /{$}", h.overview)
	h.mux.HandleFunc("GET /assess", h.assessPage)
	h.mux.HandleFunc("POST /assess", h.assessSubmit)
	h.mux.HandleFunc("POST /assess/result.json", h.assessDownload)
	h.mux.HandleFunc("GET /state/{code}", h.statePage)
	h.mux.HandleFunc("GET /docs/exchange", h.docsPage)
	if h.exchangeOn() {
		h.mux.HandleFunc("GET /exchange", h.exchangePage)
		h.mux.HandleFunc("POST /exchange/compose", h.composeDecl)
		h.mux.HandleFunc("POST /exchange/declarations", h.fileDeclaration)
		h.mux.HandleFunc("POST /signin", h.signIn)
		h.mux.HandleFunc("POST /signout", h.signOut)
		h.mux.HandleFunc("GET /log", h.logPage)
		h.mux.HandleFunc("GET /log/entry/{index}", h.logEntry)
	}
	if h.forumOn() {
		h.mux.HandleFunc("GET /forum", h.forumIndex)
		h.mux.HandleFunc("GET /forum/{forum}", h.forumPage)
		h.mux.HandleFunc("GET /forum/{forum}/items/{item}", h.forumItem)
		h.mux.HandleFunc("POST /forum/{forum}/items/{item}/positions", h.takePosition)
		h.mux.HandleFunc("POST /forum/{forum}/items/{item}/positions/body", h.positionBody)
		h.mux.HandleFunc("POST /forum/{forum}/items/{item}/versions", h.tableVersion)
		h.mux.HandleFunc("GET /forum/{forum}/items/{item}/outcome", h.outcomePage)
		h.mux.HandleFunc("POST /forum/{forum}/items/{item}/close", h.closeItem)
		h.mux.HandleFunc("POST /forum/{forum}/items/{item}/comments", h.postComment)
		h.mux.HandleFunc("POST /forum/{forum}/items/{item}/floor", h.requestFloor)
		h.mux.HandleFunc("GET /forum/{forum}/questions/{question}", h.forumQuestion)
		h.mux.HandleFunc("POST /forum/{forum}/questions/{question}/answers", h.answerQuestion)
	}
	h.adminRoutes()
	h.mux.Handle("GET /static/", static)
	h.mux.HandleFunc("/", h.notFound)
}

// securityHeaders sets a strict content security policy: every script and
// style is served from /static/, none is inline.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// pages holds one template set per page: the layout, the shared partials
// and the page's own file. Parsing at start-up means a broken template
// stops the program at once (and fails the tests), never a request.
var pages = parsePages()

func parsePages() map[string]*template.Template {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	t := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "partials" || name == "admin-form" || name == "builder" || name == "ledger-messages" {
			continue
		}
		shared := []string{"templates/layout.html", "templates/partials.html"}
		// The pages that load ledger.js carry its messages.
		if slices.Contains(pageScripts[name], "ledger.js") {
			shared = append(shared, "templates/ledger-messages.html")
		}
		// The desk's pages share its form.
		if strings.HasPrefix(name, "admin") {
			shared = append(shared, "templates/admin-form.html")
		}
		// The Assess page and the item page's tabling form share the
		// measure builder.
		if name == "assess" || name == "item" {
			shared = append(shared, "templates/builder.html")
		}
		t[name] = template.Must(template.New(name).Funcs(funcs).Funcs(placeholderFuncs).ParseFS(templateFS, append(shared, f)...))
	}
	return t
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"asset":  assetURL,
	"num":    func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) },
	"join":   strings.Join,
	"label":  label,
	"mul100": func(v float64) float64 { return v * 100 },
	"short":  short,
	// risk is the annual risk, in per cent, of a security (the
	// probability of facing no militarized dispute in a year); pp formats
	// a change in percentage points.
	"risk": func(security float64) float64 { return 100 * (1 - security) },
	"pp":   ppText,
	// quantity formats a holding or a deployment: 14 500.
	"quantity": quantity,
	// term and effect show a term of a pair's log-odds and which way it
	// moves the risk.
	"term":   termText,
	"effect": effectText,
	// code and span wrap text in an element, as arguments of a TH
	// message: {{TH "footer.basis" "model" (code "docs/model.md")}}.
	"code": func(s string) template.HTML {
		return template.HTML("<code>" + template.HTMLEscapeString(s) + "</code>")
	},
	"strong": func(s string) template.HTML {
		return template.HTML("<strong>" + template.HTMLEscapeString(s) + "</strong>")
	},
	"em": func(s string) template.HTML {
		return template.HTML("<em>" + template.HTMLEscapeString(s) + "</em>")
	},
	// link is a link as an argument of a TH message.
	"link": func(href, s string) template.HTML {
		return template.HTML(`<a href="` + template.HTMLEscapeString(href) + `">` + template.HTMLEscapeString(s) + "</a>")
	},
	"span": func(id, s string) template.HTML {
		return template.HTML(`<span id="` + template.HTMLEscapeString(id) + `">` + template.HTMLEscapeString(s) + "</span>")
	},
}

// exchangeOn reports whether the Exchange and Log pages have what they
// need.
func (h *handler) exchangeOn() bool {
	return h.deps.Exchange != nil && h.deps.Ledger != nil && h.deps.Accounts != nil
}

// mapPages are the pages that draw a map, and so load d3 and the atlas.
var mapPages = map[string]bool{"overview": true, "assess": true, "item": true}

// pageScripts are the scripts a page loads beyond app.js.
var pageScripts = map[string][]string{"exchange": {"ledger.js"}, "entry": {"ledger.js"}, "item": {"ledger.js"}, "admin-token": {"admin.js"}}

// view is what the layout sees; Data is the page's own.
type view struct {
	// Lang is the page's language (<html lang>); Languages the header's
	// language switch.
	Lang      string
	Languages []langLink
	Title     string
	Path      string
	Nav       []navLink
	Scenario  string
	Map       bool
	Scripts   []string
	// Account is the signed-in account, or nil.
	Account *indivisible.Account
	// SignIn offers a sign-in link: delegations can sign in.
	SignIn bool
	// Desk links the secretariat's desk: the account may use it.
	Desk bool
	// CSRF is the session's CSRF token, for the header's sign-out form;
	// Here is the page's path and query, where signing in or out returns
	// to ("" for a page shown in answer to a POST).
	CSRF, Here string
	// Version is Deps.Version, for the footer.
	Version string
	Data    any
}

// Current reports whether the nav entry at p is the page shown (or,
// for a page below it such as /log/entry/5, its parent).
func (v view) Current(p string) bool {
	return v.Path == p || p != "/" && strings.HasPrefix(v.Path, p+"/")
}

// render writes a page. It renders into a buffer first, so that a template
// error gives a clean 500 rather than half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	b, err := h.execute(r, page, title, data)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeHTML(w, r, status, b)
}

func (h *handler) execute(r *http.Request, page, title string, data any) ([]byte, error) {
	var buf bytes.Buffer
	l := loc(r)
	v := view{Lang: l.Tag().String(), Languages: languageLinks(r, l.Tag()), Title: title, Path: r.URL.Path, Nav: h.nav, Scenario: h.deps.Scenario.Name, Map: mapPages[page], Scripts: pageScripts[page], SignIn: h.exchangeOn(), Version: h.deps.Version, Data: data}
	// A page shown in answer to a POST has no address to come back to.
	if r.Method == http.MethodGet {
		v.Here = r.URL.RequestURI()
	}
	if s := sessionOf(r); s != nil {
		v.Account, v.Desk, v.CSRF = s.account, h.deskLink(s.account), s.csrf
	}
	err := langPages[l.Tag()][page].ExecuteTemplate(&buf, "layout", v)
	return buf.Bytes(), err
}

// writeHTML writes a page, gzipped when the client takes it: pages are
// tables of a hundred states and shrink about tenfold.
func writeHTML(w http.ResponseWriter, r *http.Request, status int, page []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		page = gzipBytes(page)
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	w.Write(page)
}

// writeJSONFile sends v as an indented JSON file to download. The whole
// document is encoded before the status line is written, so that a value
// that does not encode (a NaN, an infinity) is a 500 error page, never a
// 200 with an empty or partial file.
func (h *handler) writeJSONFile(w http.ResponseWriter, r *http.Request, filename string, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		// Not an *indivisible.Error: the page says "internal error", the
		// log says which value.
		h.fail(w, r, fmt.Errorf("encoding %s: %w", filename, err))
		return
	}
	b = append(b, '\n')
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// errorData is the error page's content.
type errorData struct {
	Status  int
	Message string
}

// fail shows an error page with the status of err's code. Internal errors
// are logged and shown without detail.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := api.StatusCode(err)
	if indivisible.ErrorCode(err) == indivisible.EINTERNAL {
		h.deps.Logger.ErrorContext(r.Context(), "web", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	b, err := h.execute(r, "error", loc(r).T("assess.status."+strconv.Itoa(status)), errorData{status, indivisible.ErrorMessage(err)})
	if err != nil {
		http.Error(w, http.StatusText(status), status)
		return
	}
	writeHTML(w, r, status, b)
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, indivisible.Errorf(indivisible.ENOTFOUND, "%s", loc(r).T("error.no_page", "path", r.URL.Path)))
}

// name returns a participant's name, or its code if it has none.
func (h *handler) name(code string) string {
	return cmp.Or(h.names[code], code)
}
