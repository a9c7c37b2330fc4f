#!/usr/bin/env bash
# End-to-end: --connect-timeout against a host that never answers. tests/fixtures/crawler/
# blackhole.py makes a port on 127.0.0.1 whose SYNs are dropped (a full accept queue), so only
# the connect timeout can end a transfer; the overall --timeout is set far longer. Checked:
# - the control: a plain connect() to that port does time out;
# - the crawl ends long before the overall timeout would have, with the tries counted right
#   (--retries 1: one retry, one network error), the reason on stderr with --progress, and the
#   summary saying the host's robots.txt was unreachable (not "disallowed");
# - a second, working host in the same crawl is crawled completely meanwhile.
# Usage: crawl_connect_timeout.sh TIMTIN REPO
set -euo pipefail
TIMTIN=$1
REPO=$2
T=$(mktemp -d /tmp/tt_crawl_ctimeout_XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
wait_port() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done; fail "server did not start ($1)"; }

python3 "$REPO/tests/fixtures/crawler/blackhole.py" "$T/bh" & PIDS+=($!)
python3 "$REPO/tests/fixtures/crawler/server.py" "$REPO/tests/fixtures/crawler/site" "$T/port" "$T/log" --gen 3 & PIDS+=($!)
wait_port "$T/bh"; wait_port "$T/port"
BH=$(cat "$T/bh"); PORT=$(cat "$T/port")

python3 - "$BH" <<'PY' || fail "control: the black-hole port accepted a connection"
import socket, sys
try:
    socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=0.5)
except socket.timeout:
    sys.exit(0)
sys.exit(1)
PY

start=$(date +%s%N)
"$TIMTIN" crawl --out "$T/c" --delay 0 --connect-timeout 300 --timeout 60000 --retries 1 --retry-delay 50 \
  --scope prefix --progress "http://127.0.0.1:$BH/" "http://127.0.0.1:$PORT/gen/0" > "$T/summary" 2> "$T/err" \
  || fail "crawl exited $?: $(cat "$T/err")"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$T/summary"
# two connects of 300 ms and a 50 ms backoff; the overall timeout alone would take 120 s
[ "$ms" -lt 30000 ] || fail "took $ms ms: the connect timeout did not end the transfers"
grep -q '^crawl done: 3 pages, .* 1 retries, 1 errors' "$T/summary" || fail "summary: $(head -1 "$T/summary")"
grep -q '^  network errors: 1$' "$T/summary" || fail "network error not counted"
grep -q "^  robots.txt unreachable: 1 host, [1-9][0-9]* URLs skipped" "$T/summary" || fail "unreachable host not reported"
grep -q 'disallowed by robots.txt' "$T/summary" && fail "an unreachable host reported as disallowing"
grep -q "127.0.0.1:$BH/robots.txt: Timeout was reached" "$T/err" || fail "no reason on stderr: $(cat "$T/err")"
[ "$(grep -c ' /gen/' "$T/log")" = 3 ] || fail "the working host was not crawled completely"
echo "crawl_connect_timeout: ok ($ms ms)"
