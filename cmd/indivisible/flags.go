package main

import (
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"

	"github.com/indivisible-eurasia/indivisible"
)

// newFlags returns a FlagSet that reports errors instead of exiting, so that
// a bad flag becomes an EINVALID error with the usual exit status.
func newFlags(name string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args and translates flag errors. -h yields flag.ErrHelp,
// which run turns into success after the usage has been printed.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return indivisible.Invalid("flags", "%v", err)
}

// openInput opens a named file, or standard input for "-".
func openInput(e *env, name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(e.stdin), nil
	}
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, indivisible.Invalid(name, "no such file")
	} else if err != nil {
		return nil, indivisible.Invalid(name, "%v", err)
	}
	return f, nil
}

// createOutput opens the -o file, or returns standard output for "" or "-".
func createOutput(e *env, name string) (io.WriteCloser, error) {
	if name == "" || name == "-" {
		return nopWriteCloser{e.stdout}, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, indivisible.Invalid(name, "%v", err)
	}
	return f, nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
