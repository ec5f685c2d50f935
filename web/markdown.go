package web

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

// markdown renders the small subset of Markdown that proposal texts use:
// paragraphs, bulleted and numbered lists, **strong**, *emphasis* and
// `code`. Everything else shows as typed. The text is HTML-escaped first
// and only the fixed tags below are added to it, so a delegation's text
// can never put markup or script on the page.
func markdown(text string) template.HTML {
	var b strings.Builder
	var para []string
	list := "" // "ul" or "ol" while inside a list
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + inline(strings.Join(para, "\n")) + "</p>\n")
			para = nil
		}
	}
	closeList := func() {
		if list != "" {
			b.WriteString("</" + list + ">\n")
			list = ""
		}
	}
	for line := range strings.Lines(strings.ReplaceAll(text, "\r\n", "\n")) {
		line = strings.TrimRight(line, " \t\n")
		kind, item := listItem(line)
		switch {
		case strings.TrimSpace(line) == "":
			flush()
			closeList()
		case kind != "":
			flush()
			if list != kind {
				closeList()
				b.WriteString("<" + kind + ">\n")
				list = kind
			}
			b.WriteString("<li>" + inline(item) + "</li>\n")
		default:
			closeList()
			para = append(para, strings.TrimSpace(line))
		}
	}
	flush()
	closeList()
	return template.HTML(b.String())
}

var (
	bulletRe  = regexp.MustCompile(`^\s{0,3}[-*+]\s+(.*)$`)
	numberRe  = regexp.MustCompile(`^\s{0,3}\d{1,9}[.)]\s+(.*)$`)
	codeRe    = regexp.MustCompile("`([^`\n]+)`")
	strongRe  = regexp.MustCompile(`\*\*([^*\n]+)\*\*|__([^_\n]+)__`)
	emRe      = regexp.MustCompile(`\*([^*\n]+)\*|\b_([^_\n]+)_\b`)
	spanStart = "\x00" // marks code spans' text so emphasis leaves it alone
)

// listItem reports whether line is a list item, and of which kind.
func listItem(line string) (kind, item string) {
	if m := bulletRe.FindStringSubmatch(line); m != nil {
		return "ul", m[1]
	}
	if m := numberRe.FindStringSubmatch(line); m != nil {
		return "ol", m[1]
	}
	return "", ""
}

// inline escapes s and renders its code spans and emphasis.
func inline(s string) string {
	s = html.EscapeString(strings.ReplaceAll(s, spanStart, ""))
	// Code spans first, their text hidden from the emphasis rules.
	var codes []string
	s = codeRe.ReplaceAllStringFunc(s, func(m string) string {
		codes = append(codes, m[1:len(m)-1])
		return spanStart
	})
	s = strongRe.ReplaceAllString(s, "<strong>$1$2</strong>")
	s = emRe.ReplaceAllString(s, "<em>$1$2</em>")
	for _, c := range codes {
		s = strings.Replace(s, spanStart, "<code>"+c+"</code>", 1)
	}
	return s
}
