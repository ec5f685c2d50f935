package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// The outcome page (/forum/{forum}/items/{item}/outcome) shows a decided
// item's outcome document as HTML, to read and to print (print.css), with
// what makes it checkable: the decision's log entry, which carries the
// document's SHA-256, and the command that hashes the Markdown the API
// serves, the bytes that hash is of.

type outcomeData struct {
	Forum    *indivisible.Forum
	Session  *indivisible.Session
	Item     *indivisible.AgendaItem
	Decision *decisionView
	// Document is the outcome document rendered: in the reader's
	// language, unless that is English or the reader asked for the
	// authentic text (?text=authentic). Translated says it is a
	// translation, AuthenticURL where the record itself is.
	Document     template.HTML
	Translated   bool
	AuthenticURL string
	// EntryHash is the document's SHA-256 as the decision's log entry
	// carries it; Hash is that of the document served. They differ only
	// if the stored document was changed after the decision was logged.
	EntryHash, Hash string
	// MarkdownURL serves the document's Markdown (the API), File is the
	// name it downloads as, and Command hashes it.
	MarkdownURL, File, Command string
	// EntryLink links the decision's log entry and HashCode is Hash, as
	// markup arguments of the page's messages.
	EntryLink, HashCode template.HTML
}

func (h *handler) outcomePage(w http.ResponseWriter, r *http.Request) {
	fid, iid, s, dm, ok := h.readItem(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if s.Decision == nil {
		err := indivisible.Errorf(indivisible.ENOTFOUND, "item %d is not decided: it has no outcome document yet", iid)
		if len(dm.records) > 0 {
			dm.report(ctx, h, r)
			err = indivisible.Errorf(indivisible.EINTERNAL, "the decision of item %d could not be read", iid)
		}
		h.fail(w, r, err)
		return
	}
	dm.report(ctx, h, r)
	kinds := map[string]indivisible.DelegationKind{}
	for _, dl := range s.Delegations {
		kinds[dl.Participant] = dl.Kind
	}
	dec := s.Decision
	d := outcomeData{Forum: s.Forum, Session: s.Session, Item: s.Item, Decision: h.decisionView(loc(r), dec, true, kinds),
		Hash: forum.SHA256(dec.Document), AuthenticURL: fmt.Sprintf("/forum/%d/items/%d/outcome?text=authentic", fid, iid),
		MarkdownURL: fmt.Sprintf("/api/v1/forums/%d/items/%d/outcome", fid, iid), File: fmt.Sprintf("outcome-forum-%d-item-%d.md", fid, iid)}
	d.Command = fmt.Sprintf("curl -s %s%s | sha256sum", h.serverURL(r), d.MarkdownURL)
	d.EntryLink = template.HTML(fmt.Sprintf(`<a href="/log/entry/%d" id="decision-entry">%s</a>`, dec.LogIndex, template.HTMLEscapeString(loc(r).T("forum.log_entry", "index", dec.LogIndex))))
	d.HashCode = template.HTML(`<code class="hash">` + template.HTMLEscapeString(d.Hash) + "</code>")
	doc := dec.Document
	if l := loc(r); l.Tag() != i18n.English && r.URL.Query().Get("text") != "authentic" {
		var err error
		if doc, err = h.deps.Forum.OutcomeDocument(ctx, accountOf(r), fid, iid, l.Tag().String()); err != nil {
			h.fail(w, r, err)
			return
		}
		d.Translated = true
	}
	d.Document = documentHTML(doc)
	var err error
	if d.EntryHash, err = h.entryHash(ctx, dec.LogIndex); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "outcome", loc(r).T("forum.outcome.title", "title", s.Item.Title), d)
}

// entryHash is the document hash that the decision's log entry carries.
func (h *handler) entryHash(ctx context.Context, index int64) (string, error) {
	es, err := h.deps.Ledger.Entries(ctx, index, index+1)
	if err != nil {
		return "", err
	}
	var b forum.DecisionBody
	if len(es) != 1 || es[0].Kind != indivisible.KindDecision || json.Unmarshal(es[0].Body, &b) != nil || b.DocumentSHA256 == "" {
		return "", indivisible.Errorf(indivisible.EINTERNAL, "log entry %d is not the decision's", index)
	}
	return b.DocumentSHA256, nil
}
