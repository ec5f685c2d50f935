package ledger

import (
	"context"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/indivisible-eurasia/indivisible/ledger/logstore"
)

// hashCacheMax bounds the cache (32 bytes a hash: 8 MiB).
const hashCacheMax = 1 << 18

// hashCache keeps the stored hashes this process has committed or read.
// A stored hash never changes once its batch commits, so a cached one is
// as good as the store's, and the proof of a fresh entry (whose path runs
// through hashes just written) needs no query.
type hashCache struct {
	mu sync.Mutex
	m  map[int64]tlog.Hash
}

// add remembers hashes at consecutive storage indexes from first.
func (c *hashCache) add(first int64, hs []tlog.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m)+len(hs) > hashCacheMax {
		c.m = make(map[int64]tlog.Hash, len(hs)) // full: start afresh
	}
	for i, h := range hs {
		c.m[first+int64(i)] = h
	}
}

// reader returns a tlog.HashReader that answers from the cache and reads
// the rest from store, remembering what it read.
func (c *hashCache) reader(ctx context.Context, store logstore.Store) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var need []int64
		var pos []int
		c.mu.Lock()
		for i, x := range indexes {
			if h, ok := c.m[x]; ok {
				out[i] = h
			} else {
				need = append(need, x)
				pos = append(pos, i)
			}
		}
		c.mu.Unlock()
		if len(need) == 0 {
			return out, nil
		}
		hs, err := store.ReadHashes(ctx, need)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for j, h := range hs {
			out[pos[j]] = h
			if c.m != nil && len(c.m) < hashCacheMax {
				c.m[need[j]] = h
			}
		}
		return out, nil
	})
}
