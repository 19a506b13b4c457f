package web

import (
	"net/http"

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

// routes is the whole route table of the application.
func (s *Server) routes() []route {
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
		{"GET /knowledge", auth.PermPublic, false, s.knowledgePage}, // the knowledge base is not personal data (kb.go)
		{"GET /knowledge/{id}", auth.PermPublic, false, s.kbItemPage},

		// JSON API
		{"GET /api/v1/datasets", auth.PermViewAggregates, true, s.apiDatasets},
		{"GET /api/v1/layers", auth.PermPublic, true, s.apiLayers},
		{"GET /api/v1/areas", auth.PermPublic, true, s.apiAreas},
		{"GET /api/v1/aggregates/areas", auth.PermPublic, true, s.apiAreaCounts},
		{"GET /api/v1/aggregates/monthly", auth.PermPublic, true, s.apiMonthly},
		{"GET /api/v1/incidents", auth.PermViewIncidents, true, s.apiIncidents},
		{"GET /api/v1/indicators", auth.PermViewAggregates, true, s.apiIndicators},
		{"GET /api/v1/kb/search", auth.PermPublic, true, s.apiKBSearch},

		// Surveys (surveys.go): definitions and results are public (results
		// suppressed for the public); responses to field surveys need a
		// surveyor session, which the handler checks.
		{"GET /api/v1/surveys", auth.PermPublic, true, s.apiSurveys},
		{"GET /api/v1/surveys/{id}", auth.PermPublic, true, s.apiSurvey},
		{"POST /api/v1/surveys/{id}/responses", auth.PermPublic, true, s.apiSurveyRespond},
		{"GET /api/v1/surveys/{id}/results", auth.PermPublic, true, s.apiSurveyResults},
		{"GET /surveys/{id}/form", auth.PermPublic, false, s.surveyForm},
		{"GET /surveys/sw.js", auth.PermPublic, true, s.surveyServiceWorker}, // a script, not a page: errors as JSON

		// Open311 GeoReport v2 (open311.go): public; POST checks the api_key itself
		{"GET /open311/v2/discovery.xml", auth.PermPublic, true, s.o311(s.o311Discovery)},
		{"GET /open311/v2/discovery.json", auth.PermPublic, true, s.o311(s.o311Discovery)},
		{"GET /open311/v2/services.xml", auth.PermPublic, true, s.o311(s.o311ServiceList)},
		{"GET /open311/v2/services.json", auth.PermPublic, true, s.o311(s.o311ServiceList)},
		{"GET /open311/v2/services/{code}", auth.PermPublic, true, s.o311(s.o311ServiceDefinition)},
		{"POST /open311/v2/requests.xml", auth.PermPublic, true, s.o311(s.o311Post)},
		{"POST /open311/v2/requests.json", auth.PermPublic, true, s.o311(s.o311Post)},
		{"GET /open311/v2/requests.xml", auth.PermPublic, true, s.o311(s.o311Requests)},
		{"GET /open311/v2/requests.json", auth.PermPublic, true, s.o311(s.o311Requests)},
		{"GET /open311/v2/requests/{id}", auth.PermPublic, true, s.o311(s.o311Request)},
		{"GET /open311/v2/tokens/{token}", auth.PermPublic, true, s.o311(s.o311Token)},
		{"GET /open311/v2/servicerequestupdates.xml", auth.PermPublic, true, s.o311(s.o311Updates)},
		{"GET /open311/v2/servicerequestupdates.json", auth.PermPublic, true, s.o311(s.o311Updates)},
		{"GET /open311/v2/{rest...}", auth.PermPublic, true, s.o311(s.o311NotFound)},
	}
}
