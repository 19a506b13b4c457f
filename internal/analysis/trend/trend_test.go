package trend

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		t, err = time.Parse("2006-01-02", s)
		if err != nil {
			panic(err)
		}
	}
	return t
}

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.15g, want %.15g (tol %g)", name, got, want, tol)
	}
}

func TestCountsWeeklyISOAndExclusions(t *testing.T) {
	// 2020-12-31 (Thu) is in ISO week 2020-W53, as are 2021-01-01..03;
	// 2021-01-04 (Mon) starts 2021-W01.
	times := []time.Time{
		d("2020-12-31 10:00"), d("2021-01-03 23:59"), d("2021-01-04 00:30"),
		d("2021-01-10"), d("2021-01-01"), time.Time{}, d("2021-02-01"),
	}
	res := []Resolution{Exact, Exact, Exact, Day, Month, Exact, Exact}
	s, err := Counts(times, res, CountParams{Interval: Weekly, From: d("2020-12-28"), To: d("2021-01-18")})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Periods) != 3 {
		t.Fatalf("periods = %+v", s.Periods)
	}
	want := []struct {
		label string
		n     int
	}{{"2020-W53", 2}, {"2021-W01", 2}, {"2021-W02", 0}}
	for i, w := range want {
		if s.Periods[i].Label != w.label || s.Periods[i].Count != w.n || s.Periods[i].Partial {
			t.Errorf("period %d = %+v, want %s %d", i, s.Periods[i], w.label, w.n)
		}
	}
	if s.N != 4 || s.Input != 7 {
		t.Errorf("N=%d Input=%d", s.N, s.Input)
	}
	got := map[string]int{}
	for _, e := range s.Excluded {
		got[e.Code] = e.Count
	}
	if got[ReasonMonthResolution] != 1 || got[ReasonMissingTime] != 1 || got[ReasonOutsideWindow] != 1 {
		t.Errorf("excluded = %+v", s.Excluded)
	}
}

func TestCountsTimeZoneAndMonthly(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	// 2021-02-01 03:00 UTC is 2021-01-31 21:00 in Chicago: January.
	// A month-resolution date stored as UTC midnight stays in its month.
	times := []time.Time{d("2021-02-01 03:00"), d("2021-02-01"), d("2021-03-15 12:00")}
	res := []Resolution{Exact, Month, Day}
	s, err := Counts(times, res, CountParams{Interval: Monthly, Location: chicago})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Periods) != 3 || s.Periods[0].Label != "2021-01" || s.Periods[0].Count != 1 ||
		s.Periods[1].Count != 1 || s.Periods[2].Count != 1 || s.Periods[1].Days != 28 {
		t.Errorf("periods = %+v", s.Periods)
	}
	if len(s.Excluded) != 0 || s.N != 3 {
		t.Errorf("excluded %+v n %d", s.Excluded, s.N)
	}
	// Daily series: the month-resolution incident is excluded; partial weeks flagged.
	w, err := Counts(times, res, CountParams{Interval: Weekly, Location: chicago, From: d("2021-01-31"), To: d("2021-03-16")})
	if err != nil {
		t.Fatal(err)
	}
	if !w.Periods[0].Partial || w.Periods[0].Days != 1 || w.Excluded[0].Code != ReasonMonthResolution || len(w.Notes) == 0 {
		t.Errorf("weekly = %+v", w)
	}
	if _, err := Counts(times, res, CountParams{Interval: Monthly, From: d("2021-01-15")}); !errors.Is(err, ErrInput) {
		t.Errorf("mid-month from accepted: %v", err)
	}
	if _, err := Counts(times, res[:1], CountParams{Interval: Daily}); !errors.Is(err, ErrInput) {
		t.Errorf("length mismatch accepted")
	}
}

func TestWeekdayHourMidnight(t *testing.T) {
	// 2024-01-01 is a Monday.
	times := []time.Time{
		d("2024-01-01 00:00"), d("2024-01-01 00:00"), d("2024-01-02 00:00"),
		d("2024-01-01 00:01"), d("2024-01-07 23:10"), d("2024-01-03 14:59"),
		d("2024-01-05"), d("2024-01-01"),
	}
	res := []Resolution{Exact, Exact, Exact, Exact, Exact, Exact, Day, Month}
	tab, err := WeekdayHour(times, res, WeekHourParams{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.N != 3 || tab.Counts[0][0] != 1 || tab.Counts[6][23] != 1 || tab.Counts[2][14] != 1 || tab.Midnight != 3 {
		t.Errorf("table n=%d midnight=%d %v", tab.N, tab.Midnight, tab.Counts)
	}
	// 3 at midnight vs 3 other exact times spread over 1439 minutes.
	near(t, "midnight ratio", tab.MidnightRatio, 3/(3.0/1439), 1e-12)
	got := map[string]int{}
	for _, e := range tab.Excluded {
		got[e.Code] = e.Count
	}
	if got[ReasonMidnight] != 3 || got[ReasonDayResolution] != 1 || got[ReasonMonthResolution] != 1 || len(tab.Notes) != 1 {
		t.Errorf("excluded %+v notes %v", tab.Excluded, tab.Notes)
	}
	inc, _ := WeekdayHour(times, res, WeekHourParams{IncludeMidnight: true})
	if inc.N != 6 || inc.Counts[0][0] != 3 || inc.Counts[1][0] != 1 {
		t.Errorf("with midnight: n=%d %v", inc.N, inc.Counts[0][0])
	}
}

// Reference values from SciPy 1.10.1 (Debian bookworm /usr/bin/python3),
// computed outside the repository with:
//
//	stats.poisson.ppf(q, mu) for q in (0.001, 0.025, 0.975, 0.999)
//	stats.poisson.cdf(int(mu), mu); stats.poisson.sf(int(1.3*mu)-1, mu)
func TestPoissonAgainstSciPy(t *testing.T) {
	cases := []struct {
		mu       float64
		q        [4]int
		cdf, sfv float64
	}{
		{0.4, [4]int{0, 0, 2, 3}, 0.6703200460356394, 1.0},
		{7.3, [4]int{1, 3, 13, 17}, 0.554106611839077, 0.31077556506547555},
		{52.0, [4]int{31, 38, 67, 76}, 0.5367917543823377, 0.025650055023587248},
		{250.0, [4]int{203, 219, 281, 300}, 0.5168122892155392, 3.1977185724367975e-06},
	}
	for _, c := range cases {
		for i, q := range []float64{0.001, 0.025, 0.975, 0.999} {
			if got := PoissonQuantile(q, c.mu); got != c.q[i] {
				t.Errorf("PoissonQuantile(%v, %v) = %d, want %d", q, c.mu, got, c.q[i])
			}
		}
		near(t, "PoissonCDF", PoissonCDF(int(c.mu), c.mu), c.cdf, 1e-12)
		near(t, "PoissonSF", PoissonSF(int(1.3*c.mu), c.mu), c.sfv, 1e-10)
	}
	// Hand values: P(X=0) = e^-μ; P(X ≤ 1) = e^-μ(1+μ).
	near(t, "cdf0", PoissonCDF(0, 2), math.Exp(-2), 1e-14)
	near(t, "cdf1", PoissonCDF(1, 2), 3*math.Exp(-2), 1e-14)
}

// Reference values from SciPy 1.10.1 (Debian /usr/bin/python3), outside the
// repository:
//
//	t = stats.binomtest(a, a+b, ea/(eb+ea)); ci = t.proportion_ci(conf, method='exact')
//	exact = ci.low/(1-ci.low)*eb/ea, ci.high/(1-ci.high)*eb/ea; p = t.pvalue
//	z = stats.norm.ppf(1-(1-conf)/2); lognormal = exp(log R ∓ z*sqrt(1/a+1/b))
func TestChangeAgainstSciPy(t *testing.T) {
	cases := []struct {
		b, a         int
		eb, ea, conf float64
		r, lo, hi, p float64
		lnLo, lnHi   float64
	}{
		{120, 150, 1, 1, 0.95, 1.25, 0.9766738482957164, 1.6026658753742382, 0.07738939898021883, 0.9832400054784173, 1.5891338750397275},
		{30, 12, 31, 28, 0.95, 0.44285714285714284, 0.20649222542354467, 0.8907286353971368, 0.0193676506252186, 0.22673730326282232, 0.8649765440327951},
		{7, 19, 1, 1, 0.9, 2.7142857142857144, 1.2383055096377247, 6.47528713181294, 0.028959274291992188, 1.3116311232013977, 5.616935134013491},
		{1000, 1100, 365, 366, 0.95, 1.0969945355191257, 1.0060425513532967, 1.1962767557060259, 0.034291725317667, 1.006961327836259, 1.1950776834147752},
	}
	for _, c := range cases {
		r, err := Change(c.b, c.a, ChangeParams{Confidence: c.conf, ExposureBefore: c.eb, ExposureAfter: c.ea})
		if err != nil {
			t.Fatal(err)
		}
		near(t, "ratio", r.RateRatio, c.r, 1e-14)
		near(t, "percent", r.PercentChange, 100*(c.r-1), 1e-12)
		near(t, "exact lo", r.Exact.Lower, c.lo, 1e-9)
		near(t, "exact hi", r.Exact.Upper, c.hi, 1e-9)
		near(t, "p", r.PValue, c.p, 1e-9)
		near(t, "ln lo", r.LogNormal.Lower, c.lnLo, 1e-12)
		near(t, "ln hi", r.LogNormal.Upper, c.lnHi, 1e-12)
		near(t, "pct lo", r.Exact.PctLower, 100*(c.lo-1), 1e-7)
	}
}

func TestChangeHandValues(t *testing.T) {
	// Equal counts, equal periods: R = 1, p = 1, symmetric exact interval
	// (the binomial split is symmetric about 1/2, so lo·hi = 1).
	r, err := Change(50, 50, ChangeParams{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "R", r.RateRatio, 1, 0)
	near(t, "p", r.PValue, 1, 0)
	near(t, "lo*hi", r.Exact.Lower*r.Exact.Upper, 1, 1e-9)
	// 0 before, 4 after: p = 2·(1/2)^4 = 1/8; exact upper bound infinite;
	// lower from Beta(0.025; 4, 1) = 0.025^(1/4).
	r, _ = Change(0, 4, ChangeParams{})
	near(t, "p0", r.PValue, 0.125, 1e-12)
	pl := math.Pow(0.025, 0.25)
	near(t, "lo0", r.Exact.Lower, pl/(1-pl), 1e-9)
	if !math.IsInf(r.Exact.Upper, 1) || r.LogNormal.Defined {
		t.Errorf("upper %v lognormal defined %v", r.Exact.Upper, r.LogNormal.Defined)
	}
	b, err := json.Marshal(r)
	if err != nil || !strings.Contains(string(b), `"upper":null`) || !strings.Contains(string(b), `"rate_ratio":null`) {
		t.Errorf("json %s %v", b, err)
	}
	if _, err := Change(0, 0, ChangeParams{}); !errors.Is(err, ErrInput) {
		t.Error("0/0 accepted")
	}
}

func TestSeasonalBaseline(t *testing.T) {
	// 5 years of monthly data, 100 a month, except a spike in the last
	// January (2024-01 = 140) and a dip in 2024-02 (= 60).
	var times []time.Time
	var res []Resolution
	for y := 2020; y <= 2024; y++ {
		for m := time.January; m <= time.December; m++ {
			n := 100
			if y == 2024 && m == time.January {
				n = 140
			}
			if y == 2024 && m == time.February {
				n = 60
			}
			for i := 0; i < n; i++ {
				times = append(times, time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
				res = append(res, Month)
			}
		}
	}
	s, err := Counts(times, res, CountParams{Interval: Monthly})
	if err != nil {
		t.Fatal(err)
	}
	b, err := SeasonalBaseline(s, BaselineParams{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Params.Years != 3 || b.NoBaseline != 12 || b.MovingAverage != 24 || b.SameMonth != 24 || b.Months != 60 {
		t.Fatalf("bases: %+v", b)
	}
	jan := b.Points[48]
	// Same month, 3 previous Januaries of 31 days with 100 each: 100 expected.
	if jan.Basis != BasisSameMonth || jan.Expected != 100 || jan.Flag != FlagAbove998 || jan.Upper998 != 132 || jan.Upper95 != 120 {
		t.Errorf("2024-01 = %+v", jan)
	}
	// February 2024 has 29 days; Februaries 2021–2023 have 28 days each, 300
	// incidents: expected = 300/84·29.
	feb := b.Points[49]
	near(t, "feb expected", feb.Expected, 300.0/84*29, 1e-12)
	if feb.Flag != FlagBelow998 {
		t.Errorf("2024-02 = %+v", feb)
	}
	// Moving average basis in year 2: Feb 2021 = 1200/366·28.
	p := b.Points[13]
	near(t, "ma expected", p.Expected, 1200.0/366*28, 1e-12)
	if p.Basis != BasisMovingAverage || p.Flag != "" {
		t.Errorf("2021-02 = %+v", p)
	}
	if b.Above != 1 || b.Below != 1 {
		t.Errorf("above %d below %d", b.Above, b.Below)
	}
	w, _ := Counts(times, res, CountParams{Interval: Daily})
	if _, err := SeasonalBaseline(w, BaselineParams{}); !errors.Is(err, ErrInput) {
		t.Error("daily series accepted")
	}
}
