package simulate_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/model"
	"github.com/indivisible-eurasia/indivisible/scenario"
	"github.com/indivisible-eurasia/indivisible/simulate"
)

// The NumPy reference reproduces the model's security before and after
// proposals of every kind it covers, to 1e-9 (it exits non-zero if not).
// It needs Debian's python3-numpy and skips without it.
func TestNumPyReferenceAgrees(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import numpy").Run(); err != nil {
		t.Skip("/usr/bin/python3 with numpy (Debian python3-numpy) not available")
	}
	s, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	sys, err := model.Compile(s, model.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	for name, ms := range map[string][]indivisible.Measure{
		"cuts and inspections": {
			{Type: "holdings", Actor: "RUS", Category: "battle_tanks", Change: -200},
			{Type: "cbm", Actors: []string{"RUS", "BLR", "POL"}, Kind: "inspection"}},
		"deployment and transfer": {
			{Type: "deploy", Actor: "USA", Host: "POL", Category: "combat_aircraft", Quantity: 24},
			{Type: "transfer", From: "RUS", To: "KGZ", Category: "attack_helicopters", Quantity: 6}},
		"membership": {
			{Type: "leave", Actor: "ARM", Organisation: "CSTO"},
			{Type: "join", Actor: "SRB", Organisation: "CSTO"}},
	} {
		var b bytes.Buffer
		if err := simulate.WriteInputs(&b, sys, simulate.DefaultSpec(), ms); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "inputs.json")
		if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("/usr/bin/python3", "../bench/reference_simulate.py", file, "3").CombinedOutput()
		if err != nil {
			t.Fatalf("%s: reference failed: %v\n%s", name, err, out)
		}
	}
}
