package indivisible

import (
	"crypto/sha256"
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

// MaxBodySize bounds an entry's body, leaving room for the other fields
// within the encoding's limit (ledger/logstore.MaxEntrySize, the uint16
// length prefix of a C2SP tlog-tiles entry bundle).
const MaxBodySize = 1<<16 - 1 - 1024

// Entry is one record of the tamper-evident log.
//
// Its canonical encoding (ledger/logstore.Encode), which is the tlog record data
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
// KindKey entries. The whole encoding is at most logstore.MaxEntrySize
// bytes.
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

// IsName reports whether s is a lower-case identifier: a-z, 0-9 and '_'
// (scenario components, catalog keys' segments, placeholders).
func IsName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
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

// A Fact is the domain record a log entry states, which exists only
// together with it: a forum position or decision. A logstore.Store commits it
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
