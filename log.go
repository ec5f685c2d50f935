package indivisible

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"
)

// EntryKind says what a log entry records. The log itself only interprets
// KindKey entries (the key registry); every other kind is opaque to it.
type EntryKind string

// Entry kinds.
const (
	// KindDeclaration is a signed declaration of the information exchange;
	// Body is the JSON document exactly as submitted.
	KindDeclaration EntryKind = "declaration"
	// KindKey is the secretariat's registration or revocation of a
	// participant's key (see KeyEvent). It carries no signature: the log's
	// signed checkpoints vouch for it.
	KindKey EntryKind = "key"
	// KindPosition is a delegation's position on a forum agenda item;
	// Body is the position statement (docs/forum.md), signed by the
	// delegation's key or attested by the service (Participant
	// ForumParticipant).
	KindPosition EntryKind = "position"
	// KindDecision is the decision on a forum agenda item, attested by the
	// service; Body carries the SHA-256 of the outcome document.
	KindDecision EntryKind = "decision"
)

// Limits of the entry encoding. An encoded entry must fit the uint16 length
// prefix of a C2SP tlog-tiles entry bundle.
const (
	MaxEntrySize = 1<<16 - 1
	// MaxBodySize leaves room for the header fields within MaxEntrySize.
	MaxBodySize = MaxEntrySize - 1024
	// entryVersion is the first byte of every encoded entry.
	entryVersion = 1
)

// Entry is one record of the tamper-evident log.
//
// Its canonical encoding (MarshalBinary), which is the tlog record data
// hashed into the tree (leaf hash = tlog.RecordHash(data)) and the content
// of a tile/entries bundle element, is:
//
//	uint8      version, always 1
//	uint64     Time as Unix milliseconds, big-endian
//	uint8  n,  n bytes Kind
//	uint8  n,  n bytes Participant
//	uint8  n,  n bytes KeyName
//	uint8  n,  n bytes Signature
//	uint16 n,  n bytes Body (big-endian length)
//
// with nothing after Body. Kind, Participant and KeyName are non-empty
// printable ASCII without spaces or '+'; Signature is empty only for
// KindKey entries. The whole encoding is at most MaxEntrySize bytes.
type Entry struct {
	// Index is the entry's position in the log (0-based). It is not part of
	// the encoding: it is the position of the leaf.
	Index int64 `json:"index"`
	// Time is when the log accepted the entry, in UTC with millisecond
	// precision. It is set by the log, not the submitter, and is what a
	// notice period is measured against.
	Time time.Time `json:"time"`
	// Kind says what the entry records.
	Kind EntryKind `json:"kind"`
	// Participant is the code of the participant the entry is filed for.
	Participant string `json:"participant"`
	// KeyName names the registered key that signed Body (see Key.Name).
	KeyName string `json:"key_name,omitempty"`
	// Signature is the Ed25519 signature of Body under the key KeyName.
	Signature []byte `json:"signature,omitempty"`
	// Body holds the exact bytes submitted.
	Body []byte `json:"body"`
}

// BodyHash is the SHA-256 of e.Body. The log refuses a second entry with
// the same body (a replay) with ECONFLICT.
func (e *Entry) BodyHash() [sha256.Size]byte { return sha256.Sum256(e.Body) }

// Validate checks that e can be encoded, naming the offending field.
func (e *Entry) Validate() error {
	for _, f := range []struct{ name, v string }{
		{"kind", string(e.Kind)}, {"participant", e.Participant}, {"key_name", e.KeyName},
	} {
		if f.v == "" && !(f.name == "key_name" && e.Kind == KindKey) {
			return Invalid(f.name, "missing")
		}
		if len(f.v) > 255 {
			return Invalid(f.name, "longer than 255 bytes")
		}
		if !IsToken(f.v) && f.v != "" {
			return Invalid(f.name, "%q: only printable ASCII without spaces or '+' is allowed", f.v)
		}
	}
	switch {
	case len(e.Signature) > 255:
		return Invalid("signature", "longer than 255 bytes")
	case len(e.Signature) == 0 && e.Kind != KindKey:
		return Invalid("signature", "missing")
	case len(e.Body) > MaxBodySize:
		return FieldErrorf(ETOOLARGE, "body", "%d bytes exceeds the limit of %d", len(e.Body), MaxBodySize)
	case e.Time.IsZero() || e.Time.UnixMilli() < 0:
		return Invalid("time", "missing or before 1970")
	}
	return nil
}

// IsToken reports whether s is non-empty printable ASCII without spaces or
// '+' (the characters note key names and participant codes may use).
func IsToken(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '+' {
			return false
		}
	}
	return true
}

// MarshalBinary returns the canonical encoding of e (see Entry).
func (e *Entry) MarshalBinary() ([]byte, error) {
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
		return nil, FieldErrorf(ETOOLARGE, "body", "encoded entry of %d bytes exceeds the limit of %d", len(b), MaxEntrySize)
	}
	return b, nil
}

// UnmarshalBinary decodes the canonical encoding of an entry. It accepts
// exactly the encodings MarshalBinary produces, so re-encoding a decoded
// entry gives back the same bytes (and the same leaf hash). Index is left
// unchanged.
func (e *Entry) UnmarshalBinary(data []byte) error {
	if len(data) > MaxEntrySize {
		return FieldErrorf(ETOOLARGE, "entry", "%d bytes exceeds the limit of %d", len(data), MaxEntrySize)
	}
	if len(data) < 9 || data[0] != entryVersion {
		return Invalid("entry", "not a version %d entry", entryVersion)
	}
	var d Entry
	d.Index = e.Index
	d.Time = time.UnixMilli(int64(binary.BigEndian.Uint64(data[1:9]))).UTC()
	rest := data[9:]
	field := func(name string, n int) ([]byte, error) {
		if len(rest) < n {
			return nil, Invalid(name, "truncated")
		}
		v := rest[:n:n]
		rest = rest[n:]
		return v, nil
	}
	var fields [4][]byte
	for i, name := range []string{"kind", "participant", "key_name", "signature"} {
		n, err := field(name, 1)
		if err != nil {
			return err
		}
		if fields[i], err = field(name, int(n[0])); err != nil {
			return err
		}
	}
	n, err := field("body", 2)
	if err != nil {
		return err
	}
	if d.Body, err = field("body", int(binary.BigEndian.Uint16(n))); err != nil {
		return err
	}
	if len(rest) != 0 {
		return Invalid("entry", "%d bytes of trailing data", len(rest))
	}
	d.Kind, d.Participant, d.KeyName = EntryKind(fields[0]), string(fields[1]), string(fields[2])
	if len(fields[3]) > 0 {
		d.Signature = fields[3]
	}
	if d.Body == nil {
		d.Body = []byte{}
	}
	if err := d.Validate(); err != nil {
		return err
	}
	*e = d
	return nil
}

// Key is a participant's Ed25519 public key as registered by the
// secretariat. A key may sign entries with index i only when
// RegisteredAt < i and (RevokedFrom == 0 or i < RevokedFrom).
type Key struct {
	// Name is the key's note name, conventionally PARTICIPANT-<8 hex digits>.
	Name string `json:"name"`
	// Participant is the code of the participant the key belongs to.
	Participant string `json:"participant"`
	// PublicKey is the note verifier key text "name+hash+base64key".
	PublicKey string `json:"public_key"`
	// RegisteredAt is the index of the KindKey entry that registered it.
	RegisteredAt int64 `json:"registered_at"`
	// RevokedFrom is the first index the key may no longer sign, or 0 if
	// it is not revoked (0 can never be a meaningful revocation, since a key
	// registered at index r only signs entries after r).
	RevokedFrom int64 `json:"revoked_from,omitempty"`
}

// ValidAt reports whether k may sign the entry at index i.
func (k *Key) ValidAt(i int64) bool {
	return k.RegisteredAt < i && (k.RevokedFrom == 0 || i < k.RevokedFrom)
}

// Checkpoint is a signed tree head in the C2SP tlog-checkpoint format.
type Checkpoint struct {
	// Origin names the log (the first line of the note body).
	Origin string `json:"origin"`
	// Size is the number of entries in the tree.
	Size int64 `json:"size"`
	// Root is the RFC 6962 tree hash.
	Root tlog.Hash `json:"root"`
	// Note is the whole signed note: "origin\nsize\nbase64(root)\n\n— ...".
	Note []byte `json:"note"`
}

// LogInfo identifies a log: its origin line and the note verifier key of
// the log's signing key ("name+hash+base64key"). The private key is not
// kept in the store.
type LogInfo struct {
	Origin      string `json:"origin"`
	VerifierKey string `json:"verifier_key"`
}

// LogBatch is what a LogStore commits atomically: entries appended at
// Start, Start+1, ..., their tlog stored hashes, the key registry rows they
// create or change, and the signed checkpoint of the new tree.
type LogBatch struct {
	// Start is the index of the first entry; it must equal the store's
	// current size, or Append fails with ECONFLICT on field "start"
	// (another writer won).
	Start int64
	// Entries are appended with Index Start, Start+1, ...
	Entries []Entry
	// Hashes are the tlog stored hashes with storage indexes
	// tlog.StoredHashCount(Start) onward, in order.
	Hashes []tlog.Hash
	// Keys are registry rows to insert or replace (by Name).
	Keys []Key
	// Checkpoint is the signed checkpoint of size Start+len(Entries).
	Checkpoint Checkpoint
	// Facts, when not empty, has one element per entry: the domain
	// record that entry states, committed in the same transaction.
	Facts []Fact
}

// A Fact is the domain record a log entry states, which exists only
// together with it: a forum position or decision. A LogStore commits it
// in the transaction that appends the entry, so that the log and the
// forum's records never disagree, even when several servers share one
// database; the store sets its log index and time from the entry. At most
// one field is set.
type Fact struct {
	// Position is stored on its item, which must be open, and on the
	// item's current version (else ECONFLICT on field "item" or
	// "version").
	Position *Position
	// Decision closes its item (ECONFLICT on field "item" if it is
	// closed already).
	Decision *Decision
	// LastPosition, with a Decision, is the log index of the last
	// position on the item that the decision saw, or -1 for none: a later
	// position is ECONFLICT on field "positions", since the decision
	// would not have counted it.
	LastPosition int64
}

// LogStore is the durable storage of a log: entries, tlog stored hashes,
// checkpoints and the key registry. It knows nothing of Merkle trees or
// signatures (package ledger does); like sumdb's storage it is small so
// that each backend (sqlite, postgres) is easy to write and to test with
// ledger/ledgertest.TestStore.
type LogStore interface {
	// Init records the log's identity and its first checkpoint (size 0).
	// It fails with ECONFLICT if the store is already initialised.
	Init(ctx context.Context, info LogInfo, cp Checkpoint) error
	// Info returns the log's identity, or ENOTFOUND before Init.
	Info(ctx context.Context) (LogInfo, error)
	// Checkpoint returns the latest checkpoint; its Size is the number of
	// entries. ENOTFOUND before Init.
	Checkpoint(ctx context.Context) (Checkpoint, error)
	// Append commits b durably and atomically, or not at all. It fails with
	// ECONFLICT on field "start" if b.Start is not the current size (another
	// writer appended first), on field "body" if an entry's body is already
	// in the log, and as Fact says if a fact cannot be committed.
	Append(ctx context.Context, b *LogBatch) error
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
	Keys(ctx context.Context) ([]Key, error)
	// Close releases the store.
	Close() error
}
