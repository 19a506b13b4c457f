-- Open311, the public side: photos of web reports (re-encoded, published
-- only after moderation), the e-mail outbox (so that a down SMTP server
-- loses nothing) and which public updates were already queued as e-mails.
-- Mirrored by ../postgres/0008_open311_public.sql.
CREATE TABLE report_photos (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  request_id  INTEGER REFERENCES service_requests(id) ON DELETE CASCADE, -- NULL until the report is stored
  mime        TEXT NOT NULL,             -- image/jpeg or image/png (after re-encoding)
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  data        TEXT NOT NULL,             -- base64 of the re-encoded image (no metadata)
  moderation  TEXT NOT NULL DEFAULT 'pending', -- pending, approved, hidden
  created_at  INTEGER NOT NULL
);
CREATE INDEX report_photos_req ON report_photos(request_id);

CREATE TABLE mail_outbox (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  request_id  INTEGER,                   -- the report the message is about (0/NULL: none)
  to_addr     TEXT NOT NULL,             -- erased once sent
  subject     TEXT NOT NULL,
  body        TEXT NOT NULL,             -- erased once sent
  created_at  INTEGER NOT NULL,
  next_at     INTEGER NOT NULL,          -- next attempt (also a claim: moved forward while sending)
  attempts    INTEGER NOT NULL DEFAULT 0,
  sent_at     INTEGER NOT NULL DEFAULT 0,
  failed_at   INTEGER NOT NULL DEFAULT 0, -- given up
  last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, failed_at, next_at);

CREATE TABLE report_notified (
  update_id   INTEGER PRIMARY KEY REFERENCES service_request_updates(id) ON DELETE CASCADE,
  at          INTEGER NOT NULL
);
