/* The persistent frontier (crawler/frontier.h).
 *
 * DIR/frontier.log is append-only text, one record a line, fields separated by tabs:
 *   Q <kind> <depth> <hops> <url>                    queued (the URL is now seen)
 *   D <kind> <status> <etag|-> <last-modified|-> <url>   finished
 *   R <url>                                           queued again by a re-crawl
 * Lines are written with one write() each, straight to the kernel, so a killed crawler loses
 * nothing it logged; a torn last line (no newline) is ignored on replay. Replay: seen = every
 * Q; pending = Q (or R) without a later D. The WARC record of a page is written (and synced)
 * before its D line, so after a crash a page is at worst fetched twice, never lost. */
#include "crawler/frontier.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"

typedef struct slot { char *url; int state; tt_job info; } slot;   /* state: 1 queued, 2 done */

struct tt_frontier {
  int fd;
  char *path;
  slot *tab; size_t cap, n;
};

static uint64_t hash(const char *s)
{
  uint64_t h = 14695981039346656037ull;
  while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ull;
  return h;
}

static slot *lookup(const tt_frontier *f, const char *url)
{
  size_t i = hash(url) & (f->cap - 1);
  while (f->tab[i].url) {
    if (!strcmp(f->tab[i].url, url)) return &f->tab[i];
    i = (i + 1) & (f->cap - 1);
  }
  return &f->tab[i];
}

static int grow(tt_frontier *f)
{
  size_t cap = f->cap ? f->cap * 2 : 1024;
  slot *t = tt_calloc(cap, sizeof *t);
  TT_CHECK_ALLOC(t);
  slot *old = f->tab;
  size_t ocap = f->cap;
  f->tab = t;
  f->cap = cap;
  for (size_t i = 0; i < ocap; i++)
    if (old[i].url) *lookup(f, old[i].url) = old[i];
  tt_free(old);
  return 0;
}

/* The slot for url, created (state 0) when missing. */
static slot *get(tt_frontier *f, const char *url, size_t len)
{
  if ((f->n + 1) * 2 > f->cap && grow(f)) return NULL;
  char tmp[8192];
  if (len >= sizeof tmp) return NULL;
  memcpy(tmp, url, len);
  tmp[len] = 0;
  slot *s = lookup(f, tmp);
  if (!s->url) {
    s->url = tt_strndup(tmp, len);
    if (!s->url) return NULL;
    f->n++;
  }
  return s;
}

void tt_job_fini(tt_job *j)
{
  if (!j) return;
  tt_free(j->url);
  tt_free(j->etag);
  tt_free(j->lastmod);
  memset(j, 0, sizeof *j);
}

static int log_line(tt_frontier *f, tt_buf *b)
{
  const char *p = b->p;
  size_t left = b->n;
  while (left) {
    ssize_t k = write(f->fd, p, left);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return tt_error_set(TT_EIO, "write %s: %s", f->path, strerror(errno));
    p += k;
    left -= (size_t)k;
  }
  return 0;
}

/* A field without tabs and newlines. */
static void put_field(tt_buf *b, const char *s)
{
  if (!s || !*s) { tt_buf_putc(b, '-'); return; }
  for (; *s; s++) tt_buf_putc(b, (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s);
}

int tt_frontier__open(tt_frontier **out, const char *dir, int mode,
                      void (*fn)(void *, tt_job *), void *ctx, long *pages_done)
{
  *out = NULL;
  *pages_done = 0;
  tt_frontier *f = tt_calloc(1, sizeof *f);
  TT_CHECK_ALLOC(f);
  f->fd = -1;
  tt_buf path = TT_BUF_INIT;
  tt_buf_printf(&path, "%s/frontier.log", dir);
  f->path = path.p;
  int rc = grow(f);
  if (rc) goto fail;
  struct stat st;
  int exists = stat(f->path, &st) == 0 && st.st_size > 0;
  if (exists && mode == 0) {
    rc = tt_error_set(TT_EINVAL, "%s holds a crawl already: use --resume to continue it or --recrawl to refresh it", dir);
    goto fail;
  }
  /* replay */
  char **order = NULL;         /* URLs in first-queued order */
  size_t norder = 0, corder = 0;
  if (exists) {
    FILE *in = fopen(f->path, "rb");
    if (!in) { rc = tt_error_set(TT_EIO, "open %s: %s", f->path, strerror(errno)); goto fail; }
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, in)) > 0) {
      if (line[len - 1] != '\n') break;          /* torn last line */
      line[--len] = 0;
      char *fld[6];
      int nf = 0;
      char *s = line;
      while (nf < 6) {
        fld[nf++] = s;
        char *tab = strchr(s, '\t');
        if (!tab) break;
        *tab = 0;
        s = tab + 1;
      }
      if (line[0] == 'Q' && nf == 5) {
        slot *sl = get(f, fld[4], strlen(fld[4]));
        if (!sl) continue;
        if (sl->state == 0) {
          sl->info.kind = fld[1][0];
          sl->info.depth = atoi(fld[2]);
          sl->info.hops = atoi(fld[3]);
          if (norder == corder) {
            corder = corder ? corder * 2 : 256;
            char **o = tt_realloc(order, corder * sizeof *o);
            if (!o) { rc = TT_ENOMEM; break; }
            order = o;
          }
          order[norder++] = sl->url;
        }
        sl->state = 1;
      } else if (line[0] == 'D' && nf == 6) {
        slot *sl = get(f, fld[5], strlen(fld[5]));
        if (!sl) continue;
        sl->state = 2;
        int status = atoi(fld[2]);
        if (fld[1][0] == TT_JOB_PAGE && status == 200) (*pages_done)++;
        tt_free(sl->info.etag); tt_free(sl->info.lastmod);
        sl->info.etag = strcmp(fld[3], "-") ? tt_strndup(fld[3], strlen(fld[3])) : NULL;
        sl->info.lastmod = strcmp(fld[4], "-") ? tt_strndup(fld[4], strlen(fld[4])) : NULL;
        sl->info.tries = status;     /* remember the status for a re-crawl */
      } else if (line[0] == 'R' && nf == 2) {
        slot *sl = get(f, fld[1], strlen(fld[1]));
        if (sl && sl->state == 2) sl->state = 1;
      }
    }
    free(line);
    fclose(in);
    if (rc) { tt_free(order); goto fail; }
  }
  f->fd = open(f->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (f->fd < 0) { tt_free(order); rc = tt_error_set(TT_EIO, "open %s: %s", f->path, strerror(errno)); goto fail; }
  tt_buf b = TT_BUF_INIT;
  for (size_t i = 0; i < norder; i++) {
    slot *sl = lookup(f, order[i]);
    int again = mode == 2 && sl->state == 2 && sl->info.kind == TT_JOB_PAGE && sl->info.tries == 200;
    if (sl->state != 1 && !again) continue;
    if (again) {
      sl->state = 1;
      tt_buf_reset(&b);
      tt_buf_puts(&b, "R\t");
      put_field(&b, sl->url);
      tt_buf_putc(&b, '\n');
      if ((rc = log_line(f, &b))) break;
    }
    tt_job j = {0};
    j.url = tt_strndup(sl->url, strlen(sl->url));
    j.kind = sl->info.kind;
    j.depth = sl->info.depth;
    j.hops = sl->info.hops;
    if (again) {
      if (sl->info.etag) j.etag = tt_strndup(sl->info.etag, strlen(sl->info.etag));
      if (sl->info.lastmod) j.lastmod = tt_strndup(sl->info.lastmod, strlen(sl->info.lastmod));
    }
    if (!j.url) { rc = TT_ENOMEM; break; }
    fn(ctx, &j);
  }
  if (mode == 2) *pages_done = 0;
  tt_buf_fini(&b);
  tt_free(order);
  if (rc) goto fail;
  *out = f;
  return 0;
fail:
  tt_frontier__close(f);
  return rc < 0 ? rc : TT_ERROR;
}

void tt_frontier__close(tt_frontier *f)
{
  if (!f) return;
  if (f->fd >= 0) { fsync(f->fd); close(f->fd); }
  for (size_t i = 0; i < f->cap; i++)
    if (f->tab[i].url) {
      tt_free(f->tab[i].url);
      tt_free(f->tab[i].info.etag);
      tt_free(f->tab[i].info.lastmod);
    }
  tt_free(f->tab);
  tt_free(f->path);
  tt_free(f);
}

int tt_frontier__seen(const tt_frontier *f, const char *url)
{
  slot *s = lookup(f, url);
  return s->url != NULL && s->state != 0;
}

int tt_frontier__mark(tt_frontier *f, const char *url)
{
  slot *s = get(f, url, strlen(url));
  if (!s) return TT_ENOMEM;
  if (s->state == 0) s->state = 2;
  return 0;
}

int tt_frontier__add(tt_frontier *f, const char *url, int kind, int depth, int hops, tt_job *job)
{
  size_t len = strlen(url);
  if (len >= 8192) return 0;
  slot *s = get(f, url, len);
  if (!s) return TT_ENOMEM;
  if (s->state != 0) return 0;
  s->state = 1;
  s->info.kind = kind;
  tt_buf b = TT_BUF_INIT;
  tt_buf_printf(&b, "Q\t%c\t%d\t%d\t", kind, depth, hops);
  put_field(&b, url);
  tt_buf_putc(&b, '\n');
  int rc = log_line(f, &b);
  tt_buf_fini(&b);
  if (rc) return rc;
  memset(job, 0, sizeof *job);
  job->url = tt_strndup(url, len);
  TT_CHECK_ALLOC(job->url);
  job->kind = kind;
  job->depth = depth;
  job->hops = hops;
  return 1;
}

int tt_frontier__done(tt_frontier *f, const tt_job *job, int status, const char *etag, const char *lastmod)
{
  slot *s = get(f, job->url, strlen(job->url));
  if (s) s->state = 2;
  tt_buf b = TT_BUF_INIT;
  tt_buf_printf(&b, "D\t%c\t%d\t", job->kind, status);
  put_field(&b, etag);
  tt_buf_putc(&b, '\t');
  put_field(&b, lastmod);
  tt_buf_putc(&b, '\t');
  put_field(&b, job->url);
  tt_buf_putc(&b, '\n');
  int rc = log_line(f, &b);
  tt_buf_fini(&b);
  return rc;
}
