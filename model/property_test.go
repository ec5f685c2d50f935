package model_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"pgregory.net/rapid"
)

// genScenario draws a synthetic scenario (scenario.Synthetic has forces,
// treaties and deployments) and gives it random evidence of every kind,
// as of its year 2025.
func genScenario(t *rapid.T) *indivisible.Scenario {
	n := rapid.IntRange(3, 30).Draw(t, "n")
	s := scenario.Synthetic(n, rapid.Uint64().Draw(t, "seed"))
	codes := stateCodes(s)
	pick := rapid.SampledFrom(codes)
	pair := func(label string) (string, string) {
		a := pick.Draw(t, label+".a")
		b := rapid.SampledFrom(codes).Filter(func(x string) bool { return x != a }).Draw(t, label+".b")
		return a, b
	}
	ev := &s.Evidence
	for _, c := range codes {
		if rapid.Bool().Draw(t, "cap."+c) {
			cinc := rapid.Float64Range(0, 0.2).Draw(t, "cinc."+c)
			ev.Capabilities = append(ev.Capabilities, indivisible.Capability{State: c, CINC: cinc, Military: cinc * rapid.Float64Range(0, 1).Draw(t, "mil."+c)})
		}
		if rapid.Bool().Draw(t, "dem."+c) {
			ev.Regimes = append(ev.Regimes, indivisible.Regime{State: c, Polyarchy: rapid.Float64Range(0, 1).Draw(t, "poly."+c)})
		}
	}
	for k := range rapid.IntRange(0, 2).Draw(t, "majors") {
		ev.Majors = append(ev.Majors, indivisible.Major{State: pick.Draw(t, fmt.Sprint("major", k))})
	}
	for k := range rapid.IntRange(0, n).Draw(t, "pairs") {
		a, b := pair(fmt.Sprint("pair", k))
		switch rapid.IntRange(0, 4).Draw(t, fmt.Sprint("kind", k)) {
		case 0:
			ev.Affinities = append(ev.Affinities, indivisible.Affinity{A: a, B: b, Agreement: rapid.Float64Range(0, 1).Draw(t, fmt.Sprint("agree", k))})
		case 1:
			through := rapid.IntRange(2015, 2025).Draw(t, fmt.Sprint("through", k))
			last := 0
			if rapid.Bool().Draw(t, fmt.Sprint("haslast", k)) {
				last = rapid.IntRange(1950, through).Draw(t, fmt.Sprint("last", k))
			}
			ev.Histories = append(ev.Histories, indivisible.History{A: a, B: b, Through: through, Last: last,
				DecayAB: rapid.Float64Range(0, 3).Draw(t, fmt.Sprint("dab", k)), DecayBA: rapid.Float64Range(0, 3).Draw(t, fmt.Sprint("dba", k))})
		case 2:
			ev.Disputes = append(ev.Disputes, indivisible.Dispute{Year: rapid.IntRange(2015, 2025).Draw(t, fmt.Sprint("year", k)), A: a, B: b,
				Initiated: rapid.Bool().Draw(t, fmt.Sprint("init", k)), Onset: rapid.Bool().Draw(t, fmt.Sprint("onset", k)), HostLev: 3})
		case 3:
			ev.Contiguities = append(ev.Contiguities, indivisible.Contiguity{A: a, B: b, Type: rapid.IntRange(2, 5).Draw(t, fmt.Sprint("type", k))})
		case 4:
			ev.Rivalries = append(ev.Rivalries, indivisible.Rivalry{A: a, B: b, Since: rapid.IntRange(1950, 2025).Draw(t, fmt.Sprint("since", k))})
		}
	}
	return s
}

func stateCodes(s *indivisible.Scenario) []string {
	var out []string
	for _, p := range s.Participants {
		if p.Kind == indivisible.State {
			out = append(out, p.Code)
		}
	}
	return out
}

func orgCodes(s *indivisible.Scenario) []string {
	var out []string
	for _, p := range s.Participants {
		if p.Kind == indivisible.Organisation {
			out = append(out, p.Code)
		}
	}
	return out
}

// genCoefficients draws nil (the shipped coefficients) or a perturbation
// of them, as a Monte Carlo draw would set.
func genCoefficients(t *rapid.T, label string) *model.Coefficients {
	if rapid.Bool().Draw(t, label+".shipped") {
		return nil
	}
	c := model.DefaultCoefficients().Clone()
	for k := range c.MID.Coef {
		c.MID.Coef[k] += rapid.Float64Range(-0.3, 0.3).Draw(t, fmt.Sprintf("%s.mid%d", label, k))
		c.Force.Coef[k] += rapid.Float64Range(-0.3, 0.3).Draw(t, fmt.Sprintf("%s.force%d", label, k))
	}
	return c
}

var cbmKinds = []string{"observers", "notification", "hotline", "inspection", "military_contacts", "risk_reduction", "data_exchange"}

// genParams draws parameters over their documented ranges, with expert
// dyads and component weights when dyads and weights are true.
func genParams(t *rapid.T, s *indivisible.Scenario, label string, dyads, weights bool) model.Params {
	p := model.DefaultParams()
	p.ExerciseIntensity = rapid.Float64Range(0, 2).Draw(t, label+".kappa")
	p.ExerciseRangeKm = rapid.Float64Range(50, 3000).Draw(t, label+".range")
	p.NotifiedDiscount = rapid.Float64Range(0, 1).Draw(t, label+".nu")
	p.ObserverDiscount = rapid.Float64Range(0, 1).Draw(t, label+".omega")
	p.CBM = map[string]float64{}
	for _, k := range cbmKinds {
		p.CBM[k] = rapid.Float64Range(0, 1).Draw(t, label+".cbm."+k)
	}
	if weights && rapid.Bool().Draw(t, label+".weights") {
		p.Weights = map[string]float64{rapid.SampledFrom(indivisible.Categories).Draw(t, label+".wcat"): rapid.Float64Range(0, 3).Draw(t, label+".w")}
	}
	if dyads {
		codes := stateCodes(s)
		for k := range rapid.IntRange(0, 2).Draw(t, label+".dyads") {
			a := rapid.SampledFrom(codes).Draw(t, fmt.Sprintf("%s.dyad%d.a", label, k))
			b := rapid.SampledFrom(codes).Filter(func(x string) bool { return x != a }).Draw(t, fmt.Sprintf("%s.dyad%d.b", label, k))
			p.Dyads = append(p.Dyads, model.Dyad{A: a, B: b, Factor: rapid.Float64Range(0, 3).Draw(t, fmt.Sprintf("%s.dyad%d.f", label, k))})
		}
	}
	p.Coefficients = genCoefficients(t, label+".coef")
	return p
}

// genMeasure draws a measure over the scenario's states; some draws are
// invalid (a withdrawal of more than is deployed, say), which the tests
// skip.
func genMeasure(t *rapid.T, s *indivisible.Scenario, label string) indivisible.Measure {
	codes, orgs := stateCodes(s), orgCodes(s)
	st := rapid.SampledFrom(codes)
	cat := rapid.SampledFrom(indivisible.Categories)
	q := rapid.Float64Range(1, 500)
	two := func() []string {
		a := st.Draw(t, label+".a")
		b := rapid.SampledFrom(codes).Filter(func(x string) bool { return x != a }).Draw(t, label+".b")
		return []string{a, b}
	}
	switch rapid.IntRange(0, 8).Draw(t, label+".kind") {
	case 0:
		return indivisible.Measure{Type: "holdings", Actor: st.Draw(t, label+".actor"), Category: cat.Draw(t, label+".cat"), Change: q.Draw(t, label+".q")}
	case 1:
		return indivisible.Measure{Type: "holdings", Actor: st.Draw(t, label+".actor"), Category: cat.Draw(t, label+".cat"), Change: -q.Draw(t, label+".q")}
	case 2:
		ab := two()
		return indivisible.Measure{Type: "deploy", Actor: ab[0], Host: ab[1], Category: cat.Draw(t, label+".cat"), Quantity: q.Draw(t, label+".q")}
	case 3:
		if len(s.Deployments) > 0 {
			d := rapid.SampledFrom(s.Deployments).Draw(t, label+".dep")
			return indivisible.Measure{Type: "withdraw", Actor: d.State, Host: d.Host, Category: d.Component, Quantity: d.Quantity * rapid.Float64Range(0.01, 1).Draw(t, label+".frac")}
		}
		ab := two()
		return indivisible.Measure{Type: "withdraw", Actor: ab[0], Host: ab[1], Category: "personnel", Quantity: 1}
	case 4:
		ab := two()
		return indivisible.Measure{Type: "transfer", From: ab[0], To: ab[1], Category: cat.Draw(t, label+".cat"), Quantity: q.Draw(t, label+".q")}
	case 5:
		return indivisible.Measure{Type: rapid.SampledFrom([]string{"join", "leave"}).Draw(t, label+".jl"), Actor: st.Draw(t, label+".actor"),
			Organisation: rapid.SampledFrom(orgs).Draw(t, label+".org")}
	case 6:
		actors := two()
		if rapid.Bool().Draw(t, label+".solo") {
			actors = actors[:1]
		}
		return indivisible.Measure{Type: "exercise", Actors: actors, Host: st.Draw(t, label+".host"), Personnel: 100 * q.Draw(t, label+".q"),
			Forces: map[string]float64{cat.Draw(t, label+".fcat"): q.Draw(t, label+".fq")}, Notified: rapid.Bool().Draw(t, label+".notified"), Observers: rapid.Bool().Draw(t, label+".observers")}
	}
	return genCBM(t, s, label)
}

func genCBM(t *rapid.T, s *indivisible.Scenario, label string) indivisible.Measure {
	codes := stateCodes(s)
	actors := rapid.SliceOfNDistinct(rapid.SampledFrom(codes), 2, min(4, len(codes)), func(x string) string { return x }).Draw(t, label+".actors")
	return indivisible.Measure{Type: "cbm", Actors: actors, Kind: rapid.SampledFrom(cbmKinds).Draw(t, label+".cbmkind")}
}

// genValidMeasures draws one to max measures that apply together.
func genValidMeasures(t *rapid.T, s *indivisible.Scenario, sys *model.System, max int) []indivisible.Measure {
	k := rapid.IntRange(1, max).Draw(t, "measures")
	var ms []indivisible.Measure
	for i := range k {
		m := genMeasure(t, s, fmt.Sprint("m", i))
		if _, err := sys.After(append(slices.Clone(ms), m)); err == nil {
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		t.Skip("no valid measure drawn")
	}
	return ms
}

func mustCompileR(t *rapid.T, s *indivisible.Scenario, p model.Params) *model.System {
	sys, err := model.Compile(s, p)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return sys
}

func byCode(sys *model.System, v []float64) map[string]float64 {
	m := map[string]float64{}
	for i, c := range sys.Codes() {
		m[c] = v[i]
	}
	return m
}

// agree fails unless a and b agree to within tol (absolute: security is
// a probability).
func agree(t *rapid.T, what string, codes []string, a, b []float64, tol float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d values against %d", what, len(a), len(b))
	}
	for i := range a {
		if !(math.Abs(a[i]-b[i]) <= tol) {
			t.Fatalf("%s[%s]: %.17g against %.17g (diff %.3g)", what, codes[i], a[i], b[i], a[i]-b[i])
		}
	}
}

// Security lies in (0, 1], before and after, for both outcomes, and every
// hazard in [0, 1).
func TestPropertySecurityRange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		sys := mustCompileR(t, s, genParams(t, s, "p", true, true))
		ms := genValidMeasures(t, s, sys, 4)
		a, err := sys.Assess(context.Background(), &indivisible.Proposal{Measures: ms}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range a.Participants {
			for _, v := range []float64{r.Before, r.After, r.ForceBefore, r.ForceAfter} {
				if !(v > 0 && v <= 1) {
					t.Fatalf("%s: security %v outside (0, 1]: %+v", r.Code, v, r)
				}
			}
		}
		n := len(sys.Codes())
		for j := range n {
			for i := range n {
				for _, o := range []string{model.OutcomeMID, model.OutcomeForce} {
					if h := sys.Hazard(o, j, i); !(h >= 0 && h < 1) || (i == j && h != 0) {
						t.Fatalf("hazard %s %d→%d = %v", o, j, i, h)
					}
				}
			}
		}
	})
}

// An empty proposal changes nothing, bit for bit, on every path.
func TestPropertyEmptyProposal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		sys := mustCompileR(t, s, genParams(t, s, "p", true, true))
		for _, ms := range [][]indivisible.Measure{nil, {}} {
			after, err := sys.After(ms)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(after, sys.Before()) {
				t.Fatalf("empty proposal changed %v to %v", sys.Before(), after)
			}
			a, err := sys.Assess(context.Background(), &indivisible.Proposal{Measures: ms}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if a.Verdict != indivisible.Indivisible || len(a.Gainers)+len(a.Losers)+len(a.Expense) != 0 || a.Measures == nil {
				t.Fatalf("empty proposal: %+v", a)
			}
			for _, r := range a.Participants {
				if r.Before != r.After || r.Delta != 0 || r.ForceBefore != r.ForceAfter {
					t.Fatalf("%s changed: %+v", r.Code, r)
				}
			}
			if a.Equality.Before != a.Equality.After {
				t.Fatalf("equality changed: %+v", a.Equality)
			}
			pr, err := sys.Prepare(ms)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]float64, len(sys.Codes()))
			for i := range out {
				out[i] = math.NaN() // Changes must write every state
			}
			if err := sys.Changes(pr, out); err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(out, func(v float64) bool { return v != 0 }) {
				t.Fatalf("prepared empty proposal changes %v", out)
			}
		}
	})
}

// The order of the measures does not matter.
func TestPropertyMeasureOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		sys := mustCompileR(t, s, genParams(t, s, "p", true, true))
		ms := genValidMeasures(t, s, sys, 6)
		perm := rapid.Permutation(ms).Draw(t, "order")
		want, err := sys.Assess(context.Background(), &indivisible.Proposal{Measures: ms}, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sys.Assess(context.Background(), &indivisible.Proposal{Measures: perm}, 0)
		if err != nil {
			t.Fatalf("reordered proposal failed: %v", err)
		}
		for i, w := range want.Participants {
			g := got.Participants[i]
			if math.Abs(w.After-g.After) > 1e-12 || math.Abs(w.ForceAfter-g.ForceAfter) > 1e-12 {
				t.Fatalf("%s: %+v in one order, %+v in another", w.Code, w, g)
			}
		}
	})
}

// The order of the scenario's rows (participants, holdings, memberships,
// commitments, deployments and every kind of evidence) does not matter.
func TestPropertyScenarioOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		p := genParams(t, s, "p", false, true)
		sys := mustCompileR(t, s, p)
		ms := genValidMeasures(t, s, sys, 3)
		want, err := sys.After(ms)
		if err != nil {
			t.Fatal(err)
		}
		r := *s
		r.Participants = rapid.Permutation(s.Participants).Draw(t, "participants")
		r.Holdings = rapid.Permutation(s.Holdings).Draw(t, "holdings")
		r.Memberships = rapid.Permutation(s.Memberships).Draw(t, "memberships")
		r.Commitments = rapid.Permutation(s.Commitments).Draw(t, "commitments")
		r.Deployments = rapid.Permutation(s.Deployments).Draw(t, "deployments")
		r.Capabilities = rapid.Permutation(s.Capabilities).Draw(t, "capabilities")
		r.Regimes = rapid.Permutation(s.Regimes).Draw(t, "regimes")
		r.Histories = rapid.Permutation(s.Histories).Draw(t, "histories")
		r.Disputes = rapid.Permutation(s.Disputes).Draw(t, "disputes")
		r.Contiguities = rapid.Permutation(s.Contiguities).Draw(t, "contiguities")
		sys2 := mustCompileR(t, &r, p)
		if !slices.Equal(sys.Codes(), sys2.Codes()) {
			t.Fatalf("codes %v and %v", sys.Codes(), sys2.Codes())
		}
		agree(t, "before", sys.Codes(), sys.Before(), sys2.Before(), 1e-12)
		got, err := sys2.After(ms)
		if err != nil {
			t.Fatalf("after reordering: %v", err)
		}
		agree(t, "after", sys.Codes(), want, got, 1e-12)
	})
}

// CBMs never raise anyone's risk, for either outcome, whatever their
// reductions ρ.
func TestPropertyCBMNeverRaisesRisk(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		sys := mustCompileR(t, s, genParams(t, s, "p", true, true))
		var ms []indivisible.Measure
		for k := range rapid.IntRange(1, 4).Draw(t, "cbms") {
			ms = append(ms, genCBM(t, s, fmt.Sprint("cbm", k)))
		}
		a, err := sys.Assess(context.Background(), &indivisible.Proposal{Measures: ms}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range a.Participants {
			// 1e-15 relative: rounding of the products, no more.
			if r.After < r.Before*(1-1e-15) || r.ForceAfter < r.ForceBefore*(1-1e-15) {
				t.Fatalf("%s loses from CBMs %v: %+v", r.Code, ms, r)
			}
		}
		if len(a.Losers) != 0 || len(a.Expense) != 0 {
			t.Fatalf("CBMs make losers %v (expense %v)", a.Losers, a.Expense)
		}
	})
}

// Reparam(p) gives what Compile with p gives: before, hazards and after
// any proposal, whether or not a workspace is reused.
func TestPropertyReparamEqualsCompile(t *testing.T) {
	ws := &model.Workspace{}
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		base := mustCompileR(t, s, genParams(t, s, "p1", true, true))
		p := genParams(t, s, "p2", true, true)
		want := mustCompileR(t, s, p)
		w := ws
		if rapid.Bool().Draw(t, "fresh") {
			w = nil
		}
		got, err := base.Reparam(p, w)
		if err != nil {
			t.Fatal(err)
		}
		codes := want.Codes()
		agree(t, "before", codes, got.Before(), want.Before(), 1e-12)
		agree(t, "force before", codes, got.ForceBefore(), want.ForceBefore(), 1e-12)
		n := len(codes)
		for j := range n {
			for i := range n {
				for _, o := range []string{model.OutcomeMID, model.OutcomeForce} {
					if math.Abs(got.Hazard(o, j, i)-want.Hazard(o, j, i)) > 1e-12 {
						t.Fatalf("hazard %s %s→%s: %v against %v", o, codes[j], codes[i], got.Hazard(o, j, i), want.Hazard(o, j, i))
					}
				}
			}
		}
		ms := genValidMeasures(t, s, want, 4)
		wa, err := want.Assess(context.Background(), &indivisible.Proposal{Measures: ms}, 0)
		if err != nil {
			t.Fatal(err)
		}
		ga, err := got.Assess(context.Background(), &indivisible.Proposal{Measures: ms}, 0)
		if err != nil {
			t.Fatalf("reparam fails where compile does not: %v", err)
		}
		for i, r := range wa.Participants {
			g := ga.Participants[i]
			if math.Abs(r.After-g.After) > 1e-12 || math.Abs(r.ForceAfter-g.ForceAfter) > 1e-12 {
				t.Fatalf("%s: compile %+v, reparam %+v", r.Code, r, g)
			}
		}
		if got.Coefficients() != want.Coefficients() && p.Coefficients != nil {
			t.Fatalf("reparam uses coefficients %p, want %p", got.Coefficients(), p.Coefficients)
		}
	})
}

// The prepared path (Prepare once, Changes under many parameters, as the
// Monte Carlo does) gives After - Before of the re-parameterised system.
func TestPropertyPreparedChanges(t *testing.T) {
	ws := &model.Workspace{}
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		sys := mustCompileR(t, s, genParams(t, s, "p1", true, true))
		ms := genValidMeasures(t, s, sys, 5)
		pr, err := sys.Prepare(ms)
		if err != nil {
			t.Fatal(err)
		}
		for d := range rapid.IntRange(1, 3).Draw(t, "draws") {
			// Drawn coefficients and priors; the component weights only
			// sometimes, as they take the slow path.
			draw := mustReparam(t, sys, genParams(t, s, fmt.Sprint("draw", d), false, d == 0), ws)
			want, err := draw.After(ms)
			if err != nil {
				t.Fatalf("after under the draw: %v", err)
			}
			for i := range want {
				want[i] -= draw.Before()[i]
			}
			got := make([]float64, len(want))
			if err := draw.Changes(pr, got); err != nil {
				t.Fatal(err)
			}
			agree(t, "changes", draw.Codes(), got, want, 1e-12)
		}
	})
}

func mustReparam(t *rapid.T, sys *model.System, p model.Params, ws *model.Workspace) *model.System {
	r, err := sys.Reparam(p, ws)
	if err != nil {
		t.Fatalf("reparam: %v", err)
	}
	return r
}

// The key independent check of the incremental assessment: the security
// after measures that a scenario can express (transfers, deployments,
// withdrawals, joins, leaves; CBMs as expert dyads) equals the baseline of
// the changed scenario compiled afresh. Holdings changes keep the
// baseline totals fixed and so have no such scenario, except in pairs that
// cancel out (a transfer). For a state with a capability record the
// changed scenario's record is edited as docs/model.md, section 4, has
// it: CINC' = CINC + s (M' - M) and m' = m + s (M' - M), s = m/M, so that
// s is unchanged.
func TestPropertyIncrementalEqualsFresh(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		p := genParams(t, s, "p", false, false)
		sys := mustCompileR(t, s, p)
		e := newEditor(s)
		var ms []indivisible.Measure
		pairs := map[[2]string]float64{} // CBM odds factors
		for k := range rapid.IntRange(1, 4).Draw(t, "measures") {
			label := fmt.Sprint("m", k)
			var m indivisible.Measure
			for {
				m = genMeasure(t, s, label)
				if m.Type != "holdings" && m.Type != "exercise" {
					break
				}
				label += "'"
			}
			if _, err := sys.After(append(slices.Clone(ms), m)); err != nil {
				continue
			}
			if !e.apply(m) {
				continue
			}
			ms = append(ms, m)
			if m.Type == "cbm" {
				for x, a := range m.Actors {
					for _, b := range m.Actors[x+1:] {
						k := [2]string{min(a, b), max(a, b)}
						if _, ok := pairs[k]; !ok {
							pairs[k] = 1
						}
						pairs[k] *= 1 - p.CBM[m.Kind]
					}
				}
			}
		}
		if len(ms) == 0 {
			t.Skip("no measure applies")
		}
		fresh := e.scenario()
		pf := p
		for k, f := range pairs {
			pf.Dyads = append(pf.Dyads, model.Dyad{A: k[0], B: k[1], Factor: f})
		}
		want := mustCompileR(t, fresh, pf)
		a, err := sys.Assess(context.Background(), &indivisible.Proposal{Measures: ms}, 0)
		if err != nil {
			t.Fatal(err)
		}
		codes := sys.Codes()
		var after, force []float64
		for _, r := range a.Participants {
			after, force = append(after, r.After), append(force, r.ForceAfter)
		}
		agree(t, "after against the changed scenario", codes, after, want.Before(), 1e-12)
		agree(t, "force after against the changed scenario", codes, force, want.ForceBefore(), 1e-12)
		pr, err := sys.Prepare(ms)
		if err != nil {
			t.Fatal(err)
		}
		ch := make([]float64, len(codes))
		if err := sys.Changes(pr, ch); err != nil {
			t.Fatal(err)
		}
		for i := range ch {
			ch[i] += sys.Before()[i]
		}
		agree(t, "prepared against the changed scenario", codes, ch, want.Before(), 1e-12)
	})
}

// editor applies measures to a copy of a scenario.
type editor struct {
	s     *indivisible.Scenario
	total map[string]float64 // baseline totals by component
	w     map[string]float64
}

func newEditor(s *indivisible.Scenario) *editor {
	c := *s
	c.Holdings = slices.Clone(s.Holdings)
	c.Deployments = slices.Clone(s.Deployments)
	c.Memberships = slices.Clone(s.Memberships)
	c.Capabilities = slices.Clone(s.Capabilities)
	e := &editor{s: &c, total: map[string]float64{}, w: map[string]float64{}}
	for _, h := range s.Holdings {
		e.total[h.Component] += h.Quantity
	}
	for _, comp := range s.Components {
		e.w[comp.Name] = comp.Weight
	}
	return e
}

func (e *editor) scenario() *indivisible.Scenario { return e.s }

// index is a state's holdings index: the weighted mean over the
// components it reports of its share of the baseline total.
func (e *editor) index(state string) (m, den float64) {
	for _, h := range e.s.Holdings {
		if h.State == state && !h.Missing && e.total[h.Component] != 0 {
			m += e.w[h.Component] * h.Quantity / e.total[h.Component]
			den += e.w[h.Component]
		}
	}
	if den == 0 {
		return 0, 0
	}
	return m / den, den
}

// apply edits the scenario as m does, or reports false for a measure the
// test does not express (the caller then leaves it out).
func (e *editor) apply(m indivisible.Measure) bool {
	s := e.s
	switch m.Type {
	case "transfer":
		// Edit the capability records first, from the holdings index
		// before the transfer.
		type rec struct {
			k     int
			delta float64
		}
		var recs []rec
		for _, side := range []struct {
			state string
			q     float64
		}{{m.From, -m.Quantity}, {m.To, m.Quantity}} {
			k := slices.IndexFunc(s.Capabilities, func(c indivisible.Capability) bool { return c.State == side.state })
			if k < 0 {
				continue
			}
			idx, den := e.index(side.state)
			if idx == 0 || den == 0 || e.total[m.Category] == 0 {
				return false // the system's ratio: no scenario gives it
			}
			c := s.Capabilities[k]
			dm := e.w[m.Category] * side.q / e.total[m.Category] / den
			ds := c.Military / idx * dm
			if c.CINC+ds > 1 || c.CINC+ds < 0 || c.Military+ds < 0 {
				return false
			}
			recs = append(recs, rec{k, ds})
		}
		for _, r := range recs {
			s.Capabilities[r.k].CINC += r.delta
			s.Capabilities[r.k].Military += r.delta
		}
		for k := range s.Holdings {
			h := &s.Holdings[k]
			if h.Component == m.Category && h.State == m.From {
				h.Quantity -= m.Quantity
			}
			if h.Component == m.Category && h.State == m.To {
				h.Quantity += m.Quantity
			}
		}
	case "deploy", "withdraw":
		q := m.Quantity
		if m.Type == "withdraw" {
			q = -q
		}
		k := slices.IndexFunc(s.Deployments, func(d indivisible.Deployment) bool {
			return d.State == m.Actor && d.Host == m.Host && d.Component == m.Category
		})
		if k < 0 {
			s.Deployments = append(s.Deployments, indivisible.Deployment{State: m.Actor, Host: m.Host, Component: m.Category, Quantity: q})
		} else {
			s.Deployments[k].Quantity += q
		}
		s.Deployments = slices.DeleteFunc(s.Deployments, func(d indivisible.Deployment) bool { return math.Abs(d.Quantity) < 1e-9 })
	case "join":
		s.Memberships = append(s.Memberships, indivisible.Membership{State: m.Actor, Organisation: m.Organisation, Role: indivisible.Member})
	case "leave":
		s.Memberships = slices.DeleteFunc(s.Memberships, func(x indivisible.Membership) bool {
			return x.State == m.Actor && x.Organisation == m.Organisation && x.Role == indivisible.Member
		})
	case "cbm":
		// Expressed as expert dyads by the caller.
	default:
		return false
	}
	return true
}

// Implied by the data (docs/model.md, section 7): with the shipped
// coefficients, a state that adds to its holdings lowers its own security
// (ln_cap_to > 0), and a state with no forces abroad raises every other
// state's risk from it (ln_cap_from > 0).
func TestPropertyBuildUp(t *testing.T) {
	c := model.DefaultCoefficients()
	for _, f := range []string{"ln_cap_to", "ln_cap_from"} {
		if k := slices.Index(model.Features, f); k < 0 || !(c.MID.Coef[k] > 0) || !(c.Force.Coef[k] > 0) {
			t.Fatalf("the shipped coefficient of %s is not positive for both outcomes: the property does not follow", f)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		sys := mustCompileR(t, s, model.DefaultParams())
		actor := rapid.SampledFrom(sys.Codes()).Draw(t, "actor")
		m := indivisible.Measure{Type: "holdings", Actor: actor, Category: rapid.SampledFrom(indivisible.Categories).Draw(t, "cat"),
			Change: rapid.Float64Range(1, 1e5).Draw(t, "q")}
		after := byCode(sys, mustAfterR(t, sys, m))
		before := byCode(sys, sys.Before())
		abroad := slices.ContainsFunc(s.Deployments, func(d indivisible.Deployment) bool { return d.State == actor })
		// The capability grows by ΔC = s ΔM (by ΔM without a record): the
		// security must fall when that is more than rounding.
		e := newEditor(s)
		idx, den := e.index(actor)
		dm := e.w[m.Category] * m.Change / e.total[m.Category] / den
		dc, c := dm, idx
		if rec := slices.IndexFunc(s.Capabilities, func(c indivisible.Capability) bool { return c.State == actor }); rec >= 0 {
			dc, c = 0, s.Capabilities[rec].CINC // the system's ratio when idx = 0: not checked
			if idx > 0 {
				dc = s.Capabilities[rec].Military / idx * dm
			}
		}
		grows := dc/(c+1e-6) > 1e-6
		for code := range before {
			switch d := after[code] - before[code]; {
			case code == actor && (d > 0 || grows && d >= 0):
				t.Fatalf("%s's security changes by %v with its own build-up", code, d)
			case code != actor && !abroad && d > 0:
				t.Fatalf("%s gains %v from %s's build-up", code, d, actor)
			}
		}
	})
}

func mustAfterR(t *rapid.T, sys *model.System, ms ...indivisible.Measure) []float64 {
	a, err := sys.After(ms)
	if err != nil {
		t.Fatalf("after: %v", err)
	}
	return a
}

// TestBuildUpEurasia: on the Eurasia scenario every state that adds
// personnel lowers its own security, but for the states whose capability
// record has no military part, whose security does not move.
func TestBuildUpEurasia(t *testing.T) {
	sys := eurasiaSystem(t)
	s := eurasia(t)
	mil := map[string]float64{}
	for _, c := range s.Capabilities {
		mil[c.State] = c.Military
	}
	for i, code := range sys.Codes() {
		q, ok := sys.Holding(code, indivisible.Personnel)
		if !ok {
			continue
		}
		after := mustAfter(t, sys, indivisible.Measure{Type: "holdings", Actor: code, Category: indivisible.Personnel, Change: q/10 + 1000})
		before := sys.Before()[i]
		m, has := mil[code]
		switch {
		case has && m == 0 && q > 0:
			if after[i] != before {
				t.Errorf("%s (no military part): security %v → %v", code, before, after[i])
			}
		case !(after[i] < before):
			t.Errorf("%s arms and its security goes %v → %v", code, before, after[i])
		}
		if after[i] > 1 {
			t.Errorf("%s: security %v above 1", code, after[i])
		}
	}
}

// TestBuildUpWithForcesAbroad checks the exception section 7 documents
// to "a build-up raises every other state's risk from it": a state with
// forces abroad that arms at home dilutes the share of its capability
// stationed in its hosts, and the mixture of deployment terms lowers its
// hazard towards them. When the United States doubles its personnel, some
// states gain, and every one that gains hosts US forces.
func TestBuildUpWithForcesAbroad(t *testing.T) {
	sys := eurasiaSystem(t)
	s, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[string]bool{}
	for _, d := range s.Deployments {
		if d.State == "USA" {
			hosts[d.Host] = true
		}
	}
	q, _ := sys.Holding("USA", indivisible.Personnel)
	after := mustAfter(t, sys, indivisible.Measure{Type: "holdings", Actor: "USA", Category: indivisible.Personnel, Change: q})
	gained := 0
	for i, code := range sys.Codes() {
		if code != "USA" && after[i] > sys.Before()[i] {
			gained++
			if !hosts[code] {
				t.Errorf("%s gains %.3g from the US build-up but hosts no US forces", code, after[i]-sys.Before()[i])
			}
		}
	}
	if gained == 0 {
		t.Error("no host gains: the dilution of forces abroad has no effect")
	}
}

// For any accepted proposal, every number of the assessment is finite and
// encodes as JSON, however extreme the quantities drawn: near the bound,
// beyond it, subnormal or summing past it. (encoding/json refuses NaN and
// infinity, an independent check of CheckFinite.)
func TestPropertyAssessmentFinite(t *testing.T) {
	extreme := rapid.SampledFrom([]float64{1e308, -1e308, math.MaxFloat64, indivisible.MaxQuantity, -indivisible.MaxQuantity,
		indivisible.MaxQuantity / 2, indivisible.MaxQuantity + 1, 5e-324, 1e-300, 0, 1})
	rapid.Check(t, func(t *rapid.T) {
		s := genScenario(t)
		sys := mustCompileR(t, s, genParams(t, s, "p", true, true))
		var ms []indivisible.Measure
		for i := range rapid.IntRange(1, 4).Draw(t, "measures") {
			m := genMeasure(t, s, fmt.Sprint("m", i))
			x := extreme.Draw(t, fmt.Sprint("x", i))
			switch {
			case m.Type == indivisible.MeasureHoldings:
				m.Change = x
			case m.Quantity != 0:
				m.Quantity = x
			case m.Type == indivisible.MeasureExercise:
				m.Personnel = x
			}
			ms = append(ms, m)
		}
		a, err := sys.Assess(context.Background(), &indivisible.Proposal{Measures: ms}, 0)
		if err != nil {
			if indivisible.ErrorCode(err) != indivisible.EINVALID || !strings.HasPrefix(indivisible.ErrorField(err), "measures[") {
				t.Fatalf("refused with %v, not as invalid input naming a measure", err)
			}
			return
		}
		if err := a.CheckFinite(); err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(a); err != nil {
			t.Fatalf("the assessment does not encode: %v", err)
		}
	})
}
