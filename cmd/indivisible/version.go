package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/indivisible-eurasia/indivisible"
)

// cmdVersion prints the build's version: the string /healthz and the web
// pages' footer show too.
func cmdVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags("version", e)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return indivisible.Invalid("version", "unexpected argument %q", fs.Arg(0))
	}
	_, err := fmt.Fprintf(e.stdout, "indivisible %s\n", version())
	return err
}

// version is the running binary's version, read from its build
// information; the CLI hands it to the API and the web pages, which do not
// read build information themselves.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return buildVersion(nil)
	}
	return buildVersion(info)
}

// buildVersion formats a module version and VCS revision: "v1.2.3
// (revision 0123456789ab)", with "+dirty" after a revision built from a
// modified work tree; a pseudo-version, which ends in the revision
// ("v0.0.0-20260102150405-0123456789ab+dirty"), stands alone. A build that is not of a tagged or pseudo-version
// (go run, go test, go build outside version control) has the version
// "(devel)", and says so; one without VCS information has no revision.
func buildVersion(info *debug.BuildInfo) string {
	v := ""
	var rev, modified string
	if info != nil {
		v = info.Main.Version
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12] // as in pseudo-versions
	}
	if modified == "true" {
		rev += "+dirty"
	}
	if strings.HasSuffix(v, "-"+rev) {
		return v // a pseudo-version names the revision already
	}
	return fmt.Sprintf("%s (revision %s)", v, rev)
}
