package main

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestUsage checks that every command and subcommand prints its usage
// line, naming its flags and positional arguments, on standard output for
// -h, --help and help, and exits 0.
func TestUsage(t *testing.T) {
	var names []string
	for name := range commands {
		if subs, ok := groups[name]; ok {
			for sub := range subs {
				names = append(names, name+" "+sub)
			}
			continue
		}
		names = append(names, name)
	}
	for name := range groups {
		if _, ok := commands[name]; !ok {
			t.Errorf("group %s is not a command", name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		_, synopsised := synopses[name]
		if sub, ok := strings.CutPrefix(name, "forum "); ok {
			_, synopsised = forumSynopsis(sub)
		}
		if !synopsised {
			t.Errorf("%s has no usage line in synopses", name)
		}
		want := "usage: indivisible " + synopsis(name) + "\n"
		args := strings.Fields(name)
		for _, argv := range [][]string{slices.Concat(args, []string{"-h"}), slices.Concat(args, []string{"--help"}), slices.Concat([]string{"help"}, args)} {
			var stdout, stderr strings.Builder
			err := run(context.Background(), argv, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
			if err != nil || !strings.HasPrefix(stdout.String(), want) || stderr.Len() != 0 {
				t.Errorf("indivisible %s: err %v, stdout %q, stderr %q; want the usage %q on stdout", strings.Join(argv, " "), err, stdout.String(), stderr.String(), want)
			}
		}
	}
	// The synopses list no command that does not exist.
	for name := range synopses {
		if i := sort.SearchStrings(names, name); i == len(names) || names[i] != name {
			t.Errorf("synopses has %q, which is no command", name)
		}
	}
}
