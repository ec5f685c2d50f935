package sqlite

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/indivisible-eurasia/indivisible"
)

// Backup writes a consistent copy of the live database to path with
// VACUUM INTO, which reads one snapshot while writers go on.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return indivisible.Invalid(path, "exists already; choose a new backup file")
	}
	if _, err := db.DB.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "backup to %s: %v", path, err)
	}
	return nil
}

// Restore checks that backup is an intact Indivisible database and copies
// it to path, which must not exist. The copy goes to a temporary file that
// is synced and renamed into place, so a failed restore leaves nothing.
func Restore(ctx context.Context, backup, path string) error {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return indivisible.Invalid(path, "exists already; restore to a new file")
	}
	src, err := os.Open(backup)
	if err != nil {
		return indivisible.Invalid(backup, "%v", err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), ".restore-*")
	if err != nil {
		return indivisible.Invalid(path, "%v", err)
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "restore: %v", err)
	}
	check, err := Open(ctx, tmp.Name())
	if err != nil {
		return indivisible.Invalid(backup, "not an Indivisible database: %v", indivisible.ErrorMessage(err))
	}
	err = check.IntegrityCheck(ctx)
	check.Close()
	if err != nil {
		return indivisible.Invalid(backup, "damaged: %v", indivisible.ErrorMessage(err))
	}
	// Opening may have created WAL files beside the temporary copy.
	os.Remove(tmp.Name() + "-wal")
	os.Remove(tmp.Name() + "-shm")
	return os.Rename(tmp.Name(), path)
}
