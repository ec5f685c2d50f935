package forum_test

import (
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
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
	doc := forum.AssessmentSummary(a)
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
