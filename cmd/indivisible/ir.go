package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ir"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// cmdIR dispatches the international-relations measures. Each writes CSV
// with a header; numbers are printed in the shortest form that reads back
// to the same float64 (strconv 'g', -1), so nothing is lost to rounding.
var irCommands = map[string]command{
	"cinc":     {"CINC per state-year: -nmc FILE [-year Y]", cmdIRCINC},
	"sscore":   {"S scores and tau-b of every pair: -nmc FILE -atop FILE [-year Y | -years Y1-Y2]", cmdIRSScore},
	"distance": {"capital distances and contiguity: -capitals FILE [-contiguity FILE] -year Y", cmdIRDistance},
}

// cmdIRCINC writes ccode,year,cinc.
func cmdIRCINC(ctx context.Context, e *env, args []string) error {
	fs := newFlags("ir cinc", e)
	nmcFile := fs.String("nmc", "", "COW NMC components CSV (required)")
	year := fs.Int("year", 0, "only this year (default: every year)")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	nmc, err := readIRFile(e, "-nmc", *nmcFile, ir.ReadNMC)
	if err != nil {
		return err
	}
	return writeCSV(e, *out, "ccode,year,cinc", func(w *csvRows) error {
		n := 0
		for _, c := range ir.ComputeCINC(nmc) {
			if *year != 0 && c.Year != *year {
				continue
			}
			n++
			w.int(c.Ccode).int(c.Year).float(c.CINC).end()
		}
		if n == 0 {
			return indivisible.Invalid("-year", "the NMC data have no row for %d", *year)
		}
		return nil
	})
}

// cmdIRSScore writes ccode1,ccode2,year,s_unweighted,s_weighted,taub.
func cmdIRSScore(ctx context.Context, e *env, args []string) error {
	fs := newFlags("ir sscore", e)
	nmcFile := fs.String("nmc", "", "COW NMC components CSV (required): the system and the CINC weights")
	atopFile := fs.String("atop", "", "ATOP alliance dyad-year CSV (required)")
	year := fs.Int("year", 0, "only this year")
	years := fs.String("years", "", "only the years `Y1-Y2` (default: every year both files cover)")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *year != 0 && *years != "" {
		return indivisible.Invalid("-years", "give -year or -years, not both")
	}
	nmc, err := readIRFile(e, "-nmc", *nmcFile, ir.ReadNMC)
	if err != nil {
		return err
	}
	atop, err := readIRFile(e, "-atop", *atopFile, ir.ReadATOP)
	if err != nil {
		return err
	}
	p := ir.NewPortfolios(nmc, atop)
	first, last := p.Span()
	switch {
	case *year != 0:
		first, last = *year, *year
	case *years != "":
		if first, last, err = parseYears(*years); err != nil {
			return err
		}
	}
	bar := progress(e, last-first+1, "S scores")
	return writeCSV(e, *out, "ccode1,ccode2,year,s_unweighted,s_weighted,taub", func(w *csvRows) error {
		return p.Years(ctx, first, last, func(_ int, s []ir.Similarity) error {
			for _, r := range s {
				w.int(r.Ccode1).int(r.Ccode2).int(r.Year).float(r.Unweighted).float(r.Weighted).float(r.TauB).end()
			}
			bar.Add(1)
			return w.err()
		})
	})
}

// cmdIRDistance writes ccode1,ccode2,km,contiguity.
func cmdIRDistance(ctx context.Context, e *env, args []string) error {
	fs := newFlags("ir distance", e)
	capsFile := fs.String("capitals", "", "capitals CSV (required)")
	contFile := fs.String("contiguity", "", "COW direct contiguity CSV (default: contiguity 0)")
	year := fs.Int("year", 0, "year (required): capitals and contiguity on 1 July")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *year == 0 {
		return indivisible.Invalid("-year", "required")
	}
	caps, err := readIRFile(e, "-capitals", *capsFile, ir.ReadCapitals)
	if err != nil {
		return err
	}
	var cont []ir.Contiguity
	if *contFile != "" {
		if cont, err = readIRFile(e, "-contiguity", *contFile, ir.ReadContiguity); err != nil {
			return err
		}
	}
	d, err := ir.Distances(caps, cont, *year)
	if err != nil {
		return err
	}
	return writeCSV(e, *out, "ccode1,ccode2,km,contiguity", func(w *csvRows) error {
		for _, r := range d {
			w.int(r.Ccode1).int(r.Ccode2).float(r.Km).int(r.Contiguity).end()
		}
		return nil
	})
}

// cmdScenarioBuild writes the scenario of one year: from a data folder
// laid out like the shared data (every feature of the hazard model), or
// from the NMC, ATOP, capitals and contiguity files alone (forces,
// alliances and borders); the per-file flags override the folder's files.
func cmdScenarioBuild(ctx context.Context, e *env, args []string) error {
	fs := newFlags("scenario build", e)
	year := fs.Int("year", 0, "year (required): the system on 1 July, with the evidence as of its end")
	data := fs.String("data", "", "folder laid out like the shared data (docs/scenario.md): every feature of the model")
	nmcFile := fs.String("nmc", "", "COW NMC components CSV (required without -data)")
	atopFile := fs.String("atop", "", "ATOP alliance dyad-year CSV (required without -data)")
	capsFile := fs.String("capitals", "", "capitals CSV (required without -data)")
	contFile := fs.String("contiguity", "", "COW direct contiguity CSV (default: the folder's, or no borders)")
	dir := fs.String("o", "", "output directory (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *year == 0:
		return indivisible.Invalid("-year", "required")
	case *dir == "":
		return indivisible.Invalid("-o", "required: the directory to write the scenario to")
	}
	d := &ir.Data{}
	if *data != "" {
		var err error
		if d, err = ir.LoadData(*data); err != nil {
			return err
		}
	}
	var err error
	if *nmcFile != "" || *data == "" {
		if d.NMC, err = readIRFile(e, "-nmc", *nmcFile, ir.ReadNMC); err != nil {
			return err
		}
	}
	if *atopFile != "" || *data == "" {
		if d.ATOP, err = readIRFile(e, "-atop", *atopFile, ir.ReadATOP); err != nil {
			return err
		}
	}
	if *capsFile != "" || *data == "" {
		if d.Capitals, err = readIRFile(e, "-capitals", *capsFile, ir.ReadCapitals); err != nil {
			return err
		}
	}
	if *contFile != "" {
		if d.Contiguity, err = readIRFile(e, "-contiguity", *contFile, ir.ReadContiguity); err != nil {
			return err
		}
	}
	var s *indivisible.Scenario
	if *data != "" {
		y, err := d.BuildYear(*year)
		if err != nil {
			return err
		}
		s = y.Scenario
	} else if s, err = ir.BuildScenario(*year, d.NMC, d.ATOP, d.Capitals, d.Contiguity); err != nil {
		return err
	}
	if err := scenario.Write(*dir, s); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s: %d participants, %d commitments\n", *dir, len(s.Participants), len(s.Commitments))
	return nil
}

// cmdScenarioEvidence writes the evidence files that come from the
// published data (ir.Data.DerivedEvidence) for a scenario coded by ISO
// 3166-1 alpha-3; the curated rivalries and disputes are not touched.
func cmdScenarioEvidence(ctx context.Context, e *env, args []string) error {
	fs := newFlags("scenario evidence", e)
	name := fs.String("scenario", scenario.DefaultName, "scenario: eurasia (embedded) or a directory")
	data := fs.String("data", "../shared/data", "folder laid out like the shared data (docs/scenario.md)")
	dir := fs.String("o", "", "directory to write the evidence files to (required; e.g. scenario/eurasia)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return indivisible.Invalid("-o", "required: the directory to write the evidence files to")
	}
	s, err := openScenario(*name)
	if err != nil {
		return err
	}
	d, err := ir.LoadData(*data)
	if err != nil {
		return err
	}
	ev, err := d.DerivedEvidence(s)
	if err != nil {
		return err
	}
	files, err := scenario.WriteEvidence(*dir, &ev)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s in %s\n", strings.Join(files, ", "), *dir)
	return nil
}

// readIRFile reads the file named by a required flag with an ir reader.
func readIRFile[T any](e *env, flagName, name string, read func(io.Reader, string) ([]T, error)) ([]T, error) {
	if name == "" {
		return nil, indivisible.Invalid(flagName, "required")
	}
	r, err := openInput(e, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return read(r, name)
}

// parseYears parses a year range Y1-Y2.
func parseYears(s string) (first, last int, err error) {
	a, b, ok := strings.Cut(s, "-")
	first, err1 := strconv.Atoi(a)
	last, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || first > last {
		return 0, 0, indivisible.Invalid("-years", "%q is not a range Y1-Y2 with Y1 <= Y2", s)
	}
	return first, last, nil
}

// progress returns a progress bar on standard error when it is a terminal,
// and a silent one otherwise, so that logs and pipes stay clean.
func progress(e *env, max int, what string) *progressbar.ProgressBar {
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return progressbar.NewOptions(max, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	}
	return progressbar.DefaultSilent(int64(max))
}

// writeCSV writes a header and the rows fill produces to the -o file or
// standard output.
func writeCSV(e *env, name, header string, fill func(*csvRows) error) error {
	f, err := createOutput(e, name)
	if err != nil {
		return err
	}
	w := &csvRows{w: bufio.NewWriterSize(f, 1<<16)}
	w.buf = append(w.buf, header...)
	w.end()
	if err := fill(w); err != nil {
		f.Abort()
		return err
	}
	if err := w.flush(); err != nil {
		f.Abort()
		return indivisible.Invalid(name, "%v", err)
	}
	if err := f.Close(); err != nil {
		return indivisible.Invalid(name, "%v", err)
	}
	return nil
}

// csvRows formats numeric CSV rows without encoding/csv's per-field
// allocations: the S-score run writes about a million rows.
type csvRows struct {
	w    *bufio.Writer
	buf  []byte
	werr error
}

func (c *csvRows) sep() {
	if len(c.buf) > 0 {
		c.buf = append(c.buf, ',')
	}
}

func (c *csvRows) int(v int) *csvRows {
	c.sep()
	c.buf = strconv.AppendInt(c.buf, int64(v), 10)
	return c
}

func (c *csvRows) float(v float64) *csvRows {
	c.sep()
	c.buf = strconv.AppendFloat(c.buf, v, 'g', -1, 64)
	return c
}

// end finishes the row.
func (c *csvRows) end() {
	c.buf = append(c.buf, '\n')
	if c.werr == nil {
		_, c.werr = c.w.Write(c.buf)
	}
	c.buf = c.buf[:0]
}

// err returns the first write error.
func (c *csvRows) err() error {
	if c.werr != nil {
		return indivisible.Invalid("output", "%v", c.werr)
	}
	return nil
}

func (c *csvRows) flush() error {
	if c.werr != nil {
		return c.werr
	}
	return c.w.Flush()
}
