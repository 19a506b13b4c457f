package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
)

// Authoring of the knowledge base: editors (auth.PermKBEdit) write drafts
// and submit them; reviewers (auth.PermKBReview) publish them or send them
// back. Every save is a version (store.KBVersions); every change is in the
// audit log. Exchange: JSON and CSV export of published records (public)
// and import of records as drafts (editors).

// kbToItem converts a store record to the capability's.
func kbToItem(it store.KBItem) kb.Item {
	out := kb.Item{Key: it.Key, Kind: it.Kind, Title: it.Title, Summary: it.Summary, Body: it.Body, Language: it.Language,
		FocusArea: it.FocusArea, CrossCutting: it.CrossCutting, Approaches: it.Approaches, City: it.City, Country: it.Country,
		Year: it.Year, Source: it.Source}
	var m map[string]any
	if json.Unmarshal(it.Metadata, &m) == nil && len(m) > 0 {
		out.Metadata = m
	}
	return out
}

// kbFromItem converts a capability record to the store's.
func kbFromItem(orgID int64, it kb.Item, status string) store.KBItem {
	var meta json.RawMessage
	if len(it.Metadata) > 0 {
		meta, _ = json.Marshal(it.Metadata)
	}
	return store.KBItem{OrgID: orgID, Key: it.Key, Kind: it.Kind, Title: it.Title, Summary: it.Summary, Body: it.Body,
		Language: it.Language, FocusArea: it.FocusArea, CrossCutting: it.CrossCutting, Approaches: it.Approaches,
		City: it.City, Country: it.Country, Year: it.Year, Source: it.Source, Metadata: meta, Status: status}
}

func (s *Server) kbAudit(r *http.Request, c *reqCtx, action, target, detail string) {
	s.st.Audit(r.Context(), store.AuditEntry{OrgID: c.orgID, UserID: c.user.ID, Actor: c.user.Email, Action: action, Target: target, Detail: detail, IP: clientIP(r)})
}

// ---- manage ----

func (s *Server) kbManagePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderKBManage(w, r, c, "", nil, 200)
}

func (s *Server) renderKBManage(w http.ResponseWriter, r *http.Request, c *reqCtx, flash string, importErrs []string, status int) error {
	st := r.URL.Query().Get("status")
	if st == "" {
		st = "all"
	}
	items, err := s.st.KBItems(r.Context(), c.orgID, store.KBFilter{Status: "all"}, 0)
	if err != nil {
		return err
	}
	pending, err := s.st.KBPending(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	type row struct {
		store.KBItem
		KindLabel, StatusLabel string
		Pending                bool // a revision of the published record is a draft or in review
	}
	var rows []row
	for _, it := range items {
		rw := row{KBItem: it, KindLabel: s.kbLabel(c.lang, "kb.kind.", it.Kind)}
		if v, ok := pending[it.ID]; ok {
			// the record's working status is its revision's; the public
			// still sees the published version
			rw.Status, rw.Version, rw.Updated, rw.Pending = v.Status, v.Version, v.Created, true
			var w store.KBItem
			if json.Unmarshal(v.Record, &w) == nil && w.Title != "" {
				rw.Title = w.Title
			}
		}
		rw.StatusLabel = s.kbMsg(c.lang, "kb.status.", rw.Status)
		if st == "all" || rw.Status == st || (st == store.KBPublished && rw.Pending) {
			rows = append(rows, rw)
		}
	}
	var statuses []kbOption
	for _, x := range []string{store.KBDraft, store.KBReview, store.KBPublished} {
		statuses = append(statuses, kbOption{x, s.kbMsg(c.lang, "kb.status.", x), x == st})
	}
	var kinds []kbOption
	for _, k := range kb.Kinds() {
		kinds = append(kinds, kbOption{k, s.kbLabel(c.lang, "kb.kind.", k), false})
	}
	p := &page{Title: s.cat.T(c.lang, "kb.manage.title"), Active: "knowledge", Flash: flash, Data: map[string]any{
		"Rows": rows, "Statuses": statuses, "Kinds": kinds, "ImportErrors": importErrs,
		"CanReview": auth.Allows(c.role, auth.PermKBReview),
	}}
	if len(importErrs) > 0 {
		p.Error = s.cat.T(c.lang, "kb.import.failed", "n", len(importErrs))
	}
	return s.render(w, r, c, "kbmanage", status, p)
}

// ---- edit form ----

type kbForm struct {
	ID                                                  int64
	Version                                             int
	Kind, Title, Summary, Body, Language, Focus         string
	City, Country, Year, Source, Metadata, Note, Status string
	CC, Approaches                                      []string
	Pending                                             bool              // editing the revision of a published record
	EvForm                                              bool              // evidence card: one field per EMMIE dimension (kb_evidence_form.go)
	Ev                                                  kbEvForm          // its fields
	EvErrors                                            map[string]string // field → message
}

func (s *Server) renderKBEdit(w http.ResponseWriter, r *http.Request, c *reqCtx, f kbForm, errs []string, status int) error {
	tax, err := s.kbTaxFor(r, c)
	if err != nil {
		return err
	}
	var kinds []kbOption
	for _, k := range kb.Kinds() {
		kinds = append(kinds, kbOption{k, s.kbLabel(c.lang, "kb.kind.", k), k == f.Kind})
	}
	var langs []kbOption
	for _, l := range kb.Languages() {
		langs = append(langs, kbOption{l, s.kbLabel(c.lang, "kb.lang.", l), l == f.Language})
	}
	title := s.cat.T(c.lang, "kb.edit.new")
	if f.ID != 0 {
		title = s.cat.T(c.lang, "kb.edit.title", "title", f.Title)
	}
	p := &page{Title: title, Active: "knowledge", Data: map[string]any{
		"F": f, "Errors": errs, "Kinds": kinds, "Langs": langs,
		"Focus":      tax.options(kb.TaxFocus, f.Focus),
		"CC":         tax.options(kb.TaxCC, f.CC...),
		"Approaches": tax.options(kb.TaxApproach, f.Approaches...),
		"Template":   kbMetaTemplate(f.Kind),
		"EvC":        s.kbEvChoices(c.lang, f.Ev),
		"EvErrList":  s.kbEvErrList(c.lang, f.EvErrors),
	}}
	if n := len(errs) + len(f.EvErrors); n > 0 {
		p.Error = s.cat.T(c.lang, "kb.edit.invalid", "n", n)
	}
	return s.render(w, r, c, "kbedit", status, p)
}

// kbMetaTemplate is the example metadata shown beside the form of a kind.
func kbMetaTemplate(kind string) string {
	var v any
	switch kind {
	case kb.KindEvidence:
		yes := true
		v = map[string]any{"emmie": kb.Evidence{Focus: "situational", CrimeTypes: []string{"0501"}, Places: []string{"residential"}, Populations: []string{"residents"},
			Effect:  kb.Effect{Direction: "reduction", Size: "modest", Significant: &yes, Outcome: "crime", Measure: "% change", NStudies: 1, Text: "..."},
			Quality: kb.Quality{Effect: "moderate"}, Ratings: []kb.Rating{{Scheme: "local", Rating: "..."}},
			Displacement: "not_reported", Backfire: "not_reported", Citations: []kb.Citation{{Text: "...", URL: "https://..."}}, LastReviewed: "2026-01-31"}}
	case kb.KindFinding:
		v = kb.Finding{Type: "lesson", Period: "2010s–2020s", Basis: "...", References: []kb.Citation{{Text: "...", URL: "https://..."}}}
	case kb.KindTool, kb.KindPractice:
		v = map[string]any{"status": "piloted", "how_might_we": "How might we ...?", "components": []string{"committee", "survey"},
			"steps": []map[string]string{{"step": "...", "duration": "2 weeks"}}, "audience": "...", "kpis": []string{"..."}, "results": "...", "contact": "..."}
	default:
		v = map[string]any{"author": "...", "organisation": "...", "type": "evaluation", "licence": "CC BY 4.0"}
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func (s *Server) kbNewPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	kind := r.URL.Query().Get("kind")
	if !kb.ValidKind(kind) {
		kind = kb.KindPractice
	}
	return s.renderKBEdit(w, r, c, kbForm{Kind: kind, Language: "en", Metadata: "{}", EvForm: kind == kb.KindEvidence,
		Ev: kbEvForm{Ratings: map[string][2]string{}}}, nil, 200)
}

func kbID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, apperr.New(apperr.NotFound, "")
	}
	return id, nil
}

func (s *Server) kbEditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := kbID(r)
	if err != nil {
		return err
	}
	it, pending, err := s.st.KBWorking(r.Context(), c.orgID, id)
	if err != nil {
		return err
	}
	year := ""
	if it.Year != 0 {
		year = strconv.Itoa(it.Year)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, it.Metadata, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(it.Metadata)
	}
	f := kbForm{ID: it.ID, Version: it.Version, Kind: it.Kind, Title: it.Title, Summary: it.Summary, Body: it.Body,
		Language: it.Language, Focus: it.FocusArea, City: it.City, Country: it.Country, Year: year, Source: it.Source,
		Metadata: pretty.String(), CC: it.CrossCutting, Approaches: it.Approaches, Status: it.Status, Pending: pending}
	if it.Kind == kb.KindEvidence {
		var m map[string]any
		if json.Unmarshal(it.Metadata, &m) == nil {
			if e, _, err := kb.EvidenceOf(it.Metadata); err == nil {
				delete(m, "emmie")
				f.EvForm, f.Ev = true, kbEvFromEvidence(e, m)
			}
		}
	}
	return s.renderKBEdit(w, r, c, f, nil, 200)
}

// kbSave is POST /knowledge/save: create or update a record as a draft.
func (s *Server) kbSave(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "form: %v", err)
	}
	pf := r.PostForm
	f := kbForm{Kind: pf.Get("kind"), Title: strings.TrimSpace(pf.Get("title")), Summary: strings.TrimSpace(pf.Get("summary")),
		Body: strings.ReplaceAll(strings.TrimSpace(pf.Get("body")), "\r\n", "\n"), Language: pf.Get("language"), Focus: pf.Get("focus"),
		City: strings.TrimSpace(pf.Get("city")), Country: strings.ToUpper(strings.TrimSpace(pf.Get("country"))), Year: strings.TrimSpace(pf.Get("year")),
		Source: strings.TrimSpace(pf.Get("source")), Metadata: strings.TrimSpace(pf.Get("metadata")), Note: strings.TrimSpace(pf.Get("note")),
		CC: pf["cc"], Approaches: pf["approach"]}
	f.ID, _ = strconv.ParseInt(pf.Get("id"), 10, 64)
	f.Version, _ = strconv.Atoi(pf.Get("version"))
	it := kb.Item{Kind: f.Kind, Title: f.Title, Summary: f.Summary, Body: f.Body, Language: f.Language, FocusArea: f.Focus,
		CrossCutting: f.CC, Approaches: f.Approaches, City: f.City, Country: f.Country, Source: f.Source}
	var errs []string
	field := func(name string) string { return s.kbMsg(c.lang, "kb.field.", name) }
	if f.Year != "" {
		y, err := strconv.Atoi(f.Year)
		if err != nil {
			errs = append(errs, field("year")+": "+s.cat.T(c.lang, "kb.edit.notnumber"))
		}
		it.Year = y
	}
	if pf.Get("ev_form") == "1" {
		// an evidence card's fields: checked here, field by field
		f.EvForm, f.Ev = true, kbEvFromPost(pf)
		e, other, evErrs := f.Ev.evidence()
		if len(evErrs) > 0 {
			f.EvErrors = map[string]string{}
			for field, key := range evErrs {
				f.EvErrors[field] = s.kbMsg(c.lang, "kbgaps.ev.err.", key)
			}
		} else {
			if other == nil {
				other = map[string]any{}
			}
			b, _ := json.Marshal(e)
			var em map[string]any
			_ = json.Unmarshal(b, &em)
			other["emmie"] = em
			it.Metadata = other
		}
	} else if f.Metadata != "" && f.Metadata != "{}" {
		if err := json.Unmarshal([]byte(f.Metadata), &it.Metadata); err != nil || it.Metadata == nil {
			msg := "not a JSON object"
			if err != nil {
				msg = err.Error()
			}
			errs = append(errs, field("metadata")+": "+msg)
		}
	}
	tax, err := s.st.KBTaxonomies(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	for _, e := range kb.ValidateItemIn(tax, 1, it) {
		errs = append(errs, e.Field+": "+e.Message)
	}
	if len(errs) > 0 || len(f.EvErrors) > 0 {
		return s.renderKBEdit(w, r, c, f, errs, http.StatusUnprocessableEntity)
	}
	rec := kbFromItem(c.orgID, it, store.KBDraft)
	if f.ID != 0 {
		cur, err := s.st.KBItem(r.Context(), c.orgID, f.ID)
		if err != nil {
			return err
		}
		rec.Key = cur.Key
		rec.Version = f.Version
	} else {
		rec.Key = "local:" + strconv.FormatInt(s.now().UnixNano(), 36)
	}
	id, created, err := s.st.PutKBItemAs(r.Context(), rec, c.user.Email, f.Note)
	if apperr.CodeOf(err) == apperr.Conflict {
		return s.renderKBEdit(w, r, c, f, []string{apperr.MessageOf(err)}, http.StatusConflict)
	}
	if err != nil {
		return err
	}
	action := "kb.update"
	if created {
		action = "kb.create"
	}
	s.kbAudit(r, c, action, "kb:"+strconv.FormatInt(id, 10), "title="+rec.Title+"; status=draft")
	http.Redirect(w, r, "/knowledge/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// kbSetStatus is POST /knowledge/{id}/status: submit (editor: draft →
// review), publish (reviewer: review → published), return (reviewer:
// review → draft), withdraw (reviewer: published → draft).
func (s *Server) kbSetStatus(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := kbID(r)
	if err != nil {
		return err
	}
	it, _, err := s.st.KBWorking(r.Context(), c.orgID, id)
	if err != nil {
		return err
	}
	action := r.PostFormValue("action")
	if action == "discard" {
		return s.kbDiscardRevision(w, r, c, id)
	}
	type move struct{ from, to string }
	moves := map[string]move{
		"submit":   {store.KBDraft, store.KBReview},
		"publish":  {store.KBReview, store.KBPublished},
		"return":   {store.KBReview, store.KBDraft},
		"withdraw": {store.KBPublished, store.KBDraft},
	}
	m, ok := moves[action]
	if !ok {
		return apperr.New(apperr.Invalid, "action: %q is not submit, publish, return, withdraw or discard", action)
	}
	if action != "submit" && !auth.Allows(c.role, auth.PermKBReview) {
		return apperr.New(apperr.Forbidden, "%s", s.cat.T(c.lang, "kb.status.needreviewer"))
	}
	if it.Status != m.from {
		return apperr.New(apperr.Conflict, "%s", s.cat.T(c.lang, "kb.status.wrong", "status", s.kbMsg(c.lang, "kb.status.", it.Status)))
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if _, err := s.st.SetKBStatus(r.Context(), c.orgID, id, m.to, c.user.Email, note); err != nil {
		return err
	}
	s.kbAudit(r, c, "kb."+action, "kb:"+strconv.FormatInt(id, 10), "title="+it.Title+"; "+m.from+" -> "+m.to)
	http.Redirect(w, r, "/knowledge/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// kbDiscardRevision is POST /knowledge/{id}/status with action=discard:
// the pending revision of a published record is dropped and the published
// version is the record again (the revision stays in the history). An
// editor may discard a draft revision; one in review takes a reviewer.
func (s *Server) kbDiscardRevision(w http.ResponseWriter, r *http.Request, c *reqCtx, id int64) error {
	it, pending, err := s.st.KBWorking(r.Context(), c.orgID, id)
	if err != nil {
		return err
	}
	if !pending {
		return apperr.New(apperr.Conflict, "%s", s.cat.T(c.lang, "kbgaps.rev.nothing"))
	}
	if it.Status != store.KBDraft && !auth.Allows(c.role, auth.PermKBReview) {
		return apperr.New(apperr.Forbidden, "%s", s.cat.T(c.lang, "kb.status.needreviewer"))
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	gone, err := s.st.DiscardKBRevision(r.Context(), c.orgID, id, c.user.Email, note)
	if err != nil {
		return err
	}
	s.kbAudit(r, c, "kb.discard", "kb:"+strconv.FormatInt(id, 10),
		"title="+gone.Title+"; revision v"+strconv.Itoa(gone.Version)+" ("+gone.Status+") discarded")
	http.Redirect(w, r, "/knowledge/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// ---- history ----

type kbChange struct {
	Field, Old, New string
}

type kbVersionView struct {
	store.KBVersion
	StatusLabel string
	Changes     []kbChange
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// kbDiff lists the fields that differ between two saved records.
func kbDiff(prev, next json.RawMessage) []kbChange {
	var a, b map[string]any
	json.Unmarshal(prev, &a)
	json.Unmarshal(next, &b)
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	show := func(v any) string {
		if v == nil {
			return ""
		}
		if s, ok := v.(string); ok {
			return s
		}
		j, _ := json.Marshal(v)
		return string(j)
	}
	var out []kbChange
	for _, k := range names {
		o, n := show(a[k]), show(b[k])
		if o != n {
			out = append(out, kbChange{k, clip(o, 600), clip(n, 600)})
		}
	}
	return out
}

func (s *Server) kbHistoryPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := kbID(r)
	if err != nil {
		return err
	}
	it, err := s.st.KBItem(r.Context(), c.orgID, id)
	if err != nil {
		return err
	}
	vs, err := s.st.KBVersions(r.Context(), c.orgID, id)
	if err != nil {
		return err
	}
	views := make([]kbVersionView, len(vs))
	for i, v := range vs {
		views[i] = kbVersionView{KBVersion: v, StatusLabel: s.kbMsg(c.lang, "kb.status.", v.Status)}
		if i+1 < len(vs) {
			views[i].Changes = kbDiff(vs[i+1].Record, v.Record)
		}
	}
	return s.render(w, r, c, "kbhistory", 200, &page{Title: s.cat.T(c.lang, "kb.history.title", "title", it.Title), Active: "knowledge",
		Data: map[string]any{"Item": it, "Versions": views}})
}

// ---- exchange ----

// kbExport is GET /api/v1/kb/export.{json,csv}: the published records.
func (s *Server) kbExport(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	items, err := s.st.KBItems(r.Context(), c.orgID, store.KBFilter{Kind: r.URL.Query().Get("kind")}, 0)
	if err != nil {
		return err
	}
	recs := make([]kb.Item, len(items))
	for i, it := range items {
		recs[i] = kbToItem(it)
	}
	var buf bytes.Buffer
	format := strings.TrimPrefix(r.URL.Path, "/api/v1/kb/export.")
	switch format {
	case "json":
		err = kb.WriteRecordsJSON(&buf, recs)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	case "csv":
		err = kb.WriteRecordsCSV(&buf, recs)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	default:
		return apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="knowledge-base.`+format+`"`)
	_, err = w.Write(buf.Bytes())
	return err
}

// kbImport is POST /knowledge/import: records from a JSON or CSV exchange
// file, saved as drafts, all or none.
func (s *Server) kbImport(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	r.Body = http.MaxBytesReader(w, r.Body, kb.MaxExchangeBytes+1<<20)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.renderKBManage(w, r, c, "", []string{s.cat.T(c.lang, "kb.import.nofile")}, http.StatusUnprocessableEntity)
	}
	defer file.Close()
	var items []kb.Item
	var recErrs []kb.RecordError
	name := filepath.Base(hdr.Filename)
	tax, err := s.st.KBTaxonomies(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		items, recErrs, err = kb.ReadRecordsJSONIn(tax, file)
	case ".csv":
		items, recErrs, err = kb.ReadRecordsCSVIn(tax, file)
	default:
		_, _ = io.Copy(io.Discard, file)
		return s.renderKBManage(w, r, c, "", []string{name + ": " + s.cat.T(c.lang, "kb.import.format")}, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return s.renderKBManage(w, r, c, "", []string{name + ": " + err.Error()}, http.StatusUnprocessableEntity)
	}
	if len(recErrs) > 0 {
		msgs := make([]string, 0, len(recErrs))
		for i, e := range recErrs {
			if i == 200 {
				msgs = append(msgs, fmt.Sprintf("… %d more", len(recErrs)-200))
				break
			}
			msgs = append(msgs, name+": "+e.Error())
		}
		return s.renderKBManage(w, r, c, "", msgs, http.StatusUnprocessableEntity)
	}
	recs := make([]store.KBItem, len(items))
	for i, it := range items {
		recs[i] = kbFromItem(c.orgID, it, store.KBDraft)
	}
	created, updated, err := s.st.PutKBItemsAs(r.Context(), recs, c.user.Email, "imported from "+name)
	if err != nil {
		return s.renderKBManage(w, r, c, "", []string{name + ": " + apperr.MessageOf(err)}, http.StatusUnprocessableEntity)
	}
	s.kbAudit(r, c, "kb.import", name, fmt.Sprintf("records=%d created=%d updated=%d status=draft", len(recs), created, updated))
	return s.renderKBManage(w, r, c, s.cat.T(c.lang, "kb.import.done", "n", len(recs), "created", created, "updated", updated), nil, 200)
}

// kbAuthorRoutes: authoring (editors and reviewers) and exchange.
func (s *Server) kbAuthorRoutes() []route {
	return []route{
		{"GET /knowledge/manage", auth.PermKBEdit, false, s.kbManagePage},
		{"GET /knowledge/new", auth.PermKBEdit, false, s.kbNewPage},
		{"POST /knowledge/save", auth.PermKBEdit, false, s.kbSave},
		{"GET /knowledge/{id}/edit", auth.PermKBEdit, false, s.kbEditPage},
		{"POST /knowledge/{id}/status", auth.PermKBEdit, false, s.kbSetStatus}, // publish, return and withdraw check PermKBReview inside
		{"GET /knowledge/{id}/history", auth.PermKBEdit, false, s.kbHistoryPage},
		{"POST /knowledge/import", auth.PermKBEdit, false, s.kbImport},
		{"GET /api/v1/kb/export.json", auth.PermPublic, true, s.kbExport}, // published records only
		{"GET /api/v1/kb/export.csv", auth.PermPublic, true, s.kbExport},
	}
}
