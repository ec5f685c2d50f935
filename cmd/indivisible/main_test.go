package main

import (
	"os"
	"path/filepath"
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
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
	})
}
