#!/usr/bin/env bash
# End-to-end: crawl a fixture site served by a real HTTP server on 127.0.0.1
# (tests/fixtures/crawler/server.py), then check what was requested (robots rules, sitemap index
# with a gzip sitemap, RSS, redirect chain and loop, 404/500, retries after 500 and 429 with
# Retry-After, a timeout, politeness), the WARC files (parsed independently with python's gzip
# module: one member per record, digests), `timtin extract` (titles, dates, clean bodies, listing
# left out, near-duplicate grouped). Resuming is tested in crawl_resume.sh, TLS in crawl_tls.sh,
# politeness per IP address in crawl_politeness.sh.
# Usage: crawl_site.sh TIMTIN REPO
set -euo pipefail
TIMTIN=$1
REPO=$2
T=$(mktemp -d /tmp/tt_crawl_XXXXXX)
SRV=
cleanup() { if [ -n "$SRV" ]; then kill "$SRV" 2>/dev/null || true; fi; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

start_server() {   # $1 = log file
  rm -f "$T/port"
  python3 "$REPO/tests/fixtures/crawler/server.py" "$REPO/tests/fixtures/crawler/site" "$T/port" "$1" &
  SRV=$!
  for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
  [ -s "$T/port" ] || fail "server did not start"
  PORT=$(cat "$T/port")
  BASE=http://127.0.0.1:$PORT
}
count() { grep -c " $2\$" "$1" || true; }   # requests of path $2 in log $1

# ---------------------------------------------------------------- crawl
start_server "$T/log1"
# --timeout 1500: /slow answers after 2.5 s (a timeout, then one retry), while /big's first
# megabyte must arrive within it even under ASan on a loaded machine (at 600 ms it once timed out
# there and was fetched twice)
"$TIMTIN" crawl --out "$T/c" --delay 5 --concurrency 4 --timeout 1500 --retries 1 --retry-delay 50 \
  --max-bytes 1000000 --quiet "$BASE/" > "$T/summary" || fail "crawl exited $?"
cat "$T/summary"
grep -q '^crawl done: 14 pages' "$T/summary" || fail "summary: $(head -1 "$T/summary")"
grep -q 'HTTP 429: 1' "$T/summary" || fail "no 429 in the summary"
grep -q 'disallowed by robots.txt: 2' "$T/summary" || fail "robots count"
grep -q 'too large: 1' "$T/summary" || fail "size cap"
grep -q 'not HTML: 1' "$T/summary" || fail "content-type filter: /anh.png (image/png) not counted"
grep -q 'network errors: 1' "$T/summary" || fail "timeout not counted"

L=$T/log1
[ "$(head -1 "$L" | cut -d' ' -f2)" = /robots.txt ] || fail "robots.txt is not the first request"
[ "$(count "$L" /private/secret.html)" = 0 ] || fail "fetched a URL disallowed for our agent"
[ "$(count "$L" /doc.pdf)" = 0 ] || fail "fetched /doc.pdf (Disallow: /*.pdf\$)"
[ "$(count "$L" /private/ok.html)" = 1 ] || fail "the longer Allow rule did not win"
for p in /sitemap_index.xml /sitemap-a.xml /sitemap-b.xml.gz /feed.rss /tin/from-feed.html /tin/cp1258.html \
         /tin/suckhoe-article.html /redirect/1 /redirect/2 /redirect/3 /tin/after-redirect.html /loop/a /loop/b \
         /gzip/syndicated-copy.html /deflate/bai.html /anh.png /chuyen-muc /missing; do
  [ "$(count "$L" "$p")" = 1 ] || fail "$p requested $(count "$L" "$p") times, want 1"
done
[ "$(count "$L" /error500)" = 2 ] || fail "/error500: want 1 try + 1 retry"
[ "$(count "$L" /flaky)" = 2 ] || fail "/flaky: want a retry after the 500"
[ "$(count "$L" /busy)" = 2 ] || fail "/busy: want a retry after the 429"
[ "$(count "$L" /slow)" = 2 ] || fail "/slow: want a timeout and one retry"
[ "$(count "$L" 'http://other.invalid/tin.html')" = 0 ] || fail "left the scope"
# Retry-After: 1 is honoured
b1=$(grep ' /busy$' "$L" | head -1 | cut -d' ' -f1); b2=$(grep ' /busy$' "$L" | tail -1 | cut -d' ' -f1)
[ $((b2 - b1)) -ge 950 ] || fail "/busy retried after $((b2 - b1)) ms, Retry-After says 1 s"
# politeness: one host, requests at least max(--delay 5 ms, robots Crawl-delay 0.02 s) apart
# (the server logs whole milliseconds: 1 ms of slack)
awk 'NR > 1 && $1 - prev < 19 { bad = bad " " $2 "(" $1 - prev "ms)" } { prev = $1 } END { if (bad) { print bad; exit 1 } }' "$L" \
  || fail "two requests to one host closer than the delay"
# no page twice except the retried ones
dups=$(awk '{print $2}' "$L" | sort | uniq -d | grep -v -e '^/error500$' -e '^/flaky$' -e '^/busy$' -e '^/slow$' || true)
[ -z "$dups" ] || fail "fetched twice: $dups"

# ---------------------------------------------------------------- exponential backoff
# /err/500 always answers 500: with --retries 3 --retry-delay 40 it is asked 4 times, the
# retries at least 40, 80 and 160 ms after the previous answer (1 ms of log rounding)
"$TIMTIN" crawl --out "$T/backoff" --delay 5 --retries 3 --retry-delay 40 --scope prefix --quiet "$BASE/err/500" \
  > "$T/s_backoff" || fail "backoff crawl exited $?"
grep -q ' 3 retries' "$T/s_backoff" && grep -q '^  HTTP 500: 4$' "$T/s_backoff" || fail "backoff: $(cat "$T/s_backoff")"
gaps=$(grep ' /err/500$' "$L" | awk 'NR > 1 { printf "%d ", $1 - prev } { prev = $1 }')
echo "backoff gaps (ms): $gaps"
read -r g1 g2 g3 rest <<< "$gaps"
[ -n "$g3" ] && [ -z "${rest:-}" ] || fail "want 4 requests of /err/500, gaps: $gaps"
[ "$g1" -ge 39 ] && [ "$g2" -ge 79 ] && [ "$g3" -ge 159 ] || fail "backoff not doubling from 40 ms: $gaps"

# ---------------------------------------------------------------- WARC, read by python's gzip module
python3 - "$T/c" "$REPO" <<'PY'
import glob, gzip, sys, zlib
sys.path.insert(0, sys.argv[2] + '/tests/fixtures/crawler')
from warc import records, sha1_b32
files = sorted(glob.glob(sys.argv[1] + '/*.warc.gz'))
assert files, 'no WARC file'
types = {}
uris = set()
deflated = False
for f in files:
    for h, block in records(f):
        assert h['WARC-Record-ID'].startswith('<urn:uuid:') and h['WARC-Date'].endswith('Z')
        t = h['WARC-Type']
        types[t] = types.get(t, 0) + 1
        if t == 'response':
            assert h['Content-Type'] == 'application/http; msgtype=response'
            body = block.partition(b'\r\n\r\n')[2]
            assert h['WARC-Payload-Digest'] == sha1_b32(body)
            assert block.startswith(b'HTTP/1.')
            uris.add(h['WARC-Target-URI'])
            if h['WARC-Target-URI'].endswith('/gzip/syndicated-copy.html'):
                assert b'Content-Encoding: gzip' in block and gzip.decompress(body).startswith(b'<!DOCTYPE html>'), 'raw gzip kept'
            if h['WARC-Target-URI'].endswith('/deflate/bai.html'):
                assert b'Content-Encoding: deflate' in block and zlib.decompress(body).startswith(b'<!DOCTYPE html>'), 'raw deflate kept'
                deflated = True
            assert not h['WARC-Target-URI'].endswith('/anh.png'), 'a filtered (not HTML) answer was stored'
        elif t == 'request':
            assert block.startswith(b'GET /') and b'User-Agent: timtin/' in block
assert types.get('response') == types.get('request') and types['response'] >= 100, types
assert any(u.endswith('/tin/moh-article.html') for u in uris) and deflated
print('warc ok:', types)
PY
zcat "$T"/c/*.warc.gz | grep -c '^WARC/1.1' > /dev/null || fail "zcat cannot read the WARC"

# ---------------------------------------------------------------- extract
"$TIMTIN" extract "$T"/c/*.warc.gz > "$T/articles.jsonl" 2> "$T/extract.err" || fail "extract exited $?"
cat "$T/extract.err"
python3 - "$T/articles.jsonl" "$BASE" <<'PY'
import json, sys
arts = [json.loads(l) for l in open(sys.argv[1])]
base = sys.argv[2]
by = {a['url']: a for a in arts}
def get(path):
    a = by.get(base + path)
    assert a, 'missing article ' + path + ' in ' + ', '.join(sorted(by))
    return a
m = get('/tin-tong-hop/chuyen-giao-ky-thuat-y-te-chuyen-sau')          # canonical URL
assert m['title'] == 'Chuyển giao kỹ thuật y tế chuyên sâu, nâng cao chất lượng y tế cơ sở'
assert m['published'] == '2024-06-12T12:45:00+07:00' and m['source'] == 'Cổng thông tin điện tử Bộ Y tế'
assert 'Tin liên quan' not in m['body'] and 'Siết chặt quản lý' not in m['body'] and 'Văn Giang./.' in m['body']
b = get('/tin/baobackan-article.html')
assert b['published'].endswith('-07-24T00:00:00+07:00') and '.jpg' not in b['body'] and 'Đọc báo in' not in b['body']
s = get('/tin/suckhoe-article.html')
assert s['published'] == '2025-03-17T08:34:00+07:00'
c = get('/tin/cp1258.html')
assert c['title'] == 'Bệnh viện Bạch Mai tiếp nhận chuyển giao kỹ thuật lọc máu', c['title']
g = get('/gzip/syndicated-copy.html')
# the copy and the original point at each other's URL, whichever was fetched first
assert g.get('dup_of') == m['url'] or m.get('dup_of') == g['url'], (g.get('dup_of'), m.get('dup_of'))
assert g['published'] == '2024-06-12T14:10:00+07:00'
assert get('/tin/suckhoeviet-article.html')['published'] == '2023-11-02T09:15:00+07:00'
d = get('/deflate/bai.html')      # Content-Encoding: deflate, decoded by extract
assert d['title'] == 'Bài nén deflate' and 'Bạch' in d['body'] and len(d['body']) > 300, d
assert not any('chuyen-muc' in u for u in by), 'the listing page was emitted as an article'
assert sum(1 for a in arts if a.get('dup_of')) == 1
print('extract ok:', len(arts), 'articles')
PY

# ---------------------------------------------------------------- torn WARC tail: warning, not failure
last=$(ls "$T"/c/*.warc.gz | tail -1)
size=$(stat -c %s "$last")
head -c $((size - 7)) "$last" > "$T/torn.warc.gz"
"$TIMTIN" extract "$T/torn.warc.gz" > /dev/null 2> "$T/torn.err" || fail "extract failed on a torn WARC"
grep -q 'torn record' "$T/torn.err" || fail "no torn-record warning: $(cat "$T/torn.err")"

# ---------------------------------------------------------------- a second crawl into the folder
"$TIMTIN" crawl --out "$T/c" --quiet "$BASE/" > /dev/null 2>&1 && fail "a second crawl into the same folder must ask for --resume"
echo "crawl_site: ok"
