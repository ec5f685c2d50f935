package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
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

// publicURLFlag is the serving commands' -public-url: where the users
// reach the service, the absolute http or https URL of the site's root.
// Behind a proxy that terminates TLS, an https URL is how the service
// knows to make its session cookie Secure.
type publicURLFlag struct{ u *url.URL }

func (f *publicURLFlag) String() string {
	if f.u == nil {
		return ""
	}
	return f.u.String()
}

// Set validates the value; the flag package reports an error as an
// invalid value for -public-url, with the usage.
func (f *publicURLFlag) Set(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("not an absolute http or https URL, such as https://forum.example.org")
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Path != "" && u.Path != "/":
		return fmt.Errorf("must be the URL of the site's root, with no path, query, fragment or user: the pages are served from /")
	}
	f.u = &url.URL{Scheme: u.Scheme, Host: u.Host}
	return nil
}

// publicURL defines -public-url on fs.
func publicURL(fs *flag.FlagSet) *publicURLFlag {
	f := &publicURLFlag{}
	fs.Var(f, "public-url", "the `URL` users reach the service at, e.g. https://forum.example.org behind a proxy that terminates TLS: an https URL makes the session cookie Secure (default: the request's own scheme and host)")
	return f
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
