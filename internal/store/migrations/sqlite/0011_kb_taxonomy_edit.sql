-- Knowledge base: taxonomies edited by an admin, evidence strength as a
-- search facet (docs/knowledge-base.md).
-- kb_terms holds what an organisation changed of its taxonomies (focus,
-- cc, approach): a built-in value renamed or retired, or a value added.
-- Labels '' fall back to the catalogs (built-in) or to the English label.
CREATE TABLE kb_terms (
  id         INTEGER PRIMARY KEY,
  org_id     INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  taxonomy   TEXT NOT NULL,                 -- focus, cc, approach
  code       TEXT NOT NULL,
  label_en   TEXT NOT NULL DEFAULT '',
  label_fr   TEXT NOT NULL DEFAULT '',
  label_it   TEXT NOT NULL DEFAULT '',
  retired    INTEGER NOT NULL DEFAULT 0,    -- 1 = kept on records, no longer offered
  position   INTEGER NOT NULL DEFAULT 0,    -- order of added values
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (org_id, taxonomy, code)
);
-- the evidence strength of an evidence card (kb.EvidenceStrength: strong,
-- moderate, limited, not_rated; '' for other kinds), filled by the store on
-- every save and, for cards saved before, when the store opens
ALTER TABLE kb_items ADD COLUMN evidence_strength TEXT NOT NULL DEFAULT '';
CREATE INDEX kb_items_unrated ON kb_items(id) WHERE kind = 'evidence' AND evidence_strength = '';
-- the facet counts of a search (store.KBFacets) read these columns of every
-- matching record: from this covering index, rather than from rows whose
-- long body comes before them (SQLite reads a row's columns in order)
CREATE INDEX kb_items_facets ON kb_items(org_id, status, language, kind, focus_area, cross_cutting, approaches, country, year, evidence_strength);
