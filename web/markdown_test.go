package web

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"A **hotline** and *observers*.\n", "<p>A <strong>hotline</strong> and <em>observers</em>.</p>\n"},
		{"One\nparagraph\n\nTwo", "<p>One\nparagraph</p>\n<p>Two</p>\n"},
		{"Staffed:\n\n- day\n- night\n\n3. third\n4) fourth\n", "<p>Staffed:</p>\n<ul>\n<li>day</li>\n<li>night</li>\n</ul>\n<ol start=\"3\">\n<li>third</li>\n</ol>\n<ol start=\"4\">\n<li>fourth</li>\n</ol>\n"},
		{"- [x] notified\n- [ ] observed\n", "<ul>\n<li><input checked=\"\" disabled=\"\" type=\"checkbox\"> notified</li>\n<li><input disabled=\"\" type=\"checkbox\"> observed</li>\n</ul>\n"},
		{"| State | Tanks |\n|:--|--:|\n| POL | 250 |\n", "<table>\n<thead>\n<tr>\n<th align=\"left\">State</th>\n<th align=\"right\">Tanks</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td align=\"left\">POL</td>\n<td align=\"right\">250</td>\n</tr>\n</tbody>\n</table>\n"},
		{"`**not bold**` and snake_case_name ~~struck~~", "<p><code>**not bold**</code> and snake_case_name <del>struck</del></p>\n"},
		{"```\n<b>x</b>\n```\n", "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>\n"},
		{"# Title\n### Part\n", "<h4>Title</h4>\n<h6>Part</h6>\n"},
		{"> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"},
		// Links: http, https and mailto only, marked; the rest are text.
		{"[OSCE](https://www.osce.org/) and https://osce.org", `<p><a href="https://www.osce.org/" rel="nofollow noopener">OSCE</a> and <a href="https://osce.org" rel="nofollow noopener">https://osce.org</a></p>` + "\n"},
		{"<mailto:sec@osce.org> [a](ftp://x/) [b](/forum/1) [c](#x)", `<p><a href="mailto:sec@osce.org" rel="nofollow noopener">mailto:sec@osce.org</a> a b c</p>` + "\n"},
		{`[CSBM](https://osce.org/ "Vienna Document")`, `<p><a href="https://osce.org/" title="Vienna Document" rel="nofollow noopener">CSBM</a></p>` + "\n"},
		{"[x](http:/%) <a@b.c>", `<p><a href="http:/%25" rel="nofollow noopener">x</a> <a href="mailto:a@b.c" rel="nofollow noopener">a@b.c</a></p>` + "\n"},
		{"![the map](https://example.org/map.png)", "<p>the map</p>\n"},
		// Raw HTML shows as typed.
		{"<script>alert(1)</script> & \"x\"", "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;x&#34;</p>\n"},
		{"The <Party> notifies **<b>**", "<p>The &lt;Party&gt; notifies <strong>&lt;b&gt;</strong></p>\n"},
		{"", ""},
	} {
		if got := string(markdown(tc.in)); got != tc.want {
			t.Errorf("markdown(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// xssPayloads are classic cross-site scripting payloads, in HTML and in
// Markdown's own syntax, each with text that must still show.
var xssPayloads = []struct{ in, shows string }{
	{`<script>alert(1)</script>`, "&lt;script&gt;"},
	{`<img src=x onerror=alert(1)>`, "onerror"},
	{`<svg/onload=alert(1)>`, "&lt;svg"},
	{`<body onload=alert(1)>`, "&lt;body"},
	{`<iframe src="javascript:alert(1)"></iframe>`, "&lt;iframe"},
	{`<a href="javascript:alert(1)">x</a>`, "&lt;a"},
	{`<div style="background:url(javascript:alert(1))">x</div>`, "&lt;div"},
	{`<style>*{display:none}</style>`, "&lt;style&gt;"},
	{`<math><mi xlink:href="javascript:alert(1)">x</mi></math>`, "&lt;math&gt;"},
	{`<details open ontoggle=alert(1)>`, "&lt;details"},
	{`<!--<script>alert(1)</script>-->`, "&lt;!--"},
	{`Text <b onmouseover=alert(1)>bold</b>`, "&lt;b"},
	{`[x](javascript:alert(1))`, "x"},
	{`[x](JaVaScRiPt:alert(1))`, "x"},
	{`[x](&#106;avascript:alert(1))`, "x"},
	{`[x](javascript&#58;alert(1))`, "x"},
	{`[x](<javascript:alert(1)>)`, "x"},
	{`[x](vbscript:msgbox(1))`, "x"},
	{`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`, "x"},
	{`[x](file:///etc/passwd)`, "x"},
	{`<javascript:alert(1)>`, "javascript:alert(1)"},
	{`![x](javascript:alert(1))`, "x"},
	{`![x" onerror="alert(1)](y)`, "onerror"},
	{`[x](https://e.org/"onmouseover="alert(1))`, "x"},
	{`[x](https://e.org "t\" onmouseover=\"alert(1)")`, "x"},
	{`[x][r]` + "\n\n" + `[r]: javascript:alert(1)`, "x"},
	{"| <script>alert(1)</script> |\n|---|\n| [x](javascript:alert(1)) |", "&lt;script&gt;"},
	{"```html\n<script>alert(1)</script>\n```", "&lt;script&gt;"},
	{"www.e.org/<script>alert(1)</script>", "&lt;script&gt;"},
}

func TestMarkdownXSS(t *testing.T) {
	for _, p := range xssPayloads {
		out := string(markdown(p.in))
		if problem := unsafeHTML(out); problem != "" {
			t.Errorf("markdown(%q) = %q: %s", p.in, out, problem)
		}
		if !strings.Contains(out, p.shows) {
			t.Errorf("markdown(%q) = %q, which does not show %q", p.in, out, p.shows)
		}
	}
}

// FuzzMarkdown checks that no text, however crafted, gets anything onto
// the page that a browser would run or that loads from elsewhere.
func FuzzMarkdown(f *testing.F) {
	for _, p := range xssPayloads {
		f.Add(p.in)
	}
	for _, s := range []string{"A **b** *c* `d`", "- x\n1. y", "| a |\n|---|\n| b |", "- [x] y", "**<**b>", "`<`", "\x00<\x00", "[a](https://b) <c@d.e>", "[](http:/%)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := string(markdown(s))
		if problem := unsafeHTML(out); problem != "" {
			t.Fatalf("markdown(%q) = %q: %s", s, out, problem)
		}
	})
}

// markdownAttrs are the only elements, and their attributes, that
// markdown may write.
var markdownAttrs = map[string][]string{
	"p": nil, "br": nil, "hr": nil, "h4": nil, "h5": nil, "h6": nil, "blockquote": nil, "pre": nil, "code": nil,
	"strong": nil, "em": nil, "del": nil, "ul": nil, "ol": {"start"}, "li": nil,
	"table": nil, "thead": nil, "tbody": nil, "tr": nil, "th": {"align"}, "td": {"align"},
	"a": {"href", "rel", "title"}, "input": {"type", "checked", "disabled"},
}

// unsafeHTML reads out as a browser would and describes the first thing
// in it that is not plain rendered Markdown: an element or attribute
// outside markdownAttrs (so no script, style, frame, image or event
// handler), a link that is not http, https or mailto or not marked
// rel="nofollow noopener", or an enabled form control. It returns "" if
// there is none.
func unsafeHTML(out string) string {
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.CommentToken, html.DoctypeToken:
			return "a comment or doctype"
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			allowed, ok := markdownAttrs[tok.Data]
			if !ok {
				return "element <" + tok.Data + ">"
			}
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				if a.Namespace != "" || !slices.Contains(allowed, a.Key) {
					return "attribute " + a.Key + " on <" + tok.Data + ">"
				}
				attrs[a.Key] = a.Val
			}
			switch tok.Data {
			case "a":
				u, err := url.Parse(attrs["href"])
				if err != nil || !slices.Contains([]string{"http", "https", "mailto"}, u.Scheme) {
					return "link to " + attrs["href"]
				}
				if attrs["rel"] != "nofollow noopener" {
					return "link without rel=\"nofollow noopener\""
				}
			case "input":
				if _, disabled := attrs["disabled"]; !disabled || attrs["type"] != "checkbox" {
					return "a form control other than a disabled checkbox"
				}
			}
		}
	}
}
