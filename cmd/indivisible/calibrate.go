package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/calibrate"
	"github.com/indivisible-eurasia/indivisible/history"
	"github.com/indivisible-eurasia/indivisible/ir"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/score"
)

// loadHistory reads the data folder and builds the dyad-years of the
// outcome years from to to, with a progress bar on a terminal.
func loadHistory(ctx context.Context, e *env, dir string, from, to int) (*ir.Data, *history.Set, error) {
	d, err := ir.LoadData(dir)
	if err != nil {
		return nil, nil, err
	}
	bar := progress(e, to-from+1, "dyad-years")
	s, err := history.Build(ctx, d, from, to, func() { bar.Add(1) })
	bar.Finish()
	return d, s, err
}

func cmdCalibrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags("calibrate", e)
	data := fs.String("data", "../shared/data", "folder laid out like the shared data (docs/scenario.md)")
	trainFlag := fs.String("train", "1817-2010", "outcome years to fit (the features are from the year before)")
	out := fs.String("o", "", "write the coefficient file here (default standard output)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	train, err := calibrate.ParseWindow("-train", *trainFlag)
	if err != nil {
		return err
	}
	d, s, err := loadHistory(ctx, e, *data, train.From, train.To)
	if err != nil {
		return err
	}
	c, err := calibrate.Fit(s, train, d.Files)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return err
	}
	o, err := createOutput(e, *out)
	if err != nil {
		return err
	}
	if _, err := o.Write(append(b, '\n')); err != nil {
		o.Abort()
		return err
	}
	if err := o.Close(); err != nil {
		return err
	}
	writeFit(e.stderr, c)
	return nil
}

// writeFit prints the fit table: coefficients and standard errors.
func writeFit(w io.Writer, c *model.Coefficients) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "feature\tMID β\tSE\tforce β\tSE\t\n")
	for k, f := range c.Features {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t\n", f, c.MID.Coef[k], c.MID.SE[k], c.Force.Coef[k], c.Force.SE[k])
	}
	fmt.Fprintf(tw, "dyad-years\t%d\t\t%d\t\t\n", c.MID.N, c.Force.N)
	fmt.Fprintf(tw, "events\t%d\t\t%d\t\t\n", c.MID.Events, c.Force.Events)
	fmt.Fprintf(tw, "log-likelihood\t%.1f\t\t%.1f\t\t\n", c.MID.LogLik, c.Force.LogLik)
	fmt.Fprintf(tw, "null log-likelihood\t%.1f\t\t%.1f\t\t\n", c.MID.LogLik0, c.Force.LogLik0)
	tw.Flush()
}

func cmdValidate(ctx context.Context, e *env, args []string) error {
	fs := newFlags("validate", e)
	data := fs.String("data", "../shared/data", "folder laid out like the shared data (docs/scenario.md)")
	trainFlag := fs.String("train", "1817-2000", "outcome years to fit")
	testFlag := fs.String("test", "2001-2010", "outcome years to score")
	outcome := fs.String("outcome", model.OutcomeMID, "mid (any militarized dispute) or force (use of force)")
	boot := fs.Int("boot", 200, "bootstrap replicates, resampling dyads")
	seed := fs.Uint64("seed", 1, "bootstrap seed")
	asJSON := fs.Bool("json", false, "write the report as JSON")
	svg := fs.String("svg", "", "also write the ROC and reliability plot to this SVG file")
	ablation := fs.Bool("ablation", false, "also refit without each feature and report what it earns out of sample")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	train, err := calibrate.ParseWindow("-train", *trainFlag)
	if err != nil {
		return err
	}
	test, err := calibrate.ParseWindow("-test", *testFlag)
	if err != nil {
		return err
	}
	if *boot < 1 {
		return indivisible.Invalid("-boot", "must be at least 1")
	}
	if err := calibrate.CheckWindows(train, test); err != nil {
		return err
	}
	d, s, err := loadHistory(ctx, e, *data, train.From, test.To)
	if err != nil {
		return err
	}
	r, err := calibrate.Validate(ctx, s, train, test, d.Files, calibrate.Options{Outcome: *outcome, Boot: *boot, Seed: *seed})
	if err != nil {
		return err
	}
	if *svg != "" {
		o, err := createOutput(e, *svg)
		if err != nil {
			return err
		}
		if err := plot(o, r); err != nil {
			o.Abort()
			return err
		}
		if err := o.Close(); err != nil {
			return err
		}
	}
	var abl []calibrate.Ablation
	if *ablation {
		if abl, err = calibrate.Ablate(ctx, s, train, test); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", " ")
		return enc.Encode(struct {
			*calibrate.Report
			Ablation []calibrate.Ablation `json:"ablation,omitempty"`
		}{r, abl})
	}
	writeReport(e.stdout, r)
	if abl != nil {
		writeAblation(e.stdout, abl)
	}
	return nil
}

// writeAblation prints what each feature earns: the full model's figures,
// then the change when each feature is dropped.
func writeAblation(w io.Writer, abl []calibrate.Ablation) {
	fmt.Fprintln(w, "\nablation (MID, refitted without each feature; changes from the full model):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "dropped\tAUC all\tAUC relevant\tlog-loss\t\n")
	for k, a := range abl {
		if k == 0 {
			fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.6f\t\n", a.Feature, a.AUC, a.AUCRelevant, a.LogLoss)
			continue
		}
		fmt.Fprintf(tw, "%s\t%+.4f\t%+.4f\t%+.6f\t\n", a.Feature, a.AUC, a.AUCRelevant, a.LogLoss)
	}
	tw.Flush()
}

// plot draws the ROC curves of every model on the politically relevant
// pairs (where the baselines differ most), and the model's reliability on
// every universe.
func plot(w io.Writer, r *calibrate.Report) error {
	var curves []score.Curve
	bins := map[string][]score.Bin{}
	for _, u := range append(r.Universes, r.Monadic) {
		for _, m := range u.Models {
			if u.Name == "relevant" {
				curves = append(curves, score.Curve{Name: m.Name, ROC: m.ROC, AUC: m.AUC})
			}
			if m.Name == calibrate.ModelName {
				bins["model, "+u.Name] = m.Reliability
			}
		}
	}
	title := fmt.Sprintf("Out of sample: fitted %s, tested %s (%s); ROC on the relevant pairs", r.Train, r.Test, r.Outcome)
	return score.PlotSVG(w, title, curves, bins)
}

// writeReport prints the validation tables.
func writeReport(w io.Writer, r *calibrate.Report) {
	fmt.Fprintf(w, "fitted on %s, tested on %s, outcome %s; 95%% intervals from %d bootstrap replicates\n", r.Train, r.Test, r.Outcome, r.Boot)
	for _, u := range append(r.Universes, r.Monadic) {
		unit := "directed dyad-years"
		if u.Name == "monadic" {
			unit = "state-years"
		}
		fmt.Fprintf(w, "\n%s: %d %s, %d events\n", u.Name, u.Rows, unit, u.Events)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "model\tAUC\t95%% CI\tPR-AUC\tBrier\tlog-loss\tAUC − (b)\n")
		for _, m := range u.Models {
			fmt.Fprintf(tw, "%s\t%.3f\t[%.3f, %.3f]\t%.4f\t%.6f\t%.5f\t[%+.3f, %+.3f]\n", m.Name, m.AUC, m.AUCCI.Lo, m.AUCCI.Hi, m.PRAUC, m.Brier, m.LogLoss, m.MinusB.Lo, m.MinusB.Hi)
		}
		tw.Flush()
		for _, m := range u.Models {
			if m.Name != calibrate.ModelName {
				continue
			}
			fmt.Fprintf(w, "reliability of the model (%s):\n", u.Name)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(tw, "bin\tpredicted\tobserved\tN\tevents\t\n")
			for k, b := range m.Reliability {
				fmt.Fprintf(tw, "%d\t%.5f\t%.5f\t%d\t%d\t\n", k+1, b.MeanP, b.Rate, b.N, b.Events)
			}
			tw.Flush()
		}
	}
	fmt.Fprintln(w, "\ngoals:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, g := range r.Goals {
		met := "met"
		if !g.Met {
			met = "NOT MET"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", g.Goal, g.Value, met)
	}
	tw.Flush()
}

func cmdRisk(ctx context.Context, e *env, args []string) error {
	fs := newFlags("risk", e)
	var mf modelFlags
	mf.register(fs)
	out := fs.String("o", "", "write the CSV here (default standard output)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return indivisible.Invalid("args", "risk takes no arguments")
	}
	sys, err := mf.system()
	if err != nil {
		return err
	}
	o, err := createOutput(e, *out)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(o)
	header := append([]string{"from", "to", "p", "p_force"}, model.Features...)
	cw.Write(append(header, "deployments", "odds"))
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	for _, p := range sys.Pairs() {
		rec := []string{p.From, p.To, num(p.P), num(p.PForce)}
		for _, c := range p.Contributions {
			rec = append(rec, num(c.Term))
		}
		cw.Write(append(rec, num(p.Deployments), num(p.Odds)))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		o.Abort()
		return err
	}
	return o.Close()
}

func cmdExplain(ctx context.Context, e *env, args []string) error {
	fs := newFlags("explain", e)
	var mf modelFlags
	mf.register(fs)
	top := fs.Int("top", 10, "how many pairs to list")
	asJSON := fs.Bool("json", false, "write the explanation as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return indivisible.Invalid("CODE", "exactly one state code is needed")
	}
	if *top < 1 {
		return indivisible.Invalid("-top", "must be at least 1")
	}
	sys, err := mf.system()
	if err != nil {
		return err
	}
	x, err := sys.Explain(strings.ToUpper(fs.Arg(0)), *top)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", " ")
		return enc.Encode(x)
	}
	writeExplanation(e.stdout, x)
	return nil
}

// writeExplanation prints a state's security and its largest threats,
// with each feature's contribution to their log-odds.
func writeExplanation(w io.Writer, x *indivisible.Explanation) {
	fmt.Fprintf(w, "%s (%s), %d\n", x.Name, x.Code, x.Year)
	fmt.Fprintf(w, "annual risk of facing a militarized dispute: %.2f%% (security %.4f, rank %d of %d; use of force: %.2f%%)\n\n",
		100*x.Risk, x.Security, x.Rank, x.Of, 100*(1-x.ForceSecurity))
	for _, p := range x.Threats {
		fmt.Fprintf(w, "%s → %s: %.3f%% (use of force %.3f%%)\n", p.From, p.To, 100*p.P, 100*p.PForce)
		tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
		for _, c := range p.Contributions {
			if c.Term != 0 {
				fmt.Fprintf(tw, "    %s\t%.4g\t× %.3f\t= %+.3f\t\n", c.Feature, c.Value, c.Coef, c.Term)
			}
		}
		if p.Deployments != 0 {
			fmt.Fprintf(tw, "    deployments\t\t\t%+.3f\t\n", p.Deployments)
		}
		if p.Odds != 1 {
			fmt.Fprintf(tw, "    expert odds factor\t\t×%.3g\t\t\n", p.Odds)
		}
		tw.Flush()
	}
}
