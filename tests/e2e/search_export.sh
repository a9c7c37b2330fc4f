#!/usr/bin/env bash
# End-to-end test of `timtin search`, `count` and `export` (docs/query.md) on a generated corpus:
# export of every match in JSONL and CSV parsed back (python3 json and csv modules) and counted
# against `timtin count`; RFC 4180 details (CRLF, quoting, BOM); export order equal to search
# order; pagination (concatenated --offset pages = one big page); date filter boundaries;
# the keys of `search --json`; facets; syntax errors (exit 2, caret).
# usage: search_export.sh path/to/timtin [repo-dir]
set -euo pipefail

bin=${1:?usage: search_export.sh path/to/timtin [repo-dir]}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
pass() { n=$((n + 1)); }
fail() { echo "search_export: FAIL: $*" >&2; exit 1; }

"$bin" gen-corpus --docs 3000 --seed 7 > "$tmp/c.jsonl"
"$bin" index --db "$tmp/db" "$tmp/c.jsonl" > /dev/null 2>&1 || fail "index"
db=(--db "$tmp/db")
q='bệnh viện'

# --- export: every match, both formats, parsed back ------------------------------------------
total=$("$bin" count "${db[@]}" "$q")
[ "$total" -gt 100 ] || fail "common query matches only $total"; pass
"$bin" export "${db[@]}" --format jsonl --fields url,title,published,source,score,body "$q" > "$tmp/e.jsonl" 2> "$tmp/e.err"
[ ! -s "$tmp/e.err" ] || fail "export wrote to stderr (not a terminal): $(cat "$tmp/e.err")"; pass
"$bin" export "${db[@]}" --format csv --bom --fields url,title,published,source,score,body "$q" > "$tmp/e.csv"
"$bin" export "${db[@]}" --format csv --sort date --fields url,published "$q" > "$tmp/d.csv"
"$bin" export "${db[@]}" --format jsonl --sort index --fields url,published "$q" > "$tmp/i.jsonl"
"$bin" search "${db[@]}" --json --limit 20 "$q" > "$tmp/top.json"
"$bin" search "${db[@]}" --json --sort date --limit 20 "$q" > "$tmp/topd.json"
python3 - "$tmp" "$total" > "$tmp/py.out" <<'EOF' || { cat "$tmp/py.out" >&2; fail "export contents"; }
import csv, io, json, sys
tmp, total = sys.argv[1], int(sys.argv[2])
checks = 0
def check(cond, what):
    global checks
    if not cond:
        print("export: " + what); sys.exit(1)
    checks += 1
rows = [json.loads(l) for l in open(tmp + "/e.jsonl", encoding="utf-8")]
check(len(rows) == total, "jsonl has %d rows, count says %d" % (len(rows), total))
check(all(list(r) == ["url", "title", "published", "source", "score", "body"] for r in rows), "jsonl fields/order")
check(len({r["url"] for r in rows}) == total, "jsonl urls unique")
check(all(isinstance(r["score"], (int, float)) for r in rows), "scores are numbers")
check(all(rows[i]["score"] >= rows[i + 1]["score"] for i in range(len(rows) - 1)), "jsonl sorted by relevance")
raw = open(tmp + "/e.csv", "rb").read()
check(raw.startswith(b"\xef\xbb\xbf"), "--bom writes a UTF-8 BOM")
text = raw[3:].decode("utf-8")
inq, bare = False, 0
for i, ch in enumerate(text):
    if ch == '"': inq = not inq
    elif ch == "\n" and not inq and (i == 0 or text[i - 1] != "\r"): bare += 1
check(bare == 0, "every CSV record ends with CRLF (%d bare LF)" % bare)
check(text.endswith("\r\n"), "CSV ends with CRLF")
recs = list(csv.reader(io.StringIO(text, newline="")))
check(recs[0] == ["url", "title", "published", "source", "score", "body"], "CSV header")
recs = recs[1:]
check(len(recs) == total, "CSV has %d rows, count says %d" % (len(recs), total))
for r, j in zip(recs, rows):
    check(r[0] == j["url"] and r[1] == j["title"] and r[3] == j["source"] and r[5] == j["body"], "CSV row equals JSONL row")
    check(r[2] == (j["published"] or ""), "CSV date equals JSONL date")
check(any("\n" in r[5] or '"' in r[5] or "," in r[5] for r in recs), "some body needed quoting")
top = json.load(open(tmp + "/top.json", encoding="utf-8"))
check(top["total"] == total, "search total = count")
check([h["url"] for h in top["hits"]] == [r["url"] for r in rows[:20]], "export order = search order (relevance)")
topd = json.load(open(tmp + "/topd.json", encoding="utf-8"))
drecs = list(csv.reader(open(tmp + "/d.csv", encoding="utf-8", newline="")))[1:]
check(len(drecs) == total, "date export rows")
check([h["url"] for h in topd["hits"]] == [r[0] for r in drecs[:20]], "export order = search order (date)")
dates = [r[1] for r in drecs if r[1]]
check(all(dates[i] >= dates[i + 1] for i in range(len(dates) - 1)), "date export newest first")
irows = [json.loads(l) for l in open(tmp + "/i.jsonl", encoding="utf-8")]
check(sorted(r["url"] for r in irows) == sorted(r["url"] for r in rows), "index-order export has the same set")
for h in top["hits"]:
    check(set(h) >= {"url", "title", "published", "source", "score", "snippet", "highlights"}, "hit keys")
    for a, b in h["highlights"]:
        s = h["snippet"].encode("utf-8")
        check(0 <= a < b <= len(s), "highlight inside the snippet")
print("export: %d rows in both formats; %d checks" % (total, checks))
print(checks)
EOF
n=$((n + $(tail -n 1 "$tmp/py.out")))
head -n 1 "$tmp/py.out"

# --- pagination: pages of 7 concatenate to one page of 70 -----------------------------------
for sort in relevance date; do
  "$bin" search "${db[@]}" --json --sort "$sort" --limit 70 "$q" > "$tmp/big.json"
  for off in 0 7 14 21 28 35 42 49 56 63; do
    "$bin" search "${db[@]}" --json --sort "$sort" --limit 7 --offset "$off" "$q" > "$tmp/p$off.json"
  done
  python3 - "$tmp" <<'EOF' || fail "pagination ($sort)"
import json, sys
t = sys.argv[1]
big = [h["url"] for h in json.load(open(t + "/big.json"))["hits"]]
pages = []
for off in range(0, 70, 7):
    pages += [h["url"] for h in json.load(open("%s/p%d.json" % (t, off)))["hits"]]
assert big == pages and len(big) == 70, (len(big), len(pages))
EOF
  pass
done

# --- date filters: boundaries and partitions --------------------------------------------------
c() { "$bin" count "${db[@]}" "$@"; }
y=$(c "$q date:2024")
[ "$y" -gt 0 ] || fail "no match in 2024"; pass
[ "$(c "$q date:2024-01..2024-12")" -eq "$y" ] || fail "date:2024 != 2024-01..2024-12"; pass
[ "$(c "$q date:2024-01-01..2024-12-31")" -eq "$y" ] || fail "date:2024 != day range"; pass
[ "$(c "$q date:>=2024-01-01 date:<2025")" -eq "$y" ] || fail "date:2024 != >= and <"; pass
[ "$(c "$q date:>2023 date:<=2024-12-31")" -eq "$y" ] || fail "date:2024 != > and <="; pass
h1=$(c "$q date:2024-01-01..2024-06-30"); h2=$(c "$q date:2024-07-01..2024-12-31")
[ $((h1 + h2)) -eq "$y" ] || fail "halves of 2024 ($h1 + $h2) != $y"; pass
sum=0
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do sum=$((sum + $(c "$q date:2024-$m"))); done
[ "$sum" -eq "$y" ] || fail "months of 2024 add up to $sum, not $y"; pass
all=$(c "$q"); before=$(c "$q date:<2024-01-01"); after=$(c "$q date:>=2025-01-01")
[ $((before + y + after)) -le "$all" ] || fail "date partition exceeds the total"; pass
"$bin" export "${db[@]}" --format csv --fields published "$q date:2024-01-01..2024-06-30" > "$tmp/h1.csv"
python3 - "$tmp/h1.csv" "$h1" <<'EOF' || fail "exported dates outside the range"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))[1:]
assert len(rows) == int(sys.argv[2]), (len(rows), sys.argv[2])
for (d,) in rows:
    assert "2024-01-01T00:00:00+07:00" <= d <= "2024-06-30T23:59:59+07:00", d
EOF
pass

# --- facets ------------------------------------------------------------------------------------
"$bin" search "${db[@]}" --json --facets --limit 1 "$q" > "$tmp/f.json"
python3 - "$tmp/f.json" <<'EOF' || fail "facets"
import json, sys
r = json.load(open(sys.argv[1]))
f = r["facets"]
assert sum(m["count"] for m in f["months"]) == r["total"]
assert f["sources"] and all(s["count"] > 0 for s in f["sources"])
assert f["sources"] == sorted(f["sources"], key=lambda s: (-s["count"], s["source"].encode()))
EOF
pass
"$bin" search "${db[@]}" --facets --no-color --limit 1 "$q" > "$tmp/f.txt"
grep -q "^Months" "$tmp/f.txt" && grep -q "^Sources" "$tmp/f.txt" || fail "human facets"; pass

# --- the query language through the CLI ----------------------------------------------------------
for good in 'title:bệnh' 'source:vnexpress' 'url:vnexpress.net' 'bệnh NEAR/3 viện' 'vi*' '=bệnh' \
            '"bệnh viện" -tiêm' 'date:2024-06'; do
  "$bin" count "${db[@]}" "$good" > /dev/null || fail "'$good' refused"
done; pass
[ "$(c 'bệnh NEAR/1 viện')" -ge "$(c '"bệnh viện"')" ] || fail "NEAR/1 finds fewer than the phrase"; pass
[ "$(c 'title:bệnh')" -le "$(c 'bệnh')" ] || fail "title: finds more than everywhere"; pass
[ "$(c 'hospital:"Bệnh viện Bạch Mai"')" -gt 0 ] || fail "no article about Bệnh viện Bạch Mai"; pass
[ "$(c 'person:"Trần Văn Thuấn"')" -le "$(c 'person:"Trần Văn"*')" ] || fail "person prefix finds fewer"; pass

# --- malformed queries: exit 2, the query and a caret ------------------------------------------
for bad in '"bệnh viện' '(y tế' 'title:' 'date:2024-13' 'foo:bar' 'y NEAR/0 tế'; do
  set +e
  "$bin" search "${db[@]}" "$bad" > /dev/null 2> "$tmp/err.txt"
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "'$bad' exited $rc, expected 2"
  grep -q '\^' "$tmp/err.txt" || fail "'$bad': no caret in $(cat "$tmp/err.txt")"
  grep -q "position" "$tmp/err.txt" || fail "'$bad': no position"
  set +e
  "$bin" export "${db[@]}" "$bad" > /dev/null 2>&1
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "export '$bad' exited $rc, expected 2"
  pass
done
set +e
"$bin" export "${db[@]}" --format xml "$q" > /dev/null 2>&1; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--format xml exited $rc"; pass

echo "search_export: $n checks passed"
