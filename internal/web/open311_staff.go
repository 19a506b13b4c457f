package web

// Staff workflow of the Open311 citizen reports (docs/open311.md, "Staff
// workflow"): the queue at /staff/reports (filters, sorting, paging), a
// report's page (status, official answer, department, moderation,
// redaction, internal note, duplicate suggestions on a small map and merge)
// and the category (service) editor at /staff/categories. Every change goes
// through the store in one transaction with its audit entry; forms carry
// the session's CSRF token (checked by wrap).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/geo"
	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
)

// Staff queue settings.
const (
	staffPageSize      = 50
	staffAreaMax       = 5000 // candidates read for an area filter (bounding box first, then point in polygon)
	dupDefaultMetres   = 250
	dupDefaultDays     = 30
	dupMaxMetres       = 5000
	dupMaxDays         = 365
	dupSuggestions     = 10
	staffAnswerMaxLen  = 4000
	staffNoteMaxLen    = 2000
	staffReasonMaxLen  = 500
	staffDeptMaxLen    = 120
	staffHistoryAudits = 100
)

// staffRoutes: the staff queue and report pages (coordinators and admins)
// and the category editor (admins).
func (s *Server) open311StaffRoutes() []route {
	return []route{
		{"GET /staff/reports", auth.PermManageReports, false, s.staffQueue},
		{"GET /staff/reports/{id}", auth.PermManageReports, false, s.staffReport},
		{"POST /staff/reports/{id}", auth.PermManageReports, false, s.staffReportAction},
		{"GET /staff/categories", auth.PermManageServices, false, s.staffCategories},
		{"POST /staff/categories/{code}", auth.PermManageServices, false, s.staffSaveCategory},
	}
}

// statusLabel translates a detailed status (keys o311staff.status.*; a
// test checks every status has one).
func (s *Server) statusLabel(lang, st string) string {
	key := "o311staff.status." + st
	return s.cat.T(lang, key)
}

func (s *Server) moderationLabel(lang, m string) string {
	key := "o311staff.mod." + m
	return s.cat.T(lang, key)
}

// option is a choice of a select.
type option struct {
	Value, Label string
	Selected     bool
	Group        string
}

// queueRow is one line of the queue.
type queueRow struct {
	ID          int64
	Received    string
	Updated     string
	Service     string
	Sensitive   bool
	Status      string
	StatusLabel string
	Closed      bool
	Moderation  string
	ModLabel    string
	Department  string
	Excerpt     string
}

// sortLink is a sortable column header.
type sortLink struct {
	Label, URL string
	Active     bool
	Desc       bool
}

type queueData struct {
	Statuses, Services, Areas, Departments, Moderations, Sorts []option
	From, To                                                   string
	Desc                                                       bool
	Rows                                                       []queueRow
	Cols                                                       []sortLink
	Total, Page, Pages                                         int
	Prev, Next                                                 string
	Pending, Hidden                                            int
	PendingURL                                                 string
	Method                                                     string
}

// staffFilter is the queue's filter as read from the query string.
type staffFilter struct {
	q      store.StaffQuery
	status string
	area   int64
	page   int
	vals   url.Values
}

func (s *Server) readStaffFilter(r *http.Request, orgID int64) (staffFilter, error) {
	qv := r.URL.Query()
	f := staffFilter{q: store.StaffQuery{OrgID: orgID, Sort: "requested", Desc: true}, page: 1, vals: url.Values{}}
	keep := func(k string) string {
		v := strings.TrimSpace(qv.Get(k))
		if v != "" {
			f.vals.Set(k, v)
		}
		return v
	}
	switch st := keep("status"); st {
	case "":
	case "open", "closed":
		sts, _ := open311.StatusesFor(st)
		for _, x := range sts {
			f.q.Statuses = append(f.q.Statuses, string(x))
		}
		f.status = st
	default:
		x, ok := open311.ParseStatus(st)
		if !ok {
			return f, apperr.New(apperr.Invalid, "status %q: not a status", truncate(st, 40))
		}
		f.q.Statuses, f.status = []string{string(x)}, string(x)
	}
	if v := keep("service"); v != "" {
		f.q.ServiceCodes = []string{v}
	}
	if v := keep("department"); v != "" {
		f.q.Department = v
	}
	if v := keep("moderation"); v != "" {
		if _, ok := open311.ParseModeration(v); !ok {
			return f, apperr.New(apperr.Invalid, "moderation %q: want pending, approved or hidden", truncate(v, 40))
		}
		f.q.Moderation = []string{v}
	}
	if v := keep("area"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, apperr.New(apperr.Invalid, "area %q: not an area id", truncate(v, 40))
		}
		f.area = id
	}
	for _, d := range []struct {
		key string
		dst *time.Time
		end bool
	}{{"from", &f.q.From, false}, {"to", &f.q.To, true}} {
		if v := keep(d.key); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return f, apperr.New(apperr.Invalid, "%s %q: want a date YYYY-MM-DD", d.key, truncate(v, 40))
			}
			if d.end {
				t = t.Add(24*time.Hour - time.Second)
			}
			*d.dst = t
		}
	}
	if v := keep("sort"); v != "" {
		if !slices.Contains(store.StaffSorts(), v) {
			return f, apperr.New(apperr.Invalid, "sort %q: want one of %s", truncate(v, 40), strings.Join(store.StaffSorts(), ", "))
		}
		f.q.Sort = v
	}
	switch keep("order") {
	case "", "desc":
		f.q.Desc = true
	case "asc":
		f.q.Desc = false
	default:
		return f, apperr.New(apperr.Invalid, "order: want asc or desc")
	}
	if v := strings.TrimSpace(qv.Get("page")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return f, apperr.New(apperr.Invalid, "page %q: want a whole number from 1", truncate(v, 20))
		}
		f.page = n
	}
	return f, nil
}

// areaFilter returns the chosen area's bounding box and a point-in-polygon
// test.
func (s *Server) areaFilter(ctx context.Context, orgID, areaID int64) (*[4]float64, func(lat, lon float64) bool, error) {
	areas, err := s.st.Areas(ctx, orgID, 0, true)
	if err != nil {
		return nil, nil, err
	}
	for _, a := range areas {
		if a.ID != areaID {
			continue
		}
		g, err := geojson.UnmarshalGeometry(a.Geometry)
		if err != nil {
			return nil, nil, fmt.Errorf("area %d geometry: %w", a.ID, err)
		}
		mp, ok := geo.AsMultiPolygon(g.Geometry())
		if !ok {
			return nil, nil, fmt.Errorf("area %d geometry is not a polygon", a.ID)
		}
		ix := geo.NewAreaIndex([]orb.MultiPolygon{mp})
		return &[4]float64{a.MinLon, a.MinLat, a.MaxLon, a.MaxLat}, func(lat, lon float64) bool { return len(ix.Locate(orb.Point{lon, lat})) > 0 }, nil
	}
	return nil, nil, apperr.New(apperr.NotFound, "area %d not found", areaID)
}

func (s *Server) staffQueue(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	T := func(k string, args ...any) string { return s.cat.T(c.lang, k, args...) }
	if _, _, err := s.o311Services(ctx, c.orgID, false); err != nil { // seeds the default services the first time
		return err
	}
	f, err := s.readStaffFilter(r, c.orgID)
	if err != nil {
		return err
	}
	var rows []store.ServiceRequest
	var total int
	if f.area != 0 {
		bbox, inside, err := s.areaFilter(ctx, c.orgID, f.area)
		if err != nil {
			return err
		}
		q := f.q
		q.BBox, q.Limit = bbox, staffAreaMax
		cand, _, err := s.st.StaffRequests(ctx, q)
		if err != nil {
			return err
		}
		for _, x := range cand {
			if inside(x.Lat, x.Lon) {
				rows = append(rows, x)
			}
		}
		total = len(rows)
		lo := min((f.page-1)*staffPageSize, total)
		rows = rows[lo:min(lo+staffPageSize, total)]
	} else {
		q := f.q
		q.Limit, q.Offset = staffPageSize, (f.page-1)*staffPageSize
		if rows, total, err = s.st.StaffRequests(ctx, q); err != nil {
			return err
		}
	}
	d := queueData{Total: total, Page: f.page, Pages: max(1, (total+staffPageSize-1)/staffPageSize), Desc: f.q.Desc}
	d.From, d.To = f.vals.Get("from"), f.vals.Get("to")
	for _, x := range rows {
		d.Rows = append(d.Rows, queueRow{ID: x.ID, Received: x.Requested.Format("2006-01-02 15:04"), Updated: x.Updated.Format("2006-01-02 15:04"), Service: x.ServiceName, Sensitive: x.Sensitive,
			Status: x.Status, StatusLabel: s.statusLabel(c.lang, x.Status), Closed: open311.Status(x.Status).Closed(),
			Moderation: x.Moderation, ModLabel: s.moderationLabel(c.lang, x.Moderation), Department: x.Department, Excerpt: truncate(x.Description, 90)})
	}
	// choices
	d.Statuses = []option{{Value: "", Label: T("o311staff.any")}, {Value: "open", Label: T("o311staff.allopen"), Selected: f.status == "open"},
		{Value: "closed", Label: T("o311staff.allclosed"), Selected: f.status == "closed"}}
	for _, st := range open311.Statuses() {
		d.Statuses = append(d.Statuses, option{Value: string(st), Label: s.statusLabel(c.lang, string(st)), Selected: f.status == string(st)})
	}
	svcs, err := s.st.Services311(ctx, c.orgID, false)
	if err != nil {
		return err
	}
	d.Services = []option{{Value: "", Label: T("o311staff.any")}}
	for _, v := range svcs {
		d.Services = append(d.Services, option{Value: v.Code, Label: v.Name, Selected: f.vals.Get("service") == v.Code})
	}
	deps, err := s.st.Departments(ctx, c.orgID)
	if err != nil {
		return err
	}
	d.Departments = []option{{Value: "", Label: T("o311staff.any")}}
	for _, v := range deps {
		d.Departments = append(d.Departments, option{Value: v, Label: v, Selected: f.q.Department == v})
	}
	d.Moderations = []option{{Value: "", Label: T("o311staff.any")}}
	for _, m := range []open311.Moderation{open311.ModPending, open311.ModApproved, open311.ModHidden} {
		d.Moderations = append(d.Moderations, option{Value: string(m), Label: s.moderationLabel(c.lang, string(m)), Selected: f.vals.Get("moderation") == string(m)})
	}
	layers, err := s.st.Layers(ctx, c.orgID)
	if err != nil {
		return err
	}
	areas, err := s.st.Areas(ctx, c.orgID, 0, false)
	if err != nil {
		return err
	}
	layerName := map[int64]string{}
	for _, l := range layers {
		layerName[l.ID] = l.Name
	}
	d.Areas = []option{{Value: "", Label: T("o311staff.any")}}
	for _, a := range areas {
		d.Areas = append(d.Areas, option{Value: itoa64(a.ID), Label: a.Name + " (" + a.Code + ")", Selected: f.area == a.ID, Group: layerName[a.LayerID]})
	}
	for _, so := range store.StaffSorts() {
		d.Sorts = append(d.Sorts, option{Value: so, Label: T("o311staff.sort." + so), Selected: f.q.Sort == so})
	}
	// sortable headers: clicking the active column flips the order
	for _, col := range []struct{ sort, key string }{{"id", "o311staff.col.id"}, {"requested", "o311staff.col.received"}, {"service", "o311staff.col.category"},
		{"status", "o311staff.col.status"}, {"updated", "o311staff.col.updated"}} {
		v := cloneValues(f.vals)
		v.Del("page")
		v.Set("sort", col.sort)
		order := "desc"
		if f.q.Sort == col.sort && f.q.Desc {
			order = "asc"
		}
		v.Set("order", order)
		d.Cols = append(d.Cols, sortLink{Label: T(col.key), URL: "/staff/reports?" + v.Encode(), Active: f.q.Sort == col.sort, Desc: f.q.Desc})
	}
	pageURL := func(n int) string {
		v := cloneValues(f.vals)
		v.Set("page", strconv.Itoa(n))
		return "/staff/reports?" + v.Encode()
	}
	if f.page > 1 {
		d.Prev = pageURL(f.page - 1)
	}
	if f.page < d.Pages {
		d.Next = pageURL(f.page + 1)
	}
	counts, err := s.st.ModerationCounts(ctx, c.orgID)
	if err != nil {
		return err
	}
	d.Pending, d.Hidden = counts[string(open311.ModPending)], counts[string(open311.ModHidden)]
	d.PendingURL = "/staff/reports?moderation=pending&sort=requested&order=asc"
	return s.render(w, r, c, "o311_staff_queue", 200, &page{Title: T("o311staff.queue.title"), Active: "reports", Data: d, Flash: flashOf(r, T)})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, xs := range v {
		out[k] = slices.Clone(xs)
	}
	return out
}

// flashOf shows the outcome of the last action (?done=...).
func flashOf(r *http.Request, T func(string, ...any) string) string {
	switch r.URL.Query().Get("done") {
	case "saved":
		return T("o311staff.done.saved")
	case "merged":
		return T("o311staff.done.merged")
	case "nochange":
		return T("o311staff.done.nochange")
	}
	return ""
}

// reportData is what the report page shows.
type reportData struct {
	R            store.ServiceRequest
	StatusLabel  string
	ModLabel     string
	Closed       bool
	Received     string
	Updated      string
	Attributes   []attrView
	Statuses     []option
	Departments  []string
	History      []histView
	Audit        []store.AuditEntry
	CanAudit     bool
	Nearby       []nearView
	Merged       []store.ServiceRequest
	MergedInto   int64
	Metres, Days int
	MapPoints    string // JSON for static/o311-staff.js
	Tiles        string
	TileAttrib   string
	Public       string // the public API URL of the report
}

type attrView struct{ Code, Label, Value string }

type histView struct {
	At, Kind, Status, Description, Actor string
	Public                               bool
}

type nearView struct {
	ID                          int64
	Metres                      int
	Received, Status, Excerpt   string
	DaysApart                   int
	Moderation, ModerationLabel string
}

type mapPoint struct {
	ID      int64   `json:"id"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	Label   string  `json:"label"`
	Current bool    `json:"current,omitempty"`
}

func (s *Server) staffReportID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "report %q not found", truncate(r.PathValue("id"), 20))
	}
	return id, nil
}

func (s *Server) staffReport(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	T := func(k string, args ...any) string { return s.cat.T(c.lang, k, args...) }
	id, err := s.staffReportID(r)
	if err != nil {
		return err
	}
	q, err := s.st.ServiceRequest(ctx, c.orgID, id)
	if err != nil {
		return err
	}
	d := reportData{R: q, StatusLabel: s.statusLabel(c.lang, q.Status), ModLabel: s.moderationLabel(c.lang, q.Moderation),
		Closed: open311.Status(q.Status).Closed(), Received: q.Requested.Format("2006-01-02 15:04 MST"), Updated: q.Updated.Format("2006-01-02 15:04 MST"),
		MergedInto: q.DuplicateOf, Tiles: s.cfg.TileURL, TileAttrib: s.cfg.TileAttrib, CanAudit: auth.Allows(c.role, auth.PermViewAudit),
		Public: "/open311/v2/requests/" + itoa64(q.ID) + ".json?extensions=true"}
	// attributes with their definition's descriptions
	var vals map[string][]string
	_ = json.Unmarshal([]byte(q.Attributes), &vals)
	if svc, err := s.st.Service311ByCode(ctx, c.orgID, q.ServiceCode); err == nil {
		if sp, err := serviceFromStore(svc); err == nil {
			for _, a := range sp.Definition().Attributes {
				if v, ok := vals[a.Code]; ok {
					d.Attributes = append(d.Attributes, attrView{Code: a.Code, Label: a.Description, Value: strings.Join(v, ", ")})
					delete(vals, a.Code)
				}
			}
		}
	}
	for k, v := range vals {
		d.Attributes = append(d.Attributes, attrView{Code: k, Label: k, Value: strings.Join(v, ", ")})
	}
	for _, st := range open311.Statuses() {
		d.Statuses = append(d.Statuses, option{Value: string(st), Label: s.statusLabel(c.lang, string(st)), Selected: q.Status == string(st)})
	}
	if d.Departments, err = s.st.Departments(ctx, c.orgID); err != nil {
		return err
	}
	hist, err := s.st.RequestUpdates(ctx, q.ID, false)
	if err != nil {
		return err
	}
	for i := len(hist) - 1; i >= 0; i-- {
		u := hist[i]
		d.History = append(d.History, histView{At: u.At.Format("2006-01-02 15:04"), Kind: T("o311staff.kind." + u.Kind), Status: s.statusLabel(c.lang, u.Status),
			Description: u.Description, Actor: u.Actor, Public: u.Public})
	}
	if d.CanAudit {
		if d.Audit, err = s.st.AuditFor(ctx, c.orgID, "service_request:"+itoa64(q.ID), staffHistoryAudits); err != nil {
			return err
		}
	}
	if d.Merged, err = s.st.DuplicatesOf(ctx, c.orgID, q.ID); err != nil {
		return err
	}
	// duplicate suggestions
	d.Metres, d.Days = dupDefaultMetres, dupDefaultDays
	if v, err := strconv.Atoi(r.URL.Query().Get("radius")); err == nil && v > 0 && v <= dupMaxMetres {
		d.Metres = v
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && v > 0 && v <= dupMaxDays {
		d.Days = v
	}
	var pts []mapPoint
	if q.HasLoc {
		pts = append(pts, mapPoint{ID: q.ID, Lat: q.Lat, Lon: q.Lon, Label: "#" + itoa64(q.ID) + " " + q.ServiceName, Current: true})
	}
	if q.DuplicateOf == 0 {
		near, err := s.st.NearbyRequests(ctx, q, float64(d.Metres), time.Duration(d.Days)*24*time.Hour, dupSuggestions)
		if err != nil {
			return err
		}
		for _, n := range near {
			apart := n.Requested.Sub(q.Requested)
			if apart < 0 {
				apart = -apart
			}
			d.Nearby = append(d.Nearby, nearView{ID: n.ID, Metres: int(n.Metres + 0.5), Received: n.Requested.Format("2006-01-02 15:04"),
				Status: s.statusLabel(c.lang, n.Status), Excerpt: truncate(n.Description, 80), DaysApart: int(apart.Hours() / 24),
				Moderation: n.Moderation, ModerationLabel: s.moderationLabel(c.lang, n.Moderation)})
			pts = append(pts, mapPoint{ID: n.ID, Lat: n.Lat, Lon: n.Lon, Label: "#" + itoa64(n.ID) + " · " + strconv.Itoa(int(n.Metres+0.5)) + " m"})
		}
	}
	if len(pts) > 0 {
		b, err := json.Marshal(pts)
		if err != nil {
			return err
		}
		d.MapPoints = string(b)
	}
	return s.render(w, r, c, "o311_staff_report", 200, &page{Title: T("o311staff.report.title", "id", q.ID), Active: "reports", Data: d, Flash: flashOf(r, T)})
}

// staffReportAction applies one form's action to a report and goes back to
// its page (303).
func (s *Server) staffReportAction(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	id, err := s.staffReportID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, err, "unreadable form")
	}
	ch := store.RequestChange{Actor: c.user.Email, UserID: c.user.ID, IP: clientIP(r)}
	text := func(field string, maxLen int, required bool) (string, error) {
		v := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(field), "\r\n", "\n"))
		if required && v == "" {
			return "", apperr.New(apperr.Invalid, "%s: %s", field, s.cat.T(c.lang, "o311staff.err.required"))
		}
		if n := len([]rune(v)); n > maxLen {
			return "", apperr.New(apperr.Invalid, "%s: %s", field, s.cat.T(c.lang, "o311staff.err.toolong", "n", n, "max", maxLen))
		}
		return v, nil
	}
	back := "/staff/reports/" + itoa64(id)
	done := "saved"
	switch action := r.PostFormValue("action"); action {
	case "status":
		st, ok := open311.ParseStatus(r.PostFormValue("status"))
		if !ok {
			return apperr.New(apperr.Invalid, "status: %s", s.cat.T(c.lang, "o311staff.err.status"))
		}
		sts := string(st)
		ch.Status = &sts
		ans, err := text("answer", staffAnswerMaxLen, false)
		if err != nil {
			return err
		}
		if ans != "" {
			ch.Answer = &ans
		}
	case "answer":
		ans, err := text("answer", staffAnswerMaxLen, true)
		if err != nil {
			return err
		}
		ch.Answer = &ans
	case "assign":
		dep, err := text("department", staffDeptMaxLen, true)
		if err != nil {
			return err
		}
		ch.Department = &dep
	case "approve", "hide":
		m := string(open311.ModApproved)
		if action == "hide" {
			m = string(open311.ModHidden)
		}
		ch.Moderation = &m
		if ch.Note, err = text("reason", staffReasonMaxLen, action == "hide"); err != nil {
			return err
		}
	case "note":
		if ch.Note, err = text("note", staffNoteMaxLen, true); err != nil {
			return err
		}
	case "redact":
		desc, err := text("description", open311.MaxDescription, false)
		if err != nil {
			return err
		}
		reason, err := text("reason", staffReasonMaxLen, true)
		if err != nil {
			return err
		}
		if _, err := s.st.RedactServiceRequest(ctx, c.orgID, id, store.Redaction{Description: desc, Reason: reason, Actor: ch.Actor, UserID: ch.UserID, IP: ch.IP}); err != nil {
			return err
		}
		http.Redirect(w, r, back+"?done=saved", http.StatusSeeOther)
		return nil
	case "merge":
		// "merge" with into=N makes this report a duplicate of N; with
		// from=N it makes N a duplicate of this one.
		into, from := atoi64(r.PostFormValue("into")), atoi64(r.PostFormValue("from"))
		target, dup := into, id
		if from != 0 {
			target, dup = id, from
		}
		if target <= 0 || dup <= 0 {
			return apperr.New(apperr.Invalid, "into: %s", s.cat.T(c.lang, "o311staff.err.mergeid"))
		}
		ans := s.cat.T(c.lang, "o311staff.merge.answer", "id", target)
		ch.DuplicateOf, ch.Answer = target, &ans
		if _, err := s.st.UpdateServiceRequest(ctx, c.orgID, dup, ch); err != nil {
			return err
		}
		note := store.RequestChange{Note: s.cat.T(c.lang, "o311staff.merge.note", "id", dup), Actor: ch.Actor, UserID: ch.UserID, IP: ch.IP}
		if _, err := s.st.UpdateServiceRequest(ctx, c.orgID, target, note); err != nil {
			return err
		}
		http.Redirect(w, r, "/staff/reports/"+itoa64(target)+"?done=merged", http.StatusSeeOther)
		return nil
	default:
		return apperr.New(apperr.Invalid, "action %q: unknown", truncate(action, 30))
	}
	before, err := s.st.ServiceRequest(ctx, c.orgID, id)
	if err != nil {
		return err
	}
	after, err := s.st.UpdateServiceRequest(ctx, c.orgID, id, ch)
	if err != nil {
		return err
	}
	if after.Status == before.Status && after.StatusNotes == before.StatusNotes && after.Moderation == before.Moderation &&
		after.Department == before.Department && ch.Note == "" {
		done = "nochange"
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
	return nil
}

// ---------------------------------------------------------------- categories

type categoryView struct {
	store.Service311
	AttrJSON string
	Error    string
}

func (s *Server) staffCategories(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderServices311(w, r, c, "", "", nil, 200)
}

func (s *Server) renderServices311(w http.ResponseWriter, r *http.Request, c *reqCtx, failed, msg string, edited *store.Service311, status int) error {
	_, rows, err := s.o311Services(r.Context(), c.orgID, false)
	if err != nil {
		return err
	}
	var views []categoryView
	for _, v := range rows {
		if edited != nil && v.Code == edited.Code {
			v = *edited
		}
		cv := categoryView{Service311: v, AttrJSON: prettyJSON(v.Attributes)}
		if v.Code == failed {
			cv.Error = msg
		}
		views = append(views, cv)
	}
	deps, err := s.st.Departments(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	T := func(k string, args ...any) string { return s.cat.T(c.lang, k, args...) }
	p := &page{Title: T("o311staff.cat.title"), Active: "reports", Data: map[string]any{"Services": views, "Departments": deps}, Flash: flashOf(r, T)}
	if msg != "" {
		p.Error = T("o311staff.cat.failed", "code", failed)
	}
	return s.render(w, r, c, "o311_staff_categories", status, p)
}

func prettyJSON(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return s
	}
	return string(b)
}

func (s *Server) staffSaveCategory(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	code := r.PathValue("code")
	_, rows, err := s.o311Services(ctx, c.orgID, false)
	if err != nil {
		return err
	}
	var cur *store.Service311
	for i := range rows {
		if rows[i].Code == code {
			cur = &rows[i]
		}
	}
	if cur == nil {
		return apperr.New(apperr.NotFound, "category %q not found", truncate(code, 60))
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, err, "unreadable form")
	}
	f := r.PostFormValue
	v := *cur
	v.Name, v.Description, v.Group, v.Keywords = strings.TrimSpace(f("name")), strings.TrimSpace(f("description")), strings.TrimSpace(f("group")), strings.TrimSpace(f("keywords"))
	v.Type, v.ICCS, v.Department, v.Notice = strings.TrimSpace(f("type")), strings.TrimSpace(f("iccs")), strings.TrimSpace(f("department")), strings.TrimSpace(f("notice"))
	v.Sensitive, v.Active = f("sensitive") == "on", f("active") == "on"
	attrs := strings.TrimSpace(f("attributes"))
	if attrs == "" {
		attrs = "[]"
	}
	sp := open311.ServiceSpec{Code: v.Code, Name: v.Name, Type: open311.ServiceType(v.Type)}
	var problems []string
	sp.Attributes, problems = parseServiceAttributes(attrs)
	for _, fe := range sp.Validate() {
		if !strings.HasPrefix(fe.Field, "attribute[") { // parseServiceAttributes checked those
			problems = append(problems, fe.Field+": "+fe.Message)
		}
	}
	if v.ICCS != "" && !iccsCode(v.ICCS) {
		problems = append(problems, "iccs: "+s.cat.T(c.lang, "o311staff.cat.badiccs"))
	}
	for _, l := range []struct {
		field string
		val   string
		max   int
	}{{"name", v.Name, 200}, {"description", v.Description, 2000}, {"group", v.Group, 100}, {"keywords", v.Keywords, 500},
		{"department", v.Department, staffDeptMaxLen}, {"notice", v.Notice, 1000}} {
		if n := len([]rune(l.val)); n > l.max {
			problems = append(problems, l.field+": "+s.cat.T(c.lang, "o311staff.err.toolong", "n", n, "max", l.max))
		}
	}
	if len(problems) > 0 {
		v.Attributes = attrs
		return s.renderServices311(w, r, c, code, strings.Join(problems, "; "), &v, http.StatusBadRequest)
	}
	b, err := json.Marshal(sp.Attributes)
	if err != nil {
		return err
	}
	if sp.Attributes == nil {
		b = []byte("[]")
	}
	v.Attributes = string(b)
	var changed []string
	for _, x := range []struct{ name, a, b string }{{"name", cur.Name, v.Name}, {"description", cur.Description, v.Description}, {"group", cur.Group, v.Group},
		{"keywords", cur.Keywords, v.Keywords}, {"type", cur.Type, v.Type}, {"iccs", cur.ICCS, v.ICCS}, {"department", cur.Department, v.Department},
		{"notice", cur.Notice, v.Notice}, {"sensitive", strconv.FormatBool(cur.Sensitive), strconv.FormatBool(v.Sensitive)},
		{"active", strconv.FormatBool(cur.Active), strconv.FormatBool(v.Active)}, {"attributes", compactJSON(cur.Attributes), v.Attributes}} {
		if x.a != x.b {
			changed = append(changed, x.name+": "+truncate(x.a, 80)+" -> "+truncate(x.b, 80))
		}
	}
	if len(changed) == 0 {
		http.Redirect(w, r, "/staff/categories?done=nochange#svc-"+url.PathEscape(v.Code), http.StatusSeeOther)
		return nil
	}
	if _, err := s.st.SaveService311Audited(ctx, v, store.AuditEntry{OrgID: c.orgID, UserID: c.user.ID, Actor: c.user.Email, Action: "open311.service.edit",
		Target: "open311_service:" + v.Code, Detail: strings.Join(changed, "; "), IP: clientIP(r)}); err != nil {
		return err
	}
	http.Redirect(w, r, "/staff/categories?done=saved#svc-"+url.PathEscape(v.Code), http.StatusSeeOther)
	return nil
}

func compactJSON(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// iccsCode accepts an ICCS code: 2 to 7 digits (section to level 4, e.g.
// 0208, 050211).
func iccsCode(s string) bool {
	if len(s) < 2 || len(s) > 7 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// parseServiceAttributes decodes and checks the attribute JSON of the
// category editor (a GeoReport v2 attribute array; unknown fields
// refused). Problems start with the field they are about.
func parseServiceAttributes(s string) ([]open311.Attribute, []string) {
	var attrs []open311.Attribute
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&attrs); err != nil {
		return nil, []string{"attributes: not a valid attribute array: " + err.Error()}
	}
	if dec.More() {
		return nil, []string{"attributes: text after the array"}
	}
	if len(attrs) > open311.MaxAttributes {
		return nil, []string{"attributes: at most " + strconv.Itoa(open311.MaxAttributes)}
	}
	var problems []string
	for _, fe := range (open311.ServiceSpec{Code: "x", Name: "x", Attributes: attrs}).Validate() {
		problems = append(problems, fe.Field+": "+fe.Message)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return attrs, nil
}
