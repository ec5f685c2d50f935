package forum_test

import (
	"math"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/simulate"
)

func TestSummarise(t *testing.T) {
	// R: quantile(c(1, 2, 4, 7, 10), c(.25, .5, .75)) gives 2, 4, 7;
	// quantile(c(1, 2, 3, 4), c(.25, .5, .75)) gives 1.75, 2.5, 3.25.
	for _, tc := range []struct {
		xs          []float64
		q1, med, q3 float64
	}{
		{[]float64{10, 1, 7, 2, 4}, 2, 4, 7},
		{[]float64{4, 3, 2, 1}, 1.75, 2.5, 3.25},
		{[]float64{5}, 5, 5, 5},
	} {
		s := forum.Summarise(2, tc.xs)
		if s.Q1 != tc.q1 || s.Median != tc.med || s.Q3 != tc.q3 || s.IQR != tc.q3-tc.q1 || s.N != len(tc.xs) || s.Round != 2 {
			t.Errorf("Summarise(%v) = %+v, want %v %v %v", tc.xs, s, tc.q1, tc.med, tc.q3)
		}
	}
	if s := forum.Summarise(1, nil); s.N != 0 {
		t.Errorf("empty round: %+v", s)
	}
	if !math.IsNaN(forum.Quantile(nil, 0.5)) {
		t.Error("quantile of nothing is a number")
	}
}

func TestStop(t *testing.T) {
	rule, err := forum.NormaliseStop(indivisible.StoppingRule{IQR: 100})
	if err != nil || rule.Stability != 0.15 || rule.MaxRounds != 4 {
		t.Fatalf("defaults: %+v %v", rule, err)
	}
	r := func(n int, med, iqr float64) indivisible.RoundStats {
		return indivisible.RoundStats{N: n, Median: med, IQR: iqr}
	}
	for _, tc := range []struct {
		name   string
		rounds []indivisible.RoundStats
		want   string // prefix of the reason, "" to go on
	}{
		{"first round, wide", []indivisible.RoundStats{r(5, 2000, 900)}, ""},
		{"IQR at the threshold", []indivisible.RoundStats{r(5, 2000, 100)}, "consensus"},
		{"median moved 20%", []indivisible.RoundStats{r(5, 2000, 900), r(5, 2400, 600)}, ""},
		{"median moved 14%", []indivisible.RoundStats{r(5, 2000, 900), r(5, 2280, 600)}, "stability"},
		{"median moved exactly 15% is not stable", []indivisible.RoundStats{r(5, 2000, 900), r(5, 2300, 600)}, ""},
		{"from a median of 0", []indivisible.RoundStats{r(5, 0, 900), r(5, 0, 600)}, "stability"},
		{"the round limit", []indivisible.RoundStats{r(5, 1000, 900), r(5, 2000, 800), r(5, 3000, 700), r(5, 4000, 600)}, "limit"},
	} {
		if got := forum.Stop(rule, tc.rounds); !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("%s: Stop = %q, want %q…", tc.name, got, tc.want)
		}
	}
	for _, bad := range []indivisible.StoppingRule{{IQR: -1}, {Stability: 1.5}, {MaxRounds: 50}} {
		if _, err := forum.NormaliseStop(bad); indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Errorf("NormaliseStop(%+v) = %v", bad, err)
		}
	}
}

func TestCheckQuestion(t *testing.T) {
	for _, tc := range []struct {
		param    string
		min, max float64
		field    string
	}{
		{"exercise_range_km", 25, 2500, ""},
		{"exercise_intensity", 0, 5, ""},
		{"notified_discount", 0, 1, ""},
		{"weights.battle_tanks", 0, 10, ""},
		{"dyads.ARM-AZE", 0, 3, ""},
		{"cbm.inspection", 0, 1, ""},
		// The range of a distance excludes 0.
		{"exercise_range_km", 0, 2500, "parameter"},
		{"notified_discount", 0, 2, "parameter"},
		{"cbm.inspection", 0, 1.5, "parameter"},
		{"gravity", 0, 1, "parameter"},
		// Parameters of the model before the hazard model are gone.
		{"lambda_km", 100, 10000, "parameter"},
		{"hostility.none", 0, 1, "parameter"},
		{"exercise_range_km", 5, 5, "max"},
	} {
		q := &indivisible.Question{Parameter: tc.param, Text: "How far?", Min: tc.min, Max: tc.max}
		if err := forum.CheckQuestion(q); indivisible.ErrorField(err) != tc.field {
			t.Errorf("%s [%v, %v]: %v, want field %q", tc.param, tc.min, tc.max, err, tc.field)
		}
	}
}

func TestMakeResult(t *testing.T) {
	qs := []*indivisible.Question{
		{ID: 1, Parameter: "exercise_range_km", Status: indivisible.QuestionClosed, Round: 2},
		{ID: 2, Parameter: "notified_discount", Status: indivisible.QuestionClosed, Round: 3},
		{ID: 3, Parameter: "dyads.ARM-AZE", Status: indivisible.QuestionClosed, Round: 1},
		{ID: 4, Parameter: "weights.battle_tanks", Status: indivisible.QuestionClosed, Round: 1},
		{ID: 5, Parameter: "cbm.hotline", Status: indivisible.QuestionOpen, Round: 1},
	}
	finals := map[int64][]float64{1: {375, 450, 500, 550, 650}, 2: {0.4, 0.5, 0.5, 0.6}, 3: {1.5, 1.5}, 4: {1, 2, 3}, 5: {0.5}}
	res, err := forum.MakeResult(qs, finals)
	if err != nil {
		t.Fatal(err)
	}
	p, err := model.ParseParams(res.Params)
	if err != nil {
		t.Fatalf("params do not parse: %v\n%s", err, res.Params)
	}
	if p.ExerciseRangeKm != 500 || p.NotifiedDiscount != 0.5 || p.Weights["battle_tanks"] != 2 || len(p.Dyads) != 1 || p.Dyads[0].Factor != 1.5 || p.CBM["hotline"] != model.DefaultParams().CBM["hotline"] {
		t.Errorf("params %+v", p)
	}
	spec, err := simulate.ParseSpec(res.Distributions)
	if err != nil {
		t.Fatalf("distributions do not parse: %v\n%s", err, res.Distributions)
	}
	want := map[string]string{"exercise_range_km": simulate.LogNormal, "notified_discount": simulate.Triangular, "dyads.ARM-AZE": simulate.Point, "weights.battle_tanks": simulate.LogNormal}
	for k, kind := range want {
		if spec.Distributions[k].Kind != kind {
			t.Errorf("%s: %s distribution, want %s", k, spec.Distributions[k].Kind, kind)
		}
	}
	if len(spec.Distributions) != len(want) || len(res.Questions) != 4 {
		t.Errorf("%d distributions and %d questions, want 4", len(spec.Distributions), len(res.Questions))
	}
	// The five answers' quartiles (type 7) are the second and fourth.
	if d := spec.Distributions["exercise_range_km"]; d.Median != 500 || d.IQR != 100 {
		t.Errorf("exercise_range_km %+v, want median 500 IQR 100", d)
	}
}
