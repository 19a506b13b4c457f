#!/usr/bin/env bash
# Benchmark harness for the performance targets in docs/benchmarks.md.
#
#   bench/run.sh                 # from the repository root
#
# Environment:
#   ICARUS_SHARED_DATA  shared data directory (default ../shared/data)
#   N                   runs per measurement (default 5)
#   PORT                port for the demo runs (default 18080)
#   SKIP_OGR_ASSIGN=1   skip the slow ogr2ogr variant with district assignment
#
# Raw numbers go to bench/out/ (gitignored); a markdown table is printed and
# written to bench/out/results.md.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
DATA=$(cd "${ICARUS_SHARED_DATA:-../shared/data}" && pwd)
N=${N:-5}
PORT=${PORT:-18080}
OUT=$ROOT/bench/out
CSV=$DATA/chicago/chicago_aggravated_assaults.csv.gz
KML=$DATA/chicago/chicago_police_districts.kml
ROWS=148636

mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/icarus-bench.XXXXXX")
DEMO_PID=
cleanup() {
	if [[ -n $DEMO_PID ]]; then kill "$DEMO_PID" 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------
apt_install() {
	local sudo=
	[[ $(id -u) -eq 0 ]] || sudo=sudo
	log "installing $*"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}
[[ -x /usr/bin/time ]] || apt_install time
command -v ogr2ogr >/dev/null || apt_install gdal-bin
command -v curl >/dev/null || apt_install curl

# --- helpers -----------------------------------------------------------------
now() { date +%s.%N; }

# timed TIMEFILE STDOUTFILE CMD...: runs CMD under /usr/bin/time -v (report in
# TIMEFILE, CMD's stdout in STDOUTFILE); fails when CMD fails.
timed() {
	local tv=$1 so=$2
	shift 2
	/usr/bin/time -v -o "$tv" "$@" >"$so"
}

# wall_rss TIMEFILE: prints "wall_s maxrss_kb" from a /usr/bin/time -v report.
wall_rss() {
	awk -F': ' '
		/Elapsed \(wall clock\)/ {
			n = split($2, p, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + p[i]
			wall = s
		}
		/Maximum resident set size/ { rss = $2 }
		END { printf "%.2f %d\n", wall, rss }' "$1"
}

# stats FILE COLUMN: median min max of a numeric column of a whitespace file.
stats() {
	awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%s %s %s\n", m, v[1], v[NR]
		}'
}

# --- machine -----------------------------------------------------------------
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty work tree)')"
	echo "nproc: $(nproc)"
	lscpu | grep 'Model name' || true
	free -g
	go version
	ogr2ogr --version
	echo "uptime at start: $(uptime)"
} >"$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

log "building icarus"
go build -o "$WORK/icarus" ./cmd/icarus
BIN=$WORK/icarus

# --- icarus import -----------------------------------------------------------
log "importing districts into a base data directory"
"$BIN" import areas --data "$WORK/base" --json "$KML" >"$OUT/areas.json"

: >"$OUT/import.txt"
for i in $(seq 1 "$N"); do
	rm -rf "$WORK/run"
	cp -a "$WORK/base" "$WORK/run"
	timed "$OUT/import.$i.time" "$OUT/import.$i.json" \
		"$BIN" import incidents --preset chicago --data "$WORK/run" --json "$CSV"
	read -r wall rss < <(wall_rss "$OUT/import.$i.time")
	accepted=$(grep -o '"accepted": *[0-9]*' "$OUT/import.$i.json" | grep -o '[0-9]*$')
	unassigned=$(grep -o '"unassigned": *[0-9]*' "$OUT/import.$i.json" | grep -o '[0-9]*$' || echo 0)
	echo "$i $wall $rss $accepted $unassigned $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/import.txt" >&2
done
rm -rf "$WORK/run"

# --- ogr2ogr: CSV -> GeoPackage, points only ---------------------------------
: >"$OUT/ogr.txt"
for i in $(seq 1 "$N"); do
	rm -f "$WORK/ogr.gpkg"
	timed "$OUT/ogr.$i.time" /dev/null \
		ogr2ogr -f GPKG "$WORK/ogr.gpkg" "/vsigzip/$CSV" \
		-oo X_POSSIBLE_NAMES=longitude -oo Y_POSSIBLE_NAMES=latitude \
		-a_srs EPSG:4326 -nln assaults
	read -r wall rss < <(wall_rss "$OUT/ogr.$i.time")
	count=$(ogrinfo -q "$WORK/ogr.gpkg" -sql 'SELECT count(*) AS n FROM assaults' | awk '/n \(Integer\)/ { print $NF }')
	echo "$i $wall $rss $count - $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/ogr.txt" >&2
done
rm -f "$WORK/ogr.gpkg"

# --- ogr2ogr: CSV -> GeoPackage with point-in-polygon district assignment -----
# Both inputs are exposed as layers of one VRT so that the SQLite dialect can
# join them. The districts are the outer loop so that SpatiaLite's cached
# (prepared) GEOS geometry for the polygon is reused across points; this is an
# inner join, so points outside every district are dropped.
cat >"$OUT/ogr-assign.vrt" <<EOF
<OGRVRTDataSource>
  <OGRVRTLayer name="assaults">
    <SrcDataSource>/vsigzip/$CSV</SrcDataSource>
    <SrcLayer>chicago_aggravated_assaults</SrcLayer>
    <GeometryType>wkbPoint</GeometryType>
    <LayerSRS>EPSG:4326</LayerSRS>
    <GeometryField encoding="PointFromColumns" x="longitude" y="latitude"/>
  </OGRVRTLayer>
  <OGRVRTLayer name="districts">
    <SrcDataSource>$KML</SrcDataSource>
    <SrcLayer>chicago_police_districts</SrcLayer>
  </OGRVRTLayer>
</OGRVRTDataSource>
EOF
ASSIGN_SQL='SELECT a.*, d.Name AS police_district FROM districts AS d CROSS JOIN assaults AS a WHERE ST_Intersects(d.geometry, a.geometry)'
: >"$OUT/ogr-assign.txt"
if [[ ${SKIP_OGR_ASSIGN:-0} != 1 ]]; then
	for i in $(seq 1 "$N"); do
		rm -f "$WORK/ogr-assign.gpkg"
		timed "$OUT/ogr-assign.$i.time" /dev/null \
			ogr2ogr -f GPKG "$WORK/ogr-assign.gpkg" "$OUT/ogr-assign.vrt" -nln assaults \
			-dialect SQLite -sql "$ASSIGN_SQL"
		read -r wall rss < <(wall_rss "$OUT/ogr-assign.$i.time")
		count=$(ogrinfo -q "$WORK/ogr-assign.gpkg" -sql 'SELECT count(*) AS n FROM assaults' | awk '/n \(Integer\)/ { print $NF }')
		echo "$i $wall $rss $count - $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/ogr-assign.txt" >&2
	done
	rm -f "$WORK/ogr-assign.gpkg"
fi

# --- icarus demo: empty data dir -> /healthz 200 -------------------------------
: >"$OUT/demo.txt"
for i in $(seq 1 "$N"); do
	rm -rf "$WORK/demo"
	if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/healthz"; then
		echo "port $PORT is already serving; set PORT" >&2
		exit 1
	fi
	start=$(now)
	"$BIN" demo --data "$WORK/demo" --addr "127.0.0.1:$PORT" >"$OUT/demo.$i.log" 2>&1 &
	DEMO_PID=$!
	healthy=
	for _ in $(seq 1 1200); do # 60 s at most
		if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/healthz"; then
			healthy=$(now)
			break
		fi
		kill -0 "$DEMO_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$DEMO_PID" 2>/dev/null || true
	wait "$DEMO_PID" 2>/dev/null || true
	DEMO_PID=
	if [[ -z $healthy ]]; then
		echo "demo run $i never became healthy; see $OUT/demo.$i.log" >&2
		exit 1
	fi
	secs=$(awk -v a="$start" -v b="$healthy" 'BEGIN { printf "%.2f", b - a }')
	echo "$i $secs $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/demo.txt" >&2
done
rm -rf "$WORK/demo"

echo "uptime at end: $(uptime)" >>"$OUT/machine.txt"

# --- report ------------------------------------------------------------------
read -r imp_med imp_min imp_max < <(stats "$OUT/import.txt" 2)
read -r imp_rss _ imp_rss_max < <(stats "$OUT/import.txt" 3)
read -r ogr_med ogr_min ogr_max < <(stats "$OUT/ogr.txt" 2)
read -r ogr_rss _ ogr_rss_max < <(stats "$OUT/ogr.txt" 3)
read -r demo_med demo_min demo_max < <(stats "$OUT/demo.txt" 2)
rate() { awk -v r="$ROWS" -v s="$1" 'BEGIN { printf "%.0f", r / s }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

{
	echo "| Measurement (N=$N) | median wall s (min–max) | rows/s at median | peak RSS MB (max over runs) | target |"
	echo "|---|---|---|---|---|"
	echo "| icarus import incidents, chicago preset, with district assignment | $imp_med ($imp_min–$imp_max) | $(rate "$imp_med") | $(mb "$imp_rss_max") | ≥ 200,000 rows/s, < 300 MB, faster than ogr2ogr |"
	echo "| ogr2ogr CSV.gz → GPKG, points only (no assignment) | $ogr_med ($ogr_min–$ogr_max) | $(rate "$ogr_med") | $(mb "$ogr_rss_max") | comparison |"
	if [[ -s $OUT/ogr-assign.txt ]]; then
		read -r oga_med oga_min oga_max < <(stats "$OUT/ogr-assign.txt" 2)
		read -r _ _ oga_rss_max < <(stats "$OUT/ogr-assign.txt" 3)
		echo "| ogr2ogr CSV.gz → GPKG + ST_Intersects district join (SQLite dialect) | $oga_med ($oga_min–$oga_max) | $(rate "$oga_med") | $(mb "$oga_rss_max") | comparison |"
	fi
	echo "| icarus demo, empty data dir → /healthz 200 | $demo_med ($demo_min–$demo_max) | – | – | < 5 s |"
	echo
	echo "Load average (1/5/15 min) during each run is in the last three columns of bench/out/*.txt."
	grep '^uptime' "$OUT/machine.txt"
} | tee "$OUT/results.md"
