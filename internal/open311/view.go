package open311

import (
	"strconv"
	"time"
)

// DefaultGridMetres is the cell size of the public view's location grid.
const DefaultGridMetres = 100

// Record is a stored service request as the capability sees it: everything
// the staff may see. Public turns it into what anyone may see.
type Record struct {
	ID          int64
	ServiceCode string
	ServiceName string
	Sensitive   bool
	Department  string
	Notice      string
	Status      Status
	StatusNotes string
	Moderation  Moderation
	Description string
	HasLocation bool
	Lat, Long   float64
	Address     string
	AddressID   string
	Zipcode     string
	MediaURL    string
	Requested   time.Time
	Updated     time.Time
	Expected    time.Time
	// Notes is the public history (submitted, status changes, answers).
	Notes []Note
}

// ViewOptions tune the public view.
type ViewOptions struct {
	// GridMetres is the grid the locations snap to (0: DefaultGridMetres;
	// negative: no snapping, for a jurisdiction that decides so).
	GridMetres float64
	// Extensions adds detailed_status and notes.
	Extensions bool
}

// Public is the request as the public API and pages show it. It never
// carries contact details; the location is snapped to the grid and dropped
// entirely for sensitive services, as are their descriptions; free-text
// addresses are never shown (they can name a home); descriptions and media
// of requests awaiting moderation are withheld, and media are shown only
// once approved. Hidden requests must not be shown at all (the caller
// filters them).
func (r Record) Public(o ViewOptions) Request {
	q := Request{
		ServiceRequestID:  strconv.FormatInt(r.ID, 10),
		Status:            r.Status.Projected(),
		StatusNotes:       r.StatusNotes,
		ServiceName:       r.ServiceName,
		ServiceCode:       r.ServiceCode,
		AgencyResponsible: r.Department,
		ServiceNotice:     r.Notice,
		RequestedDatetime: FormatTime(r.Requested),
		UpdatedDatetime:   FormatTime(r.Updated),
		ExpectedDatetime:  FormatTime(r.Expected),
	}
	approved := r.Moderation == ModApproved
	if approved && !r.Sensitive {
		q.Description = r.Description
	}
	if approved {
		q.MediaURL = r.MediaURL
	}
	if r.HasLocation && !r.Sensitive {
		g := o.GridMetres
		if g == 0 {
			g = DefaultGridMetres
		}
		lat, long := r.Lat, r.Long
		if g > 0 {
			lat, long = Snap(lat, long, g)
		}
		q.Lat, q.Long = &lat, &long
	}
	if o.Extensions {
		q.DetailedStatus = string(r.Status)
		q.Notes = r.Notes
		if q.Notes == nil {
			q.Notes = []Note{}
		}
	}
	return q
}
