#!/usr/bin/env bash
# End-to-end: Ctrl-C on a terminal, the progress line, and --resume after it (kill -9 is
# crawl_resume.sh). The crawler runs under script(1) (util-linux), so its stderr is a
# pseudo-terminal and Ctrl-C is a real ^C byte typed into that terminal: the line discipline
# turns it into SIGINT. The server holds every page answer 150 ms so a transfer is in flight.
# Checked:
# - on the terminal: the progress line ("crawl: N pages, N requests, N queued, N errors,
#   N KB/s", redrawn with \r); after ^C the summary says "crawl stopped ... (continue with
#   --resume)" and the exit status is 130;
# - the clean stop kept nothing half done: the WARC files read to their end (no torn record),
#   frontier.log has only whole lines, and the page in flight has no D line;
# - --resume with stderr not a terminal prints no progress line, fetches every page not
#   answered before ^C and none that was, and in the end every page is in the WARC files once.
# Usage: crawl_interrupt.sh TIMTIN REPO
set -euo pipefail
TIMTIN=$1
REPO=$2
T=$(mktemp -d /tmp/tt_crawl_int_XXXXXX)
SRV=
TERMPID=
cleanup() {
  if [ -n "$TERMPID" ]; then kill "$TERMPID" 2>/dev/null || true; fi
  if [ -n "$SRV" ]; then kill "$SRV" 2>/dev/null || true; fi
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v script > /dev/null || fail "script(1) not found (util-linux)"

N=12
L=$T/log
python3 "$REPO/tests/fixtures/crawler/server.py" "$REPO/tests/fixtures/crawler/site" "$T/port" "$L" --delay 150 --gen $N &
SRV=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fail "server did not start"
BASE=http://127.0.0.1:$(cat "$T/port")
touch "$L"
gen_requests() { grep -c ' /gen/' "$L" || true; }

# ---------------------------------------------------------------- ^C on a terminal
# script's input is a fifo the test writes the ^C into; -e: script exits with the crawler's status
mkfifo "$T/keys"
script -q -e -c "'$TIMTIN' crawl --out '$T/c' --delay 0 --retries 0 --scope prefix '$BASE/gen/0'" /dev/null \
  < "$T/keys" > "$T/term" 2>&1 &
TERMPID=$!
exec 4> "$T/keys"         # hold the fifo open: script must not see the end of its input
for _ in $(seq 1000); do
  [ "$(gen_requests)" -ge 2 ] && break
  kill -0 "$TERMPID" 2>/dev/null || fail "the crawl ended early: $(cat "$T/term")"
  sleep 0.01
done
[ "$(gen_requests)" -ge 2 ] || fail "no 2 page requests after 10 s"
sleep 0.6                 # past the 500 ms between redraws of the progress line
printf '\003' >&4         # Ctrl-C
for _ in $(seq 500); do kill -0 "$TERMPID" 2>/dev/null || break; sleep 0.02; done
kill -0 "$TERMPID" 2>/dev/null && fail "the crawl did not stop 10 s after Ctrl-C: $(cat "$T/term")"
rc=0
wait "$TERMPID" || rc=$?
TERMPID=
exec 4>&-
tr '\r' '\n' < "$T/term" > "$T/term.lines"
cat "$T/term.lines"
[ "$rc" = 130 ] || fail "exit status after Ctrl-C: $rc, want 130"
grep -q -E '^crawl: [0-9]+ pages, [0-9]+ requests, [0-9]+ queued, [0-9]+ errors, [0-9.]+ KB/s' "$T/term.lines" \
  || fail "no progress line on the terminal"
grep -q $'\r''crawl: ' "$T/term" || fail "the progress line is not redrawn in place (\\r)"
grep -q -E '^crawl stopped: [0-9]+ pages, .*\(continue with --resume\)' "$T/term.lines" || fail "no 'crawl stopped' summary"
stopped_pages=$(sed -n 's/^crawl stopped: \([0-9]*\) pages.*/\1/p' "$T/term.lines")
[ "$stopped_pages" -ge 3 ] && [ "$stopped_pages" -lt $N ] || fail "stopped after $stopped_pages pages"
# a transfer in flight at ^C was dropped, not marked done: the pages requested and not done
# (one host: at most one); every line of frontier.log is whole
[ -z "$(tail -c 1 "$T/c/frontier.log")" ] || fail "frontier.log ends in a partial line"
awk -F'\t' '$1 == "D" { print $NF }' "$T/c/frontier.log" | sed "s|^$BASE||" | grep '^/gen/' | sort > "$T/done"
[ "$(wc -l < "$T/done")" = "$stopped_pages" ] || fail "$(wc -l < "$T/done") pages marked done, the summary says $stopped_pages"
cut -d' ' -f2 "$L" | grep '^/gen/' | sort -u > "$T/first"
comm -23 "$T/first" "$T/done" > "$T/inflight"
[ "$(wc -l < "$T/inflight")" -le 1 ] || fail "more than one page in flight at ^C: $(cat "$T/inflight")"
echo "in flight at ^C: $(cat "$T/inflight")"
before=$(wc -l < "$L")

# ---------------------------------------------------------------- --resume, not on a terminal
"$TIMTIN" crawl --out "$T/c" --delay 0 --retries 0 --resume > "$T/s2" 2> "$T/e2" || fail "resume exited $?: $(cat "$T/e2")"
cat "$T/s2"
[ ! -s "$T/e2" ] || fail "output on stderr without a terminal: $(cat "$T/e2")"
grep -q "^crawl done: $((N - stopped_pages)) pages" "$T/s2" || fail "resume: want the $((N - stopped_pages)) pages left"
# nothing answered before ^C is asked again; the page in flight is
tail -n +$((before + 1)) "$L" | cut -d' ' -f2 | grep '^/gen/' | sort > "$T/again"
[ -z "$(comm -12 "$T/done" "$T/again")" ] || fail "requested again after ^C: $(comm -12 "$T/done" "$T/again" | tr '\n' ' ')"
[ -z "$(comm -23 "$T/inflight" "$T/again")" ] || fail "the page in flight at ^C was not fetched by --resume"

python3 - "$T/c" "$BASE" "$N" "$REPO" <<'PY'
import glob, sys
sys.path.insert(0, sys.argv[4] + '/tests/fixtures/crawler')
from warc import records
d, base, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen = {}
for f in sorted(glob.glob(d + '/*.warc.gz')):
    for h, _ in records(f):   # raises Torn: no torn record after a clean stop
        if h['WARC-Type'] == 'response' and '/gen/' in h['WARC-Target-URI']:
            seen[h['WARC-Target-URI']] = seen.get(h['WARC-Target-URI'], 0) + 1
want = {'%s/gen/%d' % (base, i) for i in range(n)}
assert set(seen) == want, sorted(want - set(seen))
assert all(v == 1 for v in seen.values()), 'stored twice: %s' % [u for u, v in seen.items() if v > 1]
print('warc ok: %d pages, each once' % len(seen))
PY
echo "crawl_interrupt: ok"
