package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
)

const sessionCookie = "icarus_session"

// reqCtx is what a handler knows about the request beyond http.Request.
type reqCtx struct {
	user    *store.User // nil when not signed in
	csrf    string
	lang    string
	role    auth.Role
	orgID   int64
	pattern string
	token   string
}

// wrap turns a route into a handler: session, permission, CSRF, errors, metrics.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: 200}
		c := &reqCtx{role: auth.Public, pattern: rt.pattern}
		err := s.authenticate(r, c)
		if err == nil && s.reads != nil && limitedRead(r, c) && !s.reads.allow(clientIP(r), s.now()) { // readlimit.go
			sw.Header().Set("Retry-After", s.reads.retryAfter())
			err = apperr.New(apperr.RateLimited, "%s", s.cat.T(c.lang, "error.reads_limited"))
		}
		if err == nil && !auth.Allows(c.role, rt.perm) {
			if c.user == nil {
				err = apperr.New(apperr.Unauthorized, "sign in first")
			} else {
				err = apperr.New(apperr.Forbidden, "your role (%s) may not do this", c.role)
			}
		}
		if err == nil && c.user != nil && r.Method == http.MethodPost {
			err = s.checkCSRF(r, c)
		}
		if err == nil {
			err = rt.h(sw, r, c)
		}
		if err != nil {
			switch {
			case strings.Contains(rt.pattern, " /open311/"):
				s.o311Fail(sw, r, err) // GeoReport clients read the spec's error array
			case rt.api:
				s.failJSON(sw, r, err)
			default:
				s.failPage(sw, r, c, err)
			}
		}
		s.metrics.observe(rt.pattern, sw.code, time.Since(start))
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.code, "ms", time.Since(start).Milliseconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// authenticate loads the session, if any, and the language.
func (s *Server) authenticate(r *http.Request, c *reqCtx) error {
	c.lang = s.language(r, "")
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return s.publicOrg(r, c)
	}
	ss, err := s.st.SessionByToken(r.Context(), ck.Value)
	if apperr.CodeOf(err) == apperr.NotFound {
		return s.publicOrg(r, c)
	}
	if err != nil {
		return err
	}
	c.user, c.csrf, c.role, c.orgID, c.token = &ss.User, ss.CSRF, ss.User.Role, ss.User.OrgID, ck.Value
	c.lang = s.language(r, ss.User.Lang)
	return nil
}

// publicOrg picks the organisation shown to the public: ?org=slug or the first.
func (s *Server) publicOrg(r *http.Request, c *reqCtx) error {
	orgs, err := s.st.Orgs(r.Context())
	if err != nil {
		return err
	}
	slug := r.URL.Query().Get("org")
	for _, o := range orgs {
		if slug == "" || o.Slug == slug {
			c.orgID = o.ID
			return nil
		}
	}
	if slug != "" {
		return apperr.New(apperr.NotFound, "no organisation %q", slug)
	}
	return nil
}

// language picks the UI language: ?lang, the lang cookie, the user's
// preference, then Accept-Language.
func (s *Server) language(r *http.Request, pref string) string {
	known := func(l string) bool {
		for _, k := range s.cat.Languages() {
			if k == l {
				return true
			}
		}
		return false
	}
	if l := r.URL.Query().Get("lang"); known(l) {
		return l
	}
	if ck, err := r.Cookie("lang"); err == nil && known(ck.Value) {
		return ck.Value
	}
	if known(pref) {
		return pref
	}
	return s.cat.Match(r.Header.Get("Accept-Language"))
}

// checkCSRF checks the form token of a signed-in POST against the session's.
func (s *Server) checkCSRF(r *http.Request, c *reqCtx) error {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		if err := r.ParseMultipartForm(64 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return apperr.Wrap(apperr.Invalid, err, "unreadable form")
		}
		tok = r.PostFormValue("csrf")
	}
	if subtle.ConstantTimeCompare([]byte(tok), []byte(c.csrf)) != 1 {
		return apperr.New(apperr.Forbidden, "%s", s.cat.T(c.lang, "error.csrf"))
	}
	return nil
}

// startSession signs a user in: a new session, cookie and CSRF token.
func (s *Server) startSession(ctx context.Context, w http.ResponseWriter, u store.User) error {
	tok, err := auth.NewToken(rand.Reader, 32)
	if err != nil {
		return err
	}
	csrf, err := auth.NewToken(rand.Reader, 24)
	if err != nil {
		return err
	}
	const ttl = 12 * time.Hour
	if err := s.st.CreateSession(ctx, tok, u.ID, csrf, ttl); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(ttl / time.Second)})
	return nil
}

// clientIP is the remote address without port (no proxy headers are trusted).
func clientIP(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

// failJSON writes an error as JSON with the status of its code.
func (s *Server) failJSON(w http.ResponseWriter, r *http.Request, err error) {
	code := apperr.CodeOf(err)
	msg := apperr.MessageOf(err)
	if code == apperr.Internal {
		s.log.Error("request failed", "path", r.URL.Path, "err", err)
		msg = "internal error"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus(code))
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": string(code), "message": msg}})
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) { s.failJSON(w, r, err) }

// writeJSON writes v as JSON.
func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	return enc.Encode(v)
}

// marshalJSON encodes v as writeJSON does (with the trailing newline).
func marshalJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(b, '\n'), err
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// httpStatus maps an error code to its HTTP status: the one place where
// this happens.
func httpStatus(c apperr.Code) int {
	switch c {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}
