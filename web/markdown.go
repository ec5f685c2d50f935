package web

import (
	"bytes"
	"crypto/sha256"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Proposal texts are GitHub-flavoured Markdown (CommonMark plus tables,
// strikethrough, task lists and bare links), rendered by goldmark and then
// sanitised by bluemonday against an allow-list of the elements goldmark
// writes. goldmark alone already writes no raw HTML (rawAsText escapes it)
// and drops javascript:-like link targets; the sanitiser is the second
// wall, so that a bug or an option in either cannot put a delegation's
// markup or script on the page.

// newMarkdown returns a renderer of texts whose headings start at level
// top. Raw HTML shows as typed (rawAsText), and table alignments are align
// attributes, since the pages' Content-Security-Policy blocks inline
// style attributes.
func newMarkdown(top int) goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			// extension.GFM, with the table's alignment option.
			extension.Linkify,
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.TaskList,
		),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(textTransformer{top: top}, 1000))),
		// Before goldmark's own renderer (1000), so this one's functions win.
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(rawAsText{}, 100))),
	)
}

// md renders proposal texts, whose headings sit under the page's h3 for
// the version; documentMD renders an outcome document, which is its
// page's whole content and so starts at h1.
var (
	md         = newMarkdown(4)
	documentMD = newMarkdown(1)
)

// inlineMD renders one line of a text as inline Markdown alone (bold,
// italics, code, links, strikethrough), as a diff shows it: its only
// block is the paragraph, so that a list item's "- " or a heading's "## "
// shows as typed, and the line is never a block of its own.
var inlineMD = goldmark.New(
	goldmark.WithExtensions(extension.Linkify, extension.Strikethrough),
	goldmark.WithParser(parser.NewParser(
		parser.WithBlockParsers(util.Prioritized(parser.NewParagraphParser(), 1000)),
		parser.WithInlineParsers(parser.DefaultInlineParsers()...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
	)),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(textTransformer{top: 4}, 1000))),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(rawAsText{}, 100))),
)

// inlineHTML renders a line as inline Markdown, safe, without the
// paragraph around it.
func inlineHTML(line string) template.HTML {
	h := cached(inlineMD, markdownPolicy, "inline", line)
	s := strings.TrimSpace(string(h))
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<p>"), "</p>")
	return template.HTML(s)
}

// markdownPolicy allows only what md writes, links only to http, https
// and mailto URLs, each marked rel="nofollow noopener". There are no
// images (rawAsText shows their descriptions): a proposal's text loads
// nothing from another site. documentPolicy allows the headings of
// documentMD too.
var (
	markdownPolicy = newPolicy("h4", "h5", "h6")
	documentPolicy = newPolicy("h1", "h2", "h3", "h4", "h5", "h6")
)

func newPolicy(headings ...string) *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements(headings...)
	p.AllowElements("p", "br", "hr", "blockquote", "pre", "code",
		"strong", "em", "del", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(bluemonday.CellAlign).OnElements("th", "td")
	// Task lists: goldmark writes disabled checkboxes.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^$`)).OnElements("input")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + linkRel + `$`)).OnElements("a")
	p.AllowURLSchemes(linkSchemes...)
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	return p
}

// linkSchemes are the only schemes a text's links may have; relative
// links are not links either.
var linkSchemes = []string{"http", "https", "mailto"}

const linkRel = "nofollow noopener"

// markdown renders a proposal's text as safe HTML, once per text: a
// version's text never changes, and goldmark's cost is quadratic in some
// constructs (a 64 KiB text of blockquotes nested 65,536 deep, or of
// unclosed links, takes it 1 to 2 s on the 2-core machine, against 25 ms
// for ordinary prose), so a page view must not pay it again.
func markdown(s string) template.HTML { return cached(md, markdownPolicy, "text", s) }

// documentHTML renders an outcome document as safe HTML, once per
// document, as markdown does.
func documentHTML(s string) template.HTML {
	return cached(documentMD, documentPolicy, "document", s)
}

// cached renders s with m and policy p, or returns what it rendered
// before; kind keeps each renderer's results apart.
func cached(m goldmark.Markdown, p *bluemonday.Policy, kind, s string) template.HTML {
	key := sha256.Sum256([]byte(kind + "\x00" + s))
	rendered.Lock()
	h, ok := rendered.m[key]
	rendered.Unlock()
	if ok {
		return h
	}
	h = render(m, p, s)
	rendered.Lock()
	defer rendered.Unlock()
	if rendered.m == nil || rendered.size+len(h) > 64<<20 {
		rendered.m, rendered.size = map[[32]byte]template.HTML{}, 0 // bounded: start afresh
	}
	rendered.m[key] = h
	rendered.size += len(h)
	return h
}

// rendered holds markdown's results by the SHA-256 of the text, at most
// 64 MiB of them.
var rendered struct {
	sync.Mutex
	m    map[[32]byte]template.HTML
	size int
}

func render(m goldmark.Markdown, p *bluemonday.Policy, s string) template.HTML {
	var b bytes.Buffer
	if err := m.Convert([]byte(s), &b); err != nil {
		// goldmark fails only when writing fails, and a bytes.Buffer does
		// not; show the text as typed all the same.
		return template.HTML(template.HTMLEscapeString(s))
	}
	return template.HTML(p.SanitizeBytes(b.Bytes()))
}

// textTransformer fits a text's tree to the page it is shown on: its
// headings start at level top (for a proposal's text, under the page's h3
// for the version: h1 becomes h4, and anything below h6 stays h6), and
// its links are marked rel="nofollow
// noopener", since a delegation's links are not the site's. A link to
// another scheme gets no rel, so that, its href removed by the sanitiser,
// it is left with no attribute and the sanitiser unwraps it to its text.
type textTransformer struct{ top int }

func (t textTransformer) Transform(doc *ast.Document, src text.Reader, _ parser.Context) {
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			n.Level = min(n.Level+t.top-1, 6)
		// The href as goldmark writes it, which the sanitiser then reads.
		case *ast.Link:
			markLink(n, util.URLEscape(n.Destination, true))
		case *ast.AutoLink:
			dest := util.URLEscape(n.URL(src.Source()), false)
			if n.AutoLinkType == ast.AutoLinkEmail {
				dest = append([]byte("mailto:"), dest...)
			}
			markLink(n, dest)
		}
		return ast.WalkContinue, nil
	})
}

// markLink marks a link rel="nofollow noopener" if its href has one of
// linkSchemes.
func markLink(n ast.Node, dest []byte) {
	u, err := url.Parse(string(dest))
	if err == nil && slices.Contains(linkSchemes, strings.ToLower(u.Scheme)) {
		n.SetAttributeString("rel", linkRel)
	}
}

// rawAsText renders raw HTML, which goldmark would otherwise drop with a
// comment, as the text that was typed: in a treaty text "<Party>" is more
// likely a placeholder than markup, and should not vanish. An image shows
// as its description, since the sanitiser would drop the img and with it
// the words.
type rawAsText struct{}

func (rawAsText) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindImage, func(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
		return ast.WalkContinue, nil // the children, the description, render as text
	})
	r.Register(ast.KindHTMLBlock, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			return ast.WalkContinue, nil
		}
		b := n.(*ast.HTMLBlock)
		var raw []byte
		lines := b.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			raw = append(raw, seg.Value(src)...)
		}
		if b.HasClosure() {
			raw = append(raw, b.ClosureLine.Value(src)...)
		}
		w.WriteString("<p>")
		template.HTMLEscape(w, bytes.TrimRight(raw, "\n"))
		w.WriteString("</p>\n")
		return ast.WalkContinue, nil
	})
	r.Register(ast.KindRawHTML, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			segs := n.(*ast.RawHTML).Segments
			for i := range segs.Len() {
				seg := segs.At(i)
				template.HTMLEscape(w, seg.Value(src))
			}
		}
		return ast.WalkSkipChildren, nil
	})
}
