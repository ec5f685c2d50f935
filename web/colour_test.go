package web

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/indivisible-eurasia/indivisible"
)

// anyFloat draws any float64, with the values that break arithmetic
// (NaN, the infinities, the extremes, zero and the subnormals) often.
var anyFloat = rapid.OneOf(
	rapid.Float64(),
	rapid.Float64Range(-200, 200),
	rapid.SampledFrom([]float64{math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 0, math.Copysign(0, -1)}),
)

var hexColour = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// TestScaleTotal checks that the colour scales are total over float64:
// whatever the values a scale is made from, its ends are finite and in
// order and cover every finite value, and every value gets a colour; a
// value that is not a number (NaN, an infinity) gets the no-data colour,
// and a finite one a colour of the palette.
func TestScaleTotal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		values := rapid.SliceOfN(anyFloat, 0, 8).Draw(t, "values")
		v := anyFloat.Draw(t, "v")
		for name, sc := range map[string]scale{"sequential": sequentialScale(values), "diverging": divergingScale(values)} {
			if math.IsNaN(sc.lo) || math.IsInf(sc.lo, 0) || math.IsNaN(sc.hi) || math.IsInf(sc.hi, 0) || !(sc.lo < sc.hi) {
				t.Fatalf("%s scale [%g, %g] of %v: ends not finite and in order", name, sc.lo, sc.hi, values)
			}
			for _, x := range values {
				if !math.IsNaN(x) && !math.IsInf(x, 0) && (x < sc.lo || x > sc.hi) {
					t.Fatalf("%s scale [%g, %g]: %g outside", name, sc.lo, sc.hi, x)
				}
			}
			c := sc.colour(v)
			if !hexColour.MatchString(c) {
				t.Fatalf("%s scale [%g, %g]: colour(%g) = %q", name, sc.lo, sc.hi, v, c)
			}
			if finite := !math.IsNaN(v) && !math.IsInf(v, 0); finite == (c == noData.String()) {
				t.Fatalf("%s scale [%g, %g]: colour(%g) = %s; no data is %s", name, sc.lo, sc.hi, v, c, noData)
			}
			sc.legend("t", percentTick)
		}
	})
}

// nanAssessor is an assessor whose numbers overflowed: the first state's
// change and risk after are NaN, the second's infinite.
type nanAssessor struct{ indivisible.Assessor }

func (n nanAssessor) Assess(ctx context.Context, p *indivisible.Proposal, tol float64) (*indivisible.Assessment, error) {
	a, err := n.Assessor.Assess(ctx, p, tol)
	if err != nil {
		return nil, err
	}
	a.Participants[0].Delta, a.Participants[0].After = math.NaN(), math.NaN()
	a.Participants[1].Delta = math.Inf(-1)
	return a, nil
}

// TestAssessNonFinite checks the Assess pages with an assessment that
// holds non-finite numbers: the page is drawn, the states without a
// number in the no-data colour, and the JSON download is a clean 500
// with an error page, never a partial or empty file.
func TestAssessNonFinite(t *testing.T) {
	deps := newDeps(t)
	deps.Assessor = nanAssessor{deps.Assessor}
	h := NewHandler(deps)
	proposal, err := os.ReadFile("../examples/05-caucasus-cbm.json")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"proposal": {string(proposal)}, "tolerance": {"0.0001"}}
	res, body := do(t, h, "POST", "/assess", form)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST /assess: status %d", res.StatusCode)
	}
	m := pageMap(t, body)
	nodata := 0
	for _, s := range m.States {
		if s.Colour == noData.String() {
			nodata++
		}
	}
	if nodata != 2 {
		t.Errorf("%d states in the no-data colour, want the 2 without a number", nodata)
	}
	res, body = do(t, h, "POST", "/assess/result.json", form)
	if res.StatusCode != http.StatusInternalServerError || res.Header.Get("Content-Disposition") != "" ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "internal error") {
		t.Errorf("download: status %d, headers %v, body %.200q; want a 500 error page", res.StatusCode, res.Header, body)
	}
}
