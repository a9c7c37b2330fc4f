#!/usr/bin/env bash
# End-to-end test of `timtin gen-corpus` (docs/corpus.md): determinism, the prefix property,
# valid article JSONL with the required fields, lengths and dates in range, the noise the
# analyzer must cope with (NFD, alternate tone placement, boilerplate), and option errors.
# usage: gen_corpus.sh path/to/timtin [repo-dir]
set -euo pipefail

bin=${1:?usage: gen_corpus.sh path/to/timtin [repo-dir]}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
pass() { n=$((n + 1)); }
fail() { echo "gen_corpus: FAIL: $*" >&2; exit 1; }

# --- determinism and the prefix property -------------------------------------------------
"$bin" gen-corpus --docs 2000 --seed 7 > "$tmp/a.jsonl"
"$bin" gen-corpus --docs 2000 --seed 7 > "$tmp/b.jsonl"
cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" || fail "same seed gave different output"; pass
[ "$(wc -l < "$tmp/a.jsonl")" -eq 2000 ] || fail "expected 2000 lines"; pass

"$bin" gen-corpus --docs 2000 --seed 8 > "$tmp/c.jsonl"
! cmp -s "$tmp/a.jsonl" "$tmp/c.jsonl" || fail "different seeds gave the same output"; pass

"$bin" gen-corpus --docs 500 --seed 7 > "$tmp/p.jsonl"
head -n 500 "$tmp/a.jsonl" | cmp -s - "$tmp/p.jsonl" || fail "--docs 500 is not a prefix of --docs 2000"; pass

"$bin" gen-corpus --seed=7 --docs=2000 --out "$tmp/o.jsonl" 2> "$tmp/o.err"
cmp -s "$tmp/a.jsonl" "$tmp/o.jsonl" || fail "--out differs from standard output"; pass

"$bin" gen-corpus --docs 0 > "$tmp/z.jsonl"
[ ! -s "$tmp/z.jsonl" ] || fail "--docs 0 wrote something"; pass

# --- options ---------------------------------------------------------------------------------
"$bin" gen-corpus --help > "$tmp/help.txt" || fail "--help failed"
grep -q -- "--docs N" "$tmp/help.txt" || fail "--help does not describe --docs"; pass
for bad in "" "--docs" "--docs abc" "--docs -5" "--docs 10 --seed x" "--docs 10 --bogus" "--out"; do
  set +e
  # shellcheck disable=SC2086
  "$bin" gen-corpus $bad > /dev/null 2> "$tmp/err.txt"
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "'gen-corpus $bad' exited $rc, expected 2"
  grep -q "usage: timtin gen-corpus" "$tmp/err.txt" || fail "'gen-corpus $bad' printed no usage"
  pass
done
set +e
"$bin" gen-corpus --docs 5 --out "$tmp/no/such/dir/x.jsonl" 2> /dev/null
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "unwritable --out exited $rc, expected 1"; pass

# --- content ---------------------------------------------------------------------------------
python3 - "$tmp/a.jsonl" > "$tmp/py.out" <<'EOF' || { cat "$tmp/py.out" >&2; fail "content checks"; }
import datetime, json, re, sys, unicodedata

path = sys.argv[1]
checks = 0
def check(cond, what):
    """An aggregate check: counted."""
    global checks
    if not cond:
        print("content: " + what)
        sys.exit(1)
    checks += 1

def req(cond, what):
    """A per-line check: counted once, after the loop."""
    if not cond:
        print("content: " + what)
        sys.exit(1)

raw = open(path, "rb").read()
text = raw.decode("utf-8")  # strict: the output is valid UTF-8
check(True, "utf-8")
lines = text.split("\n")
check(lines[-1] == "", "the file ends with a newline")
lines = lines[:-1]
fields = ("id", "url", "title", "published", "source", "body")
urls, ids = set(), set()
nfd = oldtone = images = captions = related = 0
alt = re.compile(r"(?<![qQ])(oà|oá|oả|oã|oạ|oè|oé|oẻ|oẽ|oẹ|uỳ|uý|uỷ|uỹ|uỵ)(?![\w])", re.I)
dom = re.compile(r"(?<![qQ])(òa|óa|ỏa|õa|ọa|òe|óe|ỏe|õe|ọe|ùy|úy|ủy|ũy|ụy)(?![\w])", re.I)
date_re = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\+07:00$")
lens = []
for i, line in enumerate(lines):
    d = json.loads(line)
    req(isinstance(d, dict) and all(isinstance(d.get(f), str) and d[f] for f in fields),
          "line %d lacks a field of %s" % (i + 1, fields))
    req(d["url"].startswith("https://") and d["url"].endswith(".html") and " " not in d["url"],
          "line %d: bad url %r" % (i + 1, d["url"]))
    urls.add(d["url"]); ids.add(d["id"])
    m = date_re.match(d["published"])
    req(m is not None, "line %d: bad date %r" % (i + 1, d["published"]))
    y, mo, da, h, mi, s = map(int, m.groups())
    datetime.datetime(y, mo, da, h, mi, s)  # raises on an impossible date
    req(2019 <= y <= 2026, "line %d: year %d outside 2019..2026" % (i + 1, y))
    body, title = d["body"], d["title"]
    n = len(body.split())
    lens.append(n)
    req(150 <= n <= 3000, "line %d: body has %d tokens, outside 150..3000" % (i + 1, n))
    nt = len(title.split())
    req(8 <= nt <= 20, "line %d: title has %d tokens" % (i + 1, nt))
    if unicodedata.normalize("NFC", body) != body:
        nfd += 1
        req(unicodedata.normalize("NFD", body) == body and unicodedata.normalize("NFD", title) == title,
              "line %d: partly decomposed" % (i + 1))
    nb = unicodedata.normalize("NFC", body)
    if alt.search(nb):
        oldtone += 1
        req(not dom.search(nb), "line %d mixes tone placements" % (i + 1))
    images += ".jpg" in body
    captions += "- Ảnh 1." in body
    related += "Tin liên quan" in body or "Xem thêm:" in body
N = len(lines)
for what in ("valid JSON objects with %s" % (fields,), "https urls", "dates 2019..2026 in +07:00",
             "bodies of 150..3000 tokens", "titles of 8..20 tokens", "NFD articles wholly NFD",
             "one tone placement per article"):
    check(True, what)
check(len(urls) == N and len(ids) == N, "urls and ids are unique")
check(0.01 * N <= nfd <= 0.10 * N, "NFD articles: %d of %d" % (nfd, N))
check(0.01 * N <= oldtone <= 0.10 * N, "alternate tone placement: %d of %d" % (oldtone, N))
check(images > 0 and captions > 0 and related > 0, "boilerplate: %d %d %d" % (images, captions, related))
mean = sum(lens) / N
check(450 <= mean <= 950, "mean body length %.0f tokens" % mean)
for needle in ("Bộ Y tế", "Bệnh viện Bạch Mai", "Đề án 1816", "Nghị quyết số 72-NQ/TW", "Thứ trưởng",
               "chuyển giao kỹ thuật", "chăm sóc sức khỏe"):
    check(any(needle in unicodedata.normalize("NFC", l) for l in lines), "nobody writes %r" % needle)
print("content: %d docs, mean %.0f tokens, %d NFD, %d alternate tones; %d checks" % (N, mean, nfd, oldtone, checks))
print(checks)
EOF
n=$((n + $(tail -n 1 "$tmp/py.out")))
head -n 1 "$tmp/py.out"

echo "gen_corpus: $n checks passed"
