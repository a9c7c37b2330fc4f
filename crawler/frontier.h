/* The crawl's persistent state in DIR/frontier.log: which URLs were queued and which were
 * done, so an interrupted crawl resumes without refetching and a re-crawl knows the
 * validators (ETag, Last-Modified) of every page. */
#ifndef TT_CRAWLER_FRONTIER_H
#define TT_CRAWLER_FRONTIER_H

#include <stddef.h>

enum { TT_JOB_PAGE = 'P', TT_JOB_SITEMAP = 'S', TT_JOB_FEED = 'F' };

typedef struct tt_job {
  char *url;
  int kind;          /* TT_JOB_* */
  int depth;
  int hops;          /* redirects followed to reach this URL */
  int tries;         /* attempts made (retries) */
  char *etag, *lastmod;   /* validators for a conditional re-crawl, or NULL */
} tt_job;

typedef struct tt_frontier tt_frontier;

/* Open DIR/frontier.log. mode 0: a new crawl (the log must not hold one: TT_EINVAL);
 * 1: resume (pending URLs come back); 2: re-crawl (every page done with 200 comes back with
 * its validators, plus what was pending). The pending jobs are given to fn in log order.
 * *pages_done gets the pages fetched with 200 by earlier sessions (for resume). */
int tt_frontier__open(tt_frontier **out, const char *dir, int mode,
                      void (*fn)(void *ctx, tt_job *job), void *ctx, long *pages_done);
void tt_frontier__close(tt_frontier *f);

/* Has url been seen (queued at any time)? */
int tt_frontier__seen(const tt_frontier *f, const char *url);
/* Mark url seen without queueing it (a canonical URL of a page already fetched). */
int tt_frontier__mark(tt_frontier *f, const char *url);
/* Queue url if unseen: logs it and returns 1 with *job filled (owned by the caller, freed
 * with tt_job_fini); 0 when it was seen; negative on error. */
int tt_frontier__add(tt_frontier *f, const char *url, int kind, int depth, int hops, tt_job *job);
/* Record that url is finished (status: HTTP status, or 0 for a failure). */
int tt_frontier__done(tt_frontier *f, const tt_job *job, int status, const char *etag, const char *lastmod);

void tt_job_fini(tt_job *j);

#endif
