package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"github.com/indivisible-eurasia/indivisible/simulate"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func cmdSimulate(ctx context.Context, e *env, args []string) error {
	fs := newFlags("simulate", e)
	scen := fs.String("scenario", scenario.DefaultName, "scenario: eurasia (embedded) or a directory")
	specFile := fs.String("params", "", "parameter-distribution file (JSON, docs/model.md section 9); default: the built-in uncertainty")
	draws := fs.Int("draws", 10000, "number of draws")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same result")
	workers := fs.Int("workers", 0, "worker goroutines (0: one per core)")
	tol := fs.Float64("tolerance", indivisible.DefaultTolerance, "largest fall in a state's security (a probability; 0.0001 is 0.01 percentage points of annual risk) that still counts as no loss")
	asJSON := fs.Bool("json", false, "write the result as JSON")
	dump := fs.String("dump", "", "write the compiled inputs and distributions to `FILE` for bench/reference_simulate.py, and stop")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := proposalArg(e, fs)
	if err != nil {
		return err
	}
	spec := simulate.DefaultSpec()
	if *specFile != "" {
		b, err := readInput(*specFile)
		if err != nil {
			return err
		}
		if spec, err = simulate.ParseSpec(b); err != nil {
			return indivisible.InFile(*specFile, err)
		}
	}
	s, err := openScenario(*scen)
	if err != nil {
		return err
	}
	sys, err := model.Compile(s, spec.Params)
	if err != nil {
		return err
	}
	if *dump != "" {
		return dumpInputs(e, *dump, sys, spec, p)
	}
	opts := simulate.Options{Draws: *draws, Seed: *seed, Workers: *workers, Tolerance: *tol}
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(*draws, progressbar.OptionSetWriter(e.stderr), progressbar.OptionSetDescription("simulating"),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		opts.Progress = func(done int) { bar.Set(done) }
		defer bar.Finish()
	}
	r, err := simulate.Run(ctx, sys, spec, p, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return writeSimulation(e.stdout, r)
}

// dumpInputs writes what bench/reference_simulate.py reads.
func dumpInputs(e *env, name string, sys *model.System, spec *simulate.Spec, p *indivisible.Proposal) error {
	w, err := createOutput(e, name)
	if err != nil {
		return err
	}
	if err := simulate.WriteInputs(w, sys, spec, p.Measures); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// writeSimulation prints a simulation result as aligned text. The result
// holds changes in security (the probability of facing no militarized
// dispute in a year); the text shows them as changes in annual risk, in
// percentage points, so that a rise is a loss, as assess prints them. The
// 5th percentile of a change in risk is minus the 95th of the change in
// security, and a rank correlation with the largest rise in risk is minus
// the one with the smallest change in security.
func writeSimulation(w io.Writer, r *simulate.Result) error {
	title := r.Title
	if title == "" {
		title = "(untitled proposal)"
	}
	fmt.Fprintf(w, "%s\nuncertainty: %s; %d draws, seed %d, tolerance %g\n", title, r.Uncertainty, r.Draws, r.Seed, r.Tolerance)
	if r.Partial {
		fmt.Fprintf(w, "PARTIAL: interrupted after %d of %d draws\n", r.Draws, r.Requested)
	}
	// Adding 0 turns a negative zero positive, so no change prints +0.
	pp := func(delta float64) float64 { return -100*delta + 0 }
	fmt.Fprintf(w, "\nP(verdict = divisible) = %.3f\n", r.PDivisible)
	fmt.Fprintf(w, "largest rise in any state's annual risk of facing a militarized dispute (percentage points): mean %+.4f, 90%% interval [%+.4f, %+.4f]\n\n",
		pp(r.MinDelta.Mean), pp(r.MinDelta.P95), pp(r.MinDelta.P05))
	fmt.Fprintln(w, "change in annual risk, percentage points (negative: safer); P(loss): the share of draws in which the risk rises beyond the tolerance")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "code\tmean\tp05\tp95\tP(loss)\t")
	for _, p := range r.Participants {
		fmt.Fprintf(tw, "%s\t%+.4f\t%+.4f\t%+.4f\t%.3f\t\n", p.Code, pp(p.Mean), pp(p.P95), pp(p.P05), p.PLoss)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nsensitivity (Spearman rank correlation with the verdict and with the largest rise in risk):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "parameter\tverdict\tlargest rise\t")
	for _, s := range r.Sensitivity {
		fmt.Fprintf(tw, "%s\t%+.3f\t%+.3f\t\n", s.Parameter, s.Verdict, -s.MinDelta+0)
	}
	return tw.Flush()
}
