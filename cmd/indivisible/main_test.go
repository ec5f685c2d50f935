package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/pressly/goose/v3"
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
	repo, _ := filepath.Abs("../..")
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(e *testscript.Env) error {
			e.Setenv("EXAMPLES", examples)
			e.Setenv("SHARED", shared)
			e.Setenv("REPO", repo)
			// Scripts that run the go command (goversion.txtar) use the
			// caches and settings of the go command running the tests.
			for k, v := range goEnv() {
				e.Setenv(k, v)
			}
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
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits": cmdExits, "pairs": cmdPairs, "stamp": cmdStamp, "glob": cmdGlob,
			"signalled": cmdSignalled, "oldschema": cmdOldSchema, "readmego": cmdReadmeGo,
		},
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

// goEnv is the go command's own settings (caches, proxy, flags), which
// testscript's clean environment would otherwise lose; empty when there is
// no go command.
var goEnv = sync.OnceValue(func() map[string]string {
	out, err := exec.Command("go", "env", "-json", "GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOSUMDB", "GOFLAGS", "GONOSUMDB", "GOPRIVATE").Output()
	env := map[string]string{}
	if err != nil {
		return env
	}
	json.Unmarshal(out, &env)
	return env
})

// cmdStamp is the scripts' "stamp DIR FILE": it writes to FILE a line for
// DIR itself and for every file in it, with its mode, size, modification
// time and SHA-256, so that cmp of two stamps shows whether anything in
// DIR was written, created or removed. Root ignores file modes, so a
// script run as root checks that a read-only command wrote nothing with
// stamps rather than by its failing to write.
func cmdStamp(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: stamp DIR FILE")
	}
	dir := ts.MkAbs(args[0])
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		sum := "-"
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum = fmt.Sprintf("%x", sha256.Sum256(data))
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(&b, "%s %v %d %d %s\n", rel, fi.Mode(), fi.Size(), fi.ModTime().UnixNano(), sum)
		return nil
	})
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644))
}

// cmdGlob is the scripts' "glob N PATTERN": exactly N files match PATTERN.
func cmdGlob(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: glob N PATTERN")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("glob: %q is not a number", args[0])
	}
	m, err := filepath.Glob(ts.MkAbs(args[1]))
	ts.Check(err)
	if len(m) != n {
		ts.Fatalf("%d files match %s, want %d: %v", len(m), args[1], n, m)
	}
}

// cmdSignalled is the scripts' "signalled INT|TERM OUTFILE PROGRAM
// ARGS...": it starts a serving command, waits until it prints
// "listening on", sends it the signal, and requires a clean exit (status
// 0). What the program printed on stdout goes to OUTFILE.
func cmdSignalled(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: signalled INT|TERM OUTFILE PROGRAM [ARGS...]")
	}
	sig, ok := map[string]os.Signal{"INT": os.Interrupt, "TERM": syscall.SIGTERM}[args[0]]
	if !ok {
		ts.Fatalf("signalled: unknown signal %q", args[0])
	}
	cmd := exec.Command(args[2], args[3:]...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = append(os.Environ(), "TMPDIR="+ts.Getenv("TMPDIR"), "HOME="+ts.Getenv("HOME"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	pr, err := cmd.StdoutPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	listening := false
	for !listening && sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		listening = strings.HasPrefix(sc.Text(), "listening on ")
	}
	if listening {
		ts.Check(cmd.Process.Signal(sig))
	}
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
	}
	io.Copy(io.Discard, pr)
	err = cmd.Wait()
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(out.String()), 0o644))
	switch {
	case !listening:
		ts.Fatalf("%s exited before listening: %v\n%s", args[2], err, stderr.String())
	case err != nil:
		ts.Fatalf("%s did not exit cleanly on SIG%s: %v\n%s", args[2], args[0], err, stderr.String())
	}
}

// cmdOldSchema is the scripts' "oldschema FILE VERSION": it creates a
// SQLite database migrated only up to VERSION, as an older indivisible
// left it.
func cmdOldSchema(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: oldschema FILE VERSION")
	}
	v, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		ts.Fatalf("oldschema: %q is not a version", args[1])
	}
	db, err := sql.Open("sqlite", "file:"+ts.MkAbs(args[0])+"?_pragma=journal_mode(WAL)")
	ts.Check(err)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, db, os.DirFS("../../sqlite/migrations"))
	ts.Check(err)
	_, err = p.UpTo(context.Background(), v)
	ts.Check(err)
}

// readmeGo finds the Go version the README's quick start requires.
var readmeGo = regexp.MustCompile(`Requires Go (\d+\.\d+(?:\.\d+)?)\b`)

// cmdReadmeGo is the scripts' "readmego VAR README": it sets $VAR to the
// Go version README says the project requires.
func cmdReadmeGo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: readmego VAR README")
	}
	b, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	m := readmeGo.FindSubmatch(b)
	if m == nil {
		ts.Fatalf("%s names no Go version (\"Requires Go X.Y.Z\")", args[1])
	}
	ts.Setenv(args[0], string(m[1]))
}
