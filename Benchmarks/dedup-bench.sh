#!/usr/bin/env bash
# Dedup benchmarks (Benchmarks/DEDUP.md): accuracy against datasketch, speed against datasketch and the native C
# probe (same invocation, alternating rounds), scale to 1M documents, story clustering on WikiRef220.
# Usage: Benchmarks/dedup-bench.sh [WORKDIR]   (default /tmp/dedup-bench; needs ../shared beside the repo)
# Env: RUNS (speed rounds, default 3), SIZES (scale, default 10000,100000,1000000), PER_LEVEL (pairs, default 400)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/dedup-bench}
RUNS=${RUNS:-3}
SIZES=${SIZES:-10000,100000,1000000}
PER_LEVEL=${PER_LEVEL:-400}
SHARED=../shared
PEERS=$SHARED/bench/peers
mkdir -p "$W"
LOG="$W/results.txt"
: > "$LOG"
say() { echo "$@" | tee -a "$LOG"; }

say "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg)"
say "== $(swift --version 2>&1 | head -1); $(gcc --version | head -1)"

# Peers: datasketch in a venv (PyPI), the native probe built with gcc -O3 -march=native.
VENV=Benchmarks/.venv
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q datasketch numpy; }
say "== datasketch $("$VENV/bin/python" -c 'import datasketch; print(datasketch.__version__)')"
gcc -O3 -march=native -o "$W/cpubench" "$PEERS/native/cpubench.c" -lcrypto

# The corpus of the peers' RESULTS.md (news3kfixed): 1,906 ~3 KiB documents from BBC + Reuters.
if [ ! -d "$W/news3k" ]; then
    python3 "$PEERS/make_corpus.py" "$W/news3k" --no-system --no-article-break \
        --extra "$SHARED/corpora/bbc-news" "$SHARED/corpora/reuters21578-subset" | tee -a "$LOG"
fi

swift build -c release --product bench-dedup 2>&1 | tail -1
B=.build/release/bench-dedup

say "== accuracy (pairs: corpus duplicate lists + seeded edits of real articles; labels: exact 5-shingle J >= 0.8)"
rm -rf "$W/acc"; mkdir -p "$W/acc"
$B pairs "$W/acc" --shared "$SHARED" --seed 1 --per-level "$PER_LEVEL" | tee -a "$LOG"
$B decide "$W/acc" | tee -a "$LOG"
"$VENV/bin/python" Benchmarks/datasketch_pairs.py "$W/acc" --peers "$PEERS" | tee -a "$LOG"
$B score "$W/acc" | tee -a "$LOG"

say "== speed: $RUNS alternating rounds of native C (mh128_ms = tokenize + shingles + MinHash-128) and Swift"
for r in $(seq 1 "$RUNS"); do
    KIND=2 "$W/cpubench" "$W/news3k" 2000 3 1 | grep RESULT | sed "s/^/round=$r /" | tee -a "$LOG"
    $B speed "$W/news3k" --runs 3 --seconds 1 | grep RESULT | sed "s/^/round=$r /" | tee -a "$LOG"
done
say "== speed: datasketch full per-document path (peers/datasketch_bench.py, 3 runs)"
(cd "$PEERS" && "$OLDPWD/$VENV/bin/python" datasketch_bench.py "$W/news3k" --runs 3) | grep RESULT | tee -a "$LOG"
python3 - "$LOG" <<'PY' | tee -a "$LOG"
import re, statistics, sys
text = open(sys.argv[1]).read()
def vals(pattern): return [float(x) for x in re.findall(pattern, text)]
c = vals(r'RESULT cpu mh128_ms cpu_us_per_doc_median=([\d.]+)')
s = vals(r'RESULT swift full cpu_us_per_doc_median=([\d.]+)')
m = vals(r'RESULT swift minhash cpu_us_per_doc_median=([\d.]+)')
d = re.search(r'daemon_docs_per_s=(\d+) daemon_min=(\d+) daemon_max=(\d+) daemon_cpu_docs_per_s=(\d+)', text)
ratios = [x / y for x, y in zip(s, c)]
print(f"RATIO swift_full / c_mh128 per round: {[round(r, 2) for r in ratios]} median={statistics.median(ratios):.2f}")
print(f"RATIO swift_minhash / c_mh128 median={statistics.median([x / y for x, y in zip(m, c)]):.2f}")
if d:
    sw = 1e6 / statistics.median(s)
    print(f"RATIO swift_full docs/s (CPU) {sw:.0f} / datasketch daemon docs/s (CPU) {d.group(4)} = {sw / float(d.group(4)):.1f}x "
          f"(wall: datasketch {d.group(1)} [{d.group(2)}..{d.group(3)}])")
PY

say "== scale (synthetic documents from the corpus vocabulary; sizes $SIZES)"
$B scale --shared "$SHARED" --sizes "$SIZES" | tee -a "$LOG"
$B digest-memory --n "${SIZES##*,}" | tee -a "$LOG"
$B stories-memory --shared "$SHARED" --n 30000 --spacing 10 | tee -a "$LOG"

say "== story clustering on WikiRef220 (5 shuffled orders per threshold)"
$B stories --wikiref "$SHARED/corpora/wikiref220" --thresholds 0.05,0.08,0.1,0.12,0.15,0.2,0.3 --orders 5 | tee -a "$LOG"
say "== done: $LOG"
