#!/usr/bin/env bash
# End-to-end test of `timtin entities` and the entity parts of `search` (docs/entities.md):
# every listed count equals `timtin count '<type>:"<key>"'` (over the index, and within a
# query), deleted articles stop counting, `search --json` hits list their entities,
# `search --facets --json` has the entity facets, bad options and queries exit 2.
# usage: entities.sh path/to/timtin
set -euo pipefail

bin=${1:?usage: entities.sh path/to/timtin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
pass() { n=$((n + 1)); }
fail() { echo "entities: FAIL: $*" >&2; exit 1; }

"$bin" gen-corpus --docs 1500 --seed 5 > "$tmp/c.jsonl"
"$bin" index --db "$tmp/db" --memory 8 --no-merge "$tmp/c.jsonl" > /dev/null 2>&1 || fail "index"
db=(--db "$tmp/db")

# every count of `entities` equals a count through the query language
check_counts() {   # $1 = query ("" for the whole index), $2 = label
  local q=$1
  if [ -n "$q" ]; then "$bin" entities "${db[@]}" --json --limit 4 "$q" > "$tmp/e.json"
  else "$bin" entities "${db[@]}" --json --limit 4 > "$tmp/e.json"; fi
  python3 - "$tmp/e.json" > "$tmp/pairs" <<'PY' || fail "$2: entities --json"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert isinstance(d["articles"], int)
ents = d["entities"]
assert len(ents) >= 3, "too few entities: %r" % ents
for t in ("person", "hospital", "program"):
    assert sum(e["type"] == t for e in ents) <= 4
for e in ents:
    assert e["articles"] > 0 and e["name"] and e["key"]
    assert ("role" in e) == (e["type"] == "person")
    print("%d\t%s:\"%s\"" % (e["articles"], e["type"], e["key"]))
PY
  while IFS=$'\t' read -r want field; do
    got=$("$bin" count "${db[@]}" "$q $field")
    [ "$got" = "$want" ] || fail "$2: entities says $want for $field, count says $got"
  done < "$tmp/pairs"
  pass
}
check_counts "" "whole index"
check_counts "bệnh viện" "query"
check_counts "date:>=2025-01-01 y tế" "query with a date"

# human output, type filter
"$bin" entities "${db[@]}" --type person --limit 3 > "$tmp/h.txt"
grep -q "^Officials" "$tmp/h.txt" || fail "human output heading"
! grep -q "^Hospitals" "$tmp/h.txt" || fail "--type person shows hospitals"
[ "$(grep -c '^ ' "$tmp/h.txt")" -eq 3 ] || fail "--limit 3: $(cat "$tmp/h.txt")"; pass

# deletions: the top hospital's count drops by the articles deleted
top=$("$bin" entities "${db[@]}" --json --type hospital --limit 1)
key=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["entities"][0]["key"])' "$top")
before=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["entities"][0]["articles"])' "$top")
"$bin" export "${db[@]}" --format jsonl --fields url "hospital:\"$key\"" > "$tmp/x.jsonl"
python3 -c 'import json,sys; [print(json.loads(l)["url"]) for l in open(sys.argv[1]).readlines()[:3]]' "$tmp/x.jsonl" > "$tmp/urls"
xargs "$bin" delete "${db[@]}" < "$tmp/urls" > /dev/null
after=$("$bin" entities "${db[@]}" --json --type hospital --limit 50 |
  python3 -c 'import json,sys; k=sys.argv[1]; print(sum(e["articles"] for e in json.load(sys.stdin)["entities"] if e["key"]==k))' "$key")
[ "$after" -eq $((before - 3)) ] || fail "after deleting 3 articles: $before -> $after"; pass
check_counts "" "after deletions"

# search --json: entities of each hit; --facets: entity facets
"$bin" search "${db[@]}" --json --facets --limit 5 'bệnh viện' > "$tmp/s.json"
python3 - "$tmp/s.json" <<'PY' || fail "search --json entities"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["hits"] and all("entities" in h for h in d["hits"])
assert any(h["entities"] for h in d["hits"])
for h in d["hits"]:
    firsts = [e["first_position"] for e in h["entities"]]
    assert firsts == sorted(firsts)
    for e in h["entities"]:
        assert e["type"] in ("person", "hospital", "program") and e["mentions"] >= 1 and 0 <= e["in_title"] <= e["mentions"]
assert d["facets"]["entities"], "no entity facets"
PY
pass

# errors: exit 2
for bad in "--type doctor" "--limit 0" "--bogus"; do
  set +e; "$bin" entities "${db[@]}" $bad > /dev/null 2>&1; rc=$?; set -e
  [ "$rc" -eq 2 ] || fail "entities $bad exited $rc"
done
set +e; "$bin" entities "${db[@]}" '(y tế' > /dev/null 2> "$tmp/err"; rc=$?; set -e
[ "$rc" -eq 2 ] && grep -q '\^' "$tmp/err" || fail "bad query exited $rc"; pass

# --no-entities: no entity terms for those articles, the mark counted by stats and entities,
# deletions and re-indexing with recognition taken into account
ne=(--db "$tmp/ne")
head -n 40 "$tmp/c.jsonl" > "$tmp/a.jsonl"
sed -n '41,70p' "$tmp/c.jsonl" > "$tmp/b.jsonl"
"$bin" index "${ne[@]}" "$tmp/a.jsonl" > /dev/null 2>&1 || fail "index a"
"$bin" entities "${ne[@]}" --json > "$tmp/ea.json"
"$bin" index "${ne[@]}" --no-entities "$tmp/b.jsonl" > /dev/null 2>&1 || fail "index --no-entities"
"$bin" stats "${ne[@]}" --json | grep -q '"no_entities":30,' || fail "stats: no_entities is not 30"
"$bin" stats "${ne[@]}" | grep -q 'not recognized in 30 live articles' || fail "stats: no line for --no-entities"
"$bin" entities "${ne[@]}" --json > "$tmp/eb.json"
python3 - "$tmp/ea.json" "$tmp/eb.json" <<'PY' || fail "entities after --no-entities"
import json, sys
a, b = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:])
assert b["articles"] == 70 and b["articles_without_entities"] == 30, b
assert "articles_without_entities" not in a
assert a["entities"] == b["entities"], "the 30 articles without recognition changed the counts"
PY
"$bin" entities "${ne[@]}" | grep -q '^30 of them were indexed without entity recognition' || fail "entities: no note"
"$bin" count "${ne[@]}" 'hospital:"bo y te"' 2> "$tmp/err" > /dev/null
grep -q 'indexed without entity recognition' "$tmp/err" || fail "count on an entity field: no note"
"$bin" count "${ne[@]}" 'y tế' 2> "$tmp/err" > /dev/null
[ ! -s "$tmp/err" ] || fail "count without entity fields: unexpected note"
url=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["url"])' "$tmp/b.jsonl")
"$bin" delete "${ne[@]}" "$url" > /dev/null || fail "delete"
"$bin" stats "${ne[@]}" --json | grep -q '"no_entities":29,' || fail "stats after a deletion"
"$bin" entities "${ne[@]}" --json 'y tế' | grep -q '"articles_without_entities":29,' || fail "entities with a query after a deletion"
"$bin" index "${ne[@]}" "$tmp/b.jsonl" > /dev/null 2>&1 || fail "re-index with entities"
"$bin" stats "${ne[@]}" --json | grep -q '"no_entities":0,' || fail "stats after re-indexing with entities"
pass

echo "entities: $n checks passed"
