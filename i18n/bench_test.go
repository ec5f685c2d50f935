package i18n

import "testing"

// BenchmarkLocalize measures what a page pays per message: the lookup of a
// plural message, the choice of its form, and the formatting of its
// argument (a grouped number).
func BenchmarkLocalize(b *testing.B) {
	l := Embedded().Localizer(russian)
	var s string
	for b.Loop() {
		s = l.T("count.findings", "count", 1234)
	}
	if s == "" {
		b.Fatal("empty message")
	}
}
