package cli

// Background work of residents' reports (docs/open311.md): keep the
// citizen-reports incident dataset in step with the reports, turn status
// changes into e-mails and deliver the outbox through the SMTP server.

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/icarus-city/icarus/internal/config"
	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/i18n"
	"github.com/icarus-city/icarus/internal/jobs"
	"github.com/icarus-city/icarus/internal/mail"
	"github.com/icarus-city/icarus/internal/open311"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/web"
)

// reportJobs returns the report jobs: the sync (after each web report and
// every 5 minutes, for reports that came through the API) and the mail
// run (every minute: queue notices, deliver the outbox, drop orphan photos).
func reportJobs(st *store.Store, cfg config.Config, log *slog.Logger) jobFeature {
	svc := hub.New(st)
	cat, err := i18n.Load()
	mc := mail.Config{Addr: cfg.Reports.SMTPAddr, From: cfg.Reports.SMTPFrom, User: cfg.Reports.SMTPUser, Password: cfg.Reports.SMTPPassword}
	tr := func(int64) open311.Translator {
		return func(key string, args ...any) string {
			if err != nil {
				return key
			}
			return cat.T("en", key, args...) // reporters' language is not recorded: e-mails are in English
		}
	}
	return jobFeature{
		handlers: map[string]jobs.Handler{
			web.JobReportsSync: func(ctx context.Context, j store.Job) error {
				orgs, err := st.Orgs(ctx)
				if err != nil {
					return err
				}
				for _, o := range orgs {
					if j.Payload != "" && j.Payload != strconv.FormatInt(o.ID, 10) {
						continue
					}
					added, removed, err := svc.SyncCitizenReports(ctx, o.ID)
					if err != nil {
						return err
					}
					if added+removed > 0 && log != nil {
						log.Info("citizen reports synced", "org", o.Slug, "added", added, "removed", removed)
					}
				}
				return nil
			},
			web.JobReportsMail: func(ctx context.Context, j store.Job) error {
				if _, err := st.SweepOrphanPhotos(ctx, st.Now().Add(-time.Hour)); err != nil {
					return err
				}
				if !mc.Enabled() {
					return nil
				}
				if _, err := svc.QueueReportNotices(ctx, tr); err != nil {
					return err
				}
				sent, failed, err := svc.DeliverMail(ctx, mc, 100)
				if (sent > 0 || failed > 0) && log != nil {
					log.Info("report e-mails", "sent", sent, "failed", failed)
				}
				return err
			},
		},
		every: map[string]time.Duration{web.JobReportsSync: 5 * time.Minute, web.JobReportsMail: time.Minute},
	}
}
