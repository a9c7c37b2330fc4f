/* Crash-safe file primitives: buffered writer with sticky error and running XXH3, read-only
 * maps, the common header/footer envelope, and atomic replace (indexer/fileio.h describes the
 * envelope byte layout and the contracts). */
#include "indexer/fileio.h"

#include "common/alloc.h"
#include "common/endian.h"
#include "common/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define WFILE_BUF (256u * 1024u)
#define MAP_READ_MAX (64u * 1024u)  /* tt_map reads files up to this size instead of mapping */

/* ================================================================ tt_wfile */

struct tt_wfile {
  int fd;                 /* -1 once closed */
  int rc;                 /* sticky error: 0 while healthy, else the first failure */
  uint64_t offset;        /* bytes accepted (flushed + buffered) */
  size_t nbuf;            /* bytes in buf not yet written */
  XXH3_state_t *hash;     /* running XXH3 of every accepted byte */
  char *path;             /* owned copy */
  char msg[640];          /* message of the first failure */
  unsigned char buf[WFILE_BUF];
};

/* Record the first failure (later ones are consequences) and return the sticky code with its
 * message in the thread-local slot. */
static int wfile_fail(tt_wfile *f, int code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;
static int wfile_fail(tt_wfile *f, int code, const char *fmt, ...)
{
  if (f->rc == 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof f->msg, fmt, ap);
    va_end(ap);
    f->rc = code;
  }
  return tt_error_set(f->rc, "%s", f->msg);
}

/* write(2) all of p, retrying short writes and EINTR. Returns 0 or errno. */
static int write_all(int fd, const unsigned char *p, size_t n)
{
  while (n > 0) {
    size_t chunk = n > (1u << 30) ? (1u << 30) : n;
    ssize_t w = write(fd, p, chunk);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return EIO;
    p += (size_t)w;
    n -= (size_t)w;
  }
  return 0;
}

static int wfile_flush(tt_wfile *f)
{
  if (f->rc) return wfile_fail(f, f->rc, "%s", f->msg);
  if (f->nbuf == 0) return 0;
  int e = write_all(f->fd, f->buf, f->nbuf);
  if (e) {
    uint64_t at = f->offset - f->nbuf;
    return wfile_fail(f, TT_EIO, "write %s at offset %llu: %s", f->path, (unsigned long long)at,
                      strerror(e));
  }
  f->nbuf = 0;
  return 0;
}

int tt_wfile_open(tt_wfile **out, const char *path)
{
  TT_RETURN_IF(out == NULL || path == NULL || !*path, TT_EINVAL, "tt_wfile_open: no path");
  *out = NULL;
  tt_wfile *f = tt_malloc(sizeof *f);
  TT_CHECK_ALLOC(f);
  f->fd = -1;
  f->rc = 0;
  f->offset = 0;
  f->nbuf = 0;
  f->msg[0] = 0;
  f->path = tt_strndup(path, strlen(path));
  f->hash = XXH3_createState();
  if (!f->path || !f->hash || XXH3_64bits_reset(f->hash) != XXH_OK) {
    tt_free(f->path);
    XXH3_freeState(f->hash);
    tt_free(f);
    return tt_error_set(TT_ENOMEM, "out of memory opening %s", path);
  }
  f->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (f->fd < 0) {
    int e = errno;
    tt_free(f->path);
    XXH3_freeState(f->hash);
    tt_free(f);
    return tt_error_set(TT_EIO, "create %s: %s", path, strerror(e));
  }
  *out = f;
  return 0;
}

int tt_wfile_write(tt_wfile *f, const void *data, size_t len)
{
  if (f->rc) return wfile_fail(f, f->rc, "%s", f->msg);
  if (len == 0) return 0;
  XXH3_64bits_update(f->hash, data, len);
  f->offset += len;
  const unsigned char *p = data;
  if (f->nbuf + len <= WFILE_BUF) {
    memcpy(f->buf + f->nbuf, p, len);
    f->nbuf += len;
    return 0;
  }
  if (wfile_flush(f)) return f->rc;
  if (len >= WFILE_BUF) {  /* large write: skip the buffer */
    int e = write_all(f->fd, p, len);
    if (e)
      return wfile_fail(f, TT_EIO, "write %s at offset %llu: %s", f->path,
                        (unsigned long long)(f->offset - len), strerror(e));
    return 0;
  }
  memcpy(f->buf, p, len);
  f->nbuf = len;
  return 0;
}

uint64_t tt_wfile_offset(const tt_wfile *f) { return f->offset; }
uint64_t tt_wfile_hash(const tt_wfile *f) { return XXH3_64bits_digest(f->hash); }
int tt_wfile_error(const tt_wfile *f) { return f->rc; }
const char *tt_wfile_path(const tt_wfile *f) { return f->path; }

static void wfile_free(tt_wfile *f)
{
  XXH3_freeState(f->hash);
  tt_free(f->path);
  tt_free(f);
}

int tt_wfile_close_sync(tt_wfile *f)
{
  if (!f) return 0;
  wfile_flush(f);
  if (!f->rc && fsync(f->fd) != 0)
    wfile_fail(f, TT_EIO, "fsync %s: %s", f->path, strerror(errno));
  if (close(f->fd) != 0 && !f->rc)
    wfile_fail(f, TT_EIO, "close %s: %s", f->path, strerror(errno));
  f->fd = -1;
  int rc = f->rc;
  if (rc) {
    unlink(f->path);
    tt_error_set(rc, "%s", f->msg);
  }
  wfile_free(f);
  return rc;
}

void tt_wfile_abort(tt_wfile *f)
{
  if (!f) return;
  if (f->fd >= 0) close(f->fd);
  unlink(f->path);
  wfile_free(f);
}

/* ================================================================ envelope */

/* Render 8 magic bytes for a message, escaping what is not printable ASCII. */
static const char *magic_str(const unsigned char *m, char out[40])
{
  size_t k = 0;
  for (int i = 0; i < TT_FILE_MAGIC_LEN; i++) {
    if (m[i] >= 0x20 && m[i] < 0x7F && m[i] != '\\') {
      out[k++] = (char)m[i];
    } else {
      snprintf(out + k, 5, "\\x%02X", m[i]);
      k += 4;
    }
  }
  out[k] = 0;
  return out;
}

int tt_file_header_write(tt_wfile *f, const char *magic, uint32_t version, uint32_t flags)
{
  if (f->rc) return wfile_fail(f, f->rc, "%s", f->msg);
  if (f->offset != 0)
    return wfile_fail(f, TT_EINVAL, "%s: file header written at offset %llu, not 0", f->path,
                      (unsigned long long)f->offset);
  unsigned char h[TT_FILE_HEADER_LEN];
  memcpy(h, magic, TT_FILE_MAGIC_LEN);
  tt_store_le32(h + 8, version);
  tt_store_le32(h + 12, flags);
  return tt_wfile_write(f, h, sizeof h);
}

int tt_file_footer_write(tt_wfile *f, const char *magic)
{
  if (f->rc) return wfile_fail(f, f->rc, "%s", f->msg);
  unsigned char t[TT_FILE_FOOTER_LEN];
  tt_store_le64(t, tt_wfile_hash(f));
  memcpy(t + 8, magic, TT_FILE_MAGIC_LEN);
  return tt_wfile_write(f, t, sizeof t);
}

int tt_file_check_header(const tt_map *m, const char *magic, uint32_t max_version,
                         uint32_t *version_out)
{
  const char *path = m->path ? m->path : "(unnamed)";
  char want[40], got[40];
  if (m->len >= TT_FILE_MAGIC_LEN && memcmp(m->data, magic, TT_FILE_MAGIC_LEN) != 0)
    return tt_error_set(TT_EFORMAT, "%s: not a %s file (magic at offset 0 is \"%s\")", path,
                        magic_str((const unsigned char *)magic, want), magic_str(m->data, got));
  if (m->len < TT_FILE_HEADER_LEN + TT_FILE_FOOTER_LEN)
    return tt_error_set(TT_ECORRUPT, "%s: corrupt: file is %zu bytes, shorter than header and "
                        "footer (%d bytes) at offset 0", path, m->len,
                        TT_FILE_HEADER_LEN + TT_FILE_FOOTER_LEN);
  uint32_t version = tt_load_le32(m->data + 8);
  if (version == 0 || version > max_version)
    return tt_error_set(TT_EFORMAT, "%s: %s format version %u at offset 8 is not supported "
                        "(this build reads 1..%u)", path,
                        magic_str((const unsigned char *)magic, want), version, max_version);
  size_t toff = m->len - TT_FILE_MAGIC_LEN;
  if (memcmp(m->data + toff, magic, TT_FILE_MAGIC_LEN) != 0)
    return tt_error_set(TT_ECORRUPT, "%s: corrupt: trailer magic missing at offset %zu "
                        "(truncated or overwritten file)", path, toff);
  if (version_out) *version_out = version;
  return 0;
}

int tt_file_check(const tt_map *m, const char *magic, uint32_t max_version,
                  uint32_t *version_out)
{
  uint32_t version;
  TT_FORWARD(tt_file_check_header(m, magic, max_version, &version));
  size_t hoff = m->len - TT_FILE_FOOTER_LEN;
  uint64_t want = tt_load_le64(m->data + hoff);
  uint64_t got = XXH3_64bits(m->data, hoff);
  if (want != got)
    return tt_error_set(TT_ECORRUPT, "%s: corrupt: checksum of bytes 0..%zu is %016llx, the "
                        "footer at offset %zu says %016llx", m->path ? m->path : "(unnamed)",
                        hoff, (unsigned long long)got, hoff, (unsigned long long)want);
  if (version_out) *version_out = version;
  return 0;
}

/* ================================================================ tt_map */

static const unsigned char empty_map[1];

int tt_map_open(tt_map *m, const char *path)
{
  memset(m, 0, sizeof *m);
  TT_RETURN_IF(path == NULL || !*path, TT_EINVAL, "tt_map_open: no path");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    return tt_error_set(e == ENOENT ? TT_ENOTFOUND : TT_EIO, "open %s: %s", path, strerror(e));
  }
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) != 0) {
    rc = tt_error_set(TT_EIO, "stat %s: %s", path, strerror(errno));
    goto done;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = tt_error_set(TT_EINVAL, "%s: not a regular file", path);
    goto done;
  }
  if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX) {
    rc = tt_error_set(TT_EIO, "%s: file of %lld bytes is too large to map", path,
                      (long long)st.st_size);
    goto done;
  }
  m->path = tt_strndup(path, strlen(path));
  if (!m->path) {
    rc = tt_error_set(TT_ENOMEM, "out of memory mapping %s", path);
    goto done;
  }
  m->len = (size_t)st.st_size;
  if (m->len == 0) {
    m->data = empty_map;
    goto done;
  }
  if (m->len <= MAP_READ_MAX) {
    /* Small files (manifests, tiny segments) are cheaper to read than to map and unmap. */
    unsigned char *buf = tt_malloc(m->len);
    if (!buf) {
      rc = tt_error_set(TT_ENOMEM, "out of memory reading %s", path);
      goto done;
    }
    size_t got = 0;
    while (got < m->len) {
      ssize_t n = pread(fd, buf + got, m->len - got, (off_t)got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        rc = tt_error_set(TT_EIO, "read %s at offset %zu: %s", path, got,
                          n < 0 ? strerror(errno) : "file shrank while being read");
        tt_free(buf);
        goto done;
      }
      got += (size_t)n;
    }
    m->data = buf;
    m->mapped_ = 2;
    goto done;
  }
  void *p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    rc = tt_error_set(TT_EIO, "mmap %s (%zu bytes): %s", path, m->len, strerror(errno));
    goto done;
  }
  m->data = p;
  m->mapped_ = 1;
done:
  close(fd);
  if (rc) {
    tt_free(m->path);
    memset(m, 0, sizeof *m);
  }
  return rc;
}

void tt_map_close(tt_map *m)
{
  if (!m) return;
  if (m->mapped_ == 1) munmap((void *)m->data, m->len);
  else if (m->mapped_ == 2) tt_free((void *)m->data);
  tt_free(m->path);
  memset(m, 0, sizeof *m);
}

/* ================================================================ durability */

int tt_fsync_dir(const char *dir)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return tt_error_set(TT_EIO, "open directory %s: %s", dir, strerror(errno));
  int rc = 0;
  /* Some file systems cannot fsync a directory (EINVAL); there is nothing more to do there. */
  if (fsync(fd) != 0 && errno != EINVAL)
    rc = tt_error_set(TT_EIO, "fsync directory %s: %s", dir, strerror(errno));
  close(fd);
  return rc;
}

static char *join_path(const char *dir, const char *name, const char *suffix)
{
  size_t nd = strlen(dir), nn = strlen(name), ns = strlen(suffix);
  char *p = tt_malloc(nd + 1 + nn + ns + 1);
  if (!p) return NULL;
  memcpy(p, dir, nd);
  p[nd] = '/';
  memcpy(p + nd + 1, name, nn);
  memcpy(p + nd + 1 + nn, suffix, ns + 1);
  return p;
}

int tt_file_replace_atomic(const char *dir, const char *name, const void *data, size_t len)
{
  TT_RETURN_IF(!dir || !name || !*name, TT_EINVAL, "tt_file_replace_atomic: no name");
  int rc = 0;
  tt_wfile *f = NULL;
  char *tmp = join_path(dir, name, ".tmp");
  char *dst = join_path(dir, name, "");
  if (!tmp || !dst) {
    rc = tt_error_set(TT_ENOMEM, "out of memory replacing %s/%s", dir, name);
    goto done;
  }
  if (unlink(tmp) != 0 && errno != ENOENT) {
    rc = tt_error_set(TT_EIO, "remove stale %s: %s", tmp, strerror(errno));
    goto done;
  }
  if ((rc = tt_wfile_open(&f, tmp)) != 0) goto done;
  tt_wfile_write(f, data, len);
  rc = tt_wfile_close_sync(f);  /* unlinks tmp on failure */
  f = NULL;
  if (rc) goto done;
  if (rename(tmp, dst) != 0) {
    rc = tt_error_set(TT_EIO, "rename %s to %s: %s", tmp, dst, strerror(errno));
    unlink(tmp);
    goto done;
  }
  rc = tt_fsync_dir(dir);
done:
  tt_wfile_abort(f);
  tt_free(tmp);
  tt_free(dst);
  return rc;
}

void tt_map_release(tt_map *m, size_t off, size_t len)
{
  if (m->mapped_ != 1 || off >= m->len) return;  /* a file read into memory (mapped_ 2) stays */
  if (len > m->len - off) len = m->len - off;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t a = (off + page - 1) / page * page;
  size_t b = (off + len) / page * page;
  if (b > a) madvise((void *)(m->data + a), b - a, MADV_DONTNEED);
}
