-- Knowledge base authoring and stemming (docs/knowledge-base.md).
-- status: draft, review, published (only published records are public; the
-- records that existed before are published). version counts the saves;
-- kb_versions keeps every saved state of a record as JSON.
ALTER TABLE kb_items ADD COLUMN status TEXT NOT NULL DEFAULT 'published';
ALTER TABLE kb_items ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- stemmed, accent-folded text for the SQLite search (filled by the store in
-- Go with the Snowball stemmer of the record's language); '' on PostgreSQL,
-- which stems in its text search configurations.
ALTER TABLE kb_items ADD COLUMN stem_title TEXT NOT NULL DEFAULT '';
ALTER TABLE kb_items ADD COLUMN stem_summary TEXT NOT NULL DEFAULT '';
ALTER TABLE kb_items ADD COLUMN stem_body TEXT NOT NULL DEFAULT '';
CREATE INDEX kb_items_org_status ON kb_items(org_id, status, kind);
-- records still to be stemmed (kbBackfillStems at open): a partial index, so
-- that the check costs nothing once every record is stemmed
CREATE INDEX kb_items_unstemmed ON kb_items(id) WHERE stem_title = '';

CREATE TABLE kb_versions (
  id         INTEGER PRIMARY KEY,
  item_id    INTEGER NOT NULL REFERENCES kb_items(id) ON DELETE CASCADE,
  org_id     INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  version    INTEGER NOT NULL,
  status     TEXT NOT NULL,
  record     TEXT NOT NULL,               -- the record as saved (JSON)
  actor      TEXT NOT NULL DEFAULT '',
  note       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (item_id, version)
);

-- the FTS index now covers the stemmed columns
DROP TRIGGER kb_items_ai;
DROP TRIGGER kb_items_ad;
DROP TRIGGER kb_items_au;
DROP TABLE kb_fts;
CREATE VIRTUAL TABLE kb_fts USING fts5(
  stem_title, stem_summary, stem_body,
  content = 'kb_items', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER kb_items_ai AFTER INSERT ON kb_items BEGIN
  INSERT INTO kb_fts(rowid, stem_title, stem_summary, stem_body) VALUES (new.id, new.stem_title, new.stem_summary, new.stem_body);
END;
CREATE TRIGGER kb_items_ad AFTER DELETE ON kb_items BEGIN
  INSERT INTO kb_fts(kb_fts, rowid, stem_title, stem_summary, stem_body) VALUES ('delete', old.id, old.stem_title, old.stem_summary, old.stem_body);
END;
CREATE TRIGGER kb_items_au AFTER UPDATE OF stem_title, stem_summary, stem_body ON kb_items BEGIN
  INSERT INTO kb_fts(kb_fts, rowid, stem_title, stem_summary, stem_body) VALUES ('delete', old.id, old.stem_title, old.stem_summary, old.stem_body);
  INSERT INTO kb_fts(rowid, stem_title, stem_summary, stem_body) VALUES (new.id, new.stem_title, new.stem_summary, new.stem_body);
END;
