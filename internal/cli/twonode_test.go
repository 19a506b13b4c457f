package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/icarus-city/icarus/internal/jobs"
	"github.com/icarus-city/icarus/internal/realdata"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/store/storetest"
)

// node is one `icarus serve` process.
type node struct {
	base string
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

func startNode(t *testing.T, bin, db string) *node {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	n := &node{base: "http://" + addr, log: &bytes.Buffer{}}
	n.cmd = exec.Command(bin, "serve", "--db", db, "--addr", addr, "--log-level", "warn")
	n.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir()}
	n.cmd.Dir = t.TempDir() // no data directory is needed (nor created)
	n.cmd.Stdout, n.cmd.Stderr = n.log, n.log
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		n.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { n.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			n.cmd.Process.Kill()
		}
		if entries, _ := os.ReadDir(n.cmd.Dir); len(entries) > 0 {
			t.Errorf("node %s wrote into its working directory: %v", n.base, entries)
		}
	})
	return n
}

func (n *node) waitHealthy(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get(n.base + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return
			}
		}
		if n.cmd.ProcessState != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("node %s not healthy: %s", n.base, n.log.String())
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestTwoNodesOnOnePostgres runs two `icarus serve` processes on one
// PostgreSQL database: a session made through one works through the other,
// an import through one is visible through the other, and jobs run once.
func TestTwoNodesOnOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts two servers")
	}
	db := storetest.NewPostgresDB(t) // empty: both nodes migrate it at once
	bin := filepath.Join(t.TempDir(), "icarus")
	build := exec.Command("go", "build", "-o", bin, "./cmd/icarus")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	n1, n2 := startNode(t, bin, db), startNode(t, bin, db)
	n1.waitHealthy(t)
	n2.waitHealthy(t)

	const email, password = "ann@city.test", "correct horse battery staple"
	if out, errOut, code := run(t, password+"\n", "user", "add", "--db", db, "--email", email, "--role", "admin", "--password-stdin"); code != 0 {
		t.Fatalf("user add: %s%s", out, errOut)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 60 * time.Second}

	// sign in through node 1
	resp, err := client.PostForm(n1.base+"/signin", url.Values{"email": {email}, "password": {password}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Value != "" {
			cookie = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || cookie == nil {
		t.Fatalf("sign in through node 1: %s, cookies %v", resp.Status, resp.Cookies())
	}
	get := func(n *node, path string, withCookie bool) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", n.base+path, nil)
		if withCookie {
			req.AddCookie(cookie)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// the session works through node 2
	code, page := get(n2, "/import", true)
	m := csrfRE.FindStringSubmatch(page)
	if code != 200 || m == nil {
		t.Fatalf("node 2 with node 1's session: %d (no import form)", code)
	}
	csrf := m[1]
	if code, _ := get(n2, "/import", false); code == 200 {
		t.Fatal("node 2 shows the import form without a session")
	}

	// import areas through node 1 (one step: upload and import)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"csrf": csrf, "kind": "areas", "target": "Police districts", "action": "import"} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "chicago_police_districts.kml")
	kml, err := os.ReadFile(realdata.Path(t, "chicago", "chicago_police_districts.kml"))
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(kml)
	mw.Close()
	req, _ := http.NewRequest("POST", n1.base+"/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(cookie)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("import through node 1: %s\n%.2000s", resp.Status, b)
	}
	// visible through node 2
	code, layers := get(n2, "/api/v1/layers", false)
	if code != 200 || !strings.Contains(layers, "Police districts") || !strings.Contains(layers, "25") {
		t.Fatalf("node 2's layers after the import through node 1: %d %s", code, layers)
	}

	// jobs: enqueued on the shared database, each runs once on one of the nodes
	ctx := context.Background()
	st, err := store.Open(ctx, db, "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const njobs = 30
	ids := map[string]bool{}
	for i := 0; i < njobs; i++ {
		id, err := st.EnqueueJob(ctx, store.Job{Kind: jobs.KindProbe, Payload: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[fmt.Sprint(id)] = true
	}
	deadline := time.Now().Add(60 * time.Second)
	var probes []store.AuditEntry
	for time.Now().Before(deadline) {
		log, err := st.AuditLog(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		probes = probes[:0]
		for _, e := range log {
			if e.Action == "job.probe" {
				probes = append(probes, e)
			}
		}
		if len(probes) >= njobs {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // a second run would show up by now
	log, _ := st.AuditLog(ctx, 0, 1000)
	runs := map[string]int{}
	workers := map[string]int{}
	for _, e := range log {
		if e.Action == "job.probe" {
			runs[e.Target]++
			workers[strings.Fields(e.Detail)[0]]++
		}
	}
	for id := range ids {
		if runs[id] != 1 {
			t.Errorf("job %s ran %d times, want once", id, runs[id])
		}
	}
	js, err := st.Jobs(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range js {
		if j.Kind == jobs.KindProbe && (j.State != store.JobDone || j.Attempts != 1) {
			t.Errorf("job %d: state %s after %d attempts", j.ID, j.State, j.Attempts)
		}
	}
	t.Logf("probe jobs per node: %v", workers)

	// signing out through node 2 ends the session on node 1 too
	req, _ = http.NewRequest("POST", n2.base+"/signout", strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	if resp, err = client.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, _ := get(n1, "/import", true); code == 200 {
		t.Error("node 1 still accepts a session signed out through node 2")
	}
}
