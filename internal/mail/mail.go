// Package mail sends e-mail through an SMTP server (net/smtp): the message
// format (RFC 5322 headers, UTF-8 subject as RFC 2047 encoded words, quoted-
// printable body) and one delivery. Queueing and retries are the outbox's
// (store.OutboxMail, hub.DeliverMail): this package only tries once.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// Config is where and as whom to send.
type Config struct {
	Addr     string // SMTP server host:port; "" = e-mail is off
	From     string // the From address, e.g. "Icarus <noreply@city.example>"
	User     string // for SMTP AUTH PLAIN (only over TLS or to localhost, as net/smtp enforces)
	Password string
	Timeout  time.Duration // whole delivery (default 30 s)
}

// Enabled reports whether an SMTP server is configured.
func (c Config) Enabled() bool { return c.Addr != "" }

// Message is one e-mail to one recipient.
type Message struct {
	To      string
	Subject string
	Body    string // plain text, UTF-8
}

// ErrBadAddress is returned for a recipient or sender that is not an address.
var ErrBadAddress = errors.New("not an e-mail address")

// clean refuses header injection: no line breaks in header values.
func clean(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// Format builds the message bytes (CRLF line ends) with a fresh Message-ID
// at time now.
func Format(from string, m Message, now time.Time) ([]byte, error) {
	fa, err := mail.ParseAddress(clean(from))
	if err != nil {
		return nil, fmt.Errorf("from %q: %w", from, ErrBadAddress)
	}
	ta, err := mail.ParseAddress(clean(m.To))
	if err != nil {
		return nil, fmt.Errorf("to: %w", ErrBadAddress)
	}
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	domain := fa.Address[strings.LastIndexByte(fa.Address, '@')+1:]
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", fa.String())
	h("To", ta.String())
	h("Subject", mime.QEncoding.Encode("utf-8", clean(m.Subject)))
	h("Date", now.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Send delivers one message through the configured server: EHLO, STARTTLS
// when the server offers it, AUTH when a user is set, MAIL, RCPT, DATA.
func Send(ctx context.Context, c Config, m Message, now time.Time) error {
	if !c.Enabled() {
		return errors.New("no SMTP server configured")
	}
	msg, err := Format(c.From, m, now)
	if err != nil {
		return err
	}
	from, _ := mail.ParseAddress(clean(c.From))
	to, _ := mail.ParseAddress(clean(m.To))
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return err
	}
	cl, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer cl.Close()
	if ok, _ := cl.Extension("STARTTLS"); ok {
		if err := cl.StartTLS(tlsConfig(host)); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if c.User != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.User, c.Password, host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := cl.Mail(from.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := cl.Rcpt(to.Address); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return cl.Quit()
}
