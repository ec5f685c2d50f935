package web

import (
	"slices"
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
		for _, side := range []struct {
			op   byte
			want string
		}{{'-', old}, {'+', new}} {
			var b strings.Builder
			for _, w := range wordDiff(old, new, side.op) {
				b.WriteString(w.Text)
			}
			if got := b.String(); got != strings.TrimRight(side.want, " ") {
				t.Fatalf("side %c: %q, want %q", side.op, got, side.want)
			}
		}
	})
}
