package indivisible

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Words are what a description of a measure needs from its reader's
// surface: participants' names and quantities written for the reader.
type Words struct {
	// Name names a participant by its code.
	Name func(code string) string
	// Count writes a quantity ("1 250").
	Count func(v float64) string
}

// Describe says what m does, in words: "Poland deploys 250 battle tanks
// to Lithuania". The outcome documents and the pages use it, so that a
// measure reads the same wherever it is shown.
func (m *Measure) Describe(w Words) string {
	cat := componentWords(m.Category)
	q := w.Count(m.Quantity)
	switch m.Type {
	case MeasureHoldings:
		sign := "+"
		if m.Change < 0 {
			sign = ""
		}
		return fmt.Sprintf("%s changes its %s by %s%s", w.Name(m.Actor), cat, sign, w.Count(m.Change))
	case MeasureDeploy:
		return fmt.Sprintf("%s deploys %s %s to %s", w.Name(m.Actor), q, cat, w.Name(m.Host))
	case MeasureWithdraw:
		return fmt.Sprintf("%s withdraws %s %s from %s", w.Name(m.Actor), q, cat, w.Name(m.Host))
	case MeasureTransfer:
		return fmt.Sprintf("%s transfers %s %s to %s", w.Name(m.From), q, cat, w.Name(m.To))
	case MeasureJoin:
		return fmt.Sprintf("%s joins %s", w.Name(m.Actor), w.Name(m.Organisation))
	case MeasureLeave:
		return fmt.Sprintf("%s leaves %s", w.Name(m.Actor), w.Name(m.Organisation))
	case MeasureExercise:
		verb := "holds"
		if len(m.Actors) > 1 {
			verb = "hold"
		}
		forces := m.ExerciseForces()
		var fs []string
		for _, c := range slices.Sorted(maps.Keys(forces)) {
			fs = append(fs, w.Count(forces[c])+" "+componentWords(c))
		}
		s := fmt.Sprintf("%s %s an exercise in %s", w.list(m.Actors), verb, w.Name(m.Host))
		if len(fs) > 0 {
			s += " (" + strings.Join(fs, ", ") + ")"
		}
		return s
	case MeasureCBM:
		return fmt.Sprintf("%s agree on %s", w.list(m.Actors), componentWords(m.Kind))
	}
	return "a measure of unknown type " + m.Type
}

// list names participants: "A", "A and B", "A, B and C".
func (w Words) list(codes []string) string {
	ns := make([]string, len(codes))
	for i, c := range codes {
		ns[i] = w.Name(c)
	}
	if len(ns) <= 1 {
		return strings.Join(ns, "")
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
}

// componentWords writes a component or CBM kind as words ("battle tanks").
func componentWords(c string) string { return strings.ReplaceAll(c, "_", " ") }
