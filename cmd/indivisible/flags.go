package main

import (
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"

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

// createOutput opens the -o file, or standard output for "" or "-". A file
// is written under a temporary name and renamed into place by Close, so an
// interrupted or failed run never leaves a partial file behind: on error,
// call Abort instead.
func createOutput(e *env, name string) (*output, error) {
	if name == "" || name == "-" {
		return &output{Writer: e.stdout}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return nil, indivisible.Invalid(name, "%v", err)
	}
	return &output{Writer: f, f: f, name: name}, nil
}

// output is a -o destination.
type output struct {
	io.Writer
	f    *os.File
	name string
}

// Close finishes the output: the file is synced and renamed into place.
func (o *output) Close() error {
	if o.f == nil {
		return nil
	}
	err := o.f.Sync()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(o.f.Name(), o.name)
	}
	if err != nil {
		os.Remove(o.f.Name())
		return indivisible.Invalid(o.name, "%v", err)
	}
	return nil
}

// Abort discards a file output.
func (o *output) Abort() {
	if o.f != nil {
		o.f.Close()
		os.Remove(o.f.Name())
	}
}
