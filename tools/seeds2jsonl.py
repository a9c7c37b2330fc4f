#!/usr/bin/env python3
"""Turn the seed pages (corpus/seeds/*.txt) into article JSONL (corpus/seeds.jsonl).

    tools/seeds2jsonl.py            rewrite corpus/seeds.jsonl
    tools/seeds2jsonl.py --check    exit 1 if corpus/seeds.jsonl is not what this script writes

Python 3 standard library only; the output depends on nothing but the seed files (sorted by
name), so running it twice gives the same bytes.

A seed page is read with the rules of the C .txt reader (articles/text.c): the first non-blank
line is the title, a display date ("12/06/2024 | 12:45 PM", "Thứ Bẩy, ngày 14/03/2026 11:25")
at the start of one of the next five non-blank lines is the date, and the rest is the body:
verbatim, except that a line holding only the date is dropped and blank lines at either end are
trimmed. Nothing else is removed (image file-name lines stay: the analyzer drops them, and that
is under test). What the page text does not say is filled in from the table SEEDS below, with
the reason next to each entry; corpus/README.md explains the choices.

Seed 002 is a listing page ("Hoạt động của lãnh đạo Bộ" on the Ministry of Health portal): each
entry (a headline line, then "Thứ Bẩy, ngày 14/03/2026 11:25" glued to a teaser) becomes its own
article, and the article under "Xuất bản thông tin" becomes one more.
"""
import argparse
import json
import os
import re
import sys

BLANK = " \t\r\f\v"            # what the C reader counts as blank (ASCII only, like blank_byte())
DATE_LOOKAHEAD = 5
URL_BASE = "https://seeds.timtin.invalid/"   # the real URLs are unknown; .invalid never resolves

# What the text does not state. "source" is the site, inferred from the page where it is evident.
SEEDS = {
    # Layout of the Ministry of Health portal (moh.gov.vn): "dd/mm/yyyy | hh:mm PM" under the
    # headline, then "Tin liên quan" and "Xuất bản thông tin" blocks, as on seed 002.
    "000_9981580469407792": {"source": "Bộ Y tế"},
    # "BBK - Chiều 24/7, ..." is Báo Bắc Kạn's dateline; the year is 2024 ("năm 2023 và 6 tháng
    # đầu năm 2024"); the page gives no time, so the date is taken at 00:00 Vietnam time.
    "001_2e984eabbea0fa5d": {"source": "Báo Bắc Kạn", "published": "2024-07-24T00:00:00+07:00"},
    # The "Hoạt động của lãnh đạo Bộ" listing of the Ministry of Health portal.
    "002_ef5f12f9091d8993": {"source": "Bộ Y tế", "listing": True},
    # Same portal layout as 000; the article credits "Nguồn:Suckhoedoisong.vn" in its body.
    "003_79e40325835d471a": {"source": "Bộ Y tế"},
    # The page links https://suckhoeviet.org.vn/ and says "Tạp chí Sức khoẻ Việt trân trọng giới
    # thiệu"; the article (from baodautu.vn) carries no date, so "published" is null (unknown).
    "004_e1aa72db7d069645": {"source": "Tạp chí Sức khoẻ Việt"},
}

# The display date at the start of a line, as tt_articles__parse_display_date() reads it.
DISPLAY_DATE = re.compile(
    r"[ \t]*"
    r"(?:(?:Thứ|thứ|THỨ|Chủ|chủ|CHỦ) [^,\n]{0,20},[ \t]*)?"
    r"(?:(?:ngày|Ngày|NGÀY) [ \t]*)?"
    r"(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)"
    r"(?:[ \t]*[|,-]?[ \t]*(\d{1,2}):(\d{2})(?!\d)(?::(\d{2})(?!\d))?"
    r"(?:[ \t]*([AaPpSsCc][MmAaHh])(?![A-Za-z\u0080-\U0010ffff]))?)?")

# A listing entry's second line: weekday, date, 24-hour time, then the teaser glued on.
LISTING_DATE = re.compile(r"^(?:Thứ [^,]+|Chủ [Nn]hật), ngày (\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})(.*)$")


def days_in_month(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28
    return 30 if m in (4, 6, 9, 11) else 31


def iso(y, mo, d, hh=0, mi=0, ss=0):
    """ISO 8601 in Vietnam time, or None for an impossible date (as tt_articles__make_time refuses)."""
    if not (1900 <= y <= 2200 and 1 <= mo <= 12 and 1 <= d <= days_in_month(y, mo)):
        return None
    if not (0 <= hh <= 23 and 0 <= mi <= 59 and 0 <= ss <= 60):
        return None
    return "%04d-%02d-%02dT%02d:%02d:%02d+07:00" % (y, mo, d, hh, mi, min(ss, 59))


def display_date(line):
    """(iso, pure) for a display date at the start of line, else (None, False). pure: the line
    holds nothing else (blanks and '|' aside)."""
    m = DISPLAY_DATE.match(line)
    if not m:
        return None, False
    d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    date_only = iso(y, mo, d)
    if date_only is None:
        return None, False
    end = m.end(3)
    value = date_only
    if m.group(4) is not None:
        hh, mi, ss = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
        half = (m.group(7) or "").upper()
        ok = True
        if half:
            if 1 <= hh <= 12:
                hh = (0 if hh == 12 else hh) + (12 if half in ("PM", "CH") else 0)
            else:
                ok = False
        if ok and iso(y, mo, d, hh, mi, ss):
            value = iso(y, mo, d, hh, mi, ss)
            end = m.end(7) if m.group(7) else m.end(6) if m.group(6) else m.end(5)
    rest = line[end:]
    return value, all(c in BLANK or c == "|" for c in rest)


def is_blank(line):
    return all(c in BLANK for c in line)


def read_article(lines):
    """title, published (or None), body from lines without their "\\n" (the .txt reader's rules)."""
    lines = [l[:-1] if l.endswith("\r") else l for l in lines]
    i = 0
    while i < len(lines) and is_blank(lines[i]):
        i += 1
    if i == len(lines):
        raise ValueError("no text")
    title = lines[i].strip(BLANK)
    rest = lines[i + 1:]
    published, drop, seen = None, None, 0
    for k, line in enumerate(rest):
        if seen == DATE_LOOKAHEAD:
            break
        if is_blank(line):
            continue
        seen += 1
        value, pure = display_date(line)
        if value:
            published = value
            if pure:
                drop = k
            break
    body = [l for k, l in enumerate(rest) if k != drop]
    while body and is_blank(body[0]):
        body.pop(0)
    while body and is_blank(body[-1]):
        body.pop()
    return title, published, "\n".join(body)


def split_lines(text):
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":        # a final "\n" ends the last line, it does not start one
        lines.pop()
    return lines


def listing(stem, lines, meta):
    """Seed 002: one article per listing entry, then the article under "Xuất bản thông tin"."""
    out = []
    i = 1                                 # lines[0] is the section heading
    while i < len(lines) and lines[i].strip(BLANK) != "Xuất bản thông tin":
        headline = lines[i].strip(BLANK)
        m = LISTING_DATE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if not headline or not m:
            raise ValueError("%s: line %d is not a listing entry" % (stem, i + 1))
        d, mo, y, hh, mi = (int(m.group(k)) for k in range(1, 6))
        out.append((headline, iso(y, mo, d, hh, mi), m.group(6).strip(BLANK)))
        i += 2
    if i == len(lines):
        raise ValueError("%s: no \"Xuất bản thông tin\" section" % stem)
    out.append(read_article(lines[i + 1:]))
    return [article(stem, title, published, meta, body, n) for n, (title, published, body) in enumerate(out, 1)]


def article(stem, title, published, meta, body, n=None):
    url = URL_BASE + stem + ("" if n is None else "#%d" % n)
    return {
        "url": url,
        "title": title,
        "published": meta.get("published", published),
        "source": meta["source"],
        "body": body,
        "id": stem + ("" if n is None else "#%d" % n),
    }


def convert(seed_dir):
    records = []
    for name in sorted(os.listdir(seed_dir)):
        if not name.endswith(".txt"):
            continue
        stem = name[:-4]
        if stem not in SEEDS:
            raise ValueError("%s: not described in SEEDS (tools/seeds2jsonl.py)" % name)
        with open(os.path.join(seed_dir, name), encoding="utf-8", newline="") as f:
            lines = split_lines(f.read())
        meta = SEEDS[stem]
        if meta.get("listing"):
            records.extend(listing(stem, lines, meta))
        else:
            title, published, body = read_article(lines)
            records.append(article(stem, title, published, meta, body))
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default=os.path.join(root, "corpus", "seeds"), help="folder of seed .txt files")
    ap.add_argument("--out", default=os.path.join(root, "corpus", "seeds.jsonl"), help="JSONL file to write")
    ap.add_argument("--check", action="store_true", help="only check that --out is up to date")
    args = ap.parse_args()
    text = convert(args.seeds)
    if args.check:
        try:
            with open(args.out, encoding="utf-8", newline="") as f:
                current = f.read()
        except OSError:
            current = None
        if current != text:
            print("%s is out of date: run tools/seeds2jsonl.py" % args.out, file=sys.stderr)
            return 1
        return 0
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    print("%s: %d articles" % (args.out, text.count("\n")), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
