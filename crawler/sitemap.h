/* URLs out of sitemaps (urlset and sitemap index, gzip or not) and RSS/Atom feeds. */
#ifndef TT_CRAWLER_SITEMAP_H
#define TT_CRAWLER_SITEMAP_H

#include <stddef.h>

enum { TT_FEED_PAGE = 0, TT_FEED_SITEMAP = 1 };

/* Call fn(ctx, url, len, kind) for every URL in the document: <loc> of a urlset (kind
 * PAGE) or of a sitemapindex (kind SITEMAP), <link>URL</link> of RSS items, <link href> of
 * Atom entries (PAGE). Entities &amp; &lt; &gt; &quot; &apos; and CDATA are decoded. Returns the
 * number of URLs, or -1 when the document is none of these. */
long tt_sitemap__parse(const char *xml, size_t n, void (*fn)(void *ctx, const char *url, size_t len, int kind), void *ctx);

#endif
