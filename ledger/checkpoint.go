package ledger

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
)

// checkpointBody returns the C2SP tlog-checkpoint note text
// "origin\nsize\nbase64(root)\n". tlog.FormatTree cannot be used: it
// hard-codes the go.sum database's origin line.
func checkpointBody(origin string, size int64, root tlog.Hash) []byte {
	return []byte(origin + "\n" + strconv.FormatInt(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n")
}

// SignCheckpoint returns the checkpoint of a tree of the given size and
// root hash, signed by s as a C2SP signed note.
func SignCheckpoint(s note.Signer, origin string, size int64, root tlog.Hash) (indivisible.Checkpoint, error) {
	msg, err := note.Sign(&note.Note{Text: string(checkpointBody(origin, size, root))}, s)
	if err != nil {
		return indivisible.Checkpoint{}, indivisible.Errorf(indivisible.EINTERNAL, "sign checkpoint: %v", err)
	}
	return indivisible.Checkpoint{Origin: origin, Size: size, Root: root, Note: msg}, nil
}

// ParseCheckpointBody parses the text of a checkpoint note (without its
// signatures): an origin line, the decimal tree size without leading zeros,
// the base64 root hash, then optional extension lines, which are ignored.
func ParseCheckpointBody(text []byte) (indivisible.Checkpoint, error) {
	var cp indivisible.Checkpoint
	s := string(text)
	if !strings.HasSuffix(s, "\n") {
		return cp, indivisible.Invalid("checkpoint", "does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) < 3 {
		return cp, indivisible.Invalid("checkpoint", "want origin, size and root hash lines, got %d lines", len(lines))
	}
	for i, l := range lines {
		if l == "" {
			return cp, indivisible.Invalid("checkpoint:"+strconv.Itoa(i+1), "empty line")
		}
	}
	cp.Origin = lines[0]
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return cp, indivisible.Invalid("checkpoint:2", "bad tree size %q", lines[1])
	}
	cp.Size = size
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return cp, indivisible.Invalid("checkpoint:3", "bad root hash %q", lines[2])
	}
	copy(cp.Root[:], root)
	return cp, nil
}

// OpenCheckpoint checks the signature on a checkpoint note against v and
// parses it. Cosignatures by other keys (witnesses) are allowed.
func OpenCheckpoint(msg []byte, v note.Verifier) (indivisible.Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return indivisible.Checkpoint{}, indivisible.FieldErrorf(indivisible.EUNAUTHORIZED, "checkpoint", "signature by %s not verified: %v", v.Name(), err)
	}
	cp, err := ParseCheckpointBody([]byte(n.Text))
	if err != nil {
		return cp, err
	}
	cp.Note = bytes.Clone(msg)
	return cp, nil
}

// splitNote splits a signed note into its text and signature block without
// checking signatures.
func splitNote(msg []byte) (text, sigs []byte, ok bool) {
	i := bytes.Index(msg, []byte("\n\n"))
	if i < 0 {
		return nil, nil, false
	}
	return msg[:i+1], msg[i+2:], true
}
