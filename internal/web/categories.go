package web

import (
	"net/http"

	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/incident"
	"github.com/icarus-city/icarus/internal/store"
)

// categoriesPage lists the source categories with their ICCS codes; analysts
// and admins may change the mapping.
func (s *Server) categoriesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderCategories(w, r, c, "")
}

func (s *Server) renderCategories(w http.ResponseWriter, r *http.Request, c *reqCtx, flash string) error {
	cats, err := s.st.Categories(r.Context(), c.orgID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, x := range incident.ICCSSections() {
		names[x.Code] = x.Name
	}
	return s.render(w, r, c, "categories", 200, &page{Title: s.cat.T(c.lang, "categories.title"), Active: "categories", Flash: flash,
		Data: map[string]any{"Categories": cats, "ICCS": incident.ICCSSections(), "Names": names, "CanEdit": auth.Allows(c.role, auth.PermImportData)}})
}

func (s *Server) setCategory(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	category, code := r.PostFormValue("category"), r.PostFormValue("iccs")
	n, err := s.hub.SetCategoryICCS(r.Context(), c.orgID, category, code)
	if err != nil {
		return err
	}
	s.st.Audit(r.Context(), store.AuditEntry{OrgID: c.orgID, UserID: c.user.ID, Actor: c.user.Email, Action: "iccs.map", Target: category, Detail: "iccs=" + code, IP: clientIP(r)})
	return s.renderCategories(w, r, c, s.cat.T(c.lang, "categories.recoded", "category", category, "n", n))
}
