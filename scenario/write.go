package scenario

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/indivisible-eurasia/indivisible"
)

// Write stores s in dir in the format Load reads, creating dir if needed.
// Files are written to temporary names and renamed into place, so a failed
// write never leaves a half-written scenario behind.
func Write(dir string, s *indivisible.Scenario) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return indivisible.Invalid(dir, "%v", err)
	}
	meta, err := json.MarshalIndent(struct {
		Name        string                  `json:"name"`
		Year        int                     `json:"year"`
		Description string                  `json:"description,omitempty"`
		Components  []indivisible.Component `json:"components"`
	}{s.Name, s.Year, s.Description, s.Components}, "", "  ")
	if err != nil {
		return err
	}
	files := map[string][][]string{}
	add := func(file string, rec ...string) { files[file] = append(files[file], rec) }
	add("participants.csv", "code", "name", "kind", "capital", "lat", "lon")
	add("borders.csv", "a", "b")
	for _, p := range s.Participants {
		lat, lon := num(p.Lat), num(p.Lon)
		if p.Kind == indivisible.Organisation {
			lat, lon = "", ""
		}
		add("participants.csv", p.Code, p.Name, string(p.Kind), p.Capital, lat, lon)
		for _, b := range p.Borders {
			if p.Code < b {
				add("borders.csv", p.Code, b)
			}
		}
	}
	add("memberships.csv", "state", "organisation", "role", "since")
	for _, m := range s.Memberships {
		add("memberships.csv", m.State, m.Organisation, string(m.Role), year(m.Since))
	}
	add("commitments.csv", "a", "b", "type", "treaty", "year")
	for _, c := range s.Commitments {
		add("commitments.csv", c.A, c.B, string(c.Type), c.Treaty, year(c.Year))
	}
	add("holdings.csv", "state", "component", "quantity", "year", "source")
	for _, h := range s.Holdings {
		q := num(h.Quantity)
		if h.Missing {
			q = "-9"
		}
		add("holdings.csv", h.State, h.Component, q, year(h.Year), h.Source)
	}
	add("deployments.csv", "state", "host", "component", "quantity", "year", "source")
	for _, d := range s.Deployments {
		add("deployments.csv", d.State, d.Host, d.Component, num(d.Quantity), year(d.Year), d.Source)
	}
	names := slices.Clone(Files)
	for name, rows := range evidenceRecords(s) {
		files[name] = rows
		names = append(names, name)
	}
	slices.Sort(names[len(Files):])
	return writeFiles(dir, names, func(name string, f io.Writer) error {
		if name == "scenario.json" {
			_, err := f.Write(append(meta, '\n'))
			return err
		}
		return csv.NewWriter(f).WriteAll(files[name])
	})
}

// WriteEvidence writes the evidence files for which ev has records into
// dir, replacing those files, and returns their names.
func WriteEvidence(dir string, ev *indivisible.Evidence) ([]string, error) {
	files := evidenceRecords(&indivisible.Scenario{Evidence: *ev})
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, indivisible.Invalid(dir, "%v", err)
	}
	return names, writeFiles(dir, names, func(name string, f io.Writer) error {
		return csv.NewWriter(f).WriteAll(files[name])
	})
}

// writeFiles writes each named file under a temporary name and renames
// them all into place only once every one is written, so that a failed
// write never leaves a half-written scenario behind.
func writeFiles(dir string, names []string, write func(name string, f io.Writer) error) error {
	tmp := map[string]string{}
	defer func() {
		for _, t := range tmp {
			os.Remove(t)
		}
	}()
	for _, name := range names {
		f, err := os.CreateTemp(dir, "."+name+".*")
		if err != nil {
			return indivisible.Invalid(dir, "%v", err)
		}
		tmp[name] = f.Name()
		err = write(name, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return indivisible.Invalid(filepath.Join(dir, name), "%v", err)
		}
	}
	for _, name := range names {
		if err := os.Rename(tmp[name], filepath.Join(dir, name)); err != nil {
			return indivisible.Invalid(filepath.Join(dir, name), "%v", err)
		}
		delete(tmp, name)
	}
	return nil
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func year(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}
