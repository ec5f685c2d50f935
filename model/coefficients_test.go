package model_test

import (
	"context"
	"math"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/indivisible-eurasia/indivisible/calibrate"
	"github.com/indivisible-eurasia/indivisible/history"
	"github.com/indivisible-eurasia/indivisible/ir"
	"github.com/indivisible-eurasia/indivisible/model"
)

func TestDefaultCoefficients(t *testing.T) {
	c := model.DefaultCoefficients()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(model.Features, c.Features); diff != "" {
		t.Errorf("features (-model +shipped):\n%s", diff)
	}
	if diff := cmp.Diff(append(slices.Clone(model.Features), model.Candidates...), model.Columns); diff != "" {
		t.Errorf("Columns are not Features then Candidates (-want +got):\n%s", diff)
	}
	for _, f := range model.Candidates {
		if slices.Contains(model.Features, f) {
			t.Errorf("%s is both a feature and a candidate", f)
		}
	}
	if c.Train.From < 1817 || c.Train.To > 2010 || c.Train.From > c.Train.To {
		t.Errorf("training window %d-%d is not within the data's outcome years 1817-2010", c.Train.From, c.Train.To)
	}
	k := len(model.Features)
	for _, e := range []*model.Estimate{&c.MID, &c.Force} {
		if len(e.Coef) != k || len(e.SE) != k || len(e.Cov) != k {
			t.Fatalf("%s: %d coefficients, %d SEs, %d covariance rows for %d features", e.Outcome, len(e.Coef), len(e.SE), len(e.Cov), k)
		}
		for i := range k {
			// The SEs are the square roots of the covariance's diagonal,
			// and the covariance is symmetric.
			if !(e.SE[i] > 0) || !near(e.SE[i], math.Sqrt(e.Cov[i][i]), 1e-12) {
				t.Errorf("%s %s: SE %v, √cov %v", e.Outcome, model.Features[i], e.SE[i], math.Sqrt(e.Cov[i][i]))
			}
			for j := range k {
				if e.Cov[i][j] != e.Cov[j][i] {
					t.Errorf("%s cov[%d][%d] = %v but cov[%d][%d] = %v", e.Outcome, i, j, e.Cov[i][j], j, i, e.Cov[j][i])
				}
			}
		}
		if !(e.Events > 0 && e.Events < e.N) || !(e.LogLik > e.LogLik0) || e.LogLik >= 0 || e.Ridge != calibrate.Ridge {
			t.Errorf("%s: fit statistics %+v", e.Outcome, *e)
		}
	}
	if c.MID.Outcome != model.OutcomeMID || c.Force.Outcome != model.OutcomeForce {
		t.Errorf("outcomes %q and %q", c.MID.Outcome, c.Force.Outcome)
	}
	// Every use of force is a MID onset: fewer events over the same rows.
	if c.Force.N != c.MID.N || c.Force.Events >= c.MID.Events {
		t.Errorf("force fit: %d events in %d rows; MID: %d in %d", c.Force.Events, c.Force.N, c.MID.Events, c.MID.N)
	}
	sha := regexp.MustCompile(`^[0-9a-f]{64}$`)
	if len(c.Data) == 0 {
		t.Error("no data files recorded")
	}
	for f, h := range c.Data {
		if !sha.MatchString(h) {
			t.Errorf("data file %s: %q is not a SHA-256", f, h)
		}
	}
	if model.DefaultCoefficients() != c {
		t.Error("DefaultCoefficients is parsed again on each call")
	}
	// Clone is deep where draws write: the coefficients.
	d := c.Clone()
	d.MID.Coef[0], d.Force.Coef[0] = 99, 99
	if c.MID.Coef[0] == 99 || c.Force.Coef[0] == 99 {
		t.Error("writing a clone's coefficients changes the shipped ones")
	}
	if e, err := c.Estimate(model.OutcomeForce); err != nil || e != &c.Force {
		t.Errorf("Estimate(force) = %p, %v", e, err)
	}
}

// The decay constant lives in both packages (ir cannot import model).
func TestDecayYearsAgree(t *testing.T) {
	if ir.DecayYears != model.DecayYears {
		t.Errorf("ir.DecayYears = %v, model.DecayYears = %v", ir.DecayYears, model.DecayYears)
	}
}

// TestCoefficientsReproduce re-fits the shipped coefficients on the
// shared data over their training window and checks every coefficient,
// standard error and covariance entry to 1e-6, and the data files'
// SHA-256. It is the suite's one fit on the full history (about 10 s
// without the race detector).
func TestCoefficientsReproduce(t *testing.T) {
	d := sharedData(t)
	want := model.DefaultCoefficients()
	if diff := cmp.Diff(want.Data, d.Files); diff != "" {
		t.Errorf("the shared data are not the files the coefficients were fitted on (-shipped +data):\n%s", diff)
	}
	s, err := history.Build(context.Background(), d, want.Train.From, want.Train.To, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := calibrate.Fit(s, calibrate.Window{From: want.Train.From, To: want.Train.To}, d.Files)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Features, got.Features); diff != "" {
		t.Fatalf("features (-shipped +fit):\n%s", diff)
	}
	const tol = 1e-6
	for _, o := range []struct{ w, g *model.Estimate }{{&want.MID, &got.MID}, {&want.Force, &got.Force}} {
		w, g := o.w, o.g
		if w.N != g.N || w.Events != g.Events {
			t.Errorf("%s: %d rows and %d events, shipped %d and %d", w.Outcome, g.N, g.Events, w.N, w.Events)
		}
		checkNear(t, w.Outcome+" loglik", g.LogLik, w.LogLik, tol)
		checkNear(t, w.Outcome+" loglik0", g.LogLik0, w.LogLik0, tol)
		for k, f := range want.Features {
			checkNear(t, w.Outcome+" coef "+f, g.Coef[k], w.Coef[k], tol)
			checkNear(t, w.Outcome+" SE "+f, g.SE[k], w.SE[k], tol)
			for j := range want.Features {
				checkNear(t, w.Outcome+" cov "+f+"×"+want.Features[j], g.Cov[k][j], w.Cov[k][j], tol)
			}
		}
	}
}
