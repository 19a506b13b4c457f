package kb

import (
	"strings"
	"unicode"
)

// Languages the detector knows (ISO 639-1), which are also the languages
// with a stemmer in PostgreSQL's search.
func Languages() []string { return []string{"en", "fr", "it", "de", "pt", "nl"} }

// stopwords are frequent function words per language. Words shared by
// several languages count for each of them.
func stopwords() map[string][]string {
	return map[string][]string{
		"en": strings.Fields("the of and to in is that for it as with was on are be by this which from or have an not at but their they has were its can been also more these than other such"),
		"fr": strings.Fields("le la les des du de et est dans une un en que qui pour pas sur au aux par plus ne se ce sont avec il elle ou mais leur leurs cette ces été être nous vous"),
		"it": strings.Fields("il lo la gli le di del della dei delle che è e per un una non sono nel nella con si da al alla anche come più questo questa ma essere ha degli sul"),
		"de": strings.Fields("der die das und ist nicht mit sich des auf für dem den ein eine einer zu im auch es von werden wird sind als bei nach wie oder aus noch kann durch"),
		"pt": strings.Fields("o a os as de do da dos das e em um uma para com não no na nos nas por que se mais como foi são ao à pelo pela ser também seu sua"),
		"nl": strings.Fields("de het een en van is dat op te in zijn niet met voor die er aan ook als bij door worden wordt maar om nog tot uit dan naar deze"),
	}
}

// DetectLanguage returns the language of text among Languages(), by the
// share of each language's stopwords among the first 5,000 words, and a
// confidence between 0 and 1 (the winner's share of all stopword hits). It
// returns "" when fewer than 3 stopwords were seen or no language leads
// clearly.
func DetectLanguage(text string) (string, float64) {
	sw := stopwords()
	index := map[string][]string{}
	for lang, ws := range sw {
		for _, w := range ws {
			index[w] = append(index[w], lang)
		}
	}
	counts := map[string]int{}
	total, words := 0, 0
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		if words++; words > 5000 {
			break
		}
		w = strings.ToLower(strings.Trim(w, "'"))
		// French and Italian elisions: l'espace, dell'arte
		if i := strings.LastIndexByte(w, '\''); i >= 0 {
			w = w[:i]
		}
		if langs, ok := index[w]; ok {
			total++
			for _, l := range langs {
				counts[l]++
			}
		}
	}
	if total < 3 {
		return "", 0
	}
	best, second := "", 0
	for _, l := range Languages() { // fixed order: ties resolve the same way every time
		switch c := counts[l]; {
		case best == "" || c > counts[best]:
			second = counts[best]
			best = l
		case c > second:
			second = c
		}
	}
	if counts[best] == second {
		return "", 0
	}
	return best, float64(counts[best]) / float64(total)
}
