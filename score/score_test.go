package score_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/score"
	"pgregory.net/rapid"
)

// naiveAUC counts every (event, non-event) pair: 1 if the event scores
// higher, ½ if tied.
func naiveAUC(p []float64, y []bool) float64 {
	var wins, pairs float64
	for i := range p {
		if !y[i] {
			continue
		}
		for j := range p {
			if y[j] {
				continue
			}
			pairs++
			switch {
			case p[i] > p[j]:
				wins++
			case p[i] == p[j]:
				wins += 0.5
			}
		}
	}
	return wins / pairs
}

// drawScores draws n scores from a handful of values, so that ties are
// common, or continuous ones.
func drawScores(t *rapid.T, n int) []float64 {
	tied := rapid.Bool().Draw(t, "tied")
	p := make([]float64, n)
	for i := range p {
		if tied {
			p[i] = float64(rapid.IntRange(0, 4).Draw(t, "level")) / 4
		} else {
			p[i] = rapid.Float64Range(0, 1).Draw(t, "p")
		}
	}
	return p
}

func TestAUCMatchesPairCount(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(0, 60).Draw(rt, "n")
		p := drawScores(rt, n)
		y := rapid.SliceOfN(rapid.Bool(), n, n).Draw(rt, "y")
		got, want := score.AUC(p, y), naiveAUC(p, y)
		if math.IsNaN(want) {
			if !math.IsNaN(got) {
				rt.Fatalf("AUC %g, want NaN", got)
			}
			return
		}
		if math.Abs(got-want) > 1e-12 {
			rt.Fatalf("AUC %.15g, pair count %.15g", got, want)
		}
	})
}

// TestAUCLarge compares with the pair count on a set large enough for the
// radix-sorted path, with heavy ties.
func TestAUCLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	n := 3000
	p := make([]float64, n)
	y := make([]bool, n)
	for i := range p {
		y[i] = r.Float64() < 0.1
		p[i] = float64(r.IntN(40)) / 40
		if y[i] {
			p[i] += float64(r.IntN(3)) / 40
		}
	}
	if got, want := score.AUC(p, y), naiveAUC(p, y); math.Abs(got-want) > 1e-12 {
		t.Errorf("AUC %.15g, pair count %.15g", got, want)
	}
}

func TestAUCSmall(t *testing.T) {
	// Events at 0.8 and 0.35 against non-events at 0.1 and 0.4: of the four
	// pairs the events win (0.8,0.1), (0.8,0.4), (0.35,0.1) → 3/4.
	if got := score.AUC([]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}); got != 0.75 {
		t.Errorf("AUC %g, want 0.75", got)
	}
	if got := score.AUC([]float64{0.5, 0.5}, []bool{true, false}); got != 0.5 {
		t.Errorf("tied AUC %g, want 0.5", got)
	}
	if got := score.AUC([]float64{0.1, math.NaN()}, []bool{true, false}); !math.IsNaN(got) {
		t.Errorf("AUC with NaN score = %g", got)
	}
}

func TestPRAUC(t *testing.T) {
	// scikit-learn's example: scores [0.1, 0.4, 0.35, 0.8], labels
	// [0, 0, 1, 1]. From the top threshold down:
	//   0.8  (event):     TP=1 FP=0, P=1,   R=½  → (½−0)·1   = 0.5
	//   0.4  (non-event): TP=1 FP=1, P=½,   R=½  → (½−½)·½   = 0
	//   0.35 (event):     TP=2 FP=1, P=⅔,   R=1  → (1−½)·⅔   = ⅓
	//   0.1  (non-event): TP=2 FP=2, P=½,   R=1  → 0
	// AP = 0.5 + ⅓ = 0.8333…
	got := score.PRAUC([]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true})
	if math.Abs(got-5.0/6) > 1e-15 {
		t.Errorf("AP %.16g, want 5/6", got)
	}
	// Ties form one threshold: scores [0.5, 0.5, 0.2], labels [1, 0, 1].
	//   0.5 (one event, one non-event): TP=1 FP=1, P=½, R=½ → ¼
	//   0.2 (event):                    TP=2 FP=1, P=⅔, R=1 → ½·⅔ = ⅓
	// AP = ¼ + ⅓ = 7/12, whichever order the tied rows come in.
	for _, p := range [][]float64{{0.5, 0.5, 0.2}, {0.5, 0.5, 0.2}} {
		for _, y := range [][]bool{{true, false, true}, {false, true, true}} {
			if got := score.PRAUC(p, y); math.Abs(got-7.0/12) > 1e-15 {
				t.Errorf("tied AP %.16g, want 7/12", got)
			}
		}
	}
	// All scores tied: one threshold at recall 1 with the base rate as
	// precision.
	if got := score.PRAUC([]float64{0.3, 0.3, 0.3, 0.3}, []bool{true, false, false, false}); got != 0.25 {
		t.Errorf("all-tied AP %g, want 0.25", got)
	}
	if got := score.PRAUC([]float64{0.3, 0.4}, []bool{false, false}); !math.IsNaN(got) {
		t.Errorf("AP without events %g, want NaN", got)
	}
}

func TestBrierLogLoss(t *testing.T) {
	p := []float64{0.9, 0.2, 0.6}
	y := []bool{true, false, false}
	// Brier: ((1−0.9)² + 0.2² + 0.6²)/3 = (0.01 + 0.04 + 0.36)/3 = 0.41/3.
	if got := score.Brier(p, y); math.Abs(got-0.41/3) > 1e-15 {
		t.Errorf("Brier %.16g, want %.16g", got, 0.41/3)
	}
	// Log loss: −(ln 0.9 + ln 0.8 + ln 0.4)/3
	//         = (0.1053605 + 0.2231436 + 0.9162907)/3 = 0.4149316.
	if got := score.LogLoss(p, y); math.Abs(got-0.41493159961539694) > 1e-12 {
		t.Errorf("LogLoss %.16g", got)
	}
	// Clipping: certain misses cost −ln(1e-15) = 34.5388 each (up to the
	// rounding of 1−1e-15 to a double), certain hits about 1e-15; two of
	// each over four rows average 17.27.
	if got := score.LogLoss([]float64{0, 1, 1, 0}, []bool{true, false, true, false}); math.Abs(got-(-math.Log(1e-15)/2)) > 1e-3 {
		t.Errorf("clipped LogLoss %g, want %g", got, -math.Log(1e-15)/2)
	}
	if !math.IsNaN(score.Brier(nil, nil)) || !math.IsNaN(score.LogLoss(nil, nil)) {
		t.Error("empty input should give NaN")
	}
}

func TestReliability(t *testing.T) {
	// Seven rows in three equal-count bins: sizes 3, 2, 2 (the first
	// 7 mod 3 = 1 bin takes the extra row).
	p := []float64{0.6, 0.05, 0.3, 0.2, 0.5, 0.1, 0.4}
	y := []bool{true, false, false, true, false, false, true}
	got := score.Reliability(p, y, 3)
	want := []score.Bin{
		// {0.05, 0.1, 0.2}: mean 0.35/3, one event (0.2) of three.
		{Lo: 0.05, Hi: 0.2, MeanP: (0.05 + 0.1 + 0.2) / 3, Rate: 1.0 / 3, N: 3, Events: 1},
		// {0.3, 0.4}: mean 0.35, one event (0.4).
		{Lo: 0.3, Hi: 0.4, MeanP: 0.35, Rate: 0.5, N: 2, Events: 1},
		// {0.5, 0.6}: mean 0.55, one event (0.6).
		{Lo: 0.5, Hi: 0.6, MeanP: 0.55, Rate: 0.5, N: 2, Events: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d bins", len(got))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Lo != w.Lo || g.Hi != w.Hi || g.N != w.N || g.Events != w.Events ||
			math.Abs(g.MeanP-w.MeanP) > 1e-15 || math.Abs(g.Rate-w.Rate) > 1e-15 {
			t.Errorf("bin %d: %+v, want %+v", i, g, w)
		}
	}
	if n := len(score.Reliability(p, y, 20)); n != 7 {
		t.Errorf("bins capped at rows: %d", n)
	}
	if score.Reliability(nil, nil, 10) != nil {
		t.Error("no rows should give no bins")
	}
}

// TestWeightedAUCIsDuplication checks that integer weights act as copies of
// the rows, for WeightedAUC and for Ranked.AUC.
func TestWeightedAUCIsDuplication(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 40).Draw(rt, "n")
		p := drawScores(rt, n)
		y := rapid.SliceOfN(rapid.Bool(), n, n).Draw(rt, "y")
		w := make([]float64, n)
		var dp []float64
		var dy []bool
		for i := range n {
			c := rapid.IntRange(0, 3).Draw(rt, "w")
			w[i] = float64(c)
			for range c {
				dp = append(dp, p[i])
				dy = append(dy, y[i])
			}
		}
		order := make([]int32, n)
		for i := range order {
			order[i] = int32(i)
		}
		// A deliberately naive sort, independent of the package's.
		for i := range order {
			for j := i + 1; j < n; j++ {
				if p[order[j]] < p[order[i]] {
					order[i], order[j] = order[j], order[i]
				}
			}
		}
		got, want := score.WeightedAUC(order, p, y, w), score.AUC(dp, dy)
		if math.IsNaN(want) != math.IsNaN(got) || math.Abs(got-want) > 1e-12 {
			rt.Fatalf("weighted %g, duplicated %g", got, want)
		}
		if math.IsNaN(want) {
			return
		}
		r, err := score.NewRanked([][]float64{p}, y)
		if err != nil {
			rt.Fatal(err)
		}
		if got := r.AUC(0, w); math.Abs(got-want) > 1e-12 {
			rt.Fatalf("Ranked.AUC %g, duplicated %g", got, want)
		}
	})
}

func trapezoid(pts []score.Point) float64 {
	a := 0.0
	for i := 1; i < len(pts); i++ {
		a += (pts[i].X - pts[i-1].X) * (pts[i].Y + pts[i-1].Y) / 2
	}
	return a
}

func TestROC(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	n := 20000
	p := make([]float64, n)
	y := make([]bool, n)
	for i := range p {
		y[i] = r.Float64() < 0.05
		s := r.NormFloat64()
		if y[i] {
			s += 1.2
		}
		p[i] = math.Round(s*50) / 50 // coarse, so that there are ties
	}
	auc := score.AUC(p, y)
	full := score.ROC(p, y, 0)
	// Trapezoids over tie groups are the one-half rule, so the area is the
	// AUC exactly (up to rounding).
	if a := trapezoid(full); math.Abs(a-auc) > 1e-12 {
		t.Errorf("area %.15g, AUC %.15g", a, auc)
	}
	for _, maxPoints := range []int{2, 3, 10, 50, 200} {
		thin := score.ROC(p, y, maxPoints)
		if len(thin) > maxPoints || thin[0] != (score.Point{}) || thin[len(thin)-1] != (score.Point{X: 1, Y: 1}) {
			t.Errorf("maxPoints %d: %d points from %v to %v", maxPoints, len(thin), thin[0], thin[len(thin)-1])
		}
		for i := 1; i < len(thin); i++ {
			if thin[i].X < thin[i-1].X || thin[i].Y < thin[i-1].Y {
				t.Fatalf("maxPoints %d: not monotone at %d", maxPoints, i)
			}
		}
		if maxPoints >= 10 {
			if a := trapezoid(thin); math.Abs(a-auc) > 2/float64(maxPoints-1) {
				t.Errorf("maxPoints %d: area %g drifts from AUC %g", maxPoints, a, auc)
			}
		}
	}
	if score.ROC([]float64{0.1}, []bool{true}, 10) != nil {
		t.Error("ROC without non-events should be nil")
	}
}

// synthetic returns n rows in C clusters with ~6% events and M models whose
// scores mix a shared cluster effect, the outcome and noise of decreasing
// size, so that the models have distinct, correlated AUCs.
func synthetic(seed uint64, n, C, M int) ([][]float64, []bool, []int32) {
	r := rand.New(rand.NewPCG(seed, 3))
	effect := make([]float64, C)
	for i := range effect {
		effect[i] = r.NormFloat64()
	}
	y := make([]bool, n)
	cluster := make([]int32, n)
	latent := make([]float64, n)
	for i := range y {
		c := r.IntN(C)
		cluster[i] = int32(c)
		latent[i] = effect[c] + r.NormFloat64()
		y[i] = latent[i] > 2.2
	}
	models := make([][]float64, M)
	for m := range models {
		noise := 1.5 / float64(m+1)
		models[m] = make([]float64, n)
		for i := range y {
			models[m][i] = 1 / (1 + math.Exp(-(latent[i] + noise*r.NormFloat64() - 3)))
		}
	}
	return models, y, cluster
}

func TestBootstrap(t *testing.T) {
	models, y, cluster := synthetic(1, 6000, 300, 3)
	run := func(procs int, seed uint64) *score.Boot {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		b, err := score.Bootstrap(models, y, cluster, 300, seed, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := run(1, 42), run(4, 42)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different GOMAXPROCS:\n%+v\n%+v", a, b)
	}
	if c := run(2, 43); reflect.DeepEqual(a, c) {
		t.Error("different seeds gave identical intervals")
	}
	if a.B != 300 || a.Skipped != 0 {
		t.Errorf("B %d skipped %d", a.B, a.Skipped)
	}
	for m := range models {
		full := score.AUC(models[m], y)
		iv := a.AUC[m]
		if !(iv.Lo < full && full < iv.Hi) || iv.Hi-iv.Lo > 0.2 {
			t.Errorf("model %d: AUC %g, interval %+v", m, full, iv)
		}
		for o := range models {
			d := a.Diff[m][o]
			if o == m {
				if d != (score.Interval{}) {
					t.Errorf("Diff[%d][%d] = %+v", m, o, d)
				}
				continue
			}
			fd := full - score.AUC(models[o], y)
			if !(d.Lo < fd && fd < d.Hi) {
				t.Errorf("Diff[%d][%d]: %g not in %+v", m, o, fd, d)
			}
			// The percentile interval of −x is the negated interval of x.
			if r := a.Diff[o][m]; math.Abs(r.Lo+d.Hi) > 1e-12 || math.Abs(r.Hi+d.Lo) > 1e-12 {
				t.Errorf("Diff[%d][%d] %+v is not −Diff[%d][%d] %+v", o, m, r, m, o, d)
			}
		}
	}
	// Less noise ranks better, and the paired difference resolves it.
	if !(a.Diff[2][0].Lo > 0) {
		t.Errorf("Diff[2][0] = %+v, expected above 0", a.Diff[2][0])
	}
}

// TestBootstrapClusters checks that resampling clusters, not rows, is what
// happens: when every cluster is ten identical copies of a row, the cluster
// interval must be about √10 times the row interval.
func TestBootstrapClusters(t *testing.T) {
	base, by, _ := synthetic(2, 1500, 1500, 1)
	var p []float64
	var y []bool
	var cl []int32
	for i := range by {
		for range 10 {
			p = append(p, base[0][i])
			y = append(y, by[i])
			cl = append(cl, int32(i))
		}
	}
	rows, err := score.Bootstrap([][]float64{p}, y, nil, 400, 7, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	clusters, err := score.Bootstrap([][]float64{p}, y, cl, 400, 7, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	wr, wc := rows.AUC[0].Hi-rows.AUC[0].Lo, clusters.AUC[0].Hi-clusters.AUC[0].Lo
	if ratio := wc / wr; ratio < 2.2 || ratio > 4.5 {
		t.Errorf("cluster/row interval width ratio %g, want about √10", ratio)
	}
}

func TestBootstrapErrors(t *testing.T) {
	models, y, cluster := synthetic(3, 100, 10, 2)
	cases := []struct {
		name    string
		models  [][]float64
		y       []bool
		cluster []int32
		B       int
		level   float64
		field   string
	}{
		{"no models", nil, y, cluster, 10, 0.9, "models"},
		{"short model", [][]float64{models[0][:50]}, y, cluster, 10, 0.9, "models[0]"},
		{"NaN", [][]float64{append([]float64{math.NaN()}, models[0][1:]...)}, y, cluster, 10, 0.9, "models[0]"},
		{"no events", models, make([]bool, 100), cluster, 10, 0.9, "y"},
		{"cluster length", models, y, cluster[:5], 10, 0.9, "cluster"},
		{"negative cluster", models, y, append([]int32{-1}, cluster[1:]...), 10, 0.9, "cluster"},
		{"B", models, y, cluster, 0, 0.9, "B"},
		{"level", models, y, cluster, 10, 1, "level"},
	}
	for _, c := range cases {
		_, err := score.Bootstrap(c.models, c.y, c.cluster, c.B, 1, c.level)
		if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != c.field {
			t.Errorf("%s: error %v, want EINVALID at %s", c.name, err, c.field)
		}
	}
	// Sparse ids are clusters too.
	sparse := make([]int32, len(cluster))
	for i, c := range cluster {
		sparse[i] = c*1_000_000 + 5
	}
	a, err := score.Bootstrap(models, y, sparse, 50, 9, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := score.Bootstrap(models, y, cluster, 50, 9, 0.9)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("relabelled clusters changed the result:\n%+v\n%+v", a, b)
	}
}

func TestPlotSVG(t *testing.T) {
	models, y, _ := synthetic(4, 5000, 100, 2)
	names := []string{"Gravity & <distance>", `"Alliance" model`}
	var curves []score.Curve
	bins := map[string][]score.Bin{}
	for m, p := range models {
		curves = append(curves, score.Curve{Name: names[m], ROC: score.ROC(p, y, 100), AUC: score.AUC(p, y)})
		bins[names[m]] = score.Reliability(p, y, 10)
	}
	bins["extra bins only"] = []score.Bin{{Lo: 0.001, Hi: 0.002, MeanP: 0.0015, Rate: 0, N: 40}}
	var buf bytes.Buffer
	if err := score.PlotSVG(&buf, "Dispute <forecasts> & AUC", curves, bins); err != nil {
		t.Fatal(err)
	}
	// It must be well-formed XML, and the names must come back intact from
	// the character data once unescaped.
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	var text strings.Builder
	root := ""
	tooltips := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("invalid XML: %v\n%s", err, buf.String())
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			if tok.Name.Local == "title" {
				tooltips++
			}
		case xml.CharData:
			text.Write(tok)
		}
	}
	if root != "svg" {
		t.Errorf("root element %q", root)
	}
	for _, want := range append(names, "extra bins only", "Dispute <forecasts> & AUC", "AUC 0.") {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
	// One document title, one per ROC curve, one per bin.
	if want := 1 + 2 + 10 + 10 + 1; tooltips != want {
		t.Errorf("%d <title> elements, want %d", tooltips, want)
	}
	for _, bad := range []string{"<script", "@import", "href=\"http", "url("} {
		if strings.Contains(buf.String(), bad) {
			t.Errorf("SVG is not self-contained: contains %q", bad)
		}
	}
	if err := score.PlotSVG(failWriter{}, "x", curves, bins); err == nil {
		t.Error("write error not returned")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

const benchRows, benchModels = 400_000, 4

var benchSet = func() func() ([][]float64, []bool, []int32) {
	var models [][]float64
	var y []bool
	var cl []int32
	return func() ([][]float64, []bool, []int32) {
		if models == nil {
			// Dyad-years: 20 rows per cluster.
			models, y, cl = synthetic(99, benchRows, benchRows/20, benchModels)
		}
		return models, y, cl
	}
}()

func BenchmarkAUC(b *testing.B) {
	models, y, _ := benchSet()
	for b.Loop() {
		score.AUC(models[0], y)
	}
}

func BenchmarkBootstrap(b *testing.B) {
	models, y, cl := benchSet()
	for b.Loop() {
		if _, err := score.Bootstrap(models, y, cl, 200, 1, 0.95); err != nil {
			b.Fatal(err)
		}
	}
}
