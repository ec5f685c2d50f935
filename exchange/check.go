package exchange

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/indivisible-eurasia/indivisible"
)

// Rule identifiers, as they appear in findings.
const (
	// RuleInvalidEntry: a declaration entry of the log that does not parse,
	// or whose participant differs from the entry's.
	RuleInvalidEntry = "invalid_entry"
	// RuleInvalidCorrection: a correction of an entry that does not exist,
	// comes later, is a correction, or belongs to someone else or to
	// another kind.
	RuleInvalidCorrection = "invalid_correction"
	// RuleDuplicate: a second annual exchange (or contribution to the same
	// organisation) for the same year, filed instead of a correction. The
	// latest counts.
	RuleDuplicate = "duplicate_declaration"
	// RuleLateNotification: a notifiable activity notified after its due
	// date but before it ended.
	RuleLateNotification = "late_notification"
	// RuleNotNotified: a notifiable activity that was over before any
	// notification of a notifiable size was on the log.
	RuleNotNotified = "not_notified"
	// RuleNotObserved: an activity subject to observation to which
	// observers were not invited.
	RuleNotObserved = "observers_not_invited"
	// RuleNearThreshold: repeated activities of one participant within the
	// band below the same threshold in a calendar year.
	RuleNearThreshold = "near_threshold"
	// RuleConstraint: more activities of a class than a constraining
	// provision allows.
	RuleConstraint = "constraint_exceeded"
	// RuleLateAnnualExchange: an annual exchange filed after its due date.
	RuleLateAnnualExchange = "late_annual_exchange"
	// RuleCeiling: holdings above an agreed ceiling.
	RuleCeiling = "ceiling_exceeded"
	// RuleAnnualInconsistent: an annual exchange that differs from the
	// previous year's plus the participant's reported transfers by more
	// than the tolerance.
	RuleAnnualInconsistent = "annual_exchange_inconsistent"
	// RuleContribution: contributions to collective forces larger than the
	// holdings declared in the annual exchange of the same year.
	RuleContribution = "contribution_exceeds_holdings"
	// RuleMirrorMismatch: the exporter's and the importer's reports of the
	// same transfers give different quantities.
	RuleMirrorMismatch = "transfer_mirror_mismatch"
	// RuleMirrorMissing: one side reported transfers for a year, the other
	// had not by the due date.
	RuleMirrorMissing = "transfer_mirror_missing"
)

// Rules lists every rule identifier.
var Rules = []string{RuleInvalidEntry, RuleInvalidCorrection, RuleDuplicate, RuleLateNotification, RuleNotNotified,
	RuleNotObserved, RuleNearThreshold, RuleConstraint, RuleLateAnnualExchange, RuleCeiling, RuleAnnualInconsistent,
	RuleContribution, RuleMirrorMismatch, RuleMirrorMissing}

// Check evaluates the regime's rules over the log's entries and returns the
// findings, sorted by the entries involved, then rule, participants and
// message. It is a pure function of the regime and the entries' indexes,
// times, participants and bodies: anyone holding the public log can
// recompute the findings, and the order of entries does not matter.
// Entries other than declarations (such as key registrations) only count
// for the time the log has reached.
func Check(r *Regime, entries []indivisible.Entry) []indivisible.Finding {
	return stateOf(entries).Findings(r)
}

// stateOf builds the State of a set of entries given in any order.
func stateOf(entries []indivisible.Entry) *State {
	es := slices.Clone(entries)
	slices.SortFunc(es, func(a, b indivisible.Entry) int { return cmp.Compare(a.Index, b.Index) })
	st := NewState()
	for _, e := range es {
		st.Add(e)
	}
	return st
}

// State is the exchange's view of a log: every declaration entry parsed
// once, with each correction applied as it arrives. Entries are added in
// index order, so a service can keep one State and add entries as the log
// grows instead of reparsing the log for every submission. A State is not
// safe for concurrent use.
type State struct {
	next    int64     // the index the next entry must have
	asOf    time.Time // the latest entry time: the log's "now"
	byIndex map[int64]*record
	invalid map[int64]bool // declaration entries that do not parse
	order   []*record
	// filed are all the declaration entries, oldest first, those that do
	// not parse with a nil decl.
	filed     []*record
	withdrawn map[int64]bool
	// problems are the findings about the entries themselves (invalid
	// entries and corrections), found as they are added.
	problems []indivisible.Finding
	// forward are corrections of entries after them, which cannot apply;
	// their findings name the target once it is in the log.
	forward []*record
}

// NewState returns the state of an empty log.
func NewState() *State {
	return &State{byIndex: map[int64]*record{}, invalid: map[int64]bool{}, withdrawn: map[int64]bool{}}
}

// Size is the number of entries added: the index the next one must have.
func (s *State) Size() int64 { return s.next }

// Add takes the log's next entry. Entries other than declarations (such as
// key registrations) only count for the time the log has reached.
func (s *State) Add(e indivisible.Entry) {
	s.next = e.Index + 1
	if e.Time.After(s.asOf) {
		s.asOf = e.Time
	}
	if e.Kind != indivisible.KindDeclaration {
		return
	}
	c := &checker{}
	d, err := Parse(e.Body, nil)
	if err == nil && d.Participant != e.Participant {
		err = indivisible.Invalid("participant", "%q differs from the entry's participant %q", d.Participant, e.Participant)
	}
	if err != nil {
		c.add(RuleInvalidEntry, "", []int64{e.Index}, "finding.invalid_entry.message",
			map[string]string{"entry": fmt.Sprint(e.Index), "error": err.Error()}, e.Participant)
		s.problems = append(s.problems, c.findings...)
		s.invalid[e.Index] = true
		s.filed = append(s.filed, &record{index: e.Index, entries: []int64{e.Index}, time: e.Time, participant: e.Participant})
		return
	}
	rec := &record{index: e.Index, entries: []int64{e.Index}, time: e.Time, participant: e.Participant, decl: d,
		versions: []version{{e.Time, d}}}
	s.byIndex[e.Index] = rec
	s.order = append(s.order, rec)
	s.filed = append(s.filed, rec)
	if d.Kind != indivisible.KindCorrection {
		return
	}
	k := d.Correction
	if k.Corrects >= rec.index {
		s.forward = append(s.forward, rec)
		return
	}
	t := s.byIndex[k.Corrects]
	args := map[string]string{"correction": fmt.Sprint(rec.index), "entry": fmt.Sprint(k.Corrects)}
	switch {
	case t == nil:
		args["problem"] = "not_declaration"
	case t.decl.Kind == indivisible.KindCorrection:
		args["problem"] = "is_correction"
	case t.participant != rec.participant:
		args["problem"], args["participant"] = "filed_by", t.participant
	case !k.Withdrawn && k.Declaration.Kind != t.decl.Kind:
		args["problem"], args["kind"], args["declared_kind"] = "other_kind", string(t.decl.Kind), string(k.Declaration.Kind)
	}
	if args["problem"] != "" {
		involved := []int64{rec.index}
		if t != nil {
			involved = append(involved, t.index)
		}
		c.add(RuleInvalidCorrection, "", involved, "finding.invalid_correction.message", args, rec.participant)
		s.problems = append(s.problems, c.findings...)
		return
	}
	t.entries = append(t.entries, rec.index)
	s.withdrawn[t.index] = k.Withdrawn
	if !k.Withdrawn {
		t.decl = k.Declaration
		t.versions = append(t.versions, version{rec.time, k.Declaration})
	}
}

// live returns the records in force by kind, ordered by index: corrections
// applied, withdrawn entries gone.
func (s *State) live() map[indivisible.DeclarationKind][]*record {
	out := map[indivisible.DeclarationKind][]*record{}
	for _, rec := range s.order {
		if rec.decl.Kind != indivisible.KindCorrection && !s.withdrawn[rec.index] {
			out[rec.decl.Kind] = append(out[rec.decl.Kind], rec)
		}
	}
	return out
}

// Findings evaluates the regime's rules over the state and returns the
// findings, sorted by the entries involved, then rule, participants and
// message.
func (s *State) Findings(r *Regime) []indivisible.Finding {
	c := &checker{regime: r, asOf: s.asOf, findings: slices.Clone(s.problems)}
	for _, rec := range s.forward {
		involved, problem := []int64{rec.index}, "not_declaration"
		if t, ok := s.byIndex[rec.decl.Correction.Corrects]; ok {
			involved, problem = append(involved, t.index), "not_earlier"
		}
		c.add(RuleInvalidCorrection, "", involved, "finding.invalid_correction.message",
			map[string]string{"correction": fmt.Sprint(rec.index), "entry": fmt.Sprint(rec.decl.Correction.Corrects), "problem": problem}, rec.participant)
	}
	recs := s.live()
	c.exercises(recs[indivisible.KindExerciseNotification])
	c.annual(recs[indivisible.KindAnnualExchange], recs[indivisible.KindTransferReport], recs[indivisible.KindForcesContribution])
	c.mirror(recs[indivisible.KindTransferReport])
	slices.SortFunc(c.findings, func(a, b indivisible.Finding) int {
		return cmp.Or(slices.Compare(a.Entries, b.Entries), cmp.Compare(a.Rule, b.Rule),
			slices.Compare(a.Participants, b.Participants), cmp.Compare(a.Message, b.Message))
	})
	return c.findings
}

// Involving returns the findings whose entries include index.
func Involving(findings []indivisible.Finding, index int64) []indivisible.Finding {
	var out []indivisible.Finding
	for _, f := range findings {
		if slices.Contains(f.Entries, index) {
			out = append(out, f)
		}
	}
	return out
}

// Concerning returns the findings concerning participant.
func Concerning(findings []indivisible.Finding, participant string) []indivisible.Finding {
	var out []indivisible.Finding
	for _, f := range findings {
		if slices.Contains(f.Participants, participant) {
			out = append(out, f)
		}
	}
	return out
}

type checker struct {
	regime   *Regime
	asOf     time.Time // the latest entry time: the log's "now"
	findings []indivisible.Finding
}

// record is a declaration as rule evaluation sees it: the original entry's
// time and participant with the latest correction's content.
type record struct {
	index       int64     // the original entry
	entries     []int64   // the original and the corrections applied, ascending
	time        time.Time // when the original was logged
	participant string
	decl        *indivisible.Declaration
	// versions are the successive contents with their log times, original
	// first; a notice period depends on when the figures became known.
	versions []version
}

type version struct {
	time time.Time
	decl *indivisible.Declaration
}

// add records a finding whose message is the catalog message key with
// args (see localize.go).
func (c *checker) add(rule, reference string, entries []int64, key string, args map[string]string, participants ...string) {
	ps := slices.Clone(participants)
	slices.Sort(ps)
	es := slices.Clone(entries)
	slices.Sort(es)
	c.findings = append(c.findings, indivisible.Finding{
		Rule: rule, Reference: reference, Participants: slices.Compact(ps), Entries: slices.Compact(es),
		Message: english(key, args), Key: key, Args: args,
	})
}

// date is the UTC calendar day of t.
func date(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// reaches reports whether a measure of x is at or above its level in t.
func reaches(x *indivisible.ExerciseNotification, t Thresholds) bool {
	for m, level := range t {
		if v, _ := x.Measure(m); v >= level {
			return true
		}
	}
	return false
}

// reached lists, as a finding's "size" argument, the measures of x at or
// above their level in t, in ExerciseMeasures order:
// "personnel:45000:9000,battle_tanks:700:250".
func reached(x *indivisible.ExerciseNotification, t Thresholds) string {
	var out []string
	for _, m := range indivisible.ExerciseMeasures {
		if level, ok := t[m]; ok {
			if v, _ := x.Measure(m); v >= level {
				out = append(out, fmt.Sprintf("%s:%d:%d", m, v, level))
			}
		}
	}
	return strings.Join(out, ",")
}

// above reports whether a measure of x is strictly above its level in t.
func above(x *indivisible.ExerciseNotification, t Thresholds) bool {
	for m, level := range t {
		if v, _ := x.Measure(m); v > level {
			return true
		}
	}
	return false
}

func (c *checker) exercises(recs []*record) {
	g := c.regime
	for _, rec := range recs {
		x := rec.decl.ExerciseNotification
		if reaches(x, g.Notification.AtLeast) {
			c.notice(rec)
		}
		if reaches(x, g.Observation.AtLeast) && !x.ObserversInvited {
			args := activityArgs(rec)
			args["size"] = reached(x, g.Observation.AtLeast)
			c.add(RuleNotObserved, g.Observation.Reference, rec.entries, "finding.observers_not_invited.message", args, rec.participant)
		}
	}
	c.nearThreshold(recs)
	for _, k := range g.Constraints {
		c.constraint(k, recs)
	}
}

// activityArgs are the arguments naming an activity in a finding: its
// participant, dates and name, if it has one.
func activityArgs(rec *record) map[string]string {
	x := rec.decl.ExerciseNotification
	args := map[string]string{"activity": "unnamed", "participant": rec.participant,
		"start": x.Start.Format(time.DateOnly), "end": x.End.Format(time.DateOnly)}
	if x.Name != "" {
		args["activity"], args["name"] = "named", x.Name
	}
	return args
}

// notice checks when a notifiable activity was notified: from the first
// version of its notification that reached the thresholds, against the
// current dates.
func (c *checker) notice(rec *record) {
	g := c.regime.Notification
	x := rec.decl.ExerciseNotification
	var notified time.Time
	for _, v := range rec.versions {
		if reaches(v.decl.ExerciseNotification, g.AtLeast) {
			notified = date(v.time)
			break
		}
	}
	due, why := x.Start.AddDate(0, 0, -g.NoticeDays), "before_start"
	if x.WithoutAdvanceNotice {
		due, why = x.Start, "first_day"
	}
	if !notified.After(due) {
		return
	}
	args := activityArgs(rec)
	args["size"], args["notified"] = reached(x, g.AtLeast), notified.Format(time.DateOnly)
	if notified.After(x.End) { // due <= start <= end
		c.add(RuleNotNotified, g.Reference, rec.entries, "finding.not_notified.message", args, rec.participant)
	} else {
		args["count"], args["due"] = fmt.Sprint(int(notified.Sub(due).Hours()/24)), due.Format(time.DateOnly)
		args["due_rule"], args["notice_days"] = why, fmt.Sprint(g.NoticeDays)
		c.add(RuleLateNotification, g.Reference, rec.entries, "finding.late_notification.message", args, rec.participant)
	}
}

// nearKey is a level that activities of a participant starting in a year
// were sized just below.
type nearKey struct {
	participant string
	year        int
	measure     string
	level       int64
}

// nearThreshold finds, per participant, calendar year and threshold, at
// least MinActivities activities each sized within the band below it, so
// that it escapes the threshold's obligation.
func (c *checker) nearThreshold(recs []*record) {
	g := c.regime
	groups := map[nearKey][]*record{}
	// The first threshold seen at a level describes it: the observation
	// level of 13,000 and the constraints' "more than 13,000" are one level.
	refs, names := map[nearKey]string{}, map[nearKey]string{} // names: the "threshold" phrase of the finding
	for _, rec := range recs {
		x := rec.decl.ExerciseNotification
		seen := map[nearKey]bool{}
		consider := func(ts Thresholds, strict bool, reference string) {
			for m, level := range ts {
				v, _ := x.Measure(m)
				floor := int64(math.Ceil(float64(level) * (1 - g.NearThreshold.Band)))
				k := nearKey{rec.participant, x.Start.Year(), m, level}
				if v < floor || v > level || v == level && !strict || seen[k] {
					continue
				}
				seen[k] = true
				groups[k] = append(groups[k], rec)
				if _, ok := refs[k]; !ok {
					refs[k], names[k] = reference, "at_least"
					if strict {
						names[k] = "more_than"
					}
				}
			}
		}
		if !reaches(x, g.Notification.AtLeast) {
			consider(g.Notification.AtLeast, false, g.Notification.Reference)
		}
		if !reaches(x, g.Observation.AtLeast) {
			consider(g.Observation.AtLeast, false, g.Observation.Reference)
		}
		for _, k := range g.Constraints {
			if !above(x, k.Above) {
				consider(k.Above, true, k.Reference)
			}
		}
	}
	for k, group := range groups {
		if len(group) < g.NearThreshold.MinActivities {
			continue
		}
		var entries []int64
		var sizes []string
		for _, rec := range group {
			entries = append(entries, rec.entries...)
			v, _ := rec.decl.ExerciseNotification.Measure(k.measure)
			sizes = append(sizes, fmt.Sprint(v))
		}
		c.add(RuleNearThreshold, joinRefs(g.NearThreshold.Reference, refs[k]), entries, "finding.near_threshold.message",
			map[string]string{"participant": k.participant, "count": fmt.Sprint(len(group)), "year": fmt.Sprint(k.year),
				"band": fmt.Sprint(g.NearThreshold.Band * 100), "threshold": names[k], "level": fmt.Sprint(k.level), "measure": k.measure,
				"sizes": strings.Join(sizes, ", ")}, k.participant)
	}
}

func joinRefs(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}

// constraint checks one constraining provision: each activity of the class
// is counted with the earlier ones in its window (same calendar years, or
// under way on its first day), and every activity beyond Max is a finding.
func (c *checker) constraint(k Constraint, recs []*record) {
	byParticipant := map[string][]*record{}
	var participants []string
	for _, rec := range recs {
		x := rec.decl.ExerciseNotification
		if above(x, k.Above) && !above(x, k.NotAbove) {
			if byParticipant[rec.participant] == nil {
				participants = append(participants, rec.participant)
			}
			byParticipant[rec.participant] = append(byParticipant[rec.participant], rec)
		}
	}
	slices.Sort(participants)
	for _, p := range participants {
		acts := byParticipant[p]
		slices.SortStableFunc(acts, func(a, b *record) int {
			return cmp.Or(a.decl.ExerciseNotification.Start.Compare(b.decl.ExerciseNotification.Start), cmp.Compare(a.index, b.index))
		})
		// window holds the activities counted with the current one; as
		// activities come in start order, it only ever loses its oldest
		// (calendar years) or those already over (simultaneous).
		var window []*record
		for _, a := range acts {
			ax := a.decl.ExerciseNotification
			window = slices.DeleteFunc(window, func(b *record) bool {
				bx := b.decl.ExerciseNotification
				if k.Simultaneous {
					return bx.End.Before(ax.Start)
				}
				return bx.Start.Year() <= ax.Start.Year()-k.CalendarYears
			})
			window = append(window, a)
			if len(window) <= k.Max {
				continue
			}
			var entries []int64
			for _, b := range window {
				entries = append(entries, b.entries...)
			}
			args := classArgs(k)
			args["participant"], args["count"], args["max"], args["constraint"] = p, fmt.Sprint(len(window)), fmt.Sprint(k.Max), k.ID
			switch {
			case k.Simultaneous:
				args["span"], args["date"] = "under_way", ax.Start.Format(time.DateOnly)
			case k.CalendarYears > 1:
				args["span"], args["calendar_years"] = "years", fmt.Sprint(k.CalendarYears)
				args["from"], args["year"] = fmt.Sprint(ax.Start.Year()-k.CalendarYears+1), fmt.Sprint(ax.Start.Year())
			default:
				args["span"], args["year"] = "year", fmt.Sprint(ax.Start.Year())
			}
			c.add(RuleConstraint, k.Reference, entries, "finding.constraint_exceeded.message", args, p)
		}
	}
}

// classArgs are the arguments stating a constraint's class of activities
// in a finding: the "class" phrase and its measure lists ("personnel:40000").
func classArgs(k Constraint) map[string]string {
	list := func(t Thresholds) string {
		var parts []string
		for _, m := range indivisible.ExerciseMeasures {
			if level, ok := t[m]; ok {
				parts = append(parts, fmt.Sprintf("%s:%d", m, level))
			}
		}
		return strings.Join(parts, ",")
	}
	args := map[string]string{"class": "above", "above": list(k.Above)}
	if len(k.NotAbove) > 0 {
		args["class"], args["not_above"] = "between", list(k.NotAbove)
	}
	return args
}

// Admit checks a declaration against the log it is about to join, for what
// the declaration alone cannot show: a correction must correct an earlier
// declaration of the same participant and kind that is not itself a
// correction (EINVALID, ENOTFOUND, EFORBIDDEN for another participant's
// entry), and a second annual exchange for a year, or a second
// contribution to an organisation for a year, must be filed as a
// correction instead (ECONFLICT). Findings report the same conditions, for
// logs written without Admit.
func (s *State) Admit(d *indivisible.Declaration) error {
	switch d.Kind {
	case indivisible.KindCorrection:
		k := d.Correction
		t, ok := s.byIndex[k.Corrects]
		switch {
		case s.invalid[k.Corrects]:
			return indivisible.Invalid("corrects", "entry %d is not a valid declaration", k.Corrects)
		case !ok:
			return indivisible.FieldErrorf(indivisible.ENOTFOUND, "corrects", "entry %d is not a declaration in the log", k.Corrects)
		case t.participant != d.Participant:
			return indivisible.FieldErrorf(indivisible.EFORBIDDEN, "corrects", "entry %d was filed by %s", k.Corrects, t.participant)
		case t.versions[0].decl.Kind == indivisible.KindCorrection:
			return indivisible.Invalid("corrects", "entry %d is a correction: correct entry %d instead", k.Corrects, t.versions[0].decl.Correction.Corrects)
		case !k.Withdrawn && k.Declaration.Kind != t.versions[0].decl.Kind:
			return indivisible.Invalid("declaration.kind", "entry %d is a %s, not a %s", k.Corrects, t.versions[0].decl.Kind, k.Declaration.Kind)
		}
	case indivisible.KindAnnualExchange:
		for _, rec := range s.live()[d.Kind] {
			if rec.participant == d.Participant && rec.decl.AnnualExchange.Year == d.AnnualExchange.Year {
				return indivisible.FieldErrorf(indivisible.ECONFLICT, "year", "the annual exchange of %s for %d is entry %d: file a correction of it",
					d.Participant, d.AnnualExchange.Year, rec.index)
			}
		}
	case indivisible.KindForcesContribution:
		for _, rec := range s.live()[d.Kind] {
			if x, y := rec.decl.ForcesContribution, d.ForcesContribution; rec.participant == d.Participant && x.Year == y.Year && x.Organisation == y.Organisation {
				return indivisible.FieldErrorf(indivisible.ECONFLICT, "year", "the contribution of %s to %s for %d is entry %d: file a correction of it",
					d.Participant, y.Organisation, y.Year, rec.index)
			}
		}
	}
	return nil
}
