package incident

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkReadAggravatedAssaults reads the Chicago aggravated assaults file
// (148,636 rows) from memory and reports rows/s:
//   - preset: chicago preset (Attrs loc_cat and district kept), gzipped input;
//   - nokeep: same without Keep (no per-row map), gzipped input;
//   - nokeep-plain: without Keep, already decompressed input.
func BenchmarkReadAggravatedAssaults(b *testing.B) {
	gz, err := os.ReadFile(filepath.Join(dataDir(b), "chicago", "chicago_aggravated_assaults.csv.gz"))
	if err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		b.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	preset := mustPreset(b, "chicago")
	preset.DefaultCategory = "aggravated assault"
	noKeep := preset
	noKeep.Keep = nil
	for _, bc := range []struct {
		name string
		data []byte
		m    Mapping
	}{
		{"preset", gz, preset},
		{"nokeep", gz, noKeep},
		{"nokeep-plain", plain, noKeep},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(plain)))
			b.ReportAllocs()
			rows := 0
			for b.Loop() {
				rd, err := NewReader(bytes.NewReader(bc.data), bc.m)
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, re, err := rd.Next()
					if err == io.EOF {
						break
					}
					if err != nil || re != nil {
						b.Fatal(err, re)
					}
					rows++
				}
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
