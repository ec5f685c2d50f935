package ledger

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

// The log's key lifecycle. A log never exists without its signing key:
// the key file is written before the log is created and removed if
// creating the log fails, and an existing key file is never paired with a
// database that has no log (it belongs to some other log, or to one whose
// database was lost: either way, signing a new log with it would give two
// logs one key).

// CreateWithKeyFile makes a signing key named origin, writes it to the new
// file keyPath (mode 0600) and creates a log in store signed by it. The
// key file is written first and removed if creating the log fails.
// EINVALID for a bad origin, ECONFLICT if keyPath exists or store already
// holds a log.
func CreateWithKeyFile(ctx context.Context, store logstore.Store, keyPath, origin string) error {
	skey, err := GenerateLogKey(origin)
	if err != nil {
		return err
	}
	if err := WriteKeyFile(keyPath, skey); err != nil {
		return err
	}
	if err := Create(ctx, store, skey); err != nil {
		os.Remove(keyPath)
		return err
	}
	return nil
}

// Ensure returns the identity of store's log, creating the log named
// origin with its key at keyPath (CreateWithKeyFile) if store has none;
// created says whether it did. A log's origin is fixed when it is
// created: if the existing log is named otherwise, Ensure fails with
// EINVALID on the field "origin" when strict (the caller asked for that
// name), and else returns the log as it is, for the caller to say so.
// EINVALID naming keyPath if store has no log but keyPath exists.
func Ensure(ctx context.Context, store logstore.Store, keyPath, origin string, strict bool) (info indivisible.LogInfo, created bool, err error) {
	info, err = store.Info(ctx)
	switch {
	case err == nil && strict && info.Origin != origin:
		return indivisible.LogInfo{}, false, indivisible.Invalid("origin", "the log was created as %q and keeps that name; origin %q names another log", info.Origin, origin)
	case err == nil:
		return info, false, nil
	case indivisible.ErrorCode(err) != indivisible.ENOTFOUND:
		return indivisible.LogInfo{}, false, err
	}
	if _, err := os.Stat(keyPath); !errors.Is(err, fs.ErrNotExist) {
		return indivisible.LogInfo{}, false, indivisible.Invalid(keyPath, "a log key exists but the database has no log; refusing to pair them")
	}
	if err := CreateWithKeyFile(ctx, store, keyPath, origin); err != nil {
		return indivisible.LogInfo{}, false, err
	}
	info, err = store.Info(ctx)
	return info, true, err
}
