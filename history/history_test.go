package history_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/history"
	"github.com/indivisible-eurasia/indivisible/ir"
	"github.com/indivisible-eurasia/indivisible/ir/irtest"
	"github.com/indivisible-eurasia/indivisible/model"
)

// sharedData is the shared data, read once (irtest skips without them and
// fails under CI=true).
func sharedData(tb testing.TB) *ir.Data { return irtest.Data(tb) }

var (
	setOnce sync.Once
	set     *history.Set
	setErr  error
)

// set1914 is the dyad-years of the outcome years 1914 and 1915.
func set1914(t *testing.T) (*ir.Data, *history.Set) {
	t.Helper()
	d := sharedData(t)
	setOnce.Do(func() { set, setErr = history.Build(context.Background(), d, 1914, 1915, nil) })
	if setErr != nil {
		t.Fatal(setErr)
	}
	return d, set
}

type pair struct{ from, to int }

// system returns, independently of ir.BuildScenario, the states of the
// outcome year: an NMC row in the feature year (year-1) and in the
// outcome year, and a capital on 1 July of the feature year.
func system(d *ir.Data, year int) []int {
	in := map[int]int{}
	for _, n := range d.NMC {
		if n.Year == year-1 || n.Year == year {
			in[n.Ccode] |= 1 << (n.Year - year + 1)
		}
	}
	date := ir.July1(year - 1)
	capital := map[int]bool{}
	for _, c := range d.Capitals {
		if !date.Before(c.Start) && !date.After(c.End) {
			capital[c.Ccode] = true
		}
	}
	var out []int
	for c, bits := range in {
		if bits == 3 && capital[c] {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// onsets returns the directed pairs with an onset in year with the first
// state on Side A (GML dirdisp rows), and whether one reached the use of
// force: the pair's hostility level (the higher of the two states', the
// dispute's when neither is known) 4 or 5.
func onsets(d *ir.Data, year int) map[pair]bool {
	out := map[pair]bool{}
	for _, r := range d.Disputes {
		if r.Year != year || !r.Onset || !r.SideA1 {
			continue
		}
		lev := max(r.HostLev1, r.HostLev2)
		if r.HostLev1 < 1 && r.HostLev2 < 1 {
			lev = r.HostLev
		}
		k := pair{r.Ccode1, r.Ccode2}
		out[k] = out[k] || lev >= 4
	}
	return out
}

// relevant returns the politically relevant pairs of a feature year:
// contiguous (COW direct contiguity types 1 to 5 in force on 1 July) or
// with a COW major power on either side on that day.
func relevant(d *ir.Data, year int) (contig map[pair]bool, major map[int]bool) {
	date := ir.July1(year)
	contig, major = map[pair]bool{}, map[int]bool{}
	for _, c := range d.Contiguity {
		if c.Type >= 1 && c.Type <= 5 && !date.Before(c.Start) && !date.After(c.End) {
			contig[pair{c.Ccode1, c.Ccode2}], contig[pair{c.Ccode2, c.Ccode1}] = true, true
		}
	}
	for _, s := range d.Majors {
		if !date.Before(s.Start) && !date.After(s.End) {
			major[s.Ccode] = true
		}
	}
	return contig, major
}

func TestBuild1914(t *testing.T) {
	d, s := set1914(t)
	if s.K != len(model.Columns) || len(s.X) != s.Len()*s.K {
		t.Fatalf("K = %d (%d columns), %d values for %d rows", s.K, len(model.Columns), len(s.X), s.Len())
	}
	for _, col := range [][]int{{len(s.From)}, {len(s.To)}, {len(s.Dyad)}, {len(s.MID)}, {len(s.Force)}, {len(s.Relevant)}, {len(s.Threat)}, {len(s.Support)}, {len(s.Own)}} {
		if col[0] != s.Len() {
			t.Fatalf("a column has %d rows, the set %d", col[0], s.Len())
		}
	}
	total := 0
	for _, year := range []int{1914, 1915} {
		states := system(d, year)
		n := len(states)
		total += n * (n - 1)
		want := map[pair]bool{}
		for _, a := range states {
			for _, b := range states {
				if a != b {
					want[pair{a, b}] = true
				}
			}
		}
		ons := onsets(d, year)
		contig, major := relevant(d, year-1)
		got := map[pair]bool{}
		mids, wantMIDs := 0, 0
		for k := range ons {
			if want[k] {
				wantMIDs++
			}
		}
		for r := range s.Len() {
			if int(s.Year[r]) != year {
				continue
			}
			k := pair{int(s.From[r]), int(s.To[r])}
			if !want[k] || got[k] {
				t.Errorf("%d: row %d→%d is not a pair of the system, or repeated", year, k.from, k.to)
				continue
			}
			got[k] = true
			force, onset := ons[k]
			if s.MID[r] != onset || s.Force[r] != (onset && force) {
				t.Errorf("%d %d→%d: MID %v force %v, want %v %v", year, k.from, k.to, s.MID[r], s.Force[r], onset, onset && force)
			}
			if s.MID[r] {
				mids++
			}
			if w := contig[k] || major[k.from] || major[k.to]; s.Relevant[r] != w {
				t.Errorf("%d %d→%d: relevant %v, want %v", year, k.from, k.to, s.Relevant[r], w)
			}
			if w := int32(min(k.from, k.to)*1000 + max(k.from, k.to)); s.Dyad[r] != w {
				t.Errorf("%d %d→%d: dyad %d, want %d", year, k.from, k.to, s.Dyad[r], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d: %d pairs, want n(n-1) = %d·%d = %d", year, len(got), n, n-1, len(want))
		}
		if mids != wantMIDs || mids == 0 {
			t.Errorf("%d: %d onsets in the rows, want %d (of %d in the data)", year, mids, wantMIDs, len(ons))
		}
	}
	if s.Len() != total {
		t.Errorf("%d rows, want Σ n(n-1) = %d", s.Len(), total)
	}
}

// cinc is the COW CINC of every state in year, computed here: the mean
// over the components a state reports of its share of the year's total.
func cinc(d *ir.Data, year int) map[int]float64 {
	var total [ir.NumComponents]float64
	for _, n := range d.NMC {
		if n.Year == year {
			for i, v := range n.Values {
				total[i] += v
			}
		}
	}
	out := map[int]float64{}
	for _, n := range d.NMC {
		if n.Year != year {
			continue
		}
		sum, k := 0.0, 0
		for i, v := range n.Values {
			if n.Reported[i] {
				k++
				if total[i] > 0 {
					sum += v / total[i]
				}
			}
		}
		if k > 0 {
			out[n.Ccode] = sum / float64(k)
		}
	}
	return out
}

// TestBuildGermanyFrance1914 spot-checks one row against the raw data:
// Germany (255) began a dispute against France (220) in 1914 (GML dispute
// 257, war). Its features are those of the end of 1913.
func TestBuildGermanyFrance1914(t *testing.T) {
	d, s := set1914(t)
	r := -1
	for k := range s.Len() {
		if s.Year[k] == 1914 && s.From[k] == 255 && s.To[k] == 220 {
			r = k
		}
	}
	if r < 0 {
		t.Fatal("no row 255→220 in 1914")
	}
	if !s.MID[r] || !s.Force[r] || !s.Relevant[r] {
		t.Errorf("255→220 1914: MID %v force %v relevant %v, want all true", s.MID[r], s.Force[r], s.Relevant[r])
	}
	// The reverse direction: France did not initiate against Germany.
	for k := range s.Len() {
		if s.Year[k] == 1914 && s.From[k] == 220 && s.To[k] == 255 && s.MID[k] {
			t.Error("220→255 1914 is labelled an initiation by France")
		}
	}
	x := s.Row(r)
	col := func(name string) float64 {
		k := history.FeatureIndex(name)
		if k < 0 {
			t.Fatalf("no column %s", name)
		}
		return x[k]
	}
	// History through 1913 from the raw rows: the pair's last dispute
	// year and Germany's onsets as Side A against France, decayed.
	last, decay, back := 0, 0.0, 0.0
	for _, dd := range d.Disputes {
		if dd.Year > 1913 || !(dd.Ccode1 == 255 && dd.Ccode2 == 220 || dd.Ccode1 == 220 && dd.Ccode2 == 255) {
			continue
		}
		last = max(last, dd.Year)
		if dd.Onset && dd.SideA1 {
			w := math.Exp(-float64(1913-dd.Year) / 10)
			if dd.Ccode1 == 255 {
				decay += w
			} else {
				back += w
			}
		}
	}
	if last != 1911 { // Agadir
		t.Fatalf("test premise: last 255-220 dispute before 1914 in %d, want 1911", last)
	}
	c := cinc(d, 1913)
	for _, w := range []struct {
		name string
		want float64
	}{
		{"const", 1},
		{"ln_cap_from", math.Log(c[255] + 1e-6)},
		{"ln_cap_to", math.Log(c[220] + 1e-6)},
		{"land", 1}, {"sea", 0},
		{"defence", 0}, {"pact", 0},
		{"affinity", 0}, {"affinity_missing", 1}, // no UN before 1946
		{"ongoing", 0},
		{"ln_peace", math.Log1p(1913 - 1911)},
		{"decay_from", decay}, {"decay_to", back},
		{"major_from", 1}, {"major_to", 1},
	} {
		if got := col(w.name); math.Abs(got-w.want) > 1e-12*math.Max(1, math.Abs(w.want)) {
			t.Errorf("255→220 1914 %s = %.17g, want %.17g", w.name, got, w.want)
		}
	}
	// The previous index's inputs: no commitment, land neighbours (g =
	// 1): hostile power C_255, no support; Own is France's CINC.
	if math.Abs(s.Threat[r]-c[255]) > 1e-12 || s.Support[r] != 0 || math.Abs(s.Own[r]-c[220]) > 1e-12 {
		t.Errorf("255→220: threat %v support %v own %v, want %v 0 %v", s.Threat[r], s.Support[r], s.Own[r], c[255], c[220])
	}
	// Germany and Austria-Hungary (300) were allied for defence in 1913
	// (ATOP) and share a border: support C_255, no hostility.
	for k := range s.Len() {
		if s.Year[k] == 1914 && s.From[k] == 255 && s.To[k] == 300 {
			if s.Threat[k] != 0 || math.Abs(s.Support[k]-c[255]) > 1e-12 || s.Row(k)[history.FeatureIndex("defence")] != 1 {
				t.Errorf("255→300 1914: threat %v support %v defence %v, want 0, %v, 1", s.Threat[k], s.Support[k], s.Row(k)[history.FeatureIndex("defence")], c[255])
			}
		}
	}
}

// TestBuildOrder: the rows are ordered by year, then From, then To, as
// Set's documentation says.
func TestBuildOrder(t *testing.T) {
	_, s := set1914(t)
	less := func(a, b int) bool {
		if s.Year[a] != s.Year[b] {
			return s.Year[a] < s.Year[b]
		}
		if s.From[a] != s.From[b] {
			return s.From[a] < s.From[b]
		}
		return s.To[a] < s.To[b]
	}
	for r := 1; r < s.Len(); r++ {
		if s.Year[r] < s.Year[r-1] {
			t.Fatalf("row %d (%d) comes after a row of %d", r, s.Year[r], s.Year[r-1])
		}
		if !less(r-1, r) {
			t.Fatalf("row %d (%d→%d) is not after row %d (%d→%d)", r, s.From[r], s.To[r], r-1, s.From[r-1], s.To[r-1])
		}
	}
}

func TestFeatureIndex(t *testing.T) {
	for k, c := range model.Columns {
		if history.FeatureIndex(c) != k {
			t.Errorf("FeatureIndex(%s) = %d, want %d", c, history.FeatureIndex(c), k)
		}
	}
	if history.FeatureIndex("nukes") != -1 {
		t.Error("FeatureIndex of an unknown name is not -1")
	}
}

func TestBuildErrors(t *testing.T) {
	d := sharedData(t)
	for _, tc := range []struct {
		name     string
		from, to int
	}{
		{"empty window", 1915, 1914},
		{"features before the NMC data", 1816, 1820},
		{"outcomes after the MID data", 2009, 2011},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := history.Build(context.Background(), d, tc.from, tc.to, nil)
			if indivisible.ErrorCode(err) != indivisible.EINVALID || indivisible.ErrorField(err) != "-train" {
				t.Errorf("Build(%d, %d) = %v, want invalid at -train", tc.from, tc.to, err)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := history.Build(ctx, d, 1900, 1905, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Build with a cancelled context = %v", err)
	}
	var calls atomic.Int32
	if _, err := history.Build(context.Background(), d, 1900, 1902, func() { calls.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Errorf("progress called %d times for three years", calls.Load())
	}
}

// BenchmarkBuild builds a ten-year window of the shared data.
func BenchmarkBuild(b *testing.B) {
	d := sharedData(b)
	b.ReportAllocs()
	for b.Loop() {
		s, err := history.Build(context.Background(), d, 1991, 2000, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(s.Len()), "rows")
	}
}
