package survey

// The standard question bank. An item's wording is marked Verbatim only
// when the reference (shared/reference/participation-evidence.md §6) gives
// the instrument's exact wording and answer set; every other item follows
// the topic the reference names but its wording is Icarus's draft, to be
// checked against the instrument's licensed questionnaire before fielding
// (the UI and API show the flag and the note).

// BankItem is one question of the bank.
type BankItem struct {
	ID       string   `json:"id"`
	Topic    string   `json:"topic"`
	Source   string   `json:"source"`
	Verbatim bool     `json:"verbatim"` // wording and answers are the instrument's own
	Note     string   `json:"note,omitempty"`
	Question Question `json:"question"`
}

func en(s string) Tr { return Tr{"en": s} }

func choices(pairs ...string) []Choice {
	cs := make([]Choice, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		cs = append(cs, Choice{Value: pairs[i], Label: en(pairs[i+1])})
	}
	return cs
}

// scored gives the first n choices the scores 1..n (a Likert scale; the
// rest, such as "don't know", are unscored).
func scored(cs []Choice, n int) []Choice {
	for i := 0; i < n && i < len(cs); i++ {
		s := float64(i + 1)
		cs[i].Score = &s
	}
	return cs
}

const draftNote = "Draft wording: the reference names this topic but not the instrument's exact wording; check it against the questionnaire before fielding."

// Bank returns the standard question bank (a fresh copy on every call).
func Bank() []BankItem {
	return []BankItem{
		{
			ID: "sdg_16_1_4", Topic: "Feeling of safety (SDG 16.1.4)", Verbatim: true,
			Source: "UNODC, SDG indicator 16.1.4 metadata (2023-03-31): proportion of population that feel safe walking alone around the area they live after dark",
			Note:   "The indicator counts very plus fairly safe. 'After dark' is the preferred wording ('at night' acceptable); do not use a clock time.",
			Question: Question{Name: "sdg_16_1_4", Type: Likert, Required: true,
				Label: en("How safe do you feel walking alone in your area/neighbourhood after dark?"),
				Choices: scored(choices("very_safe", "very safe", "fairly_safe", "fairly safe", "a_bit_unsafe", "a bit unsafe", "very_unsafe", "very unsafe",
					"never_alone", "I never go out alone at night", "dont_know", "don't know"), 4),
				Indicator: &Indicator{Label: en("Feel safe walking alone after dark (very or fairly safe)"), Values: []string{"very_safe", "fairly_safe"}},
			},
		},
		{
			ID: "victim_12m", Topic: "Victimisation in the last 12 months (ICVS crime types)", Source: "ICVS crime types (van Dijk, van Kesteren & Smit 2007)",
			Note: "The answer set is the ICVS list of crime types; the question wording and the 'none' answer are a draft. " + draftNote,
			Question: Question{Name: "victim_12m", Type: Multiple,
				Label: en("In the last 12 months, have you or your household been a victim of any of these?"),
				Choices: choices("car_theft", "theft of cars", "theft_from_car", "theft from cars", "car_vandalism", "car vandalism",
					"motorcycle_theft", "theft of motorcycles/mopeds", "bicycle_theft", "bicycle theft", "burglary", "burglary with entry",
					"attempted_burglary", "attempted burglary", "robbery", "robbery", "personal_theft", "other theft of personal property",
					"sexual_incident", "sexual incidents", "assault_threat", "assaults and threats", "none", "none of these"),
			},
		},
		{
			ID: "victim_reported", Topic: "Reporting to police (ICVS)", Source: "ICVS module: reporting to police", Note: draftNote,
			Question: Question{Name: "victim_reported", Type: Single,
				Label:    en("Was it reported to the police?"),
				Relevant: "count-selected(${victim_12m}) > 0 and not(selected(${victim_12m}, 'none'))",
				Choices:  choices("yes", "yes", "no", "no", "dont_know", "don't know"),
			},
		},
		{
			ID: "worry_crime", Topic: "Worry about crime", Source: "FRA Fundamental Rights Survey 2019: worry about crime and risk avoidance", Note: draftNote,
			Question: Question{Name: "worry_crime", Type: Likert,
				Label: en("How worried are you about becoming a victim of crime in your area?"),
				Choices: scored(choices("not_at_all", "not at all worried", "not_very", "not very worried", "fairly", "fairly worried",
					"very", "very worried", "dont_know", "don't know"), 4),
				Indicator: &Indicator{Label: en("Fairly or very worried"), Values: []string{"fairly", "very"}},
			},
		},
		{
			ID: "avoidance", Topic: "Risk avoidance", Source: "FRA surveys: avoiding places or situations out of fear", Note: draftNote,
			Question: Question{Name: "avoidance", Type: Single,
				Label:   en("In the last 12 months, have you avoided places or situations in your area for fear of crime?"),
				Choices: choices("yes", "yes", "no", "no", "dont_know", "don't know"),
			},
		},
		{
			ID: "police_trust", Topic: "Trust in police", Source: "Riga toolkit module 'Trust in police'", Note: draftNote,
			Question: Question{Name: "police_trust", Type: Likert,
				Label: en("How much do you trust the police in your area?"),
				Choices: scored(choices("none", "not at all", "little", "a little", "fair", "a fair amount", "great", "a great deal",
					"dont_know", "don't know"), 4),
				Indicator: &Indicator{Label: en("Trust the police a fair amount or a great deal"), Values: []string{"fair", "great"}},
			},
		},
		{
			ID: "police_satisfaction", Topic: "General satisfaction with police (ICVS)", Source: "ICVS module: general satisfaction with police", Note: draftNote,
			Question: Question{Name: "police_satisfaction", Type: Likert,
				Label: en("Overall, how satisfied are you with the police in your area?"),
				Choices: scored(choices("very_dissatisfied", "very dissatisfied", "dissatisfied", "fairly dissatisfied", "satisfied", "fairly satisfied",
					"very_satisfied", "very satisfied", "dont_know", "don't know"), 4),
			},
		},
		{
			ID: "disorder", Topic: "Neighbourhood disorder (incivilities)", Source: "Riga toolkit module 'Disorder in the neighbourhood'; incivility categories (litter, lighting)", Note: draftNote,
			Question: Question{Name: "disorder", Type: Multiple,
				Label: en("Which of these are a problem in your area?"),
				Choices: choices("litter", "litter or rubbish", "graffiti_vandalism", "graffiti or vandalism", "poor_lighting", "poor street lighting",
					"drugs", "drug dealing or use", "groups", "groups hanging around", "noise", "noisy neighbours or loud parties", "none", "none of these"),
			},
		},
		{
			ID: "cohesion_help", Topic: "Social cohesion", Source: "Riga toolkit module 'Residents' cohesion'", Note: draftNote,
			Question: Question{Name: "cohesion_help", Type: Likert,
				Label: en("People around here are willing to help their neighbours."),
				Choices: scored(choices("strongly_disagree", "strongly disagree", "disagree", "disagree", "neither", "neither agree nor disagree",
					"agree", "agree", "strongly_agree", "strongly agree", "dont_know", "don't know"), 5),
				Indicator: &Indicator{Label: en("Agree or strongly agree"), Values: []string{"agree", "strongly_agree"}},
			},
		},
		{
			ID: "efficacy_act", Topic: "Collective efficacy", Source: "Riga toolkit module 'Residents' cohesion'", Note: draftNote,
			Question: Question{Name: "efficacy_act", Type: Likert,
				Label: en("If there were a problem on your street, how likely is it that neighbours would act together to deal with it?"),
				Choices: scored(choices("very_unlikely", "very unlikely", "unlikely", "unlikely", "likely", "likely", "very_likely", "very likely",
					"dont_know", "don't know"), 4),
			},
		},
		{
			ID: "age_band", Topic: "Demographics: age band", Source: "Icarus", Note: "Bands chosen to match common population margins; adjust to the census bands of the city.",
			Question: Question{Name: "age_band", Type: Single,
				Label: en("Which age group are you in?"),
				Choices: choices("16_24", "16-24", "25_34", "25-34", "35_44", "35-44", "45_54", "45-54", "55_64", "55-64", "65_74", "65-74",
					"75_plus", "75 or over", "no_answer", "prefer not to say"),
			},
		},
		{
			ID: "gender", Topic: "Demographics: gender", Source: "Icarus", Note: draftNote,
			Question: Question{Name: "gender", Type: Single,
				Label:   en("What is your gender?"),
				Choices: choices("woman", "woman", "man", "man", "other", "in another way", "no_answer", "prefer not to say"),
			},
		},
		{
			ID: "area", Topic: "Demographics: area", Source: "Icarus", Note: "The area the respondent lives in; it places the response for results per area.",
			Question: Question{Name: "area", Type: Area, Required: true, Label: en("Which area do you live in?")},
		},
	}
}

// BankQuestion returns a copy of the bank's question id.
func BankQuestion(id string) (Question, bool) {
	for _, it := range Bank() {
		if it.ID == id {
			q := it.Question
			q.Bank = it.ID
			return q, true
		}
	}
	return Question{}, false
}

// FromBank builds a module from bank items; it panics on an unknown id
// (a programming error: ids are constants).
func FromBank(name string, title Tr, surveyors string, ids ...string) Module {
	m := Module{Name: name, Title: title, Surveyors: surveyors}
	for _, id := range ids {
		q, ok := BankQuestion(id)
		if !ok {
			panic("survey: no bank item " + id)
		}
		m.Questions = append(m.Questions, q)
	}
	return m
}

// Riga returns the Riga-style survey built from the bank: the four modules
// of "Par drošu Rīgu!" (each asked by a different group of surveyors) and
// a closing module on the respondent (age band, gender, area).
func Riga(title string, simulated bool) Definition {
	return Definition{
		Title:     en(title),
		Languages: []string{"en"},
		Access:    AccessField,
		Simulated: simulated,
		Consent: en("This survey is anonymous: we do not ask for or record your name. Your answers help the police and the city " +
			"understand how safe people feel here. You may stop at any time or skip any question. Do you agree to take part?"),
		Modules: []Module{
			FromBank("insecurity", en("Feeling of insecurity"), "patrol officers", "sdg_16_1_4", "worry_crime", "avoidance"),
			FromBank("cohesion_disorder", en("Residents' cohesion and disorder in the neighbourhood"), "district coordinators", "cohesion_help", "efficacy_act", "disorder"),
			FromBank("risk_trust", en("Perceived risk of harm and trust in police"), "NGO volunteers", "victim_12m", "victim_reported", "police_trust", "police_satisfaction"),
			FromBank("about_you", en("About you"), "", "age_band", "gender", "area"),
		},
	}
}
