package forum_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// TestAssessmentSummary checks the outcome document's assessment section
// on a made-up assessment: securities become annual risks in per cent
// (one minus security), changes percentage points of risk (a fall in
// security is a rise in risk), and the pairs say who now threatens whom
// more, and whether the initiator itself gains.
func TestAssessmentSummary(t *testing.T) {
	a := &indivisible.Assessment{Scenario: "test", Verdict: indivisible.Divisible, Tolerance: 1e-4,
		Gainers: []string{"B"}, Losers: []string{"A"},
		Participants: []indivisible.ParticipantResult{
			{Code: "A", Before: 0.9, After: 0.88, Delta: -0.02},
			{Code: "B", Before: 0.75, After: 0.8, Delta: 0.05},
			{Code: "C", Before: 0.5, After: 0.5},
		},
		Expense: []indivisible.ExpensePair{{From: "B", To: "A", HazardBefore: 0.01, HazardAfter: 0.025, Increase: 0.015, FromDelta: 0.05}},
	}
	a.Equality.Before = indivisible.Equality{Min: 0.5, MinCode: "C", Mean: 0.75, Gini: 0.1}
	a.Equality.After = indivisible.Equality{Min: 0.5, MinCode: "C", Mean: 0.76, Gini: 0.1}
	doc := forum.AssessmentSummary(i18n.Embedded().Localizer(i18n.English), a, func(c string) string { return c })
	for _, want := range []string{
		"Verdict: **divisible** (scenario test, tolerance 0.0001). 1 gain, 1 lose.",
		"| participant | annual risk before | after | change (percentage points) |",
		"| B | 25.000% | 20.000% | -5.0000 |",
		"| A | 10.000% | 12.000% | +2.0000 |",
		"- B against A: 1.000% → 2.500%, while B's own risk falls by 5.0000 percentage points",
		"Equality: highest risk C 50.000% → C 50.000%; mean risk 25.000% → 24.000%;",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the summary lacks %q:\n%s", want, doc)
		}
	}
	// A state whose risk does not change is not listed.
	if strings.Contains(doc, "| C |") {
		t.Errorf("the summary lists an unchanged state:\n%s", doc)
	}
}

// TestDocument checks an outcome document written by hand from a made-up
// record: participants by name with their codes, the rule in words, who
// took which counted position (an uncounted one is left out), the
// objections and statements by name, and each measure of the package in
// words.
func TestDocument(t *testing.T) {
	names := map[string]string{"ARM": "Armenia", "AZE": "Azerbaijan", "AUS": "Australia", "RUS": "Russian Federation", "CSTO": "Collective Security Treaty Organization"}
	rule := indivisible.RuleSpec{Name: indivisible.RuleConsensusMinusOne, Version: 1, Concerned: "AZE"}
	ps := []*indivisible.Position{
		{Participant: "ARM", Stance: indivisible.Support, LogIndex: 11, Version: 2},
		{Participant: "RUS", Stance: indivisible.Join, StatementKind: indivisible.Reservation, Statement: "Subject to ratification.", LogIndex: 12, Version: 2},
		{Participant: "AZE", Stance: indivisible.Object, Statement: "Not acceptable.", LogIndex: 13, Version: 2},
		{Participant: "CSTO", Stance: indivisible.Abstain, LogIndex: 14, Version: 2},
		{Participant: "AUS", Stance: indivisible.Support, LogIndex: 9, Version: 1}, // on version 1: not counted
	}
	d := &indivisible.Decision{Version: 2, Rule: rule, Outcome: indivisible.Adopted, Reason: "the only objection is by the state concerned",
		Tally:     indivisible.Tally{MemberStates: 3, Present: 3, Support: 2, Object: 1, Voting: 3, Others: 1},
		Ignored:   []indivisible.Objection{{Participant: "AZE", LogIndex: 13, Statement: "Not acceptable.", Reason: "the state concerned"}},
		Objectors: []indivisible.Objection{}, Statements: []indivisible.Position{*ps[1]}, Counted: []int64{11, 12, 13, 14},
		Time: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	v := &indivisible.ProposalVersion{Number: 2, Kind: indivisible.VersionAmendment, Title: "Hotline and notice", Text: "The parties open a hotline.",
		Package: &indivisible.Proposal{Measures: []indivisible.Measure{
			{Type: indivisible.MeasureCBM, Actors: []string{"ARM", "AZE"}, Kind: "hotline"},
			{Type: indivisible.MeasureWithdraw, Actor: "RUS", Host: "ARM", Category: indivisible.BattleTanks, Quantity: 40},
		}}}
	doc := forum.Document(forum.Record{Forum: &indivisible.Forum{Title: "Forum"}, Item: &indivisible.AgendaItem{ID: 3, Title: "Caucasus"},
		Version: v, Decision: d, Positions: ps, Name: func(c string) string { return names[c] }})
	for _, want := range []string{
		"- Text decided: version 2 (amendment), \"Hotline and notice\"\n",
		"- Rule: consensus minus one, version 1 (state concerned: Azerbaijan (AZE))\n",
		"**Adopted**: the only objection is by the state concerned.",
		"- Supported: Armenia (ARM) (log entry 11)\n",
		"- Joined with a statement: Russian Federation (RUS) (log entry 12)\n",
		"- Objected: Azerbaijan (AZE) (log entry 13)\n",
		"- Abstained: Collective Security Treaty Organization (CSTO) (log entry 14)\n",
		"## Objections that did not count\n\n- Azerbaijan (AZE) (log entry 13): the state concerned\n\n  > Not acceptable.\n",
		"- Russian Federation (RUS), reservation statement (log entry 12):\n\n  > Subject to ratification.\n",
		"## Package of measures\n\n1. Armenia (ARM) and Azerbaijan (AZE) agree on hotline\n2. Russian Federation (RUS) withdraws 40 battle tanks from Armenia (ARM)\n",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the document lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "Australia") {
		t.Errorf("the document lists a position the decision did not count:\n%s", doc)
	}

	// The same record in Russian, checked against sentences written by
	// hand; it says which document is the authentic record.
	d.DocumentSHA256 = forum.SHA256(doc)
	ru := forum.Document(forum.Record{Forum: &indivisible.Forum{Title: "Форум"}, Item: &indivisible.AgendaItem{ID: 3, Title: "Кавказ"},
		Version: v, Decision: d, Positions: ps, Name: func(c string) string {
			return map[string]string{"ARM": "Армения", "AZE": "Азербайджан", "RUS": "Россия", "CSTO": "ОДКБ"}[c]
		},
		Lang: i18n.Embedded().Localizer(language.Russian)})
	for _, want := range []string{
		"# Итоговый документ: Кавказ\n",
		"SHA-256 которого (" + d.DocumentSHA256 + ")",
		"- Правило: консенсус минус один, версия 1 (заинтересованное государство: Азербайджан (AZE))\n",
		"**Принято**: the only objection is by the state concerned.",
		"- Поддержали: Армения (ARM) (запись журнала 11)\n",
		"- Россия (RUS), оговорка (запись журнала 12):\n\n  > Subject to ratification.\n",
		"## Пакет мер\n\n1. Армения (ARM) и Азербайджан (AZE) договариваются о мере: горячая линия\n2. Россия (RUS) выводит с территории государства Армения (ARM): боевые танки, 40\n",
	} {
		if !strings.Contains(ru, want) {
			t.Errorf("the Russian document lacks %q:\n%s", want, ru)
		}
	}
}
