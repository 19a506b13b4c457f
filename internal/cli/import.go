package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/hub"
	"github.com/icarus-city/icarus/internal/incident"
	"github.com/icarus-city/icarus/internal/store"
)

func runImport(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, "Usage: icarus import areas|incidents|indicators [flags] FILE\n\nRun 'icarus import <kind> --help' for the flags of each.")
		if len(args) == 0 {
			return apperr.New(apperr.Invalid, "say what to import: areas, incidents or indicators")
		}
		return nil
	}
	switch args[0] {
	case "areas":
		return importAreas(ctx, env, args[1:])
	case "incidents":
		return importIncidents(ctx, env, args[1:])
	case "indicators":
		return importIndicators(ctx, env, args[1:])
	}
	return apperr.New(apperr.Invalid, "unknown import kind %q: want areas, incidents or indicators", args[0])
}

// importFlags are the flags every import shares.
type importFlags struct {
	json    bool
	rejects string
	org     string
	actor   string
}

func (f *importFlags) register(fs interface {
	BoolVar(*bool, string, bool, string)
	StringVar(*string, string, string, string)
}) {
	fs.BoolVar(&f.json, "json", false, "print the summary as a JSON object (read, accepted, rejected, errors[{line,field,message}], ...)")
	fs.StringVar(&f.rejects, "rejects", "", "write rejected rows with their reason to `FILE` (CSV)")
	fs.StringVar(&f.org, "org", "", "organisation `slug` (default: the only one)")
	fs.StringVar(&f.actor, "actor", "cli", "who imports, for the audit log")
}

// finish prints the summary (JSON or text) and returns the import error.
func (f *importFlags) finish(env *Env, sum hub.Summary, err error) error {
	if f.json {
		out := struct {
			hub.Summary
			OK    bool   `json:"ok"`
			Error string `json:"error,omitempty"`
		}{Summary: sum, OK: err == nil}
		if err != nil {
			out.Error = describe(err)
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if e := enc.Encode(out); e != nil {
			return e
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "icarus import: %s\n", describe(err))
			return silentError{err}
		}
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s %s → %s: read %d, accepted %d, rejected %d, inserted %d, already present %d (%.2fs)\n",
		sum.Kind, sum.File, sum.Target, sum.Read, sum.Accepted, sum.Rejected, sum.Inserted, sum.Duplicates, sum.Seconds)
	if sum.NoLocation > 0 {
		fmt.Fprintf(env.Stdout, "  %d incidents have no location\n", sum.NoLocation)
	}
	if sum.Unassigned > 0 {
		fmt.Fprintf(env.Stdout, "  %d located incidents fall in no area\n", sum.Unassigned)
	}
	for i, e := range sum.Errors {
		if i == 20 {
			fmt.Fprintf(env.Stdout, "  ... %d more (use --rejects FILE or --json)\n", sum.Rejected-20)
			break
		}
		fmt.Fprintf(env.Stdout, "  line %d, %s: %s\n", e.Line, e.Field, e.Message)
	}
	return nil
}

func importAreas(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fs := newFlags(env, "import areas", "import areas [flags] FILE.{geojson,shp,kml}")
	cfg.DataFlag(fs)
	var f importFlags
	f.register(fs)
	var opt hub.AreaOptions
	fs.StringVar(&opt.Layer, "layer", "", "layer `NAME` (default: the file name)")
	fs.StringVar(&opt.CRS, "crs", "", "`CRS` of the file when it declares none, e.g. EPSG:26971")
	fs.BoolVar(&opt.ForceCRS, "force-crs", false, "use --crs even when the file declares another CRS")
	fs.StringVar(&opt.CodeField, "code-field", "", "attribute holding the area code (detected when empty)")
	fs.StringVar(&opt.NameField, "name-field", "", "attribute holding the area name (detected when empty)")
	fs.StringVar(&opt.Attribution, "attribution", "", "source and licence of the boundaries")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return apperr.New(apperr.Invalid, "give exactly one file to import (got %d)", len(pos))
	}
	file := pos[0]
	st, org, err := openOrg(ctx, cfg, f.org)
	if err != nil {
		return err
	}
	defer st.Close()
	opt.OrgID, opt.Actor = org.ID, f.actor
	fc, err := hub.ReadSpatial(file, fileOpener(file))
	if err != nil {
		return f.finish(env, hub.Summary{Kind: "areas", File: file, Errors: []incident.RowError{}}, apperr.Wrap(apperr.Invalid, err, "%s", file))
	}
	sum, err := hub.New(st).ImportAreas(ctx, file, fc, opt)
	if err == nil {
		st.Audit(ctx, store.AuditEntry{OrgID: org.ID, Actor: f.actor, Action: "import.areas", Target: sum.Target, Detail: summaryLine(sum)})
	}
	return f.finish(env, sum, err)
}

// fileOpener opens file or its sibling with another extension.
func fileOpener(file string) hub.Opener {
	base := strings.TrimSuffix(file, fileExt(file))
	return func(ext string) (io.ReadCloser, error) {
		if ext == fileExt(file) {
			return os.Open(file)
		}
		if f, err := os.Open(base + ext); err == nil {
			return f, nil
		}
		return os.Open(base + strings.ToUpper(ext))
	}
}

func fileExt(file string) string {
	i := strings.LastIndexByte(file, '.')
	if i < 0 || strings.ContainsRune(file[i:], '/') {
		return ""
	}
	return strings.ToLower(file[i:])
}

func summaryLine(s hub.Summary) string {
	return fmt.Sprintf("file=%s read=%d accepted=%d rejected=%d inserted=%d duplicates=%d", s.File, s.Read, s.Accepted, s.Rejected, s.Inserted, s.Duplicates)
}

func importIncidents(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fs := newFlags(env, "import incidents", "import incidents [flags] FILE.{csv,csv.gz,tsv,geojson,shp}")
	cfg.DataFlag(fs)
	var f importFlags
	f.register(fs)
	var opt hub.IncidentOptions
	fs.StringVar(&opt.Preset, "preset", "generic", "column preset: "+strings.Join(incident.PresetNames(), ", "))
	fs.StringVar(&opt.Dataset, "dataset", "", "dataset `NAME` (default: the file name)")
	fs.StringVar(&opt.CRS, "crs", "", "`CRS` of the x/y columns when the preset does not say, e.g. EPSG:26971")
	fs.StringVar(&opt.Attribution, "attribution", "", "source and licence of the data")
	var cols columnFlags
	cols.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return apperr.New(apperr.Invalid, "give exactly one file to import (got %d)", len(pos))
	}
	file := pos[0]
	if cols.set() {
		m, err := incident.Preset(opt.Preset)
		if err != nil {
			return err
		}
		cols.apply(&m)
		opt.Mapping = &m
	}
	st, org, err := openOrg(ctx, cfg, f.org)
	if err != nil {
		return err
	}
	defer st.Close()
	opt.OrgID, opt.Actor = org.ID, f.actor
	in, err := os.Open(file)
	if err != nil {
		return f.finish(env, hub.Summary{Kind: "incidents", File: file, Errors: []incident.RowError{}}, apperr.Wrap(apperr.Invalid, err, "cannot open"))
	}
	defer in.Close()
	src := hub.Source{Name: file, R: in, Open: fileOpener(file)}
	if f.rejects != "" {
		rf, err := os.Create(f.rejects)
		if err != nil {
			return err
		}
		defer rf.Close()
		src.Rejects = rf
	}
	var bar *progressBar
	if env.Interactive {
		fi, _ := in.Stat()
		bar = newProgressBar(env.Stderr, fi.Size())
		src.Progress = bar.update
	}
	sum, err := hub.New(st).ImportIncidents(ctx, src, opt)
	bar.done()
	if err == nil {
		st.Audit(ctx, store.AuditEntry{OrgID: org.ID, Actor: f.actor, Action: "import.incidents", Target: sum.Target, Detail: summaryLine(sum)})
	}
	return f.finish(env, sum, err)
}

// progressBar draws a one-line progress bar on a terminal.
type progressBar struct {
	w     io.Writer
	total int64
	start time.Time
}

func newProgressBar(w io.Writer, total int64) *progressBar {
	return &progressBar{w: w, total: total, start: time.Now()}
}

func (p *progressBar) update(n int64, rows int) {
	if p == nil {
		return
	}
	frac := 0.0
	if p.total > 0 {
		frac = min(1, float64(n)/float64(p.total))
	}
	const width = 30
	fill := int(frac * width)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%  %d rows  %.1fs", strings.Repeat("#", fill), strings.Repeat(" ", width-fill), frac*100, rows, time.Since(p.start).Seconds())
}

func (p *progressBar) done() {
	if p != nil {
		fmt.Fprintln(p.w)
	}
}

func importIndicators(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fs := newFlags(env, "import indicators", "import indicators --partner NAME [flags] FILE.csv")
	cfg.DataFlag(fs)
	var f importFlags
	f.register(fs)
	var opt hub.IndicatorOptions
	fs.StringVar(&opt.Partner, "partner", "", "the partner organisation supplying the values (required)")
	layer := fs.String("layer", "", "resolve area codes in this layer `NAME` only")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return apperr.New(apperr.Invalid, "give exactly one file to import (got %d)", len(pos))
	}
	st, org, err := openOrg(ctx, cfg, f.org)
	if err != nil {
		return err
	}
	defer st.Close()
	opt.OrgID, opt.Actor = org.ID, f.actor
	if *layer != "" {
		ls, err := st.Layers(ctx, org.ID)
		if err != nil {
			return err
		}
		for _, l := range ls {
			if l.Name == *layer {
				opt.Layer = l.ID
			}
		}
		if opt.Layer == 0 {
			return apperr.New(apperr.NotFound, "no layer named %q", *layer)
		}
	}
	in, err := os.Open(pos[0])
	if err != nil {
		return f.finish(env, hub.Summary{Kind: "indicators", File: pos[0], Errors: []incident.RowError{}}, apperr.Wrap(apperr.Invalid, err, "cannot open"))
	}
	defer in.Close()
	src := hub.Source{Name: pos[0], R: in}
	if f.rejects != "" {
		rf, err := os.Create(f.rejects)
		if err != nil {
			return err
		}
		defer rf.Close()
		src.Rejects = rf
	}
	sum, err := hub.New(st).ImportIndicators(ctx, src, opt)
	if err == nil {
		st.Audit(ctx, store.AuditEntry{OrgID: org.ID, Actor: f.actor, Action: "import.indicators", Target: sum.Target, Detail: summaryLine(sum)})
	}
	return f.finish(env, sum, err)
}

// columnFlags override a preset's column mapping from the command line.
type columnFlags struct {
	noHeader                    bool
	id, category, date, x, y    string
	dateFormat, defaultCategory string
}

func (c *columnFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&c.noHeader, "no-header", false, "the file has no header row: give columns as 1-based positions")
	fs.StringVar(&c.id, "id-col", "", "`column` holding the source id")
	fs.StringVar(&c.category, "category-col", "", "`column` holding the category")
	fs.StringVar(&c.date, "date-col", "", "`column` holding the date or date-time")
	fs.StringVar(&c.x, "x-col", "", "`column` holding x (or longitude)")
	fs.StringVar(&c.y, "y-col", "", "`column` holding y (or latitude)")
	fs.StringVar(&c.dateFormat, "date-format", "", "Go time `layout` of the dates, e.g. 02/01/2006 (default: detected)")
	fs.StringVar(&c.defaultCategory, "category", "", "category of every row when the file has no category column")
}

func (c *columnFlags) set() bool {
	return c.noHeader || c.id != "" || c.category != "" || c.date != "" || c.x != "" || c.y != "" || c.dateFormat != "" || c.defaultCategory != ""
}

func (c *columnFlags) apply(m *incident.Mapping) {
	if c.noHeader {
		m.HasHeader = false
		m.ID, m.Category, m.Date, m.X, m.Y = "", "", "", "", ""
		m.Keep = nil
	}
	for _, o := range []struct {
		v   string
		dst *string
	}{{c.id, &m.ID}, {c.category, &m.Category}, {c.date, &m.Date}, {c.x, &m.X}, {c.y, &m.Y}, {c.defaultCategory, &m.DefaultCategory}} {
		if o.v != "" {
			*o.dst = o.v
		}
	}
	if c.dateFormat != "" {
		m.DateFormats = []string{c.dateFormat}
	}
}
