package cosign

import (
	"crypto/rand"
	"encoding/json"
	"slices"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible/witness"
)

// evalSpec evaluates a Spec as ledger.js does: whether the witnesses in
// valid meet the quorum and, if not, the quorum's witnesses without a
// valid cosignature, in the policy's order.
func evalSpec(s Spec, valid map[string]bool) (ok bool, missing []string) {
	if s.Quorum == "none" {
		return true, nil
	}
	isWitness := map[string]bool{}
	for _, w := range s.Witnesses {
		isWitness[w.Name] = true
	}
	var sat func(string) bool
	sat = func(name string) bool {
		if isWitness[name] {
			return valid[name]
		}
		g := s.Groups[name]
		n := 0
		for _, m := range g.Members {
			if sat(m) {
				n++
			}
		}
		return n >= g.K
	}
	if sat(s.Quorum) {
		return true, nil
	}
	leaves := map[string]bool{}
	var walk func(string)
	walk = func(name string) {
		if isWitness[name] {
			leaves[name] = true
			return
		}
		for _, m := range s.Groups[name].Members {
			walk(m)
		}
	}
	walk(s.Quorum)
	for _, w := range s.Witnesses {
		if leaves[w.Name] && !valid[w.Name] {
			missing = append(missing, w.Name)
		}
	}
	return false, missing
}

func TestSpec(t *testing.T) {
	_, logV, _ := note.GenerateKey(rand.Reader, "example.org/log")
	names := []string{"A", "B", "C", "D", "E"}
	head := "log " + logV + "\n"
	keys := map[string]string{}
	for _, n := range names {
		_, v, err := witness.GenerateKey(rand.Reader, n+".witness.example")
		if err != nil {
			t.Fatal(err)
		}
		keys[n] = v
		head += "witness " + n + " " + v + " https://" + n + ".example/w\n"
	}
	for _, body := range []string{
		"group g 2 A B C\nquorum g\n",
		"group g 3 A B C D E\nquorum g\n",
		"group g all A B\nquorum g\n",
		"group g any C E\nquorum g\n",
		"quorum D\n",
		"quorum none\n",
		"group ab any A B\ngroup g 2 ab C\nquorum g\n",
		// nested twice, a witness in two groups, and one not in the quorum
		"group ab any A B\ngroup bc all B C\ngroup top 2 ab bc D\nquorum top\n",
		"group x 2 A B C\ngroup y any D x\ngroup z all y B\nquorum z\n",
	} {
		p := mustPolicy(t, head+body)
		// Through JSON, as the page gets it.
		b, err := json.Marshal(p.Spec())
		if err != nil {
			t.Fatal(err)
		}
		var s Spec
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		if s.Quorum != p.Quorum || s.Describe != p.Describe() || len(s.Witnesses) != len(names) {
			t.Fatalf("%q: spec %s", body, b)
		}
		for i, w := range s.Witnesses {
			if w.Name != names[i] || w.Key != keys[w.Name] {
				t.Errorf("%q: witness %d = %+v", body, i, w)
			}
		}
		for mask := range 1 << len(names) {
			valid := map[string]bool{}
			for i, n := range names {
				if mask&(1<<i) != 0 {
					valid[n] = true
				}
			}
			wantOK, wantMissing := p.Satisfied(valid)
			ok, missing := evalSpec(s, valid)
			if ok != wantOK || !slices.Equal(missing, wantMissing) {
				t.Errorf("%q with %v: spec says %v %v, Satisfied %v %v", body, valid, ok, missing, wantOK, wantMissing)
			}
		}
	}
	// The JSON names are lower-case.
	b, _ := json.Marshal(mustPolicy(t, head+"group g 2 A B C\nquorum g\n").Spec())
	var raw map[string]any
	json.Unmarshal(b, &raw)
	for _, k := range []string{"witnesses", "groups", "quorum", "describe"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %q in %s", k, b)
		}
	}
	if g := raw["groups"].(map[string]any)["g"].(map[string]any); g["k"] != 2.0 || len(g["members"].([]any)) != 3 {
		t.Errorf("group g = %v", g)
	}
}
