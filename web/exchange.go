package web

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api"
	"github.com/indivisible-eurasia/indivisible/exchange"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

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
	// compose is a declaration form just composed or refused.
	compose *composer
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
	// Compose holds the declaration forms of a delegation.
	Compose *composer
	// Templates are the kinds whose documented example a form starts
	// from.
	Templates []choice
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
		SignInError: toFormError(st.signInError), FileError: toFormError(st.fileError), Next: cmp.Or(st.next, localPath(q.Get("next")))}
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
	v, err := h.deps.Exchange.View(ctx, accountOf(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	size := v.Size
	d.LogSize, d.FindingCount = size, len(v.Findings)
	byEntry := findingsByEntry(v.Findings)
	d.Rows, d.Matching = h.declarationRows(loc(r), v.Declarations, byEntry, d.Filter)
	d.Calendar = h.newCalendar(loc(r), v.Declarations, byEntry, d.Filter.Participant, h.now())
	d.Transfers = transferRows(v.Transfers, d.Filter.Participant)
	l := loc(r)
	for _, k := range indivisible.DeclarationKinds {
		d.Kinds = append(d.Kinds, choice{string(k), l.T("kind." + string(k))})
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
			c := st.compose
			if c == nil {
				if c, err = h.composerFromQuery(l, q, s.account.Participant, v.Declarations); err != nil {
					h.fail(w, r, err)
					return
				}
			}
			h.newComposer(l, c, s.account.Participant, v.Declarations)
			d.Compose = c
			for _, k := range indivisible.DeclarationKinds {
				d.Templates = append(d.Templates, choice{string(k), l.T("kind." + string(k))})
			}
		}
	}
	h.render(w, r, status, "exchange", l.T("nav.exchange"), d)
}

// composerFromQuery starts the declaration forms from the query: a kind's
// documented example (?template=KIND) or a correction of one of the
// delegation's entries, pre-filled from it (?correct=INDEX).
func (h *handler) composerFromQuery(l *i18n.Localizer, q url.Values, participant string, decls []indivisible.DeclaredEntry) (*composer, error) {
	c := &composer{}
	if k := q.Get("template"); k != "" {
		if !slices.Contains(indivisible.DeclarationKinds, indivisible.DeclarationKind(k)) {
			return nil, indivisible.Invalid("template", "no declaration kind %q", k)
		}
		c.Kind, c.V = k, h.templateValues(k, participant)
	}
	if s := q.Get("correct"); s != "" {
		i, err := strconv.ParseInt(s, 10, 64)
		j := slices.IndexFunc(decls, func(d indivisible.DeclaredEntry) bool { return d.Index == i })
		if err != nil || j < 0 || decls[j].Participant != participant || decls[j].Declaration == nil || decls[j].Declaration.Kind == indivisible.KindCorrection {
			return nil, indivisible.Invalid("correct", "entry %q is not a declaration of %s that a correction may correct", s, participant)
		}
		// The replacement starts from what is in force: the latest
		// correction's content, or the entry's own.
		d := decls[j].Declaration
		if decls[j].InForce != nil {
			d = decls[j].InForce
		}
		b, err := composeDeclaration(l, string(d.Kind), d.Participant, declValues(d, h.categories()), h.categories())
		if err != nil {
			return nil, err
		}
		c.Kind = string(indivisible.KindCorrection)
		c.V = url.Values{"corrects": {s}, "action": {"replace"}, "replacement": {string(b)}}
	}
	return c, nil
}

// validKeys lists participant's keys that may sign the log's next entry.
func (h *handler) validKeys(ctx context.Context, participant string, next int64) ([]indivisible.Key, error) {
	keys, err := h.deps.Ledger.Keys(ctx)
	return slices.DeleteFunc(keys, func(k indivisible.Key) bool {
		return k.Participant != participant || !k.ValidAt(next)
	}), err
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

func (h *handler) declarationRows(l *i18n.Localizer, decls []indivisible.DeclaredEntry, findings map[int64][]indivisible.Finding, f exchangeFilter) ([]declRow, int) {
	var rows []declRow
	matching := 0
	for _, d := range slices.Backward(decls) {
		kind := invalidKind
		if d.Declaration != nil {
			kind = string(d.Declaration.Kind)
		}
		if f.Participant != "" && d.Participant != f.Participant || f.Kind != "" && kind != f.Kind {
			continue
		}
		fs := findings[d.Index]
		if f.Findings && len(fs) == 0 {
			continue
		}
		matching++
		if len(rows) == maxShownDeclarations {
			continue
		}
		row := declRow{Index: d.Index, Time: d.Time.UTC().Format("2006-01-02 15:04"), Participant: d.Participant,
			Name: h.name(d.Participant), Kind: kind, Summary: h.summary(l, d.Declaration), Findings: fs}
		switch by := d.CorrectedBy(); {
		case by >= 0 && d.Withdrawn:
			row.Superseded = l.T("exchange.withdrawn_by", "index", by)
		case by >= 0:
			row.Superseded = l.T("exchange.corrected_by", "index", by)
		}
		rows = append(rows, row)
	}
	return rows, matching
}

// invalidKind is the kind column of an entry that is not a valid
// declaration.
const invalidKind = "invalid"

// summary says in a line what a declaration reports; nil is an entry that
// is not a valid declaration.
func (h *handler) summary(l *i18n.Localizer, d *indivisible.Declaration) string {
	if d == nil {
		return l.T("exchange.summary.invalid")
	}
	// Years and entry indexes are strings, so that they print without
	// digit grouping; counts are thousands().
	year := func(y int) string { return strconv.Itoa(y) }
	switch d.Kind {
	case indivisible.KindAnnualExchange:
		b := d.AnnualExchange
		return l.T("exchange.summary.annual_exchange", "year", year(b.Year), "holdings", holdingsText(l, b.Holdings))
	case indivisible.KindExerciseNotification:
		b := d.ExerciseNotification
		name := cmp.Or(b.Name, l.T("exchange.unnamed_activity"))
		observers := l.T("exchange.summary.observers_not_invited")
		if b.ObserversInvited {
			observers = l.T("exchange.summary.observers_invited")
		}
		return l.T("exchange.summary.exercise_notification", "name", name, "start", b.Start.Format(time.DateOnly), "end", b.End.Format(time.DateOnly), "host", h.name(b.Host),
			"personnel", thousands(b.Personnel), "tanks", thousands(b.BattleTanks), "states", strings.Join(b.ParticipatingStates, ", "), "observers", observers)
	case indivisible.KindTransferReport:
		b := d.TransferReport
		args := []any{"year", year(b.Year), "quantity", thousands(b.Quantity), "category", terms(l).Component(b.Category), "counterpart", h.name(b.Counterpart)}
		if b.Role == indivisible.Importer {
			return l.T("exchange.summary.transfer_import", args...)
		}
		return l.T("exchange.summary.transfer_export", args...)
	case indivisible.KindForcesContribution:
		b := d.ForcesContribution
		return l.T("exchange.summary.forces_contribution", "organisation", b.Organisation, "year", year(b.Year), "count", len(b.Units), "holdings", holdingsText(l, b.Holdings))
	case indivisible.KindCorrection:
		b := d.Correction
		if b.Withdrawn {
			return l.T("exchange.summary.withdraws", "index", strconv.FormatInt(b.Corrects, 10), "reason", b.Reason)
		}
		return l.T("exchange.summary.corrects", "index", strconv.FormatInt(b.Corrects, 10), "reason", b.Reason)
	}
	return string(d.Kind)
}

// holdingsText lists holdings by their categories' names in the
// reader's words, as the transfer summary names its category.
func holdingsText(l *i18n.Localizer, m map[string]int64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, terms(l).Component(k)+" "+thousands(m[k]))
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

// transferRow is a row of the transfer reconciliation table: an
// indivisible.Transfer as the page shows it.
type transferRow struct {
	Year                 int
	Exporter, Importer   string
	Category             string
	Exported, Imported   int64
	HasExport, HasImport bool
	// Entries are the reports, ascending.
	Entries []int64
	Status  indivisible.TransferStatus
}

// StatusKey is the catalog key of the row's status.
func (t transferRow) StatusKey() string {
	switch t.Status {
	case indivisible.TransferAgree:
		return "exchange.transfer_status.agree"
	case indivisible.TransferDiffer:
		return "exchange.transfer_status.differ"
	case indivisible.TransferExporterOnly:
		return "exchange.transfer_status.exporter_only"
	}
	return "exchange.transfer_status.importer_only"
}

// Mismatch reports whether the two reports disagree or one is missing.
func (t transferRow) Mismatch() bool { return t.Status != indivisible.TransferAgree }

// transferRows lays out the exchange's reconciled transfers that involve
// participant ("" for all), latest year first.
func transferRows(ts []indivisible.Transfer, participant string) []transferRow {
	out := []transferRow{}
	for _, t := range ts {
		if participant != "" && t.Exporter != participant && t.Importer != participant {
			continue
		}
		row := transferRow{Year: t.Year, Exporter: t.Exporter, Importer: t.Importer, Category: t.Category, Status: t.Status()}
		if t.Export != nil {
			row.Exported, row.HasExport, row.Entries = t.Export.Quantity, true, t.Export.Reports
		}
		if t.Import != nil {
			row.Imported, row.HasImport = t.Import.Quantity, true
			row.Entries = slices.Sorted(slices.Values(slices.Concat(row.Entries, t.Import.Reports)))
		}
		out = append(out, row)
	}
	slices.SortStableFunc(out, func(a, b transferRow) int { return cmp.Compare(b.Year, a.Year) })
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
		h.exchangeWith(w, r, api.StatusCode(err), exchangeState{form: f, fileError: err})
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
		return nil, indivisible.Invalid("declaration", "%s", loc(r).T("exchange.err.no_declaration"))
	}
	keyName, sig, err := parseSignature(loc(r), f.Signature)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	sub, err := h.deps.Exchange.File(ctx, acc, body, keyName, sig)
	if err != nil {
		return nil, err
	}
	text := sub.Proof
	findings, _, err := h.deps.Exchange.Findings(ctx, acc)
	if err != nil {
		return nil, err
	}
	return &filedView{Index: sub.Entry.Index, Time: sub.Entry.Time.UTC().Format(timeFormat), Proof: string(text),
		Findings: exchange.Involving(findings, sub.Entry.Index)}, nil
}

const timeFormat = "2006-01-02 15:04:05.000 UTC"

// parseSignature reads a detached signature as `indivisible declare
// -sign-only` prints it: "KEYNAME BASE64SIGNATURE".
func parseSignature(l *i18n.Localizer, s string) (string, []byte, error) {
	f := strings.Fields(s)
	if len(f) != 2 || !indivisible.IsToken(f[0]) {
		return "", nil, indivisible.Invalid("signature", "%s", l.T("exchange.err.signature_line"))
	}
	sig, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil || len(sig) == 0 || len(sig) > 255 {
		return "", nil, indivisible.Invalid("signature", "%s", l.T("exchange.err.signature_base64"))
	}
	return f[0], sig, nil
}
