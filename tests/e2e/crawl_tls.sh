#!/usr/bin/env bash
# End-to-end: https. The test server serves TLS with a self-signed certificate made here with
# the openssl CLI (tools/setup installs it). Without --cacert the crawler refuses the
# certificate: one clear message naming the host and --cacert, no retries, no request reaches
# the server, the crawl still ends normally, and the host's URLs stay pending, so --resume
# with --cacert fetches them. With --cacert the pages are fetched and stored
# with their https URIs. A --cacert file that does not exist is an error before any fetch.
# Usage: crawl_tls.sh TIMTIN REPO
set -euo pipefail
TIMTIN=$1
REPO=$2
T=$(mktemp -d /tmp/tt_crawl_tls_XXXXXX)
SRV=
cleanup() { if [ -n "$SRV" ]; then kill "$SRV" 2>/dev/null || true; fi; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v openssl > /dev/null || fail "openssl not found (tools/setup installs it)"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$T/key.pem" -out "$T/cert.pem" 2> "$T/openssl.err" \
  || fail "openssl req: $(cat "$T/openssl.err")"

python3 "$REPO/tests/fixtures/crawler/server.py" "$REPO/tests/fixtures/crawler/site" "$T/port" "$T/log" \
  --gen 3 --tls "$T/cert.pem" "$T/key.pem" &
SRV=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fail "server did not start"
BASE=https://127.0.0.1:$(cat "$T/port")

# ---------------------------------------------------------------- not trusted
"$TIMTIN" crawl --out "$T/untrusted" --delay 5 --retries 2 --retry-delay 50 --scope prefix --quiet "$BASE/gen/0" \
  > "$T/s1" 2> "$T/e1" || fail "crawl exited $? on an untrusted certificate: $(cat "$T/e1")"
cat "$T/e1"
grep -q "timtin crawl: $BASE: TLS certificate not trusted (.*certificate.*); give --cacert FILE to trust its CA" "$T/e1" \
  || fail "message: $(cat "$T/e1")"
[ "$(grep -c 'not trusted' "$T/e1")" = 1 ] || fail "the message should be given once per host"
grep -q '^crawl done: 0 pages' "$T/s1" || fail "summary: $(cat "$T/s1")"
grep -q 'certificate not trusted: 1' "$T/s1" || fail "summary: $(cat "$T/s1")"
grep -q ' 0 retries' "$T/s1" || fail "a certificate error was retried: $(cat "$T/s1")"
grep -q ' 1 queued' "$T/s1" || fail "the seed should stay pending: $(cat "$T/s1")"
[ ! -s "$T/log" ] || fail "a request got through an untrusted TLS connection: $(cat "$T/log")"
# nothing of the host was marked done: --resume with --cacert fetches it all
"$TIMTIN" crawl --out "$T/untrusted" --delay 5 --retries 0 --cacert "$T/cert.pem" --resume --quiet > "$T/s1r" 2> "$T/e1r" \
  || fail "resume with --cacert exited $?: $(cat "$T/e1r")"
grep -q '^crawl done: 3 pages' "$T/s1r" || fail "resume with --cacert: $(cat "$T/s1r")"
for p in /robots.txt /gen/0 /gen/1 /gen/2; do
  [ "$(grep -c " $p\$" "$T/log")" = 1 ] || fail "$p requested $(grep -c " $p\$" "$T/log") times by the resumed crawl, want 1"
done

# ---------------------------------------------------------------- trusted with --cacert
"$TIMTIN" crawl --out "$T/trusted" --delay 5 --retries 0 --scope prefix --cacert "$T/cert.pem" --quiet "$BASE/gen/0" \
  > "$T/s2" 2> "$T/e2" || fail "crawl with --cacert exited $?: $(cat "$T/e2")"
cat "$T/s2"
grep -q '^crawl done: 3 pages' "$T/s2" || fail "summary: $(cat "$T/s2")"
for p in /robots.txt /gen/0 /gen/1 /gen/2; do   # once more each
  [ "$(grep -c " $p\$" "$T/log")" = 2 ] || fail "$p requested $(grep -c " $p\$" "$T/log") times over TLS, want 2"
done
zcat "$T"/trusted/*.warc.gz > "$T/plain.warc"
[ "$(grep -a -c "^WARC-Target-URI: $BASE/gen/" "$T/plain.warc")" = 6 ] || fail "want 3 request + 3 response records of https pages"
grep -a -q '^WARC-IP-Address: 127.0.0.1' "$T/plain.warc" || fail "no WARC-IP-Address"
"$TIMTIN" extract "$T"/trusted/*.warc.gz > "$T/articles.jsonl" 2> /dev/null || fail "extract exited $?"
[ "$(grep -c '"url":"https://' "$T/articles.jsonl")" = 3 ] || fail "extract: want 3 https articles"

# ---------------------------------------------------------------- a --cacert file that is not there
"$TIMTIN" crawl --out "$T/nofile" --cacert "$T/missing.pem" --quiet "$BASE/gen/0" > /dev/null 2> "$T/e3" && fail "a missing --cacert file was accepted"
grep -q -- "--cacert $T/missing.pem: No such file" "$T/e3" || fail "message: $(cat "$T/e3")"
echo "crawl_tls: ok"
