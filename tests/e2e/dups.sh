#!/usr/bin/env bash
# End-to-end test of near-duplicate grouping (docs/query.md "Near-duplicates"): a generated
# corpus plus syndicated copies of one story (the same body under three other URLs and sources,
# one with its last words edited). `search` shows the story once with "3 copies", --json gives
# copies and copy_urls, --no-group shows all four, pages over the grouped list concatenate,
# `export --fields dup_of` names the original for each copy and still exports every match, and
# `check` passes.
# usage: dups.sh path/to/timtin [repo-dir]
set -euo pipefail

bin=${1:?usage: dups.sh path/to/timtin [repo-dir]}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
pass() { n=$((n + 1)); }
fail() { echo "dups: FAIL: $*" >&2; exit 1; }

"$bin" gen-corpus --docs 500 --seed 5 > "$tmp/c.jsonl"
python3 - "$tmp/c.jsonl" "$tmp/c2.jsonl" "$tmp/story" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
src = max(docs[:50], key=lambda d: len(d["body"]))
out = list(docs)
for k, site in enumerate(["baomoi.invalid", "vietnamplus.invalid", "tuoitre.invalid"]):
    d = dict(src, url="https://%s/ttxvn-%d.html" % (site, k), source="Site %d" % k, id="copy%d" % k)
    if k == 2:
        w = d["body"].split(" ")
        d["body"] = " ".join(w[:-1] + ["(TTXVN)"])
    out.append(d)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for d in out:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
open(sys.argv[3], "w", encoding="utf-8").write(src["url"] + "\n" + src["title"] + "\n")
PY
"$bin" index --db "$tmp/db" "$tmp/c2.jsonl" > /dev/null 2>&1 || fail "index"
"$bin" check --db "$tmp/db" > /dev/null || fail "check"; pass
db=(--db "$tmp/db")
url=$(sed -n 1p "$tmp/story")
title=$(sed -n 2p "$tmp/story")
q="title:\"$title\""
total=$("$bin" count "${db[@]}" "$q")
[ "$total" -ge 4 ] || fail "the story and its copies: $total matches"; pass

"$bin" search "${db[@]}" --no-color --limit 50 "$q" > "$tmp/s.txt"
grep -q "^   3 copies: https://" "$tmp/s.txt" || fail "no '3 copies' line: $(cat "$tmp/s.txt")"; pass
[ "$(grep -c "ttxvn-" "$tmp/s.txt")" -eq 1 ] || fail "a copy is shown as a hit"; pass
grep -q "^$total matching articles" "$tmp/s.txt" || fail "total changed by grouping"; pass

"$bin" search "${db[@]}" --json --limit 50 "$q" > "$tmp/s.json"
"$bin" search "${db[@]}" --json --no-group --limit 50 "$q" > "$tmp/n.json"
python3 - "$tmp/s.json" "$tmp/n.json" "$url" "$total" <<'PY' || fail "json"
import json, sys
g, a = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
url, total = sys.argv[3], int(sys.argv[4])
assert g["total"] == a["total"] == total
assert len(a["hits"]) == total and all("copies" not in h for h in a["hits"])
assert len(g["hits"]) == total - 3, (len(g["hits"]), total)
h = [h for h in g["hits"] if h["copies"]]
assert len(h) == 1 and h[0]["copies"] == 3, h
assert sorted(h[0]["copy_urls"] + [h[0]["url"]]) == sorted([url] + ["https://%s/ttxvn-%d.html" % (s, k) for k, s in enumerate(["baomoi.invalid", "vietnamplus.invalid", "tuoitre.invalid"])])
PY
pass

# pages of 1 over the grouped list = the long page
python3 - "$bin" "$tmp/db" "$q" "$tmp/s.json" <<'PY' || fail "pages"
import json, subprocess, sys
bin, db, q, full = sys.argv[1:5]
want = [h["url"] for h in json.load(open(full))["hits"]]
got = []
for off in range(len(want) + 1):
    out = subprocess.run([bin, "search", "--db", db, "--json", "--limit", "1", "--offset", str(off), q],
                         check=True, capture_output=True, text=True).stdout
    got += [h["url"] for h in json.loads(out)["hits"]]
assert got == want, (got, want)
PY
pass

# export: every match, dup_of names the original for each copy
"$bin" export "${db[@]}" --format csv --fields url,dup_of "$q" > "$tmp/e.csv"
python3 - "$tmp/e.csv" "$url" "$total" <<'PY' || fail "export dup_of"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
assert len(rows) == int(sys.argv[3])
for r in rows:
    want = sys.argv[2] if "ttxvn-" in r["url"] else ""
    assert r["dup_of"] == want, r
PY
pass
echo "dups: $n checks passed"
