-- Open311 GeoReport v2: API keys, services (request types with their
-- definitions), service requests and their history. Mirrored by
-- ../postgres/0003_open311.sql (flags are INTEGER 0/1 here, BOOLEAN there).
CREATE TABLE api_keys (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  name        TEXT NOT NULL,
  key_hash    TEXT NOT NULL UNIQUE,   -- SHA-256 of the key; the key itself is shown once
  prefix      TEXT NOT NULL,          -- first characters, to recognise a key in lists
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE open311_settings (
  org_id      INTEGER PRIMARY KEY REFERENCES orgs(id),
  seeded_at   INTEGER NOT NULL        -- the default services were created
);

CREATE TABLE open311_services (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  code        TEXT NOT NULL,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  grp         TEXT NOT NULL DEFAULT '',
  keywords    TEXT NOT NULL DEFAULT '',
  type        TEXT NOT NULL DEFAULT 'realtime',
  sensitive   INTEGER NOT NULL DEFAULT 0,
  iccs        TEXT NOT NULL DEFAULT '',
  department  TEXT NOT NULL DEFAULT '',
  notice      TEXT NOT NULL DEFAULT '',
  attributes  TEXT NOT NULL DEFAULT '[]', -- JSON array of the definition's attributes
  active      INTEGER NOT NULL DEFAULT 1,
  position    INTEGER NOT NULL DEFAULT 0,
  updated_at  INTEGER NOT NULL,
  UNIQUE (org_id, code)
);

CREATE TABLE service_requests (
  id             INTEGER PRIMARY KEY,
  org_id         INTEGER NOT NULL REFERENCES orgs(id),
  service_id     INTEGER NOT NULL REFERENCES open311_services(id),
  token          TEXT UNIQUE,            -- batch services: the token POST returned
  follow_hash    TEXT UNIQUE,            -- SHA-256 of the reporter's private follow link
  channel        TEXT NOT NULL,          -- api or web
  api_key_id     INTEGER,
  status         TEXT NOT NULL,
  status_notes   TEXT NOT NULL DEFAULT '',
  moderation     TEXT NOT NULL,          -- pending, approved, hidden
  department     TEXT NOT NULL DEFAULT '',
  description    TEXT NOT NULL DEFAULT '',
  has_loc        INTEGER NOT NULL,
  lat            REAL,
  lon            REAL,
  address        TEXT NOT NULL DEFAULT '',
  address_id     TEXT NOT NULL DEFAULT '',
  zipcode        TEXT NOT NULL DEFAULT '',
  email          TEXT NOT NULL DEFAULT '',
  first_name     TEXT NOT NULL DEFAULT '',
  last_name      TEXT NOT NULL DEFAULT '',
  phone          TEXT NOT NULL DEFAULT '',
  device_id      TEXT NOT NULL DEFAULT '',
  account_id     TEXT NOT NULL DEFAULT '',
  media_url      TEXT NOT NULL DEFAULT '',
  attributes     TEXT NOT NULL DEFAULT '{}', -- JSON object code -> [values]
  duplicate_of   INTEGER,
  requested_at   INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  expected_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX service_requests_org_time ON service_requests(org_id, requested_at);
CREATE INDEX service_requests_org_updated ON service_requests(org_id, updated_at);

CREATE TABLE service_request_updates (
  id          INTEGER PRIMARY KEY,
  request_id  INTEGER NOT NULL REFERENCES service_requests(id) ON DELETE CASCADE,
  at          INTEGER NOT NULL,
  kind        TEXT NOT NULL,             -- submitted, status, answer, moderation, assign, merge
  status      TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  public      INTEGER NOT NULL DEFAULT 1,
  actor       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX service_request_updates_req ON service_request_updates(request_id);
CREATE INDEX service_request_updates_at ON service_request_updates(at);
