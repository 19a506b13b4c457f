package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/kb"
)

// KBItem is one record of the knowledge base: a tool or practice, an
// evidence card, a research finding or a document. Kind-specific fields
// (delivery steps, EMMIE ratings, citations...) live in Metadata (a JSON
// object); what is searched and filtered on has its own column.
type KBItem struct {
	ID           int64
	OrgID        int64
	Key          string // stable key: putting an item with a key already present updates it ("" = derived from kind, title and body)
	Kind         string // tool, practice, evidence, finding, document
	Title        string
	Summary      string
	Body         string
	Language     string   // ISO 639-1 ("en", "fr", ...); "" = unknown
	FocusArea    string   // an IcARUS focus area code or ""
	CrossCutting []string // cross-cutting issue codes
	Approaches   []string // approach codes
	City         string
	Country      string
	Year         int
	Source       string          // URL or file name
	Metadata     json.RawMessage // a JSON object ("{}" when empty)
	Status       string          // draft, review, published ("" = published when put)
	Version      int             // number of saves; when non-zero in PutKBItem, the version the caller edited (conflict if it changed)
	Created      time.Time
	Updated      time.Time
}

// KBFilter narrows a knowledge-base search; empty fields do not filter.
type KBFilter struct {
	Kind         string
	FocusArea    string
	CrossCutting string
	Language     string
	Country      string
	Status       string // "" = published only; "all" = every status; or one status
	Approach     string // an approach code (records listing it)
	Decade       int    // e.g. 1990: records whose year is 1990-1999 (0 = any)
	Strength     string // evidence strength (kb.Strengths): evidence cards of that class
}

// KBHit is one ranked search result. Snippet is an extract of the matching
// text in which the matched words are wrapped in SnippetStart and
// SnippetEnd (control characters, so that callers escape the text first and
// then turn the marks into highlighting).
type KBHit struct {
	ID        int64
	Kind      string
	Title     string
	Summary   string
	Language  string
	FocusArea string
	City      string
	Country   string
	Year      int
	Score     float64 // higher is better; comparable within one search only
	Snippet   string
}

// Snippet marks (see KBHit.Snippet).
const (
	SnippetStart = "\x02"
	SnippetEnd   = "\x03"
)

// KB record statuses.
const (
	KBDraft     = "draft"
	KBReview    = "review"
	KBPublished = "published"
)

// KBVersion is one saved state of a record.
type KBVersion struct {
	Version int
	Status  string
	Record  json.RawMessage // the record as saved: KBItem as JSON
	Actor   string
	Note    string
	Created time.Time
}

// PutKBItem inserts the item, or updates the organisation's item with the
// same Key, and returns its id and whether it was created. See PutKBItemAs.
func (s *Store) PutKBItem(ctx context.Context, it KBItem) (int64, bool, error) {
	return s.PutKBItemAs(ctx, it, "", "")
}

// kbSnapshot is what a version keeps of a record.
func kbSnapshot(it KBItem) []byte {
	it.ID, it.OrgID, it.Created, it.Updated, it.Version = 0, 0, time.Time{}, time.Time{}, 0
	b, _ := json.Marshal(it)
	return b
}

// PutKBItemAs saves the item (insert, or update of the item with the same
// Key) as actor, with a note, and keeps the saved state as a new version.
// Putting a record identical to the stored one changes nothing (no new
// version). When it.Version is non-zero and the stored record has another
// version, the save is refused as a conflict (someone saved in between).
func (s *Store) PutKBItemAs(ctx context.Context, it KBItem, actor, note string) (int64, bool, error) {
	it, err := s.prepKB(it)
	if err != nil {
		return 0, false, err
	}
	var id int64
	var created bool
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, created, err = s.putKBTx(ctx, tx, it, actor, note, true)
		return err
	})
	if err == nil {
		err = s.kbSettle(ctx, 1)
	}
	return id, created, err
}

// PutKBItemsAs saves several items in one transaction: all or none.
func (s *Store) PutKBItemsAs(ctx context.Context, items []KBItem, actor, note string) (created, updated int, err error) {
	for i := range items {
		if items[i], err = s.prepKB(items[i]); err != nil {
			return 0, 0, fmt.Errorf("record %d: %w", i+1, err)
		}
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		created, updated = 0, 0
		for i, it := range items {
			_, c, err := s.putKBTx(ctx, tx, it, actor, note, true)
			if err != nil {
				return fmt.Errorf("record %d (%s): %w", i+1, it.Title, err)
			}
			if c {
				created++
			} else {
				updated++
			}
		}
		return nil
	})
	if err == nil {
		err = s.kbSettle(ctx, len(items))
	}
	return created, updated, err
}

// kbAnalyzeBatch is the size of a batch of records after which
// PutKBItemsAs refreshes PostgreSQL's statistics of kb_items.
const kbAnalyzeBatch = 100

// kbSettle runs on PostgreSQL after n records of kb_items were written.
//
// After a batch of kbAnalyzeBatch or more it refreshes the planner's
// statistics now rather than at autovacuum's next round: without them it
// scanned every stored vector for a search that its GIN indexes answer
// (200-450 ms instead of 10-100 ms over 10,000 documents, docs/benchmarks.md).
//
// After every write it moves the entries waiting in the GIN indexes'
// pending lists (fastupdate: an insert appends its ~600 entries there
// instead of updating the index tree) into the indexes: every search scans
// the whole pending list, and after loading 10,000 documents it held
// 2.3 MB, which made the p95 of a search 230 ms instead of 45 ms. Only the
// indexes' owner may do that (as for VACUUM); for any other role the list
// is left to autovacuum and to inserts past gin_pending_list_limit (4 MB
// by default; a limit of 256 kB made loading 10,000 documents take 82 s
// instead of 39 s, fastupdate = off 3 minutes, so the defaults stay).
func (s *Store) kbSettle(ctx context.Context, n int) error {
	if s.dialect != "postgres" {
		return nil
	}
	if n >= kbAnalyzeBatch {
		if _, err := s.w.ExecContext(ctx, `ANALYZE kb_items`); err != nil {
			return fmt.Errorf("analyze kb_items: %w", err)
		}
	}
	if _, err := s.w.ExecContext(ctx, `SELECT gin_clean_pending_list(c.oid)
		FROM unnest(ARRAY['kb_items_tsv'::regclass, 'kb_items_tsv_head'::regclass]) x(oid)
		JOIN pg_class c ON c.oid = x.oid WHERE pg_has_role(c.relowner, 'USAGE')`); err != nil {
		return fmt.Errorf("kb_items: moving the GIN pending lists into the indexes: %w", err)
	}
	return nil
}

// putKBTx writes a prepared item (prepKB) inside tx. With keepPublished, a
// save that is not itself published of a record that is published leaves
// the published row as it is (what the public sees and searches) and keeps
// the save as a new version only: the pending revision (KBWorking), which
// replaces the published row when it is published.
func (s *Store) putKBTx(ctx context.Context, tx *sql.Tx, it KBItem, actor, note string, keepPublished bool) (int64, bool, error) {
	meta := string(it.Metadata)
	var stT, stS, stB string
	if s.dialect != "postgres" {
		stT, stS, stB = kbStems(it.Title, it.Summary, it.Body, it.Language)
	}
	strength := kb.StrengthOf(it.Kind, it.Metadata)
	now := s.now().Unix()
	var id int64
	created := false
	err := func() error {
		expect := it.Version
		var version int
		cur, err := s.kbItemTx(ctx, tx, it.OrgID, 0, it.Key)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created = true
			version = 1
			if err := tx.QueryRowContext(ctx, `INSERT INTO kb_items (org_id, source_key, kind, title, summary, body, language, focus_area,
					cross_cutting, approaches, city, country, year, source, metadata, status, version, stem_title, stem_summary, stem_body, created_at, updated_at, evidence_strength)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $18, $19, $20, $20, $21) RETURNING id`,
				it.OrgID, it.Key, it.Kind, it.Title, it.Summary, it.Body, it.Language, it.FocusArea,
				strings.Join(it.CrossCutting, ","), strings.Join(it.Approaches, ","), it.City, it.Country, it.Year, it.Source, meta, it.Status,
				stT, stS, stB, now, strength).Scan(&id); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			id = cur.ID
			working, _, err := s.kbWorkingTx(ctx, tx, cur)
			if err != nil {
				return err
			}
			if expect != 0 && expect != working.Version {
				return apperr.New(apperr.Conflict, "%q was saved by someone else meanwhile (version %d, you edited version %d): reload it", working.Title, working.Version, expect)
			}
			if string(kbSnapshot(working)) == string(kbSnapshot(it)) {
				return nil // unchanged: no new version
			}
			version = working.Version + 1
			if keepPublished && cur.Status == KBPublished && it.Status != KBPublished {
				break // a revision of a published record: a version only
			}
			if _, err := tx.ExecContext(ctx, `UPDATE kb_items SET kind = $2, title = $3, summary = $4, body = $5, language = $6, focus_area = $7,
					cross_cutting = $8, approaches = $9, city = $10, country = $11, year = $12, source = $13, metadata = $14, updated_at = $15,
					status = $16, version = $17, stem_title = $18, stem_summary = $19, stem_body = $20, evidence_strength = $21
				WHERE id = $1`, id, it.Kind, it.Title, it.Summary, it.Body, it.Language, it.FocusArea,
				strings.Join(it.CrossCutting, ","), strings.Join(it.Approaches, ","), it.City, it.Country, it.Year, it.Source, meta, now,
				it.Status, version, stT, stS, stB, strength); err != nil {
				return err
			}
		}
		return insertKBVersion(ctx, tx, id, version, it, actor, note, now)
	}()
	return id, created, err
}

// insertKBVersion keeps it (its status and snapshot) as version of record id.
func insertKBVersion(ctx context.Context, tx *sql.Tx, id int64, version int, it KBItem, actor, note string, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO kb_versions (item_id, org_id, version, status, record, actor, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, it.OrgID, version, it.Status, string(kbSnapshot(it)), actor, note, now)
	return err
}

// kbWorkingTx returns the record as its editors see it: its pending
// revision when it is published and a later version was saved as a draft
// or for review (pending true), else the stored row itself.
func (s *Store) kbWorkingTx(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, cur KBItem) (KBItem, bool, error) {
	if cur.Status != KBPublished {
		return cur, false, nil
	}
	var v int
	var st, rec string
	var at int64
	err := q.QueryRowContext(ctx, `SELECT version, status, record, created_at FROM kb_versions WHERE item_id = $1 AND version > $2
		ORDER BY version DESC LIMIT 1`, cur.ID, cur.Version).Scan(&v, &st, &rec, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return cur, false, nil
	}
	if err != nil {
		return cur, false, err
	}
	var w KBItem
	if err := json.Unmarshal([]byte(rec), &w); err != nil {
		return cur, false, fmt.Errorf("knowledge item %d version %d: %w", cur.ID, v, err)
	}
	w.ID, w.OrgID, w.Key, w.Created = cur.ID, cur.OrgID, cur.Key, cur.Created
	w.Version, w.Status, w.Updated = v, st, time.Unix(at, 0).UTC()
	if len(w.Metadata) == 0 {
		w.Metadata = json.RawMessage("{}")
	}
	return w, true, nil
}

// KBWorking returns a record as its editors see it: the pending revision
// (a draft or a version in review saved after the record was published:
// pending is true) or, when there is none, the record itself. KBItem
// returns what the public sees.
func (s *Store) KBWorking(ctx context.Context, orgID, id int64) (KBItem, bool, error) {
	cur, err := s.KBItem(ctx, orgID, id)
	if err != nil {
		return cur, false, err
	}
	return s.kbWorkingTx(ctx, s.r, cur)
}

// KBPending returns the pending revision (its version, status and record)
// of each of the organisation's published records that has one, by record
// id.
func (s *Store) KBPending(ctx context.Context, orgID int64) (map[int64]KBVersion, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT v.item_id, v.version, v.status, v.record, v.actor, v.note, v.created_at
		FROM kb_versions v JOIN kb_items i ON i.id = v.item_id
		WHERE i.org_id = $1 AND i.status = 'published' AND v.version > i.version ORDER BY v.item_id, v.version`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]KBVersion{}
	for rows.Next() {
		var id, at int64
		var v KBVersion
		var rec string
		if err := rows.Scan(&id, &v.Version, &v.Status, &rec, &v.Actor, &v.Note, &at); err != nil {
			return nil, err
		}
		v.Created, v.Record = time.Unix(at, 0).UTC(), json.RawMessage(rec)
		out[id] = v // the last one (by version) wins
	}
	return out, rows.Err()
}

// prepKB checks an item and fills its defaults (status, key, metadata).
func (s *Store) prepKB(it KBItem) (KBItem, error) {
	it.Kind = strings.TrimSpace(it.Kind)
	it.Title = strings.TrimSpace(it.Title)
	if it.OrgID == 0 {
		return it, apperr.New(apperr.Invalid, "knowledge item without an organisation")
	}
	if it.Kind == "" || it.Title == "" {
		return it, apperr.New(apperr.Invalid, "knowledge item needs a kind and a title")
	}
	if it.Status == "" {
		it.Status = KBPublished
	}
	if it.Status != KBDraft && it.Status != KBReview && it.Status != KBPublished {
		return it, apperr.New(apperr.Invalid, "status: %q is not draft, review or published", it.Status)
	}
	if it.Key == "" {
		h := sha256.Sum256([]byte(it.Kind + "\x00" + it.Title + "\x00" + it.Body))
		it.Key = "sha256:" + hex.EncodeToString(h[:16])
	}
	if len(it.Metadata) == 0 {
		it.Metadata = json.RawMessage("{}")
	} else {
		var m map[string]any
		if err := json.Unmarshal(it.Metadata, &m); err != nil || m == nil {
			return it, apperr.New(apperr.Invalid, "knowledge item %q: metadata is not a JSON object", it.Title)
		}
	}
	return it, nil
}

// SetKBStatus moves a record to another status (a new version, same
// content) and returns the record as it was before (KBWorking). The move
// applies to the pending revision of a published record when it has one:
// publishing it replaces the published row; submitting or returning it
// leaves the published row public. Withdrawing (published to draft, no
// revision pending) takes the record off the public pages.
func (s *Store) SetKBStatus(ctx context.Context, orgID, id int64, status, actor, note string) (KBItem, error) {
	var before KBItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.kbItemTx(ctx, tx, orgID, id, "")
		if err != nil {
			return notFound(err, "knowledge item")
		}
		it, _, err := s.kbWorkingTx(ctx, tx, cur)
		if err != nil {
			return err
		}
		before = it
		next := it
		next.Status = status
		withdraw := it.Status == KBPublished && status != KBPublished
		if next, err = s.prepKB(next); err != nil {
			return err
		}
		_, _, err = s.putKBTx(ctx, tx, next, actor, note, !withdraw)
		return err
	})
	return before, err
}

// DiscardKBRevision drops the pending revision of a published record (a
// draft or a version in review saved after the published one): the record
// becomes its published version again, saved as a new version with status
// published, so that the discarded revision stays in the history. It returns
// the discarded revision; a record without one is a conflict.
func (s *Store) DiscardKBRevision(ctx context.Context, orgID, id int64, actor, note string) (KBItem, error) {
	var discarded KBItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.kbItemTx(ctx, tx, orgID, id, "")
		if err != nil {
			return notFound(err, "knowledge item")
		}
		w, pending, err := s.kbWorkingTx(ctx, tx, cur)
		if err != nil {
			return err
		}
		if !pending {
			return apperr.New(apperr.Conflict, "%q has no pending revision to discard", cur.Title)
		}
		discarded = w
		now := s.now().Unix()
		v := w.Version + 1
		if _, err := tx.ExecContext(ctx, `UPDATE kb_items SET version = $2, updated_at = $3 WHERE id = $1`, cur.ID, v, now); err != nil {
			return err
		}
		return insertKBVersion(ctx, tx, cur.ID, v, cur, actor, note, now)
	})
	return discarded, err
}

// KBVersions returns the saved versions of a record, newest first.
func (s *Store) KBVersions(ctx context.Context, orgID, id int64) ([]KBVersion, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT version, status, record, actor, note, created_at FROM kb_versions
		WHERE org_id = $1 AND item_id = $2 ORDER BY version DESC`, orgID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []KBVersion
	for rows.Next() {
		var v KBVersion
		var rec string
		var at int64
		if err := rows.Scan(&v.Version, &v.Status, &rec, &v.Actor, &v.Note, &at); err != nil {
			return nil, err
		}
		v.Record, v.Created = json.RawMessage(rec), time.Unix(at, 0).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

const kbItemCols = `id, org_id, source_key, kind, title, summary, body, language, focus_area, cross_cutting,
	approaches, city, country, year, source, metadata, status, version, created_at, updated_at`

func scanKBItem(sc interface{ Scan(...any) error }) (KBItem, error) {
	var it KBItem
	var cc, ap, meta string
	var created, updated int64
	err := sc.Scan(&it.ID, &it.OrgID, &it.Key, &it.Kind, &it.Title, &it.Summary,
		&it.Body, &it.Language, &it.FocusArea, &cc, &ap, &it.City, &it.Country, &it.Year, &it.Source, &meta, &it.Status, &it.Version, &created, &updated)
	if err != nil {
		return it, err
	}
	it.CrossCutting, it.Approaches = splitList(cc), splitList(ap)
	it.Metadata = json.RawMessage(meta)
	it.Created, it.Updated = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return it, nil
}

// kbItemTx reads one item by id or (id 0) by key inside a transaction.
func (s *Store) kbItemTx(ctx context.Context, tx *sql.Tx, orgID, id int64, key string) (KBItem, error) {
	if id != 0 {
		return scanKBItem(tx.QueryRowContext(ctx, `SELECT `+kbItemCols+` FROM kb_items WHERE org_id = $1 AND id = $2`, orgID, id))
	}
	return scanKBItem(tx.QueryRowContext(ctx, `SELECT `+kbItemCols+` FROM kb_items WHERE org_id = $1 AND source_key = $2`, orgID, key))
}

// KBItems returns the organisation's full records that pass the filter
// (kind, focus area, cross-cutting issue, language, country, status), by
// kind and title, at most limit (0 = all).
func (s *Store) KBItems(ctx context.Context, orgID int64, f KBFilter, limit int) ([]KBItem, error) {
	where, args := kbWhere(f, []any{orgID})
	q := `SELECT ` + strings.ReplaceAll(kbItemCols, "id, org_id", "i.id, i.org_id") + ` FROM kb_items i WHERE i.org_id = $1` + where + ` ORDER BY i.kind, i.title, i.id`
	if limit > 0 {
		args = append(args, limit)
		q += ` LIMIT $` + strconv.Itoa(len(args))
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []KBItem
	for rows.Next() {
		it, err := scanKBItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// kbStems returns the stemmed columns of a record on SQLite. The title's
// is never "" (a title without words gets a space), so that
// kbBackfillStems can tell a record still to be stemmed.
func kbStems(title, summary, body, lang string) (string, string, string) {
	t := kb.StemText(title, lang)
	if t == "" {
		t = " "
	}
	return t, kb.StemText(summary, lang), kb.StemText(body, lang)
}

// kbBackfillStems fills the stemmed columns of records that have none (on
// SQLite, after the migration that added them or a copy from PostgreSQL).
func (s *Store) kbBackfillStems(ctx context.Context) error {
	if err := s.kbBackfillStrength(ctx); err != nil {
		return err
	}
	if s.dialect == "postgres" {
		return nil
	}
	for {
		rows, err := s.w.QueryContext(ctx, `SELECT id, language, title, summary, body FROM kb_items WHERE stem_title = '' ORDER BY id LIMIT 200`)
		if err != nil {
			return err
		}
		type rec struct {
			id                         int64
			lang, title, summary, body string
		}
		var recs []rec
		for rows.Next() {
			var r rec
			if err := rows.Scan(&r.id, &r.lang, &r.title, &r.summary, &r.body); err != nil {
				rows.Close()
				return err
			}
			recs = append(recs, r)
		}
		rows.Close()
		if len(recs) == 0 {
			return nil
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			for _, r := range recs {
				t, su, b := kbStems(r.title, r.summary, r.body, r.lang)
				if _, err := tx.ExecContext(ctx, `UPDATE kb_items SET stem_title = $2, stem_summary = $3, stem_body = $4 WHERE id = $1`, r.id, t, su, b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}

// kbBackfillStrength fills the evidence strength of evidence cards saved
// before it existed (migration 0011_kb_taxonomy_edit.sql), through a
// partial index so that the check costs nothing afterwards.
func (s *Store) kbBackfillStrength(ctx context.Context) error {
	rows, err := s.w.QueryContext(ctx, `SELECT id, metadata FROM kb_items WHERE kind = 'evidence' AND evidence_strength = ''`)
	if err != nil {
		return err
	}
	type rec struct {
		id   int64
		meta string
	}
	var recs []rec
	for rows.Next() {
		var r rec
		if err := rows.Scan(&r.id, &r.meta); err != nil {
			rows.Close()
			return err
		}
		recs = append(recs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(recs) == 0 {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, r := range recs {
			if _, err := tx.ExecContext(ctx, `UPDATE kb_items SET evidence_strength = $2 WHERE id = $1`, r.id, kb.StrengthOf(kb.KindEvidence, []byte(r.meta))); err != nil {
				return err
			}
		}
		return nil
	})
}

// KBItem returns one item of the organisation, whatever its status.
func (s *Store) KBItem(ctx context.Context, orgID, id int64) (KBItem, error) {
	it, err := scanKBItem(s.r.QueryRowContext(ctx, `SELECT `+kbItemCols+` FROM kb_items WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return it, notFound(err, "knowledge item")
	}
	return it, nil
}

// KBCounts returns the number of the organisation's published items per kind.
func (s *Store) KBCounts(ctx context.Context, orgID int64) (map[string]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT kind, count(*) FROM kb_items WHERE org_id = $1 AND status = 'published' GROUP BY kind`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// searchTerms splits a query into words (letters and digits), lower-cased,
// at most 32 of them.
func searchTerms(q string) []string {
	ws := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(ws) > 32 {
		ws = ws[:32]
	}
	return ws
}

// SearchKB runs a full-text search over the organisation's knowledge base
// and returns at most limit hits, best first. lang is the language of the
// query, when known: items in that language get a small boost. All words
// must match; when that finds nothing, any word may match. An empty query
// lists the items (by kind and title) with a zero score.
//
// SQLite: FTS5 (porter stemming for English, unicode61 folding case and
// accents for every language), ranked by bm25 with the title weighted 10,
// the summary 4 and the body 1. PostgreSQL: a tsvector per item in its
// language's configuration (english, french, italian, german, portuguese,
// dutch, simple otherwise; unaccent before stemming), the query parsed in
// every configuration (each distinct parse once, OR-ed), ranked by
// ts_rank_cd with weights title A, summary B, body C.
func (s *Store) SearchKB(ctx context.Context, orgID int64, query, lang string, f KBFilter, limit int) ([]KBHit, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	terms := searchTerms(query)
	if len(terms) == 0 {
		return s.listKB(ctx, orgID, f, limit)
	}
	hits, err := s.searchKB(ctx, orgID, terms, false, lang, f, limit)
	if err != nil || len(hits) > 0 || len(terms) == 1 {
		return hits, err
	}
	return s.searchKB(ctx, orgID, terms, true, lang, f, limit)
}

// kbWhere appends the filter conditions on alias i to args.
func kbWhere(f KBFilter, args []any) (string, []any) {
	var b strings.Builder
	add := func(cond string, v any) {
		args = append(args, v)
		b.WriteString(" AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Kind != "" {
		add("i.kind = ?", f.Kind)
	}
	if f.FocusArea != "" {
		add("i.focus_area = ?", f.FocusArea)
	}
	if f.CrossCutting != "" {
		add("(',' || i.cross_cutting || ',') LIKE ?", "%,"+f.CrossCutting+",%")
	}
	if f.Language != "" {
		add("i.language = ?", f.Language)
	}
	if f.Country != "" {
		add("i.country = ?", f.Country)
	}
	if f.Approach != "" {
		add("(',' || i.approaches || ',') LIKE ?", "%,"+f.Approach+",%")
	}
	if f.Decade != 0 {
		add("i.year >= ?", f.Decade)
		add("i.year < ?", f.Decade+10)
	}
	if f.Strength != "" {
		add("i.evidence_strength = ?", f.Strength)
	}
	switch f.Status {
	case "all":
	case "":
		add("i.status = ?", KBPublished)
	default:
		add("i.status = ?", f.Status)
	}
	return b.String(), args
}

const kbHitCols = `i.id, i.kind, i.title, i.summary, i.language, i.focus_area, i.city, i.country, i.year`

func (s *Store) listKB(ctx context.Context, orgID int64, f KBFilter, limit int) ([]KBHit, error) {
	where, args := kbWhere(f, []any{orgID})
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, `SELECT `+kbHitCols+`, 0.0, '' FROM kb_items i WHERE i.org_id = $1`+where+
		` ORDER BY i.kind, i.title, i.id LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	return scanHits(rows)
}

func (s *Store) searchKB(ctx context.Context, orgID int64, terms []string, anyWord bool, lang string, f KBFilter, limit int) ([]KBHit, error) {
	var args []any
	if s.dialect == "postgres" {
		sep := " "
		if anyWord {
			sep = " or "
		}
		args = []any{orgID, strings.Join(terms, sep), lang}
		where, a := kbWhere(f, args)
		args = append(a, limit)
		var cfgs []string
		for _, c := range []string{"english", "french", "italian", "german", "portuguese", "dutch", "simple"} {
			cfgs = append(cfgs, "websearch_to_tsquery('kb_"+c+"', $2)")
		}
		// The query is the OR of its parse in each configuration, each
		// distinct parse once: most words parse the same in several
		// configurations, and ts_rank_cd's cost grows with the size of the
		// query (a cover is tested against the whole query at every
		// position) while an OR of identical branches ranks the same (the
		// same boolean function, so the same covers). The query is
		// MATERIALIZED: the planner then estimates the match with its
		// default selectivity and always takes the GIN index; with the
		// parsed query in view it overestimated common words (the
		// duplicated branches add up) and chose a sequential scan that
		// decompresses every record's vector to test it (0.6-0.9 s).
		qcte := `q AS MATERIALIZED (SELECT (SELECT string_agg(DISTINCT '(' || t::text || ')', ' | ')
				FROM unnest(ARRAY[` + strings.Join(cfgs, ", ") + `]) t WHERE numnode(t) > 0)::tsquery AS q)`
		// Two stages. Stage 1 takes a pool of the kbPool best matches in
		// titles and summaries, ranked on the small tsv_head, and ranks
		// them by the whole document (tsv, which for a long text is a
		// ~10 kB compressed value to read): when that fills the page,
		// records matching only in their text are not ranked at all, as on
		// SQLite. Otherwise stage 2 ranks every match.
		cand := func(pooled bool) string {
			if !pooled {
				return `kb_items i, q WHERE i.org_id = $1 AND i.tsv @@ q.q` + where
			}
			return `(SELECT i.id FROM kb_items i, q WHERE i.org_id = $1 AND i.tsv_head @@ q.q` + where + `
					ORDER BY ts_rank_cd(i.tsv_head, q.q) DESC, i.id LIMIT $` + strconv.Itoa(len(args)+1) + `) c -- kbPool
				JOIN kb_items i ON i.id = c.id, q WHERE true`
		}
		query := func(pooled bool) string {
			return `WITH ` + qcte + `,
			hits AS (
				SELECT ` + kbHitCols + `, i.body,
					ts_rank_cd(i.tsv, q.q) * CASE WHEN i.language = $3 THEN 1.25 ELSE 1 END AS score
				FROM ` + cand(pooled) + `
				ORDER BY score DESC, i.id LIMIT $` + strconv.Itoa(len(args)) + `)
			SELECT h.id, h.kind, h.title, h.summary, h.language, h.focus_area, h.city, h.country, h.year, h.score,
				substr(h.body, 1, 65536)
			FROM hits h ORDER BY h.score DESC, h.id`
		}
		// the snippets are cut in Go as on SQLite (kbSnippets): ts_headline
		// parses the whole text of each hit again, ~3.5 ms per long document
		rows, err := s.r.QueryContext(ctx, query(true), append(args, kbPool)...)
		if err != nil {
			return nil, err
		}
		hits, err := scanHits(rows)
		if err == nil && len(hits) < limit {
			rows, err = s.r.QueryContext(ctx, query(false), args...)
			if err == nil {
				hits, err = scanHits(rows)
			}
		}
		if err != nil {
			return nil, err
		}
		kbSnippets(hits, kbForms(terms))
		return hits, nil
	} else {
		// each word matches its folded form or its stem in any language
		// (the stem_* columns hold each record's words stemmed in its own
		// language, then folded: kb.StemText)
		forms := map[string]bool{}
		groups := make([]string, len(terms))
		for i, t := range terms {
			fs := kb.QueryForms(t)
			q := make([]string, len(fs))
			for j, f := range fs {
				q[j] = `"` + f + `"`
				forms[f] = true
			}
			groups[i] = "(" + strings.Join(q, " OR ") + ")"
		}
		sep := " AND "
		if anyWord {
			sep = " OR "
		}
		args = []any{orgID, strings.Join(groups, sep), lang}
		where, a := kbWhere(f, args)
		args = append(a, limit)
		// Two stages, each ranking a pool of the best kbPool matches by
		// bm25 taken from the FTS index alone (FTS5 sorts by rank inside the
		// virtual table; rank is bm25 with the column weights 10, 4, 1,
		// given with each query), to which the filters and the language boost
		// then apply. Stage 1 matches titles and summaries only: when that
		// fills the page, records matching only in their text would rank
		// below anyway (weights 10 and 4 against 1) and their, far more
		// numerous, matches are not ranked at all. Otherwise stage 2 ranks
		// every match; when its pool was full and fewer than limit records
		// passed the filters, it runs again over every match.
		args = append(args, kbPool)
		pool := func(match string) string {
			return `(SELECT rowid, rank FROM kb_fts WHERE kb_fts MATCH ` + match + ` AND rank MATCH 'bm25(10.0, 4.0, 1.0)' ORDER BY rank LIMIT $` + strconv.Itoa(len(args)) + `)`
		}
		query := func(from string) string {
			return `SELECT ` + kbHitCols + `,
				-f.rank * CASE WHEN i.language = $3 THEN 1.25 ELSE 1 END AS score,
				substr(i.body, 1, 65536)
			FROM ` + from + ` f JOIN kb_items i ON i.id = f.rowid
			WHERE i.org_id = $1` + where + `
			ORDER BY score DESC, i.id LIMIT $` + strconv.Itoa(len(args)-1)
		}
		var hits []KBHit
		rows, err := s.r.QueryContext(ctx, query(pool(`'{stem_title stem_summary} : (' || $2 || ')'`)), args...)
		if err == nil {
			hits, err = scanHits(rows)
		}
		if err == nil && len(hits) < limit {
			hits, err = s.kbPoolQuery(ctx, query(pool("$2")), `(SELECT rowid, rank FROM kb_fts WHERE kb_fts MATCH $2 AND rank MATCH 'bm25(10.0, 4.0, 1.0)')`, query, args, limit)
		}
		kbSnippets(hits, forms)
		return hits, err
	}
}

// kbForms returns the forms of the query words (kb.QueryForms).
func kbForms(terms []string) map[string]bool {
	forms := map[string]bool{}
	for _, t := range terms {
		for _, f := range kb.QueryForms(t) {
			forms[f] = true
		}
	}
	return forms
}

// kbSnippets replaces the text each hit carries in Snippet (its body) by
// the passage around the matched words, or of its summary when the body
// has none.
func kbSnippets(hits []KBHit, forms map[string]bool) {
	for i := range hits {
		h := &hits[i]
		snip := kb.Snippet(h.Snippet, h.Language, forms, 24, SnippetStart, SnippetEnd)
		if snip == "" {
			snip = kb.Snippet(h.Summary, h.Language, forms, 24, SnippetStart, SnippetEnd)
		}
		h.Snippet = snip
	}
}

// kbPool is the number of best FTS matches the SQLite search ranks and
// filters before falling back to every match.
const kbPool = 200

// kbPoolQuery runs the pooled query, and the unpooled one when the pool
// may have hidden records that pass the filters.
func (s *Store) kbPoolQuery(ctx context.Context, pooled, all string, query func(string) string, args []any, limit int) ([]KBHit, error) {
	rows, err := s.r.QueryContext(ctx, pooled, args...)
	if err != nil {
		return nil, err
	}
	hits, err := scanHits(rows)
	if err != nil || len(hits) >= limit {
		return hits, err
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT rowid FROM kb_fts WHERE kb_fts MATCH $1 LIMIT $2)`, args[1], kbPool).Scan(&n); err != nil {
		return nil, err
	}
	if n < kbPool {
		return hits, nil // every match was in the pool
	}
	rows, err = s.r.QueryContext(ctx, query(all), args...)
	if err != nil {
		return nil, err
	}
	return scanHits(rows)
}

func scanHits(rows *sql.Rows) ([]KBHit, error) {
	defer rows.Close()
	var out []KBHit
	for rows.Next() {
		var h KBHit
		if err := rows.Scan(&h.ID, &h.Kind, &h.Title, &h.Summary, &h.Language, &h.FocusArea, &h.City, &h.Country, &h.Year, &h.Score, &h.Snippet); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
