// Package logstore is the storage contract of a log: what a backend
// keeps (entries, tlog stored hashes in storage-index order, checkpoints,
// the key registry), committed a batch at a time, and the entries'
// canonical encoding. It knows nothing of Merkle trees or signatures
// (package ledger does); like sumdb's storage it is small, so that each
// backend (sqlstore, over SQLite and PostgreSQL) is easy to write and to
// test with ledgertest.TestStore. It is a package of its own so that a
// backend implements it without importing the log.
package logstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
)

// Limits of the entry encoding. An encoded entry must fit the uint16
// length prefix of a C2SP tlog-tiles entry bundle.
const (
	MaxEntrySize = 1<<16 - 1
	// entryVersion is the first byte of every encoded entry.
	entryVersion = 1
)

// Batch is what a Store commits atomically: entries appended at
// Start, Start+1, ..., their tlog stored hashes, the key registry rows they
// create or change, and the signed checkpoint of the new tree.
type Batch struct {
	// Start is the index of the first entry; it must equal the store's
	// current size, or Append fails with ECONFLICT on field "start"
	// (another writer won).
	Start int64
	// Entries are appended with Index Start, Start+1, ...
	Entries []indivisible.Entry
	// Hashes are the tlog stored hashes with storage indexes
	// tlog.StoredHashCount(Start) onward, in order.
	Hashes []tlog.Hash
	// Keys are registry rows to insert or replace (by Name).
	Keys []indivisible.Key
	// Checkpoint is the signed checkpoint of size Start+len(Entries).
	Checkpoint indivisible.Checkpoint
	// Facts, when not empty, has one element per entry: the domain
	// record that entry states, committed in the same transaction.
	Facts []indivisible.Fact
}

// Store is the durable storage of a log: entries, tlog stored hashes,
// checkpoints and the key registry. It knows nothing of Merkle trees or
// signatures (package ledger does); like sumdb's storage it is small so
// that each backend (sqlite, postgres) is easy to write and to test with
// ledgertest.TestStore.
type Store interface {
	// Init records the log's identity and its first checkpoint (size 0).
	// It fails with ECONFLICT if the store is already initialised.
	Init(ctx context.Context, info indivisible.LogInfo, cp indivisible.Checkpoint) error
	// Info returns the log's identity, or ENOTFOUND before Init.
	Info(ctx context.Context) (indivisible.LogInfo, error)
	// indivisible.Checkpoint returns the latest checkpoint; its Size is the number of
	// entries. ENOTFOUND before Init.
	Checkpoint(ctx context.Context) (indivisible.Checkpoint, error)
	// Append commits b durably and atomically, or not at all. It fails with
	// ECONFLICT on field "start" if b.Start is not the current size (another
	// writer appended first), on field "body" if an entry's body is already
	// in the log, and as Fact says if a fact cannot be committed.
	Append(ctx context.Context, b *Batch) error
	// ReadHashes returns the stored hashes at the given tlog storage
	// indexes; ENOTFOUND if one is not stored.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// ReadRecords returns the encoded entries with indexes start..end-1,
	// exactly as stored (they may fail to decode if the store was
	// tampered with); ENOTFOUND if the range is beyond the log.
	ReadRecords(ctx context.Context, start, end int64) ([][]byte, error)
	// FindBodies returns, for each SHA-256 body hash, the index of the
	// entry with that body, or -1.
	FindBodies(ctx context.Context, sums [][sha256.Size]byte) ([]int64, error)
	// Keys returns the key registry ordered by RegisteredAt.
	Keys(ctx context.Context) ([]indivisible.Key, error)
	// Close releases the store.
	Close() error
}

// Encode returns the canonical encoding of e (see indivisible.Entry): the
// tlog record data hashed into the tree and the content of an entry
// bundle element.
func Encode(e *indivisible.Entry) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 1+8+4+len(e.Kind)+len(e.Participant)+len(e.KeyName)+len(e.Signature)+2+len(e.Body))
	b = append(b, entryVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixMilli()))
	for _, f := range [][]byte{[]byte(e.Kind), []byte(e.Participant), []byte(e.KeyName), e.Signature} {
		b = append(b, byte(len(f)))
		b = append(b, f...)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(e.Body)))
	b = append(b, e.Body...)
	if len(b) > MaxEntrySize {
		return nil, indivisible.FieldErrorf(indivisible.ETOOLARGE, "body", "encoded entry of %d bytes exceeds the limit of %d", len(b), MaxEntrySize)
	}
	return b, nil
}

// Decode decodes the canonical encoding of the entry at index. It accepts
// exactly the encodings Encode produces, so re-encoding a decoded entry
// gives back the same bytes (and the same leaf hash): signed bytes mean one
// thing to every reader of the log.
func Decode(index int64, data []byte) (indivisible.Entry, error) {
	if len(data) > MaxEntrySize {
		return indivisible.Entry{}, indivisible.FieldErrorf(indivisible.ETOOLARGE, "entry", "%d bytes exceeds the limit of %d", len(data), MaxEntrySize)
	}
	if len(data) < 9 || data[0] != entryVersion {
		return indivisible.Entry{}, indivisible.Invalid("entry", "not a version %d entry", entryVersion)
	}
	d := indivisible.Entry{Index: index}
	d.Time = time.UnixMilli(int64(binary.BigEndian.Uint64(data[1:9]))).UTC()
	rest := data[9:]
	field := func(name string, n int) ([]byte, error) {
		if len(rest) < n {
			return nil, indivisible.Invalid(name, "truncated")
		}
		v := rest[:n:n]
		rest = rest[n:]
		return v, nil
	}
	var fields [4][]byte
	for i, name := range []string{"kind", "participant", "key_name", "signature"} {
		n, err := field(name, 1)
		if err != nil {
			return indivisible.Entry{}, err
		}
		if fields[i], err = field(name, int(n[0])); err != nil {
			return indivisible.Entry{}, err
		}
	}
	n, err := field("body", 2)
	if err != nil {
		return indivisible.Entry{}, err
	}
	if d.Body, err = field("body", int(binary.BigEndian.Uint16(n))); err != nil {
		return indivisible.Entry{}, err
	}
	if len(rest) != 0 {
		return indivisible.Entry{}, indivisible.Invalid("entry", "%d bytes of trailing data", len(rest))
	}
	d.Kind, d.Participant, d.KeyName = indivisible.EntryKind(fields[0]), string(fields[1]), string(fields[2])
	if len(fields[3]) > 0 {
		d.Signature = fields[3]
	}
	if d.Body == nil {
		d.Body = []byte{}
	}
	if err := d.Validate(); err != nil {
		return indivisible.Entry{}, err
	}
	return d, nil
}
