#!/usr/bin/env bash
# End-to-end: politeness per IP address. Two host names (a.test, b.test) are mapped to the one
# test server on 127.0.0.1 with --resolve; the crawler learns after each name's first transfer
# (its robots.txt) that they are one machine, and from then on spaces all their requests by
# --delay as if they were one host, although --concurrency would allow both at once.
# Without the per-IP slot the two names would be crawled in parallel (gaps near 0 ms).
# Usage: crawl_politeness.sh TIMTIN REPO
set -euo pipefail
TIMTIN=$1
REPO=$2
T=$(mktemp -d /tmp/tt_crawl_polite_XXXXXX)
SRV=
cleanup() { if [ -n "$SRV" ]; then kill "$SRV" 2>/dev/null || true; fi; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 "$REPO/tests/fixtures/crawler/server.py" "$REPO/tests/fixtures/crawler/site" "$T/port" "$T/log" --gen 6 --log-host &
SRV=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fail "server did not start"
PORT=$(cat "$T/port")

DELAY=250
"$TIMTIN" crawl --out "$T/c" --delay $DELAY --concurrency 4 --timeout 5000 --retries 0 --scope prefix --quiet \
  --resolve "a.test:$PORT:127.0.0.1" --resolve "b.test:$PORT:127.0.0.1" \
  "http://a.test:$PORT/gen/0" "http://b.test:$PORT/gen/0" > "$T/summary" || fail "crawl exited $?"
cat "$T/summary"
grep -q '^crawl done: 12 pages' "$T/summary" || fail "summary: $(head -1 "$T/summary")"

python3 - "$T/log" "$PORT" "$DELAY" <<'PY'
import sys
log, port, delay = sys.argv[1], sys.argv[2], int(sys.argv[3])
reqs = [l.split() for l in open(log)]
for host in ('a.test', 'b.test'):
    got = sorted(p for t, p, h in reqs if h == '%s:%s' % (host, port) and p.startswith('/gen/'))
    assert got == sorted('/gen/%d' % i for i in range(6)), (host, got)
# Every request but the two robots.txt (sent before either name's address was known) starts
# at least --delay after the one before it, whichever name it went to. The server logs whole
# milliseconds at arrival: 2 ms of slack for the rounding.
pages = [(int(t), p, h) for t, p, h in reqs if p != '/robots.txt']
close = [(b[2] + b[1], b[0] - a[0]) for a, b in zip(pages, pages[1:]) if b[0] - a[0] < delay - 2]
assert not close, 'requests to one IP closer than %d ms: %s' % (delay, close)
switches = sum(1 for a, b in zip(pages, pages[1:]) if a[2] != b[2])
print('politeness per IP ok: %d requests, %d switches between the names, min gap %d ms' %
      (len(pages), switches, min(b[0] - a[0] for a, b in zip(pages, pages[1:]))))
PY
echo "crawl_politeness: ok"
