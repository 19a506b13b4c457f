package open311

import (
	"math"
	"slices"
	"strings"
)

// ServiceSpec is a service as Icarus keeps it: the public Open311 fields,
// its definition, and what only the city sees (sensitivity, ICCS code,
// department).
type ServiceSpec struct {
	Code        string
	Name        string
	Description string
	Group       string
	Keywords    string
	Type        ServiceType
	// Sensitive services are pre-moderated and never show a location (nor a
	// description) in the public view.
	Sensitive bool
	// ICCS is the UNODC ICCS code where the reported behaviour is a crime
	// ("" otherwise).
	ICCS string
	// Department is the body responsible (agency_responsible).
	Department string
	// Notice is returned as service_notice.
	Notice     string
	Attributes []Attribute
}

// Public is the service list entry of the spec.
func (s ServiceSpec) Public() Service {
	t := s.Type
	if t == "" {
		t = Realtime
	}
	return Service{ServiceCode: s.Code, ServiceName: s.Name, Description: s.Description,
		Metadata: len(s.Attributes) > 0, Type: t, Keywords: s.Keywords, Group: s.Group}
}

// Definition is the service definition document.
func (s ServiceSpec) Definition() *ServiceDefinition {
	attrs := slices.Clone(s.Attributes)
	if attrs == nil {
		attrs = []Attribute{}
	}
	slices.SortStableFunc(attrs, func(a, b Attribute) int { return a.Order - b.Order })
	return &ServiceDefinition{ServiceCode: s.Code, Attributes: attrs}
}

// Validate checks a service (as a city edits it).
func (s ServiceSpec) Validate() FieldErrors {
	var fe FieldErrors
	if !ValidCode(s.Code) {
		fe.add("service_code", "use 1 to 64 letters, digits, '_', '.' or '-'")
	}
	if strings.TrimSpace(s.Name) == "" {
		fe.add("service_name", "is required")
	}
	if s.Type != "" && !s.Type.Valid() {
		fe.add("type", "must be realtime, batch or blackbox")
	}
	orders := map[int]bool{}
	codes := map[string]bool{}
	for _, a := range s.Attributes {
		f := "attribute[" + a.Code + "]"
		switch {
		case !ValidCode(a.Code):
			fe.add(f, "bad attribute code")
		case codes[a.Code]:
			fe.add(f, "duplicate attribute code")
		case !a.Datatype.Valid():
			fe.add(f, "unknown datatype %q", a.Datatype)
		case a.Order < 1 || orders[a.Order]:
			fe.add(f, "order must be a positive integer not used by another attribute")
		case a.Datatype.IsList() && len(a.Values) == 0:
			fe.add(f, "a list needs values")
		}
		codes[a.Code], orders[a.Order] = true, true
	}
	return fe
}

// DefaultServices is the starting set of urban-security services a city
// can then edit. Between them their definitions use every datatype.
func DefaultServices() []ServiceSpec {
	when := Attribute{Variable: true, Code: "when", Datatype: Datetime, Order: 1,
		DatatypeDescription: "ISO 8601 date and time, e.g. 2025-03-01T21:30:00Z",
		Description:         "When did you notice it?"}
	timeOfDay := Attribute{Variable: true, Code: "time_of_day", Datatype: SingleValueList, Order: 2,
		Description: "At what time of day does it happen?",
		Values: []Value{{"morning", "Morning"}, {"afternoon", "Afternoon"}, {"evening", "Evening"},
			{"night", "Night"}, {"always", "At any time"}}}
	emergency := Attribute{Variable: false, Code: "emergency_notice", Datatype: Text, Order: 99,
		Description: "This form is not for emergencies. If someone is in danger now, call the emergency number (112 / 999 / 911)."}
	return []ServiceSpec{
		{Code: "lighting", Name: "Street lighting out", Group: "environment", Keywords: "lamp, light, dark, street light",
			Description: "A street light, or a group of lights, is out or flickering.", Department: "Public works",
			Notice: "The lighting team checks reports within 5 working days.",
			Attributes: []Attribute{
				{Variable: true, Code: "lamp_count", Datatype: Number, Order: 1, Required: false,
					DatatypeDescription: "a whole number", Description: "How many lights are out?"},
				{Variable: true, Code: "pole_id", Datatype: String, Order: 2,
					DatatypeDescription: "the number painted on the pole, if any", Description: "Pole number"},
				{Variable: true, Code: "state", Datatype: SingleValueList, Order: 3,
					Description: "What is wrong?", Values: []Value{{"out", "Completely out"}, {"flicker", "Flickering"}, {"day", "On during the day"}}},
			}},
		{Code: "vandalism", Name: "Vandalism and graffiti", Group: "environment", Keywords: "graffiti, tag, damage, broken, vandalism",
			Description: "Graffiti, tags or deliberate damage to public property.", ICCS: "0504", Department: "Public works",
			Attributes: []Attribute{
				{Variable: true, Code: "surface", Datatype: MultiValueList, Order: 1, Required: true,
					Description: "What was damaged?", Values: []Value{{"wall", "Wall or facade"}, {"bus_stop", "Bus stop"},
						{"sign", "Sign"}, {"bench", "Bench"}, {"vehicle", "Vehicle"}, {"other", "Other"}}},
				{Variable: true, Code: "offensive", Datatype: SingleValueList, Order: 2,
					Description: "Is the content offensive (racist, sexist, threatening)?", Values: []Value{{"yes", "Yes"}, {"no", "No"}}},
				at(when, 3),
			}},
		{Code: "furniture", Name: "Damaged street furniture", Group: "environment", Keywords: "bench, bin, railing, bus shelter, playground",
			Description: "Broken benches, bins, railings, shelters or play equipment that make a place feel neglected or unsafe.",
			Department:  "Public works",
			Attributes: []Attribute{
				{Variable: true, Code: "item", Datatype: SingleValueList, Order: 1, Required: true, Description: "What is damaged?",
					Values: []Value{{"bench", "Bench"}, {"bin", "Bin"}, {"railing", "Railing"}, {"shelter", "Bus shelter"}, {"play", "Play equipment"}, {"other", "Other"}}},
				{Variable: true, Code: "hazard", Datatype: SingleValueList, Order: 2, Description: "Could someone get hurt?",
					Values: []Value{{"yes", "Yes"}, {"no", "No"}}},
			}},
		{Code: "unsafe_place", Name: "Unsafe or abandoned place", Group: "places", Keywords: "abandoned, derelict, empty, dark, underpass, squat",
			Description: "A place that feels unsafe: derelict building, dark underpass, overgrown path, abandoned lot.",
			Department:  "Urban planning",
			Attributes: []Attribute{
				{Variable: true, Code: "place_type", Datatype: SingleValueList, Order: 1, Required: true, Description: "What kind of place?",
					Values: []Value{{"building", "Empty or derelict building"}, {"underpass", "Underpass or tunnel"}, {"path", "Path or alley"},
						{"park", "Park or green space"}, {"parking", "Car park"}, {"lot", "Vacant lot"}}},
				{Variable: true, Code: "why", Datatype: MultiValueList, Order: 3, Description: "Why does it feel unsafe?",
					Values: []Value{{"dark", "Poor lighting"}, {"hidden", "Hidden from view"}, {"litter", "Litter, needles"},
						{"people", "Groups gathering"}, {"noexit", "No way out"}}},
				timeOfDay,
				{Variable: true, Code: "details", Datatype: Text, Order: 4, Description: "What would make it feel safer?"},
			}},
		{Code: "antisocial", Name: "Antisocial behaviour", Group: "behaviour", Keywords: "asb, rowdy, drinking, nuisance, loitering",
			Description: "Rowdy or intimidating behaviour, street drinking, nuisance in a public place.", ICCS: "0801",
			Department: "Community safety",
			Attributes: []Attribute{
				{Variable: true, Code: "kind", Datatype: MultiValueList, Order: 1, Required: true, Description: "What happened?",
					Values: []Value{{"rowdy", "Rowdy or intimidating"}, {"drinking", "Street drinking"}, {"littering", "Littering, fly-tipping"},
						{"vehicles", "Nuisance vehicles"}, {"other", "Other"}}},
				timeOfDay,
				{Variable: true, Code: "people", Datatype: Number, Order: 3, DatatypeDescription: "an estimate", Description: "About how many people?"},
			}},
		{Code: "noise", Name: "Noise", Group: "behaviour", Keywords: "noise, music, party, shouting",
			Description: "Persistent noise in a public space (not a neighbour dispute).", Department: "Environmental health",
			Attributes: []Attribute{
				{Variable: true, Code: "source", Datatype: SingleValueList, Order: 1, Required: true, Description: "Where does it come from?",
					Values: []Value{{"street", "Street or square"}, {"venue", "Bar or venue"}, {"vehicle", "Vehicles"}, {"works", "Works"}}},
				at(when, 2),
			}},
		{Code: "drug_dealing", Name: "Drug dealing observed", Group: "crime", Keywords: "drugs, dealing, needles",
			Description: "Drug dealing seen in a public place. Do not intervene; describe places and times, not people.",
			Sensitive:   true, ICCS: "0601", Department: "Police liaison",
			Attributes: []Attribute{
				emergency,
				timeOfDay,
				{Variable: true, Code: "frequency", Datatype: SingleValueList, Order: 3, Required: true, Description: "How often have you seen it?",
					Values: []Value{{"once", "Once"}, {"weekly", "Several times a week"}, {"daily", "Every day"}}},
			}},
		{Code: "harassment", Name: "Harassment in public space", Group: "crime", Keywords: "harassment, catcalling, intimidation, following, sexual",
			Description: "Harassment or intimidation in the street or on public transport. Describe the place and the situation; your report is not published with its location.",
			Sensitive:   true, ICCS: "0208", Department: "Community safety",
			Attributes: []Attribute{
				emergency,
				{Variable: true, Code: "kind", Datatype: MultiValueList, Order: 1, Required: true, Description: "What kind of harassment?",
					Values: []Value{{"verbal", "Verbal"}, {"sexual", "Sexual"}, {"following", "Being followed"}, {"racist", "Racist or discriminatory"}, {"other", "Other"}}},
				at(when, 2),
				{Variable: true, Code: "recurring", Datatype: SingleValueList, Order: 3, Description: "Does it happen regularly at this place?",
					Values: []Value{{"yes", "Yes"}, {"no", "No"}, {"unknown", "I don't know"}}},
			}},
		{Code: "weapons", Name: "Weapons seen", Group: "crime", Keywords: "knife, weapon, gun",
			Description: "Weapons carried or hidden in a public place (e.g. knives stashed in a park).",
			Sensitive:   true, ICCS: "0901", Department: "Police liaison",
			Attributes: []Attribute{emergency, when}},
	}
}

// at returns a copy of a shared attribute with another order.
func at(a Attribute, order int) Attribute {
	a.Order = order
	return a
}

// ---------------------------------------------------------------- privacy

// metresPerDegreeLat is the length of one degree of latitude (WGS84 mean).
const metresPerDegreeLat = 111_320.0

// Snap moves a point to the centre of its cell in a grid of cells about
// metres wide, so that a public map shows where, not exactly where. Rows are
// equal steps of latitude; within a row the longitude step is chosen at the
// row's centre, so every point of a cell snaps to the same centre.
func Snap(lat, long, metres float64) (float64, float64) {
	if metres <= 0 || math.IsNaN(lat) || math.IsNaN(long) {
		return lat, long
	}
	dLat := metres / metresPerDegreeLat
	row := math.Floor((lat + 90) / dLat)
	cLat := -90 + (row+0.5)*dLat
	cos := math.Cos(cLat * math.Pi / 180)
	if cos < 1e-6 {
		cos = 1e-6
	}
	dLon := metres / (metresPerDegreeLat * cos)
	col := math.Floor((long + 180) / dLon)
	cLon := -180 + (col+0.5)*dLon
	return round6(math.Max(-90, math.Min(90, cLat))), round6(math.Max(-180, math.Min(180, cLon)))
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
