package ir

import (
	"math"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestAffinityHand checks NewAffinity on three states and three roll calls
// of 2000, plus one of 2002, against agreements computed by hand.
//
// Votes (1 yes, 2 abstain, 3 no; - absent):
//
//	rcid  date        USA(2)  CAN(20)  UKG(200)
//	1     2000-03-01  1       1        3
//	2     2000-06-01  3       2        1
//	3     2000-12-20  1       3        -
//	4     2002-01-10  1       -        1
//
// 2000, a = 1 - Σ|d| / (2N):
//
//	USA-CAN: |1-1| + |3-2| + |1-3| = 0+1+2 = 3, N = 3: 1 - 3/6 = 0.5
//	USA-UKG: |1-3| + |3-1|         = 2+2   = 4, N = 2: 1 - 4/4 = 0
//	CAN-UKG: |1-3| + |2-1|         = 2+1   = 3, N = 2: 1 - 3/4 = 0.25
//
// 2002: USA-UKG |1-1| = 0, N = 1: 1. CAN did not vote; 2001 has no votes.
func TestAffinityHand(t *testing.T) {
	calls := []RollCall{
		{RCID: 1, Session: 54, Date: utcDate(2000, 3, 1)},
		{RCID: 2, Session: 54, Date: utcDate(2000, 6, 1)},
		{RCID: 3, Session: 55, Date: utcDate(2000, 12, 20)},
		{RCID: 4, Session: 56, Date: utcDate(2002, 1, 10)},
	}
	votes := []Vote{
		{1, 2, 1}, {1, 20, 1}, {1, 200, 3},
		{2, 200, 1}, {2, 2, 3}, {2, 20, 2}, // order within a roll call does not matter
		{3, 20, 3}, {3, 2, 1},
		{3, 2, 3},  // a second vote of the USA on roll call 3: ignored, the first counts
		{99, 2, 1}, // a roll call not in calls: ignored
		{4, 200, 1}, {4, 2, 1},
		{4, 20, 0}, // not a choice: ignored, so CAN did not vote in 2002
	}
	a := NewAffinity(votes, calls)
	if got := a.Years(); !slices.Equal(got, []int{2000, 2002}) {
		t.Errorf("Years = %v, want [2000 2002]", got)
	}
	for _, tc := range []struct {
		year, c1, c2 int
		agree        float64
		n            int
		ok           bool
	}{
		{2000, 2, 20, 0.5, 3, true},
		{2000, 20, 2, 0.5, 3, true}, // symmetric
		{2000, 2, 200, 0, 2, true},
		{2000, 200, 20, 0.25, 2, true},
		{2000, 2, 2, 1, 3, true}, // a state with itself, over the 3 calls it voted on
		{2000, 200, 200, 1, 2, true},
		{2002, 2, 200, 1, 1, true},
		{2002, 2, 20, 0, 0, false},  // CAN did not vote in 2002
		{2001, 2, 200, 0, 0, false}, // no votes in 2001
		{2000, 2, 40, 0, 0, false},  // Cuba never voted
		{1999, 2, 20, 0, 0, false},
	} {
		agree, n, ok := a.At(tc.year, tc.c1, tc.c2)
		if agree != tc.agree || n != tc.n || ok != tc.ok {
			t.Errorf("At(%d, %d, %d) = %v, %d, %v; want %v, %d, %v", tc.year, tc.c1, tc.c2, agree, n, ok, tc.agree, tc.n, tc.ok)
		}
	}
	for _, tc := range []struct {
		year, c1, c2 int
		agree        float64
		from         int
		ok           bool
	}{
		{2000, 2, 20, 0.5, 2000, true},
		{2001, 2, 200, 0, 2000, true}, // 2001 carries 2000
		{2002, 2, 200, 1, 2002, true},
		{2002, 2, 20, 0.5, 2000, true}, // CAN absent in 2002: 2000 carries
		{2030, 20, 200, 0.25, 2000, true},
		{1999, 2, 20, 0, 0, false},
		{2030, 2, 40, 0, 0, false},
	} {
		agree, from, ok := a.Latest(tc.year, tc.c1, tc.c2)
		if agree != tc.agree || from != tc.from || ok != tc.ok {
			t.Errorf("Latest(%d, %d, %d) = %v, %d, %v; want %v, %d, %v", tc.year, tc.c1, tc.c2, agree, from, ok, tc.agree, tc.from, tc.ok)
		}
	}
	// Years returns a copy.
	a.Years()[0] = 0
	if a.Years()[0] != 2000 {
		t.Error("Years exposes the Affinity's own slice")
	}
	if got := NewAffinity(nil, calls).Years(); len(got) != 0 {
		t.Errorf("no votes: Years = %v", got)
	}
}

// TestSharedRollCallsVotes checks the UN data against the README: 6,203
// roll calls of sessions 1-74 dated 1946-01-01 to 2020-01-14, none in
// 1964, 8 important roll calls before session 39; 870,109 votes of 200
// countries, every one mapped to a COW code, Namibia's 2,455 among them,
// and the Federal Republic of Germany as 260 in 1973-1990 only.
func TestSharedRollCallsVotes(t *testing.T) {
	calls, err := ReadRollCalls(openData(t, "unga/roll-calls.csv"), "roll-calls.csv")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := ReadCountryCodes(openData(t, "codes/country-codes.csv"), "country-codes.csv")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	votes, err := ReadVotes(openData(t, "unga/votes.csv"), "votes.csv", codes)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ReadVotes took %v", time.Since(t0))
	if len(calls) != 6203 {
		t.Errorf("%d roll calls, want 6,203", len(calls))
	}
	first, last := calls[0].Date, calls[0].Date
	sessions := map[int]bool{}
	year := map[int]int{}
	early := 0
	for _, c := range calls {
		if c.Date.Before(first) {
			first = c.Date
		}
		if c.Date.After(last) {
			last = c.Date
		}
		sessions[c.Session] = true
		year[c.RCID] = c.Date.Year()
		if c.Important && c.Session < 39 {
			early++
		}
		if c.Date.Year() == 1964 {
			t.Errorf("roll call %d in 1964", c.RCID)
		}
	}
	if !first.Equal(utcDate(1946, 1, 1)) || !last.Equal(utcDate(2020, 1, 14)) {
		t.Errorf("dates %v to %v, want 1946-01-01 to 2020-01-14", first, last)
	}
	for s := 1; s <= 74; s++ {
		if !sessions[s] {
			t.Errorf("no roll call in session %d", s)
		}
	}
	if len(sessions) != 74 {
		t.Errorf("%d sessions, want 74", len(sessions))
	}
	if early != 8 {
		t.Errorf("%d important roll calls before session 39, want 8", early)
	}

	if len(votes) != 870109 {
		t.Errorf("%d votes, want 870,109", len(votes))
	}
	known := map[int]bool{frgCcode: true}
	for _, c := range codes {
		known[c.Cown] = true
	}
	states := map[int]int{}
	for _, v := range votes {
		if !known[v.Ccode] {
			t.Fatalf("vote %+v: ccode not in the codes", v)
		}
		if _, ok := year[v.RCID]; !ok {
			t.Fatalf("vote %+v: roll call not in roll-calls.csv", v)
		}
		if v.Choice < 1 || v.Choice > 3 {
			t.Fatalf("vote %+v: choice", v)
		}
		states[v.Ccode]++
		if y := year[v.RCID]; v.Ccode == 260 && (y < 1973 || y > 1990) {
			t.Errorf("Federal Republic of Germany votes in %d", y)
		}
	}
	if len(states) != 200 {
		t.Errorf("%d voting states, want 200", len(states))
	}
	if states[565] != 2455 {
		t.Errorf("Namibia (565) has %d votes, want 2,455", states[565])
	}
	if states[260] == 0 {
		t.Error("no votes of the Federal Republic of Germany (260)")
	}
}

// naiveAgreement is the agreement index straight from its definition, by
// maps, to check NewAffinity's matrices against.
func naiveAgreement(votes []Vote, year map[int]int, y, c1, c2 int) (float64, int) {
	v1, v2 := map[int]int8{}, map[int]int8{}
	for _, v := range votes {
		if year[v.RCID] != y {
			continue
		}
		if v.Ccode == c1 {
			v1[v.RCID] = v.Choice
		}
		if v.Ccode == c2 {
			v2[v.RCID] = v.Choice
		}
	}
	var sum, n int
	for r, a := range v1 {
		if b, ok := v2[r]; ok {
			sum += int(math.Abs(float64(a - b)))
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return 1 - float64(sum)/float64(2*n), n
}

// TestSharedAffinity checks the agreement on the shared data: years
// 1946-2020 but 1964, values computed separately from the CSV files (with
// Python's csv module) for a few pairs, the 1964 gap carried by Latest,
// and a sample of pairs against naiveAgreement.
func TestSharedAffinity(t *testing.T) {
	d := loadAll(t)
	a := d.Affinity
	var want []int
	for y := 1946; y <= 2020; y++ {
		if y != 1964 {
			want = append(want, y)
		}
	}
	if got := a.Years(); !slices.Equal(got, want) {
		t.Errorf("Years = %v, want 1946-2020 without 1964", got)
	}
	// Sums of |d| and common roll calls counted outside Go:
	// USA-Israel 2005 38 over 92; USA-Cuba 2005 157 over 94; USA-UK 2005
	// 87 over 98; USA-USSR 1963 43 over 32, 1965 50 over 42.
	for _, tc := range []struct {
		year, c1, c2, sum, n int
	}{
		{2005, 2, 666, 38, 92},
		{2005, 2, 40, 157, 94},
		{2005, 200, 2, 87, 98},
		{1963, 2, 365, 43, 32},
		{1965, 365, 2, 50, 42},
	} {
		wantA := 1 - float64(tc.sum)/float64(2*tc.n)
		agree, n, ok := a.At(tc.year, tc.c1, tc.c2)
		if !ok || n != tc.n || math.Abs(agree-wantA) > 1e-15 {
			t.Errorf("At(%d, %d, %d) = %v, %d, %v; want %v, %d", tc.year, tc.c1, tc.c2, agree, n, ok, wantA, tc.n)
		}
	}
	if ai, _, _ := a.At(2005, 2, 666); ai < 0.75 {
		t.Errorf("USA-Israel 2005 agreement %v: should be high", ai)
	}
	if ac, _, _ := a.At(2005, 2, 40); ac > 0.25 {
		t.Errorf("USA-Cuba 2005 agreement %v: should be low", ac)
	}
	// 1964 carries 1963.
	if agree, from, ok := a.Latest(1964, 2, 365); !ok || from != 1963 || agree != 1-43.0/64 {
		t.Errorf("Latest(1964, USA, USSR) = %v, %d, %v; want %v from 1963", agree, from, ok, 1-43.0/64)
	}
	if _, _, ok := a.At(1964, 2, 365); ok {
		t.Error("At(1964) reports votes")
	}
	// The Federal Republic of Germany (260) and the GDR (265) both voted
	// 1973-1989 (they joined in September 1973).
	if _, n, ok := a.At(1980, 260, 265); !ok || n == 0 {
		t.Error("no FRG-GDR agreement in 1980")
	}

	calls, err := ReadRollCalls(openData(t, "unga/roll-calls.csv"), "roll-calls.csv")
	if err != nil {
		t.Fatal(err)
	}
	votes, err := ReadVotes(openData(t, "unga/votes.csv"), "votes.csv", d.Codes)
	if err != nil {
		t.Fatal(err)
	}
	year := map[int]int{}
	for _, c := range calls {
		year[c.RCID] = c.Date.Year()
	}
	pairs := [][2]int{{2, 20}, {2, 365}, {365, 710}, {710, 713}, {255, 260}, {200, 220}, {2, 2}, {750, 770}, {565, 560}}
	for _, y := range []int{1946, 1950, 1963, 1971, 1973, 1990, 1991, 2005, 2019, 2020} {
		for _, p := range pairs {
			wantA, wantN := naiveAgreement(votes, year, y, p[0], p[1])
			agree, n, ok := a.At(y, p[0], p[1])
			if ok != (wantN > 0) || n != wantN || math.Abs(agree-wantA) > 1e-12 {
				t.Errorf("At(%d, %d, %d) = %v, %d, %v; naive %v, %d", y, p[0], p[1], agree, n, ok, wantA, wantN)
			}
		}
	}
}

func BenchmarkNewAffinity(b *testing.B) {
	calls, err := ReadRollCalls(openData(b, "unga/roll-calls.csv"), "roll-calls.csv")
	if err != nil {
		b.Fatal(err)
	}
	codes, err := ReadCountryCodes(openData(b, "codes/country-codes.csv"), "country-codes.csv")
	if err != nil {
		b.Fatal(err)
	}
	votes, err := ReadVotes(openData(b, "unga/votes.csv"), "votes.csv", codes)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	b.ReportAllocs()
	for b.Loop() {
		NewAffinity(votes, calls)
	}
}

func BenchmarkReadVotes(b *testing.B) {
	codes, err := ReadCountryCodes(openData(b, "codes/country-codes.csv"), "country-codes.csv")
	if err != nil {
		b.Fatal(err)
	}
	f := openData(b, "unga/votes.csv")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Seek(0, 0); err != nil {
			b.Fatal(err)
		}
		if _, err := ReadVotes(f, "votes.csv", codes); err != nil {
			b.Fatal(err)
		}
	}
}
