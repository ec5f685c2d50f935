package ledger

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible"
)

func TestTilePath(t *testing.T) {
	for _, tc := range []struct {
		tile tlog.Tile
		path string
	}{
		{tlog.Tile{H: 8, L: 0, N: 0, W: 256}, "tile/0/000"},
		{tlog.Tile{H: 8, L: 0, N: 1234067, W: 256}, "tile/0/x001/x234/067"},
		{tlog.Tile{H: 8, L: 2, N: 5, W: 7}, "tile/2/005.p/7"},
		{tlog.Tile{H: 8, L: -1, N: 1000, W: 256}, "tile/entries/x001/000"},
		{tlog.Tile{H: 8, L: -1, N: 3, W: 255}, "tile/entries/003.p/255"},
		// Levels up to 63 are legal paths, though no int64 tree reaches
		// past level 7.
		{tlog.Tile{H: 8, L: 8, N: 0, W: 256}, "tile/8/000"},
		{tlog.Tile{H: 8, L: 63, N: 0, W: 256}, "tile/63/000"},
		{tlog.Tile{H: 8, L: 63, N: 1, W: 1}, "tile/63/001.p/1"},
	} {
		if got := TilePath(tc.tile); got != tc.path {
			t.Errorf("TilePath(%+v) = %q, want %q", tc.tile, got, tc.path)
		}
		got, err := ParseTilePath(tc.path)
		if err != nil || got != tc.tile {
			t.Errorf("ParseTilePath(%q) = %+v, %v", tc.path, got, err)
		}
	}
	// A malformed path is EINVALID (a 400), never a missing tile.
	for _, bad := range []string{
		"", "tile", "tile/0", "tile/8/0/000", "tile/0/0", "tile/0/1000", "tile/0/x000/001", "tile/0/000.p/256",
		"tile/0/000.p/0", "tile/data/000", "tile/entries/000.p/", "tile/-1/000", "tile/64/000", "tile/063/000",
		"tile/entries/x000/001", "tile/0/000.p/010", "checkpoint", "tile/0/000/", "tile/0/x001",
	} {
		if _, err := ParseTilePath(bad); indivisible.ErrorCode(err) != indivisible.EINVALID {
			t.Errorf("ParseTilePath(%q): %v, want EINVALID", bad, err)
		}
	}
	// An index past int64 is well formed, but its tile is in no tree.
	for _, far := range []string{"tile/7/x999/x999/x999/x999/x999/x999/999", "tile/entries/x009/x223/x372/x036/x854/x775/808"} {
		if _, err := ParseTilePath(far); indivisible.ErrorCode(err) != indivisible.ENOTFOUND {
			t.Errorf("ParseTilePath(%q): %v, want ENOTFOUND", far, err)
		}
	}
}

// tileServer stands for an HTTP client of the tiles: it turns tlog's tile
// requests into C2SP paths, written out here by hand from tlog's own path
// (tile/8/L/N -> tile/L/N, data -> entries) so that the test does not
// lean on our TilePath.
type tileServer struct {
	t     *testing.T
	l     *Log
	paths []string
	cache map[string][]byte
}

func c2spPath(tile tlog.Tile) string {
	p := strings.Replace(tile.Path(), "tile/8/", "tile/", 1)
	return strings.Replace(p, "tile/data/", "tile/entries/", 1)
}

func (s *tileServer) Height() int { return 8 }

func (s *tileServer) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		path := c2spPath(tile)
		if data, ok := s.cache[path]; ok {
			out[i] = data
			continue
		}
		s.paths = append(s.paths, path)
		data, err := s.l.ReadTile(context.Background(), path)
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

// SaveTiles keeps the tiles tlog has authenticated, as a client's cache.
func (s *tileServer) SaveTiles(tiles []tlog.Tile, data [][]byte) {
	for i, tile := range tiles {
		s.cache[c2spPath(tile)] = data[i]
	}
}

// A client with only the checkpoint, the log's public key and the tiles
// verifies every entry with tlog's own tile reader, which authenticates
// every tile against the signed tree hash.
func TestTilesVerifyWithTlog(t *testing.T) {
	tl := newTestLog(t)
	tl.appendN(t, 600) // two full level-0 tiles, a partial one, a partial level-1 tile
	ctx := context.Background()
	cpNote, err := tl.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The client side: note and tlog only.
	n, err := note.Open(cpNote.Note, note.VerifierList(tl.Verifier()))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(n.Text, "\n", 2)
	tree, err := tlog.ParseTree([]byte("go.sum database tree\n" + lines[1]))
	if err != nil {
		t.Fatal(err)
	}
	srv := &tileServer{t: t, l: tl.Log, cache: map[string][]byte{}}
	thr := tlog.TileHashReader(tree, srv)
	root, err := tlog.TreeHash(tree.N, thr)
	if err != nil || root != tree.Hash {
		t.Fatalf("tree hash from tiles: %v, %v; want %v", root, err, tree.Hash)
	}
	var entries [][]byte
	for k := int64(0); k*256 < tree.N; k++ {
		w := min(256, tree.N-k*256)
		tile := tlog.Tile{H: 8, L: -1, N: k, W: int(w)}
		data, err := tl.ReadTile(ctx, c2spPath(tile))
		if err != nil {
			t.Fatal(err)
		}
		for len(data) > 0 {
			l := int(binary.BigEndian.Uint16(data))
			entries = append(entries, data[2:2+l])
			data = data[2+l:]
		}
	}
	if int64(len(entries)) != tree.N {
		t.Fatalf("bundles hold %d entries, want %d", len(entries), tree.N)
	}
	for i, rec := range entries {
		p, err := tlog.ProveRecord(tree.N, int64(i), thr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(p, tree.N, tree.Hash, int64(i), tlog.RecordHash(rec)); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	fetched := map[string]bool{}
	for _, p := range srv.paths {
		fetched[p] = true
	}
	// 601 entries: the key registration and 600 declarations.
	for _, want := range []string{"tile/0/000", "tile/0/001", "tile/0/002.p/89", "tile/1/000.p/2"} {
		if !fetched[want] {
			t.Errorf("the client never fetched %s", want)
		}
	}

	// A tampered tile is refused by tlog's reader.
	thr = tlog.TileHashReader(tree, &tamperingServer{&tileServer{t: t, l: tl.Log, cache: map[string][]byte{}}})
	if _, err := tlog.ProveRecord(tree.N, 3, thr); err == nil {
		t.Error("a tampered tile was accepted")
	}
}

type tamperingServer struct{ *tileServer }

func (s *tamperingServer) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data, err := s.tileServer.ReadTiles(tiles)
	for i, d := range data {
		data[i] = bytes.Clone(d)
		data[i][len(d)-1] ^= 1
	}
	return data, err
}

func TestReadTileBounds(t *testing.T) {
	tl := newTestLog(t)
	tl.appendN(t, 9) // 10 entries
	ctx := context.Background()
	for path, ok := range map[string]bool{
		"tile/0/000.p/10":                          true,
		"tile/0/000.p/9":                           true, // a prefix of a larger partial tile is immutable too
		"tile/0/000.p/11":                          false,
		"tile/0/000":                               false,
		"tile/1/000.p/1":                           false,
		"tile/entries/000.p/10":                    true,
		"tile/entries/000.p/11":                    false,
		"tile/0/001.p/1":                           false,
		"tile/7/x999/x999/x999/x999/x999/x999/999": false,
		"tile/7/000.p/1":                           false,
		"tile/8/000":                               false,
		"tile/63/000":                              false,
		"tile/63/x001/000.p/7":                     false,
		"tile/entries/x009/x223/x372/x036/x854/x775/807": false, // N = MaxInt64
	} {
		data, err := tl.ReadTile(ctx, path)
		if ok != (err == nil) {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if err != nil {
			wantCode(t, path, err, indivisible.ENOTFOUND)
		}
		if tile, _ := ParseTilePath(path); ok && tile.L >= 0 && len(data) != tile.W*tlog.HashSize {
			t.Errorf("%s: %d bytes, want %d hashes", path, len(data), tile.W)
		}
	}
	data, _ := tl.ReadTile(ctx, "tile/entries/000.p/10")
	recs, err := SplitEntryBundle(data)
	if err != nil || len(recs) != 10 {
		t.Fatalf("bundle: %d entries, %v", len(recs), err)
	}
	want := tl.records(t)
	for i := range recs {
		if !bytes.Equal(recs[i], want[i]) {
			t.Errorf("bundle entry %d differs", i)
		}
	}
}
