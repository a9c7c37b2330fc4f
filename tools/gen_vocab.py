#!/usr/bin/env python3
"""Derive the vocabulary tables of `timtin gen-corpus` from the seed articles.

Usage: tools/gen_vocab.py [SEED_DIR] [OUT]
  SEED_DIR  folder of seed articles (*.txt); default corpus/seeds, else /work/shared/seeds
  OUT       default tools/cli/gencorpus_vocab.inc

What it writes (C tables, included by tools/cli/gencorpus.c):
  * words: the seed text segmented into words. A word is one syllable or a recurring
    collocation of 2-4 syllables ("bệnh viện", "chuyển giao kỹ thuật", "Bộ Y tế") found by
    count and association. Words are ranked by frequency; the generator gives rank r the
    Zipf-Mandelbrot weight 1/(r+b)^s. Each word keeps its usual casing in mid-sentence.
  * successors: word -> next-word counts inside a clause (a first-order Markov chain), and
    the words that open sentences, so generated clauses read like the seeds.
  * generic syllables: a few thousand well-formed Vietnamese syllables (onset + rhyme + tone,
    with the spelling rules c/k/q, g/gh, ng/ngh and the stop-final tone rule) that are not
    in the seeds, shuffled with a fixed seed: the Zipf tail past the seed words.
  * letters: every precomposed Vietnamese letter with its lower/upper case, its ASCII fold
    (for URL slugs) and its canonical decomposition (NFD noise), from unicodedata.
  * tone pairs: hòa/hoà, khỏe/khoẻ, thúy/thuý... the two tone placements of the open
    syllables oa, oe, uy (old-style noise).

The script is deterministic (stdlib only); rerun it when the seeds change and commit the
output. Tone placement in the seeds is normalised to the dominant form (hòa, khỏe, thúy)
so that the generator controls that noise itself.
"""
import collections
import glob
import hashlib
import math
import os
import random
import re
import sys
import unicodedata

# Capitalised syllables of institutions and places every article writes the same way.
INSTITUTIONAL = set("""Bộ Y Tế Sở Trung Ương Tâm Việt Nam Hà Nội Chính Phủ Quốc Hội UBND BHYT
TP TP.HCM HCM Đảng Tỉnh Thành Ủy Ban Bí Thư Cục Vụ Viện Bệnh Trạm Nhân Dân Thủ Tướng Phó Chủ Tịch
Thứ Trưởng Giám Đốc Luật Nghị Định Quyết Thông Chương Trình Đề Án Bảo Hiểm Xã COVID WHO""".split())

TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # ngang huyền sắc hỏi ngã nặng
BASE_VOWELS = "aăâeêioôơuưy"


def nfc(s):
    return unicodedata.normalize("NFC", s)


def vn_letters():
    """All precomposed Vietnamese letters (lower case) plus đ."""
    out = []
    for v in BASE_VOWELS:
        for t in TONES:
            c = nfc(v + t)
            assert len(c) == 1, (v, t)
            out.append(c)
    out.append("đ")
    return out


LETTERS = vn_letters()
LETTER_SET = set(LETTERS) | set(c.upper() for c in LETTERS)


def is_syllable(tok):
    """A token made of letters only (Latin + Vietnamese), e.g. 'bệnh', 'UBND', 'COVID'."""
    if not tok:
        return False
    if ABBREV.match(tok):
        return True
    for ch in tok:
        if not (("a" <= ch.lower() <= "z") or ch in LETTER_SET):
            return False
    return True


# ---------------------------------------------------------------------------------------
# Tone placement: dominant (tone on the first vowel of open oa/oe/uy: hòa, khỏe, thúy)
# versus the alternate one (hoà, khoẻ, thuý).

def tone_of(ch):
    d = unicodedata.normalize("NFD", ch)
    for t in TONES[1:]:
        if t in d:
            return t, nfc(d.replace(t, ""))
    return "", ch


def tone_pairs():
    """(dominant, alternate) spellings of the two-letter nuclei, all cases."""
    pairs = []
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for t in TONES[1:]:
            for case in ("lower", "cap", "upper"):
                a, b = first, second
                dom = nfc(a + t) + b
                alt = a + nfc(b + t)
                if case == "cap":
                    dom, alt = dom[0].upper() + dom[1:], alt[0].upper() + alt[1:]
                elif case == "upper":
                    dom, alt = dom.upper(), alt.upper()
                pairs.append((dom, alt))
    return pairs


TONE_PAIRS = tone_pairs()
ALT_TO_DOM = {alt: dom for dom, alt in TONE_PAIRS}


def to_dominant_tone(tok):
    """hoà -> hòa, khoẻ -> khỏe, thuý -> thúy (open syllables only; not after q)."""
    for alt, dom in ALT_TO_DOM.items():
        if tok.endswith(alt):
            head = tok[: -len(alt)]
            if alt[0] in "uU" and head[-1:] in ("q", "Q"):
                continue
            return head + dom
    return tok


# ---------------------------------------------------------------------------------------
# Reading the seeds

SPLIT_CLAUSE = re.compile(r"[,;:!?()\[\]{}\"“”‘’'–—…|/]+|\.+(?=\s|$)|\s-\s|\s-|-\s")
STAMP = re.compile(r"^(Thứ \w+|Chủ Nhật), ngày \d+/\d+/\d+ \d+:\d+")
ABBREV = re.compile(r"^[A-ZĐ][A-Za-zĐ]*(\.[A-ZĐ][A-Za-zĐ]*)+$")  # TP.HCM, PGS.TS


def read_seeds(seed_dir):
    files = sorted(glob.glob(os.path.join(seed_dir, "*.txt")))
    if not files:
        sys.exit("gen_vocab: no *.txt in %s" % seed_dir)
    texts = []
    h = hashlib.sha256()
    for f in files:
        with open(f, "rb") as fh:
            raw = fh.read()
        h.update(raw)
        texts.append(nfc(raw.decode("utf-8", errors="replace")))
    return files, texts, h.hexdigest()[:16]


def clauses_of(texts):
    """Yield (tokens, starts_sentence) for every clause of every line."""
    for text in texts:
        for line in text.split("\n"):
            # listing lines start with a time stamp: "Thứ Tư, ngày 09/07/2025 15:29Ngày 09/7..."
            line = STAMP.sub("", line.strip())
            if not line or "http" in line or ".jpg" in line:
                continue
            letters = [c for c in line if c.isalpha()]
            heading = len(letters) > 3 and all(c.isupper() for c in letters)
            # sentence boundaries: split the line on . ! ? followed by space
            for si, sent in enumerate(re.split(r"(?<=[.!?…])\s+", line)):
                for ci, clause in enumerate(SPLIT_CLAUSE.split(sent)):
                    toks = []
                    for raw in clause.split():
                        if not is_syllable(raw):
                            toks.append(None)  # a number or code breaks the chain
                            continue
                        t = to_dominant_tone(raw)
                        if heading:
                            t = t.lower()
                        toks.append(t)
                    # split on None
                    cur = []
                    first = ci == 0
                    for t in toks + [None]:
                        if t is None:
                            if cur:
                                yield cur, first
                            cur, first = [], False
                        else:
                            cur.append(t)


def surface_forms(clauses):
    """Most frequent mid-clause surface of each lower-cased syllable."""
    forms = collections.defaultdict(collections.Counter)
    for toks, first in clauses:
        for i, t in enumerate(toks):
            if i == 0 and first:
                continue
            forms[t.lower()][t] += 1
    out = {}
    for k, c in forms.items():
        best = max(c.items(), key=lambda kv: (kv[1], kv[0] == k, kv[0]))
        out[k] = best[0]
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    seed_dir = sys.argv[1] if len(sys.argv) > 1 else None
    if not seed_dir:
        for cand in (os.path.join(root, "corpus", "seeds"), "/work/shared/seeds"):
            if glob.glob(os.path.join(cand, "*.txt")):
                seed_dir = cand
                break
    if not seed_dir:
        sys.exit("gen_vocab: no seed folder; pass one")
    out_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "cli", "gencorpus_vocab.inc")

    files, texts, digest = read_seeds(seed_dir)
    clauses = list(clauses_of(texts))
    surf = surface_forms(clauses)

    def canon(t):
        return t.lower()

    low = [([canon(t) for t in toks], first) for toks, first in clauses]

    # --- collocations -------------------------------------------------------------------
    uni = collections.Counter()
    ngr = collections.Counter()
    for toks, _ in low:
        uni.update(toks)
        for n in (2, 3, 4):
            for i in range(len(toks) - n + 1):
                ngr[tuple(toks[i:i + n])] += 1
    # neighbours of each n-gram occurrence: an n-gram almost always preceded (or followed)
    # by the same syllable is a fragment of a longer word ("trưởng Bộ Y tế" of "Thứ trưởng
    # Bộ Y tế"), not a word
    left = collections.defaultdict(collections.Counter)
    right = collections.defaultdict(collections.Counter)
    for toks, _ in low:
        for n in (2, 3, 4):
            for i in range(len(toks) - n + 1):
                g = tuple(toks[i:i + n])
                left[g][toks[i - 1] if i > 0 else None] += 1
                right[g][toks[i + n] if i + n < len(toks) else None] += 1

    def assoc(g):
        return ngr[g] / min(uni[g[0]], uni[g[-1]])

    def cuts(g, ctr, side):
        """True when g's usual neighbour forms a word with g's edge syllable."""
        if not ctr:
            return False
        k, v = max(ctr.items(), key=lambda kv: (kv[1], kv[0] is not None, kv[0] or ""))
        if k is None or v / ngr[g] < 0.7:
            return False
        pair = (k, g[0]) if side == "left" else (g[-1], k)
        return ngr[pair] >= 3 and assoc(pair) >= 0.5

    cand = {}
    for g, c in ngr.items():
        if c < 3:
            continue
        if assoc(g) >= (0.25 if len(g) == 2 else 0.35) and not cuts(g, left[g], "left") \
                and not cuts(g, right[g], "right"):
            cand[g] = c
    for s1, c in uni.items():
        cand[(s1,)] = c

    # --- segmentation: the most probable split under a unigram word model, re-estimated a
    # few times from its own output (Viterbi training), so "cơ sở | y tế" wins over
    # "cơ | sở y | tế".
    def segment(toks, logp):
        n = len(toks)
        best = [0.0] + [-1e18] * n
        back = [0] * (n + 1)
        for j in range(1, n + 1):
            for k in range(1, 5):
                i = j - k
                if i < 0:
                    break
                g = tuple(toks[i:j])
                lp = logp.get(g)
                if lp is not None and best[i] + lp > best[j]:
                    best[j], back[j] = best[i] + lp, i
        words, j = [], n
        while j > 0:
            words.append((back[j], j))
            j = back[j]
        return words[::-1]

    counts = dict(cand)
    for _ in range(4):
        total = float(sum(counts.values()))
        logp = {g: math.log(c / total) for g, c in counts.items() if c > 0}
        for s1 in uni:
            logp.setdefault((s1,), math.log(0.5 / total))
        newc = collections.Counter()
        for toks, _ in low:
            for i, j in segment(toks, logp):
                newc[tuple(toks[i:j])] += 1
        counts = newc

    wcount = collections.Counter()
    wsurf = collections.defaultdict(collections.Counter)
    succ = collections.defaultdict(collections.Counter)
    starts = collections.Counter()
    for (toks, first), (orig, _) in zip(low, clauses):
        spans = segment(toks, logp)
        words = [tuple(toks[i:j]) for i, j in spans]
        wcount.update(words)
        for k, (i, j) in enumerate(spans):
            if not (k == 0 and first):
                wsurf[words[k]][" ".join(orig[i:j])] += 1
        if first and words:
            starts[words[0]] += 1
        for a, b in zip(words, words[1:]):
            succ[a][b] += 1

    def render(w):
        """The usual mid-sentence casing of a word (lower case if only seen first)."""
        c = wsurf.get(w)
        if not c:
            return " ".join(w)
        return max(c.items(), key=lambda kv: (kv[1], kv[0] == " ".join(w), kv[0]))[0]

    # Proper names (a capitalised syllable that is not part of an institution everybody
    # writes: Bộ Y tế, Sở Y tế, Việt Nam, UBND...) are the entity generator's business: they
    # go to the end of the ranking and are never reached through the Markov chain.
    def proper(w):
        sf = render(w).split()
        if not any(x[0].isupper() for x in sf):
            return False
        return not all(x in INSTITUTIONAL or not x[0].isupper() for x in sf)

    ranked = sorted(wcount.items(), key=lambda kv: (proper(kv[0]), -kv[1], " ".join(kv[0])))
    nproper = sum(1 for w, _ in ranked if proper(w))
    words = [w for w, _ in ranked]
    index = {w: i for i, w in enumerate(words)}

    # --- generic syllables ---------------------------------------------------------------
    seed_syl = set(uni)
    generic = generic_syllables(seed_syl)

    # --- emit ----------------------------------------------------------------------------
    o = []
    o.append("/* Generated by tools/gen_vocab.py from %d seed articles (sha256 %s). Do not edit:"
             % (len(files), digest))
    o.append(" * rerun `python3 tools/gen_vocab.py` and commit the result. */")
    o.append("")
    o.append("#define TT_GC_NWORDS %d" % len(words))
    o.append("#define TT_GC_NPROPER %d /* the last ones: proper names, kept rare */" % nproper)
    o.append("#define TT_GC_NGENERIC %d" % len(generic))
    o.append("#define TT_GC_NLETTERS %d" % (2 * len(LETTERS)))
    o.append("#define TT_GC_NTONEPAIRS %d" % len(TONE_PAIRS))
    o.append("")
    o.append("/* Seed words, most frequent first (count in the seeds as a comment). */")
    o.append("static const char *const tt_gc_words[TT_GC_NWORDS] = {")
    for w, c in ranked:
        o.append("  %s, /* %d */" % (cstr(render(w)), c))
    o.append("};")
    o.append("")
    # successors as a CSR table
    offs, sw, sc = [0], [], []
    for w in words:
        items = sorted(((b, c) for b, c in succ[w].items() if not proper(b)),
                       key=lambda kv: (-kv[1], index[kv[0]]))
        for b, c in items:
            sw.append(index[b])
            sc.append(c)
        offs.append(len(sw))
    o.append("/* Word -> following word inside a clause: successors of word w are")
    o.append(" * tt_gc_succ_word[tt_gc_succ_off[w] .. tt_gc_succ_off[w+1]) with counts. */")
    o.append("static const uint32_t tt_gc_succ_off[TT_GC_NWORDS + 1] = {")
    o.extend(wrap_nums(offs))
    o.append("};")
    o.append("static const uint16_t tt_gc_succ_word[%d] = {" % max(1, len(sw)))
    o.extend(wrap_nums(sw or [0]))
    o.append("};")
    o.append("static const uint16_t tt_gc_succ_count[%d] = {" % max(1, len(sc)))
    o.extend(wrap_nums([min(c, 65535) for c in sc] or [0]))
    o.append("};")
    o.append("")
    st = sorted(((w, c) for w, c in starts.items() if not proper(w)),
                key=lambda kv: (-kv[1], index[kv[0]]))
    o.append("/* Words that open sentences in the seeds, with counts. */")
    o.append("#define TT_GC_NSTARTS %d" % len(st))
    o.append("static const uint16_t tt_gc_start_word[TT_GC_NSTARTS] = {")
    o.extend(wrap_nums([index[w] for w, _ in st]))
    o.append("};")
    o.append("static const uint16_t tt_gc_start_count[TT_GC_NSTARTS] = {")
    o.extend(wrap_nums([c for _, c in st]))
    o.append("};")
    o.append("")
    o.append("/* Well-formed Vietnamese syllables absent from the seeds (fixed shuffle). */")
    o.append("static const char *const tt_gc_generic[TT_GC_NGENERIC] = {")
    for i in range(0, len(generic), 8):
        o.append("  " + " ".join(cstr(g) + "," for g in generic[i:i + 8]))
    o.append("};")
    o.append("")
    o.append("/* Precomposed Vietnamese letters: code point, lower, upper, ASCII fold, NFD (UTF-8). */")
    o.append("static const struct tt_gc_letter { uint32_t cp, lower, upper; char fold; const char *nfd; }")
    o.append("  tt_gc_letters[TT_GC_NLETTERS] = {")
    for c in LETTERS:
        for x in (c, c.upper()):
            fold = "d" if c == "đ" else unicodedata.normalize("NFD", c)[0]
            if x.isupper():
                fold = fold.upper()
            o.append("  {0x%04X, 0x%04X, 0x%04X, '%s', %s}," % (
                ord(x), ord(c), ord(c.upper()), fold, cstr(unicodedata.normalize("NFD", x))))
    o.append("};")
    o.append("")
    o.append("/* Open syllables oa/oe/uy: {dominant, alternate} tone placement (hòa/hoà). */")
    o.append("static const char *const tt_gc_tonepairs[TT_GC_NTONEPAIRS][2] = {")
    for dom, alt in TONE_PAIRS:
        o.append("  {%s, %s}," % (cstr(dom), cstr(alt)))
    o.append("};")
    data = "\n".join(o) + "\n"
    with open(out_path, "w", encoding="utf-8") as fh:
        fh.write(data)
    print("gen_vocab: %d seeds, %d clauses, %d syllables, %d words (%d multi-syllable), "
          "%d successor pairs, %d generic syllables -> %s"
          % (len(files), len(clauses), len(uni), len(words),
             sum(1 for w in words if len(w) > 1), len(sw), len(generic), out_path))


# ---------------------------------------------------------------------------------------
# Generic syllables: onset + rhyme + tone, with the orthographic rules.

ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng",
          "ngh", "nh", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"]
# rhymes without tone; the nucleus vowel that carries the tone is marked by its index
RHYMES = """a ai am an ang anh ao ap at au ay ac ach
ăm ăn ăng ăp ăt ăc âm ân âng âp ât âu ây âc
e em en eng eo ep et ec
ê êm ên ênh êp êt êu êch
i ia im in inh ip it iu ich iêm iên iêng iêp iêt iêu iêc
o oa oai oan oang oanh oat oac oach oay oăn oăng oăt oăc oe oen oet oi om on ong op ot oc
ô ôi ôm ôn ông ôp ôt ôc
ơ ơi ơm ơn ơp ơt
u ua uân uâng uât uây ui um un ung up ut uc uê uêch uênh uy uya uyên uyêt uynh uyt uych uôi uôm uôn uông uôt uôc
ư ưa ưi ưm ưn ưng ưt ưc ươi ươm ươn ương ươp ươt ươc ưu
y yêm yên yêt yêu""".split()
VOWELS_ALL = set("aăâeêioôơuưy")


def tone_index(rhyme):
    """Index of the vowel that carries the tone (dominant placement)."""
    vs = [i for i, ch in enumerate(rhyme) if ch in VOWELS_ALL]
    hats = [i for i in vs if rhyme[i] in "ăâêôơư"]
    if len(vs) == 1:
        return vs[0]
    if rhyme.startswith(("iê", "yê", "uô", "ươ")):
        return vs[1]
    if hats:
        return hats[-1]
    closed = not rhyme[-1] in VOWELS_ALL
    if rhyme.startswith(("oa", "oă", "oe", "uy", "uê")):
        return vs[1] if closed or len(vs) > 2 else vs[0]
    if closed:
        return vs[-1]
    if len(vs) == 3:
        return vs[1]
    return vs[0]


def spelled(onset, rhyme):
    front = rhyme[0] in "eêiy"
    if onset in ("c", "g", "ng") and front:
        return False
    if onset in ("k", "gh", "ngh") and not front:
        return False
    if onset == "qu" and rhyme[0] in "uoư":
        return False
    if onset == "gi" and rhyme[0] == "i":
        return False
    if onset == "" and rhyme[0] == "i" and rhyme.startswith("iê"):
        return False
    if onset != "" and rhyme.startswith("yê"):
        return False
    if onset == "qu" and rhyme.startswith(("oa", "oe", "uy")):
        return False
    return True


def generic_syllables(seed_syl, n=4000):
    out = set()
    for on in ONSETS:
        for rh in RHYMES:
            if not spelled(on, rh):
                continue
            stop = rh[-1] in "pct" or rh.endswith("ch")
            ti = tone_index(rh)
            for t in TONES:
                if stop and t not in ("\u0301", "\u0323"):
                    continue
                r = rh[:ti] + nfc(rh[ti] + t) + rh[ti + 1:]
                out.add(nfc(on + r))
    cand = sorted(s for s in out if s not in seed_syl)
    rnd = random.Random(20240724)
    rnd.shuffle(cand)
    return cand[:n]


def cstr(s):
    """A C string literal; UTF-8 is written as is (GCC and Clang read UTF-8 sources)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrap_nums(nums, per=16):
    return ["  " + ", ".join(str(x) for x in nums[i:i + per]) + "," for i in range(0, len(nums), per)]


if __name__ == "__main__":
    main()
