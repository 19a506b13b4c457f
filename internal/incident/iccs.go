package incident

import "strings"

// ICCSCategory is one code of the UNODC International Classification of Crime
// for Statistical Purposes (ICCS v1.0, 2015). The level follows from the code
// length: 2 digits section, 4 division, 5 group, 6 class.
type ICCSCategory struct {
	Code, Name string
}

// Level returns the ICCS level of the code (1 section, 2 division, 3 group,
// 4 class), 0 for an invalid code.
func (c ICCSCategory) Level() int { return ICCSLevel(c.Code) }

// ICCSLevel returns the level of an ICCS code from its length (0 if invalid).
func ICCSLevel(code string) int {
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return 0
		}
	}
	switch len(code) {
	case 2:
		return 1
	case 4:
		return 2
	case 5:
		return 3
	case 6:
		return 4
	}
	return 0
}

// ICCSSections returns the 11 ICCS sections (01..11) followed by the lower
// level codes used by the default mappings of police data, in code order.
// A fresh slice is returned on each call.
func ICCSSections() []ICCSCategory {
	return []ICCSCategory{
		{"01", "Acts leading to death or intending to cause death"},
		{"0101", "Intentional homicide"},
		{"0102", "Attempted intentional homicide"},
		{"0103", "Non-intentional homicide"},
		{"02", "Acts causing harm or intending to cause harm to the person"},
		{"0201", "Assaults and threats"},
		{"02011", "Assault"},
		{"020111", "Serious assault"},
		{"020112", "Minor assault"},
		{"02012", "Threat"},
		{"0202", "Acts against liberty"},
		{"0204", "Trafficking in persons"},
		{"0208", "Acts intended to induce fear or emotional distress"},
		{"03", "Injurious acts of a sexual nature"},
		{"0301", "Sexual violence"},
		{"03011", "Rape"},
		{"03012", "Sexual assault"},
		{"0302", "Sexual exploitation"},
		{"04", "Acts against property involving violence or threat against a person"},
		{"0401", "Robbery"},
		{"0402", "Extortion"},
		{"05", "Acts against property only"},
		{"0501", "Burglary"},
		{"05011", "Burglary of business premises"},
		{"05012", "Burglary of private residential premises"},
		{"0502", "Theft"},
		{"05021", "Theft of a motorized vehicle or parts thereof"},
		{"050211", "Theft of a motorized land vehicle"},
		{"0504", "Property damage"},
		{"06", "Acts involving controlled drugs or other psychoactive substances"},
		{"0601", "Unlawful acts involving controlled drugs or precursors"},
		{"0602", "Unlawful acts involving alcohol, tobacco or other controlled substances"},
		{"07", "Acts involving fraud, deception or corruption"},
		{"0701", "Fraud"},
		{"0702", "Forgery/counterfeiting"},
		{"08", "Acts against public order, authority and provisions of the State"},
		{"0801", "Acts against public order behavioural standards"},
		{"0802", "Acts against public order sexual standards"},
		{"09", "Acts against public safety and state security"},
		{"0901", "Acts involving weapons, explosives and other destructive materials"},
		{"10", "Acts against the natural environment"},
		{"11", "Other criminal acts not elsewhere classified"},
	}
}

// defaultICCSTable maps lower-cased source categories of the presets to ICCS
// codes. It is built on each call (no package state); DefaultICCS callers on
// a hot path should cache results (the Reader does).
func defaultICCSTable() map[string]string {
	return map[string]string{
		// data.police.uk crime types (current and historical names).
		"anti-social behaviour":        "", // not a crime
		"bicycle theft":                "0502",
		"burglary":                     "0501",
		"criminal damage and arson":    "0504",
		"drugs":                        "0601",
		"other crime":                  "", // heterogeneous, no single ICCS code
		"other theft":                  "0502",
		"possession of weapons":        "0901",
		"public order":                 "0801",
		"robbery":                      "0401",
		"shoplifting":                  "0502",
		"theft from the person":        "0502",
		"vehicle crime":                "0502",
		"violence and sexual offences": "02", // mostly section 02; also holds section 03 offences
		"violent crime":                "02",
		"violence against the person":  "02",
		"sexual offences":              "03",

		// Chicago primary types.
		"battery":                           "02011",
		"assault":                           "0201",
		"aggravated assault":                "020111",
		"theft":                             "0502",
		"motor vehicle theft":               "050211",
		"arson":                             "0504",
		"criminal damage":                   "0504",
		"narcotics":                         "0601",
		"other narcotic violation":          "0601",
		"homicide":                          "0101",
		"kidnapping":                        "0202",
		"criminal sexual assault":           "0301",
		"crim sexual assault":               "0301",
		"sex offense":                       "03",
		"prostitution":                      "0802",
		"weapons violation":                 "0901",
		"concealed carry license violation": "0901",
		"public peace violation":            "0801",
		"deceptive practice":                "0701",
		"stalking":                          "0208",
		"intimidation":                      "0201",
		"human trafficking":                 "0204",
		"liquor law violation":              "0602",
		"other offense":                     "", // heterogeneous
		"non-criminal":                      "",

		// Crime Open Database offense types (NIBRS based, lower case).
		"murder and nonnegligent manslaughter":         "0101",
		"negligent manslaughter":                       "0103",
		"justifiable homicide":                         "", // not a crime
		"simple assault":                               "020112",
		"residential burglary/breaking & entering":     "05012",
		"non-residential burglary/breaking & entering": "05011",
		"burglary/breaking & entering":                 "0501",
		"theft of motor vehicle parts/accessories":     "0502",
		"theft from motor vehicle":                     "0502",
		"theft from building":                          "0502",
		"theft from coin-operated machine or device":   "0502",
		"pocket-picking":                               "0502",
		"purse-snatching":                              "0502",
		"all other larceny":                            "0502",
		"destruction/damage/vandalism of property":     "0504",
		"drug/narcotic violations":                     "0601",
		"drug equipment violations":                    "0601",
		"weapon law violations":                        "0901",
		"false pretenses/swindle/confidence game":      "0701",
		"credit card/automated teller machine fraud":   "0701",
		"impersonation":                                "0701",
		"wire fraud":                                   "0701",
		"welfare fraud":                                "0701",
		"counterfeiting/forgery":                       "0702",
		"extortion/blackmail":                          "0402",
		"kidnapping/abduction":                         "0202",
		"rape (except statutory rape)":                 "03011",
		"sexual assault with an object":                "03012",
		"fondling":                                     "03012",
		"sodomy":                                       "0301",
		"human trafficking, commercial sex acts":       "0204",
		"human trafficking, involuntary servitude":     "0204",
		"prostitution offenses":                        "0802",
		"assisting or promoting prostitution":          "0802",
		"purchasing prostitution":                      "0802",
		"liquor law violations":                        "0602",
		"all other offenses":                           "", // heterogeneous

		// Vancouver Police Department TYPEs.
		"break and enter commercial":        "05011",
		"break and enter residential/other": "0501",
		"mischief":                          "0504",
		"theft from vehicle":                "0502",
		"theft of bicycle":                  "0502",
		"theft of vehicle":                  "050211",
		"offence against a person":          "02",
		"vehicle collision or pedestrian struck (with fatality)": "",
		"vehicle collision or pedestrian struck (with injury)":   "",
	}
}

// DefaultICCS returns the default ICCS code of a source category of the
// presets (police-uk crime types, Chicago primary types, Crime Open Database
// offense types, Vancouver types), matched case-insensitively and ignoring
// surrounding spaces. It returns "" for unmapped or non-crime categories
// (e.g. "Anti-social behaviour") and for heterogeneous "other" categories.
func DefaultICCS(category string) string {
	return defaultICCSTable()[strings.ToLower(strings.TrimSpace(category))]
}
