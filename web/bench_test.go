package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
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
