// Package scenario reads and writes scenarios: directories of
// human-editable CSV and JSON files (docs/scenario.md). The Eurasia scenario
// is embedded in the binary.
package scenario

import (
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/indivisible-eurasia/indivisible"
)

//go:embed eurasia
var embedded embed.FS

// DefaultName is the name of the embedded scenario.
const DefaultName = "eurasia"

var (
	eurasiaOnce sync.Once
	eurasia     *indivisible.Scenario
	eurasiaErr  error
)

// Eurasia returns the embedded Eurasia scenario. The result is shared:
// callers must not modify it.
func Eurasia() (*indivisible.Scenario, error) {
	eurasiaOnce.Do(func() {
		sub, err := fs.Sub(embedded, DefaultName)
		if err != nil {
			eurasiaErr = err
			return
		}
		eurasia, eurasiaErr = Load(sub)
	})
	return eurasia, eurasiaErr
}

// Open returns the embedded scenario for "" or "eurasia", and otherwise
// loads the directory name.
func Open(name string) (*indivisible.Scenario, error) {
	if name == "" || name == DefaultName {
		return Eurasia()
	}
	st, err := os.Stat(name)
	if err != nil || !st.IsDir() {
		return nil, indivisible.Invalid("-scenario", "%q is neither %q nor a scenario directory", name, DefaultName)
	}
	return Load(os.DirFS(name))
}

// Files lists the files every scenario directory has, in the order they
// are read; the evidence files (EvidenceFiles) follow when present.
var Files = []string{"scenario.json", "participants.csv", "borders.csv", "memberships.csv", "commitments.csv", "holdings.csv", "deployments.csv"}

// Load reads and validates a scenario from fsys. Every problem is reported
// as an EINVALID error whose field is "file:line:column".
func Load(fsys fs.FS) (*indivisible.Scenario, error) {
	l := &loader{s: &indivisible.Scenario{}, codes: map[string]indivisible.ParticipantKind{}}
	if err := l.meta(fsys); err != nil {
		return nil, err
	}
	steps := []struct {
		file string
		cols []string
		row  func(r *row) error
	}{
		{"participants.csv", []string{"code", "name", "kind", "capital", "lat", "lon"}, l.participant},
		{"borders.csv", []string{"a", "b"}, l.border},
		{"memberships.csv", []string{"state", "organisation", "role", "since"}, l.membership},
		{"commitments.csv", []string{"a", "b", "type", "treaty", "year"}, l.commitment},
		{"holdings.csv", []string{"state", "component", "quantity", "year", "source"}, l.holding},
		{"deployments.csv", []string{"state", "host", "component", "quantity", "year", "source"}, l.deployment},
	}
	for _, st := range steps {
		if err := readCSV(fsys, st.file, st.cols, st.row); err != nil {
			return nil, err
		}
	}
	if err := l.loadEvidence(fsys); err != nil {
		return nil, err
	}
	if err := l.finish(); err != nil {
		return nil, err
	}
	return l.s, nil
}

type loader struct {
	s     *indivisible.Scenario
	codes map[string]indivisible.ParticipantKind
	// seen detects duplicate rows by their key, per file.
	seen    map[string]int
	borders map[string][]string
	// deployed sums deployments per state and component, to check them
	// against holdings once both files are read.
	deployed map[[2]string]float64
	depLine  map[[2]string]*row
	held     map[[2]string]float64
}

func (l *loader) meta(fsys fs.FS) error {
	b, err := fs.ReadFile(fsys, "scenario.json")
	if err != nil {
		return indivisible.Invalid("scenario.json", "cannot read: %v", unwrapPath(err))
	}
	var m struct {
		Name        string                  `json:"name"`
		Year        int                     `json:"year"`
		Description string                  `json:"description"`
		Components  []indivisible.Component `json:"components"`
	}
	if err := indivisible.DecodeStrict(b, &m); err != nil {
		return indivisible.InFile("scenario.json", err)
	}
	if m.Name == "" {
		return indivisible.Invalid("scenario.json:name", "missing")
	}
	if len(m.Components) == 0 {
		return indivisible.Invalid("scenario.json:components", "at least one component is needed")
	}
	names := map[string]bool{}
	for i, c := range m.Components {
		f := fmt.Sprintf("scenario.json:components[%d]", i)
		switch {
		case !indivisible.IsName(c.Name):
			return indivisible.Invalid(f+".name", "%q is not a lower-case name", c.Name)
		case names[c.Name]:
			return indivisible.Invalid(f+".name", "duplicate component %q", c.Name)
		case !(c.Weight >= 0) || math.IsInf(c.Weight, 0):
			return indivisible.Invalid(f+".weight", "must be a non-negative number")
		}
		names[c.Name] = true
	}
	l.s.Name, l.s.Year, l.s.Description, l.s.Components = m.Name, m.Year, m.Description, m.Components
	return nil
}

func validCode(s string) bool {
	if len(s) < 2 || len(s) > 12 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// row is one CSV record with its position, for error messages.
type row struct {
	file string
	line int
	cols []string
	vals []string
}

func (r *row) err(col, format string, args ...any) error {
	return indivisible.Invalid(fmt.Sprintf("%s:%d:%s", r.file, r.line, col), format, args...)
}

func (r *row) get(col string) string {
	for i, c := range r.cols {
		if c == col {
			return strings.TrimSpace(r.vals[i])
		}
	}
	panic("scenario: unknown column " + col) // a programming error, not input
}

func (r *row) number(col string, optional bool) (float64, error) {
	s := r.get(col)
	if s == "" && optional {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, r.err(col, "%q is not a number", s)
	}
	return v, nil
}

func (r *row) year(col string) (int, error) {
	s := r.get(col)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1000 || v > 3000 {
		return 0, r.err(col, "%q is not a year", s)
	}
	return v, nil
}

// code reads a participant code that must already be defined with the given
// kind ("" for either).
func (l *loader) code(r *row, col string, kind indivisible.ParticipantKind) (string, error) {
	c := r.get(col)
	k, ok := l.codes[c]
	switch {
	case c == "":
		return "", r.err(col, "missing")
	case !ok:
		return "", r.err(col, "unknown participant %q", c)
	case kind != "" && k != kind:
		return "", r.err(col, "%s is a %s, not a %s", c, k, kind)
	}
	return c, nil
}

func (l *loader) component(r *row, col string) (string, error) {
	c := r.get(col)
	if _, ok := l.s.Component(c); !ok {
		return "", r.err(col, "unknown component %q", c)
	}
	return c, nil
}

// unique reports a duplicate key within a file.
func (l *loader) unique(r *row, col string, key ...string) error {
	if l.seen == nil {
		l.seen = map[string]int{}
	}
	k := r.file + "\x00" + strings.Join(key, "\x00")
	if prev, ok := l.seen[k]; ok {
		return r.err(col, "duplicate of line %d", prev)
	}
	l.seen[k] = r.line
	return nil
}

func (l *loader) participant(r *row) error {
	p := indivisible.Participant{Code: r.get("code"), Name: r.get("name"), Kind: indivisible.ParticipantKind(r.get("kind")), Capital: r.get("capital")}
	switch {
	case !validCode(p.Code):
		return r.err("code", "%q is not an upper-case code", p.Code)
	case p.Name == "":
		return r.err("name", "missing")
	case p.Kind != indivisible.State && p.Kind != indivisible.Organisation:
		return r.err("kind", "%q is neither state nor organisation", p.Kind)
	}
	if err := l.unique(r, "code", p.Code); err != nil {
		return err
	}
	if p.Kind == indivisible.State {
		var err error
		if p.Lat, err = r.number("lat", false); err != nil {
			return err
		}
		if p.Lon, err = r.number("lon", false); err != nil {
			return err
		}
		if p.Lat < -90 || p.Lat > 90 {
			return r.err("lat", "%v is outside [-90, 90]", p.Lat)
		}
		if p.Lon < -180 || p.Lon > 180 {
			return r.err("lon", "%v is outside [-180, 180]", p.Lon)
		}
	} else if r.get("lat") != "" || r.get("lon") != "" {
		return r.err("lat", "organisations have no capital coordinates")
	}
	l.codes[p.Code] = p.Kind
	l.s.Participants = append(l.s.Participants, p)
	return nil
}

func (l *loader) border(r *row) error {
	a, err := l.code(r, "a", indivisible.State)
	if err != nil {
		return err
	}
	b, err := l.code(r, "b", indivisible.State)
	if err != nil {
		return err
	}
	if a == b {
		return r.err("b", "a state does not border itself")
	}
	lo, hi := min(a, b), max(a, b)
	if err := l.unique(r, "b", lo, hi); err != nil {
		return err
	}
	if l.borders == nil {
		l.borders = map[string][]string{}
	}
	l.borders[a] = append(l.borders[a], b)
	l.borders[b] = append(l.borders[b], a)
	return nil
}

func (l *loader) membership(r *row) error {
	st, err := l.code(r, "state", indivisible.State)
	if err != nil {
		return err
	}
	org, err := l.code(r, "organisation", indivisible.Organisation)
	if err != nil {
		return err
	}
	role := indivisible.MembershipRole(r.get("role"))
	ok := false
	for _, x := range indivisible.Roles {
		ok = ok || x == role
	}
	if !ok {
		return r.err("role", "%q is not one of member, partner, observer, dialogue_partner", role)
	}
	since, err := r.year("since")
	if err != nil {
		return err
	}
	if err := l.unique(r, "organisation", st, org); err != nil {
		return err
	}
	l.s.Memberships = append(l.s.Memberships, indivisible.Membership{State: st, Organisation: org, Role: role, Since: since})
	return nil
}

func (l *loader) commitment(r *row) error {
	a, err := l.code(r, "a", "")
	if err != nil {
		return err
	}
	c := indivisible.Commitment{A: a, B: r.get("b"), Type: indivisible.CommitmentType(r.get("type")), Treaty: r.get("treaty")}
	if l.codes[a] == indivisible.Organisation {
		if c.B != "" {
			return r.err("b", "must be empty when a is an organisation")
		}
	} else {
		if c.B, err = l.code(r, "b", indivisible.State); err != nil {
			return err
		}
		if c.B == a {
			return r.err("b", "a state cannot commit to itself")
		}
	}
	if c.Type.TieValue() == 0 {
		return r.err("type", "%q is not an ATOP type (defence, offence, neutrality, non_aggression, consultation)", c.Type)
	}
	if c.Treaty == "" {
		return r.err("treaty", "missing")
	}
	if c.Year, err = r.year("year"); err != nil {
		return err
	}
	lo, hi := min(c.A, c.B), max(c.A, c.B)
	if c.B == "" {
		lo, hi = c.A, ""
	}
	if err := l.unique(r, "type", lo, hi, string(c.Type), c.Treaty); err != nil {
		return err
	}
	l.s.Commitments = append(l.s.Commitments, c)
	return nil
}

func (l *loader) holding(r *row) error {
	st, err := l.code(r, "state", indivisible.State)
	if err != nil {
		return err
	}
	comp, err := l.component(r, "component")
	if err != nil {
		return err
	}
	q, err := r.number("quantity", false)
	if err != nil {
		return err
	}
	h := indivisible.Holding{State: st, Component: comp, Quantity: q, Source: r.get("source")}
	if q == -9 {
		h.Quantity, h.Missing = 0, true
	} else if q < 0 {
		return r.err("quantity", "%v is negative (use -9 for a missing value)", q)
	}
	if h.Year, err = r.year("year"); err != nil {
		return err
	}
	if err := l.unique(r, "component", st, comp); err != nil {
		return err
	}
	if l.held == nil {
		l.held = map[[2]string]float64{}
	}
	l.held[[2]string{st, comp}] = h.Quantity
	l.s.Holdings = append(l.s.Holdings, h)
	return nil
}

func (l *loader) deployment(r *row) error {
	st, err := l.code(r, "state", indivisible.State)
	if err != nil {
		return err
	}
	host, err := l.code(r, "host", indivisible.State)
	if err != nil {
		return err
	}
	if host == st {
		return r.err("host", "forces at home are not a deployment")
	}
	comp, err := l.component(r, "component")
	if err != nil {
		return err
	}
	q, err := r.number("quantity", false)
	if err != nil {
		return err
	}
	if q < 0 {
		return r.err("quantity", "%v is negative", q)
	}
	d := indivisible.Deployment{State: st, Host: host, Component: comp, Quantity: q, Source: r.get("source")}
	if d.Year, err = r.year("year"); err != nil {
		return err
	}
	if err := l.unique(r, "component", st, host, comp); err != nil {
		return err
	}
	if l.deployed == nil {
		l.deployed, l.depLine = map[[2]string]float64{}, map[[2]string]*row{}
	}
	k := [2]string{st, comp}
	l.deployed[k] += q
	rc := *r
	rc.vals = append([]string(nil), r.vals...)
	l.depLine[k] = &rc
	l.s.Deployments = append(l.s.Deployments, d)
	return nil
}

func (l *loader) finish() error {
	if len(l.s.Participants) == 0 {
		return indivisible.Invalid("participants.csv", "no participants")
	}
	keys := make([][2]string, 0, len(l.deployed))
	for k := range l.deployed {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return l.depLine[keys[i]].line < l.depLine[keys[j]].line })
	for _, k := range keys {
		if h := l.held[k]; l.deployed[k] > h {
			return l.depLine[k].err("quantity", "%s deploys %v %s abroad in all but holds %v", k[0], l.deployed[k], k[1], h)
		}
	}
	for i := range l.s.Participants {
		p := &l.s.Participants[i]
		p.Borders = l.borders[p.Code]
		sort.Strings(p.Borders)
	}
	return nil
}

// readCSV reads a CSV file with exactly the given header, calling fn per
// record. Blank lines and lines starting with '#' are skipped.
func readCSV(fsys fs.FS, file string, cols []string, fn func(*row) error) error {
	f, err := fsys.Open(file)
	if err != nil {
		return indivisible.Invalid(file, "cannot read: %v", unwrapPath(err))
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.Comment = '#'
	cr.FieldsPerRecord = len(cols)
	header := true
	for {
		vals, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return indivisible.Invalid(fmt.Sprintf("%s:%d:%d", file, pe.Line, pe.Column), "%v", pe.Err)
			}
			return indivisible.Invalid(file, "%v", err)
		}
		if header {
			header = false
			for i, c := range cols {
				if strings.TrimSpace(strings.TrimPrefix(vals[i], "\ufeff")) != c {
					return indivisible.Invalid(fmt.Sprintf("%s:%d:%d", file, line, i+1), "header must be %q", strings.Join(cols, ","))
				}
			}
			continue
		}
		if err := fn(&row{file: file, line: line, cols: cols, vals: vals}); err != nil {
			return err
		}
	}
	if header {
		return indivisible.Invalid(file, "empty file: header %q expected", strings.Join(cols, ","))
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
