package forum

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/simulate"
)

// Delphi defaults.
const (
	// DefaultStability is the stopping rule's default: the median moved by
	// less than 15% since the previous round.
	DefaultStability = 0.15
	// DefaultMaxRounds is the default number of rounds at most.
	DefaultMaxRounds = 4
)

// Quantile returns the p-quantile of sorted xs by linear interpolation
// between order statistics (Hyndman and Fan's type 7, the default of R
// and NumPy): h = (n-1)p, Q = x[⌊h⌋] + (h-⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋]).
func Quantile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * p
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// Summarise returns the statistics of a round's answers.
func Summarise(round int, values []float64) indivisible.RoundStats {
	xs := slices.Clone(values)
	slices.Sort(xs)
	s := indivisible.RoundStats{Round: round, N: len(xs)}
	if len(xs) == 0 {
		return s
	}
	s.Min, s.Max = xs[0], xs[len(xs)-1]
	s.Q1, s.Median, s.Q3 = Quantile(xs, 0.25), Quantile(xs, 0.5), Quantile(xs, 0.75)
	s.IQR = s.Q3 - s.Q1
	return s
}

// NormaliseStop fills in a stopping rule's defaults and checks it.
func NormaliseStop(r indivisible.StoppingRule) (indivisible.StoppingRule, error) {
	if r.Stability == 0 {
		r.Stability = DefaultStability
	}
	if r.MaxRounds == 0 {
		r.MaxRounds = DefaultMaxRounds
	}
	switch {
	case !(r.IQR >= 0) || math.IsInf(r.IQR, 0):
		return r, indivisible.Invalid("stop.iqr", "must be a non-negative number")
	case !(r.Stability > 0 && r.Stability < 1):
		return r, indivisible.Invalid("stop.stability", "must be a fraction in (0, 1)")
	case r.MaxRounds < 1 || r.MaxRounds > 20:
		return r, indivisible.Invalid("stop.max_rounds", "must be 1 to 20")
	}
	return r, nil
}

// Stop applies the stopping rule after the last of rounds and returns why
// the question stops, or "" to run another round. A round without answers
// stops nothing but the round limit.
func Stop(r indivisible.StoppingRule, rounds []indivisible.RoundStats) string {
	if len(rounds) == 0 {
		return ""
	}
	last := rounds[len(rounds)-1]
	switch {
	case last.N > 0 && r.IQR > 0 && last.IQR <= r.IQR:
		return fmt.Sprintf("consensus: IQR %g ≤ %g", last.IQR, r.IQR)
	case last.N > 0 && len(rounds) > 1 && rounds[len(rounds)-2].N > 0 && stable(rounds[len(rounds)-2].Median, last.Median, r.Stability):
		return fmt.Sprintf("stability: the median moved from %g to %g (less than %g%%)", rounds[len(rounds)-2].Median, last.Median, 100*r.Stability)
	case len(rounds) >= r.MaxRounds:
		return fmt.Sprintf("limit: %d rounds", len(rounds))
	}
	return ""
}

// stable reports a relative change of less than frac; from a median of 0
// only no change is stable.
func stable(prev, cur, frac float64) bool {
	if prev == 0 {
		return cur == 0
	}
	return math.Abs(cur-prev) < frac*math.Abs(prev)
}

// CheckQuestion checks a question's parameter path and answer range
// against the model's parameter domains, as package simulate knows them:
// every answer in [Min, Max] must be a valid value of the parameter.
func CheckQuestion(q *indivisible.Question) error {
	if strings.TrimSpace(q.Text) == "" || len(q.Text) > 2000 {
		return indivisible.Invalid("text", "the question's text is needed (at most 2000 bytes)")
	}
	if !(q.Min < q.Max) || math.IsInf(q.Min, 0) || math.IsInf(q.Max, 0) {
		return indivisible.Invalid("max", "the answer range needs min < max, both finite")
	}
	spec := simulate.Spec{Params: model.DefaultParams(), Distributions: map[string]simulate.Dist{
		q.Parameter: {Kind: simulate.Uniform, Min: q.Min, Max: q.Max}}}
	if err := spec.Validate(); err != nil {
		// simulate speaks of a distribution's draws; here they are answers.
		msg := strings.Replace(strings.TrimPrefix(indivisible.ErrorMessage(err), "distributions."), "draws in", "answers in", 1)
		return indivisible.Invalid("parameter", "%s", msg)
	}
	stop, err := NormaliseStop(q.Stop)
	q.Stop = stop
	return err
}

// MakeResult turns the closed questions (each with its final round's
// answers) into a parameter file and a distribution file. A later question
// on the same parameter overrides an earlier one. The distribution is a
// log-normal fitted to the final median and IQR where the parameter's
// range allows it (simulate's own fit), else a triangular over the final
// answers' range with the median as mode, and a point when all agree.
func MakeResult(qs []*indivisible.Question, finals map[int64][]float64) (*indivisible.DelphiResult, error) {
	params := map[string]any{}
	groups := map[string]map[string]float64{}
	var dyads []model.Dyad
	spec := &simulate.Spec{Title: "Delphi result", Params: model.DefaultParams(), Distributions: map[string]simulate.Dist{}, Estimation: true}
	res := &indivisible.DelphiResult{Questions: []indivisible.DelphiResultQuestion{}}
	sorted := slices.Clone(qs)
	slices.SortFunc(sorted, func(a, b *indivisible.Question) int { return int(a.ID - b.ID) })
	for _, q := range sorted {
		if q.Status != indivisible.QuestionClosed {
			continue
		}
		final := Summarise(q.Round, finals[q.ID])
		if final.N == 0 {
			continue
		}
		d := fitDist(q.Parameter, final)
		spec.Distributions[q.Parameter] = d
		dist, err := json.Marshal(d)
		if err != nil {
			return nil, indivisible.Errorf(indivisible.EINTERNAL, "the distribution of %s: %v", q.Parameter, err)
		}
		res.Questions = append(res.Questions, indivisible.DelphiResultQuestion{ID: q.ID, Parameter: q.Parameter, Final: final, Dist: dist, StopReason: q.StopReason})
		group, key, nested := strings.Cut(q.Parameter, ".")
		switch {
		case !nested:
			params[q.Parameter] = final.Median
		case group == "dyads":
			a, b, _ := strings.Cut(key, "-")
			dyads = slices.DeleteFunc(dyads, func(d model.Dyad) bool { return d.A == a && d.B == b })
			dyads = append(dyads, model.Dyad{A: a, B: b, Factor: final.Median})
		default:
			if groups[group] == nil {
				groups[group] = map[string]float64{}
			}
			groups[group][key] = final.Median
		}
	}
	for g, m := range groups {
		params[g] = m
	}
	if len(dyads) > 0 {
		params["dyads"] = dyads
	}
	pb, err := json.MarshalIndent(params, "", "  ")
	if err != nil {
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "params: %v", err)
	}
	// The files must read back as the model and simulate read them.
	if spec.Params, err = model.ParseParams(pb); err != nil {
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "Delphi params do not parse: %v", err)
	}
	res.Params = pb
	if len(spec.Distributions) == 0 {
		res.Distributions = json.RawMessage("null")
		return res, nil
	}
	db, err := json.MarshalIndent(struct {
		Title         string                   `json:"title"`
		Params        json.RawMessage          `json:"params"`
		Distributions map[string]simulate.Dist `json:"distributions"`
	}{spec.Title, pb, spec.Distributions}, "", "  ")
	if err == nil {
		_, err = simulate.ParseSpec(db)
	}
	if err != nil {
		return nil, indivisible.Errorf(indivisible.EINTERNAL, "Delphi distributions do not parse: %v", err)
	}
	res.Distributions = db
	return res, nil
}

// fitDist chooses the distribution of a parameter from its final round.
func fitDist(param string, s indivisible.RoundStats) simulate.Dist {
	if s.Min == s.Max {
		return simulate.Dist{Kind: simulate.Point, Value: s.Median}
	}
	try := func(d simulate.Dist) bool {
		spec := simulate.Spec{Params: model.DefaultParams(), Distributions: map[string]simulate.Dist{param: d}}
		return spec.Validate() == nil
	}
	if ln := (simulate.Dist{Kind: simulate.LogNormal, Median: s.Median, IQR: s.IQR}); s.IQR > 0 && try(ln) {
		return ln
	}
	return simulate.Dist{Kind: simulate.Triangular, Min: s.Min, Mode: s.Median, Max: s.Max}
}
