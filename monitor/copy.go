package monitor

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/durable"
)

// The monitor's copy of the log is a directory of plain files, so that a
// participant can read or hand over its evidence without our code:
//
//	log.pub      the log's note verifier key, pinned on first use
//	checkpoint   the latest checkpoint whose entries are all in the copy
//	entries      every entry, each as a big-endian uint16 length and the
//	             encoded entry (the C2SP entry bundle framing), appended
//	hashes       the tlog stored hashes of the entries, 32 bytes each,
//	             in storage order (tlog.StoredHashIndex), appended
//	checkpoints  every checkpoint seen, one a line: Unix time, size,
//	             "cosigned" or "signed", and the note in base64
//	alarms       every alarm raised, with its evidence
//
// entries and hashes may hold more than checkpoint covers after a crash
// mid-update: the copy is cut back to the checkpoint when opened, so the
// checkpoint file, replaced atomically after both are synced, is the
// commit point.
const (
	keyFile         = "log.pub"
	checkpointFile  = "checkpoint"
	entriesFile     = "entries"
	hashesFile      = "hashes"
	checkpointsFile = "checkpoints"
	alarmsFile      = "alarms"
)

// flushHashes bounds the stored hashes kept in memory before they are
// written out (2 MiB).
const flushHashes = 1 << 16

// localCopy is the append-only copy of the log's entries and stored
// hashes. It is a tlog.HashReader over every hash appended, written out
// or not.
type localCopy struct {
	dir     string
	entries *os.File
	hashes  *os.File

	// size and entriesLen are what the checkpoint file covers.
	size       int64
	entriesLen int64

	// n is the number of entries appended (committed or not); the
	// hashes from storage index base on are in mem, those below in the
	// file, and ebuf holds the entry bytes not yet written.
	n    int64
	base int64
	mem  []tlog.Hash
	ebuf []byte
	elen int64 // bytes of entries written to the file
}

// openCopy opens (creating it if need be) the copy in dir and returns it
// with the committed checkpoint note (nil for a new copy); load then
// reads the entries back.
func openCopy(dir string) (*localCopy, []byte, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, indivisible.Invalid("dir", "%v", err)
	}
	cpNote, err := os.ReadFile(filepath.Join(dir, checkpointFile))
	if errors.Is(err, fs.ErrNotExist) {
		cpNote = nil
	} else if err != nil {
		return nil, nil, indivisible.Invalid("dir", "%v", err)
	}
	c := &localCopy{dir: dir}
	if c.entries, err = os.OpenFile(filepath.Join(dir, entriesFile), os.O_RDWR|os.O_CREATE, 0o644); err != nil {
		return nil, nil, indivisible.Invalid("dir", "%v", err)
	}
	if c.hashes, err = os.OpenFile(filepath.Join(dir, hashesFile), os.O_RDWR|os.O_CREATE, 0o644); err != nil {
		c.entries.Close()
		return nil, nil, indivisible.Invalid("dir", "%v", err)
	}
	return c, cpNote, nil
}

// load reads the first size entries back through each, recomputing every
// stored hash and comparing it with the file, so that a damaged copy is
// found before it is trusted, and cuts both files to size.
func (c *localCopy) load(size int64, each func(index int64, rec []byte) error) error {
	corrupt := func(format string, args ...any) error {
		return indivisible.Errorf(indivisible.EINTERNAL, "the copy in %s is damaged: %s", c.dir, fmt.Sprintf(format, args...))
	}
	fi, err := c.hashes.Stat()
	if err != nil {
		return err
	}
	if fi.Size() < tlog.StoredHashCount(size)*tlog.HashSize {
		return corrupt("%s holds %d bytes, too few for %d entries", hashesFile, fi.Size(), size)
	}
	// Verify the file's hashes by recomputing them; the reader reads
	// those already checked.
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return c.readFile(idx) })
	r := bufio.NewReaderSize(io.NewSectionReader(c.entries, 0, 1<<62), 1<<20)
	var off int64
	var lenBuf [2]byte
	for i := int64(0); i < size; i++ {
		if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
			return corrupt("%s ends at entry %d of %d", entriesFile, i, size)
		}
		rec := make([]byte, binary.BigEndian.Uint16(lenBuf[:]))
		if _, err := io.ReadFull(r, rec); err != nil {
			return corrupt("%s ends within entry %d", entriesFile, i)
		}
		off += 2 + int64(len(rec))
		hs, err := tlog.StoredHashes(i, rec, hr)
		if err != nil {
			return corrupt("entry %d: %v", i, err)
		}
		stored, err := c.readFile(storedRange(i))
		if err != nil {
			return err
		}
		for k := range hs {
			if hs[k] != stored[k] {
				return corrupt("entry %d does not hash to the stored hashes", i)
			}
		}
		if err := each(i, rec); err != nil {
			return err
		}
	}
	if err := c.entries.Truncate(off); err != nil {
		return err
	}
	if err := c.hashes.Truncate(tlog.StoredHashCount(size) * tlog.HashSize); err != nil {
		return err
	}
	c.size, c.n, c.entriesLen, c.elen = size, size, off, off
	c.base = tlog.StoredHashCount(size)
	return nil
}

// storedRange is the storage indexes of the hashes entry i adds.
func storedRange(i int64) []int64 {
	lo, hi := tlog.StoredHashCount(i), tlog.StoredHashCount(i+1)
	idx := make([]int64, 0, hi-lo)
	for x := lo; x < hi; x++ {
		idx = append(idx, x)
	}
	return idx
}

func (c *localCopy) readFile(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if _, err := c.hashes.ReadAt(out[i][:], x*tlog.HashSize); err != nil {
			return nil, indivisible.Errorf(indivisible.EINTERNAL, "read stored hash %d: %v", x, err)
		}
	}
	return out, nil
}

// ReadHashes implements tlog.HashReader over every hash appended.
func (c *localCopy) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		switch {
		case x >= c.base+int64(len(c.mem)):
			return nil, indivisible.Errorf(indivisible.EINTERNAL, "stored hash %d is not in the copy", x)
		case x >= c.base:
			out[i] = c.mem[x-c.base]
		default:
			if _, err := c.hashes.ReadAt(out[i][:], x*tlog.HashSize); err != nil {
				return nil, indivisible.Errorf(indivisible.EINTERNAL, "read stored hash %d: %v", x, err)
			}
		}
	}
	return out, nil
}

// append adds the next entry (index c.n), not yet committed.
func (c *localCopy) append(rec []byte) error {
	hs, err := tlog.StoredHashes(c.n, rec, c)
	if err != nil {
		return err
	}
	c.mem = append(c.mem, hs...)
	c.ebuf = binary.BigEndian.AppendUint16(c.ebuf, uint16(len(rec)))
	c.ebuf = append(c.ebuf, rec...)
	c.n++
	if len(c.mem) >= flushHashes {
		return c.flush()
	}
	return nil
}

// flush writes what is in memory to the files, without syncing.
func (c *localCopy) flush() error {
	if len(c.mem) == 0 && len(c.ebuf) == 0 {
		return nil
	}
	buf := make([]byte, 0, len(c.mem)*tlog.HashSize)
	for _, h := range c.mem {
		buf = append(buf, h[:]...)
	}
	if _, err := c.hashes.WriteAt(buf, c.base*tlog.HashSize); err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "write %s: %v", hashesFile, err)
	}
	if _, err := c.entries.WriteAt(c.ebuf, c.elen); err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "write %s: %v", entriesFile, err)
	}
	c.base += int64(len(c.mem))
	c.elen += int64(len(c.ebuf))
	c.mem, c.ebuf = c.mem[:0], c.ebuf[:0]
	return nil
}

// commit makes every entry appended durable under the checkpoint note of
// their tree, which replaces the checkpoint file atomically.
func (c *localCopy) commit(cpNote []byte) error {
	if err := c.flush(); err != nil {
		return err
	}
	if err := c.entries.Sync(); err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "sync %s: %v", entriesFile, err)
	}
	if err := c.hashes.Sync(); err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "sync %s: %v", hashesFile, err)
	}
	if err := writeAtomic(filepath.Join(c.dir, checkpointFile), cpNote); err != nil {
		return err
	}
	c.size, c.entriesLen = c.n, c.elen
	return nil
}

// rollback forgets every entry appended since the last commit.
func (c *localCopy) rollback() error {
	c.mem, c.ebuf = c.mem[:0], c.ebuf[:0]
	c.n, c.elen, c.base = c.size, c.entriesLen, tlog.StoredHashCount(c.size)
	if err := c.entries.Truncate(c.entriesLen); err != nil {
		return err
	}
	return c.hashes.Truncate(c.base * tlog.HashSize)
}

// readEntries returns the committed encoded entries of the copy, in
// order.
func (c *localCopy) readEntries() ([][]byte, error) {
	var out [][]byte
	err := c.scan(0, func(rec []byte) error { out = append(out, rec); return nil })
	return out, err
}

// scan calls each with every committed encoded entry from byte offset off
// of the entries file on.
func (c *localCopy) scan(off int64, each func(rec []byte) error) error {
	r := bufio.NewReaderSize(io.NewSectionReader(c.entries, off, c.entriesLen-off), 1<<20)
	var lenBuf [2]byte
	for {
		if _, err := io.ReadFull(r, lenBuf[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return indivisible.Errorf(indivisible.EINTERNAL, "read %s: %v", entriesFile, err)
		}
		rec := make([]byte, binary.BigEndian.Uint16(lenBuf[:]))
		if _, err := io.ReadFull(r, rec); err != nil {
			return indivisible.Errorf(indivisible.EINTERNAL, "read %s: %v", entriesFile, err)
		}
		if err := each(rec); err != nil {
			return err
		}
	}
}

func (c *localCopy) close() error {
	return errors.Join(c.entries.Close(), c.hashes.Close())
}

// appendLine appends one line to a file of dir and syncs it.
func appendLine(dir, name, line string) error {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "%v", err)
	}
	_, err = f.WriteString(line)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// seenCheckpoint is one line of the checkpoints file.
type seenCheckpoint struct {
	at       time.Time
	size     int64
	cosigned bool
	note     []byte
}

func (s seenCheckpoint) line() string {
	kind := "signed"
	if s.cosigned {
		kind = "cosigned"
	}
	return fmt.Sprintf("%d %d %s %s\n", s.at.Unix(), s.size, kind, base64.StdEncoding.EncodeToString(s.note))
}

// readSeen reads the checkpoints file; a torn last line (a crash while
// appending) is ignored.
func readSeen(dir string) ([]seenCheckpoint, error) {
	b, err := os.ReadFile(filepath.Join(dir, checkpointsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, indivisible.Invalid("dir", "%v", err)
	}
	var out []seenCheckpoint
	for _, l := range bytes.Split(b, []byte("\n")) {
		f := strings.Fields(string(l))
		if len(f) != 4 {
			continue
		}
		t, err1 := strconv.ParseInt(f[0], 10, 64)
		size, err2 := strconv.ParseInt(f[1], 10, 64)
		n, err3 := base64.StdEncoding.DecodeString(f[3])
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, seenCheckpoint{at: time.Unix(t, 0), size: size, cosigned: f[2] == "cosigned", note: n})
	}
	return out, nil
}

// writeAtomic replaces path with data durably (package durable).
func writeAtomic(path string, data []byte) error {
	if err := durable.WriteFile(path, data, 0o644); err != nil {
		return indivisible.Errorf(indivisible.EINTERNAL, "write %s: %v", path, err)
	}
	return nil
}
