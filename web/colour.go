package web

import (
	"fmt"
	"math"
)

// The map's palettes are computed here, not in the browser, so that the
// map, its legend and the tables' swatches agree, and the tables keep
// their colours without JavaScript.

// viridis is the sequential palette for security indices (van der Walt and
// Smith's matplotlib default): perceptually uniform, readable in greyscale
// and by the colour-blind.
var viridis = []rgb{
	{0x44, 0x01, 0x54}, {0x48, 0x28, 0x78}, {0x3e, 0x49, 0x89}, {0x31, 0x68, 0x8e}, {0x26, 0x82, 0x8e},
	{0x1f, 0x9e, 0x89}, {0x35, 0xb7, 0x79}, {0x6e, 0xce, 0x58}, {0xb5, 0xde, 0x2b}, {0xfd, 0xe7, 0x25},
}

// redBlue is ColorBrewer's diverging RdBu: losers red, gainers blue, no
// change a light grey that still stands out from the sea.
var redBlue = []rgb{
	{0x67, 0x00, 0x1f}, {0xb2, 0x18, 0x2b}, {0xd6, 0x60, 0x4d}, {0xf4, 0xa5, 0x82}, {0xfd, 0xdb, 0xc7},
	{0xf7, 0xf7, 0xf7}, {0xd1, 0xe5, 0xf0}, {0x92, 0xc5, 0xde}, {0x43, 0x93, 0xc3}, {0x21, 0x66, 0xac}, {0x05, 0x30, 0x61},
}

type rgb struct{ r, g, b float64 }

func (c rgb) String() string {
	return fmt.Sprintf("#%02x%02x%02x", int(math.Round(c.r)), int(math.Round(c.g)), int(math.Round(c.b)))
}

// at interpolates the palette at t in [0, 1] (clamped).
func at(p []rgb, t float64) rgb {
	t = math.Max(0, math.Min(1, t))
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

// sequentialScale spans the values' range, widened to tenths, so that the
// palette's full range is used and the legend has round ends.
func sequentialScale(values []float64) scale {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo > hi {
		lo, hi = 0, 1
	}
	lo, hi = math.Floor(lo*10)/10, math.Ceil(hi*10)/10
	if lo == hi {
		hi = lo + 0.1
	}
	return scale{viridis, lo, hi}
}

// divergingScale is symmetric about zero, spanning the largest change.
func divergingScale(values []float64) scale {
	m := 0.0
	for _, v := range values {
		m = math.Max(m, math.Abs(v))
	}
	if m == 0 {
		m = 1e-3
	}
	return scale{redBlue, -m, m}
}

func (s scale) colour(v float64) string {
	return at(s.palette, (v-s.lo)/(s.hi-s.lo)).String()
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
