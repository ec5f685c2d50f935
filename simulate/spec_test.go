package simulate_test

import (
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/simulate"
)

func TestParseSpec(t *testing.T) {
	s, err := simulate.ParseSpec([]byte(`{"title": "round 2", "params": {"lambda_km": 1500},
		"distributions": {"lambda_km": {"dist": "lognormal", "median": 1500, "iqr": 600},
		"hostility.none": {"dist": "triangular", "min": 0.5, "mode": 1, "max": 1},
		"dyads.ARM-AZE": {"dist": "uniform", "min": 0.5, "max": 2},
		"cbm.hotline": {"dist": "point", "value": 0.2}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Params.LambdaKm != 1500 || s.Params.Hostility["none"] != 1 || len(s.Names()) != 4 || s.Names()[0] != "cbm.hotline" {
		t.Fatalf("%+v", s)
	}
	if d := s.Distributions["hostility.none"]; d.Mean() != 2.5/3 {
		t.Fatalf("triangular mean %v", d.Mean())
	}
}

func TestParseSpecErrors(t *testing.T) {
	for _, c := range []struct{ in, field string }{
		{`{}`, "distributions"},
		{`{"distributions": {}}`, "distributions"},
		{`{"distributions": {"lambda_km": {"dist": "point", "value": 1}}, "extra": 1}`, "extra"},
		{`{"params": {"lambda_km": -1}, "distributions": {"baseline": {"dist": "point", "value": 0.1}}}`, "params.lambda_km"},
		{`{"params": {"lamda": 1}, "distributions": {"baseline": {"dist": "point", "value": 0.1}}}`, "params.lamda"},
		{`{"distributions": {"lambda_km": 5}}`, "distributions.lambda_km"},
		{`{"distributions": {"lambda_km": {"value": 5}}}`, "distributions.lambda_km.dist"},
		{`{"distributions": {"lambda_km": {"dist": "gamma"}}}`, "distributions.lambda_km.dist"},
		{`{"distributions": {"lambda_km": {"dist": "uniform", "min": 1}}}`, "distributions.lambda_km.max"},
		{`{"distributions": {"lambda_km": {"dist": "uniform", "min": 1, "max": 2, "mode": 1}}}`, "distributions.lambda_km.mode"},
		{`{"distributions": {"lambda_km": {"dist": "uniform", "min": 3, "max": 2}}}`, "distributions.lambda_km.max"},
		{`{"distributions": {"lambda_km": {"dist": "uniform", "min": "a", "max": 2}}}`, "distributions.lambda_km.min"},
		{`{"distributions": {"lambda_km": {"dist": "triangular", "min": 1, "mode": 3, "max": 2}}}`, "distributions.lambda_km.mode"},
		{`{"distributions": {"lambda_km": {"dist": "lognormal", "median": 0, "iqr": 2}}}`, "distributions.lambda_km.median"},
		{`{"distributions": {"lambda_km": {"dist": "lognormal", "median": 2, "iqr": -1}}}`, "distributions.lambda_km.iqr"},
		{`{"distributions": {"lambda_km": {"dist": "uniform", "min": 0, "max": 2}}}`, "distributions.lambda_km"},
		{`{"distributions": {"hostility.none": {"dist": "lognormal", "median": 0.5, "iqr": 0.1}}}`, "distributions.hostility.none"},
		{`{"distributions": {"support.friendship": {"dist": "point", "value": 0.5}}}`, "distributions.support.friendship"},
		{`{"distributions": {"gravity": {"dist": "point", "value": 0.5}}}`, "distributions.gravity"},
		{`{"distributions": {"dyads.ARM": {"dist": "point", "value": 0.5}}}`, "distributions.dyads.ARM"},
		{`{"distributions": {"baseline": {"dist": "point", "value": 0}}}`, "distributions.baseline"},
	} {
		_, err := simulate.ParseSpec([]byte(c.in))
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != c.field {
			t.Errorf("%s: err = %v (field %q), want EINVALID at %q", c.in, err, indivisible.ErrorField(err), c.field)
		}
	}
}

// FuzzParseSpec: any input parses or fails with EINVALID, never panics, and
// what parses validates and draws inside its parameters' ranges.
func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(`{"distributions": {"lambda_km": {"dist": "lognormal", "median": 1500, "iqr": 600}}}`))
	f.Add([]byte(`{"params": {"cbm": {"hotline": 0.3}}, "distributions": {"cbm.hotline": {"dist": "triangular", "min": 0, "mode": 0.3, "max": 0.5}}}`))
	f.Add([]byte(`{"distributions": {"dyads.AAA-BBB": {"dist": "uniform", "min": 0, "max": 3}}}`))
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
