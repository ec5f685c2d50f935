package score

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

// Curve is one model's ROC curve for PlotSVG.
type Curve struct {
	// Name labels the model in both panels' legends and in the tooltips.
	Name string
	// ROC is the curve, e.g. from ROC with a few hundred points.
	ROC []Point
	// AUC is shown in the legend.
	AUC float64
}

// palette is the Okabe–Ito colour-blind-safe palette, so that models remain
// distinguishable in print and for readers with colour-vision deficiency.
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"}

// Plot geometry, in SVG user units.
const (
	plotW, plotH   = 1000, 520
	panel          = 380 // side of each square plotting area
	panelTop       = 70
	leftX, rightX  = 70, 580
	markerRadius   = 4
	minLogDecades  = 1
	defaultLogLow  = 1e-4
	legendRowSpace = 16
)

// PlotSVG writes a self-contained SVG (no external fonts, stylesheets or
// scripts, so that it survives being mailed or embedded) with two panels:
// the ROC curves of every model with the chance diagonal and a legend giving
// each AUC; and a reliability diagram of the named curves' bins, observed
// rate against mean prediction on log–log axes (rare-event probabilities
// span decades that a linear axis would crush into one corner) with the
// diagonal of perfect calibration and each bin's counts as a tooltip
// <title>. Bins with no events cannot be placed on a log axis and are drawn
// hollow on the bottom edge, outside the connecting line. Text is
// XML-escaped; non-finite points are skipped. The only error returned is
// w's.
func PlotSVG(w io.Writer, title string, curves []Curve, bins map[string][]Bin) error {
	var b bytes.Buffer
	colour := map[string]string{}
	for i, c := range curves {
		if _, ok := colour[c.Name]; !ok {
			colour[c.Name] = palette[i%len(palette)]
		}
	}
	// Reliability series follow the curves' order, then any others sorted,
	// so that output is deterministic despite the map.
	var names []string
	for _, c := range curves {
		if _, ok := bins[c.Name]; ok && !slices.Contains(names, c.Name) {
			names = append(names, c.Name)
		}
	}
	var rest []string
	for name := range bins {
		if !slices.Contains(names, name) {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for i, name := range rest {
		if _, ok := colour[name]; !ok {
			colour[name] = palette[(len(curves)+i)%len(palette)]
		}
	}
	names = append(names, rest...)

	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", plotW, plotH, plotW, plotH)
	fmt.Fprintf(&b, "<title>%s</title>\n", esc(title))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", plotW, plotH)
	fmt.Fprintf(&b, `<text x="%d" y="28" font-size="16" text-anchor="middle">%s</text>`+"\n", plotW/2, esc(title))

	rocPanel(&b, curves, colour)
	reliabilityPanel(&b, names, bins, colour)

	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

func rocPanel(b *bytes.Buffer, curves []Curve, colour map[string]string) {
	x0, y0 := float64(leftX), float64(panelTop)
	px := func(v float64) float64 { return x0 + v*panel }
	py := func(v float64) float64 { return y0 + (1-v)*panel }
	fmt.Fprintf(b, `<g id="roc">`+"\n")
	fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle" font-size="14">ROC</text>`+"\n", f(x0+panel/2), f(y0-12))
	frame(b, x0, y0)
	for _, t := range []float64{0, 0.2, 0.4, 0.6, 0.8, 1} {
		label := strconv.FormatFloat(t, 'f', 1, 64)
		fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd"/>`+"\n", f(px(t)), f(y0), f(px(t)), f(y0+panel))
		fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd"/>`+"\n", f(x0), f(py(t)), f(x0+panel), f(py(t)))
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", f(px(t)), f(y0+panel+16), label)
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", f(x0-6), f(py(t)+4), label)
	}
	fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#888" stroke-dasharray="4 4"/>`+"\n", f(px(0)), f(py(0)), f(px(1)), f(py(1)))
	axisLabels(b, x0, y0, "false positive rate", "true positive rate")
	for _, c := range curves {
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="`, colour[c.Name])
		for _, p := range c.ROC {
			if finite(p.X) && finite(p.Y) {
				fmt.Fprintf(b, "%s,%s ", f(px(p.X)), f(py(p.Y)))
			}
		}
		fmt.Fprintf(b, `"><title>%s</title></polyline>`+"\n", esc(c.Name))
	}
	// Legend in the lower right, where ROC curves above the diagonal leave
	// room.
	ly := y0 + panel - 10 - float64(len(curves)-1)*legendRowSpace
	for i, c := range curves {
		yy := ly + float64(i)*legendRowSpace
		auc := "n/a"
		if finite(c.AUC) {
			auc = strconv.FormatFloat(c.AUC, 'f', 3, 64)
		}
		fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3"/>`+"\n", f(x0+panel-170), f(yy-4), f(x0+panel-150), f(yy-4), colour[c.Name])
		fmt.Fprintf(b, `<text x="%s" y="%s">%s (AUC %s)</text>`+"\n", f(x0+panel-145), f(yy), esc(c.Name), auc)
	}
	b.WriteString("</g>\n")
}

func reliabilityPanel(b *bytes.Buffer, names []string, bins map[string][]Bin, colour map[string]string) {
	x0, y0 := float64(rightX), float64(panelTop)
	// Axis range: whole decades around every positive mean and rate, the
	// same on both axes so that the diagonal is the 45° line.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, name := range names {
		for _, bin := range bins[name] {
			for _, v := range []float64{bin.MeanP, bin.Rate} {
				if v > 0 && finite(v) {
					lo, hi = min(lo, v), max(hi, v)
				}
			}
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = defaultLogLow, 1
	}
	dLo, dHi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if dHi-dLo < minLogDecades {
		dLo = dHi - minLogDecades
	}
	span := dHi - dLo
	px := func(v float64) float64 { return x0 + (math.Log10(v)-dLo)/span*panel }
	py := func(v float64) float64 {
		if v <= 0 {
			return y0 + panel
		}
		return y0 + (dHi-math.Log10(v))/span*panel
	}
	fmt.Fprintf(b, `<g id="reliability">`+"\n")
	fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle" font-size="14">Reliability (log–log)</text>`+"\n", f(x0+panel/2), f(y0-12))
	frame(b, x0, y0)
	for d := dLo; d <= dHi; d++ {
		v := math.Pow(10, d)
		label := strconv.FormatFloat(v, 'g', -1, 64)
		fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd"/>`+"\n", f(px(v)), f(y0), f(px(v)), f(y0+panel))
		fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd"/>`+"\n", f(x0), f(py(v)), f(x0+panel), f(py(v)))
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", f(px(v)), f(y0+panel+16), label)
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", f(x0-6), f(py(v)+4), label)
	}
	vLo, vHi := math.Pow(10, dLo), math.Pow(10, dHi)
	fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#888" stroke-dasharray="4 4"/>`+"\n", f(px(vLo)), f(py(vLo)), f(px(vHi)), f(py(vHi)))
	axisLabels(b, x0, y0, "mean predicted probability", "observed event rate")
	for _, name := range names {
		col := colour[name]
		var pts []Point
		for _, bin := range bins[name] {
			// The line joins only bins with events: a segment down to the
			// axis floor would suggest a rate that the floor does not have.
			if bin.MeanP > 0 && bin.Rate > 0 && finite(bin.MeanP) && finite(bin.Rate) {
				pts = append(pts, Point{bin.MeanP, bin.Rate})
			}
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="1.5" stroke-opacity="0.6" points="`, col)
		for _, p := range pts {
			fmt.Fprintf(b, "%s,%s ", f(px(p.X)), f(py(p.Y)))
		}
		b.WriteString(`"/>` + "\n")
		for i, bin := range bins[name] {
			if !(bin.MeanP > 0 && finite(bin.MeanP) && finite(bin.Rate)) {
				continue
			}
			fill := col
			note := ""
			if bin.Rate <= 0 {
				fill = "white"
				note = " (no events: drawn on the axis floor)"
			}
			fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="%d" fill="%s" stroke="%s"><title>%s</title></circle>`+"\n",
				f(px(bin.MeanP)), f(py(bin.Rate)), markerRadius, fill, col,
				esc(fmt.Sprintf("%s, bin %d: N=%d, events=%d, mean p=%.3g, observed rate=%.3g, p in [%.3g, %.3g]%s",
					name, i+1, bin.N, bin.Events, bin.MeanP, bin.Rate, bin.Lo, bin.Hi, note)))
		}
	}
	// Legend in the upper left, which calibrated points (near the diagonal)
	// leave empty.
	for i, name := range names {
		yy := y0 + 18 + float64(i)*legendRowSpace
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="%d" fill="%s"/>`+"\n", f(x0+14), f(yy-4), markerRadius, colour[name])
		fmt.Fprintf(b, `<text x="%s" y="%s">%s</text>`+"\n", f(x0+24), f(yy), esc(name))
	}
	b.WriteString("</g>\n")
}

func frame(b *bytes.Buffer, x0, y0 float64) {
	fmt.Fprintf(b, `<rect x="%s" y="%s" width="%d" height="%d" fill="none" stroke="#444"/>`+"\n", f(x0), f(y0), panel, panel)
}

func axisLabels(b *bytes.Buffer, x0, y0 float64, xl, yl string) {
	fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", f(x0+panel/2), f(y0+panel+36), xl)
	cx, cy := x0-48, y0+panel/2
	fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle" transform="rotate(-90 %s %s)">%s</text>`+"\n", f(cx), f(cy), f(cx), f(cy), yl)
}

// f formats a coordinate with two decimals, plenty at screen resolution and
// compact for curves of hundreds of points.
func f(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s)) // writes to a bytes.Buffer cannot fail
	return b.String()
}
