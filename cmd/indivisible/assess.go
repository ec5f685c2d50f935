package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// modelFlags are the flags every command that runs the model shares.
type modelFlags struct {
	scenario, params, coefficients string
}

func (f *modelFlags) register(fs interface {
	StringVar(*string, string, string, string)
}) {
	fs.StringVar(&f.scenario, "scenario", scenario.DefaultName, "scenario: eurasia (embedded) or a directory")
	fs.StringVar(&f.params, "params", "", "model parameter file (JSON; defaults in docs/model.md)")
	fs.StringVar(&f.coefficients, "coefficients", "", "coefficient file written by indivisible calibrate (default: the shipped one)")
}

// system loads the scenario and parameters and compiles the model.
func (f *modelFlags) system() (*model.System, error) {
	s, err := openScenario(f.scenario)
	if err != nil {
		return nil, err
	}
	p := model.DefaultParams()
	if f.params != "" {
		b, err := readInput(f.params)
		if err != nil {
			return nil, err
		}
		if p, err = model.ParseParams(b); err != nil {
			return nil, indivisible.InFile(f.params, err)
		}
	}
	if f.coefficients != "" {
		b, err := readInput(f.coefficients)
		if err != nil {
			return nil, err
		}
		if p.Coefficients, err = model.ParseCoefficients(b); err != nil {
			return nil, indivisible.InFile(f.coefficients, err)
		}
	}
	return model.Compile(s, p)
}

// proposalArg reads the one PROPOSAL argument that assess and simulate
// take, printing the usage when it is missing.
func proposalArg(e *env, fs *flag.FlagSet) (*indivisible.Proposal, error) {
	if fs.NArg() != 1 {
		fs.Usage()
		return nil, indivisible.Invalid("PROPOSAL", "exactly one proposal file (or -) is needed")
	}
	return readProposal(e, fs.Arg(0))
}

// readProposal reads and parses a proposal file ("-" for stdin).
func readProposal(e *env, name string) (*indivisible.Proposal, error) {
	r, err := openInput(e, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxProposalBytes+1))
	if err != nil {
		return nil, indivisible.Invalid(name, "%v", err)
	}
	if len(b) > maxProposalBytes {
		return nil, indivisible.FieldErrorf(indivisible.ETOOLARGE, name, "larger than %d bytes", maxProposalBytes)
	}
	p, err := indivisible.ParseProposal(b)
	if err != nil {
		return nil, indivisible.InFile(name, err)
	}
	return p, nil
}

const maxProposalBytes = 1 << 20

func cmdAssess(ctx context.Context, e *env, args []string) error {
	fs := newFlags("assess", e)
	var mf modelFlags
	mf.register(fs)
	asJSON := fs.Bool("json", false, "write the assessment as JSON")
	tol := fs.Float64("tolerance", indivisible.DefaultTolerance, "largest fall in a state's security (a probability; 0.0001 is 0.01 percentage points of annual risk) that still counts as no loss")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := proposalArg(e, fs)
	if err != nil {
		return err
	}
	sys, err := mf.system()
	if err != nil {
		return err
	}
	a, err := sys.Assess(ctx, p, *tol)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(a)
	}
	return writeAssessment(e.stdout, a)
}

// writeAssessment prints an assessment as aligned text: each state's
// annual risk of facing a militarized dispute (one minus its security)
// before and after, in per cent, and the change in percentage points.
func writeAssessment(w io.Writer, a *indivisible.Assessment) error {
	title := a.Title
	if title == "" {
		title = "(untitled proposal)"
	}
	fmt.Fprintf(w, "%s\nscenario %s, tolerance %g\n\nverdict: %s\n", title, a.Scenario, a.Tolerance, a.Verdict)
	fmt.Fprintf(w, "gainers: %d, losers: %d\n\n", len(a.Gainers), len(a.Losers))
	fmt.Fprintf(w, "annual risk of facing a militarized dispute, in %% (use of force in the last two columns):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "code\tname\tbefore\tafter\tchange (pp)\t\tforce before\tafter\t")
	pct := func(sec float64) float64 { return 100 * (1 - sec) }
	for _, p := range a.Participants {
		mark := ""
		switch {
		case p.Delta < -a.Tolerance:
			mark = "loses"
		case p.Delta > a.Tolerance:
			mark = "gains"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.3f\t%+.4f\t%s\t%.3f\t%.3f\t\n", p.Code, p.Name, pct(p.Before), pct(p.After), -100*p.Delta, mark, pct(p.ForceBefore), pct(p.ForceAfter))
	}
	tw.Flush()
	if len(a.Organisations) > 0 {
		fmt.Fprintln(w, "\norganisations (risk that any member faces a dispute, %):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		for _, o := range a.Organisations {
			fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%+.4f\t\n", o.Code, pct(o.Before), pct(o.After), -100*o.Delta)
		}
		tw.Flush()
	}
	if len(a.Expense) > 0 {
		fmt.Fprintln(w, "\nwho now threatens a losing state more (annual probability of a dispute):")
		for _, x := range a.Expense {
			gain := ""
			if x.FromDelta > a.Tolerance {
				gain = fmt.Sprintf(" (%s gains at %s's expense)", x.From, x.To)
			}
			fmt.Fprintf(w, "  %s against %s: %.4f%% → %.4f%%%s\n", x.From, x.To, 100*x.HazardBefore, 100*x.HazardAfter, gain)
		}
	}
	eb, ea := a.Equality.Before, a.Equality.After
	fmt.Fprintf(w, "\nequality of security (probability of no dispute)\n              before           after\n")
	fmt.Fprintf(w, "minimum       %.4f (%s)  %.4f (%s)\n", eb.Min, eb.MinCode, ea.Min, ea.MinCode)
	fmt.Fprintf(w, "mean          %.4f           %.4f\n", eb.Mean, ea.Mean)
	_, err := fmt.Fprintf(w, "gini          %.4f           %.4f\n", eb.Gini, ea.Gini)
	return err
}
