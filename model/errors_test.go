package model_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
)

// The fixture: AAA, BBB (members of PACT, a defence pact), CCC (a partner)
// and DDD, whose tanks are not reported; AAA has 100,000 personnel, 5,000
// of them deployed in BBB; BBB has 200 tanks.
func TestMeasureErrors(t *testing.T) {
	sys := mustCompile(t, tiny(t), model.DefaultParams())
	hold := func(actor, cat string, change float64) indivisible.Measure {
		return indivisible.Measure{Type: "holdings", Actor: actor, Category: cat, Change: change}
	}
	deploy := func(typ, actor, host, cat string, q float64) indivisible.Measure {
		return indivisible.Measure{Type: typ, Actor: actor, Host: host, Category: cat, Quantity: q}
	}
	cbm := indivisible.Measure{Type: "cbm", Actors: []string{"AAA", "BBB"}, Kind: "hotline"}
	for _, tc := range []struct {
		name  string
		ms    []indivisible.Measure
		field string
	}{
		{"unknown code", []indivisible.Measure{hold("ZZZ", "personnel", 1)}, "measures[0].actor"},
		{"missing actor", []indivisible.Measure{hold("", "personnel", 1)}, "measures[0].actor"},
		{"organisation as actor", []indivisible.Measure{hold("PACT", "personnel", 1)}, "measures[0].actor"},
		{"unknown category", []indivisible.Measure{hold("AAA", "lasers", 1)}, "measures[0].category"},
		{"unreported component", []indivisible.Measure{hold("DDD", "battle_tanks", 1)}, "measures[0].category"},
		{"NaN change", []indivisible.Measure{hold("AAA", "personnel", math.NaN())}, "measures[0].change"},
		{"infinite change", []indivisible.Measure{hold("AAA", "personnel", math.Inf(1))}, "measures[0].change"},
		// 100,000 + 1e308 + 1e308 is +Inf although each change is finite;
		// the first change to the stock is named.
		{"changes that overflow", []indivisible.Measure{cbm, hold("AAA", "personnel", 1e308), hold("AAA", "personnel", 1e308)}, "measures[1].change"},
		// Each change within the bound of 1e9, their sum beyond it.
		{"change above the bound", []indivisible.Measure{hold("AAA", "personnel", 1e9+1)}, "measures[0].change"},
		{"cut beyond the bound", []indivisible.Measure{hold("AAA", "personnel", -2e9)}, "measures[0].change"},
		{"changes beyond the bound", []indivisible.Measure{cbm, hold("AAA", "personnel", 6e8), hold("AAA", "personnel", 6e8)}, "measures[1].change"},
		{"deployments beyond the bound", []indivisible.Measure{hold("AAA", "personnel", 9e8), deploy("deploy", "AAA", "CCC", "personnel", 6e8),
			deploy("deploy", "AAA", "CCC", "personnel", 6e8)}, "measures[1].quantity"},
		{"quantity above the bound", []indivisible.Measure{deploy("deploy", "AAA", "CCC", "personnel", 2e9)}, "measures[0].quantity"},
		{"exercise force above the bound", []indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "BBB", Personnel: 1.5e9}}, "measures[0].personnel"},
		{"cut below zero", []indivisible.Measure{hold("BBB", "battle_tanks", -201)}, "measures[0].quantity"},
		// 95,000 at home: cutting 96,000 leaves less than the deployed.
		{"cut below deployed", []indivisible.Measure{hold("AAA", "personnel", -96000)}, "measures[0].quantity"},
		{"negative quantity", []indivisible.Measure{deploy("deploy", "AAA", "CCC", "personnel", -5)}, "measures[0].quantity"},
		{"NaN quantity", []indivisible.Measure{deploy("deploy", "AAA", "CCC", "personnel", math.NaN())}, "measures[0].quantity"},
		{"deploy unknown host", []indivisible.Measure{deploy("deploy", "AAA", "ZZZ", "personnel", 5)}, "measures[0].host"},
		{"deploy at home", []indivisible.Measure{deploy("deploy", "AAA", "AAA", "personnel", 5)}, "measures[0].host"},
		{"deploy more than held", []indivisible.Measure{deploy("deploy", "BBB", "AAA", "battle_tanks", 201)}, "measures[0].quantity"},
		{"withdraw more than deployed", []indivisible.Measure{deploy("withdraw", "AAA", "BBB", "personnel", 6000)}, "measures[0].quantity"},
		{"withdraw what was never deployed", []indivisible.Measure{cbm, deploy("withdraw", "CCC", "DDD", "personnel", 1)}, "measures[1].quantity"},
		{"transfer to oneself", []indivisible.Measure{{Type: "transfer", From: "AAA", To: "AAA", Category: "personnel", Quantity: 1}}, "measures[0].to"},
		{"transfer from unknown", []indivisible.Measure{{Type: "transfer", From: "ZZZ", To: "AAA", Category: "personnel", Quantity: 1}}, "measures[0].from"},
		{"transfer to unreported", []indivisible.Measure{{Type: "transfer", From: "CCC", To: "DDD", Category: "battle_tanks", Quantity: 1}}, "measures[0].category"},
		{"transfer more than held", []indivisible.Measure{hold("CCC", "personnel", 5),
			{Type: "transfer", From: "BBB", To: "CCC", Category: "battle_tanks", Quantity: 300}}, "measures[1].quantity"},
		{"join twice", []indivisible.Measure{{Type: "join", Actor: "AAA", Organisation: "PACT"}}, "measures[0].organisation"},
		{"leave non-member (a partner)", []indivisible.Measure{{Type: "leave", Actor: "CCC", Organisation: "PACT"}}, "measures[0].organisation"},
		{"join and join again", []indivisible.Measure{{Type: "join", Actor: "CCC", Organisation: "PACT"}, {Type: "join", Actor: "CCC", Organisation: "PACT"}}, "measures[1].organisation"},
		{"unknown organisation", []indivisible.Measure{{Type: "join", Actor: "CCC", Organisation: "WARSAW"}}, "measures[0].organisation"},
		{"cbm alone", []indivisible.Measure{{Type: "cbm", Actors: []string{"AAA"}, Kind: "hotline"}}, "measures[0].actors"},
		{"cbm kind", []indivisible.Measure{{Type: "cbm", Actors: []string{"AAA", "BBB"}, Kind: "handshake"}}, "measures[0].kind"},
		{"cbm unknown actor", []indivisible.Measure{{Type: "cbm", Actors: []string{"AAA", "ZZZ"}, Kind: "hotline"}}, "measures[0].actors[1]"},
		{"cbm actor twice", []indivisible.Measure{{Type: "cbm", Actors: []string{"AAA", "BBB", "AAA"}, Kind: "hotline"}}, "measures[0].actors[2]"},
		{"exercise without actors", []indivisible.Measure{{Type: "exercise", Host: "BBB", Personnel: 5}}, "measures[0].actors"},
		{"exercise duplicate actor", []indivisible.Measure{{Type: "exercise", Actors: []string{"AAA", "AAA"}, Host: "BBB", Personnel: 5}}, "measures[0].actors[1]"},
		{"exercise unknown host", []indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "ZZZ", Personnel: 5}}, "measures[0].host"},
		{"exercise without forces", []indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "BBB"}}, "measures[0].personnel"},
		{"exercise unknown force", []indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "BBB", Forces: map[string]float64{"drones": 4}}}, "measures[0].forces.drones"},
		{"exercise negative force", []indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "BBB", Personnel: -4}}, "measures[0].personnel"},
		{"exercise infinite force", []indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "BBB", BattleTanks: math.Inf(1)}}, "measures[0].battle_tanks"},
		{"unknown type", []indivisible.Measure{{Type: "annex", Actor: "AAA"}}, "measures[0].type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			after, err := sys.After(tc.ms)
			if indivisible.ErrorCode(err) != indivisible.EINVALID {
				t.Fatalf("err = %v (after %v), want invalid", err, after)
			}
			if f := indivisible.ErrorField(err); f != tc.field {
				t.Errorf("field = %q, want %q (%v)", f, tc.field, err)
			}
			// Every path that evaluates measures refuses them alike.
			if _, err := sys.Prepare(tc.ms); indivisible.ErrorField(err) != tc.field {
				t.Errorf("Prepare: %v, want an error at %s", err, tc.field)
			}
			if _, err := sys.Assess(context.Background(), &indivisible.Proposal{Measures: tc.ms}, 0); indivisible.ErrorField(err) != tc.field {
				t.Errorf("Assess: %v, want an error at %s", err, tc.field)
			}
		})
	}
}

// TestDeploymentOverflowNamesMeasure: two deployments of 1e308 add up to
// +Inf; the error must name the first of them (measures[1]), not an
// unrelated measure before them.
func TestDeploymentOverflowNamesMeasure(t *testing.T) {
	sys := mustCompile(t, tiny(t), model.DefaultParams())
	ms := []indivisible.Measure{
		{Type: "cbm", Actors: []string{"AAA", "BBB"}, Kind: "hotline"},
		{Type: "deploy", Actor: "CCC", Host: "DDD", Category: "personnel", Quantity: 1e308},
		{Type: "deploy", Actor: "CCC", Host: "DDD", Category: "personnel", Quantity: 1e308},
	}
	_, err := sys.After(ms)
	if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != "measures[1].quantity" {
		t.Errorf("err = %v, want invalid at measures[1].quantity", err)
	}
}

// TestHugeFiniteHoldingsNeverNaN: a finite holding whose share of the
// baseline total overflows (1e308 personnel against a total below 1, or
// against a weight of 1e10) gives an infinite capability. Security, the
// hazards of the expense pairs and the prepared changes must then be
// numbers (security in [0, 1]) or the measure refused, never NaN.
func TestHugeFiniteHoldingsNeverNaN(t *testing.T) {
	small := tiny(t)
	for k := range small.Holdings {
		small.Holdings[k].Quantity /= 1e6 // totals 0.43 personnel, 0.0017 tanks
	}
	small.Deployments[0].Quantity /= 1e6
	heavy := model.DefaultParams()
	heavy.Weights = map[string]float64{"personnel": 1e10}
	for _, tc := range []struct {
		name string
		s    *indivisible.Scenario
		p    model.Params
	}{
		{"small totals", small, model.DefaultParams()},
		{"heavy weight", tiny(t), heavy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := mustCompile(t, tc.s, tc.p)
			for _, actor := range []string{"AAA", "CCC"} { // AAA has forces abroad and an ally
				ms := []indivisible.Measure{{Type: "holdings", Actor: actor, Category: "personnel", Change: 1e308}}
				a, err := sys.Assess(context.Background(), &indivisible.Proposal{Measures: ms}, 0)
				if err != nil {
					if indivisible.ErrorCode(err) != indivisible.EINVALID {
						t.Fatalf("err = %v, want invalid or a result", err)
					}
					continue
				}
				for _, r := range a.Participants {
					for _, v := range []float64{r.After, r.ForceAfter} {
						if !(v >= 0 && v <= 1) {
							t.Errorf("%s arms: %s's security after = %v", actor, r.Code, v)
						}
					}
				}
				for _, e := range a.Expense {
					if !(e.HazardAfter >= 0 && e.HazardAfter <= 1) || math.IsNaN(e.Increase) {
						t.Errorf("%s arms: expense %+v", actor, e)
					}
				}
				pr, err := sys.Prepare(ms)
				if err != nil {
					t.Fatal(err)
				}
				out := make([]float64, len(sys.Codes()))
				if err := sys.Changes(pr, out); err != nil {
					t.Fatal(err)
				}
				if slices.ContainsFunc(out, math.IsNaN) {
					t.Errorf("%s arms: prepared changes %v", actor, out)
				}
			}
		})
	}
}

func TestParamsValidate(t *testing.T) {
	bad := handCoefficientsNoTB()
	bad.MID.Coef[1] = math.NaN()
	for _, tc := range []struct {
		name  string
		edit  func(p *model.Params)
		field string
	}{
		{"defaults", func(p *model.Params) {}, ""},
		{"zero intensity", func(p *model.Params) { p.ExerciseIntensity = 0 }, ""},
		{"discounts at the bounds", func(p *model.Params) { p.NotifiedDiscount, p.ObserverDiscount = 0, 1 }, ""},
		{"negative intensity", func(p *model.Params) { p.ExerciseIntensity = -1 }, "exercise_intensity"},
		{"NaN intensity", func(p *model.Params) { p.ExerciseIntensity = math.NaN() }, "exercise_intensity"},
		{"infinite intensity", func(p *model.Params) { p.ExerciseIntensity = math.Inf(1) }, "exercise_intensity"},
		{"zero range", func(p *model.Params) { p.ExerciseRangeKm = 0 }, "exercise_range_km"},
		{"infinite range", func(p *model.Params) { p.ExerciseRangeKm = math.Inf(1) }, "exercise_range_km"},
		{"notified above 1", func(p *model.Params) { p.NotifiedDiscount = 1.5 }, "notified_discount"},
		{"observer below 0", func(p *model.Params) { p.ObserverDiscount = -0.1 }, "observer_discount"},
		{"observer NaN", func(p *model.Params) { p.ObserverDiscount = math.NaN() }, "observer_discount"},
		{"cbm above 1", func(p *model.Params) { p.CBM = map[string]float64{"hotline": 2} }, "cbm.hotline"},
		{"negative weight", func(p *model.Params) { p.Weights = map[string]float64{"personnel": -1} }, "weights.personnel"},
		{"infinite weight", func(p *model.Params) { p.Weights = map[string]float64{"personnel": math.Inf(1)} }, "weights.personnel"},
		{"negative dyad", func(p *model.Params) {
			p.Dyads = []model.Dyad{{A: "AAA", B: "BBB", Factor: 1}, {A: "AAA", B: "CCC", Factor: -1}}
		}, "dyads[1].factor"},
		{"NaN dyad", func(p *model.Params) { p.Dyads = []model.Dyad{{A: "AAA", B: "BBB", Factor: math.NaN()}} }, "dyads[0].factor"},
		{"invalid coefficients", func(p *model.Params) { p.Coefficients = bad }, "mid.coef[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := model.DefaultParams()
			tc.edit(&p)
			err := p.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tc.field {
				t.Fatalf("Validate = %v, want invalid at %s", err, tc.field)
			}
			// Compile and Reparam validate the same way.
			if _, err := model.Compile(tiny(t), p); indivisible.ErrorField(err) != tc.field {
				t.Errorf("Compile: %v, want an error at %s", err, tc.field)
			}
			sys := mustCompile(t, tiny(t), model.DefaultParams())
			if _, err := sys.Reparam(p, nil); indivisible.ErrorField(err) != tc.field {
				t.Errorf("Reparam: %v, want an error at %s", err, tc.field)
			}
		})
	}
}

// handCoefficientsNoTB is a copy of the shipped coefficients that a table
// can edit.
func handCoefficientsNoTB() *model.Coefficients {
	c := model.DefaultCoefficients().Clone()
	return c
}

// TestParamsAgainstScenario: parameters that are valid on their own but do
// not fit the scenario.
func TestParamsAgainstScenario(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(p *model.Params)
		field string
	}{
		{"unknown weight", func(p *model.Params) { p.Weights = map[string]float64{"nukes": 1} }, "weights.nukes"},
		{"dyad of an unknown state", func(p *model.Params) { p.Dyads = []model.Dyad{{A: "AAA", B: "ZZZ", Factor: 2}} }, "dyads[0]"},
		{"dyad of an organisation", func(p *model.Params) { p.Dyads = []model.Dyad{{A: "AAA", B: "PACT", Factor: 2}} }, "dyads[0]"},
		{"dyad of a state with itself", func(p *model.Params) {
			p.Dyads = []model.Dyad{{A: "AAA", B: "BBB", Factor: 2}, {A: "CCC", B: "CCC", Factor: 2}}
		}, "dyads[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := model.DefaultParams()
			tc.edit(&p)
			if _, err := model.Compile(tiny(t), p); indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tc.field {
				t.Errorf("Compile: %v, want invalid at %s", err, tc.field)
			}
			sys := mustCompile(t, tiny(t), model.DefaultParams())
			if _, err := sys.Reparam(p, nil); indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tc.field {
				t.Errorf("Reparam: %v, want invalid at %s", err, tc.field)
			}
		})
	}
}

func TestScenarioErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(s *indivisible.Scenario)
		field string
	}{
		{"holding of an unknown state", func(s *indivisible.Scenario) { s.Holdings[0].State = "ZZZ" }, "holdings"},
		{"holding of an unknown component", func(s *indivisible.Scenario) { s.Holdings[0].Component = "lasers" }, "holdings"},
		{"NaN holding", func(s *indivisible.Scenario) { s.Holdings[0].Quantity = math.NaN() }, "holdings"},
		{"negative holding", func(s *indivisible.Scenario) { s.Holdings[0].Quantity = -1 }, "holdings"},
		{"deployment to an unknown host", func(s *indivisible.Scenario) { s.Deployments[0].Host = "ZZZ" }, "deployments"},
		{"membership of an unknown organisation", func(s *indivisible.Scenario) { s.Memberships[0].Organisation = "ZZZ" }, "memberships"},
		{"commitment of an unknown state", func(s *indivisible.Scenario) { s.Commitments[1].B = "ZZZ" }, "commitments"},
		{"capability of an unknown state", func(s *indivisible.Scenario) {
			s.Capabilities = []indivisible.Capability{{State: "AAA", CINC: 0.1}, {State: "ZZZ", CINC: 0.1}}
		}, "capabilities[1].state"},
		{"military above cinc", func(s *indivisible.Scenario) {
			s.Capabilities = []indivisible.Capability{{State: "AAA", CINC: 0.1, Military: 0.2}}
		}, "capabilities[0]"},
		{"cinc above 1", func(s *indivisible.Scenario) { s.Capabilities = []indivisible.Capability{{State: "AAA", CINC: 1.5}} }, "capabilities[0]"},
		{"NaN cinc", func(s *indivisible.Scenario) {
			s.Capabilities = []indivisible.Capability{{State: "AAA", CINC: math.NaN()}}
		}, "capabilities[0]"},
		{"history after the scenario year", func(s *indivisible.Scenario) {
			s.Histories = []indivisible.History{{A: "AAA", B: "BBB", Through: 2026}}
		}, "histories"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tiny(t)
			tc.edit(s)
			_, err := model.Compile(s, model.DefaultParams())
			if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tc.field {
				t.Errorf("Compile: %v, want invalid at %s", err, tc.field)
			}
			if _, _, err := model.Design(s); indivisible.ErrorField(err) != tc.field {
				t.Errorf("Design: %v, want an error at %s", err, tc.field)
			}
		})
	}
}

func TestCoefficientsValidate(t *testing.T) {
	k := len(model.Features)
	square := func(n, m int) [][]float64 {
		c := make([][]float64, n)
		for i := range c {
			c[i] = make([]float64, m)
		}
		return c
	}
	for _, tc := range []struct {
		name  string
		edit  func(c *model.Coefficients)
		field string
	}{
		{"shipped", func(c *model.Coefficients) {}, ""},
		{"without covariance", func(c *model.Coefficients) { c.MID.Cov, c.Force.Cov = nil, nil }, ""},
		{"features in another order", func(c *model.Coefficients) {
			c.Features = slices.Clone(c.Features)
			c.Features[1], c.Features[2] = c.Features[2], c.Features[1]
		}, "features"},
		{"a feature too few", func(c *model.Coefficients) { c.Features = slices.Clone(c.Features[:k-1]) }, "features"},
		{"a candidate added", func(c *model.Coefficients) { c.Features = append(slices.Clone(c.Features), model.Candidates[0]) }, "features"},
		{"NaN coefficient", func(c *model.Coefficients) { c.MID.Coef[3] = math.NaN() }, "mid.coef[3]"},
		{"infinite force coefficient", func(c *model.Coefficients) { c.Force.Coef[0] = math.Inf(-1) }, "force.coef[0]"},
		{"a coefficient too many", func(c *model.Coefficients) { c.MID.Coef = append(c.MID.Coef, 0) }, "mid.coef"},
		{"covariance rows", func(c *model.Coefficients) { c.Force.Cov = square(k-1, k) }, "force.cov"},
		{"covariance columns", func(c *model.Coefficients) { c.MID.Cov = square(k, k+1) }, "mid.cov"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := model.DefaultCoefficients().Clone()
			tc.edit(c)
			err := c.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tc.field {
				t.Errorf("Validate = %v, want invalid at %s", err, tc.field)
			}
			p := model.DefaultParams()
			p.Coefficients = c
			if _, err := model.Compile(tiny(t), p); indivisible.ErrorField(err) != tc.field {
				t.Errorf("Compile: %v, want an error at %s", err, tc.field)
			}
		})
	}
	if _, err := model.DefaultCoefficients().Estimate("war"); indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != "outcome" {
		t.Errorf("Estimate(war) = %v, want invalid at outcome", err)
	}
	if _, err := model.ParseCoefficients([]byte(`{"features": [], "bogus": 1}`)); indivisible.ErrorCode(err) != indivisible.EINVALID {
		t.Errorf("ParseCoefficients with an unknown field = %v, want invalid", err)
	}
}

func TestExplainAndAssessErrors(t *testing.T) {
	sys := mustCompile(t, tiny(t), model.DefaultParams())
	for _, code := range []string{"ZZZ", "PACT", ""} {
		if _, err := sys.Explain(code, 3); indivisible.ErrorCode(err) != indivisible.ENOTFOUND {
			t.Errorf("Explain(%q) = %v, want not found", code, err)
		}
	}
	for _, tol := range []float64{-1e-9, math.NaN(), math.Inf(1)} {
		_, err := sys.Assess(context.Background(), &indivisible.Proposal{}, tol)
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != "tolerance" {
			t.Errorf("Assess with tolerance %v = %v, want invalid at tolerance", tol, err)
		}
	}
}

func TestParseParams(t *testing.T) {
	p, err := model.ParseParams([]byte(`{"cbm": {"hotline": 0.2}, "exercise_intensity": 0}`))
	if err != nil {
		t.Fatal(err)
	}
	d := model.DefaultParams()
	// Maps merge key by key; a field present (even 0) replaces the
	// default; an absent one keeps it.
	if p.CBM["hotline"] != 0.2 || p.CBM["inspection"] != d.CBM["inspection"] || p.ExerciseIntensity != 0 || p.ExerciseRangeKm != d.ExerciseRangeKm {
		t.Errorf("ParseParams = %+v", p)
	}
	for _, tc := range []struct{ src, field string }{
		{`{"cbm": {"hotline": 1.2}}`, "cbm.hotline"},
		{`{"exercise_range_km": -5}`, "exercise_range_km"},
		{`{"lambda_km": 5}`, "lambda_km"},
	} {
		if _, err := model.ParseParams([]byte(tc.src)); indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tc.field {
			t.Errorf("ParseParams(%s) = %v, want invalid at %s", tc.src, err, tc.field)
		}
	}
}
