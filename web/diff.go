package web

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// Amendments show as diffs of their text against the version before,
// line by line, and, where a line was rewritten, word by word within it.
//
// The alignment comes from github.com/rogpeppe/go-internal/diff (already a
// dependency, through testscript): the Go tree's anchored diff, which
// runs in O(n log n) where a textbook LCS takes O(n·m) time and memory,
// and which matches unique lines, so it does not pair up unrelated blank
// lines. It prints a unified diff; align reads that back into a full
// sequence of edits.

// edit is one element of an alignment: kept, deleted or inserted.
type edit struct {
	Op   byte // ' ', '-' or '+'
	Text string
}

var hunkRe = regexp.MustCompile(`^@@ -(\d+),(\d+) \+(\d+),(\d+) @@`)

// align returns the edits that turn x into y. Elements must not contain
// newlines.
func align(x, y []string) []edit {
	out := diff.Diff("x", joinLines(x), "y", joinLines(y))
	var es []edit
	i, j := 0, 0 // the next elements of x and y
	same := func(to int) {
		for ; i < to && i < len(x); i, j = i+1, j+1 {
			es = append(es, edit{' ', x[i]})
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for n := 0; sc.Scan(); n++ {
		line := sc.Text()
		if n < 3 || line == "" {
			continue // the header: "diff x y", "--- x", "+++ y"
		}
		if m := hunkRe.FindStringSubmatch(line); m != nil {
			a, _ := strconv.Atoi(m[1])
			if b, _ := strconv.Atoi(m[2]); b > 0 {
				a-- // 1-based, except for an empty side
			}
			same(a)
			continue
		}
		switch {
		case line[0] == ' ':
			same(i + 1)
		case line[0] == '-' && i < len(x):
			es = append(es, edit{'-', x[i]})
			i++
		case line[0] == '+' && j < len(y):
			es = append(es, edit{'+', y[j]})
			j++
		}
	}
	same(len(x))
	for ; j < len(y); j++ { // only if the diff's output was cut short
		es = append(es, edit{'+', y[j]})
	}
	return es
}

func joinLines(s []string) []byte {
	var b bytes.Buffer
	for _, l := range s {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// diffLine is a line of a rendered diff. A rewritten line (a deletion
// paired with an insertion) carries its words, with the changed ones
// marked.
type diffLine struct {
	Op    string // "same", "del" or "ins"
	Text  string
	Words []diffWord
}

type diffWord struct {
	Text    string
	Changed bool
}

// textDiff diffs two proposal texts line by line. Where a run of deleted
// lines is followed by inserted ones, they are paired in order and each
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
		dels := k
		for k < len(es) && es[k].Op == '-' {
			k++
		}
		ins := k
		for k < len(es) && es[k].Op == '+' {
			k++
		}
		nd, ni := ins-dels, k-ins
		del := make([]diffLine, nd)
		for d := range nd {
			del[d] = diffLine{Op: "del", Text: es[dels+d].Text}
		}
		add := make([]diffLine, ni)
		for n := range ni {
			add[n] = diffLine{Op: "ins", Text: es[ins+n].Text}
		}
		for p := range min(nd, ni) {
			del[p].Words, add[p].Words = pairWords(del[p].Text, add[p].Text)
		}
		out = append(append(out, del...), add...)
	}
	return out
}

// pairWords diffs a deleted line against the inserted line in its place,
// word by word. Lines that keep less than a third of their text are
// rewrites rather than edits, and are left whole (nil).
func pairWords(old, new string) ([]diffWord, []diffWord) {
	o, n := wordDiff(old, new, '-'), wordDiff(old, new, '+')
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

// wordDiff returns the side (op '-' for the old line, '+' for the new) of
// a word-by-word diff of two lines. Each word keeps the spaces before it,
// so the words joined are the line.
func wordDiff(old, new string, op byte) []diffWord {
	var out []diffWord
	for _, e := range align(wordRe.FindAllString(old, -1), wordRe.FindAllString(new, -1)) {
		if e.Op != ' ' && e.Op != op {
			continue
		}
		changed := e.Op != ' '
		if n := len(out); n > 0 && out[n-1].Changed == changed {
			out[n-1].Text += e.Text // one mark for a run of changed words
			continue
		}
		out = append(out, diffWord{e.Text, changed})
	}
	return out
}
