"""INCI declaration parser: raw ingredient text -> items, kit variants and set-aside notes.

Trust is the product: an advisor tells a client "paraben-free" on the strength of what this
module extracts, so every ambiguous case is resolved by *keeping* text as an item (an unknown
item is harmless, a lost one can hide an excluded ingredient). Prose, marketing bullets and
footnote definitions are set aside as `notes`, never silently dropped.

`analysis.analyze` then looks every item up in the knowledge base (main name, alternative names,
pattern rules and known names found inside the item text), so missing commas in the source
("Parfum (Fragrance) D-Limonene") still surface every family.

Why one module of ~600 lines: it is one grammar. Each regular expression sits beside the step that
uses it, and the steps run in one order; a split would separate the repairs from the cases (real
labels of the Sephora export) that made each of them necessary.

Pipeline: element (Sephora stores a Python list of strings) -> `_prepare` (repairs and markers)
-> clauses (sentences, at depth 0) -> label colons ("Shade A:", "May contain:", "-Niacinamide:")
-> comma pieces -> `_read_piece` (one item, a note, or nothing).
"""

from __future__ import annotations

import ast
import html
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from conseil.search.knowledge.text import normalize_name


@dataclass(frozen=True)
class InciItem:
    raw: str  # the item text as written (trimmed)
    name: str  # normalize_name() of the main name, without percentages, footnote marks, "nano"
    alternatives: tuple[str, ...]  # normalised names given in parentheses or after slashes
    variant: str | None  # kit/shade label the item belongs to, if any
    may_contain: bool  # listed under "May contain / +/-": still counts as present for exclusions
    percent: float | None
    nano: bool


@dataclass(frozen=True)
class Declaration:
    items: tuple[InciItem, ...]
    variants: tuple[str, ...]
    notes: tuple[str, ...]  # prose and marketing text set aside (never lost: kept here)


_I = re.IGNORECASE
_MEMO_SIZE = 200_000  # bound of CachedKnowledge's tables: emptied when full
_Fields = tuple[str, tuple[str, ...], float | None, bool]  # name, alternatives, percent, nano
_NOTE = "note"

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


def _pieces(text: str) -> list[str]:
    """Depth-0 comma split: bracket contents are masked (innermost out), then split in C."""
    masked = text
    if "(" in text or "[" in text or "{" in text:
        for _ in range(16):
            peeled = _INNER_GROUP.sub(lambda m: m.group().translate(_MASK), masked)
            if peeled == masked:
                break
            masked = peeled
    out: list[str] = []
    start = 0
    for part in masked.split(","):  # masking keeps lengths: slice the original text
        part, start = text[start : start + len(part)], start + len(part) + 1
        if out and _locant(out[-1], part):
            out[-1] += "," + part
        else:
            out.append(part)
    return [p.strip() for p in out if p.strip(" \t")]


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


# --- prose -------------------------------------------------------------------------------------

_GROUP = re.compile(r"\(([^()\[\]]*)\)|\[([^()\[\]]*)\]|\{([^{}()\[\]]*)\}")  # innermost only
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_LETTER = re.compile(r"[^\W\d_]")
_STRONG = re.compile(  # words a sentence has and an ingredient name has not
    r"\b(?:please|refer|is|are|was|were|be|been|we|you|your|our|do|does|not|doesn't|don't|will|should"
    r"|must|shall|helps?|formulated|subject\s+to|free\s+(?:of|from)|without|made\s+(?:with|from|without)"
    r"|this|these|that|visit)\b|\b[^\W\d_]+-free\b", _I)
_FUNC = frozenset({
    "the", "a", "an", "of", "and", "or", "to", "in", "on", "for", "with", "from", "by", "as", "at", "into",
    "than", "while", "when", "which", "its",
})
_CLAIM = re.compile(r"\bwithout\b|\bfree\s+(?:of|from)\b|\bnot\s+(?:use|contain|include)|\bno\s+added\b", _I)
_FREE = re.compile(r"-\s*free\b", _I)
_INCI_HINT = re.compile(  # chemistry-looking: "Sodium Benzoate", "CI 77491", "PEG-40"
    r"\b(?:acid|oil|extract|glycol|water|aqua|sodium|potassium|c\.?i\.?\s*\d{5}|peg-?\d+"
    r"|[a-z]+(?:ate|ide|ol|one|ene|ine|cone|ane|ose|yl|ium))\b", _I)


def _top(text: str) -> str:
    """The text outside brackets (prose is judged on what the sentence itself says)."""
    for _ in range(8):
        stripped = _GROUP.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    return text


def _prose_like(piece: str) -> bool:
    if piece.count(" ") < 2 or (  # fast paths: ingredient names are short and have no sentence words
            not any(w in _FUNC for w in piece.lower().split()) and not _STRONG.search(piece)):
        return False
    top = _top(piece)
    if not _LETTER.search(top):  # a sentence wholly in brackets: "(10 ppm or less for products that ...)"
        top = piece
    words = _WORD.findall(top)
    if len(words) >= 3 and _STRONG.search(top):
        return True
    func = sum(w.lower() in _FUNC for w in words)
    lower = sum(w[0].islower() for w in words)
    return len(words) >= 5 and func >= 1 and (func * 4 >= len(words) or lower * 5 >= len(words) * 3)


def _is_prose(pieces: list[str], strong_first: bool = True) -> bool:
    """A sentence, a claim or a disclaimer rather than a list (decided on the whole clause)."""
    if not pieces:
        return False
    if _CLAIM.search(_top(pieces[0])):
        return True  # "Clean at Sephora products are formulated without parabens, sulfates, ..."
    if strong_first and _prose_like(pieces[0]) and _STRONG.search(_top(pieces[0])):
        return True  # after "Name:", a sentence: "Aloe Vera: Contains vitamins that are known to ..."
    need, hits, misses = len(pieces) // 2 + 1, 0, 0
    for piece in pieces:  # a strict majority of sentence-like pieces; stop once decided
        if _prose_like(piece):
            hits += 1
            if hits >= need:
                return True
        else:
            misses += 1
            if misses > len(pieces) - need:
                break
    # "Paraben-, Phthalate-, and Cruelty-Free."
    return any(p.endswith("-") for p in pieces) and any(_FREE.search(p) for p in pieces)


def _looks_like_list(pieces: list[str]) -> bool:
    """After a "-Name:" bullet: a list ("Water, Glycerin, Mica") rather than "Purifies skin"."""
    words = [w for p in pieces for w in _WORD.findall(_top(p))]
    func = sum(w.lower() in _FUNC for w in words)
    if any(_prose_like(p) for p in pieces) or func * 4 > len(pieces):
        return False
    # "-Liquid: Water" but not ": Sunscreen." nor ": Provide broad spectrum protection."
    chemistry = all(_INCI_HINT.search(p) for p in pieces) and all(w[0].isupper() for w in words)
    return len(pieces) >= 3 or chemistry


# --- items -------------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*[-–—•·]+\s*")
_LEAD_CONJ = re.compile(r"^(?:and|or|&)\s+", _I)
_MARKS = re.compile(r"[*†‡§¹²³⁴°※]+")
_MARKS_BLANK = str.maketrans(dict.fromkeys("*†‡§¹²³⁴°※", " "))
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|percent\b)", _I)
_AMOUNT = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|ml|iu|cfu)\b", _I)
_NANO = re.compile(r"(?<![\w-])nano(?![\w-])", _I)  # not "Non-Nano", not "Nano-Hydroxyapatite"
_CI = re.compile(r"\bc\.?\s*i\.?\s*(\d{5}(?::\d)?)\b", _I)
_FIVE_DIGITS = re.compile(r"(?<!\d)\d{5}(?!\d)")
_CAS_NUMBER = re.compile(r"\d{2,7}-\d{2}-\d")  # a bare five-digit number is a colour index
_CHEMICAL_BEFORE = re.compile(r"(?:\b(?:bis|tris|tetrakis)|[\d-])$", _I)  # "Tris(...)", "4-(...)"
_ALT_SPLIT = re.compile(r"[;/]|\s+or\s+")
_TWO_LETTERS = re.compile(r"[^\W\d_].*[^\W\d_]")
_DIGIT = re.compile(r"\d")
_NEGATION = re.compile(r"^(?:no|non|not|without|free\s+(?:of|from))\b|free$")  # "(No Paraffin)"
_CLASS_TAIL = re.compile(
    r"\b(?:copolymer|crosspolymer|polymer|glycerides?|triglycerides?|polyglycerides|ferment|filtrate"
    r"|lysate|esters?|glucoside|glucamide|dimethicone|methicone|polypeptide|extract|oil|wax|acid)$")
_FOOTNOTE_WORDS = frozenset({  # "*Certified Organic", "**Naturally derived": definitions, not items
    "organic", "organically", "certified", "natural", "naturally", "derived", "origin", "of", "from",
    "plant", "plants", "vegetable", "farming", "agriculture", "ingredients", "ingredient", "usda",
    "national", "program", "cultivation", "cultivated", "grown", "wild", "wildcrafted", "harvested",
    "fair", "trade", "traded", "biodynamic", "ecocert", "cosmos", "non-gmo", "sustainably", "sourced",
    "based", "plant-based", "the", "and", "by", "in", "nop",
})
_PLACEHOLDER = re.compile(r"^(?:no info|#name\?|n/?a|none|not available|tbd|coming soon)$", _I)
_SIMPLE = re.compile(r"[A-Za-z][A-Za-z0-9 '.&-]*")
_SLOW_HINT = re.compile(r"nano|percent|^(?:and|or|etc)\b", _I)
_SLOW_DIGITS = re.compile(r"\bc\.?\s*i\.?\s*\d|\d\s*(?:mg|mcg|ug|g|ml|iu|cfu)\b", _I)
_LOCANT_SPACE = re.compile(r"(?<=\d),\s+(?=\d)")
_AROUND_HYPHEN = re.compile(r" ?([-/]) ?")


def _norm(text: str) -> str:
    """normalize_name(), with a fast path for plain ASCII (most names), where folding is just
    lower-casing. Equality with normalize_name is a property test in tests/test_inci.py."""
    if not text.isascii():
        return normalize_name(text)
    text = " ".join(text.lower().replace("`", "'").split())
    if " -" in text or "- " in text or " /" in text or "/ " in text:
        text = _AROUND_HYPHEN.sub(r"\1", text)
    return text.strip(" .,;:*+")


def _clean(text: str) -> str:
    if _DIGIT.search(text):  # "C.I. 77491" -> "ci 77491", "1, 2-Hexanediol" -> "1,2-hexanediol"
        text = _LOCANT_SPACE.sub(",", _CI.sub(lambda m: "CI " + m.group(1), text))
    return _norm(text)


def _ci_fill(parts: list[str]) -> list[str]:
    return [("ci " + p) if _FIVE_DIGITS.fullmatch(p) else p for p in parts]  # "CI 77491/77492"


def _alternatives(group: str) -> list[str]:
    if "%" in group or "ercent" in group:
        group = _PERCENT.sub(" ", group)
    parts = [p for piece in _pieces(group) for p in _ALT_SPLIT.split(piece)]
    out = []
    for name in _ci_fill([_clean(_LEAD_CONJ.sub("", part.strip())) for part in parts]):
        if name == "nano" or not _TWO_LETTERS.search(name):
            continue  # "(nano)" is a flag; "(6A)", "(+)" name nothing
        if (name.startswith(("no", "wi", "fr")) or name.endswith("free")) and _NEGATION.search(name):
            continue  # "(Non-Nano)", "(No Paraffin)": not another name of the item
        out.append(name)
    return out


def _fragment(part: str) -> bool:
    """A piece of a slashed name that is no name alone: "PEG", "PPG-17", "VP", "Caprylic", "10"."""
    letters = re.sub(r"[^a-z]", "", part)
    short = len(letters) <= 4 and sum(c in "aeiou" for c in letters) <= 1
    return not letters or short or part.endswith("ic")


def _is_synonyms(parts: list[str]) -> bool:
    """"Water/Aqua/Eau" lists names of one thing; "Caprylic/Capric Triglyceride" is one name."""
    if any(p.startswith("ci ") for p in parts):
        return True
    if all(" " not in p for p in parts):
        return not any(map(_fragment, parts))
    if any(" " not in p for p in parts):
        return False
    tail = _CLASS_TAIL.search(parts[-1])  # "Seed Oil/Sunflower Seed Oil" vs "Acrylate/... Copolymer"
    return tail is None or parts[0].endswith(" " + tail.group())


def _strip_lead(piece: str) -> str:
    """Without a leading bullet dash or conjunction ("-Niacinamide", "and Tocopherol")."""
    if piece[:1] in "-–—•· ":
        piece = _BULLET.sub("", piece)
    return _LEAD_CONJ.sub("", piece) if piece[:1] in "aAoO&" else piece


def _item_fields(raw: str) -> _Fields | None:
    text = _strip_lead(raw).translate(_MARKS_BLANK)
    groups: list[str] = []

    def peel(m: re.Match[str]) -> str:
        start, end = m.span()
        glued = m.string[start - 1 : start].isalnum() and m.string[end : end + 1].isalnum()  # "[2,1-B]Furan"
        if glued or _CHEMICAL_BEFORE.search(m.string, max(0, start - 8), start):
            return m.group().translate(_MASK)  # "Tris(Tetramethylhydroxypiperidinol) Citrate": one name
        groups.append(m.group(m.lastindex or 1))
        return " "

    for _ in range(8 if "(" in text or "[" in text or "{" in text else 0):
        peeled = _GROUP.sub(peel, text)  # innermost first: "Butter Extract (Parkii (Shea) Extract)"
        if peeled == text:
            break
        text = peeled
    text = text.translate(_UNMASK)
    low = raw.lower()
    nano = "nano" in low and (bool(_NANO.search(text)) or any(_NANO.search(g) for g in groups))
    percent = None
    if "%" in low or "percent" in low:
        found = _PERCENT.search(text) or next((m for g in groups if (m := _PERCENT.search(g))), None)
        percent = float(found.group(1).replace(",", ".")) if found else None
        text = _PERCENT.sub(" ", text)
    colour_index: list[str] = []
    if _DIGIT.search(text):
        text = _AMOUNT.sub(" ", text)
        rest = _CI.sub(" ", text)
        if "/" not in text and rest != text and _LETTER.search(rest.replace("CI", "").replace("ci", "")):
            colour_index = [_clean(m.group()) for m in _CI.finditer(text)]  # "Titanium Dioxide Ci 77891"
            text = rest
    if nano:
        text = _NANO.sub(" ", text)
    parts = _ci_fill([p for p in (_clean(p) for p in text.split("/")) if p])
    alternatives = colour_index + [a for g in groups for a in _alternatives(g)]
    if len(parts) > 1 and _is_synonyms(parts):
        name, alternatives = parts[0], parts[1:] + alternatives
    elif len(parts) > 1:  # one slashed name; its parts still help lookups ("Cera Alba/Beeswax")
        name = "/".join(parts)
        alternatives = [p for p in parts if _TWO_LETTERS.search(p) and len(p) > 2] + alternatives
    else:
        name = parts[0] if parts else ""
    if not _LETTER.search(name):
        if not alternatives:
            return None
        name = alternatives[0]
    return name, tuple(dict.fromkeys(a for a in alternatives if a != name)), percent, nano


def _read_piece(piece: str) -> _Fields | str | None:
    """What one comma-separated piece is: an item's fields, _NOTE (set aside) or None (nothing)."""
    if _SIMPLE.fullmatch(piece) and not _SLOW_HINT.search(piece) and not (
            _DIGIT.search(piece) and _SLOW_DIGITS.search(piece)):
        name = _norm(piece)  # fast path for the common "Sodium Hyaluronate": same result, far quicker
        if name and not _PLACEHOLDER.match(name):
            return name, (), None, False
    core = _strip_lead(piece).strip()
    words = [w.lower() for w in _WORD.findall(core)]
    if not words or words in (["and"], ["etc"]):
        numbers = [f"ci {n}" for n in _FIVE_DIGITS.findall(core)]
        if numbers:  # "Ci 77491, 77492"
            return numbers[0], tuple(numbers[1:]), None, False
        if _CAS_NUMBER.fullmatch(core.strip()):  # a CAS number printed for a name is an item, not a note
            return core.strip(), (), None, False
        return _NOTE if _DIGIT.search(core) else None  # "75%": information, not an ingredient
    if _PLACEHOLDER.match(core) or (_MARKS.match(core) and set(words) <= _FOOTNOTE_WORDS):
        return _NOTE  # "No Info", "*Certified Organic"
    return _item_fields(piece) or _NOTE


# --- declaration -------------------------------------------------------------------------------

_GENERIC_LABEL = re.compile(  # labels that start no kit variant
    r"^(?:full |other |inactive |active |non-?medicinal |medicinal |key |main )?(?:ingredients?"
    r"|ingr[ée]dients|inci|composition|contains|allergens?|formula|base)\b|^all\b.*\bshades\b", _I)


class _Builder:
    """Walks clauses in order, carrying the current kit variant and may-contain section."""

    def __init__(self, memo: dict[str, _Fields | str | None] | None) -> None:
        self.memo = memo  # piece text -> what it reads as; shared across calls by CachedKnowledge
        self.items: list[InciItem] = []
        self.notes: list[str] = []
        self.variants: list[str] = []
        self.variant: str | None = None
        self.may = False
        self.next_may = False  # a "May contain:" element announces the next one
        self.next_claim = False  # a "Formulated without:" element announces prose, not items

    def element(self, element: str) -> None:
        self.may, self.next_may = self.next_may, False
        if self.next_claim:
            self.next_claim = False
            self.note(element)
            return
        clauses = [c for c in _clauses(_prepare(element)) if c in (_MAY, _END_MAY) or c.strip(" \t,")]
        for clause in clauses:
            if clause in (_MAY, _END_MAY):
                self.may = clause == _MAY
            else:
                self.clause(clause.strip(" \t,"), whole_element=len(clauses) == 1)
        self.next_may = self.next_may or (bool(clauses) and clauses[-1] == _MAY)  # "..., May Contain:"

    def clause(self, text: str, whole_element: bool) -> None:
        for _ in range(64):  # "Kit: Shade A: Water, ...": a loop rather than recursion, for hostile input
            pos = _label_colon(text)
            if pos is None:
                self.sentence(_pieces(text), text)
                return
            prefix, body = text[:pos], text[pos + 1 :]
            bullet = bool(_BULLET.match(prefix))
            head = _pieces(prefix)
            header_only = whole_element and not body.strip()  # a kit label element: "Shade A:"
            if _CLAIM.search(_top(prefix)):  # "Clean at Sephora products are formulated without: ..."
                self.note(text)
                self.next_claim = header_only
                return
            if not header_only and any(_prose_like(p) and _STRONG.search(_top(p)) for p in head):
                self.note(prefix)  # "... Dioxane must comply with the thresholds as follows: (...)"
                text = body.strip(" \t,")  # the body is judged on its own: a list stays items
                continue
            # A label element naming several shades ("Aura, Intuition, Zen:") is one label, but a
            # list glued to the next label ("..., Glycerin, Squalane Gel:") keeps its items.
            inci = sum(bool(_INCI_HINT.search(p)) for p in head)
            whole = bullet or (header_only and (len(head) < 3 or inci * 2 <= len(head)))
            before, label_pieces = ([], head) if whole else (head[:-1], head[-1:])
            body_pieces = _pieces(body)
            if body_pieces and (_is_prose(body_pieces) or (bullet and not _looks_like_list(body_pieces))):
                self.add(before + label_pieces)  # marketing bullet: keep the ingredient it names
                self.note(body.strip())
                return
            self.add(before + label_pieces if bullet else before)  # "-Name: ..." names an ingredient
            label = _BULLET.sub("", " ".join(", ".join(label_pieces).split())).strip(" .,;*")
            self.label(label, label_pieces, mid_list=bool(before), header_only=header_only)
            text = body.strip(" \t,")
        self.note(text)

    def sentence(self, pieces: list[str], text: str) -> None:
        if _is_prose(pieces, strong_first=False):
            self.note(text)
            return
        # Prose glued before a list ("Formulated with Hibiscus, whose flower is ..., Water, ..."):
        # set the sentence aside and keep the rest - losing the list would be worse.
        lead = 0
        while lead < len(pieces) - 1 and _prose_like(pieces[lead]) and _STRONG.search(pieces[lead]):
            lead += 1
        if lead:
            self.note(", ".join(pieces[:lead]))
        self.add(pieces[lead:])

    def label(self, label: str, pieces: list[str], mid_list: bool, header_only: bool) -> None:
        if _MARK_RE.search(label):
            self.may = True
            self.next_may = header_only
        elif not label or _GENERIC_LABEL.search(label):
            pass  # "Ingredients:", "Active Ingredients:": no new variant
        elif mid_list:  # a colon mid-list ("Terpineol Allergens: ...") may still name an ingredient
            self.add(pieces)
            if header_only:  # "..., Glycerin, Squalane + Probiotic Gel:" then that product's list
                self.set_variant(label)
        else:
            self.set_variant(label)

    def set_variant(self, label: str) -> None:
        self.variant, self.may = label, False
        if label not in self.variants:
            self.variants.append(label)

    def add(self, pieces: list[str]) -> None:
        memo = self.memo
        for piece in pieces:
            if memo is None:
                read = _read_piece(piece)
            elif piece in memo:
                read = memo[piece]
            else:
                if len(memo) >= _MEMO_SIZE:
                    memo.clear()
                read = memo[piece] = _read_piece(piece)
            if isinstance(read, tuple):
                name, alternatives, percent, nano = read
                self.items.append(InciItem(piece, name, alternatives, self.variant, self.may, percent, nano))
            elif read is not None:
                self.note(piece)

    def note(self, text: str) -> None:
        text = " ".join(text.split()).strip(" ,")
        if text and text not in self.notes:
            self.notes.append(text)


def parse_declaration(raw: str | None) -> Declaration:
    """Parse one ingredient declaration (plain text or Sephora's list literal). Never raises."""
    return _parse(raw, None)


def _parse(raw: str | None, memo: dict[str, _Fields | str | None] | None) -> Declaration:
    if not raw or not raw.strip():
        return Declaration((), (), ())
    builder = _Builder(memo)
    for element in _elements(raw):
        builder.element(element)
    return Declaration(tuple(builder.items), tuple(builder.variants), tuple(builder.notes))
