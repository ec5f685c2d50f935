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

// The NumPy reference rebuilds capabilities, features, deployment terms,
// odds factors, hazards and security from the raw inputs, and reproduces
// Go's security before and after proposals of every kind, for both
// outcomes, to 1e-9 (it exits non-zero if not); then it runs a few draws.
// It needs Debian's python3-numpy and skips without it, except under
// CI=true, where scripts/test.sh installs it.
func TestNumPyReferenceAgrees(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import numpy").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("/usr/bin/python3 with numpy (Debian python3-numpy) is needed under CI; scripts/test.sh installs it")
		}
		t.Skip("/usr/bin/python3 with numpy (Debian python3-numpy) not available")
	}
	s, err := scenario.Eurasia()
	if err != nil {
		t.Fatal(err)
	}
	// Parameters off their defaults, with expert dyad factors and drawn
	// weights and dyads, so that the reference remakes all of them.
	expert := simulate.DefaultSpec()
	expert.Params.Dyads = []model.Dyad{{A: "ARM", B: "AZE", Factor: 2.5}, {A: "IND", B: "PAK", Factor: 0.5}}
	expert.Params.Weights = map[string]float64{"personnel": 2}
	expert.Params.NotifiedDiscount = 0.4
	expert.Distributions["weights.battle_tanks"] = simulate.Dist{Kind: simulate.Uniform, Min: 0.5, Max: 1.5}
	expert.Distributions["dyads.ARM-AZE"] = simulate.Dist{Kind: simulate.Uniform, Min: 1, Max: 3}
	expert.Distributions["observer_discount"] = simulate.Dist{Kind: simulate.Point, Value: 0}
	for name, c := range map[string]struct {
		spec *simulate.Spec
		ms   []indivisible.Measure
	}{
		"cuts and inspections": {simulate.DefaultSpec(), []indivisible.Measure{
			{Type: "holdings", Actor: "RUS", Category: "battle_tanks", Change: -200},
			{Type: "cbm", Actors: []string{"RUS", "BLR", "POL"}, Kind: "inspection"}}},
		"deployment and transfer": {simulate.DefaultSpec(), []indivisible.Measure{
			{Type: "deploy", Actor: "USA", Host: "POL", Category: "combat_aircraft", Quantity: 24},
			{Type: "transfer", From: "RUS", To: "KGZ", Category: "attack_helicopters", Quantity: 6}}},
		"membership and withdrawal": {simulate.DefaultSpec(), []indivisible.Measure{
			{Type: "leave", Actor: "ARM", Organisation: "CSTO"},
			{Type: "join", Actor: "SRB", Organisation: "CSTO"},
			{Type: "withdraw", Actor: "RUS", Host: "ARM", Category: "personnel", Quantity: 3000}}},
		"exercises and CBMs under expert parameters": {expert, []indivisible.Measure{
			{Type: "exercise", Actors: []string{"RUS", "BLR"}, Host: "BLR", Personnel: 12800, BattleTanks: 250, Notified: true},
			{Type: "exercise", Actors: []string{"CHN"}, Host: "CHN", Personnel: 5000, Forces: map[string]float64{"warships": 10}, Observers: true},
			{Type: "cbm", Actors: []string{"ARM", "AZE"}, Kind: "hotline"},
			{Type: "cbm", Actors: []string{"ARM", "AZE", "GEO"}, Kind: "observers"},
			{Type: "holdings", Actor: "AZE", Category: "personnel", Change: 5000}}},
	} {
		sys, err := model.Compile(s, c.spec.Params)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := simulate.WriteInputs(&b, sys, c.spec, c.ms); err != nil {
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
		t.Logf("%s:\n%s", name, out)
	}
}
