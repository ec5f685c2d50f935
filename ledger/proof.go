package ledger

import (
	"bytes"
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
)

// proofHeader is the first line of a C2SP tlog-proof.
const proofHeader = "c2sp.org/tlog-proof@v1"

// InclusionProof proves that the entry at Index is in the tree of a signed
// checkpoint. Its text form (MarshalText) is a C2SP tlog-proof
// (https://c2sp.org/tlog-proof):
//
//	c2sp.org/tlog-proof@v1
//	index N
//	base64 hash        one line per proof hash, leaf to root
//	...
//	(empty line)
//	the signed checkpoint note
type InclusionProof struct {
	Index      int64
	Proof      tlog.RecordProof
	Checkpoint indivisible.Checkpoint
}

// ProveInclusion returns the inclusion proof of the entry at index in the
// tree of the latest checkpoint this process knows, reading the store when
// that does not contain index (ENOTFOUND if the log does not).
func (l *Log) ProveInclusion(ctx context.Context, index int64) (*InclusionProof, error) {
	// A checkpoint this process signed or read is as good as the store's
	// latest for any entry it contains, and costs no query.
	cp := l.latest.Load()
	if cp == nil || index >= cp.Size {
		stored, err := l.store.Checkpoint(ctx)
		if err != nil {
			return nil, err
		}
		cp = &stored
	}
	if index < 0 || index >= cp.Size {
		return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, "index", "no entry %d in a log of %d entries", index, cp.Size)
	}
	p, err := tlog.ProveRecord(cp.Size, index, l.hashes.reader(ctx, l.store))
	if err != nil {
		return nil, internalf("inclusion proof of %d: %v", index, err)
	}
	return &InclusionProof{Index: index, Proof: p, Checkpoint: *cp}, nil
}

// MarshalText returns the C2SP tlog-proof text.
func (p *InclusionProof) MarshalText() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(proofHeader + "\nindex " + strconv.FormatInt(p.Index, 10) + "\n")
	for _, h := range p.Proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(p.Checkpoint.Note)
	return b.Bytes(), nil
}

// ParseInclusionProof parses the text form of an inclusion proof. It
// parses the checkpoint's body but does not check its signature; Verify
// does. Extra lines ("extra ...") are accepted and ignored.
func ParseInclusionProof(text []byte) (*InclusionProof, error) {
	head, cpNote, ok := bytes.Cut(text, []byte("\n\n"))
	if !ok {
		return nil, indivisible.Invalid("proof", "no empty line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	if lines[0] != proofHeader {
		return nil, indivisible.Invalid("proof:1", "want %q", proofHeader)
	}
	p := &InclusionProof{}
	i := 1
	for i < len(lines) && strings.HasPrefix(lines[i], "extra ") {
		i++
	}
	idx, ok := strings.CutPrefix(lines[min(i, len(lines)-1)], "index ")
	n, err := strconv.ParseInt(idx, 10, 64)
	if i >= len(lines) || !ok || err != nil || n < 0 || strconv.FormatInt(n, 10) != idx {
		return nil, indivisible.Invalid("proof:"+strconv.Itoa(i+1), "want \"index N\"")
	}
	p.Index = n
	for j, l := range lines[i+1:] {
		h, err := base64.StdEncoding.Strict().DecodeString(l)
		if err != nil || len(h) != tlog.HashSize {
			return nil, indivisible.Invalid("proof:"+strconv.Itoa(i+j+2), "not a base64 hash")
		}
		p.Proof = append(p.Proof, tlog.Hash(h))
	}
	body, _, ok := splitNote(cpNote)
	if !ok {
		return nil, indivisible.Invalid("checkpoint", "not a signed note")
	}
	cp, err := ParseCheckpointBody(body)
	if err != nil {
		return nil, err
	}
	cp.Note = bytes.Clone(cpNote)
	p.Checkpoint = cp
	return p, nil
}

// Verify checks the checkpoint's signature against v and that record (an
// encoded entry) is the entry at p.Index of the checkpoint's tree. It
// returns the verified checkpoint.
func (p *InclusionProof) Verify(v note.Verifier, record []byte) (indivisible.Checkpoint, error) {
	cp, err := OpenCheckpoint(p.Checkpoint.Note, v)
	if err != nil {
		return cp, err
	}
	if p.Index >= cp.Size {
		return cp, indivisible.Invalid("index", "entry %d is not in a tree of size %d", p.Index, cp.Size)
	}
	if err := tlog.CheckRecord(p.Proof, cp.Size, cp.Root, p.Index, tlog.RecordHash(record)); err != nil {
		return cp, indivisible.FieldErrorf(indivisible.EINVALID, "proof", "entry %d is not proven in the tree of size %d: %v", p.Index, cp.Size, err)
	}
	return cp, nil
}

// ProveConsistency returns a proof that the tree of size oldSize is a
// prefix of the tree of the latest checkpoint, with that checkpoint.
func (l *Log) ProveConsistency(ctx context.Context, oldSize int64) (tlog.TreeProof, indivisible.Checkpoint, error) {
	cp, err := l.store.Checkpoint(ctx)
	if err != nil {
		return nil, cp, err
	}
	if oldSize < 0 || oldSize > cp.Size {
		return nil, cp, indivisible.FieldErrorf(indivisible.EINVALID, "size", "tree size %d is larger than the log (%d)", oldSize, cp.Size)
	}
	p, err := tlog.ProveTree(cp.Size, oldSize, l.hashes.reader(ctx, l.store))
	if err != nil {
		return nil, cp, internalf("consistency proof %d..%d: %v", oldSize, cp.Size, err)
	}
	return p, cp, nil
}

func internalf(format string, args ...any) error {
	return indivisible.Errorf(indivisible.EINTERNAL, format, args...)
}
