package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/optimize"
)

func cmdOptimize(ctx context.Context, e *env, args []string) error {
	fs := newFlags("optimize", e)
	var mf modelFlags
	mf.register(fs)
	asJSON := fs.Bool("json", false, "write the result as JSON")
	tol := fs.Float64("tolerance", indivisible.DefaultTolerance, "largest fall in security (a probability; 0.0001 is 0.01 percentage points of annual risk) any participant may bear")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return indivisible.Invalid("CANDIDATES", "exactly one candidates file (or -) is needed")
	}
	name := fs.Arg(0)
	r, err := openInput(e, name)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(io.LimitReader(r, maxProposalBytes+1))
	r.Close()
	if err != nil {
		return indivisible.Invalid(name, "%v", err)
	}
	if len(b) > maxProposalBytes {
		return indivisible.FieldErrorf(indivisible.ETOOLARGE, name, "larger than %d bytes", maxProposalBytes)
	}
	cs, err := optimize.ParseCandidates(b)
	if err != nil {
		return indivisible.InFile(name, err)
	}
	sys, err := mf.system()
	if err != nil {
		return err
	}
	res, err := optimize.Optimize(ctx, sys, cs, optimize.Options{Tolerance: *tol})
	if err != nil {
		return indivisible.InFile(name, err)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return writeOptimum(e.stdout, res)
}

// writeOptimum prints the optimiser's result as aligned text.
func writeOptimum(w io.Writer, r *optimize.Result) error {
	a := r.Assessment
	fmt.Fprintf(w, "%s\nscenario %s, tolerance %g; %d iterations, %d assessments\n", r.Title, a.Scenario, a.Tolerance, r.Iterations, r.Evaluations)
	if r.Interrupted {
		fmt.Fprintln(w, "INTERRUPTED: the best package found so far")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "chosen levels:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range r.Levels {
		fmt.Fprintf(tw, "  %.4f\t%s\t%s\t\n", l.Level, l.Type, l.Name)
	}
	tw.Flush()
	// The optimiser works in security (the probability of facing no
	// militarized dispute in a year): its smallest change is the least
	// favourable change in annual risk, with the sign turned, shown here in
	// percentage points.
	pp := func(delta float64) float64 { return -100*delta + 0 } // + 0: no negative zero
	fmt.Fprintln(w, "\nchange in annual risk of facing a militarized dispute, percentage points (negative: safer):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  \tworst-off state\tsum over states\t\t")
	for _, o := range []optimize.Outcome{r.Outcome, r.BestSingle, r.Empty} {
		adm := ""
		if !o.Admissible {
			adm = "(not admissible)"
		}
		fmt.Fprintf(tw, "  %s\t%+.6g\t%+.6g\t%s\t\n", o.Name, pp(o.Min), pp(o.Total), adm)
	}
	tw.Flush()
	fmt.Fprintf(w, "the worst-off state's change is %.6g percentage points better than with the best single candidate, and %.6g better than with the empty package\n",
		100*r.Improvement.OverBestSingle, 100*r.Improvement.OverEmpty)
	c := r.Certificate
	fmt.Fprintf(w, "\ncertificate (LP duals, trust region %g, optimal %v):\n", c.Radius, c.Optimal)
	for _, d := range c.Participants {
		fmt.Fprintf(w, "  binds: %s %.4f\n", d.Code, d.Value)
	}
	for _, d := range c.Limits {
		fmt.Fprintf(w, "  limit binds: %s %s %.4g\n", d.Code, d.Category, d.Value)
	}
	_, err := fmt.Fprintf(w, "\nverdict: %s (gainers %d, losers %d); highest annual risk %.2f%% (%s) -> %.2f%% (%s)\n",
		a.Verdict, len(a.Gainers), len(a.Losers), 100*(1-a.Equality.Before.Min), a.Equality.Before.MinCode, 100*(1-a.Equality.After.Min), a.Equality.After.MinCode)
	return err
}
