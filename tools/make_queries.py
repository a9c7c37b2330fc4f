#!/usr/bin/env python3
"""tools/make_queries.py: the benchmark's query set, generated from a corpus (article JSONL).

    tools/make_queries.py CORPUS.jsonl [--per-class 50] [--seed 1] [--max-docs 2000] > queries.tsv

Output: TSV lines `class<TAB>query`, the query in timtin's syntax (space = AND, `OR`,
"quoted phrase", parentheses). Classes (docs/benchmarks.md):

  syllable   one common syllable                       bệnh
  word       a common 2-syllable word                  bệnh viện
  or3        three words OR'ed                         (ung thư) OR (tiêm chủng) OR (huyết áp)
  phrase     a quoted 2-3 syllable phrase from a text  "chăm sóc sức"
  entity     an official's or a hospital's name seen   "Trần Văn Thuấn", "Bệnh viện Bạch Mai"
             in the corpus, as a phrase
  <class>-nd the same queries typed without diacritics (đ -> d)

Multi-syllable OR operands are parenthesised, so the queries mean the same whatever precedence
an engine gives OR. Statistics come from the first --max-docs articles (the generated corpus is
shuffled, so they are a fair sample). Deterministic for a given corpus and seed.
"""
import argparse
import collections
import json
import random
import re
import sys
import unicodedata

SEGMENT_SPLIT = re.compile(r"[.,;:!?()\[\]\"“”‘’…\n\r\t|/–—-]+")
SYLLABLE = re.compile(r"^[^\W\d_]+$")  # letters only
# Surnames that start a person's name; those that are also common place or plain words (Hà,
# Mai, Cao...) are left out, so "Hà Nội" is not taken for a person.
SURNAMES = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Ngô", "Dương", "Đào", "Đinh", "Trương", "Lương", "Tạ", "Đoàn", "Vương",
            "Trịnh", "Phùng", "Quách"}
ORG_HEADS = [("Bệnh", "viện"), ("Trung", "tâm", "Y", "tế"), ("Sở", "Y", "tế"), ("Viện",),
             ("Trung", "tâm", "Kiểm", "soát", "bệnh", "tật")]
ADMIN = {"huyện", "tỉnh", "quận", "thị", "xã", "thành", "phố", "Đa", "khoa", "đa", "Nhi", "học",
         "nghị", "Đại", "Hữu",
         "Phụ", "sản", "Sản", "Nhi", "Trung", "ương", "Quân", "y", "Y", "học", "cổ", "truyền",
         "Tim", "Da", "liễu", "Mắt", "Ung", "Bướu", "Phổi", "Lão"}


def fold(s):
    """Diacritics removed, đ -> d, as typed on a keyboard without a Vietnamese layout."""
    s = s.replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


def is_cap(w):
    return w[:1].isupper()


def segments(text):
    for seg in SEGMENT_SPLIT.split(unicodedata.normalize("NFC", text)):
        ws = seg.split()
        if ws:
            yield ws


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--per-class", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-docs", type=int, default=2000)
    a = ap.parse_args()
    rng = random.Random(a.seed)

    syl_df = collections.Counter()     # syllable (lower) -> documents
    syl_tf = collections.Counter()     # syllable (lower) -> occurrences
    upper_tf = collections.Counter()   # ... of which written in capitals (TP, BS, UBND)
    big_df = collections.Counter()     # "a b" (lower) -> documents
    ent_tf = collections.Counter()     # person name (original case) -> mentions
    org_tf = collections.Counter()     # organisation name and each shorter form -> mentions
    phrase_pool = []                   # (syllables...) sampled from texts
    ndocs = 0
    with open(a.corpus, encoding="utf-8", errors="replace") as f:
        for line in f:
            if ndocs >= a.max_docs:
                break
            try:
                art = json.loads(line)
            except ValueError:
                continue
            ndocs += 1
            text = (art.get("title") or "") + "\n" + (art.get("body") or "")
            seen_s, seen_b = set(), set()
            for ws in segments(text):
                low = [w.lower() for w in ws]
                ok = [bool(SYLLABLE.match(w)) and len(w) <= 8 for w in ws]
                for w, lw, k in zip(ws, low, ok):
                    if k:
                        seen_s.add(lw)
                        syl_tf[lw] += 1
                        if len(w) > 1 and w.isupper():
                            upper_tf[lw] += 1
                for i in range(len(ws) - 1):
                    if ok[i] and ok[i + 1]:
                        seen_b.add(low[i] + " " + low[i + 1])
                # phrases: a few random 2-3 syllable windows per document
                if len(ws) >= 3 and rng.random() < 0.05:
                    n = rng.choice((2, 3))
                    i = rng.randrange(0, len(ws) - n + 1)
                    if all(ok[i:i + n]):
                        phrase_pool.append(tuple(low[i:i + n]))
                # entities
                i = 0
                while i < len(ws):
                    ent, skip = None, 0
                    if ws[i] in SURNAMES and ok[i]:
                        j = i + 1
                        while j < len(ws) and j - i < 3 and ok[j] and is_cap(ws[j]):
                            j += 1
                        if j - i >= 3:
                            ent = ws[i:j]
                    else:
                        for head in ORG_HEADS:
                            if tuple(ws[i:i + len(head)]) == head:
                                j = i + len(head)
                                while j < len(ws) and ws[j] in ADMIN and j - i < 8:
                                    j += 1
                                k = j
                                while (k < len(ws) and k - j < 3 and ok[k] and is_cap(ws[k])
                                       and not (len(ws[k]) > 1 and ws[k].isupper())):
                                    k += 1
                                    # every length is counted; the best one is chosen below
                                    org_tf[" ".join(ws[i:k])] += 1
                                if k > j:
                                    skip = k - i
                                break
                    if ent:
                        ent_tf[" ".join(ent)] += 1
                        i += len(ent)
                    elif skip:
                        i += skip
                    else:
                        i += 1
            syl_df.update(seen_s)
            big_df.update(seen_b)
    if ndocs == 0:
        sys.exit("make_queries: no articles in %s" % a.corpus)

    per = a.per_class

    def pick(pool, n, what):
        pool = list(pool)
        if not pool:
            sys.exit("make_queries: no candidates for %s" % what)
        if len(pool) >= n:
            return rng.sample(pool, n)
        print("make_queries: only %d distinct %s; repeating some" % (len(pool), what),
              file=sys.stderr)
        return [pool[i % len(pool)] for i in range(n)]

    # Acronyms (mostly written in capitals: TP, BS, UBND) are left out of the syllable and word
    # classes: the analyzer keeps "TP.HCM" or "BS.CKII" as one token, so they are not syllables.
    acro = {w for w, n in upper_tf.items() if 2 * n >= syl_tf[w]}
    syl_top = [w for w, _ in syl_df.most_common(250) if len(w) >= 2 and w not in acro][:200]
    # Words: adjacent syllable pairs that are common (in >= 1% of the documents, or the 3000
    # most common) AND stick together (Dice coefficient of the pair against its syllables), so
    # "bệnh viện" and "sức khỏe" are chosen, not "của bệnh" or "các bác".
    min_df = max(2, ndocs // 100)
    cands = [(b, df) for b, df in big_df.most_common(3000)
             if df >= min_df and not set(b.split(" ")) & acro] or big_df.most_common(3000)

    def dice(item):
        b, df = item
        x, y = b.split(" ")
        return 2.0 * df / (syl_df[x] + syl_df[y])
    words = [b for b, _ in sorted(cands, key=lambda it: (-dice(it), it[0]))]
    big_top = words[:150]
    big_mid = words[:250]
    # An organisation's name is the longest form that most of its mentions share: "Bệnh viện
    # Phạm Ngọc Thạch" (each extension keeps >= half the mentions), not "Bệnh viện Phạm Ngọc",
    # nor "Bệnh viện Trung ương Huế Phan" (a name that happened to follow).
    for name, n in org_tf.items():
        longer = [m for ext, m in org_tf.items() if ext.startswith(name + " ")
                  and " " not in ext[len(name) + 1:]]
        shorter = name.rsplit(" ", 1)[0]
        if any(m * 2 >= n for m in longer):
            continue
        if shorter in org_tf and n * 2 < org_tf[shorter]:
            continue
        ent_tf[name] += n
    ent_top = [w for w, _ in ent_tf.most_common(3 * per)]
    phrases = sorted(set(phrase_pool))

    out = []
    out += [("syllable", w) for w in pick(syl_top, per, "syllables")]
    out += [("word", w) for w in pick(big_top, per, "2-syllable words")]
    for _ in range(per):
        ws = rng.sample(big_mid, 3) if len(big_mid) >= 3 else [big_mid[0]] * 3
        out.append(("or3", " OR ".join("(%s)" % w if " " in w else w for w in ws)))
    out += [("phrase", '"%s"' % " ".join(p)) for p in pick(phrases, per, "phrases")]
    out += [("entity", '"%s"' % e) for e in pick(ent_top, per, "entity names")]
    out += [(c + "-nd", fold(q)) for c, q in list(out)]
    w = sys.stdout
    w.write("# generated by tools/make_queries.py from %s (%d articles sampled, seed %d)\n"
            % (a.corpus, ndocs, a.seed))
    for c, q in out:
        w.write("%s\t%s\n" % (c, q))


if __name__ == "__main__":
    main()
