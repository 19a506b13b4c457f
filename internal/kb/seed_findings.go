package kb

// The headline findings shipped with Icarus: what the IcARUS review (D2.1,
// Crawford, Donkin & Weirich, Leeds) and the project's own pilots reported,
// as summarised in ../shared/reference/icarus-toolkit.md §0-2 and §5. Our own
// words; each finding cites where it is stated. The notes hold no figures for
// these findings, so none is given. The Research Overview page itself (one
// paragraph per focus area) was not available in full: findings below are
// only those the notes quote or describe.

func findings() []Item {
	const review = "Crawford, A., Donkin, S. & Weirich, M. (Leeds). D2.1 The Changing Face of Urban Security Research: A Review of Accumulated Learning. IcARUS"
	f := func(key, typ, focus string, cc []string, period, basis, title, summary, body string, refs ...Citation) Item {
		meta := map[string]any{"finding_type": typ, "period": period, "basis": basis, "references": refs}
		return Item{Key: "seed:finding:" + key, Kind: KindFinding, Language: "en", Title: title, FocusArea: focus, CrossCutting: cc,
			Summary: summary, Body: body, Source: refs[0].URL, Metadata: meta}
	}
	d21 := Citation{Text: review + ", as presented at icarus-innovation.eu", URL: "https://icarus-innovation.eu/?p=2457"}
	return []Item{
		f("knowledge-not-used", "lesson", "", []string{"governance"}, "1990s–2020s", "literature review and expert interviews",
			"The urban security knowledge base is not being used",
			"The IcARUS review of 30 years of research found that what is known about urban security is not sufficiently put into practice.",
			"The review concludes that the urban security knowledge base lags behind other fields of public policy and that what is known is not being sufficiently implemented. "+
				"For a city this means that looking up the evidence before choosing an intervention is itself the first improvement.", d21),
		f("theory-of-change-gap", "gap", "", []string{"governance"}, "1990s–2020s", "literature review and expert interviews",
			"Interventions rarely state how they are meant to work, and are rarely evaluated rigorously",
			"Urban security interventions are often poorly informed by research, rarely specify their mechanism (theory of change), often fail in implementation and are rarely evaluated rigorously.",
			"The same review finds that interventions are often poorly informed by research evidence, rarely specify the theories of change (mechanisms) behind them, frequently suffer from implementation failure and rarely involve rigorous evaluation. "+
				"The gap is therefore twofold: missing evidence on what works locally, and missing descriptions of why an intervention should work, which make later evaluation hard.", d21),
		f("thirty-year-trends", "trend", "", []string{"governance", "gender", "technology"}, "1990s–2020s", "literature review",
			"Thirty years of urban security: places, problems, partnerships, users and gender",
			"Across the period the review sees the growing weight of design features and place-based interventions, problem-oriented approaches, partnerships, user engagement and attention to gender.",
			"A journal article drawn from the review names the cross-period trends: the growing importance of design features, place-based interventions, problem-oriented approaches, partnership relations, user engagement and gender implications. "+
				"The backdrop is changing crime and insecurity, new harms, and digitalisation.",
			Citation{Text: "Article from the IcARUS review of urban security research (CrimRxiv)", URL: "https://www.crimrxiv.com/pub/s3x6q87y/release/1"}),
		f("context-drivers", "trend", "", []string{"technology", "governance"}, "2010s–2020s", "programme framing",
			"Falling trust, tighter budgets and smart cities shape urban security policy",
			"IcARUS frames today's urban security policy against falling trust in institutions, budget cuts and crises, and the spread of smart-city technology.",
			"The programme's description names three context drivers: falling trust in institutions; budget cuts and successive crises; and smart cities, i.e. the use of technology in crime prevention. "+
				"In the pilots, technology stayed modest (a dashboard, a web application, surveys) and no predictive policing was used.",
			Citation{Text: "Efus, IcARUS project page", URL: "https://efus.eu/icarus-en/"}),
		f("organised-crime-approaches", "lesson", "organised_crime", []string{"governance"}, "1990s–2020s", "literature review",
			"Organised crime is tackled through criminal justice, administrative and victim-focused approaches",
			"The review's lessons on organised crime distinguish three approaches: criminal justice, administrative measures and victim-focused work.",
			"Besides prosecution, local authorities can act through administrative measures (licences, permits, inspections) and through support for victims; the review treats the three as complementary approaches to organised crime.",
			Citation{Text: "IcARUS news: lessons on organised crime from the review", URL: "https://icarus-innovation.eu/category/news-articles/page/5"}),
		f("partnership-conditions", "lesson", "organised_crime", []string{"governance"}, "1990s–2020s", "literature review",
			"Five conditions for partnerships against organised crime",
			"Partnerships work when partners own them, expectations are clear, differences in power and competence are acknowledged, trust and information are shared, and end-users are engaged.",
			"The review lists five conditions for partnership work against organised crime: ownership; clearly defined expectations; acknowledged differences in power and competences; trust and information sharing; and engagement with end-users and beneficiaries.",
			Citation{Text: "IcARUS news: lessons on organised crime from the review", URL: "https://icarus-innovation.eu/category/news-articles/page/5"}),
		f("design-thinking-adapted", "lesson", "", []string{"governance"}, "2020s", "IcARUS pilots",
			"Design thinking has to be adapted, not just adopted, by public administrations",
			"The project's design-thinking method (empathise, define, ideate, prototype, test) needed adapting to the way public administrations work.",
			"IcARUS used design thinking as its overarching method and found it needed to be adapted rather than just adopted for public administrations; validation workshops with civil society were one of the key activities added.",
			Citation{Text: "IcARUS: Design thinking, adapting to public policy", URL: "https://www.icarus-innovation.eu/design-thinking-adapting-to-public-policy/"}),
		f("training-length", "tension", "public_spaces", []string{"gender", "governance"}, "2020s", "IcARUS pilots (Nice)",
			"Depth of training versus what partners can give",
			"Partners outside public services will not sit long training sessions, yet manuals alone are not enough: training has to be short, in person and hands-on.",
			"In Nice, shopkeepers joining Ask for Angela would not sit a three-hour victim-support session; a 90-minute face-to-face format worked, while virtual or paper training was judged inadequate. "+
				"The project's training work concluded that manuals alone are insufficient and that methods should be tried out by those who will use them.",
			Citation{Text: "IcARUS news, June 2023 (Nice)", URL: "https://www.icarus-innovation.eu/2023/06/"},
			Citation{Text: "IcARUS: elaboration of training procedures for end-users", URL: "https://icarus-innovation.eu/elaboration-of-training-procedures-for-end-users-a-crucial-step-towards-implementation-and-dissemination-of-the-icarus-toolkit"}),
		f("under-reported-youth-crime", "gap", "juvenile_delinquency", []string{"technology"}, "2020s", "city needs analysis",
			"Juvenile offences such as stalking, bullying and robbery are under-reported",
			"Police records miss much juvenile delinquency: Turin named under-reported stalking, bullying and robbery as its problem, and built a dashboard from several organisations' data to see it.",
			"The needs analysis of the partner cities found that Turin's problem was under-reported juvenile crime (stalking, bullying, robbery). "+
				"Its tool combines anonymised data from several organisations (school drop-out, surveys on youth aggression, convictions of young adults) because police data alone do not show the problem.",
			Citation{Text: "IcARUS city needs analysis (Leeds)", URL: "https://icarus-innovation.eu/tag/news-articles/page/7"}),
		f("radicalisation-local-strategy", "gap", "radicalisation", []string{"governance"}, "2020s", "city needs analysis",
			"Cities lack local multi-stakeholder strategies against radicalisation",
			"Stuttgart's need was a local strategy against radicalisation shared by several organisations, not another single programme.",
			"In the needs analysis, Stuttgart asked for a local multi-stakeholder strategy to prevent radicalisation; its pilot (Trick17) reaches young people through social organisations and schools.",
			Citation{Text: "IcARUS city needs analysis (Leeds)", URL: "https://icarus-innovation.eu/tag/news-articles/page/7"}),
		f("public-space-holistic", "lesson", "public_spaces", []string{"governance"}, "2020s", "city needs analysis",
			"Safe public spaces need planners, police, social services and residents together",
			"Riga's approach to the security of public spaces involves urban planners, law enforcement, social services and residents rather than the police alone.",
			"Riga described its need as a holistic approach to public spaces involving urban planners, law enforcement, social services and residents; its pilot compares police records with residents' answers on insecurity, disorder and trust to adjust policing.",
			Citation{Text: "IcARUS: Riga, a holistic approach to the security of public spaces", URL: "https://icarus-innovation.eu/riga-a-holistic-approach-to-the-security-of-public-spaces"}),
		f("ethics-technology", "tension", "", []string{"technology"}, "2020s", "IcARUS ethics management",
			"Data and technology for prevention versus privacy and rights",
			"Using more data and technology in prevention raises risks to privacy and rights that need an explicit ethics framework.",
			"IcARUS's ethics management plan names GDPR and the risks of AI, big data and blockchain explicitly, and the project adopted a code of ethics with five common principles and separate recommendations for researchers, local actors and citizens.",
			Citation{Text: "IcARUS ethics management plan (Plus Ethics)", URL: "https://icarus-innovation.eu/?p=1548"}),
	}
}
