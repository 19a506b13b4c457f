package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
	"github.com/icarus-city/icarus/internal/store"
)

func runUser(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, "Usage: icarus user add|list|passwd [flags]")
		if len(args) == 0 {
			return apperr.New(apperr.Invalid, "say what to do: add, list or passwd")
		}
		return nil
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	sub := args[0]
	fs := newFlags(env, "user "+sub, "user "+sub+" [flags]")
	cfg.DataFlag(fs)
	email := fs.String("email", "", "account email")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "analyst", "role: admin, analyst, coordinator, field, partner")
	orgSlug := fs.String("org", "", "organisation `slug` (default: the only one)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating one")
	switch sub {
	case "add", "list", "passwd":
	default:
		return apperr.New(apperr.Invalid, "unknown user command %q: want add, list or passwd", sub)
	}
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	st, org, err := openOrg(ctx, cfg, *orgSlug)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "list":
		us, err := st.Users(ctx, org.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tCREATED")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Email, u.Name, u.Role, u.Created.Format("2006-01-02"))
		}
		return tw.Flush()
	case "add", "passwd":
		if *email == "" {
			return apperr.New(apperr.Invalid, "--email is required")
		}
		pw, generated, err := choosePassword(env.Stdin, *pwStdin)
		if err != nil {
			return err
		}
		hash, err := auth.HashPassword(pw, auth.DefaultParams(), rand.Reader)
		if err != nil {
			return err
		}
		if sub == "add" {
			r, ok := auth.ParseRole(*role)
			if !ok {
				return apperr.New(apperr.Invalid, "unknown role %q", *role)
			}
			if _, err := st.CreateUser(ctx, store.User{OrgID: org.ID, Email: *email, Name: *name, Role: r}, hash); err != nil {
				return err
			}
			st.Audit(ctx, store.AuditEntry{OrgID: org.ID, Actor: "cli", Action: "user.add", Target: *email, Detail: "role=" + *role})
			fmt.Fprintf(env.Stdout, "added %s (%s)\n", *email, r)
		} else {
			if err := st.SetPassword(ctx, *email, hash); err != nil {
				return err
			}
			st.Audit(ctx, store.AuditEntry{OrgID: org.ID, Actor: "cli", Action: "user.passwd", Target: *email})
			fmt.Fprintf(env.Stdout, "password changed for %s; their sessions are ended\n", *email)
		}
		if generated {
			fmt.Fprintf(env.Stdout, "password: %s   (shown once; store it safely)\n", pw)
		}
	}
	return nil
}

// choosePassword reads a password from stdin or generates one.
func choosePassword(stdin io.Reader, fromStdin bool) (pw string, generated bool, err error) {
	if fromStdin {
		b, err := io.ReadAll(io.LimitReader(stdin, 1024))
		if err != nil {
			return "", false, err
		}
		pw = strings.TrimRight(string(b), "\r\n")
		if err := auth.CheckNewPassword(pw); err != nil {
			return "", false, apperr.New(apperr.Invalid, "%s", err.Error())
		}
		return pw, false, nil
	}
	pw, err = auth.NewToken(rand.Reader, 15)
	return pw, true, err
}
