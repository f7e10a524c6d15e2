package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
)

// asset is one embedded static file with its gzipped form, made once.
type asset struct {
	name, contentType string
	body, gz          []byte
	// path is where pages link it: the name with a hash of the content, so
	// a browser may keep it a year and still gets a changed file at once.
	path string
}

func loadStatic() (map[string]*asset, error) {
	out := map[string]*asset{}
	names, err := fs.Glob(staticFiles, "static/*")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		body, err := fs.ReadFile(staticFiles, name)
		if err != nil {
			return nil, err
		}
		base := path.Base(name)
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		sum := sha256.Sum256(body)
		out[base] = &asset{
			name: base, contentType: mime.TypeByExtension(path.Ext(base)),
			body: body, gz: gz.Bytes(),
			path: "/static/" + base + "?v=" + hex.EncodeToString(sum[:6]),
		}
	}
	for _, need := range []string{"site.css", "site.js"} {
		if out[need] == nil {
			return nil, fmt.Errorf("web: static/%s is missing", need)
		}
	}
	return out, nil
}

func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	a := s.static[r.PathValue("file")]
	if a == nil {
		s.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Add("Vary", "Accept-Encoding")
	body := a.body
	if acceptsGzip(r) {
		body = a.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}
