// Command indivisible is the command-line interface of Indivisible. main is
// kept thin: everything happens in run, which the tests call directly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/indivisible-eurasia/indivisible"
)

func main() { os.Exit(mainExit()) }

// mainExit runs the command line and returns the process exit status; the
// CLI script tests call it as the indivisible program.
func mainExit() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "indivisible:", indivisible.ErrorMessage(err))
	}
	return indivisible.ExitCode(err)
}

// env is what every command gets from the process: its standard streams and
// environment. Commands never touch os.Std* directly, so tests can run them.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands is the whole CLI surface, one entry per top-level command; each
// entry's implementation lives in the file named for it.
var commands = map[string]command{
	"admin":     {"secretariat: accounts, tokens, backup and restore", cmdAdmin},
	"assess":    {"assess a proposal against every participant", cmdAssess},
	"calibrate": {"fit the model's coefficients on history (directed dyad-years)", cmdCalibrate},
	"explain":   {"a state's security and the pairs that contribute most to its risk", cmdExplain},
	"risk":      {"the per-pair hazard table of a scenario, as CSV", cmdRisk},
	"validate":  {"fit on some years, score on later ones, against baselines", cmdValidate},
	"demo":      {"run a demonstration service with delegations, keys and declarations", cmdDemo},
	"declare":   {"sign a declaration and append it to the log", cmdDeclare},
	"findings":  {"recompute the regime's findings from the log", cmdFindings},
	"forum":     {"the expert forum: delegations, proposals, positions, decisions, Delphi rounds", cmdForum},
	"ir":        {"international-relations measures: cinc, sscore, distance", cmdIR},
	"keys":      {"make, register, revoke and list delegation keys", cmdKeys},
	"ledger":    {"create, prove and audit the tamper-evident log", cmdLedger},
	"optimize":  {"choose the levels of candidate measures that maximise the smallest gain in security", cmdOptimize},
	"scenario":  {"list, show or build scenarios", cmdScenario},
	"simulate":  {"Monte Carlo over uncertain parameters: how sure is a verdict", cmdSimulate},
	"serve":     {"run the service: HTTP API, web pages and the log's tiles", cmdServe},
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return indivisible.Errorf(indivisible.EINVALID, "no command given")
		}
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return indivisible.Errorf(indivisible.EINVALID, "unknown command %q", args[0])
	}
	err := c.run(ctx, e, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func usage(w io.Writer) {
	io.WriteString(w, "usage: indivisible COMMAND [flags] [args]\n\ncommands:\n"+summaries(commands)+"\nRun 'indivisible COMMAND -h' for a command's flags.\n")
}

// summaries lists commands with their summaries, sorted by name.
func summaries(cmds map[string]command) string {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "  %-14s %s\n", n, cmds[n].summary)
	}
	return b.String()
}

// group makes one command of several subcommands: it runs the one named
// by the first argument, and lists them all when that is missing or
// unknown.
func group(name string, subs map[string]command) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			if c, ok := subs[args[0]]; ok {
				return c.run(ctx, e, args[1:])
			}
		}
		fmt.Fprintf(e.stderr, "usage: indivisible %s SUBCOMMAND [flags] [args]\n\nsubcommands:\n%s\nRun 'indivisible %s SUBCOMMAND -h' for its flags.\n", name, summaries(subs), name)
		names := make([]string, 0, len(subs))
		for n := range subs {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(args) == 0 {
			return indivisible.Invalid(name, "a subcommand is needed: %s", strings.Join(names, ", "))
		}
		return indivisible.Invalid(name, "unknown subcommand %q: one of %s", args[0], strings.Join(names, ", "))
	}
}
