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

	"github.com/indivisible-eurasia/indivisible/postgres/pgtest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"indivisible": func() { os.Exit(mainExit()) }})
}

// TestScripts runs the CLI end-to-end scripts in testdata/*.txtar, on
// SQLite: $DB is $WORK/ind.db and $LOGKEY its key file, next to it.
// Scripts see $EXAMPLES (the repository's examples) and $SHARED (the
// shared data directory, which scripts that need it check for).
func TestScripts(t *testing.T) {
	p := scriptParams(false, func(e *testscript.Env) (string, string) {
		db := filepath.Join(e.WorkDir, "ind.db")
		return db, logKeyPath(db)
	})
	p.Dir = "testdata"
	testscript.Run(t, p)
}

// postgresScripts are the scripts that run on PostgreSQL too: the
// operator commands and a live serve on $DB, the participants through
// its API.
var postgresScripts = []string{"forum.txtar", "exchange.txtar", "operators.txtar"}

// TestScriptsPostgres reruns postgresScripts with $DB a fresh PostgreSQL
// database each (pgtest.Fresh: skipped without $INDIVISIBLE_POSTGRES,
// failed under CI) and $LOGKEY a key file in the script's directory. The
// [postgres] condition holds in these runs only.
func TestScriptsPostgres(t *testing.T) {
	dsns := make(chan string, len(postgresScripts))
	for range postgresScripts {
		dsns <- pgtest.Fresh(t)
	}
	p := scriptParams(true, func(e *testscript.Env) (string, string) {
		return <-dsns, filepath.Join(e.WorkDir, "log.key")
	})
	for _, f := range postgresScripts {
		p.Files = append(p.Files, filepath.Join("testdata", f))
	}
	testscript.Run(t, p)
}

// scriptParams are the scripts' settings, with db giving each script its
// $DB and $LOGKEY, on PostgreSQL if pg.
func scriptParams(pg bool, db func(e *testscript.Env) (dsn, logKey string)) testscript.Params {
	examples, _ := filepath.Abs("../../examples")
	shared, _ := filepath.Abs("../../../shared/data")
	repo, _ := filepath.Abs("../..")
	return testscript.Params{
		Setup: func(e *testscript.Env) error {
			e.Setenv("EXAMPLES", examples)
			e.Setenv("SHARED", shared)
			e.Setenv("REPO", repo)
			dsn, logKey := db(e)
			e.Setenv("DB", dsn)
			e.Setenv("LOGKEY", logKey)
			e.Values[serverKey{}] = &serverSlot{}
			// Scripts that run the go command (goversion.txtar) use the
			// caches and settings of the go command running the tests.
			for k, v := range goEnv() {
				e.Setenv(k, v)
			}
			return nil
		},
		// [shared] holds when the shared data directory is present; under
		// CI it must be, so scripts that need it fail instead of skipping.
		// [postgres] holds when $DB is a PostgreSQL database.
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "shared":
				_, err := os.Stat(shared)
				return err == nil || os.Getenv("CI") == "true", nil
			case "postgres":
				return pg, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits": cmdExits, "pairs": cmdPairs, "stamp": cmdStamp, "glob": cmdGlob,
			"signalled": cmdSignalled, "oldschema": cmdOldSchema, "readmego": cmdReadmeGo,
			"serve-bg": cmdServeBg, "serve-stop": cmdServeStop, "capture": cmdCapture,
		},
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
	}
}

// cmdServeBg is the scripts' "serve-bg ARGS...": it starts 'indivisible
// serve -addr 127.0.0.1:0 ARGS...' in the background, waits until it
// listens and sets $SERVER to its URL. "serve-stop", or else the end of
// the script, sends it SIGTERM, and it must exit cleanly.
func cmdServeBg(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: serve-bg [ARGS...]")
	}
	slot := ts.Value(serverKey{}).(*serverSlot)
	if slot.bg != nil {
		ts.Fatalf("serve-bg: a server is running already; serve-stop it first")
	}
	cmd := exec.Command("indivisible", append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = append(os.Environ(), "TMPDIR="+ts.Getenv("TMPDIR"), "HOME="+ts.Getenv("HOME"))
	bg := &background{cmd: cmd}
	cmd.Stderr = &bg.stderr
	pr, err := cmd.StdoutPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	sc := bufio.NewScanner(pr)
	url := ""
	for url == "" && sc.Scan() {
		url, _ = strings.CutPrefix(sc.Text(), "listening on ")
	}
	// Whatever it prints later must not block it.
	go io.Copy(io.Discard, pr)
	if url == "" {
		err := cmd.Wait()
		ts.Fatalf("serve exited before listening: %v\n%s", err, bg.stderr.String())
	}
	ts.Setenv("SERVER", url)
	slot.bg = bg
	ts.Defer(func() { bg.stop(ts) })
}

// cmdServeStop is the scripts' "serve-stop": it stops the server that
// serve-bg started.
func cmdServeStop(ts *testscript.TestScript, neg bool, args []string) {
	slot := ts.Value(serverKey{}).(*serverSlot)
	if neg || len(args) != 0 || slot.bg == nil {
		ts.Fatalf("usage: serve-stop, after serve-bg")
	}
	slot.bg.stop(ts)
	slot.bg = nil
}

// serverKey is the key of the script's serverSlot among its values.
type serverKey struct{}

// serverSlot holds the server serve-bg started in a script (nil: none).
type serverSlot struct{ bg *background }

// background is a server serve-bg started.
type background struct {
	cmd     *exec.Cmd
	stderr  syncBuffer
	stopped bool
}

// stop sends the server SIGTERM, once, and checks it exits cleanly.
func (bg *background) stop(ts *testscript.TestScript) {
	if bg.stopped {
		return
	}
	bg.stopped = true
	ts.Check(bg.cmd.Process.Signal(syscall.SIGTERM))
	if err := bg.cmd.Wait(); err != nil {
		ts.Fatalf("serve did not exit cleanly on SIGTERM: %v\n%s", err, bg.stderr.String())
	}
}

// syncBuffer is a strings.Builder a process may write while a script
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// cmdCapture is the scripts' "capture VAR": it sets $VAR to the last
// command's standard output, without its final newline (a token that
// 'admin token-create' printed, say).
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: capture VAR")
	}
	ts.Setenv(args[0], strings.TrimSuffix(ts.ReadFile("stdout"), "\n"))
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
