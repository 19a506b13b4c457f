package kb

// The evidence cards shipped with Icarus, from the published reviews listed
// in ../shared/reference/participation-evidence.md §5.5 (and the CRT details
// of §5.1). Every figure is the review's; figures the notes mark [verify]
// are left out (each card says which). Descriptions are our own words.

// seedReviewed is the date the shipped cards were last checked against the
// reference notes.
const seedReviewed = "2026-11-26"

func ptr[T any](v T) *T { return &v }

func evidenceCards() []Item {
	card := func(key, title, focus string, approaches []string, summary, body, source string, e Evidence) Item {
		if e.LastReviewed == "" {
			e.LastReviewed = seedReviewed
		}
		if e.Backfire == "" {
			e.Backfire = "not_reported"
		}
		if e.Displacement == "" {
			e.Displacement = "not_reported"
		}
		meta := map[string]any{"emmie": e}
		return Item{Key: "seed:evidence:" + key, Kind: KindEvidence, Title: title, FocusArea: focus, Approaches: approaches,
			Summary: summary, Body: body, Language: "en", Source: source, Year: reviewYear(e), Metadata: meta}
	}
	crt := func(id string) Citation {
		return Citation{Text: "College of Policing, Crime Reduction Toolkit (InterventionID=" + id + ")", URL: "https://whatworks.college.police.uk/toolkit/"}
	}
	yes := ptr(true)
	return []Item{
		card("street-lighting", "Improved street lighting", "public_spaces", []string{"situational", "prevention"},
			"Better street lighting was followed by less crime in treated areas than in comparison areas.",
			"Welsh and Farrington's Campbell review (2008:13) of 13 studies from the UK and the US found crime fell by 21% in areas with improved lighting compared with control areas "+
				"(38% in the UK studies, 7% in the US studies). Night-time crime did not fall more than daytime crime, which suggests that lighting works partly by increasing community pride and informal control rather than only visibility.",
			"https://whatworks.college.police.uk/toolkit/ (InterventionID=3)", Evidence{
				Focus: "situational", Places: []string{"public_space", "residential"}, Populations: []string{"general"},
				Effect: Effect{Direction: "reduction", Outcome: "crime", Measure: "% change in crime, treated vs control areas", Value: ptr(-21.0), NStudies: 13,
					Text: "Crime −21% in treated areas compared with control areas (UK studies −38%, US studies −7%)."},
				Mechanism:  "Not only visibility: night-time crime fell no more than daytime crime, which points to greater community pride and informal social control.",
				Moderators: "Larger in the UK studies than in the US studies.",
				Citations:  []Citation{{Text: "Welsh, B. C. & Farrington, D. P. (2008). Effects of improved street lighting on crime. Campbell Systematic Reviews 2008:13."}, crt("3")},
			}),
		card("cctv", "CCTV (closed-circuit television)", "public_spaces", []string{"situational", "prevention"},
			"CCTV brings a modest but significant reduction in crime, largest in car parks and when actively monitored.",
			"The 40-year update by Piza, Welsh, Farrington and Thomas (Criminology & Public Policy 18(1), 2019) found a significant and modest decrease in crime. "+
				"Effects were largest in car parks and also present in residential areas; actively monitored systems did better than passive ones, and CCTV combined with other measures did better than CCTV alone. "+
				"As a stand-alone measure in city centres it showed no effect. The College of Policing toolkit rates the evidence of an overall reduction as very strong.",
			"https://whatworks.college.police.uk/toolkit/ (InterventionID=1)", Evidence{
				Focus: "situational", Places: []string{"car_parks", "residential", "city_centre", "public_transport", "public_space"}, Populations: []string{"general"},
				Effect: Effect{Direction: "reduction", Size: "modest", Significant: yes, Outcome: "crime",
					Text: "A significant and modest decrease in crime across 76–80 evaluations; largest in car parks, also in residential areas."},
				Moderators: "Larger in car parks and residential areas; actively monitored systems do better than passive ones; CCTV combined with other measures does better than CCTV alone.",
				Implement:  "Active monitoring and combination with other measures (such as lighting) are associated with larger effects.",
				Quality:    Quality{Effect: "Very strong"},
				Ratings:    []Rating{{Scheme: "crt", Rating: "Overall reduction", Source: "https://whatworks.college.police.uk/toolkit/ (InterventionID=1)"}},
				Caveats:    []string{"No effect found as a stand-alone measure in city centres.", "An often-quoted overall figure of −16% (Welsh & Farrington 2009) is left out: not verified."},
				Citations:  []Citation{{Text: "Piza, E. L., Welsh, B. C., Farrington, D. P. & Thomas, A. L. (2019). CCTV surveillance for crime prevention: a 40-year systematic review with meta-analysis. Criminology & Public Policy 18(1)."}, crt("1")},
			}),
		card("neighbourhood-watch", "Neighbourhood Watch", "public_spaces", []string{"community", "prevention"},
			"Neighbourhood Watch schemes were associated with about 26 crimes prevented per 100.",
			"Bennett, Holloway and Farrington's Campbell review (2008:18) meta-analysed 18 studies: 15 of the 18 favoured Neighbourhood Watch, with roughly 26 fewer crimes per 100, and no backfire effect was reported.",
			"https://whatworks.college.police.uk/toolkit/ (InterventionID=8)", Evidence{
				Focus: "community", Places: []string{"residential"}, Populations: []string{"residents"},
				Effect: Effect{Direction: "reduction", Outcome: "crime", Measure: "crimes prevented per 100 crimes", Value: ptr(26.0), NStudies: 18,
					Text: "About 26 crimes prevented for every 100; 15 of the 18 studies favoured Neighbourhood Watch."},
				Quality:  Quality{Effect: "3 (old CRT score)", Mechanism: "1 (old CRT score)", Moderators: "2 (old CRT score)", Implementation: "1 (old CRT score)", Economic: "0 (old CRT score)"},
				Backfire: "no",
				Caveats:  []string{"The quality scores are from the College of Policing's older toolkit site; the top of its numeric scale is not verified in our sources."},
				Citations: []Citation{{Text: "Bennett, T., Holloway, K. & Farrington, D. P. (2008). The effectiveness of Neighbourhood Watch. Campbell Systematic Reviews 2008:18."},
					{Text: "College of Policing, Crime Reduction Toolkit (InterventionID=8), older site", URL: "http://whatworks.college.police.uk/toolkit/Pages/Intervention.aspx?InterventionID=8"}},
			}),
		card("hot-spots-policing", "Hot-spots policing", "public_spaces", []string{"criminal_justice", "situational"},
			"Concentrating police at crime hot spots yields a small but statistically significant reduction in crime, with diffusion of benefits more common than displacement.",
			"Braga, Turchan, Papachristos and Hureau's Campbell review (2019) of 65 studies with 78 tests found a small, statistically significant mean effect favouring the treated places; in 40 tests, diffusion of benefits to nearby areas was more likely than displacement.",
			"https://www.campbellcollaboration.org/better-evidence/effects-of-hot-spots-policing-on-crime.html", Evidence{
				Focus: "policing", Places: []string{"public_space", "city_centre", "residential"}, Populations: []string{"general"},
				Effect: Effect{Direction: "reduction", Size: "small", Significant: yes, Outcome: "crime", NStudies: 65, NTests: 78,
					Text: "A small, statistically significant mean effect favouring the treated places (65 studies, 78 tests)."},
				Displacement: "diffusion",
				Caveats:      []string{"A commonly quoted effect size (d ≈ 0.13) is left out: not verified."},
				Citations: []Citation{{Text: "Braga, A. A., Turchan, B., Papachristos, A. V. & Hureau, D. M. (2019). Hot spots policing of small geographic areas effects on crime. Campbell Systematic Reviews 15(3), cl2.1046; Journal of Experimental Criminology 15(3).",
					URL: "https://www.campbellcollaboration.org/better-evidence/effects-of-hot-spots-policing-on-crime.html"}},
			}),
		card("alley-gating", "Alley gating", "public_spaces", []string{"situational", "prevention"},
			"Gating the alleys behind terraced houses reduces domestic burglary, with little displacement.",
			"Sidebottom and colleagues (2018), an EMMIE-structured review of 43 studies with 6 higher-quality studies meta-analysed, found a modest but significant reduction in domestic burglary and little spatial displacement, and identified six mechanisms. "+
				"The primary evaluation in Liverpool (Bowers, Johnson & Hirschfield 2004) found burglary fell by 37%.",
			"https://www.college.police.uk/research/crime-reduction-toolkit/alley-gating", Evidence{
				Focus: "situational", CrimeTypes: []string{"05012"}, Places: []string{"residential"}, Populations: []string{"residents"},
				Effect: Effect{Direction: "reduction", Size: "modest", Significant: yes, Outcome: "domestic burglary (crime)", NStudies: 43,
					Text: "A modest but significant reduction in domestic burglary (43 studies, 6 higher-quality ones meta-analysed); burglary −37% in the Liverpool evaluation."},
				Mechanism:    "The review identified six mechanisms (not listed in our sources).",
				Displacement: "little",
				Citations: []Citation{{Text: "Sidebottom, A., Tompson, L., Thornton, A., Bullock, K., Tilley, N., Bowers, K. & Johnson, S. D. (2018). Gating alleys to reduce crime: a meta-analysis and realist synthesis. Justice Quarterly 35(1): 55–86."},
					{Text: "Bowers, K. J., Johnson, S. D. & Hirschfield, A. F. G. (2004). Closing off opportunities for crime: an evaluation of alley-gating. European Journal on Criminal Policy and Research."},
					{Text: "College of Policing, Crime Reduction Toolkit: alley gating", URL: "https://www.college.police.uk/research/crime-reduction-toolkit/alley-gating"}},
			}),
		card("mentoring", "Mentoring for young people at risk of delinquency", "juvenile_delinquency", []string{"developmental", "social", "prevention"},
			"Mentoring programmes have significant positive effects on delinquency and school performance, modest in size.",
			"Tolan, Henry, Schoeny, Bass, Lovegrove and Nichols (Campbell 2013:10) analysed 46 of 164 studies: mentoring had significant positive effects on delinquency and academic functioning, with trends for aggression and drug use. "+
				"Effects were modest by Cohen's standards and larger when mentors were motivated by professional development.",
			"https://www.campbellcollaboration.org/library/mentoring-juvenile-delinquency-and-associated-problems.html", Evidence{
				Focus: "developmental", Populations: []string{"youth"},
				Effect: Effect{Direction: "reduction", Size: "modest", Significant: yes, Outcome: "delinquency (crime)", NStudies: 46,
					Text: "Significant positive effects on delinquency and academic functioning (46 of 164 studies analysed); trends for aggression and drug use."},
				Moderators: "Larger effects when mentors were motivated by professional development.",
				Caveats:    []string{"A commonly quoted effect size for delinquency (d ≈ 0.21) is left out: not verified."},
				Citations: []Citation{{Text: "Tolan, P., Henry, D., Schoeny, M., Bass, A., Lovegrove, P. & Nichols, E. (2013). Mentoring interventions to affect juvenile delinquency and associated problems. Campbell Systematic Reviews 2013:10.",
					URL: "https://www.campbellcollaboration.org/library/mentoring-juvenile-delinquency-and-associated-problems.html"}},
			}),
		card("scared-straight", "\"Scared Straight\" and prison-visit programmes for juveniles", "juvenile_delinquency", []string{"developmental"},
			"Harmful: young people taken on prison visits to deter them offended more, not less, than those who were not.",
			"Petrosino, Turpin-Petrosino, Hollis-Peel and Lavenberg's Campbell/Cochrane update (2013) of 9 randomised or quasi-randomised trials with 946 juveniles found that the programmes increased the odds of offending by about 1.6 to 1.7 times compared with no intervention. "+
				"It is a textbook example of a backfiring intervention.",
			"https://www.cochrane.org/reviews/en/ab002796.html", Evidence{
				Focus: "developmental", Populations: []string{"youth"},
				Effect: Effect{Direction: "increase", Outcome: "offending (crime)", Measure: "odds of offending vs no intervention", NStudies: 9,
					Text: "The odds of offending were about 1.6 to 1.7 times higher than with no intervention (9 randomised or quasi-randomised trials, 946 juveniles)."},
				Backfire: "yes",
				Citations: []Citation{{Text: "Petrosino, A., Turpin-Petrosino, C., Hollis-Peel, M. E. & Lavenberg, J. G. (2013). 'Scared Straight' and other juvenile awareness programs for preventing juvenile delinquency. Campbell Systematic Reviews / Cochrane Database of Systematic Reviews.",
					URL: "https://www.cochrane.org/reviews/en/ab002796.html"}},
			}),
		card("restorative-justice", "Restorative justice conferencing", "juvenile_delinquency", []string{"criminal_justice", "victim_focused"},
			"Face-to-face conferences between offenders and victims modestly reduce repeat offending, cost-effectively, and help victims.",
			"Strang, Sherman, Mayo-Wilson, Woods and Ariel (Campbell 2013:12) reviewed 10 randomised trials with 1,880 offenders: a modest but highly cost-effective reduction in the frequency of repeat offending, larger for violent crime; "+
				"a UK cost–benefit ratio of 3.7 to 8.1 to 1; victims were more satisfied and reported less post-traumatic stress.",
			"https://www.campbellcollaboration.org/", Evidence{
				Focus: "offender", Places: []string{"justice"}, Populations: []string{"offenders", "victims"},
				Effect: Effect{Direction: "reduction", Size: "modest", Outcome: "frequency of repeat offending (crime)", NStudies: 10, NRCTs: 10,
					Text: "A modest reduction in the frequency of repeat offending (10 randomised trials, 1,880 offenders); victims more satisfied, with less post-traumatic stress."},
				Moderators:   "Larger effect for violent crime.",
				EconomicCost: "Highly cost-effective: a UK cost–benefit ratio of 3.7 to 8.1 to 1.",
				Citations: []Citation{{Text: "Strang, H., Sherman, L. W., Mayo-Wilson, E., Woods, D. & Ariel, B. (2013). Restorative justice conferencing using face-to-face meetings of offenders and victims. Campbell Systematic Reviews 2013:12."},
					{Text: "Sherman, L. W. et al. (2015). Are restorative justice conferences effective in reducing repeat offending? Journal of Quantitative Criminology."}},
			}),
		card("anti-bullying", "School anti-bullying programmes", "juvenile_delinquency", []string{"developmental", "prevention"},
			"School-based programmes reduce bullying by about a fifth; intensive programmes with parents and playground supervision work best.",
			"Farrington and Ttofi (Campbell 2009:6) reviewed 44 evaluations: bullying fell by 20–23% and victimisation by 17–20%. More intensive programmes, parent meetings, firm discipline and playground supervision were associated with larger effects; work with peers was associated with increases in victimisation.",
			"https://www.campbellcollaboration.org/", Evidence{
				Focus: "developmental", CrimeTypes: []string{"0208"}, Places: []string{"schools"}, Populations: []string{"youth"},
				Effect: Effect{Direction: "reduction", Outcome: "bullying and victimisation at school", Measure: "% change", NStudies: 44,
					Text: "Bullying −20 to −23%, victimisation −17 to −20% (44 evaluations)."},
				Moderators: "More intensive programmes, parent meetings, firm discipline and playground supervision go with larger effects.",
				Implement:  "Include parents and playground supervision; be wary of programme elements that work through peers.",
				Caveats:    []string{"Work with peers was associated with increases in victimisation.", "Bullying is mapped to ICCS 0208 (acts intended to induce fear or emotional distress) for matching; most bullying is not recorded as crime."},
				Citations: []Citation{{Text: "Farrington, D. P. & Ttofi, M. M. (2009). School-based programs to reduce bullying and victimization. Campbell Systematic Reviews 2009:6."},
					{Text: "Ttofi, M. M. & Farrington, D. P. (2011). Effectiveness of school-based programs to reduce bullying. Journal of Experimental Criminology."}},
			}),
		card("problem-oriented-policing", "Problem-oriented policing", "public_spaces", []string{"criminal_justice", "situational", "prevention"},
			"Analysing a recurring problem and tailoring the response to it reduces crime and disorder; broader, multi-partner responses do best.",
			"Weisburd, Telep, Hinkle and Eck's Campbell review (2008:14; Criminology & Public Policy 2010) found 10 rigorous studies among more than 5,500 screened, plus 45 pre/post studies, "+
				"and a modest but statistically significant reduction in crime and disorder. The update by Hinkle, Weisburd, Telep and Petersen (Policing 18, 2024) reports a 33.8% relative reduction in crime and disorder, "+
				"larger where responses were broader and involved several partners; even shallow problem solving still worked.",
			"https://www.campbellcollaboration.org/ (Campbell 2008:14); Policing 18 (2024) paae053", Evidence{
				Focus: "policing", Populations: []string{"general"},
				Effect: Effect{Direction: "reduction", Size: "modest", Significant: yes, Outcome: "crime and disorder", Measure: "% relative reduction in crime and disorder (2024 update)", Value: ptr(-33.8), NStudies: 10,
					Text: "A modest but statistically significant reduction in crime and disorder (10 rigorous studies plus 45 pre/post); −33.8% in the 2024 update."},
				Moderators: "Larger with broader responses involving several partners; even shallow problem solving still works.",
				Citations: []Citation{{Text: "Weisburd, D., Telep, C. W., Hinkle, J. C. & Eck, J. E. (2008). The effects of problem-oriented policing on crime and disorder. Campbell Systematic Reviews 2008:14; Criminology & Public Policy (2010)."},
					{Text: "Hinkle, J. C., Weisburd, D., Telep, C. W. & Petersen, K. (2024). Policing 18, paae053 (updated meta-analysis of problem-oriented policing)."}},
			}),
		card("focused-deterrence", "Focused deterrence (\"pulling levers\")", "organised_crime", []string{"criminal_justice", "social", "prevention"},
			"Direct, repeated communication with high-risk groups, backed by enforcement and support, reduces crime; most for gang and group gun violence.",
			"Braga, Weisburd and Turchan (Criminology & Public Policy 17(1), 2018; Campbell 2019) found a statistically significant, moderate crime reduction across 24 quasi-experiments, smaller in the more rigorous designs. "+
				"Their later update of 50 controlled evaluations, including 9 randomised trials, reports crime down 23% overall and 16% in the randomised trials, largest for programmes against gang and group gun violence, with positive community perceptions.",
			"https://www.campbellcollaboration.org/ (Campbell 2019 e1051)", Evidence{
				Focus: "policing", CrimeTypes: []string{"01", "02", "0901"}, Populations: []string{"high_risk_groups", "offenders"},
				Effect: Effect{Direction: "reduction", Size: "moderate", Significant: yes, Outcome: "crime", Measure: "% change in crime (latest update)", Value: ptr(-23.0), NStudies: 50, NRCTs: 9,
					Text: "A statistically significant, moderate reduction (24 quasi-experiments); in the latest update of 50 controlled evaluations, crime −23% overall and −16% in the 9 randomised trials."},
				Moderators: "Largest for programmes against gang and group gun violence; smaller in the more rigorous designs.",
				Caveats:    []string{"Matched to homicide, violence against the person and weapons offences, where the largest effects were found."},
				Citations: []Citation{{Text: "Braga, A. A., Weisburd, D. & Turchan, B. (2018). Focused deterrence strategies and crime control. Criminology & Public Policy 17(1); Campbell Systematic Reviews 2019 e1051."},
					{Text: "Braga, A. A., Turchan, B. & Weisburd, D. (update of Campbell 2019 e1051): 50 controlled evaluations."}},
			}),
		card("cognitive-behavioural-programmes", "Cognitive-behavioural programmes for offenders", "juvenile_delinquency", []string{"criminal_justice", "developmental"},
			"Cognitive-behavioural programmes reduce reoffending, most for higher-risk offenders and when well implemented.",
			"Lipsey, Landenberger and Wilson (Campbell 2007:6; Landenberger & Lipsey, Journal of Experimental Criminology 2005) reviewed 58 experimental and quasi-experimental studies and confirmed positive effects on recidivism, "+
				"larger for higher-risk offenders, with high-quality implementation, and for programmes including anger control and interpersonal problem solving; brand-name and generic programmes did equally well. "+
				"(A commonly quoted overall percentage is left out here because it could not be verified.)",
			"https://www.campbellcollaboration.org/ (Campbell 2007:6)", Evidence{
				Focus: "offender", Places: []string{"justice"}, Populations: []string{"offenders"},
				Effect: Effect{Direction: "reduction", Outcome: "recidivism (crime)", NStudies: 58,
					Text: "Positive effects on recidivism confirmed across 58 experimental and quasi-experimental studies."},
				Moderators: "Larger for higher-risk offenders and for programmes including anger control and interpersonal problem solving; brand-name and generic programmes did equally well.",
				Implement:  "High-quality implementation goes with larger effects.",
				Caveats:    []string{"A commonly quoted overall reduction in recidivism (about 25%) is left out: not verified."},
				Citations: []Citation{{Text: "Lipsey, M. W., Landenberger, N. A. & Wilson, S. J. (2007). Effects of cognitive-behavioral programs for criminal offenders. Campbell Systematic Reviews 2007:6."},
					{Text: "Landenberger, N. A. & Lipsey, M. W. (2005). The positive effects of cognitive-behavioral programs for offenders. Journal of Experimental Criminology."}},
			}),
		card("disorder-policing", "Disorder (\"broken windows\") policing", "public_spaces", []string{"criminal_justice", "community"},
			"Policing disorder reduces crime modestly, through community and problem-solving approaches; aggressive order maintenance does not.",
			"Braga, Welsh and Schnell (Journal of Research in Crime and Delinquency 52(4), 2015; Campbell 2019) analysed 28 studies with 30 tests, 9 of them randomised: an overall statistically significant, modest reduction in crime, "+
				"driven by community and problem-solving approaches; aggressive order-maintenance strategies did not reduce crime.",
			"https://www.campbellcollaboration.org/ (Campbell 2019 cl2.1050)", Evidence{
				Focus: "policing", Places: []string{"public_space", "city_centre", "residential"}, Populations: []string{"general"},
				Effect: Effect{Direction: "reduction", Size: "modest", Significant: yes, Outcome: "crime", NStudies: 28, NTests: 30, NRCTs: 9,
					Text: "An overall statistically significant, modest reduction in crime (28 studies, 30 tests, 9 randomised)."},
				Mechanism:  "Community and problem-solving approaches drive the effect.",
				Moderators: "Aggressive order-maintenance strategies did not reduce crime.",
				Caveats:    []string{"Aggressive order maintenance (zero tolerance) did not reduce crime: the effect comes from community and problem-solving approaches."},
				Citations:  []Citation{{Text: "Braga, A. A., Welsh, B. C. & Schnell, C. (2015). Can policing disorder reduce crime? Journal of Research in Crime and Delinquency 52(4); Campbell Systematic Reviews 2019 cl2.1050."}},
			}),
		card("community-policing", "Community-oriented policing", "public_spaces", []string{"community", "social_cohesion"},
			"Community policing improves citizens' satisfaction, perceived disorder and police legitimacy, but does little for crime or fear of crime.",
			"Gill, Weisburd, Telep, Vitter and Bennett (Journal of Experimental Criminology 10(4), 2014) reviewed 25 reports with 65 tests, 37 of them meta-analysed: positive effects on citizen satisfaction, perceived disorder and police legitimacy, "+
				"and limited effects on crime and on fear of crime.",
			"https://link.springer.com/article/10.1007/s11292-014-9210-y", Evidence{
				Focus: "community", Populations: []string{"residents", "general"},
				Effect: Effect{Direction: "none", Outcome: "crime and fear of crime", NStudies: 25, NTests: 65,
					Text: "Limited effects on crime and fear of crime; positive effects on citizen satisfaction, perceived disorder and police legitimacy (25 reports, 65 tests, 37 meta-analysed)."},
				Caveats: []string{"The review says \"limited\", not zero, effects on crime; its benefits are in satisfaction, perceived disorder and legitimacy."},
				Citations: []Citation{{Text: "Gill, C., Weisburd, D., Telep, C. W., Vitter, Z. & Bennett, T. (2014). Community-oriented policing to reduce crime, disorder and fear and increase satisfaction and legitimacy among citizens. Journal of Experimental Criminology 10(4).",
					URL: "https://link.springer.com/article/10.1007/s11292-014-9210-y"}},
			}),
		card("procedural-justice", "Procedural justice and legitimacy in policing", "public_spaces", []string{"criminal_justice", "social_cohesion"},
			"Treating people fairly and respectfully in police encounters improves satisfaction, confidence and cooperation.",
			"Mazerolle, Bennett, Davis, Sargeant and Manning (Campbell 2013:1; Journal of Experimental Criminology 9(3), 2013) found 163 studies and meta-analysed 30: every outcome was positive, significantly so for satisfaction and confidence, "+
				"compliance and cooperation, and perceived procedural justice; legitimacy itself improved but not significantly, and reoffending fell indirectly.",
			"https://www.campbellcollaboration.org/ (Campbell 2013:1)", Evidence{
				Focus: "policing", Populations: []string{"general"},
				Effect: Effect{Outcome: "satisfaction, confidence, compliance and cooperation", NStudies: 30,
					Text: "Every outcome positive; significant for satisfaction and confidence, compliance and cooperation, and perceived procedural justice; legitimacy positive but not significant; reoffending reduced indirectly (163 studies found, 30 meta-analysed)."},
				Mechanism: "Fair, respectful treatment raises satisfaction, confidence and cooperation with the police.",
				Citations: []Citation{{Text: "Mazerolle, L., Bennett, S., Davis, J., Sargeant, E. & Manning, M. (2013). Legitimacy in policing: a systematic review. Campbell Systematic Reviews 2013:1; Journal of Experimental Criminology 9(3)."}},
			}),
		card("drug-courts", "Drug courts", "organised_crime", []string{"criminal_justice", "social"},
			"Drug courts reduce reoffending among adult participants for up to three years.",
			"Mitchell, Wilson, Eggers and MacKenzie (Campbell 2012:4) reviewed 154 evaluations (92 adult, 34 juvenile, 28 for drink-driving): adult recidivism fell from about 50% to about 38%, with effects lasting up to three years; "+
				"drink-driving courts reduced it by about 12 percentage points (randomised trials less consistent); juvenile courts from 50% to 43.5%.",
			"https://www.drugsandalcohol.ie/18692/", Evidence{
				Focus: "offender", CrimeTypes: []string{"06"}, Places: []string{"justice"}, Populations: []string{"offenders"},
				Effect: Effect{Direction: "reduction", Outcome: "recidivism (crime)", Measure: "recidivism of adult participants, % (about 50% in comparison groups)", Value: ptr(38.0), NStudies: 154,
					Text: "Adult recidivism from about 50% to about 38%, lasting up to three years; drink-driving courts about −12 percentage points; juvenile courts 50% to 43.5% (154 evaluations)."},
				Moderators: "Effects lasted up to three years for adults; smaller for juvenile drug courts; randomised trials of drink-driving courts were less consistent.",
				Citations:  []Citation{{Text: "Mitchell, O., Wilson, D. B., Eggers, A. & MacKenzie, D. L. (2012). Drug courts' effects on criminal offending. Campbell Systematic Reviews 2012:4; Journal of Criminal Justice 40.", URL: "https://www.drugsandalcohol.ie/18692/"}},
			}),
	}
}

// reviewYear is the year of the newest dated citation of a card (the first
// four-digit year in parentheses), 0 when none.
func reviewYear(e Evidence) int {
	best := 0
	for _, c := range e.Citations {
		t := c.Text
		for i := 0; i+6 <= len(t); i++ {
			if t[i] == '(' && t[i+5] == ')' {
				y := 0
				ok := true
				for _, ch := range t[i+1 : i+5] {
					if ch < '0' || ch > '9' {
						ok = false
						break
					}
					y = y*10 + int(ch-'0')
				}
				if ok && y > best {
					best = y
				}
			}
		}
	}
	return best
}
