package indivisible_test

import (
	"strconv"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// TestDescribe checks each measure type's words against sentences written
// by hand, with the reader's names and number format.
func TestDescribe(t *testing.T) {
	names := map[string]string{"POL": "Poland", "LTU": "Lithuania", "RUS": "Russia", "BLR": "Belarus", "ARM": "Armenia", "AZE": "Azerbaijan", "CSTO": "CSTO", "DEU": "Germany"}
	w := indivisible.Words{Name: func(c string) string { return names[c] }, Count: func(v float64) string { return "#" + strconv.FormatFloat(v, 'f', -1, 64) },
		Say: i18n.Embedded().Localizer(i18n.English).T}
	for _, tc := range []struct {
		m    indivisible.Measure
		want string
	}{
		{indivisible.Measure{Type: indivisible.MeasureHoldings, Actor: "POL", Category: indivisible.BattleTanks, Change: 250}, "Poland changes its battle tanks by +#250"},
		{indivisible.Measure{Type: indivisible.MeasureHoldings, Actor: "POL", Category: indivisible.BattleTanks, Change: -100}, "Poland changes its battle tanks by #-100"},
		{indivisible.Measure{Type: indivisible.MeasureDeploy, Actor: "DEU", Host: "LTU", Category: indivisible.Personnel, Quantity: 4800}, "Germany deploys #4800 personnel to Lithuania"},
		{indivisible.Measure{Type: indivisible.MeasureWithdraw, Actor: "RUS", Host: "ARM", Category: indivisible.Artillery, Quantity: 12}, "Russia withdraws #12 artillery from Armenia"},
		{indivisible.Measure{Type: indivisible.MeasureTransfer, From: "DEU", To: "POL", Category: indivisible.BattleTanks, Quantity: 14}, "Germany transfers #14 battle tanks to Poland"},
		{indivisible.Measure{Type: indivisible.MeasureJoin, Actor: "AZE", Organisation: "CSTO"}, "Azerbaijan joins CSTO"},
		{indivisible.Measure{Type: indivisible.MeasureLeave, Actor: "ARM", Organisation: "CSTO"}, "Armenia leaves CSTO"},
		{indivisible.Measure{Type: indivisible.MeasureExercise, Actors: []string{"RUS", "BLR"}, Host: "BLR", Personnel: 12000, BattleTanks: 200},
			"Russia and Belarus hold an exercise in Belarus (#200 battle tanks, #12000 personnel)"},
		{indivisible.Measure{Type: indivisible.MeasureExercise, Actors: []string{"POL"}, Host: "POL", Personnel: 9000}, "Poland holds an exercise in Poland (#9000 personnel)"},
		{indivisible.Measure{Type: indivisible.MeasureCBM, Actors: []string{"ARM", "AZE", "RUS"}, Kind: "military_hotline"}, "Armenia, Azerbaijan and Russia agree on military hotline"},
	} {
		if got := tc.m.Describe(w); got != tc.want {
			t.Errorf("Describe(%+v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}
