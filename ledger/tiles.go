package ledger

import (
	"context"
	"encoding/binary"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
)

// TileHeight is the height of the log's tiles, as C2SP tlog-tiles fixes it.
const TileHeight = 8

// C2SP tlog-tiles paths differ from tlog's tile paths only in leaving out
// the height and in naming the data level "entries", so both functions
// below translate and let tlog do the work (and its canonical-form checks).

// TilePath returns the C2SP tlog-tiles path of t: tile/L/N[.p/W] for hash
// tiles, tile/entries/N[.p/W] for entry bundles (t.L == -1). N is written
// in 3-digit groups, all but the last prefixed with x: x001/x234/067.
func TilePath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), "tile/8/")
	if rest, ok := strings.CutPrefix(p, "data/"); ok {
		return "tile/entries/" + rest
	}
	return "tile/" + p
}

// ParseTilePath parses a C2SP tlog-tiles path into a tlog.Tile of height
// 8 (level -1 for an entry bundle). Only the canonical form is accepted.
func ParseTilePath(path string) (tlog.Tile, error) {
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return tlog.Tile{}, indivisible.FieldErrorf(indivisible.ENOTFOUND, "path", "%q is not a tile path", path)
	}
	if r, ok := strings.CutPrefix(rest, "entries/"); ok {
		rest = "data/" + r
	}
	t, err := tlog.ParseTilePath("tile/8/" + rest)
	if err != nil || TilePath(t) != path || t.L > 63/TileHeight {
		return tlog.Tile{}, indivisible.FieldErrorf(indivisible.ENOTFOUND, "path", "%q is not a tile path", path)
	}
	return t, nil
}

// ReadTile returns the content of the tile at a C2SP tlog-tiles path, for
// the tree of the latest checkpoint: W hashes of 32 bytes for tile/L/N, or
// for tile/entries/N the W entries, each as a big-endian uint16 length and
// the encoded entry. ENOTFOUND if the path is malformed or the tile is not
// (yet) complete to width W.
func (l *Log) ReadTile(ctx context.Context, path string) ([]byte, error) {
	t, err := ParseTilePath(path)
	if err != nil {
		return nil, err
	}
	cp, err := l.store.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	return ReadTile(ctx, l.store, cp.Size, t)
}

// ReadTile returns the content of tile t (height 8) in the tree of the
// given size, read from store; ENOTFOUND if the tree does not contain it.
func ReadTile(ctx context.Context, store indivisible.LogStore, size int64, t tlog.Tile) ([]byte, error) {
	level := max(t.L, 0) * TileHeight
	// The tile covers entries [first, end) of the tree.
	first := t.N << TileHeight << level
	end := (t.N<<TileHeight + int64(t.W)) << level
	if t.H != TileHeight || end>>level != t.N<<TileHeight+int64(t.W) || first>>level>>TileHeight != t.N || end > size {
		return nil, indivisible.FieldErrorf(indivisible.ENOTFOUND, "path", "tile %s is not in the tree of size %d", TilePath(t), size)
	}
	if t.L >= 0 {
		data, err := tlog.ReadTileData(t, storeHashes(ctx, store))
		if err != nil {
			return nil, internalf("tile %s: %v", TilePath(t), err)
		}
		return data, nil
	}
	recs, err := store.ReadRecords(ctx, first, end)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, r := range recs {
		n += 2 + len(r)
	}
	out := make([]byte, 0, n)
	for _, r := range recs {
		out = binary.BigEndian.AppendUint16(out, uint16(len(r)))
		out = append(out, r...)
	}
	return out, nil
}

// SplitEntryBundle splits the content of a tile/entries bundle into its
// encoded entries.
func SplitEntryBundle(data []byte) ([][]byte, error) {
	var out [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, indivisible.Invalid("bundle", "truncated length after %d entries", len(out))
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			return nil, indivisible.Invalid("bundle", "entry %d truncated", len(out))
		}
		out = append(out, data[2:2+n:2+n])
		data = data[2+n:]
	}
	return out, nil
}
