package cli

import (
	"context"
	"fmt"

	"github.com/icarus-city/icarus/internal/apperr"
)

// analyses are the methods of 'icarus analyze', one file each (analyze_*.go).
func analyses() []command {
	return []command{
		{"knox", "near-repeat Knox test with Monte Carlo permutations (Near Repeat Calculator mode with --nrc)", runAnalyzeKnox},
		{"getis-ord", "local Getis-Ord G / Gi* hot spots with analytical and permutation inference", runAnalyzeGetisOrd},
	}
}

func runAnalyze(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, "Usage: icarus analyze METHOD [flags]\n\nMethods:")
		for _, a := range analyses() {
			fmt.Fprintf(env.Stdout, "  %-10s %s\n", a.name, a.summary)
		}
		fmt.Fprintln(env.Stdout, "\nRun 'icarus analyze METHOD --help' for the flags of a method.")
		if len(args) == 0 {
			return apperr.New(apperr.Invalid, "say which method to run")
		}
		return nil
	}
	for _, a := range analyses() {
		if a.name == args[0] {
			return a.run(ctx, env, args[1:])
		}
	}
	return apperr.New(apperr.Invalid, "unknown method %q (see 'icarus analyze --help')", args[0])
}
