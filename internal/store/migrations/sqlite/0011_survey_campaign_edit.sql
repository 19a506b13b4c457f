-- Campaign editing (issue 4): a campaign may map its surveyor roles to the
-- survey's modules itself. JSON object role -> [module names]; '{}' keeps
-- the survey's own mapping (each module's surveyors group). Same in both
-- dialects.
ALTER TABLE campaigns ADD COLUMN role_modules TEXT NOT NULL DEFAULT '{}';
