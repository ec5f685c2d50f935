package web

import (
	"math"
	"strconv"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// delphiChart is a Delphi question's round feedback drawn by the server
// as SVG: per round, the median as a dot on its interquartile range, the
// range of the answers as a thin line, and, for a signed-in expert, their
// own answer as a diamond beside it. The round table below it holds the
// same figures.
type delphiChart struct {
	Width, Height float64
	// The plot area.
	Left, Right, Top, Bottom float64
	Ticks                    []axisTick
	Rounds                   []roundMark
	// Title describes the chart for screen readers.
	Title string
}

type axisTick struct {
	Y     float64
	Label string
}

// roundMark is one round's column. Stats is false for the open round,
// which has no statistics yet (only, perhaps, the expert's own answer).
type roundMark struct {
	X     float64
	Label string
	Stats bool
	// The y of the minimum, first quartile, median, third quartile and
	// maximum.
	MinY, Q1Y, MedY, Q3Y, MaxY float64
	Median, IQR                string
	Own                        bool
	OwnY                       float64
	OwnValue                   string
	// Title is the column's tooltip.
	Title string
}

// Chart geometry, in SVG user units.
const (
	delphiWidth   = 560
	delphiHeight  = 280
	delphiLeft    = 64
	delphiRight   = 16
	delphiTop     = 16
	delphiBottom  = 40
	delphiMaxCols = 12 // rounds are few; a question stops after MaxRounds
)

// newDelphiChart charts q's finished rounds and the expert's own answers
// (own maps a round to the answer; nil or empty for everyone else). The
// value axis spans the answers with a margin, within the question's
// bounds, so that a narrowing consensus is visible rather than a dot on
// the whole range.
func newDelphiChart(l *i18n.Localizer, q *indivisible.Question, own map[int]float64) delphiChart {
	c := delphiChart{Width: delphiWidth, Height: delphiHeight, Left: delphiLeft, Right: delphiWidth - delphiRight,
		Top: delphiTop, Bottom: delphiHeight - delphiBottom}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range q.Rounds {
		lo, hi = math.Min(lo, s.Min), math.Max(hi, s.Max)
	}
	for _, v := range own {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo > hi {
		lo, hi = q.Min, q.Max
	}
	pad := math.Max((hi-lo)*0.15, (q.Max-q.Min)*0.02)
	lo, hi = math.Max(q.Min, lo-pad), math.Min(q.Max, hi+pad)
	if lo >= hi {
		lo, hi = q.Min, q.Max
	}
	step := niceStep((hi - lo) / 6) // four to seven ticks
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	y := func(v float64) float64 { return round1(c.Bottom - (v-lo)/(hi-lo)*(c.Bottom-c.Top)) }
	for v := lo; v <= hi+step/2; v += step {
		c.Ticks = append(c.Ticks, axisTick{y(v), strconv.FormatFloat(math.Round(v/step)*step, 'f', -1, 64)})
	}

	n := max(len(q.Rounds), q.Round)
	for r := range own {
		n = max(n, r)
	}
	n = min(max(n, 1), delphiMaxCols)
	col := (c.Right - c.Left) / float64(n)
	unit := ""
	if q.Unit != "" {
		unit = " " + q.Unit
	}
	for r := 1; r <= n; r++ {
		m := roundMark{X: round1(c.Left + col*(float64(r)-0.5)), Label: l.T("forum.question.round", "round", r)}
		if r <= len(q.Rounds) {
			s := q.Rounds[r-1]
			m.Stats = true
			m.MinY, m.Q1Y, m.MedY, m.Q3Y, m.MaxY = y(s.Min), y(s.Q1), y(s.Median), y(s.Q3), y(s.Max)
			m.Median, m.IQR = short(s.Median), short(s.IQR)
			m.Title = l.T("forum.question.chart_round", "round", r, "median", short(s.Median)+unit, "q1", short(s.Q1), "q3", short(s.Q3), "count", s.N)
		} else {
			m.Title = l.T("forum.question.chart_open", "round", r)
		}
		if v, ok := own[r]; ok {
			m.Own, m.OwnY, m.OwnValue = true, y(v), short(v)
			m.Title += l.T("forum.question.chart_own", "value", short(v)+unit)
		}
		c.Rounds = append(c.Rounds, m)
	}
	c.Title = l.T("forum.question.chart_title", "parameter", q.Parameter)
	return c
}

// niceStep rounds a raw step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// short writes a value rounded to four significant digits, without an
// exponent: 1800, 0.15, 12350.
func short(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	p := math.Pow(10, float64(3-int(math.Floor(math.Log10(math.Abs(v))))))
	return strconv.FormatFloat(math.Round(v*p)/p, 'f', -1, 64)
}
