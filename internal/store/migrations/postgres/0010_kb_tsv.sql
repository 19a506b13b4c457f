-- Knowledge base: the indexed document of each record is stored (column
-- tsv) instead of being rebuilt from the text by an expression index, so
-- that ranking (ts_rank_cd) reads it instead of parsing and stemming the
-- text of every matching record at every search (docs/benchmarks.md,
-- "Knowledge base"). tsv_head holds the title (A) and summary (B) only: the
-- search ranks a pool of the best title and summary matches first, reading
-- small vectors, and only those by the full document (kb.go, searchKB).
--
-- Plain columns filled by a trigger, not generated columns: store.Copy
-- (icarus db copy, icarus backup) copies the columns both dialects share
-- and skips these (SQLite has no tsvector), and the trigger fills them for
-- every copied row as COPY inserts it; every write by the store fills them
-- too. The values are always recomputed on insert and on a change of the
-- language or the text.
ALTER TABLE kb_items ADD COLUMN tsv tsvector;
ALTER TABLE kb_items ADD COLUMN tsv_head tsvector;
-- lz4 decompresses the ~10 kB vector of a long document about twice as
-- fast as the default pglz (when the server was built with it)
DO $kb$
BEGIN
  ALTER TABLE kb_items ALTER COLUMN tsv SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'kb: lz4 not available (%): tsv keeps the default compression', SQLERRM;
END
$kb$;

CREATE FUNCTION kb_items_tsv() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.tsv IS NULL OR NEW.tsv_head IS NULL
     OR NEW.language IS DISTINCT FROM OLD.language OR NEW.title IS DISTINCT FROM OLD.title
     OR NEW.summary IS DISTINCT FROM OLD.summary OR NEW.body IS DISTINCT FROM OLD.body THEN
    NEW.tsv := kb_tsv(NEW.language, NEW.title, NEW.summary, NEW.body);
    NEW.tsv_head := kb_tsv(NEW.language, NEW.title, NEW.summary, '');
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER kb_items_tsv BEFORE INSERT OR UPDATE ON kb_items
  FOR EACH ROW EXECUTE FUNCTION kb_items_tsv();

-- the records already there
UPDATE kb_items SET tsv = kb_tsv(language, title, summary, body), tsv_head = kb_tsv(language, title, summary, '');
ALTER TABLE kb_items ALTER COLUMN tsv SET NOT NULL;
ALTER TABLE kb_items ALTER COLUMN tsv_head SET NOT NULL;

DROP INDEX kb_items_fts;
CREATE INDEX kb_items_tsv ON kb_items USING gin (tsv);
CREATE INDEX kb_items_tsv_head ON kb_items USING gin (tsv_head);
