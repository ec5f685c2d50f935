package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded static file, with its gzipped form made on first
// use (the world atlas is 750 KB raw and 230 KB gzipped; compressing it at
// package initialisation would slow every command of the binary, so
// NewHandler does it in the background instead).
type asset struct {
	body  []byte
	hash  string
	ctype string
	once  sync.Once
	gz    []byte
}

// assets serves the files under static/ at /static/. Pages link them with
// a ?v=HASH query (see assetURL), and a request carrying the current hash
// may be cached for good.
type assets map[string]*asset

var static = loadAssets()

// atlasFile is the world atlas the map draws.
const atlasFile = "vendor/world-atlas/countries-50m.json"

func loadAssets() assets {
	a := assets{}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "text/plain; charset=utf-8"
		}
		a[strings.TrimPrefix(p, "static/")] = &asset{body: b, hash: hex.EncodeToString(sum[:6]), ctype: ctype}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return a
}

// assetURL returns the URL of a static file with its content hash, so that
// a changed file is never served from a stale cache. It panics on a file
// that does not exist, which the template tests catch.
func assetURL(name string) string {
	f, ok := static[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + name + "?v=" + f.hash
}

func (a assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a[strings.TrimPrefix(r.URL.Path, "/static/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	etag := `"` + f.hash + `"`
	h.Set("ETag", etag)
	h.Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.ctype)
	body := f.body
	if acceptsGzip(r) {
		body = f.gzipped()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// gzipped returns the file gzipped, compressing it on first use.
func (f *asset) gzipped() []byte {
	f.once.Do(func() { f.gz = gzipBytes(f.body) })
	return f.gz
}

// gzipBytes compresses b at the default level: the best level takes three
// times as long (0.8 s for the atlas) for 2% less.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip
// (without q=0, which no browser sends).
func acceptsGzip(r *http.Request) bool {
	for _, e := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if strings.TrimSpace(strings.SplitN(e, ";", 2)[0]) == "gzip" {
			return true
		}
	}
	return false
}
