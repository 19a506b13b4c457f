package nearrepeat

import (
	"math"
	"strconv"
)

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// spaceBands labels the distance rows. NRC labels follow the calculator:
// "Same location", "1 to 100", "101 to 200", "More than 300" (a band
// "a to b" holds a-1 <= d < b).
func spaceBands(edges []float64, nrc bool) []Band {
	var out []Band
	last := edges[len(edges)-1]
	if nrc {
		out = append(out, Band{Label: "Same location", SameLocation: true})
	}
	for k := 0; k+1 < len(edges); k++ {
		lo, hi := edges[k], edges[k+1]
		b := Band{Min: lo, Max: hi}
		switch {
		case nrc && k == 0:
			b.MinExclusive = true
			b.Label = "1 to " + num(hi)
		case nrc:
			b.Label = num(lo+1) + " to " + num(hi)
		default:
			b.Label = num(lo) + "-" + num(hi) + " m"
		}
		out = append(out, b)
	}
	b := Band{Min: last, Max: math.Inf(1), Last: true, Label: num(last) + " m or more"}
	if nrc {
		b.Label = "More than " + num(last)
	}
	return append(out, b)
}

// timeBands labels the time columns (whole days): "0-1 days", "2-3 days",
// "4 days or more"; NRC: "0 to 7", "8 to 14", "More than 21".
func timeBands(edges []int, nrc bool) []Band {
	var out []Band
	for k := 0; k+1 < len(edges); k++ {
		lo, hi := edges[k], edges[k+1]
		b := Band{Min: float64(lo), Max: float64(hi)}
		switch {
		case nrc && k == 0:
			b.Label = "0 to " + strconv.Itoa(hi)
		case nrc:
			b.Label = strconv.Itoa(lo+1) + " to " + strconv.Itoa(hi)
		default:
			b.Label = dayRange(lo, hi-1)
		}
		out = append(out, b)
	}
	last := edges[len(edges)-1]
	b := Band{Min: float64(last), Max: math.Inf(1), Last: true, Label: strconv.Itoa(last) + " days or more"}
	if nrc {
		b.Label = "More than " + strconv.Itoa(last)
	}
	return append(out, b)
}

// dayRange is "0 days", "1 day", "2-3 days" for whole days lo..hi inclusive.
func dayRange(lo, hi int) string {
	switch {
	case lo == hi && lo == 1:
		return "1 day"
	case lo == hi:
		return strconv.Itoa(lo) + " days"
	}
	return strconv.Itoa(lo) + "-" + strconv.Itoa(hi) + " days"
}
