-- Surveys: definitions (one row per version, JSON), and responses stored
-- once per client-generated idempotency key. Respondents are anonymous: no
-- names or contact details are stored with a response. Mirrored by
-- ../postgres/0005_surveys.sql (flags are INTEGER 0/1 here, BOOLEAN there).
CREATE TABLE surveys (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  title       TEXT NOT NULL,
  access      TEXT NOT NULL DEFAULT 'public',  -- public or field
  simulated   INTEGER NOT NULL DEFAULT 0,  -- demo data: labelled as simulated wherever shown
  version     INTEGER NOT NULL DEFAULT 1,      -- the current version
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX surveys_org ON surveys(org_id);

CREATE TABLE survey_versions (
  survey_id   INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  definition  TEXT NOT NULL,                   -- JSON of survey.Definition
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (survey_id, version)
);

CREATE TABLE survey_responses (
  id           INTEGER PRIMARY KEY,
  survey_id    INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  version      INTEGER NOT NULL,
  idem_key     TEXT NOT NULL,                  -- the client's Idempotency-Key
  area_code    TEXT NOT NULL DEFAULT '',
  answers      TEXT NOT NULL,                  -- JSON object: question -> answer
  consent      INTEGER NOT NULL,
  consent_text TEXT NOT NULL DEFAULT '',       -- the statement agreed to
  channel      TEXT NOT NULL DEFAULT 'web',    -- web, field, demo
  surveyor_id  INTEGER,                         -- the signed-in surveyor (staff), never the respondent
  simulated    INTEGER NOT NULL DEFAULT 0,
  submitted_at INTEGER NOT NULL DEFAULT 0,      -- the client's clock (offline queues send later)
  received_at  INTEGER NOT NULL,
  UNIQUE (survey_id, idem_key)
);
CREATE INDEX survey_responses_area ON survey_responses(survey_id, area_code);
