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
	"slices"
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
	return exitCode(err)
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
	"admin":     {"secretariat: accounts, tokens, backup and restore", group("admin", adminCommands)},
	"assess":    {"assess a proposal against every participant", cmdAssess},
	"calibrate": {"fit the model's coefficients on history (directed dyad-years)", cmdCalibrate},
	"explain":   {"a state's security and the pairs that contribute most to its risk", cmdExplain},
	"risk":      {"the per-pair hazard table of a scenario, as CSV", cmdRisk},
	"validate":  {"fit on some years, score on later ones, against baselines", cmdValidate},
	"demo":      {"run a demonstration service with delegations, keys and declarations", cmdDemo},
	"declare":   {"sign a declaration and append it to the log", cmdDeclare},
	"findings":  {"recompute the regime's findings from the log", cmdFindings},
	"forum":     {"the expert forum: delegations, proposals, positions, decisions, Delphi rounds", group("forum", forumSubcommands)},
	"ir":        {"international-relations measures: cinc, sscore, distance", group("ir", irCommands)},
	"keys":      {"make, register, revoke and list delegation keys", group("keys", keysCommands)},
	"ledger":    {"create, prove and audit the tamper-evident log", group("ledger", ledgerCommands)},
	"monitor":   {"a participant's monitor: follow the log, keep a verified copy, alarm on a split view", cmdMonitor},
	"optimize":  {"choose the levels of candidate measures that maximise the smallest gain in security", cmdOptimize},
	"scenario":  {"list, show or build scenarios", group("scenario", scenarioCommands)},
	"simulate":  {"Monte Carlo over uncertain parameters: how sure is a verdict", cmdSimulate},
	"serve":     {"run the service: HTTP API, web pages and the log's tiles", cmdServe},
	"version":   {"the build's module version and VCS revision (also -version, --version)", cmdVersion},
	"witness":   {"a C2SP tlog-witness: cosign a log's checkpoints only if consistent with those cosigned before", cmdWitness},
}

// groups are the commands made of subcommands, by name, so that help and
// the tests can reach every subcommand.
var groups = map[string]map[string]command{
	"admin":    adminCommands,
	"forum":    forumSubcommands,
	"ir":       irCommands,
	"keys":     keysCommands,
	"ledger":   ledgerCommands,
	"scenario": scenarioCommands,
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return indivisible.Errorf(indivisible.EINVALID, "no command given")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return nil
	case "help":
		return help(ctx, e, args[1:])
	case "-version", "--version":
		args = []string{"version"}
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

// help is "indivisible help [TOPIC...]": the usage of the command or
// subcommand named, on standard output, as its -h prints it.
func help(ctx context.Context, e *env, topic []string) error {
	if len(topic) == 0 {
		usage(e.stdout)
		return nil
	}
	c, ok := commands[topic[0]]
	if !ok {
		usage(e.stderr)
		return indivisible.Invalid("help", "no command %q", topic[0])
	}
	if subs, ok := groups[topic[0]]; ok && len(topic) > 1 {
		if _, ok := subs[topic[1]]; !ok {
			return c.run(ctx, e, topic[1:]) // the group reports the unknown subcommand
		}
		topic = topic[:2]
	} else {
		topic = topic[:1]
	}
	err := c.run(ctx, e, append(slices.Clone(topic[1:]), "-h"))
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func usage(w io.Writer) {
	io.WriteString(w, "usage: indivisible COMMAND [flags] [args]\n\ncommands:\n"+summaries(commands)+
		fmt.Sprintf("  %-14s %s\n", "help", "help TOPIC: a command's usage, as 'indivisible TOPIC -h' prints it")+
		"\nRun 'indivisible COMMAND -h' or 'indivisible help COMMAND' for a command's usage and flags.\n")
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
// by the first argument. With -h, --help or help it prints their list on
// standard output; when the name is missing or unknown, on standard error
// with an error.
func group(name string, subs map[string]command) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			if c, ok := subs[args[0]]; ok {
				return c.run(ctx, e, args[1:])
			}
		}
		text := fmt.Sprintf("usage: indivisible %s SUBCOMMAND [flags] [args]\n\nsubcommands:\n%s\nRun 'indivisible %s SUBCOMMAND -h' for its usage and flags.\n", name, summaries(subs), name)
		if len(args) > 0 && isHelp(args[0]) {
			_, err := io.WriteString(e.stdout, text)
			return err
		}
		io.WriteString(e.stderr, text)
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

// isHelp says whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}
