package indivisible_test

import (
	"testing"

	"github.com/indivisible-eurasia/indivisible"
)

func TestKeyValidAt(t *testing.T) {
	k := indivisible.Key{RegisteredAt: 3, RevokedFrom: 6}
	for i, want := range []bool{false, false, false, false, true, true, false, false} {
		if got := k.ValidAt(int64(i)); got != want {
			t.Errorf("ValidAt(%d) = %v, want %v", i, got, want)
		}
	}
}

func TestIsName(t *testing.T) {
	for s, want := range map[string]bool{"battle_tanks": true, "cbm2": true, "": false, "Tanks": false, "a-b": false, "a.b": false, "ä": false} {
		if got := indivisible.IsName(s); got != want {
			t.Errorf("IsName(%q) = %v, want %v", s, got, want)
		}
	}
}
