#!/usr/bin/env bash
# End-to-end: HTTP/2. A real h2 server, nghttpd (Debian's nghttp2-server; tools/setup installs
# it), serves a small fixture site made here over TLS with a certificate made by `openssl req`;
# the crawler negotiates h2 by ALPN. Checked:
# - from the server's side: ALPN chose h2, every request came as h2 frames on one connection,
#   robots.txt was obeyed, no page twice;
# - the summary counts every answer as HTTP/2;
# - the WARC records: WARC-Protocol: h2 on request and response, status and request lines written
#   as HTTP/1.1 (curl renders "HTTP/2 200"), so python's http.client — an HTTP/1.x parser, like
#   WARC tools' — reads every response (and refuses the "HTTP/2" line, shown as a control);
#   block and payload digests;
# - `timtin extract` gets the articles (title, date, body) from the h2 records;
# - http:// is HTTP/1.1 only (no h2c): a server that speaks only h2c (nghttpd --no-tls) is a
#   network error, and the crawl still ends normally.
# Usage: crawl_h2.sh TIMTIN REPO
set -euo pipefail
TIMTIN=$1
REPO=$2
T=$(mktemp -d /tmp/tt_crawl_h2_XXXXXX)
SRVS=()
cleanup() { for p in "${SRVS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v nghttpd > /dev/null || fail "nghttpd not found (tools/setup installs nghttp2-server)"
command -v openssl > /dev/null || fail "openssl not found (tools/setup installs it)"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$T/key.pem" -out "$T/cert.pem" 2> "$T/openssl.err" \
  || fail "openssl req: $(cat "$T/openssl.err")"

# ---------------------------------------------------------------- the site
S=$T/site
mkdir -p "$S/tin" "$S/private"
cp "$REPO/tests/fixtures/crawler/site/moh-article.html" "$REPO/tests/fixtures/crawler/site/suckhoe-article.html" "$S/tin/"
printf 'User-agent: *\nDisallow: /private/\nCrawl-delay: 0.01\n' > "$S/robots.txt"
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Trang chủ</title></head><body><ul>%s</ul></body></html>\n' \
  '<li><a href="/tin/moh-article.html">Bộ Y tế</a></li><li><a href="/tin/suckhoe-article.html">Sức khỏe</a></li><li><a href="/private/secret.html">Bí mật</a></li><li><a href="/missing.html">404</a></li>' \
  > "$S/index.html"
echo '<html><body>không được tải</body></html>' > "$S/private/secret.html"
printf 'text/html html\ntext/plain txt\napplication/xml xml\n' > "$T/mime.types"   # not /etc/mime.types: may be absent

# nghttpd wants a port number: try free ones until it listens (it exits when the bind fails)
start_nghttpd() {   # $1 = log file, then nghttpd's arguments after the port; sets PORT
  local log=$1; shift
  for _ in $(seq 20); do
    PORT=$((20000 + RANDOM % 40000))
    if (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null; then continue; fi    # taken
    nghttpd -v -a 127.0.0.1 -d "$S" --mime-types-file="$T/mime.types" "$PORT" "$@" >> "$log" 2>&1 &
    local pid=$!
    SRVS+=("$pid")
    for _ in $(seq 100); do
      kill -0 "$pid" 2> /dev/null || break
      if (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null; then return 0; fi
      sleep 0.02
    done
    kill "$pid" 2> /dev/null || true
  done
  fail "nghttpd did not start: $(cat "$log")"
}

# ---------------------------------------------------------------- crawl over h2
start_nghttpd "$T/log" "$T/key.pem" "$T/cert.pem"
BASE=https://127.0.0.1:$PORT
"$TIMTIN" crawl --out "$T/c" --delay 5 --retries 0 --max-depth 1 --cacert "$T/cert.pem" --quiet "$BASE/" \
  > "$T/summary" 2> "$T/err" || fail "crawl exited $?: $(cat "$T/err")"
cat "$T/summary"
grep -q '^crawl done: 3 pages' "$T/summary" || fail "summary: $(cat "$T/summary")"
req=$(sed -n 's/^crawl done: [0-9]* pages, \([0-9]*\) requests.*/\1/p' "$T/summary")
[ "$req" -ge 5 ] || fail "want robots.txt, /, 2 articles, 404s: $req requests"
grep -q "^  over HTTP/2: $req\$" "$T/summary" || fail "every answer should have come over HTTP/2: $(cat "$T/summary")"
grep -q '^  HTTP 404: ' "$T/summary" || fail "the 404 page is not counted"
grep -q '^  disallowed by robots.txt: 1$' "$T/summary" || fail "robots.txt over h2 not obeyed"

# the server's side: ALPN chose h2; requests came as HEADERS frames with :path, all on connection 1
grep -q '^The negotiated protocol: h2$' "$T/log" || fail "the server did not negotiate h2: $(head -20 "$T/log")"
sed -n 's/.* recv (stream_id=[0-9]*) :path: //p' "$T/log" > "$T/paths"
[ "$(head -1 "$T/paths")" = /robots.txt ] || fail "robots.txt is not the first request"
for p in / /tin/moh-article.html /tin/suckhoe-article.html /missing.html; do
  [ "$(grep -c -x -F "$p" "$T/paths")" = 1 ] || fail "$p requested $(grep -c -x -F "$p" "$T/paths") times over h2, want 1"
done
grep -q '^/private/' "$T/paths" && fail "fetched a URL robots.txt disallows"
[ "$(wc -l < "$T/paths")" = "$req" ] || fail "the server saw $(wc -l < "$T/paths") h2 requests, the crawler counted $req"
# (the readiness probe of start_nghttpd was a connection too: count those that carried requests)
[ "$(grep ' recv (stream_id=[0-9]*) :path: ' "$T/log" | cut -d' ' -f1 | sort -u | wc -l)" = 1 ] \
  || fail "requests came on more than one connection: h2 should carry them all on one"
[ "$(grep -c ' recv (stream_id=[0-9]*) :method: GET$' "$T/log")" = "$req" ] || fail "want $req GET streams"

# ---------------------------------------------------------------- the WARC records
python3 - "$T/c" "$BASE" "$req" "$REPO" <<'PY'
import glob, http.client, io, re, sys
sys.path.insert(0, sys.argv[4] + '/tests/fixtures/crawler')
from warc import records, sha1_b32
class Sock:   # http.client reads a response from a socket's makefile()
    def __init__(self, b): self.b = b
    def makefile(self, *a, **k): return io.BytesIO(self.b)
def http_response(block):
    r = http.client.HTTPResponse(Sock(block))
    r.begin()
    return r
# control: the line curl renders for h2 is not an HTTP/1.x message for such a parser
try:
    http_response(b'HTTP/2 200 \r\ncontent-length: 0\r\n\r\n')
    sys.exit('http.client accepted an HTTP/2 status line: the check below would prove nothing')
except http.client.HTTPException:
    pass
d, base, nreq = sys.argv[1], sys.argv[2], int(sys.argv[3])
resp = reqs = 0
status = {}
for f in sorted(glob.glob(d + '/*.warc.gz')):
    for h, block in records(f):
        t = h['WARC-Type']
        if t == 'warcinfo': continue
        assert h['WARC-Target-URI'].startswith(base + '/'), h['WARC-Target-URI']
        assert h.get('WARC-Protocol') == 'h2', (t, h.get('WARC-Protocol'))
        if t == 'response':
            assert block.startswith(b'HTTP/1.1 '), block[:20]
            r = http_response(block)
            body = r.read()
            status[r.status] = status.get(r.status, 0) + 1
            assert body == block.partition(b'\r\n\r\n')[2], 'the body is the rest of the block'
            assert h['WARC-Payload-Digest'] == sha1_b32(body)
            if h['WARC-Target-URI'].endswith('/tin/moh-article.html'):
                assert r.getheader('Content-Type') == 'text/html' and 'Văn Giang' in body.decode()
            resp += 1
        elif t == 'request':
            assert re.match(rb'GET /\S* HTTP/1\.1\r\n', block), block[:40]
            assert re.search(rb'\r\nHost: 127\.0\.0\.1:\d+\r\n', block) and b'user-agent: timtin/' in block.lower()
            reqs += 1
assert resp == reqs == nreq, (resp, reqs, nreq)
assert status.get(200) == 4 and status.get(404, 0) >= 1, status
print('warc ok:', resp, 'exchanges over h2, statuses', status)
PY

# ---------------------------------------------------------------- extraction from the h2 records
"$TIMTIN" extract "$T"/c/*.warc.gz > "$T/articles.jsonl" 2> "$T/extract.err" || fail "extract exited $?: $(cat "$T/extract.err")"
python3 - "$T/articles.jsonl" "$BASE" <<'PY'
import json, sys
arts = {a['url']: a for a in map(json.loads, open(sys.argv[1]))}
base = sys.argv[2]
m = arts.get(base + '/tin-tong-hop/chuyen-giao-ky-thuat-y-te-chuyen-sau')    # its canonical URL
assert m, 'no MOH article in ' + ', '.join(arts)
assert m['title'] == 'Chuyển giao kỹ thuật y tế chuyên sâu, nâng cao chất lượng y tế cơ sở', m['title']
assert m['published'] == '2024-06-12T12:45:00+07:00' and 'Văn Giang./.' in m['body'] and 'Tin liên quan' not in m['body']
s = arts.get(base + '/tin/suckhoe-article.html')
assert s and s['published'] == '2025-03-17T08:34:00+07:00', s
assert len(arts) == 2, sorted(arts)
print('extract ok:', len(arts), 'articles')
PY

# ---------------------------------------------------------------- no h2c: http:// is HTTP/1.1
start_nghttpd "$T/log_h2c" --no-tls
"$TIMTIN" crawl --out "$T/h2c" --delay 5 --retries 0 --quiet "http://127.0.0.1:$PORT/" > "$T/s_h2c" 2> "$T/e_h2c" \
  || fail "crawl of an h2c-only server exited $?: $(cat "$T/e_h2c")"
cat "$T/s_h2c"
grep -q '^crawl done: 0 pages, 0 requests' "$T/s_h2c" || fail "h2c summary: $(cat "$T/s_h2c")"
grep -q '^  network errors: 1$' "$T/s_h2c" || fail "an h2c-only server should be a network error: $(cat "$T/s_h2c")"
grep -q 'HTTP/2' "$T/s_h2c" && fail "h2c was used"
echo "crawl_h2: ok"
