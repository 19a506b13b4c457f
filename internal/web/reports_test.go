package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
)

// exifJPEG is a small JPEG carrying an APP1 Exif segment with a GPS
// marker and a camera name, as phone photos do.
func exifJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := 0; y < 30; y++ {
		for x := 0; x < 40; x++ {
			img.Set(x, y, color.RGBA{uint8(6 * x), uint8(8 * y), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08GPSLatitude=53.480812 GPSLongitude=-2.242631 PHONECAM-X1")
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	raw := b.Bytes()
	out := append(append(append([]byte{}, raw[:2]...), seg...), payload...)
	return append(out, raw[2:]...)
}

// reportClient is a resident's browser: it keeps the form cookie.
type reportClient struct {
	t      *testing.T
	base   string
	cookie string
	token  string
}

var csrfInputRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func newReportClient(t *testing.T, base string) *reportClient {
	t.Helper()
	rc := &reportClient{t: t, base: base}
	res := do(t, base, request{url: "/report"})
	if res.status != 200 {
		t.Fatalf("GET /report: %s", res)
	}
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == reportCSRFCookie {
			rc.cookie = c.Value
		}
	}
	m := csrfInputRE.FindSubmatch(res.body)
	if rc.cookie == "" || m == nil || string(m[1]) != rc.cookie {
		t.Fatalf("the form has no CSRF cookie and matching field (cookie %q)", rc.cookie)
	}
	rc.token = string(m[1])
	return rc
}

// post sends the form as multipart/form-data, with an optional photo.
func (rc *reportClient) post(fields url.Values, photoName string, photo []byte) response {
	rc.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if _, ok := fields["csrf"]; !ok {
		w.WriteField("csrf", rc.token)
	}
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if photo != nil {
		fw, err := w.CreateFormFile("photo", photoName)
		if err != nil {
			rc.t.Fatal(err)
		}
		fw.Write(photo)
	}
	w.Close()
	h := map[string]string{}
	if rc.cookie != "" {
		h["Cookie"] = reportCSRFCookie + "=" + rc.cookie
	}
	return do(rc.t, rc.base, request{method: "POST", url: "/report", body: &b, contentType: w.FormDataContentType(), headers: h})
}

func countRequests(t *testing.T, e *env) int {
	t.Helper()
	rows, err := e.st.ServiceRequests(context.Background(), store.RequestQuery{OrgID: e.org.ID})
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

func TestReportFormSubmitAndFollow(t *testing.T) {
	e := emptyEnv(t)
	ctx := context.Background()
	rc := newReportClient(t, e.ts.URL)
	page := get(t, e.ts.URL, "/report", nil)
	for _, want := range []string{`value="lighting"`, `value="weapons"`, `name="a.vandalism.surface"`, `type="datetime-local"`, `type="file"`,
		`name="lat"`, `name="address_string"`, `name="website"`, `enctype="multipart/form-data"`} {
		if !strings.Contains(string(page.body), want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	res := rc.post(url.Values{"service_code": {"vandalism"}, "lat": {"53.480812"}, "long": {"-2.242631"}, "description": {"Tags all over the bus shelter"},
		"email": {"resident@example.org"}, "a.vandalism.surface": {"wall", "bus_stop"}, "a.vandalism.offensive": {"no"},
		"a.lighting.state": {"out"}}, "IMG_0001.JPG", exifJPEG(t))
	if res.status != http.StatusSeeOther {
		t.Fatalf("POST /report: %s", res)
	}
	loc := res.header.Get("Location")
	m := regexp.MustCompile(`^/report/follow/([A-Za-z0-9_-]{30,})\?sent=1$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("redirect to %q, want /report/follow/SECRET?sent=1", loc)
	}
	secret := m[1]
	q, err := e.st.ServiceRequestByFollow(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if q.Channel != "web" || q.ServiceCode != "vandalism" || q.Email != "resident@example.org" || q.Moderation != "approved" || !q.HasLoc || q.Lat != 53.480812 {
		t.Errorf("stored request: %+v", q)
	}
	var attrs map[string][]string
	json.Unmarshal([]byte(q.Attributes), &attrs)
	if fmt.Sprint(attrs["surface"]) != "[wall bus_stop]" || attrs["offensive"][0] != "no" || attrs["state"] != nil {
		t.Errorf("attributes %s: want surface [wall bus_stop], offensive no, and not the other category's state", q.Attributes)
	}

	// the photo: stored re-encoded, without the Exif segment, pending moderation
	photos, err := e.st.ReportPhotos(ctx, q.ID)
	if err != nil || len(photos) != 1 {
		t.Fatalf("photos of the report: %v %v", photos, err)
	}
	p, err := e.st.ReportPhoto(ctx, e.org.ID, photos[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"Exif", "GPSLatitude", "53.480812", "PHONECAM"} {
		if bytes.Contains(p.Data, []byte(gone)) {
			t.Errorf("the stored photo contains %q", gone)
		}
	}
	if p.Moderation != "pending" || p.MIME != "image/jpeg" || p.Width != 40 {
		t.Errorf("stored photo: %s %s %dx%d", p.Moderation, p.MIME, p.Width, p.Height)
	}
	photoURL := fmt.Sprintf("/reports/photo/%d", p.ID)
	if r := get(t, e.ts.URL, photoURL, nil); r.status != 404 {
		t.Errorf("an unmoderated photo is served: %d", r.status)
	}
	if r := get(t, e.ts.URL, "/reports", nil); strings.Contains(string(r.body), photoURL) {
		t.Errorf("the public view links an unmoderated photo")
	}
	// staff approve it on the photo page (the public may not see that page)
	if r := get(t, e.ts.URL, "/report/photos", nil); r.status != http.StatusSeeOther {
		t.Errorf("/report/photos without signing in: %d, want a redirect to sign in", r.status)
	}
	coord := e.sessionFor(t, auth.Coordinator)
	pp := get(t, e.ts.URL, "/report/photos", coord)
	if pp.status != 200 || !strings.Contains(string(pp.body), fmt.Sprintf(`src="/report/photos/%d"`, p.ID)) {
		t.Fatalf("photo page: %s", pp)
	}
	if r := get(t, e.ts.URL, fmt.Sprintf("/report/photos/%d", p.ID), coord); r.status != 200 || r.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("staff photo: %d", r.status)
	}
	form := url.Values{"csrf": {coord.csrf}, "action": {"approve"}}
	if r := do(t, e.ts.URL, request{method: "POST", url: fmt.Sprintf("/report/photos/%d", p.ID), body: strings.NewReader(form.Encode()),
		contentType: "application/x-www-form-urlencoded", sess: coord}); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %s", r)
	}
	if log, _ := e.st.AuditLog(ctx, e.org.ID, 5); len(log) == 0 || log[0].Action != "report.photo" || log[0].Actor != "coordinator@empty.test" {
		t.Errorf("photo approval not audited with the actor: %+v", log)
	}
	r := get(t, e.ts.URL, photoURL, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "image/jpeg" || bytes.Contains(r.body, []byte("GPSLatitude")) {
		t.Errorf("approved photo: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if r := get(t, e.ts.URL, "/reports", nil); !strings.Contains(string(r.body), photoURL) {
		t.Errorf("the public view does not show the approved photo")
	}

	// the follow page
	fp := get(t, e.ts.URL, loc, nil)
	body := string(fp.body)
	if fp.status != 200 || !strings.Contains(body, "Vandalism and graffiti") || !strings.Contains(body, `id="report-status">open<`) ||
		!strings.Contains(body, "/report/follow/"+secret) || !strings.Contains(body, "Tags all over the bus shelter") {
		t.Fatalf("follow page: %s", fp)
	}
	if strings.Contains(body, "resident@example.org") {
		t.Errorf("the follow page shows the e-mail address")
	}
	if fp.header.Get("X-Robots-Tag") == "" {
		t.Errorf("the follow page may be indexed")
	}
	// the confirmation e-mail is in the outbox with the private link
	box, err := e.st.Outbox(ctx, e.org.ID, 10)
	if err != nil || len(box) != 1 || box[0].To != "resident@example.org" || !strings.Contains(box[0].Body, "/report/follow/"+secret) {
		t.Fatalf("outbox: %+v %v", box, err)
	}

	// staff change the status and answer (store call, as the staff pages do)
	st, ans := "in_progress", "The graffiti team comes on Monday."
	if _, err := e.st.UpdateServiceRequest(ctx, e.org.ID, q.ID, store.RequestChange{Status: &st, Answer: &ans, Actor: "coordinator@test"}); err != nil {
		t.Fatal(err)
	}
	body = string(get(t, e.ts.URL, "/report/follow/"+secret, nil).body)
	if !strings.Contains(body, `id="report-status">in progress<`) || !strings.Contains(body, ans) || !strings.Contains(body, "Status changed to in progress") {
		t.Errorf("the follow page does not show the new status and answer")
	}
	if r := get(t, e.ts.URL, "/report/follow/"+strings.Repeat("x", 32), nil); r.status != 404 {
		t.Errorf("a wrong secret: %d", r.status)
	}
}

func TestReportFormErrors(t *testing.T) {
	e := emptyEnv(t)
	rc := newReportClient(t, e.ts.URL)
	// nothing chosen, no place, a bad e-mail and a GIF
	res := rc.post(url.Values{"email": {"not-an-address"}, "description": {"x"}}, "a.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	body := string(res.body)
	if res.status != 400 {
		t.Fatalf("invalid form: %s", res)
	}
	for _, want := range []string{`href="#service_code"`, `href="#location"`, `href="#email"`, `href="#photo"`, "must be a JPEG or PNG", `aria-invalid="true"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the error page lacks %s", want)
		}
	}
	if !strings.Contains(body, `value="x"`) && !strings.Contains(body, ">x</textarea>") {
		t.Errorf("the description typed is not kept")
	}
	// a required question of the chosen category
	res = rc.post(url.Values{"service_code": {"vandalism"}, "address_string": {"Piccadilly Gardens"}}, "", nil)
	if res.status != 400 || !strings.Contains(string(res.body), `href="#a-vandalism-surface"`) {
		t.Errorf("missing required attribute: %s", res)
	}
	// a damaged JPEG
	j := exifJPEG(t)
	res = rc.post(url.Values{"service_code": {"lighting"}, "address_string": {"Oxford Road"}}, "x.jpg", j[:len(j)/2])
	if res.status != 400 || !strings.Contains(string(res.body), "damaged") {
		t.Errorf("damaged JPEG: %s", res)
	}
	if n := countRequests(t, e); n != 0 {
		t.Errorf("%d requests stored from invalid forms", n)
	}
	// without the form's token
	bad := &reportClient{t: t, base: e.ts.URL, token: "forged-token-forged-token-forged"}
	if res := bad.post(url.Values{"service_code": {"lighting"}, "address_string": {"Oxford Road"}}, "", nil); res.status != 400 ||
		!strings.Contains(string(res.body), "The form has expired") || countRequests(t, e) != 0 {
		t.Errorf("no CSRF cookie: %s", res)
	}
	// a bot fills the honeypot: thanked, nothing stored
	res = rc.post(url.Values{"service_code": {"lighting"}, "address_string": {"Oxford Road"}, "website": {"http://spam.example"}}, "", nil)
	if res.status != 200 || countRequests(t, e) != 0 {
		t.Errorf("honeypot: %d, %d stored", res.status, countRequests(t, e))
	}
	// a valid report without JS (address only, no photo, anonymous)
	res = rc.post(url.Values{"service_code": {"lighting"}, "address_string": {"Oxford Road by the library"}}, "", nil)
	if res.status != 303 || countRequests(t, e) != 1 {
		t.Fatalf("plain report: %s", res)
	}
	// rate limit per IP
	e.srv.cfg.Reports.PerIPPerHour = 2
	if res := rc.post(url.Values{"service_code": {"lighting"}, "address_string": {"Oxford Road"}}, "", nil); res.status != 429 {
		t.Errorf("over the rate limit: %s", res)
	}
}

// areasFixture imports two square areas (codes SQ-W and SQ-E) side by side
// around Manchester city centre.
func areasFixture(t *testing.T, e *env) {
	t.Helper()
	gj := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"SQ-W","name":"West square"},"geometry":{"type":"Polygon","coordinates":[[[-2.26,53.47],[-2.24,53.47],[-2.24,53.49],[-2.26,53.49],[-2.26,53.47]]]}},
{"type":"Feature","properties":{"code":"SQ-E","name":"East square"},"geometry":{"type":"Polygon","coordinates":[[[-2.24,53.47],[-2.22,53.47],[-2.22,53.49],[-2.24,53.49],[-2.24,53.47]]]}}]}`
	p := filepath.Join(t.TempDir(), "squares.geojson")
	if err := os.WriteFile(p, []byte(gj), 0o644); err != nil {
		t.Fatal(err)
	}
	fc, err := hub.ReadSpatial(p, func(ext string) (io.ReadCloser, error) { return os.Open(p) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.hub.ImportAreas(context.Background(), "squares", fc, hub.AreaOptions{OrgID: e.org.ID, CodeField: "code", NameField: "name"}); err != nil {
		t.Fatal(err)
	}
}

func TestReportsPublicView(t *testing.T) {
	e := emptyEnv(t)
	ctx := context.Background()
	areasFixture(t, e)
	if _, _, err := e.srv.o311Services(ctx, e.org.ID, false); err != nil {
		t.Fatal(err)
	}
	svc := func(code string) store.Service311 {
		v, err := e.st.Service311ByCode(ctx, e.org.ID, code)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	mk := func(code string, lat, lon float64, mod, desc, email string) store.ServiceRequest {
		v := svc(code)
		q, err := e.st.CreateServiceRequest(ctx, store.ServiceRequest{OrgID: e.org.ID, ServiceID: v.ID, Channel: "web", Status: "open", Moderation: mod,
			Description: desc, HasLoc: true, Lat: lat, Lon: lon, Email: email}, "")
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	// six lighting reports in one 100 m cell of the west square, one vandalism report in the east square
	for i := range 6 {
		mk("lighting", 53.480812+float64(i)*0.00001, -2.250631, "approved", fmt.Sprintf("Lamp %d out", i), "")
	}
	mk("vandalism", 53.48, -2.23, "approved", "Tag on the wall", "someone@example.org")
	mk("drug_dealing", 53.4811, -2.2507, "approved", "SENSITIVE-DESC at the corner", "witness@example.org")
	mk("harassment", 53.4812, -2.2508, "pending", "PENDING-DESC", "")
	mk("lighting", 53.4813, -2.2509, "hidden", "HIDDEN-DESC", "")
	if _, _, err := e.srv.hub.SyncCitizenReports(ctx, e.org.ID); err != nil {
		t.Fatal(err)
	}

	page := get(t, e.ts.URL, "/reports", nil)
	body := string(page.body)
	if page.status != 200 {
		t.Fatalf("/reports: %s", page)
	}
	for _, leak := range []string{"someone@example.org", "witness@example.org", "SENSITIVE-DESC", "PENDING-DESC", "HIDDEN-DESC", "53.480812", "-2.250631"} {
		if strings.Contains(body, leak) {
			t.Errorf("/reports shows %q", leak)
		}
	}
	for _, want := range []string{"Lamp 0 out", "Tag on the wall", "West square", "Drug dealing observed", "/reports/feed/SQ-W.atom", "/reports/feed/all.atom"} {
		if !strings.Contains(body, want) {
			t.Errorf("/reports lacks %q", want)
		}
	}
	// by area: west has 6 lighting (shown), east 1 vandalism (suppressed, k = 5); sensitive only city-wide, suppressed
	if !regexp.MustCompile(`West square</th>(<td class="num">[^<]*</td>)*<td class="num">6</td>`).MatchString(body) {
		t.Errorf("the west square's count of 6 is not shown")
	}
	if !strings.Contains(body, `East square</th>`) || strings.Contains(body, `<td class="num">1</td>`) {
		t.Errorf("the east square's single report is not suppressed")
	}
	if !strings.Contains(body, "Drug dealing observed: fewer than 5") {
		t.Errorf("the sensitive category is not a suppressed city-wide count")
	}

	// the map's cells: snapped, non-sensitive only, small counts withheld
	var fc struct {
		Features []struct {
			Geometry   struct{ Coordinates []float64 }
			Properties struct {
				Count      *int64
				Suppressed bool
				Categories map[string]*int64
			}
		}
	}
	cells := get(t, e.ts.URL, "/reports/cells.json", nil)
	decodeJSON(t, cells, &fc)
	if len(fc.Features) != 2 {
		t.Fatalf("%d cells, want 2 (the lighting cell and the vandalism cell): %s", len(fc.Features), cells)
	}
	wantLat, wantLon := open311.Snap(53.480812, -2.250631, 100)
	var seenBig bool
	for _, f := range fc.Features {
		c := f.Geometry.Coordinates
		if len(f.Properties.Categories) != 1 {
			t.Errorf("cell categories %v", f.Properties.Categories)
		}
		if _, ok := f.Properties.Categories["Drug dealing observed"]; ok {
			t.Errorf("a sensitive report is on the map")
		}
		if f.Properties.Count != nil && *f.Properties.Count == 6 {
			seenBig = true
			if c[0] != wantLon || c[1] != wantLat {
				t.Errorf("the cell is at %v, want the snapped centre %v,%v", c, wantLon, wantLat)
			}
		} else if f.Properties.Count != nil || !f.Properties.Suppressed {
			t.Errorf("a cell of 1 report gives its count: %+v", f.Properties)
		}
	}
	if !seenBig {
		t.Errorf("the cell of 6 lighting reports is missing")
	}
	if strings.Contains(string(cells.body), "example.org") || strings.Contains(string(cells.body), "Lamp 0") {
		t.Errorf("cells carry personal data or descriptions")
	}

	// Atom feeds
	type feed struct {
		XMLName xml.Name
		Title   string `xml:"title"`
		Entries []struct {
			Title   string `xml:"title"`
			Content string `xml:"content"`
		} `xml:"entry"`
	}
	readFeed := func(path string) (feed, string) {
		r := get(t, e.ts.URL, path, nil)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/atom+xml") {
			t.Fatalf("%s: %s", path, r)
		}
		var f feed
		if err := xml.Unmarshal(r.body, &f); err != nil {
			t.Fatalf("%s is not XML: %v", path, err)
		}
		if f.XMLName.Space != "http://www.w3.org/2005/Atom" || f.XMLName.Local != "feed" {
			t.Errorf("%s root %v", path, f.XMLName)
		}
		return f, string(r.body)
	}
	all, raw := readFeed("/reports/feed/all.atom")
	if len(all.Entries) != 7 {
		t.Errorf("all.atom has %d entries, want 7 (6 lighting + 1 vandalism)", len(all.Entries))
	}
	west, rawW := readFeed("/reports/feed/SQ-W.atom")
	east, _ := readFeed("/reports/feed/SQ-E.atom")
	if len(west.Entries) != 6 || len(east.Entries) != 1 || !strings.Contains(west.Title, "West square") {
		t.Errorf("area feeds: west %d entries (%q), east %d; want 6, 1", len(west.Entries), west.Title, len(east.Entries))
	}
	for _, leak := range []string{"example.org", "SENSITIVE", "PENDING", "HIDDEN", "Drug dealing", "53.480812"} {
		if strings.Contains(raw+rawW, leak) {
			t.Errorf("a feed contains %q", leak)
		}
	}
	if r := get(t, e.ts.URL, "/reports/feed/NOPE.atom", nil); r.status != 404 {
		t.Errorf("unknown area feed: %d", r.status)
	}
}

// FuzzReportFormValues feeds arbitrary form fields through the web form's
// decoding and the API's validation: no panic, and only the chosen
// service's questions become attributes.
func FuzzReportFormValues(f *testing.F) {
	specs := open311.DefaultServices()
	f.Add("vandalism", "a.vandalism.surface", "wall", "53.48", "-2.24", "desc")
	f.Add("lighting", "a.lighting.lamp_count", "3", "", "", "")
	f.Add("drug_dealing", "a.vandalism.surface", "bench", "91", "x", "<b>")
	f.Add("", "attribute[surface]", "wall", "NaN", "Inf", "\x00")
	f.Fuzz(func(t *testing.T, code, key, val, lat, long, desc string) {
		form := url.Values{"service_code": {code}, key: {val, val}, "lat": {lat}, "long": {long}, "description": {desc}, "first_name": {"Eve"}}
		args := reportFormValues(form, specs)
		if _, ok := args["first_name"]; ok {
			t.Fatalf("first_name passed through")
		}
		for k := range args {
			if strings.HasPrefix(k, "attribute[") {
				ok := false
				for _, sp := range specs {
					if sp.Code == strings.TrimSpace(code) {
						for _, a := range sp.Attributes {
							if k == "attribute["+a.Code+"]" || k == "attribute["+a.Code+"][]" {
								ok = true
							}
						}
					}
				}
				if !ok {
					t.Fatalf("attribute %q does not belong to service %q", k, code)
				}
			}
		}
		sub, _ := open311.DecodeRequest(args)
		for _, sp := range specs {
			if sp.Code == sub.ServiceCode {
				sub.CheckAttributes(sp.Attributes)
			}
		}
	})
}
