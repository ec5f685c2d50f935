package web

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/exchange"
)

// Exchange files declarations and computes the regime's findings
// (*exchange.Service).
type Exchange interface {
	// Submit checks a signed declaration and appends it to the log.
	Submit(ctx context.Context, body []byte, keyName string, sig []byte) (*exchange.Submission, error)
	// Findings returns the findings over the whole log and the log size
	// they were computed at.
	Findings(ctx context.Context) ([]indivisible.Finding, int64, error)
}

// maxShownDeclarations caps the declarations table; the filters narrow it.
const maxShownDeclarations = 200

// exchangeFilter is the declarations table's filter, from the query.
type exchangeFilter struct {
	Participant string
	Kind        string
	// Findings keeps only the declarations with findings.
	Findings bool
}

// declRow is a row of the declarations table.
type declRow struct {
	Index       int64
	Time        string
	Participant string
	Name        string
	Kind        string
	Summary     string
	Findings    []indivisible.Finding
	// Superseded says a later correction replaces or withdraws it.
	Superseded string
}

// fileForm is the filing form as typed.
type fileForm struct {
	Declaration string
	Signature   string
}

// filedView is a declaration just accepted into the log.
type filedView struct {
	Index    int64
	Time     string
	Proof    string
	Findings []indivisible.Finding
}

// exchangeState is what a POST adds to the page: an error or a result.
type exchangeState struct {
	signInError error
	// next is the page a failed sign-in came from, to return to.
	next      string
	form      fileForm
	fileError error
	filed     *filedView
}

type exchangeData struct {
	Filter       exchangeFilter
	Participants []choice
	Kinds        []choice
	Rows         []declRow
	Matching     int
	LogSize      int64
	FindingCount int
	Calendar     calendar
	Transfers    []transferRow

	Account     *indivisible.Account
	CanFile     bool
	CSRF        string
	SignedOut   bool
	SignInError *formError
	// Next is where signing in returns to: "" for the Exchange page
	// itself, or the page a failed sign-in came from.
	Next      string
	Form      fileForm
	FileError *formError
	Filed     *filedView
	// Keys are the signed-in delegation's keys that may sign now.
	Keys []indivisible.Key
}

// Invalid reports whether the filing error is about field.
func (d exchangeData) Invalid(field string) bool {
	return d.FileError != nil && d.FileError.Field == field
}

// toFormError is err as a form shows it: the message, and the field to
// mark.
func toFormError(err error) *formError {
	if err == nil {
		return nil
	}
	return &formError{Field: indivisible.ErrorField(err), Message: indivisible.ErrorMessage(err)}
}

func (h *handler) exchangePage(w http.ResponseWriter, r *http.Request) {
	h.exchangeWith(w, r, http.StatusOK, exchangeState{})
}

// exchangeWith renders the Exchange page with the outcome of a POST.
func (h *handler) exchangeWith(w http.ResponseWriter, r *http.Request, status int, st exchangeState) {
	q := r.URL.Query()
	d := exchangeData{Filter: exchangeFilter{Participant: q.Get("participant"), Kind: q.Get("kind"), Findings: q.Get("findings") != ""},
		SignedOut: q.Get("signed_out") != "", Form: st.form, Filed: st.filed,
		SignInError: toFormError(st.signInError), FileError: toFormError(st.fileError), Next: st.next}
	if d.Filter.Participant != "" && h.names[d.Filter.Participant] == "" {
		h.fail(w, r, indivisible.Invalid("participant", "no participant %q in the scenario", d.Filter.Participant))
		return
	}
	if d.Filter.Kind != "" && !slices.Contains(indivisible.DeclarationKinds, indivisible.DeclarationKind(d.Filter.Kind)) {
		h.fail(w, r, indivisible.Invalid("kind", "no declaration kind %q", d.Filter.Kind))
		return
	}
	for _, err := range []error{st.signInError, st.fileError} {
		if indivisible.ErrorCode(err) == indivisible.EINTERNAL {
			h.deps.Logger.ErrorContext(r.Context(), "web: exchange", "err", err)
		}
	}
	ctx := r.Context()
	decls, size, err := h.declarations(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	findings, _, err := h.deps.Exchange.Findings(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.LogSize, d.FindingCount = size, len(findings)
	byEntry := findingsByEntry(findings)
	d.Rows, d.Matching = h.declarationRows(decls, byEntry, d.Filter)
	d.Calendar = h.newCalendar(decls, byEntry, d.Filter.Participant, h.now())
	d.Transfers = reconcile(decls, d.Filter.Participant)
	for _, k := range indivisible.DeclarationKinds {
		d.Kinds = append(d.Kinds, choice{string(k), label(string(k))})
	}
	for _, p := range h.deps.Scenario.Participants {
		if p.Kind == indivisible.State {
			d.Participants = append(d.Participants, choice{p.Code, p.Name + " (" + p.Code + ")"})
		}
	}
	if s := sessionOf(r); s != nil {
		d.Account, d.CSRF = s.account, s.csrf
		d.CanFile = s.account.Role == indivisible.RoleDelegation
		if d.CanFile {
			if d.Keys, err = h.validKeys(ctx, s.account.Participant, size); err != nil {
				h.fail(w, r, err)
				return
			}
		}
	}
	h.render(w, r, status, "exchange", "Exchange", d)
}

// validKeys lists participant's keys that may sign the log's next entry.
func (h *handler) validKeys(ctx context.Context, participant string, next int64) ([]indivisible.Key, error) {
	keys, err := h.deps.Ledger.Keys(ctx)
	return slices.DeleteFunc(keys, func(k indivisible.Key) bool {
		return k.Participant != participant || !k.ValidAt(next)
	}), err
}

// declCache holds the log's declaration entries, each decoded once as it
// first appears: a view then reads only the entries appended since the
// last one, and applies the corrections in memory.
type declCache struct {
	mu    sync.Mutex
	size  int64 // entries read so far
	items []parsed
}

// parsed is a declaration entry with its decoded body. Both are never
// modified once cached, so views can share them.
type parsed struct {
	entry indivisible.Entry
	body  *declBody
}

// declarations returns the log's declarations, oldest first, with
// corrections applied, and the log size they reflect.
func (h *handler) declarations(ctx context.Context) ([]*decl, int64, error) {
	cp, err := h.deps.Ledger.Checkpoint(ctx)
	if err != nil {
		return nil, 0, err
	}
	c := &h.decls
	c.mu.Lock()
	const chunk = 1000
	for c.size < cp.Size {
		es, err := h.deps.Ledger.Entries(ctx, c.size, min(c.size+chunk, cp.Size))
		if err != nil {
			c.mu.Unlock()
			return nil, 0, err
		}
		c.items = appendParsed(c.items, es)
		c.size += int64(len(es))
	}
	items := c.items[:len(c.items):len(c.items)]
	c.mu.Unlock()
	return applyCorrections(items), cp.Size, nil
}

// declBody is a declaration as filed, in its flat JSON form. The log
// holds only declarations that exchange.Parse accepted, so a lenient
// decoding is enough to show them.
type declBody struct {
	Kind        string `json:"kind"`
	Participant string `json:"participant"`
	Year        int    `json:"year"`

	Holdings map[string]int64 `json:"holdings"`

	Name                string   `json:"name"`
	Start               string   `json:"start"`
	End                 string   `json:"end"`
	Host                string   `json:"host"`
	ParticipatingStates []string `json:"participating_states"`
	Personnel           int64    `json:"personnel"`
	BattleTanks         int64    `json:"battle_tanks"`
	ObserversInvited    bool     `json:"observers_invited"`

	Role        string `json:"role"`
	Counterpart string `json:"counterpart"`
	Category    string `json:"category"`
	Quantity    int64  `json:"quantity"`

	Organisation string   `json:"organisation"`
	Units        []string `json:"units"`

	Corrects    int64     `json:"corrects"`
	Reason      string    `json:"reason"`
	Withdrawn   bool      `json:"withdrawn"`
	Declaration *declBody `json:"declaration"`
}

// decl is a declaration of the log with its content as corrections leave
// it: Effective is nil once withdrawn.
type decl struct {
	Entry     indivisible.Entry
	Body      *declBody
	Effective *declBody
	// CorrectedBy is the index of the latest correction of this entry, or
	// -1.
	CorrectedBy int64
}

// appendParsed appends the declaration entries of es, decoded. The log
// holds only declarations that exchange.Parse accepted, so the lenient
// decoding of declBody is enough to show them.
func appendParsed(items []parsed, es []indivisible.Entry) []parsed {
	for _, e := range es {
		var b declBody
		if e.Kind == indivisible.KindDeclaration && json.Unmarshal(e.Body, &b) == nil {
			items = append(items, parsed{e, &b})
		}
	}
	return items
}

// applyCorrections makes the declarations of decoded entries, oldest
// first, applying corrections the way the regime does: the latest
// correction's content replaces the original's.
func applyCorrections(items []parsed) []*decl {
	out := make([]*decl, 0, len(items))
	byIndex := make(map[int64]*decl, len(items))
	for _, it := range items {
		e, b := it.entry, it.body
		d := &decl{Entry: e, Body: b, Effective: b, CorrectedBy: -1}
		out = append(out, d)
		byIndex[e.Index] = d
		if b.Kind != string(indivisible.KindCorrection) {
			continue
		}
		d.Effective = nil // a correction is not itself a declaration of the regime
		if t := byIndex[b.Corrects]; t != nil && t.Body.Kind != string(indivisible.KindCorrection) && t.Entry.Participant == e.Participant {
			t.CorrectedBy = e.Index
			t.Effective = b.Declaration
		}
	}
	return out
}

// findingsByEntry indexes findings by the entries they involve, so that
// a page of many declarations looks each one's up at once (exchange.Involving
// scans them all).
func findingsByEntry(findings []indivisible.Finding) map[int64][]indivisible.Finding {
	m := map[int64][]indivisible.Finding{}
	for _, f := range findings {
		for _, e := range f.Entries {
			m[e] = append(m[e], f)
		}
	}
	return m
}

func (h *handler) declarationRows(decls []*decl, findings map[int64][]indivisible.Finding, f exchangeFilter) ([]declRow, int) {
	var rows []declRow
	matching := 0
	for _, d := range slices.Backward(decls) {
		b := d.Body
		if f.Participant != "" && d.Entry.Participant != f.Participant || f.Kind != "" && b.Kind != f.Kind {
			continue
		}
		fs := findings[d.Entry.Index]
		if f.Findings && len(fs) == 0 {
			continue
		}
		matching++
		if len(rows) == maxShownDeclarations {
			continue
		}
		row := declRow{Index: d.Entry.Index, Time: d.Entry.Time.UTC().Format("2006-01-02 15:04"), Participant: d.Entry.Participant,
			Name: h.name(d.Entry.Participant), Kind: b.Kind, Summary: h.summary(b), Findings: fs}
		switch {
		case d.CorrectedBy >= 0 && d.Effective == nil:
			row.Superseded = fmt.Sprintf("withdrawn by entry %d", d.CorrectedBy)
		case d.CorrectedBy >= 0:
			row.Superseded = fmt.Sprintf("corrected by entry %d", d.CorrectedBy)
		}
		rows = append(rows, row)
	}
	return rows, matching
}

// summary says in a line what a declaration reports.
func (h *handler) summary(b *declBody) string {
	switch indivisible.DeclarationKind(b.Kind) {
	case indivisible.KindAnnualExchange:
		return fmt.Sprintf("holdings as of 1 January %d: %s", b.Year, holdingsText(b.Holdings))
	case indivisible.KindExerciseNotification:
		name := cmp.Or(b.Name, "unnamed activity")
		return fmt.Sprintf("%s, %s to %s in %s: %s troops, %s tanks; states %s; observers %s", name, b.Start, b.End, h.name(b.Host),
			thousands(b.Personnel), thousands(b.BattleTanks), strings.Join(b.ParticipatingStates, ", "), map[bool]string{true: "invited", false: "not invited"}[b.ObserversInvited])
	case indivisible.KindTransferReport:
		dir := "to"
		if b.Role == string(indivisible.Importer) {
			dir = "from"
		}
		return fmt.Sprintf("%s in %d: %s %s %s %s", b.Role, b.Year, thousands(b.Quantity), label(b.Category), dir, h.name(b.Counterpart))
	case indivisible.KindForcesContribution:
		return fmt.Sprintf("to %s as of 1 January %d: %d units; %s", b.Organisation, b.Year, len(b.Units), holdingsText(b.Holdings))
	case indivisible.KindCorrection:
		if b.Withdrawn {
			return fmt.Sprintf("withdraws entry %d: %s", b.Corrects, b.Reason)
		}
		return fmt.Sprintf("corrects entry %d: %s", b.Corrects, b.Reason)
	}
	return b.Kind
}

func holdingsText(m map[string]int64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, label(k)+" "+thousands(m[k]))
	}
	return strings.Join(parts, ", ")
}

// label turns a code such as battle_tanks into words.
func label(code string) string { return strings.ReplaceAll(code, "_", " ") }

// thousands writes n with thin-space thousands separators: 14 500.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// transferRow compares the exporter's and the importer's reports of the
// transfers of one category between one pair in one year.
type transferRow struct {
	Year                 int
	Exporter, Importer   string
	Category             string
	Exported, Imported   int64
	HasExport, HasImport bool
	Entries              []int64
	Status               string // "agree", "differ", "exporter only", "importer only"
}

// Mismatch reports whether the two reports disagree or one is missing.
func (t transferRow) Mismatch() bool { return t.Status != "agree" }

type transferKey struct {
	year               int
	exporter, importer string
	category           string
}

// reconcile pairs exporters' and importers' transfer reports, after
// corrections, for the participant ("" for all).
func reconcile(decls []*decl, participant string) []transferRow {
	rows := map[transferKey]*transferRow{}
	for _, d := range decls {
		b := d.Effective
		if b == nil || b.Kind != string(indivisible.KindTransferReport) {
			continue
		}
		k := transferKey{b.Year, b.Participant, b.Counterpart, b.Category}
		if b.Role == string(indivisible.Importer) {
			k.exporter, k.importer = b.Counterpart, b.Participant
		}
		if participant != "" && k.exporter != participant && k.importer != participant {
			continue
		}
		t := rows[k]
		if t == nil {
			t = &transferRow{Year: k.year, Exporter: k.exporter, Importer: k.importer, Category: k.category}
			rows[k] = t
		}
		t.Entries = append(t.Entries, d.Entry.Index)
		if b.Role == string(indivisible.Importer) {
			t.Imported += b.Quantity
			t.HasImport = true
		} else {
			t.Exported += b.Quantity
			t.HasExport = true
		}
	}
	out := make([]transferRow, 0, len(rows))
	for _, t := range rows {
		switch {
		case !t.HasImport:
			t.Status = "exporter only"
		case !t.HasExport:
			t.Status = "importer only"
		case t.Exported == t.Imported:
			t.Status = "agree"
		default:
			t.Status = "differ"
		}
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b transferRow) int {
		return cmp.Or(cmp.Compare(b.Year, a.Year), cmp.Compare(a.Exporter, b.Exporter), cmp.Compare(a.Importer, b.Importer), cmp.Compare(a.Category, b.Category))
	})
	return out
}

// maxFilingBytes caps the filing form: the declaration twice (pasted or
// as a file) and a signature.
const maxFilingBytes = 2*exchange.MaxDeclarationSize + 16<<10

// fileDeclaration files a declaration for the signed-in delegation,
// through the same exchange service and authorisation as the API.
func (h *handler) fileDeclaration(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFilingBytes)
	err := r.ParseMultipartForm(maxFilingBytes)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm()
	}
	if err != nil {
		h.fail(w, r, indivisible.Errorf(indivisible.ETOOLARGE, "the form is too large or malformed: %v", err))
		return
	}
	s := sessionOf(r)
	if err := checkCSRF(r, s); err != nil {
		h.fail(w, r, err)
		return
	}
	f := fileForm{Declaration: r.PostFormValue("declaration"), Signature: strings.TrimSpace(r.PostFormValue("signature"))}
	filed, err := h.file(r, s.account, &f)
	if err != nil {
		h.exchangeWith(w, r, indivisible.HTTPStatus(err), exchangeState{form: f, fileError: err})
		return
	}
	h.exchangeWith(w, r, http.StatusCreated, exchangeState{filed: filed})
}

// file submits the form's declaration. The declaration's bytes are the
// uploaded file's, exactly, or else the text box's with its line ends
// made "\n" (browsers send a text box's lines with "\r\n", but sign, in
// ledger.js, the "\n" text a script sees).
func (h *handler) file(r *http.Request, acc *indivisible.Account, f *fileForm) (*filedView, error) {
	body := []byte(strings.ReplaceAll(f.Declaration, "\r\n", "\n"))
	if file, _, err := r.FormFile("declaration_file"); err == nil {
		defer file.Close()
		if body, err = io.ReadAll(file); err != nil {
			return nil, indivisible.Invalid("declaration_file", "%v", err)
		}
		if len(body) > 0 {
			f.Declaration = string(body)
		}
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, indivisible.Invalid("declaration", "paste the declaration's JSON or choose its file")
	}
	keyName, sig, err := parseSignature(f.Signature)
	if err != nil {
		return nil, err
	}
	// Authorisation needs the participant, which only the parsed
	// declaration gives: peek at it, and let Submit parse it properly.
	var head struct {
		Participant string `json:"participant"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, indivisible.Invalid("declaration", "not a JSON object: %v", err)
	}
	if head.Participant == "" {
		return nil, indivisible.Invalid("participant", "missing")
	}
	if err := indivisible.Authorize(acc, indivisible.ActFileDeclaration, head.Participant); err != nil {
		return nil, err
	}
	ctx := r.Context()
	sub, err := h.deps.Exchange.Submit(ctx, body, keyName, sig)
	if err != nil {
		return nil, err
	}
	proof, err := h.deps.Ledger.ProveInclusion(ctx, sub.Entry.Index)
	if err != nil {
		return nil, err
	}
	text, err := proof.MarshalText()
	if err != nil {
		return nil, err
	}
	findings, _, err := h.deps.Exchange.Findings(ctx)
	if err != nil {
		return nil, err
	}
	return &filedView{Index: sub.Entry.Index, Time: sub.Entry.Time.UTC().Format(timeFormat), Proof: string(text),
		Findings: exchange.Involving(findings, sub.Entry.Index)}, nil
}

const timeFormat = "2006-01-02 15:04:05.000 UTC"

// parseSignature reads a detached signature as `indivisible declare
// -sign-only` prints it: "KEYNAME BASE64SIGNATURE".
func parseSignature(s string) (string, []byte, error) {
	f := strings.Fields(s)
	if len(f) != 2 || !indivisible.IsToken(f[0]) {
		return "", nil, indivisible.Invalid("signature", "want one line \"KEYNAME BASE64SIGNATURE\", as declare -sign-only prints it, or sign in the browser")
	}
	sig, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil || len(sig) == 0 || len(sig) > 255 {
		return "", nil, indivisible.Invalid("signature", "the signature is not base64 of at most 255 bytes")
	}
	return f[0], sig, nil
}
