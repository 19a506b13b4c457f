package web

import "testing"

// TestDefCacheFollowsStoredBytes: a cached definition is reused only for
// the same bytes of the same (survey, version); a version replaced in place
// or a new version is decoded afresh, and the cache stays bounded.
func TestDefCacheFollowsStoredBytes(t *testing.T) {
	c := newDefCache(2)
	v1 := []byte(`{"title":{"en":"One"},"modules":[]}`)
	d1, err := c.get(1, 1, v1)
	if err != nil || d1.Title.In("en", "en") != "One" {
		t.Fatalf("get v1 = %+v, %v", d1, err)
	}
	if again, _ := c.get(1, 1, append([]byte(nil), v1...)); again != d1 {
		t.Error("same bytes were decoded again instead of reused")
	}
	edited := []byte(`{"title":{"en":"Edited"},"modules":[]}`)
	if d, _ := c.get(1, 1, edited); d == d1 || d.Title.In("en", "en") != "Edited" {
		t.Errorf("version 1 replaced in place: got %+v", d)
	}
	if d, _ := c.get(1, 2, v1); d == d1 {
		t.Error("a new version reused another version's entry")
	}
	if _, err := c.get(2, 1, []byte(`{`)); err == nil {
		t.Error("a broken stored definition was accepted")
	}
	c.get(3, 1, v1)
	if len(c.m) > 2 {
		t.Errorf("cache holds %d entries, bound is 2", len(c.m))
	}
}
