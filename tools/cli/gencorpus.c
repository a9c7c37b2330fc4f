/* The corpus generator: realistic, deterministic Vietnamese health news (gencorpus.h).
 *
 * The model, in the order an article is made (docs/corpus.md gives the numbers):
 *
 *  - Randomness. Each article has its own xoshiro256** stream seeded from (seed, i) through
 *    splitmix64, so article i never depends on N or on the articles before it. All tables are
 *    built once from fixed data (gencorpus_data.c, gencorpus_vocab.inc) and a fixed internal
 *    seed: the same officials, hospitals and vocabulary exist in every corpus, whatever --seed.
 *
 *  - Text. Words come from a first-order Markov chain over the words of the seed articles
 *    (a word is a syllable or a recurring collocation: "bệnh viện", "chuyển giao kỹ thuật"),
 *    mixed with draws from a Zipf-Mandelbrot law over all words ranked by frequency: the seed
 *    words first, then a few thousand well-formed syllables absent from the seeds (the tail),
 *    then the seeds' proper names. A small share of slots are numbers, dates, percentages and
 *    codes, and rare words (foreign names, drug names, made-up place names) drawn by a Zipf
 *    rank over an open range, so the distinct-term count keeps growing with corpus size
 *    (Heaps' law) as in real text.
 *
 *  - Entities. About half the articles are *about* one official, hospital or program: it is
 *    in the title, in the lead sentence and repeated through the body. Every article also
 *    mentions others in passing. Officials are named with a title chain ("Thứ trưởng Bộ Y tế
 *    Trần Văn Thuấn", "PGS.TS. Nguyễn Công Hoàng, Giám đốc Bệnh viện ...") and shorter forms
 *    on later mentions; hospitals by full name or alias ("BV Chợ Rẫy").
 *
 *  - Noise, decided per article: NFD (decomposed letters), the alternate tone placement
 *    (hoà, khoẻ, thuý), and page boilerplate (image file names, captions ending "- Ảnh 1.",
 *    "Xem thêm:", "Tin liên quan" with headline lists, "Video", "Đọc báo in").
 *
 * Speed comes from building text straight into reused buffers: words are borrowed pointers
 * into static tables, samplers are alias tables (O(1) a draw), and nothing is allocated per
 * article once the buffers have grown. */
#include "tools/cli/gencorpus.h"
#include "tools/cli/gencorpus_data.h"

#include "common/alloc.h"
#include "common/error.h"
#include "common/utf8.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tools/cli/gencorpus_vocab.inc"

/* ---------------------------------------------------------------------------------------
 * Parameters of the model (docs/corpus.md explains them) */

#define GC_ZIPF_S        1.07   /* exponent of the word law 1/(r+b)^s */
#define GC_ZIPF_B        2.7
#define GC_P_MARKOV      0.62   /* follow the seeds' next-word chain ... */
#define GC_MARKOV_K      3.0    /* ... scaled by n/(n+K), n = times the word was seen followed */
#define GC_GENERIC_W     0.25   /* weight factor of the generic (non-seed) syllables */
#define GC_P_NUMBER      0.018  /* a number, date, percentage or code */
#define GC_P_RARE        0.010  /* a word from the open-ended rare tail */
#define GC_RARE_S        1.25   /* Zipf exponent over rare-word ranks */
#define GC_RARE_N        4.0e7  /* rare-word rank range */
#define GC_LEN_MU        6.30   /* body length in tokens: log-normal(mu, sigma) ... */
#define GC_LEN_SIGMA     0.62
#define GC_LEN_MIN       150    /* ... truncated to [min, max] by resampling */
#define GC_LEN_MAX       2880
#define GC_P_ABOUT       0.50   /* the article is about one entity */
#define GC_P_PASSING     0.08   /* a sentence mentions some entity in passing */
#define GC_ENTITY_B      6.0    /* entities are drawn by Zipf 1/(r+1+b): the head is ~5% */
#define GC_P_NFD         0.04   /* noise: the whole article in NFD */
#define GC_P_OLDTONE     0.05   /* noise: hoà/khoẻ/thuý tone placement */
#define GC_P_IMAGES      0.12   /* boilerplate: image file names between paragraphs */
#define GC_P_CAPTIONS    0.06   /* boilerplate: "<title>- Ảnh N." captions */
#define GC_P_TRAILER     0.18   /* boilerplate: "Tin liên quan", "Xem thêm", "Video"... */
#define GC_P_DATEHEAD    0.08   /* boilerplate: "12/06/2024 | 12:45 PM" first line */
#define GC_TABLE_SEED    0x74696d74696e3031ull  /* fixed: entities are the same for every seed */

#define GC_FIRST_DAY     17897  /* 2019-01-01 in days since 1970-01-01 */
#define GC_NDAYS         2922   /* through 2026-12-31 */

/* ---------------------------------------------------------------------------------------
 * Random numbers: splitmix64 to seed, xoshiro256** to draw.
 * Never draw twice in one expression or argument list: C leaves the order unspecified, and
 * compilers differ, which would make the corpus depend on the compiler. */

typedef struct gc_rng { uint64_t s[4]; } gc_rng;

static inline uint64_t splitmix64(uint64_t *x)
{
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static void rng_seed(gc_rng *r, uint64_t a, uint64_t b)
{
  uint64_t x = a ^ 0x6a09e667f3bcc909ull;
  x = splitmix64(&x) ^ (b * 0xD1B54A32D192ED03ull);
  for (int k = 0; k < 4; k++) r->s[k] = splitmix64(&x);
}

static inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(gc_rng *r)
{
  uint64_t *s = r->s;
  uint64_t out = rotl64(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl64(s[3], 45);
  return out;
}

/* Uniform in [0, n), n < 2^32 (multiply-shift; the bias is below 2^-32). */
static inline uint32_t rng_below(gc_rng *r, uint32_t n)
{
  return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline double rng_unit(gc_rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
static inline int rng_chance(gc_rng *r, double p) { return rng_unit(r) < p; }

static double rng_normal(gc_rng *r)
{
  double u = rng_unit(r), v = rng_unit(r);
  if (u < 1e-300) u = 1e-300;
  return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* ---------------------------------------------------------------------------------------
 * Alias tables (Vose): draw index i with probability w[i] / sum(w) in O(1) */

typedef struct gc_alias { uint32_t n; uint32_t *cut; uint32_t *alias; } gc_alias;

static int alias_build(gc_alias *a, const double *w, uint32_t n)
{
  a->n = n;
  a->cut = tt_malloc(n * sizeof *a->cut);
  a->alias = tt_malloc(n * sizeof *a->alias);
  double *p = tt_malloc(n * sizeof *p);
  uint32_t *small = tt_malloc(n * sizeof *small), *large = tt_malloc(n * sizeof *large);
  int rc = 0;
  if (!a->cut || !a->alias || !p || !small || !large) {
    rc = tt_error_set(TT_ENOMEM, "gen-corpus: out of memory building a sampler");
    goto done;
  }
  double sum = 0;
  for (uint32_t i = 0; i < n; i++) sum += w[i];
  uint32_t ns = 0, nl = 0;
  for (uint32_t i = 0; i < n; i++) {
    p[i] = w[i] * n / sum;
    if (p[i] < 1.0) small[ns++] = i; else large[nl++] = i;
  }
  while (ns && nl) {
    uint32_t s = small[--ns], l = large[--nl];
    a->cut[s] = (uint32_t)(p[s] * 4294967296.0);
    a->alias[s] = l;
    p[l] -= 1.0 - p[s];
    if (p[l] < 1.0) small[ns++] = l; else large[nl++] = l;
  }
  while (nl) { uint32_t l = large[--nl]; a->cut[l] = UINT32_MAX; a->alias[l] = l; }
  while (ns) { uint32_t s = small[--ns]; a->cut[s] = UINT32_MAX; a->alias[s] = s; }
done:
  tt_free(p); tt_free(small); tt_free(large);
  return rc;
}

static inline uint32_t alias_draw(const gc_alias *a, gc_rng *r)
{
  uint64_t x = rng_next(r);
  uint32_t i = (uint32_t)(((x >> 32) * (uint64_t)a->n) >> 32);
  return (uint32_t)x < a->cut[i] ? i : a->alias[i];
}

static void alias_fini(gc_alias *a) { tt_free(a->cut); tt_free(a->alias); a->cut = a->alias = NULL; }

/* A Zipf-Mandelbrot alias table over ranks 0..n-1: weight 1/(r+1+b)^s. */
static int alias_zipf(gc_alias *a, uint32_t n, double s, double b)
{
  double *w = tt_malloc(n * sizeof *w);
  if (!w) return tt_error_set(TT_ENOMEM, "gen-corpus: out of memory");
  for (uint32_t i = 0; i < n; i++) w[i] = pow(i + 1.0 + b, -s);
  int rc = alias_build(a, w, n);
  tt_free(w);
  return rc;
}

/* ---------------------------------------------------------------------------------------
 * The generator's tables */

typedef struct gc_word { const char *s; uint32_t len, ntok; } gc_word;

typedef struct gc_official {
  uint32_t name, given, prefix, role, role_short;  /* offsets into strs; prefix 0 = none */
  unsigned char female;
} gc_official;

enum { ORG_HOSPITAL, ORG_PROVINCIAL, ORG_DISTRICT, ORG_SO, ORG_CDC, ORG_AGENCY };
typedef struct gc_org { uint32_t full, alias; unsigned char kind; } gc_org;  /* alias 0 = none */

enum { ENT_NONE, ENT_OFFICIAL, ENT_ORG, ENT_PROGRAM };

#define GC_NOFFICIALS 200
#define GC_NORGS      150

struct tt_gencorpus {
  uint64_t seed;
  int rc;                          /* sticky: first allocation failure of the current article */

  gc_word vocab[TT_GC_NWORDS + TT_GC_NGENERIC];
  uint32_t ncommon;                /* seed words before the generic syllables */
  gc_alias vocab_law;              /* Zipf over vocab */
  uint32_t succ_cum[sizeof tt_gc_succ_count / sizeof tt_gc_succ_count[0]];
  uint32_t start_cum[TT_GC_NSTARTS];
  float p_follow[TT_GC_NWORDS];    /* chance to follow the chain from each seed word */

  tt_buf strs;                     /* strings of generated entities (offsets below) */
  gc_official officials[GC_NOFFICIALS];
  gc_org orgs[GC_NORGS];
  uint32_t norgs;
  gc_alias official_law, org_law, program_law, source_law, family_law, prefix_law;
  gc_alias unit_law, code_law;

  unsigned char letter_of[0x1F00]; /* code point -> 1 + index in tt_gc_letters, or 0 */

  tt_buf title, body, tmp, slug;   /* per-article scratch */
};

static const char *S(const tt_gencorpus *g, uint32_t off) { return g->strs.p + off; }

/* Append a NUL-terminated string to g->strs; returns its offset (0 is reserved for "none"). */
static uint32_t str_add(tt_gencorpus *g, const char *s)
{
  uint32_t off = (uint32_t)g->strs.n;
  if (tt_buf_append(&g->strs, s, strlen(s) + 1)) g->rc = TT_ENOMEM;
  return off;
}

static uint32_t str_addf(tt_gencorpus *g, const char *fmt, const char *a, const char *b)
{
  char tmp[512];
  snprintf(tmp, sizeof tmp, fmt, a, b);
  return str_add(g, tmp);
}

static uint32_t count_tokens(const char *s, size_t n)
{
  uint32_t k = 0;
  int in = 0;
  for (size_t i = 0; i < n; i++) {
    int ws = s[i] == ' ' || s[i] == '\n' || s[i] == '\t';
    if (!ws && !in) k++;
    in = !ws;
  }
  return k;
}

static void place_name(char *out, size_t cap, const tt_gc_place *p)
{
  if (!strcmp(p->name, "TP.HCM")) snprintf(out, cap, "TP.HCM");
  else snprintf(out, cap, "%s %s", p->city ? "thành phố" : "tỉnh", p->name);
}

static const char *pick_list(gc_rng *r, const char *const *list, size_t n)
{
  return list[rng_below(r, (uint32_t)n)];
}

/* A person's name "Family Middle Given" into out; returns 1 for a woman. */
static int person_name(const tt_gencorpus *g, gc_rng *r, char *out, size_t cap, const char **given)
{
  int female = rng_chance(r, 0.42);
  const char *fam = tt_gc__family[alias_draw(&g->family_law, r)].s;
  const char *mid = female ? pick_list(r, tt_gc__middle_f, tt_gc__middle_f_n)
                           : pick_list(r, tt_gc__middle_m, tt_gc__middle_m_n);
  const char *giv = female ? pick_list(r, tt_gc__given_f, tt_gc__given_f_n)
                           : pick_list(r, tt_gc__given_m, tt_gc__given_m_n);
  const char *mid2 = NULL;
  if (rng_chance(r, 0.12))  /* four-syllable names: Nguyễn Thị Liên Hương */
    mid2 = female ? pick_list(r, tt_gc__given_f, tt_gc__given_f_n)
                  : pick_list(r, tt_gc__middle_m, tt_gc__middle_m_n);
  if (mid2 && strcmp(mid2, giv) && strcmp(mid2, mid)) {
    snprintf(out, cap, "%s %s %s %s", fam, mid, mid2, giv);
  } else {
    snprintf(out, cap, "%s %s %s", fam, mid, giv);
  }
  if (given) *given = giv;
  return female;
}

static int build_officials(tt_gencorpus *g)
{
  gc_rng r;
  rng_seed(&r, GC_TABLE_SEED, 1);
  uint32_t n = 0;
  for (size_t k = 0; k < tt_gc__seed_officials_n && n < GC_NOFFICIALS; k++, n++) {
    const tt_gc_seed_official *s = &tt_gc__seed_officials[k];
    gc_official *o = &g->officials[n];
    o->name = str_add(g, s->name);
    const char *sp = strrchr(s->name, ' ');
    o->given = str_add(g, sp ? sp + 1 : s->name);
    o->prefix = s->prefix ? str_add(g, s->prefix) : 0;
    o->role = str_add(g, s->role);
    o->role_short = str_add(g, s->role_short);
    o->female = s->female;
  }
  double rw[64];
  for (size_t k = 0; k < tt_gc__roles_n; k++) rw[k] = tt_gc__roles[k].w;
  gc_alias role_law;
  TT_FORWARD(alias_build(&role_law, rw, (uint32_t)tt_gc__roles_n));
  while (n < GC_NOFFICIALS) {
    char name[128], what[256], place[96];
    const char *given;
    int female = person_name(g, &r, name, sizeof name, &given);
    int dup = 0;
    for (uint32_t k = 0; k < n && !dup; k++) dup = !strcmp(S(g, g->officials[k].name), name);
    if (dup) continue;
    const tt_gc_role *role = &tt_gc__roles[alias_draw(&role_law, &r)];
    /* hospitals and provinces of officials follow the same skew as mentions */
    uint32_t h = rng_below(&r, rng_below(&r, (uint32_t)tt_gc__hospitals_n) + 1);
    uint32_t p = rng_below(&r, rng_below(&r, (uint32_t)tt_gc__provinces_n) + 1);
    place_name(place, sizeof place, &tt_gc__provinces[p]);
    switch (role->kind) {
    case 0: snprintf(what, sizeof what, role->fmt, tt_gc__hospitals[h].full); break;
    case 1: snprintf(what, sizeof what, role->fmt, place); break;
    case 2: snprintf(what, sizeof what, role->fmt,
                     tt_gc__agencies[rng_below(&r, (uint32_t)tt_gc__agencies_n)]); break;
    case 3: snprintf(what, sizeof what, role->fmt,
                     tt_gc__departments[rng_below(&r, (uint32_t)tt_gc__departments_n)],
                     tt_gc__hospitals[h].full); break;
    default:
      snprintf(what, sizeof what, role->fmt, tt_gc__provinces[p].name); break;
    }
    gc_official *o = &g->officials[n++];
    o->name = str_add(g, name);
    o->given = str_add(g, given);
    o->prefix = role->medical && rng_chance(&r, 0.8)
                    ? str_add(g, tt_gc__prefixes[alias_draw(&g->prefix_law, &r)].s) : 0;
    o->role = str_add(g, what);
    o->role_short = str_add(g, role->role_short);
    o->female = (unsigned char)female;
  }
  alias_fini(&role_law);
  return g->rc;
}

/* Hospitals and health bodies: the named hospitals interleaved with provincial hospitals,
 * district health centres, provincial departments, CDCs and ministry agencies. */
static void build_orgs(tt_gencorpus *g)
{
  static const char cycle[] = "HHPDHSHAPDHCHPSHDA";
  size_t next[6] = {0};
  const size_t cap[6] = {tt_gc__hospitals_n, 23, 23, 14, 8, 14};  /* 68 + 82 = GC_NORGS */
  uint32_t n = 0;
  char buf[256];
  for (size_t step = 0; n < GC_NORGS; step++) {
    int kind;
    switch (cycle[step % (sizeof cycle - 1)]) {
    case 'H': kind = ORG_HOSPITAL; break;
    case 'P': kind = ORG_PROVINCIAL; break;
    case 'D': kind = ORG_DISTRICT; break;
    case 'S': kind = ORG_SO; break;
    case 'C': kind = ORG_CDC; break;
    default: kind = ORG_AGENCY; break;
    }
    if (next[kind] >= cap[kind]) {
      int all = 1;
      for (int k = 0; k < 6; k++) all &= next[k] >= cap[k];
      if (all) break;
      continue;
    }
    size_t k = next[kind]++;
    gc_org *o = &g->orgs[n++];
    o->kind = (unsigned char)kind;
    o->alias = 0;
    /* provinces 0 and 1 are the two big cities: provincial bodies start after them */
    const tt_gc_place *pl = &tt_gc__provinces[(k + 2) % tt_gc__provinces_n];
    switch (kind) {
    case ORG_HOSPITAL:
      o->full = str_add(g, tt_gc__hospitals[k].full);
      if (tt_gc__hospitals[k].alias) o->alias = str_add(g, tt_gc__hospitals[k].alias);
      break;
    case ORG_PROVINCIAL:
      o->full = str_addf(g, "Bệnh viện Đa khoa tỉnh %s", pl->name, NULL);
      o->alias = str_addf(g, "BVĐK tỉnh %s", pl->name, NULL);
      break;
    case ORG_DISTRICT:
      o->full = str_addf(g, "Trung tâm Y tế huyện %s", tt_gc__districts[k], NULL);
      o->alias = str_addf(g, "TTYT huyện %s", tt_gc__districts[k], NULL);
      break;
    case ORG_SO:
      o->full = str_addf(g, "Sở Y tế %s", tt_gc__provinces[k % tt_gc__provinces_n].name, NULL);
      break;
    case ORG_CDC:
      snprintf(buf, sizeof buf, "Trung tâm Kiểm soát bệnh tật tỉnh %s", pl->name);
      o->full = str_add(g, buf);
      o->alias = str_addf(g, "CDC %s", pl->name, NULL);
      break;
    default:
      o->full = str_add(g, tt_gc__agencies[k]);
      break;
    }
  }
  g->norgs = n;
}

static int build_words(tt_gencorpus *g)
{
  uint32_t nseed = TT_GC_NWORDS, nproper = TT_GC_NPROPER;
  g->ncommon = nseed - nproper;
  uint32_t v = 0;
  for (uint32_t k = 0; k < g->ncommon; k++, v++) g->vocab[v].s = tt_gc_words[k];
  for (uint32_t k = 0; k < TT_GC_NGENERIC; k++, v++) g->vocab[v].s = tt_gc_generic[k];
  for (uint32_t k = g->ncommon; k < nseed; k++, v++) g->vocab[v].s = tt_gc_words[k];
  for (uint32_t k = 0; k < v; k++) {
    g->vocab[k].len = (uint32_t)strlen(g->vocab[k].s);
    g->vocab[k].ntok = count_tokens(g->vocab[k].s, g->vocab[k].len);
  }
  for (uint32_t w = 0; w < nseed; w++) {
    uint32_t c = 0;
    for (uint32_t j = tt_gc_succ_off[w]; j < tt_gc_succ_off[w + 1]; j++)
      g->succ_cum[j] = c += tt_gc_succ_count[j];
  }
  uint32_t c = 0;
  for (uint32_t j = 0; j < TT_GC_NSTARTS; j++) g->start_cum[j] = c += tt_gc_start_count[j];
  for (uint32_t w = 0; w < nseed; w++) {
    uint32_t nobs = 0;
    for (uint32_t j = tt_gc_succ_off[w]; j < tt_gc_succ_off[w + 1]; j++) nobs += tt_gc_succ_count[j];
    g->p_follow[w] = GC_P_MARKOV * nobs / (nobs + GC_MARKOV_K);
  }
  double *wt = tt_malloc(v * sizeof *wt);
  TT_CHECK_ALLOC(wt);
  for (uint32_t k = 0; k < v; k++) {
    int generic = k >= g->ncommon && k < g->ncommon + TT_GC_NGENERIC;
    wt[k] = pow(k + 1.0 + GC_ZIPF_B, -GC_ZIPF_S) * (generic ? GC_GENERIC_W : 1.0);
  }
  int rc = alias_build(&g->vocab_law, wt, v);
  tt_free(wt);
  return rc;
}

static void build_letters(tt_gencorpus *g)
{
  memset(g->letter_of, 0, sizeof g->letter_of);
  for (uint32_t k = 0; k < TT_GC_NLETTERS; k++)
    if (tt_gc_letters[k].cp < sizeof g->letter_of) g->letter_of[tt_gc_letters[k].cp] = (unsigned char)(k + 1);
}

int tt_gencorpus_new(tt_gencorpus **out, uint64_t seed)
{
  *out = NULL;
  tt_gencorpus *g = tt_calloc(1, sizeof *g);
  TT_CHECK_ALLOC(g);
  g->seed = seed;
  int rc;
  tt_buf_init(&g->strs);
  str_add(g, "");  /* offset 0 means "none" */
  double w[256];
  if ((rc = build_words(g))) goto fail;
  for (size_t k = 0; k < tt_gc__family_n; k++) w[k] = tt_gc__family[k].w;
  if ((rc = alias_build(&g->family_law, w, (uint32_t)tt_gc__family_n))) goto fail;
  for (size_t k = 0; k < tt_gc__prefixes_n; k++) w[k] = tt_gc__prefixes[k].w;
  if ((rc = alias_build(&g->prefix_law, w, (uint32_t)tt_gc__prefixes_n))) goto fail;
  if ((rc = build_officials(g))) goto fail;
  build_orgs(g);
  if ((rc = g->rc)) goto fail;
  if ((rc = alias_zipf(&g->official_law, GC_NOFFICIALS, 1.0, GC_ENTITY_B))) goto fail;
  if ((rc = alias_zipf(&g->org_law, g->norgs, 1.0, GC_ENTITY_B))) goto fail;
  if ((rc = alias_zipf(&g->program_law, (uint32_t)tt_gc__programs_n, 1.0, GC_ENTITY_B / 2))) goto fail;
  if ((rc = alias_zipf(&g->source_law, (uint32_t)tt_gc__sources_n, 0.8, 1.5))) goto fail;
  if ((rc = alias_zipf(&g->unit_law, (uint32_t)tt_gc__units_n, 0.9, 1.0))) goto fail;
  if ((rc = alias_zipf(&g->code_law, (uint32_t)tt_gc__codes_n, 0.9, 1.0))) goto fail;
  build_letters(g);
  *out = g;
  return 0;
fail:
  tt_gencorpus_free(g);
  return rc < 0 ? rc : TT_ENOMEM;
}

void tt_gencorpus_free(tt_gencorpus *g)
{
  if (!g) return;
  gc_alias *laws[] = {&g->vocab_law, &g->official_law, &g->org_law, &g->program_law,
                      &g->source_law, &g->family_law, &g->prefix_law, &g->unit_law, &g->code_law};
  for (size_t k = 0; k < sizeof laws / sizeof laws[0]; k++) alias_fini(laws[k]);
  tt_buf_fini(&g->strs);
  tt_buf_fini(&g->title);
  tt_buf_fini(&g->body);
  tt_buf_fini(&g->tmp);
  tt_buf_fini(&g->slug);
  tt_free(g);
}

/* ---------------------------------------------------------------------------------------
 * Writing text: one article in progress */

#define GC_MAX_SEEN 24

typedef struct gc_art {
  gc_rng r;
  tt_buf *b;             /* title or body */
  uint32_t ntok;         /* whitespace-separated tokens written to b */
  int cap;               /* capitalise the next word */
  int sep;               /* a space goes before the next word */
  int32_t prev;          /* Markov state: previous seed word, or -1 */
  int about;             /* ENT_* the article is about */
  uint32_t about_id;
  uint32_t seen[GC_MAX_SEEN];  /* entities mentioned so far: kind << 16 | id */
  uint32_t nseen;
  int y, mo, d, h, mi, s, wday;
  uint32_t province;
  const tt_gc_source *src;
  uint64_t id;
} gc_art;

static inline void put(tt_gencorpus *g, tt_buf *b, const char *s, size_t n)
{
  if (tt_buf_append(b, s, n)) g->rc = TT_ENOMEM;
}

/* Upper-case the letter at b->p[at] in place (Vietnamese case pairs have equal UTF-8 sizes). */
static void capitalize_at(const tt_gencorpus *g, tt_buf *b, size_t at)
{
  unsigned char *p = (unsigned char *)b->p + at;
  if (at >= b->n) return;
  if (*p >= 'a' && *p <= 'z') { *p = (unsigned char)(*p - 32); return; }
  if (*p < 0x80) return;
  uint32_t cp;
  size_t k = tt_utf8_decode(p, b->n - at, &cp);
  if (cp >= sizeof g->letter_of || !g->letter_of[cp]) return;
  uint32_t up = tt_gc_letters[g->letter_of[cp] - 1].upper;
  char enc[4];
  if (tt_utf8_encode(up, enc) == k) memcpy(p, enc, k);
}

/* A word or phrase of ntok tokens (no leading or trailing space). */
static void emit(tt_gencorpus *g, gc_art *a, const char *s, size_t n, uint32_t ntok)
{
  if (a->sep) put(g, a->b, " ", 1);
  size_t at = a->b->n;
  put(g, a->b, s, n);
  if (a->cap) { capitalize_at(g, a->b, at); a->cap = 0; }
  a->sep = 1;
  a->ntok += ntok;
}

static void emit_s(tt_gencorpus *g, gc_art *a, const char *s)
{
  size_t n = strlen(s);
  emit(g, a, s, n, count_tokens(s, n));
}

/* Punctuation glued to the previous word: ",", ".", ":". */
static void punct(tt_gencorpus *g, gc_art *a, const char *p)
{
  put(g, a->b, p, strlen(p));
  a->sep = 1;
}

static void newline(tt_gencorpus *g, gc_art *a, int blank)
{
  put(g, a->b, blank ? "\n\n" : "\n", blank ? 2 : 1);
  a->sep = 0;
  a->cap = 1;
  a->prev = -1;
}

static void end_sentence(tt_gencorpus *g, gc_art *a, const char *p)
{
  punct(g, a, p);
  a->cap = 1;
  a->prev = -1;
}

/* ---------------------------------------------------------------------------------------
 * Words, numbers, rare words */

static uint32_t seed_to_vocab(const tt_gencorpus *g, uint32_t k)
{
  return k < g->ncommon ? k : k + TT_GC_NGENERIC;
}

/* Index j in [lo, hi) with probability (cum[j] - cum[j-1]) / cum[hi-1], where cum holds running
 * sums that start again from 0 at lo (one range per word). */
static uint32_t draw_cum(gc_rng *r, const uint32_t *cum, uint32_t lo, uint32_t hi)
{
  uint32_t u = rng_below(r, cum[hi - 1]);
  while (lo < hi) {  /* first j with cum[j] > u */
    uint32_t m = lo + (hi - lo) / 2;
    if (cum[m] > u) hi = m; else lo = m + 1;
  }
  return lo;
}

/* Draw the next word: follow the seeds' chain from the previous word, or the Zipf law.
 * Sentence openers come from the seeds' sentence-initial words. */
static uint32_t next_word(tt_gencorpus *g, gc_art *a, int opening)
{
  if (opening && rng_chance(&a->r, 0.6)) {
    uint32_t j = draw_cum(&a->r, g->start_cum, 0, TT_GC_NSTARTS);
    a->prev = tt_gc_start_word[j];
    return seed_to_vocab(g, (uint32_t)a->prev);
  }
  if (a->prev >= 0) {
    uint32_t lo = tt_gc_succ_off[a->prev], hi = tt_gc_succ_off[a->prev + 1];
    /* words that led nowhere in the seeds restart from the law */
    if (hi > lo && rng_chance(&a->r, g->p_follow[a->prev])) {
      uint32_t j = draw_cum(&a->r, g->succ_cum, lo, hi);
      a->prev = tt_gc_succ_word[j];
      return seed_to_vocab(g, (uint32_t)a->prev);
    }
  }
  uint32_t v = alias_draw(&g->vocab_law, &a->r);
  if (v < g->ncommon) a->prev = (int32_t)v;
  else if (v >= g->ncommon + TT_GC_NGENERIC) a->prev = (int32_t)(v - TT_GC_NGENERIC);
  else a->prev = -1;
  return v;
}

/* n with Vietnamese digit grouping: 1232826 -> "1.232.826". */
static int fmt_int(char *out, uint64_t n)
{
  char tmp[32];
  int k = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)n), o = 0;
  for (int i = 0; i < k; i++) {
    out[o++] = tmp[i];
    if (k - i - 1 > 0 && (k - i - 1) % 3 == 0) out[o++] = '.';
  }
  out[o] = 0;
  return o;
}

/* Days since 1970-01-01 -> civil date (proleptic Gregorian). */
static void civil(int64_t z, int *y, int *m, int *d)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* A date a few days before publication: "24/7/2024", "24/7", "ngày 24/7". */
static void date_phrase(gc_art *a, char *out, size_t cap, int with_year)
{
  int y, m, d;
  int back = (int)rng_below(&a->r, 4);
  d = a->d - back; m = a->mo; y = a->y;
  if (d < 1) { d += 28; m = m == 1 ? 12 : m - 1; if (m == 12) y--; }
  if (with_year) snprintf(out, cap, "%d/%d/%d", d, m, y);
  else snprintf(out, cap, "%d/%d", d, m);
}

static void number(tt_gencorpus *g, gc_art *a)
{
  char buf[96], n1[32];
  uint32_t kind = rng_below(&a->r, 100);
  if (kind < 40) {  /* a count with a unit, log-uniform size */
    double e = rng_unit(&a->r);
    e *= rng_unit(&a->r) * 6.5;
    uint64_t n = (uint64_t)pow(10.0, e) + rng_below(&a->r, 10);
    fmt_int(n1, n);
    snprintf(buf, sizeof buf, "%s %s", n1, tt_gc__units[alias_draw(&g->unit_law, &a->r)]);
  } else if (kind < 55) {  /* percentage */
    if (rng_chance(&a->r, 0.6)) snprintf(buf, sizeof buf, "%u%%", rng_below(&a->r, 100) + 1);
    else {
      uint32_t whole = rng_below(&a->r, 100), frac = rng_below(&a->r, 100);
      snprintf(buf, sizeof buf, "%u,%02u%%", whole, frac);
    }
  } else if (kind < 70) {
    date_phrase(a, buf, sizeof buf, rng_chance(&a->r, 0.6));
  } else if (kind < 78) {  /* year */
    snprintf(buf, sizeof buf, "năm %u", 2000 + rng_below(&a->r, 36));
  } else if (kind < 82) {  /* time */
    uint32_t hh = 6 + rng_below(&a->r, 16), mm = rng_below(&a->r, 12) * 5;
    snprintf(buf, sizeof buf, "%uh%02u", hh, mm);
  } else if (kind < 94) {
    snprintf(buf, sizeof buf, "%s", tt_gc__codes[alias_draw(&g->code_law, &a->r)]);
  } else {  /* a plain small number, as in "5 máy" or "giai đoạn 2" */
    snprintf(buf, sizeof buf, "%u", rng_below(&a->r, 20) + 1);
  }
  emit_s(g, a, buf);
}

/* Zipf rank over [1, N] with exponent s > 1 by inversion of the continuous law. */
static uint64_t zipf_rank(gc_rng *r, double s, double n)
{
  double u = rng_unit(r);
  double t = 1.0 - u * (1.0 - pow(n, 1.0 - s));
  return (uint64_t)pow(t, 1.0 / (1.0 - s));
}

/* A word of the open-ended tail. Rank r always spells the same word (whatever the seed), so
 * frequent ranks recur across articles and rare ranks keep adding new terms. */
static void rare_word(tt_gencorpus *g, gc_art *a)
{
  uint64_t rank = zipf_rank(&a->r, GC_RARE_S, GC_RARE_N);
  uint64_t x = rank * 0x9E3779B97F4A7C15ull ^ 0x5851F42D4C957F2Dull;
  uint64_t h = splitmix64(&x);
  char buf[96];
  size_t o = 0;
  uint32_t kind = (uint32_t)(h % 10);
  h /= 10;
  if (kind < 7) {  /* foreign name (capitalised) or drug name (lower case) */
    uint32_t np = 1 + (uint32_t)(h % 3);
    h /= 3;
    for (uint32_t k = 0; k < np; k++) {
      const char *p = tt_gc__latin[h % tt_gc__latin_n];
      h /= tt_gc__latin_n;
      size_t n = strlen(p);
      memcpy(buf + o, p, n);
      o += n;
    }
    const char *suf = kind < 4 ? tt_gc__name_suffix[h % tt_gc__name_suffix_n]
                               : tt_gc__drug_suffix[h % tt_gc__drug_suffix_n];
    size_t n = strlen(suf);
    memcpy(buf + o, suf, n);
    o += n;
    buf[o] = 0;
    if (kind < 4) buf[0] = (char)(buf[0] - 32);
    emit(g, a, buf, o, 1);
  } else {  /* a made-up two-syllable place or brand, from the generic syllables */
    const char *s1 = tt_gc_generic[h % TT_GC_NGENERIC];
    const char *s2 = tt_gc_generic[(h >> 20) % TT_GC_NGENERIC];
    snprintf(buf, sizeof buf, "%s %s", s1, s2);
    size_t n = strlen(buf);
    size_t at = a->b->n + (a->sep ? 1 : 0);
    emit(g, a, buf, n, 2);
    capitalize_at(g, a->b, at);
    capitalize_at(g, a->b, at + strlen(s1) + 1);
  }
}

/* About n tokens of running text (no punctuation). */
static void words(tt_gencorpus *g, gc_art *a, uint32_t n, int opening)
{
  uint32_t end = a->ntok + n;
  while (a->ntok < end) {
    double u = rng_unit(&a->r);
    if (!opening && u < GC_P_NUMBER) { number(g, a); a->prev = -1; continue; }
    if (!opening && u < GC_P_NUMBER + GC_P_RARE) { rare_word(g, a); a->prev = -1; continue; }
    uint32_t v = next_word(g, a, opening);
    opening = 0;
    emit(g, a, g->vocab[v].s, g->vocab[v].len, g->vocab[v].ntok);
  }
}

/* ---------------------------------------------------------------------------------------
 * Entities and their mentions */

static int seen_before(gc_art *a, int kind, uint32_t id)
{
  uint32_t key = (uint32_t)kind << 16 | id;
  for (uint32_t k = 0; k < a->nseen; k++)
    if (a->seen[k] == key) return 1;
  if (a->nseen < GC_MAX_SEEN) a->seen[a->nseen++] = key;
  return 0;
}

/* How an official is named. Full forms on first mention, shorter ones later. */
static void mention_official(tt_gencorpus *g, gc_art *a, uint32_t id, int short_ok)
{
  const gc_official *o = &g->officials[id];
  char buf[512];
  const char *name = S(g, o->name), *role = S(g, o->role), *rs = S(g, o->role_short);
  const char *addr = o->prefix ? S(g, o->prefix) : (o->female ? "bà" : "ông");
  int first = !seen_before(a, ENT_OFFICIAL, id);
  uint32_t f = rng_below(&a->r, 100);
  if (first && !short_ok) {
    if (f < 40) snprintf(buf, sizeof buf, "%s %s", role, name);
    else if (f < 75) snprintf(buf, sizeof buf, "%s %s, %s", addr, name, role);
    else if (f < 88) snprintf(buf, sizeof buf, "%s %s - %s", addr, name, role);
    else snprintf(buf, sizeof buf, "%s %s", rs, name);
  } else {
    if (f < 50) snprintf(buf, sizeof buf, "%s %s", rs, name);
    else if (f < 75) snprintf(buf, sizeof buf, "%s %s", o->female ? "bà" : "ông", S(g, o->given));
    else if (f < 90) snprintf(buf, sizeof buf, "%s %s", addr, name);
    else snprintf(buf, sizeof buf, "%s", name);
  }
  emit_s(g, a, buf);
  a->prev = -1;
}

static void mention_org(tt_gencorpus *g, gc_art *a, uint32_t id)
{
  const gc_org *o = &g->orgs[id];
  int first = !seen_before(a, ENT_ORG, id);
  uint32_t f = rng_below(&a->r, 100);
  if (!first && f < 25) {  /* coreference, not a name */
    static const char *const coref[] = {"bệnh viện", "bệnh viện", "trung tâm", "Sở", "trung tâm", "đơn vị"};
    emit_s(g, a, coref[o->kind < 6 ? o->kind : 5]);
  } else if (o->alias && f < (first ? 15u : 55u)) {
    emit_s(g, a, S(g, o->alias));
  } else {
    emit_s(g, a, S(g, o->full));
  }
  a->prev = -1;
}

static void mention_program(tt_gencorpus *g, gc_art *a, uint32_t id)
{
  const tt_gc_program *p = &tt_gc__programs[id];
  int first = !seen_before(a, ENT_PROGRAM, id);
  emit_s(g, a, (!first && p->shortf && rng_chance(&a->r, 0.6)) ? p->shortf : p->full);
  a->prev = -1;
}

static void mention(tt_gencorpus *g, gc_art *a, int kind, uint32_t id)
{
  if (kind == ENT_OFFICIAL) mention_official(g, a, id, 0);
  else if (kind == ENT_ORG) mention_org(g, a, id);
  else mention_program(g, a, id);
}

static void random_entity(tt_gencorpus *g, gc_art *a, int *kind, uint32_t *id)
{
  uint32_t t = rng_below(&a->r, 100);
  if (t < 35) { *kind = ENT_OFFICIAL; *id = alias_draw(&g->official_law, &a->r); }
  else if (t < 80) { *kind = ENT_ORG; *id = alias_draw(&g->org_law, &a->r); }
  else { *kind = ENT_PROGRAM; *id = alias_draw(&g->program_law, &a->r); }
}

/* Someone who speaks: the article's official, a known official, or a generated person. */
static void speaker(tt_gencorpus *g, gc_art *a)
{
  if (a->about == ENT_OFFICIAL && rng_chance(&a->r, 0.6)) {
    mention_official(g, a, a->about_id, 0);
  } else if (rng_chance(&a->r, 0.3)) {
    mention_official(g, a, alias_draw(&g->official_law, &a->r), 0);
  } else {
    char name[128], buf[192];
    int female = person_name(g, &a->r, name, sizeof name, NULL);
    static const char *const who_m[] = {"bác sĩ", "ông", "anh", "TS.BS.", "ThS.BS.", "BSCKII."};
    static const char *const who_f[] = {"bác sĩ", "bà", "chị", "TS.BS.", "ThS.BS.", "điều dưỡng"};
    const char *who = female ? who_f[rng_below(&a->r, 6)] : who_m[rng_below(&a->r, 6)];
    snprintf(buf, sizeof buf, "%s %s", who, name);
    emit_s(g, a, buf);
    a->prev = -1;
  }
}

static void place_phrase(tt_gencorpus *g, gc_art *a)
{
  char buf[160];
  uint32_t t = rng_below(&a->r, 100);
  if (t < 45) {
    place_name(buf, sizeof buf, &tt_gc__provinces[a->province]);
  } else if (t < 65) {
    snprintf(buf, sizeof buf, "%s, %s", pick_list(&a->r, tt_gc__wards, tt_gc__wards_n),
             tt_gc__provinces[a->province].name);
  } else if (t < 80) {
    snprintf(buf, sizeof buf, "trụ sở Bộ Y tế");
  } else {
    mention_org(g, a, alias_draw(&g->org_law, &a->r));
    return;
  }
  emit_s(g, a, buf);
  a->prev = -1;
}

/* ---------------------------------------------------------------------------------------
 * Sentences, paragraphs, titles */

/* Sentence length in tokens: 8..35, most around 20. */
static uint32_t sentence_len(gc_rng *r)
{
  uint32_t x = rng_below(r, 14);
  return 8 + x + rng_below(r, 15);
}

/* Running text of about n tokens split into clauses by commas. */
static void clauses(tt_gencorpus *g, gc_art *a, uint32_t n, int opening)
{
  uint32_t end = a->ntok + n;
  while (a->ntok < end) {
    uint32_t left = end - a->ntok;
    uint32_t k = left <= 12 ? left : 4 + rng_below(&a->r, 9);
    words(g, a, k, opening);
    opening = 0;
    if (a->ntok + 4 <= end) punct(g, a, ","), a->prev = -1;
  }
}

static void plain_sentence(tt_gencorpus *g, gc_art *a, double p_about)
{
  uint32_t start = a->ntok, len = sentence_len(&a->r);
  int kind = ENT_NONE;
  uint32_t id = 0;
  if (a->about != ENT_NONE && rng_chance(&a->r, p_about)) { kind = a->about; id = a->about_id; }
  else if (rng_chance(&a->r, GC_P_PASSING)) random_entity(g, a, &kind, &id);
  if (kind != ENT_NONE && rng_chance(&a->r, 0.45)) {
    mention(g, a, kind, id);
    kind = ENT_NONE;
  }
  if (kind != ENT_NONE) {  /* the mention goes inside the sentence */
    static const char *const link[] = {"của", "tại", "với", "và", "theo", "cho"};
    clauses(g, a, 3 + rng_below(&a->r, len / 2), 1);
    if (rng_chance(&a->r, 0.5)) emit_s(g, a, link[rng_below(&a->r, 6)]);
    mention(g, a, kind, id);
  }
  uint32_t done = a->ntok - start;
  clauses(g, a, len > done + 2 ? len - done : 3, a->ntok == start);
  uint32_t e = rng_below(&a->r, 100);
  end_sentence(g, a, e < 95 ? "." : e < 97 ? "!" : e < 99 ? "?" : "…");
}

static void quote_sentence(tt_gencorpus *g, gc_art *a)
{
  uint32_t len = sentence_len(&a->r);
  int straight = rng_chance(&a->r, 0.15);
  emit(g, a, straight ? "\"" : "“", straight ? 1 : 3, 0);
  a->sep = 0;
  a->cap = 1;
  clauses(g, a, len, 1);
  punct(g, a, straight ? "\"," : "”,");
  speaker(g, a);
  emit_s(g, a, pick_list(&a->r, tt_gc__speech_verbs, tt_gc__speech_verbs_n));
  end_sentence(g, a, ".");
}

static void attributed_sentence(tt_gencorpus *g, gc_art *a)
{
  uint32_t len = sentence_len(&a->r);
  if (rng_chance(&a->r, 0.5)) {
    emit_s(g, a, "Theo");
    speaker(g, a);
    punct(g, a, ",");
  } else {
    speaker(g, a);
    emit_s(g, a, pick_list(&a->r, tt_gc__speech_verbs, tt_gc__speech_verbs_n));
    punct(g, a, rng_chance(&a->r, 0.5) ? ":" : ",");
  }
  clauses(g, a, len, 0);
  end_sentence(g, a, ".");
}

static void sentence(tt_gencorpus *g, gc_art *a, double p_about)
{
  uint32_t t = rng_below(&a->r, 100);
  if (t < 6) quote_sentence(g, a);
  else if (t < 16) attributed_sentence(g, a);
  else plain_sentence(g, a, p_about);
}

/* "Sáng 13/3/2026, tại tỉnh Bắc Ninh, <entity> ..." */
static void lead_sentence(tt_gencorpus *g, gc_art *a)
{
  static const char *const when[] = {"Ngày", "Sáng", "Chiều", "Sáng", "Chiều", "Tối", "Trưa"};
  char d[48], buf[96];
  date_phrase(a, d, sizeof d, rng_chance(&a->r, 0.6));
  snprintf(buf, sizeof buf, "%s %s,", when[rng_below(&a->r, 7)], d);
  emit_s(g, a, buf);
  a->cap = 0;
  if (rng_chance(&a->r, 0.7)) { emit_s(g, a, "tại"); place_phrase(g, a); punct(g, a, ","); }
  int kind = a->about;
  uint32_t id = a->about_id;
  if (kind == ENT_NONE) random_entity(g, a, &kind, &id);
  mention(g, a, kind, id);
  clauses(g, a, 6 + rng_below(&a->r, 18), 0);
  end_sentence(g, a, ".");
}

static uint32_t ntok_of(const char *s) { return count_tokens(s, strlen(s)); }

/* A title of 8..20 tokens, often led by the entity the article is about. */
static void title_text(tt_gencorpus *g, gc_art *a)
{
  uint32_t target = 8 + rng_below(&a->r, 13);
  a->ntok = 0; a->cap = 1; a->sep = 0; a->prev = -1;
  static const char *const verbs[] = {"Triển khai", "Thực hiện", "Sơ kết", "Tổng kết", "Đẩy mạnh",
                                      "Hướng dẫn thực hiện", "Góp ý dự thảo", "Quán triệt"};
  char buf[512];
  switch (a->about) {
  case ENT_OFFICIAL: {
    const gc_official *o = &g->officials[a->about_id];
    uint32_t f = rng_below(&a->r, 100);
    if (f < 55 && ntok_of(S(g, o->role)) + ntok_of(S(g, o->name)) <= 14)
      snprintf(buf, sizeof buf, "%s %s", S(g, o->role), S(g, o->name));
    else
      snprintf(buf, sizeof buf, "%s %s", S(g, o->role_short), S(g, o->name));
    seen_before(a, ENT_OFFICIAL, a->about_id);
    emit_s(g, a, buf);
    if (f % 3 == 0) { punct(g, a, ":"); a->cap = 1; }
    break;
  }
  case ENT_ORG: {
    const gc_org *o = &g->orgs[a->about_id];
    const char *name = S(g, o->full);
    if (ntok_of(name) > 12 && o->alias) name = S(g, o->alias);
    seen_before(a, ENT_ORG, a->about_id);
    if (rng_chance(&a->r, 0.6) || ntok_of(name) > 9) {
      emit_s(g, a, name);
    } else {
      words(g, a, 2 + rng_below(&a->r, 3), 1);
      emit_s(g, a, "tại");
      emit_s(g, a, name);
    }
    a->prev = -1;
    break;
  }
  case ENT_PROGRAM: {
    const tt_gc_program *p = &tt_gc__programs[a->about_id];
    const char *name = ntok_of(p->full) > 12 && p->shortf ? p->shortf : p->full;
    uint32_t n = ntok_of(name);
    seen_before(a, ENT_PROGRAM, a->about_id);
    if (n <= 12 && rng_chance(&a->r, 0.4)) words(g, a, 2 + rng_below(&a->r, 2), 1);
    else if (n <= 14) emit_s(g, a, verbs[rng_below(&a->r, 8)]);
    emit_s(g, a, name);
    a->prev = -1;
    break;
  }
  default:
    break;
  }
  uint32_t want = a->ntok + (a->ntok <= 17 ? 3 : 20 - a->ntok);
  if (want < target) want = target;
  if (want > 20) want = 20;
  int opening = a->ntok == 0;
  for (int tries = 0; a->ntok < want && tries < 64; tries++) {
    uint32_t v = next_word(g, a, opening);
    if (a->ntok + g->vocab[v].ntok > want) { a->prev = -1; continue; }
    opening = 0;
    emit(g, a, g->vocab[v].s, g->vocab[v].len, g->vocab[v].ntok);
  }
  place_name(buf, sizeof buf, &tt_gc__provinces[a->province]);
  if (a->about == ENT_NONE && rng_chance(&a->r, 0.15) && a->ntok + 1 + ntok_of(buf) <= 20) {
    emit_s(g, a, "tại");
    emit_s(g, a, buf);
  }
}

/* "z5664746724810_7046c99cba07bb174a7d6011e07a898e.jpg" and friends. */
static void image_name(gc_art *a, char *out, size_t cap)
{
  static const char hex[] = "0123456789abcdef";
  uint32_t t = rng_below(&a->r, 3);
  if (t == 0) {
    char h[33];
    for (int k = 0; k < 32; k++) h[k] = hex[rng_below(&a->r, 16)];
    h[32] = 0;
    snprintf(out, cap, "z%llu_%s.jpg", 5600000000000ull + (unsigned long long)(rng_next(&a->r) % 900000000000ull), h);
  } else if (t == 1) {
    snprintf(out, cap, "IMG_%04d%02d%02d_%06u.jpg", a->y, a->mo, a->d, rng_below(&a->r, 1000000));
  } else {
    uint32_t k = 1 + rng_below(&a->r, 6);
    snprintf(out, cap, "anh-%u-%llu.jpg", k,
             1500000000000ull + (unsigned long long)(rng_next(&a->r) % 300000000000ull));
  }
}

static void short_line(tt_gencorpus *g, gc_art *a, uint32_t n)
{
  a->cap = 1;
  words(g, a, n, 1);
}

/* ---------------------------------------------------------------------------------------
 * The article */

static uint32_t body_target(gc_rng *r)
{
  for (;;) {
    double x = exp(GC_LEN_MU + GC_LEN_SIGMA * rng_normal(r));
    if (x >= GC_LEN_MIN && x <= GC_LEN_MAX) return (uint32_t)x;
  }
}

static void body_text(tt_gencorpus *g, gc_art *a, int images, int captions, int trailer)
{
  uint32_t target = body_target(&a->r);
  uint32_t nrelated = trailer ? 2 + rng_below(&a->r, 3) : 0;
  uint32_t reserve = trailer ? 6 + nrelated * 14 : 0;
  uint32_t main_target = target > GC_LEN_MIN + reserve ? target - reserve : GC_LEN_MIN;
  int blank = (a->src - tt_gc__sources) % 2 == 0;  /* paragraph style of the site */
  a->ntok = 0; a->cap = 1; a->sep = 0; a->prev = -1;
  char buf[256];

  if (rng_chance(&a->r, GC_P_DATEHEAD)) {
    if (rng_chance(&a->r, 0.5)) {
      int h12 = a->h % 12 ? a->h % 12 : 12;
      snprintf(buf, sizeof buf, "%02d/%02d/%d | %02d:%02d %s", a->d, a->mo, a->y, h12, a->mi,
               a->h < 12 ? "AM" : "PM");
    } else {
      static const char *const wd[] = {"Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"};
      snprintf(buf, sizeof buf, "%s, ngày %02d/%02d/%d %02d:%02d", wd[a->wday], a->d, a->mo, a->y, a->h, a->mi);
    }
    emit_s(g, a, buf);
    newline(g, a, 1);
  }
  if (a->src->dateline && rng_chance(&a->r, 0.6)) {
    emit_s(g, a, a->src->dateline);
    emit_s(g, a, "-");
  }
  lead_sentence(g, a);
  /* the about-entity comes back ~3 + len/200 times over ~len/21 sentences */
  double p_about = (3.0 + target / 200.0) * 21.0 / target;
  if (p_about > 0.5) p_about = 0.5;
  uint32_t npara = 0, nimg = 0;
  while (a->ntok < main_target) {
    uint32_t ns = 1 + rng_below(&a->r, 5);
    if (npara) {
      newline(g, a, blank);
      if (npara >= 2 && rng_chance(&a->r, 0.08)) {  /* a sub-heading */
        short_line(g, a, 5 + rng_below(&a->r, 8));
        newline(g, a, blank);
      }
    }
    for (uint32_t k = 0; k < ns && a->ntok < main_target; k++) sentence(g, a, p_about);
    npara++;
    if ((images || captions) && a->ntok < main_target && rng_chance(&a->r, 0.3)) {
      newline(g, a, 1);
      nimg++;
      if (captions) {  /* the page title glued to "- Ảnh N." */
        put(g, a->b, g->title.p, g->title.n);
        snprintf(buf, sizeof buf, "- Ảnh %u.", nimg);
        put(g, a->b, buf, strlen(buf));
        a->ntok += count_tokens(g->title.p, g->title.n) + 2;
      } else {
        image_name(a, buf, sizeof buf);
        a->cap = 0;
        emit_s(g, a, buf);
      }
      newline(g, a, !captions);
      if (rng_chance(&a->r, 0.5)) emit_s(g, a, pick_list(&a->r, tt_gc__captions, tt_gc__captions_n));
      else short_line(g, a, 5 + rng_below(&a->r, 10));
      end_sentence(g, a, ".");
    }
  }
  if (trailer) {
    if (rng_chance(&a->r, 0.3)) {
      newline(g, a, blank);
      emit_s(g, a, rng_chance(&a->r, 0.5) ? "(Nguồn: TTXVN)" : "Nguồn: Bộ Y tế");
    }
    newline(g, a, 1);
    emit_s(g, a, rng_chance(&a->r, 0.5) ? "Tin liên quan" : "Xem thêm:");
    for (uint32_t k = 0; k < nrelated; k++) {
      newline(g, a, 0);
      emit_s(g, a, "-");
      a->cap = 1;
      words(g, a, 6 + rng_below(&a->r, 8), 1);
    }
    if (rng_chance(&a->r, 0.5)) {
      newline(g, a, 1);
      emit_s(g, a, "Video");
      newline(g, a, 1);
      emit_s(g, a, "Đọc báo in");
    }
  }
}

/* ---------------------------------------------------------------------------------------
 * Noise: tone placement and NFD, each a copy from src into dst */

/* Is there a letter (ASCII or Vietnamese) at p[0..n)? */
static int letter_at(const tt_gencorpus *g, const unsigned char *p, size_t n)
{
  if (!n) return 0;
  if (p[0] < 0x80) return (p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z');
  uint32_t cp;
  tt_utf8_decode(p, n, &cp);
  return cp < sizeof g->letter_of && g->letter_of[cp];
}

/* Rewrite the open syllables hòa, khỏe, thúy as hoà, khoẻ, thuý (not after q: "quý"). */
static void to_oldtone(const tt_gencorpus *g, tt_buf *dst, const tt_buf *src, int *rc)
{
  tt_buf_reset(dst);
  if (tt_buf_reserve(dst, src->n + src->n / 8 + 16)) { *rc = TT_ENOMEM; return; }
  const char *p = src->p;
  size_t n = src->n, i = 0;
  while (i < n) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 0xC3) {  /* toned o/u start with C3 (ò ó õ ù ú ũ, Ò...) or E1 (ỏ ọ ủ ụ ...) */
      for (uint32_t k = 0; k < TT_GC_NTONEPAIRS; k++) {
        const char *dom = tt_gc_tonepairs[k][0];
        size_t dl = strlen(dom);
        if (i + dl > n || memcmp(p + i, dom, dl)) continue;
        int letter_after = letter_at(g, (const unsigned char *)p + i + dl, n - i - dl);
        int uy = dom[dl - 1] == 'y' || dom[dl - 1] == 'Y';
        int after_q = uy && i > 0 && (p[i - 1] == 'q' || p[i - 1] == 'Q');
        if (letter_after || after_q) break;
        const char *alt = tt_gc_tonepairs[k][1];
        size_t al = strlen(alt);
        if (tt_buf_append(dst, alt, al)) { *rc = TT_ENOMEM; return; }
        i += dl;
        goto next;
      }
    }
    if (tt_buf_append(dst, p + i, 1)) { *rc = TT_ENOMEM; return; }
    i++;
  next:;
  }
}

static void to_nfd(const tt_gencorpus *g, tt_buf *dst, const tt_buf *src, int *rc)
{
  tt_buf_reset(dst);
  if (tt_buf_reserve(dst, src->n * 2 + 16)) { *rc = TT_ENOMEM; return; }
  const unsigned char *p = (const unsigned char *)src->p;
  size_t n = src->n, i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && p[j] < 0x80) j++;
    if (j > i && tt_buf_append(dst, p + i, j - i)) { *rc = TT_ENOMEM; return; }
    i = j;
    if (i >= n) break;
    uint32_t cp;
    size_t k = tt_utf8_decode(p + i, n - i, &cp);
    const char *rep = (const char *)p + i;
    size_t rl = k;
    if (cp < sizeof g->letter_of && g->letter_of[cp]) {
      rep = tt_gc_letters[g->letter_of[cp] - 1].nfd;
      rl = strlen(rep);
    }
    if (tt_buf_append(dst, rep, rl)) { *rc = TT_ENOMEM; return; }
    i += k;
  }
}

static void swap_buf(tt_buf *a, tt_buf *b) { tt_buf t = *a; *a = *b; *b = t; }

/* URL slug of a title: ASCII-folded, lower case, words joined by '-', at most ~80 bytes. */
static void make_slug(const tt_gencorpus *g, tt_buf *dst, const tt_buf *title, int *rc)
{
  tt_buf_reset(dst);
  if (tt_buf_reserve(dst, title->n + 2)) { *rc = TT_ENOMEM; return; }
  const unsigned char *p = (const unsigned char *)title->p;
  size_t n = title->n, i = 0, last_dash = 0;
  int dash = 0;
  while (i < n && dst->n < 80) {
    uint32_t cp;
    size_t k = tt_utf8_decode(p + i, n - i, &cp);
    i += k;
    char c = 0;
    if (cp < 0x80 && ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))) c = (char)cp;
    else if (cp >= 'A' && cp <= 'Z') c = (char)(cp + 32);
    else if (cp < sizeof g->letter_of && g->letter_of[cp]) {
      c = tt_gc_letters[g->letter_of[cp] - 1].fold;
      if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
    }
    if (c) {
      if (dash && dst->n) { last_dash = dst->n; dst->p[dst->n++] = '-'; }
      dst->p[dst->n++] = c;
      dash = 0;
    } else {
      dash = 1;
    }
  }
  if (dst->n >= 80 && last_dash) dst->n = last_dash;  /* cut at a word boundary */
  if (!dst->n) dst->p[dst->n++] = 'x';
  dst->p[dst->n] = 0;
}

/* ---------------------------------------------------------------------------------------
 * One JSON line */

int tt_gencorpus_article(tt_gencorpus *g, uint64_t i, tt_buf *out)
{
  gc_art a;
  memset(&a, 0, sizeof a);
  rng_seed(&a.r, g->seed, i);
  a.id = i + 1;
  g->rc = 0;

  a.src = &tt_gc__sources[alias_draw(&g->source_law, &a.r)];
  int64_t day = GC_FIRST_DAY + rng_below(&a.r, GC_NDAYS);
  civil(day, &a.y, &a.mo, &a.d);
  a.wday = (int)((day + 4) % 7);
  static const unsigned char hours[] = {6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 13, 14, 14, 15,
                                        15, 16, 16, 17, 18, 19, 20, 21, 22, 23, 0, 5};
  a.h = hours[rng_below(&a.r, sizeof hours)];
  a.mi = (int)rng_below(&a.r, 60);
  a.s = (int)rng_below(&a.r, 60);
  a.province = rng_below(&a.r, rng_below(&a.r, (uint32_t)tt_gc__provinces_n) + 1);

  if (rng_chance(&a.r, GC_P_ABOUT)) {
    uint32_t t = rng_below(&a.r, 100);
    if (t < 40) { a.about = ENT_OFFICIAL; a.about_id = alias_draw(&g->official_law, &a.r); }
    else if (t < 80) { a.about = ENT_ORG; a.about_id = alias_draw(&g->org_law, &a.r); }
    else { a.about = ENT_PROGRAM; a.about_id = alias_draw(&g->program_law, &a.r); }
  }
  int nfd = rng_chance(&a.r, GC_P_NFD);
  int oldtone = rng_chance(&a.r, GC_P_OLDTONE);
  int images = rng_chance(&a.r, GC_P_IMAGES);
  int captions = !images && rng_chance(&a.r, GC_P_CAPTIONS);
  int trailer = rng_chance(&a.r, GC_P_TRAILER);

  tt_buf_reset(&g->title);
  tt_buf_reset(&g->body);
  a.b = &g->title;
  title_text(g, &a);
  a.nseen = 0;  /* the body names everything in full again */
  a.b = &g->body;
  body_text(g, &a, images, captions, trailer);
  int rc = g->rc;
  make_slug(g, &g->slug, &g->title, &rc);
  if (oldtone) {
    to_oldtone(g, &g->tmp, &g->title, &rc); swap_buf(&g->tmp, &g->title);
    to_oldtone(g, &g->tmp, &g->body, &rc); swap_buf(&g->tmp, &g->body);
  }
  if (nfd) {
    to_nfd(g, &g->tmp, &g->title, &rc); swap_buf(&g->tmp, &g->title);
    to_nfd(g, &g->tmp, &g->body, &rc); swap_buf(&g->tmp, &g->body);
  }
  if (rc) return tt_error_set(TT_ENOMEM, "gen-corpus: out of memory at article %llu",
                              (unsigned long long)i);
#define GC_OOM tt_error_set(TT_ENOMEM, "gen-corpus: out of memory writing article %llu", \
                            (unsigned long long)i)

  char head[512];
  int hn = snprintf(head, sizeof head, "{\"id\":\"%llu\",\"url\":\"https://%s/%s-%llu.html\",\"title\":",
                    (unsigned long long)a.id, a.src->domain, g->slug.p, (unsigned long long)a.id);
  if (hn < 0 || (size_t)hn >= sizeof head) return tt_error_set(TT_EINVAL, "gen-corpus: url too long");
  char date[96];
  int dn = snprintf(date, sizeof date, ",\"published\":\"%04d-%02d-%02dT%02d:%02d:%02d+07:00\",\"source\":",
                    a.y, a.mo, a.d, a.h, a.mi, a.s);
  if (tt_buf_append(out, head, (size_t)hn) ||
      tt_buf_json_string(out, g->title.p, g->title.n) ||
      tt_buf_append(out, date, (size_t)dn) ||
      tt_buf_json_string(out, a.src->name, strlen(a.src->name)) ||
      tt_buf_append(out, ",\"body\":", 8) ||
      tt_buf_json_string(out, g->body.p, g->body.n) ||
      tt_buf_append(out, "}\n", 2))
    return GC_OOM;
#undef GC_OOM
  return 0;
}
