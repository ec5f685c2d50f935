package optimize

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// LP is a linear program in inequality form:
//
//	maximise c'v  subject to  G v ≤ h,  v ≥ 0,
//
// with h ≥ 0, so that v = 0 is feasible and the slacks form a first basis.
// G is dense, row-major, len(h) × len(c).
type LP struct {
	C []float64
	G []float64
	H []float64
}

// Solution is an optimal vertex of an LP with its dual values.
type Solution struct {
	// V is the optimal point and Objective c'V.
	V         []float64
	Objective float64
	// Y holds the dual value of each row: the rate at which the optimum
	// rises as the row's right-hand side is relaxed. Y ≥ 0, Y_i > 0 only
	// on rows that hold with equality, and h'Y = c'V at the optimum.
	Y []float64
}

// lpTol is the simplex's tolerance on reduced costs and pivots, and
// perturb the scale of the anti-degeneracy perturbation.
const (
	lpTol   = 1e-10
	perturb = 1e-11
)

// Standard converts the LP to the standard form gonum's Simplex solves,
//
//	minimise c̃'x  subject to  A x = b,  x ≥ 0,
//
// by adding one slack per row (x = [v, s]) and negating the objective. The
// slacks' indices are a feasible first basis because h ≥ 0.
func (p *LP) Standard() (c []float64, A *mat.Dense, b []float64, basis []int) {
	m, n := len(p.H), len(p.C)
	c = make([]float64, n+m)
	for j, v := range p.C {
		c[j] = -v
	}
	A = mat.NewDense(m, n+m, nil)
	basis = make([]int, m)
	for i := range m {
		for j := range n {
			A.Set(i, j, p.G[i*n+j])
		}
		A.Set(i, n+i, 1)
		basis[i] = n + i
	}
	return c, A, append([]float64(nil), p.H...), basis
}

// Solve solves the LP with gonum's simplex (Bland's rule) from the slack
// basis, and recovers the duals from the optimal vertex: the rows that
// hold with equality and the positive variables determine the basis, and
// the duals solve B'y = c_B on it.
func (p *LP) Solve() (*Solution, error) {
	m, n := len(p.H), len(p.C)
	for i, h := range p.H {
		if !(h >= 0) {
			return nil, fmt.Errorf("lp: h[%d] = %v is negative", i, h)
		}
	}
	c, A, b, basis := p.Standard()
	// Many rows are tight at v = 0 (every state unaffected so far sits at
	// the minimum), and Bland's rule stalls on such degenerate vertices.
	// Perturbing the right-hand sides by distinct tiny amounts breaks the
	// ties (Charnes 1952); the error in the step is of their order.
	for i := range b {
		b[i] += perturb * (1 + float64(i)/float64(m))
	}
	_, x, err := lp.Simplex(c, A, b, lpTol, basis)
	if err != nil {
		return nil, err
	}
	sol := &Solution{V: x[:n], Y: make([]float64, m)}
	for j, v := range p.C {
		sol.Objective += v * sol.V[j]
	}
	// The simplex returns non-basic variables as exact zeros, and the
	// perturbation keeps basic ones away from zero: the non-zero
	// structural variables are basic, and so are the slacks of the rows
	// that do not hold with equality (whose duals are zero). The basic
	// structural columns are then square on the tight rows.
	var cols, tight []int
	for j := range n {
		if sol.V[j] != 0 {
			cols = append(cols, j)
		}
	}
	for i := range m {
		if x[n+i] == 0 {
			tight = append(tight, i)
		}
	}
	rows := pivotRows(p.G, n, tight, cols)
	if len(rows) < len(cols) {
		return sol, nil // degenerate beyond repair: duals stay zero
	}
	r := len(cols)
	if r == 0 {
		return sol, nil
	}
	// S_P' y_P = c_S.
	st := mat.NewDense(r, r, nil)
	for a, i := range rows {
		for k, j := range cols {
			st.Set(k, a, p.G[i*n+j])
		}
	}
	cs := mat.NewVecDense(r, nil)
	for k, j := range cols {
		cs.SetVec(k, p.C[j])
	}
	var y mat.VecDense
	if err := y.SolveVec(st, cs); err != nil {
		return sol, nil
	}
	for a, i := range rows {
		sol.Y[i] = math.Max(0, y.AtVec(a))
	}
	return sol, nil
}

// pivotRows picks len(cols) rows among rows in which the columns cols of G
// (n columns) are linearly independent, by Gaussian elimination with
// partial pivoting; it returns fewer if they are not.
func pivotRows(G []float64, n int, rows, cols []int) []int {
	r := len(cols)
	a := make([][]float64, len(rows))
	for k, i := range rows {
		a[k] = make([]float64, r)
		for q, j := range cols {
			a[k][q] = G[i*n+j]
		}
	}
	used := make([]bool, len(rows))
	var out []int
	for q := range r {
		best, bv := -1, 1e-12
		for k := range a {
			if !used[k] && math.Abs(a[k][q]) > bv {
				best, bv = k, math.Abs(a[k][q])
			}
		}
		if best < 0 {
			return out
		}
		used[best] = true
		out = append(out, rows[best])
		for k := range a {
			if used[k] || a[k][q] == 0 {
				continue
			}
			f := a[k][q] / a[best][q]
			for qq := q; qq < r; qq++ {
				a[k][qq] -= f * a[best][qq]
			}
		}
	}
	return out
}

// WriteMPS writes the LP's standard form (see Standard) in fixed MPS
// format, for an independent solver such as GLPK's glpsol --mps. Row i is
// named Ri and column j Cj; numbers take at most 12 characters, so they
// carry about 7 significant digits (MPSNumber).
func (p *LP) WriteMPS(w io.Writer, name string) error {
	c, A, b, _ := p.Standard()
	m, n := A.Dims()
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "NAME          %s\nROWS\n N  OBJ\n", name)
	for i := range m {
		fmt.Fprintf(bw, " E  R%d\n", i)
	}
	fmt.Fprintln(bw, "COLUMNS")
	for j := range n {
		col := fmt.Sprintf("C%d", j)
		if c[j] != 0 {
			fmt.Fprintf(bw, "    %-8s  %-8s  %12s\n", col, "OBJ", MPSNumber(c[j]))
		}
		for i := range m {
			if v := A.At(i, j); v != 0 {
				fmt.Fprintf(bw, "    %-8s  %-8s  %12s\n", col, fmt.Sprintf("R%d", i), MPSNumber(v))
			}
		}
	}
	fmt.Fprintln(bw, "RHS")
	for i := range m {
		if b[i] != 0 {
			fmt.Fprintf(bw, "    %-8s  %-8s  %12s\n", "RHS", fmt.Sprintf("R%d", i), MPSNumber(b[i]))
		}
	}
	fmt.Fprintln(bw, "ENDATA")
	return bw.Flush()
}

// MPSNumber formats v in at most the 12 characters of a fixed-MPS field,
// with as many significant digits as fit.
func MPSNumber(v float64) string {
	for prec := 12; prec > 0; prec-- {
		s := strconv.FormatFloat(v, 'g', prec, 64)
		if len(s) <= 12 {
			return s
		}
	}
	return strconv.FormatFloat(v, 'g', 1, 64)
}
