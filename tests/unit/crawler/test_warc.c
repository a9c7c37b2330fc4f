/* Unit tests: SHA-1 and the WARC writer/reader (crawler/warc.c) on real files in a temp folder:
 * round trip of request/response pairs, digests, rotation by size, a torn last record (the
 * crash case), damage in the middle, records spanning gzip members, uncompressed WARC, and
 * readability by zcat. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "crawler/sha1.h"
#include "timtin/crawl.h"
#include "timtin/errors.h"
#include "../testutil.h"

static char tmp[256];

static int setup(void **state)
{
  (void)state;
  return tt_test_mkdtemp(tmp, sizeof tmp, "tt_warc");
}
static int teardown(void **state)
{
  (void)state;
  tt_test_rmtree(tmp);
  return 0;
}

/* Paths of the .warc.gz files in tmp, sorted. Returns the count. */
static int list_warcs(char paths[][512], int max)
{
  DIR *d = opendir(tmp);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) && n < max)
    if (strstr(e->d_name, ".warc.gz")) snprintf(paths[n++], 512, "%s/%s", tmp, e->d_name);
  if (d) closedir(d);
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && strcmp(paths[j - 1], paths[j]) > 0; j--) {
      char t[512];
      memcpy(t, paths[j], 512); memcpy(paths[j], paths[j - 1], 512); memcpy(paths[j - 1], t, 512);
    }
  return n;
}

static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *p = malloc((size_t)n + 1);
  if (fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); fclose(f); return NULL; }
  fclose(f);
  p[n] = 0;
  *len = (size_t)n;
  return p;
}

static void test_sha1_vectors(void **state)
{
  (void)state;
  static const struct { const char *in; const char *hex; } v[] = {
    {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    tt_sha1 s;
    unsigned char d[20];
    char hex[41];
    tt_sha1_init(&s);
    /* Feed in odd pieces to exercise the block buffering. */
    const char *p = v[i].in;
    size_t n = strlen(p);
    for (size_t k = 0; k < n; k += 7) tt_sha1_update(&s, p + k, n - k < 7 ? n - k : 7);
    tt_sha1_final(&s, d);
    for (int k = 0; k < 20; k++) snprintf(hex + 2 * k, 3, "%02x", d[k]);
    assert_string_equal(hex, v[i].hex);
  }
  /* One million 'a' (FIPS 180 vector). */
  tt_sha1 s;
  unsigned char d[20], a[1000];
  memset(a, 'a', sizeof a);
  tt_sha1_init(&s);
  for (int i = 0; i < 1000; i++) tt_sha1_update(&s, a, sizeof a);
  tt_sha1_final(&s, d);
  char hex[41];
  for (int k = 0; k < 20; k++) snprintf(hex + 2 * k, 3, "%02x", d[k]);
  assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  /* Base32 of sha1("abc") as WARC tools write it. */
  char b32[40];
  tt_warc_sha1_base32("abc", 3, b32);
  assert_string_equal(b32, "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
}

static const char req[] = "GET /tin/a.html HTTP/1.1\r\nHost: example.vn\r\nUser-Agent: t\r\n\r\n";
static const char resp_fmt[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n\r\n%s";

static void write_pairs(tt_warc_writer *w, int n)
{
  for (int i = 0; i < n; i++) {
    char body[256], resp[512], uri[64];
    snprintf(body, sizeof body, "<html><title>Bài %d</title><p>Bệnh viện Bạch Mai %d</p></html>", i, i);
    snprintf(resp, sizeof resp, resp_fmt, strlen(body), body);
    snprintf(uri, sizeof uri, "http://example.vn/tin/%d.html", i);
    assert_int_equal(tt_warc_writer_write_exchange(w, uri, "127.0.0.1", i % 2 ? "h2" : "http/1.1", 1718171100000000LL + i,
                                                    req, strlen(req), resp, strlen(resp)), 0);
  }
}

/* Read every record of path; returns the number of response records and checks them. */
static int read_back(const char *path, int *nrequest, int *expect_torn)
{
  tt_warc_reader *r;
  assert_int_equal(tt_warc_reader_open(&r, path), 0);
  tt_warc_record rec;
  int nresp = 0, rc, torn = 0;
  *nrequest = 0;
  while ((rc = tt_warc_reader_next(r, &rec)) != TT_ITEROVER) {
    if (rc == TT_ECORRUPT) {
      assert_non_null(strstr(tt_error_last(), "torn record"));
      assert_non_null(strstr(tt_error_last(), path));
      torn++;
      continue;
    }
    assert_int_equal(rc, 0);
    assert_true(rec.record_id_len == 47 && !strncmp(rec.record_id, "<urn:uuid:", 10));
    if (rec.type_len == 8 && !memcmp(rec.type, "response", 8)) {
      char uri[64];
      int k = snprintf(uri, sizeof uri, "http://example.vn/tin/%d.html", nresp);
      assert_int_equal(rec.target_uri_len, (size_t)k);
      assert_memory_equal(rec.target_uri, uri, (size_t)k);
      assert_int_equal(rec.date_len, 20);
      assert_memory_equal(rec.date, "2024-06-12T05:45:00Z", 20);
      /* The payload digest is the SHA-1 of the HTTP body. */
      const char *body = memmem(rec.block, rec.block_len, "\r\n\r\n", 4);
      assert_non_null(body);
      body += 4;
      char d[40];
      tt_warc_sha1_base32(body, rec.block_len - (size_t)(body - (const char *)rec.block), d);
      size_t dl;
      const char *pd = tt_warc_record_header(&rec, "warc-payload-digest", &dl);
      assert_non_null(pd);
      assert_int_equal(dl, strlen(d));
      assert_memory_equal(pd, d, dl);
      char want[64];
      snprintf(want, sizeof want, "Bạch Mai %d</p>", nresp);
      assert_non_null(memmem(rec.block, rec.block_len, want, strlen(want)));
      /* the protocol given to the writer (write_pairs: h2 for odd i) */
      const char *proto = tt_warc_record_header(&rec, "WARC-Protocol", &dl);
      assert_non_null(proto);
      const char *wantp = nresp % 2 ? "h2" : "http/1.1";
      assert_int_equal(dl, strlen(wantp));
      assert_memory_equal(proto, wantp, dl);
      nresp++;
    } else if (rec.type_len == 7 && !memcmp(rec.type, "request", 7)) {
      assert_int_equal(rec.block_len, strlen(req));
      assert_memory_equal(rec.block, req, strlen(req));
      assert_non_null(tt_warc_record_header(&rec, "WARC-Concurrent-To", NULL));
      assert_non_null(tt_warc_record_header(&rec, "WARC-Protocol", NULL));
      (*nrequest)++;
    } else {
      assert_int_equal(rec.type_len, 8);
      assert_memory_equal(rec.type, "warcinfo", 8);
    }
  }
  tt_warc_reader_close(r);
  *expect_torn = torn;
  return nresp;
}

static void test_round_trip(void **state)
{
  (void)state;
  tt_warc_writer *w;
  assert_int_equal(tt_warc_writer_open(&w, tmp, NULL), 0);
  write_pairs(w, 20);
  assert_int_equal(tt_warc_writer_records(w), 41);   /* warcinfo + 20 pairs */
  assert_int_equal(tt_warc_writer_close(w), 0);
  char paths[8][512];
  assert_int_equal(list_warcs(paths, 8), 1);
  int nreq, torn;
  assert_int_equal(read_back(paths[0], &nreq, &torn), 20);
  assert_int_equal(nreq, 20);
  assert_int_equal(torn, 0);

  /* Same file from memory. */
  size_t len;
  char *data = slurp(paths[0], &len);
  tt_warc_reader *r;
  assert_int_equal(tt_warc_reader_open_mem(&r, data, len, "mem"), 0);
  tt_warc_record rec;
  int n = 0;
  while (tt_warc_reader_next(r, &rec) == 0) n++;
  assert_int_equal(n, 41);
  tt_warc_reader_close(r);

  /* zcat sees the plain text of the records (one gzip member per record is valid gzip). */
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "zcat '%s' | grep -c '^WARC/1.1'", paths[0]);
  FILE *p = popen(cmd, "r");
  int count = 0;
  assert_int_equal(fscanf(p, "%d", &count), 1);
  pclose(p);
  assert_int_equal(count, 41);

  /* Decompressed to an uncompressed .warc, the reader reads the same records. */
  snprintf(cmd, sizeof cmd, "zcat '%s' > '%s/plain.warc'", paths[0], tmp);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof cmd, "%s/plain.warc", tmp);
  int nreq2, torn2;
  assert_int_equal(read_back(cmd, &nreq2, &torn2), 20);
  assert_int_equal(torn2, 0);
  free(data);
}

static void test_rotation(void **state)
{
  (void)state;
  tt_warc_writer_options o = TT_WARC_WRITER_OPTIONS_INIT;
  o.max_file_bytes = 2000;
  o.prefix = "rot";
  tt_warc_writer *w;
  assert_int_equal(tt_warc_writer_open(&w, tmp, &o), 0);
  write_pairs(w, 12);
  assert_int_equal(tt_warc_writer_close(w), 0);
  char paths[64][512];
  int nf = list_warcs(paths, 64);
  assert_true(nf >= 3);
  int total = 0;
  for (int i = 0; i < nf; i++) {
    struct stat st;
    assert_int_equal(stat(paths[i], &st), 0);
    /* A file only passes the limit with its first pair. */
    tt_warc_reader *r;
    assert_int_equal(tt_warc_reader_open(&r, paths[i]), 0);
    tt_warc_record rec;
    int rc, nrec = 0;
    while ((rc = tt_warc_reader_next(r, &rec)) == 0) {
      if (nrec == 0) assert_memory_equal(rec.type, "warcinfo", 8);
      if (rec.type_len == 8 && !memcmp(rec.type, "response", 8)) total++;
      nrec++;
    }
    assert_int_equal(rc, TT_ITEROVER);
    if (st.st_size > 2000) assert_int_equal(nrec, 3);
    tt_warc_reader_close(r);
  }
  assert_int_equal(total, 12);
}

static void test_torn_last_record(void **state)
{
  (void)state;
  tt_warc_writer *w;
  assert_int_equal(tt_warc_writer_open(&w, tmp, NULL), 0);
  write_pairs(w, 5);
  assert_int_equal(tt_warc_writer_close(w), 0);
  char paths[8][512];
  assert_int_equal(list_warcs(paths, 8), 1);
  struct stat st;
  assert_int_equal(stat(paths[0], &st), 0);
  /* Cut the file inside the last member: 4 pairs survive, the torn one is reported once. */
  for (off_t cut = 1; cut < 60; cut += 17) {
    assert_int_equal(truncate(paths[0], st.st_size - cut), 0);
    int nreq, torn;
    int nresp = read_back(paths[0], &nreq, &torn);
    assert_int_equal(torn, 1);
    assert_int_equal(nresp, 5);   /* the request record (written second) is the one torn */
    assert_int_equal(nreq, 4);
  }
}

static void test_damage_in_middle(void **state)
{
  (void)state;
  tt_warc_writer *w;
  assert_int_equal(tt_warc_writer_open(&w, tmp, NULL), 0);
  write_pairs(w, 5);
  assert_int_equal(tt_warc_writer_close(w), 0);
  char paths[8][512];
  assert_int_equal(list_warcs(paths, 8), 1);
  size_t len;
  unsigned char *data = (unsigned char *)slurp(paths[0], &len);
  for (size_t at = len / 3; at < len - 20; at += len / 7) {
    unsigned char *copy = malloc(len);
    memcpy(copy, data, len);
    for (int k = 0; k < 8; k++) copy[at + (size_t)k] ^= 0x5A;
    tt_warc_reader *r;
    assert_int_equal(tt_warc_reader_open_mem(&r, copy, len, "damaged.warc.gz"), 0);
    tt_warc_record rec;
    int rc, n = 0, errors = 0;
    while ((rc = tt_warc_reader_next(r, &rec)) != TT_ITEROVER) {
      if (rc) {
        assert_int_equal(rc, TT_ECORRUPT);
        assert_non_null(strstr(tt_error_last(), "damaged.warc.gz"));
        assert_non_null(strstr(tt_error_last(), "offset"));
        errors++;
      } else n++;
    }
    assert_int_equal(errors, 1);
    assert_true(n < 11);
    tt_warc_reader_close(r);
    free(copy);
  }
  free(data);

  /* Garbage and a bad Content-Length. */
  static const char *bad[] = {
    "hello world, not a warc at all\r\n\r\n",
    "WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 99999999999999\r\n\r\nxx",
    "WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 12\r\n\r\nshort",
    "WARC/1.1\r\nContent-Length: 2\r\n\r\nab\r\n\r\n",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    tt_warc_reader *r;
    assert_int_equal(tt_warc_reader_open_mem(&r, bad[i], strlen(bad[i]), "bad.warc"), 0);
    tt_warc_record rec;
    assert_int_equal(tt_warc_reader_next(r, &rec), TT_ECORRUPT);
    assert_int_equal(tt_warc_reader_next(r, &rec), TT_ITEROVER);
    tt_warc_reader_close(r);
  }
}

/* Two records compressed as ONE gzip member, then a record split across two members: the
 * reader parses the stream, not the members. */
static void test_member_layouts(void **state)
{
  (void)state;
  const char *recs = "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:1>\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"
                     "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:2>\r\nContent-Length: 4\r\n\r\ndefg\r\n\r\n";
  unsigned char out[4096];
  size_t total = 0;
  size_t n = strlen(recs), cut = 40;
  const char *parts[2] = {recs, recs + cut};
  size_t lens[2] = {cut, n - cut};
  for (int i = 0; i < 2; i++) {
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)parts[i];
    z.avail_in = (uInt)lens[i];
    z.next_out = out + total;
    z.avail_out = (uInt)(sizeof out - total);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    total = sizeof out - z.avail_out;
    deflateEnd(&z);
  }
  tt_warc_reader *r;
  assert_int_equal(tt_warc_reader_open_mem(&r, out, total, "layout.warc.gz"), 0);
  tt_warc_record rec;
  assert_int_equal(tt_warc_reader_next(r, &rec), 0);
  assert_int_equal(rec.block_len, 3);
  assert_memory_equal(rec.block, "abc", 3);
  assert_int_equal(tt_warc_reader_next(r, &rec), 0);
  assert_int_equal(rec.block_len, 4);
  assert_memory_equal(rec.block, "defg", 4);
  assert_int_equal(tt_warc_reader_next(r, &rec), TT_ITEROVER);
  tt_warc_reader_close(r);
}

static void test_writer_errors(void **state)
{
  (void)state;
  tt_warc_writer *w;
  assert_int_equal(tt_warc_writer_open(&w, "/proc/no/such/dir", NULL), TT_EIO);
  assert_null(w);
  assert_non_null(strstr(tt_error_last(), "/proc/no/such/dir"));
  /* /dev/full: every write fails with ENOSPC, the writer is poisoned. */
  assert_int_equal(tt_warc_writer_open(&w, tmp, NULL), 0);
  assert_int_equal(tt_warc_writer_write_exchange(w, "", NULL, NULL, 0, req, 3, req, 3), TT_EINVAL);
  assert_int_equal(tt_warc_writer_close(w), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sha1_vectors),
    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
    cmocka_unit_test_setup_teardown(test_torn_last_record, setup, teardown),
    cmocka_unit_test_setup_teardown(test_damage_in_middle, setup, teardown),
    cmocka_unit_test(test_member_layouts),
    cmocka_unit_test_setup_teardown(test_writer_errors, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
