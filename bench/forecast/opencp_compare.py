"""Side-by-side check of Icarus's prospective and retrospective forecasts
against open_cp (QuantCrimAtLeeds/PredictCode), on the data and forecasts
exported by

    ICARUS_FORECAST_EXPORT=DIR go test -run TestExportChicago ./internal/analysis/forecast/

Run with Debian's python (numpy, scipy) and open_cp's source on PYTHONPATH
(open_cp needs np.int/np.bool replaced by int/bool on numpy >= 1.24):

    PYTHONPATH=/tmp/opencp /usr/bin/python3 bench/forecast/opencp_compare.py DIR [DAYS [full]]

It compares, for the first DAYS (default 7) days of 2019, every cell's risk
and the hit counts at 1, 2, 5, 10 and 20 % coverage (open_cp's top_slice
ties), and times open_cp's predictions: on the events of the weights' window
only (8 weeks for prospective, 60 days for retrospective) and, with
"full", for one day on all events before the day, as ProspectiveHotSpot is
normally called. Wall and CPU (process) times are printed.
"""
import sys, time
import numpy as np
import open_cp.data, open_cp.prohotspot, open_cp.retrohotspot, open_cp.evaluation, open_cp.predictors

d = sys.argv[1]
ndays = int(sys.argv[2]) if len(sys.argv) > 2 else 7
ev = np.loadtxt(d + "/events.csv", delimiter=",", skiprows=1)
x0, y0, size, nx, ny = open(d + "/grid.txt").read().split()
x0, y0, size, nx, ny = float(x0), float(y0), float(size), int(nx), int(ny)
order = np.argsort(ev[:, 2], kind="stable")
ev = ev[order]
ts = ev[:, 2].astype("int64").astype("datetime64[s]")
pts = open_cp.data.TimedPoints.from_coords(ts, ev[:, 0], ev[:, 1])
region = open_cp.data.RectangularRegion(xmin=x0, xmax=x0 + nx * size, ymin=y0, ymax=y0 + ny * size)
DAY = 86400
covs = [1, 2, 5, 10, 20]


def load(name):
    rows = {}
    for line in open(d + "/" + name + "_risk.csv"):
        f = line.rstrip("\n").split(",")
        rows[int(f[0])] = np.array([float(v) for v in f[1:]]).reshape(ny, nx)
    hits = {}
    for line in open(d + "/" + name + "_hits.csv"):
        f = line.rstrip("\n").split(",")
        hits[int(f[0])] = [round(float(v)) for v in f[2:]]
    return rows, hits


def window(day, days):
    lo, hi = np.searchsorted(ev[:, 2], [(day - days) * DAY, day * DAY])
    return open_cp.data.TimedPoints.from_coords(ts[lo:hi], ev[lo:hi, 0], ev[lo:hi, 1])


def test_points(day):
    lo, hi = np.searchsorted(ev[:, 2], [day * DAY, (day + 1) * DAY])
    return open_cp.data.TimedPoints.from_coords(ts[lo:hi], ev[lo:hi, 0], ev[lo:hi, 1])


def compare(name, make, days_back):
    risk, hits = load(name)
    worst, worst_rel, hit_diff, elapsed, cpu = 0.0, 0.0, 0, 0.0, 0.0
    for day in sorted(risk)[:ndays]:
        p = make()
        p.data = window(day, days_back)
        cutoff = np.datetime64(int(day * DAY - 1), "s")
        t0, c0 = time.perf_counter(), time.process_time()
        if name == "prospective":
            pred = p.predict(cutoff, np.datetime64(int(day * DAY), "s"))
        else:
            pred = p.predict(start_time=np.datetime64(int((day - 60) * DAY), "s"), end_time=cutoff)
        elapsed += time.perf_counter() - t0
        cpu += time.process_time() - c0
        m = pred.intensity_matrix
        diff = np.abs(m - risk[day])
        worst = max(worst, diff.max())
        worst_rel = max(worst_rel, (diff / np.maximum(np.abs(m), 1e-300)).max())
        hc = open_cp.evaluation.hit_counts(pred, test_points(day), covs)
        ours = hits[day]
        theirs = [hc[c][0] for c in covs]
        hit_diff += sum(abs(a - b) for a, b in zip(ours, theirs))
        print(f"{name} day {day}: open_cp hits {theirs}, Icarus {ours}, max |risk diff| {diff.max():.3g}")
    n = min(ndays, len(risk))
    print(f"{name}: {n} days, max |risk diff| {worst:.3g} (relative {worst_rel:.3g}), total |hit count diff| {hit_diff}, open_cp {elapsed / n:.2f} s wall, {cpu / n:.2f} s CPU per day on the window's events")


def pro():
    p = open_cp.prohotspot.ProspectiveHotSpot(region=region, grid_size=size)
    return p


def retro():
    p = open_cp.retrohotspot.RetroHotSpotGrid(region=region, grid_size=size)
    return p


compare("prospective", pro, 56)
compare("retrospective", retro, 60)

# ProspectiveHotSpot as usually called: all events before the day (slow:
# pass a third argument "full" to run it).
if len(sys.argv) > 3 and sys.argv[3] == "full":
    day = int(np.datetime64("2019-01-01", "D").astype("int64"))
    p = pro()
    p.data = pts
    t0, c0 = time.perf_counter(), time.process_time()
    p.predict(np.datetime64(int(day * DAY - 1), "s"), np.datetime64(int(day * DAY), "s"))
    print(f"prospective, all {np.sum(ev[:, 2] < day * DAY)} events before the day: open_cp {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU for one day")
