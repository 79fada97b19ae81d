#!/usr/bin/env python3
"""datasketch_pairs.py - the peer's decisions on the same pairs as bench-dedup (Benchmarks/DEDUP.md).

For each level of OUT/pairs.tsv: MinHashLSH(threshold, num_perm) holding the level's `a` documents, each `b`
document queried; the pair is called a near-duplicate when `a` is among the query's results (what a daemon
using datasketch would do). Shingles: the peers' common.py (lower-cased \\w+ words, 5-word shingles).
Writes OUT/datasketch.tsv (id, decision, 0) and prints the LSH parameters datasketch chose.
Run: Benchmarks/.venv/bin/python Benchmarks/datasketch_pairs.py OUT [--threshold 0.8] [--num-perm 128] [--peers DIR]
"""
import argparse, os, sys

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out'); ap.add_argument('--threshold', type=float, default=0.8)
    ap.add_argument('--num-perm', type=int, default=128); ap.add_argument('--peers', default='../shared/bench/peers')
    a = ap.parse_args()
    sys.path.insert(0, a.peers)
    from common import shingles
    from datasketch import MinHash, MinHashLSH
    rows = [l.rstrip('\n').split('\t') for l in open(os.path.join(a.out, 'pairs.tsv'), encoding='utf-8')][1:]
    cache = {}
    def mh(name):
        if name not in cache:
            with open(os.path.join(a.out, 'docs', name), 'rb') as f:
                text = f.read().decode('utf-8', 'replace')
            m = MinHash(num_perm=a.num_perm); m.update_batch(shingles(text)); cache[name] = m
        return cache[name]
    levels = []
    for r in rows:
        if r[1] not in levels: levels.append(r[1])
    out = ['id\tdecision\tsimilarity']
    params = None
    for level in levels:
        subset = [r for r in rows if r[1] == level]
        lsh = MinHashLSH(threshold=a.threshold, num_perm=a.num_perm); params = (lsh.b, lsh.r)
        for name in sorted({r[2] for r in subset}): lsh.insert(name, mh(name))
        for r in subset:
            out.append(f'{r[0]}\t{1 if r[2] in lsh.query(mh(r[3])) else 0}\t0')
    with open(os.path.join(a.out, 'datasketch.tsv'), 'w') as f: f.write('\n'.join(out) + '\n')
    print(f'RESULT datasketch_decisions pairs={len(rows)} threshold={a.threshold} num_perm={a.num_perm} bands={params[0]} rows={params[1]}')

if __name__ == '__main__':
    main()
