package main

import (
	"fmt"
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
		// [shared] holds when the shared data directory is present; under
		// CI it must be, so scripts that need it fail instead of skipping.
		Condition: func(cond string) (bool, error) {
			if cond != "shared" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			_, err := os.Stat(shared)
			return err == nil || os.Getenv("CI") == "true", nil
		},
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
	})
}
