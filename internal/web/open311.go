package web

// Open311 GeoReport v2 under /open311/v2/ (docs/open311.md). The routes are
// public (PermPublic); POST requests checks the api_key itself. Every answer,
// errors included, is in the format the path's extension names, with the
// spec's error array and 400/403/404 statuses.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
)

// Limits of the Open311 API (per fixed window, shared by all nodes through
// the store's rate limiter).
const (
	o311Window         = time.Minute // POST limits (config.Open311Limits) count per minute
	o311BadKeyWindow   = 10 * time.Minute
	o311QueryWindow    = 90 * 24 * time.Hour // the spec's default and maximum span
	o311DefaultLimit   = 1000                // the spec's default count
	o311MaxIDs         = 1000
	o311UpdatesDefault = 1000
)

// o311Error is an error answered in the spec's format with an HTTP status.
type o311Error struct {
	status int
	errs   open311.ErrorList
}

func (e *o311Error) Error() string {
	var parts []string
	for _, x := range e.errs {
		parts = append(parts, x.Description)
	}
	return strings.Join(parts, "; ")
}

func o311Err(status int, format string, args ...any) *o311Error {
	return &o311Error{status: status, errs: open311.ErrorList{{Code: status, Description: fmt.Sprintf(format, args...)}}}
}

// fieldErrs turns validation errors into a 400 with one entry per field.
func fieldErrs(fe open311.FieldErrors) *o311Error {
	e := &o311Error{status: http.StatusBadRequest}
	for _, f := range fe {
		e.errs = append(e.errs, open311.Error{Code: http.StatusBadRequest, Description: f.Field + ": " + f.Message})
	}
	return e
}

// o311Format is the format the path asks for (its extension).
func o311Format(r *http.Request) open311.Format {
	if strings.HasSuffix(r.URL.Path, ".json") {
		return open311.JSON
	}
	return open311.XML
}

// o311 adapts an Open311 handler: it writes the document in the path's
// format; an error goes back to wrap, which writes it as the spec's error
// array (o311Fail): nothing on these paths reaches the generic JSON writer.
func (s *Server) o311(h func(r *http.Request, c *reqCtx, f open311.Format) (status int, doc any, err error)) func(http.ResponseWriter, *http.Request, *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		f := o311Format(r)
		status, doc, err := h(r, c, f)
		if err != nil {
			return err
		}
		return o311Write(w, f, status, doc)
	}
}

// o311Fail writes err as the spec's error array in the path's format.
func (s *Server) o311Fail(w http.ResponseWriter, r *http.Request, err error) {
	var oe *o311Error
	var fe open311.FieldErrors
	switch {
	case errors.As(err, &oe):
	case errors.As(err, &fe):
		oe = fieldErrs(fe)
	default:
		code := apperr.CodeOf(err)
		st := httpStatus(code)
		msg := apperr.MessageOf(err)
		if code == apperr.Internal {
			s.log.Error("open311 request failed", "path", r.URL.Path, "err", err)
			st, msg = http.StatusInternalServerError, "internal error"
		}
		oe = o311Err(st, "%s", msg)
	}
	if werr := o311Write(w, o311Format(r), oe.status, oe.errs); werr != nil {
		s.log.Error("open311 error not written", "path", r.URL.Path, "err", werr)
	}
}

// o311Write writes an Open311 document with its status.
func o311Write(w http.ResponseWriter, f open311.Format, status int, doc any) error {
	var buf bytes.Buffer
	if err := open311.Encode(&buf, f, doc); err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Access-Control-Allow-Origin", "*") // GeoReport clients run in other origins
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// o311Org resolves jurisdiction_id: optional on a single-city install (but
// must name it when given), required when the server holds several cities.
// A jurisdiction is named by its organisation's slug.
func (s *Server) o311Org(ctx context.Context, jurisdiction string) (store.Org, error) {
	orgs, err := s.st.Orgs(ctx)
	if err != nil {
		return store.Org{}, err
	}
	jurisdiction = strings.TrimSpace(jurisdiction)
	if jurisdiction == "" {
		switch len(orgs) {
		case 0:
			return store.Org{}, o311Err(http.StatusNotFound, "this server has no jurisdiction yet")
		case 1:
			return orgs[0], nil
		}
		return store.Org{}, o311Err(http.StatusBadRequest, "jurisdiction_id was not provided (this server serves several jurisdictions)")
	}
	for _, o := range orgs {
		if o.Slug == jurisdiction {
			return o, nil
		}
	}
	return store.Org{}, o311Err(http.StatusNotFound, "jurisdiction_id %q not found", truncate(jurisdiction, 60))
}

// o311Services returns the organisation's services, seeding the defaults
// the first time.
func (s *Server) o311Services(ctx context.Context, orgID int64, activeOnly bool) ([]open311.ServiceSpec, []store.Service311, error) {
	seeded, err := s.st.ServicesSeeded(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	if !seeded {
		var defs []store.Service311
		for _, d := range open311.DefaultServices() {
			defs = append(defs, serviceToStore(orgID, d))
		}
		if _, err := s.st.SeedServices(ctx, orgID, defs); err != nil {
			return nil, nil, err
		}
	}
	rows, err := s.st.Services311(ctx, orgID, activeOnly)
	if err != nil {
		return nil, nil, err
	}
	specs := make([]open311.ServiceSpec, 0, len(rows))
	for _, v := range rows {
		sp, err := serviceFromStore(v)
		if err != nil {
			return nil, nil, err
		}
		specs = append(specs, sp)
	}
	return specs, rows, nil
}

func serviceToStore(orgID int64, d open311.ServiceSpec) store.Service311 {
	attrs, _ := json.Marshal(d.Attributes)
	if d.Attributes == nil {
		attrs = []byte("[]")
	}
	t := d.Type
	if t == "" {
		t = open311.Realtime
	}
	return store.Service311{OrgID: orgID, Code: d.Code, Name: d.Name, Description: d.Description, Group: d.Group, Keywords: d.Keywords,
		Type: string(t), Sensitive: d.Sensitive, ICCS: d.ICCS, Department: d.Department, Notice: d.Notice, Attributes: string(attrs), Active: true}
}

func serviceFromStore(v store.Service311) (open311.ServiceSpec, error) {
	sp := open311.ServiceSpec{Code: v.Code, Name: v.Name, Description: v.Description, Group: v.Group, Keywords: v.Keywords,
		Type: open311.ServiceType(v.Type), Sensitive: v.Sensitive, ICCS: v.ICCS, Department: v.Department, Notice: v.Notice}
	if v.Attributes != "" {
		if err := json.Unmarshal([]byte(v.Attributes), &sp.Attributes); err != nil {
			return sp, err
		}
	}
	return sp, nil
}

// record turns a stored request into the capability's record.
func record(q store.ServiceRequest) open311.Record {
	return open311.Record{ID: q.ID, ServiceCode: q.ServiceCode, ServiceName: q.ServiceName, Sensitive: q.Sensitive, Department: q.Department,
		Notice: q.ServiceNotice, Status: open311.Status(q.Status), StatusNotes: q.StatusNotes, Moderation: open311.Moderation(q.Moderation),
		Description: q.Description, HasLocation: q.HasLoc, Lat: q.Lat, Long: q.Lon, Address: q.Address, AddressID: q.AddressID, Zipcode: q.Zipcode,
		MediaURL: q.MediaURL, Requested: q.Requested, Updated: q.Updated, Expected: q.Expected}
}

// publicNotes is a request's public history as the notes extension shows it.
func (s *Server) publicNotes(ctx context.Context, id int64) ([]open311.Note, error) {
	us, err := s.st.RequestUpdates(ctx, id, true)
	if err != nil {
		return nil, err
	}
	out := make([]open311.Note, 0, len(us))
	for _, u := range us {
		st := open311.Status(u.Status)
		out = append(out, open311.Note{Datetime: open311.FormatTime(u.At), Type: u.Kind, Status: st.Projected(), Description: u.Description})
	}
	return out, nil
}

// baseURL is the server's public URL.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ---------------------------------------------------------------- handlers

func (s *Server) o311Discovery(r *http.Request, c *reqCtx, f open311.Format) (int, any, error) {
	ctx := r.Context()
	org, err := s.o311Org(ctx, r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return 0, nil, err
	}
	_, rows, err := s.o311Services(ctx, org.ID, false)
	if err != nil {
		return 0, nil, err
	}
	var changed time.Time
	for _, v := range rows {
		if v.Updated.After(changed) {
			changed = v.Updated
		}
	}
	cs := open311.FormatTime(changed)
	return 200, &open311.Discovery{
		Changeset:  cs,
		Contact:    org.Name + " — Icarus, " + s.baseURL(r),
		KeyService: "API keys are issued by the city's Icarus administrator (icarus apikey add --name NAME). Reading needs no key.",
		Endpoints: []open311.Endpoint{{Specification: open311.Specification, URL: s.baseURL(r) + "/open311/v2", Changeset: cs, Type: "production",
			Formats: []string{open311.XML.MIME(), open311.JSON.MIME()}}},
	}, nil
}

func (s *Server) o311ServiceList(r *http.Request, c *reqCtx, f open311.Format) (int, any, error) {
	org, err := s.o311Org(r.Context(), r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return 0, nil, err
	}
	specs, _, err := s.o311Services(r.Context(), org.ID, true)
	if err != nil {
		return 0, nil, err
	}
	out := make(open311.ServiceList, 0, len(specs))
	for _, sp := range specs {
		out = append(out, sp.Public())
	}
	return 200, out, nil
}

func (s *Server) o311ServiceDefinition(r *http.Request, c *reqCtx, f open311.Format) (int, any, error) {
	code, _, ok := open311.SplitFormat(r.PathValue("code"))
	if !ok {
		return 0, nil, o311Err(http.StatusNotFound, "append .xml or .json to the service_code")
	}
	org, err := s.o311Org(r.Context(), r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return 0, nil, err
	}
	specs, _, err := s.o311Services(r.Context(), org.ID, true)
	if err != nil {
		return 0, nil, err
	}
	for _, sp := range specs {
		if sp.Code == code {
			return 200, sp.Definition(), nil
		}
	}
	return 0, nil, o311Err(http.StatusNotFound, "service_code %q not found", truncate(code, 60))
}

// o311Post creates a service request (POST requests.{fmt}).
//
// The per-address and per-key limits are counted in the transaction that
// stores the request (store.CreateServiceRequest): one commit per accepted
// request instead of three. A request refused earlier (unreadable form,
// missing or wrong key, unknown jurisdiction, invalid fields) still counts
// against the limits and gets 429 rather than its own error once over them,
// as when the limits were checked first.
func (s *Server) o311Post(r *http.Request, c *reqCtx, f open311.Format) (int, any, error) {
	ctx := r.Context()
	ip := clientIP(r)
	lim := s.cfg.Open311
	hits := []store.RateHit{{Bucket: "o311post:ip:" + ip, Limit: lim.PostPerIP, Window: o311Window}}
	refuse := func(err error) (int, any, error) {
		for _, h := range hits {
			if ok, rerr := s.rateLimit(ctx, h.Bucket, h.Limit, h.Window); rerr != nil {
				return 0, nil, rerr
			} else if !ok {
				return 0, nil, o311RateLimited(h.Bucket)
			}
		}
		return 0, nil, err
	}
	form, err := readFormLimit(r, lim.MaxBodyBytes)
	if err != nil {
		return refuse(err)
	}
	key := strings.TrimSpace(form.Get("api_key"))
	if key == "" {
		return refuse(o311Err(http.StatusForbidden, "api_key is missing -- can't proceed with create_request"))
	}
	k, err := s.st.APIKeyByKey(ctx, key)
	if apperr.CodeOf(err) == apperr.NotFound {
		if ok, rerr := s.rateLimit(ctx, "o311post:ip:"+ip, lim.PostPerIP, o311Window); rerr != nil {
			return 0, nil, rerr
		} else if !ok {
			return 0, nil, o311RateLimited("o311post:ip:" + ip)
		}
		if ok, rerr := s.rateLimit(ctx, "o311badkey:"+ip, lim.BadKeysPerIP, o311BadKeyWindow); rerr == nil && !ok {
			return 0, nil, o311Err(http.StatusTooManyRequests, "too many invalid api_keys from this address")
		}
		return 0, nil, o311Err(http.StatusForbidden, "Invalid api_key received -- can't proceed with create_request")
	}
	if err != nil {
		return 0, nil, err
	}
	hits = append(hits, store.RateHit{Bucket: "o311post:key:" + strconv.FormatInt(k.ID, 10), Limit: lim.PostPerKey, Window: o311Window})
	org, err := s.o311Org(ctx, form.Get("jurisdiction_id"))
	if err != nil {
		if oe := (*o311Error)(nil); errors.As(err, &oe) && oe.status == http.StatusBadRequest && form.Get("jurisdiction_id") == "" {
			// several cities, no jurisdiction_id: the key's city is meant
			if org, err = s.st.Org(ctx, k.OrgID); err != nil {
				return 0, nil, err
			}
		} else {
			return refuse(err)
		}
	}
	if org.ID != k.OrgID {
		return refuse(o311Err(http.StatusForbidden, "this api_key is not valid for jurisdiction %q", org.Slug))
	}
	ack, _, err := s.createRequest(ctx, org.ID, form, "api", k.ID, false, hits...)
	if rl := (*store.RateLimitedError)(nil); errors.As(err, &rl) {
		return 0, nil, o311RateLimited(rl.Bucket)
	}
	if err != nil {
		if code := apperr.CodeOf(err); code == apperr.Internal && !isO311Refusal(err) {
			return 0, nil, err
		}
		return refuse(err) // refused before storing: the hits were not counted
	}
	return 200, open311.AckList{ack}, nil
}

// isO311Refusal reports whether err is the request's fault (an Open311
// error or invalid fields), not the server's.
func isO311Refusal(err error) bool {
	var oe *o311Error
	var fe open311.FieldErrors
	return errors.As(err, &oe) || errors.As(err, &fe)
}

// o311RateLimited is the 429 of a POST limit's bucket.
func o311RateLimited(bucket string) *o311Error {
	if strings.HasPrefix(bucket, "o311post:key:") {
		return o311Err(http.StatusTooManyRequests, "too many requests with this api_key; try again in a minute")
	}
	return o311Err(http.StatusTooManyRequests, "too many requests from this address; try again in a minute")
}

// readForm reads a form-encoded POST body of at most open311.MaxFormBytes.
func readForm(r *http.Request) (url.Values, error) { return readFormLimit(r, open311.MaxFormBytes) }

// readFormLimit reads a form-encoded POST body of at most limit bytes.
func readFormLimit(r *http.Request, limit int64) (url.Values, error) {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return nil, o311Err(http.StatusBadRequest, "send the arguments as application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, o311Err(http.StatusRequestEntityTooLarge, "the request is larger than %d bytes", limit)
		}
		return nil, o311Err(http.StatusBadRequest, "unreadable form: %s", err.Error())
	}
	return r.Form, nil
}

// createRequest validates and stores a request from form arguments; web
// reports (follow=true) also get a private follow token.
// hits are the rate limits counted in the same transaction as the insert
// (store.CreateServiceRequest).
func (s *Server) createRequest(ctx context.Context, orgID int64, form url.Values, channel string, keyID int64, follow bool, hits ...store.RateHit) (open311.Ack, string, error) {
	sub, fe := open311.DecodeRequest(form)
	var spec open311.ServiceSpec
	var row store.Service311
	if sub.ServiceCode != "" {
		var found bool
		var err error
		if spec, row, found, err = s.o311Service(ctx, orgID, sub.ServiceCode); err != nil { // open311_staff_limits.go
			return open311.Ack{}, "", err
		}
		if !found {
			return open311.Ack{}, "", o311Err(http.StatusNotFound, "service_code %q not found", sub.ServiceCode)
		}
		fe = append(fe, sub.CheckAttributes(spec.Attributes)...)
	}
	if len(fe) > 0 {
		return open311.Ack{}, "", fe
	}
	attrs, err := json.Marshal(sub.Attributes)
	if err != nil {
		return open311.Ack{}, "", err
	}
	q := store.ServiceRequest{OrgID: orgID, ServiceID: row.ID, Channel: channel, APIKeyID: keyID, Status: string(open311.StatusOpen),
		Moderation: string(open311.ModApproved), Department: spec.Department, Description: sub.Description, HasLoc: sub.HasLocation,
		Lat: sub.Lat, Lon: sub.Long, Address: sub.AddressString, AddressID: sub.AddressID, Email: sub.Email, FirstName: sub.FirstName,
		LastName: sub.LastName, Phone: sub.Phone, DeviceID: sub.DeviceID, AccountID: sub.AccountID, MediaURL: sub.MediaURL, Attributes: string(attrs)}
	if spec.Sensitive {
		q.Moderation = string(open311.ModPending)
	}
	if spec.Type == open311.Batch {
		if q.Token, err = auth.NewToken(rand.Reader, 12); err != nil {
			return open311.Ack{}, "", err
		}
	}
	var followTok, followHash string
	if follow {
		if followTok, err = auth.NewToken(rand.Reader, 24); err != nil {
			return open311.Ack{}, "", err
		}
		followHash = store.HashToken(followTok)
	}
	q, err = s.st.CreateServiceRequest(ctx, q, followHash, hits...)
	if err != nil {
		return open311.Ack{}, "", err
	}
	ack := open311.Ack{ServiceNotice: spec.Notice}
	switch spec.Type {
	case open311.Batch:
		ack.Token = q.Token
	case open311.Blackbox:
	default:
		ack.ServiceRequestID = strconv.FormatInt(q.ID, 10)
	}
	if spec.Sensitive && ack.ServiceNotice == "" {
		ack.ServiceNotice = "Thank you. Reports of this kind are checked by staff before anything is published."
	}
	return ack, followTok, nil
}

func (s *Server) o311Token(r *http.Request, c *reqCtx, f open311.Format) (int, any, error) {
	tok, _, ok := open311.SplitFormat(r.PathValue("token"))
	if !ok || tok == "" {
		return 0, nil, o311Err(http.StatusNotFound, "append .xml or .json to the token")
	}
	org, err := s.o311Org(r.Context(), r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return 0, nil, err
	}
	q, err := s.st.ServiceRequestByToken(r.Context(), org.ID, tok)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return 0, nil, o311Err(http.StatusNotFound, "token not found")
		}
		return 0, nil, err
	}
	return 200, open311.TokenList{{ServiceRequestID: strconv.FormatInt(q.ID, 10), Token: tok}}, nil
}

// viewOptions reads extensions=true.
func viewOptions(r *http.Request) open311.ViewOptions {
	return open311.ViewOptions{GridMetres: open311.DefaultGridMetres, Extensions: r.URL.Query().Get("extensions") == "true"}
}

func (s *Server) o311Request(r *http.Request, c *reqCtx, f open311.Format) (int, any, error) {
	idStr, _, ok := open311.SplitFormat(r.PathValue("id"))
	if !ok {
		return 0, nil, o311Err(http.StatusNotFound, "append .xml or .json to the service_request_id")
	}
	org, err := s.o311Org(r.Context(), r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return 0, nil, err
	}
	id, perr := strconv.ParseInt(idStr, 10, 64)
	var q store.ServiceRequest
	if perr == nil {
		q, err = s.st.ServiceRequest(r.Context(), org.ID, id)
	}
	if perr != nil || apperr.CodeOf(err) == apperr.NotFound || (err == nil && q.Moderation == string(open311.ModHidden)) {
		return 0, nil, o311Err(http.StatusNotFound, "service_request_id %q not found", truncate(idStr, 40))
	}
	if err != nil {
		return 0, nil, err
	}
	o := viewOptions(r)
	rec := record(q)
	if o.Extensions {
		if rec.Notes, err = s.publicNotes(r.Context(), q.ID); err != nil {
			return 0, nil, err
		}
	}
	return 200, open311.RequestList{rec.Public(o)}, nil
}

// o311Requests answers GET requests.{fmt}: the filters of the spec, the
// 90-day/1,000-request default window, page/page_size and extensions=true.
func (s *Server) o311Requests(r *http.Request, c *reqCtx, f open311.Format) (int, any, error) {
	ctx := r.Context()
	qv := r.URL.Query()
	org, err := s.o311Org(ctx, qv.Get("jurisdiction_id"))
	if err != nil {
		return 0, nil, err
	}
	q, fe := s.requestQuery(qv)
	if len(fe) > 0 {
		return 0, nil, fe
	}
	q.OrgID = org.ID
	q.Moderation = []string{string(open311.ModApproved)}
	rows, err := s.st.ServiceRequests(ctx, q)
	if err != nil {
		return 0, nil, err
	}
	o := viewOptions(r)
	out := make(open311.RequestList, 0, len(rows))
	for _, row := range rows {
		rec := record(row)
		if o.Extensions {
			if rec.Notes, err = s.publicNotes(ctx, row.ID); err != nil {
				return 0, nil, err
			}
		}
		out = append(out, rec.Public(o))
	}
	return 200, out, nil
}

// requestQuery reads the filters of GET requests.
func (s *Server) requestQuery(qv url.Values) (store.RequestQuery, open311.FieldErrors) {
	var fe open311.FieldErrors
	add := func(field, msg string) { fe = append(fe, open311.FieldError{Field: field, Message: msg}) }
	q := store.RequestQuery{NewestFirst: true, Limit: o311DefaultLimit}
	if v := strings.TrimSpace(qv.Get("page_size")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > o311DefaultLimit {
			add("page_size", fmt.Sprintf("must be a whole number from 1 to %d", o311DefaultLimit))
		} else {
			q.Limit = n
		}
	}
	if v := strings.TrimSpace(qv.Get("page")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			add("page", "must be a whole number from 1")
		} else {
			q.Offset = (n - 1) * q.Limit
		}
	}
	if v := strings.TrimSpace(qv.Get("service_request_id")); v != "" {
		// overrides every other filter
		parts := strings.Split(v, ",")
		if len(parts) > o311MaxIDs {
			add("service_request_id", fmt.Sprintf("at most %d ids", o311MaxIDs))
			return q, fe
		}
		for _, p := range parts {
			if id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil && id > 0 {
				q.IDs = append(q.IDs, id)
			}
		}
		if len(q.IDs) == 0 {
			q.IDs = []int64{-1} // ids that cannot exist: an empty answer
		}
		return q, fe
	}
	if v := strings.TrimSpace(qv.Get("service_code")); v != "" {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				q.ServiceCodes = append(q.ServiceCodes, p)
			}
		}
		if len(q.ServiceCodes) > 100 {
			add("service_code", "at most 100 codes")
		}
	}
	if v := strings.TrimSpace(qv.Get("status")); v != "" {
		for _, p := range strings.Split(v, ",") {
			sts, ok := open311.StatusesFor(strings.TrimSpace(p))
			if !ok {
				add("status", "must be open, closed or both (comma-separated)")
				break
			}
			for _, st := range sts {
				q.Statuses = append(q.Statuses, string(st))
			}
		}
	}
	var from, to time.Time
	var err error
	if v := strings.TrimSpace(qv.Get("start_date")); v != "" {
		if from, err = open311.ParseTime(v); err != nil {
			add("start_date", "must be a w3c datetime with a timezone, e.g. 2010-01-01T00:00:00Z")
		}
	}
	if v := strings.TrimSpace(qv.Get("end_date")); v != "" {
		if to, err = open311.ParseTime(v); err != nil {
			add("end_date", "must be a w3c datetime with a timezone, e.g. 2010-01-01T00:00:00Z")
		}
	}
	if len(fe) > 0 {
		return q, fe
	}
	switch {
	case from.IsZero() && to.IsZero():
		to = s.now()
		from = to.Add(-o311QueryWindow)
	case to.IsZero():
		to = from.Add(o311QueryWindow)
	case from.IsZero():
		from = to.Add(-o311QueryWindow)
	case to.Before(from):
		add("end_date", "is before start_date")
	case to.Sub(from) > o311QueryWindow:
		add("end_date", "start_date and end_date may not span more than 90 days")
	}
	q.From, q.To = from, to
	return q, fe
}

// o311Updates answers FixMyStreet's GET servicerequestupdates.{fmt}: the
// public status changes and answers between start_date and end_date
// (default: the last 90 days), oldest first.
func (s *Server) o311Updates(r *http.Request, c *reqCtx, f open311.Format) (int, any, error) {
	ctx := r.Context()
	qv := r.URL.Query()
	org, err := s.o311Org(ctx, qv.Get("jurisdiction_id"))
	if err != nil {
		return 0, nil, err
	}
	var fe open311.FieldErrors
	to, from := s.now(), time.Time{}
	if v := strings.TrimSpace(qv.Get("start_date")); v != "" {
		if from, err = open311.ParseTime(v); err != nil {
			fe = append(fe, open311.FieldError{Field: "start_date", Message: "must be a w3c datetime with a timezone"})
		}
	}
	if v := strings.TrimSpace(qv.Get("end_date")); v != "" {
		if to, err = open311.ParseTime(v); err != nil {
			fe = append(fe, open311.FieldError{Field: "end_date", Message: "must be a w3c datetime with a timezone"})
		}
	}
	if len(fe) > 0 {
		return 0, nil, fe
	}
	if from.IsZero() {
		from = to.Add(-o311QueryWindow)
	}
	us, err := s.st.PublicUpdates(ctx, org.ID, from, to, o311UpdatesDefault)
	if err != nil {
		return 0, nil, err
	}
	out := make(open311.UpdateList, 0, len(us))
	for _, u := range us {
		out = append(out, open311.Update{UpdateID: strconv.FormatInt(u.ID, 10), ServiceRequestID: strconv.FormatInt(u.RequestID, 10),
			Status: open311.Status(u.Status).FMS(), UpdatedDatetime: open311.FormatTime(u.At), Description: u.Description})
	}
	return 200, out, nil
}

// o311NotFound answers any other path under /open311/v2/ in the spec's format.
func (s *Server) o311NotFound(r *http.Request, c *reqCtx, f open311.Format) (int, any, error) {
	return 0, nil, o311Err(http.StatusNotFound, "no such GeoReport v2 resource: %s (paths end in .xml or .json)", truncate(r.URL.Path, 100))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// open311Routes: Open311 GeoReport v2, public; POST checks the api_key itself.
func (s *Server) open311Routes() []route {
	return []route{
		{"GET /open311/v2/discovery.xml", auth.PermPublic, true, s.o311(s.o311Discovery)},
		{"GET /open311/v2/discovery.json", auth.PermPublic, true, s.o311(s.o311Discovery)},
		{"GET /open311/v2/services.xml", auth.PermPublic, true, s.o311(s.o311ServiceList)},
		{"GET /open311/v2/services.json", auth.PermPublic, true, s.o311(s.o311ServiceList)},
		{"GET /open311/v2/services/{code}", auth.PermPublic, true, s.o311(s.o311ServiceDefinition)},
		{"POST /open311/v2/requests.xml", auth.PermPublic, true, s.o311(s.o311Post)},
		{"POST /open311/v2/requests.json", auth.PermPublic, true, s.o311(s.o311Post)},
		{"GET /open311/v2/requests.xml", auth.PermPublic, true, s.o311Cache(s.o311(s.o311Requests))},  // cache: open311_staff_cache.go
		{"GET /open311/v2/requests.json", auth.PermPublic, true, s.o311Cache(s.o311(s.o311Requests))}, // cache: open311_staff_cache.go
		{"GET /open311/v2/requests/{id}", auth.PermPublic, true, s.o311(s.o311Request)},
		{"GET /open311/v2/tokens/{token}", auth.PermPublic, true, s.o311(s.o311Token)},
		{"GET /open311/v2/servicerequestupdates.xml", auth.PermPublic, true, s.o311(s.o311Updates)},
		{"GET /open311/v2/servicerequestupdates.json", auth.PermPublic, true, s.o311(s.o311Updates)},
		{"GET /open311/v2/{rest...}", auth.PermPublic, true, s.o311(s.o311NotFound)},
	}
}
