/* robots.txt (RFC 9309): groups by user agent, allow/disallow with '*' and '$', the longest
 * match wins (allow on a tie), Crawl-delay, Sitemap lines. */
#ifndef TT_CRAWLER_ROBOTS_H
#define TT_CRAWLER_ROBOTS_H

#include <stddef.h>

typedef struct tt_robots tt_robots;

/* Parse txt for the crawler whose product token is agent ("timtin"). Rules come from the
 * groups naming agent (case-insensitive), else from the "*" groups. Returns NULL only when
 * out of memory. */
tt_robots *tt_robots__parse(const char *txt, size_t n, const char *agent);
/* A policy that allows everything (robots.txt missing: 4xx) or nothing (server error). */
tt_robots *tt_robots__all(int allow);
void tt_robots__free(tt_robots *r);

/* Is path ("/a/b?q=1") allowed? */
int tt_robots__allowed(const tt_robots *r, const char *path);
/* Crawl-delay in milliseconds, or -1 when none. */
long tt_robots__delay_ms(const tt_robots *r);
size_t tt_robots__nsitemaps(const tt_robots *r);
const char *tt_robots__sitemap(const tt_robots *r, size_t i);

#endif
