#!/usr/bin/env bash
# Open311 benchmarks (issue 5): with 100,000 stored service requests,
#   1. GET /open311/v2/requests.json with the default filters (the last 90
#      days, at most 1,000 requests), plain and with Accept-Encoding: gzip;
#   2. POST /open311/v2/requests.json with unique bodies (bench/open311-post.lua),
#      rate limits raised through the serve flags; then the stored rows are
#      counted against the acknowledged (200) answers.
# wrk on loopback against one `icarus serve` on SQLite.
#
#   bench/open311.sh        # from the repository root; N=100000 DURATION=20 CONNS=32
#
# Raw output goes to bench/out/open311/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
DURATION=${DURATION:-20}
CONNS=${CONNS:-32}
OUT=bench/out/open311
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/icarus-o311bench.XXXXXX)
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
SP=""
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
go build -o "$WORK/icarus" ./cmd/icarus
go build -o "$WORK/seed" ./bench/open311seed
{ echo "date: $(date -u +%FT%TZ)"; echo "commit: $(git rev-parse --short HEAD)"; echo "go: $(go version)"; echo "cpu: $(nproc) x $(lscpu | sed -n 's/^Model name: *//p')";
  echo "mem: $(free -g | awk '/^Mem:/{print $2}') GB"; echo "wrk: $(wrk -v 2>&1 | head -1)"; echo "load at start: $(uptime)"; } >"$OUT/machine.txt"

D=$WORK/data
KEY=$("$WORK/icarus" apikey add --data "$D" --name bench | tail -1 | awk '{print $NF}')
echo "== seeding $N requests" >&2
"$WORK/seed" --data "$D" -n "$N" | tee "$OUT/seed.txt" >&2
PORT=$(free_port)
"$WORK/icarus" serve --data "$D" --addr 127.0.0.1:$PORT --open311-post-per-ip 100000000 --open311-post-per-key 100000000 --public-reads-per-ip 0 >"$WORK/serve.log" 2>&1 & SP=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done
# At start the server copies the stored reports into the analysis engine's
# incidents (a one-off job: 100,000 seeded requests take 10-20 s, writing);
# measure after it, as a running server would be (before 2026-11-26 the GET
# plain run overlapped it).
t0=$(date +%s)
for _ in $(seq 1 1200); do grep -q '"citizen reports synced"' "$WORK/serve.log" && break; sleep 0.1; done
echo "startup sync of the reports: $(( $(date +%s) - t0 )) s after /healthz answered" | tee "$OUT/startup.txt" >&2
URL=http://127.0.0.1:$PORT/open311/v2/requests.json
# server CPU seconds (user + system) so far: with the machine shared, CPU per
# answer is the figure that does not depend on what else runs
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$SP/stat"; }
percpu() { # NAME WRKOUT CPU_BEFORE: server CPU ms per completed request
  local n; n=$(awk '/requests in/{print $1}' "$2")
  echo "$1: server CPU $(awk -v a="$3" -v b="$(cpu)" -v n="$n" 'BEGIN{printf "%.3f ms per request (%d requests)", (b-a)*1000/n, n}')" | tee -a "$OUT/cpu.txt" >&2
}
: >"$OUT/cpu.txt"
curl -fs -o "$WORK/get.json" "$URL"
echo "default GET answer: $(stat -c %s "$WORK/get.json") bytes, $(grep -o '"service_request_id"' "$WORK/get.json" | wc -l) requests" | tee "$OUT/get-size.txt" >&2

echo "== GET requests.json (default filters), plain" >&2
c0=$(cpu); wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$URL" | tee "$OUT/get-plain.txt" >&2; percpu get-plain "$OUT/get-plain.txt" "$c0"
echo "== GET requests.json (default filters), Accept-Encoding: gzip" >&2
c0=$(cpu); wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H 'Accept-Encoding: gzip' "$URL" | tee "$OUT/get-gzip.txt" >&2; percpu get-gzip "$OUT/get-gzip.txt" "$c0"

echo "== POST requests.json, unique bodies" >&2
c0=$(cpu); KEY=$KEY wrk -t2 -c16 -d"${DURATION}s" --latency -s bench/open311-post.lua "$URL" | tee "$OUT/post.txt" >&2; percpu post "$OUT/post.txt" "$c0"
sleep 1
"$WORK/seed" --data "$D" --count "wrk " | tee "$OUT/post-count.txt" >&2
acked=$(awk '/^acknowledged_200/{print $2}' "$OUT/post.txt")
read -r _ total _ rows _ distinct <"$OUT/post-count.txt"
echo "acknowledged (200): $acked; stored: $rows; distinct bodies stored: $distinct; stored - acknowledged (in flight when wrk stopped, at most 16): $((rows - acked))" | tee "$OUT/post-check.txt" >&2
[ "$rows" = "$distinct" ] && [ "$rows" -ge "$acked" ] && [ $((rows - acked)) -le 16 ] || { echo "FAIL: a request was lost or stored twice" >&2; exit 1; }
echo "load at end: $(uptime)" >>"$OUT/machine.txt"
