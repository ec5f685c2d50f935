package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/api/openapiclient"
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
	p, _, err := proposalFile(e, fs)
	return p, err
}

// proposalFile is proposalArg with the file's bytes too, for assess
// -server to send as written.
func proposalFile(e *env, fs *flag.FlagSet) (*indivisible.Proposal, []byte, error) {
	if fs.NArg() != 1 {
		fs.Usage()
		return nil, nil, indivisible.Invalid("PROPOSAL", "exactly one proposal file (or -) is needed")
	}
	name := fs.Arg(0)
	b, err := readLimited(e, name, maxProposalBytes)
	if err != nil {
		return nil, nil, err
	}
	p, err := indivisible.ParseProposal(b)
	if err != nil {
		return nil, nil, indivisible.InFile(name, err)
	}
	return p, b, nil
}

const maxProposalBytes = 1 << 20

// cmdAssess assesses a proposal with the model run here, or, with
// -server, asks the server (POST /api/v1/assess), whose scenario and
// parameters then count.
func cmdAssess(ctx context.Context, e *env, args []string) error {
	fs := newFlags("assess", e)
	var mf modelFlags
	mf.register(fs)
	// Only the flag makes assess a client: $INDIVISIBLE_SERVER, set for
	// the forum commands, leaves the local model run as it was.
	rf := remote(fs, "assess with the model of the service at `URL` instead of here ($INDIVISIBLE_SERVER does not count)")
	asJSON := fs.Bool("json", false, "write the assessment as JSON")
	tol := fs.Float64("tolerance", indivisible.DefaultTolerance, "largest fall in a state's security (a probability; 0.0001 is 0.01 percentage points of annual risk) that still counts as no loss")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var a *indivisible.Assessment
	var err error
	if rf.server != "" {
		a, err = assessRemote(ctx, e, fs, rf, *tol)
	} else {
		a, err = assessLocal(ctx, e, fs, mf, *tol)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, a)
	}
	return writeAssessment(e.stdout, a)
}

func assessLocal(ctx context.Context, e *env, fs *flag.FlagSet, mf modelFlags, tol float64) (*indivisible.Assessment, error) {
	p, err := proposalArg(e, fs)
	if err != nil {
		return nil, err
	}
	sys, err := mf.system()
	if err != nil {
		return nil, err
	}
	return sys.Assess(ctx, p, tol)
}

// assessRemote sends the proposal file as it is written, once it has
// read here (so that a mistake names the file).
func assessRemote(ctx context.Context, e *env, fs *flag.FlagSet, rf *remoteFlags, tol float64) (*indivisible.Assessment, error) {
	var local []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "scenario" || f.Name == "params" || f.Name == "coefficients" {
			local = append(local, f.Name)
		}
	})
	if len(local) > 0 {
		return nil, indivisible.Invalid(local[0], "with -server the server's model assesses; -%s are for a local run", strings.Join(local, ", -"))
	}
	_, b, err := proposalFile(e, fs)
	if err != nil {
		return nil, err
	}
	c, err := rf.dial(e)
	if err != nil {
		return nil, err
	}
	return reply[indivisible.Assessment](c.api.AssessWithBody(ctx, &openapiclient.AssessParams{Tolerance: &tol}, jsonType, bytes.NewReader(b)))
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
