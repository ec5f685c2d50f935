package exchange

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/indivisible-eurasia/indivisible"
)

// at is a log time: noon UTC on a date.
func at(date string) time.Time {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic(err)
	}
	return d.Add(12 * time.Hour)
}

// logged is a declaration body with the date the log accepted it.
type logged struct {
	date, body string
}

// entries numbers the declarations 0, 1, ... as a log would. The entry's
// participant is the body's (or "POL" for a body that does not parse).
func entries(ls ...logged) []indivisible.Entry {
	es := make([]indivisible.Entry, len(ls))
	for i, l := range ls {
		p := "POL"
		if d, err := Parse([]byte(l.body), nil); err == nil {
			p = d.Participant
		}
		es[i] = indivisible.Entry{Index: int64(i), Time: at(l.date), Kind: indivisible.KindDeclaration, Participant: p,
			KeyName: p + "-00000000", Signature: []byte{1}, Body: []byte(l.body)}
	}
	return es
}

// exercise is a notification by p hosted by p with observers invited.
func exercise(p, start, end string, personnel, tanks int64) string {
	return exerciseWith(p, start, end, personnel, tanks, true, false)
}

func exerciseWith(p, start, end string, personnel, tanks int64, observers, snap bool) string {
	return fmt.Sprintf(`{"kind": "exercise_notification", "participant": %[1]q, "start": %[2]q, "end": %[3]q, "host": %[1]q,
		"participating_states": [%[1]q], "personnel": %[4]d, "battle_tanks": %[5]d, "armoured_combat_vehicles": 0, "artillery": 0,
		"aircraft_sorties": 0, "airborne_amphibious_troops": 0, "observers_invited": %[6]t, "without_advance_notice": %[7]t}`,
		p, start, end, personnel, tanks, observers, snap)
}

func annual(p string, year int, tanks int64) string {
	return fmt.Sprintf(`{"kind": "annual_exchange", "participant": %q, "year": %d, "holdings": {"battle_tanks": %d}}`, p, year, tanks)
}

func transfer(p, role string, year int, counterpart string, q int64) string {
	return fmt.Sprintf(`{"kind": "transfer_report", "participant": %q, "role": %q, "year": %d, "counterpart": %q,
		"category": "battle_tanks", "quantity": %d}`, p, role, year, counterpart, q)
}

func contribution(p, org string, year int, tanks int64) string {
	return fmt.Sprintf(`{"kind": "collective_forces_contribution", "participant": %q, "organisation": %q, "year": %d,
		"units": [], "holdings": {"battle_tanks": %d}}`, p, org, year, tanks)
}

func correct(p string, index int64, body string) string {
	return fmt.Sprintf(`{"kind": "correction", "participant": %q, "corrects": %d, "reason": "test", "declaration": %s}`, p, index, body)
}

func withdraw(p string, index int64) string {
	return fmt.Sprintf(`{"kind": "correction", "participant": %q, "corrects": %d, "reason": "test", "withdrawn": true}`, p, index)
}

// found is what a table test compares: rule, participants and entries.
type found struct {
	Rule         string
	Participants []string
	Entries      []int64
}

func TestCheckRules(t *testing.T) {
	const early, late = "2026-01-10", "2026-05-01" // notified long before / 31 days before a 1 June start
	ex := func(personnel int64) string { return exercise("POL", "2026-06-01", "2026-06-12", personnel, 0) }
	tests := []struct {
		name    string
		rule    string // only findings of this rule are compared
		regime  func(*Regime)
		entries []indivisible.Entry
		want    []found
	}{
		{"on time", RuleLateNotification, nil, entries(logged{"2026-04-20", ex(10000)}), nil},
		{"a day late", RuleLateNotification, nil, entries(logged{"2026-04-21", ex(10000)}), []found{{RuleLateNotification, []string{"POL"}, []int64{0}}}},
		{"late", RuleLateNotification, nil, entries(logged{late, ex(10000)}), []found{{RuleLateNotification, []string{"POL"}, []int64{0}}}},
		{"late below threshold", RuleLateNotification, nil, entries(logged{late, ex(8999)}), nil},
		{"late by tanks", RuleLateNotification, nil, entries(logged{late, exercise("POL", "2026-06-01", "2026-06-12", 100, 250)}), []found{{RuleLateNotification, []string{"POL"}, []int64{0}}}},
		{"notified during activity", RuleLateNotification, nil, entries(logged{"2026-06-12", ex(10000)}), []found{{RuleLateNotification, []string{"POL"}, []int64{0}}}},
		{"notified after end", RuleNotNotified, nil, entries(logged{"2026-06-13", ex(10000)}), []found{{RuleNotNotified, []string{"POL"}, []int64{0}}}},
		{"without advance notice, notified on first day", RuleLateNotification, nil,
			entries(logged{"2026-06-01", exerciseWith("POL", "2026-06-01", "2026-06-03", 10000, 0, true, true)}), nil},
		{"without advance notice, notified a day after", RuleLateNotification, nil,
			entries(logged{"2026-06-02", exerciseWith("POL", "2026-06-01", "2026-06-03", 10000, 0, true, true)}), []found{{RuleLateNotification, []string{"POL"}, []int64{0}}}},
		{"corrected above threshold after the end", RuleNotNotified, nil,
			entries(logged{early, ex(8000)}, logged{"2026-07-01", correct("POL", 0, ex(12000))}), []found{{RuleNotNotified, []string{"POL"}, []int64{0, 1}}}},
		{"corrected above threshold in time", RuleLateNotification, nil,
			entries(logged{early, ex(8000)}, logged{"2026-03-01", correct("POL", 0, ex(12000))}), nil},
		{"postponed by a correction", RuleLateNotification, nil,
			entries(logged{late, ex(10000)}, logged{"2026-05-02", correct("POL", 0, exercise("POL", "2026-09-01", "2026-09-12", 10000, 0))}), nil},
		{"withdrawn", RuleLateNotification, nil, entries(logged{late, ex(10000)}, logged{late, withdraw("POL", 0)}), nil},

		{"observers not invited", RuleNotObserved, nil,
			entries(logged{early, exerciseWith("POL", "2026-06-01", "2026-06-12", 13000, 0, false, false)}), []found{{RuleNotObserved, []string{"POL"}, []int64{0}}}},
		{"below observation", RuleNotObserved, nil,
			entries(logged{early, exerciseWith("POL", "2026-06-01", "2026-06-12", 12999, 299, false, false)}), nil},
		{"observers invited", RuleNotObserved, nil, entries(logged{early, ex(13000)}), nil},

		{"near threshold twice", RuleNearThreshold, nil, entries(logged{early, ex(8600)}, logged{early, exercise("POL", "2026-09-01", "2026-09-02", 8999, 0)}),
			[]found{{RuleNearThreshold, []string{"POL"}, []int64{0, 1}}}},
		{"near threshold once", RuleNearThreshold, nil, entries(logged{early, ex(8600)}, logged{early, exercise("POL", "2026-09-01", "2026-09-02", 8000, 0)}), nil},
		{"near threshold in two years", RuleNearThreshold, nil, entries(logged{early, ex(8600)}, logged{early, exercise("POL", "2027-09-01", "2027-09-02", 8600, 0)}), nil},
		{"near threshold, two participants", RuleNearThreshold, nil, entries(logged{early, ex(8600)}, logged{early, exercise("LTU", "2026-09-01", "2026-09-02", 8600, 0)}), nil},
		{"near observation threshold", RuleNearThreshold, nil, entries(logged{early, ex(12400)}, logged{early, ex(12999)}),
			[]found{{RuleNearThreshold, []string{"POL"}, []int64{0, 1}}}},
		{"near a constraint", RuleNearThreshold, nil, entries(logged{early, ex(40000)}, logged{early, ex(39000)}),
			[]found{{RuleNearThreshold, []string{"POL"}, []int64{0, 1}}}},
		{"band edge", RuleNearThreshold, func(r *Regime) { r.NearThreshold.MinActivities = 1 }, entries(logged{early, ex(8549)}, logged{early, ex(8550)}),
			[]found{{RuleNearThreshold, []string{"POL"}, []int64{1}}}},

		{"one large activity in three years", RuleConstraint, nil,
			entries(logged{early, exercise("RUS", "2026-06-01", "2026-06-12", 41000, 0)}, logged{early, exercise("RUS", "2029-06-01", "2029-06-12", 41000, 0)}), nil},
		{"two large activities in three years", RuleConstraint, nil,
			entries(logged{early, exercise("RUS", "2026-06-01", "2026-06-12", 41000, 0)}, logged{early, exercise("RUS", "2028-12-01", "2028-12-12", 100, 901)}),
			[]found{{RuleConstraint, []string{"RUS"}, []int64{0, 1}}}},
		{"exactly 40000 is not large", RuleConstraint, nil,
			entries(logged{early, exercise("RUS", "2026-06-01", "2026-06-12", 40000, 0)}, logged{early, exercise("RUS", "2027-06-01", "2027-06-12", 40000, 0)}), nil},
		{"seven in a year", RuleConstraint, nil, entries(sequence("RUS", 7, 14000)...),
			[]found{{RuleConstraint, []string{"RUS"}, []int64{0, 1, 2, 3, 4, 5, 6}}}},
		{"six in a year", RuleConstraint, nil, entries(sequence("RUS", 6, 14000)...), nil},
		{"four above 25000", RuleConstraint, nil, entries(sequence("RUS", 4, 26000)...),
			[]found{{RuleConstraint, []string{"RUS"}, []int64{0, 1, 2, 3}}}},
		{"four simultaneous", RuleConstraint, nil, entries(
			logged{early, exercise("RUS", "2026-06-01", "2026-06-30", 14000, 0)}, logged{early, exercise("RUS", "2026-06-10", "2026-06-20", 14000, 0)},
			logged{early, exercise("RUS", "2026-06-15", "2026-06-16", 14000, 0)}, logged{early, exercise("RUS", "2026-06-16", "2026-06-18", 14000, 0)}),
			[]found{{RuleConstraint, []string{"RUS"}, []int64{0, 1, 2, 3}}}},
		{"four overlapping but never three at once", RuleConstraint, nil, entries(
			logged{early, exercise("RUS", "2026-06-01", "2026-06-10", 14000, 0)}, logged{early, exercise("RUS", "2026-06-10", "2026-06-20", 14000, 0)},
			logged{early, exercise("RUS", "2026-06-20", "2026-06-30", 14000, 0)}, logged{early, exercise("RUS", "2026-06-30", "2026-07-10", 14000, 0)}), nil},

		{"annual exchange on time", RuleLateAnnualExchange, nil, entries(logged{"2025-12-15", annual("POL", 2026, 600)}), nil},
		{"annual exchange late", RuleLateAnnualExchange, nil, entries(logged{"2025-12-16", annual("POL", 2026, 600)}),
			[]found{{RuleLateAnnualExchange, []string{"POL"}, []int64{0}}}},
		{"duplicate annual exchange", RuleDuplicate, nil, entries(logged{"2025-12-01", annual("POL", 2026, 600)}, logged{"2025-12-02", annual("POL", 2026, 601)}),
			[]found{{RuleDuplicate, []string{"POL"}, []int64{0, 1}}}},
		{"above ceiling", RuleCeiling, withCeiling("POL", 600), entries(logged{"2025-12-01", annual("POL", 2026, 601)}),
			[]found{{RuleCeiling, []string{"POL"}, []int64{0}}}},
		{"at ceiling", RuleCeiling, withCeiling("POL", 600), entries(logged{"2025-12-01", annual("POL", 2026, 600)}), nil},
		{"ceiling of another", RuleCeiling, withCeiling("LTU", 600), entries(logged{"2025-12-01", annual("POL", 2026, 601)}), nil},
		{"corrected below ceiling", RuleCeiling, withCeiling("POL", 600),
			entries(logged{"2025-12-01", annual("POL", 2026, 601)}, logged{"2025-12-02", correct("POL", 0, annual("POL", 2026, 599))}), nil},

		{"inconsistent", RuleAnnualInconsistent, nil, entries(logged{"2024-12-01", annual("POL", 2025, 600)}, logged{"2025-12-01", annual("POL", 2026, 700)}),
			[]found{{RuleAnnualInconsistent, []string{"POL"}, []int64{0, 1}}}},
		{"within tolerance", RuleAnnualInconsistent, nil, entries(logged{"2024-12-01", annual("POL", 2025, 600)}, logged{"2025-12-01", annual("POL", 2026, 660)}), nil},
		{"explained by imports", RuleAnnualInconsistent, nil, entries(logged{"2024-12-01", annual("POL", 2025, 600)}, logged{"2025-12-01", annual("POL", 2026, 700)},
			logged{"2026-03-01", transfer("POL", "importer", 2025, "DEU", 100)}), nil},
		{"exports counted", RuleAnnualInconsistent, nil, entries(logged{"2024-12-01", annual("DEU", 2025, 300)}, logged{"2025-12-01", annual("DEU", 2026, 300)},
			logged{"2026-03-01", transfer("DEU", "exporter", 2025, "POL", 100)}), []found{{RuleAnnualInconsistent, []string{"DEU"}, []int64{0, 1, 2}}}},
		{"contribution above holdings", RuleContribution, nil, entries(logged{"2025-12-01", annual("POL", 2026, 50)}, logged{"2026-01-10", contribution("POL", "NATO", 2026, 58)}),
			[]found{{RuleContribution, []string{"POL"}, []int64{0, 1}}}},
		{"contribution within holdings", RuleContribution, nil, entries(logged{"2025-12-01", annual("POL", 2026, 58)}, logged{"2026-01-10", contribution("POL", "NATO", 2026, 58)}), nil},

		{"mirror agrees", RuleMirrorMismatch, nil, entries(logged{"2026-03-01", transfer("DEU", "exporter", 2025, "POL", 14)},
			logged{"2026-03-02", transfer("POL", "importer", 2025, "DEU", 10)}, logged{"2026-03-03", transfer("POL", "importer", 2025, "DEU", 4)}), nil},
		{"mirror mismatch", RuleMirrorMismatch, nil, entries(logged{"2026-03-01", transfer("DEU", "exporter", 2025, "POL", 14)},
			logged{"2026-03-02", transfer("POL", "importer", 2025, "DEU", 12)}), []found{{RuleMirrorMismatch, []string{"DEU", "POL"}, []int64{0, 1}}}},
		{"mirror missing before due", RuleMirrorMissing, nil, entries(logged{"2026-03-01", transfer("DEU", "exporter", 2025, "POL", 14)},
			logged{"2026-05-31", annual("LTU", 2027, 1)}), nil},
		{"mirror missing after due", RuleMirrorMissing, nil, entries(logged{"2026-03-01", transfer("DEU", "exporter", 2025, "POL", 14)},
			logged{"2026-06-01", annual("LTU", 2027, 1)}), []found{{RuleMirrorMissing, []string{"POL"}, []int64{0}}}},
		{"exporter missing", RuleMirrorMissing, nil, entries(logged{"2026-06-01", transfer("POL", "importer", 2025, "DEU", 14)}),
			[]found{{RuleMirrorMissing, []string{"DEU"}, []int64{0}}}},

		{"unparseable entry", RuleInvalidEntry, nil, entries(logged{early, `{"kind": "annual_exchange"`}), []found{{RuleInvalidEntry, []string{"POL"}, []int64{0}}}},
		{"correction of a later entry", RuleInvalidCorrection, nil, entries(logged{early, withdraw("POL", 1)}, logged{early, annual("POL", 2026, 1)}),
			[]found{{RuleInvalidCorrection, []string{"POL"}, []int64{0, 1}}}},
		{"correction of another's entry", RuleInvalidCorrection, nil, entries(logged{early, annual("LTU", 2026, 1)}, logged{early, withdraw("POL", 0)}),
			[]found{{RuleInvalidCorrection, []string{"POL"}, []int64{0, 1}}}},
		{"correction of another kind", RuleInvalidCorrection, nil, entries(logged{early, annual("POL", 2026, 1)}, logged{early, correct("POL", 0, ex(1))}),
			[]found{{RuleInvalidCorrection, []string{"POL"}, []int64{0, 1}}}},
		{"correction of a correction", RuleInvalidCorrection, nil, entries(logged{early, annual("POL", 2026, 1)}, logged{early, withdraw("POL", 0)}, logged{early, withdraw("POL", 1)}),
			[]found{{RuleInvalidCorrection, []string{"POL"}, []int64{1, 2}}}},
		{"correction of nothing", RuleInvalidCorrection, nil, entries(logged{early, withdraw("POL", 5)}),
			[]found{{RuleInvalidCorrection, []string{"POL"}, []int64{0}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := DefaultRegime()
			if tt.regime != nil {
				tt.regime(r)
			}
			var got []found
			for _, f := range Check(r, tt.entries) {
				if f.Rule == tt.rule {
					got = append(got, found{f.Rule, f.Participants, f.Entries})
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// sequence is n activities of p in 2026, one a month, notified early.
func sequence(p string, n int, personnel int64) []logged {
	var ls []logged
	for i := range n {
		start := time.Date(2026, time.Month(i+1), 10, 0, 0, 0, 0, time.UTC)
		ls = append(ls, logged{"2025-10-01", exercise(p, start.Format(time.DateOnly), start.AddDate(0, 0, 5).Format(time.DateOnly), personnel, 0)})
	}
	return ls
}

func withCeiling(p string, q int64) func(*Regime) {
	return func(r *Regime) {
		r.Ceilings = append(r.Ceilings, Ceiling{Participant: p, Category: indivisible.BattleTanks, Quantity: q, Reference: "test"})
	}
}

func TestCheckParticipantMismatch(t *testing.T) {
	es := entries(logged{"2026-01-01", annual("POL", 2026, 1)})
	es[0].Participant = "LTU"
	fs := Check(DefaultRegime(), es)
	if len(fs) != 1 || fs[0].Rule != RuleInvalidEntry || !slices.Equal(fs[0].Participants, []string{"LTU"}) {
		t.Errorf("got %+v, want one invalid_entry for LTU", fs)
	}
}

func TestInvolvingConcerning(t *testing.T) {
	fs := []indivisible.Finding{{Rule: "a", Participants: []string{"DEU", "POL"}, Entries: []int64{1, 2}}, {Rule: "b", Participants: []string{"LTU"}, Entries: []int64{2, 3}}}
	if got := Involving(fs, 3); len(got) != 1 || got[0].Rule != "b" {
		t.Errorf("Involving(3) = %+v", got)
	}
	if got := Concerning(fs, "POL"); len(got) != 1 || got[0].Rule != "a" {
		t.Errorf("Concerning(POL) = %+v", got)
	}
	if got := Involving(fs, 9); got != nil {
		t.Errorf("Involving(9) = %+v", got)
	}
}

func TestAdmit(t *testing.T) {
	log := entries(
		logged{"2025-12-01", annual("POL", 2026, 600)},                          // 0
		logged{"2025-12-01", annual("LTU", 2026, 10)},                           // 1
		logged{"2025-12-02", withdraw("POL", 0)},                                // 2
		logged{"2025-12-03", annual("POL", 2027, 600)},                          // 3
		logged{"2026-01-10", contribution("POL", "NATO", 2026, 58)},             // 4
		logged{"2026-01-10", `{"kind": "annual_exchange"`},                      // 5
		logged{"2026-01-10", exercise("POL", "2026-06-01", "2026-06-02", 1, 0)}, // 6
	)
	log = append(log, indivisible.Entry{Index: 7, Time: at("2026-01-11"), Kind: indivisible.KindKey, Participant: "POL", KeyName: "POL-1", Body: []byte("register x\n")})
	tests := []struct {
		name, body string
		code       string
	}{
		{"new year", annual("POL", 2028, 1), ""},
		{"after withdrawal", annual("POL", 2026, 1), ""},
		{"duplicate", annual("POL", 2027, 1), indivisible.ECONFLICT},
		{"duplicate contribution", contribution("POL", "NATO", 2026, 1), indivisible.ECONFLICT},
		{"contribution another year", contribution("POL", "NATO", 2027, 1), ""},
		{"correction", correct("POL", 3, annual("POL", 2027, 1)), ""},
		{"withdrawal", withdraw("POL", 6), ""},
		{"correction of another's", withdraw("POL", 1), indivisible.EFORBIDDEN},
		{"correction of a correction", withdraw("POL", 2), indivisible.EINVALID},
		{"correction of another kind", correct("POL", 3, exercise("POL", "2026-06-01", "2026-06-02", 1, 0)), indivisible.EINVALID},
		{"correction of nothing", withdraw("POL", 99), indivisible.ENOTFOUND},
		{"correction of a key entry", withdraw("POL", 7), indivisible.ENOTFOUND},
		{"correction of an invalid entry", withdraw("POL", 5), indivisible.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.body), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := stateOf(log).Admit(d); indivisible.ErrorCode(err) != tt.code {
				t.Errorf("Admit = %v, want code %q", err, tt.code)
			}
		})
	}
}
