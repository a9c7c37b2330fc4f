/* Hand-curated lists behind the corpus generator (tools/cli/gencorpus.c): news sites,
 * provinces and districts, Vietnamese name parts, the officials, hospitals and health bodies,
 * programs and legal documents that the seed articles name, and the boilerplate that news
 * pages carry. The generated vocabulary (words, successors, syllables, letter tables) is in
 * gencorpus_vocab.inc, written by tools/gen_vocab.py.
 *
 * Every string is NFC with the dominant tone placement (hòa, khỏe, thúy): the generator adds
 * the other placement and NFD itself, as noise it controls. The order of each list matters:
 * the generator draws from it with a Zipf law by position, so the head is what news writes
 * most (Nguyễn among family names, Bộ Y tế's leaders among officials). Changing a list changes
 * the generated corpus. */
#ifndef TT_CLI_GENCORPUS_DATA_H
#define TT_CLI_GENCORPUS_DATA_H

#include <stddef.h>

typedef struct tt_gc_source {
  const char *name;      /* "Báo Sức khỏe và Đời sống" */
  const char *domain;    /* "suckhoedoisong.vn" */
  const char *dateline;  /* body opener such as "SKĐS" ("SKĐS - ..."), or NULL */
} tt_gc_source;

typedef struct tt_gc_place {
  const char *name;      /* "Bắc Kạn", "Hà Nội" */
  unsigned char city;    /* 1: centrally-run city ("thành phố Hà Nội", "UBND TP.HCM") */
} tt_gc_place;

typedef struct tt_gc_weighted {
  const char *s;
  unsigned w;            /* relative frequency */
} tt_gc_weighted;

/* An official named in the seeds, with the role the seeds give. */
typedef struct tt_gc_seed_official {
  const char *name;        /* "Trần Văn Thuấn" */
  const char *prefix;      /* academic or professional title, "GS.TS.", or NULL */
  const char *role;        /* "Thứ trưởng Bộ Y tế" */
  const char *role_short;  /* "Thứ trưởng": used before the name on later mentions */
  unsigned char female;
} tt_gc_seed_official;

/* A hospital or health body with a fixed name. */
typedef struct tt_gc_org {
  const char *full;   /* "Bệnh viện Chợ Rẫy" */
  const char *alias;  /* "BV Chợ Rẫy", or NULL */
} tt_gc_org;

/* A program, plan or legal document. */
typedef struct tt_gc_program {
  const char *full;   /* "Nghị quyết số 72-NQ/TW" */
  const char *shortf; /* "Nghị quyết 72" (later mentions), or NULL to repeat full */
} tt_gc_program;

/* A role pattern for generated officials. kind says what fills %s in the role:
 * 0 a named hospital's full name, 1 a province ("tỉnh X"/"thành phố X"), 2 a Cục/Vụ/Viện,
 * 3 a department and a hospital ("Trưởng khoa %s, %s"), 4 a province's Sở Y tế name. */
typedef struct tt_gc_role {
  const char *fmt;         /* "Giám đốc %s" */
  const char *role_short;  /* "Giám đốc" */
  unsigned char kind;
  unsigned char medical;   /* 1: takes an academic prefix (PGS.TS., BSCKII...) */
  unsigned w;
} tt_gc_role;

#define TT_GC_LIST(type, name) extern const type name[]; extern const size_t name##_n

TT_GC_LIST(tt_gc_source, tt_gc__sources);
TT_GC_LIST(tt_gc_place, tt_gc__provinces);
TT_GC_LIST(char *const, tt_gc__districts);      /* "Văn Giang" (of "huyện Văn Giang") */
TT_GC_LIST(char *const, tt_gc__wards);          /* "phường Cửa Nam", "xã Vân Đình" */
TT_GC_LIST(tt_gc_weighted, tt_gc__family);
TT_GC_LIST(char *const, tt_gc__middle_m);
TT_GC_LIST(char *const, tt_gc__middle_f);
TT_GC_LIST(char *const, tt_gc__given_m);
TT_GC_LIST(char *const, tt_gc__given_f);
TT_GC_LIST(tt_gc_weighted, tt_gc__prefixes);   /* academic titles of medical officials */
TT_GC_LIST(tt_gc_seed_official, tt_gc__seed_officials);
TT_GC_LIST(tt_gc_role, tt_gc__roles);
TT_GC_LIST(char *const, tt_gc__departments);    /* "Hồi sức tích cực" */
TT_GC_LIST(char *const, tt_gc__agencies);       /* "Cục Quản lý Khám, chữa bệnh" */
TT_GC_LIST(tt_gc_org, tt_gc__hospitals);        /* named hospitals, most cited first */
TT_GC_LIST(tt_gc_program, tt_gc__programs);
TT_GC_LIST(char *const, tt_gc__units);          /* after a count: "bệnh nhân", "giường bệnh" */
TT_GC_LIST(char *const, tt_gc__codes);          /* whole tokens: "COVID-19", "HbA1c", "ECMO" */
TT_GC_LIST(char *const, tt_gc__latin);          /* pieces of foreign names and drug names */
TT_GC_LIST(char *const, tt_gc__drug_suffix);
TT_GC_LIST(char *const, tt_gc__name_suffix);
TT_GC_LIST(char *const, tt_gc__speech_verbs);   /* "cho biết", "nhấn mạnh" */
TT_GC_LIST(char *const, tt_gc__captions);       /* "Quang cảnh buổi làm việc" */

#undef TT_GC_LIST

#endif
