package ledger

import (
	"bytes"
	"testing"
)

const fuzzCheckpoint = "example.org/log\n42\nhqfV2r4y4lEnSBRWeLLbdB+/6V+k8JcXKa5Fc8XWNLE=\n"

// FuzzCheckpointBody: parsing never panics, and what parses formats back
// to the same text when it has no extension lines.
func FuzzCheckpointBody(f *testing.F) {
	f.Add([]byte(fuzzCheckpoint))
	f.Add([]byte(fuzzCheckpoint + "extension\n"))
	f.Add([]byte("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		cp, err := ParseCheckpointBody(text)
		if err != nil {
			return
		}
		if cp.Size < 0 {
			t.Fatalf("negative size %d", cp.Size)
		}
		body := checkpointBody(cp.Origin, cp.Size, cp.Root)
		if !bytes.HasPrefix(text, body) {
			t.Fatalf("%q parses, but formats as %q", text, body)
		}
	})
}

// FuzzInclusionProof: parsing an untrusted proof never panics, and a
// parsed proof formats back to the same text.
func FuzzInclusionProof(f *testing.F) {
	f.Add([]byte("c2sp.org/tlog-proof@v1\nindex 3\nhqfV2r4y4lEnSBRWeLLbdB+/6V+k8JcXKa5Fc8XWNLE=\n\n" + fuzzCheckpoint + "\n— example.org/log AAAAAAAA\n"))
	f.Add([]byte("c2sp.org/tlog-proof@v1\nextra YWJj\nindex 0\n\n" + fuzzCheckpoint + "\n— x y\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		p, err := ParseInclusionProof(text)
		if err != nil {
			return
		}
		if p.Index < 0 || p.Checkpoint.Size < 0 {
			t.Fatalf("negative index %d or size %d", p.Index, p.Checkpoint.Size)
		}
		out, _ := p.MarshalText()
		q, err := ParseInclusionProof(out)
		if err != nil {
			t.Fatalf("re-parsing %q: %v", out, err)
		}
		if q.Index != p.Index || !hashesEqual(q.Proof, p.Proof) || !bytes.Equal(q.Checkpoint.Note, p.Checkpoint.Note) {
			t.Fatalf("round trip changed the proof")
		}
	})
}

// FuzzTilePath: parsing never panics and accepts only canonical paths.
func FuzzTilePath(f *testing.F) {
	for _, p := range []string{"tile/0/000", "tile/0/x001/x234/067.p/8", "tile/entries/000.p/255", "tile/7/999", "tile/8/0/000"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		tile, err := ParseTilePath(path)
		if err != nil {
			return
		}
		if TilePath(tile) != path {
			t.Fatalf("%q parses to %+v, which formats as %q", path, tile, TilePath(tile))
		}
		if tile.H != TileHeight || tile.L < -1 || tile.W < 1 || tile.W > 1<<TileHeight {
			t.Fatalf("%q parses to an impossible tile %+v", path, tile)
		}
	})
}

// FuzzEntryBundle: splitting never panics and re-joining gives the input.
func FuzzEntryBundle(f *testing.F) {
	f.Add([]byte{0, 3, 'a', 'b', 'c', 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := SplitEntryBundle(data)
		if err != nil {
			return
		}
		var out []byte
		for _, r := range recs {
			out = append(out, byte(len(r)>>8), byte(len(r)))
			out = append(out, r...)
		}
		if !bytes.Equal(out, data) {
			t.Fatal("re-joined bundle differs")
		}
	})
}
