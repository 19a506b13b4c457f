package web

// Residents' reports in the browser (docs/open311.md, "Reporting from the
// browser", "Following a report", "Public view"):
//
//   GET/POST /report                 the phone-first report form (works without JS)
//   GET  /report/follow/{secret}     the reporter's private page
//   GET  /reports                    public map and list: fuzzed locations and suppressed aggregates
//   GET  /reports/cells.json         the map's grid cells (GeoJSON)
//   GET  /reports/feed/{area}        Atom feed of an area's published reports ({code}.atom, all.atom)
//   GET  /reports/photo/{id}         a photo, only once staff approved it
//
// A report from the form is stored by createRequest, the same code path as
// POST /open311/v2/requests (one source of truth), with channel "web".

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
)

const (
	reportCSRFCookie = "icarus_report"
	reportHoneypot   = "website" // a field people do not see and bots fill in
	reportMaxBody    = open311.MaxPhotoBytes + 256<<10
	reportWindow     = 90 * 24 * time.Hour // the public view's default window
	reportListMax    = 50
	// JobReportsSync materialises reports into the citizen-reports dataset;
	// JobReportsMail queues notices and delivers the outbox (cli wires both).
	JobReportsSync = "reports.sync"
	JobReportsMail = "reports.mail"
)

// reportField is one question of a service definition as a form field.
type reportField struct {
	Attr     open311.Attribute
	Name     string // HTML name: a.<service>.<code>
	ID       string
	Value    string
	Selected map[string]bool
	Error    string
}

// reportService is a category of the form with its questions.
type reportService struct {
	Spec   open311.ServiceSpec
	Fields []reportField
}

// reportFormData is what report.html shows.
type reportFormData struct {
	Services   []reportService
	Service    string
	V          url.Values
	Errors     map[string]string // by field id: service, location, lat, long, address, description, email, photo
	ErrList    []fieldMsg
	Token      string
	Honeypot   string
	Tiles      string
	TileAttrib string
	Bounds     string // minLat,minLon,maxLat,maxLon of the city's areas
	AreasURL   string
	MaxPhotoMB int
}

type fieldMsg struct{ ID, Label, Message string }

// reportToken returns the anonymous form's CSRF token (a double-submit
// cookie), setting the cookie when there is none; signed-in users use their
// session's token, which wrap checks.
func (s *Server) reportToken(w http.ResponseWriter, r *http.Request, c *reqCtx) (string, error) {
	if c.user != nil {
		return c.csrf, nil
	}
	if ck, err := r.Cookie(reportCSRFCookie); err == nil && len(ck.Value) >= 32 {
		return ck.Value, nil
	}
	tok, err := auth.NewToken(rand.Reader, 24)
	if err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{Name: reportCSRFCookie, Value: tok, Path: "/report", HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: 12 * 3600})
	return tok, nil
}

// reportServices returns the active services as form categories, with
// values and errors of a submitted form filled in.
func (s *Server) reportServices(ctx context.Context, orgID int64, v url.Values, chosen string, errs map[string]string) ([]reportService, error) {
	specs, _, err := s.o311Services(ctx, orgID, true)
	if err != nil {
		return nil, err
	}
	out := make([]reportService, 0, len(specs))
	for _, sp := range specs {
		rs := reportService{Spec: sp}
		for _, a := range sp.Definition().Attributes {
			f := reportField{Attr: a, Name: "a." + sp.Code + "." + a.Code, ID: "a-" + sp.Code + "-" + a.Code}
			if v != nil && sp.Code == chosen {
				f.Value = v.Get(f.Name)
				f.Selected = map[string]bool{}
				for _, x := range v[f.Name] {
					f.Selected[x] = true
				}
				f.Error = errs["attribute["+a.Code+"]"]
			}
			rs.Fields = append(rs.Fields, f)
		}
		out = append(out, rs)
	}
	return out, nil
}

// reportFormValues turns the web form into the arguments of POST
// requests: the chosen service's questions (a.<service>.<code>) become
// attribute[code] (attribute[code][] for a multivaluelist), the rest is
// copied by name. Names the API does not take are dropped. It never fails:
// validation is DecodeRequest's and CheckAttributes'.
func reportFormValues(form url.Values, specs []open311.ServiceSpec) url.Values {
	out := url.Values{}
	for _, k := range []string{"service_code", "lat", "long", "address_string", "description", "email"} {
		if v := form[k]; len(v) > 0 {
			out[k] = []string{v[0]}
		}
	}
	code := strings.TrimSpace(form.Get("service_code"))
	for _, sp := range specs {
		if sp.Code != code {
			continue
		}
		for _, a := range sp.Attributes {
			vals := form["a."+sp.Code+"."+a.Code]
			if len(vals) == 0 || !a.Variable {
				continue
			}
			if a.Datatype == open311.MultiValueList {
				out["attribute["+a.Code+"][]"] = vals
			} else {
				out["attribute["+a.Code+"]"] = vals[:1]
			}
		}
	}
	return out
}

// reportFieldID maps an API field name to the form's field id.
func reportFieldID(field string) string {
	switch field {
	case "service_code", "description", "email", "lat", "long", "photo":
		return field
	case "address_string", "address_id":
		return "address"
	case "location":
		return "location"
	}
	if strings.HasPrefix(field, "attribute[") {
		return field
	}
	return "form"
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	tok, err := s.reportToken(w, r, c)
	if err != nil {
		return err
	}
	chosen := r.URL.Query().Get("service")
	return s.renderReportForm(w, r, c, http.StatusOK, tok, url.Values{"service_code": {chosen}}, nil)
}

func (s *Server) renderReportForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, tok string, v url.Values, fe open311.FieldErrors) error {
	ctx := r.Context()
	errs := map[string]string{}
	var list []fieldMsg
	for _, e := range fe {
		id := reportFieldID(e.Field)
		msg := e.Message
		if _, dup := errs[id]; !dup {
			errs[id] = msg
		}
		list = append(list, fieldMsg{ID: id, Label: s.reportFieldLabel(c, id), Message: msg})
	}
	chosen := v.Get("service_code")
	svcs, err := s.reportServices(ctx, c.orgID, v, chosen, errs)
	if err != nil {
		return err
	}
	// attribute errors are shown at the question, whose id depends on the service
	for i := range list {
		if strings.HasPrefix(list[i].ID, "attribute[") {
			code := strings.TrimSuffix(strings.TrimPrefix(list[i].ID, "attribute["), "]")
			list[i].ID = "a-" + chosen + "-" + code
			list[i].Label = code
			for _, sv := range svcs {
				for _, f := range sv.Fields {
					if f.ID == list[i].ID {
						list[i].Label = f.Attr.Description
					}
				}
			}
		}
	}
	d := reportFormData{Services: svcs, Service: chosen, V: v, Errors: errs, ErrList: list, Token: tok, Honeypot: reportHoneypot,
		Tiles: s.cfg.TileURL, TileAttrib: s.cfg.TileAttrib, MaxPhotoMB: open311.MaxPhotoBytes >> 20}
	if b, layer, err := s.cityBounds(ctx, c.orgID); err == nil && layer != 0 {
		d.Bounds = b
		d.AreasURL = "/api/v1/areas?layer=" + strconv.FormatInt(layer, 10)
	}
	return s.render(w, r, c, "report", status, &page{Title: s.cat.T(c.lang, "report.title"), Active: "report", Data: d})
}

func (s *Server) reportFieldLabel(c *reqCtx, id string) string {
	switch id {
	case "service_code":
		return s.cat.T(c.lang, "report.field.category")
	case "lat", "long", "location":
		return s.cat.T(c.lang, "report.field.location")
	case "address":
		return s.cat.T(c.lang, "report.field.address")
	case "description":
		return s.cat.T(c.lang, "report.field.description")
	case "email":
		return s.cat.T(c.lang, "report.field.email")
	case "photo":
		return s.cat.T(c.lang, "report.field.photo")
	}
	return s.cat.T(c.lang, "report.field.form")
}

// cityBounds is the bounding box of the organisation's first area layer
// (for the map's first view) and that layer's id.
func (s *Server) cityBounds(ctx context.Context, orgID int64) (string, int64, error) {
	layers, err := s.st.Layers(ctx, orgID)
	if err != nil || len(layers) == 0 {
		return "", 0, err
	}
	as, err := s.st.Areas(ctx, orgID, layers[0].ID, false)
	if err != nil || len(as) == 0 {
		return "", 0, err
	}
	minLat, minLon, maxLat, maxLon := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, a := range as {
		minLat, minLon = math.Min(minLat, a.MinLat), math.Min(minLon, a.MinLon)
		maxLat, maxLon = math.Max(maxLat, a.MaxLat), math.Max(maxLon, a.MaxLon)
	}
	return fmt.Sprintf("%.5f,%.5f,%.5f,%.5f", minLat, minLon, maxLat, maxLon), layers[0].ID, nil
}

// reportSubmit handles POST /report.
func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	if lim := s.cfg.Reports.PerIPPerHour; lim > 0 {
		ok, err := s.st.RateLimit(ctx, "report:ip:"+clientIP(r), lim, time.Hour)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.RateLimited, "%s", s.cat.T(c.lang, "report.error.ratelimit"))
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, reportMaxBody)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.New(apperr.Invalid, "%s", s.cat.T(c.lang, "report.error.toolarge", "mb", open311.MaxPhotoBytes>>20))
		}
		return apperr.Wrap(apperr.Invalid, err, "unreadable form")
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	tok, err := s.reportToken(w, r, c)
	if err != nil {
		return err
	}
	if c.user == nil {
		sent := r.PostFormValue("csrf")
		if ck, err := r.Cookie(reportCSRFCookie); err != nil || sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(ck.Value)) != 1 {
			// an expired or forged form: nothing is stored; the form comes
			// back with what was typed and a fresh token
			return s.renderReportForm(w, r, c, http.StatusBadRequest, tok, r.PostForm, open311.FieldErrors{{Field: "form", Message: s.cat.T(c.lang, "report.error.csrf")}})
		}
	}
	form := r.PostForm
	if strings.TrimSpace(form.Get(reportHoneypot)) != "" {
		// a bot: answer as if it worked, store nothing
		s.log.Info("report form: honeypot filled, nothing stored", "ip", clientIP(r))
		return s.render(w, r, c, "report_sent", http.StatusOK, &page{Title: s.cat.T(c.lang, "report.sent.title")})
	}
	specs, _, err := s.o311Services(ctx, c.orgID, true)
	if err != nil {
		return err
	}
	args := reportFormValues(form, specs)

	// the photo is checked and cleaned before anything is stored
	var photo *open311.Photo
	var fe open311.FieldErrors
	if r.MultipartForm != nil && len(r.MultipartForm.File["photo"]) > 0 {
		fh := r.MultipartForm.File["photo"][0]
		if fh.Size > 0 {
			f, err := fh.Open()
			if err != nil {
				return err
			}
			p, perr := open311.CleanPhoto(f)
			f.Close()
			if perr != nil {
				fe = append(fe, open311.FieldError{Field: "photo", Message: perr.Error()})
			} else {
				photo = &p
			}
		}
	}
	if len(fe) > 0 {
		// report the other fields' problems at the same time
		_, more := open311.DecodeRequest(args)
		fe = append(fe, more...)
		return s.renderReportForm(w, r, c, http.StatusBadRequest, tok, form, fe)
	}
	var photoID int64
	if photo != nil {
		if photoID, err = s.st.SavePhoto(ctx, store.ReportPhoto{OrgID: c.orgID, MIME: photo.MIME, Width: photo.Width, Height: photo.Height, Data: photo.Data}); err != nil {
			return err
		}
	}
	_, follow, err := s.createRequest(ctx, c.orgID, args, "web", 0, true)
	if err != nil {
		if photoID != 0 {
			if derr := s.st.DeletePhoto(ctx, c.orgID, photoID); derr != nil {
				s.log.Warn("report form: removing the photo of a refused report", "photo", photoID, "err", derr)
			}
		}
		var ferrs open311.FieldErrors
		var oe *o311Error
		switch {
		case errors.As(err, &ferrs):
			return s.renderReportForm(w, r, c, http.StatusBadRequest, tok, form, ferrs)
		case errors.As(err, &oe) && oe.status == http.StatusNotFound:
			return s.renderReportForm(w, r, c, http.StatusBadRequest, tok, form, open311.FieldErrors{{Field: "service_code", Message: s.cat.T(c.lang, "report.error.category")}})
		}
		return err
	}
	q, err := s.st.ServiceRequestByFollow(ctx, follow)
	if err != nil {
		return err
	}
	id := q.ID
	if photoID != 0 {
		if err := s.st.AttachPhoto(ctx, c.orgID, photoID, id); err != nil {
			return err
		}
	}
	followURL := s.baseURL(r) + "/report/follow/" + follow
	if q.Email != "" {
		org, err := s.st.Org(ctx, c.orgID)
		if err != nil {
			return err
		}
		subj, body := open311.SubmittedMail(s.translator(c.lang), org.Name, id, q.ServiceName, followURL)
		if _, err := s.st.QueueMail(ctx, store.OutboxMail{OrgID: c.orgID, RequestID: id, To: q.Email, Subject: subj, Body: body}); err != nil {
			return err
		}
		s.enqueue(ctx, JobReportsMail, "")
	}
	s.enqueue(ctx, JobReportsSync, strconv.FormatInt(c.orgID, 10))
	http.Redirect(w, r, "/report/follow/"+follow+"?sent=1", http.StatusSeeOther)
	return nil
}

// enqueue asks the background runner for a job soon (at most one per kind
// and payload every 10 seconds); failing to enqueue is logged, the
// periodic run catches up.
func (s *Server) enqueue(ctx context.Context, kind, payload string) {
	key := fmt.Sprintf("%s:%s:%d", kind, payload, s.now().Unix()/10)
	if _, err := s.st.EnqueueJob(ctx, store.Job{Kind: kind, Payload: payload, Key: key}); err != nil {
		s.log.Warn("enqueueing a job", "kind", kind, "err", err)
	}
}

// translator translates into lang.
func (s *Server) translator(lang string) open311.Translator {
	return func(key string, args ...any) string { return s.cat.T(lang, key, args...) }
}

// ---------------------------------------------------------------- following

type followNote struct {
	At          time.Time
	Kind        string
	Status      string // message key
	Description string
}

func (s *Server) reportFollow(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	secret := r.PathValue("secret")
	if len(secret) < 16 || len(secret) > 100 {
		return apperr.New(apperr.NotFound, "%s", s.cat.T(c.lang, "report.follow.notfound"))
	}
	q, err := s.st.ServiceRequestByFollow(ctx, secret)
	if apperr.CodeOf(err) == apperr.NotFound {
		return apperr.New(apperr.NotFound, "%s", s.cat.T(c.lang, "report.follow.notfound"))
	}
	if err != nil {
		return err
	}
	ups, err := s.st.RequestUpdates(ctx, q.ID, true)
	if err != nil {
		return err
	}
	var notes []followNote
	for _, u := range ups {
		notes = append(notes, followNote{At: u.At, Kind: u.Kind, Status: open311.StatusKey(open311.Status(u.Status)), Description: u.Description})
	}
	photos, err := s.st.ReportPhotos(ctx, q.ID)
	if err != nil {
		return err
	}
	var photoStates []string // message keys
	for _, p := range photos {
		switch p.Moderation {
		case "approved":
			photoStates = append(photoStates, "report.photo.approved")
		case "hidden":
			photoStates = append(photoStates, "report.photo.hidden")
		default:
			photoStates = append(photoStates, "report.photo.pending")
		}
	}
	var attrs map[string][]string
	_ = json.Unmarshal([]byte(q.Attributes), &attrs)
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
	return s.render(w, r, c, "report_follow", http.StatusOK, &page{Title: s.cat.T(c.lang, "report.follow.title", "id", q.ID), Active: "report",
		Data: map[string]any{"R": q, "Status": open311.StatusKey(open311.Status(q.Status)), "Closed": open311.Status(q.Status).Closed(),
			"Notes": notes, "Photos": photoStates, "Sent": r.URL.Query().Get("sent") == "1", "Link": s.baseURL(r) + "/report/follow/" + secret,
			"Mail": q.Email != "" && s.cfg.Reports.SMTPAddr != "", "HasMail": q.Email != "", "Pending": q.Moderation == string(open311.ModPending),
			"Hidden": q.Moderation == string(open311.ModHidden)}})
}

// ---------------------------------------------------------------- public view

// publicReport is a report as the public view lists it.
type publicReport struct {
	open311.Request
	ID       int64
	Time     time.Time
	Status   string // message key
	Located  bool
	LatV     float64 // the snapped location (when Located)
	LonV     float64
	Photos   []int64
	Withheld bool // a sensitive category: no location, no description
}

type areaRow struct {
	Area   store.Area
	Counts []cellCount // per category column
	Total  cellCount
}

type cellCount struct {
	N          int64
	Suppressed bool // N is not given: fewer than K, or (AtLeast) at least N
	AtLeast    bool
}

type reportsView struct {
	Services      []open311.ServiceSpec
	Service       string
	Days          int
	Layers        []store.Layer
	Layer         int64
	Categories    []string // non-sensitive category names (table columns)
	Rows          []areaRow
	Sensitive     []sensitiveTotal
	Reports       []publicReport
	K             int
	Grid          float64
	Tiles         string
	TileAttrib    string
	CellsURL      string
	AreasURL      string // outlines of the chosen layer (when there is no base map)
	Bounds        string
	StaffPhotos   bool // the viewer may moderate photos
	PendingPhotos int
	N             int // reports in the cells shown exactly
	Hidden        int // cells suppressed
}

type sensitiveTotal struct {
	Name  string
	Count cellCount
}

// reportFilter reads ?service=, ?days= and ?layer= of the public view.
func (s *Server) reportFilter(r *http.Request) (service string, days int, layer int64) {
	q := r.URL.Query()
	service = q.Get("service")
	days = 90
	if d, err := strconv.Atoi(q.Get("days")); err == nil && d >= 1 && d <= 366 {
		days = d
	}
	layer = atoi64(q.Get("layer"))
	return
}

// publicReports returns the approved reports of the window as the public
// may see them (newest first, at most limit): locations snapped to the
// configured grid, sensitive categories without location nor description,
// photos only once approved.
func (s *Server) publicReports(ctx context.Context, orgID int64, service string, from, to time.Time, ids []int64, limit int) ([]publicReport, error) {
	q := store.RequestQuery{OrgID: orgID, Moderation: []string{string(open311.ModApproved)}, From: from, To: to, NewestFirst: true, Limit: limit, IDs: ids}
	if service != "" {
		q.ServiceCodes = []string{service}
	}
	rows, err := s.st.ServiceRequests(ctx, q)
	if err != nil {
		return nil, err
	}
	var idList []int64
	for _, row := range rows {
		if !row.Sensitive {
			idList = append(idList, row.ID)
		}
	}
	photos, err := s.st.PublicPhotoIDs(ctx, orgID, idList)
	if err != nil {
		return nil, err
	}
	out := make([]publicReport, 0, len(rows))
	for _, row := range rows {
		pub := record(row).Public(open311.ViewOptions{GridMetres: s.cfg.Reports.GridMetres})
		pr := publicReport{Request: pub, ID: row.ID, Time: row.Requested, Status: open311.StatusKey(open311.Status(row.Status)),
			Located: pub.Lat != nil, Withheld: row.Sensitive}
		if pr.Located {
			pr.LatV, pr.LonV = *pub.Lat, *pub.Long
		}
		if !row.Sensitive {
			pr.Photos = photos[row.ID]
		}
		pr.MediaURL = "" // only our own moderated photos are shown
		out = append(out, pr)
	}
	return out, nil
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	service, days, layer := s.reportFilter(r)
	specs, _, err := s.o311Services(ctx, c.orgID, true)
	if err != nil {
		return err
	}
	to := s.now()
	from := to.Add(-time.Duration(days) * 24 * time.Hour)
	v := reportsView{Services: specs, Service: service, Days: days, K: s.cfg.SuppressBelow, Grid: s.cfg.Reports.GridMetres,
		Tiles: s.cfg.TileURL, TileAttrib: s.cfg.TileAttrib}
	if v.Layers, err = s.st.Layers(ctx, c.orgID); err != nil {
		return err
	}
	if layer == 0 && len(v.Layers) > 0 {
		layer = v.Layers[0].ID
	}
	v.Layer = layer
	if layer != 0 {
		v.AreasURL = "/api/v1/areas?layer=" + strconv.FormatInt(layer, 10)
	}
	if b, _, err := s.cityBounds(ctx, c.orgID); err == nil {
		v.Bounds = b
	}
	cq := url.Values{"days": {strconv.Itoa(days)}}
	if service != "" {
		cq.Set("service", service)
	}
	v.CellsURL = "/reports/cells.json?" + cq.Encode()
	if auth.Allows(c.role, auth.PermManageReports) {
		ps, err := s.st.PhotosToReview(ctx, c.orgID, "pending", 100)
		if err != nil {
			return err
		}
		v.StaffPhotos, v.PendingPhotos = true, len(ps)
	}
	if v.Reports, err = s.publicReports(ctx, c.orgID, service, from, to, nil, reportListMax); err != nil {
		return err
	}
	if err := s.areaTable(ctx, c.orgID, &v, specs, from, to); err != nil {
		return err
	}
	return s.render(w, r, c, "reports", http.StatusOK, &page{Title: s.cat.T(c.lang, "reports.title"), Active: "reports-public", Data: v})
}

// areaTable fills the counts by area and category (non-sensitive
// categories only; sensitive ones as city-wide totals) from the
// citizen-reports dataset, suppressing counts below K.
func (s *Server) areaTable(ctx context.Context, orgID int64, v *reportsView, specs []open311.ServiceSpec, from, to time.Time) error {
	k := int64(s.cfg.SuppressBelow)
	sup := func(n int64) cellCount { return cellCount{N: n, Suppressed: n > 0 && n < k} }
	sensitive := map[string]bool{}
	var cats []string
	for _, sp := range specs {
		if v.Service != "" && sp.Code != v.Service {
			continue
		}
		if sp.Sensitive {
			sensitive[sp.Name] = true
		} else {
			cats = append(cats, sp.Name)
		}
	}
	v.Categories = cats
	ds, err := s.st.DatasetByName(ctx, orgID, hub.CitizenReportsDataset)
	if apperr.CodeOf(err) == apperr.NotFound || v.Layer == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	counts, err := s.st.CountByAreaCategory(ctx, ds.ID, v.Layer, from, to)
	if err != nil {
		return err
	}
	areas, err := s.st.Areas(ctx, orgID, v.Layer, false)
	if err != nil {
		return err
	}
	byArea := map[int64]map[string]int64{}
	for _, x := range counts {
		if byArea[x.AreaID] == nil {
			byArea[x.AreaID] = map[string]int64{}
		}
		byArea[x.AreaID][x.Category] += x.Count
	}
	for _, a := range areas {
		m := byArea[a.ID]
		if m == nil {
			continue
		}
		row := areaRow{Area: a}
		var total int64
		for _, cat := range cats {
			row.Counts = append(row.Counts, sup(m[cat]))
			total += m[cat]
		}
		if total == 0 {
			continue
		}
		// a total is given exactly only when none of its parts is
		// suppressed: otherwise total minus the parts shown would give
		// the suppressed count away
		row.Total = sup(total)
		var shown int64
		hidden := false
		for _, cc := range row.Counts {
			if cc.Suppressed {
				hidden = true
				v.Hidden++
			} else {
				shown += cc.N
			}
		}
		if hidden && !row.Total.Suppressed {
			row.Total = cellCount{N: max(shown, k), Suppressed: true, AtLeast: true}
		}
		v.Rows = append(v.Rows, row)
		v.N += int(shown)
	}
	sort.SliceStable(v.Rows, func(i, j int) bool { return v.Rows[i].Total.N > v.Rows[j].Total.N })
	// sensitive categories: one city-wide count each, from the same dataset
	if len(sensitive) > 0 {
		tot, err := s.st.CountByCategory(ctx, ds.ID, from, to)
		if err != nil {
			return err
		}
		for _, sp := range specs {
			if sensitive[sp.Name] {
				v.Sensitive = append(v.Sensitive, sensitiveTotal{Name: sp.Name, Count: sup(tot[sp.Name])})
			}
		}
	}
	return nil
}

// reportCells answers the map's GeoJSON: one point per grid cell (the
// cell's centre) with the number of published, non-sensitive reports per
// category; a count below K is given as "fewer than K", not as a number.
func (s *Server) reportCells(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	service, days, _ := s.reportFilter(r)
	to := s.now()
	from := to.Add(-time.Duration(days) * 24 * time.Hour)
	reps, err := s.publicReports(ctx, c.orgID, service, from, to, nil, 5000)
	if err != nil {
		return err
	}
	type cell struct {
		lat, lon float64
		n        int64
		cats     map[string]int64
	}
	cells := map[[2]float64]*cell{}
	var keys [][2]float64
	for _, p := range reps {
		if !p.Located || p.Withheld {
			continue
		}
		k := [2]float64{*p.Lat, *p.Long}
		cl, ok := cells[k]
		if !ok {
			cl = &cell{lat: k[0], lon: k[1], cats: map[string]int64{}}
			cells[k] = cl
			keys = append(keys, k)
		}
		cl.n++
		cl.cats[p.ServiceName]++
	}
	k := int64(s.cfg.SuppressBelow)
	type feature struct {
		Type       string         `json:"type"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string         `json:"type"`
		Features []feature      `json:"features"`
		Method   map[string]any `json:"method"`
	}{Type: "FeatureCollection", Features: []feature{}, Method: map[string]any{
		"grid_m": s.cfg.Reports.GridMetres, "suppress_below": k, "days": days,
		"description": "published reports of non-sensitive categories, each moved to the centre of its grid cell; counts below suppress_below are not given"}}
	for _, key := range keys {
		cl := cells[key]
		cats := map[string]any{}
		for name, n := range cl.cats {
			if n < k {
				cats[name] = nil
			} else {
				cats[name] = n
			}
		}
		// the cell's total is given only when none of its categories is
		// withheld (total minus the others would give it away)
		withheld := cl.n < k
		for _, n := range cl.cats {
			if n < k {
				withheld = true
			}
		}
		props := map[string]any{"categories": cats, "count": cl.n, "suppressed": withheld}
		if withheld {
			props["count"] = nil
		}
		fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: map[string]any{"type": "Point", "coordinates": []float64{cl.lon, cl.lat}}, Properties: props})
	}
	return writeJSON(w, fc)
}

// reportPhoto serves a photo that staff approved; any other answers 404.
func (s *Server) reportPhoto(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id := atoi64(strings.TrimSuffix(strings.TrimSuffix(r.PathValue("id"), ".jpg"), ".png"))
	p, err := s.st.ReportPhoto(r.Context(), c.orgID, id)
	if err != nil || p.Moderation != "approved" || p.RequestID == 0 {
		return apperr.New(apperr.NotFound, "%s", s.cat.T(c.lang, "report.photo.notfound"))
	}
	q, err := s.st.ServiceRequest(r.Context(), c.orgID, p.RequestID)
	if err != nil || q.Moderation != string(open311.ModApproved) || q.Sensitive {
		return apperr.New(apperr.NotFound, "%s", s.cat.T(c.lang, "report.photo.notfound"))
	}
	w.Header().Set("Content-Type", p.MIME)
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err = w.Write(p.Data)
	return err
}

// ---------------------------------------------------------------- Atom feed

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Link    []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title    string       `xml:"title"`
	ID       string       `xml:"id"`
	Updated  string       `xml:"updated"`
	Link     atomLink     `xml:"link"`
	Category atomCategory `xml:"category"`
	Content  atomContent  `xml:"content"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr"`
}

type atomContent struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// reportFeed answers /reports/feed/{area}.atom: the published reports of
// non-sensitive categories located in the area (by its code; "all" for
// the whole city), newest first, with no personal data: category, status,
// dates, the description, the location snapped to the grid.
func (s *Server) reportFeed(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	code, ok := strings.CutSuffix(r.PathValue("area"), ".atom")
	if !ok || code == "" {
		return apperr.New(apperr.NotFound, "%s", s.cat.T(c.lang, "reports.feed.notfound"))
	}
	org, err := s.st.Org(ctx, c.orgID)
	if err != nil {
		return err
	}
	title := s.cat.T(c.lang, "reports.feed.title", "city", org.Name)
	var ids []int64
	if code != "all" {
		area, err := s.areaByCode(ctx, c.orgID, code, atoi64(r.URL.Query().Get("layer")))
		if err != nil {
			return err
		}
		title = s.cat.T(c.lang, "reports.feed.areatitle", "area", area.Name, "city", org.Name)
		ds, err := s.st.DatasetByName(ctx, c.orgID, hub.CitizenReportsDataset)
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		if err == nil {
			srcs, err := s.st.SourceIDsInArea(ctx, ds.ID, area.ID, 200)
			if err != nil {
				return err
			}
			for _, x := range srcs {
				if id, err := strconv.ParseInt(x, 10, 64); err == nil {
					ids = append(ids, id)
				}
			}
		}
		if len(ids) == 0 {
			ids = []int64{-1}
		}
	}
	reps, err := s.publicReports(ctx, c.orgID, "", time.Time{}, time.Time{}, ids, 200)
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	self := base + r.URL.Path
	f := atomFeed{Title: title, ID: self, Link: []atomLink{{Rel: "self", Href: self, Type: "application/atom+xml"}, {Rel: "alternate", Href: base + "/reports", Type: "text/html"}},
		Author: atomAuthor{Name: org.Name}, Updated: open311.FormatTime(s.now())}
	n := 0
	for _, p := range reps {
		if p.Withheld || n >= reportListMax {
			continue
		}
		n++
		if n == 1 {
			f.Updated = p.UpdatedDatetime
		}
		var body strings.Builder
		body.WriteString(s.cat.T(c.lang, "reports.feed.status", "status", s.cat.T(c.lang, p.Status)))
		if p.Description != "" {
			body.WriteString("\n\n" + p.Description)
		}
		if p.StatusNotes != "" {
			body.WriteString("\n\n" + s.cat.T(c.lang, "reports.feed.answer") + " " + p.StatusNotes)
		}
		if p.Located {
			body.WriteString("\n\n" + s.cat.T(c.lang, "reports.feed.location", "lat", fmt.Sprintf("%.4f", *p.Lat), "lon", fmt.Sprintf("%.4f", *p.Long), "grid", s.cfg.Reports.GridMetres))
		}
		f.Entries = append(f.Entries, atomEntry{
			Title:    p.ServiceName + " — " + s.cat.T(c.lang, p.Status),
			ID:       base + "/reports#r" + p.ServiceRequestID,
			Updated:  p.UpdatedDatetime,
			Link:     atomLink{Href: base + "/reports#r" + p.ServiceRequestID},
			Category: atomCategory{Term: p.ServiceCode, Label: p.ServiceName},
			Content:  atomContent{Type: "text", Body: body.String()},
		})
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, err = w.Write(b.Bytes())
	return err
}

// areaByCode finds an area of the organisation by its code (in layer, or
// in any layer when 0).
func (s *Server) areaByCode(ctx context.Context, orgID int64, code string, layer int64) (store.Area, error) {
	as, err := s.st.Areas(ctx, orgID, layer, false)
	if err != nil {
		return store.Area{}, err
	}
	for _, a := range as {
		if a.Code == code {
			return a, nil
		}
	}
	return store.Area{}, apperr.New(apperr.NotFound, "no area with code %q", truncate(code, 60))
}

// ---------------------------------------------------------------- photo moderation (staff)

func (s *Server) reportPhotosPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	state := r.URL.Query().Get("state")
	if state != "approved" && state != "hidden" {
		state = "pending"
	}
	ps, err := s.st.PhotosToReview(r.Context(), c.orgID, state, 100)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "report_photos", http.StatusOK, &page{Title: s.cat.T(c.lang, "report.photos.title"), Active: "report-photos",
		Flash: r.URL.Query().Get("done"), Data: map[string]any{"Photos": ps, "State": state}})
}

// reportPhotoStaff serves any photo of the organisation to staff.
func (s *Server) reportPhotoStaff(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.st.ReportPhoto(r.Context(), c.orgID, atoi64(r.PathValue("id")))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", p.MIME)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(p.Data)
	return err
}

// reportPhotoModerate approves or hides a photo (audited).
func (s *Server) reportPhotoModerate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var state string
	switch r.PostFormValue("action") {
	case "approve":
		state = "approved"
	case "hide":
		state = "hidden"
	case "pending":
		state = "pending"
	default:
		return apperr.New(apperr.Invalid, "action: approve, hide or pending")
	}
	id := atoi64(r.PathValue("id"))
	if err := s.st.ModeratePhoto(r.Context(), c.orgID, id, state, c.user.Email, c.user.ID, clientIP(r)); err != nil {
		return err
	}
	label := map[string]string{"approved": "report.photo.approved", "hidden": "report.photo.hidden", "pending": "report.photo.pending"}[state]
	done := s.cat.T(c.lang, "report.photos.done", "id", id, "state", s.cat.T(c.lang, label))
	http.Redirect(w, r, "/report/photos?done="+url.QueryEscape(done), http.StatusSeeOther)
	return nil
}

// reportRoutes: the public report form, the private follow page and the
// public view of reports. All public: the form checks its own CSRF token
// (a double-submit cookie) for people not signed in.
func (s *Server) reportRoutes() []route {
	return []route{
		{"GET /report", auth.PermPublic, false, s.reportForm},
		{"POST /report", auth.PermPublic, false, s.reportSubmit},
		{"GET /report/follow/{secret}", auth.PermPublic, false, s.reportFollow},
		{"GET /reports", auth.PermPublic, false, s.reportsPage},
		{"GET /reports/cells.json", auth.PermPublic, true, s.reportCells},
		{"GET /reports/feed/{area}", auth.PermPublic, false, s.reportFeed},
		{"GET /reports/photo/{id}", auth.PermPublic, false, s.reportPhoto},
		{"GET /report/photos", auth.PermManageReports, false, s.reportPhotosPage},
		{"GET /report/photos/{id}", auth.PermManageReports, false, s.reportPhotoStaff},
		{"POST /report/photos/{id}", auth.PermManageReports, false, s.reportPhotoModerate},
	}
}
