package auth

import "slices"

// Role is what a user is in an organisation.
type Role string

// The roles, from most to least privileged.
const (
	Admin       Role = "admin"
	Analyst     Role = "analyst"
	Coordinator Role = "coordinator"
	Field       Role = "field"
	Partner     Role = "partner"
	Public      Role = "public" // anyone not signed in
)

// Roles lists the roles a user account can have.
func Roles() []Role { return []Role{Admin, Analyst, Coordinator, Field, Partner} }

// ParseRole validates a role name.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, slices.Contains(Roles(), r)
}

// Permission is something a route or an action requires.
type Permission string

// The permissions. Every route declares exactly one.
const (
	PermPublic         Permission = "public"          // anyone, including the public: aggregates only
	PermSignedIn       Permission = "signed_in"       // any signed-in user
	PermViewAggregates Permission = "view_aggregates" // dashboards, maps, trends (signed in)
	PermViewIncidents  Permission = "view_incidents"  // incident records
	PermImportData     Permission = "import_data"     // areas and incidents
	PermImportIndic    Permission = "import_indicators"
	PermManageUsers    Permission = "manage_users"
	PermViewAudit      Permission = "view_audit"
	PermManageReports  Permission = "manage_reports"  // citizen reports: queue, moderation, answers, services
	PermManageSurveys  Permission = "manage_surveys"  // build and import surveys, run campaigns, assign surveyors
	PermCollect        Permission = "collect"         // collect field-survey responses and session feedback
	PermManageServices Permission = "manage_services" // Open311 categories (services): names, sensitivity, ICCS, department, attributes
	PermKBEdit         Permission = "kb_edit"         // knowledge base: write drafts, submit them for review, import records
	PermKBReview       Permission = "kb_review"       // knowledge base: publish or send back records in review
	PermKBTaxonomy     Permission = "kb_taxonomy"     // knowledge base: add, rename and retire taxonomy values (admin)
)

// Allows reports whether role r has permission p.
func Allows(r Role, p Permission) bool {
	switch p {
	case PermPublic:
		return true
	case PermSignedIn, PermViewAggregates:
		return r != Public && r != ""
	case PermViewIncidents, PermImportData:
		return r == Admin || r == Analyst
	case PermImportIndic:
		return r == Admin || r == Analyst || r == Partner || r == Coordinator
	case PermManageReports, PermManageSurveys:
		return r == Admin || r == Coordinator
	case PermCollect:
		return r == Admin || r == Coordinator || r == Analyst || r == Field
	case PermKBEdit:
		return r == Admin || r == Analyst || r == Coordinator
	case PermKBReview:
		return r == Admin || r == Coordinator
	case PermManageUsers, PermViewAudit, PermManageServices, PermKBTaxonomy:
		return r == Admin
	}
	return false
}
