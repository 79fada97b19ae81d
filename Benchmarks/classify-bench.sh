#!/usr/bin/env bash
# classify-bench.sh SEED — the Classify stage's measurements, in one invocation:
#   1. 5-fold stratified cross-validation on ../shared/corpora/bbc-news with folds drawn from SEED, written to a
#      file that both Copydesk (linear SVM and naive Bayes) and scikit-learn (TF-IDF + LinearSVC / MultinomialNB,
#      the peer of ../shared/bench/peers/sklearn_bench.py) read;
#   2. language accuracy per language on a held-out sample from the gettext catalogs on this machine;
#   3. full classification time per ~3 KiB document (rules + language + entities + model).
# Needs: Swift, python3 (venv + pip for scikit-learn, created under $OUT unless VENV names one), ../shared.
# Environment: SHARED (default ../shared), OUT (default /tmp/copydesk-classify-bench), VENV.
set -euo pipefail
SEED=${1:?usage: Benchmarks/classify-bench.sh SEED}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
BBC=$SHARED/corpora/bbc-news
OUT=${OUT:-/tmp/copydesk-classify-bench}
VENV=${VENV:-$OUT/venv}
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q scikit-learn numpy
fi
echo "== machine: $(nproc) cores; $(python3 --version); $("$VENV/bin/python" -c 'import sklearn, numpy; print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__)')"

(cd "$ROOT" && swift build -c release --product bench-classify >/dev/null)
BIN=$ROOT/.build/release/bench-classify

echo "== folds (seed $SEED)"
"$BIN" folds "$BBC" --seed "$SEED" --folds 5 --out "$OUT/folds-$SEED.tsv"

echo "== cross-validation, same folds"
"$BIN" cv "$BBC" --folds-file "$OUT/folds-$SEED.tsv" --algorithm linear-svm
"$BIN" cv "$BBC" --folds-file "$OUT/folds-$SEED.tsv" --algorithm naive-bayes
"$VENV/bin/python" "$ROOT/Benchmarks/tools/sklearn_folds.py" "$BBC" "$OUT/folds-$SEED.tsv"

echo "== language (gettext catalogs, 300 strings per language, seed $SEED)"
python3 "$ROOT/Benchmarks/tools/make_language_sample.py" --per 300 --seed "$SEED" > "$OUT/langsample.tsv"
"$BIN" language "$OUT/langsample.tsv"

echo "== per-document classification time (~3 KiB news documents)"
if [ ! -d "$OUT/news3kfixed" ]; then
    python3 "$SHARED/bench/peers/make_corpus.py" "$OUT/news3kfixed" --no-system --no-article-break \
        --extra "$BBC" "$SHARED/corpora/reuters21578-subset" | tail -1
fi
"$BIN" train "$BBC" --out "$OUT/bbc.cdm"
"$BIN" timing "$OUT/news3kfixed" --n 2000 --model "$OUT/bbc.cdm"
