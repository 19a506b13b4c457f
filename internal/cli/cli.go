// Package cli is the icarus command line: one file per subcommand. It wires
// the concrete store, services and web server together; the CLI and the web
// UI call the same services.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/config"
	"github.com/icarus-city/icarus/internal/store"
)

// Version is set at build time with -ldflags "-X github.com/icarus-city/icarus/internal/cli.Version=...".
var Version = "dev"

// Env is what a command may touch of the outside world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) (string, bool)
	// Interactive reports whether Stderr is a terminal (progress bars).
	Interactive bool
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web application and API", runServe},
		{"demo", "load the Greater Manchester demo city (first run) and serve it", runDemo},
		{"import", "import areas, incidents or indicators (import areas|incidents|indicators --help)", runImport},
		{"analyze", "run an analysis method on a file or a stored dataset (analyze --help)", runAnalyze},
		{"user", "manage accounts (user add|list|passwd)", runUser},
		{"apikey", "manage Open311 API keys (apikey add --name NAME | list | revoke --id ID)", runAPIKey},
		{"migrate", "apply database migrations and list them", runMigrate},
		{"backup", "write a consistent online copy of the database", runBackup},
		{"kb", "knowledge base: import documents, search, load the shipped content (kb import DIR | search QUERY | seed)", runKB},
		{"survey", "surveys: list, import or export an XLSForm (survey list | import-xlsform FILE | export-xlsform --survey ID -o FILE)", runSurvey}, // survey.go
		{"db", "copy an installation to another database (db copy --from sqlite:DIR --to postgres://...)", runDB},
		{"version", "print the version", runVersion},
	}
}

// Main runs the command line args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, env *Env) int {
	if env.Getenv == nil {
		env.Getenv = os.LookupEnv
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, env, args[1:])
			if err == nil || errors.Is(err, flag.ErrHelp) {
				return 0
			}
			var silent silentError
			if !errors.As(err, &silent) {
				fmt.Fprintf(env.Stderr, "icarus %s: %s\n", c.name, describe(err))
			}
			return 1
		}
	}
	fmt.Fprintf(env.Stderr, "icarus: unknown command %q\n\n", args[0])
	usage(env.Stderr)
	return 2
}

// silentError is an error already reported to the user (e.g. as JSON).
type silentError struct{ error }

func describe(err error) string {
	if m := apperr.MessageOf(err); m != "" {
		var e *apperr.Error
		if errors.As(err, &e) && e.Err != nil {
			return e.Error()
		}
		return m
	}
	return err.Error()
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Icarus: evidence-based, co-produced urban security.")
	fmt.Fprintln(w, "\nUsage: icarus <command> [flags]\n\nCommands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'icarus <command> --help' for the flags of a command.")
}

// newFlags returns a FlagSet that prints its usage to env.Stdout on --help
// and returns errors instead of exiting.
func newFlags(env *Env, name, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fs.SetOutput(env.Stdout)
		fmt.Fprintf(env.Stdout, "Usage: icarus %s\n\nFlags:\n", usageLine)
		fs.PrintDefaults()
		fs.SetOutput(env.Stderr)
	}
	return fs
}

// parse parses args, allowing flags after positional arguments too
// ("import incidents FILE --json").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// loadConfig reads the configuration from the environment (and ICARUS_CONFIG).
func loadConfig(env *Env) (config.Config, error) {
	file, _ := env.Getenv("ICARUS_CONFIG")
	return config.Load(file, env.Getenv)
}

// openStore opens the configured store: the database at --db (ICARUS_DB)
// when set, else SQLite in the data directory.
func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.DB, cfg.DataDir, store.Options{})
}

// openOrg opens the configured store and finds the organisation a command
// acts on (see defaultOrg); the caller closes the store.
func openOrg(ctx context.Context, cfg config.Config, slug string) (*store.Store, store.Org, error) {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, store.Org{}, err
	}
	org, err := defaultOrg(ctx, st, slug)
	if err != nil {
		st.Close()
		return nil, store.Org{}, err
	}
	return st, org, nil
}

// defaultOrg returns the organisation commands act on: the only one, or
// the one named by slug.
func defaultOrg(ctx context.Context, st *store.Store, slug string) (store.Org, error) {
	if slug != "" {
		return st.EnsureOrg(ctx, slug, slug)
	}
	orgs, err := st.Orgs(ctx)
	if err != nil {
		return store.Org{}, err
	}
	if len(orgs) == 0 {
		return st.EnsureOrg(ctx, "city", "City")
	}
	return orgs[0], nil
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(strings.ToUpper(level)))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func runVersion(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "version", "version")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "icarus %s\n", Version)
	return nil
}

func runMigrate(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fs := newFlags(env, "migrate", "migrate [--data DIR | --db URL]")
	cfg.DataFlag(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	ms, err := st.Migrations(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		fmt.Fprintf(env.Stdout, "applied %s\n", m)
	}
	return nil
}

func runBackup(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fs := newFlags(env, "backup", "backup [--data DIR | --db URL] [--out FILE]")
	cfg.DataFlag(fs)
	out := fs.String("out", "", "backup `FILE` (default DIR/backups/icarus-<time>.db); with PostgreSQL a SQLite copy of the installation (use pg_dump for full PostgreSQL backups)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	path := *out
	if path == "" {
		dir := cfg.DataDir + "/backups"
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return err
		}
		path = dir + "/icarus-" + st.Now().UTC().Format("20060102T150405Z") + ".db"
	}
	if err := st.Backup(ctx, path); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup written to %s\n", path)
	return nil
}
