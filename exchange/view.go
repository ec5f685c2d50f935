package exchange

import (
	"cmp"
	"slices"

	"github.com/indivisible-eurasia/indivisible"
)

// reconcile pairs the transfer reports in force, recs, into transfers,
// ordered by year, exporter, importer and category.
func reconcile(recs []*record) []indivisible.Transfer {
	type key struct {
		year               int
		exporter, importer string
		category           string
	}
	byKey := map[key]*indivisible.Transfer{}
	var out []*indivisible.Transfer
	for _, rec := range recs {
		r := rec.decl.TransferReport
		k := key{r.Year, rec.participant, r.Counterpart, r.Category}
		if r.Role == indivisible.Importer {
			k.exporter, k.importer = r.Counterpart, rec.participant
		}
		t := byKey[k]
		if t == nil {
			t = &indivisible.Transfer{Year: k.year, Exporter: k.exporter, Importer: k.importer, Category: k.category}
			byKey[k] = t
			out = append(out, t)
		}
		side := &t.Export
		if r.Role == indivisible.Importer {
			side = &t.Import
		}
		if *side == nil {
			*side = &indivisible.TransferSide{}
		}
		s := *side
		s.Quantity += r.Quantity
		s.Reports = append(s.Reports, rec.index)
		s.Entries = append(s.Entries, rec.entries...)
	}
	ts := make([]indivisible.Transfer, len(out))
	for i, t := range out {
		for _, s := range []*indivisible.TransferSide{t.Export, t.Import} {
			if s != nil {
				slices.Sort(s.Reports)
				slices.Sort(s.Entries)
				s.Entries = slices.Compact(s.Entries)
			}
		}
		ts[i] = *t
	}
	slices.SortFunc(ts, func(a, b indivisible.Transfer) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Exporter, b.Exporter), cmp.Compare(a.Importer, b.Importer),
			cmp.Compare(a.Category, b.Category))
	})
	return ts
}

// Declarations returns the state's declaration entries, oldest first, as
// the rules read them.
func (s *State) Declarations() []indivisible.DeclaredEntry {
	out := make([]indivisible.DeclaredEntry, 0, len(s.filed))
	for _, rec := range s.filed {
		d := indivisible.DeclaredEntry{Index: rec.index, Time: rec.time, Participant: rec.participant}
		if rec.decl != nil {
			d.Declaration = rec.versions[0].decl
			if d.Declaration.Kind != indivisible.KindCorrection {
				d.Corrections = slices.Clone(rec.entries[1:])
				d.Withdrawn = s.withdrawn[rec.index]
				if !d.Withdrawn {
					d.InForce = rec.decl
				}
			}
		}
		out = append(out, d)
	}
	return out
}

// Transfers returns the transfer reports in force, reconciled, ordered by
// year, exporter, importer and category: the pairs the mirror rules
// (transfer_mirror_mismatch, transfer_mirror_missing) are evaluated on.
func (s *State) Transfers() []indivisible.Transfer {
	return reconcile(s.live()[indivisible.KindTransferReport])
}

// View returns the state's declarations, transfers and findings under
// regime r.
func (s *State) View(r *Regime) *indivisible.ExchangeView {
	return &indivisible.ExchangeView{Size: s.Size(), Declarations: s.Declarations(), Transfers: s.Transfers(), Findings: s.Findings(r)}
}

// Read returns the view of a log's entries, given in any order, under
// regime r: what Check computes, with the declarations and transfers the
// findings were computed from.
func Read(r *Regime, entries []indivisible.Entry) *indivisible.ExchangeView {
	return stateOf(entries).View(r)
}
