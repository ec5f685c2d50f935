// Package exchange is the information exchange's rules: it parses the
// declarations participants file (strictly, naming the JSON path of any
// error), loads the regime the secretariat sets (defaults from the Vienna
// Document 2011 and the UN Register, embedded), and computes the findings
// of a log. Findings are a pure function of the log's entries and the
// regime (Check), so they are never stored: anyone holding the public log
// recomputes the same list. docs/exchange.md documents the schemas, the
// regime and the rules.
package exchange

import (
	"regexp"
	"slices"

	"github.com/indivisible-eurasia/indivisible"
)

// MaxDeclarationSize is the largest declaration accepted, in bytes. The
// biggest real declaration (an annual exchange) is a few hundred bytes; the
// limit keeps the log's entries small and parsing cheap.
const MaxDeclarationSize = 64 << 10

// Bounds of the values a declaration may carry.
const (
	minYear  = 1900
	maxYear  = 2999
	maxCount = 1_000_000_000 // larger than any armed force, small enough that sums never overflow
	maxText  = 1000
)

var (
	codeRE     = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,15}$`)
	categoryRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// Codes is what declarations may name: the states and organisations of a
// scenario, each organisation's members, and the holdings categories.
type Codes struct {
	States map[string]bool
	// Members maps each organisation to its member states.
	Members    map[string]map[string]bool
	Categories map[string]bool
}

// NewCodes returns the codes of scenario s. Categories are the scenario's
// capability components (for the Eurasia scenario: personnel and the UN
// Register categories).
func NewCodes(s *indivisible.Scenario) *Codes {
	c := &Codes{States: map[string]bool{}, Members: map[string]map[string]bool{}, Categories: map[string]bool{}}
	for _, p := range s.Participants {
		switch p.Kind {
		case indivisible.State:
			c.States[p.Code] = true
		case indivisible.Organisation:
			c.Members[p.Code] = map[string]bool{}
		}
	}
	for _, m := range s.Memberships {
		if m.Role == indivisible.Member && c.Members[m.Organisation] != nil {
			c.Members[m.Organisation][m.State] = true
		}
	}
	for _, comp := range s.Components {
		c.Categories[comp.Name] = true
	}
	return c
}

// Parse parses and validates a declaration. With codes, every participant
// code and category must be one of them; with nil codes only their syntax
// is checked (Check does so: whether a code was known was decided when the
// entry was accepted). Errors are *indivisible.Error with the JSON path of
// the field at fault: EINVALID, or ETOOLARGE above MaxDeclarationSize.
func Parse(data []byte, codes *Codes) (*indivisible.Declaration, error) {
	if len(data) > MaxDeclarationSize {
		return nil, indivisible.Errorf(indivisible.ETOOLARGE, "declaration of %d bytes exceeds the limit of %d", len(data), MaxDeclarationSize)
	}
	v, err := decodeTree(data)
	if err != nil {
		return nil, err
	}
	o, err := asObject(v, "")
	if err != nil {
		return nil, err
	}
	p := parser{codes: codes}
	d := p.declaration(o, false)
	if p.err != nil {
		return nil, p.err
	}
	return d, nil
}

type parser struct {
	reader
	codes *Codes
}

// declaration reads one declaration object; nested is true inside a
// correction, where a correction may not appear again.
func (p *parser) declaration(o *object, nested bool) *indivisible.Declaration {
	d := &indivisible.Declaration{Kind: indivisible.DeclarationKind(p.str(o, "kind", true))}
	switch {
	case p.err != nil:
	case !slices.Contains(indivisible.DeclarationKinds, d.Kind):
		p.fail(indivisible.Invalid(join(o.path, "kind"), "%q is not a declaration kind", d.Kind))
	case nested && d.Kind == indivisible.KindCorrection:
		p.fail(indivisible.Invalid(join(o.path, "kind"), "a correction replaces a declaration, not another correction"))
	}
	if p.err != nil {
		return nil
	}
	switch d.Kind {
	case indivisible.KindAnnualExchange:
		p.allow(o, "kind", "participant", "year", "holdings")
		d.Participant = p.state(o, "participant")
		d.AnnualExchange = &indivisible.AnnualExchange{
			Year:     p.year(o, "year"),
			Holdings: p.holdings(o, "holdings"),
		}
	case indivisible.KindExerciseNotification:
		p.allow(o, "kind", "participant", "name", "start", "end", "host", "participating_states",
			"personnel", "battle_tanks", "armoured_combat_vehicles", "artillery", "aircraft_sorties", "airborne_amphibious_troops",
			"observers_invited", "without_advance_notice")
		d.Participant = p.state(o, "participant")
		x := &indivisible.ExerciseNotification{
			Name:                     p.text(o, "name", false),
			Start:                    p.date(o, "start"),
			End:                      p.date(o, "end"),
			Host:                     p.state(o, "host"),
			ParticipatingStates:      p.states(o, "participating_states"),
			Personnel:                p.count(o, indivisible.Personnel),
			BattleTanks:              p.count(o, indivisible.BattleTanks),
			ArmouredCombatVehicles:   p.count(o, indivisible.ArmouredCombatVehicles),
			Artillery:                p.count(o, indivisible.Artillery),
			AircraftSorties:          p.count(o, indivisible.AircraftSorties),
			AirborneAmphibiousTroops: p.count(o, indivisible.AirborneAmphibiousTroops),
			ObserversInvited:         p.boolean(o, "observers_invited", true),
			WithoutAdvanceNotice:     p.boolean(o, "without_advance_notice", false),
		}
		if p.err == nil && x.End.Before(x.Start) {
			p.fail(indivisible.Invalid(join(o.path, "end"), "before start"))
		}
		d.ExerciseNotification = x
	case indivisible.KindTransferReport:
		p.allow(o, "kind", "participant", "role", "year", "counterpart", "category", "quantity", "description")
		d.Participant = p.state(o, "participant")
		t := &indivisible.TransferReport{
			Role:        indivisible.TransferRole(p.str(o, "role", true)),
			Year:        p.year(o, "year"),
			Counterpart: p.state(o, "counterpart"),
			Category:    p.category(p.str(o, "category", true), join(o.path, "category")),
			Quantity:    p.integer(o, "quantity", true, 1, maxCount),
			Description: p.text(o, "description", false),
		}
		switch {
		case p.err != nil:
		case t.Role != indivisible.Exporter && t.Role != indivisible.Importer:
			p.fail(indivisible.Invalid(join(o.path, "role"), "%q is neither %q nor %q", t.Role, indivisible.Exporter, indivisible.Importer))
		case t.Counterpart == d.Participant:
			p.fail(indivisible.Invalid(join(o.path, "counterpart"), "a state does not transfer to itself"))
		case t.Category == indivisible.Personnel:
			p.fail(indivisible.Invalid(join(o.path, "category"), "personnel are not transferred"))
		}
		d.TransferReport = t
	case indivisible.KindForcesContribution:
		p.allow(o, "kind", "participant", "organisation", "year", "units", "holdings")
		d.Participant = p.state(o, "participant")
		c := &indivisible.ForcesContribution{
			Organisation: p.code(o, "organisation"),
			Year:         p.year(o, "year"),
			Units:        p.units(o, "units"),
			Holdings:     p.holdings(o, "holdings"),
		}
		if p.err == nil && p.codes != nil {
			members, ok := p.codes.Members[c.Organisation]
			switch {
			case !ok:
				p.fail(indivisible.Invalid(join(o.path, "organisation"), "%q is not an organisation of the scenario", c.Organisation))
			case !members[d.Participant]:
				p.fail(indivisible.Invalid(join(o.path, "participant"), "%q is not a member of %s", d.Participant, c.Organisation))
			}
		}
		d.ForcesContribution = c
	case indivisible.KindCorrection:
		p.allow(o, "kind", "participant", "corrects", "reason", "withdrawn", "declaration")
		d.Participant = p.state(o, "participant")
		c := &indivisible.Correction{
			Corrects:  p.integer(o, "corrects", true, 0, 1<<62),
			Reason:    p.text(o, "reason", true),
			Withdrawn: p.boolean(o, "withdrawn", false),
		}
		sub := p.object(o, "declaration", false)
		switch {
		case p.err != nil:
		case c.Reason == "":
			p.fail(indivisible.Invalid(join(o.path, "reason"), "must not be empty"))
		case c.Withdrawn == (sub != nil):
			p.fail(indivisible.Invalid(join(o.path, "declaration"), "give either a replacement declaration or \"withdrawn\": true"))
		case sub != nil:
			c.Declaration = p.declaration(sub, true)
			if p.err == nil && c.Declaration.Participant != d.Participant {
				p.fail(indivisible.Invalid(join(sub.path, "participant"), "%q differs from the correction's participant %q", c.Declaration.Participant, d.Participant))
			}
		}
		d.Correction = c
	}
	return d
}

// code reads a participant code, checking its syntax.
func (p *parser) code(o *object, name string) string {
	v, path, _ := p.get(o, name, true)
	return p.codeAt(v, path)
}

func (p *parser) codeAt(v any, path string) string {
	s := p.strAt(v, path)
	if p.err == nil && !codeRE.MatchString(s) {
		p.fail(indivisible.Invalid(path, "%q is not a participant code (upper case, 2-16 characters)", s))
	}
	return s
}

// state reads the code of a state of the scenario.
func (p *parser) state(o *object, name string) string {
	v, path, _ := p.get(o, name, true)
	return p.stateAt(v, path)
}

func (p *parser) stateAt(v any, path string) string {
	s := p.codeAt(v, path)
	if p.err == nil && p.codes != nil && !p.codes.States[s] {
		p.fail(indivisible.Invalid(path, "%q is not a state of the scenario", s))
	}
	return s
}

// states reads a non-empty list of distinct states.
func (p *parser) states(o *object, name string) []string {
	a, path := p.array(o, name, true)
	if p.err == nil && len(a) == 0 {
		p.fail(indivisible.Invalid(path, "must not be empty"))
	}
	out := make([]string, 0, len(a))
	for i, v := range a {
		s := p.stateAt(v, index(path, i))
		if p.err == nil && slices.Contains(out, s) {
			p.fail(indivisible.Invalid(index(path, i), "%q is listed twice", s))
		}
		out = append(out, s)
	}
	return out
}

// units reads a list of unit designations (possibly empty).
func (p *parser) units(o *object, name string) []string {
	a, path := p.array(o, name, true)
	out := make([]string, 0, len(a))
	for i, v := range a {
		out = append(out, p.textAt(v, index(path, i)))
	}
	return out
}

func (p *parser) year(o *object, name string) int {
	return int(p.integer(o, name, true, minYear, maxYear))
}

func (p *parser) count(o *object, name string) int64 {
	return p.integer(o, name, true, 0, maxCount)
}

// category checks that s, found at path, is a holdings category.
func (p *parser) category(s, path string) string {
	switch {
	case p.err != nil:
	case !categoryRE.MatchString(s):
		p.fail(indivisible.Invalid(path, "%q is not a category name (lower case, digits and _)", s))
	case p.codes != nil && !p.codes.Categories[s]:
		p.fail(indivisible.Invalid(path, "%q is not a holdings category of the scenario", s))
	}
	return s
}

// holdings reads a non-empty object of category: count.
func (p *parser) holdings(o *object, name string) map[string]int64 {
	h := p.object(o, name, true)
	if p.err != nil {
		return nil
	}
	if len(h.fields) == 0 {
		p.fail(indivisible.Invalid(h.path, "must list at least one category"))
	}
	m := make(map[string]int64, len(h.fields))
	for _, k := range h.keys() {
		path := join(h.path, k)
		m[p.category(k, path)] = p.integerAt(h.fields[k], path, 0, maxCount)
	}
	return m
}
