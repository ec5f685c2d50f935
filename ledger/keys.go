package ledger

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
)

// Key files. A key pair is two one-line text files in the formats of
// golang.org/x/mod/sumdb/note, so that any note implementation can use
// them:
//
//	NAME.key  PRIVATE+KEY+NAME+HASH+BASE64(0x01 || Ed25519 seed)   (mode 0600)
//	NAME.pub  NAME+HASH+BASE64(0x01 || Ed25519 public key)
//
// HASH is the 8-hex-digit note key hash. A participant's key is named
// PARTICIPANT-XXXXXXXX, the first 4 bytes of SHA-256 of the public key in
// hex, so that names are unique and say whose key it is.

// NewKey generates a key pair for participant and returns the note signer
// (private) and verifier (public) key texts.
func NewKey(rand io.Reader, participant string) (skey, vkey string, err error) {
	if !indivisible.IsToken(participant) {
		return "", "", indivisible.Invalid("participant", "%q is not a participant code", participant)
	}
	pub, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return "", "", indivisible.Errorf(indivisible.EINTERNAL, "generate key: %v", err)
	}
	sum := sha256.Sum256(pub)
	name := participant + "-" + hex.EncodeToString(sum[:4])
	return noteKeys(name, priv)
}

// noteKeys returns the note key texts for an Ed25519 key named name.
func noteKeys(name string, priv ed25519.PrivateKey) (skey, vkey string, err error) {
	vkey, err = note.NewEd25519VerifierKey(name, priv.Public().(ed25519.PublicKey))
	if err != nil {
		return "", "", indivisible.Invalid("key", "%v", err)
	}
	// The verifier key is name+hash+key; the signer key repeats name and
	// hash and carries the seed instead of the public key.
	f := strings.SplitN(vkey, "+", 3)
	seed := append([]byte{1}, priv.Seed()...)
	skey = "PRIVATE+KEY+" + f[0] + "+" + f[1] + "+" + base64.StdEncoding.EncodeToString(seed)
	return skey, vkey, nil
}

// parseSignerKey parses a note signer key text and also returns the
// matching verifier key text, which the note package cannot derive.
func parseSignerKey(skey string) (note.Signer, string, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", indivisible.Invalid("key", "not a private key: %v", err)
	}
	f := strings.SplitN(skey, "+", 5) // PRIVATE+KEY+name+hash+base64, and base64 may hold '+'
	seed, err := base64.StdEncoding.DecodeString(f[4])
	if err != nil || len(seed) != 1+ed25519.SeedSize || seed[0] != 1 {
		return nil, "", indivisible.Invalid("key", "not an Ed25519 private key")
	}
	_, vkey, err := noteKeys(s.Name(), ed25519.NewKeyFromSeed(seed[1:]))
	return s, vkey, err
}

// WriteKeyFile writes a private key text to a new file with mode 0600,
// refusing to overwrite an existing file.
func WriteKeyFile(path, skey string) error { return writeNew(path, skey+"\n", 0o600) }

// WriteKeyPair generates a key pair for participant and writes NAME.key
// (mode 0600) and NAME.pub into dir, refusing to overwrite existing files.
// It returns the key name and the paths written.
func WriteKeyPair(rand io.Reader, dir, participant string) (name, keyPath, pubPath string, err error) {
	skey, vkey, err := NewKey(rand, participant)
	if err != nil {
		return "", "", "", err
	}
	name = vkey[:strings.IndexByte(vkey, '+')]
	keyPath = filepath.Join(dir, name+".key")
	pubPath = filepath.Join(dir, name+".pub")
	if err := writeNew(keyPath, skey+"\n", 0o600); err != nil {
		return "", "", "", err
	}
	if err := writeNew(pubPath, vkey+"\n", 0o644); err != nil {
		os.Remove(keyPath)
		return "", "", "", err
	}
	return name, keyPath, pubPath, nil
}

// writeNew creates path with the given mode and content; it fails if the
// file exists, and removes a partly written file.
func writeNew(path, content string, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return indivisible.FieldErrorf(indivisible.ECONFLICT, path, "file exists; not overwriting a key")
	} else if err != nil {
		return indivisible.Invalid(path, "%v", err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		os.Remove(path)
		return indivisible.Invalid(path, "%v", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return indivisible.Invalid(path, "%v", err)
	}
	return f.Close()
}

// ReadPrivateKey reads the text of a private key file. It refuses a file
// that group or others may read, as ssh does.
func ReadPrivateKey(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", indivisible.Invalid(path, "%v", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", indivisible.FieldErrorf(indivisible.EFORBIDDEN, path, "private key is accessible by others (mode %04o); run chmod 600 %s", fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", indivisible.Invalid(path, "%v", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// LoadSigner reads a private key file (NAME.key) (see ReadPrivateKey).
func LoadSigner(path string) (note.Signer, error) {
	skey, err := ReadPrivateKey(path)
	if err != nil {
		return nil, err
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, indivisible.Invalid(path, "not a private key file: %v", err)
	}
	return s, nil
}

// ReadVerifierKey reads a public key file (NAME.pub) and returns its
// verifier key text after checking that it parses.
func ReadVerifierKey(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", indivisible.Invalid(path, "%v", err)
	}
	vkey := strings.TrimSpace(string(b))
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", indivisible.Invalid(path, "not a public key file: %v", err)
	}
	return vkey, nil
}

// Key events. The registry is kept in the log itself as KindKey entries,
// so an auditor can rebuild it and every signature check is reproducible.
// Their body is one line:
//
//	register VERIFIERKEY\n
//	revoke NAME FROMINDEX\n
//
// and their KeyName is the name of the key concerned.

func registerBody(vkey string) []byte { return []byte("register " + vkey + "\n") }

func revokeBody(name string, from int64) []byte {
	return []byte("revoke " + name + " " + strconv.FormatInt(from, 10) + "\n")
}

// keyEvent is a parsed key entry.
type keyEvent struct {
	revoke bool
	vkey   string // register
	name   string
	from   int64 // revoke
}

func parseKeyEvent(e *indivisible.Entry) (keyEvent, error) {
	line, ok := strings.CutSuffix(string(e.Body), "\n")
	f := strings.Split(line, " ")
	switch {
	case ok && len(f) == 2 && f[0] == "register":
		v, err := note.NewVerifier(f[1])
		if err != nil {
			return keyEvent{}, indivisible.Invalid("body", "bad verifier key: %v", err)
		}
		if v.Name() != e.KeyName {
			return keyEvent{}, indivisible.Invalid("key_name", "entry names key %q but registers %q", e.KeyName, v.Name())
		}
		return keyEvent{vkey: f[1], name: v.Name()}, nil
	case ok && len(f) == 3 && f[0] == "revoke":
		from, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || from <= 0 || strconv.FormatInt(from, 10) != f[2] {
			return keyEvent{}, indivisible.Invalid("body", "bad revocation index %q", f[2])
		}
		if f[1] != e.KeyName {
			return keyEvent{}, indivisible.Invalid("key_name", "entry names key %q but revokes %q", e.KeyName, f[1])
		}
		return keyEvent{revoke: true, name: f[1], from: from}, nil
	}
	return keyEvent{}, indivisible.Invalid("body", "not a key event: %q", e.Body)
}

// registry is an immutable snapshot of the key registry.
type registry map[string]regKey

type regKey struct {
	indivisible.Key
	v note.Verifier
}

func newRegistry(keys []indivisible.Key) (registry, error) {
	r := make(registry, len(keys))
	for _, k := range keys {
		v, err := note.NewVerifier(k.PublicKey)
		if err != nil || v.Name() != k.Name {
			return nil, indivisible.Errorf(indivisible.EINTERNAL, "registered key %s: bad public key %q", k.Name, k.PublicKey)
		}
		r[k.Name] = regKey{k, v}
	}
	return r, nil
}

// apply returns the registry after the key entry e at e.Index, and the key
// row it creates or changes. r is not modified.
func (r registry) apply(e *indivisible.Entry) (registry, indivisible.Key, error) {
	ev, err := parseKeyEvent(e)
	if err != nil {
		return nil, indivisible.Key{}, err
	}
	old, exists := r[ev.name]
	var k regKey
	switch {
	case !ev.revoke && exists:
		return nil, indivisible.Key{}, indivisible.FieldErrorf(indivisible.ECONFLICT, "key", "key %s is already registered (to %s)", ev.name, old.Participant)
	case !ev.revoke:
		v, _ := note.NewVerifier(ev.vkey) // checked by parseKeyEvent
		k = regKey{indivisible.Key{Name: ev.name, Participant: e.Participant, PublicKey: ev.vkey, RegisteredAt: e.Index}, v}
	case !exists:
		return nil, indivisible.Key{}, indivisible.FieldErrorf(indivisible.ENOTFOUND, "key", "no key %s is registered", ev.name)
	case old.Participant != e.Participant:
		return nil, indivisible.Key{}, indivisible.FieldErrorf(indivisible.EINVALID, "participant", "key %s belongs to %s, not %s", ev.name, old.Participant, e.Participant)
	case old.RevokedFrom != 0:
		return nil, indivisible.Key{}, indivisible.FieldErrorf(indivisible.ECONFLICT, "key", "key %s is already revoked from index %d", ev.name, old.RevokedFrom)
	case ev.from <= old.RegisteredAt:
		return nil, indivisible.Key{}, indivisible.Invalid("from", "key %s was registered at index %d; revoke it from a later index", ev.name, old.RegisteredAt)
	default:
		k = old
		k.RevokedFrom = ev.from
	}
	next := make(registry, len(r)+1)
	for n, v := range r {
		next[n] = v
	}
	next[k.Name] = k
	return next, k.Key, nil
}

// check verifies that sig is a valid signature of body under the key name,
// which must belong to participant and be valid for the entry at index.
func (r registry) check(participant, name string, index int64, body, sig []byte) error {
	k, ok := r[name]
	switch {
	case !ok:
		return indivisible.FieldErrorf(indivisible.EUNAUTHORIZED, "key_name", "no key %q is registered", name)
	case k.Participant != participant:
		return indivisible.FieldErrorf(indivisible.EFORBIDDEN, "key_name", "key %s is registered to %s, not %s", name, k.Participant, participant)
	case k.RevokedFrom != 0 && index >= k.RevokedFrom:
		return indivisible.FieldErrorf(indivisible.EFORBIDDEN, "key_name", "key %s is revoked from index %d", name, k.RevokedFrom)
	case !k.ValidAt(index):
		return indivisible.FieldErrorf(indivisible.EFORBIDDEN, "key_name", "key %s is registered at index %d, after index %d", name, k.RegisteredAt, index)
	case !k.v.Verify(body, sig):
		return indivisible.FieldErrorf(indivisible.EUNAUTHORIZED, "signature", "not a valid signature by %s of these bytes", name)
	}
	return nil
}

// Registry is a key registry rebuilt entry by entry from a log's KindKey
// entries, under the rules Append and Audit apply, so that a client
// holding a copy of the log (a monitor) checks every signature as the log
// did. The zero value is the empty registry. Apply never changes the
// registry a copy was taken of: a copy is a snapshot, safe to Check from
// several goroutines while the original moves on.
type Registry struct{ r registry }

// Apply applies the key entry e (its Index set) and returns the key row
// it creates or changes. The errors are those of RegisterKey and
// RevokeKey; the registry is unchanged on error.
func (r *Registry) Apply(e *indivisible.Entry) (indivisible.Key, error) {
	next, k, err := r.r.apply(e)
	if err == nil {
		r.r = next
	}
	return k, err
}

// Check verifies the signature of the entry e (not a key entry), at its
// Index, against the registry: the errors of CheckSignature.
func (r Registry) Check(e *indivisible.Entry) error {
	return r.r.check(e.Participant, e.KeyName, e.Index, e.Body, e.Signature)
}

// Key returns the registry row of the key name.
func (r Registry) Key(name string) (indivisible.Key, bool) {
	k, ok := r.r[name]
	return k.Key, ok
}
