-- Analyses run from the workbench, the API or a job: the request (method,
-- dataset, filters, parameters as JSON), progress while it runs, the result
-- with its method card, and a name once saved (shared within the organisation).
CREATE TABLE analyses (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  owner_id    INTEGER REFERENCES users(id) ON DELETE SET NULL, -- NULL: run from the command line
  name        TEXT NOT NULL DEFAULT '',        -- '' until saved
  method      TEXT NOT NULL,
  request     TEXT NOT NULL,                   -- JSON
  state       TEXT NOT NULL DEFAULT 'queued',  -- queued, running, done, failed
  progress    REAL NOT NULL DEFAULT 0,         -- 0..1
  stage       TEXT NOT NULL DEFAULT '',        -- what it is doing
  result      TEXT NOT NULL DEFAULT '',        -- JSON, with the method card
  error       TEXT NOT NULL DEFAULT '',
  job_id      INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  finished_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX analyses_org ON analyses(org_id, id);
