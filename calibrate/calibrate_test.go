package calibrate_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/calibrate"
	"github.com/indivisible-eurasia/indivisible/history"
	"github.com/indivisible-eurasia/indivisible/ir"
	"github.com/indivisible-eurasia/indivisible/ir/irtest"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/score"
)

func TestParseWindow(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want calibrate.Window
		ok   bool
	}{
		{"1816-2000", calibrate.Window{From: 1816, To: 2000}, true},
		{"2001", calibrate.Window{From: 2001, To: 2001}, true},
		{" 1990 - 2000 ", calibrate.Window{From: 1990, To: 2000}, true},
		{"1000-9999", calibrate.Window{From: 1000, To: 9999}, true},
		{"2000-1990", calibrate.Window{}, false},
		{"", calibrate.Window{}, false},
		{"abc", calibrate.Window{}, false},
		{"1990-", calibrate.Window{}, false},
		{"-2000", calibrate.Window{}, false},
		{"999-2000", calibrate.Window{}, false},
		{"1990-10000", calibrate.Window{}, false},
		{"1990-2000-2010", calibrate.Window{}, false},
		{"1990.5-2000", calibrate.Window{}, false},
	} {
		got, err := calibrate.ParseWindow("-train", tc.in)
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("ParseWindow(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			continue
		}
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != "-train" {
			t.Errorf("ParseWindow(%q) = %v, %v; want invalid at -train", tc.in, got, err)
		}
	}
	w := calibrate.Window{From: 1990, To: 2000}
	if w.String() != "1990-2000" || !w.Contains(1990) || !w.Contains(2000) || w.Contains(1989) || w.Contains(2001) {
		t.Errorf("Window %v: String %q, Contains wrong at the ends", w, w.String())
	}
}

// synthetic returns a made-up history.Set: rows of years from..to, with
// a constant and standard normal values in every other column, and
// outcomes drawn from logistic models with the coefficients mid and force
// over model.Features (Force independent of MID, so that each fit has its
// own truth). Pairs of states and the previous index's inputs are random
// but consistent.
func synthetic(seed uint64, from, to, perYear int, mid, force []float64) *history.Set {
	r := rand.New(rand.NewPCG(seed, 1))
	k := len(model.Columns)
	s := &history.Set{K: k}
	for y := from; y <= to; y++ {
		for range perYear {
			row := make([]float64, k)
			row[0] = 1
			for c := 1; c < k; c++ {
				row[c] = r.NormFloat64()
			}
			draw := func(beta []float64) bool {
				eta := 0.0
				for c, b := range beta {
					eta += b * row[c]
				}
				return r.Float64() < 1/(1+math.Exp(-eta))
			}
			a, b := int16(2+r.IntN(40)), int16(2+r.IntN(40))
			if a == b {
				b = a + 1
			}
			s.X = append(s.X, row...)
			s.Year = append(s.Year, int16(y))
			s.From, s.To = append(s.From, a), append(s.To, b)
			s.Dyad = append(s.Dyad, int32(min(a, b))*1000+int32(max(a, b)))
			s.MID = append(s.MID, draw(mid))
			s.Force = append(s.Force, draw(force))
			s.Relevant = append(s.Relevant, r.IntN(3) == 0)
			s.Threat = append(s.Threat, math.Exp(row[1]))
			s.Support = append(s.Support, r.Float64())
			s.Own = append(s.Own, math.Exp(row[2]))
		}
	}
	return s
}

// truth are the coefficients the synthetic outcomes are drawn from.
func truth(scale float64) []float64 {
	b := make([]float64, len(model.Features))
	b[0] = -2.5
	for k := 1; k < len(b); k++ {
		b[k] = scale * float64((k%5)-2) / 4 // -0.5 .. 0.5
	}
	return b
}

// TestFitRecoversTruth: on data drawn from known coefficients, the fit
// lies within four standard errors of them, for both outcomes, and the
// rows outside the window (all events, which would bias it) are left out.
func TestFitRecoversTruth(t *testing.T) {
	mid, force := truth(1), truth(-0.8)
	s := synthetic(7, 2000, 2009, 6000, mid, force)
	// Poison: two years outside the window, every row an event.
	out := synthetic(8, 2010, 2011, 2000, mid, force)
	for r := range out.MID {
		out.MID[r], out.Force[r] = true, true
	}
	s = concat(s, out)
	files := map[string]string{"x.csv": "abc"}
	c, err := calibrate.Fit(s, calibrate.Window{From: 2000, To: 2009}, files)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(model.Features, c.Features); diff != "" {
		t.Errorf("features (-want +got):\n%s", diff)
	}
	if c.Train.From != 2000 || c.Train.To != 2009 || c.Data["x.csv"] != "abc" {
		t.Errorf("window %+v, data %v", c.Train, c.Data)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("the fit is not valid coefficients: %v", err)
	}
	for _, o := range []struct {
		e     *model.Estimate
		y     []bool
		truth []float64
	}{{&c.MID, s.MID, mid}, {&c.Force, s.Force, force}} {
		e := o.e
		events := 0
		ll := 0.0
		for r := range 60000 {
			if o.y[r] {
				events++
			}
			eta := 0.0
			for k, b := range e.Coef {
				eta += b * s.Row(r)[k]
			}
			if o.y[r] {
				ll -= math.Log1p(math.Exp(-eta))
			} else {
				ll -= math.Log1p(math.Exp(eta))
			}
		}
		if e.N != 60000 || e.Events != events || e.Ridge != calibrate.Ridge {
			t.Errorf("%s: N %d events %d ridge %v, want 60000, %d, %v", e.Outcome, e.N, e.Events, e.Ridge, events, calibrate.Ridge)
		}
		// The log-likelihoods: at the estimate, computed here, and of the
		// constant-only model, N (r ln r + (1-r) ln(1-r)).
		rate := float64(events) / 60000
		if math.Abs(e.LogLik-ll) > 1e-6*math.Abs(ll) {
			t.Errorf("%s: loglik %v, recomputed %v", e.Outcome, e.LogLik, ll)
		}
		if ll0 := 60000 * (rate*math.Log(rate) + (1-rate)*math.Log(1-rate)); math.Abs(e.LogLik0-ll0) > 1e-6*math.Abs(ll0) {
			t.Errorf("%s: loglik0 %v, want %v", e.Outcome, e.LogLik0, ll0)
		}
		for k, f := range model.Features {
			if !(e.SE[k] > 0) || math.Abs(e.SE[k]-math.Sqrt(e.Cov[k][k])) > 1e-12 {
				t.Errorf("%s %s: SE %v, cov %v", e.Outcome, f, e.SE[k], e.Cov[k][k])
			}
			if z := (e.Coef[k] - o.truth[k]) / e.SE[k]; math.Abs(z) > 4 {
				t.Errorf("%s %s: estimate %.4f, truth %.4f, %.1f SEs off", e.Outcome, f, e.Coef[k], o.truth[k], z)
			}
		}
	}
	if _, err := calibrate.Fit(s, calibrate.Window{From: 1900, To: 1910}, nil); indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != "-train" {
		t.Errorf("Fit on a window without rows = %v, want invalid at -train", err)
	}
}

func concat(a, b *history.Set) *history.Set {
	return &history.Set{K: a.K, X: append(a.X, b.X...), Year: append(a.Year, b.Year...), From: append(a.From, b.From...), To: append(a.To, b.To...),
		Dyad: append(a.Dyad, b.Dyad...), MID: append(a.MID, b.MID...), Force: append(a.Force, b.Force...), Relevant: append(a.Relevant, b.Relevant...),
		Threat: append(a.Threat, b.Threat...), Support: append(a.Support, b.Support...), Own: append(a.Own, b.Own...)}
}

// checkReport checks a report's structure against the set it scored.
func checkReport(t *testing.T, s *history.Set, r *calibrate.Report, train, test calibrate.Window, boot int, force bool) {
	t.Helper()
	if r.Train != train || r.Test != test || r.Boot != boot || r.Coefficients == nil || r.Coefficients.Train.From != train.From {
		t.Errorf("report header: train %v test %v boot %d", r.Train, r.Test, r.Boot)
	}
	// Expected sizes, counted here.
	type key struct{ year, to int16 }
	all, rel, evAll, evRel := 0, 0, 0, 0
	targets := map[key]bool{}
	for q := range s.Len() {
		if !test.Contains(int(s.Year[q])) {
			continue
		}
		y := s.MID[q]
		if force {
			y = s.Force[q]
		}
		all++
		if y {
			evAll++
		}
		if s.Relevant[q] {
			rel++
			if y {
				evRel++
			}
		}
		k := key{s.Year[q], s.To[q]}
		targets[k] = targets[k] || y
	}
	targeted := 0
	for _, v := range targets {
		if v {
			targeted++
		}
	}
	names := []string{calibrate.ModelName, calibrate.BaseA, calibrate.BaseB, calibrate.BaseC}
	for _, u := range []struct {
		got          calibrate.Universe
		name         string
		rows, events int
	}{
		{r.Universes[0], "all", all, evAll},
		{r.Universes[1], "relevant", rel, evRel},
		{r.Monadic, "monadic", len(targets), targeted},
	} {
		g := u.got
		if g.Name != u.name || g.Rows != u.rows || g.Events != u.events {
			t.Errorf("universe %q: %d rows, %d events; want %q, %d, %d", g.Name, g.Rows, g.Events, u.name, u.rows, u.events)
		}
		var got []string
		for _, m := range g.Models {
			got = append(got, m.Name)
			if !(m.AUC > 0 && m.AUC < 1) || !(m.AUCCI.Lo <= m.AUCCI.Hi) || !(m.Brier >= 0 && m.Brier <= 1) || !(m.LogLoss > 0) || !(m.PRAUC > 0 && m.PRAUC <= 1) {
				t.Errorf("%s/%s: AUC %v [%v, %v], Brier %v, log-loss %v, PR-AUC %v", g.Name, m.Name, m.AUC, m.AUCCI.Lo, m.AUCCI.Hi, m.Brier, m.LogLoss, m.PRAUC)
			}
			n, ev := 0, 0
			for _, b := range m.Reliability {
				n += b.N
				ev += b.Events
			}
			if n != g.Rows || ev != g.Events {
				t.Errorf("%s/%s: reliability bins hold %d rows and %d events, want %d and %d", g.Name, m.Name, n, ev, g.Rows, g.Events)
			}
			if len(m.ROC) < 2 || m.ROC[0] != (score.Point{X: 0, Y: 0}) || m.ROC[len(m.ROC)-1] != (score.Point{X: 1, Y: 1}) {
				t.Errorf("%s/%s: ROC from %v to %v, want (0,0) to (1,1)", g.Name, m.Name, m.ROC[0], m.ROC[len(m.ROC)-1])
			}
		}
		if diff := cmp.Diff(names, got); diff != "" {
			t.Errorf("%s: models (-want +got):\n%s", g.Name, diff)
		}
	}
	if len(r.Goals) == 0 {
		t.Error("no goals")
	}
	for _, g := range r.Goals {
		if g.Goal == "" || g.Value == "" {
			t.Errorf("goal %+v", g)
		}
	}
}

func TestValidateSynthetic(t *testing.T) {
	s := synthetic(3, 1990, 2009, 400, truth(1), truth(0.5))
	train, test := calibrate.Window{From: 1990, To: 2002}, calibrate.Window{From: 2003, To: 2009}
	for _, outcome := range []string{model.OutcomeMID, model.OutcomeForce} {
		t.Run(outcome, func(t *testing.T) {
			r, err := calibrate.Validate(context.Background(), s, train, test, nil, calibrate.Options{Outcome: outcome, Boot: 10, Seed: 1, Bins: 5})
			if err != nil {
				t.Fatal(err)
			}
			if r.Outcome != outcome {
				t.Errorf("outcome %q", r.Outcome)
			}
			checkReport(t, s, r, train, test, 10, outcome == model.OutcomeForce)
			for _, m := range r.Universes[0].Models {
				if len(m.Reliability) != 5 {
					t.Errorf("%s: %d reliability bins, want 5", m.Name, len(m.Reliability))
				}
			}
		})
	}
	// Defaults: 200 replicates, ten bins.
	r, err := calibrate.Validate(context.Background(), s, train, test, nil, calibrate.Options{Outcome: model.OutcomeMID})
	if err != nil {
		t.Fatal(err)
	}
	if r.Boot != 200 || len(r.Universes[0].Models[0].Reliability) != 10 {
		t.Errorf("defaults: %d replicates, %d bins", r.Boot, len(r.Universes[0].Models[0].Reliability))
	}
	for _, tc := range []struct {
		name        string
		train, test calibrate.Window
		outcome     string
		field       string
	}{
		{"overlapping windows", train, calibrate.Window{From: 2002, To: 2009}, model.OutcomeMID, "-test"},
		{"test before train", calibrate.Window{From: 2003, To: 2009}, calibrate.Window{From: 1990, To: 2002}, model.OutcomeMID, "-test"},
		{"unknown outcome", train, test, "war", "-outcome"},
		{"no test rows", train, calibrate.Window{From: 2020, To: 2025}, model.OutcomeMID, "-test"},
		{"no training rows", calibrate.Window{From: 1900, To: 1910}, test, model.OutcomeMID, "-train"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := calibrate.Validate(context.Background(), s, tc.train, tc.test, nil, calibrate.Options{Outcome: tc.outcome, Boot: 5})
			if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != tc.field {
				t.Errorf("Validate = %v, want invalid at %s", err, tc.field)
			}
		})
	}
}

// ablationNames are the rows Ablate must return, derived from
// docs/model.md: the full model, each feature but the constant dropped in
// turn (a value with its missing-data indicator, and the two regime
// features with theirs, together), then each candidate added.
func ablationNames() []string {
	out := []string{"none"}
	lead := map[string]string{"affinity_missing": "affinity", "dem_dist": "joint_dem", "dem_missing": "joint_dem"}
	at := map[string]int{}
	for _, f := range model.Features[1:] {
		if l, ok := lead[f]; ok {
			if k, ok := at[l]; ok {
				out[k] += " " + f
				continue
			}
		}
		at[f] = len(out)
		out = append(out, f)
	}
	for _, c := range model.Candidates {
		out = append(out, "+"+c)
	}
	return out
}

func checkAblation(t *testing.T, abl []calibrate.Ablation) {
	t.Helper()
	var names []string
	for _, a := range abl {
		names = append(names, a.Feature)
	}
	if diff := cmp.Diff(ablationNames(), names); diff != "" {
		t.Errorf("ablation rows (-want +got):\n%s", diff)
	}
	if len(abl) == 0 {
		return
	}
	if full := abl[0]; !(full.AUC > 0.5 && full.AUC < 1) || !(full.LogLoss > 0) {
		t.Errorf("full model: %+v", full)
	}
	for _, a := range abl[1:] {
		if math.Abs(a.AUC) >= 0.5 || math.IsNaN(a.AUCRelevant) || math.IsNaN(a.LogLoss) || math.Abs(a.LogLoss) > abl[0].LogLoss {
			t.Errorf("%s: differences %+v", a.Feature, a)
		}
	}
}

func TestAblateSynthetic(t *testing.T) {
	s := synthetic(5, 1990, 2009, 400, truth(1), truth(0.5))
	abl, err := calibrate.Ablate(context.Background(), s, calibrate.Window{From: 1990, To: 2002}, calibrate.Window{From: 2003, To: 2009})
	if err != nil {
		t.Fatal(err)
	}
	checkAblation(t, abl)
	// Dropping a feature with a true coefficient of ±0.5 costs log-loss.
	for _, a := range abl[1:] {
		k := slices.Index(model.Features, strings.Fields(a.Feature)[0])
		if k > 0 && math.Abs(truth(1)[k]) == 0.5 && !(a.LogLoss > 0) {
			t.Errorf("dropping %s (true coefficient %v) lowers the log-loss by %v", a.Feature, truth(1)[k], -a.LogLoss)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := calibrate.Ablate(ctx, s, calibrate.Window{From: 1990, To: 2002}, calibrate.Window{From: 2003, To: 2009}); err == nil {
		t.Error("Ablate with a cancelled context succeeded")
	}
}

var (
	dataOnce sync.Once
	data     *ir.Data
	dataSet  *history.Set
	dataErr  error
)

// sharedSet is the dyad-years of the outcome years 1996-2005 of the
// shared data, built once; it skips the test without the data and fails
// under CI=true.
func sharedSet(tb testing.TB) (*ir.Data, *history.Set) {
	tb.Helper()
	d := irtest.Data(tb)
	dataOnce.Do(func() {
		data = d
		dataSet, dataErr = history.Build(context.Background(), data, 1996, 2005, nil)
	})
	if dataErr != nil {
		tb.Fatal(dataErr)
	}
	return data, dataSet
}

// TestValidateData fits on 1996-2000 and scores 2001-2005 of the shared
// data: the report is complete and the model ranks the pairs better than
// the capability ratio alone (baseline a).
func TestValidateData(t *testing.T) {
	d, s := sharedSet(t)
	train, test := calibrate.Window{From: 1996, To: 2000}, calibrate.Window{From: 2001, To: 2005}
	r, err := calibrate.Validate(context.Background(), s, train, test, d.Files, calibrate.Options{Outcome: model.OutcomeMID, Boot: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, s, r, train, test, 20, false)
	if diff := cmp.Diff(d.Files, r.Coefficients.Data); diff != "" {
		t.Errorf("the report's coefficients name other data (-want +got):\n%s", diff)
	}
	for _, u := range append(r.Universes, r.Monadic) {
		m, a := u.Models[0], u.Models[1]
		if !(m.AUC > a.AUC) {
			t.Errorf("%s: model AUC %.3f does not beat baseline (a) %.3f", u.Name, m.AUC, a.AUC)
		}
	}
}

// TestAblateData ablates on a short window of the shared data (some
// twenty fits of two years each).
func TestAblateData(t *testing.T) {
	_, s := sharedSet(t)
	abl, err := calibrate.Ablate(context.Background(), s, calibrate.Window{From: 1999, To: 2000}, calibrate.Window{From: 2001, To: 2002})
	if err != nil {
		t.Fatal(err)
	}
	checkAblation(t, abl)
}

// BenchmarkFit fits both outcomes on the full history, 1817-2010.
func BenchmarkFit(b *testing.B) {
	d := irtest.Data(b)
	s, err := history.Build(context.Background(), d, 1817, 2010, nil)
	if err != nil {
		b.Fatal(err)
	}
	w := calibrate.Window{From: 1817, To: 2010}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := calibrate.Fit(s, w, d.Files); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.Len()), "rows")
}
