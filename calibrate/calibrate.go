// Package calibrate estimates the model from history and checks it
// against history it has not seen: it fits the coefficients by logistic
// regression over the directed dyad-years of a window of years
// (`indivisible calibrate`), and scores a fit on later years against
// simple baselines fitted on the same years (`indivisible validate`).
// docs/model.md gives the equations; docs/validation.md the figures.
package calibrate

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/history"
	"github.com/indivisible-eurasia/indivisible/logit"
	"github.com/indivisible-eurasia/indivisible/model"
)

// Ridge is the L2 penalty of every fit. With some three thousand events a
// tiny penalty changes no coefficient materially, but it keeps the fit
// finite for a feature that a short window happens to separate (for
// example no rivalry without a dispute in it).
const Ridge = 1.0

// Window is a closed range of outcome years.
type Window struct{ From, To int }

func (w Window) String() string { return fmt.Sprintf("%d-%d", w.From, w.To) }

// Contains reports whether year lies in the window.
func (w Window) Contains(year int) bool { return year >= w.From && year <= w.To }

// ParseWindow reads "Y1-Y2" (or "Y" for a single year) for the flag named
// field.
func ParseWindow(field, s string) (Window, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		b = a
	}
	from, err1 := strconv.Atoi(strings.TrimSpace(a))
	to, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || from < 1000 || to > 9999 {
		return Window{}, indivisible.Invalid(field, "%q is not a window of years such as 1816-2000", s)
	}
	if from > to {
		return Window{}, indivisible.Invalid(field, "%q ends before it starts", s)
	}
	return Window{from, to}, nil
}

// rows returns the indices of the rows of s in w (and in the politically
// relevant universe if relevant).
func rows(s *history.Set, w Window, relevant bool) []int {
	var out []int
	for r, y := range s.Year {
		if w.Contains(int(y)) && (!relevant || s.Relevant[r]) {
			out = append(out, r)
		}
	}
	return out
}

// design copies the chosen columns of the chosen rows into a fresh
// row-major matrix.
func design(s *history.Set, idx []int, cols []int) []float64 {
	x := make([]float64, 0, len(idx)*len(cols))
	for _, r := range idx {
		row := s.Row(r)
		for _, c := range cols {
			x = append(x, row[c])
		}
	}
	return x
}

func outcome(s *history.Set, idx []int, force bool) []bool {
	y := make([]bool, len(idx))
	for k, r := range idx {
		y[k] = s.MID[r]
		if force {
			y[k] = s.Force[r]
		}
	}
	return y
}

// Fit estimates both outcomes' coefficients over the rows of s in the
// window. files are the data files' hashes, recorded in the result.
func Fit(s *history.Set, train Window, files map[string]string) (*model.Coefficients, error) {
	idx := rows(s, train, false)
	if len(idx) == 0 {
		return nil, indivisible.Invalid("-train", "no dyad-years in %s", train)
	}
	x := design(s, idx, featureCols())
	k := len(model.Features)
	c := &model.Coefficients{Features: model.Features, Data: files}
	c.Train.From, c.Train.To = train.From, train.To
	for _, o := range []struct {
		name  string
		force bool
		est   *model.Estimate
	}{{model.OutcomeMID, false, &c.MID}, {model.OutcomeForce, true, &c.Force}} {
		f, err := logit.FitLogit(x, k, outcome(s, idx, o.force), logit.Options{Ridge: Ridge})
		if err != nil {
			return nil, fmt.Errorf("fitting %s: %w", o.name, err)
		}
		*o.est = estimate(o.name, f, k)
	}
	return c, nil
}

func estimate(name string, f *logit.Fit, k int) model.Estimate {
	e := model.Estimate{Outcome: name, Coef: f.Coef, SE: f.SE, LogLik: f.LogLik, LogLik0: f.LogLik0,
		N: f.N, Events: f.Events, Iterations: f.Iterations, Ridge: Ridge, Cov: make([][]float64, k)}
	for i := range k {
		e.Cov[i] = f.Cov[i*k : (i+1)*k]
	}
	return e
}

// featureCols are the columns of the model's features in a set's rows.
func featureCols() []int {
	cols := make([]int, len(model.Features))
	for c := range cols {
		cols[c] = c
	}
	return cols
}

// predict returns the model's probabilities for the rows.
func predict(s *history.Set, idx []int, coef []float64) []float64 {
	p := make([]float64, len(idx))
	for k, r := range idx {
		eta := 0.0
		for c, b := range coef {
			eta += s.Row(r)[c] * b
		}
		p[k] = 1 / (1 + math.Exp(-eta))
	}
	return p
}
