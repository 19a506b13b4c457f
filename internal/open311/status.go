package open311

import "strings"

// Status is Icarus's detailed status of a service request, after
// FixMyStreet's extended statuses. Standard responses project it onto the
// spec's "open" or "closed" (Projected); extensions=true and
// servicerequestupdates show it.
type Status string

// The statuses. The open ones first.
const (
	StatusOpen            Status = "open" // reported, not yet looked at
	StatusInvestigating   Status = "investigating"
	StatusInProgress      Status = "in_progress"
	StatusActionScheduled Status = "action_scheduled"
	StatusReopened        Status = "reopened"

	StatusFixed            Status = "fixed"
	StatusDuplicate        Status = "duplicate"
	StatusNotResponsible   Status = "not_responsible"
	StatusNoFurtherAction  Status = "no_further_action"
	StatusInternalReferral Status = "internal_referral"
	StatusClosed           Status = "closed"
)

// Statuses lists every status, open ones first.
func Statuses() []Status {
	return []Status{StatusOpen, StatusInvestigating, StatusInProgress, StatusActionScheduled, StatusReopened,
		StatusFixed, StatusDuplicate, StatusNotResponsible, StatusNoFurtherAction, StatusInternalReferral, StatusClosed}
}

// ParseStatus validates a detailed status; it accepts FixMyStreet's spelling
// too ("IN_PROGRESS", "action scheduled", "NOT_COUNCILS_RESPONSIBILITY").
func ParseStatus(s string) (Status, bool) {
	n := strings.ToLower(strings.TrimSpace(s))
	n = strings.ReplaceAll(n, " ", "_")
	switch n {
	case "not_councils_responsibility":
		n = string(StatusNotResponsible)
	case "reopen":
		n = string(StatusReopened)
	case "confirmed":
		n = string(StatusOpen)
	}
	for _, x := range Statuses() {
		if string(x) == n {
			return x, true
		}
	}
	return "", false
}

// Closed reports whether the status counts as closed.
func (s Status) Closed() bool {
	switch s {
	case StatusFixed, StatusDuplicate, StatusNotResponsible, StatusNoFurtherAction, StatusInternalReferral, StatusClosed:
		return true
	}
	return false
}

// Projected is the spec's status: "open" or "closed".
func (s Status) Projected() string {
	if s.Closed() {
		return "closed"
	}
	return "open"
}

// FMS is the status as FixMyStreet's servicerequestupdates spells it
// (upper case with underscores: IN_PROGRESS, NOT_COUNCILS_RESPONSIBILITY).
func (s Status) FMS() string {
	if s == StatusNotResponsible {
		return "NOT_COUNCILS_RESPONSIBILITY"
	}
	if s == StatusReopened {
		return "REOPEN"
	}
	return strings.ToUpper(string(s))
}

// StatusesFor expands the spec's status filter values ("open", "closed")
// into detailed statuses. ok is false for a value that is neither.
func StatusesFor(projected string) (out []Status, ok bool) {
	switch strings.TrimSpace(projected) {
	case "open":
		for _, s := range Statuses() {
			if !s.Closed() {
				out = append(out, s)
			}
		}
	case "closed":
		for _, s := range Statuses() {
			if s.Closed() {
				out = append(out, s)
			}
		}
	default:
		return nil, false
	}
	return out, true
}

// Moderation is where a request stands in moderation.
type Moderation string

// The moderation states: sensitive services are pre-moderated (Pending until
// staff approve), the others reactively (Approved at once, Hidden if needed).
const (
	ModPending  Moderation = "pending"
	ModApproved Moderation = "approved"
	ModHidden   Moderation = "hidden"
)

// ParseModeration validates a moderation state.
func ParseModeration(s string) (Moderation, bool) {
	switch m := Moderation(s); m {
	case ModPending, ModApproved, ModHidden:
		return m, true
	}
	return "", false
}
