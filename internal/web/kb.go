package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
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

// kbSearchWithFacets runs a search and counts its facets at the same time:
// two independent queries (the facets count every match, the search ranks
// a page), each on a read connection of its own, so that a search answers
// in the time of the slower one rather than of both.
func (s *Server) kbSearchWithFacets(ctx context.Context, orgID int64, query, lang string, f store.KBFilter, limit int) ([]store.KBHit, store.KBFacets, error) {
	var fc store.KBFacets
	var fcErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		fc, fcErr = s.st.KBFacets(ctx, orgID, query, f)
	}()
	hits, err := s.st.SearchKB(ctx, orgID, query, lang, f, limit)
	<-done
	if err == nil {
		err = fcErr
	}
	return hits, fc, err
}

func (s *Server) knowledgePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	query := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(query) > 500 {
		return apperr.New(apperr.Invalid, "the query is too long")
	}
	f, err := kbFilterFrom(r)
	if err != nil {
		return err
	}
	tax, err := s.kbTaxFor(r, c)
	if err != nil {
		return err
	}
	hits, fc, err := s.kbSearchWithFacets(r.Context(), c.orgID, query, c.lang, f, 50)
	if err != nil {
		return err
	}
	res := make([]kbResult, len(hits))
	for i, h := range hits {
		res[i] = kbResult{KBHit: h, KindLabel: s.kbLabel(c.lang, "kb.kind.", h.Kind), FocusLabel: tax.label(kb.TaxFocus, h.FocusArea), Snippet: highlight(h.Snippet)}
		if h.Snippet == "" {
			res[i].Snippet = template.HTML(template.HTMLEscapeString(h.Summary))
		}
	}
	var langs []kbOption
	for _, code := range kb.Languages() {
		langs = append(langs, kbOption{code, s.kbLabel(c.lang, "kb.lang.", code), code == f.Language})
	}
	counts, err := s.st.KBCounts(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	var total int64
	for _, n := range counts {
		total += n
	}
	base := kbSearchBase(r)
	groups, chips := s.kbFacetGroups(c.lang, tax, fc, f, base)
	// the filters a new query keeps (hidden fields of the search form)
	var keep [][2]string
	for _, k := range []string{"kind", "focus", "cc", "approach", "country", "decade", "strength"} {
		if v := base.Get(k); v != "" {
			keep = append(keep, [2]string{k, v})
		}
	}
	clear := "/knowledge"
	if query != "" || f.Language != "" {
		v := url.Values{}
		if query != "" {
			v.Set("q", query)
		}
		if f.Language != "" {
			v.Set("in", f.Language)
		}
		clear += "?" + v.Encode()
	}
	return s.render(w, r, c, "knowledge", 200, &page{Title: s.cat.T(c.lang, "kb.title"), Active: "knowledge", Data: map[string]any{
		"Q":        query,
		"Results":  res,
		"Total":    total,
		"Matches":  fc.Total,
		"AnyWord":  fc.AnyWord,
		"More":     fc.Total > len(res),
		"Langs":    langs,
		"Facets":   groups,
		"Chips":    chips,
		"Keep":     keep,
		"ClearAll": clear,
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
	// editors see the pending revision of a published record (what they
	// act on), unless they ask for the published version; the public sees
	// the published version until the revision is published
	var published *store.KBItem
	if canEdit {
		w, pending, err := s.st.KBWorking(r.Context(), c.orgID, id)
		if err != nil {
			return err
		}
		if pending {
			pub := it
			published = &pub
			if r.URL.Query().Get("view") != "published" {
				it = w
			}
		}
	}
	tax, err := s.kbTaxFor(r, c)
	if err != nil {
		return err
	}
	cc := tax.labels(kb.TaxCC, it.CrossCutting)
	ap := tax.labels(kb.TaxApproach, it.Approaches)
	data := map[string]any{
		"Item":           it,
		"Kind":           s.kbLabel(c.lang, "kb.kind.", it.Kind),
		"Focus":          tax.label(kb.TaxFocus, it.FocusArea),
		"Language":       s.kbLabel(c.lang, "kb.lang.", it.Language),
		"CC":             strings.Join(cc, ", "),
		"Approaches":     strings.Join(ap, ", "),
		"Paragraphs":     strings.Split(it.Body, "\n"),
		"CanEdit":        canEdit,
		"Status":         s.kbMsg(c.lang, "kb.status.", it.Status),
		"Published":      published,
		"ShowsPublished": published != nil && it.Version == published.Version,
	}
	skip := []string{}
	if it.Kind == kb.KindEvidence {
		if e, ok, err := kb.EvidenceOf(it.Metadata); err == nil && ok {
			data["Card"] = &kbCardCtx{C: s.cardView(c.lang, e)}
			skip = append(skip, "emmie")
		}
	}
	if it.Kind == kb.KindFinding {
		data["Finding"] = s.findingView(c.lang, tax, it)
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
	f, err := kbFilterFrom(r)
	if err != nil {
		return err
	}
	hits, fc, err := s.kbSearchWithFacets(r.Context(), c.orgID, query, q.Get("lang"), f, limit)
	if err != nil {
		return err
	}
	tax, err := s.kbTaxFor(r, c)
	if err != nil {
		return err
	}
	groups, _ := s.kbFacetGroups(c.lang, tax, fc, f, kbSearchBase(r))
	facets := map[string][]kbFacetValue{}
	for _, g := range groups {
		facets[g.JSON] = g.Values
		if facets[g.JSON] == nil {
			facets[g.JSON] = []kbFacetValue{}
		}
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
	return writeJSON(w, map[string]any{"query": query, "results": out, "total": fc.Total, "facets": facets})
}

// kbRoutes: the knowledge base is not personal data, so it is public.
func (s *Server) kbRoutes() []route {
	return slices.Concat([]route{
		{"GET /knowledge", auth.PermPublic, false, s.knowledgePage}, // the knowledge base is not personal data (kb.go)
		{"GET /knowledge/{id}", auth.PermPublic, false, s.kbItemPage},
		{"GET /api/v1/kb/search", auth.PermPublic, true, s.apiKBSearch},
	}, s.kbViewRoutes(), s.kbAuthorRoutes(), s.kbTaxonomyRoutes())
}
