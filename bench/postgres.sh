#!/usr/bin/env bash
# PostgreSQL benchmarks (issue 7): the import benchmark on PostgreSQL beside
# SQLite, and a read-heavy API load (wrk on loopback) against one node and two
# nodes on one PostgreSQL, plus one node on SQLite.
#
#   bench/postgres.sh            # from the repository root; DURATION=20 N=3
#
# Raw output goes to bench/out/pg/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${ICARUS_SHARED_DATA:-../shared/data}
DURATION=${DURATION:-20}
N=${N:-3}
OUT=bench/out/pg
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/icarus-pgbench.XXXXXX)
PGBIN=/usr/lib/postgresql/15/bin
for tool in wrk:wrk /usr/bin/time:time; do
  command -v "${tool%%:*}" >/dev/null || apt-get install -y -qq "${tool##*:}" >/dev/null
done
[ -x $PGBIN/initdb ] || apt-get install -y -qq postgresql >/dev/null
chown postgres "$WORK"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
PGPORT=$(free_port)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  runuser -u postgres -- $PGBIN/pg_ctl -D "$WORK/db" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
runuser -u postgres -- $PGBIN/initdb -D "$WORK/db" -A trust -U postgres >/dev/null
runuser -u postgres -- $PGBIN/pg_ctl -D "$WORK/db" -l "$WORK/pg.log" -w -o "-p $PGPORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
pgurl() { echo "postgres://postgres@127.0.0.1:$PGPORT/$1?sslmode=disable"; }
go build -o "$WORK/icarus" ./cmd/icarus
BIN=$WORK/icarus
{ echo "date: $(date -u +%FT%TZ)"; echo "go: $(go version)"; echo "cpu: $(nproc) x $(lscpu | sed -n 's/^Model name: *//p')"; echo "postgres: $($PGBIN/postgres --version)"; echo "load at start: $(uptime)"; } >"$OUT/machine.txt"

echo "== import: chicago_aggravated_assaults.csv.gz (148,636 rows) with district assignment" >&2
: >"$OUT/import.txt"
for i in $(seq 1 "$N"); do
  db=bench_$i; runuser -u postgres -- $PGBIN/createdb -h 127.0.0.1 -p $PGPORT "$db"
  "$BIN" import areas --db "$(pgurl $db)" --json "$DATA/chicago/chicago_police_districts.kml" >/dev/null
  /usr/bin/time -f '%e %M' -o "$WORK/t" "$BIN" import incidents --db "$(pgurl $db)" --preset chicago --json "$DATA/chicago/chicago_aggravated_assaults.csv.gz" >"$WORK/s.json"
  echo "postgres $(cat "$WORK/t")" >>"$OUT/import.txt"
  d=$WORK/sq$i; "$BIN" import areas --data "$d" --json "$DATA/chicago/chicago_police_districts.kml" >/dev/null
  /usr/bin/time -f '%e %M' -o "$WORK/t" "$BIN" import incidents --data "$d" --preset chicago --json "$DATA/chicago/chicago_aggravated_assaults.csv.gz" >/dev/null
  echo "sqlite $(cat "$WORK/t")" >>"$OUT/import.txt"
done
cat "$OUT/import.txt" >&2

echo "== API read load: GET /api/v1/aggregates/areas (public) on the demo city" >&2
"$BIN" demo --data "$WORK/demo" --addr 127.0.0.1:$(free_port) >"$WORK/demo.log" 2>&1 & DP=$!; PIDS+=($DP)
for _ in $(seq 1 600); do grep -q "running at" "$WORK/demo.log" && break; sleep 0.1; done
kill $DP; wait $DP 2>/dev/null || true
runuser -u postgres -- $PGBIN/createdb -h 127.0.0.1 -p $PGPORT demo
"$BIN" db copy --from "sqlite:$WORK/demo" --to "$(pgurl demo)" >/dev/null
URLPATH="/api/v1/aggregates/areas?dataset=2&layer=2"
serve() { "$BIN" serve "$@" >>"$WORK/serve.log" 2>&1 & PIDS+=($!); }
wait_up() { for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.05; done; return 1; }
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
: >"$OUT/wrk.txt"
S=$(free_port); serve --data "$WORK/demo" --addr 127.0.0.1:$S; wait_up $S
wrk -t2 -c32 -d${DURATION}s "http://127.0.0.1:$S$URLPATH" >"$OUT/wrk-sqlite.txt"
echo "sqlite-1-node $(rps "$OUT/wrk-sqlite.txt")" >>"$OUT/wrk.txt"
kill "${PIDS[-1]}"
A=$(free_port); B=$(free_port)
serve --db "$(pgurl demo)" --addr 127.0.0.1:$A; wait_up $A
wrk -t2 -c32 -d${DURATION}s "http://127.0.0.1:$A$URLPATH" >"$OUT/wrk-pg-1.txt"
echo "postgres-1-node $(rps "$OUT/wrk-pg-1.txt")" >>"$OUT/wrk.txt"
serve --db "$(pgurl demo)" --addr 127.0.0.1:$B; wait_up $B
wrk -t1 -c16 -d${DURATION}s "http://127.0.0.1:$A$URLPATH" >"$OUT/wrk-pg-2a.txt" & W=$!
wrk -t1 -c16 -d${DURATION}s "http://127.0.0.1:$B$URLPATH" >"$OUT/wrk-pg-2b.txt"
wait $W
echo "postgres-2-nodes $(awk -v a="$(rps "$OUT/wrk-pg-2a.txt")" -v b="$(rps "$OUT/wrk-pg-2b.txt")" 'BEGIN{print a+b}')" >>"$OUT/wrk.txt"
echo "load at end: $(uptime)" >>"$OUT/machine.txt"
cat "$OUT/wrk.txt" >&2
