"""Reading one comma piece of a declaration: its main name, alternative names, percentage, "nano".

Bracketed groups are alternative names ("Water (Aqua, Eau)") unless they belong to a chemical name
("Tris(...)"); slashes separate synonyms ("Water/Aqua/Eau") or are part of one name ("Caprylic/Capric
Triglyceride"); colour-index numbers, percentages, amounts and footnote marks are set aside.
"""

from __future__ import annotations

import re

from conseil.search.knowledge.cutting import _MASK, _UNMASK, _pieces
from conseil.search.knowledge.prose import _GROUP, _LETTER, _WORD
from conseil.search.knowledge.text import normalize_name

_I = re.IGNORECASE
# name, alternatives, percent, nano, repairs (what was set aside or read otherwise, for `via`)
_Fields = tuple[str, tuple[str, ...], float | None, bool, tuple[str, ...]]
_NOTE = "note"

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
    return name, tuple(dict.fromkeys(a for a in alternatives if a != name)), percent, nano, ()


# Repairs of one piece, each recorded on the item (InciItem.repairs) so a user sees why it reads so:
_LOT = re.compile(r"(?<![\w/])[a-z]\d{6}/\d(?![\w/])", _I)  # "Iron Oxide V282466/1": a batch code
_CL = re.compile(r"\bcl\.?\s*(?=[1-7]\d{4}(?:\b|:))", _I)  # "CL 77492": CI misread before a colour index
REPAIR_LOT = "batch code set aside"
REPAIR_CL = "CL read as CI (colour index)"
REPAIR_INDEX = "chemical index name rejoined across its commas"


def _read_piece(piece: str) -> _Fields | str | None:
    """What one comma-separated piece is: an item's fields, _NOTE (set aside) or None (nothing)."""
    repairs: list[str] = []
    if "/" in piece and _LOT.search(piece):
        codes = _LOT.findall(piece)
        piece = " ".join(_LOT.sub(" ", piece).split())
        if not _LETTER.search(piece):  # a bare "C179346/1" is no ingredient: kept as a note
            return _NOTE
        repairs.append(f"{REPAIR_LOT}: {' '.join(codes)}")
    if _CL.search(piece):
        piece = _CL.sub("CI ", piece)
        repairs.append(REPAIR_CL)
    if "," in piece and len(_pieces(piece, index_names=False)) > 1:
        repairs.append(REPAIR_INDEX)
    read = _read_fields(piece)
    if repairs and isinstance(read, tuple):
        return (*read[:4], tuple(repairs))
    return read


def _read_fields(piece: str) -> _Fields | str | None:
    """_read_piece once the piece is repaired."""
    if _SIMPLE.fullmatch(piece) and not _SLOW_HINT.search(piece) and not (
            _DIGIT.search(piece) and _SLOW_DIGITS.search(piece)):
        name = _norm(piece)  # fast path for the common "Sodium Hyaluronate": same result, far quicker
        if name and not _PLACEHOLDER.match(name):
            return name, (), None, False, ()
    core = _strip_lead(piece).strip()
    words = [w.lower() for w in _WORD.findall(core)]
    if not words or words in (["and"], ["etc"]):
        numbers = [f"ci {n}" for n in _FIVE_DIGITS.findall(core)]
        if numbers:  # "Ci 77491, 77492"
            return numbers[0], tuple(numbers[1:]), None, False, ()
        if _CAS_NUMBER.fullmatch(core.strip()):  # a CAS number printed for a name is an item, not a note
            return core.strip(), (), None, False, ()
        return _NOTE if _DIGIT.search(core) else None  # "75%": information, not an ingredient
    if _PLACEHOLDER.match(core) or (_MARKS.match(core) and set(words) <= _FOOTNOTE_WORDS):
        return _NOTE  # "No Info", "*Certified Organic"
    return _item_fields(piece) or _NOTE


