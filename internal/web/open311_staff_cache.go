package web

// Cache of the public Open311 list answers (GET requests.{xml,json}): the
// benchmark target is 2,000 answers/s of the default query over 100,000
// stored requests (docs/benchmarks.md), and one answer is up to 1,000
// requests (~370 kB of JSON). An answer is kept under the Open311 data
// version (store.Open311Version: it changes with every new request, staff
// change, service edit or new organisation, on any node), so a change shows
// at once; within one version an answer is rebuilt every o311CacheTTL (the
// default "last 90 days" window moves on), by one request while the others
// are still served the previous answer. Both the plain and the gzip body
// are kept, so a hit costs one small query and a copy.

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	o311CacheTTL     = 10 * time.Second
	o311CacheMaxBody = 2 << 20 // larger answers are not kept
	o311CacheKeys    = 256     // distinct queries kept (all dropped beyond)
)

type o311Entry struct {
	version   string
	plain, gz []byte
	made      time.Time
	renewing  bool
}

// o311Answers is the cache of one route's handler (made once per route
// table, not package state).
type o311Answers struct {
	mu   sync.Mutex
	m    map[string]*o311Entry
	fill sync.Mutex // one rebuild at a time: concurrent misses wait for it
}

// bufferWriter records a handler's answer.
type bufferWriter struct {
	h      http.Header
	status int
	buf    bytes.Buffer
}

func (b *bufferWriter) Header() http.Header         { return b.h }
func (b *bufferWriter) WriteHeader(code int)        { b.status = code }
func (b *bufferWriter) Write(p []byte) (int, error) { return b.buf.Write(p) }

// o311Cache wraps an Open311 list handler with the cache.
func (s *Server) o311Cache(h func(http.ResponseWriter, *http.Request, *reqCtx) error) func(http.ResponseWriter, *http.Request, *reqCtx) error {
	c := &o311Answers{m: map[string]*o311Entry{}}
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		version, err := s.st.Open311Version(r.Context())
		if err != nil {
			return err
		}
		key := r.URL.Path + "?" + r.URL.Query().Encode()
		gzipOK := strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
		ctype := o311Format(r).ContentType()
		serve := func(e *o311Entry) error {
			if gzipOK {
				return writeO311Cached(w, ctype, e.gz, true)
			}
			return writeO311Cached(w, ctype, e.plain, false)
		}
		now := s.now()
		c.mu.Lock()
		e := c.m[key]
		if e != nil && e.version == version {
			if now.Sub(e.made) < o311CacheTTL || e.renewing {
				c.mu.Unlock()
				return serve(e) // fresh, or stale while another request renews it
			}
			e.renewing = true
		}
		c.mu.Unlock()

		c.fill.Lock()
		defer c.fill.Unlock()
		c.mu.Lock()
		if e2 := c.m[key]; e2 != nil && e2.version == version && now.Sub(e2.made) < o311CacheTTL && e2 != e {
			c.mu.Unlock()
			return serve(e2) // built while this request waited
		}
		c.mu.Unlock()
		rec := &bufferWriter{h: http.Header{}, status: http.StatusOK}
		herr := h(rec, r, rc)
		plain := rec.buf.Bytes()
		if herr != nil || rec.status != http.StatusOK || len(plain) > o311CacheMaxBody || rec.h.Get("Content-Type") != ctype {
			if e != nil {
				c.mu.Lock()
				e.renewing = false
				c.mu.Unlock()
			}
			if herr != nil {
				return herr
			}
			for k, vs := range rec.h {
				w.Header()[k] = vs
			}
			w.WriteHeader(rec.status)
			_, err := w.Write(plain)
			return err
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
		zw.Write(plain)
		if err := zw.Close(); err != nil {
			return err
		}
		ne := &o311Entry{version: version, plain: plain, gz: gz.Bytes(), made: now}
		c.mu.Lock()
		if len(c.m) >= o311CacheKeys {
			clear(c.m)
		}
		c.m[key] = ne
		c.mu.Unlock()
		return serve(ne)
	}
}

func writeO311Cached(w http.ResponseWriter, ctype string, body []byte, gzipped bool) error {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Access-Control-Allow-Origin", "*")
	if gzipped {
		h.Set("Content-Encoding", "gzip") // the gzip middleware leaves encoded answers alone
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}
