package exchange

import (
	"cmp"
	"slices"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// View is the exchange's reading of a log, for the surfaces that show it:
// the declarations with the corrections applied, the transfers
// reconciled, and the findings, all computed by the code that evaluates
// the rules, at one log size. A surface renders a View and never
// re-derives a rule. A View is shared: do not modify it.
type View struct {
	// Size is the log size the view was computed at.
	Size int64
	// Declarations are the log's declaration entries, oldest first.
	Declarations []Declared
	// Transfers are the transfers reported, reconciled, ordered by year,
	// exporter, importer and category.
	Transfers []Transfer
	// Findings are the regime's findings, as State.Findings returns them.
	Findings []indivisible.Finding
}

// Declared is a declaration entry of the log as the rules read it.
type Declared struct {
	Index       int64
	Time        time.Time
	Participant string
	// Declaration is the declaration as filed; nil for an entry that is
	// not a valid declaration (an invalid_entry finding says why).
	Declaration *indivisible.Declaration
	// InForce is the content the rules evaluate: Declaration, or the
	// replacement of the latest correction applied to it. It is nil for a
	// withdrawn declaration, for a correction (which is not itself a
	// declaration of the regime) and for an invalid entry.
	InForce *indivisible.Declaration
	// Corrections are the entries of the corrections applied to it,
	// ascending. A correction that cannot apply (an invalid_correction
	// finding) is not among them.
	Corrections []int64
	// Withdrawn says the latest correction applied withdraws it.
	Withdrawn bool
}

// CorrectedBy returns the latest correction applied to the declaration, or
// -1 for none.
func (d Declared) CorrectedBy() int64 {
	if len(d.Corrections) == 0 {
		return -1
	}
	return d.Corrections[len(d.Corrections)-1]
}

// TransferStatus compares the two sides' reports of a Transfer.
type TransferStatus string

const (
	// TransferAgree: both sides reported the same quantity.
	TransferAgree TransferStatus = "agree"
	// TransferDiffer: both sides reported, different quantities (a
	// transfer_mirror_mismatch finding).
	TransferDiffer TransferStatus = "differ"
	// TransferExporterOnly: only the exporter reported (a
	// transfer_mirror_missing finding once the import is due).
	TransferExporterOnly TransferStatus = "exporter only"
	// TransferImporterOnly: only the importer reported (a
	// transfer_mirror_missing finding once the export is due).
	TransferImporterOnly TransferStatus = "importer only"
)

// Transfer pairs the exporter's and the importer's reports, in force, of
// the transfers of one category between two states in one year (UN
// Register mirror reporting).
type Transfer struct {
	Year               int
	Exporter, Importer string
	Category           string
	// Export and Import are the exporter's and the importer's reports;
	// nil when that side reported none.
	Export, Import *TransferSide
}

// TransferSide is one side's reports of a Transfer.
type TransferSide struct {
	// Quantity is the sum of the reports.
	Quantity int64
	// Reports are the reports' entries, ascending.
	Reports []int64
	// Entries are the reports' entries and the corrections applied to
	// them, ascending: the entries findings about the reports name.
	Entries []int64
}

// Status compares the two sides.
func (t Transfer) Status() TransferStatus {
	switch {
	case t.Import == nil:
		return TransferExporterOnly
	case t.Export == nil:
		return TransferImporterOnly
	case t.Export.Quantity == t.Import.Quantity:
		return TransferAgree
	}
	return TransferDiffer
}

// reconcile pairs the transfer reports in force, recs, into transfers,
// ordered by year, exporter, importer and category.
func reconcile(recs []*record) []Transfer {
	type key struct {
		year               int
		exporter, importer string
		category           string
	}
	byKey := map[key]*Transfer{}
	var out []*Transfer
	for _, rec := range recs {
		r := rec.decl.TransferReport
		k := key{r.Year, rec.participant, r.Counterpart, r.Category}
		if r.Role == indivisible.Importer {
			k.exporter, k.importer = r.Counterpart, rec.participant
		}
		t := byKey[k]
		if t == nil {
			t = &Transfer{Year: k.year, Exporter: k.exporter, Importer: k.importer, Category: k.category}
			byKey[k] = t
			out = append(out, t)
		}
		side := &t.Export
		if r.Role == indivisible.Importer {
			side = &t.Import
		}
		if *side == nil {
			*side = &TransferSide{}
		}
		s := *side
		s.Quantity += r.Quantity
		s.Reports = append(s.Reports, rec.index)
		s.Entries = append(s.Entries, rec.entries...)
	}
	ts := make([]Transfer, len(out))
	for i, t := range out {
		for _, s := range []*TransferSide{t.Export, t.Import} {
			if s != nil {
				slices.Sort(s.Reports)
				slices.Sort(s.Entries)
				s.Entries = slices.Compact(s.Entries)
			}
		}
		ts[i] = *t
	}
	slices.SortFunc(ts, func(a, b Transfer) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Exporter, b.Exporter), cmp.Compare(a.Importer, b.Importer),
			cmp.Compare(a.Category, b.Category))
	})
	return ts
}

// Declarations returns the state's declaration entries, oldest first, as
// the rules read them.
func (s *State) Declarations() []Declared {
	out := make([]Declared, 0, len(s.filed))
	for _, rec := range s.filed {
		d := Declared{Index: rec.index, Time: rec.time, Participant: rec.participant}
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
func (s *State) Transfers() []Transfer {
	return reconcile(s.live()[indivisible.KindTransferReport])
}

// View returns the state's declarations, transfers and findings under
// regime r.
func (s *State) View(r *Regime) *View {
	return &View{Size: s.Size(), Declarations: s.Declarations(), Transfers: s.Transfers(), Findings: s.Findings(r)}
}

// Read returns the view of a log's entries, given in any order, under
// regime r: what Check computes, with the declarations and transfers the
// findings were computed from.
func Read(r *Regime, entries []indivisible.Entry) *View {
	return stateOf(entries).View(r)
}
