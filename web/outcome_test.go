package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible/api"
)

// TestOutcomePage checks the outcome page of the decided item: the
// document as HTML (names, measures, the lists of who took which
// position), the decision's log entry, and the hash, which is the SHA-256
// of the Markdown the API serves and the one the log entry carries, both
// computed here.
func TestOutcomePage(t *testing.T) {
	f := newForumFixture(t)
	h := NewHandler(f.deps)
	ctx := context.Background()
	target := fmt.Sprintf("/forum/%d/items/%d/outcome", f.forum, f.decided)
	apiPath := fmt.Sprintf("/api/v1/forums/%d/items/%d/outcome", f.forum, f.decided)

	srv := api.New(api.Config{Accounts: f.db, Forum: f.svc, Rate: 1e6, Burst: 1e6})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", apiPath, nil))
	markdown, _ := io.ReadAll(rec.Result().Body)
	if rec.Code != http.StatusOK || len(markdown) == 0 {
		t.Fatalf("API: status %d", rec.Code)
	}
	sum := sha256.Sum256(markdown)
	hash := hex.EncodeToString(sum[:])

	d, err := f.svc.Decision(ctx, nil, f.forum, f.decided)
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.log.Entry(ctx, d.LogIndex)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		DocumentSHA256 string `json:"document_sha256"`
	}
	if err := json.Unmarshal(e.Body, &body); err != nil || body.DocumentSHA256 != hash {
		t.Fatalf("the log entry carries %q, the API's document hashes to %s (%v)", body.DocumentSHA256, hash, err)
	}

	_, page := getPage(t, h, target, http.StatusOK, []string{
		`<h1>Outcome: Annual data exchange in Central Europe</h1>`,
		// Names, not codes alone.
		`Forum: International expert forum on an equal and indivisible security architecture in Eurasia`,
		`Supported: Germany (DEU) (log entry `, `; Poland (POL) (log entry `, `Objected: Russian Federation (RUS) (log entry `,
		`<h2>Tally</h2>`, `<table>`, `<h2>Package of measures</h2>`,
		`<li>Poland (POL), Germany (DEU) and Russian Federation (RUS) agree on data exchange</li>`,
		`Data exchange must cover all of Europe.`,
		`id="document-hash">` + hash + `</code>`, `id="hash-match"`,
		fmt.Sprintf(`<a href="/log/entry/%d" id="decision-entry">log entry %d</a>`, d.LogIndex, d.LogIndex),
		`<a href="` + apiPath + `" download="outcome-forum-1-item-2.md" id="download-markdown">Download Markdown</a>`,
		`sha256sum outcome-forum-1-item-2.md`, `curl -s http://example.com` + apiPath + ` | sha256sum`,
		`media="print"`,
	})
	if strings.Contains(page, "**") || strings.Contains(page, "## ") {
		t.Error("the page shows raw Markdown")
	}
	// The item page links the outcome page from its decision.
	getPage(t, h, f.itemURL(f.decided), http.StatusOK, []string{`<a href="` + target + `" id="outcome-link">`})
	// The print stylesheet hides the site's header and navigation.
	_, css := getPage(t, h, "/static/print.css", http.StatusOK, []string{"header.top", "display: none"})
	if !strings.Contains(css, "a[href]::after { content: none") {
		t.Error("print.css lets links print their URLs")
	}
	// An open item has no outcome yet.
	getPage(t, h, fmt.Sprintf("/forum/%d/items/%d/outcome", f.forum, f.open), http.StatusNotFound, []string{"is not decided"})
	getPage(t, h, fmt.Sprintf("/forum/%d/items/x/outcome", f.forum), http.StatusNotFound, nil)
}

// TestDocumentHeadings checks that an outcome document keeps its
// headings from h1, and a proposal's text still starts at h4, each
// sanitised.
func TestDocumentHeadings(t *testing.T) {
	src := "# A\n\n## B\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"
	doc, text := string(documentHTML(src)), string(markdown(src))
	for _, w := range []string{"<h1>A</h1>", "<h2>B</h2>", "&lt;script&gt;"} {
		if !strings.Contains(doc, w) {
			t.Errorf("document lacks %q: %s", w, doc)
		}
	}
	for _, w := range []string{"<h4>A</h4>", "<h5>B</h5>"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q: %s", w, text)
		}
	}
	for _, out := range []string{doc, text} {
		if strings.Contains(out, "<script") || strings.Contains(out, "javascript:") {
			t.Errorf("unsafe output: %s", out)
		}
	}
}
