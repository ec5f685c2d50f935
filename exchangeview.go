package indivisible

import "time"

// ExchangeView is the information exchange's reading of a log (computed
// by package exchange), for the surfaces that show it:
// the declarations with the corrections applied, the transfers
// reconciled, and the findings, all computed by the code that evaluates
// the rules, at one log size. A surface renders a View and never
// re-derives a rule. An ExchangeView is shared: do not modify it.
type ExchangeView struct {
	// Size is the log size the view was computed at.
	Size int64
	// Declarations are the log's declaration entries, oldest first.
	Declarations []DeclaredEntry
	// Transfers are the transfers reported, reconciled, ordered by year,
	// exporter, importer and category.
	Transfers []Transfer
	// Findings are the regime's findings, as State.Findings returns them.
	Findings []Finding
}

// DeclaredEntry is a declaration entry of the log as the rules read it.
type DeclaredEntry struct {
	Index       int64
	Time        time.Time
	Participant string
	// Declaration is the declaration as filed; nil for an entry that is
	// not a valid declaration (an invalid_entry finding says why).
	Declaration *Declaration
	// InForce is the content the rules evaluate: Declaration, or the
	// replacement of the latest correction applied to it. It is nil for a
	// withdrawn declaration, for a correction (which is not itself a
	// declaration of the regime) and for an invalid entry.
	InForce *Declaration
	// Corrections are the entries of the corrections applied to it,
	// ascending. A correction that cannot apply (an invalid_correction
	// finding) is not among them.
	Corrections []int64
	// Withdrawn says the latest correction applied withdraws it.
	Withdrawn bool
}

// CorrectedBy returns the latest correction applied to the declaration, or
// -1 for none.
func (d DeclaredEntry) CorrectedBy() int64 {
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

// Filing is a declaration accepted into the log, with the proof that the
// log holds it.
type Filing struct {
	Declaration *Declaration
	Entry       Entry
	// Proof is the C2SP tlog-proof of Entry in the tree of the log's
	// latest checkpoint.
	Proof []byte
}
