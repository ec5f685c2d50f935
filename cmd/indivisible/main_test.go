package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"indivisible": func() { os.Exit(mainExit()) }})
}

// TestScripts runs the CLI end-to-end scripts in testdata/*.txtar. Scripts
// see $EXAMPLES (the repository's examples) and $SHARED (the shared data
// directory, which scripts that need it check for).
func TestScripts(t *testing.T) {
	examples, _ := filepath.Abs("../../examples")
	shared, _ := filepath.Abs("../../../shared/data")
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(e *testscript.Env) error {
			e.Setenv("EXAMPLES", examples)
			e.Setenv("SHARED", shared)
			return nil
		},
		// [shared] holds when the shared data directory is present; under
		// CI it must be, so scripts that need it fail instead of skipping.
		Condition: func(cond string) (bool, error) {
			if cond != "shared" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			_, err := os.Stat(shared)
			return err == nil || os.Getenv("CI") == "true", nil
		},
		Cmds:          map[string]func(*testscript.TestScript, bool, []string){"exits": cmdExits, "pairs": cmdPairs},
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
	})
}

// cmdExits is the scripts' "exits N PROGRAM ARGS...": the program exits
// with status N. Its output is kept for stdout and stderr to check.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %q is not a status", args[0])
	}
	got := 0
	var ee *exec.ExitError
	switch err := ts.Exec(args[1], args[2:]...); {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// cmdPairs is the scripts' "pairs FILE N": FILE is a CSV whose first two
// columns are from and to, with a row for every ordered pair of N
// distinct states, each once, and none of a state with itself.
func cmdPairs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: pairs FILE N")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("pairs: %q is not a number", args[1])
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	ts.Check(err)
	if len(rows) == 0 || len(rows[0]) < 2 || rows[0][0] != "from" || rows[0][1] != "to" {
		ts.Fatalf("%s: no from,to header", args[0])
	}
	seen := map[[2]string]bool{}
	states := map[string]bool{}
	for k, r := range rows[1:] {
		p := [2]string{r[0], r[1]}
		switch {
		case p[0] == p[1]:
			ts.Fatalf("%s: row %d pairs %s with itself", args[0], k+2, p[0])
		case seen[p]:
			ts.Fatalf("%s: row %d repeats %s-%s", args[0], k+2, p[0], p[1])
		}
		seen[p] = true
		states[p[0]], states[p[1]] = true, true
	}
	if len(states) != n || len(seen) != n*(n-1) {
		ts.Fatalf("%s: %d rows over %d states, want %d × %d = %d", args[0], len(seen), len(states), n, n-1, n*(n-1))
	}
}
