package api_test

import (
	"testing"

	"github.com/indivisible-eurasia/indivisible/api"
)

// TestHealthzVersion checks that /healthz shows the version the command
// line hands to Config, and leaves it out when none is given.
func TestHealthzVersion(t *testing.T) {
	f := newFixture(t, func(c *api.Config) { c.Version = "v1.2.3 (revision 0123456789ab+dirty)" })
	status, _, v := f.do(t, "", "GET", "/healthz", "")
	if status != 200 || v["status"] != "ok" || v["version"] != "v1.2.3 (revision 0123456789ab+dirty)" {
		t.Errorf("/healthz: %d %v, want status ok and the version", status, v)
	}
	f = newFixture(t, nil)
	status, _, v = f.do(t, "", "GET", "/healthz", "")
	if _, ok := v["version"]; status != 200 || v["status"] != "ok" || ok {
		t.Errorf("/healthz without a version: %d %v, want only the status", status, v)
	}
}
