package exchange

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/indivisible-eurasia/indivisible"
)

// TestReadCorrectionOfAnotherKind is issue 11's log: DEU exports 14
// tanks, POL reports importing 12, then POL "corrects" its import with an
// annual exchange. The correction cannot apply, so the import stays in
// force and the transfer differs.
func TestReadCorrectionOfAnotherKind(t *testing.T) {
	es := entries(
		logged{"2026-01-10", transfer("DEU", "exporter", 2025, "POL", 14)},
		logged{"2026-01-11", transfer("POL", "importer", 2025, "DEU", 12)},
		logged{"2026-01-12", correct("POL", 1, annual("POL", 2026, 600))},
	)
	v := Read(DefaultRegime(), es)
	if diff := cmp.Diff(Check(DefaultRegime(), es), v.Findings); diff != "" {
		t.Errorf("Read's findings differ from Check's:\n%s", diff)
	}
	var rules []string
	for _, f := range v.Findings {
		rules = append(rules, f.Rule)
	}
	if want := []string{RuleMirrorMismatch, RuleInvalidCorrection}; !slices.Equal(rules, want) {
		t.Errorf("rules %q, want %q", rules, want)
	}
	want := []indivisible.Transfer{{Year: 2025, Exporter: "DEU", Importer: "POL", Category: "battle_tanks",
		Export: &indivisible.TransferSide{Quantity: 14, Reports: []int64{0}, Entries: []int64{0}},
		Import: &indivisible.TransferSide{Quantity: 12, Reports: []int64{1}, Entries: []int64{1}}}}
	if diff := cmp.Diff(want, v.Transfers); diff != "" {
		t.Errorf("transfers:\n%s", diff)
	}
	if s := v.Transfers[0].Status(); s != indivisible.TransferDiffer {
		t.Errorf("status %q", s)
	}
	if d := v.Declarations[1]; d.InForce != d.Declaration || d.CorrectedBy() != -1 || d.Withdrawn {
		t.Errorf("the import as read: %+v", d)
	}
	if d := v.Declarations[2]; d.InForce != nil || d.Declaration.Kind != indivisible.KindCorrection {
		t.Errorf("the correction as read: %+v", d)
	}
}

func TestReadDeclarations(t *testing.T) {
	es := entries(
		logged{"2026-01-10", transfer("POL", "exporter", 2025, "DEU", 3)}, // 0: corrected twice
		logged{"2026-01-10", correct("POL", 0, transfer("POL", "exporter", 2025, "DEU", 4))},
		logged{"2026-01-10", annual("DEU", 2026, 10)}, // 2: withdrawn
		logged{"2026-01-10", withdraw("DEU", 2)},
		logged{"2026-01-10", correct("POL", 0, transfer("POL", "exporter", 2025, "DEU", 5))},
		logged{"2026-01-10", `{"kind": "nonsense"}`}, // 5: invalid
		logged{"2026-01-10", withdraw("DEU", 0)},     // another's entry
		logged{"2026-01-10", withdraw("POL", 8)},     // a later entry
		logged{"2026-01-10", transfer("DEU", "importer", 2025, "POL", 5)},
	)
	v := Read(DefaultRegime(), es)
	wantTransfers := []indivisible.Transfer{{Year: 2025, Exporter: "POL", Importer: "DEU", Category: "battle_tanks",
		Export: &indivisible.TransferSide{Quantity: 5, Reports: []int64{0}, Entries: []int64{0, 1, 4}},
		Import: &indivisible.TransferSide{Quantity: 5, Reports: []int64{8}, Entries: []int64{8}}}}
	if diff := cmp.Diff(wantTransfers, v.Transfers); diff != "" {
		t.Errorf("transfers (-want +got):\n%s", diff)
	}
	var got []string
	for _, d := range v.Declarations {
		kind, inForce := "-", "-"
		if d.Declaration != nil {
			kind = string(d.Declaration.Kind)
		}
		if d.InForce != nil {
			inForce = fmt.Sprint(d.InForce.TransferReport != nil && d.InForce.TransferReport.Quantity == 5)
		}
		got = append(got, fmt.Sprintf("%d %s %s %s %v %d %t", d.Index, d.Participant, kind, inForce, d.Corrections, d.CorrectedBy(), d.Withdrawn))
	}
	want := []string{
		"0 POL transfer_report true [1 4] 4 false",
		"1 POL correction - [] -1 false",
		"2 DEU annual_exchange - [3] 3 true",
		"3 DEU correction - [] -1 false",
		"4 POL correction - [] -1 false",
		"5 POL - - [] -1 false",
		"6 DEU correction - [] -1 false",
		"7 POL correction - [] -1 false",
		"8 DEU transfer_report true [] -1 false",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("declarations (-want +got):\n%s", diff)
	}
}

// genMessyLog draws a log as genLog does, then corrections of every sort:
// valid ones, withdrawals, and ones that cannot apply (of another's entry,
// of another kind, of a correction, of a later entry, of an entry that is
// not a declaration), and entries that do not parse.
func genMessyLog(t *rapid.T) []indivisible.Entry {
	es := genLog(t)
	for range rapid.IntRange(0, 12).Draw(t, "corrections") {
		n := int64(len(es))
		target := rapid.Int64Range(0, n+1).Draw(t, "target") // n and n+1 are not earlier
		p := rapid.SampledFrom(states).Draw(t, "by")
		if target < n && rapid.IntRange(0, 3).Draw(t, "own") > 0 {
			p = es[target].Participant // mostly one's own
		}
		var body string
		switch rapid.IntRange(0, 5).Draw(t, "sort") {
		case 0:
			body = withdraw(p, target)
		case 1:
			body = `{"kind": "correction"}`
		default:
			if target < n && es[target].Participant == p && rapid.Bool().Draw(t, "same") {
				if d, err := Parse(es[target].Body, nil); err == nil && d.Kind != indivisible.KindCorrection {
					// The same kind with other figures, from a fresh draw.
					for range 20 {
						b := genBody(t, p)
						if x, _ := Parse([]byte(b), nil); x.Kind == d.Kind {
							body = correct(p, target, b)
							break
						}
					}
				}
			}
			if body == "" {
				body = correct(p, target, genBody(t, p))
			}
		}
		es = append(es, next(es, p, body))
	}
	return es
}

// TestReadAgreesWithCheck checks the view against the findings Check
// computes on random logs: the findings are the same; a correction
// applies exactly when no invalid_correction finding is about it; a
// withdrawn declaration is involved in no finding but invalid
// corrections; and the transfers that differ, or miss a side, are the
// mirror findings.
func TestReadAgreesWithCheck(t *testing.T) {
	r := DefaultRegime()
	rapid.Check(t, func(t *rapid.T) {
		es := genMessyLog(t)
		v := Read(r, es)
		findings := Check(r, es)
		if diff := cmp.Diff(findings, v.Findings); diff != "" {
			t.Fatalf("Read's findings differ from Check's:\n%s", diff)
		}
		byIndex := map[int64]indivisible.DeclaredEntry{}
		applied := map[int64]bool{}
		for _, d := range v.Declarations {
			byIndex[d.Index] = d
			for _, c := range d.Corrections {
				applied[c] = true
			}
		}
		if len(v.Declarations) != len(es) {
			t.Fatalf("%d declarations of %d entries", len(v.Declarations), len(es))
		}
		// The corrections at fault in an invalid_correction finding: those
		// of its entries that correct the other one (or the only one).
		refused := map[int64]bool{}
		for _, f := range findings {
			if f.Rule != RuleInvalidCorrection {
				continue
			}
			for _, e := range f.Entries {
				d := byIndex[e].Declaration
				if d == nil || d.Kind != indivisible.KindCorrection {
					continue
				}
				if len(f.Entries) == 1 || slices.Contains(f.Entries, d.Correction.Corrects) && d.Correction.Corrects != e {
					refused[e] = true
				}
			}
		}
		for _, d := range v.Declarations {
			if d.Declaration == nil || d.Declaration.Kind != indivisible.KindCorrection {
				continue
			}
			if applied[d.Index] == refused[d.Index] {
				t.Fatalf("correction %d: applied %t, invalid_correction finding %t", d.Index, applied[d.Index], refused[d.Index])
			}
		}
		for _, f := range findings {
			for _, e := range f.Entries {
				if d := byIndex[e]; d.Withdrawn && f.Rule != RuleInvalidCorrection {
					t.Fatalf("withdrawn entry %d is involved in %+v", e, f)
				}
			}
		}
		// The mirror findings are the transfers' sides, as the view has
		// them.
		var mismatches, missing [][]int64
		for _, f := range findings {
			switch f.Rule {
			case RuleMirrorMismatch:
				mismatches = append(mismatches, f.Entries)
			case RuleMirrorMissing:
				missing = append(missing, f.Entries)
			}
		}
		var differ, oneSided [][]int64
		for _, tr := range v.Transfers {
			switch tr.Status() {
			case indivisible.TransferDiffer:
				differ = append(differ, slices.Sorted(slices.Values(slices.Concat(tr.Export.Entries, tr.Import.Entries))))
			case indivisible.TransferExporterOnly:
				oneSided = append(oneSided, tr.Export.Entries)
			case indivisible.TransferImporterOnly:
				oneSided = append(oneSided, tr.Import.Entries)
			}
		}
		sortAll := func(xs [][]int64) [][]int64 {
			for i := range xs {
				xs[i] = slices.Compact(slices.Sorted(slices.Values(xs[i])))
			}
			slices.SortFunc(xs, slices.Compare)
			return xs
		}
		if diff := cmp.Diff(sortAll(differ), sortAll(mismatches)); diff != "" {
			t.Fatalf("transfers that differ vs mirror mismatches:\n%s", diff)
		}
		for _, m := range missing {
			if !slices.ContainsFunc(oneSided, func(s []int64) bool { return slices.Equal(s, m) }) {
				t.Fatalf("mirror missing %v is no one-sided transfer's entries %v", m, oneSided)
			}
		}
		// Each transfer adds up the reports in force on its side.
		for _, tr := range v.Transfers {
			for role, s := range map[indivisible.TransferRole]*indivisible.TransferSide{indivisible.Exporter: tr.Export, indivisible.Importer: tr.Import} {
				var q int64
				var reports []int64
				for _, d := range v.Declarations {
					x := d.InForce
					if x == nil || x.TransferReport == nil || x.TransferReport.Role != role || x.TransferReport.Year != tr.Year || x.TransferReport.Category != tr.Category {
						continue
					}
					if self, other := d.Participant, x.TransferReport.Counterpart; role == indivisible.Exporter && (self != tr.Exporter || other != tr.Importer) ||
						role == indivisible.Importer && (self != tr.Importer || other != tr.Exporter) {
						continue
					}
					q += x.TransferReport.Quantity
					reports = append(reports, d.Index)
				}
				if s == nil {
					if reports != nil {
						t.Fatalf("%+v: no %s side, but reports %v", tr, role, reports)
					}
				} else if s.Quantity != q || !slices.Equal(s.Reports, reports) {
					t.Fatalf("%+v: %s side %+v, but reports %v of %d in force", tr, role, s, reports, q)
				}
			}
		}
	})
}

// TestServiceView checks that the service's view is the State's over the
// log, recomputed as the log grows.
func TestServiceView(t *testing.T) {
	ctx := context.Background()
	l := &memLog{}
	s := NewService(l, nil, DefaultRegime())
	for i, body := range []string{transfer("DEU", "exporter", 2025, "POL", 14), transfer("POL", "importer", 2025, "DEU", 12)} {
		d, _ := Parse([]byte(body), nil)
		l.entries = append(l.entries, indivisible.Entry{Index: int64(i), Time: at("2026-01-10"), Kind: indivisible.KindDeclaration,
			Participant: d.Participant, Body: []byte(body)})
		v, err := s.View(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(Read(DefaultRegime(), l.entries), v); diff != "" {
			t.Fatalf("after %d entries:\n%s", i+1, diff)
		}
	}
}

// memLog is a log in memory, for reading only: the writing methods of
// the embedded Log are nil and would panic.
type memLog struct {
	Log
	entries []indivisible.Entry
}

func (l *memLog) Checkpoint(ctx context.Context) (indivisible.Checkpoint, error) {
	return indivisible.Checkpoint{Size: int64(len(l.entries))}, nil
}
func (l *memLog) Entries(ctx context.Context, start, end int64) ([]indivisible.Entry, error) {
	return l.entries[start:end], nil
}
