package survey

import (
	"testing"
	"time"
)

func TestCheckPeriod(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var zero time.Time
	cases := []struct {
		name                string
		collected, received time.Time
		want                string
	}{
		{"inside, online", zero, at("2024-05-10T12:00:00Z"), PeriodOK},
		{"first day", zero, at("2024-05-01T00:00:00Z"), PeriodOK},
		{"last day", zero, at("2024-05-28T23:59:59Z"), PeriodOK},
		{"before the start", zero, at("2024-04-30T23:59:59Z"), PeriodNotStarted},
		{"after the end, online", zero, at("2024-05-29T08:00:00Z"), PeriodOutside},
		{"collected inside, synced within the grace", at("2024-05-28T18:00:00Z"), at("2024-06-04T09:00:00Z"), PeriodOK},
		{"collected inside, synced after the grace", at("2024-05-28T18:00:00Z"), at("2024-06-05T00:00:01Z"), PeriodClosed},
		{"collected after the end, synced later", at("2024-05-29T10:00:00Z"), at("2024-05-30T10:00:00Z"), PeriodOutside},
		{"device clock before the start", at("2024-04-01T10:00:00Z"), at("2024-05-10T10:00:00Z"), PeriodOutside},
		{"device clock ahead counts as received", at("2024-07-01T10:00:00Z"), at("2024-05-10T10:00:00Z"), PeriodOK},
	}
	for _, c := range cases {
		if got := CheckPeriod("2024-05-01", "2024-05-28", c.collected, c.received, 7); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestForRoleModules(t *testing.T) {
	rd := Riga("", false)
	d := &rd
	names := func(d *Definition) (out []string) {
		for _, m := range d.Modules {
			out = append(out, m.Name)
		}
		return out
	}
	if got, want := names(d.ForRoleModules([]string{"patrol officers"}, nil)), names(d.ForRoles([]string{"patrol officers"})); len(got) != len(want) || got[0] != want[0] {
		t.Errorf("empty mapping: %v, want %v", got, want)
	}
	all := names(d)
	m := map[string][]string{"patrol officers": {all[2]}}
	if got := names(d.ForRoleModules([]string{"patrol officers"}, m)); len(got) != 1 || got[0] != all[2] {
		t.Errorf("mapped patrol officers ask %v, want [%s]", got, all[2])
	}
	// a role the mapping does not list keeps the survey's own modules
	ngo := names(d.ForRoles([]string{"NGO volunteers"}))
	if got := names(d.ForRoleModules([]string{"NGO volunteers"}, m)); len(got) != len(ngo) {
		t.Errorf("unmapped role asks %v, want %v", got, ngo)
	}
	if got := d.ForRoleModules([]string{""}, m); len(got.Modules) != len(all) {
		t.Errorf("all modules: %v", names(got))
	}
}
