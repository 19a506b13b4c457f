package web

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
)

// The knowledge base is not personal data: search and item pages are
// public (PermPublic), scoped to the request's organisation.

// kbOption is a choice of a filter select.
type kbOption struct {
	Code, Label string
	Selected    bool
}

// kbResult is a search result for the page.
type kbResult struct {
	store.KBHit
	KindLabel, FocusLabel string
	Snippet               template.HTML
}

// kbLabel translates a taxonomy code (families kb.kind., kb.focus., kb.cc.,
// kb.approach., kb.lang.); unknown codes show as they are.
func (s *Server) kbLabel(lang, family, code string) string {
	if code == "" {
		return ""
	}
	if msg := s.cat.T(lang, family+code); !strings.HasPrefix(msg, "⟦") {
		return msg
	}
	return code
}

// kbMsg translates a message of a family of keys (kb.status., kb.caveat.,
// ...) whose every member the catalogs define (TestKBTaxonomyKeys).
func (s *Server) kbMsg(lang, family, code string) string {
	key := family + code
	return s.cat.T(lang, key)
}

// kbFilterFrom reads the filters of a search from the query string.
func kbFilterFrom(r *http.Request) store.KBFilter {
	q := r.URL.Query()
	return store.KBFilter{Kind: q.Get("kind"), FocusArea: q.Get("focus"), CrossCutting: q.Get("cc"), Language: q.Get("in"), Country: q.Get("country")}
}

// highlight escapes a snippet and turns its marks into <mark>.
func highlight(s string) template.HTML {
	esc := template.HTMLEscapeString(s)
	open := 0
	var b strings.Builder
	for _, r := range esc {
		switch string(r) {
		case store.SnippetStart:
			if open == 0 {
				b.WriteString("<mark>")
			}
			open++
		case store.SnippetEnd:
			if open > 0 {
				open--
				if open == 0 {
					b.WriteString("</mark>")
				}
			}
		default:
			b.WriteRune(r)
		}
	}
	if open > 0 {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

func (s *Server) knowledgePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	query := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(query) > 500 {
		return apperr.New(apperr.Invalid, "the query is too long")
	}
	f := kbFilterFrom(r)
	hits, err := s.st.SearchKB(r.Context(), c.orgID, query, c.lang, f, 50)
	if err != nil {
		return err
	}
	res := make([]kbResult, len(hits))
	for i, h := range hits {
		res[i] = kbResult{KBHit: h, KindLabel: s.kbLabel(c.lang, "kb.kind.", h.Kind), FocusLabel: s.kbLabel(c.lang, "kb.focus.", h.FocusArea), Snippet: highlight(h.Snippet)}
		if h.Snippet == "" {
			res[i].Snippet = template.HTML(template.HTMLEscapeString(h.Summary))
		}
	}
	opts := func(family string, codes []string, sel string) []kbOption {
		out := make([]kbOption, len(codes))
		for i, code := range codes {
			out[i] = kbOption{code, s.kbLabel(c.lang, family, code), code == sel}
		}
		return out
	}
	codes := func(ts []kb.Term) []string {
		out := make([]string, len(ts))
		for i, t := range ts {
			out[i] = t.Code
		}
		return out
	}
	counts, err := s.st.KBCounts(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	var total int64
	for _, n := range counts {
		total += n
	}
	return s.render(w, r, c, "knowledge", 200, &page{Title: s.cat.T(c.lang, "kb.title"), Active: "knowledge", Data: map[string]any{
		"Q":       query,
		"Results": res,
		"Total":   total,
		"Kinds":   opts("kb.kind.", kb.Kinds(), f.Kind),
		"Focus":   opts("kb.focus.", codes(kb.FocusAreas()), f.FocusArea),
		"CC":      opts("kb.cc.", codes(kb.CrossCuttingIssues()), f.CrossCutting),
		"Langs":   opts("kb.lang.", kb.Languages(), f.Language),
	}})
}

func (s *Server) kbItemPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "")
	}
	it, err := s.st.KBItem(r.Context(), c.orgID, id)
	if err != nil {
		return err
	}
	canEdit := auth.Allows(c.role, auth.PermKBEdit)
	if it.Status != store.KBPublished && !canEdit {
		return apperr.New(apperr.NotFound, "") // drafts are not public
	}
	var cc, ap []string
	for _, x := range it.CrossCutting {
		cc = append(cc, s.kbLabel(c.lang, "kb.cc.", x))
	}
	for _, x := range it.Approaches {
		ap = append(ap, s.kbLabel(c.lang, "kb.approach.", x))
	}
	data := map[string]any{
		"Item":       it,
		"Kind":       s.kbLabel(c.lang, "kb.kind.", it.Kind),
		"Focus":      s.kbLabel(c.lang, "kb.focus.", it.FocusArea),
		"Language":   s.kbLabel(c.lang, "kb.lang.", it.Language),
		"CC":         strings.Join(cc, ", "),
		"Approaches": strings.Join(ap, ", "),
		"Paragraphs": strings.Split(it.Body, "\n"),
		"CanEdit":    canEdit,
		"Status":     s.kbMsg(c.lang, "kb.status.", it.Status),
	}
	skip := []string{}
	if it.Kind == kb.KindEvidence {
		if e, ok, err := kb.EvidenceOf(it.Metadata); err == nil && ok {
			data["Card"] = &kbCardCtx{C: s.cardView(c.lang, e)}
			skip = append(skip, "emmie")
		}
	}
	if it.Kind == kb.KindFinding {
		data["Finding"] = s.findingView(c.lang, it)
		skip = append(skip, "finding_type", "period", "basis", "references")
	}
	data["Meta"] = kbMetaRows(it.Metadata, skip...)
	link := ""
	if strings.HasPrefix(it.Source, "https://") || strings.HasPrefix(it.Source, "http://") {
		link = strings.Fields(it.Source)[0]
	}
	data["Link"] = link
	p := &page{Title: it.Title, Active: "knowledge", Data: data}
	if cc, ok := data["Card"].(*kbCardCtx); ok {
		cc.P = p
	}
	return s.render(w, r, c, "kbitem", 200, p)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// apiKBSearch is GET /api/v1/kb/search?q=...&lang=&kind=&focus=&cc=&in=&limit=
func (s *Server) apiKBSearch(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	q := r.URL.Query()
	query := strings.TrimSpace(q.Get("q"))
	if len(query) > 500 {
		return apperr.New(apperr.Invalid, "q: the query is too long")
	}
	limit := 20
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return apperr.New(apperr.Invalid, "limit: want a number from 1 to 200")
		}
		limit = n
	}
	hits, err := s.st.SearchKB(r.Context(), c.orgID, query, q.Get("lang"), kbFilterFrom(r), limit)
	if err != nil {
		return err
	}
	type result struct {
		Type      string  `json:"type"`
		ID        int64   `json:"id"`
		Title     string  `json:"title"`
		Score     float64 `json:"score"`
		Snippet   string  `json:"snippet"`
		Language  string  `json:"language,omitempty"`
		FocusArea string  `json:"focus_area,omitempty"`
		City      string  `json:"city,omitempty"`
		Country   string  `json:"country,omitempty"`
		URL       string  `json:"url"`
	}
	out := make([]result, len(hits))
	plain := strings.NewReplacer(store.SnippetStart, "", store.SnippetEnd, "", "\n", " ")
	for i, h := range hits {
		out[i] = result{h.Kind, h.ID, h.Title, h.Score, plain.Replace(h.Snippet), h.Language, h.FocusArea, h.City, h.Country, "/knowledge/" + strconv.FormatInt(h.ID, 10)}
	}
	return writeJSON(w, map[string]any{"query": query, "results": out})
}

// kbRoutes: the knowledge base is not personal data, so it is public.
func (s *Server) kbRoutes() []route {
	return slices.Concat([]route{
		{"GET /knowledge", auth.PermPublic, false, s.knowledgePage}, // the knowledge base is not personal data (kb.go)
		{"GET /knowledge/{id}", auth.PermPublic, false, s.kbItemPage},
		{"GET /api/v1/kb/search", auth.PermPublic, true, s.apiKBSearch},
	}, s.kbViewRoutes(), s.kbAuthorRoutes())
}
