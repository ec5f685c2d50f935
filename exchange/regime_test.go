package exchange

import (
	"os"
	"strings"
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

// TestDefaultRegime pins the Vienna Document values of the embedded regime
// (docs/exchange.md cites the paragraphs): a change to regime.json must be
// a deliberate one.
func TestDefaultRegime(t *testing.T) {
	r := DefaultRegime()
	n, o := r.Notification, r.Observation
	checks := []struct {
		name      string
		got, want int64
	}{
		{"notice days (¶38)", int64(n.NoticeDays), 42},
		{"notification personnel (¶40.1.1)", n.AtLeast[indivisible.Personnel], 9000},
		{"notification tanks (¶40.1.1)", n.AtLeast[indivisible.BattleTanks], 250},
		{"notification ACVs (¶40.1.1)", n.AtLeast[indivisible.ArmouredCombatVehicles], 500},
		{"notification artillery (¶40.1.1)", n.AtLeast[indivisible.Artillery], 250},
		{"notification airborne/amphibious (¶40.2.1)", n.AtLeast[indivisible.AirborneAmphibiousTroops], 3000},
		{"sorties are not a trigger (¶40.1.2)", n.AtLeast[indivisible.AircraftSorties], 0},
		{"observation personnel (¶47.4)", o.AtLeast[indivisible.Personnel], 13000},
		{"observation tanks (¶47.4)", o.AtLeast[indivisible.BattleTanks], 300},
		{"observation ACVs (¶47.4)", o.AtLeast[indivisible.ArmouredCombatVehicles], 500},
		{"observation artillery (¶47.4)", o.AtLeast[indivisible.Artillery], 250},
		{"observation airborne/amphibious (¶47.4)", o.AtLeast[indivisible.AirborneAmphibiousTroops], 3500},
		{"constraints", int64(len(r.Constraints)), 4},
		{"ceilings", int64(len(r.Ceilings)), 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	want := []struct {
		ref                string
		personnel, tanks   int64
		notAbove, max, yrs int
		simultaneous       bool
	}{
		{"VD2011 ¶68", 40000, 900, 0, 1, 3, false},
		{"VD2011 ¶68.1", 13000, 300, 40000, 6, 1, false},
		{"VD2011 ¶68.1.1", 25000, 400, 40000, 3, 1, false},
		{"VD2011 ¶68.2", 13000, 300, 0, 3, 0, true},
	}
	for i, w := range want {
		k := r.Constraints[i]
		if k.Reference != w.ref || k.Above[indivisible.Personnel] != w.personnel || k.Above[indivisible.BattleTanks] != w.tanks ||
			int(k.NotAbove[indivisible.Personnel]) != w.notAbove || k.Max != w.max || k.CalendarYears != w.yrs || k.Simultaneous != w.simultaneous {
			t.Errorf("constraint %d = %+v, want %+v", i, k, w)
		}
	}
	if got := r.AnnualExchange.DuePreviousYear.String(); got != "12-15" {
		t.Errorf("annual exchange due %s, want 12-15 (VD2011 Chapter I)", got)
	}
	if r.NearThreshold.Band != 0.05 {
		t.Errorf("near-threshold band %g, want 0.05", r.NearThreshold.Band)
	}
}

func TestParseRegimeErrors(t *testing.T) {
	base, err := os.ReadFile("regime.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new string
		code, field    string
	}{
		{"unknown field", `"notice_days"`, `"notice_dayz"`, indivisible.EINVALID, "notification.notice_dayz"},
		{"wrong type", `"notice_days": 42`, `"notice_days": "42"`, indivisible.EINVALID, "notification.notice_days"},
		{"fractional days", `"notice_days": 42`, `"notice_days": 42.5`, indivisible.EINVALID, "notification.notice_days"},
		{"unknown measure", `"battle_tanks": 250`, `"tanks": 250`, indivisible.EINVALID, "notification.at_least.tanks"},
		{"zero threshold", `"battle_tanks": 250`, `"battle_tanks": 0`, indivisible.EINVALID, "notification.at_least.battle_tanks"},
		{"duplicate field", `"notice_days": 42,`, `"notice_days": 42, "notice_days": 41,`, indivisible.EINVALID, "notification.notice_days"},
		{"both periods", `"calendar_years": 3`, `"calendar_years": 3, "simultaneous": true`, indivisible.EINVALID, "constraints[0]"},
		{"duplicate id", `"six_above_13000_per_year"`, `"one_above_40000_in_three_years"`, indivisible.EINVALID, "constraints[1].id"},
		{"band out of range", `"band": 0.05`, `"band": 1.5`, indivisible.EINVALID, "near_threshold.band"},
		{"bad month-day", `"12-15"`, `"12-32"`, indivisible.EINVALID, "annual_exchange.due_previous_year"},
		{"bad ceiling", `"ceilings": []`, `"ceilings": [{"participant": "pol", "category": "battle_tanks", "quantity": 1}]`, indivisible.EINVALID, "ceilings[0].participant"},
		{"duplicate ceiling", `"ceilings": []`, `"ceilings": [{"participant": "POL", "category": "battle_tanks", "quantity": 1}, {"participant": "POL", "category": "battle_tanks", "quantity": 2}]`, indivisible.EINVALID, "ceilings[1]"},
		{"missing section", `"transfers": {`, `"transferz": {`, indivisible.EINVALID, "transferz"},
		{"trailing data", "\n}\n", "\n}\n{}", indivisible.EINVALID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.Replace(string(base), tt.old, tt.new, 1)
			if data == string(base) {
				t.Fatalf("%q not found in regime.json", tt.old)
			}
			_, err := ParseRegime([]byte(data))
			if indivisible.ErrorCode(err) != tt.code || indivisible.ErrorField(err) != tt.field {
				t.Errorf("got %v (code %q, field %q), want code %q field %q", err, indivisible.ErrorCode(err), indivisible.ErrorField(err), tt.code, tt.field)
			}
		})
	}
	big := make([]byte, MaxRegimeSize+1)
	if _, err := ParseRegime(big); indivisible.ErrorCode(err) != indivisible.ETOOLARGE {
		t.Errorf("oversized regime: got %v, want ETOOLARGE", err)
	}
	ceilings := strings.Replace(string(base), `"ceilings": []`, `"ceilings": [{"participant": "POL", "category": "battle_tanks", "quantity": 800, "reference": "agreed 2026"}]`, 1)
	r, err := ParseRegime([]byte(ceilings))
	if err != nil || len(r.Ceilings) != 1 || r.Ceilings[0] != (Ceiling{"POL", "battle_tanks", 800, "agreed 2026"}) {
		t.Errorf("ceiling: got %+v, %v", r, err)
	}
}

func FuzzParseRegime(f *testing.F) {
	base, err := os.ReadFile("regime.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(base)
	f.Add([]byte(`{"name": "x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRegime(data)
		if err != nil {
			if c := indivisible.ErrorCode(err); c != indivisible.EINVALID && c != indivisible.ETOOLARGE {
				t.Fatalf("error code %q: %v", c, err)
			}
			return
		}
		// A regime that parses is usable: checking an empty log works.
		_ = Check(r, nil)
	})
}
