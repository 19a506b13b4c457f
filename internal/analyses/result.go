package analyses

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/icarus-city/icarus/internal/geo"
)

// Result is what an analysis returns: its method card, a plain-language
// summary, and as the method has them a map layer (cells in WGS84), charts
// and a table (the CSV export); Detail is the method's own full output.
type Result struct {
	Method  string  `json:"method"`
	Card    Card    `json:"card"`
	Summary string  `json:"summary"`
	Layer   *Layer  `json:"layer,omitempty"`
	Charts  []Chart `json:"charts,omitempty"`
	Table   *Table  `json:"table,omitempty"`
	Detail  any     `json:"detail,omitempty"`
}

// Card is the method card shown beside every result.
type Card struct {
	Method      string      `json:"method"`   // full name of the method
	Question    string      `json:"question"` // what it answers
	Parameters  []Param     `json:"parameters"`
	Data        Window      `json:"data"`
	N           int         `json:"n"` // incidents used
	Excluded    []Exclusion `json:"excluded"`
	Uncertainty string      `json:"uncertainty"`
	References  []string    `json:"references"`
	Limits      []string    `json:"limits"`
	Doc         string      `json:"doc"`
	Warnings    []string    `json:"warnings,omitempty"`
}

// Param is one parameter as used, with how it was chosen.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Note  string `json:"note,omitempty"`
}

// Exclusion counts incidents left out for one reason.
type Exclusion struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Layer is a map layer of square cells (or points) in WGS84, with a legend.
type Layer struct {
	Title    string       `json:"title"`
	Legend   []LegendItem `json:"legend"`
	Features []Feature    `json:"features"`
	Note     string       `json:"note,omitempty"`
}

// LegendItem is one class of the layer.
type LegendItem struct {
	Class string `json:"class"`
	Label string `json:"label"`
	Color string `json:"color"`
	Count int    `json:"count"`
}

// Feature is a GeoJSON feature with a polygon geometry (lon/lat).
type Feature struct {
	Type       string         `json:"type"`
	Geometry   Geometry       `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// Geometry is a GeoJSON polygon (grid cells) or multipolygon (areas).
type Geometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// Chart is a line chart (Labels × Series) or a heatmap (Rows × Cols).
type Chart struct {
	Kind   string `json:"kind"` // line, heatmap, bars
	Title  string `json:"title"`
	XLabel string `json:"x_label,omitempty"`
	YLabel string `json:"y_label,omitempty"`
	// line and bars
	Labels []string `json:"labels,omitempty"`
	Series []Series `json:"series,omitempty"`
	// heatmap: Values colour the cells (diverging around Mid when set),
	// Text is written in them.
	Rows   []string   `json:"rows,omitempty"`
	Cols   []string   `json:"cols,omitempty"`
	Values [][]num    `json:"values,omitempty"`
	Text   [][]string `json:"text,omitempty"`
	Mid    *float64   `json:"mid,omitempty"`
	Note   string     `json:"note,omitempty"`
}

// Series is one line (or band edge) of a chart.
type Series struct {
	Name   string `json:"name"`
	Role   string `json:"role"` // value, expected, lower, upper, flag
	Values []num  `json:"values"`
}

// Table is the result as rows (the CSV export).
type Table struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// num is a float written as null in JSON when not finite.
type num float64

func (v num) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', 10, 64), nil
}

func (v *num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = num(math.NaN())
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	*v = num(f)
	return err
}

func nums(xs []float64) []num {
	out := make([]num, len(xs))
	for i, x := range xs {
		out[i] = num(x)
	}
	return out
}

// WriteCSV writes the result's table.
func (r *Result) WriteCSV(w io.Writer) error {
	if r.Table == nil {
		return fmt.Errorf("%s has no table", r.Method)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(r.Table.Columns); err != nil {
		return err
	}
	rec := make([]string, len(r.Table.Columns))
	for _, row := range r.Table.Rows {
		for i, v := range row {
			rec[i] = cell(v)
		}
		if err := cw.Write(rec[:len(row)]); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', 10, 64)
	case num:
		return cell(float64(x))
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// WriteGeoJSON writes the result's layer as a FeatureCollection, with the
// method card as a foreign member.
func (r *Result) WriteGeoJSON(w io.Writer) error {
	if r.Layer == nil {
		return fmt.Errorf("%s has no map layer: GeoJSON is for grid, kde, getis-ord and moran", r.Method)
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(map[string]any{"type": "FeatureCollection", "features": r.Layer.Features, "method_card": r.Card, "legend": r.Layer.Legend}); err != nil {
		return err
	}
	return bw.Flush()
}

// cellLayer builds square cell polygons (lower-left x0, y0; side) in WGS84.
type cellMaker struct {
	crs  geo.CRS
	x0   float64
	y0   float64
	side float64
	nx   int
}

func (m cellMaker) polygon(c int) (Geometry, error) {
	col, row := c%m.nx, c/m.nx
	x, y := m.x0+float64(col)*m.side, m.y0+float64(row)*m.side
	corners := [][2]float64{{x, y}, {x + m.side, y}, {x + m.side, y + m.side}, {x, y + m.side}, {x, y}}
	ring := make([][2]float64, len(corners))
	for i, p := range corners {
		if m.crs.IsZero() {
			ring[i] = p
			continue
		}
		lon, lat, err := m.crs.ToWGS84(p[0], p[1])
		if err != nil {
			return Geometry{}, err
		}
		ring[i] = [2]float64{math.Round(lon*1e6) / 1e6, math.Round(lat*1e6) / 1e6}
	}
	return Geometry{Type: "Polygon", Coordinates: [][][2]float64{ring}}, nil
}

// Sequential colours (ColorBrewer YlOrRd, 5 classes) for counts and densities.
func sequential() []string {
	return []string{"#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"}
}

// quantileClasses splits the positive values into up to 5 classes of
// about equal size; it returns the class index of each value (-1 for values
// not drawn) and the legend.
func quantileClasses(values []float64, format func(float64) string) ([]int, []LegendItem) {
	var pos []float64
	for _, v := range values {
		if v > 0 && !math.IsNaN(v) {
			pos = append(pos, v)
		}
	}
	cls := make([]int, len(values))
	if len(pos) == 0 {
		for i := range cls {
			cls[i] = -1
		}
		return cls, nil
	}
	sort.Float64s(pos)
	var breaks []float64 // upper bounds
	for k := 1; k <= 5; k++ {
		b := pos[min(len(pos)-1, int(math.Ceil(float64(k)*float64(len(pos))/5))-1)]
		if len(breaks) == 0 || b > breaks[len(breaks)-1] {
			breaks = append(breaks, b)
		}
	}
	colors := sequential()
	off := len(colors) - len(breaks)
	legend := make([]LegendItem, len(breaks))
	lo := pos[0]
	for k, b := range breaks {
		label := format(lo) + " – " + format(b)
		if format(lo) == format(b) {
			label = format(b)
		}
		legend[k] = LegendItem{Class: "q" + strconv.Itoa(k+1), Label: label, Color: colors[off+k]}
		lo = b
	}
	for i, v := range values {
		cls[i] = -1
		if !(v > 0) {
			continue
		}
		k := sort.SearchFloat64s(breaks, v)
		if k >= len(breaks) {
			k = len(breaks) - 1
		}
		cls[i] = k
		legend[k].Count++
	}
	return cls, legend
}
