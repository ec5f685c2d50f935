package indivisible

import (
	"maps"
	"slices"
	"strings"
)

// Words are what a description of a measure needs from its reader's
// surface: participants' names, quantities and sentences written for the
// reader.
type Words struct {
	// Name names a participant by its code.
	Name func(code string) string
	// Count writes a quantity ("1 250").
	Count func(v float64) string
	// Say renders a message of the catalogs (i18n.Localizer.T): the
	// sentences are the "measure.*" messages, and a component or CBM
	// kind is named by "component.X" or "cbm.X". A lookup that returns
	// its key (the catalogs lack it, as for a CBM kind a scenario
	// invents) falls back to the code's words ("military hotline").
	Say func(key string, pairs ...any) string
}

// Describe says what m does, in the reader's words: "Poland deploys 250
// battle tanks to Lithuania". The outcome documents and the pages use
// it, so that a measure reads the same wherever it is shown.
func (m *Measure) Describe(w Words) string {
	cat := w.Component(m.Category)
	q := w.Count(m.Quantity)
	switch m.Type {
	case MeasureHoldings:
		sign := "+"
		if m.Change < 0 {
			sign = ""
		}
		return w.Say("measure.holdings", "actor", w.Name(m.Actor), "category", cat, "change", sign+w.Count(m.Change))
	case MeasureDeploy:
		return w.Say("measure.deploy", "actor", w.Name(m.Actor), "quantity", q, "category", cat, "host", w.Name(m.Host))
	case MeasureWithdraw:
		return w.Say("measure.withdraw", "actor", w.Name(m.Actor), "quantity", q, "category", cat, "host", w.Name(m.Host))
	case MeasureTransfer:
		return w.Say("measure.transfer", "from", w.Name(m.From), "quantity", q, "category", cat, "to", w.Name(m.To))
	case MeasureJoin:
		return w.Say("measure.join", "actor", w.Name(m.Actor), "organisation", w.Name(m.Organisation))
	case MeasureLeave:
		return w.Say("measure.leave", "actor", w.Name(m.Actor), "organisation", w.Name(m.Organisation))
	case MeasureExercise:
		forces := m.ExerciseForces()
		var fs []string
		for _, c := range slices.Sorted(maps.Keys(forces)) {
			fs = append(fs, w.Say("measure.force", "quantity", w.Count(forces[c]), "category", w.Component(c)))
		}
		// A joint exercise has its own sentence: the verb's number
		// ("holds", "hold") follows the actors.
		key := "measure.exercise"
		if len(m.Actors) > 1 {
			key = "measure.exercise_joint"
		}
		s := w.Say(key, "actors", w.list(m.Actors), "host", w.Name(m.Host))
		if len(fs) > 0 {
			s += w.Say("measure.forces", "forces", strings.Join(fs, w.Say("measure.list_sep")))
		}
		return s
	case MeasureCBM:
		return w.Say("measure.cbm", "actors", w.list(m.Actors), "kind", w.CBM(m.Kind))
	}
	return w.Say("measure.unknown", "type", m.Type)
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
	return w.Say("measure.list_last", "init", strings.Join(ns[:len(ns)-1], w.Say("measure.list_sep")), "last", ns[len(ns)-1])
}

// Component names a component ("battle_tanks") in the reader's words.
func (w Words) Component(code string) string { return w.term("component.", code) }

// CBM names a kind of confidence-building measure ("hotline").
func (w Words) CBM(code string) string { return w.term("cbm.", code) }

// term names a component or CBM kind in the reader's words, or, where
// the catalogs have no name for it, as the code's words.
func (w Words) term(family, code string) string {
	if s := w.Say(family + code); s != family+code {
		return s
	}
	return strings.ReplaceAll(code, "_", " ")
}
