package web

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	_ "modernc.org/sqlite"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/accounts"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// TestPseudoLocale renders every page, as each role, in the pseudo-locale,
// where every catalog message is wrapped in ⟦…⟧, and asserts that every
// piece of text a reader sees (and every accessible name) is either
// wrapped, or a data value: something stored in the database, a
// participant's name or code, a number. Text that is neither is a string
// nobody put in the catalogs, and would show in English to a Russian or
// Chinese reader.
func TestPseudoLocale(t *testing.T) {
	f := newForumFixture(t)
	f.deps.AccountService = accounts.New(accounts.Config{Store: f.db, Scenario: f.deps.Scenario, Keys: f.log})
	h := NewHandler(f.deps)
	data := storedText(t, f)
	for _, p := range f.deps.Scenario.Participants {
		data = append(data, p.Code, p.Name)
		if n, ok := i18n.RegionName(i18n.Pseudo, p.Code); ok {
			data = append(data, n)
		}
	}
	// The scenario's records: treaties, sources, capitals. (Its
	// components' names and units are the interface's words, translated.)
	sc := f.deps.Scenario
	data = append(data, sc.Description)
	for _, c := range sc.Commitments {
		data = append(data, c.Treaty)
	}
	for _, h := range sc.Holdings {
		data = append(data, h.Source)
	}
	for _, d := range sc.Deployments {
		data = append(data, d.Source)
	}
	for _, p := range sc.Participants {
		data = append(data, p.Capital)
	}
	// The product's name, and the languages' own names in the switch.
	data = append(data, "Indivisible", f.deps.Scenario.Name)
	for _, l := range languageLinks(httptest.NewRequest("GET", "/", nil), i18n.English) {
		data = append(data, l.Name)
	}
	data = dataValues(data, bundle.Keys(i18n.English))
	sec := f.acc["secretariat"]
	tanks := shareLink(&indivisible.Proposal{Measures: []indivisible.Measure{
		{Type: indivisible.MeasureHoldings, Actor: "POL", Category: indivisible.BattleTanks, Change: 250}}}, 0.0001)
	pages := []struct{ as, path string }{
		{"", "/"}, {"", "/?org=CSTO"}, {"", "/assess"}, {"", tanks}, {"", "/state/POL"}, {"", "/state/CSTO"},
		{"", "/exchange"}, {"", "/log"}, {"", "/log/entry/1"}, {"", "/docs/exchange"},
		{"", "/forum"}, {"", fmt.Sprintf("/forum/%d", f.forum)}, {"", f.itemURL(f.open)}, {"", f.itemURL(f.decided)},
		{"", fmt.Sprintf("/forum/%d/items/%d/outcome", f.forum, f.decided)},
		{"", fmt.Sprintf("/forum/%d/questions/%d", f.forum, f.question)}, {"", "/nowhere"},
		{"POL", "/exchange"}, {"POL", f.itemURL(f.open)}, {"POL", fmt.Sprintf("/forum/%d", f.forum)},
		{"Expert Schmidt", fmt.Sprintf("/forum/%d/questions/%d", f.forum, f.question)},
		{"secretariat", "/admin"}, {"secretariat", fmt.Sprintf("/admin/accounts/%d", sec.ID)},
		{"secretariat", fmt.Sprintf("/admin/forums/%d", f.forum)}, {"secretariat", f.itemURL(f.open)},
	}
	for _, p := range pages {
		t.Run(p.as+p.path, func(t *testing.T) {
			c := &client{t: t, h: h}
			if p.as != "" {
				c, _ = f.client(t, h, p.as)
			}
			sep := "?"
			if strings.Contains(p.path, "?") {
				sep = "&"
			}
			res, body := c.get(p.path + sep + "lang=en-XA")
			if res.StatusCode >= 500 {
				t.Fatalf("status %d", res.StatusCode)
			}
			for _, s := range untranslated(t, body, data) {
				t.Errorf("not from a catalog: %+q", s)
			}
		})
	}
}

// storedText returns every text value in the fixture's database: the
// data the pages show, which is not the interface's to translate.
func storedText(t *testing.T, f *forumFixture) []string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := f.db.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	var out []string
	for _, tb := range tables {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+tb+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				var text string
				switch v := v.(type) {
				case string:
					text = v
				case []byte:
					text = string(v)
				}
				out = append(out, text)
				// A declaration is stored as its JSON body; the pages
				// show its fields.
				// (A log entry's record holds it after a binary header,
				// which may hold a "{" byte too.)
				for i := range len(text) {
					var body any
					if text[i] == '{' && json.Unmarshal([]byte(text[i:]), &body) == nil {
						out = append(out, jsonStrings(body)...)
						break
					}
				}
			}
		}
		rows.Close()
	}
	return out
}

func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	}
	return nil
}

// wrappedRE is a pseudo-locale message; a message with markup arguments
// spans several text runs, which the separator joins.
var wrappedRE = regexp.MustCompile(`⟦[^⟦⟧]*⟧`)

// runSep separates the text runs of a page (one per text node).
const runSep = "\x1f"

// untranslated returns the runs of visible text and the accessible names
// of page that are neither pseudo-locale messages nor data values.
func untranslated(t *testing.T, page string, data []string) []string {
	t.Helper()
	// With scripting off, as the parser of a browser without JavaScript,
	// so that <noscript> holds text to check rather than raw markup.
	doc, err := html.ParseWithOptions(strings.NewReader(page), html.ParseOptionEnableScripting(false))
	if err != nil {
		t.Fatal(err)
	}
	var runs, names []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			// Scripts and styles are not read; code and preformatted text
			// are commands, paths and signed bytes, data by nature.
			// A text area's text is the value it submits.
			case atom.Script, atom.Style, atom.Code, atom.Pre, atom.Kbd, atom.Samp, atom.Template, atom.Textarea:
				return
			}
			// Text marked as not for translation, or as written in a
			// language of its own (a language's name in the switch, a
			// document whose source is English), is data.
			for _, a := range n.Attr {
				if a.Key == "translate" && a.Val == "no" || a.Key == "lang" && n.DataAtom != atom.Html {
					return
				}
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "aria-label", "title", "placeholder", "alt", "aria-description":
					names = append(names, a.Val)
				case "value":
					if typ := attr(n, "type"); n.DataAtom == atom.Input && (typ == "submit" || typ == "button" || typ == "reset") {
						names = append(names, a.Val)
					}
				}
			}
		}
		if n.Type == html.TextNode {
			runs = append(runs, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	var bad []string
	for _, s := range append(strings.Split(unwrap(strings.Join(runs, runSep)), runSep), names...) {
		s = strings.Join(strings.Fields(unwrap(s)), " ")
		if s == "" || !hasLetter(s) || isData(s, data) {
			continue
		}
		bad = append(bad, s)
	}
	slices.Sort(bad)
	return slices.Compact(bad)
}

// unwrap removes the pseudo-locale's messages from s, innermost first:
// a message's argument may be another message.
func unwrap(s string) string {
	for {
		t := wrappedRE.ReplaceAllString(s, "")
		if t == s {
			return s
		}
		s = t
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// isData reports whether s is data: a part of one data value (Markdown
// and lists split a stored text into several runs), or data values
// joined by punctuation and numbers ("Poland (POL)"). Data are sorted
// longest first, so that a name is taken whole before a code within it.
func isData(s string, data []string) bool {
	trimmed := strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, d := range data {
		if strings.Contains(d, trimmed) {
			return true
		}
	}
	for _, d := range data {
		s = strings.ReplaceAll(s, d, " ")
	}
	return !hasLetter(s)
}

// dataValues normalises the data for isData: spaces collapsed, longest
// first, and without the codes the database stores for a vocabulary the
// catalogs translate ("consensus", "support": the last word of a key),
// which a page must show by their translated names, never as they are.
func dataValues(data, keys []string) []string {
	codes := map[string]bool{}
	for _, k := range keys {
		codes[k[strings.LastIndex(k, ".")+1:]] = true
	}
	var out []string
	for _, d := range data {
		d = strings.Join(strings.Fields(d), " ")
		if d == "" || codes[d] {
			continue
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(out)
}
