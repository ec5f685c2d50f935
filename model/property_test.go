package model_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"pgregory.net/rapid"
)

// genSystem draws a synthetic scenario and a parameter variant.
func genSystem(t *rapid.T) (*indivisible.Scenario, model.Params) {
	n := rapid.IntRange(3, 30).Draw(t, "n")
	seed := rapid.Uint64().Draw(t, "seed")
	p := model.DefaultParams()
	p.Gradient = rapid.SampledFrom([]string{model.GradientExponential, model.GradientBdM}).Draw(t, "gradient")
	p.Alignment = rapid.SampledFrom([]string{model.AlignmentDirect, model.AlignmentSScore}).Draw(t, "alignment")
	p.LambdaKm = rapid.Float64Range(200, 10000).Draw(t, "lambda")
	return scenario.Synthetic(n, seed), p
}

// genMeasure draws a valid-looking measure over the scenario's states; some
// draws are invalid (e.g. over-withdrawal), which tests then skip.
func genMeasure(t *rapid.T, s *indivisible.Scenario, label string) indivisible.Measure {
	var states, orgs []string
	for _, p := range s.Participants {
		if p.Kind == indivisible.State {
			states = append(states, p.Code)
		} else {
			orgs = append(orgs, p.Code)
		}
	}
	st := rapid.SampledFrom(states)
	cat := rapid.SampledFrom(indivisible.Categories)
	q := rapid.Float64Range(1, 500)
	two := func() []string {
		a := st.Draw(t, label+".a")
		b := st.Filter(func(x string) bool { return x != a }).Draw(t, label+".b")
		return []string{a, b}
	}
	switch rapid.IntRange(0, 6).Draw(t, label+".kind") {
	case 0:
		return indivisible.Measure{Type: "holdings", Actor: st.Draw(t, label+".actor"), Category: cat.Draw(t, label+".cat"), Change: q.Draw(t, label+".q")}
	case 1:
		ab := two()
		return indivisible.Measure{Type: "deploy", Actor: ab[0], Host: ab[1], Category: indivisible.Personnel, Quantity: q.Draw(t, label+".q")}
	case 2:
		ab := two()
		return indivisible.Measure{Type: "transfer", From: ab[0], To: ab[1], Category: cat.Draw(t, label+".cat"), Quantity: q.Draw(t, label+".q")}
	case 3:
		return indivisible.Measure{Type: rapid.SampledFrom([]string{"join", "leave"}).Draw(t, label+".jl"), Actor: st.Draw(t, label+".actor"), Organisation: rapid.SampledFrom(orgs).Draw(t, label+".org")}
	case 4:
		return indivisible.Measure{Type: "exercise", Actors: []string{st.Draw(t, label+".actor")}, Host: st.Draw(t, label+".host"), Personnel: 1000 * q.Draw(t, label+".q"),
			Notified: rapid.Bool().Draw(t, label+".notified"), Observers: rapid.Bool().Draw(t, label+".observers")}
	case 5:
		return indivisible.Measure{Type: "cbm", Actors: two(), Kind: rapid.SampledFrom([]string{"hotline", "observers", "inspection"}).Draw(t, label+".cbmkind")}
	}
	return indivisible.Measure{Type: "holdings", Actor: st.Draw(t, label+".actor"), Category: cat.Draw(t, label+".cat"), Change: -q.Draw(t, label+".q")}
}

func securityByCode(sys *model.System, after []float64) map[string]float64 {
	m := map[string]float64{}
	for i, c := range sys.Codes() {
		m[c] = after[i]
	}
	return m
}

func mustCompile(t *rapid.T, s *indivisible.Scenario, p model.Params) *model.System {
	sys, err := model.Compile(s, p)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return sys
}

// Every index stays in (0, 1).
func TestPropertyRange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s, p := genSystem(t)
		sys := mustCompile(t, s, p)
		ms := []indivisible.Measure{genMeasure(t, s, "m0"), genMeasure(t, s, "m1")}
		after, err := sys.After(ms)
		if err != nil {
			t.Skip("invalid draw")
		}
		for i, v := range append(slices.Clone(sys.Before()), after...) {
			if !(v > 0 && v < 1) {
				t.Fatalf("index %d = %v outside (0,1)", i, v)
			}
		}
	})
}

// The order of participants (and every other scenario row) and of measures
// does not change results.
func TestPropertyOrderInvariance(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s, p := genSystem(t)
		ms := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) indivisible.Measure { return genMeasure(t, s, "m") }), 1, 5).Draw(t, "measures")
		sys := mustCompile(t, s, p)
		want, err := sys.After(ms)
		if err != nil {
			t.Skip("invalid draw")
		}
		shuffled := *s
		shuffled.Participants = rapid.Permutation(s.Participants).Draw(t, "participants")
		shuffled.Holdings = rapid.Permutation(s.Holdings).Draw(t, "holdings")
		shuffled.Memberships = rapid.Permutation(s.Memberships).Draw(t, "memberships")
		shuffled.Commitments = rapid.Permutation(s.Commitments).Draw(t, "commitments")
		shuffled.Deployments = rapid.Permutation(s.Deployments).Draw(t, "deployments")
		sys2 := mustCompile(t, &shuffled, p)
		got, err := sys2.After(rapid.Permutation(ms).Draw(t, "order"))
		if err != nil {
			t.Fatalf("reordered proposal failed: %v", err)
		}
		w, g := securityByCode(sys, want), securityByCode(sys2, got)
		for c := range w {
			if math.Abs(w[c]-g[c]) > 1e-12 {
				t.Fatalf("%s: %v vs %v after reordering", c, w[c], g[c])
			}
		}
	})
}

// An empty proposal changes nothing, exactly.
func TestPropertyEmpty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s, p := genSystem(t)
		sys := mustCompile(t, s, p)
		after, err := sys.After(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(after, sys.Before()) {
			t.Fatalf("empty proposal changed %v to %v", sys.Before(), after)
		}
	})
}

// commitment reports whether any treaty binds a and b.
func commitment(s *indivisible.Scenario, a, b string) bool {
	member := map[[2]string]bool{}
	for _, m := range s.Memberships {
		if m.Role == indivisible.Member {
			member[[2]string{m.Organisation, m.State}] = true
		}
	}
	for _, c := range s.Commitments {
		if c.B == "" && member[[2]string{c.A, a}] && member[[2]string{c.A, b}] || c.A == a && c.B == b || c.A == b && c.B == a {
			return true
		}
	}
	return false
}

// A state adding to its holdings never lowers its own security, and never
// raises the security of a state with which it has no commitment.
func TestPropertyBuildUp(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s, p := genSystem(t)
		sys := mustCompile(t, s, p)
		actor := rapid.SampledFrom(sys.Codes()).Draw(t, "actor")
		m := indivisible.Measure{Type: "holdings", Actor: actor, Category: rapid.SampledFrom(indivisible.Categories).Draw(t, "cat"), Change: rapid.Float64Range(1, 1e5).Draw(t, "q")}
		after, err := sys.After([]indivisible.Measure{m})
		if err != nil {
			t.Skip("invalid draw (BdM share above 1)")
		}
		for i, c := range sys.Codes() {
			d := after[i] - sys.Before()[i]
			switch {
			case c == actor && d < -1e-15:
				t.Fatalf("%s lost %v by its own build-up", c, d)
			case c != actor && !commitment(s, c, actor) && d > 1e-15:
				t.Fatalf("%s gained %v from the build-up of %s, with which it has no commitment", c, d, actor)
			}
		}
	})
}

// The effect of a change falls with distance: the same deployment, or the
// same exercise, affects a given state less the farther from it it is.
func TestPropertyDistance(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := 6
		lons := rapid.SliceOfNDistinct(rapid.IntRange(1, 170), n-1, n-1, func(x int) int { return x }).Draw(t, "lons")
		s := &indivisible.Scenario{Name: "line", Components: []indivisible.Component{{Name: "personnel", Weight: 1}}}
		// The affected state sits at longitude 0 on the equator; the others
		// along it, so their distances from it are ordered by longitude.
		s.Participants = append(s.Participants, indivisible.Participant{Code: "T00", Name: "target", Kind: indivisible.State})
		s.Holdings = append(s.Holdings, indivisible.Holding{State: "T00", Component: "personnel", Quantity: 1000})
		for k, lon := range lons {
			code := fmt.Sprintf("H%02d", k)
			s.Participants = append(s.Participants, indivisible.Participant{Code: code, Name: code, Kind: indivisible.State, Lon: float64(lon)})
			s.Holdings = append(s.Holdings, indivisible.Holding{State: code, Component: "personnel", Quantity: rapid.Float64Range(100, 5000).Draw(t, "q"+code)})
		}
		p := model.DefaultParams()
		p.Gradient = rapid.SampledFrom([]string{model.GradientExponential, model.GradientBdM}).Draw(t, "gradient")
		sys := mustCompile(t, s, p)
		mover := rapid.IntRange(0, n-2).Draw(t, "mover")
		moverCode := fmt.Sprintf("H%02d", mover)
		qty := rapid.Float64Range(1, 100).Draw(t, "qty")
		// The target's security after the measure: forces based farther from
		// it threaten it less, so this must not fall as the host moves away.
		after := func(m indivisible.Measure) float64 {
			a, err := sys.After([]indivisible.Measure{m})
			if err != nil {
				t.Fatal(err)
			}
			return securityByCode(sys, a)["T00"]
		}
		type hostEffect struct{ lon, deploy, exercise float64 }
		var hs []hostEffect
		for k, lon := range lons {
			if k == mover {
				continue
			}
			host := fmt.Sprintf("H%02d", k)
			hs = append(hs, hostEffect{float64(lon),
				after(indivisible.Measure{Type: "deploy", Actor: moverCode, Host: host, Category: "personnel", Quantity: qty}),
				after(indivisible.Measure{Type: "exercise", Actors: []string{moverCode}, Host: host, Personnel: qty})})
		}
		slices.SortFunc(hs, func(a, b hostEffect) int { return int(a.lon - b.lon) })
		for k := 1; k < len(hs); k++ {
			if hs[k].exercise < hs[k-1].exercise-1e-15 {
				t.Fatalf("exercise at %v° leaves the target less secure (%v) than at %v° (%v)", hs[k].lon, hs[k].exercise, hs[k-1].lon, hs[k-1].exercise)
			}
			if hs[k].deploy < hs[k-1].deploy-1e-15 {
				t.Fatalf("deployment at %v° leaves the target less secure (%v) than at %v° (%v)", hs[k].lon, hs[k].deploy, hs[k-1].lon, hs[k-1].deploy)
			}
		}
	})
}
