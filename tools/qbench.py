#!/usr/bin/env python3
"""tools/qbench.py: query latency per class, the way tools/bench measures timtin, plus an
exactness guard on the match counts.

    tools/qbench.py --db DB --queries queries.tsv [--timtin build/timtin] [--runs 3]
                    [--save-totals FILE | --check-totals FILE] [--only CLASS,...]
                    [--extra "--positions-only"]

Each query is written twice into one --batch file and the second (warm) line is kept, as
tools/bench does. The run is repeated --runs times in fresh processes; per query the smallest
`cpu_us` (CPU time of the searching thread, steadier than wall time on a shared machine) is
kept. Prints median and p95 per class, in ms, of cpu_us and of took_us (wall).

--save-totals writes `class<TAB>query<TAB>total` per query; --check-totals compares the totals
with such a file and exits 1 on any difference (every optimisation must keep counts exact).
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile


def pct(v, p):
    v = sorted(v)
    if not v:
        return float("nan")
    k = (len(v) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--timtin", default=os.path.join(os.path.dirname(__file__), "..", "build", "timtin"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--save-totals")
    ap.add_argument("--check-totals")
    ap.add_argument("--only", help="comma list of classes")
    ap.add_argument("--extra", default="", help="extra search options, e.g. --positions-only")
    a = ap.parse_args()

    qs = []
    for line in open(a.queries, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        cls, q = line.rstrip("\n").split("\t", 1)
        if a.only and cls not in a.only.split(","):
            continue
        qs.append((cls, q))
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        for _, q in qs:
            f.write(q + "\n" + q + "\n")
        batch = f.name
    best_cpu = [None] * len(qs)
    best_wall = [None] * len(qs)
    totals = [None] * len(qs)
    try:
        for _ in range(a.runs):
            out = subprocess.run([a.timtin, "search", "--db", a.db, "--batch", batch, "--limit", "10"] + a.extra.split(),
                                 check=True, capture_output=True, text=True).stdout
            rows = [json.loads(l) for l in out.splitlines() if l.strip()]
            if len(rows) != 2 * len(qs):
                sys.exit(f"qbench: {len(rows)} result lines for {2 * len(qs)} queries")
            for i in range(len(qs)):
                r = rows[2 * i + 1]
                if "error" in r:
                    sys.exit(f"qbench: {qs[i][1]}: {r['error']}")
                totals[i] = r["total"]
                c, w = r.get("cpu_us", r["took_us"]), r["took_us"]
                best_cpu[i] = c if best_cpu[i] is None else min(best_cpu[i], c)
                best_wall[i] = w if best_wall[i] is None else min(best_wall[i], w)
    finally:
        os.unlink(batch)

    by = collections.OrderedDict()
    for i, (cls, _) in enumerate(qs):
        by.setdefault(cls, []).append(i)
    print(f"{'class':<12} {'n':>3} {'cpu med':>9} {'cpu p95':>9} {'wall med':>9} {'wall p95':>9}  (ms)")
    for cls, ix in by.items():
        c = [best_cpu[i] / 1000 for i in ix]
        w = [best_wall[i] / 1000 for i in ix]
        print(f"{cls:<12} {len(ix):>3} {pct(c, .5):>9.3f} {pct(c, .95):>9.3f} {pct(w, .5):>9.3f} {pct(w, .95):>9.3f}")

    if a.save_totals:
        with open(a.save_totals, "w", encoding="utf-8") as f:
            for (cls, q), t in zip(qs, totals):
                f.write(f"{cls}\t{q}\t{t}\n")
    if a.check_totals:
        want = {}
        for line in open(a.check_totals, encoding="utf-8"):
            cls, q, t = line.rstrip("\n").split("\t")
            want[(cls, q)] = int(t)
        bad = [(cls, q, want[(cls, q)], t) for (cls, q), t in zip(qs, totals)
               if (cls, q) in want and want[(cls, q)] != t]
        for cls, q, w, t in bad:
            print(f"TOTAL DIFFERS: {cls} {q}: expected {w}, got {t}", file=sys.stderr)
        print(f"totals: {len(qs) - len(bad)}/{len(qs)} identical", file=sys.stderr)
        if bad:
            sys.exit(1)


if __name__ == "__main__":
    main()
