package model_test

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

func tiny(t testing.TB) *indivisible.Scenario {
	t.Helper()
	s, err := scenario.Load(os.DirFS("../scenario/testdata/tiny"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func compile(t testing.TB, s *indivisible.Scenario, p model.Params) *model.System {
	t.Helper()
	sys, err := model.Compile(s, p)
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

// TestTwoStatesByHand checks the equations on a case worked by hand: two
// unallied states 1,000 km apart (on the equator) with one component.
func TestTwoStatesByHand(t *testing.T) {
	km := 1000.0
	lon := km / (6378.137 * math.Pi / 180) // the equator is a geodesic of radius a
	s := &indivisible.Scenario{
		Name:       "two",
		Components: []indivisible.Component{{Name: "personnel", Weight: 1}},
		Participants: []indivisible.Participant{
			{Code: "AAA", Name: "A", Kind: indivisible.State},
			{Code: "BBB", Name: "B", Kind: indivisible.State, Lon: lon},
		},
		Holdings: []indivisible.Holding{{State: "AAA", Component: "personnel", Quantity: 300}, {State: "BBB", Component: "personnel", Quantity: 100}},
	}
	p := model.DefaultParams()
	sys := compile(t, s, p)
	// Capabilities are shares of the total: 0.75 and 0.25. Each projects
	// at the other with g = exp(-1000/2000); hostility 1, no support.
	g := math.Exp(-km / p.LambdaKm)
	k := p.Baseline
	secA := (0.75 + k) / (0.75 + 0.25*g + 2*k)
	secB := (0.25 + k) / (0.25 + 0.75*g + 2*k)
	got := sys.Before()
	if math.Abs(got[0]-secA) > 1e-9 || math.Abs(got[1]-secB) > 1e-9 {
		t.Fatalf("before = %v, want [%v %v]", got, secA, secB)
	}
	// A adds 100: its capability becomes 400/400 = 1 in baseline units.
	after, err := sys.After([]indivisible.Measure{{Type: "holdings", Actor: "AAA", Category: "personnel", Change: 100}})
	if err != nil {
		t.Fatal(err)
	}
	wantA := (1 + k) / (1 + 0.25*g + 2*k)
	wantB := (0.25 + k) / (0.25 + 1*g + 2*k)
	if math.Abs(after[0]-wantA) > 1e-9 || math.Abs(after[1]-wantB) > 1e-9 {
		t.Fatalf("after = %v, want [%v %v]", after, wantA, wantB)
	}
	// Now allied by a defence treaty: B's power supports A fully and the
	// hostility between them vanishes.
	s.Commitments = []indivisible.Commitment{{A: "AAA", B: "BBB", Type: indivisible.Defence, Treaty: "t"}}
	sys = compile(t, s, p)
	wantA = (0.75 + 0.25*g + k) / (0.75 + 0.25*g + 2*k)
	if got := sys.Before()[0]; math.Abs(got-wantA) > 1e-9 {
		t.Fatalf("allied A = %v, want %v", got, wantA)
	}
}

func TestEmptyProposal(t *testing.T) {
	sys := compile(t, tiny(t), model.DefaultParams())
	a, err := sys.Assess(context.Background(), &indivisible.Proposal{Title: "nothing"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Verdict != indivisible.Indivisible || len(a.Gainers)+len(a.Losers) != 0 {
		t.Fatalf("empty proposal: verdict %s, gainers %v, losers %v", a.Verdict, a.Gainers, a.Losers)
	}
	for _, p := range a.Participants {
		if p.Delta != 0 || p.Before != p.After {
			t.Errorf("%s changed: %+v", p.Code, p)
		}
	}
}

func TestMeasureErrors(t *testing.T) {
	sys := compile(t, tiny(t), model.DefaultParams())
	for _, tc := range []struct {
		name  string
		m     []indivisible.Measure
		field string
	}{
		{"unknown code", []indivisible.Measure{{Type: "holdings", Actor: "ZZZ", Category: "personnel", Change: 1}}, "measures[0].actor"},
		{"organisation as actor", []indivisible.Measure{{Type: "holdings", Actor: "PACT", Category: "personnel", Change: 1}}, "measures[0].actor"},
		{"unknown category", []indivisible.Measure{{Type: "holdings", Actor: "AAA", Category: "lasers", Change: 1}}, "measures[0].category"},
		{"missing component", []indivisible.Measure{{Type: "holdings", Actor: "DDD", Category: "battle_tanks", Change: 1}}, "measures[0].category"},
		{"negative quantity", []indivisible.Measure{{Type: "deploy", Actor: "AAA", Host: "CCC", Category: "personnel", Quantity: -5}}, "measures[0].quantity"},
		{"withdraw more than deployed", []indivisible.Measure{{Type: "withdraw", Actor: "AAA", Host: "BBB", Category: "personnel", Quantity: 6000}}, "measures[0].quantity"},
		{"deploy more than held", []indivisible.Measure{{Type: "deploy", Actor: "BBB", Host: "AAA", Category: "battle_tanks", Quantity: 201}}, "measures[0].quantity"},
		{"transfer more than held", []indivisible.Measure{
			{Type: "holdings", Actor: "CCC", Category: "personnel", Change: 5},
			{Type: "transfer", From: "BBB", To: "CCC", Category: "battle_tanks", Quantity: 300}}, "measures[1].quantity"},
		{"cut below deployed", []indivisible.Measure{{Type: "holdings", Actor: "AAA", Category: "personnel", Change: -96000}}, "measures[0].quantity"},
		{"self deploy", []indivisible.Measure{{Type: "deploy", Actor: "AAA", Host: "AAA", Category: "personnel", Quantity: 5}}, "measures[0].host"},
		{"join twice", []indivisible.Measure{{Type: "join", Actor: "AAA", Organisation: "PACT"}}, "measures[0].organisation"},
		{"leave non-member", []indivisible.Measure{{Type: "leave", Actor: "CCC", Organisation: "PACT"}}, "measures[0].organisation"},
		{"join and leave", []indivisible.Measure{{Type: "join", Actor: "CCC", Organisation: "PACT"}, {Type: "join", Actor: "CCC", Organisation: "PACT"}}, "measures[1].organisation"},
		{"unknown organisation", []indivisible.Measure{{Type: "join", Actor: "CCC", Organisation: "WARSAW"}}, "measures[0].organisation"},
		{"cbm alone", []indivisible.Measure{{Type: "cbm", Actors: []string{"AAA"}, Kind: "hotline"}}, "measures[0].actors"},
		{"cbm kind", []indivisible.Measure{{Type: "cbm", Actors: []string{"AAA", "BBB"}, Kind: "handshake"}}, "measures[0].kind"},
		{"exercise duplicate actor", []indivisible.Measure{{Type: "exercise", Actors: []string{"AAA", "AAA"}, Host: "BBB", Personnel: 5}}, "measures[0].actors[1]"},
		{"exercise without forces", []indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "BBB"}}, "measures[0].personnel"},
		{"exercise unknown force", []indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "BBB", Forces: map[string]float64{"drones": 4}}}, "measures[0].forces.drones"},
		{"exercise negative force", []indivisible.Measure{{Type: "exercise", Actors: []string{"AAA"}, Host: "BBB", Personnel: -4}}, "measures[0].personnel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sys.After(tc.m)
			if indivisible.ErrorCode(err) != indivisible.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			if f := indivisible.ErrorField(err); f != tc.field {
				t.Errorf("field = %q, want %q (%v)", f, tc.field, err)
			}
		})
	}
}

// TestDeployThenWithdrawIsValid checks that validation sees the net result:
// a withdrawal covered by a deployment in the same proposal is fine in
// either order.
func TestDeployThenWithdrawIsValid(t *testing.T) {
	sys := compile(t, tiny(t), model.DefaultParams())
	d := indivisible.Measure{Type: "deploy", Actor: "CCC", Host: "DDD", Category: "personnel", Quantity: 1000}
	w := indivisible.Measure{Type: "withdraw", Actor: "CCC", Host: "DDD", Category: "personnel", Quantity: 400}
	a, err := sys.After([]indivisible.Measure{d, w})
	if err != nil {
		t.Fatal(err)
	}
	b, err := sys.After([]indivisible.Measure{w, d})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			t.Fatalf("order matters: %v vs %v", a, b)
		}
	}
}

// TestMeasureDirections checks the sign of each measure's main effect.
func TestMeasureDirections(t *testing.T) {
	sys := compile(t, tiny(t), model.DefaultParams())
	idx := map[string]int{}
	for i, c := range sys.Codes() {
		idx[c] = i
	}
	delta := func(ms ...indivisible.Measure) []float64 {
		after, err := sys.After(ms)
		if err != nil {
			t.Fatal(err)
		}
		d := make([]float64, len(after))
		for i := range after {
			d[i] = after[i] - sys.Before()[i]
		}
		return d
	}
	// A CBM between rivals raises both, and no one else changes.
	d := delta(indivisible.Measure{Type: "cbm", Actors: []string{"AAA", "CCC"}, Kind: "inspection"})
	if !(d[idx["AAA"]] > 0 && d[idx["CCC"]] > 0) || d[idx["BBB"]] != 0 || d[idx["DDD"]] != 0 {
		t.Errorf("cbm deltas %v", d)
	}
	// An exercise threatens non-participants; notification and observers
	// lessen the threat.
	ex := indivisible.Measure{Type: "exercise", Actors: []string{"CCC"}, Host: "CCC", Personnel: 20000, BattleTanks: 300}
	raw := delta(ex)
	ex.Notified, ex.Observers = true, true
	soft := delta(ex)
	if !(raw[idx["AAA"]] < soft[idx["AAA"]] && soft[idx["AAA"]] < 0) || raw[idx["CCC"]] != 0 {
		t.Errorf("exercise deltas raw %v, notified with observers %v", raw, soft)
	}
	// Joining the pact brings CCC its members' support.
	d = delta(indivisible.Measure{Type: "join", Actor: "CCC", Organisation: "PACT"})
	if !(d[idx["CCC"]] > 0 && d[idx["AAA"]] > 0) {
		t.Errorf("join deltas %v", d)
	}
	// Leaving it costs both sides.
	d = delta(indivisible.Measure{Type: "leave", Actor: "BBB", Organisation: "PACT"})
	if !(d[idx["BBB"]] < 0 && d[idx["AAA"]] < 0) {
		t.Errorf("leave deltas %v", d)
	}
	// A transfer strengthens the recipient and weakens the supplier.
	d = delta(indivisible.Measure{Type: "transfer", From: "CCC", To: "DDD", Category: "personnel", Quantity: 50000})
	if !(d[idx["DDD"]] > 0 && d[idx["CCC"]] < 0) {
		t.Errorf("transfer deltas %v", d)
	}
}

func TestGini(t *testing.T) {
	for _, tc := range []struct {
		x    []float64
		want float64
	}{
		{[]float64{1, 1, 1, 1}, 0},
		{[]float64{0, 0, 0, 1}, 0.75},
		{[]float64{1, 2, 3, 4}, 0.25},
		{[]float64{0, 0}, 0},
	} {
		if got := model.Gini(tc.x); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Gini(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

func TestParseParams(t *testing.T) {
	p, err := model.ParseParams([]byte(`{"lambda_km": 1500, "notified_discount": 0, "cbm": {"hotline": 0.2}}`))
	if err != nil {
		t.Fatal(err)
	}
	d := model.DefaultParams()
	if p.LambdaKm != 1500 || p.NotifiedDiscount != 0 || p.CBM["hotline"] != 0.2 || p.CBM["inspection"] != d.CBM["inspection"] || p.ObserverDiscount != d.ObserverDiscount {
		t.Errorf("merged params wrong: %+v", p)
	}
	for _, tc := range []struct{ in, field string }{
		{`{"lambda_km": -1}`, "lambda_km"},
		{`{"gradient": "steep"}`, "gradient"},
		{`{"support": {"defence": 2}}`, "support.defence"},
		{`{"support": {"friendship": 1}}`, "support.friendship"},
		{`{"hostility": {"none": -0.5}}`, "hostility.none"},
		{`{"lamda_km": 5}`, "lamda_km"},
		{`{"dyads": [{"a": "AAA", "b": "BBB", "factor": -1}]}`, "dyads[0].factor"},
	} {
		_, err := model.ParseParams([]byte(tc.in))
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tc.field {
			t.Errorf("ParseParams(%s) = %v, want invalid %s", tc.in, err, tc.field)
		}
	}
}

func TestAlternativeParameters(t *testing.T) {
	s := scenario.Synthetic(40, 3)
	for _, p := range []func(*model.Params){
		func(p *model.Params) { p.Gradient = model.GradientBdM },
		func(p *model.Params) { p.Alignment = model.AlignmentSScore },
		func(p *model.Params) { p.Alignment, p.SWeighting = model.AlignmentSScore, model.SCapability },
	} {
		params := model.DefaultParams()
		p(&params)
		sys := compile(t, s, params)
		for i, v := range sys.Before() {
			if !(v > 0 && v < 1) {
				t.Fatalf("%+v: security of %s = %v, outside (0,1)", params, sys.Codes()[i], v)
			}
		}
	}
}
