package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
)

// kbExport is `icarus kb export`: the organisation's records in the JSON or
// CSV exchange format (docs/knowledge-base.md), published ones by default.
func kbExport(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fset := newFlags(env, "kb export", "kb export [--format json|csv] [--out FILE] [--kind K] [--status all|draft|review|published] [--data DIR | --db URL]")
	cfg.DataFlag(fset)
	org := fset.String("org", "", "organisation `slug` (default: the only one)")
	format := fset.String("format", "", "`json` or csv (default: from --out's extension, else json)")
	out := fset.String("out", "", "write to `FILE` instead of standard output")
	kind := fset.String("kind", "", "only records of this `kind`")
	status := fset.String("status", "published", "which records: `published`, review, draft (with the pending revisions of published records in that status) or all")
	if _, err := parse(fset, args); err != nil {
		return err
	}
	if *format == "" {
		*format = "json"
		if strings.EqualFold(filepath.Ext(*out), ".csv") {
			*format = "csv"
		}
	}
	if *format != "json" && *format != "csv" {
		return apperr.New(apperr.Invalid, "--format: %q, want json or csv", *format)
	}
	if *kind != "" && !kb.ValidKind(*kind) {
		return apperr.New(apperr.Invalid, "--kind: %q is not one of %s", *kind, strings.Join(kb.Kinds(), ", "))
	}
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	items, err := st.KBItems(ctx, o.ID, store.KBFilter{Kind: *kind, Status: *status}, 0)
	if err != nil {
		return err
	}
	if *status == store.KBDraft || *status == store.KBReview {
		// the pending revisions of published records in that status too
		// (their rows stay published while they are revised)
		revs, err := kbRevisions(ctx, st, o.ID, *status, *kind)
		if err != nil {
			return err
		}
		items = append(items, revs...)
	}
	recs := make([]kb.Item, len(items))
	for i, it := range items {
		recs[i] = fromStoreItem(it)
	}
	var buf bytes.Buffer
	if *format == "csv" {
		err = kb.WriteRecordsCSV(&buf, recs)
	} else {
		err = kb.WriteRecordsJSON(&buf, recs)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = env.Stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "exported %d records to %s\n", len(recs), *out)
	return nil
}

// kbRevisions returns the pending revisions in status of the
// organisation's published records (of kind, when given), by kind and title.
func kbRevisions(ctx context.Context, st *store.Store, orgID int64, status, kind string) ([]store.KBItem, error) {
	pending, err := st.KBPending(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var out []store.KBItem
	for id, v := range pending {
		if v.Status != status {
			continue
		}
		var it store.KBItem
		if err := json.Unmarshal(v.Record, &it); err != nil {
			return nil, fmt.Errorf("knowledge item %d version %d: %w", id, v.Version, err)
		}
		if kind == "" || it.Kind == kind {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b store.KBItem) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Title, b.Title), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}

// fromStoreItem converts a store record to the capability's.
func fromStoreItem(it store.KBItem) kb.Item {
	out := kb.Item{Key: it.Key, Kind: it.Kind, Title: it.Title, Summary: it.Summary, Body: it.Body, Language: it.Language,
		FocusArea: it.FocusArea, CrossCutting: it.CrossCutting, Approaches: it.Approaches, City: it.City, Country: it.Country,
		Year: it.Year, Source: it.Source}
	var m map[string]any
	if json.Unmarshal(it.Metadata, &m) == nil && len(m) > 0 {
		out.Metadata = m
	}
	return out
}

// kbImportRecords is `icarus kb import-records FILE`: records from a JSON or
// CSV exchange file, checked first (every problem with its record number
// and field), then saved in one transaction: all or none.
func kbImportRecords(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fset := newFlags(env, "kb import-records", "kb import-records FILE [--status draft|review|published] [--data DIR | --db URL]")
	cfg.DataFlag(fset)
	org := fset.String("org", "", "organisation `slug` (default: the only one)")
	status := fset.String("status", store.KBDraft, "status of the imported records: `draft`, review or published")
	asJSON := fset.Bool("json", false, "print the report as JSON")
	pos, err := parse(fset, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return apperr.New(apperr.Invalid, "give one file (.json or .csv)")
	}
	if *status != store.KBDraft && *status != store.KBReview && *status != store.KBPublished {
		return apperr.New(apperr.Invalid, "--status: %q, want draft, review or published", *status)
	}
	path := pos[0]
	f, err := os.Open(path)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "%s", path)
	}
	defer f.Close()
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	// the codes are checked against the organisation's taxonomies (an
	// admin may have added values: docs/knowledge-base.md)
	tax, err := st.KBTaxonomies(ctx, o.ID)
	if err != nil {
		return err
	}
	var items []kb.Item
	var recErrs []kb.RecordError
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		items, recErrs, err = kb.ReadRecordsJSONIn(tax, f)
	case ".csv":
		items, recErrs, err = kb.ReadRecordsCSVIn(tax, f)
	default:
		return apperr.New(apperr.Invalid, "%s: want a .json or .csv file", path)
	}
	if err != nil {
		return apperr.New(apperr.Invalid, "%s: %v", path, err)
	}
	if len(recErrs) > 0 {
		for _, e := range recErrs {
			fmt.Fprintf(env.Stderr, "%s: %s\n", path, e.Error())
		}
		return apperr.New(apperr.Invalid, "%s: %d problems, nothing imported", path, len(recErrs))
	}
	recs := make([]store.KBItem, len(items))
	for i, it := range items {
		si, err := toStoreItem(o.ID, it)
		if err != nil {
			return err
		}
		si.Status = *status
		recs[i] = si
	}
	created, updated, err := st.PutKBItemsAs(ctx, recs, "cli", "imported from "+filepath.Base(path))
	if err != nil {
		return err
	}
	if err := st.Audit(ctx, store.AuditEntry{OrgID: o.ID, Actor: "cli", Action: "kb.import", Target: filepath.Base(path),
		Detail: fmt.Sprintf("records=%d created=%d updated=%d status=%s", len(recs), created, updated, *status)}); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(map[string]any{"file": path, "records": len(recs), "created": created, "updated": updated, "status": *status})
	}
	fmt.Fprintf(env.Stdout, "%s: %d records (%d new, %d updated) saved as %s\n", path, len(recs), created, updated, *status)
	return nil
}
