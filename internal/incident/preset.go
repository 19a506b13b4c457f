package incident

import (
	"fmt"
	"strings"
)

// PresetNames returns the names accepted by Preset, sorted.
func PresetNames() []string {
	return []string{"chicago", "code", "generic", "police-uk", "vancouver"}
}

// Preset returns the mapping of a known file layout. See
// docs/import-formats.md for the columns, formats and defaults of each.
func Preset(name string) (Mapping, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "police-uk", "policeuk", "police_uk", "uk":
		// Raw data.police.uk street files and their snake-cased R exports
		// (column matching ignores case, spaces, dots and underscores).
		return Mapping{
			HasHeader:         true,
			ID:                "Crime ID",
			Category:          "Crime type",
			Date:              "Month",
			X:                 "Longitude",
			Y:                 "Latitude",
			DateFormats:       []string{"2006-01"},
			CRS:               "EPSG:4326",
			MissingLocationOK: true,
			Keep:              []string{"Reported by", "Falls within", "Location", "LSOA code", "LSOA name", "Last outcome category", "Context"},
			Optional:          []string{"ID"},
		}, nil
	case "chicago":
		// City of Chicago portal export, its subsets (predictcode example:
		// Case Number,Date,Block,Primary Type,Latitude,Longitude) and the
		// aggravated-assaults layout (date,loc_cat,longitude,latitude,district).
		return Mapping{
			HasHeader:         true,
			ID:                "ID|Case Number",
			Category:          "Primary Type",
			Date:              "Date",
			X:                 "Longitude",
			Y:                 "Latitude",
			DateFormats:       []string{"01/02/2006 03:04:05 PM", "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"},
			CRS:               "EPSG:4326",
			MissingLocationOK: true,
			Keep: []string{"Case Number", "Block", "IUCR", "Description", "Location Description", "Arrest", "Domestic",
				"Beat", "District", "Ward", "Community Area", "FBI Code", "X Coordinate", "Y Coordinate", "loc_cat"},
			Optional: []string{"ID", "Category"},
		}, nil
	case "code", "crime-open-database", "cod":
		// Crime Open Database (Ashby), one row per offence.
		return Mapping{
			HasHeader:         true,
			ID:                "uid",
			Category:          "offense_type",
			Date:              "date_single",
			X:                 "longitude",
			Y:                 "latitude",
			CRS:               "EPSG:4326",
			MissingLocationOK: true,
			Keep: []string{"city_name", "offense_code", "offense_group", "offense_against", "location_type",
				"location_category", "census_block", "date_start", "date_end"},
			Optional: []string{"ID"},
		}, nil
	case "vancouver", "vpd":
		// Vancouver Police Department crime data (UTM zone 10N metres);
		// X=0,Y=0 means "no location" (offences against a person are not
		// geolocated).
		return Mapping{
			HasHeader:         true,
			Category:          "TYPE",
			Year:              "YEAR",
			Month:             "MONTH",
			Day:               "DAY",
			Hour:              "HOUR",
			Minute:            "MINUTE",
			X:                 "X",
			Y:                 "Y",
			CRS:               "EPSG:26910",
			MissingLocationOK: true,
			ZeroIsMissing:     true,
			Keep:              []string{"HUNDRED_BLOCK", "NEIGHBOURHOOD"},
			Optional:          []string{"Hour", "Minute"},
		}, nil
	case "generic", "":
		// Auto-detection among common names. CRS is EPSG:4326 when the
		// coordinates are lon/lat-named columns, otherwise the caller must
		// declare it (Reader.Mapping shows what was found).
		return Mapping{
			HasHeader: true,
			ID:        "id|uid|crime id|incident id|case number|case id|event id|report number",
			Category:  "category|crime type|offense type|offence type|primary type|offense|offence|crime|incident type|type",
			Date:      "date|date_single|datetime|date time|occurred|occurred on|date occurred|occurrence date|reported date|timestamp|month",
			X:         "longitude|lon|lng|long|x|x coordinate|easting",
			Y:         "latitude|lat|y|y coordinate|northing",
			Optional:  []string{"ID", "Category"},
		}, nil
	}
	return Mapping{}, fmt.Errorf("incident: unknown preset %q (valid: %s)", name, strings.Join(PresetNames(), ", "))
}

// isGeographic reports whether a CRS identifier denotes longitude/latitude
// degrees.
func isGeographic(crs string) bool {
	switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(crs), " ", "")) {
	case "EPSG:4326", "WGS84", "WGS:84", "OGC:CRS84", "CRS:84", "CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84",
		"URN:OGC:DEF:CRS:EPSG::4326", "EPSG:4258", "EPSG:4269", "EPSG:4283", "EPSG:4617", "4326":
		return true
	}
	return false
}

// lonLatName reports whether a header name denotes a longitude column.
func lonLatName(n string) bool {
	switch n {
	case "longitude", "lon", "lng", "long":
		return true
	}
	return false
}
