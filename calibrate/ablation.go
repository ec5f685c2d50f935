package calibrate

import (
	"context"
	"fmt"

	"slices"

	"github.com/indivisible-eurasia/indivisible/history"
	"github.com/indivisible-eurasia/indivisible/logit"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/score"
)

// Ablation is what one feature earns out of sample: the change in the
// test years' AUC (all pairs and relevant ones) and log-loss when the
// model is fitted without it, or, for a candidate, with it added. A
// feature earns its place when dropping it raises the log-loss.
type Ablation struct {
	// Feature names the features dropped ("+name" for a candidate added);
	// the first row ("none") is the full model, whose figures the others
	// are differences from.
	Feature     string  `json:"feature"`
	AUC         float64 `json:"auc"`
	AUCRelevant float64 `json:"auc_relevant"`
	LogLoss     float64 `json:"log_loss"`
}

// Ablate refits the MID model without each feature in turn (features
// that come in groups, such as an indicator and its value, go together),
// and with each candidate added, and scores every fit on the test years. The first row is the full
// model with absolute figures; the others give differences from it.
func Ablate(ctx context.Context, s *history.Set, train, test Window) ([]Ablation, error) {
	trainIdx, testIdx := rows(s, train, false), rows(s, test, false)
	yTrain, yTest := outcome(s, trainIdx, false), outcome(s, testIdx, false)
	var rel []int
	for q, r := range testIdx {
		if s.Relevant[r] {
			rel = append(rel, q)
		}
	}
	groups := [][]string{nil}
	groups = append(groups, featureGroups()...)
	for _, c := range model.Candidates {
		groups = append(groups, []string{"+" + c})
	}
	var out []Ablation
	for _, drop := range groups {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var cols []int
		for c, f := range model.Features {
			if !slices.Contains(drop, f) {
				cols = append(cols, c)
			}
		}
		if len(drop) == 1 && drop[0][0] == '+' {
			cols = append(cols, history.FeatureIndex(drop[0][1:]))
		}
		f, err := logit.FitLogit(design(s, trainIdx, cols), len(cols), yTrain, logit.Options{Ridge: Ridge})
		if err != nil {
			return nil, fmt.Errorf("without %v: %w", drop, err)
		}
		p := make([]float64, len(testIdx))
		logit.Predict(design(s, testIdx, cols), len(cols), f.Coef, p)
		name := "none"
		if drop != nil {
			name = fmt.Sprint(drop)
			name = name[1 : len(name)-1]
		}
		a := Ablation{Feature: name, AUC: score.AUC(p, yTest), AUCRelevant: score.AUC(pick(p, rel), pick(yTest, rel)), LogLoss: score.LogLoss(p, yTest)}
		if len(out) > 0 {
			a.AUC -= out[0].AUC
			a.AUCRelevant -= out[0].AUCRelevant
			a.LogLoss -= out[0].LogLoss
		}
		out = append(out, a)
	}
	return out, nil
}

// featureGroups are the features that are dropped together: a value and
// its missing-data indicator, and the two regime features.
func featureGroups() [][]string {
	together := map[string]string{"affinity_missing": "affinity", "dem_dist": "joint_dem", "dem_missing": "joint_dem"}
	var out [][]string
	at := map[string]int{}
	for _, f := range model.Features[1:] {
		lead := f
		if l, ok := together[f]; ok {
			lead = l
		}
		if k, ok := at[lead]; ok {
			out[k] = append(out[k], f)
			continue
		}
		at[lead] = len(out)
		out = append(out, []string{f})
	}
	return out
}
