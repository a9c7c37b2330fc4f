#!/usr/bin/env bash
# End-to-end: interrupted crawls continue where they stopped (docs/crawler.md, "Resume").
#  1. kill -9 at three points of a crawl of 30 generated pages (the server holds each of their
#     answers 120 ms, so a kill lands while a transfer is in flight), --resume after each; before the
#     last resume, the state a kill inside the WARC write() leaves (a torn last record, no D line)
#     is made by hand. Then: every page is in the WARC files, complete, exactly once (a second
#     copy is allowed only for a page in flight at a kill); no page answered before a kill is
#     requested again, only the page in flight and the torn one; every WARC file reads to its end,
#     the torn one with a "torn record" warning; frontier.log is well formed, every D has its Q,
#     one D per URL, nothing pending. Sessions resumed without seeds keep the --scope prefix.
#  2. --max-pages then --resume fetches nothing twice; --recrawl sends conditional requests.
# Usage: crawl_resume.sh TIMTIN REPO
set -euo pipefail
TIMTIN=$1
REPO=$2
T=$(mktemp -d /tmp/tt_crawl_resume_XXXXXX)
SRV=
CRAWLER=
cleanup() {
  if [ -n "$CRAWLER" ]; then kill -9 "$CRAWLER" 2>/dev/null || true; fi
  if [ -n "$SRV" ]; then kill "$SRV" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

start_server() {   # $1 = log file, then server options
  local log=$1; shift
  rm -f "$T/port"
  python3 "$REPO/tests/fixtures/crawler/server.py" "$REPO/tests/fixtures/crawler/site" "$T/port" "$log" "$@" &
  SRV=$!
  for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
  [ -s "$T/port" ] || fail "server did not start"
  PORT=$(cat "$T/port")
  BASE=http://127.0.0.1:$PORT
}
stop_server() { kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=; }

# ---------------------------------------------------------------- 1. kill -9 and resume
N=30
L=$T/log
start_server "$L" --delay 120 --gen $N
touch "$L"
C=$T/c
gen_requests() { grep -c ' /gen/' "$L" || true; }

# Run a crawl in the background and SIGKILL it once the server has seen $1 page requests in all.
crawl_and_kill() {
  local want=$1; shift
  "$TIMTIN" crawl --out "$C" --delay 0 --timeout 5000 --retries 0 --quiet "$@" > /dev/null 2>&1 &
  CRAWLER=$!
  for _ in $(seq 1000); do
    [ "$(gen_requests)" -ge "$want" ] && break
    kill -0 "$CRAWLER" 2>/dev/null || fail "the crawl ended before $want page requests"
    sleep 0.01
  done
  [ "$(gen_requests)" -ge "$want" ] || fail "no $want page requests after 10 s"
  kill -9 "$CRAWLER"
  wait "$CRAWLER" 2>/dev/null || true
  CRAWLER=
  echo "--- kill $(tail -1 "$L" | cut -d' ' -f2)" >> "$L"    # the page in flight
}

t0=$(date +%s%N)
# --scope prefix keeps the crawl in /gen/; resumed sessions without seeds keep that scope (DIR/scope)
crawl_and_kill 4 --scope prefix "$BASE/gen/0"
crawl_and_kill 11 --resume
crawl_and_kill 19 --resume --scope prefix "$BASE/gen/0"
"$TIMTIN" crawl --out "$C" --resume "$BASE/gen/0" > /dev/null 2> "$T/scope.err" && fail "resumed with another --scope"
grep -q 'was crawled with --scope prefix' "$T/scope.err" || fail "message: $(cat "$T/scope.err")"

# A kill inside the write() of an exchange: the newest WARC file ends in a torn record and the
# page has no D line (the D line is written only after the WARC write returned).
python3 - "$C" "$L" <<'PY'
import glob, os, sys, zlib
d, log = sys.argv[1], sys.argv[2]
newest = sorted(glob.glob(d + '/*.warc.gz'))[-1]
data = open(newest, 'rb').read()
starts, pos = [], 0
while pos < len(data):
    z = zlib.decompressobj(16 + 15)
    z.decompress(data[pos:])
    starts.append(pos)
    pos = len(data) - len(z.unused_data)
# the last exchange is two members: response, then request
resp = zlib.decompressobj(16 + 15).decompress(data[starts[-2]:starts[-1]])
uri = [l.split(b': ', 1)[1].decode() for l in resp.split(b'\r\n') if l.startswith(b'WARC-Target-URI: ')][0]
assert '/gen/' in uri, 'the last exchange is not a page: ' + uri
cut = starts[-2] + (starts[-1] - starts[-2]) // 2
with open(newest, 'r+b') as f:
    f.truncate(cut)
fr = d + '/frontier.log'
lines = open(fr).read().split('\n')
dl = [i for i, l in enumerate(lines) if l.startswith("D\t") and l.endswith("\t" + uri)]
# (no D line: the kill already fell between this write and its D line; the page is pending)
if dl: del lines[dl[-1]]
open(fr, 'w').write('\n'.join(lines))
with open(log, 'a') as f:
    f.write('--- torn %s\n' % uri[uri.index('/gen/'):])
print('torn record made for', uri, '(its D line removed)' if dl else '(it had no D line yet)')
PY

"$TIMTIN" crawl --out "$C" --delay 0 --timeout 5000 --retries 0 --resume --quiet > "$T/final" || fail "final resume exited $?"
grep -q '^crawl done' "$T/final" || fail "final resume: $(cat "$T/final")"

"$TIMTIN" extract "$C"/*.warc.gz > "$T/articles.jsonl" 2> "$T/extract.err" || fail "extract exited $?"
grep -q 'torn record' "$T/extract.err" || fail "no torn-record warning: $(cat "$T/extract.err")"
python3 - "$C" "$L" "$N" "$BASE" "$T/articles.jsonl" "$REPO" <<'PY'
import collections, glob, json, re, sys
sys.path.insert(0, sys.argv[6] + '/tests/fixtures/crawler')
from warc import Torn, records
d, log, n, base = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
pages = {'/gen/%d' % i for i in range(n)}

# server log: sessions split at the markers
sessions, inflight, torn = [[]], [], None
for line in open(log):
    f = line.split()
    if f[0] == '---':
        if f[1] == 'kill': inflight.append(f[2]); sessions.append([])
        else: torn = f[2]
        continue
    assert f[1].startswith('/gen/') or f[1] == '/robots.txt', 'left the --scope prefix: ' + line
    if f[1].startswith('/gen/'): sessions[-1].append(f[1])
assert len(sessions) == 4 and torn, (len(sessions), torn)
seen = set()
for s, reqs in enumerate(sessions):
    allowed = set()
    if s > 0: allowed.add(inflight[s - 1])
    if s == 3: allowed.add(torn)
    again = [u for u in reqs if u in seen]
    assert set(again) <= allowed, 'session %d requested again %s (allowed: %s)' % (s + 1, again, allowed)
    assert len(reqs) == len(set(reqs)), 'session %d requested a page twice' % (s + 1)
    seen.update(reqs)
assert seen == pages, 'never requested: %s' % sorted(pages - seen)
assert torn in sessions[3], 'the page with the torn record was not fetched again'

# WARC files: read to the end; only the one made torn ends in a torn record
count = collections.Counter()
torn_files = 0
for fn in sorted(glob.glob(d + '/*.warc.gz')):
    try:
        for h, block in records(fn):
            if h['WARC-Type'] == 'response' and block.startswith(b'HTTP/1.1 200'):
                uri = h['WARC-Target-URI']
                if '/gen/' in uri: count[uri[len(base):]] += 1
    except Torn:
        torn_files += 1
assert torn_files == 1, '%d WARC files end in a torn record, want 1' % torn_files
assert set(count) == pages, 'missing from the WARC files: %s' % sorted(pages - set(count))
dups = {u: k for u, k in count.items() if k > 1}
assert all(k == 2 and u in inflight for u, k in dups.items()), 'duplicates: %s' % dups

# frontier.log: well formed, D after Q, one D per URL, nothing pending
text = open(d + '/frontier.log').read()
assert text.endswith('\n'), 'frontier.log ends in a partial line'
queued, done = set(), collections.Counter()
for line in text.splitlines():
    f = line.split('\t')
    if f[0] == 'Q':
        assert len(f) == 5 and f[1] in 'PSF' and f[2].isdigit() and f[3].isdigit(), line
        queued.add(f[4])
    elif f[0] == 'D':
        assert len(f) == 6 and re.fullmatch(r'\d+', f[2]), line
        assert f[5] in queued, 'D before Q: ' + line
        done[f[5]] += 1
    else:
        raise AssertionError('bad frontier line: ' + line)
assert set(done) == queued, 'pending after the final resume: %s' % sorted(queued - set(done))
assert all(k == 1 for k in done.values()), 'URLs done twice: %s' % [u for u, k in done.items() if k > 1]
assert {u[len(base):] for u in queued} == pages, sorted(queued)
print('kill/resume ok: %d pages, in flight at the kills: %s, torn: %s, refetched: %s' %
      (len(pages), inflight, torn, sorted({u for s in sessions[1:] for u in s} & set(inflight + [torn]))))

# timtin extract: every page as an article, once but for the same duplicates as in the WARC
# files (the torn record skipped with a warning)
arts = collections.Counter(json.loads(l)['url'][len(base):] for l in open(sys.argv[5]))
assert set(arts) == pages and arts == count, sorted(arts.items())
PY
echo "kill/resume part: $(( ($(date +%s%N) - t0) / 1000000 )) ms"

# ---------------------------------------------------------------- 2. --max-pages, --resume, --recrawl
# (the same server: only /gen/ answers are held)
t0=$(date +%s%N)
echo "--- part2" >> "$L"
"$TIMTIN" crawl --out "$T/r" --delay 5 --max-pages 3 --timeout 800 --retries 0 --max-bytes 1000000 --quiet "$BASE/" > "$T/s1" || fail "crawl 1"
grep -q '^crawl done: 3 pages' "$T/s1" || fail "max-pages: $(head -1 "$T/s1")"
echo "--- resume" >> "$L"
"$TIMTIN" crawl --out "$T/r" --delay 5 --timeout 800 --retries 0 --max-bytes 1000000 --resume --quiet > "$T/s2" || fail "resume"
cat "$T/s1" "$T/s2" | grep '^crawl'
awk '/^--- part2/ { part2 = 1; next } !part2 { next } /^--- resume/ { second = 1; next } $2 == "/robots.txt" { next } !second { a[$2] = 1 } second && ($2 in a) { print "refetched " $2; bad = 1 } END { exit bad }' "$L" \
  || fail "the resumed crawl fetched a URL again"
grep -q ' /tin/moh-article.html$' "$L" || fail "the resumed crawl did not reach the sitemap pages"
# re-crawl: conditional requests; unchanged pages answer 304
"$TIMTIN" crawl --out "$T/r" --delay 5 --timeout 800 --retries 0 --max-bytes 1000000 --recrawl --quiet > "$T/s3" || fail "recrawl"
grep -q 'not modified: [1-9]' "$T/s3" || fail "no 304 on re-crawl: $(cat "$T/s3")"
stop_server
echo "max-pages/recrawl part: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
echo "crawl_resume: ok"
