package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchDeclarations is how many declarations the benchmarks' log holds
// beyond the fixture's, a few years of a busy exchange.
const benchDeclarations = 1000

// benchFixture is the exchange fixture with benchDeclarations transfer
// reports more: exporters' and importers' reports, a tenth of them
// disagreeing.
func benchFixture(b *testing.B) *exchangeFixture {
	b.Helper()
	f := newExchangeFixture(b)
	for i := range benchDeclarations {
		year, q := 2000+i%25, 1+i/50
		if i%2 == 0 {
			f.submit(b, "DEU", fmt.Sprintf(`{"kind": "transfer_report", "participant": "DEU", "role": "exporter", "year": %d, "counterpart": "POL", "category": "artillery", "quantity": %d, "description": "lot %d"}`, year, q, i))
			continue
		}
		if i%20 == 1 {
			q++
		}
		f.submit(b, "POL", fmt.Sprintf(`{"kind": "transfer_report", "participant": "POL", "role": "importer", "year": %d, "counterpart": "DEU", "category": "artillery", "quantity": %d, "description": "lot %d"}`, year, q, i-1))
	}
	return f
}

func benchGet(b *testing.B, h http.Handler, target string) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if rec.Code != 200 {
			b.Fatalf("%s: status %d", target, rec.Code)
		}
	}
}

// BenchmarkExchangePage renders the Exchange page over the whole log:
// reading every entry, the findings, the calendar and the reconciliation.
func BenchmarkExchangePage(b *testing.B) {
	h := NewHandler(benchFixture(b).deps)
	b.Run("all", func(b *testing.B) { benchGet(b, h, "/exchange") })
	b.Run("filtered", func(b *testing.B) { benchGet(b, h, "/exchange?participant=RUS&kind=exercise_notification") })
}

// BenchmarkLogEntry renders an entry's page: the entry, its inclusion
// proof and the findings that involve it.
func BenchmarkLogEntry(b *testing.B) {
	f := benchFixture(b)
	h := NewHandler(f.deps)
	benchGet(b, h, fmt.Sprintf("/log/entry/%d", f.size(b)/2))
}

// BenchmarkForumItem renders an agenda item's page: the item's status
// (versions, positions, the provisional count), the amendment's diff and
// the version's assessment map, chart and tables. The open item is also
// rendered in Russian and Chinese, whose every string is a catalog
// lookup as the English ones are.
func BenchmarkForumItem(b *testing.B) {
	f := newForumFixture(b)
	h := NewHandler(f.deps)
	b.Run("open", func(b *testing.B) { benchGet(b, h, f.itemURL(f.open)) })
	b.Run("decided", func(b *testing.B) { benchGet(b, h, f.itemURL(f.decided)) })
	for _, lang := range []string{"ru", "zh-Hans"} {
		b.Run("open/"+lang, func(b *testing.B) { benchGet(b, h, f.itemURL(f.open)+"?lang="+lang) })
	}
}

// BenchmarkOverview renders the overview: the ranking of every
// participant, the map's data and the organisations, in each language.
func BenchmarkOverview(b *testing.B) {
	h := NewHandler(newDeps(b))
	for _, lang := range []string{"en", "ru", "zh-Hans"} {
		b.Run(lang, func(b *testing.B) { benchGet(b, h, "/?lang="+lang) })
	}
}

// BenchmarkTextDiff diffs a proposal of 200 paragraphs against an
// amendment that rewrites every tenth.
func BenchmarkTextDiff(b *testing.B) {
	var old, new strings.Builder
	for i := range 200 {
		p := fmt.Sprintf("Paragraph %d: the parties notify exercises of more than %d troops to each other in advance.\n\n", i, 1000+i)
		old.WriteString(p)
		if i%10 == 0 {
			p = strings.Replace(p, "in advance", "42 days in advance, with observers invited", 1)
		}
		new.WriteString(p)
	}
	b.ReportAllocs()
	for b.Loop() {
		textDiff(old.String(), new.String())
	}
}
