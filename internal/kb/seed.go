package kb

import "slices"

// Seed returns the content shipped with Icarus: the six IcARUS pilot tools
// and evidence cards for well-studied interventions. Descriptions are our
// own words; facts and figures come with their sources, as summarised in
// ../shared/reference/icarus-toolkit.md §1-2 and
// participation-evidence.md §5. Figures the notes mark as unverified are
// left out. Keys are stable: loading the seed again updates the records.
func Seed() []Item {
	icarus := func(key, title, city, country, focus string, cc []string, summary, body, source string, meta map[string]any) Item {
		if meta == nil {
			meta = map[string]any{}
		}
		meta["programme"] = "IcARUS (Horizon 2020, grant agreement 882749)"
		meta["status"] = "piloted"
		return Item{Key: "seed:tool:" + key, Kind: KindTool, Title: title, City: city, Country: country, FocusArea: focus,
			CrossCutting: cc, Summary: summary, Body: body, Language: "en", Year: 2023, Source: source, Metadata: meta}
	}
	tools := []Item{
		icarus("turin", "Sbocciamo Torino: a shared decision-making network on juvenile delinquency", "Turin", "IT", "juvenile_delinquency", []string{"governance", "technology"},
			"Public and private organisations working on youth crime prevention meet as a committee and decide on interventions together, using a data dashboard.",
			"Turin's IcARUS tool is a governance network that deliberates on and co-produces interventions against juvenile delinquency. "+
				"Its problem statement asks how collaborative decision-making can produce evidence-based interventions on youth delinquency. "+
				"A committee of organisations (supported by a city project manager, a sociology researcher and a data scientist) uses a dashboard of demographics, "+
				"school drop-out, surveys on youth aggression, convictions of young adults and past interventions, built from anonymised data supplied by the members. "+
				"Interventions are then presented to an extended meeting with the Municipal Council. A manual, a charter and a brochure document the method. "+
				"The tool was led by the local police's department of technological investigations; target offences include stalking, bullying and robbery, which are under-reported.",
			"https://www.icarus-innovation.eu/tools-insights/icarus-tools/turin-toolkit/", map[string]any{"components": []string{"committee", "dashboard", "meeting", "manual", "charter", "brochure"}}),
		icarus("riga", "Par drošu Rīgu! (For a safe Riga): adapting neighbourhood policing to police records and residents' feelings of insecurity", "Riga", "LV", "public_spaces", []string{"governance", "technology"},
			"An evidence-based way of adjusting district policing tactics by analysing police incident records together with residents' survey answers on insecurity, disorder and trust.",
			"Riga's tool is run by the municipal police with the municipality's district services and NGOs over four weeks: analyse police incident records, "+
				"survey residents (patrol officers ask about feelings of insecurity, local coordinators about cohesion and disorder, NGO volunteers about perceived risk of harm and trust in police), "+
				"analyse the answers, and compare the two to update policing tactics. A web application shows the survey analysis, the criminal records analysis and surveyors' feedback; "+
				"surveying guidelines, training material, a manual for the chief of department and materials for surveyors complete it. "+
				"The sources label its focus area differently (safe public spaces, organised crime); CORDIS describes it as improving understanding of citizens' feeling of insecurity.",
			"https://icarus-innovation.eu/tools-insights/icarus-tools/riga-toolkit", map[string]any{"components": []string{"survey", "web app", "guidelines", "training", "manual"}, "duration": "four weeks"}),
		icarus("nice", "Demandez Angela (Ask for Angela): shops and bars as safe places against harassment in public space", "Nice", "FR", "public_spaces", []string{"gender", "governance"},
			"A network of partner businesses that take in anyone facing harassment or feeling unsafe in public space, day and night; the person asks \"Où est Angela ?\" at a business showing the logo.",
			"Nice's tool enlists shops, restaurants, bars and pharmacies as solidarity partners who commit to assist, inform and communicate. "+
				"It was piloted in the town centre (Old Nice and Jean-Médecin) from 20 July 2023. Partners are trained by the city's prevention department with the municipal police; "+
				"a three-hour victim-support session met resistance from shopkeepers and was cut to a 90-minute face-to-face session, after which partners receive a sticker for their entrance. "+
				"The 40 establishments already equipped with alert buttons linked to the municipal police were enrolled first. "+
				"After one year the network had 83 establishments; in a survey, 92% of respondents said they felt reassured, and 3 victims had been assisted.",
			"https://nice-premium.com/assessment-of-the-ask-for-angela-initiative", map[string]any{"launched": "2023-07-20", "establishments_after_one_year": 83}),
		icarus("stuttgart", "Trick17: magic tricks against extremist recruitment", "Stuttgart", "DE", "radicalisation", nil,
			"An arts-based, interactive and mobile approach that uses magic tricks and game elements to show young people how extremists' promises mislead them.",
			"Stuttgart's tool builds on the idea that the language of magic is understood by everyone: tricks make visible how misleading promises work and sensitise young people to recruitment attempts. "+
				"It is meant for social organisations and schools, from street work to the classroom, and is delivered by Inside Out e.V. with scientific support from Salzburg University of Applied Sciences. "+
				"The city wanted a local multi-stakeholder strategy to prevent radicalisation.",
			"https://www.jgs-stuttgart.de/allgemein/wie-kann-man-den-radikalismus-ueberlisten/", nil),
		icarus("lisbon", "JDL – Youth Design Lisbon: young people co-design solutions with police and communities", "Lisbon", "PT", "juvenile_delinquency", []string{"governance"},
			"Youth teams work with the police and community organisations to identify local issues, propose solutions and present them to the city authorities, improving youth–police relations.",
			"The Lisbon Municipal Police set the problem: reduce antisocial behaviour among young people and develop a tool that promotes safe behaviour and positive lifestyles. "+
				"The tool was shaped in a local workshop with more than 50 participants from Lisbon's community policing network (social workers, schools, youth services, residents' associations).",
			"https://podcast.ausha.co/efus-podcast/empowering-youth-strengthening-trust-lisbon-s-approach-to-urban-security", nil),
		icarus("rotterdam", "Spaanse Polder Café: dialogue against organised crime in a business park", "Rotterdam", "NL", "organised_crime", []string{"governance"},
			"A World Café dialogue bringing entrepreneurs, workers and police together to tackle organised crime in the Spaanse Polder business park.",
			"The Spaanse Polder business park has about 1,800 businesses and 24,000 employees; neglected, it became a breeding ground for organised crime, and the Holsteiner project has tried to restore order since 2014. "+
				"The café format aims both to reduce the opportunities for crime and to promote social cohesion among the people who work there.",
			"https://podcast.ausha.co/efus-podcast/tackling-organised-crime-through-dialogue-the-spaanse-polder-cafe-in-rotterdam", nil),
	}
	return slices.Concat(tools, evidenceCards(), findings())
}
