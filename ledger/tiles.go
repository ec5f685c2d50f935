package ledger

import (
	"context"
	"regexp"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

// TileHeight is the height of the log's tiles, as C2SP tlog-tiles fixes it.
const TileHeight = torchwood.TileHeight

// maxTileLevel is the highest level C2SP tlog-tiles allows in a path. A
// tree of int64 size has no tile above level 7 (8 levels of 8 bits), but
// a higher level up to 63 is a well-formed path to a tile that does not
// exist, not a malformed one.
const maxTileLevel = 63

// TilePath returns the C2SP tlog-tiles path of t (of height TileHeight):
// tile/L/N[.p/W] for hash tiles, tile/entries/N[.p/W] for entry bundles
// (t.L == -1). N is written in 3-digit groups, all but the last prefixed
// with x: x001/x234/067.
func TilePath(t tlog.Tile) string { return torchwood.TilePath(t) }

// ParseTilePath parses a C2SP tlog-tiles path into a tlog.Tile of height
// 8 (level -1 for an entry bundle). Only the canonical form is accepted:
// anything else is EINVALID, a malformed path rather than a missing tile.
func ParseTilePath(path string) (tlog.Tile, error) {
	t, err := torchwood.ParseTilePath(path)
	// torchwood passes what follows tile/ to tlog, which also reads its
	// own data-tile spelling (tile/data/N) as an entry bundle: the round
	// trip admits only the C2SP spelling.
	if err == nil && t.L <= maxTileLevel && TilePath(t) == path {
		return t, nil
	}
	// tlog also refuses an index N past int64, which the spec's grammar
	// allows: such a path is well formed, and its tile is in no tree.
	if m := tilePathGrammar.FindStringSubmatch(path); m != nil && m[1] != "x000/" {
		return tlog.Tile{}, indivisible.FieldErrorf(indivisible.ENOTFOUND, "path", "tile %s is beyond any tree", path)
	}
	return tlog.Tile{}, indivisible.Invalid("path", "%q is not a C2SP tile path such as tile/0/x001/234 or tile/entries/000.p/5", path)
}

// tilePathGrammar is the canonical C2SP tlog-tiles path: a level from 0 to
// 63 or "entries", N in 3-digit groups, and a width from 1 to 255. The
// first x-group (submatch 1) must not be x000 for the path to be canonical.
var tilePathGrammar = regexp.MustCompile(`^tile/(?:entries|[0-9]|[1-5][0-9]|6[0-3])/(x[0-9]{3}/)?(?:x[0-9]{3}/)*[0-9]{3}(?:\.p/(?:[1-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5]))?$`)

// ReadTile returns the content of the tile at a C2SP tlog-tiles path, for
// the tree of the latest checkpoint: W hashes of 32 bytes for tile/L/N, or
// for tile/entries/N the W entries, each as a big-endian uint16 length and
// the encoded entry. EINVALID if the path is malformed, ENOTFOUND if the
// tile is not (yet) complete to width W.
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
func ReadTile(ctx context.Context, store logstore.Store, size int64, t tlog.Tile) ([]byte, error) {
	notFound := indivisible.FieldErrorf(indivisible.ENOTFOUND, "path", "tile %s is not in the tree of size %d", TilePath(t), size)
	// Above level 7 the tile's first entry would be past 2^64.
	if t.H != TileHeight || t.L >= 64/TileHeight {
		return nil, notFound
	}
	level := max(t.L, 0) * TileHeight
	// The tile covers entries [first, end) of the tree.
	first := t.N << TileHeight << level
	end := (t.N<<TileHeight + int64(t.W)) << level
	if end>>level != t.N<<TileHeight+int64(t.W) || first>>level>>TileHeight != t.N || end > size {
		return nil, notFound
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
	for i, r := range recs {
		// An entry is at most MaxEntrySize, the uint16 that the
		// bundle's length prefix holds, so this fails only on a store
		// that holds what Append would never have written.
		if out, err = torchwood.AppendTileEntry(out, r); err != nil {
			return nil, internalf("tile %s, entry %d: %v", TilePath(t), first+int64(i), err)
		}
	}
	return out, nil
}

// SplitEntryBundle splits the content of a tile/entries bundle into its
// encoded entries.
func SplitEntryBundle(data []byte) ([][]byte, error) {
	var out [][]byte
	for len(data) > 0 {
		entry, rest, err := torchwood.ReadTileEntry(data)
		if err != nil {
			return nil, indivisible.Invalid("bundle", "entry %d: %v", len(out), err)
		}
		out = append(out, entry[:len(entry):len(entry)])
		data = rest
	}
	return out, nil
}
