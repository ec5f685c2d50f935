package web

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/indivisible-eurasia/indivisible"
)

// barChart is a horizontal bar chart of the changes in security, drawn by
// the server as SVG: no chart library to ship, and it shows without
// JavaScript.
type barChart struct {
	Width, Height float64
	Zero          float64 // x of the zero line
	Top           float64 // y of the first bar
	LabelX        float64 // right end of the names
	BarH          float64
	Bars          []bar
	// Hidden counts the gainers and losers left out of the chart (the
	// changes table lists them all).
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
	chartPerSide = 15 // the most gainers, and losers, drawn
)

// The bars' colours: ColorBrewer RdBu's darker ends, both above 4.5:1
// against white.
const (
	gainColour = "#2166ac"
	lossColour = "#b2182b"
)

// newBarChart charts the largest gains and losses beyond the tolerance.
func newBarChart(a *indivisible.Assessment, name func(string) string) barChart {
	var gains, losses []indivisible.ParticipantResult
	for _, p := range a.Participants {
		switch {
		case p.Delta > a.Tolerance:
			gains = append(gains, p)
		case p.Delta < -a.Tolerance:
			losses = append(losses, p)
		}
	}
	byDelta := func(x, y indivisible.ParticipantResult) int {
		return cmp.Or(cmp.Compare(y.Delta, x.Delta), cmp.Compare(x.Code, y.Code))
	}
	slices.SortFunc(gains, byDelta)
	slices.SortFunc(losses, byDelta)
	c := barChart{Width: chartWidth, Top: chartMargin, LabelX: chartLabelW - 6, BarH: chartBarH}
	if len(gains) > chartPerSide {
		c.Hidden += len(gains) - chartPerSide
		gains = gains[:chartPerSide]
	}
	if len(losses) > chartPerSide {
		c.Hidden += len(losses) - chartPerSide
		losses = losses[len(losses)-chartPerSide:]
	}
	shown := append(gains, losses...)
	lo, hi := 0.0, 0.0
	for _, p := range shown {
		lo, hi = math.Min(lo, p.Delta), math.Max(hi, p.Delta)
	}
	if lo == hi {
		hi = 1
	}
	left, right := float64(chartLabelW+chartValueW), float64(chartWidth-chartValueW)
	x := func(v float64) float64 { return round1(left + (v-lo)/(hi-lo)*(right-left)) }
	c.Zero = x(0)
	for i, p := range shown {
		b := bar{Y: c.Top + float64(i*chartRow), Name: name(p.Code), Value: fmt.Sprintf("%+.4f", p.Delta)}
		if p.Delta > 0 {
			b.X, b.W, b.Colour, b.TextX, b.TextAnchor = c.Zero, round1(x(p.Delta)-c.Zero), gainColour, x(p.Delta)+4, "start"
		} else {
			b.X, b.W, b.Colour, b.TextX, b.TextAnchor = x(p.Delta), round1(c.Zero-x(p.Delta)), lossColour, x(p.Delta)-4, "end"
		}
		c.Bars = append(c.Bars, b)
	}
	c.Height = c.Top + float64(len(shown)*chartRow) + chartMargin
	return c
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
