/* The entity recognizer's lexicon: titles, prefixes, organisation and document heads,
 * descriptors, places, surnames and the gazetteers of named entities (text/entities_lex.c).
 * Shared between text/entities.c and nothing else; see docs/entities.md. */
#ifndef TT_TEXT_ENTITIES_LEX_H
#define TT_TEXT_ENTITIES_LEX_H

#include <stddef.h>
#include <stdint.h>

/* What a phrase is. A phrase is written as text and tokenized with the analyzer at
 * tt_entities_new(), so it matches exactly what the analyzer makes of the same words. */
enum tt_ent__kind {
  TT_EK_TITLE = 1,   /* a function: "thứ trưởng", "phó giám đốc" */
  TT_EK_TITLEMOD,    /* after a title: "thường trực" */
  TT_EK_HONOR,       /* "ông", "bà", "đồng chí", "bác sĩ" */
  TT_EK_DESC,        /* hospital descriptor with its canonical case: "Đa khoa", "Trung ương" */
  TT_EK_PLACEMARK,   /* "tỉnh", "huyện", "thành phố", "xã", "phường" ... (canonical lower) */
  TT_EK_ORGHEAD,     /* sub = TT_EH_*: "bệnh viện", "BV", "Sở Y tế" ... */
  TT_EK_GOV,         /* an authority inside a role: "UBND", "Tỉnh ủy", "Hội đồng nhân dân" */
  TT_EK_DOCHEAD,     /* sub = TT_ED_*: "nghị quyết", "đề án", "luật" ... */
  TT_EK_GAZ,         /* a named entity; sub = tt_entity_type, canon = canonical (NULL: text) */
  TT_EK_PLACE,       /* a province or district ("Hưng Yên", "Văn Giang") */
  TT_EK_SURNAME,     /* a Vietnamese family name */
  TT_EK_STOP,        /* a function word that ends a free-text tail ("của", "và", "tại") */
};

enum tt_ent__orghead {
  TT_EH_BV = 1,  /* Bệnh viện X */
  TT_EH_BVDK,    /* BVĐK X -> Bệnh viện Đa khoa X */
  TT_EH_BVTW,    /* BVTW X -> Bệnh viện Trung ương X */
  TT_EH_TTYT,    /* Trung tâm Y tế huyện X */
  TT_EH_CDC,     /* Trung tâm Kiểm soát bệnh tật tỉnh X, CDC X */
  TT_EH_TRAM,    /* Trạm Y tế xã X */
  TT_EH_SO,      /* Sở Y tế X */
  TT_EH_BO,      /* Bộ Y tế */
  TT_EH_VIEN,    /* Viện X */
  TT_EH_CUC,     /* Cục X */
};

enum tt_ent__dochead {
  TT_ED_NUM = 1, /* a head followed by ("số") and a number or code: Nghị quyết, Đề án ... */
  TT_ED_LAW,     /* Luật X */
  TT_ED_CTMTQG,  /* Chương trình mục tiêu quốc gia [...] */
};

typedef struct tt_ent__phrase {
  const char *text;  /* as written; tokenized at start-up */
  uint8_t kind;      /* TT_EK_* */
  uint8_t sub;       /* TT_EH_*, TT_ED_*, or for TT_EK_GAZ a tt_entity_type */
  const char *canon; /* canonical form (heads, descriptors, gazetteer aliases); NULL: text */
} tt_ent__phrase;

extern const tt_ent__phrase tt_ent__phrases[];
extern const size_t tt_ent__phrases_n;

#endif
