-- Campaigns (issue 4): a survey run over a period in chosen areas, with
-- surveyors assigned to areas and roles (the module groups of the survey)
-- against targets; session feedback from surveyors; one-time public links;
-- contact details kept apart from responses. Mirrored by
-- ../postgres/0007_campaigns.sql.
CREATE TABLE campaigns (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  survey_id   INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  starts_on   TEXT NOT NULL,                   -- YYYY-MM-DD, inclusive
  ends_on     TEXT NOT NULL,                   -- YYYY-MM-DD, inclusive
  areas       TEXT NOT NULL DEFAULT '[]',      -- JSON [{"code": "E01...", "target": 30}]
  contact_purpose TEXT NOT NULL DEFAULT '',    -- when not empty, respondents may leave a contact for this purpose (kept apart)
  created_by  INTEGER REFERENCES users(id),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX campaigns_org ON campaigns(org_id);

CREATE TABLE campaign_assignments (
  id          INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  role        TEXT NOT NULL DEFAULT '',        -- the surveyors group of the modules asked ('' = all modules)
  area_code   TEXT NOT NULL,
  target      INTEGER NOT NULL DEFAULT 0,      -- responses to collect
  created_at  INTEGER NOT NULL,
  UNIQUE (campaign_id, user_id, area_code)
);

-- which campaign a response was collected in (NULL: none)
ALTER TABLE survey_responses ADD COLUMN campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL;
CREATE INDEX survey_responses_campaign ON survey_responses(campaign_id, area_code, surveyor_id);

CREATE TABLE campaign_feedback (
  id           INTEGER PRIMARY KEY,
  campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  surveyor_id  INTEGER REFERENCES users(id),
  area_code    TEXT NOT NULL DEFAULT '',
  session_date TEXT NOT NULL DEFAULT '',       -- YYYY-MM-DD
  observed     TEXT NOT NULL DEFAULT '',       -- what the surveyor saw
  difficulties TEXT NOT NULL DEFAULT '',
  idem_key     TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  UNIQUE (campaign_id, idem_key)
);

-- one-time links of a public survey: only the SHA-256 of the token is kept
CREATE TABLE survey_tokens (
  id          INTEGER PRIMARY KEY,
  survey_id   INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
  token_hash  TEXT NOT NULL UNIQUE,
  response_id INTEGER,                          -- set when used: one response per token
  created_at  INTEGER NOT NULL,
  used_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX survey_tokens_survey ON survey_tokens(survey_id);

-- contact details a respondent chose to leave, stored apart: no link to
-- the response, deletable on request
CREATE TABLE survey_contacts (
  id          INTEGER PRIMARY KEY,
  survey_id   INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
  contact     TEXT NOT NULL,
  purpose     TEXT NOT NULL DEFAULT '',
  idem_key    TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (survey_id, idem_key)
);
