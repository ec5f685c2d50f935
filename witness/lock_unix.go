//go:build unix

package witness

import (
	"os"
	"syscall"

	"github.com/indivisible-eurasia/indivisible"
)

// lockDir takes an exclusive lock on the file path, which the kernel
// releases when the process dies, even by SIGKILL.
func lockDir(path string) (unlock func() error, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, indivisible.Invalid(path, "%v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, indivisible.FieldErrorf(indivisible.ECONFLICT, path, "the state directory is in use by another witness (%v)", err)
	}
	return f.Close, nil
}
