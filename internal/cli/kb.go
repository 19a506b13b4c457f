package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
)

// maxKBFile is the largest document kb import reads.
const maxKBFile = 64 << 20

func runKB(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, "Usage: icarus kb import DIR [flags] | kb search QUERY [flags] | kb seed [flags] | kb export [flags] | kb import-records FILE [flags]\n\nRun 'icarus kb <command> --help' for the flags of each.")
		if len(args) == 0 {
			return apperr.New(apperr.Invalid, "say what to do: import, import-records, export, search or seed")
		}
		return nil
	}
	switch args[0] {
	case "import":
		return kbImport(ctx, env, args[1:])
	case "search":
		return kbSearch(ctx, env, args[1:])
	case "seed":
		return kbSeedCmd(ctx, env, args[1:])
	case "export":
		return kbExport(ctx, env, args[1:]) // kb_exchange.go
	case "import-records":
		return kbImportRecords(ctx, env, args[1:])
	}
	return apperr.New(apperr.Invalid, "unknown kb command %q: want import, import-records, export, search or seed", args[0])
}

// toStoreItem converts a capability record to the store's.
func toStoreItem(orgID int64, it kb.Item) (store.KBItem, error) {
	var meta json.RawMessage
	if len(it.Metadata) > 0 {
		b, err := json.Marshal(it.Metadata)
		if err != nil {
			return store.KBItem{}, err
		}
		meta = b
	}
	return store.KBItem{OrgID: orgID, Key: it.Key, Kind: it.Kind, Title: it.Title, Summary: it.Summary, Body: it.Body,
		Language: it.Language, FocusArea: it.FocusArea, CrossCutting: it.CrossCutting, Approaches: it.Approaches,
		City: it.City, Country: it.Country, Year: it.Year, Source: it.Source, Metadata: meta}, nil
}

// seedKB loads the content shipped with Icarus (kb.Seed) into the
// organisation's knowledge base; loading it again updates the records.
func seedKB(ctx context.Context, st *store.Store, orgID int64) (int, error) {
	n := 0
	for _, it := range kb.Seed() {
		si, err := toStoreItem(orgID, it)
		if err != nil {
			return n, err
		}
		if _, _, err := st.PutKBItem(ctx, si); err != nil {
			return n, fmt.Errorf("knowledge base seed %s: %w", it.Key, err)
		}
		n++
	}
	return n, nil
}

func kbSeedCmd(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fset := newFlags(env, "kb seed", "kb seed [--data DIR | --db URL] [--org SLUG]")
	cfg.DataFlag(fset)
	org := fset.String("org", "", "organisation `slug` (default: the only one)")
	if _, err := parse(fset, args); err != nil {
		return err
	}
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := seedKB(ctx, st, o.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "loaded %d knowledge-base records into %s\n", n, o.Slug)
	return nil
}

// kbFileResult is the report of one file of kb import.
type kbFileResult struct {
	File     string `json:"file"`
	Status   string `json:"status"` // imported, updated, skipped, failed
	Reason   string `json:"reason,omitempty"`
	ID       int64  `json:"id,omitempty"`
	Title    string `json:"title,omitempty"`
	Language string `json:"language,omitempty"`
	Format   string `json:"format,omitempty"`
	Chars    int    `json:"chars,omitempty"`
}

type kbImportReport struct {
	Dir      string         `json:"dir"`
	Files    int            `json:"files"`
	Imported int            `json:"imported"`
	Updated  int            `json:"updated"`
	Skipped  int            `json:"skipped"`
	Failed   int            `json:"failed"`
	Seconds  float64        `json:"seconds"`
	Results  []kbFileResult `json:"results"`
}

func kbImport(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fset := newFlags(env, "kb import", "kb import DIR [--data DIR | --db URL] [--org SLUG] [--kind document] [--json]")
	cfg.DataFlag(fset)
	asJSON := fset.Bool("json", false, "print the report as JSON (files, imported, updated, skipped, failed, results[{file,status,reason,...}])")
	org := fset.String("org", "", "organisation `slug` (default: the only one)")
	kind := fset.String("kind", kb.KindDocument, "record `kind` of the imported files (tool, practice, evidence, finding, document)")
	focus := fset.String("focus", "", "focus area `code` given to every file (juvenile_delinquency, radicalisation, public_spaces, organised_crime)")
	pos, err := parse(fset, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return apperr.New(apperr.Invalid, "give exactly one directory to import (got %d)", len(pos))
	}
	if !kb.ValidKind(*kind) {
		return apperr.New(apperr.Invalid, "unknown kind %q: want one of %s", *kind, strings.Join(kb.Kinds(), ", "))
	}
	dir := pos[0]
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return apperr.New(apperr.Invalid, "%s is not a directory", dir)
	}
	var files []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(files)

	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	if *focus != "" {
		// the organisation's focus areas: an admin may have added some
		tax, err := st.KBTaxonomies(ctx, o.ID)
		if err != nil {
			return err
		}
		if !tax.Has(kb.TaxFocus, *focus) {
			return apperr.New(apperr.Invalid, "unknown focus area %q: want one of %s", *focus, strings.Join(tax.Codes(kb.TaxFocus), ", "))
		}
	}
	t0 := time.Now()
	rep := kbImportReport{Dir: dir, Files: len(files), Results: []kbFileResult{}}
	var bar *progressBar
	if env.Interactive {
		bar = newProgressBar(env.Stderr, int64(len(files)))
	}
	for i, p := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		r := importKBFile(ctx, st, o.ID, p, rel, *kind, *focus)
		switch r.Status {
		case "imported":
			rep.Imported++
		case "updated":
			rep.Updated++
		case "skipped":
			rep.Skipped++
		default:
			rep.Failed++
		}
		rep.Results = append(rep.Results, r)
		bar.update(int64(i+1), i+1)
	}
	bar.done()
	rep.Seconds = time.Since(t0).Seconds()
	st.Audit(ctx, store.AuditEntry{OrgID: o.ID, Actor: "cli", Action: "kb.import", Target: dir,
		Detail: fmt.Sprintf("%d files: %d imported, %d updated, %d skipped, %d failed", rep.Files, rep.Imported, rep.Updated, rep.Skipped, rep.Failed)})
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	for _, r := range rep.Results {
		switch r.Status {
		case "imported", "updated":
			fmt.Fprintf(env.Stdout, "%-8s %s (%s, %s, %d chars) -> #%d %q\n", r.Status, r.File, r.Format, langOrUnknown(r.Language), r.Chars, r.ID, r.Title)
		default:
			fmt.Fprintf(env.Stdout, "%-8s %s: %s\n", r.Status, r.File, r.Reason)
		}
	}
	fmt.Fprintf(env.Stdout, "%d files: %d imported, %d updated, %d skipped, %d failed (%.1fs)\n", rep.Files, rep.Imported, rep.Updated, rep.Skipped, rep.Failed, rep.Seconds)
	return nil
}

func langOrUnknown(l string) string {
	if l == "" {
		return "language unknown"
	}
	return l
}

// importKBFile reads, extracts and stores one file. The record's key is
// the file's path in the directory: importing the directory again updates
// the records.
func importKBFile(ctx context.Context, st *store.Store, orgID int64, path, rel, kind, focus string) kbFileResult {
	r := kbFileResult{File: rel}
	if !slices.Contains(kb.Formats(), strings.ToLower(filepath.Ext(path))) {
		r.Status, r.Reason = "skipped", fmt.Sprintf("format %q not supported (known: %s)", filepath.Ext(path), strings.Join(kb.Formats(), " "))
		return r
	}
	f, err := os.Open(path)
	if err != nil {
		r.Status, r.Reason = "failed", err.Error()
		return r
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKBFile+1))
	f.Close()
	if err != nil {
		r.Status, r.Reason = "failed", err.Error()
		return r
	}
	if len(data) > maxKBFile {
		r.Status, r.Reason = "skipped", fmt.Sprintf("larger than %d MiB", maxKBFile>>20)
		return r
	}
	x, err := kb.Extract(path, data)
	r.Format = x.Format
	if errors.Is(err, kb.ErrUnsupported) {
		r.Status, r.Reason = "skipped", strings.TrimPrefix(err.Error(), kb.ErrUnsupported.Error()+": ")
		return r
	}
	if err != nil {
		r.Status, r.Reason = "failed", err.Error()
		return r
	}
	title := x.Title
	if title == "" {
		title = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	lang, _ := kb.DetectLanguage(x.Text)
	sum := sha256.Sum256(data)
	it := store.KBItem{OrgID: orgID, Key: "file:" + filepath.ToSlash(rel), Kind: kind, Title: title, Summary: firstWords(x.Text, 60),
		Body: x.Text, Language: lang, FocusArea: focus, Source: filepath.ToSlash(rel),
		Metadata: mustJSON(map[string]any{"format": x.Format, "sha256": hex.EncodeToString(sum[:]), "bytes": len(data)})}
	id, created, err := st.PutKBItem(ctx, it)
	if err != nil {
		r.Status, r.Reason = "failed", describe(err)
		return r
	}
	r.Status = "updated"
	if created {
		r.Status = "imported"
	}
	r.ID, r.Title, r.Language, r.Chars = id, title, lang, len(x.Text)
	return r
}

func firstWords(s string, n int) string {
	ws := strings.Fields(s)
	if len(ws) <= n {
		return strings.Join(ws, " ")
	}
	return strings.Join(ws[:n], " ") + " …"
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// kbSearchResult is one result of kb search --json and GET /api/v1/kb/search.
type kbSearchResult struct {
	Type      string  `json:"type"`
	ID        int64   `json:"id"`
	Title     string  `json:"title"`
	Score     float64 `json:"score"`
	Snippet   string  `json:"snippet"`
	Language  string  `json:"language,omitempty"`
	FocusArea string  `json:"focus_area,omitempty"`
	City      string  `json:"city,omitempty"`
	Country   string  `json:"country,omitempty"`
}

func kbSearch(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fset := newFlags(env, "kb search", "kb search QUERY [--lang CODE] [--kind K] [--focus F] [--limit N] [--data DIR | --db URL] [--json]")
	cfg.DataFlag(fset)
	asJSON := fset.Bool("json", false, "print {query, results[{type,id,title,score,snippet,...}]} as JSON")
	lang := fset.String("lang", "", "language `CODE` of the query (items in it rank a little higher)")
	org := fset.String("org", "", "organisation `slug` (default: the only one)")
	var f store.KBFilter
	fset.StringVar(&f.Kind, "kind", "", "only records of this `kind`")
	fset.StringVar(&f.FocusArea, "focus", "", "only this focus area `code`")
	fset.StringVar(&f.Language, "in", "", "only records in this language `CODE`")
	limit := fset.Int("limit", 20, "at most `N` results")
	pos, err := parse(fset, args)
	if err != nil {
		return err
	}
	query := strings.Join(pos, " ")
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	hits, err := st.SearchKB(ctx, o.ID, query, *lang, f, *limit)
	if err != nil {
		return err
	}
	res := make([]kbSearchResult, len(hits))
	for i, h := range hits {
		res[i] = kbSearchResult{Type: h.Kind, ID: h.ID, Title: h.Title, Score: h.Score, Snippet: plainSnippet(h.Snippet),
			Language: h.Language, FocusArea: h.FocusArea, City: h.City, Country: h.Country}
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"query": query, "results": res})
	}
	if len(res) == 0 {
		fmt.Fprintln(env.Stdout, "no results")
	}
	for _, r := range res {
		fmt.Fprintf(env.Stdout, "%6.2f  %-8s #%-5d %s\n", r.Score, r.Type, r.ID, r.Title)
		if r.Snippet != "" {
			fmt.Fprintf(env.Stdout, "        %s\n", r.Snippet)
		}
	}
	return nil
}

// plainSnippet drops the highlight marks of a snippet.
func plainSnippet(s string) string {
	return strings.NewReplacer(store.SnippetStart, "", store.SnippetEnd, "", "\n", " ").Replace(s)
}
