package main

import (
	"runtime/debug"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	vcs := func(version, rev, modified string) *debug.BuildInfo {
		info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/indivisible-eurasia/indivisible", Version: version}}
		if rev != "" {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: "vcs.revision", Value: rev})
		}
		if modified != "" {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: "vcs.modified", Value: modified})
		}
		return info
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build information", nil, "(devel)"},
		{"go test or go run", vcs("(devel)", "", ""), "(devel)"},
		{"empty version", vcs("", "", ""), "(devel)"},
		{"tagged", vcs("v1.2.3", rev, "false"), "v1.2.3 (revision 0123456789ab)"},
		{"tagged, modified", vcs("v1.2.3+dirty", rev, "true"), "v1.2.3+dirty (revision 0123456789ab+dirty)"},
		{"pseudo-version", vcs("v0.0.0-20260102150405-0123456789ab", rev, "false"), "v0.0.0-20260102150405-0123456789ab"},
		{"pseudo-version, modified", vcs("v0.0.0-20260102150405-0123456789ab+dirty", rev, "true"), "v0.0.0-20260102150405-0123456789ab+dirty"},
		{"devel with a revision", vcs("(devel)", rev, "true"), "(devel) (revision 0123456789ab+dirty)"},
	} {
		if got := buildVersion(tc.info); got != tc.want {
			t.Errorf("%s: buildVersion = %q, want %q", tc.name, got, tc.want)
		}
	}
}
