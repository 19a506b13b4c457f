package open311

import (
	"strconv"
	"strings"
	"time"
)

// Translator translates a message key with named arguments ("name", value,
// ...) into the reporter's language.
type Translator func(key string, args ...any) string

// NoticeUpdate is one public update of a report told to its reporter.
type NoticeUpdate struct {
	Kind        string // status or answer
	Status      Status // the report's status after the update
	Description string // the answer's text
	At          time.Time
}

// StatusKey is the message key of a status's name for residents.
func StatusKey(s Status) string { return "report.status." + string(s) }

// SubmittedMail is the e-mail confirming a report made in the browser: its
// number, category and private follow link. It names nothing else: no
// description, no location, no other person.
func SubmittedMail(t Translator, city string, id int64, service, followURL string) (subject, body string) {
	n := strconv.FormatInt(id, 10)
	subject = t("report.mail.submitted.subject", "id", n, "city", city)
	var b strings.Builder
	b.WriteString(t("report.mail.submitted.body", "id", n, "service", service, "city", city))
	b.WriteString("\n\n")
	b.WriteString(followURL)
	b.WriteString("\n\n")
	b.WriteString(t("report.mail.footer"))
	b.WriteString("\n")
	return subject, b.String()
}

// UpdateMail is the e-mail telling a reporter that their report's status
// changed or that the city answered. It holds the report's number,
// category, status and the city's public answers only.
func UpdateMail(t Translator, city string, id int64, service string, ups []NoticeUpdate) (subject, body string) {
	n := strconv.FormatInt(id, 10)
	var last Status
	for _, u := range ups {
		last = u.Status
	}
	subject = t("report.mail.update.subject", "id", n, "status", t(StatusKey(last)))
	var b strings.Builder
	b.WriteString(t("report.mail.update.body", "id", n, "service", service, "city", city))
	b.WriteString("\n")
	for _, u := range ups {
		b.WriteString("\n")
		b.WriteString(u.At.UTC().Format("2006-01-02 15:04 UTC"))
		b.WriteString(" — ")
		switch u.Kind {
		case "answer":
			b.WriteString(t("report.mail.update.answer"))
			b.WriteString("\n")
			b.WriteString(u.Description)
		default:
			b.WriteString(t("report.mail.update.status", "status", t(StatusKey(u.Status))))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	b.WriteString(t("report.mail.update.follow"))
	b.WriteString("\n\n")
	b.WriteString(t("report.mail.footer"))
	b.WriteString("\n")
	return subject, b.String()
}
