package forum_test

import (
	"math"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/forum"
)

// TestCalibrationWorkedExample reproduces the worked example of the TU
// Delft MORE lecture notes (Structured expert judgement, "Calibration
// score"): 8 seed questions; expert E's realisations fall in the bins
// 4, 3, 0, 1 times, expert A's 1, 3, 3, 1 times. The notes round s to two
// decimals and publish I(s,p) = 1.19 and Cal = 0.00027 for E, 0.082 and
// 0.73 for A; with the exact frequencies the same formulas give the
// values below (docs/forum.md).
func TestCalibrationWorkedExample(t *testing.T) {
	for _, tc := range []struct {
		name              string
		s                 [4]float64
		info, cal, tolCal float64
	}{
		{"E as published", [4]float64{0.5, 0.38, 0, 0.12}, 1.19, 0.00027, 0.00001},
		{"A as published", [4]float64{0.12, 0.38, 0.38, 0.12}, 0.082, 0.73, 0.005},
		{"E exact", [4]float64{4.0 / 8, 3.0 / 8, 0, 1.0 / 8}, 1.1975, 0.00025342, 0.000001},
		{"A exact", [4]float64{1.0 / 8, 3.0 / 8, 3.0 / 8, 1.0 / 8}, 0.0923, 0.687518, 0.000001},
	} {
		if got := forum.RelativeInformation(tc.s); math.Abs(got-tc.info) > 0.005 {
			t.Errorf("%s: I(s,p) = %.4f, want %.4f", tc.name, got, tc.info)
		}
		if got := forum.Calibration(tc.s, 8); math.Abs(got-tc.cal) > tc.tolCal {
			t.Errorf("%s: Cal = %.6g, want %.6g", tc.name, got, tc.cal)
		}
	}
}

func TestInformation(t *testing.T) {
	// Quantiles that spread the bins exactly as the uniform background
	// does carry no information; narrower ones carry more.
	uniform := forum.Quantiles{5, 50, 95}
	if got := uniform.Information(0, 100); math.Abs(got) > 1e-12 {
		t.Errorf("uniform quantiles: information %g, want 0", got)
	}
	narrow := forum.Quantiles{45, 50, 55}
	if narrow.Information(0, 100) <= 0 {
		t.Error("narrow quantiles carry no information")
	}
	for x, bin := range map[float64]int{4: 0, 5: 0, 6: 1, 50: 1, 51: 2, 95: 2, 96: 3} {
		if got := uniform.Bin(x); got != bin {
			t.Errorf("Bin(%v) = %d, want %d", x, got, bin)
		}
	}
}

func TestCookeWeights(t *testing.T) {
	// Ten seed questions with realisation 50. Expert 0's medians straddle
	// it (well calibrated); expert 1 is narrow and always too high;
	// expert 2 is wide and honest.
	var good, biased, wide []forum.Quantiles
	var real []float64
	for j := range 10 {
		m := 48.0
		if j%2 == 1 {
			m = 52
		}
		good = append(good, forum.Quantiles{m - 10, m, m + 10})
		biased = append(biased, forum.Quantiles{60, 62, 64})
		wide = append(wide, forum.Quantiles{1, 50.5, 99})
		real = append(real, 50)
	}
	scores, err := forum.CookeWeights([][]forum.Quantiles{good, biased, wide}, real, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if scores[1].Weight != 0 || scores[1].Calibration >= 0.01 {
		t.Errorf("a biased expert has weight: %+v", scores[1])
	}
	if !(scores[0].Weight > scores[2].Weight && scores[0].Information > scores[2].Information) {
		t.Errorf("the informative calibrated expert does not lead: %+v", scores)
	}
	if sum := scores[0].Weight + scores[1].Weight + scores[2].Weight; math.Abs(sum-1) > 1e-12 {
		t.Errorf("weights sum to %g", sum)
	}
	if _, err := forum.CookeWeights([][]forum.Quantiles{biased}, real, 0.05); indivisible.ErrorCode(err) != indivisible.ECONFLICT {
		t.Errorf("nobody calibrated: %v", err)
	}
	if _, err := forum.CookeWeights([][]forum.Quantiles{{{3, 2, 1}}}, []float64{1}, 0); indivisible.ErrorField(err) != "answers[0][0]" {
		t.Errorf("decreasing quantiles: %v", err)
	}
	if _, err := forum.CookeWeights([][]forum.Quantiles{good}, real[:3], 0); indivisible.ErrorCode(err) != indivisible.EINVALID {
		t.Errorf("answers and seeds disagree: %v", err)
	}
}
