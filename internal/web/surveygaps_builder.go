package web

// Translations of a survey's own wording in the builder: the label (and
// hint) of each question and of each choice, the title, the consent
// statement and the module titles, per
// language of the survey (docs/surveys.md, "Translations"). Field names:
// "tl:QUESTION:LANG" (label), "th:QUESTION:LANG" (hint), "tc:QUESTION:VALUE:LANG" (choice),
// "mt:SLOT:LANG" (module title),
// "title:LANG", "consent:LANG" (languages after the default; the default's
// are the title and consent fields). Names and values cannot hold ":".

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/icarus-city/icarus/internal/survey"
)

// builderText is one editable text in one language.
type builderText struct {
	Lang, Name, Text string
}

// builderChoiceTr is a choice's label in each language.
type builderChoiceTr struct {
	Value string
	Texts []builderText
}

// builderLangs reads the languages field ("fr, en": the first is the default).
func builderLangs(v string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = []string{"en"}
	}
	return out
}

// builderWording is q with fresh label maps; with withBank, the bank's
// translations fill the languages the question lacks (its own wording wins)
// except the survey's own languages own: there a text the coordinator
// removed stays removed.
func builderWording(q *survey.Question, withBank bool, own ...string) survey.Question {
	out := *q
	out.Label = maps.Clone(q.Label)
	if out.Label == nil {
		out.Label = survey.Tr{}
	}
	out.Hint = maps.Clone(q.Hint)
	out.Choices = slices.Clone(q.Choices)
	for i := range out.Choices {
		out.Choices[i].Label = maps.Clone(out.Choices[i].Label)
		if out.Choices[i].Label == nil {
			out.Choices[i].Label = survey.Tr{}
		}
	}
	if !withBank {
		return out
	}
	bq, ok := translatedBankQuestion(q.Name)
	if !ok {
		return out
	}
	for l, v := range bq.Label {
		if out.Label[l] == "" && !slices.Contains(own, l) {
			out.Label[l] = v
		}
	}
	for i := range out.Choices {
		for _, bc := range bq.Choices {
			if bc.Value != out.Choices[i].Value {
				continue
			}
			for l, v := range bc.Label {
				if out.Choices[i].Label[l] == "" && !slices.Contains(own, l) {
					out.Choices[i].Label[l] = v
				}
			}
		}
	}
	return out
}

// wordingStatus says, per language, whether the label exists and how many
// texts (label and choices) are missing.
func wordingStatus(q survey.Question, langs []string) []builderTr {
	out := make([]builderTr, 0, len(langs))
	for _, l := range langs {
		t := builderTr{Lang: l, Text: q.Label[l]}
		if t.Text == "" {
			t.Missing++
		}
		if len(q.Hint) > 0 && q.Hint[l] == "" {
			t.Missing++
		}
		for _, c := range q.Choices {
			if c.Label[l] == "" {
				t.Missing++
			}
		}
		out = append(out, t)
	}
	return out
}

func wordingFields(q survey.Question, langs []string) (label, hint []builderText, choices []builderChoiceTr) {
	for _, l := range langs {
		label = append(label, builderText{Lang: l, Name: "tl:" + q.Name + ":" + l, Text: q.Label[l]})
		if len(q.Hint) > 0 {
			hint = append(hint, builderText{Lang: l, Name: "th:" + q.Name + ":" + l, Text: q.Hint[l]})
		}
	}
	for _, c := range q.Choices {
		ct := builderChoiceTr{Value: c.Value}
		for _, l := range langs {
			ct.Texts = append(ct.Texts, builderText{Lang: l, Name: "tc:" + q.Name + ":" + c.Value + ":" + l, Text: c.Label[l]})
		}
		choices = append(choices, ct)
	}
	return label, hint, choices
}

// wordingFromForm puts the texts sent back into a row (to show them again
// after a refused save) and recounts what is missing.
func wordingFromForm(r *http.Request, row *builderRow) {
	posted := func(t *builderText) {
		if v, ok := r.PostForm[t.Name]; ok && len(v) > 0 {
			t.Text = strings.TrimSpace(v[0])
		}
	}
	for i := range row.LabelTr {
		posted(&row.LabelTr[i])
	}
	for i := range row.HintTr {
		posted(&row.HintTr[i])
	}
	for i := range row.ChoiceTr {
		for j := range row.ChoiceTr[i].Texts {
			posted(&row.ChoiceTr[i].Texts[j])
		}
	}
	for i := range row.Translations {
		l := row.Translations[i].Lang
		t := builderTr{Lang: l}
		for _, x := range row.LabelTr {
			if x.Lang == l {
				t.Text = x.Text
			}
		}
		if t.Text == "" {
			t.Missing++
		}
		for _, x := range row.HintTr {
			if x.Lang == l && x.Text == "" {
				t.Missing++
			}
		}
		for _, c := range row.ChoiceTr {
			for _, x := range c.Texts {
				if x.Lang == l && x.Text == "" {
					t.Missing++
				}
			}
		}
		row.Translations[i] = t
	}
}

// applyWording sets q's label, hint (when it has one) and choice labels in the survey's languages
// from the form: a text sent replaces the stored one, an empty one removes
// it (the form then falls back to the default language); texts of other
// languages are not saved.
func applyWording(r *http.Request, q *survey.Question, langs []string) {
	*q = builderWording(q, false) // own maps: the old definition and the bank stay untouched
	set := func(t survey.Tr, name, lang string) {
		v, ok := r.PostForm[name]
		if !ok || len(v) == 0 {
			return
		}
		if s := strings.TrimSpace(v[0]); s != "" {
			t[lang] = s
		} else {
			delete(t, lang)
		}
	}
	for _, l := range langs {
		set(q.Label, "tl:"+q.Name+":"+l, l)
		if len(q.Hint) > 0 {
			set(q.Hint, "th:"+q.Name+":"+l, l)
		}
		for i := range q.Choices {
			set(q.Choices[i].Label, "tc:"+q.Name+":"+q.Choices[i].Value+":"+l, l)
		}
	}
}

// titleText is the title and consent statement in one language after the default.
type titleText struct {
	Lang, Title, Consent string
}

// titleWording lists the title and consent in each language after the
// default (and en, fr, it), from the form when it was sent.
func titleWording(r *http.Request, d *survey.Definition, langs []string) []titleText {
	var out []titleText
	for _, l := range otherLangs(langs) {
		t := titleText{Lang: l}
		if d != nil {
			t.Title, t.Consent = d.Title[l], d.Consent[l]
		}
		if r.Method == http.MethodPost {
			t.Title, t.Consent = strings.TrimSpace(r.PostFormValue("title:"+l)), strings.TrimSpace(r.PostFormValue("consent:"+l))
		}
		out = append(out, t)
	}
	return out
}

// applyTitleWording sets the title and consent in the languages after the default.
func applyTitleWording(r *http.Request, d *survey.Definition, langs []string) {
	for _, l := range langs[1:] {
		for name, t := range map[string]survey.Tr{"title:": d.Title, "consent:": d.Consent} {
			v, ok := r.PostForm[name+l]
			if !ok || len(v) == 0 {
				continue
			}
			if s := strings.TrimSpace(v[0]); s != "" {
				t[l] = s
			} else {
				delete(t, l)
			}
		}
	}
}

// langMissing is, for one language of the survey, the included questions
// whose wording is incomplete in it.
type langMissing struct {
	Lang      string
	Questions []string
}

func missingSummary(rows []builderRow, langs []string) []langMissing {
	var out []langMissing
	for _, l := range langs {
		m := langMissing{Lang: l}
		for _, row := range rows {
			if !row.Included {
				continue
			}
			for _, t := range row.Translations {
				if t.Lang == l && t.Missing > 0 {
					m.Questions = append(m.Questions, row.Name)
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// otherLangs are the languages after the default that the builder offers
// fields for: the survey's, then en, fr and it.
func otherLangs(langs []string) []string {
	out := slices.Clone(langs[1:])
	for _, l := range []string{"en", "fr", "it"} {
		if l != langs[0] && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// moduleText is a module's title in the languages after the default.
type moduleText struct {
	Slot  int
	Name  string
	Texts []builderText
}

func moduleWording(r *http.Request, d *survey.Definition, mods []builderModule, langs []string) []moduleText {
	var out []moduleText
	for _, m := range mods {
		if m.Name == "" {
			continue
		}
		mt := moduleText{Slot: m.Slot, Name: m.Name}
		var old survey.Tr
		if d != nil {
			for _, om := range d.Modules {
				if om.Name == m.Name {
					old = om.Title
				}
			}
		}
		for _, l := range otherLangs(langs) {
			name := "mt:" + strconv.Itoa(m.Slot) + ":" + l
			t := builderText{Lang: l, Name: name, Text: old[l]}
			if r.Method == http.MethodPost {
				t.Text = strings.TrimSpace(r.PostFormValue(name))
			}
			mt.Texts = append(mt.Texts, t)
		}
		out = append(out, mt)
	}
	return out
}

// applyModuleWording sets a module's title in the languages after the default.
func applyModuleWording(r *http.Request, m *survey.Module, slot int, langs []string) {
	for _, l := range langs[1:] {
		v, ok := r.PostForm["mt:"+strconv.Itoa(slot)+":"+l]
		if !ok || len(v) == 0 {
			continue
		}
		if s := strings.TrimSpace(v[0]); s != "" {
			m.Title[l] = s
		} else {
			delete(m.Title, l)
		}
	}
}
