package web

import (
	"net/http"
	"slices"

	"github.com/icarus-city/icarus/internal/auth"
)

// route is one entry of the route table: every route declares the
// permission it needs (a test walks this table).
type route struct {
	pattern string
	perm    auth.Permission
	api     bool // JSON errors instead of pages
	h       func(w http.ResponseWriter, r *http.Request, c *reqCtx) error
}

// routes is the whole route table of the application: the core routes
// below, then each feature's own table, kept beside its handlers.
func (s *Server) routes() []route {
	return slices.Concat(
		s.coreRoutes(),
		s.kbRoutes(),            // kb.go
		s.surveyRoutes(),        // surveys.go
		s.campaignRoutes(),      // campaigns.go
		s.surveyResultsRoutes(), // survey_results.go
		s.open311Routes(),       // open311.go
		s.open311StaffRoutes(),  // open311_staff.go
		s.reportRoutes(),        // reports.go
		s.analysisRoutes(),      // analyses.go
		s.surveyGapRoutes(),     // surveygaps.go
	)
}

// coreRoutes: operations, sign-in, the data hub pages and API.
func (s *Server) coreRoutes() []route {
	return []route{
		// operations
		{"GET /healthz", auth.PermPublic, true, s.healthz},
		{"GET /metrics", auth.PermPublic, false, s.metricsPage},
		{"GET /api/openapi.json", auth.PermPublic, true, s.openAPI},

		// pages
		{"GET /{$}", auth.PermPublic, false, s.home},
		{"GET /signin", auth.PermPublic, false, s.signinForm},
		{"POST /signin", auth.PermPublic, false, s.signin},
		{"POST /signout", auth.PermSignedIn, false, s.signout},
		{"GET /lang/{lang}", auth.PermPublic, false, s.setLang},
		{"GET /public", auth.PermPublic, false, s.publicPage},
		{"GET /datasets", auth.PermViewAggregates, false, s.datasetsPage},
		{"GET /map", auth.PermViewAggregates, false, s.mapPage},
		{"GET /trends", auth.PermViewAggregates, false, s.trendsPage},
		{"GET /indicators", auth.PermViewAggregates, false, s.indicatorsPage},
		{"GET /categories", auth.PermViewAggregates, false, s.categoriesPage},
		{"POST /categories", auth.PermImportData, false, s.setCategory},
		{"GET /import", auth.PermImportIndic, false, s.importForm},
		{"POST /import", auth.PermImportIndic, false, s.importSubmit},
		{"GET /admin/users", auth.PermManageUsers, false, s.usersPage},
		{"POST /admin/users", auth.PermManageUsers, false, s.addUser},
		{"GET /admin/audit", auth.PermViewAudit, false, s.auditPage},

		// JSON API
		{"GET /api/v1/datasets", auth.PermViewAggregates, true, s.apiDatasets},
		{"GET /api/v1/layers", auth.PermPublic, true, s.apiLayers},
		{"GET /api/v1/areas", auth.PermPublic, true, s.apiAreas},
		{"GET /api/v1/aggregates/areas", auth.PermPublic, true, s.apiAreaCounts},
		{"GET /api/v1/aggregates/monthly", auth.PermPublic, true, s.apiMonthly},
		{"GET /api/v1/incidents", auth.PermViewIncidents, true, s.apiIncidents},
		{"GET /api/v1/indicators", auth.PermViewAggregates, true, s.apiIndicators},
	}
}
