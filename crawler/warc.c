/* WARC/1.1 files: the writer the crawler keeps every response in, and the reader that
 * `timtin extract` (and tests, and anyone) reads them back with. Public API in
 * include/timtin/crawl.h.
 *
 * Format (ISO 28500:2017, WARC/1.1), as written here:
 *
 *   file    := member*                      one gzip member (RFC 1952) per record, so a reader
 *                                           can seek to any record and a torn tail loses one
 *   member  := gzip(record)
 *   record  := "WARC/1.1" CRLF (field CRLF)* CRLF block CRLF CRLF
 *   fields  := WARC-Type, WARC-Record-ID (<urn:uuid:v4>), WARC-Date (UTC, seconds),
 *              WARC-Target-URI, WARC-IP-Address, WARC-Protocol (the HTTP version used, as its
 *              ALPN name: "http/1.1", "h2"; the IIPC WARC-Protocol proposal),
 *              WARC-Concurrent-To (request -> response),
 *              WARC-Warcinfo-ID, WARC-Block-Digest, WARC-Payload-Digest (response: "sha1:" +
 *              base32 of the HTTP body), Content-Type, Content-Length (bytes of block)
 *
 * Each file opens with a warcinfo record. A request/response pair is compressed into two
 * members and written with one write() and then fsync()ed, so a crash leaves either both
 * records or a torn tail, which the reader reports and skips. A failed write truncates the file
 * back to its last good record and poisons the writer. Rotation: a new file is started before a
 * pair that would push the current one past max_file_bytes.
 *
 * The reader accepts any member layout (one record per member, many per member, a record across
 * members) and uncompressed WARC, because it parses the decompressed stream, not the members.
 * Damage (bad gzip, a malformed header, a short block) stops it with TT_ECORRUPT naming the file
 * and offset: we do not guess where the next good record starts. */
#include "timtin/crawl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"
#include "crawler/sha1.h"

#define WARC_MAX_HEADER   (64u << 10)     /* bytes of WARC header fields */
#define WARC_MAX_BLOCK    (512ull << 20)  /* a block past this is refused as corrupt */

/* ================================================================== shared helpers */

void tt_warc_sha1_base32(const void *data, size_t len, char *out)
{
  tt_sha1 s;
  unsigned char d[20];
  tt_sha1_init(&s);
  tt_sha1_update(&s, data, len);
  tt_sha1_final(&s, d);
  memcpy(out, "sha1:", 5);
  tt_sha1__base32(d, out + 5);
}

static void format_date(int64_t t_us, char out[32])
{
  time_t t = (time_t)(t_us / 1000000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void new_uuid(char out[48])
{
  unsigned char r[16];
  if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
    /* No entropy source: fall back to time and address bits; ids stay unique per process. */
    static uint64_t counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t a = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, b = ++counter ^ (uint64_t)getpid() << 32;
    memcpy(r, &a, 8);
    memcpy(r + 8, &b, 8);
  }
  r[6] = (unsigned char)((r[6] & 0x0F) | 0x40);
  r[8] = (unsigned char)((r[8] & 0x3F) | 0x80);
  snprintf(out, 48, "<urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x>",
           r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

/* ================================================================== writer */

struct tt_warc_writer {
  char *dir;
  char *prefix;
  char *software;
  uint64_t max_bytes;
  int sync;
  int fd;
  char *path;            /* current file */
  uint64_t size;         /* bytes in the current file */
  unsigned seq;          /* sequence number of the current file */
  char warcinfo_id[48];
  uint64_t total_bytes, records;
  int rc;                /* first error; the writer is poisoned once set */
  tt_buf rec, gz;        /* scratch: one record's text, the compressed members */
};

/* Compress one record (header fields + block) as a gzip member appended to w->gz. */
static int add_member(tt_warc_writer *w, const char *fields, size_t flen, const void *block, size_t blen)
{
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return tt_error_set(TT_ENOMEM, "deflateInit2 failed");
  uLong bound = deflateBound(&z, (uLong)(flen + blen + 4)) + 64;
  if (tt_buf_reserve(&w->gz, bound)) { deflateEnd(&z); return tt_error_set(TT_ENOMEM, "out of memory"); }
  z.next_out = (Bytef *)w->gz.p + w->gz.n;
  z.avail_out = (uInt)bound;
  const void *parts[3] = {fields, block, "\r\n\r\n"};
  size_t lens[3] = {flen, blen, 4};
  int zr = Z_OK;
  for (int i = 0; i < 3; i++) {
    z.next_in = (Bytef *)(uintptr_t)parts[i];
    z.avail_in = (uInt)lens[i];
    zr = deflate(&z, i == 2 ? Z_FINISH : Z_NO_FLUSH);
    if (zr == Z_STREAM_ERROR) break;
  }
  size_t produced = bound - z.avail_out;
  deflateEnd(&z);
  if (zr != Z_STREAM_END) return tt_error_set(TT_ERROR, "deflate failed (%d)", zr);
  w->gz.n += produced;
  return 0;
}

/* Build the fields of a record into w->rec and compress it with its block. */
static int build_record(tt_warc_writer *w, const char *type, const char *id, const char *uri, int64_t t,
                        const char *ip, const char *protocol, const char *concurrent, const char *content_type,
                        const void *block, size_t blen, const char *payload_digest)
{
  char date[32], bd[40];
  format_date(t, date);
  tt_warc_sha1_base32(block, blen, bd);
  tt_buf *b = &w->rec;
  tt_buf_reset(b);
  int e = tt_buf_printf(b, "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: %s\r\nWARC-Date: %s\r\n", type, id, date);
  if (!e && uri) e = tt_buf_printf(b, "WARC-Target-URI: %s\r\n", uri);
  if (!e && ip && *ip) e = tt_buf_printf(b, "WARC-IP-Address: %s\r\n", ip);
  if (!e && protocol && *protocol) e = tt_buf_printf(b, "WARC-Protocol: %s\r\n", protocol);
  if (!e && concurrent) e = tt_buf_printf(b, "WARC-Concurrent-To: %s\r\n", concurrent);
  if (!e && w->warcinfo_id[0] && strcmp(type, "warcinfo")) e = tt_buf_printf(b, "WARC-Warcinfo-ID: %s\r\n", w->warcinfo_id);
  if (!e) e = tt_buf_printf(b, "WARC-Block-Digest: %s\r\n", bd);
  if (!e && payload_digest) e = tt_buf_printf(b, "WARC-Payload-Digest: %s\r\n", payload_digest);
  if (!e && content_type) e = tt_buf_printf(b, "Content-Type: %s\r\n", content_type);
  if (!e) e = tt_buf_printf(b, "Content-Length: %zu\r\n\r\n", blen);
  if (e) return tt_error_set(TT_ENOMEM, "out of memory");
  return add_member(w, b->p, b->n, block, blen);
}

/* Write w->gz to the current file and sync. On failure truncate back and poison. */
static int flush_members(tt_warc_writer *w)
{
  const char *p = w->gz.p;
  size_t left = w->gz.n;
  while (left) {
    ssize_t k = write(w->fd, p, left);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      int err = errno;
      if (ftruncate(w->fd, (off_t)w->size) == 0) (void)fsync(w->fd);
      w->rc = tt_error_set(TT_EIO, "write %s: %s", w->path, strerror(err ? err : EIO));
      return w->rc;
    }
    p += k;
    left -= (size_t)k;
  }
  if (w->sync && fdatasync(w->fd)) {
    w->rc = tt_error_set(TT_EIO, "fsync %s: %s", w->path, strerror(errno));
    return w->rc;
  }
  w->size += w->gz.n;
  w->total_bytes += w->gz.n;
  tt_buf_reset(&w->gz);
  return 0;
}

static int sync_dir(const char *dir)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int r = fsync(fd);
  close(fd);
  return r;
}

/* Start the next file: <dir>/<prefix>-<stamp>-<seq>.warc.gz, created exclusively, with its
 * warcinfo record. */
static int open_next(tt_warc_writer *w)
{
  if (w->fd >= 0) {
    if (fsync(w->fd) || close(w->fd)) { w->fd = -1; return w->rc = tt_error_set(TT_EIO, "close %s: %s", w->path, strerror(errno)); }
    w->fd = -1;
  }
  char stamp[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
  tt_buf path = TT_BUF_INIT;
  for (int tries = 0; tries < 100000; tries++, w->seq++) {
    tt_buf_reset(&path);
    if (tt_buf_printf(&path, "%s/%s-%s-%05u.warc.gz", w->dir, w->prefix, stamp, w->seq)) {
      tt_buf_fini(&path);
      return w->rc = tt_error_set(TT_ENOMEM, "out of memory");
    }
    w->fd = open(path.p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (w->fd >= 0 || errno != EEXIST) break;
  }
  if (w->fd < 0) {
    int rc = tt_error_set(TT_EIO, "create %s: %s", path.p ? path.p : w->dir, strerror(errno));
    tt_buf_fini(&path);
    return w->rc = rc;
  }
  w->seq++;
  tt_free(w->path);
  w->path = path.p;           /* take the buffer's bytes */
  w->size = 0;
  (void)sync_dir(w->dir);

  char info[512];
  int n = snprintf(info, sizeof info,
                   "software: %s\r\nformat: WARC File Format 1.1\r\n"
                   "conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
                   w->software);
  new_uuid(w->warcinfo_id);
  char id[48];
  memcpy(id, w->warcinfo_id, sizeof id);
  w->warcinfo_id[0] = 0;     /* the warcinfo record does not point at itself */
  int rc = build_record(w, "warcinfo", id, NULL, (int64_t)now * 1000000, NULL, NULL, NULL,
                        "application/warc-fields", info, (size_t)n, NULL);
  memcpy(w->warcinfo_id, id, sizeof id);
  if (rc) return w->rc = rc;
  w->records++;
  return flush_members(w);
}

int tt_warc_writer_open(tt_warc_writer **out, const char *dir, const tt_warc_writer_options *opts)
{
  *out = NULL;
  tt_warc_writer_options def = TT_WARC_WRITER_OPTIONS_INIT;
  if (!opts) opts = &def;
  TT_RETURN_IF(!dir || !*dir, TT_EINVAL, "WARC writer: no folder");
  TT_RETURN_IF(opts->version != TT_WARC_WRITER_OPTIONS_VERSION, TT_EINVAL, "WARC writer: options version %u", opts->version);
  if (mkdir(dir, 0755) && errno != EEXIST) return tt_error_set(TT_EIO, "mkdir %s: %s", dir, strerror(errno));
  tt_warc_writer *w = tt_calloc(1, sizeof *w);
  TT_CHECK_ALLOC(w);
  w->fd = -1;
  w->dir = tt_strndup(dir, strlen(dir));
  const char *prefix = opts->prefix ? opts->prefix : "timtin";
  w->prefix = tt_strndup(prefix, strlen(prefix));
  const char *sw = opts->software ? opts->software : "timtin";
  w->software = tt_strndup(sw, strlen(sw));
  w->max_bytes = opts->max_file_bytes ? opts->max_file_bytes : (1ull << 30);
  w->sync = opts->sync;
  if (!w->dir || !w->prefix || !w->software) { tt_warc_writer_close(w); return tt_error_set(TT_ENOMEM, "out of memory"); }
  int rc = open_next(w);
  if (rc) { tt_warc_writer_close(w); return rc; }
  *out = w;
  return 0;
}

/* The HTTP payload of a message: the bytes after the header block ("\r\n\r\n"). */
static const unsigned char *http_payload(const unsigned char *m, size_t n, size_t *plen)
{
  for (size_t i = 0; i + 3 < n; i++)
    if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' && m[i + 3] == '\n') {
      *plen = n - i - 4;
      return m + i + 4;
    }
  *plen = 0;
  return m + n;
}

int tt_warc_writer_write_exchange(tt_warc_writer *w, const char *uri, const char *ip, const char *protocol, int64_t t,
                                  const void *request, size_t request_len,
                                  const void *response, size_t response_len)
{
  if (w->rc) return w->rc;
  TT_RETURN_IF(!uri || !*uri, TT_EINVAL, "WARC record without a target URI");
  char req_id[48], resp_id[48], pd[40];
  new_uuid(req_id);
  new_uuid(resp_id);
  size_t plen;
  const unsigned char *pl = http_payload(response, response_len, &plen);
  tt_warc_sha1_base32(pl, plen, pd);
  tt_buf_reset(&w->gz);
  int rc = build_record(w, "response", resp_id, uri, t, ip, protocol, NULL, "application/http; msgtype=response",
                        response, response_len, pd);
  if (!rc) rc = build_record(w, "request", req_id, uri, t, ip, protocol, resp_id, "application/http; msgtype=request",
                             request, request_len, NULL);
  if (rc) return rc;
  if (w->size > 0 && w->size + w->gz.n > w->max_bytes) {
    tt_buf keep = w->gz;                  /* open_next writes a warcinfo through w->gz */
    tt_buf_init(&w->gz);
    rc = open_next(w);
    tt_buf_fini(&w->gz);
    w->gz = keep;
    if (rc) return rc;
  }
  rc = flush_members(w);
  if (!rc) w->records += 2;
  return rc;
}

int tt_warc_writer_write_record(tt_warc_writer *w, const char *type, const char *uri, int64_t t,
                                const char *content_type, const void *block, size_t block_len)
{
  if (w->rc) return w->rc;
  char id[48];
  new_uuid(id);
  tt_buf_reset(&w->gz);
  int rc = build_record(w, type, id, uri, t, NULL, NULL, NULL, content_type, block, block_len, NULL);
  if (rc) return rc;
  if (w->size > 0 && w->size + w->gz.n > w->max_bytes) {
    tt_buf keep = w->gz;
    tt_buf_init(&w->gz);
    rc = open_next(w);
    tt_buf_fini(&w->gz);
    w->gz = keep;
    if (rc) return rc;
  }
  rc = flush_members(w);
  if (!rc) w->records++;
  return rc;
}

const char *tt_warc_writer_path(const tt_warc_writer *w) { return w->path; }
uint64_t tt_warc_writer_bytes(const tt_warc_writer *w) { return w->total_bytes; }
uint64_t tt_warc_writer_records(const tt_warc_writer *w) { return w->records; }

int tt_warc_writer_close(tt_warc_writer *w)
{
  if (!w) return 0;
  int rc = w->rc;
  if (w->fd >= 0) {
    if (fsync(w->fd) && !rc) rc = tt_error_set(TT_EIO, "fsync %s: %s", w->path, strerror(errno));
    if (close(w->fd) && !rc) rc = tt_error_set(TT_EIO, "close %s: %s", w->path, strerror(errno));
  }
  tt_free(w->dir);
  tt_free(w->prefix);
  tt_free(w->software);
  tt_free(w->path);
  tt_buf_fini(&w->rec);
  tt_buf_fini(&w->gz);
  tt_free(w);
  return rc;
}

/* ================================================================== reader */

struct tt_warc_reader {
  char *name;
  FILE *f;                       /* file input, or NULL for memory */
  const unsigned char *mem;      /* memory input */
  size_t mem_len, mem_pos;
  int gz;                        /* input is gzip */
  int sniffed;
  z_stream z;
  int z_ready;
  int member_active;             /* inside a gzip member */
  uint64_t in_pos;               /* compressed bytes consumed */
  uint64_t member_start;
  unsigned char inbuf[1 << 16];
  size_t in_avail;               /* plain input: bytes in inbuf not yet moved */
  const unsigned char *in_next;
  int in_eof;
  tt_buf pend;                   /* decompressed bytes */
  size_t pos;                    /* consumed prefix of pend */
  int done;                      /* 1 = no more records (after an error or the end) */
};

/* Pull more raw input. Returns bytes available (0 = end). */
static size_t raw_more(tt_warc_reader *r)
{
  if (r->in_avail) return r->in_avail;
  if (r->in_eof) return 0;
  if (r->f) {
    size_t k = fread(r->inbuf, 1, sizeof r->inbuf, r->f);
    if (k == 0) { r->in_eof = 1; return 0; }
    r->in_next = r->inbuf;
    r->in_avail = k;
    return k;
  }
  if (r->mem_pos >= r->mem_len) { r->in_eof = 1; return 0; }
  r->in_next = r->mem + r->mem_pos;
  r->in_avail = r->mem_len - r->mem_pos;
  r->mem_pos = r->mem_len;
  return r->in_avail;
}

static int corrupt(tt_warc_reader *r, uint64_t off, const char *what)
{
  r->done = 1;
  return tt_error_set(TT_ECORRUPT, "%s: %s at offset %llu", r->name, what, (unsigned long long)off);
}

/* Decode one more piece of input into pend. Returns 0, 1 at the clean end of input, or
 * TT_ECORRUPT / TT_EIO / TT_ENOMEM. */
static int step(tt_warc_reader *r)
{
  if (!raw_more(r)) {
    if (r->f && ferror(r->f)) { r->done = 1; return tt_error_set(TT_EIO, "read %s: %s", r->name, strerror(errno)); }
    if (r->gz && r->member_active) return corrupt(r, r->member_start, "torn record (gzip member truncated; skipped)");
    return 1;
  }
  if (!r->sniffed) {
    r->sniffed = 1;
    r->gz = r->in_avail >= 2 && r->in_next[0] == 0x1f && r->in_next[1] == 0x8b;
    if (r->gz) {
      memset(&r->z, 0, sizeof r->z);
      if (inflateInit2(&r->z, 15 + 16) != Z_OK) return tt_error_set(TT_ENOMEM, "inflateInit2 failed");
      r->z_ready = 1;
    }
  }
  if (!r->gz) {
    if (tt_buf_append(&r->pend, r->in_next, r->in_avail)) return tt_error_set(TT_ENOMEM, "out of memory");
    r->in_pos += r->in_avail;
    r->in_avail = 0;
    return 0;
  }
  if (!r->member_active) {
    r->member_active = 1;
    r->member_start = r->in_pos;
  }
  if (tt_buf_reserve(&r->pend, 1 << 16)) return tt_error_set(TT_ENOMEM, "out of memory");
  r->z.next_in = (Bytef *)(uintptr_t)r->in_next;
  r->z.avail_in = (uInt)(r->in_avail > (1u << 30) ? (1u << 30) : r->in_avail);
  size_t before_in = r->z.avail_in;
  r->z.next_out = (Bytef *)r->pend.p + r->pend.n;
  r->z.avail_out = (uInt)(r->pend.cap - r->pend.n - 1);
  size_t before_out = r->z.avail_out;
  int zr = inflate(&r->z, Z_NO_FLUSH);
  size_t used = before_in - r->z.avail_in;
  r->in_next += used;
  r->in_avail -= used;
  r->in_pos += used;
  r->pend.n += before_out - r->z.avail_out;
  r->pend.p[r->pend.n] = 0;
  if (zr == Z_STREAM_END) {
    r->member_active = 0;
    inflateReset(&r->z);
  } else if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT || zr == Z_STREAM_ERROR) {
    return corrupt(r, r->member_start, "bad gzip data");
  } else if (zr == Z_MEM_ERROR) {
    return tt_error_set(TT_ENOMEM, "out of memory");
  }
  return 0;
}

/* Make at least need unread bytes available in pend. Returns 0, 1 at the clean end of input
 * (fewer bytes are there), or an error from step(). */
static int fill(tt_warc_reader *r, size_t need)
{
  while (r->pend.n - r->pos < need) {
    int rc = step(r);
    if (rc) return rc;
  }
  return 0;
}

/* Finish the gzip member in progress, so its CRC is checked before its record is trusted. */
static int settle(tt_warc_reader *r)
{
  while (r->gz && r->member_active) {
    int rc = step(r);
    if (rc < 0) return rc;
    if (rc == 1) break;
  }
  return 0;
}

static int open_common(tt_warc_reader **out, const char *name)
{
  tt_warc_reader *r = tt_calloc(1, sizeof *r);
  TT_CHECK_ALLOC(r);
  r->name = tt_strndup(name, strlen(name));
  if (!r->name) { tt_free(r); return tt_error_set(TT_ENOMEM, "out of memory"); }
  *out = r;
  return 0;
}

int tt_warc_reader_open(tt_warc_reader **out, const char *path)
{
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return tt_error_set(TT_EIO, "open %s: %s", path, strerror(errno));
  tt_warc_reader *r = NULL;
  int rc = open_common(&r, path);
  if (rc) { fclose(f); return rc; }
  r->f = f;
  *out = r;
  return 0;
}

int tt_warc_reader_open_mem(tt_warc_reader **out, const void *data, size_t len, const char *name)
{
  *out = NULL;
  tt_warc_reader *r = NULL;
  TT_FORWARD(open_common(&r, name ? name : "(memory)"));
  r->mem = data;
  r->mem_len = len;
  *out = r;
  return 0;
}

void tt_warc_reader_close(tt_warc_reader *r)
{
  if (!r) return;
  if (r->f) fclose(r->f);
  if (r->z_ready) inflateEnd(&r->z);
  tt_buf_fini(&r->pend);
  tt_free(r->name);
  tt_free(r);
}

/* Find "\r\n\r\n" in p[0..n); returns its index or -1. */
static long find_blank(const char *p, size_t n)
{
  for (size_t i = 0; i + 3 < n; i++)
    if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') return (long)i;
  return -1;
}

static const char *field(const char *h, size_t n, const char *name, size_t *vlen)
{
  size_t nl = strlen(name);
  const char *p = h, *end = h + n;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    if ((size_t)(eol - p) > nl && p[nl] == ':' && !strncasecmp(p, name, nl)) {
      const char *v = p + nl + 1, *ve = eol;
      while (v < ve && (*v == ' ' || *v == '\t')) v++;
      while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t')) ve--;
      *vlen = (size_t)(ve - v);
      return v;
    }
    p = eol + 1;
  }
  return NULL;
}

const char *tt_warc_record_header(const tt_warc_record *rec, const char *name, size_t *len)
{
  size_t l = 0;
  const char *v = field(rec->headers, rec->headers_len, name, &l);
  if (len) *len = v ? l : 0;
  return v;
}

int tt_warc_reader_next(tt_warc_reader *r, tt_warc_record *out)
{
  if (r->done) return TT_ITEROVER;
  /* Drop what the previous record used. */
  if (r->pos) {
    size_t left = r->pend.n - r->pos;
    memmove(r->pend.p, r->pend.p + r->pos, left);
    r->pend.n = left;
    r->pend.p[left] = 0;
    r->pos = 0;
  }
  /* Skip blank lines between records (tolerated). */
  for (;;) {
    int rc = fill(r, 1);
    if (rc < 0) return rc;
    if (rc == 1 && r->pend.n == r->pos) { r->done = 1; return TT_ITEROVER; }
    char c = r->pend.p[r->pos];
    if (c != '\r' && c != '\n') break;
    r->pos++;
  }
  uint64_t off = r->gz ? r->member_start : r->in_pos - (r->pend.n - r->pos);
  /* Header block. */
  long hend;
  size_t want = 512;
  for (;;) {
    int rc = fill(r, want);
    if (rc < 0) return rc;
    size_t have = r->pend.n - r->pos;
    hend = find_blank(r->pend.p + r->pos, have > WARC_MAX_HEADER ? WARC_MAX_HEADER : have);
    if (hend >= 0) break;
    if (have >= WARC_MAX_HEADER) return corrupt(r, off, "WARC header too long");
    if (rc == 1) {
      if (have >= 5 && memcmp(r->pend.p + r->pos, "WARC/", 5)) return corrupt(r, off, "not a WARC record");
      return corrupt(r, off, "torn record (header truncated; skipped)");
    }
    want = have + 4096;
  }
  const char *h = r->pend.p + r->pos;
  if (strncmp(h, "WARC/1.", 7)) return corrupt(r, off, "not a WARC record (no WARC/1.x version line)");
  size_t hlen = (size_t)hend + 2;   /* keep the last field's CRLF */
  size_t cl_len;
  const char *cl = field(h, hlen, "Content-Length", &cl_len);
  if (!cl || cl_len == 0 || cl_len > 12) return corrupt(r, off, "missing or bad Content-Length");
  uint64_t blen = 0;
  for (size_t i = 0; i < cl_len; i++) {
    if (cl[i] < '0' || cl[i] > '9') return corrupt(r, off, "bad Content-Length");
    blen = blen * 10 + (uint64_t)(cl[i] - '0');
  }
  if (blen > WARC_MAX_BLOCK) return corrupt(r, off, "record block too large");
  size_t start = (size_t)hend + 4, total = start + (size_t)blen;
  int rc = fill(r, total);
  if (rc < 0) return rc;
  if (rc == 1) return corrupt(r, off, "torn record (block truncated; skipped)");
  /* The record trailer: CRLF CRLF (tolerate a missing trailer at the very end). */
  rc = fill(r, total + 4);
  if (rc < 0) return rc;
  h = r->pend.p + r->pos;                            /* fill may have moved the buffer */
  size_t have = r->pend.n - r->pos, trail = 0;
  while (trail < 4 && total + trail < have && (h[total + trail] == '\r' || h[total + trail] == '\n')) trail++;
  if (trail == 0 && total < have) return corrupt(r, off, "record not followed by CRLF CRLF");

  /* Trust the record only once the member it ends in has passed its CRC. */
  if (have >= total + trail && have - (total + trail) == 0) {
    rc = settle(r);
    if (rc < 0) return rc;
    h = r->pend.p + r->pos;
  }
  memset(out, 0, sizeof *out);
  out->headers = h;
  out->headers_len = hlen;
  out->block = (const unsigned char *)h + start;
  out->block_len = (size_t)blen;
  out->offset = off;
  static const char empty[] = "";
  out->type = field(h, hlen, "WARC-Type", &out->type_len);
  if (!out->type) return corrupt(r, off, "record without WARC-Type");
  out->target_uri = field(h, hlen, "WARC-Target-URI", &out->target_uri_len);
  if (!out->target_uri) { out->target_uri = empty; out->target_uri_len = 0; }
  out->date = field(h, hlen, "WARC-Date", &out->date_len);
  if (!out->date) { out->date = empty; out->date_len = 0; }
  out->record_id = field(h, hlen, "WARC-Record-ID", &out->record_id_len);
  if (!out->record_id) { out->record_id = empty; out->record_id_len = 0; }
  r->pos += total + trail;
  return 0;
}
