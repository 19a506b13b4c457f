package web

// Shared helpers of the web tests: a real SQLite store, the real router under
// httptest, users of every role, sessions, and a fixture holding the real
// Manchester data (282 LSOA polygons, 8,144 burglary points of 2017) that is
// imported once per test binary.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/config"
	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/realdata"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

// testPassword is the password of every test account.
const testPassword = "correct horse battery staple"

// Real-data facts the tests rely on (see shared/data/README.md).
const (
	lsoaAreas        = 282
	burglaryPoints   = 8144
	lsoaLayerName    = "LSOA (Manchester)"
	burglaryDataset  = "Manchester burglary 2017 (points)"
	suppressionLimit = 5
)

// testConfig is the server configuration of the tests.
func testConfig() config.Config {
	c := config.Default()
	c.SuppressBelow = suppressionLimit
	return c
}

var (
	hashOnce sync.Once
	hashVal  string
	hashErr  error
)

// passwordHash hashes testPassword once (argon2id with the default
// parameters is deliberately slow).
func passwordHash(t testing.TB) string {
	t.Helper()
	hashOnce.Do(func() { hashVal, hashErr = auth.HashPassword(testPassword, auth.DefaultParams(), rand.Reader) })
	if hashErr != nil {
		t.Fatal(hashErr)
	}
	return hashVal
}

// env is a store with one organisation, an account per role and a server.
type env struct {
	st    *store.Store
	srv   *Server
	ts    *httptest.Server
	org   store.Org
	users map[auth.Role]store.User
	// clockOffset (nanoseconds) is added to the store's clock; see nextRateWindow.
	clockOffset atomic.Int64
	release     func() // closes the store (and drops a PostgreSQL test database)
}

// nextRateWindow moves the store's clock on by one sign-in rate-limit window
// (15 minutes), so that a test that signs in through the form does not depend
// on how many sign-ins earlier tests (or earlier -count runs) made from
// 127.0.0.1 against the shared store. Sessions last an hour: call it at the
// start of a test, before creating sessions.
func (e *env) nextRateWindow() {
	e.clockOffset.Add(int64(15 * time.Minute))
}

// newEnv opens a store in dir, creates the organisation and the users
// (emails <role>@<slug>.test) and starts the router under httptest.
func newEnv(t testing.TB, dir, slug string) (*env, error) {
	ctx := context.Background()
	e := &env{users: map[auth.Role]store.User{}}
	st, release, err := storetest.OpenShared(t, dir, store.Options{Now: func() time.Time { return time.Now().Add(time.Duration(e.clockOffset.Load())) }})
	if err != nil {
		return nil, err
	}
	e.st, e.release = st, release
	if e.org, err = st.EnsureOrg(ctx, slug, "Test "+slug); err != nil {
		return nil, err
	}
	if err := e.addUsers(t, e.org, slug); err != nil {
		return nil, err
	}
	if e.srv, err = New(Options{Store: st, Config: testConfig(), UploadDir: filepath.Join(dir, "uploads")}); err != nil {
		return nil, err
	}
	e.ts = httptest.NewServer(e.srv.Handler())
	return e, nil
}

// addUsers creates one account per role in org.
func (e *env) addUsers(t testing.TB, org store.Org, slug string) error {
	h := passwordHash(t)
	for _, r := range auth.Roles() {
		u, err := e.st.CreateUser(context.Background(), store.User{OrgID: org.ID, Email: string(r) + "@" + slug + ".test", Name: string(r), Role: r}, h)
		if err != nil {
			return err
		}
		if org.ID == e.org.ID {
			e.users[r] = u
		}
	}
	return nil
}

func (e *env) close() {
	if e.ts != nil {
		e.ts.Close()
	}
	if e.srv != nil {
		e.srv.Shutdown(context.Background())
	}
	if e.release != nil {
		e.release()
	}
}

// emptyEnv is a fresh environment without data, closed at the end of t.
func emptyEnv(t testing.TB) *env {
	t.Helper()
	e, err := newEnv(t, t.TempDir(), "empty")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.close)
	return e
}

// session is a signed-in browser: the session cookie value and its CSRF token.
type session struct {
	token, csrf string
}

// newSession signs u in directly in the store (no rate limit involved).
func newSession(t testing.TB, st *store.Store, u store.User) session {
	t.Helper()
	tok, err := auth.NewToken(rand.Reader, 32)
	if err != nil {
		t.Fatal(err)
	}
	csrf, err := auth.NewToken(rand.Reader, 24)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSession(context.Background(), tok, u.ID, csrf, time.Hour); err != nil {
		t.Fatal(err)
	}
	return session{token: tok, csrf: csrf}
}

// sessionFor signs in the env's user of role r (nil for the public).
func (e *env) sessionFor(t testing.TB, r auth.Role) *session {
	t.Helper()
	if r == "" || r == auth.Public {
		return nil
	}
	u, ok := e.users[r]
	if !ok {
		t.Fatalf("no test user with role %q", r)
	}
	s := newSession(t, e.st, u)
	return &s
}

// response is what a test request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string {
	b := string(r.body)
	if len(b) > 600 {
		b = b[:600] + "…"
	}
	return fmt.Sprintf("%d %s", r.status, b)
}

// noRedirect is a client that returns redirects instead of following them.
var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       60 * time.Second,
}

// request describes one HTTP request of a test.
type request struct {
	method      string
	url         string // path and query, relative to the server
	body        io.Reader
	contentType string
	headers     map[string]string
	sess        *session
}

// do sends req to base and reads the whole response.
func do(t testing.TB, base string, req request) response {
	t.Helper()
	if req.method == "" {
		req.method = http.MethodGet
	}
	hr, err := http.NewRequest(req.method, base+req.url, req.body)
	if err != nil {
		t.Fatal(err)
	}
	if req.contentType != "" {
		hr.Header.Set("Content-Type", req.contentType)
	}
	for k, v := range req.headers {
		hr.Header.Set(k, v)
	}
	if req.sess != nil {
		hr.AddCookie(&http.Cookie{Name: sessionCookie, Value: req.sess.token})
	}
	res, err := noRedirect.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", req.method, req.url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.method, req.url, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// get is do for a GET with an optional session.
func get(t testing.TB, base, url string, s *session) response {
	t.Helper()
	return do(t, base, request{url: url, sess: s})
}

// decodeJSON decodes a response body into v, failing the test on error.
func decodeJSON(t testing.TB, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, r)
	}
}

// multipartBody builds a multipart/form-data body of fields and at most one file.
type formFile struct {
	field, name string
	data        []byte
}

func multipartBody(t testing.TB, fields [][2]string, file *formFile) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		w, err := mw.CreateFormFile(file.field, file.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(file.data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// ---------------------------------------------------------------- real data

// dataFixture is the shared environment with the real Manchester data.
type dataFixture struct {
	*env
	layerID, datasetID int64
	areasSum, incSum   hub.Summary
}

var (
	fixtureOnce sync.Once
	fixture     *dataFixture
	fixtureErr  error
	fixtureDir  string
)

// TestMain removes the shared fixture's directory when the tests end.
func TestMain(m *testing.M) {
	code := m.Run()
	if fixture != nil {
		fixture.close()
	}
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// realData returns the shared environment with the Manchester LSOA layer
// and the 2017 burglary points imported (once per test binary). It skips
// (or fails in CI) when the shared data folder is missing.
func realData(t testing.TB) *dataFixture {
	t.Helper()
	dir := realdata.Path(t, "uk", "manchester")
	fixtureOnce.Do(func() { fixture, fixtureErr = loadFixture(t, dir) })
	if fixtureErr != nil {
		t.Fatalf("loading the real-data fixture: %v", fixtureErr)
	}
	return fixture
}

func loadFixture(t testing.TB, dataDir string) (*dataFixture, error) {
	ctx := context.Background()
	var err error
	if fixtureDir, err = os.MkdirTemp("", "icarus-web-test-"); err != nil {
		return nil, err
	}
	e, err := newEnv(t, fixtureDir, "greater-manchester")
	if err != nil {
		return nil, err
	}
	f := &dataFixture{env: e}
	svc := hub.New(e.st)
	shp := filepath.Join(dataDir, "manchester_crime_lsoa.shp")
	fc, err := hub.ReadSpatial(shp, func(ext string) (io.ReadCloser, error) {
		return os.Open(strings.TrimSuffix(shp, ".shp") + ext)
	})
	if err != nil {
		return nil, err
	}
	if f.areasSum, err = svc.ImportAreas(ctx, shp, fc, hub.AreaOptions{OrgID: e.org.ID, Layer: lsoaLayerName, Actor: "test"}); err != nil {
		return nil, err
	}
	in, err := os.Open(filepath.Join(dataDir, "manc_burglary_bng.geojson"))
	if err != nil {
		return nil, err
	}
	defer in.Close()
	if f.incSum, err = svc.ImportIncidents(ctx, hub.Source{Name: in.Name(), R: in}, hub.IncidentOptions{OrgID: e.org.ID, Dataset: burglaryDataset, Preset: "generic", Actor: "test"}); err != nil {
		return nil, err
	}
	ls, err := e.st.Layers(ctx, e.org.ID)
	if err != nil || len(ls) != 1 {
		return nil, fmt.Errorf("layers: %v %v", ls, err)
	}
	ds, err := e.st.Datasets(ctx, e.org.ID)
	if err != nil || len(ds) != 1 {
		return nil, fmt.Errorf("datasets: %v %v", ds, err)
	}
	f.layerID, f.datasetID = ls[0].ID, ds[0].ID
	return f, nil
}

// missingTranslations returns the keys shown as ⟦key⟧ in a page.
func missingTranslations(body []byte) []string {
	var keys []string
	s := string(body)
	for {
		i := strings.Index(s, "⟦")
		if i < 0 {
			return keys
		}
		s = s[i+len("⟦"):]
		j := strings.Index(s, "⟧")
		if j < 0 {
			return append(keys, s)
		}
		keys = append(keys, s[:j])
		s = s[j+len("⟧"):]
	}
}
