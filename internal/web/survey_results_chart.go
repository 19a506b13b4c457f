package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/icarus-city/icarus/internal/analysis/fearcrime"
)

// srBar is one choice's share with its 95% interval.
type srBar struct {
	Label        string
	P, Low, High float64
	Count        int
}

// srBarsSVG draws shares as horizontal bars with interval whiskers (0-100%
// axis), one row per choice. Presentation attributes only (strict CSP).
func srBarsSVG(bs []srBar, title string, multiple bool) template.HTML {
	const W, left, right, top, row, bottom = 500.0, 190.0, 62.0, 8.0, 32.0, 34.0
	H := top + row*float64(len(bs)) + bottom
	pw := W - left - right
	x := func(p float64) float64 { return left + p*pw }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart sr-bars" viewBox="0 0 %g %g" role="img" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, W, H, template.HTMLEscapeString(title))
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%g" y2="%g" stroke="#d0d4d9"/>`, x(t), x(t), top, H-bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" font-size="15" text-anchor="middle" fill="#333">%.0f%%</text>`, x(t), H-bottom+18, 100*t)
	}
	for i, br := range bs {
		y := top + float64(i)*row
		label := br.Label
		if len([]rune(label)) > 24 {
			label = string([]rune(label)[:23]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="16" text-anchor="end" fill="#222">%s</text>`, left-8, y+row/2+5, template.HTMLEscapeString(label))
		fmt.Fprintf(&b, `<rect x="%g" y="%.1f" width="%.1f" height="%.1f" fill="#4a7fb5"><title>%s: %.1f%% (95%% CI %.1f–%.1f%%), %d</title></rect>`,
			left, y+6, br.P*pw, row-12, template.HTMLEscapeString(br.Label), 100*br.P, 100*br.Low, 100*br.High, br.Count)
		ym := y + row/2
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#111" stroke-width="1.5"/>`, x(br.Low), x(br.High), ym, ym)
		for _, e := range []float64{br.Low, br.High} {
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#111" stroke-width="1.5"/>`, x(e), x(e), ym-6, ym+6)
		}
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="15" fill="#222">%.1f%%</text>`, W-right+6, y+row/2+5, 100*br.P)
	}
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" stroke="#333"/>`, left, left, top, H-bottom)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// srScatterPoint is one area on the quadrant chart.
type srScatterPoint struct {
	Label       string
	X, XLo, XHi float64
	Y, YLo, YHi float64
	Colour      string
	Firm        bool
}

// srQuadrantSVG draws the areas (x: incident measure, y: share unsafe) with
// their intervals as light whiskers, the two medians as dashed lines and
// the quadrants named in their corners. A point whose interval crosses a
// median is drawn hollow.
func srQuadrantSVG(ps []srScatterPoint, xMed, yMed float64, xLabel, yLabel string, ql map[fearcrime.Quadrant]string) template.HTML {
	const W, H, left, right, top, bottom = 720.0, 520.0, 70.0, 16.0, 16.0, 56.0
	xmax, ymax := 0.0, 0.0
	for _, p := range ps {
		xmax = math.Max(xmax, p.X)
		ymax = math.Max(ymax, p.Y)
	}
	// axes cover the points (whiskers may run off the plot and are clipped)
	xstep := srNiceStepF(xmax * 1.05 / 5)
	xtop := math.Max(xstep, math.Ceil(xmax*1.05/xstep)*xstep)
	ytop := math.Min(1, math.Ceil((ymax+0.05)*10)/10)
	if ytop <= 0 {
		ytop = 1
	}
	pw, ph := W-left-right, H-top-bottom
	X := func(v float64) float64 { return left + math.Min(v, xtop)/xtop*pw }
	Y := func(v float64) float64 { return top + ph - math.Min(v, ytop)/ytop*ph }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart sr-quadrant" viewBox="0 0 %g %g" role="img" xmlns="http://www.w3.org/2000/svg"><title>%s / %s</title>`, W, H,
		template.HTMLEscapeString(yLabel), template.HTMLEscapeString(xLabel))
	fmt.Fprintf(&b, `<defs><clipPath id="sr-plot"><rect x="%g" y="%g" width="%g" height="%g"/></clipPath></defs>`, left, top, pw, ph)
	for v := 0.0; v <= xtop+1e-9; v += xstep {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%g" y2="%g" stroke="#e3e6ea"/>`, X(v), X(v), top, top+ph)
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" font-size="13" text-anchor="middle" fill="#333">%g</text>`, X(v), top+ph+18, v)
	}
	for v := 0.0; v <= ytop+1e-9; v += 0.1 {
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#e3e6ea"/>`, left, left+pw, Y(v), Y(v))
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="13" text-anchor="end" fill="#333">%.0f%%</text>`, left-6, Y(v)+4, 100*v)
	}
	// quadrant names
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="14" font-weight="bold" fill="%s">%s</text>`, left+6, top+16, srQuadrantColour(fearcrime.HighFearLowCrime), template.HTMLEscapeString(ql[fearcrime.HighFearLowCrime]))
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="14" font-weight="bold" text-anchor="end" fill="%s">%s</text>`, left+pw-6, top+16, srQuadrantColour(fearcrime.HighFearHighCrime), template.HTMLEscapeString(ql[fearcrime.HighFearHighCrime]))
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="14" font-weight="bold" fill="%s">%s</text>`, left+6, top+ph-8, srQuadrantColour(fearcrime.LowFearLowCrime), template.HTMLEscapeString(ql[fearcrime.LowFearLowCrime]))
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="14" font-weight="bold" text-anchor="end" fill="%s">%s</text>`, left+pw-6, top+ph-8, srQuadrantColour(fearcrime.LowFearHighCrime), template.HTMLEscapeString(ql[fearcrime.LowFearHighCrime]))
	b.WriteString(`<g clip-path="url(#sr-plot)">`)
	for _, p := range ps {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-opacity="0.25"/>`, X(p.XLo), X(p.XHi), Y(p.Y), Y(p.Y), p.Colour)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-opacity="0.25"/>`, X(p.X), X(p.X), Y(p.YLo), Y(p.YHi), p.Colour)
	}
	for _, p := range ps {
		fill := p.Colour
		if !p.Firm {
			fill = "#ffffff"
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4.5" fill="%s" stroke="%s" stroke-width="1.5"><title>%s: %.1f%% [%.1f–%.1f%%]; %.1f [%.1f–%.1f]</title></circle>`,
			X(p.X), Y(p.Y), fill, p.Colour, template.HTMLEscapeString(p.Label), 100*p.Y, 100*p.YLo, 100*p.YHi, p.X, p.XLo, p.XHi)
	}
	b.WriteString(`</g>`)
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%g" y2="%g" stroke="#222" stroke-width="1.5" stroke-dasharray="6 4"/>`, X(xMed), X(xMed), top, top+ph)
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#222" stroke-width="1.5" stroke-dasharray="6 4"/>`, left, left+pw, Y(yMed), Y(yMed))
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" stroke="#333"/><line x1="%g" x2="%g" y1="%g" y2="%g" stroke="#333"/>`, left, left+pw, top+ph, top+ph, left, left, top, top+ph)
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="14" text-anchor="middle" fill="#222">%s</text>`, left+pw/2, H-12, template.HTMLEscapeString(xLabel))
	fmt.Fprintf(&b, `<text x="16" y="%g" font-size="14" text-anchor="middle" fill="#222" transform="rotate(-90 16 %g)">%s</text>`, top+ph/2, top+ph/2, template.HTMLEscapeString(yLabel))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// srNiceStepF rounds a raw axis step up to 1, 2 or 5 times a power of ten
// (fractional steps allowed, unlike niceStep).
func srNiceStepF(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}
