package indivisible

import "time"

// DeclarationKind says what a declaration of the information exchange
// reports. The JSON schema of each kind is documented in docs/exchange.md;
// package exchange parses and checks them.
type DeclarationKind string

// Declaration kinds.
const (
	// KindAnnualExchange reports a participant's holdings as of 1 January.
	KindAnnualExchange DeclarationKind = "annual_exchange"
	// KindExerciseNotification notifies a military activity in advance.
	KindExerciseNotification DeclarationKind = "exercise_notification"
	// KindTransferReport reports an export or import (UN Register style).
	KindTransferReport DeclarationKind = "transfer_report"
	// KindForcesContribution reports what a member places at the disposal
	// of an organisation's collective forces.
	KindForcesContribution DeclarationKind = "collective_forces_contribution"
	// KindCorrection corrects or withdraws an earlier entry of the log.
	KindCorrection DeclarationKind = "correction"
)

// DeclarationKinds lists the kinds in documentation order.
var DeclarationKinds = []DeclarationKind{KindAnnualExchange, KindExerciseNotification, KindTransferReport, KindForcesContribution, KindCorrection}

// Exercise measures beyond the holdings categories Personnel, BattleTanks,
// ArmouredCombatVehicles and Artillery, which an exercise notification
// also reports.
const (
	AircraftSorties          = "aircraft_sorties"
	AirborneAmphibiousTroops = "airborne_amphibious_troops"
)

// ExerciseMeasures lists the figures of an exercise notification that the
// regime's thresholds may refer to.
var ExerciseMeasures = []string{Personnel, BattleTanks, ArmouredCombatVehicles, Artillery, AircraftSorties, AirborneAmphibiousTroops}

// Declaration is one parsed declaration. Kind says which one of the
// kind-specific fields is set; the others are nil.
type Declaration struct {
	Kind DeclarationKind `json:"kind"`
	// Participant is the code of the state filing the declaration; it must
	// be the participant of the signing key.
	Participant string `json:"participant"`

	AnnualExchange       *AnnualExchange       `json:"annual_exchange,omitempty"`
	ExerciseNotification *ExerciseNotification `json:"exercise_notification,omitempty"`
	TransferReport       *TransferReport       `json:"transfer_report,omitempty"`
	ForcesContribution   *ForcesContribution   `json:"collective_forces_contribution,omitempty"`
	Correction           *Correction           `json:"correction,omitempty"`
}

// AnnualExchange gives a participant's holdings by category as of 1 January
// of Year. It is due by a date of the year before (the regime says which).
type AnnualExchange struct {
	Year int `json:"year"`
	// Holdings maps a holdings category to a count. A category left out is
	// not reported (it is not taken as 0).
	Holdings map[string]int64 `json:"holdings"`
}

// ExerciseNotification is the prior notification of a military activity.
// The time of notification is the log time of the entry, never a date the
// submitter writes: a notice period must not depend on a claim.
type ExerciseNotification struct {
	// Name is the activity's designation, if any.
	Name string `json:"name,omitempty"`
	// Start and End are the first and last calendar days (UTC) of the
	// activity; Start <= End.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Host is the state on whose territory the activity takes place.
	Host string `json:"host"`
	// ParticipatingStates are the states whose forces take part.
	ParticipatingStates []string `json:"participating_states"`

	Personnel                int64 `json:"personnel"`
	BattleTanks              int64 `json:"battle_tanks"`
	ArmouredCombatVehicles   int64 `json:"armoured_combat_vehicles"`
	Artillery                int64 `json:"artillery"`
	AircraftSorties          int64 `json:"aircraft_sorties"`
	AirborneAmphibiousTroops int64 `json:"airborne_amphibious_troops"`

	// ObserversInvited says whether observers from all other participants
	// are invited.
	ObserversInvited bool `json:"observers_invited"`
	// WithoutAdvanceNotice marks an activity carried out without advance
	// notice to the troops involved; it is notified when it starts rather
	// than a notice period before (Vienna Document 2011 ¶41).
	WithoutAdvanceNotice bool `json:"without_advance_notice,omitempty"`
}

// Measure returns the figure of the named exercise measure (one of
// ExerciseMeasures), and false for any other name.
func (x *ExerciseNotification) Measure(name string) (int64, bool) {
	switch name {
	case Personnel:
		return x.Personnel, true
	case BattleTanks:
		return x.BattleTanks, true
	case ArmouredCombatVehicles:
		return x.ArmouredCombatVehicles, true
	case Artillery:
		return x.Artillery, true
	case AircraftSorties:
		return x.AircraftSorties, true
	case AirborneAmphibiousTroops:
		return x.AirborneAmphibiousTroops, true
	}
	return 0, false
}

// TransferRole says which side of a transfer a report is filed by.
type TransferRole string

// Transfer roles.
const (
	Exporter TransferRole = "exporter"
	Importer TransferRole = "importer"
)

// TransferReport is one side's report of an international transfer made
// during Year. Exporter and importer report separately, so that the two
// reports can be compared (the UN Register's mirror reporting).
type TransferReport struct {
	Role TransferRole `json:"role"`
	Year int          `json:"year"`
	// Counterpart is the other state: the importer in an exporter's report,
	// the exporter in an importer's.
	Counterpart string `json:"counterpart"`
	Category    string `json:"category"`
	Quantity    int64  `json:"quantity"`
	Description string `json:"description,omitempty"`
}

// ForcesContribution is what a member places at the disposal of an
// organisation's collective forces as of 1 January of Year.
type ForcesContribution struct {
	Organisation string           `json:"organisation"`
	Year         int              `json:"year"`
	Units        []string         `json:"units"`
	Holdings     map[string]int64 `json:"holdings"`
}

// Correction corrects an earlier entry of the log. The corrected entry is
// never edited: the log keeps both, and rule evaluation uses the latest
// correction's content in place of the original's.
type Correction struct {
	// Corrects is the log index of the entry corrected. It must be an
	// earlier declaration of the same participant, and not a correction.
	Corrects int64  `json:"corrects"`
	Reason   string `json:"reason"`
	// Withdrawn withdraws the entry (for example a cancelled exercise);
	// Declaration is then nil.
	Withdrawn bool `json:"withdrawn,omitempty"`
	// Declaration is the complete replacement, of the same kind and
	// participant as the corrected entry.
	Declaration *Declaration `json:"declaration,omitempty"`
}

// Finding is a rule of the regime found not to be met, or an entry that
// cannot be evaluated. Findings are data, not rejections: they are
// recomputed from the public log and the regime (exchange.Check), so anyone
// can check them.
type Finding struct {
	// Rule is the rule's identifier, such as "late_notification".
	Rule string `json:"rule"`
	// Reference is the provision the rule comes from, as the regime cites
	// it (for example "VD2011 ¶38").
	Reference string `json:"reference,omitempty"`
	// Participants are the codes of the participants concerned, sorted.
	Participants []string `json:"participants"`
	// Entries are the log indexes of the entries involved, ascending.
	Entries []int64 `json:"entries"`
	// Message says what was found, with the figures, in English.
	Message string `json:"message"`
	// Key is the catalog key of the message (package i18n), so that a
	// surface can say the same in its reader's language
	// (exchange.Localize); Message is its English rendering. Empty in
	// findings recorded before messages had keys.
	Key string `json:"key,omitempty"`
	// Args are the message's named arguments, as data: codes, counts and
	// dates as the log has them.
	Args map[string]string `json:"args,omitempty"`
}
