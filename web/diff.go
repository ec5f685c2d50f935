package web

import (
	"html/template"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Amendments show as diffs of their text against the version before,
// line by line, and, where a line was rewritten, word by word within it.
//
// Both levels are github.com/sergi/go-diff (Myers' diff with Google's
// diff-match-patch clean-ups) over tokens, lines or words, each coded as
// one rune, as its own line mode does. The semantic clean-up merges the
// short equalities that pure Myers leaves inside a rewrite (a shared blank
// line between two different paragraphs, "the" between two different
// clauses), so a rewrite reads as one deletion and one insertion.

// edit is one element of an alignment: kept, deleted or inserted.
type edit struct {
	Op   byte // ' ', '-' or '+'
	Text string
}

// align returns the edits that turn x into y.
//
// go-diff stops refining at its deadline (DiffTimeout, one second): a text
// of tens of thousands of words, which MaxText allows, then still gets a
// correct alignment in bounded time, only a less minimal one.
func align(x, y []string) []edit {
	code := map[string]rune{}
	runes := func(ts []string) []rune {
		rs := make([]rune, len(ts))
		for i, t := range ts {
			r, ok := code[t]
			if !ok {
				r = rune(len(code))
				if r >= 0xd800 {
					r += 0x800 // past the surrogates, which are not runes
				}
				code[t] = r
			}
			rs[i] = r
		}
		return rs
	}
	dmp := diffmatchpatch.New()
	ds := dmp.DiffCleanupSemantic(dmp.DiffMainRunes(runes(x), runes(y), false))
	var es []edit
	i, j := 0, 0 // the next elements of x and y
	for _, d := range ds {
		for range utf8.RuneCountInString(d.Text) {
			switch d.Type {
			case diffmatchpatch.DiffEqual:
				es = append(es, edit{' ', x[i]})
				i, j = i+1, j+1
			case diffmatchpatch.DiffDelete:
				es = append(es, edit{'-', x[i]})
				i++
			case diffmatchpatch.DiffInsert:
				es = append(es, edit{'+', y[j]})
				j++
			}
		}
	}
	return es
}

// diffLine is a line of a rendered diff. A rewritten line (a deletion
// paired with an insertion) carries its words, with the changed ones
// marked. HTML is the line as the text reads, its inline Markdown
// rendered, with the changed words in <mark>.
type diffLine struct {
	Op    string // "same", "del" or "ins"
	Text  string
	Words []diffWord
	HTML  template.HTML
}

type diffWord struct {
	Text    string
	Changed bool
}

// textDiff diffs two proposal texts line by line. Where a run of changed
// lines deletes some and inserts others, they are paired in order and each
// pair is also diffed word by word, so that an amendment to one sentence
// of a paragraph shows which words changed.
func textDiff(old, new string) []diffLine {
	es := align(splitLines(old), splitLines(new))
	var out []diffLine
	for k := 0; k < len(es); {
		if es[k].Op == ' ' {
			out = append(out, diffLine{Op: "same", Text: es[k].Text})
			k++
			continue
		}
		// A run of changes, its deletions shown before its insertions
		// (the clean-up may put an insertion first).
		var del, add []diffLine
		for ; k < len(es) && es[k].Op != ' '; k++ {
			if es[k].Op == '-' {
				del = append(del, diffLine{Op: "del", Text: es[k].Text})
			} else {
				add = append(add, diffLine{Op: "ins", Text: es[k].Text})
			}
		}
		for p := range min(len(del), len(add)) {
			del[p].Words, add[p].Words = pairWords(del[p].Text, add[p].Text)
		}
		out = append(append(out, del...), add...)
	}
	for i := range out {
		out[i].HTML = out[i].render()
	}
	return out
}

// The changed words are marked in the line's Markdown with two
// characters of Unicode's private use area, which Markdown treats as
// letters, and which become <mark> and </mark> once it is rendered. A
// text's own such characters are replaced first.
const (
	markOn  = "\ue000"
	markOff = "\ue001"
)

var unmark = strings.NewReplacer(markOn, "\ufffd", markOff, "\ufffd")

// render renders the line's inline Markdown and marks its changed words.
// A changed run may start outside an emphasis and end inside it
// ("hotline** and"), so each mark wraps only the text between two tags:
// it is closed before every tag inside it and opened again after.
func (l diffLine) render() template.HTML {
	var src strings.Builder
	if l.Words == nil {
		src.WriteString(unmark.Replace(l.Text))
	}
	for _, w := range l.Words {
		if w.Changed {
			src.WriteString(markOn + unmark.Replace(w.Text) + markOff)
		} else {
			src.WriteString(unmark.Replace(w.Text))
		}
	}
	h := string(inlineHTML(src.String()))
	var b strings.Builder
	marked := false
	for len(h) > 0 {
		i := strings.IndexAny(h, "<"+markOn+markOff)
		if i < 0 {
			b.WriteString(h)
			break
		}
		b.WriteString(h[:i])
		h = h[i:]
		switch {
		case strings.HasPrefix(h, markOn):
			b.WriteString("<mark>")
			marked, h = true, h[len(markOn):]
		case strings.HasPrefix(h, markOff):
			b.WriteString("</mark>")
			marked, h = false, h[len(markOff):]
		default: // a tag: the sanitised HTML has no "<" in text or attribute
			j := strings.IndexByte(h, '>') + 1
			if marked {
				b.WriteString("</mark>" + h[:j] + "<mark>")
			} else {
				b.WriteString(h[:j])
			}
			h = h[j:]
		}
	}
	return template.HTML(strings.ReplaceAll(b.String(), "<mark></mark>", ""))
}

// pairWords diffs a deleted line against the inserted line in its place,
// word by word. Lines that keep less than a third of their text are
// rewrites rather than edits, and are left whole (nil).
func pairWords(old, new string) ([]diffWord, []diffWord) {
	o, n := wordDiff(old, new)
	kept := func(ws []diffWord, all string) bool {
		k := 0
		for _, w := range ws {
			if !w.Changed {
				k += len(strings.TrimSpace(w.Text))
			}
		}
		return 3*k >= len(strings.TrimSpace(all))
	}
	if !kept(o, old) || !kept(n, new) {
		return nil, nil
	}
	return o, n
}

func splitLines(s string) []string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// wordRe splits a line into words and runs of punctuation, each with the
// spaces before it: "defence." is "defence" and ".", so that a clause
// added before a full stop marks the clause, not the last word.
var wordRe = regexp.MustCompile(`\s*(?:[\p{L}\p{N}_'’-]+|[^\p{L}\p{N}_'’\s-]+)`)

// wordDiff diffs two lines word by word and returns each side: the old
// line's words, the deleted ones changed, and the new line's, the
// inserted ones changed. Each word keeps the spaces before it, so a
// side's words joined are its line.
func wordDiff(old, new string) (o, n []diffWord) {
	add := func(side []diffWord, text string, changed bool) []diffWord {
		if k := len(side); k > 0 && side[k-1].Changed == changed {
			side[k-1].Text += text // one mark for a run of changed words
			return side
		}
		return append(side, diffWord{text, changed})
	}
	for _, e := range align(wordRe.FindAllString(old, -1), wordRe.FindAllString(new, -1)) {
		if e.Op != '+' {
			o = add(o, e.Text, e.Op == '-')
		}
		if e.Op != '-' {
			n = add(n, e.Text, e.Op == '+')
		}
	}
	return o, n
}
