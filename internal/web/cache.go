package web

import (
	"net/http"
	"sync"
)

// respCache keeps the bodies of aggregate API responses, keyed by the request
// and the organisation's data version (the id of its latest import): counts
// change only when data is imported, so an entry is valid until then, on
// every node (the version comes from the shared database).
type respCache struct {
	mu    sync.Mutex
	max   int
	items map[string][]byte
	order []string // insertion order, for eviction
}

func newRespCache(max int) *respCache { return &respCache{max: max, items: map[string][]byte{}} }

func (c *respCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.items[key]
	return b, ok
}

func (c *respCache) put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.items, c.order[0])
		c.order = c.order[1:]
	}
	c.items[key] = b
	c.order = append(c.order, key)
}

// cachedJSON serves the response of build from the cache when the data has
// not changed since it was made; public and staff responses are kept apart
// since their suppression differs.
func (s *Server) cachedJSON(w http.ResponseWriter, r *http.Request, c *reqCtx, build func() (any, error)) error {
	version, err := s.st.DataVersion(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	key := r.URL.Path + "?" + r.URL.Query().Encode() + "|" + c.lang + "|" + itoa64(c.orgID) + "|" + itoa64(version) + "|" + itoa64(int64(s.suppressFor(c)))
	if b, ok := s.cache.get(key); ok {
		w.Header().Set("Content-Type", "application/json")
		_, err := w.Write(b)
		return err
	}
	v, err := build()
	if err != nil {
		return err
	}
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	s.cache.put(key, b)
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(b)
	return err
}
