package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
)

// runAPIKey manages the Open311 API keys: add prints a new key as the last
// word of its last line (scripts take it with `tail -1 | awk '{print $NF}'`).
func runAPIKey(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, "Usage: icarus apikey add|list|revoke [--data DIR | --db URL] [--org SLUG] [--name NAME] [--id ID]")
		if len(args) == 0 {
			return apperr.New(apperr.Invalid, "say what to do: add, list or revoke")
		}
		return nil
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	sub := args[0]
	switch sub {
	case "add", "list", "revoke":
	default:
		return apperr.New(apperr.Invalid, "unknown apikey command %q: want add, list or revoke", sub)
	}
	fs := newFlags(env, "apikey "+sub, "apikey "+sub+" [flags]")
	cfg.DataFlag(fs)
	name := fs.String("name", "", "what the key is for (an app, a CRM, a test)")
	orgSlug := fs.String("org", "", "organisation `slug` (default: the only one)")
	id := fs.Int64("id", 0, "key id (revoke)")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	st, org, err := openOrg(ctx, cfg, *orgSlug)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "add":
		key, err := addAPIKey(ctx, st, org, *name, "cli")
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Open311 API key %q for %s (jurisdiction_id %s), shown once:\n%s\n", *name, org.Name, org.Slug, key)
	case "list":
		ks, err := st.APIKeys(ctx, org.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tCREATED\tREVOKED")
		for _, k := range ks {
			fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%v\n", k.ID, k.Name, k.Prefix, k.Created.Format("2006-01-02"), k.Revoked)
		}
		return tw.Flush()
	case "revoke":
		if *id == 0 {
			return apperr.New(apperr.Invalid, "--id is required (see 'icarus apikey list')")
		}
		if err := st.RevokeAPIKey(ctx, org.ID, *id); err != nil {
			return err
		}
		st.Audit(ctx, store.AuditEntry{OrgID: org.ID, Actor: "cli", Action: "apikey.revoke", Target: strconv.FormatInt(*id, 10)})
		fmt.Fprintf(env.Stdout, "revoked API key %d\n", *id)
	}
	return nil
}

// addAPIKey creates, records and audits a new random key and returns it.
func addAPIKey(ctx context.Context, st *store.Store, org store.Org, name, actor string) (string, error) {
	if name == "" {
		return "", apperr.New(apperr.Invalid, "--name is required (what the key is for)")
	}
	key, err := auth.NewToken(rand.Reader, 24)
	if err != nil {
		return "", err
	}
	k, err := st.CreateAPIKey(ctx, org.ID, name, key)
	if err != nil {
		return "", err
	}
	st.Audit(ctx, store.AuditEntry{OrgID: org.ID, Actor: actor, Action: "apikey.add", Target: strconv.FormatInt(k.ID, 10), Detail: "name=" + name})
	return key, nil
}
