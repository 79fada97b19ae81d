#!/usr/bin/env python3
"""sklearn_folds.py - the scikit-learn peer on Copydesk's cross-validation folds.

Same models and settings as ../shared/bench/peers/sklearn_bench.py (TfidfVectorizer(sublinear_tf=True, min_df=2)
+ MultinomialNB() / LinearSVC(), defaults otherwise), but trained and tested on the folds written by
`bench-classify folds` (lines: fold<TAB>label<TAB>relative path), so both sides see exactly the same splits.
Per fold and model (wall and thread-CPU seconds; the box is shared, CPU time is the steadier figure): fit seconds (vectorizer fit_transform + model fit, as Copydesk's fit includes featurizing),
accuracy, macro-F1, batch predict docs/s, and one-document-at-a-time predict docs/s (transform([doc]) + predict,
what a per-file daemon does) on the first --single test documents of the fold.
Install: python3 -m venv VENV && VENV/bin/pip install scikit-learn numpy
Run:     VENV/bin/python sklearn_folds.py BBC_DIR FOLDS.tsv [--single 500]
Prints one RESULT line per fold and model, then a summary line per model.
"""
import argparse, statistics, time
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("docdir"); ap.add_argument("folds"); ap.add_argument("--single", type=int, default=500)
    a = ap.parse_args()
    rows = [line.rstrip("\n").split("\t", 2) for line in open(a.folds) if line.strip()]
    folds = np.array([int(r[0]) for r in rows]); labels = np.array([r[1] for r in rows])
    texts = [open(f"{a.docdir}/{r[2]}", "rb").read().decode("utf-8", "replace") for r in rows]
    summary = {}
    for fold in sorted(set(folds)):
        tr = np.where(folds != fold)[0]; te = np.where(folds == fold)[0]
        Xtr = [texts[i] for i in tr]; Xte = [texts[i] for i in te]
        t = time.perf_counter(); c = time.thread_time()
        vec = TfidfVectorizer(sublinear_tf=True, min_df=2); Mtr = vec.fit_transform(Xtr)
        vec_s = time.perf_counter() - t; vec_cpu = time.thread_time() - c
        for name, make in (("nb", MultinomialNB), ("svm", LinearSVC)):
            t = time.perf_counter(); c = time.thread_time(); model = make().fit(Mtr, labels[tr])
            fit_s = vec_s + time.perf_counter() - t; fit_cpu = vec_cpu + time.thread_time() - c
            t = time.perf_counter(); pred = model.predict(vec.transform(Xte)); batch = len(Xte) / (time.perf_counter() - t)
            sub = Xte[: a.single]; t = time.perf_counter(); c = time.thread_time()
            for d in sub:
                model.predict(vec.transform([d]))
            single = len(sub) / (time.perf_counter() - t); single_cpu = len(sub) / (time.thread_time() - c)
            acc = accuracy_score(labels[te], pred); f1 = f1_score(labels[te], pred, average="macro")
            summary.setdefault(name, []).append((acc, f1, fit_s, fit_cpu, single, single_cpu))
            print(f"RESULT sklearn-{name} fold={fold} n_train={len(tr)} n_test={len(te)} fit_s={fit_s:.3f} "
                  f"fit_cpu_s={fit_cpu:.3f} accuracy={acc:.4f} macro_f1={f1:.4f} predict_docs_per_s={batch:.0f} "
                  f"single_docs_per_s={single:.0f} single_docs_per_cpu_s={single_cpu:.0f}", flush=True)
    for name, values in summary.items():
        accs, f1s, fits, fits_cpu, singles, singles_cpu = zip(*values)
        print(f"RESULT sklearn-{name} summary folds={len(values)} accuracy_mean={statistics.mean(accs):.4f} "
              f"macro_f1_mean={statistics.mean(f1s):.4f} fit_s_median={statistics.median(fits):.3f} "
              f"fit_cpu_s_median={statistics.median(fits_cpu):.3f} single_docs_per_s_median={statistics.median(singles):.0f} "
              f"single_docs_per_cpu_s_median={statistics.median(singles_cpu):.0f}")

if __name__ == "__main__":
    main()
