package survey

// French and Italian wording of the standard question bank.
//
// NONE of these is an official translation: they are Icarus's own
// translations of the English wording in bank.go, for cities to start
// from. The national statistical offices field their own wording of the
// same topics — in France INSEE/SSMSI's "Cadre de vie et sécurité" survey,
// in Italy ISTAT's "Sicurezza dei cittadini" survey (the source of the BES
// indicator on feeling safe after dark) — and a city that wants its
// figures comparable with them must use that exact wording, taken from the
// questionnaire, not ours. docs/surveys.md says the same to users.

// trBank holds, per bank item id, the fr and it texts of the question
// label, of each choice (by value) and of the indicator label.
type trBank struct {
	label     [2]string            // fr, it
	choices   map[string][2]string // value -> fr, it
	indicator [2]string
}

func bankTranslationTable() map[string]trBank {
	dk := [2]string{"ne sait pas", "non so"}
	yes, no := [2]string{"oui", "sì"}, [2]string{"non", "no"}
	none := [2]string{"aucun de ceux-ci", "nessuno di questi"}
	noAnswer := [2]string{"préfère ne pas répondre", "preferisco non rispondere"}
	return map[string]trBank{
		"sdg_16_1_4": {
			label: [2]string{"Vous sentez-vous en sécurité lorsque vous marchez seul(e) dans votre quartier une fois la nuit tombée ?",
				"Quanto si sente sicuro/a camminando da solo/a nella sua zona quando è buio?"},
			choices: map[string][2]string{"very_safe": {"très en sécurité", "molto sicuro/a"}, "fairly_safe": {"plutôt en sécurité", "abbastanza sicuro/a"},
				"a_bit_unsafe": {"plutôt en insécurité", "poco sicuro/a"}, "very_unsafe": {"très en insécurité", "per niente sicuro/a"},
				"never_alone": {"je ne sors jamais seul(e) la nuit", "non esco mai da solo/a quando è buio"}, "dont_know": dk},
			indicator: [2]string{"Se sentent en sécurité seuls après la tombée de la nuit (très ou plutôt)", "Si sentono sicuri da soli quando è buio (molto o abbastanza)"},
		},
		"victim_12m": {
			label: [2]string{"Au cours des 12 derniers mois, vous-même ou votre ménage avez-vous été victime de l'un de ces faits ?",
				"Negli ultimi 12 mesi, lei o la sua famiglia siete stati vittime di uno di questi reati?"},
			choices: map[string][2]string{"car_theft": {"vol de voiture", "furto d'auto"}, "theft_from_car": {"vol dans une voiture", "furto di oggetti dall'auto"},
				"car_vandalism": {"dégradation de voiture", "danneggiamento dell'auto"}, "motorcycle_theft": {"vol de moto ou de cyclomoteur", "furto di moto o motorino"},
				"bicycle_theft": {"vol de vélo", "furto di bicicletta"}, "burglary": {"cambriolage", "furto in abitazione"},
				"attempted_burglary": {"tentative de cambriolage", "tentato furto in abitazione"}, "robbery": {"vol avec violence ou menace", "rapina"},
				"personal_theft": {"autre vol d'objets personnels", "altro furto di oggetti personali"}, "sexual_incident": {"atteinte sexuelle", "molestie o violenze sessuali"},
				"assault_threat": {"agression ou menace", "aggressioni e minacce"}, "none": none},
		},
		"victim_reported": {
			label:   [2]string{"Cela a-t-il été signalé à la police ?", "È stato denunciato alla polizia?"},
			choices: map[string][2]string{"yes": yes, "no": no, "dont_know": dk},
		},
		"worry_crime": {
			label: [2]string{"Dans quelle mesure craignez-vous d'être victime d'un délit dans votre quartier ?",
				"Quanto è preoccupato/a di essere vittima di un reato nella sua zona?"},
			choices: map[string][2]string{"not_at_all": {"pas du tout inquiet(ète)", "per niente preoccupato/a"}, "not_very": {"pas très inquiet(ète)", "poco preoccupato/a"},
				"fairly": {"assez inquiet(ète)", "abbastanza preoccupato/a"}, "very": {"très inquiet(ète)", "molto preoccupato/a"}, "dont_know": dk},
			indicator: [2]string{"Assez ou très inquiets", "Abbastanza o molto preoccupati"},
		},
		"avoidance": {
			label: [2]string{"Au cours des 12 derniers mois, avez-vous évité certains lieux ou certaines situations dans votre quartier par peur de la délinquance ?",
				"Negli ultimi 12 mesi ha evitato luoghi o situazioni nella sua zona per paura della criminalità?"},
			choices: map[string][2]string{"yes": yes, "no": no, "dont_know": dk},
		},
		"police_trust": {
			label: [2]string{"Quelle confiance accordez-vous à la police dans votre quartier ?", "Quanta fiducia ha nella polizia della sua zona?"},
			choices: map[string][2]string{"none": {"aucune", "per niente"}, "little": {"un peu", "poca"}, "fair": {"assez", "abbastanza"},
				"great": {"beaucoup", "molta"}, "dont_know": dk},
			indicator: [2]string{"Font assez ou beaucoup confiance à la police", "Hanno abbastanza o molta fiducia nella polizia"},
		},
		"police_satisfaction": {
			label: [2]string{"Dans l'ensemble, êtes-vous satisfait(e) de la police dans votre quartier ?", "Nel complesso, quanto è soddisfatto/a della polizia nella sua zona?"},
			choices: map[string][2]string{"very_dissatisfied": {"très insatisfait(e)", "per niente soddisfatto/a"}, "dissatisfied": {"plutôt insatisfait(e)", "poco soddisfatto/a"},
				"satisfied": {"plutôt satisfait(e)", "abbastanza soddisfatto/a"}, "very_satisfied": {"très satisfait(e)", "molto soddisfatto/a"}, "dont_know": dk},
		},
		"disorder": {
			label: [2]string{"Parmi ces problèmes, lesquels se posent dans votre quartier ?", "Quali di questi sono un problema nella sua zona?"},
			choices: map[string][2]string{"litter": {"déchets ou saleté", "rifiuti o sporcizia"}, "graffiti_vandalism": {"tags ou dégradations", "graffiti o vandalismo"},
				"poor_lighting": {"mauvais éclairage public", "scarsa illuminazione stradale"}, "drugs": {"trafic ou consommation de drogue", "spaccio o consumo di droga"},
				"groups": {"groupes qui stationnent", "gruppi che stazionano in strada"}, "noise": {"voisins bruyants ou fêtes", "vicini rumorosi o feste"}, "none": none},
		},
		"cohesion_help": {
			label: [2]string{"Les gens d'ici sont prêts à aider leurs voisins.", "Le persone qui sono disposte ad aiutare i vicini."},
			choices: map[string][2]string{"strongly_disagree": {"pas du tout d'accord", "per niente d'accordo"}, "disagree": {"pas d'accord", "in disaccordo"},
				"neither": {"ni d'accord ni pas d'accord", "né d'accordo né in disaccordo"}, "agree": {"d'accord", "d'accordo"},
				"strongly_agree": {"tout à fait d'accord", "molto d'accordo"}, "dont_know": dk},
			indicator: [2]string{"D'accord ou tout à fait d'accord", "D'accordo o molto d'accordo"},
		},
		"efficacy_act": {
			label: [2]string{"S'il y avait un problème dans votre rue, est-il probable que les voisins agiraient ensemble pour le régler ?",
				"Se ci fosse un problema nella sua via, quanto è probabile che i vicini si muoverebbero insieme per risolverlo?"},
			choices: map[string][2]string{"very_unlikely": {"très peu probable", "molto improbabile"}, "unlikely": {"peu probable", "improbabile"},
				"likely": {"probable", "probabile"}, "very_likely": {"très probable", "molto probabile"}, "dont_know": dk},
		},
		"age_band": {
			label: [2]string{"Quelle est votre tranche d'âge ?", "In quale fascia d'età rientra?"},
			choices: map[string][2]string{"16_24": {"16-24", "16-24"}, "25_34": {"25-34", "25-34"}, "35_44": {"35-44", "35-44"}, "45_54": {"45-54", "45-54"},
				"55_64": {"55-64", "55-64"}, "65_74": {"65-74", "65-74"}, "75_plus": {"75 ou plus", "75 o più"}, "no_answer": noAnswer},
		},
		"gender": {
			label:   [2]string{"Quel est votre genre ?", "Qual è il suo genere?"},
			choices: map[string][2]string{"woman": {"femme", "donna"}, "man": {"homme", "uomo"}, "other": {"autre", "altro"}, "no_answer": noAnswer},
		},
		"area": {
			label: [2]string{"Dans quel quartier habitez-vous ?", "In quale zona abita?"},
		},
	}
}

// TranslatedBank returns the bank with French and Italian wording added to
// every label, choice and indicator (Icarus's own translations, never
// official: see the comment at the top of this file). English stays the
// reference text.
func TranslatedBank() []BankItem {
	tab := bankTranslationTable()
	items := Bank()
	for i := range items {
		t, ok := tab[items[i].ID]
		if !ok {
			continue
		}
		q := &items[i].Question
		q.Label = withFrIt(q.Label, t.label)
		for j := range q.Choices {
			if c, ok := t.choices[q.Choices[j].Value]; ok {
				q.Choices[j].Label = withFrIt(q.Choices[j].Label, c)
			}
		}
		if q.Indicator != nil && t.indicator[0] != "" {
			q.Indicator.Label = withFrIt(q.Indicator.Label, t.indicator)
		}
	}
	return items
}

func withFrIt(t Tr, fi [2]string) Tr {
	out := Tr{}
	for k, v := range t {
		out[k] = v
	}
	out["fr"], out["it"] = fi[0], fi[1]
	return out
}
