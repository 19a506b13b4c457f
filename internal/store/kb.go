package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/icarus-city/icarus/internal/apperr"
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

// PutKBItem inserts the item, or updates the organisation's item with the
// same Key, and returns its id and whether it was created.
func (s *Store) PutKBItem(ctx context.Context, it KBItem) (int64, bool, error) {
	it.Kind = strings.TrimSpace(it.Kind)
	it.Title = strings.TrimSpace(it.Title)
	if it.OrgID == 0 {
		return 0, false, apperr.New(apperr.Invalid, "knowledge item without an organisation")
	}
	if it.Kind == "" || it.Title == "" {
		return 0, false, apperr.New(apperr.Invalid, "knowledge item needs a kind and a title")
	}
	if it.Key == "" {
		h := sha256.Sum256([]byte(it.Kind + "\x00" + it.Title + "\x00" + it.Body))
		it.Key = "sha256:" + hex.EncodeToString(h[:16])
	}
	meta := "{}"
	if len(it.Metadata) > 0 {
		var m map[string]any
		if err := json.Unmarshal(it.Metadata, &m); err != nil {
			return 0, false, apperr.Wrap(apperr.Invalid, err, "knowledge item %q: metadata is not a JSON object", it.Title)
		}
		meta = string(it.Metadata)
	}
	now := s.now().Unix()
	var id int64
	created := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM kb_items WHERE org_id = $1 AND source_key = $2`, it.OrgID, it.Key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			created = true
			return tx.QueryRowContext(ctx, `INSERT INTO kb_items (org_id, source_key, kind, title, summary, body, language, focus_area,
					cross_cutting, approaches, city, country, year, source, metadata, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id`,
				it.OrgID, it.Key, it.Kind, it.Title, it.Summary, it.Body, it.Language, it.FocusArea,
				strings.Join(it.CrossCutting, ","), strings.Join(it.Approaches, ","), it.City, it.Country, it.Year, it.Source, meta, now).Scan(&id)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE kb_items SET kind = $2, title = $3, summary = $4, body = $5, language = $6, focus_area = $7,
				cross_cutting = $8, approaches = $9, city = $10, country = $11, year = $12, source = $13, metadata = $14, updated_at = $15
			WHERE id = $1`, id, it.Kind, it.Title, it.Summary, it.Body, it.Language, it.FocusArea,
			strings.Join(it.CrossCutting, ","), strings.Join(it.Approaches, ","), it.City, it.Country, it.Year, it.Source, meta, now)
		return err
	})
	return id, created, err
}

// KBItem returns one item of the organisation.
func (s *Store) KBItem(ctx context.Context, orgID, id int64) (KBItem, error) {
	var it KBItem
	var cc, ap, meta string
	var created, updated int64
	err := s.r.QueryRowContext(ctx, `SELECT id, org_id, source_key, kind, title, summary, body, language, focus_area, cross_cutting,
			approaches, city, country, year, source, metadata, created_at, updated_at
		FROM kb_items WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&it.ID, &it.OrgID, &it.Key, &it.Kind, &it.Title, &it.Summary,
		&it.Body, &it.Language, &it.FocusArea, &cc, &ap, &it.City, &it.Country, &it.Year, &it.Source, &meta, &created, &updated)
	if err != nil {
		return it, notFound(err, "knowledge item")
	}
	it.CrossCutting, it.Approaches = splitList(cc), splitList(ap)
	it.Metadata = json.RawMessage(meta)
	it.Created, it.Updated = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return it, nil
}

// KBCounts returns the number of the organisation's items per kind.
func (s *Store) KBCounts(ctx context.Context, orgID int64) (map[string]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT kind, count(*) FROM kb_items WHERE org_id = $1 GROUP BY kind`, orgID)
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
// every configuration, ranked by ts_rank_cd with weights title A, summary
// B, body C.
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
	var q string
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
		q = `WITH q AS (SELECT ` + strings.Join(cfgs, " || ") + ` AS q),
			hits AS (
				SELECT ` + kbHitCols + `, i.body,
					ts_rank_cd(kb_tsv(i.language, i.title, i.summary, i.body), q.q) * CASE WHEN i.language = $3 THEN 1.25 ELSE 1 END AS score
				FROM kb_items i, q
				WHERE i.org_id = $1 AND kb_tsv(i.language, i.title, i.summary, i.body) @@ q.q` + where + `
				ORDER BY score DESC, i.id LIMIT $` + strconv.Itoa(len(args)) + `)
			SELECT h.id, h.kind, h.title, h.summary, h.language, h.focus_area, h.city, h.country, h.year, h.score,
				ts_headline(kb_config(h.language), CASE WHEN h.body <> '' THEN h.body ELSE h.summary END, q.q,
					'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')
			FROM hits h, q ORDER BY h.score DESC, h.id`
	} else {
		quoted := make([]string, len(terms))
		for i, t := range terms {
			quoted[i] = `"` + t + `"`
		}
		sep := " "
		if anyWord {
			sep = " OR "
		}
		args = []any{orgID, strings.Join(quoted, sep), lang}
		where, a := kbWhere(f, args)
		args = append(a, limit)
		q = `SELECT ` + kbHitCols + `,
				-bm25(kb_fts, 10.0, 4.0, 1.0) * CASE WHEN i.language = $3 THEN 1.25 ELSE 1 END AS score,
				CASE WHEN i.body <> '' THEN snippet(kb_fts, 2, char(2), char(3), '…', 24) ELSE snippet(kb_fts, -1, char(2), char(3), '…', 24) END
			FROM kb_fts JOIN kb_items i ON i.id = kb_fts.rowid
			WHERE kb_fts MATCH $2 AND i.org_id = $1` + where + `
			ORDER BY score DESC, i.id LIMIT $` + strconv.Itoa(len(args))
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
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
