package web

import (
	"bytes"
	"sync"

	"github.com/icarus-city/icarus/internal/survey"
)

// defCache keeps decoded survey definitions per (survey, version) for the
// submission path, where decoding the definition JSON on every response
// was a large share of the CPU (docs/benchmarks.md, "Survey submissions").
// An entry is used only when the stored definition bytes are the ones it
// was decoded from, so a new version (a new key) or a version replaced in
// place (other bytes) is decoded afresh: the cache is never stale, whoever
// changed the survey (another server on the same database included). Older
// versions stay cached: offline forms still answer them. Cached definitions are shared between requests and
// must not be modified (survey.Validate and Definition.ForRoles do not).
type defCache struct {
	mu  sync.Mutex
	max int
	m   map[defKey]defEntry
}

type defKey struct {
	survey  int64
	version int
}

type defEntry struct {
	raw []byte
	d   *survey.Definition
}

func newDefCache(max int) *defCache {
	return &defCache{max: max, m: map[defKey]defEntry{}}
}

// get returns the decoded definition raw of a survey version.
func (c *defCache) get(surveyID int64, version int, raw []byte) (*survey.Definition, error) {
	k := defKey{surveyID, version}
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return e.d, nil
	}
	d, err := decodeDefinition(raw)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ok && len(c.m) >= c.max {
		clear(c.m) // many surveys in turn: start again rather than track use
	}
	c.m[k] = defEntry{raw: bytes.Clone(raw), d: d}
	return d, nil
}
