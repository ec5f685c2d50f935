package witness

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"filippo.io/torchwood"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/durable"
)

// The state directory holds, for each log the witness has cosigned, one
// file named after the log's origin (path-escaped, so "example.org/log" is
// example.org%2Flog.checkpoint) holding the signed checkpoint note it
// cosigned last, exactly as the log sent it. A file is replaced by writing
// NAME.tmp, syncing it, renaming it over NAME and syncing the directory,
// and the witness answers only after that: a crash at any point leaves
// either the old or the new checkpoint, never a torn file, and never a
// cosignature the state does not reflect. A log without a file has
// cosigned size 0.

// stateSuffix ends the name of every state file.
const stateSuffix = ".checkpoint"

// stateDir is an open, locked state directory.
type stateDir struct {
	dir    string
	unlock func() error
}

// openStateDir opens dir, creating it if needed, and takes its lock so
// that two witnesses never share one state, which would break the atomic
// check-and-update the protocol requires.
func openStateDir(dir string) (*stateDir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, indivisible.Invalid(dir, "cannot create the state directory: %v", err)
	}
	unlock, err := lockDir(filepath.Join(dir, "LOCK"))
	if err != nil {
		return nil, err
	}
	return &stateDir{dir: dir, unlock: unlock}, nil
}

func (d *stateDir) close() error { return d.unlock() }

// stateName is the file name of origin's state.
func stateName(origin string) (string, error) {
	name := url.PathEscape(origin) + stateSuffix
	if len(name)+len(".tmp") > 255 {
		return "", fmt.Errorf("origin %q is too long to name a state file", origin)
	}
	return name, nil
}

// load returns the checkpoint last cosigned for origin, with its note;
// found is false when there is none. A file that does not parse, or names
// another origin, is an error: starting afresh would forget what was
// cosigned and let a fork through.
func (d *stateDir) load(origin string) (cp torchwood.Checkpoint, note []byte, found bool, err error) {
	name, err := stateName(origin)
	if err != nil {
		return cp, nil, false, err
	}
	path := filepath.Join(d.dir, name)
	note, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cp, nil, false, nil
	} else if err != nil {
		return cp, nil, false, indivisible.Invalid(path, "cannot read the state: %v", err)
	}
	i := bytes.LastIndex(note, []byte("\n\n"))
	if i < 0 {
		return cp, nil, false, indivisible.Invalid(path, "not a signed checkpoint; refusing to start without the witness's state")
	}
	cp, err = torchwood.ParseCheckpoint(string(note[:i+1]))
	if err != nil {
		return cp, nil, false, indivisible.Invalid(path, "%v; refusing to start without the witness's state", err)
	}
	if cp.Origin != origin {
		return cp, nil, false, indivisible.Invalid(path, "holds a checkpoint of %q, not %q", cp.Origin, origin)
	}
	return cp, note, true, nil
}

// save durably replaces origin's state with note: when it returns nil the
// new state is on disk.
func (d *stateDir) save(origin string, note []byte) error {
	name, err := stateName(origin)
	if err != nil {
		return err
	}
	return durable.WriteFile(filepath.Join(d.dir, name), note, 0o600)
}
