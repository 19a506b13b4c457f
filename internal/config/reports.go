package config

import (
	"flag"
	"fmt"
	"net"
	"net/mail"
	"strconv"
)

// Reports configures residents' reports made in the browser: the public
// view's location grid, the web form's rate limit and the SMTP server that
// tells reporters what happened to their reports (docs/open311.md).
type Reports struct {
	// GridMetres is the cell size (m) locations are snapped to in the
	// public view of reports (default 100; at least 50).
	GridMetres float64 `json:"grid_m"`
	// PerIPPerHour is how many reports one IP may send through the web form
	// per hour (0: no limit).
	PerIPPerHour int `json:"per_ip_per_hour"`
	// SMTP server (host:port); empty: no e-mail (reporters follow their
	// reports through the private link only).
	SMTPAddr     string `json:"smtp_addr"`
	SMTPFrom     string `json:"smtp_from"` // From address, e.g. "City reports <reports@city.example>"
	SMTPUser     string `json:"smtp_user"`
	SMTPPassword string `json:"smtp_password"`
}

// DefaultReports are the defaults: a 100 m grid, 20 reports per IP per
// hour, no e-mail.
func DefaultReports() Reports {
	return Reports{GridMetres: 100, PerIPPerHour: 20, SMTPFrom: "Icarus <noreply@localhost>"}
}

func (r *Reports) load(getenv func(string) (string, bool)) error {
	if v, ok := getenv("ICARUS_REPORTS_GRID_M"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("ICARUS_REPORTS_GRID_M=%q: want a number of metres", v)
		}
		r.GridMetres = f
	}
	if v, ok := getenv("ICARUS_REPORTS_PER_IP_PER_HOUR"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("ICARUS_REPORTS_PER_IP_PER_HOUR=%q: want a whole number >= 0 (0: no limit)", v)
		}
		r.PerIPPerHour = n
	}
	for _, x := range []struct {
		name string
		dst  *string
	}{{"ICARUS_SMTP_ADDR", &r.SMTPAddr}, {"ICARUS_SMTP_FROM", &r.SMTPFrom}, {"ICARUS_SMTP_USER", &r.SMTPUser}, {"ICARUS_SMTP_PASSWORD", &r.SMTPPassword}} {
		if v, ok := getenv(x.name); ok {
			*x.dst = v
		}
	}
	return nil
}

func (r Reports) validate() error {
	if r.GridMetres < 50 || r.GridMetres > 10_000 {
		return fmt.Errorf("reports grid_m %g: want 50 to 10000 metres (locations closer than 50 m could point at a home)", r.GridMetres)
	}
	if r.PerIPPerHour < 0 {
		return fmt.Errorf("reports per_ip_per_hour must be >= 0 (0: no limit)")
	}
	if r.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(r.SMTPAddr); err != nil {
			return fmt.Errorf("smtp_addr %q: want host:port", r.SMTPAddr)
		}
		if _, err := mail.ParseAddress(r.SMTPFrom); err != nil {
			return fmt.Errorf("smtp_from %q: want an e-mail address", r.SMTPFrom)
		}
	}
	return nil
}

func (r *Reports) flags(fs *flag.FlagSet) {
	fs.Float64Var(&r.GridMetres, "reports-grid", r.GridMetres, "public view of reports: snap locations to a grid of `METRES` (50 to 10000)")
	fs.IntVar(&r.PerIPPerHour, "reports-per-ip", r.PerIPPerHour, "reports per IP per hour through the web form, `N` (0: no limit)")
	fs.StringVar(&r.SMTPAddr, "smtp", r.SMTPAddr, "SMTP server `HOST:PORT` for e-mails to reporters (none by default)")
	fs.StringVar(&r.SMTPFrom, "smtp-from", r.SMTPFrom, "From `ADDRESS` of e-mails to reporters")
}
