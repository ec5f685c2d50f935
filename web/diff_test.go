package web

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestAlignProperty checks that an alignment's kept and deleted elements
// are the old text and its kept and inserted ones the new, for texts with
// repeated lines (which the anchored diff does not anchor on).
func TestAlignProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		line := rapid.SampledFrom([]string{"", "a", "b", "c", "- item", "-- x", "+ y", " z", "@@ -1,1 +1,1 @@"})
		x := rapid.SliceOfN(line, 0, 30).Draw(t, "x")
		y := rapid.SliceOfN(line, 0, 30).Draw(t, "y")
		var gotX, gotY []string
		for _, e := range align(x, y) {
			if e.Op != '+' {
				gotX = append(gotX, e.Text)
			}
			if e.Op != '-' {
				gotY = append(gotY, e.Text)
			}
		}
		if !slices.Equal(gotX, x) || !slices.Equal(gotY, y) {
			t.Fatalf("align(%q, %q) gives %q and %q", x, y, gotX, gotY)
		}
	})
}

// TestWordDiffJoins checks that a line's words, joined, are the line.
func TestWordDiffJoins(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		word := rapid.SampledFrom([]string{"the", "hotline", "observers", "and", " ", "  ", "**x**"})
		old := strings.Join(rapid.SliceOfN(word, 0, 20).Draw(t, "old"), " ")
		new := strings.Join(rapid.SliceOfN(word, 0, 20).Draw(t, "new"), " ")
		o, n := wordDiff(old, new)
		for _, side := range []struct {
			name  string
			words []diffWord
			want  string
		}{{"old", o, old}, {"new", n, new}} {
			var b strings.Builder
			for _, w := range side.words {
				b.WriteString(w.Text)
			}
			if got := b.String(); got != strings.TrimRight(side.want, " ") {
				t.Fatalf("%s side: %q, want %q", side.name, got, side.want)
			}
		}
	})
}

// TestWordDiffMarks checks which words a rewritten line marks: an
// insertion, a deletion and a replacement are marked as one run each,
// and a line that keeps less than a third of its text is shown whole.
func TestWordDiffMarks(t *testing.T) {
	marked := func(ws []diffWord) []string {
		var m []string
		for _, w := range ws {
			if w.Changed {
				m = append(m, w.Text)
			}
		}
		return m
	}
	for _, tc := range []struct {
		old, new     string
		del, ins     []string
		rewriteWhole bool
	}{
		{old: "open a hotline.", new: "open a direct hotline.", ins: []string{" direct"}},
		{old: "notify exercises in advance.", new: "notify exercises.", del: []string{" in advance"}},
		{old: "of more than 9,000 troops", new: "of more than 13,000 troops", del: []string{" 9"}, ins: []string{" 13"}},
		{old: "Поляки и русские", new: "Поляки и белорусы", del: []string{" русские"}, ins: []string{" белорусы"}},
		{old: "the parties notify exercises", new: "observers are invited to every drill", rewriteWhole: true},
	} {
		o, n := pairWords(tc.old, tc.new)
		if tc.rewriteWhole {
			if o != nil || n != nil {
				t.Errorf("%q → %q: marked %q and %q, want the lines whole", tc.old, tc.new, marked(o), marked(n))
			}
			continue
		}
		if got := marked(o); !slices.Equal(got, tc.del) {
			t.Errorf("%q → %q: deleted %q, want %q", tc.old, tc.new, got, tc.del)
		}
		if got := marked(n); !slices.Equal(got, tc.ins) {
			t.Errorf("%q → %q: inserted %q, want %q", tc.old, tc.new, got, tc.ins)
		}
	}
}

// TestAlignManyTokens aligns texts with more distinct tokens than there
// are runes below the surrogates, which align's coding must step over.
func TestAlignManyTokens(t *testing.T) {
	const n = 0xd800 + 1000
	x := make([]string, n)
	for i := range x {
		x[i] = strconv.Itoa(i)
	}
	y := slices.Clone(x)
	y[n-10] = "changed"
	es := align(x, y)
	var del, ins []string
	for _, e := range es {
		switch e.Op {
		case '-':
			del = append(del, e.Text)
		case '+':
			ins = append(ins, e.Text)
		}
	}
	if len(es) != n+1 || !slices.Equal(del, []string{x[n-10]}) || !slices.Equal(ins, []string{"changed"}) {
		t.Errorf("%d edits, deleted %q, inserted %q; want %d, [%q], [\"changed\"]", len(es), del, ins, n+1, x[n-10])
	}
}
