package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	now := time.Date(2025, 3, 1, 21, 30, 0, 0, time.UTC)
	b, err := Format("City reports <reports@city.test>", Message{To: "résident@example.org", Subject: "Signalement n° 12 : résolu\r\nBcc: evil@example.org",
		Body: "Ligne une\nLigne deux — accentuée, et une ligne très longue " + strings.Repeat("x", 120)}, now)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a message: %v\n%s", err, b)
	}
	if m.Header.Get("Bcc") != "" {
		t.Errorf("a header was injected through the subject")
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || !strings.HasPrefix(subj, "Signalement n° 12 : résolu") {
		t.Errorf("subject %q (%v)", subj, err)
	}
	if m.Header.Get("Date") != "Sat, 01 Mar 2025 21:30:00 +0000" || !strings.HasSuffix(m.Header.Get("Message-Id"), "@city.test>") {
		t.Errorf("date %q, message-id %q", m.Header.Get("Date"), m.Header.Get("Message-Id"))
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	if !strings.Contains(string(body), "Ligne deux — accentuée") || !strings.Contains(string(body), strings.Repeat("x", 120)) {
		t.Errorf("body %q", body)
	}
	for _, line := range strings.Split(string(b), "\r\n") {
		if len(line) > 78 && !strings.HasPrefix(line, "Subject:") {
			t.Errorf("line longer than 78 characters: %q", line)
		}
	}
	if _, err := Format("x", Message{To: "a@b.c"}, now); !errors.Is(err, ErrBadAddress) {
		t.Errorf("bad From: %v", err)
	}
	if _, err := Format("a@b.c", Message{To: "nobody"}, now); !errors.Is(err, ErrBadAddress) {
		t.Errorf("bad To: %v", err)
	}
}

func TestSendUnconfiguredOrDown(t *testing.T) {
	if err := Send(context.Background(), Config{}, Message{To: "a@b.c"}, time.Now()); err == nil {
		t.Error("sent without a server")
	}
	err := Send(context.Background(), Config{Addr: "127.0.0.1:1", From: "a@b.c", Timeout: 2 * time.Second}, Message{To: "a@b.c", Subject: "s", Body: "b"}, time.Now())
	if err == nil {
		t.Error("sent to a closed port")
	}
}
