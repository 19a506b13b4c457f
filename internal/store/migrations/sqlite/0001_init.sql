-- Icarus schema, version 1. Portable SQL: the PostgreSQL dialect mirrors it.
CREATE TABLE orgs (
  id          INTEGER PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  metric_crs  INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  org_id        INTEGER NOT NULL REFERENCES orgs(id),
  email         TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL DEFAULT '',
  role          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  lang          TEXT NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
  token_hash  TEXT PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  org_id    INTEGER,
  user_id   INTEGER,
  actor     TEXT NOT NULL DEFAULT '',
  action    TEXT NOT NULL,
  target    TEXT NOT NULL DEFAULT '',
  detail    TEXT NOT NULL DEFAULT '',
  ip        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

CREATE TABLE rate_limits (
  bucket       TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  hits         INTEGER NOT NULL
);

CREATE TABLE area_layers (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  name        TEXT NOT NULL,
  source      TEXT NOT NULL DEFAULT '',
  source_crs  TEXT NOT NULL DEFAULT '',
  attribution TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE areas (
  id        INTEGER PRIMARY KEY,
  layer_id  INTEGER NOT NULL REFERENCES area_layers(id) ON DELETE CASCADE,
  code      TEXT NOT NULL,
  name      TEXT NOT NULL DEFAULT '',
  geojson   TEXT NOT NULL,
  min_lon   REAL NOT NULL,
  min_lat   REAL NOT NULL,
  max_lon   REAL NOT NULL,
  max_lat   REAL NOT NULL,
  area_m2   REAL NOT NULL DEFAULT 0,
  UNIQUE (layer_id, code)
);

CREATE TABLE area_containment (
  child_id   INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
  parent_id  INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
  share      REAL NOT NULL,
  PRIMARY KEY (child_id, parent_id)
);

CREATE TABLE datasets (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  name        TEXT NOT NULL,
  preset      TEXT NOT NULL DEFAULT '',
  source_crs  TEXT NOT NULL DEFAULT '',
  attribution TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE imports (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  kind        TEXT NOT NULL,
  target_id   INTEGER NOT NULL,
  file_name   TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  rows_read     INTEGER NOT NULL,
  rows_accepted INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL,
  rows_inserted INTEGER NOT NULL,
  rows_duplicate INTEGER NOT NULL,
  actor       TEXT NOT NULL DEFAULT '',
  started_at  INTEGER NOT NULL,
  finished_at INTEGER NOT NULL
);

CREATE TABLE incidents (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  ukey        TEXT NOT NULL,
  source_id   TEXT NOT NULL DEFAULT '',
  category    TEXT NOT NULL,
  iccs        TEXT NOT NULL DEFAULT '',
  occurred_at INTEGER NOT NULL,
  ym          INTEGER NOT NULL,
  resolution  TEXT NOT NULL,
  has_loc     INTEGER NOT NULL,
  lon         REAL,
  lat         REAL,
  attrs       TEXT NOT NULL DEFAULT '',
  import_id   INTEGER NOT NULL,
  UNIQUE (dataset_id, ukey)
);
CREATE INDEX incidents_ds_cat ON incidents(dataset_id, category, ym);

CREATE TABLE incident_areas (
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  area_id     INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
  PRIMARY KEY (area_id, incident_id)
) WITHOUT ROWID;

CREATE TABLE iccs_mappings (
  org_id    INTEGER NOT NULL REFERENCES orgs(id),
  category  TEXT NOT NULL,
  iccs      TEXT NOT NULL,
  PRIMARY KEY (org_id, category)
);

CREATE TABLE partners (
  id      INTEGER PRIMARY KEY,
  org_id  INTEGER NOT NULL REFERENCES orgs(id),
  name    TEXT NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE indicators (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  code        TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  unit        TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  UNIQUE (org_id, code)
);

CREATE TABLE indicator_values (
  indicator_id INTEGER NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
  area_id      INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
  period       TEXT NOT NULL,
  value        REAL NOT NULL,
  partner_id   INTEGER NOT NULL REFERENCES partners(id),
  import_id    INTEGER NOT NULL,
  PRIMARY KEY (indicator_id, area_id, period)
);
