package web

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/i18n"
)

// calendar is the timeline of notified exercises, drawn on the server as
// SVG: one row per activity, a bar from its first to its last day, month
// ticks along the top and a line for today.
type calendar struct {
	Width, Height int
	LabelX        int // the right edge of the labels
	Months        []calTick
	Rows          []calRow
	// Today is the x of today's line, or -1 when today is off the axis.
	Today float64
}

type calTick struct {
	X     float64
	Label string
}

type calRow struct {
	Y, BarY  float64
	X, W     float64
	Index    int64
	Label    string
	Title    string
	Flagged  bool // a finding concerns the activity
	Findings string
}

const (
	calWidth  = 960
	calLabelW = 230
	calRowH   = 24
	calTop    = 28
)

// exercise is an activity on the calendar.
type exercise struct {
	index       int64
	participant string
	b           *indivisible.ExerciseNotification
}

// newCalendar lays out the exercise notifications in force (after
// corrections) of participant, or of everyone for "": as the notifying
// state or one of the participating states. findings are by entry.
func (h *handler) newCalendar(l *i18n.Localizer, decls []indivisible.DeclaredEntry, findings map[int64][]indivisible.Finding, participant string, now time.Time) calendar {
	var xs []exercise
	for _, d := range decls {
		if d.InForce == nil || d.InForce.Kind != indivisible.KindExerciseNotification {
			continue
		}
		b := d.InForce.ExerciseNotification
		if participant != "" && d.Participant != participant && !slices.Contains(b.ParticipatingStates, participant) {
			continue
		}
		xs = append(xs, exercise{d.Index, d.Participant, b})
	}
	c := calendar{Width: calWidth, LabelX: calLabelW - 8, Today: -1}
	if len(xs) == 0 {
		return c
	}
	slices.SortFunc(xs, func(a, b exercise) int {
		return cmp.Or(cmp.Compare(a.participant, b.participant), a.b.Start.Compare(b.b.Start), cmp.Compare(a.index, b.index))
	})
	lo, hi := xs[0].b.Start, xs[0].b.End
	for _, x := range xs {
		lo, hi = minTime(lo, x.b.Start), maxTime(hi, x.b.End)
	}
	// Whole months, from the first activity's month to the end of the last's.
	lo = time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, time.UTC)
	hi = time.Date(hi.Year(), hi.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	days := hi.Sub(lo).Hours() / 24
	plot := float64(calWidth - calLabelW - 10)
	x := func(t time.Time) float64 { return float64(calLabelW) + t.Sub(lo).Hours()/24/days*plot }
	months := int(days / 30)
	step := 1 + months/12 // at most about a dozen labels
	for i, m := 0, lo; m.Before(hi); i, m = i+1, m.AddDate(0, 1, 0) {
		t := calTick{X: x(m)}
		if i%step == 0 {
			t.Label = l.T("exchange.cal_month", "month", l.T("exchange.month_short."+strconv.Itoa(int(m.Month()))), "year", strconv.Itoa(m.Year()))
		}
		c.Months = append(c.Months, t)
	}
	if !now.Before(lo) && now.Before(hi) {
		c.Today = x(now)
	}
	for i, e := range xs {
		fs := findings[e.index]
		row := calRow{Y: float64(calTop + i*calRowH), BarY: float64(calTop+i*calRowH) + 4, X: x(e.b.Start), Index: e.index, Flagged: len(fs) > 0,
			// The last day counts whole.
			W:     max(x(e.b.End.AddDate(0, 0, 1))-x(e.b.Start), 3),
			Label: e.participant + " · " + cmp.Or(e.b.Name, l.T("exchange.unnamed")),
		}
		row.Title = l.T("exchange.cal_row_title", "name", cmp.Or(e.b.Name, l.T("exchange.unnamed_activity")), "index", strconv.FormatInt(e.index, 10),
			"start", e.b.Start.Format(time.DateOnly), "end", e.b.End.Format(time.DateOnly), "personnel", thousands(e.b.Personnel), "host", h.name(e.b.Host))
		for _, f := range fs {
			row.Findings += "; " + l.T("finding."+f.Rule)
		}
		row.Title += row.Findings
		c.Rows = append(c.Rows, row)
	}
	c.Height = calTop + len(xs)*calRowH + 8
	return c
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
