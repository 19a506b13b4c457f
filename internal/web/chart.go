package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/icarus-city/icarus/internal/analysis/trend"
)

// trendSVG draws a monthly series as an accessible SVG bar chart with a
// labelled y axis and year ticks. It uses presentation attributes only (no
// style attributes), so it passes the strict CSP.
func trendSVG(ps []monthPoint, base []trend.BaselinePoint, yLabel string) template.HTML {
	if len(ps) == 0 {
		return ""
	}
	const W, H, left, right, top, bottom = 900.0, 360.0, 72.0, 12.0, 14.0, 64.0
	var max int64 = 1
	for _, p := range ps {
		if p.Count > max {
			max = p.Count
		}
	}
	for _, q := range base {
		if q.Basis != trend.BasisNone && int64(q.Upper998) > max {
			max = int64(q.Upper998)
		}
	}
	step := niceStep(float64(max) / 5)
	ymax := math.Ceil(float64(max)/step) * step
	pw, ph := W-left-right, H-top-bottom
	bw := pw / float64(len(ps))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">`, W, H)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`, template.HTMLEscapeString(yLabel))
	for v := 0.0; v <= ymax+1e-9; v += step {
		y := top + ph - v/ymax*ph
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#d0d4d9" stroke-width="1"/>`, left, W-right, y, y)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="18" text-anchor="end" fill="#333">%g</text>`, left-6, y+6, v)
	}
	// the seasonal baseline: a band of 95% limits and the expected count
	for i, q := range base {
		if i >= len(ps) || q.Basis == trend.BasisNone {
			continue
		}
		x := left + float64(i)*bw
		yLo, yHi := top+ph-float64(q.Lower95)/ymax*ph, top+ph-float64(q.Upper95)/ymax*ph
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#dbe7f5"/>`, x, yHi, bw, yLo-yHi)
		ye := top + ph - q.Expected/ymax*ph
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#0a58b8" stroke-width="2"/>`, x, x+bw, ye, ye)
	}
	for i, p := range ps {
		h := float64(p.Count) / ymax * ph
		x := left + float64(i)*bw
		fill := "#b63c2b"
		if i < len(base) && base[i].Flag != trend.FlagNone {
			fill = "#5b1a12" // outside the limits: darker, and outlined
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d</title></rect>`, x+bw*0.2, top+ph-h, bw*0.6, h, fill, p.Month, p.Count)
		if fill != "#b63c2b" {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#111" stroke-width="2"/>`, x+bw*0.2, top+ph-h, bw*0.6, h)
		}
		if len(ps) <= 24 {
			// short series: every month's number under its bar
			fmt.Fprintf(&b, `<text x="%.1f" y="%g" font-size="16" text-anchor="middle" fill="#333">%s</text>`, x+bw/2, top+ph+20, p.Month[5:])
		}
		if (strings.HasSuffix(p.Month, "-01") || i == 0) && (i == 0 || len(ps)-i >= 3) { // a year label needs room
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%g" y2="%g" stroke="#333"/>`, x, x, top+ph, top+ph+44)
			fmt.Fprintf(&b, `<text x="%.1f" y="%g" font-size="18" fill="#333">%s</text>`, x+4, top+ph+44, p.Month[:4])
		}
	}
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" stroke="#333"/>`, left, W-right, top+ph, top+ph)
	fmt.Fprintf(&b, `<text x="20" y="%g" font-size="18" fill="#333" transform="rotate(-90 20 %g)" text-anchor="middle">%s</text>`, top+ph/2, top+ph/2, template.HTMLEscapeString(yLabel))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceStep rounds a raw axis step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return math.Max(1, m*p)
		}
	}
	return 10 * p
}
