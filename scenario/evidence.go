package scenario

import (
	"errors"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
)

// evidenceFile is one optional file of evidence for the hazard model
// (docs/scenario.md): its header, how a row is read, and how the
// scenario's records are written back.
type evidenceFile struct {
	name string
	cols []string
	read func(l *loader, r *row) error
	rows func(ev *indivisible.Evidence) [][]string
}

var evidenceFiles = []evidenceFile{
	{"capabilities.csv", []string{"state", "cinc", "military", "year", "source"}, (*loader).capability,
		func(ev *indivisible.Evidence) (out [][]string) {
			for _, c := range ev.Capabilities {
				out = append(out, []string{c.State, num(c.CINC), num(c.Military), year(c.Year), c.Source})
			}
			return out
		}},
	{"regimes.csv", []string{"state", "polyarchy", "year", "source"}, (*loader).regime,
		func(ev *indivisible.Evidence) (out [][]string) {
			for _, r := range ev.Regimes {
				out = append(out, []string{r.State, num(r.Polyarchy), year(r.Year), r.Source})
			}
			return out
		}},
	{"majors.csv", []string{"state", "since", "source"}, (*loader).major,
		func(ev *indivisible.Evidence) (out [][]string) {
			for _, m := range ev.Majors {
				out = append(out, []string{m.State, year(m.Since), m.Source})
			}
			return out
		}},
	{"contiguity.csv", []string{"a", "b", "type"}, (*loader).contiguity,
		func(ev *indivisible.Evidence) (out [][]string) {
			for _, c := range ev.Contiguities {
				out = append(out, []string{c.A, c.B, strconv.Itoa(c.Type)})
			}
			return out
		}},
	{"affinity.csv", []string{"a", "b", "agreement", "votes", "year"}, (*loader).affinity,
		func(ev *indivisible.Evidence) (out [][]string) {
			for _, a := range ev.Affinities {
				out = append(out, []string{a.A, a.B, num(a.Agreement), strconv.Itoa(a.Votes), year(a.Year)})
			}
			return out
		}},
	{"history.csv", []string{"a", "b", "through", "last", "decay_ab", "decay_ba"}, (*loader).history,
		func(ev *indivisible.Evidence) (out [][]string) {
			for _, h := range ev.Histories {
				out = append(out, []string{h.A, h.B, year(h.Through), year(h.Last), num(h.DecayAB), num(h.DecayBA)})
			}
			return out
		}},
	{"rivalries.csv", []string{"a", "b", "since", "ended", "types", "source", "date", "note"}, (*loader).rivalry,
		func(ev *indivisible.Evidence) (out [][]string) {
			for _, r := range ev.Rivalries {
				out = append(out, []string{r.A, r.B, year(r.Since), year(r.Ended), strings.Join(r.Types, ";"), r.Source, r.Date, ""})
			}
			return out
		}},
	{"disputes.csv", []string{"year", "a", "b", "initiator", "hostlev", "source", "date", "note"}, (*loader).dispute,
		func(ev *indivisible.Evidence) (out [][]string) {
			for _, d := range ev.Disputes {
				init := "unknown"
				if d.Initiated {
					init = d.A
				}
				out = append(out, []string{year(d.Year), d.A, d.B, init, strconv.Itoa(d.HostLev), d.Source, d.Date, d.Note})
			}
			return out
		}},
}

// EvidenceFiles lists the optional evidence files of a scenario directory.
func EvidenceFiles() []string {
	out := make([]string, len(evidenceFiles))
	for k, f := range evidenceFiles {
		out[k] = f.name
	}
	return out
}

// loadEvidence reads the evidence files fsys has; each is optional.
func (l *loader) loadEvidence(fsys fs.FS) error {
	for _, f := range evidenceFiles {
		if _, err := fs.Stat(fsys, f.name); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		read := f.read
		if err := readCSV(fsys, f.name, f.cols, func(r *row) error { return read(l, r) }); err != nil {
			return err
		}
	}
	return l.finishDisputes()
}

// pair reads two distinct states a and b, unique within the file.
func (l *loader) pair(r *row) (string, string, error) {
	a, err := l.code(r, "a", indivisible.State)
	if err != nil {
		return "", "", err
	}
	b, err := l.code(r, "b", indivisible.State)
	if err != nil {
		return "", "", err
	}
	if a == b {
		return "", "", r.err("b", "a pair needs two different states")
	}
	return a, b, nil
}

// unit reads a number in [0, 1].
func (r *row) unit(col string) (float64, error) {
	v, err := r.number(col, false)
	if err != nil {
		return 0, err
	}
	if v < 0 || v > 1 {
		return 0, r.err(col, "%v is outside [0, 1]", v)
	}
	return v, nil
}

func (l *loader) capability(r *row) error {
	st, err := l.code(r, "state", indivisible.State)
	if err != nil {
		return err
	}
	c := indivisible.Capability{State: st, Source: r.get("source")}
	if c.CINC, err = r.unit("cinc"); err != nil {
		return err
	}
	if c.Military, err = r.unit("military"); err != nil {
		return err
	}
	if c.Military > c.CINC {
		return r.err("military", "%v exceeds the cinc %v it is part of", c.Military, c.CINC)
	}
	if c.Year, err = r.year("year"); err != nil {
		return err
	}
	if err := l.unique(r, "state", st); err != nil {
		return err
	}
	l.s.Capabilities = append(l.s.Capabilities, c)
	return nil
}

func (l *loader) regime(r *row) error {
	st, err := l.code(r, "state", indivisible.State)
	if err != nil {
		return err
	}
	g := indivisible.Regime{State: st, Source: r.get("source")}
	if g.Polyarchy, err = r.unit("polyarchy"); err != nil {
		return err
	}
	if g.Year, err = r.year("year"); err != nil {
		return err
	}
	if err := l.unique(r, "state", st); err != nil {
		return err
	}
	l.s.Regimes = append(l.s.Regimes, g)
	return nil
}

func (l *loader) major(r *row) error {
	st, err := l.code(r, "state", indivisible.State)
	if err != nil {
		return err
	}
	m := indivisible.Major{State: st, Source: r.get("source")}
	if m.Since, err = r.year("since"); err != nil {
		return err
	}
	if err := l.unique(r, "state", st); err != nil {
		return err
	}
	l.s.Majors = append(l.s.Majors, m)
	return nil
}

func (l *loader) contiguity(r *row) error {
	a, b, err := l.pair(r)
	if err != nil {
		return err
	}
	t, err := strconv.Atoi(r.get("type"))
	if err != nil || t < 2 || t > indivisible.ContiguitySea {
		return r.err("type", "%q is not a COW water contiguity type 2 to 5 (land borders go in borders.csv)", r.get("type"))
	}
	if err := l.unique(r, "b", min(a, b), max(a, b)); err != nil {
		return err
	}
	l.s.Contiguities = append(l.s.Contiguities, indivisible.Contiguity{A: a, B: b, Type: t})
	return nil
}

func (l *loader) affinity(r *row) error {
	a, b, err := l.pair(r)
	if err != nil {
		return err
	}
	f := indivisible.Affinity{A: a, B: b}
	if f.Agreement, err = r.unit("agreement"); err != nil {
		return err
	}
	if s := r.get("votes"); s != "" {
		if f.Votes, err = strconv.Atoi(s); err != nil || f.Votes < 0 {
			return r.err("votes", "%q is not a count", s)
		}
	}
	if f.Year, err = r.year("year"); err != nil {
		return err
	}
	if err := l.unique(r, "b", min(a, b), max(a, b)); err != nil {
		return err
	}
	l.s.Affinities = append(l.s.Affinities, f)
	return nil
}

func (l *loader) history(r *row) error {
	a, b, err := l.pair(r)
	if err != nil {
		return err
	}
	h := indivisible.History{A: a, B: b}
	if h.Through, err = r.year("through"); err != nil {
		return err
	}
	if h.Through == 0 {
		return r.err("through", "missing: the year the summary runs to")
	}
	if h.Last, err = r.year("last"); err != nil {
		return err
	}
	if h.Last > h.Through {
		return r.err("last", "%d is after through (%d)", h.Last, h.Through)
	}
	for _, c := range []struct {
		col string
		v   *float64
	}{{"decay_ab", &h.DecayAB}, {"decay_ba", &h.DecayBA}} {
		if *c.v, err = r.number(c.col, true); err != nil {
			return err
		}
		if *c.v < 0 {
			return r.err(c.col, "%v is negative", *c.v)
		}
	}
	if err := l.unique(r, "b", min(a, b), max(a, b)); err != nil {
		return err
	}
	l.s.Histories = append(l.s.Histories, h)
	return nil
}

// rivalryTypes are Thompson and Dreyer's kinds of rivalry.
var rivalryTypes = []string{"spatial", "positional", "ideological", "interventionary"}

func (l *loader) rivalry(r *row) error {
	a, b, err := l.pair(r)
	if err != nil {
		return err
	}
	v := indivisible.Rivalry{A: a, B: b, Source: r.get("source"), Date: r.get("date")}
	if v.Since, err = r.year("since"); err != nil {
		return err
	}
	if v.Since == 0 {
		return r.err("since", "missing: the year the rivalry began")
	}
	if v.Ended, err = r.year("ended"); err != nil {
		return err
	}
	if v.Ended != 0 && v.Ended < v.Since {
		return r.err("ended", "%d is before since (%d)", v.Ended, v.Since)
	}
	if t := r.get("types"); t != "" {
		for _, x := range strings.Split(t, ";") {
			x = strings.TrimSpace(x)
			if !slices.Contains(rivalryTypes, x) {
				return r.err("types", "%q is not one of %s", x, strings.Join(rivalryTypes, ", "))
			}
			v.Types = append(v.Types, x)
		}
	}
	if v.Source == "" {
		return r.err("source", "missing: every curated row names its source")
	}
	if err := l.unique(r, "since", min(a, b), max(a, b), strconv.Itoa(v.Since)); err != nil {
		return err
	}
	l.s.Rivalries = append(l.s.Rivalries, v)
	return nil
}

func (l *loader) dispute(r *row) error {
	y, err := r.year("year")
	if err != nil {
		return err
	}
	if y == 0 {
		return r.err("year", "missing")
	}
	a, b, err := l.pair(r)
	if err != nil {
		return err
	}
	d := indivisible.Dispute{Year: y, A: a, B: b, Source: r.get("source"), Date: r.get("date"), Note: r.get("note")}
	switch init := r.get("initiator"); init {
	case a:
		d.Initiated = true
	case "unknown":
	default:
		return r.err("initiator", "%q must be the a state (%s) or unknown", init, a)
	}
	lev, err := strconv.Atoi(r.get("hostlev"))
	if err != nil || lev < 2 || lev > 5 {
		return r.err("hostlev", "%q is not a hostility level 2 (threat) to 5 (war)", r.get("hostlev"))
	}
	d.HostLev = lev
	if d.Source == "" {
		return r.err("source", "missing: every curated row names its source")
	}
	if err := l.unique(r, "b", strconv.Itoa(y), a, b); err != nil {
		return err
	}
	l.s.Disputes = append(l.s.Disputes, d)
	return nil
}

// finishDisputes marks onsets: a pair's dispute year with no dispute
// between the two (in either direction) the year before, in this file or
// in the history summary.
func (l *loader) finishDisputes() error {
	in := map[[2]string]map[int]bool{}
	// A dispute going on in the summary's last year continues into the
	// next, and is no new onset there.
	for _, h := range l.s.Histories {
		if h.Last != 0 && h.Last == h.Through {
			k := [2]string{min(h.A, h.B), max(h.A, h.B)}
			in[k] = map[int]bool{h.Last: true}
		}
	}
	for _, d := range l.s.Disputes {
		k := [2]string{min(d.A, d.B), max(d.A, d.B)}
		if in[k] == nil {
			in[k] = map[int]bool{}
		}
		in[k][d.Year] = true
	}
	for k := range l.s.Disputes {
		d := &l.s.Disputes[k]
		d.Onset = !in[[2]string{min(d.A, d.B), max(d.A, d.B)}][d.Year-1]
	}
	return nil
}

// evidenceRecords returns the rows of every evidence file s has records
// for, by file name.
func evidenceRecords(s *indivisible.Scenario) map[string][][]string {
	out := map[string][][]string{}
	for _, f := range evidenceFiles {
		if rows := f.rows(&s.Evidence); len(rows) > 0 {
			out[f.name] = append([][]string{f.cols}, rows...)
		}
	}
	return out
}
