package witness

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"
)

// MaxProofLines is the most consistency proof lines a request may carry, as
// c2sp.org/tlog-witness fixes it: a proof between trees of up to 2⁶³
// entries has at most 63 hashes.
const MaxProofLines = 63

// MaxRequestSize bounds the body of an add-checkpoint request. A checkpoint
// with a few signatures and a full proof is under 4 KiB; the bound leaves
// room for many signatures and extension lines.
const MaxRequestSize = 1 << 20

// AddCheckpointRequest is the body of a c2sp.org/tlog-witness
// add-checkpoint request:
//
//	old SIZE
//	base64 consistency proof hash, one per line (none when SIZE is 0)
//	(empty line)
//	the signed checkpoint note
type AddCheckpointRequest struct {
	// OldSize is the size of the checkpoint the client believes the witness
	// cosigned last (0 for none).
	OldSize int64
	// Proof is the RFC 6962 consistency proof from OldSize to the
	// checkpoint's size.
	Proof tlog.TreeProof
	// Checkpoint is the signed checkpoint note, its signatures not yet
	// verified.
	Checkpoint []byte
	// Parsed is the checkpoint's body (origin, size, root hash and
	// extension lines), parsed from Checkpoint but not verified.
	Parsed torchwood.Checkpoint
}

// ParseAddCheckpoint parses an add-checkpoint request body strictly: the
// old size in canonical decimal, each proof hash in canonical base64 of 32
// bytes, at most MaxProofLines of them and none after "old 0", every line
// ending in a newline, and a checkpoint note whose body parses (its
// signatures are checked by the witness, which knows the keys). Any
// deviation is a *Refusal with status 400.
func ParseAddCheckpoint(body []byte) (*AddCheckpointRequest, error) {
	if len(body) > MaxRequestSize {
		return nil, malformed("request body of %d bytes exceeds %d", len(body), MaxRequestSize)
	}
	head, cp, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return nil, malformed("no empty line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	size, ok := strings.CutPrefix(lines[0], "old ")
	if !ok {
		return nil, malformed("the first line is not \"old SIZE\"")
	}
	old, err := parseSize(size)
	if err != nil {
		return nil, malformed("old size %q is not a decimal size without leading zeros", size)
	}
	r := &AddCheckpointRequest{OldSize: old, Checkpoint: cp}
	hashes := lines[1:]
	switch {
	case len(hashes) > MaxProofLines:
		return nil, malformed("%d consistency proof lines, more than %d", len(hashes), MaxProofLines)
	case old == 0 && len(hashes) > 0:
		return nil, malformed("a consistency proof from old size 0 must be empty")
	}
	for i, h := range hashes {
		hash, err := parseHash(h)
		if err != nil {
			return nil, malformed("consistency proof line %d: %q is not a base64 hash", i+1, h)
		}
		r.Proof = append(r.Proof, hash)
	}
	// As in note.Open, the signatures follow the last empty line.
	i := bytes.LastIndex(cp, []byte("\n\n"))
	if i < 0 {
		return nil, malformed("the checkpoint note has no signatures")
	}
	r.Parsed, err = torchwood.ParseCheckpoint(string(cp[:i+1]))
	if err != nil {
		return nil, malformed("checkpoint: %v", err)
	}
	return r, nil
}

// MarshalText returns the request body; for a request that
// ParseAddCheckpoint returned, it is the body that was parsed.
func (r *AddCheckpointRequest) MarshalText() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("old " + strconv.FormatInt(r.OldSize, 10) + "\n")
	for _, h := range r.Proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(r.Checkpoint)
	return b.Bytes(), nil
}

// parseSize parses a tree size in canonical decimal: no sign, no leading
// zeros.
func parseSize(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != s {
		return 0, strconv.ErrSyntax
	}
	return n, nil
}

// parseHash parses a hash in canonical standard base64: padded, no stray
// bits, and no CR or LF, which decoders skip.
func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != tlog.HashSize || base64.StdEncoding.EncodeToString(b) != s {
		return h, strconv.ErrSyntax
	}
	copy(h[:], b)
	return h, nil
}
