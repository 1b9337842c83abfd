#!/usr/bin/env bash
# A bound on what splitting `kubemoat scan` across threads could win on this machine: the corpus's
# files cut into K contiguous parts, one independent kubemoat process per part, all at once. They
# share nothing (no exchange of objects, no merge of reports), so no sharded scan inside one process
# can beat the wall time printed here.
#
#   npx tsc -p tsconfig.json
#   bash bench/scan-split.sh [CORPUS_DIR] [K] [THREADS_PER_PROCESS]
#
# CORPUS_DIR defaults to the 100,000-resource corpus bench/scan.ts makes; K to 2; threads to 1.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-/var/cache/kubemoat-bench/corpus/r100000-f10000-s1-normal}
parts=${2:-2}
threads=${3:-1}
# per-process CPU and peak RSS come from GNU time (Debian package `time`), which the machine may lack
[ -x /usr/bin/time ] || { echo "scan-split.sh needs GNU time at /usr/bin/time: apt-get install time" >&2; exit 2; }
[ -d "$corpus" ] || { echo "no corpus at $corpus: run node dist/bench/scan.js once, or node dist/bench/corpus.js --out DIR" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | sort > "$work/files"
total=$(wc -l < "$work/files")
per=$(( (total + parts - 1) / parts ))
mkdir "$work/lists"
split -l "$per" -d "$work/files" "$work/lists/part."

echo "corpus: $corpus ($total files), $parts processes, --threads $threads each, load $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s%N)
for list in "$work"/lists/part.*; do
  name=$(basename "$list")
  # each process reports its own wall, CPU and peak RSS
  mapfile -t files < "$list"
  /usr/bin/time -o "$work/$name.time" -f "%e %U %S %M" \
    node dist/src/cli/main.js scan "${files[@]}" -f json -o "$work/$name.json" --fail-on never --threads "$threads" &
done
wait
end=$(date +%s%N)

resources=0
for list in "$work"/lists/part.*; do
  name=$(basename "$list")
  read -r wall user sys rss < "$work/$name.time"
  n=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(String(r.summary.resources))' "$work/$name.json")
  resources=$((resources + n))
  printf '  %s: %s resources, %s s wall, %s s user, %s s sys, %d MiB peak\n' "$name" "$n" "$wall" "$user" "$sys" $((rss / 1024))
done
node -e 'const [ns, n] = process.argv.slice(1).map(Number); const w = ns / 1e9; console.log(`all parts: ${w.toFixed(2)} s wall, ${n} resources, ${Math.round(n / w)} resources/s`)' "$((end - start))" "$resources"
