package storetest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/icarus-city/icarus/internal/kb"
	"github.com/icarus-city/icarus/internal/store"
)

// The knowledge-base benchmark corpus (docs/benchmarks.md, "Knowledge
// base"): documents of realistic length assembled from real text, the
// project's reference notes (shared/reference/*.md, English research notes
// with French, Italian, German, Portuguese and Dutch names and quotes) and
// the content shipped with Icarus (kb.Seed). Each document takes a title
// from one paragraph and a body of 20 to 80 paragraphs drawn at random (PCG
// with a fixed seed, so the corpus is the same on every run); a paragraph is
// a line of at least 60 characters with its Markdown markup removed.

// KBParagraphs returns the paragraphs of the reference notes in dir and of
// the shipped content.
func KBParagraphs(refDir string) ([]string, error) {
	var paras []string
	files, err := filepath.Glob(filepath.Join(refDir, "*.md"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no reference notes (*.md) in %s", refDir)
	}
	clean := strings.NewReplacer("**", "", "`", "", "|", " ", "#", "", "[", "", "]", "")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(clean.Replace(strings.TrimLeft(line, "-* >")))
			if len(line) >= 60 {
				paras = append(paras, line)
			}
		}
	}
	for _, it := range kb.Seed() {
		paras = append(paras, it.Summary)
		for _, p := range strings.Split(it.Body, ". ") {
			if len(p) >= 60 {
				paras = append(paras, p+".")
			}
		}
	}
	return paras, nil
}

// KBCorpus returns n documents for the organisation, built from paras
// with the random source seeded by seed.
func KBCorpus(orgID int64, paras []string, n int, seed uint64) []store.KBItem {
	rng := rand.New(rand.NewPCG(seed, 0x1ca405))
	focus := kb.FocusAreas()
	cc := kb.CrossCuttingIssues()
	out := make([]store.KBItem, n)
	for i := range out {
		t := strings.Fields(paras[rng.IntN(len(paras))])
		title := strings.Join(t[:min(len(t), 4+rng.IntN(6))], " ")
		k := 20 + rng.IntN(61)
		body := make([]string, k)
		for j := range body {
			body[j] = paras[rng.IntN(len(paras))]
		}
		it := store.KBItem{OrgID: orgID, Key: fmt.Sprintf("bench:%d", i), Kind: kb.KindDocument, Language: "en",
			Title: fmt.Sprintf("%s (%d)", strings.TrimRight(title, ",.;:"), i), Summary: body[0], Body: strings.Join(body, "\n"),
			FocusArea: focus[rng.IntN(len(focus))].Code, Year: 1995 + rng.IntN(30), Country: []string{"FR", "IT", "DE", "PT", "NL", "LV", "GB"}[rng.IntN(7)]}
		if rng.IntN(2) == 0 {
			it.CrossCutting = []string{cc[rng.IntN(len(cc))].Code}
		}
		out[i] = it
	}
	return out
}

// KBQueries are the benchmark's queries: single words, phrases of two and
// three words, inflected forms, words without their accents, rare and
// absent words (the fallback to any word).
func KBQueries() []string {
	return []string{
		"lighting", "street lighting", "CCTV car parks", "neighbourhood watch", "hot spots policing", "problem-oriented",
		"juvenile delinquency", "radicalisation", "organised crime", "trafficking", "safety audit", "victimisation survey",
		"gender", "governance", "partnership", "evaluation", "design thinking", "training", "dashboard", "Turin",
		"Riga", "Angela", "Stuttgart", "Lisbon", "Rotterdam", "préventions", "securite", "Sicherheit", "comunidades",
		"gemeenten", "burglary reduction", "mentoring young people", "restorative justice", "focused deterrence",
		"procedural justice legitimacy", "police records", "feelings of insecurity", "Open311", "FixMyStreet",
		"exploratory walks women", "displacement diffusion", "cost benefit", "systematic review", "meta-analysis",
		"zeppelin lighting", "prevent", "preventing", "communities", "schools bullying", "drug courts recidivism",
	}
}
