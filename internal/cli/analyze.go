package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
)

// analyzeMethods are the methods of 'icarus analyze', one file each (analyze_*.go).
func analyzeMethods() []command {
	return []command{
		{"knox", "near-repeat Knox test with Monte Carlo permutations (Near Repeat Calculator mode with --nrc)", runAnalyzeKnox},
		{"getis-ord", "local Getis-Ord G / Gi* hot spots with analytical and permutation inference", runAnalyzeGetisOrd},
		{"moran", "global Moran's I and local Moran (LISA) clusters and outliers of grid counts", viaService("moran")},
		{"kde", "kernel density surface (Gaussian or quartic; Scott or likelihood cross-validation bandwidth)", viaService("kde")},
		{"grid", "incidents counted in square cells", viaService("grid")},
		{"trend", "counts by day, week or month; seasonal baseline with control limits; weekday x hour", viaService("trend")},
		{"change", "change between two periods with an exact Poisson confidence interval", viaService("change")},
		{"hotspot-change", "emerging hot spots: new, persistent, intensifying... (Gi* per period, Mann-Kendall)", viaService("hotspot-change")},
		{"sppt", "Andresen's spatial point pattern test between two periods (S index)", viaService("sppt")},
		{"forecast", "next-day forecast, or --evaluate: rolling-origin evaluation (hit rate, PAI, PEI)", viaService("forecast")},
	}
}

// viaService runs a method through the analysis service (analyze_run.go).
func viaService(method string) func(context.Context, *Env, []string) error {
	return func(ctx context.Context, env *Env, args []string) error {
		return runAnalyzeMethod(ctx, env, method, args)
	}
}

// onDataset reports whether the arguments name a stored dataset: knox and
// getis-ord then run through the analysis service (their --input form and
// its JSON stay as they were, for scripts).
func onDataset(args []string) bool {
	for _, a := range args {
		if a == "--dataset" || a == "-dataset" || strings.HasPrefix(a, "--dataset=") || strings.HasPrefix(a, "-dataset=") {
			return true
		}
	}
	return false
}

func runAnalyze(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, "Usage: icarus analyze METHOD [flags]\n\nMethods:")
		for _, a := range analyzeMethods() {
			fmt.Fprintf(env.Stdout, "  %-15s %s\n", a.name, a.summary)
		}
		fmt.Fprintln(env.Stdout, "\nRun 'icarus analyze METHOD --help' for the flags of a method.")
		if len(args) == 0 {
			return apperr.New(apperr.Invalid, "say which method to run")
		}
		return nil
	}
	for _, a := range analyzeMethods() {
		if a.name == args[0] {
			return a.run(ctx, env, args[1:])
		}
	}
	return apperr.New(apperr.Invalid, "unknown method %q (see 'icarus analyze --help')", args[0])
}
