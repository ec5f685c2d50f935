// Package durable writes a file so that a crash leaves either the old
// content or the new, never a mix, and the new content survives once
// WriteFile returns: a witness must have its state on disk before it
// answers, and a monitor's commit point must not be torn.
package durable

import (
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// WriteFile replaces path with data: renameio writes a temporary file in
// the same directory, fsyncs it and renames it over path; the directory is
// then fsynced too, which renameio leaves to the caller, so that the
// rename itself is durable.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	if err := renameio.WriteFile(path, data, perm); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir makes the creation, removal or renaming of files in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
