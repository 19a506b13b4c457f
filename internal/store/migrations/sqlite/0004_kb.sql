-- Knowledge base: tools and practices, evidence cards, research findings and
-- documents, searched with FTS5 (docs/knowledge-base.md).
CREATE TABLE kb_items (
  id            INTEGER PRIMARY KEY,
  org_id        INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  source_key    TEXT NOT NULL,                -- stable key of the record (seed id, file hash): re-importing updates
  kind          TEXT NOT NULL,                -- tool, practice, evidence, finding, document
  title         TEXT NOT NULL,
  summary       TEXT NOT NULL DEFAULT '',
  body          TEXT NOT NULL DEFAULT '',
  language      TEXT NOT NULL DEFAULT '',     -- ISO 639-1 code, '' = unknown
  focus_area    TEXT NOT NULL DEFAULT '',     -- one of the four IcARUS focus areas, or ''
  cross_cutting TEXT NOT NULL DEFAULT '',     -- comma-separated cross-cutting issue codes
  approaches    TEXT NOT NULL DEFAULT '',     -- comma-separated approach codes
  city          TEXT NOT NULL DEFAULT '',
  country       TEXT NOT NULL DEFAULT '',
  year          INTEGER NOT NULL DEFAULT 0,
  source        TEXT NOT NULL DEFAULT '',     -- URL or file name
  metadata      TEXT NOT NULL DEFAULT '{}',   -- JSON object
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (org_id, source_key)
);
CREATE INDEX kb_items_org_kind ON kb_items(org_id, kind);

-- external-content FTS5 index kept in step by triggers; porter stems English,
-- unicode61 with remove_diacritics 2 folds case and accents for every language
CREATE VIRTUAL TABLE kb_fts USING fts5(
  title, summary, body,
  content = 'kb_items', content_rowid = 'id',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER kb_items_ai AFTER INSERT ON kb_items BEGIN
  INSERT INTO kb_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
END;
CREATE TRIGGER kb_items_ad AFTER DELETE ON kb_items BEGIN
  INSERT INTO kb_fts(kb_fts, rowid, title, summary, body) VALUES ('delete', old.id, old.title, old.summary, old.body);
END;
CREATE TRIGGER kb_items_au AFTER UPDATE ON kb_items BEGIN
  INSERT INTO kb_fts(kb_fts, rowid, title, summary, body) VALUES ('delete', old.id, old.title, old.summary, old.body);
  INSERT INTO kb_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
END;
