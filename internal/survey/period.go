package survey

import (
	"slices"
	"time"
)

// ForRoleModules is ForRoles with a campaign's own role → module mapping:
// a role listed in mapping asks exactly the modules (by name) listed for
// it; a role not listed asks what ForRoles gives it (its group's modules
// and the modules asked by everyone). No roles (or "") keeps every module;
// an empty mapping is ForRoles.
func (d *Definition) ForRoleModules(roles []string, mapping map[string][]string) *Definition {
	if len(roles) == 0 || slices.Contains(roles, "") {
		return d
	}
	if len(mapping) == 0 {
		return d.ForRoles(roles)
	}
	c := *d
	c.Modules = nil
	for _, m := range d.Modules {
		for _, r := range roles {
			mods, ok := mapping[r]
			if (ok && slices.Contains(mods, m.Name)) || (!ok && (m.Surveyors == "" || m.Surveyors == r)) {
				c.Modules = append(c.Modules, m)
				break
			}
		}
	}
	return &c
}

// Period check results (CheckPeriod).
const (
	PeriodOK         = ""
	PeriodNotStarted = "not_started"    // received before the first day
	PeriodOutside    = "outside_period" // collected before the first day or after the last
	PeriodClosed     = "closed"         // collected inside, but received after the last day + grace
)

// CheckPeriod decides whether a response belongs to a campaign that runs
// from starts to ends (YYYY-MM-DD, inclusive, days of received's time
// zone). collected is the time the device recorded the answers (zero when
// unknown: received is used); a collected time after received (a device
// clock ahead) counts as received. A response collected inside the period
// is accepted until graceDays after the last day, so that offline queues
// can still deliver it.
func CheckPeriod(starts, ends string, collected, received time.Time, graceDays int) string {
	loc := received.Location()
	recvDay := received.Format(time.DateOnly)
	if recvDay < starts {
		return PeriodNotStarted
	}
	col := received
	if !collected.IsZero() && collected.Before(received) {
		col = collected.In(loc)
	}
	if day := col.Format(time.DateOnly); day < starts || day > ends {
		return PeriodOutside
	}
	last, err := time.ParseInLocation(time.DateOnly, ends, loc)
	if err != nil {
		return PeriodOutside
	}
	if recvDay > last.AddDate(0, 0, graceDays).Format(time.DateOnly) {
		return PeriodClosed
	}
	return PeriodOK
}
