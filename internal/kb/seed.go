package kb

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
	evidence := func(key, title, focus string, approaches []string, summary, body, source string, meta map[string]any) Item {
		meta["scheme"] = "Campbell Collaboration / College of Policing Crime Reduction Toolkit (EMMIE)"
		return Item{Key: "seed:evidence:" + key, Kind: KindEvidence, Title: title, FocusArea: focus, Approaches: approaches,
			Summary: summary, Body: body, Language: "en", Source: source, Metadata: meta}
	}
	return []Item{
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

		evidence("street-lighting", "Improved street lighting", "public_spaces", []string{"situational", "prevention"},
			"Better street lighting was followed by less crime in treated areas than in comparison areas.",
			"Welsh and Farrington's Campbell review (2008:13) of 13 studies from the UK and the US found crime fell by 21% in areas with improved lighting compared with control areas "+
				"(38% in the UK studies, 7% in the US studies). Night-time crime did not fall more than daytime crime, which suggests that lighting works partly by increasing community pride and informal control rather than only visibility.",
			"https://whatworks.college.police.uk/toolkit/ (InterventionID=3)", map[string]any{"effect": map[string]any{"measure": "relative reduction", "value": -0.21, "n_studies": 13}, "citation": "Welsh & Farrington, Campbell Systematic Reviews 2008:13"}),
		evidence("cctv", "CCTV (closed-circuit television)", "public_spaces", []string{"situational", "prevention"},
			"CCTV brings a modest but significant reduction in crime, largest in car parks and when actively monitored.",
			"The 40-year update by Piza, Welsh, Farrington and Thomas (Criminology & Public Policy 18(1), 2019) found a significant and modest decrease in crime. "+
				"Effects were largest in car parks and also present in residential areas; actively monitored systems did better than passive ones, and CCTV combined with other measures did better than CCTV alone. "+
				"As a stand-alone measure in city centres it showed no effect. The College of Policing toolkit rates the evidence of an overall reduction as very strong.",
			"https://whatworks.college.police.uk/toolkit/ (InterventionID=1)", map[string]any{"citation": "Piza, Welsh, Farrington & Thomas, Criminology & Public Policy 18(1), 2019"}),
		evidence("neighbourhood-watch", "Neighbourhood Watch", "public_spaces", []string{"community", "prevention"},
			"Neighbourhood Watch schemes were associated with about 26 crimes prevented per 100.",
			"Bennett, Holloway and Farrington's Campbell review (2008:18) meta-analysed 18 studies: 15 of the 18 favoured Neighbourhood Watch, with roughly 26 fewer crimes per 100, and no backfire effect was reported.",
			"https://whatworks.college.police.uk/toolkit/ (InterventionID=8)", map[string]any{"effect": map[string]any{"measure": "crimes prevented per 100", "value": 26, "n_studies": 18}, "backfire": false}),
		evidence("hot-spots-policing", "Hot-spots policing", "public_spaces", []string{"criminal_justice", "situational"},
			"Concentrating police at crime hot spots yields a small but statistically significant reduction in crime, with diffusion of benefits more common than displacement.",
			"Braga, Turchan, Papachristos and Hureau's Campbell review (2019) of 65 studies with 78 tests found a small, statistically significant mean effect favouring the treated places; in 40 tests, diffusion of benefits to nearby areas was more likely than displacement.",
			"https://www.campbellcollaboration.org/better-evidence/effects-of-hot-spots-policing-on-crime.html", map[string]any{"displacement": "diffusion"}),
		evidence("alley-gating", "Alley gating", "public_spaces", []string{"situational", "prevention"},
			"Gating the alleys behind terraced houses reduces domestic burglary, with little displacement.",
			"Sidebottom and colleagues (2018), an EMMIE-structured review of 43 studies with 6 higher-quality studies meta-analysed, found a modest but significant reduction in domestic burglary and little spatial displacement, and identified six mechanisms. "+
				"The primary evaluation in Liverpool (Bowers, Johnson & Hirschfield 2004) found burglary fell by 37%.",
			"https://www.college.police.uk/research/crime-reduction-toolkit/alley-gating", map[string]any{"crime_types": []string{"burglary"}}),
		evidence("mentoring", "Mentoring for young people at risk of delinquency", "juvenile_delinquency", []string{"developmental", "social", "prevention"},
			"Mentoring programmes have significant positive effects on delinquency and school performance, modest in size.",
			"Tolan, Henry, Schoeny, Bass, Lovegrove and Nichols (Campbell 2013:10) analysed 46 of 164 studies: mentoring had significant positive effects on delinquency and academic functioning, with trends for aggression and drug use. "+
				"Effects were modest by Cohen's standards and larger when mentors were motivated by professional development.",
			"https://www.campbellcollaboration.org/library/mentoring-juvenile-delinquency-and-associated-problems.html", map[string]any{}),
		evidence("scared-straight", "\"Scared Straight\" and prison-visit programmes for juveniles", "juvenile_delinquency", []string{"developmental"},
			"Harmful: young people taken on prison visits to deter them offended more, not less, than those who were not.",
			"Petrosino, Turpin-Petrosino, Hollis-Peel and Lavenberg's Campbell/Cochrane update (2013) of 9 randomised or quasi-randomised trials with 946 juveniles found that the programmes increased the odds of offending by about 1.6 to 1.7 times compared with no intervention. "+
				"It is a textbook example of a backfiring intervention.",
			"https://www.cochrane.org/reviews/en/ab002796.html", map[string]any{"backfire": true}),
		evidence("restorative-justice", "Restorative justice conferencing", "juvenile_delinquency", []string{"criminal_justice", "victim_focused"},
			"Face-to-face conferences between offenders and victims modestly reduce repeat offending, cost-effectively, and help victims.",
			"Strang, Sherman, Mayo-Wilson, Woods and Ariel (Campbell 2013:12) reviewed 10 randomised trials with 1,880 offenders: a modest but highly cost-effective reduction in the frequency of repeat offending, larger for violent crime; "+
				"a UK cost–benefit ratio of 3.7 to 8.1 to 1; victims were more satisfied and reported less post-traumatic stress.",
			"https://www.campbellcollaboration.org/", map[string]any{}),
		evidence("anti-bullying", "School anti-bullying programmes", "juvenile_delinquency", []string{"developmental", "prevention"},
			"School-based programmes reduce bullying by about a fifth; intensive programmes with parents and playground supervision work best.",
			"Farrington and Ttofi (Campbell 2009:6) reviewed 44 evaluations: bullying fell by 20–23% and victimisation by 17–20%. More intensive programmes, parent meetings, firm discipline and playground supervision were associated with larger effects; work with peers was associated with increases in victimisation.",
			"https://www.campbellcollaboration.org/", map[string]any{}),
		evidence("problem-oriented-policing", "Problem-oriented policing", "public_spaces", []string{"criminal_justice", "situational", "prevention"},
			"Analysing a recurring problem and tailoring the response to it reduces crime and disorder; broader, multi-partner responses do best.",
			"Weisburd, Telep, Hinkle and Eck's Campbell review (2008:14; Criminology & Public Policy 2010) found 10 rigorous studies among more than 5,500 screened, plus 45 pre/post studies, "+
				"and a modest but statistically significant reduction in crime and disorder. The update by Hinkle, Weisburd, Telep and Petersen (Policing 18, 2024) reports a 33.8% relative reduction in crime and disorder, "+
				"larger where responses were broader and involved several partners; even shallow problem solving still worked.",
			"https://www.campbellcollaboration.org/ (Campbell 2008:14); Policing 18 (2024) paae053", map[string]any{"effect": map[string]any{"measure": "relative reduction", "value": -0.338}, "citation": "Hinkle, Weisburd, Telep & Petersen, Policing 18 (2024)"}),
		evidence("focused-deterrence", "Focused deterrence (\"pulling levers\")", "organised_crime", []string{"criminal_justice", "social", "prevention"},
			"Direct, repeated communication with high-risk groups, backed by enforcement and support, reduces crime; most for gang and group gun violence.",
			"Braga, Weisburd and Turchan (Criminology & Public Policy 17(1), 2018; Campbell 2019) found a statistically significant, moderate crime reduction across 24 quasi-experiments, smaller in the more rigorous designs. "+
				"Their later update of 50 controlled evaluations, including 9 randomised trials, reports crime down 23% overall and 16% in the randomised trials, largest for programmes against gang and group gun violence, with positive community perceptions.",
			"https://www.campbellcollaboration.org/ (Campbell 2019 e1051)", map[string]any{"effect": map[string]any{"measure": "relative reduction", "value": -0.23, "n_studies": 50}, "citation": "Braga, Turchan & Weisburd (update of Campbell 2019 e1051)"}),
		evidence("cognitive-behavioural-programmes", "Cognitive-behavioural programmes for offenders", "juvenile_delinquency", []string{"criminal_justice", "developmental"},
			"Cognitive-behavioural programmes reduce reoffending, most for higher-risk offenders and when well implemented.",
			"Lipsey, Landenberger and Wilson (Campbell 2007:6; Landenberger & Lipsey, Journal of Experimental Criminology 2005) reviewed 58 experimental and quasi-experimental studies and confirmed positive effects on recidivism, "+
				"larger for higher-risk offenders, with high-quality implementation, and for programmes including anger control and interpersonal problem solving; brand-name and generic programmes did equally well. "+
				"(A commonly quoted overall percentage is left out here because it could not be verified.)",
			"https://www.campbellcollaboration.org/ (Campbell 2007:6)", map[string]any{}),
		evidence("disorder-policing", "Disorder (\"broken windows\") policing", "public_spaces", []string{"criminal_justice", "community"},
			"Policing disorder reduces crime modestly, through community and problem-solving approaches; aggressive order maintenance does not.",
			"Braga, Welsh and Schnell (Journal of Research in Crime and Delinquency 52(4), 2015; Campbell 2019) analysed 28 studies with 30 tests, 9 of them randomised: an overall statistically significant, modest reduction in crime, "+
				"driven by community and problem-solving approaches; aggressive order-maintenance strategies did not reduce crime.",
			"https://www.campbellcollaboration.org/ (Campbell 2019 cl2.1050)", map[string]any{}),
		evidence("community-policing", "Community-oriented policing", "public_spaces", []string{"community", "social_cohesion"},
			"Community policing improves citizens' satisfaction, perceived disorder and police legitimacy, but does little for crime or fear of crime.",
			"Gill, Weisburd, Telep, Vitter and Bennett (Journal of Experimental Criminology 10(4), 2014) reviewed 25 reports with 65 tests, 37 of them meta-analysed: positive effects on citizen satisfaction, perceived disorder and police legitimacy, "+
				"and limited effects on crime and on fear of crime.",
			"https://link.springer.com/article/10.1007/s11292-014-9210-y", map[string]any{}),
		evidence("procedural-justice", "Procedural justice and legitimacy in policing", "public_spaces", []string{"criminal_justice", "social_cohesion"},
			"Treating people fairly and respectfully in police encounters improves satisfaction, confidence and cooperation.",
			"Mazerolle, Bennett, Davis, Sargeant and Manning (Campbell 2013:1; Journal of Experimental Criminology 9(3), 2013) found 163 studies and meta-analysed 30: every outcome was positive, significantly so for satisfaction and confidence, "+
				"compliance and cooperation, and perceived procedural justice; legitimacy itself improved but not significantly, and reoffending fell indirectly.",
			"https://www.campbellcollaboration.org/ (Campbell 2013:1)", map[string]any{}),
		evidence("drug-courts", "Drug courts", "organised_crime", []string{"criminal_justice", "social"},
			"Drug courts reduce reoffending among adult participants for up to three years.",
			"Mitchell, Wilson, Eggers and MacKenzie (Campbell 2012:4) reviewed 154 evaluations (92 adult, 34 juvenile, 28 for drink-driving): adult recidivism fell from about 50% to about 38%, with effects lasting up to three years; "+
				"drink-driving courts reduced it by about 12 percentage points (randomised trials less consistent); juvenile courts from 50% to 43.5%.",
			"https://www.drugsandalcohol.ie/18692/", map[string]any{"effect": map[string]any{"measure": "recidivism, proportion", "before": 0.50, "after": 0.38, "n_studies": 154}}),
		{Key: "seed:finding:knowledge-not-used", Kind: KindFinding, Language: "en", Title: "The urban security knowledge base is not being used",
			Summary: "The IcARUS review of 30 years of research found that what is known about urban security is not sufficiently implemented.",
			Body: "D2.1 \"The Changing Face of Urban Security Research\" (Crawford, Donkin and Weirich, Leeds) concludes that the urban security knowledge base lags behind other fields of public policy and is not sufficiently implemented: " +
				"interventions are often poorly informed by research evidence, rarely specify their theory of change, frequently suffer from implementation failure and are rarely rigorously evaluated.",
			Source: "https://icarus-innovation.eu/?p=2457", Metadata: map[string]any{"finding_type": "lesson"}},
	}
}
