#!/usr/bin/env python3
"""tools/bench_chart.py RUN_DIR CORPUS OUT.png TITLE: draw one benchmark run with gnuplot.

Reads what tools/bench left in RUN_DIR (ENGINE-index.time, ENGINE.jsonl) and draws two panels:
indexing throughput (MB/s of input, wall) per engine, and the median query latency per class
and engine on a log scale. Engines without figures are left out. Needs gnuplot (Debian
gnuplot-nox); exits 1 with a message when it is missing, so tools/bench can go on without the
chart.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ENGINES = [("timtin", "timtin"), ("timtin1", "timtin --threads 1"), ("xapian", "Xapian"),
           ("fts5", "SQLite FTS5")]
QUERY_ENGINES = [("timtin", "timtin"), ("xapian", "Xapian"), ("fts5", "SQLite FTS5")]


def kv(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return dict(line.strip().split("=", 1) for line in f if "=" in line)


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: bench_chart.py RUN_DIR CORPUS OUT.png TITLE")
    run, corpus, out, title = sys.argv[1:]
    gp = shutil.which("gnuplot")
    if not gp:
        print("bench_chart: gnuplot is not installed (Debian package gnuplot-nox)", file=sys.stderr)
        sys.exit(1)
    corpus_mb = os.path.getsize(corpus) / 1e6

    # indexing: MB/s from wall time
    idx_rows = []
    for e, label in ENGINES:
        t = kv(os.path.join(run, e + "-index.time"))
        if not t or t.get("status") != "0" or not corpus_mb:
            continue
        wall = float(t["wall"])
        if wall > 0:
            idx_rows.append((label, corpus_mb / wall))

    # queries: median per class per engine
    classes = []
    med = {}
    for e, _ in QUERY_ENGINES:
        p = os.path.join(run, e + ".jsonl")
        if not os.path.exists(p):
            continue
        per = {}
        with open(p, encoding="utf-8") as f:
            for line in f:
                if not line.strip().startswith("{"):
                    continue
                r = json.loads(line)
                if r.get("error") or not r.get("took_us"):
                    continue
                per.setdefault(r["class"], []).append(r["took_us"] / 1000.0)
                if r["class"] not in classes:
                    classes.append(r["class"])
        med[e] = {c: statistics.median(v) for c, v in per.items() if v}
    order = ["syllable", "word", "or3", "phrase", "entity"]
    rank = {c: i for i, c in enumerate(order)}
    classes.sort(key=lambda c: (rank.get(c.replace("-nd", ""), 99), c.endswith("-nd"), c))
    qengines = [(e, label) for e, label in QUERY_ENGINES if e in med]
    if not idx_rows and not qengines:
        print("bench_chart: no figures in %s" % run, file=sys.stderr)
        sys.exit(1)

    with tempfile.TemporaryDirectory() as tmp:
        idx_dat = os.path.join(tmp, "index.dat")
        with open(idx_dat, "w", encoding="utf-8") as f:
            for label, mbs in idx_rows:
                f.write('"%s" %.3f\n' % (label, mbs))
        q_dat = os.path.join(tmp, "query.dat")
        with open(q_dat, "w", encoding="utf-8") as f:
            f.write("class " + " ".join('"%s"' % label for _, label in qengines) + "\n")
            for c in classes:
                vals = []
                for e, _ in qengines:
                    v = med[e].get(c)
                    vals.append("%.4f" % v if v else "NaN")
                f.write('"%s" %s\n' % (c, " ".join(vals)))
        script = os.path.join(tmp, "chart.gp")
        cols = " , ".join("'%s' using %d:xtic(1) title columnheader(%d)" % (q_dat, i + 2, i + 2)
                          for i in range(len(qengines)))
        with open(script, "w", encoding="utf-8") as f:
            f.write("""set terminal pngcairo size 1200,520 font "sans,10"
set output '%s'
set multiplot layout 1,2 title "%s"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.8
set grid ytics
set key top left
set title "Indexing throughput (MB/s of JSONL input, wall; higher is better)"
set ylabel "MB/s"
set yrange [0:*]
set xtics rotate by -20
plot '%s' using 2:xtic(1) notitle lc rgb "#3b7dd8"
set title "Median query latency, warm, top 10 + exact count (ms, log scale; lower is better)"
set ylabel "ms"
set logscale y
set yrange [*:*]
set xtics rotate by -35
set key top left
plot %s
unset multiplot
""" % (out, title.replace('"', "'"), idx_dat, cols))
        r = subprocess.run([gp, script], capture_output=True, text=True)
        if r.returncode != 0:
            print("bench_chart: gnuplot failed: " + r.stderr.strip(), file=sys.stderr)
            sys.exit(1)
    print("bench_chart: wrote " + out, file=sys.stderr)


if __name__ == "__main__":
    main()
