package simulate_test

import (
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/simulate"
)

func TestParseSpec(t *testing.T) {
	s, err := simulate.ParseSpec([]byte(`{"title": "round 2", "params": {"exercise_range_km": 800},
		"distributions": {"exercise_range_km": {"dist": "lognormal", "median": 800, "iqr": 300},
		"notified_discount": {"dist": "triangular", "min": 0.1, "mode": 0.3, "max": 0.5},
		"dyads.ARM-AZE": {"dist": "uniform", "min": 0.5, "max": 2},
		"weights.personnel": {"dist": "uniform", "min": 0.5, "max": 1.5},
		"cbm.hotline": {"dist": "point", "value": 0.2}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Params.ExerciseRangeKm != 800 || s.Params.CBM["hotline"] != 0.1 || !s.Estimation || len(s.Names()) != 5 || s.Names()[0] != "cbm.hotline" {
		t.Fatalf("%+v", s)
	}
	// (min + mode + max) / 3, in binary: 0.1 + 0.3 + 0.5 rounds to 0.9
	// exactly, and 0.9/3 to the double nearest 0.3.
	if d := s.Distributions["notified_discount"]; d.Mean() != 0.3 {
		t.Fatalf("triangular mean %v", d.Mean())
	}
	// Estimation alone is an uncertainty: the fit's.
	s, err = simulate.ParseSpec([]byte(`{}`))
	if err != nil || !s.Estimation || len(s.Distributions) != 0 {
		t.Fatalf("%+v, %v", s, err)
	}
	s, err = simulate.ParseSpec([]byte(`{"estimation": false, "distributions": {"cbm.hotline": {"dist": "uniform", "min": 0, "max": 0.2}}}`))
	if err != nil || s.Estimation {
		t.Fatalf("%+v, %v", s, err)
	}
}

func TestParseSpecErrors(t *testing.T) {
	for _, c := range []struct{ in, field string }{
		// With the coefficients held at their estimates, nothing would vary.
		{`{"estimation": false}`, "distributions"},
		{`{"estimation": false, "distributions": {}}`, "distributions"},
		{`{"estimation": "yes"}`, "estimation"},
		{`{"distributions": {"exercise_range_km": {"dist": "point", "value": 1}}, "extra": 1}`, "extra"},
		{`{"params": {"exercise_range_km": -1}}`, "params.exercise_range_km"},
		{`{"params": {"lamda": 1}}`, "params.lamda"},
		{`{"params": {"cbm": {"hotline": 2}}}`, "params.cbm.hotline"},
		{`{"distributions": {"exercise_range_km": 5}}`, "distributions.exercise_range_km"},
		{`{"distributions": {"exercise_range_km": {"value": 5}}}`, "distributions.exercise_range_km.dist"},
		{`{"distributions": {"exercise_range_km": {"dist": "gamma"}}}`, "distributions.exercise_range_km.dist"},
		{`{"distributions": {"exercise_range_km": {"dist": "uniform", "min": 1}}}`, "distributions.exercise_range_km.max"},
		{`{"distributions": {"exercise_range_km": {"dist": "uniform", "min": 1, "max": 2, "mode": 1}}}`, "distributions.exercise_range_km.mode"},
		{`{"distributions": {"exercise_range_km": {"dist": "uniform", "min": 3, "max": 2}}}`, "distributions.exercise_range_km.max"},
		{`{"distributions": {"exercise_range_km": {"dist": "uniform", "min": "a", "max": 2}}}`, "distributions.exercise_range_km.min"},
		{`{"distributions": {"exercise_range_km": {"dist": "triangular", "min": 1, "mode": 3, "max": 2}}}`, "distributions.exercise_range_km.mode"},
		{`{"distributions": {"exercise_range_km": {"dist": "lognormal", "median": 0, "iqr": 2}}}`, "distributions.exercise_range_km.median"},
		{`{"distributions": {"exercise_range_km": {"dist": "lognormal", "median": 2, "iqr": -1}}}`, "distributions.exercise_range_km.iqr"},
		// The range is open at 0: a draw of exactly 0 km is no range.
		{`{"distributions": {"exercise_range_km": {"dist": "uniform", "min": 0, "max": 2}}}`, "distributions.exercise_range_km"},
		{`{"distributions": {"exercise_intensity": {"dist": "point", "value": -1}}}`, "distributions.exercise_intensity"},
		// Discounts and CBM reductions are shares: a log-normal leaves [0, 1].
		{`{"distributions": {"notified_discount": {"dist": "lognormal", "median": 0.3, "iqr": 0.1}}}`, "distributions.notified_discount"},
		{`{"distributions": {"observer_discount": {"dist": "uniform", "min": -0.1, "max": 0.5}}}`, "distributions.observer_discount"},
		{`{"distributions": {"cbm.hotline": {"dist": "uniform", "min": 0.5, "max": 1.5}}}`, "distributions.cbm.hotline"},
		{`{"distributions": {"weights.personnel": {"dist": "uniform", "min": -1, "max": 1}}}`, "distributions.weights.personnel"},
		{`{"distributions": {"dyads.ARM-AZE": {"dist": "uniform", "min": -1, "max": 1}}}`, "distributions.dyads.ARM-AZE"},
		{`{"distributions": {"dyads.ARM": {"dist": "point", "value": 0.5}}}`, "distributions.dyads.ARM"},
		{`{"distributions": {"cbm.": {"dist": "point", "value": 0.5}}}`, "distributions.cbm."},
		// The parameters of the model before the hazard model are gone, and
		// the coefficients are drawn by estimation, not named.
		{`{"distributions": {"lambda_km": {"dist": "point", "value": 1500}}}`, "distributions.lambda_km"},
		{`{"distributions": {"hostility.none": {"dist": "point", "value": 0.5}}}`, "distributions.hostility.none"},
		{`{"distributions": {"coef.const": {"dist": "point", "value": 1}}}`, "distributions.coef.const"},
	} {
		_, err := simulate.ParseSpec([]byte(c.in))
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != c.field {
			t.Errorf("%s: err = %v (field %q), want EINVALID at %q", c.in, err, indivisible.ErrorField(err), c.field)
		}
	}
}

// FuzzParseSpec: any input parses or fails with EINVALID, never panics, and
// what parses validates.
func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(`{"distributions": {"exercise_range_km": {"dist": "lognormal", "median": 500, "iqr": 400}}}`))
	f.Add([]byte(`{"params": {"cbm": {"hotline": 0.3}}, "distributions": {"cbm.hotline": {"dist": "triangular", "min": 0, "mode": 0.3, "max": 0.5}}}`))
	f.Add([]byte(`{"estimation": false, "distributions": {"dyads.AAA-BBB": {"dist": "uniform", "min": 0, "max": 3}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := simulate.ParseSpec(b)
		if err != nil {
			if indivisible.ErrorCode(err) != indivisible.EINVALID {
				t.Fatalf("code %s: %v", indivisible.ErrorCode(err), err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("parsed but invalid: %v", err)
		}
	})
}
