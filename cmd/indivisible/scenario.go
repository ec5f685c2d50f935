package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

var scenarioCommands = map[string]command{
	"list":     {"every participant with its baseline security and annual risk", cmdScenarioList},
	"show":     {"one participant as the model sees it: CODE", cmdScenarioShow},
	"export":   {"write a scenario to a directory to edit: -o DIR", cmdScenarioExport},
	"build":    {"a scenario for a year from the published data: -year Y -data DIR -o OUT", cmdScenarioBuild},
	"evidence": {"write a scenario's evidence files from the published data: -data DIR -o DIR", cmdScenarioEvidence},
}

// cmdScenarioList prints every participant with what the model sees of it.
func cmdScenarioList(ctx context.Context, e *env, args []string) error {
	fs := newFlags("scenario list", e)
	name := fs.String("scenario", scenario.DefaultName, "scenario: eurasia (embedded) or a directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := openScenario(*name)
	if err != nil {
		return err
	}
	sys, err := (&modelFlags{scenario: *name}).system()
	if err != nil {
		return err
	}
	sec := map[string]float64{}
	for i, c := range sys.Codes() {
		sec[c] = sys.Before()[i]
	}
	members := map[string][]string{}
	for _, m := range s.Memberships {
		if m.Role == indivisible.Member {
			members[m.State] = append(members[m.State], m.Organisation)
		}
	}
	fmt.Fprintf(e.stdout, "scenario %s (%d), %d participants\n\n", s.Name, s.Year, len(s.Participants))
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	// Security is the probability of facing no militarized dispute in a
	// year; the risk is its complement, in per cent.
	fmt.Fprintln(tw, "code\tname\tkind\tsecurity\tannual risk\tmember of")
	for _, p := range s.Participants {
		secs, risk := "", ""
		if p.Kind == indivisible.State {
			secs, risk = fmt.Sprintf("%.4f", sec[p.Code]), fmt.Sprintf("%.2f%%", 100*(1-sec[p.Code]))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Code, p.Name, p.Kind, secs, risk, strings.Join(members[p.Code], " "))
	}
	return tw.Flush()
}

// cmdScenarioShow prints one participant as JSON: its row, memberships,
// commitments, holdings and deployments, and its baseline security.
func cmdScenarioShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags("scenario show", e)
	name := fs.String("scenario", scenario.DefaultName, "scenario: eurasia (embedded) or a directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return indivisible.Invalid("CODE", "exactly one participant code is needed")
	}
	code := strings.ToUpper(fs.Arg(0))
	s, err := openScenario(*name)
	if err != nil {
		return err
	}
	p, ok := s.Participant(code)
	if !ok {
		return indivisible.FieldErrorf(indivisible.ENOTFOUND, "CODE", "no participant %q in scenario %s", code, s.Name)
	}
	out := struct {
		indivisible.Participant
		Security    *float64                 `json:"security,omitempty"`
		Memberships []indivisible.Membership `json:"memberships"`
		Commitments []indivisible.Commitment `json:"commitments"`
		Holdings    []indivisible.Holding    `json:"holdings,omitempty"`
		Deployments []indivisible.Deployment `json:"deployments,omitempty"`
	}{Participant: p, Memberships: []indivisible.Membership{}, Commitments: []indivisible.Commitment{}}
	orgs := map[string]bool{}
	for _, m := range s.Memberships {
		if m.State == code || m.Organisation == code {
			out.Memberships = append(out.Memberships, m)
			if m.State == code && m.Role == indivisible.Member {
				orgs[m.Organisation] = true
			}
		}
	}
	for _, c := range s.Commitments {
		if c.A == code || c.B == code || (c.B == "" && orgs[c.A]) {
			out.Commitments = append(out.Commitments, c)
		}
	}
	for _, h := range s.Holdings {
		if h.State == code {
			out.Holdings = append(out.Holdings, h)
		}
	}
	for _, d := range s.Deployments {
		if d.State == code || d.Host == code {
			out.Deployments = append(out.Deployments, d)
		}
	}
	sort.SliceStable(out.Commitments, func(i, j int) bool { return out.Commitments[i].A < out.Commitments[j].A })
	if p.Kind == indivisible.State {
		sys, err := (&modelFlags{scenario: *name}).system()
		if err != nil {
			return err
		}
		for i, c := range sys.Codes() {
			if c == code {
				out.Security = &sys.Before()[i]
			}
		}
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// cmdScenarioExport writes a scenario to a directory, to edit a copy.
func cmdScenarioExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags("scenario export", e)
	name := fs.String("scenario", scenario.DefaultName, "scenario: eurasia (embedded) or a directory")
	dir := fs.String("o", "", "directory to write")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return indivisible.Invalid("-o", "an output directory is needed")
	}
	s, err := openScenario(*name)
	if err != nil {
		return err
	}
	return scenario.Write(*dir, s)
}
