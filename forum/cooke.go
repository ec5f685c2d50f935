package forum

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/indivisible-eurasia/indivisible"
)

// Cooke's classical model (Cooke 1991, Experts in Uncertainty): experts
// give their 5%, 50% and 95% quantiles for seed questions whose true
// values (realisations) become known; how often the realisations fall in
// each inter-quantile bin gives an expert's calibration, how narrow the
// quantiles are gives their information, and the two give performance
// weights. docs/forum.md has the formulas.

// CookeBins is the probability the quantiles 5%, 50%, 95% put in the four
// bins they make: below q5, q5 to q50, q50 to q95, above q95.
var CookeBins = [4]float64{0.05, 0.45, 0.45, 0.05}

// Overshoot k widens each question's intrinsic range [L, U] to
// [L - k(U-L), U + k(U-L)] for the information score (Cooke's default).
const Overshoot = 0.1

// Quantiles are an expert's 5%, 50% and 95% quantiles for one question.
type Quantiles [3]float64

// RelativeInformation is I(s, p) = Σ s_i ln(s_i / p_i) of an expert's
// empirical bin frequencies s against CookeBins (0 ln 0 = 0).
func RelativeInformation(s [4]float64) float64 {
	var sum float64
	for i, si := range s {
		if si > 0 {
			sum += si * math.Log(si/CookeBins[i])
		}
	}
	return sum
}

// Calibration is Cooke's calibration score of an expert whose n seed
// realisations fell in the bins with frequencies s: the probability that
// a χ² variable with 3 degrees of freedom exceeds 2n·I(s, p), i.e. the
// p-value of the hypothesis that the expert's quantiles are right.
func Calibration(s [4]float64, n int) float64 {
	return distuv.ChiSquared{K: 3}.Survival(2 * float64(n) * RelativeInformation(s))
}

// Bin returns which of the four bins realisation x falls in: x ≤ q5, q5 <
// x ≤ q50, q50 < x ≤ q95, or x > q95.
func (q Quantiles) Bin(x float64) int {
	switch {
	case x <= q[0]:
		return 0
	case x <= q[1]:
		return 1
	case x <= q[2]:
		return 2
	}
	return 3
}

// Information is the relative information of an expert's quantiles with
// respect to the uniform distribution on [lo, hi] (the question's
// intrinsic range with overshoot): ln(hi-lo) + Σ p_i ln(p_i / w_i), w_i the
// widths of the four bins.
func (q Quantiles) Information(lo, hi float64) float64 {
	edges := [5]float64{lo, q[0], q[1], q[2], hi}
	sum := math.Log(hi - lo)
	for i, p := range CookeBins {
		sum += p * math.Log(p/(edges[i+1]-edges[i]))
	}
	return sum
}

// CookeScore is an expert's performance on the seed questions.
type CookeScore struct {
	Calibration float64 `json:"calibration"`
	Information float64 `json:"information"`
	// Weight is the normalised performance weight: calibration times
	// information, zero for a calibration below the cut-off α.
	Weight float64 `json:"weight"`
}

// CookeWeights scores experts on seed questions: answers[e][j] are expert
// e's quantiles for seed question j, realisations[j] its true value. An
// expert's calibration comes from the bins of all realisations, their
// information is the mean over the seed questions, and the weights are
// proportional to calibration × information for the experts calibrated at
// least alpha. EINVALID for malformed input; ECONFLICT when no expert
// reaches alpha.
func CookeWeights(answers [][]Quantiles, realisations []float64, alpha float64) ([]CookeScore, error) {
	n := len(realisations)
	if n == 0 || len(answers) == 0 {
		return nil, indivisible.Invalid("seeds", "the classical model needs experts and seed questions")
	}
	for e, qs := range answers {
		if len(qs) != n {
			return nil, indivisible.Invalid(fmt.Sprintf("answers[%d]", e), "%d answers for %d seed questions", len(qs), n)
		}
		for j, q := range qs {
			if !(q[0] < q[1] && q[1] < q[2]) {
				return nil, indivisible.Invalid(fmt.Sprintf("answers[%d][%d]", e, j), "quantiles must increase strictly: %v", q)
			}
		}
	}
	// Each question's intrinsic range covers every expert's 5% and 95%
	// quantiles and the realisation.
	lo, hi := make([]float64, n), make([]float64, n)
	for j, x := range realisations {
		l, u := x, x
		for _, qs := range answers {
			l, u = math.Min(l, qs[j][0]), math.Max(u, qs[j][2])
		}
		lo[j], hi[j] = l-Overshoot*(u-l), u+Overshoot*(u-l)
	}
	scores := make([]CookeScore, len(answers))
	var total float64
	for e, qs := range answers {
		var s [4]float64
		var info float64
		for j, q := range qs {
			s[q.Bin(realisations[j])] += 1 / float64(n)
			info += q.Information(lo[j], hi[j]) / float64(n)
		}
		c := Calibration(s, n)
		scores[e] = CookeScore{Calibration: c, Information: info}
		if c >= alpha {
			scores[e].Weight = c * info
			total += scores[e].Weight
		}
	}
	if total == 0 {
		return scores, indivisible.Errorf(indivisible.ECONFLICT, "no expert is calibrated at α = %g", alpha)
	}
	for e := range scores {
		scores[e].Weight /= total
	}
	return scores, nil
}
