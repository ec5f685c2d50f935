package model

import "math"

// Features names the inputs of the linear predictor of the odds that
// state j (from) initiates a militarized dispute against state i (to)
// within a year. docs/model.md, section 2, defines each and cites its
// source.
var Features = []string{
	"const",
	"ln_cap_from", "ln_cap_to",
	"ln_dist", "land", "sea",
	"defence", "pact",
	"affinity", "affinity_missing",
	"joint_dem", "dem_dist", "dem_missing",
	"ongoing", "ln_peace", "decay_from",
	"major_to",
}

// Candidates are features computed with the others, so that `validate
// -ablation` can test them, but left out of the fitted model because they
// did not earn their place out of sample (docs/validation.md: leaving each
// out of the full model lowered the log-loss of the selection windows
// 1951-1980 and 1981-2000): the coalition of the target's allies, a
// strategic rivalry (Thompson and Dreyer), which the pair's dispute
// history already carries, the target's own past initiations against the
// source, and the source's major-power status.
var Candidates = []string{"ln_coalition", "rivalry", "major_from", "decay_to"}

// Columns are the columns of a design row: Features, then Candidates.
var Columns = append(append([]string(nil), Features...), Candidates...)

// Column indices of Columns.
const (
	fConst = iota
	fCapFrom
	fCapTo
	fDist
	fLand
	fSea
	fDefence
	fPact
	fAffinity
	fAffinityMissing
	fJointDem
	fDemDist
	fDemMissing
	fOngoing
	fPeace
	fDecayFrom
	fMajorTo
	numFeatures
	cCoalition = iota - 1
	cRivalry
	cMajorFrom
	cDecayTo
	rowWidth
)

// Constants of the feature construction, fixed before any fit
// (docs/model.md, section 2).
const (
	// CoalitionRangeKm is the distance over which an ally's capability
	// counts for a target's defence coalition decays by a factor e: the
	// previous model's default loss-of-strength gradient.
	CoalitionRangeKm = 2000
	// DecayYears is the half-life-like constant τ of the decayed count of
	// past dispute onsets, weight exp(-age/τ).
	DecayYears = 10
	// MaxPeaceYears caps the years since the pair's last dispute, and is
	// the value of a pair with none on record.
	MaxPeaceYears = 100
	// capFloor keeps the logarithms of capability finite for states that
	// report none: about the smallest CINC share in the COW data.
	capFloor = 1e-6
)

// peaceYears returns the capped years since the last dispute year.
func peaceYears(year, last int) float64 {
	if last == 0 {
		return MaxPeaceYears
	}
	return math.Min(float64(year-last), MaxPeaceYears)
}

// expTable holds 2^(j/expN) for j < expN, for fastExp.
const expN = 256

var expTable = func() (t [expN]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / expN)
	}
	return t
}()

// fastExp is e^x, within a few units in the last place (relative error
// below 1e-15; math.Exp's is below 2.3e-16), and about twice as fast as
// math.Exp: the hazards take one per pair of states per draw. Outside
// ±700, and for NaN, it is math.Exp.
func fastExp(x float64) float64 {
	if x > -700 && x < 700 {
		return expReduced(x)
	}
	return math.Exp(x)
}

// expReduced is e^x for |x| < 700, small enough to be inlined in the
// loops that need many: x = (256e + j) ln2/256 + r with |r| ≤ ln2/512,
// and e^x = 2^e · 2^(j/256) · p(r), p the degree-4 Taylor polynomial of
// e^r (its error, r⁵/120, is below 4·10⁻¹⁷).
func expReduced(x float64) float64 {
	const (
		invL  = expN / math.Ln2
		shift = 0x1.8p52 // rounds x·invL to an integer when added
		// ln2/expN in two parts; the high one has 32 significant bits, so
		// that k·hi is exact for every k this range gives.
		hi = 6.93147180369123816490e-01 / expN
		lo = 1.90821492927058770002e-10 / expN
	)
	kd := x*invL + shift - shift
	k := int64(kd)
	r := (x - kd*hi) - kd*lo
	r2 := r * r
	p := (1 + r) + r2*((1.0/2+r*(1.0/6))+r2*(1.0/24))
	return expTable[k&(expN-1)] * p * math.Float64frombits(uint64(k>>8+1023)<<52)
}
