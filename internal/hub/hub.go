// Package hub is the data hub's application service: it imports area
// boundaries, incidents and indicators into the store, reprojecting,
// validating and assigning incidents to areas. The CLI and the web UI both
// call it, so an import behaves the same from a shell and from a browser.
//
// It sits between the pure packages (geo, incident) and the store; it does no
// HTTP and opens no files (callers hand it readers).
package hub

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"hash"
	"io"
	"strconv"
	"time"

	"github.com/icarus-city/icarus/internal/incident"
	"github.com/icarus-city/icarus/internal/store"
)

// Summary reports an import. Read = Accepted + Rejected always holds.
type Summary struct {
	Kind       string              `json:"kind"`
	File       string              `json:"file"`
	Target     string              `json:"target"` // dataset, layer or partner name
	Read       int                 `json:"read"`
	Accepted   int                 `json:"accepted"`
	Rejected   int                 `json:"rejected"`
	Inserted   int                 `json:"inserted"`
	Duplicates int                 `json:"duplicates"` // accepted rows already present (re-import)
	NoLocation int                 `json:"no_location,omitempty"`
	Unassigned int                 `json:"unassigned,omitempty"` // located incidents in no area
	Resolution map[string]int      `json:"resolution,omitempty"`
	CRS        string              `json:"crs,omitempty"`
	Errors     []incident.RowError `json:"errors"`
	Truncated  bool                `json:"errors_truncated,omitempty"` // Errors holds only the first MaxErrors
	Seconds    float64             `json:"seconds"`
	FileSHA256 string              `json:"file_sha256"`
	// Columns and Mapping describe how the file's columns were read (previews).
	Columns []string          `json:"columns,omitempty"`
	Mapping map[string]string `json:"mapping,omitempty"`
	// Sample holds the first accepted rows of a dry run.
	Sample []store.IncidentRow `json:"-"`
}

// MaxErrors is the number of row errors kept in a Summary; all rejected rows
// still go to the rejects writer.
const MaxErrors = 10000

// Progress is told how far an import has come.
type Progress func(bytesRead int64, rows int)

// Service imports into one store.
type Service struct {
	Store *store.Store
	Now   func() time.Time
	cache areaCache
}

// New returns a Service on st.
func New(st *store.Store) *Service { return &Service{Store: st, Now: st.Now} }

// Source is a file to import.
type Source struct {
	Name     string    // file name as given (for messages and provenance)
	R        io.Reader // the file's bytes
	Progress Progress  // may be nil
	Rejects  io.Writer // rejected rows as CSV (line, field, message, raw); may be nil
	// Open opens the parts of a multi-file format (a shapefile's .dbf and
	// .prj); needed only for .shp and .kml point files.
	Open Opener
}

// counter counts and hashes what is read through it.
type counter struct {
	r        io.Reader
	n        int64
	h        hash.Hash
	progress Progress
	rows     *int
	last     int64
}

func newCounter(src Source, rows *int) *counter {
	return &counter{r: src.R, h: sha256.New(), progress: src.Progress, rows: rows}
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.h.Write(p[:n])
	if c.progress != nil && (c.n-c.last > 1<<18 || err == io.EOF) {
		c.last = c.n
		c.progress(c.n, *c.rows)
	}
	return n, err
}

func (c *counter) sum() string { return hex.EncodeToString(c.h.Sum(nil)) }

// rejects writes rejected rows and collects them for the summary.
type rejects struct {
	w   *csv.Writer
	sum *Summary
}

func newRejects(w io.Writer, sum *Summary) *rejects {
	r := &rejects{sum: sum}
	if w != nil {
		r.w = csv.NewWriter(w)
		r.w.Write([]string{"line", "field", "message", "row"})
	}
	return r
}

func (r *rejects) add(e incident.RowError) {
	r.sum.Rejected++
	if len(r.sum.Errors) < MaxErrors {
		r.sum.Errors = append(r.sum.Errors, e)
	} else {
		r.sum.Truncated = true
	}
	if r.w != nil {
		r.w.Write([]string{strconv.Itoa(e.Line), e.Field, e.Message, e.Raw})
	}
}

func (r *rejects) flush() error {
	if r.w == nil {
		return nil
	}
	r.w.Flush()
	return r.w.Error()
}

func ctxErr(ctx context.Context) error { return context.Cause(ctx) }
