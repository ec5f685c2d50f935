package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
	"github.com/indivisible-eurasia/indivisible/scenario"
)

// newFlags returns a FlagSet that reports errors instead of exiting, so that
// a bad flag becomes an EINVALID error with the usual exit status. Its
// usage names the command's flags and positional arguments (synopsis).
func newFlags(name string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(&flagOutput{stdout: e.stdout, stderr: e.stderr})
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: indivisible %s\n", synopsis(name))
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// flagOutput is where a FlagSet prints: standard error, except that what
// it prints while parsing goes to standard output when the user asked for
// it with -h or --help.
type flagOutput struct {
	stdout, stderr io.Writer
	parsing        *bytes.Buffer // non-nil during parseFlags
}

func (o *flagOutput) Write(p []byte) (int, error) {
	if o.parsing != nil {
		return o.parsing.Write(p)
	}
	return o.stderr.Write(p)
}

// parseFlags parses args and translates flag errors. -h yields flag.ErrHelp,
// which run turns into success after the usage has been printed on
// standard output.
func parseFlags(fs *flag.FlagSet, args []string) error {
	o, _ := fs.Output().(*flagOutput)
	if o != nil {
		o.parsing = new(bytes.Buffer)
	}
	err := fs.Parse(args)
	if o != nil {
		w := o.stderr
		if errors.Is(err, flag.ErrHelp) {
			w = o.stdout
		}
		w.Write(o.parsing.Bytes())
		o.parsing = nil
	}
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

// originFlag is -origin, the name of a log created by the command: its
// checkpoints' origin line and its key's name, checked when parsed.
type originFlag struct{ name string }

func (f *originFlag) String() string { return f.name }

func (f *originFlag) Set(s string) error {
	var e *indivisible.Error
	if err := ledger.CheckOrigin(s); errors.As(err, &e) {
		return errors.New(e.Message) // the flag package names the flag
	} else if err != nil {
		return err
	}
	f.name = s
	return nil
}

// origin defines -origin on fs. The serving commands derive the default
// from -public-url (logOrigin); ledger init has no URL, so its default is
// ledger.DefaultOrigin.
func origin(fs *flag.FlagSet, serving bool) *originFlag {
	f := &originFlag{}
	usage := "the `NAME` of the log when it is created: its checkpoints' origin line and its key's name, best the log's URL without the scheme, e.g. forum.example.org/log"
	if serving {
		usage += " (default: the -public-url host followed by /log, else " + ledger.DefaultOrigin + ")"
	} else {
		f.name = ledger.DefaultOrigin
	}
	fs.Var(f, "origin", usage)
	return f
}

// openInput opens a named file, or standard input for "-". A missing
// file is ENOTFOUND.
func openInput(e *env, name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(e.stdin), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, inputError(name, err)
	}
	return f, nil
}

// readInput reads a named input file whole.
func readInput(name string) ([]byte, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, inputError(name, err)
	}
	return b, nil
}

// mustExist checks that an input file or directory a command is about to
// hand to another package exists, so that a missing one is ENOTFOUND
// (exit status 4) whatever that package reports.
func mustExist(name string) error {
	if _, err := os.Stat(name); err != nil {
		return inputError(name, err)
	}
	return nil
}

// inputError is the error for an input that cannot be read: ENOTFOUND
// when it does not exist, EINVALID otherwise.
func inputError(name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return indivisible.FieldErrorf(indivisible.ENOTFOUND, name, "no such file or directory")
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the field already names the file
	}
	return indivisible.Invalid(name, "cannot read: %v", err)
}

// openScenario opens the scenario named by -scenario: the embedded one,
// or a directory, which must exist.
func openScenario(name string) (*indivisible.Scenario, error) {
	if name != "" && name != scenario.DefaultName {
		if _, err := os.Stat(name); errors.Is(err, fs.ErrNotExist) {
			return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, "-scenario", "%q is neither %q nor a scenario directory", name, scenario.DefaultName)
		}
	}
	return scenario.Open(name)
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
