package web

import (
	"fmt"
	"math"
)

// The map's palettes are computed here, not in the browser, so that the
// map, its legend and the tables' swatches agree, and the tables keep
// their colours without JavaScript.

// ylOrRd is the sequential palette for annual risks: ColorBrewer's YlOrRd
// without its palest step (which would vanish against the grey of the
// countries outside the scenario). Low risk is pale yellow, high risk dark
// red, the alarming end; lightness falls monotonically, so it reads in
// greyscale and by the colour-blind.
var ylOrRd = []rgb{
	{0xff, 0xed, 0xa0}, {0xfe, 0xd9, 0x76}, {0xfe, 0xb2, 0x4c}, {0xfd, 0x8d, 0x3c},
	{0xfc, 0x4e, 0x2a}, {0xe3, 0x1a, 0x1c}, {0xbd, 0x00, 0x26}, {0x80, 0x00, 0x26},
}

// blueRed is ColorBrewer's diverging RdBu reversed, for changes in risk:
// a fall blue, a rise red, no change a light grey that still stands out
// from the sea.
var blueRed = []rgb{
	{0x05, 0x30, 0x61}, {0x21, 0x66, 0xac}, {0x43, 0x93, 0xc3}, {0x92, 0xc5, 0xde}, {0xd1, 0xe5, 0xf0},
	{0xf7, 0xf7, 0xf7}, {0xfd, 0xdb, 0xc7}, {0xf4, 0xa5, 0x82}, {0xd6, 0x60, 0x4d}, {0xb2, 0x18, 0x2b}, {0x67, 0x00, 0x1f},
}

// noData is the colour of a value that is not a number (NaN or an
// infinity): a mid grey, apart from both palettes and from the light grey
// of no change.
var noData = rgb{0x96, 0x96, 0x96}

type rgb struct{ r, g, b float64 }

func (c rgb) String() string {
	return fmt.Sprintf("#%02x%02x%02x", int(math.Round(c.r)), int(math.Round(c.g)), int(math.Round(c.b)))
}

// at interpolates the palette at t in [0, 1] (clamped; NaN counts as 0,
// so that no t indexes outside the palette).
func at(p []rgb, t float64) rgb {
	if !(t > 0) {
		t = 0
	}
	t = math.Min(1, t)
	x := t * float64(len(p)-1)
	i := int(x)
	if i >= len(p)-1 {
		return p[len(p)-1]
	}
	f := x - float64(i)
	a, b := p[i], p[i+1]
	return rgb{a.r + (b.r-a.r)*f, a.g + (b.g-a.g)*f, a.b + (b.b-a.b)*f}
}

// scale maps values to colours.
type scale struct {
	palette []rgb
	lo, hi  float64
}

// finite reports whether v is a number (not NaN, not an infinity).
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// sequentialScale spans the finite values' range on the risk palette,
// widened to a multiple of four round steps (1, 2, 2.5 or 5 times a power
// of ten), so that the palette's full range is used and the legend's five
// ticks are round numbers. Values that are not numbers have no place on
// it (colour gives them the no-data colour).
func sequentialScale(values []float64) scale {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if finite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo > hi {
		lo, hi = 0, 1
	}
	// Each round step is at least 1.25 times the one before, so a few
	// suffice; only a range near the largest float64 runs out of them.
	for step := roundStep((hi - lo) / 4); finite(step); step = roundStep(step * 1.01) {
		l := math.Floor(lo/step) * step
		if u := l + 4*step; finite(l) && finite(u) && l <= lo && u >= hi && l < u {
			return scale{ylOrRd, l, u}
		}
	}
	if lo == hi {
		lo = math.Nextafter(hi, math.Inf(-1))
	}
	return scale{ylOrRd, lo, hi}
}

// roundStep returns the smallest of 1, 2, 2.5 and 5 times a power of ten
// that is at least x (and positive).
func roundStep(x float64) float64 {
	if !(x > 0) {
		return 0.1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= x*(1-1e-12) {
			return m * p
		}
	}
	return 10 * p
}

// divergingScale is symmetric about zero, spanning the largest change.
func divergingScale(values []float64) scale {
	m := 0.0
	for _, v := range values {
		if finite(v) {
			m = math.Max(m, math.Abs(v))
		}
	}
	if m == 0 {
		m = 1e-3
	}
	return scale{blueRed, -m, m}
}

// colour is v's colour on the scale, and the no-data colour for a value
// that is not a number. It is total: every float64 has a colour.
func (s scale) colour(v float64) string {
	if !finite(v) {
		return noData.String()
	}
	// In halves, so that a range wider than the largest float64 does not
	// overflow; halving is exact, so the result is the same.
	return at(s.palette, (v/2-s.lo/2)/(s.hi/2-s.lo/2)).String()
}

// legend is a colour bar drawn by the server as SVG.
type legend struct {
	Title       string
	Left, Width float64 // the colour bar's place
	Stops       []legendStop
	Ticks       []legendTick
}

type legendStop struct {
	Offset string
	Colour string
}

type legendTick struct {
	X     float64 // in the legend's SVG user units
	Label string
}

// The colour bar's place in the legend's SVG user units.
const (
	legendLeft  = 28
	legendWidth = 240
)

func (s scale) legend(title string, format func(float64) string) legend {
	l := legend{Title: title, Left: legendLeft, Width: legendWidth}
	for i := range s.palette {
		t := float64(i) / float64(len(s.palette)-1)
		l.Stops = append(l.Stops, legendStop{fmt.Sprintf("%.0f%%", t*100), s.palette[i].String()})
	}
	for i := range 5 {
		t := float64(i) / 4
		l.Ticks = append(l.Ticks, legendTick{legendLeft + t*legendWidth, format(s.lo + t*(s.hi-s.lo))})
	}
	return l
}
