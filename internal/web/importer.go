package web

import (
	"crypto/rand"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/incident"
	"github.com/icarus-city/icarus/internal/store"
)

// maxUpload is the largest file accepted from the browser.
const maxUpload = 200 << 20

// importForm is the state of the import page.
type importForm struct {
	Kind, Preset, Target, CRS, Partner, Token, FileName string
	Cols                                                map[string]string // mapping overrides: field → column
	Presets                                             []string
	Kinds                                               []string
	CanData                                             bool
	Summary                                             *hub.Summary
	Preview                                             bool
	Err                                                 string
}

func (s *Server) newImportForm(c *reqCtx) *importForm {
	f := &importForm{Kind: "incidents", Preset: "police-uk", Presets: incident.PresetNames(), Cols: map[string]string{},
		CanData: auth.Allows(c.role, auth.PermImportData)}
	f.Kinds = []string{"indicators"}
	if f.CanData {
		f.Kinds = []string{"incidents", "areas", "indicators"}
	} else {
		f.Kind = "indicators"
	}
	return f
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.render(w, r, c, "import", 200, &page{Title: s.cat.T(c.lang, "import.title"), Active: "import", Data: s.newImportForm(c)})
}

// importSubmit previews (dry run) or runs an import of an uploaded file.
func (s *Server) importSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f := s.newImportForm(c)
	f.Kind, f.Preset, f.Target = r.PostFormValue("kind"), r.PostFormValue("preset"), strings.TrimSpace(r.PostFormValue("target"))
	f.CRS, f.Partner, f.Token = strings.TrimSpace(r.PostFormValue("crs")), strings.TrimSpace(r.PostFormValue("partner")), r.PostFormValue("token")
	for _, k := range []string{"id", "category", "date", "x", "y"} {
		if v := strings.TrimSpace(r.PostFormValue("col_" + k)); v != "" {
			f.Cols[k] = v
		}
	}
	f.Preview = r.PostFormValue("action") != "import"
	err := s.runWebImport(r, c, f)
	if err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			return err
		}
		f.Err = describeErr(err)
	}
	p := &page{Title: s.cat.T(c.lang, "import.title"), Active: "import", Data: f}
	if r.Header.Get("X-Requested-With") == "XMLHttpRequest" {
		p.s, p.c, p.Path = s, c, r.URL.Path
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return s.pages["import"].ExecuteTemplate(w, "importresult", p)
	}
	return s.render(w, r, c, "import", 200, p)
}

func describeErr(err error) string {
	if e, ok := err.(*apperr.Error); ok && e.Err != nil {
		return e.Error()
	}
	if m := apperr.MessageOf(err); m != "" {
		return m
	}
	return err.Error()
}

func (s *Server) runWebImport(r *http.Request, c *reqCtx, f *importForm) error {
	ctx := r.Context()
	switch f.Kind {
	case "incidents", "areas":
		if !f.CanData {
			return apperr.New(apperr.Forbidden, "your role may import indicators only")
		}
	case "indicators":
	default:
		return apperr.New(apperr.Invalid, "unknown kind %q", f.Kind)
	}
	path, name, err := s.receiveUpload(r, c, f)
	if err != nil {
		return err
	}
	open := func() (*os.File, error) { return os.Open(path) }
	var sum hub.Summary
	switch f.Kind {
	case "incidents":
		m, err := incident.Preset(f.Preset)
		if err != nil {
			return apperr.Wrap(apperr.Invalid, err, "preset")
		}
		applyCols(&m, f.Cols)
		in, err := open()
		if err != nil {
			return err
		}
		defer in.Close()
		sum, err = s.hub.ImportIncidents(ctx, hub.Source{Name: name, R: in}, hub.IncidentOptions{OrgID: c.orgID, Dataset: f.Target, Preset: f.Preset,
			Mapping: &m, CRS: f.CRS, Actor: c.user.Email, DryRun: f.Preview, SampleSize: 10})
		f.Summary = &sum
		if err != nil {
			return err
		}
	case "areas":
		opener := func(ext string) (io.ReadCloser, error) { return os.Open(path) }
		if strings.EqualFold(filepath.Ext(name), ".zip") {
			in, err := open()
			if err != nil {
				return err
			}
			defer in.Close()
			st, _ := in.Stat()
			name, opener, err = hub.ZipOpener(in, st.Size())
			if err != nil {
				return err
			}
		}
		fc, err := hub.ReadSpatial(name, opener)
		if err != nil {
			return apperr.Wrap(apperr.Invalid, err, "%s", name)
		}
		if f.Preview {
			sum = hub.Summary{Kind: "areas", File: name, Read: len(fc.Features), Accepted: len(fc.Features), CRS: fc.CRS}
			if len(fc.Features) > 0 {
				for k := range fc.Features[0].Props {
					sum.Columns = append(sum.Columns, k)
				}
			}
			f.Summary = &sum
			return nil
		}
		sum, err = s.hub.ImportAreas(ctx, name, fc, hub.AreaOptions{OrgID: c.orgID, Layer: f.Target, CRS: f.CRS, Actor: c.user.Email})
		f.Summary = &sum
		if err != nil {
			return err
		}
	case "indicators":
		if f.Preview {
			f.Preview = false // indicator files are validated as they import; no dry run
		}
		in, err := open()
		if err != nil {
			return err
		}
		defer in.Close()
		sum, err = s.hub.ImportIndicators(ctx, hub.Source{Name: name, R: in}, hub.IndicatorOptions{OrgID: c.orgID, Partner: f.Partner, Actor: c.user.Email})
		f.Summary = &sum
		if err != nil {
			return err
		}
	}
	if !f.Preview {
		s.uploads.remove(f.Token)
		f.Token = ""
		s.st.Audit(ctx, store.AuditEntry{OrgID: c.orgID, UserID: c.user.ID, Actor: c.user.Email, Action: "import." + f.Kind, Target: sum.Target,
			Detail: fmt.Sprintf("file=%s read=%d accepted=%d rejected=%d inserted=%d", sum.File, sum.Read, sum.Accepted, sum.Rejected, sum.Inserted), IP: clientIP(r)})
	}
	return nil
}

// applyCols overrides a mapping's columns with the user's choices.
func applyCols(m *incident.Mapping, cols map[string]string) {
	for k, v := range cols {
		switch k {
		case "id":
			m.ID = v
		case "category":
			m.Category = v
		case "date":
			m.Date = v
		case "x":
			m.X = v
		case "y":
			m.Y = v
		}
	}
}

// receiveUpload stores a new upload (or finds the one of a preview) and
// returns its path and original name.
func (s *Server) receiveUpload(r *http.Request, c *reqCtx, f *importForm) (string, string, error) {
	file, hdr, err := r.FormFile("file")
	if err == nil {
		defer file.Close()
		return s.uploads.save(file, hdr, c.user.ID, f)
	}
	if err != http.ErrMissingFile {
		return "", "", apperr.Wrap(apperr.Invalid, err, "upload")
	}
	if f.Token == "" {
		return "", "", apperr.New(apperr.Invalid, "choose a file to import")
	}
	u, ok := s.uploads.get(f.Token, c.user.ID)
	if !ok {
		return "", "", apperr.New(apperr.Invalid, "%s", errUploadGone.Error())
	}
	f.FileName = u.name
	return u.path, u.name, nil
}

func (u *uploads) save(file multipart.File, hdr *multipart.FileHeader, userID int64, f *importForm) (string, string, error) {
	if hdr.Size > maxUpload {
		return "", "", apperr.New(apperr.Invalid, "%s is larger than %d MB", hdr.Filename, maxUpload>>20)
	}
	if err := os.MkdirAll(u.dir, 0o700); err != nil {
		return "", "", err
	}
	tok, err := auth.NewToken(rand.Reader, 18)
	if err != nil {
		return "", "", err
	}
	path := filepath.Join(u.dir, tok)
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", "", err
	}
	if _, err := io.Copy(out, io.LimitReader(file, maxUpload)); err != nil {
		out.Close()
		os.Remove(path)
		return "", "", err
	}
	if err := out.Close(); err != nil {
		return "", "", err
	}
	name := filepath.Base(hdr.Filename)
	u.mu.Lock()
	u.expireLocked()
	u.entries[tok] = upload{path: path, name: name, userID: userID, expires: time.Now().Add(time.Hour)}
	u.mu.Unlock()
	f.Token, f.FileName = tok, name
	return path, name, nil
}

func (u *uploads) get(tok string, userID int64) (upload, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	e, ok := u.entries[tok]
	if !ok || e.userID != userID || time.Now().After(e.expires) {
		return upload{}, false
	}
	return e, true
}

func (u *uploads) remove(tok string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if e, ok := u.entries[tok]; ok {
		os.Remove(e.path)
		delete(u.entries, tok)
	}
}

func (u *uploads) expireLocked() {
	now := time.Now()
	for k, e := range u.entries {
		if now.After(e.expires) {
			os.Remove(e.path)
			delete(u.entries, k)
		}
	}
}

func (u *uploads) clear() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for k, e := range u.entries {
		os.Remove(e.path)
		delete(u.entries, k)
	}
}
