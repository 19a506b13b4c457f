-- Background jobs, shared by every node: each job is claimed by one runner.
CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL,
  payload      TEXT NOT NULL DEFAULT '',
  dedupe_key   TEXT UNIQUE,                    -- enqueueing a key already there is a no-op
  state        TEXT NOT NULL DEFAULT 'queued', -- queued, running, done, failed
  attempts     INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 3,
  run_at       INTEGER NOT NULL,
  locked_by    TEXT NOT NULL DEFAULT '',
  locked_until INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  finished_at  INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_ready ON jobs(state, run_at);
