package web

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/analysis/trend"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
)

// page is what every template gets.
type page struct {
	s      *Server
	c      *reqCtx
	Title  string
	Active string
	Flash  string
	Error  string
	Data   any
	Path   string
}

// T translates key into the request's language.
func (p *page) T(key string, args ...any) string { return p.s.cat.T(p.c.lang, key, args...) }

// Lang is the page language.
func (p *page) Lang() string { return p.c.lang }

// Langs are the available languages.
func (p *page) Langs() []string { return p.s.cat.Languages() }

// User is the signed-in user or nil.
func (p *page) User() *store.User { return p.c.user }

// CSRF is the session's form token.
func (p *page) CSRF() string { return p.c.csrf }

// Loading describes a data load running beside the server ("" when none):
// pages say so, since their figures are not complete yet.
func (p *page) Loading() string {
	if p.s.loading == nil {
		return ""
	}
	what, k, n, active := p.s.loading()
	if !active {
		return ""
	}
	return p.T("demo.loading", "what", what, "k", k, "n", n)
}

// Can reports whether the user has a permission (for navigation).
func (p *page) Can(perm string) bool { return auth.Allows(p.c.role, auth.Permission(perm)) }

// render executes a page template.
func (s *Server) render(w http.ResponseWriter, r *http.Request, c *reqCtx, name string, status int, p *page) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	p.s, p.c, p.Path = s, c, r.URL.Path
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// failPage shows an error page (or sends an anonymous user to sign in).
func (s *Server) failPage(w http.ResponseWriter, r *http.Request, c *reqCtx, err error) {
	code := apperr.CodeOf(err)
	if code == apperr.Unauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	msg := apperr.MessageOf(err)
	switch code {
	case apperr.Internal:
		s.log.Error("request failed", "path", r.URL.Path, "err", err)
		msg = s.cat.T(c.lang, "error.internal")
	case apperr.NotFound:
		if msg == "" {
			msg = s.cat.T(c.lang, "error.notfound")
		}
	case apperr.Forbidden:
		if msg == "" {
			msg = s.cat.T(c.lang, "error.forbidden")
		}
	}
	if rerr := s.render(w, r, c, "error", httpStatus(code), &page{Title: s.cat.T(c.lang, "common.error"), Error: msg}); rerr != nil {
		http.Error(w, msg, httpStatus(code))
	}
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c.user == nil {
		http.Redirect(w, r, "/public", http.StatusSeeOther)
		return nil
	}
	sums, err := s.st.DatasetSummaries(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	layers, err := s.st.Layers(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	org, err := s.st.Org(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "home", 200, &page{Title: org.Name, Active: "home", Data: map[string]any{"Org": org, "Datasets": sums, "Layers": layers}})
}

func (s *Server) signinForm(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.render(w, r, c, "signin", 200, &page{Title: s.cat.T(c.lang, "signin.title"), Data: map[string]string{"Next": safeNext(r.URL.Query().Get("next")), "Email": ""}})
}

// safeNext keeps only local paths as redirect targets.
func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.HasPrefix(n, "/\\") {
		return "/"
	}
	return n
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	next := safeNext(r.PostFormValue("next"))
	ip := clientIP(r)
	okIP, err := s.st.RateLimit(ctx, "signin:ip:"+ip, 20, 15*time.Minute)
	if err != nil {
		return err
	}
	okEmail, err := s.st.RateLimit(ctx, "signin:email:"+email, 10, 15*time.Minute)
	if err != nil {
		return err
	}
	data := map[string]string{"Next": next, "Email": email}
	if !okIP || !okEmail {
		s.st.Audit(ctx, store.AuditEntry{Actor: email, Action: "signin.ratelimited", IP: ip})
		w.Header().Set("Retry-After", "900")
		return s.render(w, r, c, "signin", http.StatusTooManyRequests, &page{Title: s.cat.T(c.lang, "signin.title"), Error: s.cat.T(c.lang, "signin.ratelimited"), Data: data})
	}
	u, hash, err := s.st.UserByEmail(ctx, email)
	if err == nil && !u.Disabled {
		err = auth.CheckPassword(r.PostFormValue("password"), hash)
	} else {
		// unknown or disabled account: spend the same time as a real check,
		// so that response times do not reveal which emails have accounts
		dummy, herr := s.dummyHash()
		if herr != nil {
			return herr
		}
		auth.CheckPassword(r.PostFormValue("password"), dummy)
		if err == nil {
			err = auth.ErrMismatch
		}
	}
	if err != nil {
		if apperr.CodeOf(err) != apperr.NotFound && err != auth.ErrMismatch {
			return err
		}
		s.st.Audit(ctx, store.AuditEntry{Actor: email, Action: "signin.failed", IP: ip})
		return s.render(w, r, c, "signin", http.StatusUnauthorized, &page{Title: s.cat.T(c.lang, "signin.title"), Error: s.cat.T(c.lang, "signin.failed"), Data: data})
	}
	if err := s.startSession(ctx, w, u); err != nil {
		return err
	}
	s.st.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, UserID: u.ID, Actor: u.Email, Action: "signin", IP: ip})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.st.DeleteSession(r.Context(), c.token); err != nil {
		return err
	}
	s.st.Audit(r.Context(), store.AuditEntry{OrgID: c.orgID, UserID: c.user.ID, Actor: c.user.Email, Action: "signout", IP: clientIP(r)})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	l := r.PathValue("lang")
	for _, k := range s.cat.Languages() {
		if k == l {
			http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return nil
		}
	}
	return apperr.New(apperr.NotFound, "unknown language %q", l)
}

func (s *Server) datasetsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	sums, err := s.st.DatasetSummaries(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	layers, err := s.st.Layers(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	imports, err := s.st.Imports(r.Context(), c.orgID, 20)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "datasets", 200, &page{Title: s.cat.T(c.lang, "datasets.title"), Active: "datasets",
		Data: map[string]any{"Datasets": sums, "Layers": layers, "Imports": imports}})
}

// filterForm is the category/period/layer selection shared by map, trends and public pages.
type filterForm struct {
	Datasets   []store.Dataset
	Layers     []store.Layer
	Categories []string
	Months     []string // YYYY-MM options
	Dataset    int64
	Layer      int64
	Category   string
	From, To   string
	Query      string // the selection as a query string for API URLs
}

// readFilter reads the selection from the query and fills in choices.
func (s *Server) readFilter(r *http.Request, c *reqCtx, withChoices bool) (filterForm, store.Filter, error) {
	ctx := r.Context()
	q := r.URL.Query()
	var ff filterForm
	var err error
	if ff.Datasets, err = s.st.Datasets(ctx, c.orgID); err != nil {
		return ff, store.Filter{}, err
	}
	if ff.Layers, err = s.st.Layers(ctx, c.orgID); err != nil {
		return ff, store.Filter{}, err
	}
	ff.Dataset, ff.Layer, ff.Category = atoi64(q.Get("dataset")), atoi64(q.Get("layer")), q.Get("category")
	if ff.Dataset == 0 && len(ff.Datasets) > 0 {
		ff.Dataset = ff.Datasets[0].ID
	}
	if ff.Layer == 0 && len(ff.Layers) > 0 {
		ff.Layer = ff.Layers[0].ID
	}
	f := store.Filter{OrgID: c.orgID, DatasetID: ff.Dataset, Category: ff.Category}
	if withChoices { // the pages' selects; the API needs none of this
		months, err := s.st.Months(ctx, c.orgID, ff.Dataset)
		if err != nil {
			return ff, f, err
		}
		for _, m := range months {
			ff.Months = append(ff.Months, ymString(m))
		}
		if ff.Categories, err = s.st.DatasetCategories(ctx, c.orgID, ff.Dataset); err != nil {
			return ff, f, err
		}
	}
	ff.From, ff.To = q.Get("from"), q.Get("to")
	if f.FromYM, err = parseYM(ff.From, "from"); err != nil {
		return ff, f, err
	}
	if f.ToYM, err = parseYM(ff.To, "to"); err != nil {
		return ff, f, err
	}
	v := url.Values{}
	v.Set("dataset", strconv.FormatInt(ff.Dataset, 10))
	v.Set("layer", strconv.FormatInt(ff.Layer, 10))
	for k, val := range map[string]string{"category": ff.Category, "from": ff.From, "to": ff.To} {
		if val != "" {
			v.Set(k, val)
		}
	}
	ff.Query = v.Encode()
	return ff, f, nil
}

// parseYM parses "YYYY-MM" into YYYYMM (0 for "").
func parseYM(s, field string) (int, error) {
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return 0, apperr.New(apperr.Invalid, "%s: %q is not a month (YYYY-MM)", field, s)
	}
	return t.Year()*100 + int(t.Month()), nil
}

func ymString(ym int) string { return fmt.Sprintf("%04d-%02d", ym/100, ym%100) }

func (s *Server) mapPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ff, _, err := s.readFilter(r, c, true)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "map", 200, &page{Title: s.cat.T(c.lang, "map.title"), Active: "map",
		Data: map[string]any{"F": ff, "Tiles": s.cfg.TileURL, "TileAttrib": s.cfg.TileAttrib, "K": s.cfg.SuppressBelow}})
}

func (s *Server) publicPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ff, _, err := s.readFilter(r, c, true)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "public", 200, &page{Title: s.cat.T(c.lang, "public.title"), Active: "public",
		Data: map[string]any{"F": ff, "Tiles": s.cfg.TileURL, "TileAttrib": s.cfg.TileAttrib, "K": s.cfg.SuppressBelow}})
}

func (s *Server) trendsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ff, f, err := s.readFilter(r, c, true)
	if err != nil {
		return err
	}
	months, err := s.st.CountByMonth(r.Context(), f)
	if err != nil {
		return err
	}
	series := fillMonths(months)
	var n int64
	for _, m := range series {
		n += m.Count
	}
	base, err := trend.SeasonalBaseline(monthlySeries(series, n), trend.BaselineParams{})
	if err != nil {
		return err
	}
	chart := trendSVG(series, base.Points, s.cat.T(c.lang, "trend.axis"))
	ff.Layers = nil // trends are not per layer
	return s.render(w, r, c, "trends", 200, &page{Title: s.cat.T(c.lang, "trend.title"), Active: "trends",
		Data: map[string]any{"F": ff, "Chart": chart, "Series": series, "Baseline": base, "N": n, "Period": periodLabel(series)}})
}

// fillMonths returns a continuous monthly series (months without incidents as 0).
func fillMonths(ms []store.MonthCount) []monthPoint {
	if len(ms) == 0 {
		return nil
	}
	byYM := map[int]int64{}
	for _, m := range ms {
		byYM[m.YM] = m.Count
	}
	var out []monthPoint
	for ym := ms[0].YM; ym <= ms[len(ms)-1].YM; {
		out = append(out, monthPoint{Month: ymString(ym), Count: byYM[ym]})
		if ym%100 == 12 {
			ym += 89
		} else {
			ym++
		}
	}
	return out
}

type monthPoint struct {
	Month string `json:"period"`
	Count int64  `json:"count"`
}

func periodLabel(ps []monthPoint) string {
	if len(ps) == 0 {
		return "—"
	}
	return ps[0].Month + " – " + ps[len(ps)-1].Month
}

func (s *Server) indicatorsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	defs, err := s.st.Indicators(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	vals, err := s.st.IndicatorValues(r.Context(), c.orgID, r.URL.Query().Get("indicator"))
	if err != nil {
		return err
	}
	return s.render(w, r, c, "indicators", 200, &page{Title: s.cat.T(c.lang, "indicators.title"), Active: "indicators",
		Data: map[string]any{"Defs": defs, "Values": vals}})
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	us, err := s.st.Users(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "users", 200, &page{Title: s.cat.T(c.lang, "users.title"), Active: "admin", Data: map[string]any{"Users": us, "Roles": auth.Roles()}})
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	role, ok := auth.ParseRole(r.PostFormValue("role"))
	if !ok {
		return apperr.New(apperr.Invalid, "unknown role")
	}
	pw := r.PostFormValue("password")
	if err := auth.CheckNewPassword(pw); err != nil {
		return apperr.New(apperr.Invalid, "%s", err.Error())
	}
	hash, err := auth.HashPassword(pw, auth.DefaultParams(), rand.Reader)
	if err != nil {
		return err
	}
	u, err := s.st.CreateUser(r.Context(), store.User{OrgID: c.orgID, Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: role}, hash)
	if err != nil {
		return err
	}
	s.st.Audit(r.Context(), store.AuditEntry{OrgID: c.orgID, UserID: c.user.ID, Actor: c.user.Email, Action: "user.add", Target: u.Email, Detail: "role=" + string(role), IP: clientIP(r)})
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	es, err := s.st.AuditLog(r.Context(), c.orgID, 200)
	if err != nil {
		return err
	}
	return s.render(w, r, c, "audit", 200, &page{Title: s.cat.T(c.lang, "audit.title"), Active: "admin", Data: es})
}

// dateSpan is a dataset's first and last dates at the precision the data
// has: months when every incident is known to the month only.
func dateSpan(d store.DatasetSummary) [2]string {
	if d.Incidents == 0 {
		return [2]string{"—", "—"}
	}
	layout := time.DateOnly
	if d.Resolution["month"] == d.Incidents {
		layout = "2006-01"
	}
	return [2]string{d.First.Format(layout), d.Last.Format(layout)}
}

// monthlySeries turns a continuous run of monthly counts into a trend.Series.
func monthlySeries(ps []monthPoint, n int64) trend.Series {
	out := trend.Series{Params: trend.CountParams{Interval: trend.Monthly}, N: int(n), Input: int(n)}
	for _, p := range ps {
		start, _ := time.Parse("2006-01", p.Month)
		days := start.AddDate(0, 1, 0).Sub(start).Hours() / 24
		out.Periods = append(out.Periods, trend.Period{Start: start, Label: p.Month, Count: int(p.Count), Days: int(days)})
	}
	return out
}
