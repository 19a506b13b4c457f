// Package demo loads the Greater Manchester demo city (real, public data
// embedded in the binary) through the same import service as any file.
package demo

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"

	"github.com/icarus-city/icarus/internal/hub"
)

//go:embed data/*.gz
var files embed.FS

// OrgSlug and OrgName name the demo organisation.
const (
	OrgSlug = "greater-manchester"
	OrgName = "Greater Manchester"
)

const (
	attribPolice = "data.police.uk, Open Government Licence v3.0"
	attribLSOA   = "Contains National Statistics / OS data, Crown copyright (ESRC/JISC, ED-LINE consortium)"
	attribWards  = "Office for National Statistics, Open Government Licence v3.0"
)

// open returns the decompressed bytes of an embedded file.
func open(name string) (io.ReadCloser, error) {
	f, err := files.Open("data/" + name + ".gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("demo file %s: %w", name, err)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// Load imports the demo city into orgID (LoadAreas, then LoadIncidents)
// and returns the import summaries. step is told each file as it starts.
func Load(ctx context.Context, svc *hub.Service, orgID int64, step func(what string)) ([]hub.Summary, error) {
	out, err := LoadAreas(ctx, svc, orgID, step)
	if err != nil {
		return out, err
	}
	more, err := LoadIncidents(ctx, svc, orgID, step)
	return append(out, more...), err
}

// LoadAreas imports the demo's two boundary layers (282 LSOAs, 215 wards).
func LoadAreas(ctx context.Context, svc *hub.Service, orgID int64, step func(what string)) ([]hub.Summary, error) {
	var out []hub.Summary
	areas := []struct{ file, base, layer, attrib string }{
		{"manchester_crime_lsoa.shp", "manchester_crime_lsoa", "LSOA (Manchester)", attribLSOA},
		{"manchester_wards.geojson", "manchester_wards", "Wards (Greater Manchester)", attribWards},
	}
	for _, a := range areas {
		step(a.layer)
		base := a.base
		fc, err := hub.ReadSpatial(a.file, func(ext string) (io.ReadCloser, error) {
			if ext == ".geojson" {
				return open(a.file)
			}
			return open(base + ext)
		})
		if err != nil {
			return out, fmt.Errorf("demo %s: %w", a.file, err)
		}
		sum, err := svc.ImportAreas(ctx, a.file, fc, hub.AreaOptions{OrgID: orgID, Layer: a.layer, Attribution: a.attrib, Actor: "demo"})
		out = append(out, sum)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// IncidentFiles is the number of incident files LoadIncidents imports.
const IncidentFiles = 2

// LoadIncidents imports the demo's two burglary files (8,144 points of 2017,
// 92,666 records of 2016-2019 at month resolution).
func LoadIncidents(ctx context.Context, svc *hub.Service, orgID int64, step func(what string)) ([]hub.Summary, error) {
	var out []hub.Summary
	incidents := []struct{ file, dataset, preset string }{
		{"manc_burglary_bng.geojson", "Manchester burglary 2017 (points)", "generic"},
		{"gmp_bur.csv", "Greater Manchester burglary 2016-2019", "police-uk"},
	}
	for _, in := range incidents {
		step(in.dataset)
		r, err := open(in.file)
		if err != nil {
			return out, err
		}
		sum, err := svc.ImportIncidents(ctx, hub.Source{Name: in.file, R: r}, hub.IncidentOptions{OrgID: orgID, Dataset: in.dataset, Preset: in.preset, Attribution: attribPolice, Actor: "demo"})
		out = append(out, sum)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Files lists the embedded files (for tests and docs).
func Files() ([]string, error) { return fs.Glob(files, "data/*.gz") }
