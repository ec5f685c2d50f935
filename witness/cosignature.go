package witness

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"io"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger"
)

// A witness key is a note signer key text, "PRIVATE+KEY+NAME+HASH+BASE64(0x01
// || Ed25519 seed)", as note.GenerateKey writes it, so ledger.WriteKeyFile
// and any note tool handle it. The same Ed25519 key cosigns under the
// c2sp.org/tlog-cosignature type 0x04, whose verifier key (with its own
// HASH) is what logs and clients configure.

// GenerateKey generates a witness key named name and returns its signer
// key text (to keep secret) and its cosignature verifier key text (to
// publish).
func GenerateKey(rand io.Reader, name string) (skey, vkey string, err error) {
	skey, _, err = note.GenerateKey(rand, name)
	if err != nil {
		return "", "", indivisible.Invalid("name", "%q cannot name a witness key: %v", name, err)
	}
	s, err := NewSigner(skey)
	if err != nil {
		return "", "", err
	}
	return skey, s.Verifier().String(), nil
}

// NewSigner returns the cosigner of a witness key text.
func NewSigner(skey string) (*torchwood.CosignatureSigner, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, indivisible.Invalid("key", "not a private key: %v", err)
	}
	f := strings.SplitN(skey, "+", 5) // PRIVATE+KEY+name+hash+base64; base64 may hold '+'
	seed, err := base64.StdEncoding.DecodeString(f[4])
	if err != nil || len(seed) != 1+ed25519.SeedSize || seed[0] != 1 {
		return nil, indivisible.Invalid("key", "not an Ed25519 private key")
	}
	cs, err := torchwood.NewCosignatureSigner(s.Name(), ed25519.NewKeyFromSeed(seed[1:]))
	if err != nil {
		return nil, indivisible.Invalid("key", "%v", err)
	}
	return cs, nil
}

// LoadSigner reads a witness key file; like ledger.LoadSigner it refuses
// a file that group or others may read (ledger.ReadPrivateKey).
func LoadSigner(path string) (*torchwood.CosignatureSigner, error) {
	skey, err := ledger.ReadPrivateKey(path)
	if err != nil {
		return nil, err
	}
	s, err := NewSigner(skey)
	if err != nil {
		return nil, indivisible.InFile(path, err)
	}
	return s, nil
}

// Cosignature is one Ed25519 c2sp.org/tlog-cosignature (cosignature/v1)
// note signature line:
//
//	— NAME BASE64(key hash (4 bytes) || timestamp (8 bytes) || Ed25519 signature (64 bytes))
type Cosignature struct {
	// Name is the cosigner's (witness's) key name.
	Name string
	// KeyHash is the key ID: the first 4 bytes of SHA-256(NAME || "\n" ||
	// 0x04 || public key), big-endian.
	KeyHash uint32
	// Time is when the witness signed, in seconds since the Unix epoch.
	Time int64
	// Signature is the Ed25519 signature of "cosignature/v1\ntime TIME\n"
	// followed by the checkpoint body.
	Signature []byte
}

// cosignatureSize is the decoded size of an Ed25519 cosignature.
const cosignatureSize = 4 + 8 + ed25519.SignatureSize

// ParseCosignature parses one cosignature line, with or without its final
// newline, strictly: the em dash and one space, a key name (no spaces, no
// '+'), one space, and canonical base64 of exactly 76 bytes whose
// timestamp is at most 2⁶³-1. It does not verify the signature: append
// the lines to the checkpoint and open the note with
// torchwood.NewCosignatureVerifier for that. Errors are EINVALID.
func ParseCosignature(line string) (Cosignature, error) {
	line = strings.TrimSuffix(line, "\n")
	rest, ok := strings.CutPrefix(line, "— ")
	if !ok {
		return Cosignature{}, indivisible.Invalid("cosignature", "does not start with \"— \"")
	}
	name, b64, ok := strings.Cut(rest, " ")
	if !ok || !validName(name) {
		return Cosignature{}, indivisible.Invalid("cosignature", "bad key name %q", name)
	}
	// Decoders skip newlines; comparing with the re-encoding does not.
	sig, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil || len(sig) != cosignatureSize || base64.StdEncoding.EncodeToString(sig) != b64 {
		return Cosignature{}, indivisible.Invalid("cosignature", "not the base64 of a %d-byte Ed25519 cosignature", cosignatureSize)
	}
	t := binary.BigEndian.Uint64(sig[4:])
	if t > math.MaxInt64 {
		return Cosignature{}, indivisible.Invalid("cosignature", "timestamp %d exceeds 2^63-1", t)
	}
	return Cosignature{Name: name, KeyHash: binary.BigEndian.Uint32(sig), Time: int64(t), Signature: sig[12:]}, nil
}

// ParseCosignatures parses the body of a 200 answer to add-checkpoint:
// one or more cosignature lines, each ending in a newline. A client that
// knows other cosignature types should rather append the body to the
// checkpoint and open the note with the verifiers it trusts, as the spec
// advises, ignoring lines of unknown keys.
func ParseCosignatures(body []byte) ([]Cosignature, error) {
	s, ok := strings.CutSuffix(string(body), "\n")
	if !ok {
		return nil, indivisible.Invalid("cosignature", "the answer does not end in a newline")
	}
	var cs []Cosignature
	for line := range strings.SplitSeq(s, "\n") {
		c, err := ParseCosignature(line)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// String returns the cosignature line, with its final newline.
func (c Cosignature) String() string {
	b := make([]byte, 0, cosignatureSize)
	b = binary.BigEndian.AppendUint32(b, c.KeyHash)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Time))
	b = append(b, c.Signature...)
	return "— " + c.Name + " " + base64.StdEncoding.EncodeToString(b) + "\n"
}

// validName reports whether name can name a note key: non-empty UTF-8
// without spaces or '+'.
func validName(name string) bool {
	return name != "" && utf8.ValidString(name) && strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}
