"""Cutting an ingredient declaration: one list element -> clauses -> comma pieces (see inci.py).

Scraping breaks lists in known ways (glued percentages and periods, bullets, Estée Lauder list ids,
"(And)" blends, mid-list footnotes); `_prepare` repairs them and marks "may contain" sections with
private sentinels before any cut. Then `_clauses` cuts sentences at depth 0, `_label_colon` finds a
colon that introduces a label, and `_pieces` cuts at depth-0 commas, keeping locant commas
("1,2-Hexanediol") and the commas of a chemical index name ("Cyclopentaneacetic acid, 3-oxo-2-pentyl-,
methyl ester") inside one name.
"""

from __future__ import annotations

import ast
import html
import re
import warnings
from collections.abc import Iterator

_I = re.IGNORECASE

# --- preparing an element ----------------------------------------------------------------------

_MAY, _END_MAY = "\x01", "\x03"  # sentinels: a "may contain" section starts / its bracket closes
_MARK = r"(?:may\s+(?:also\s+)?contains?|peut\s+contenir|puede\s+contener|\+\s*/\s*-|±)"
_MARK_RE = re.compile(_MARK, _I)
_SEP = r"[\s/|:,;+]"
# A run of markers and separators with the bracket that opened it ("[+/- ", "(May Contain/Peut
# Contenir):", "May Contain (+/-) |"); the bracket's unmatched closer later ends the section.
_MAY_HEADER = re.compile(
    rf"[\[(]?{_SEP}*(?:all\s+shades\s+)?{_MARK}(?:(?:{_SEP}|[\[()\]])*?{_MARK})*(?:{_SEP}|[)\]])*", _I)
_CONTROLS = {c: " " for c in range(32) if chr(c) not in "\t\n\r"}  # also clears our private marks
_MID_BULLET = re.compile(r"(?<=\S)\s*•\s*")  # "Rice Bran Wax • Glyceryl Stearate"
_ILN_TAG = re.compile(r"<[^<>]{0,40}>")  # "<ILN35510>": Estée Lauder list ids, which end a list
_DIVISION = re.compile(r"\s*Division:\s*[^():]{0,30}\([^()]{0,40}\)")  # "Division: Cl (Clinique)"
_GLUED_PERCENT = re.compile(r"(\d%)(?=[A-Z])")  # "Salicylic Acid 1.50%Water"
_GLUED_PERIOD = re.compile(r"(?:(?<=[a-z]{3})|(?<=\)))\.(?=[A-Z][a-z\d])")  # "Linalool.Squalane Gel:"
_AND_MIXTURE = re.compile(r"\s*\((?:and|&)\)\s*", _I)  # "Undecane (And) Tridecane": a blend of two
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff]")
_FORCED_BREAK = re.compile(r"\s*(?=\b(?:please\s+(?:be\s+aware|refer|note)|clean\s+at\s+sephora)\b)", _I)
_MID_FOOTNOTE = re.compile(r"(?<=[\w)\]])\s+(?=[*†‡]+\s*[^\W\d_])")  # "Violet 2 * Essential Oil"
_BRACKET = re.compile(r"[()\[\]{}]")
_CLOSER_OF = {")": "(", "]": "[", "}": "{"}


def _elements(raw: str) -> list[str]:
    """Sephora's export stores a Python list of strings (kit labels are separate elements)."""
    text = raw.strip()
    if len(text) > 3 and text[0] == "[" and text[-1] == "]" and text[1] in "'\"":
        try:
            with warnings.catch_warnings():  # "invalid escape sequence" in scraped text is harmless
                warnings.simplefilter("ignore")
                value = ast.literal_eval(text)
        except Exception:  # noqa: BLE001 - any malformed literal is just plain text
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    return [text]


def _prepare(text: str) -> str:
    """Repair what scraping broke and mark may-contain sections; each rewrite is guarded by a
    cheap substring test, as most elements need none of them."""
    text = text.translate(_CONTROLS).replace("\\", "/").replace("\ufffd", " ")
    if "&" in text and ";" in text:
        text = html.unescape(text)  # "&lt;ILN46335&gt;", "&bull;", "&dagger;"
    if "•" in text:
        text = _MID_BULLET.sub(", ", text)
    if "<" in text:
        text = _ILN_TAG.sub("\n", text)
    if "Division:" in text:  # "Rds Product Name: Clarifying Lotion 3 Division: Cl (Clinique)Water, ..."
        text = _DIVISION.sub(":\n", text.replace("Rds Product Name:", "\n"))
    if "%" in text:
        text = _GLUED_PERCENT.sub(r"\1, ", text)
    if "." in text:
        text = _GLUED_PERIOD.sub(". ", text)
    if "(a" in text or "(A" in text or "(&" in text:
        text = _AND_MIXTURE.sub(", ", text)
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
    low = text.lower()
    if "please" in low or "sephora" in low:
        text = _FORCED_BREAK.sub("\n", text)
    if "*" in text or "†" in text or "‡" in text:
        text = _MID_FOOTNOTE.sub("\n", text)
    if "contain" in low or "conten" in low or "+" in low or "±" in low:
        text = _MAY_HEADER.sub(_MAY, text)
    return _balance(text)


def _balance(text: str) -> str:
    """Unmatched openers become spaces (an unclosed "(" must not swallow the rest of the list);
    unmatched closers end a "[+/- ..." section whose opener the header consumed."""
    stack: list[int] = []
    bad: list[int] = []
    for m in _BRACKET.finditer(text):
        ch, i = m.group(), m.start()
        if ch in "([{":
            stack.append(i)
        elif stack and text[stack[-1]] == _CLOSER_OF[ch]:
            stack.pop()
        else:
            bad.append(i)
    if not stack and not bad:
        return text
    chars = list(text)
    for i in stack:
        chars[i] = " "
    for i in bad:
        chars[i] = _END_MAY
    return "".join(chars)


# --- splitting ---------------------------------------------------------------------------------

_CLAUSE_DELIM = re.compile(r"[()\[\]{};\n\x01\x03]|\.(?=\s|$)")
_ABBREVIATIONS = frozenset({
    "denat", "no", "nos", "ext", "sp", "spp", "ssp", "subsp", "var", "st", "vit", "approx", "fl", "inc",
    "ltd", "vs", "etc", "dr", "mr", "mrs",
})
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\s*$")
_INNER_GROUP = re.compile(r"\([^()\[\]{}]*\)|\[[^()\[\]{}]*\]|\{[^()\[\]{}]*\}")
_MASK = str.maketrans(",()[]{}", "\x10\x11\x12\x13\x14\x15\x16")  # private marks: see _CONTROLS
_UNMASK = str.maketrans("\x10\x11\x12\x13\x14\x15\x16", ",()[]{}")
_LOCANT_COMMA = re.compile(r"\s?\d+(?:,\d+)*-")  # "1, 2-Hexanediol" is one name
# "2-Oleamido-1, 3-Octadecanediol": a name that opened with a locant ends in one, and the next piece is a
# single locant ("Laureth-4, 1,2-Hexanediol" stays two items: no opening locant, and "1,2-" is a list)
_OPEN_LOCANT_END = re.compile(r"(?:^|[\s(])\d+(?:,\d+)*-[^\W\d_][^\s,]*-\d$")
_ONE_LOCANT = re.compile(r"\s?\d-[^\W\d_]")
_COLON_DELIM = re.compile(r"[()\[\]{}:]")
_NOT_LABEL_COLON = re.compile(r"/|\d|\s*\d+(?:[.,]\d+)?\s*(?:%|$)")  # "Ci 15850:1", "Ionone : 0.04%"


def _sentence_end(text: str, i: int) -> bool:
    """A period ends a sentence unless it closes an abbreviation ("Denat.", "No. 5")."""
    word = _WORD_BEFORE.search(text, max(0, i - 12), i)
    if word and word.group(1).lower() in _ABBREVIATIONS:
        return False
    rest = text[i + 1 :].lstrip()
    return not rest or not (rest[0].islower() or rest[0].isdigit() or rest[0] in ",()")


def _clauses(text: str) -> Iterator[str]:
    """Depth-0 sentences; the may-contain sentinels are yielded as clauses of their own."""
    depth, start = 0, 0
    for m in _CLAUSE_DELIM.finditer(text):
        ch = m.group()
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and (ch != "." or _sentence_end(text, m.start())):
            yield text[start : m.start()]
            if ch in (_MAY, _END_MAY):
                yield ch
            start = m.end()
    yield text[start:]


def _locant(before: str, after: str) -> bool:
    """Does a comma between these join a chemical name ("1,2-Hexanediol", "4,4a,5,9b-", "1, 2-")?"""
    if not before or not after or not before[-1].isalnum():
        return False
    if after[0].isdigit():
        return True
    single_digit = before[-1].isdigit() and (len(before) < 2 or before[-2] in " (")  # not "124-13-0, 2"
    if single_digit:
        return bool(_LOCANT_COMMA.match(after))
    return bool(_ONE_LOCANT.match(after)) and bool(_OPEN_LOCANT_END.search(before))


def _pieces(text: str, index_names: bool = True) -> list[str]:
    """Depth-0 comma split: bracket contents are masked (innermost out), then split in C.
    `index_names`: keep a chemical index name's pieces together (below)."""
    masked = text
    if "(" in text or "[" in text or "{" in text:
        for _ in range(16):
            peeled = _INNER_GROUP.sub(lambda m: m.group().translate(_MASK), masked)
            if peeled == masked:
                break
            masked = peeled
    out: list[str] = []
    spans: list[tuple[int, int]] = []  # of each piece in `masked`
    start = 0
    for part in masked.split(","):  # masking keeps lengths: slice the original text
        end = start + len(part)
        if out and _locant(out[-1], text[start:end]):
            out[-1] += "," + text[start:end]
            spans[-1] = (spans[-1][0], end)
        else:
            out.append(text[start:end])
            spans.append((start, end))
        start = end + 1
    if index_names and len(out) > 1 and _DEPENDENT_HINT.search(text):  # rare: chemical index names
        joined, heads = out[:1], out[:1]  # heads: the first piece of each joined one
        forward = False  # "Alpha,alpha-Dimethylphenethyl Butyrate": a bare greek locant opens the next name
        for i, (part, (a, b)) in enumerate(zip(out[1:], spans[1:], strict=True), start=1):
            if forward or (_dependent(joined[-1], masked[a:b]) and not _greek_opens_next(out, i)
                           and not _SUBSTITUTED.search(heads[-1])):
                joined[-1] += "," + part
            else:
                joined.append(part)
                heads.append(part)
            forward = _greek_opens_next(out, i)
        out = joined
    return [p.strip() for p in out if p.strip(" \t")]


# A chemical (CAS) index name is printed inverted, parent first, and its commas are part of it:
# "Cyclopentaneacetic acid, 3-oxo-2-pentyl-, methyl ester", "Benzoic acid, 2-hydroxy-, (3Z)-3-hexen-1-yl
# ester", "2H-Pyran-4-ol, tetrahydro-4-methyl-2-(2-methylpropyl)". A piece that cannot stand alone joins
# the piece before it; an ingredient name never has this shape, so two real ingredients are never glued.
_DEPENDENT_HINT = re.compile(r"-|ester|alpha|beta|gamma|oxybis|acetate|propanoate", _I)
_HYPHEN_EDGE = re.compile(r"^-\d|-$")  # "-3-hexen-1-yl ester", "3-oxo-2-pentyl-", "(3ar,5as,9as,9br)-"
_CHEMICAL = re.compile(r"\d|alpha|beta|gamma|cis|trans|bis|oxy|hydro|methyl", _I)
_ESTER = re.compile(r"^\S*yl ester$", _I)  # "methyl ester", "1-methylethyl ester" (an INCI name says whose)
_GREEK = re.compile(r"^\.?(?:alpha|beta|gamma|delta)\.?$", _I)
_SUBSTITUENT = re.compile(  # a locant-led prefix with no parent: "3,7-dimethyl", "dodecahydro-3a,6,6,9a-tetramethyl"
    r"^(?=\S*(?:\d[a-z]?-|\.(?:alpha|beta)\.))\S*(?:(?:yl|hydroxy|methoxy|ethoxy|oxo|hydro)|-\([^()\s]*yl\))$"
    r"|^oxybis$", _I)  # not "Poly(oxy-1,2-ethanediyl)", a parent of its own
# The parent heading of an inverted index name carries no substituent of its own ("Cyclopentaneacetic acid",
# "1,6-Nonadien-3-ol"); a name that does ("1,2,3,3a,...-Octahydro-4,8-Dimethyl-...-6-Azulenol") is complete,
# and what follows it is another ingredient.
# Not an indicated hydrogen ("2(3H)-Furanone") nor the "oxo" inside a ring name ("1,3-Benzodioxole").
_SUBSTITUTED = re.compile(r"\((?!\d+[a-z]?h\))|methyl|ethyl|propyl|butyl|hydro|hydroxy|methoxy|ethoxy|(?<![a-z])oxo", _I)
# a stereo descriptor printed after the name it qualifies: "(3aR,5aS,9aS,9bR)", "(12E)", "(E)", "(2S)"
_STEREO = re.compile(r"^\((?:\d+[a-z]?)?[rsez](?:,(?:\d+[a-z]?)?[rsez])*\)-?$", _I)
_ANION = re.compile(r"^(?:\d-)?(?:acetate|propanoate)$", _I)  # only after a dangling substituent (_dependent)
# a locant ("1,6-Nonadien-3-ol"), not a carbon-chain range ("C12-15, Acetate" are two alternatives)
_LOCANT_IN = re.compile(r"(?<!\w)\d+(?:,\d+)*-")
_MASKED_GROUP = re.compile(r"\s+[\x11\x13\x15].*$", re.DOTALL)  # a trailing "(floral note/safe synthetic)"


_GREEK_LOCANT = re.compile(r"\s*\.?(?:alpha|beta|gamma|delta)\.?-", _I)


def _greek_opens_next(pieces: list[str], i: int) -> bool:
    """Is pieces[i] a bare greek letter that the next piece continues ("Alpha", "alpha-Dimethyl...")?"""
    return (i + 1 < len(pieces) and bool(_GREEK.match(pieces[i].strip()))
            and bool(_GREEK_LOCANT.match(pieces[i + 1])))


def _dependent(before: str, masked_part: str) -> bool:
    """Is this comma piece the tail of a chemical index name begun in `before` (see above)?"""
    core = _MASKED_GROUP.sub("", masked_part.strip()).translate(_UNMASK).strip()
    if not core or not before.strip():
        return False
    if _STEREO.match(core):  # names nothing alone; only after a name with locants ("..., (12E)")
        return before.rstrip().endswith("-") or bool(_LOCANT_IN.search(before))
    if not _DEPENDENT_HINT.search(masked_part):
        return False
    if _HYPHEN_EDGE.search(core):
        return core[0] == "-" or bool(_CHEMICAL.search(core))
    if _ESTER.match(core) or _SUBSTITUENT.match(core):
        return True
    if _GREEK.match(core):  # ".alpha." of "3-Cyclopentene-1-butanol, .alpha.,.beta.,2,2,3-pentamethyl"
        return any(c.isdigit() for c in before)
    # "..., 3,7-dimethyl-, acetate": after a dangling substituent or an index name already joined, never
    # after a complete name with locants ("1,2-Hexanediol, Acetate" are two items)
    return bool(_ANION.match(core)) and (before.rstrip().endswith("-") or ", " in before)


def _label_colon(text: str) -> int | None:
    """Position of the first depth-0 colon that introduces something, if any."""
    depth = 0
    for m in _COLON_DELIM.finditer(text):
        ch, i = m.group(), m.start()
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and not _NOT_LABEL_COLON.match(text, i + 1):
            return i
    return None


