/* Evaluation of the entity recognizer against hand-labelled files: see text/entities_eval.h
 * for the label format and docs/entities.md for the figures. */
#include "text/entities_eval.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/json.h"
#include "timtin/analyze.h"
#include "timtin/entities.h"

typedef struct label {
  char *path, *doc, *field, *canon;  /* canon lower-cased (tt_normalize_word, diacritics kept) */
  uint32_t start, end;
  int type, hit, lhit;
} label;

typedef struct ev {
  label *l; size_t nl, lcap;
  char **files; size_t nf, fcap;
  tt_analyzer *an; tt_entities *en;
  FILE *log; int dump;
  tt_ent_score *s;
  tt_buf tmp;
} ev;

static double cpu(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int read_file(const char *path, char **out, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f) return tt_error_set(TT_EIO, "open %s", path);
  tt_buf b = TT_BUF_INIT;
  char chunk[65536];
  size_t k;
  while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (tt_buf_append(&b, chunk, k)) { fclose(f); tt_buf_fini(&b); return TT_ENOMEM; }
  fclose(f);
  if (!b.p && tt_buf_reserve(&b, 1)) return TT_ENOMEM;
  *out = b.p; *len = b.n;
  return 0;
}

static int type_of(const char *s)
{
  if (!strcmp(s, "person")) return TT_ENT_PERSON;
  if (!strcmp(s, "hospital")) return TT_ENT_HOSPITAL;
  if (!strcmp(s, "program")) return TT_ENT_PROGRAM;
  return 0;
}

static char *lower(const char *s, size_t len)
{
  size_t cap = len * 2 + 16;
  char *o = tt_malloc(cap);
  if (!o) return NULL;
  if (tt_normalize_word(s, len, 0, o, cap) < 0) o[0] = 0;
  return o;
}

static int add_file(ev *v, const char *p)
{
  for (size_t i = 0; i < v->nf; i++) if (!strcmp(v->files[i], p)) return 0;
  if (tt_array_reserve(v->files, v->fcap, v->nf + 1)) return tt_error_set(TT_ENOMEM, "out of memory");
  v->files[v->nf] = tt_strndup(p, strlen(p));
  TT_CHECK_ALLOC(v->files[v->nf]);
  v->nf++;
  return 0;
}

static int load_labels(ev *v, const char *path)
{
  char *txt; size_t len;
  TT_FORWARD(read_file(path, &txt, &len));
  int rc = 0;
  size_t lineno = 0;
  for (char *line = txt; line && *line && rc == 0;) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    lineno++;
    char *col[8]; int nc = 0;
    for (char *c = line; nc < 8;) {
      col[nc++] = c;
      char *t = strchr(c, '\t');
      if (!t) break;
      *t = 0; c = t + 1;
    }
    if (line[0] == '#') {
      if (nc >= 2 && !strcmp(col[0], "#file")) rc = add_file(v, col[1]);
    } else if (line[0]) {
      if (nc < 7) { rc = tt_error_set(TT_EFORMAT, "%s:%zu: %d columns", path, lineno, nc); break; }
      if (tt_array_reserve(v->l, v->lcap, v->nl + 1)) { rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
      label *l = &v->l[v->nl++];
      memset(l, 0, sizeof *l);
      l->path = tt_strndup(col[0], strlen(col[0]));
      l->doc = tt_strndup(col[1], strlen(col[1]));
      l->field = tt_strndup(col[2], strlen(col[2]));
      l->start = (uint32_t)strtoul(col[3], NULL, 10);
      l->end = (uint32_t)strtoul(col[4], NULL, 10);
      l->type = type_of(col[5]);
      l->canon = lower(col[6], strlen(col[6]));
      if (!l->path || !l->doc || !l->field || !l->canon) { rc = TT_ENOMEM; break; }
      if (!l->type) { rc = tt_error_set(TT_EFORMAT, "%s:%zu: bad type", path, lineno); break; }
      rc = add_file(v, col[0]);
    }
    line = nl ? nl + 1 : NULL;
  }
  tt_free(txt);
  return rc;
}

/* Run the recognizer on one text and score it. */
static int run_text(ev *v, const char *path, const char *doc, const char *field, const char *s,
                    size_t len, unsigned flags)
{
  tt_analysis a;
  double t0 = cpu();
  TT_FORWARD(tt_analyze(v->an, s, len, 0, &a));
  double t1 = cpu();
  const tt_entity_mention *m; size_t n;
  TT_FORWARD(tt_entities_find(v->en, s, len, &a, flags, &m, &n));
  double t2 = cpu();
  v->s->sec_analyze += t1 - t0;
  v->s->sec_entities += t2 - t1;
  v->s->mb += (double)len / 1e6;
  /* check the surfaces of the labels of this text */
  for (size_t k = 0; k < v->nl; k++) {
    label *l = &v->l[k];
    if (strcmp(l->path, path) || strcmp(l->doc, doc) || strcmp(l->field, field)) continue;
    if (l->end > len || l->start >= l->end)
      return tt_error_set(TT_EFORMAT, "label %s %s %s %u-%u outside the text", path, doc, field, l->start, l->end);
  }
  for (size_t i = 0; i < n; i++) {
    const tt_entity_mention *x = &m[i];
    if (v->dump) {
      if (v->log)
        fprintf(v->log, "%s\t%s\t%s\t%u\t%u\t%s\t%s\t%.*s\t%s\n", path, doc, field, x->start, x->end,
                tt_entity_type_name(x->type), x->canonical, (int)(x->end - x->start), s + x->start, x->role);
      continue;
    }
    char *c = lower(x->canonical, x->canonical_len);
    if (!c) return TT_ENOMEM;
    int strict = 0, len_ok = 0;
    for (size_t k = 0; k < v->nl; k++) {
      label *l = &v->l[k];
      if ((int)x->type != l->type || strcmp(l->path, path) || strcmp(l->doc, doc) || strcmp(l->field, field))
        continue;
      if (l->start < x->end && x->start < l->end) { len_ok = 1; l->lhit = 1; }
      if (!strict && !l->hit && l->start == x->start && l->end == x->end && !strcmp(l->canon, c)) {
        strict = 1; l->hit = 1;
      }
    }
    tt_free(c);
    int t = (int)x->type;
    if (strict) { v->s->tp[t]++; v->s->tp[0]++; }
    else {
      v->s->fp[t]++; v->s->fp[0]++;
      if (v->log)
        fprintf(v->log, "FP\t%s\t%s\t%s\t%u\t%u\t%s\t%s\t%.*s\n", path, doc, field, x->start, x->end,
                tt_entity_type_name(x->type), x->canonical, (int)(x->end - x->start), s + x->start);
    }
    if (len_ok) { v->s->ltp[t]++; v->s->ltp[0]++; } else { v->s->lfp[t]++; v->s->lfp[0]++; }
  }
  return 0;
}

static int run_file(ev *v, const char *root, const char *path)
{
  char full[4096];
  snprintf(full, sizeof full, "%s/%s", root, path);
  char *txt; size_t len;
  TT_FORWARD(read_file(full, &txt, &len));
  int rc = 0;
  size_t pl = strlen(path);
  if (pl > 6 && !strcmp(path + pl - 6, ".jsonl")) {
    static const char *const keys[] = {"id", "title", "body"};
    for (char *line = txt; line < txt + len && rc == 0;) {
      char *nl = memchr(line, '\n', (size_t)(txt + len - line));
      size_t ll = nl ? (size_t)(nl - line) : (size_t)(txt + len - line);
      if (ll > 1) {
        tt_json_value val[3];
        size_t ecol; const char *ewhat;
        tt_buf_reset(&v->tmp);
        rc = tt_json_scan_object(line, ll, keys, 3, val, &v->tmp, &ecol, &ewhat);
        if (rc == 0) {
          /* copies: the scratch may move */
          char *id = tt_strndup(val[0].s ? val[0].s : "", val[0].s ? val[0].len : 0);
          char *ti = tt_strndup(val[1].s ? val[1].s : "", val[1].s ? val[1].len : 0);
          char *bo = tt_strndup(val[2].s ? val[2].s : "", val[2].s ? val[2].len : 0);
          if (!id || !ti || !bo) rc = TT_ENOMEM;
          if (rc == 0) rc = run_text(v, path, id, "title", ti, strlen(ti), 0);
          if (rc == 0) rc = run_text(v, path, id, "body", bo, strlen(bo), TT_ENT_CONTINUE);
          tt_free(id); tt_free(ti); tt_free(bo);
        }
      }
      line = nl ? nl + 1 : txt + len;
    }
  } else {
    rc = run_text(v, path, "-", "text", txt, len, 0);
  }
  tt_free(txt);
  return rc;
}

int tt_entities__eval(const char *labels_path, const char *root, FILE *log, int dump,
                      tt_ent_score *out)
{
  ev v;
  memset(&v, 0, sizeof v);
  memset(out, 0, sizeof *out);
  v.s = out; v.log = log; v.dump = dump;
  tt_buf_init(&v.tmp);
  int rc = load_labels(&v, labels_path);
  if (rc == 0) rc = tt_analyzer_new(&v.an);
  if (rc == 0) rc = tt_entities_new(&v.en);
  for (size_t i = 0; i < v.nf && rc == 0; i++) rc = run_file(&v, root, v.files[i]);
  if (rc == 0 && !dump) {
    for (size_t k = 0; k < v.nl; k++) {
      label *l = &v.l[k];
      if (!l->hit) {
        out->fn[l->type]++; out->fn[0]++;
        if (log) fprintf(log, "FN\t%s\t%s\t%s\t%u\t%u\t%s\t%s\n", l->path, l->doc, l->field, l->start,
                         l->end, tt_entity_type_name((tt_entity_type)l->type), l->canon);
      }
      if (!l->lhit) { out->lfn[l->type]++; out->lfn[0]++; }
    }
  }
  tt_entities_free(v.en);
  tt_analyzer_free(v.an);
  for (size_t k = 0; k < v.nl; k++) {
    tt_free(v.l[k].path); tt_free(v.l[k].doc); tt_free(v.l[k].field); tt_free(v.l[k].canon);
  }
  tt_free(v.l);
  for (size_t i = 0; i < v.nf; i++) tt_free(v.files[i]);
  tt_free(v.files);
  tt_buf_fini(&v.tmp);
  return rc;
}

double tt_entities__precision(const tt_ent_score *s, int type, int lenient)
{
  size_t tp = lenient ? s->ltp[type] : s->tp[type], fp = lenient ? s->lfp[type] : s->fp[type];
  return tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
}

double tt_entities__recall(const tt_ent_score *s, int type, int lenient)
{
  size_t fn = lenient ? s->lfn[type] : s->fn[type];
  size_t lab = lenient ? 0 : s->tp[type] + fn;
  if (lenient) {
    /* lenient recall: labels overlapped by a prediction, over all labels */
    size_t all = s->tp[type] + s->fn[type];
    return all ? (double)(all - fn) / (double)all : 1.0;
  }
  return lab ? (double)s->tp[type] / (double)lab : 1.0;
}
