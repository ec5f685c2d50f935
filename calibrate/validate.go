package calibrate

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/history"
	"github.com/indivisible-eurasia/indivisible/logit"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/score"
)

// Model names in a report, ours first.
const (
	ModelName = "model"
	BaseA     = "a: capability ratio"
	BaseB     = "b: contiguity, distance, capabilities"
	BaseC     = "c: previous index"
)

// Options tune a validation.
type Options struct {
	Outcome string // model.OutcomeMID or model.OutcomeForce
	// Boot is the number of bootstrap replicates (resampling dyads, and
	// states for the monadic figures); Seed seeds them.
	Boot int
	Seed uint64
	// Bins is the number of equal-count bins of the reliability table.
	Bins int
}

// Report is the out-of-sample comparison of the model with the baselines.
type Report struct {
	Train   Window `json:"train"`
	Test    Window `json:"test"`
	Outcome string `json:"outcome"`
	Boot    int    `json:"bootstrap_replicates"`
	// Universes are "all" directed pairs and the politically "relevant"
	// ones; Monadic scores each state-year's risk of being targeted.
	Universes []Universe `json:"universes"`
	Monadic   Universe   `json:"monadic"`
	Goals     []Goal     `json:"goals"`
	// Coefficients is the model fitted on the training years.
	Coefficients *model.Coefficients `json:"coefficients"`
}

// Universe is one set of test rows and every model's scores on it.
type Universe struct {
	Name   string  `json:"name"`
	Rows   int     `json:"rows"`
	Events int     `json:"events"`
	Models []Score `json:"models"`
}

// Score is one model's figures on a universe.
type Score struct {
	Name    string         `json:"name"`
	AUC     float64        `json:"auc"`
	AUCCI   score.Interval `json:"auc_ci"`
	PRAUC   float64        `json:"pr_auc"`
	Brier   float64        `json:"brier"`
	LogLoss float64        `json:"log_loss"`
	// MinusB is the interval of this model's AUC minus baseline (b)'s, on
	// the same bootstrap replicates.
	MinusB      score.Interval `json:"auc_minus_b_ci"`
	Reliability []score.Bin    `json:"reliability"`
	ROC         []score.Point  `json:"roc"`
}

// Goal is one of the out-of-sample goals, met or not.
type Goal struct {
	Goal  string `json:"goal"`
	Value string `json:"value"`
	Met   bool   `json:"met"`
}

// baseline is a simple model fitted on the same training rows: its design
// columns, computed from a row of the set.
type baseline struct {
	name string
	cols func(s *history.Set, r int, out []float64) []float64
}

var baselines = []baseline{
	{BaseA, func(s *history.Set, r int, out []float64) []float64 {
		x := s.Row(r)
		return append(out, 1, x[col("ln_cap_from")]-x[col("ln_cap_to")])
	}},
	{BaseB, func(s *history.Set, r int, out []float64) []float64 {
		x := s.Row(r)
		return append(out, 1, x[col("land")], x[col("sea")], x[col("ln_dist")], x[col("ln_cap_from")], x[col("ln_cap_to")])
	}},
	{BaseC, func(s *history.Set, r int, out []float64) []float64 {
		// The previous model's hostile power projected by From at To.
		return append(out, 1, math.Log(1e-9+s.Threat[r]))
	}},
}

func col(name string) int { return history.FeatureIndex(name) }

// CheckWindows says whether train and test can be a validation: the test
// years must all come after the training years.
func CheckWindows(train, test Window) error {
	if train.To >= test.From {
		return indivisible.Invalid("-test", "the test years %s must come after the training years %s", test, train)
	}
	return nil
}

// Validate fits the model and the baselines on the training years of s
// and scores them on the test years.
func Validate(ctx context.Context, s *history.Set, train, test Window, files map[string]string, opt Options) (*Report, error) {
	if err := CheckWindows(train, test); err != nil {
		return nil, err
	}
	if opt.Boot <= 0 {
		opt.Boot = 200
	}
	if opt.Bins <= 0 {
		opt.Bins = 10
	}
	force := opt.Outcome == model.OutcomeForce
	if opt.Outcome != model.OutcomeMID && !force {
		return nil, indivisible.Invalid("-outcome", "%q is neither %q nor %q", opt.Outcome, model.OutcomeMID, model.OutcomeForce)
	}
	coef, err := Fit(s, train, files)
	if err != nil {
		return nil, err
	}
	est := &coef.MID
	if force {
		est = &coef.Force
	}
	trainIdx := rows(s, train, false)
	testIdx := rows(s, test, false)
	if len(testIdx) == 0 {
		return nil, indivisible.Invalid("-test", "no dyad-years in %s", test)
	}
	yTest := outcome(s, testIdx, force)
	names := []string{ModelName}
	preds := [][]float64{predict(s, testIdx, est.Coef)}
	for _, b := range baselines {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		p, err := fitBaseline(s, b, trainIdx, testIdx, outcome(s, trainIdx, force))
		if err != nil {
			return nil, fmt.Errorf("baseline %s: %w", b.name, err)
		}
		names = append(names, b.name)
		preds = append(preds, p)
	}
	r := &Report{Train: train, Test: test, Outcome: opt.Outcome, Boot: opt.Boot, Coefficients: coef}
	for _, u := range []struct {
		name     string
		relevant bool
	}{{"all", false}, {"relevant", true}} {
		var sel []int
		for k, row := range testIdx {
			if !u.relevant || s.Relevant[row] {
				sel = append(sel, k)
			}
		}
		cluster := make([]int32, len(sel))
		for k, q := range sel {
			cluster[k] = s.Dyad[testIdx[q]]
		}
		uv, err := scoreUniverse(u.name, names, subset(preds, sel), pick(yTest, sel), renumber(cluster), opt)
		if err != nil {
			return nil, err
		}
		r.Universes = append(r.Universes, uv)
	}
	mon, err := monadic(s, testIdx, yTest, names, preds, opt)
	if err != nil {
		return nil, err
	}
	r.Monadic = mon
	r.Goals = goals(r)
	return r, nil
}

func fitBaseline(s *history.Set, b baseline, trainIdx, testIdx []int, y []bool) ([]float64, error) {
	build := func(idx []int) ([]float64, int) {
		var x []float64
		k := 0
		for _, r := range idx {
			n := len(x)
			x = b.cols(s, r, x)
			k = len(x) - n
		}
		return x, k
	}
	x, k := build(trainIdx)
	f, err := logit.FitLogit(x, k, y, logit.Options{Ridge: Ridge})
	if err != nil {
		return nil, err
	}
	xt, _ := build(testIdx)
	p := make([]float64, len(testIdx))
	logit.Predict(xt, k, f.Coef, p)
	return p, nil
}

func subset(preds [][]float64, sel []int) [][]float64 {
	out := make([][]float64, len(preds))
	for m, p := range preds {
		out[m] = pick(p, sel)
	}
	return out
}

// pick returns the elements of x at the indices sel.
func pick[T any](x []T, sel []int) []T {
	out := make([]T, len(sel))
	for k, q := range sel {
		out[k] = x[q]
	}
	return out
}

// renumber maps cluster ids onto 0..C-1, as Bootstrap wants them.
func renumber(ids []int32) []int32 {
	m := map[int32]int32{}
	out := make([]int32, len(ids))
	for k, id := range ids {
		v, ok := m[id]
		if !ok {
			v = int32(len(m))
			m[id] = v
		}
		out[k] = v
	}
	return out
}

func scoreUniverse(name string, names []string, preds [][]float64, y []bool, cluster []int32, opt Options) (Universe, error) {
	u := Universe{Name: name, Rows: len(y)}
	for _, v := range y {
		if v {
			u.Events++
		}
	}
	boot, err := score.Bootstrap(preds, y, cluster, opt.Boot, opt.Seed, 0.95)
	if err != nil {
		return u, err
	}
	b := slices.Index(names, BaseB)
	for m, p := range preds {
		u.Models = append(u.Models, Score{
			Name: names[m], AUC: score.AUC(p, y), AUCCI: boot.AUC[m], PRAUC: score.PRAUC(p, y),
			Brier: score.Brier(p, y), LogLoss: score.LogLoss(p, y), MinusB: boot.Diff[m][b],
			Reliability: score.Reliability(p, y, opt.Bins), ROC: score.ROC(p, y, 200),
		})
	}
	return u, nil
}

// monadic scores each state-year of the test years: the predicted risk
// that some state initiates a dispute against it, 1 - Π_j (1 - p_ji),
// against whether one did. For the previous index (c) the score is one
// minus the index itself, as the index was read.
func monadic(s *history.Set, testIdx []int, y []bool, names []string, preds [][]float64, opt Options) (Universe, error) {
	type key struct{ year, to int16 }
	at := map[key]int{}
	var keys []key
	for _, r := range testIdx {
		k := key{s.Year[r], s.To[r]}
		if _, ok := at[k]; !ok {
			at[k] = len(keys)
			keys = append(keys, k)
		}
	}
	n := len(keys)
	logSafe := make([][]float64, len(preds))
	for m := range preds {
		logSafe[m] = make([]float64, n)
	}
	target := make([]bool, n)
	sup, thr, own := make([]float64, n), make([]float64, n), make([]float64, n)
	for q, r := range testIdx {
		k := at[key{s.Year[r], s.To[r]}]
		for m, p := range preds {
			logSafe[m][k] += math.Log1p(-p[q])
		}
		target[k] = target[k] || y[q]
		sup[k] += s.Support[r]
		thr[k] += s.Threat[r]
		own[k] = s.Own[r]
	}
	mp := make([][]float64, len(preds))
	for m := range preds {
		mp[m] = make([]float64, n)
		for k := range n {
			mp[m][k] = -math.Expm1(logSafe[m][k])
		}
	}
	if c := slices.Index(names, BaseC); c >= 0 {
		const kappa = 1e-6 // the previous index's baseline
		for k := range n {
			S := own[k] + sup[k]
			mp[c][k] = 1 - (S+kappa)/(S+thr[k]+2*kappa)
		}
	}
	cluster := make([]int32, n)
	for k, kk := range keys {
		cluster[k] = int32(kk.to)
	}
	return scoreUniverse("monadic", names, mp, target, renumber(cluster), opt)
}

func goals(r *Report) []Goal {
	find := func(u Universe, name string) Score {
		for _, m := range u.Models {
			if m.Name == name {
				return m
			}
		}
		return Score{}
	}
	all, rel := r.Universes[0], r.Universes[1]
	mAll, bAll := find(all, ModelName), find(all, BaseB)
	mRel, bRel := find(rel, ModelName), find(rel, BaseB)
	mMon := find(r.Monadic, ModelName)
	g := []Goal{
		{"relevant pairs: AUC ≥ 0.94", fmt.Sprintf("%.3f", mRel.AUC), mRel.AUC >= 0.94},
		{"relevant pairs: AUC ≥ baseline (b) + 0.04", fmt.Sprintf("%+.3f (b %.3f)", mRel.AUC-bRel.AUC, bRel.AUC), mRel.AUC-bRel.AUC >= 0.04},
		{"all pairs: AUC ≥ 0.975", fmt.Sprintf("%.3f", mAll.AUC), mAll.AUC >= 0.975},
		{"all pairs: not below (b) beyond its interval", fmt.Sprintf("%+.3f [%+.3f, %+.3f]", mAll.AUC-bAll.AUC, mAll.MinusB.Lo, mAll.MinusB.Hi), mAll.MinusB.Hi >= 0},
		{"monadic AUC ≥ 0.80", fmt.Sprintf("%.3f", mMon.AUC), mMon.AUC >= 0.80},
	}
	for _, u := range []Universe{all, rel} {
		worst, ok := 1.0, true
		for _, b := range find(u, ModelName).Reliability {
			if b.Events < 30 || b.MeanP <= 0 {
				continue
			}
			ratio := b.Rate / b.MeanP
			if ratio < 1 {
				ratio = 1 / ratio
			}
			worst = max(worst, ratio)
			ok = ok && ratio <= 1.5
		}
		g = append(g, Goal{fmt.Sprintf("%s pairs: observed/predicted within ×1.5 in every decile with ≥ 30 events", u.Name), fmt.Sprintf("worst ×%.2f", worst), ok})
	}
	return g
}
