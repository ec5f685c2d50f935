package web

import (
	"regexp"
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"A **hotline** and *observers*.\n", "<p>A <strong>hotline</strong> and <em>observers</em>.</p>\n"},
		{"One\nparagraph\n\nTwo", "<p>One\nparagraph</p>\n<p>Two</p>\n"},
		{"Staffed:\n\n- day\n* night\n\n1. first\n2) second\n", "<p>Staffed:</p>\n<ul>\n<li>day</li>\n<li>night</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"},
		{"<script>alert(1)</script> & \"x\"", "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;x&#34;</p>\n"},
		{"`**not bold**` and snake_case_name", "<p><code>**not bold**</code> and snake_case_name</p>\n"},
		{"**<b>**", "<p><strong>&lt;b&gt;</strong></p>\n"},
		{"", ""},
	} {
		if got := string(markdown(tc.in)); got != tc.want {
			t.Errorf("markdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// allowedTag matches the only markup markdown writes.
var allowedTag = regexp.MustCompile(`</?(p|ul|ol|li|strong|em|code)>`)

// FuzzMarkdown checks that no text, however crafted, gets markup of its
// own onto the page: with markdown's own tags taken out, no "<" is left.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{"A **b** *c* `d`", "- x\n1. y", "<img src=x onerror=alert(1)>", "**<**b>", "`<`", "\x00<\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := allowedTag.ReplaceAllString(string(markdown(s)), "")
		if strings.ContainsAny(out, "<>") {
			t.Fatalf("markdown(%q) leaves markup: %q", s, out)
		}
	})
}
