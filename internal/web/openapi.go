package web

import "net/http"

// openAPI serves the OpenAPI 3 description of the JSON API.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return writeJSON(w, openAPIDoc())
}

func openAPIDoc() map[string]any {
	str := map[string]any{"type": "string"}
	integer := map[string]any{"type": "integer"}
	param := func(name, in, desc string, schema map[string]any, required bool) map[string]any {
		return map[string]any{"name": name, "in": in, "description": desc, "required": required, "schema": schema}
	}
	filters := []any{
		param("dataset", "query", "dataset id (default: the first)", integer, false),
		param("category", "query", "source category (default: all)", str, false),
		param("from", "query", "first month, YYYY-MM (inclusive)", str, false),
		param("to", "query", "last month, YYYY-MM (inclusive)", str, false),
	}
	errResp := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	ok := func(desc, schema string) map[string]any {
		return map[string]any{"200": map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + schema}}}},
			"400": errResp, "401": errResp, "403": errResp}
	}
	op := func(summary, security string, params []any, responses map[string]any) map[string]any {
		o := map[string]any{"summary": summary, "parameters": params, "responses": responses}
		if security != "" {
			o["security"] = []any{map[string]any{"session": []any{}}}
			o["description"] = "Requires a signed-in session with permission " + security + "."
		}
		return o
	}
	method := map[string]any{"type": "object", "description": "How the figures were computed: method, parameters, window, n and uncertainty.",
		"properties": map[string]any{"name": str, "description": str, "dataset": str, "category": str, "period": str, "layer": str, "n": integer,
			"suppression_threshold": integer, "uncertainty": str}}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Icarus API", "version": "1", "description": "Data hub of Icarus: datasets, areas, incident aggregates and records. Public callers get aggregates only, with small counts suppressed."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths": map[string]any{
			"/healthz":         map[string]any{"get": op("Health check", "", nil, map[string]any{"200": map[string]any{"description": "healthy"}})},
			"/api/v1/datasets": map[string]any{"get": op("Datasets with counts, categories, date range and time resolution", "view_aggregates", nil, ok("datasets", "Datasets"))},
			"/api/v1/layers":   map[string]any{"get": op("Area layers", "", nil, ok("layers", "Layers"))},
			"/api/v1/areas": map[string]any{"get": op("Areas of a layer as a GeoJSON FeatureCollection (WGS84)", "",
				[]any{param("layer", "query", "layer id", integer, true)}, map[string]any{"200": map[string]any{"description": "GeoJSON", "content": map[string]any{"application/geo+json": map[string]any{"schema": map[string]any{"type": "object"}}}}, "400": errResp, "404": errResp})},
			"/api/v1/aggregates/areas": map[string]any{"get": op("Incident counts per area for a selection, with the method stated", "",
				append([]any{param("layer", "query", "layer id (default: the first)", integer, false)}, filters...), ok("counts", "AreaCounts"))},
			"/api/v1/aggregates/monthly": map[string]any{"get": op("Monthly incident counts for a selection, with the method stated", "",
				append([]any{param("area", "query", "restrict to one area id", integer, false)}, filters...), ok("series", "MonthlySeries"))},
			"/api/v1/incidents": map[string]any{"get": op("Incident records, filtered and paged", "view_incidents",
				append([]any{param("area", "query", "area id", integer, false), param("page", "query", "page number from 1", integer, false),
					param("page_size", "query", "rows per page (1-1000, default 100)", integer, false)}, filters...), ok("incidents", "Incidents"))},
			"/api/v1/indicators": map[string]any{"get": op("Area indicators with their definitions and provenance", "view_aggregates",
				[]any{param("indicator", "query", "indicator code", str, false)}, ok("indicators", "Indicators"))},
			"/api/v1/kb/search": map[string]any{"get": op("Full-text search of the knowledge base, ranked, with snippets", "",
				[]any{param("q", "query", "words to find (any language; accents do not matter)", str, false), param("lang", "query", "language of the query (boosts items in it)", str, false),
					param("kind", "query", "tool, practice, evidence, finding or document", str, false), param("focus", "query", "focus area code", str, false),
					param("cc", "query", "cross-cutting issue code", str, false), param("in", "query", "item language code", str, false),
					param("approach", "query", "approach code", str, false), param("country", "query", "ISO country code", str, false),
					param("decade", "query", "decade of the record's year, e.g. 1990", integer, false), param("strength", "query", "evidence strength: strong, moderate, limited, not_rated", str, false),
					param("limit", "query", "1-200 (default 20)", integer, false)}, ok("results, total and facet counts", "KBResults"))},
			// knowledge base (kb_views.go, kb_author.go): published records only
			"/api/v1/kb/whatworks": map[string]any{"get": op("Evidence cards that fit a problem, ranked by match, direction and size of effect and quality of evidence, each with its caveats and the ranking method", "",
				[]any{param("crime", "query", "ICCS code (2-6 digits)", str, false), param("place", "query", "place code (residential, city_centre, car_parks, ...)", str, false),
					param("population", "query", "population code (youth, offenders, ...)", str, false)}, ok("ranked cards", "KBWhatWorks"))},
			"/api/v1/kb/export.json": map[string]any{"get": op("Published records in the JSON exchange format (icarus-kb/1)", "", nil, ok("records", "KBExport"))},
			"/api/v1/kb/export.csv": map[string]any{"get": op("Published records in the CSV exchange format (text/csv)", "", nil,
				map[string]any{"200": map[string]any{"description": "CSV with the columns of docs/knowledge-base.md", "content": map[string]any{"text/csv": map[string]any{"schema": str}}}})},
			// surveys (surveys.go)
			"/api/v1/surveys": map[string]any{"get": op("Surveys of the organisation", "", nil, ok("surveys", "Surveys"))},
			"/api/v1/surveys/{id}": map[string]any{"get": op("A survey's current definition (modules, questions, skip logic, translations)", "",
				[]any{param("id", "path", "survey id", integer, true)}, ok("definition", "SurveyDefinition"))},
			"/api/v1/surveys/{id}/responses": map[string]any{"post": surveyPostOp(op("Submit a response, stored exactly once per Idempotency-Key", "",
				[]any{param("id", "path", "survey id", integer, true), param("Idempotency-Key", "header", "client-generated key (1-128 characters, e.g. a UUID); resend with the same key", str, true)},
				map[string]any{"201": map[string]any{"description": "stored"}, "200": map[string]any{"description": "already stored under this key: the stored response"},
					"400": errResp, "401": errResp, "403": errResp, "404": errResp, "409": errResp, "429": errResp}))},
			"/api/v1/surveys/{id}/results": map[string]any{"get": op("Per-question counts, proportions with Wilson 95% intervals and means, overall and per area; small cells suppressed for the public", "",
				[]any{param("id", "path", "survey id", integer, true)}, ok("results", "SurveyResults"))},
			// XLSForm and campaigns (campaigns.go, campaigns_surveys.go; docs/surveys.md)
			"/api/v1/surveys/{id}/xlsform": map[string]any{"get": op("The survey as an XLSForm workbook (.xlsx: survey, choices, settings sheets)", "",
				[]any{param("id", "path", "survey id", integer, true), param("version", "query", "version (default: the current one)", integer, false)},
				map[string]any{"200": map[string]any{"description": "the workbook", "content": map[string]any{xlsxType: map[string]any{}}}, "404": errResp})},
			"/api/v1/surveys/xlsform": map[string]any{"post": op("Import an XLSForm workbook as a new survey (or a new version of ?survey=ID); body: the .xlsx or a multipart file; 400 lists problems [{sheet, row, column, message}]", "manage_surveys",
				[]any{param("consent", "query", "consent statement when the form has no icarus_consent", str, false), param("access", "query", "field, public or token", str, false),
					param("lang", "query", "language of unsuffixed label columns", str, false), param("survey", "query", "import as a new version of this survey", integer, false)},
				map[string]any{"201": map[string]any{"description": "imported: {survey_id, version, title, warnings}"}, "400": errResp, "401": errResp, "403": errResp})},
			"/api/v1/campaigns/{id}/feedback": map[string]any{"post": op("A surveyor's session feedback {area, session_date, observed, difficulties}, stored once per Idempotency-Key", "collect",
				[]any{param("id", "path", "campaign id", integer, true), param("Idempotency-Key", "header", "client-generated key", str, true)},
				map[string]any{"201": map[string]any{"description": "stored"}, "200": map[string]any{"description": "already stored under this key"}, "400": errResp, "401": errResp, "403": errResp, "404": errResp, "429": errResp})},
			"/api/v1/surveys/{id}/contacts": map[string]any{"post": op("A contact a respondent chooses to leave {contact, campaign | token}, stored apart from the answers (no link), for a campaign that asks for contacts", "",
				[]any{param("id", "path", "survey id", integer, true), param("Idempotency-Key", "header", "client-generated key", str, true)},
				map[string]any{"201": map[string]any{"description": "stored apart"}, "400": errResp, "404": errResp, "429": errResp})},
		},
		"components": map[string]any{
			"securitySchemes": map[string]any{"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie}},
			"schemas": map[string]any{
				"Error":            map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{"type": "object", "properties": map[string]any{"code": str, "message": str}}}},
				"Method":           method,
				"Surveys":          map[string]any{"type": "object", "properties": map[string]any{"surveys": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}},
				"SurveyDefinition": map[string]any{"type": "object", "properties": map[string]any{"id": integer, "version": integer, "simulated": map[string]any{"type": "boolean"}, "definition": map[string]any{"type": "object"}}},
				"SurveyResults": map[string]any{"type": "object", "properties": map[string]any{"survey_id": integer, "responses": integer, "suppress_below": integer, "method": str, "simulated": map[string]any{"type": "boolean"},
					"questions": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}, "areas": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}},
				"Datasets": map[string]any{"type": "object", "properties": map[string]any{"datasets": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}},
				"Layers":   map[string]any{"type": "object", "properties": map[string]any{"layers": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}},
				"AreaCounts": map[string]any{"type": "object", "properties": map[string]any{"method": map[string]any{"$ref": "#/components/schemas/Method"},
					"counts": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
						"area_id": integer, "code": str, "name": str, "count": map[string]any{"type": "integer", "nullable": true}, "suppressed": map[string]any{"type": "boolean"}, "per_km2": map[string]any{"type": "number"}}}}}},
				"MonthlySeries": map[string]any{"type": "object", "properties": map[string]any{"method": map[string]any{"$ref": "#/components/schemas/Method"},
					"series": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{"period": str, "count": map[string]any{"type": "integer", "nullable": true}, "suppressed": map[string]any{"type": "boolean"}}}}}},
				"Incidents": map[string]any{"type": "object", "properties": map[string]any{"page": integer, "page_size": integer, "total": integer,
					"incidents": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
						"id": integer, "dataset_id": integer, "source_id": str, "category": str, "iccs": str, "time": str, "resolution": str, "has_location": map[string]any{"type": "boolean"}, "lon": map[string]any{"type": "number"}, "lat": map[string]any{"type": "number"}}}}}},
				"KBResults": map[string]any{"type": "object", "properties": map[string]any{"query": str, "results": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
					"type": str, "id": integer, "title": str, "score": map[string]any{"type": "number"}, "snippet": str, "language": str, "focus_area": str, "city": str, "country": str, "url": str}}},
					// kb_facets.go: per dimension, the values with the number of matching records (the query and the other selected filters applied)
					"total": integer, "facets": map[string]any{"type": "object", "description": "type, focus_area, cross_cutting, approach, country, decade, evidence_strength",
						"additionalProperties": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
							"value": str, "label": str, "count": integer, "selected": map[string]any{"type": "boolean"}}}}}}},
				"KBWhatWorks": map[string]any{"type": "object", "properties": map[string]any{"problem": map[string]any{"type": "object"}, "method": str, "considered": integer, "n": integer,
					"results": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}},
				"KBExport":   map[string]any{"type": "object", "properties": map[string]any{"format": str, "records": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}},
				"Indicators": map[string]any{"type": "object", "properties": map[string]any{"indicators": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}, "values": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}},
			},
		},
	}
	addAnalysisAPI(doc) // analyses.go
	return doc
}

// surveyPostOp documents the body and the access rule of a survey response.
func surveyPostOp(o map[string]any) map[string]any {
	o["description"] = "Body: {\"answers\": {question: answer}, \"consent\": true, \"version\": n, \"submitted_at\": RFC 3339, \"lang\": the form's language (the consent text is stored in it)}. " +
		"Public surveys: anyone (rate-limited per address). Field surveys: a signed-in surveyor session (roles field, coordinator, analyst, admin) with the X-CSRF-Token header. " +
		"400 lists every invalid field in error.fields [{field, code, message}]. " +
		"409: a one-time link already used, or a response outside its campaign's period (error.fields: field campaign, code not_started, outside_period or closed; " +
		"collected inside the period and sent within 7 days of its end is accepted). See docs/surveys.md."
	o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
	return o
}
