package web

import (
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/docs"
	"github.com/indivisible-eurasia/indivisible/exchange"
)

// exchangeDoc is docs/exchange.md, the schema the Exchange page cites.
var exchangeDoc = func() string {
	b, err := fs.ReadFile(docs.FS, "exchange.md")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

var exampleRE = regexp.MustCompile("(?s)\n### ([a-z_]+)\n.*?\n```json\n(.*?)\n```")

// declExamples are the first example of each kind in docs/exchange.md,
// parsed: the templates a delegation starts a form from.
var declExamples = func() map[string]*indivisible.Declaration {
	m := map[string]*indivisible.Declaration{}
	for _, x := range exampleRE.FindAllStringSubmatch(exchangeDoc, -1) {
		if _, ok := m[x[1]]; ok {
			continue
		}
		d, err := exchange.Parse([]byte(x[2]), nil)
		if err != nil {
			panic("docs/exchange.md: the example of " + x[1] + ": " + err.Error())
		}
		m[x[1]] = d
	}
	for _, k := range indivisible.DeclarationKinds {
		if m[string(k)] == nil {
			panic("docs/exchange.md has no example of " + string(k))
		}
	}
	return m
}()

// templateValues are the form values of kind's example, rewritten for
// participant.
func (h *handler) templateValues(kind, participant string) url.Values {
	ex := declExamples[kind]
	if ex == nil {
		return nil
	}
	// A copy, through the parser: the examples are shared.
	b, _ := composeDeclaration(machineLocalizer, kind, ex.Participant, declValues(ex, h.categories()), h.categories())
	d, err := exchange.Parse(b, nil)
	if err != nil {
		return nil
	}
	moveParticipant(d, ex.Participant, participant, exchange.NewCodes(h.deps.Scenario))
	return declValues(d, h.categories())
}

// docsData is the documentation page's content.
type docsData struct {
	Title string
	Body  template.HTML
}

// docsPage is GET /docs/exchange: docs/exchange.md, rendered.
func (h *handler) docsPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "docs", loc(r).T("nav.exchange"), exchangeDocPage)
}

// exchangeDocPage is docs/exchange.md as a page: its first line the
// title, the rest rendered by markdown (which, for texts shown under a
// page's own headings, writes ## as h5 and ### as h6), with the headings
// lifted back to h2 and h3 and given ids, so that the page can link to
// each kind's section (/docs/exchange#transfer_report).
var exchangeDocPage = func() docsData {
	title, body, _ := strings.Cut(exchangeDoc, "\n")
	html := string(markdown(body))
	html = headingRE.ReplaceAllStringFunc(html, func(s string) string {
		m := headingRE.FindStringSubmatch(s)
		level := map[string]string{"4": "2", "5": "2", "6": "3"}[m[1]]
		return "<h" + level + ` id="` + slug(m[2]) + `">` + m[2] + "</h" + level + ">"
	})
	return docsData{Title: strings.TrimPrefix(title, "# "), Body: template.HTML(html)}
}()

var (
	headingRE = regexp.MustCompile(`<h([456])>(.*?)</h[456]>`)
	docTagRE  = regexp.MustCompile(`<[^>]*>`)
	nonSlugRE = regexp.MustCompile(`[^a-z0-9_]+`)
)

// slug is a heading's id: its text in lower case, with runs of other
// characters as "-" (a code heading such as annual_exchange keeps its
// name).
func slug(h string) string {
	s := strings.ToLower(docTagRE.ReplaceAllString(h, ""))
	return strings.Trim(nonSlugRE.ReplaceAllString(s, "-"), "-")
}
