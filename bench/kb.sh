#!/usr/bin/env bash
# Knowledge-base benchmark harness (docs/benchmarks.md, "Knowledge base").
#
#   bench/kb.sh                  # from the repository root
#
# 1. Writes 1,000 documents (.txt, .md, .html, about 1,200 words each,
#    assembled from shared/reference/*.md and the shipped content:
#    storetest.KBCorpus) and times `icarus kb import DIR --json` N times on a
#    fresh data directory (extraction, language detection, stemming, store).
# 2. Runs the Go benchmarks: search over 10,000 documents on SQLite and, when
#    ICARUS_TEST_PG_URL is set, PostgreSQL (p50/p95/max wall ms and p95 CPU ms
#    of one search), and saving 1,000 documents in one transaction.
#
# Environment: ICARUS_SHARED_DATA (default ../shared/data), N (default 3),
# ICARUS_TEST_PG_URL (optional). Raw output goes to bench/out/kb-*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export ICARUS_SHARED_DATA=$(cd "${ICARUS_SHARED_DATA:-../shared/data}" && pwd)
N=${N:-3}
OUT=$ROOT/bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/icarus-kbbench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

go build -o "$WORK/icarus" ./cmd/icarus
mkdir "$WORK/docs"
KB_CORPUS_OUT="$WORK/docs" go test -count=1 -run '^TestKBWriteCorpusFiles$' ./internal/store >/dev/null
echo "corpus: $(ls "$WORK/docs" | wc -l) files, $(du -sh "$WORK/docs" | cut -f1), $(cat "$WORK"/docs/* | wc -w) words" | tee "$OUT/kb-import.txt"
for i in $(seq 1 "$N"); do
	rm -rf "$WORK/data"
	"$WORK/icarus" kb seed --data "$WORK/data" >/dev/null # creates the organisation
	start=$(date +%s.%N)
	"$WORK/icarus" kb import "$WORK/docs" --data "$WORK/data" --json > "$WORK/report.json"
	end=$(date +%s.%N)
	python3 - "$WORK/report.json" "$i" "$(echo "$end - $start" | bc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY' | tee -a "$OUT/kb-import.txt"
import json, sys
r = json.load(open(sys.argv[1]))
print(f"run {sys.argv[2]}: {sys.argv[3]} s wall, files {r['files']}, imported {r['imported']}, updated {r['updated']}, skipped {r['skipped']}, failed {r['failed']}, load {sys.argv[4]}")
PY
done
go test ./internal/store -run '^$' -bench 'KBSearch10k|KBPut1000' -benchtime "${N}x" -timeout 60m | tee "$OUT/kb-bench.txt"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/kb-bench.txt"
