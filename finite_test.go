package indivisible_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

// TestCheckFinite sets each number of an assessment that has every kind of
// part, one at a time, to NaN, +Inf and -Inf, and expects CheckFinite to
// refuse it as an internal error. The numbers are found by reflection, so
// a float field added to Assessment but not to CheckFinite fails here.
func TestCheckFinite(t *testing.T) {
	sample := func() *indivisible.Assessment {
		a := &indivisible.Assessment{Tolerance: 1e-4,
			Measures: []indivisible.Measure{{Type: "holdings", Change: 5}, {Type: "exercise", Personnel: 1, BattleTanks: 2, ArmouredCombatVehicles: 3,
				Artillery: 4, CombatAircraft: 5, Forces: map[string]float64{"warships": 6}}, {Type: "deploy", Quantity: 7}},
			Participants:  []indivisible.ParticipantResult{{Code: "POL", Before: 0.99, After: 0.98, Delta: -0.01, ForceBefore: 0.999, ForceAfter: 0.998}},
			Organisations: []indivisible.ParticipantResult{{Code: "CSTO", Before: 0.9, After: 0.9, ForceBefore: 0.99, ForceAfter: 0.99}},
			Expense:       []indivisible.ExpensePair{{From: "RUS", To: "POL", HazardBefore: 0.01, HazardAfter: 0.02, Increase: 0.01, FromDelta: 0.001}}}
		a.Equality.Before = indivisible.Equality{Min: 0.9, Mean: 0.95, Gini: 0.01}
		a.Equality.After = indivisible.Equality{Min: 0.9, Mean: 0.95, Gini: 0.01}
		return a
	}
	if err := sample().CheckFinite(); err != nil {
		t.Fatalf("a finite assessment: %v", err)
	}
	n := 0
	for k := 0; ; k++ {
		for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			a := sample()
			path, ok := setFloat(reflect.ValueOf(a), "", k, bad)
			if !ok {
				if n < 30 {
					t.Fatalf("only %d numbers found in the sample", n)
				}
				return
			}
			if err := a.CheckFinite(); indivisible.ErrorCode(err) != indivisible.EINTERNAL {
				t.Errorf("%s = %v: CheckFinite says %v", path, bad, err)
			}
		}
		n++
	}
}

// setFloat sets the k-th float64 reachable from v (in field, element and
// map order; the sample's maps have one key) to x, and says where it is.
func setFloat(v reflect.Value, path string, k int, x float64) (string, bool) {
	seen := 0
	var walk func(v reflect.Value, path string) (string, bool)
	walk = func(v reflect.Value, path string) (string, bool) {
		switch v.Kind() {
		case reflect.Float64:
			if seen == k {
				v.SetFloat(x)
				return path, true
			}
			seen++
		case reflect.Pointer:
			if !v.IsNil() {
				return walk(v.Elem(), path)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if p, ok := walk(v.Field(i), path+"."+v.Type().Field(i).Name); ok {
					return p, true
				}
			}
		case reflect.Slice:
			for i := range v.Len() {
				if p, ok := walk(v.Index(i), path+"[]"); ok {
					return p, true
				}
			}
		case reflect.Map:
			for _, key := range v.MapKeys() {
				if seen == k {
					v.SetMapIndex(key, reflect.ValueOf(x))
					return path + "[" + key.String() + "]", true
				}
				seen++
			}
		}
		return "", false
	}
	return walk(v, path)
}
