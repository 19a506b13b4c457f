package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/auth"
)

// knownPerms are the permissions a route may declare (the auth.Perm* constants).
var knownPerms = map[auth.Permission]bool{
	auth.PermPublic:         true,
	auth.PermSignedIn:       true,
	auth.PermViewAggregates: true,
	auth.PermViewIncidents:  true,
	auth.PermImportData:     true,
	auth.PermImportIndic:    true,
	auth.PermManageUsers:    true,
	auth.PermViewAudit:      true,
	auth.PermManageReports:  true,
	auth.PermManageSurveys:  true,
	auth.PermCollect:        true,
	auth.PermManageServices: true,
	auth.PermKBEdit:         true, // kb_author.go
	auth.PermKBReview:       true,
	auth.PermKBTaxonomy:     true, // kb_taxonomy.go
}

// pathValues are plausible values for the wildcards of route patterns.
var pathValues = map[string]string{
	"lang":  "fr",
	"id":    "1",
	"org":   "test",
	"code":  "E01005098",
	"token": "unknown.json",
	"rest":  "nothing.json",

	// reports.go
	"secret": "0123456789abcdef0123456789abcdef",
	"area":   "all.atom",
}

var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*|\$)(\.\.\.)?\}`)

// requestFor turns a route pattern ("GET /lang/{lang}") into a method and a
// concrete path ("GET", "/lang/fr").
func requestFor(t *testing.T, pattern string) (method, path string) {
	t.Helper()
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		t.Fatalf("route %q: want \"METHOD /path\"", pattern)
	}
	path = wildcard.ReplaceAllStringFunc(path, func(w string) string {
		name := wildcard.FindStringSubmatch(w)[1]
		if name == "$" {
			return ""
		}
		v, ok := pathValues[name]
		if !ok {
			t.Fatalf("route %q: no test value for wildcard {%s}; add one to pathValues", pattern, name)
		}
		return v
	})
	return method, path
}

// TestRouteTable checks the declarations of the route table itself.
func TestRouteTable(t *testing.T) {
	e := emptyEnv(t)
	routes := e.srv.routes()
	if len(routes) == 0 {
		t.Fatal("empty route table")
	}
	seen := map[string]bool{}
	for _, rt := range routes {
		switch {
		case rt.perm == "":
			t.Errorf("route %q declares no permission", rt.pattern)
		case !knownPerms[rt.perm]:
			t.Errorf("route %q declares unknown permission %q", rt.pattern, rt.perm)
		}
		key := strings.Join(strings.Fields(rt.pattern), " ")
		if seen[key] {
			t.Errorf("duplicate route pattern %q", rt.pattern)
		}
		seen[key] = true
		if rt.h == nil {
			t.Errorf("route %q has no handler", rt.pattern)
		}
		_, path, _ := strings.Cut(rt.pattern, " ")
		if strings.HasPrefix(path, "/api/") && !rt.api {
			t.Errorf("route %q is under /api/ but answers errors as pages", rt.pattern)
		}
	}
	// Every non-public permission must be granted to someone (the admin),
	// and never to the public.
	for p := range knownPerms {
		if !auth.Allows(auth.Admin, p) {
			t.Errorf("admin lacks permission %q", p)
		}
		if p != auth.PermPublic && auth.Allows(auth.Public, p) {
			t.Errorf("the public has permission %q", p)
		}
	}
}

// TestRoutePermissions calls every route as the public and as every role and
// checks that the route's permission is enforced: 401 (API) or a redirect to
// /signin (GET pages) without a session, 403 for a signed-in role that lacks
// the permission, and neither for roles that have it.
func TestRoutePermissions(t *testing.T) {
	e := emptyEnv(t)
	for _, rt := range e.srv.routes() {
		method, path := requestFor(t, rt.pattern)
		t.Run(strings.ReplaceAll(rt.pattern, "/", "_"), func(t *testing.T) {
			call := func(s *session) response {
				req := request{method: method, url: path, sess: s}
				if method == http.MethodPost {
					form := url.Values{}
					if s != nil {
						form.Set("csrf", s.csrf)
					}
					req.body = strings.NewReader(form.Encode())
					req.contentType = "application/x-www-form-urlencoded"
				}
				return do(t, e.ts.URL, req)
			}

			// The public.
			r := call(nil)
			switch {
			case rt.perm == auth.PermPublic:
				if refused(method, r) {
					t.Errorf("public route refused the public: %s", r)
				}
			case rt.api:
				if r.status != http.StatusUnauthorized {
					t.Errorf("without a session: got %s, want 401", r)
				} else {
					var body struct {
						Error struct{ Code, Message string } `json:"error"`
					}
					decodeJSON(t, r, &body)
					if body.Error.Code == "" {
						t.Errorf("401 without a JSON error code: %s", r)
					}
				}
			case method == http.MethodGet:
				if !isSigninRedirect(r) {
					t.Errorf("without a session: got %s (Location %q), want 303 to /signin", r, r.header.Get("Location"))
				} else if next := nextOf(r); next != path {
					t.Errorf("sign-in redirect loses the page: next=%q, want %q", next, path)
				}
			default: // a form POST of a page without a session: an error page
				if r.status != http.StatusUnauthorized {
					t.Errorf("POST without a session: got %s, want 401", r)
				}
			}
			if r.status >= 500 {
				t.Errorf("public: server error %s", r)
			}

			// Each role.
			for _, role := range auth.Roles() {
				r := call(e.sessionFor(t, role))
				allowed := auth.Allows(role, rt.perm)
				switch {
				case !allowed && r.status != http.StatusForbidden:
					t.Errorf("role %s lacks %s: got %s, want 403", role, rt.perm, r)
				case allowed && refused(method, r):
					t.Errorf("role %s has %s but was refused: %s", role, rt.perm, r)
				}
				if r.status >= 500 {
					t.Errorf("role %s: server error %s", role, r)
				}
			}
		})
	}
}

// TestPermissionExamples pins a few refusals named in the requirements.
func TestPermissionExamples(t *testing.T) {
	e := emptyEnv(t)
	cases := []struct {
		role   auth.Role
		method string
		path   string
		want   int
	}{
		{auth.Public, "GET", "/api/v1/incidents", http.StatusUnauthorized},
		{auth.Field, "GET", "/api/v1/incidents", http.StatusForbidden},
		{auth.Partner, "GET", "/api/v1/incidents", http.StatusForbidden},
		{auth.Coordinator, "GET", "/api/v1/incidents", http.StatusForbidden},
		{auth.Analyst, "GET", "/api/v1/incidents", http.StatusOK},
		{auth.Analyst, "GET", "/admin/users", http.StatusForbidden},
		{auth.Analyst, "GET", "/admin/audit", http.StatusForbidden},
		{auth.Admin, "GET", "/admin/users", http.StatusOK},
		{auth.Field, "GET", "/import", http.StatusForbidden},
		{auth.Partner, "GET", "/import", http.StatusOK},
		{auth.Public, "GET", "/api/v1/datasets", http.StatusUnauthorized},
		{auth.Field, "GET", "/api/v1/datasets", http.StatusOK},
	}
	for _, c := range cases {
		r := do(t, e.ts.URL, request{method: c.method, url: c.path, sess: e.sessionFor(t, c.role)})
		if r.status != c.want {
			t.Errorf("%s %s as %s: got %s, want %d", c.method, c.path, c.role, r, c.want)
		}
	}
}

// refused reports whether a response to a caller who holds the route's
// permission looks like a permission refusal. (A 401 from POST /signin with
// a wrong password or a 303 to /signin after POST /signout are the handlers'
// own answers, not refusals.)
func refused(method string, r response) bool {
	body := string(r.body)
	if r.status == http.StatusForbidden && strings.Contains(body, "api_key") && (strings.Contains(body, "<code>403</code>") || strings.Contains(body, `"code":403`)) {
		return false // Open311's 403 for a missing api_key is the handler's answer (spec error array)
	}
	return r.status == http.StatusForbidden || (method == http.MethodGet && isSigninRedirect(r))
}

func isSigninRedirect(r response) bool {
	return r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/signin")
}

// nextOf returns the next= parameter of a sign-in redirect.
func nextOf(r response) string {
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		return ""
	}
	return u.Query().Get("next")
}
