package web

import (
	"cmp"
	"math"
	"slices"

	"github.com/indivisible-eurasia/indivisible"
)

// barChart is a horizontal bar chart of the changes in annual risk, in
// percentage points, drawn by the server as SVG: no chart library to ship,
// and it shows without JavaScript. A rise (a loser) goes right in red, a
// fall (a gainer) left in blue.
type barChart struct {
	Width, Height float64
	Zero          float64 // x of the zero line
	Top           float64 // y of the first bar
	LabelX        float64 // right end of the names
	BarH          float64
	Bars          []bar
	// Hidden counts the states whose risk rises or falls beyond the
	// tolerance but are left out of the chart (the changes table lists
	// them all).
	Hidden int
}

// bar is one state's bar. X and W place the bar; TextX is where its value
// goes, just beyond the bar's end.
type bar struct {
	Y, X, W    float64
	Name       string
	Value      string
	Colour     string
	TextX      float64
	TextAnchor string
}

// Chart geometry, in SVG user units.
const (
	chartWidth   = 640
	chartLabelW  = 190 // the names' column
	chartMargin  = 16
	chartValueW  = 56 // room for a value beyond a bar's end
	chartRow     = 18
	chartBarH    = 13
	chartPerSide = 15 // the most rises, and falls, drawn
)

// The bars' colours: ColorBrewer RdBu's darker ends, both above 4.5:1
// against white. A gain in security is a fall in risk.
const (
	gainColour = "#2166ac"
	lossColour = "#b2182b"
)

// newBarChart charts the largest rises and falls of risk beyond the
// tolerance: the rises first, largest at the top, then the falls, largest
// at the bottom.
func newBarChart(a *indivisible.Assessment, name func(string) string) barChart {
	var rises, falls []indivisible.ParticipantResult
	for _, p := range a.Participants {
		switch {
		case p.Delta < -a.Tolerance:
			rises = append(rises, p)
		case p.Delta > a.Tolerance:
			falls = append(falls, p)
		}
	}
	byRisk := func(x, y indivisible.ParticipantResult) int {
		return cmp.Or(cmp.Compare(riskChange(y), riskChange(x)), cmp.Compare(x.Code, y.Code))
	}
	slices.SortFunc(rises, byRisk)
	slices.SortFunc(falls, byRisk)
	c := barChart{Width: chartWidth, Top: chartMargin, LabelX: chartLabelW - 6, BarH: chartBarH}
	if len(rises) > chartPerSide {
		c.Hidden += len(rises) - chartPerSide
		rises = rises[:chartPerSide]
	}
	if len(falls) > chartPerSide {
		c.Hidden += len(falls) - chartPerSide
		falls = falls[len(falls)-chartPerSide:]
	}
	shown := append(rises, falls...)
	lo, hi := 0.0, 0.0
	for _, p := range shown {
		lo, hi = math.Min(lo, riskChange(p)), math.Max(hi, riskChange(p))
	}
	if lo == hi {
		hi = 1
	}
	left, right := float64(chartLabelW+chartValueW), float64(chartWidth-chartValueW)
	x := func(v float64) float64 { return round1(left + (v-lo)/(hi-lo)*(right-left)) }
	c.Zero = x(0)
	for i, p := range shown {
		v := riskChange(p)
		b := bar{Y: c.Top + float64(i*chartRow), Name: name(p.Code), Value: ppText(v)}
		if v > 0 {
			b.X, b.W, b.Colour, b.TextX, b.TextAnchor = c.Zero, round1(x(v)-c.Zero), lossColour, x(v)+4, "start"
		} else {
			b.X, b.W, b.Colour, b.TextX, b.TextAnchor = x(v), round1(c.Zero-x(v)), gainColour, x(v)-4, "end"
		}
		c.Bars = append(c.Bars, b)
	}
	c.Height = c.Top + float64(len(shown)*chartRow) + chartMargin
	return c
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
