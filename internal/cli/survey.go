package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
	"github.com/icarus-city/icarus/internal/survey/xlsform"
)

func runSurvey(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, "Usage: icarus survey list | import-xlsform FILE | export-xlsform --survey ID -o FILE\n\nRun 'icarus survey <command> --help' for the flags of each.")
		if len(args) == 0 {
			return apperr.New(apperr.Invalid, "say what to do: list, import-xlsform or export-xlsform")
		}
		return nil
	}
	switch args[0] {
	case "list":
		return surveyList(ctx, env, args[1:])
	case "import-xlsform":
		return surveyImportXLSForm(ctx, env, args[1:])
	case "export-xlsform":
		return surveyExportXLSForm(ctx, env, args[1:])
	}
	return apperr.New(apperr.Invalid, "unknown survey command %q: want list, import-xlsform or export-xlsform", args[0])
}

func surveyList(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fset := newFlags(env, "survey list", "survey list [--data DIR | --db URL] [--org SLUG]")
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
	svs, err := st.Surveys(ctx, o.ID)
	if err != nil {
		return err
	}
	for _, sv := range svs {
		fmt.Fprintf(env.Stdout, "%d\tv%d\t%s\t%d responses\t%s\n", sv.ID, sv.Version, sv.Access, sv.Responses, sv.Title)
	}
	return nil
}

// xlsformProblems turns an import error into a message with one problem a line.
func xlsformProblems(file string, err error) error {
	if xe, ok := err.(*xlsform.Error); ok {
		lines := make([]string, len(xe.Problems))
		for i, p := range xe.Problems {
			lines[i] = "  " + file + ": " + p.String()
		}
		return apperr.New(apperr.Invalid, "%s is not an XLSForm Icarus can import (%d problems):\n%s", file, len(xe.Problems), strings.Join(lines, "\n"))
	}
	return err
}

func surveyImportXLSForm(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fset := newFlags(env, "survey import-xlsform", "survey import-xlsform FILE.xlsx [--data DIR | --db URL] [--org SLUG] [--survey ID] [--consent TEXT] [--access field|public] [--lang CODE]")
	cfg.DataFlag(fset)
	org := fset.String("org", "", "organisation `slug` (default: the only one)")
	into := fset.Int64("survey", 0, "import as a new version of survey `ID` (default: a new survey)")
	consent := fset.String("consent", "", "consent `statement` when the form has no icarus_consent setting")
	access := fset.String("access", "", "field or public when the form has no icarus_access setting (default field)")
	lang := fset.String("lang", "", "language `code` of label columns without one, when the form has no default_language (default en)")
	asJSON := fset.Bool("json", false, "print the result as JSON")
	pos, err := parse(fset, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return apperr.New(apperr.Invalid, "give exactly one .xlsx file (got %d)", len(pos))
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "open the form")
	}
	defer f.Close()
	opt := xlsform.Options{Access: *access, DefaultLang: *lang}
	if *consent != "" {
		l := *lang
		if l == "" {
			l = "en"
		}
		opt.Consent = survey.Tr{l: *consent}
	}
	res, err := xlsform.Read(f, opt)
	if err != nil {
		return xlsformProblems(filepath.Base(pos[0]), err)
	}
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	sv, err := saveImportedSurvey(ctx, st, o.ID, *into, res.Definition)
	if err != nil {
		return err
	}
	st.Audit(ctx, store.AuditEntry{OrgID: o.ID, Actor: "cli", Action: "survey.import_xlsform", Target: strconv.FormatInt(sv.ID, 10),
		Detail: fmt.Sprintf("file=%s version=%d", filepath.Base(pos[0]), sv.Version)})
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(map[string]any{"survey_id": sv.ID, "version": sv.Version, "title": sv.Title,
			"questions": len(res.Definition.Questions()), "warnings": res.Warnings})
	}
	fmt.Fprintf(env.Stdout, "imported %s as survey %d version %d: %q, %d modules, %d questions, languages %s\n",
		filepath.Base(pos[0]), sv.ID, sv.Version, sv.Title, len(res.Definition.Modules), len(res.Definition.Questions()), strings.Join(res.Definition.Languages, ", "))
	for _, w := range res.Warnings {
		fmt.Fprintln(env.Stdout, "  note: "+w)
	}
	return nil
}

// saveImportedSurvey stores d as a new survey, or as the new definition of
// survey into (a new version when the current one has responses).
func saveImportedSurvey(ctx context.Context, st *store.Store, orgID, into int64, d *survey.Definition) (store.Survey, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return store.Survey{}, err
	}
	title := d.Title.In(d.DefaultLang(), "")
	if into > 0 {
		return st.UpdateSurvey(ctx, orgID, into, title, d.Access, b)
	}
	return st.CreateSurvey(ctx, orgID, title, d.Access, d.Simulated, b)
}

func surveyExportXLSForm(ctx context.Context, env *Env, args []string) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	fset := newFlags(env, "survey export-xlsform", "survey export-xlsform --survey ID -o FILE.xlsx [--version N] [--data DIR | --db URL] [--org SLUG]")
	cfg.DataFlag(fset)
	org := fset.String("org", "", "organisation `slug` (default: the only one)")
	id := fset.Int64("survey", 0, "survey `ID` (see icarus survey list)")
	version := fset.Int("version", 0, "version `N` (default: the current one)")
	out := fset.String("o", "", "write the workbook to `FILE` (.xlsx)")
	if _, err := parse(fset, args); err != nil {
		return err
	}
	if *id <= 0 || *out == "" {
		return apperr.New(apperr.Invalid, "give --survey ID and -o FILE.xlsx")
	}
	st, o, err := openOrg(ctx, cfg, *org)
	if err != nil {
		return err
	}
	defer st.Close()
	sv, err := st.SurveyByID(ctx, o.ID, *id)
	if err != nil {
		return err
	}
	raw := sv.Definition
	if *version > 0 && *version != sv.Version {
		if raw, err = st.SurveyVersion(ctx, o.ID, *id, *version); err != nil {
			return err
		}
	}
	var d survey.Definition
	if err := json.Unmarshal(raw, &d); err != nil {
		return apperr.Wrap(apperr.Internal, err, "stored survey definition")
	}
	tmp := *out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := xlsform.Write(f, &d, "icarus_survey_"+strconv.FormatInt(sv.ID, 10)); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote survey %d (%s) to %s\n", sv.ID, sv.Title, *out)
	return nil
}
