"""The other forms a label name may take before resolution (resolve.py) looks it up: the name without
qualifiers, grades, words around it and salt notation (`normalised_variants`, the `normalised` step), and
in another spelling system (`respell`, the `spelling` step). Each variant is only a candidate: resolution
takes it when it is a name of the knowledge base's tables, never otherwise."""

from __future__ import annotations

import re

_PARENS = re.compile(r"\([^()]*\)")
_PERCENT = re.compile(r"\s*\d+(?:[.,]\d+)?\s*%|\bnano\b|\(\s*\)|\s*(?:™|®|\btm\b)|\s+ci$")
_QUALIFIERS = re.compile(r"^(?:(?:certified|organic|natural|all[- ]natural|bio|wild|wildcrafted|fair ?trade|vegan|"
                         r"pure|cold[- ]pressed|virgin|extra virgin|unrefined|food[- ]grade)\b[ -]*)+(?=[a-z])")
# "Stearic Acid USP", "Citric Acid Anhydrous", "Indole Pure", "Linalool. 80% Vol" (the percent already cut)
_GRADE = re.compile(r"\.?\s+(?:usp|nf|bp|ep|jp|ph\.?\s*eur\.?|fcc|food grade|cosmetic grade|anhydrous|pure|vol|"
                    r"w/w)\.?$")
# What the product does, printed after the name: "Bentonite Clay", "Avobenzone 3% Sunscreen", "Citrus Aurantium
# Dulcis Peel Oil Fragrance"; the word's own family rules still count (analysis.py reads the name as written)
_DESCRIPTOR = re.compile(r"\s+(?:clay|sunscreen|fragrance|allergens?|antistatic agent)$")
# a stereo or chain prefix: "D-Sorbitol", "DL-Alpha Tocopheryl Acetate", "N-Butane" (the INCI name has none)
_ISOMER = re.compile(r"^(?:dl|d|l|n)-(?=[a-z]{3})")
_GREEK_AFTER = re.compile(r"^(?P<name>[a-z]+) (?P<greek>alpha|beta|gamma)$")  # "Terpineol Alpha": alpha-terpineol
_SALT = re.compile(r"^(?P<stem>[a-z0-9 ,-]+?)ic acid,? \(?(?P<metal>sodium|potassium|calcium|magnesium|zinc|"
                   r"ammonium|disodium|dipotassium) salt\)?$")
_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"sulph", "sulf"),
    (r"aluminium", "aluminum"),
    (r"(?<=[a-z])meticon", "methicon"),  # INN: Dimeticone, Simeticone
    (r"(?<=methic)on\b", "one"),  # Dimethicon (German labels)
    (r"(?<=silox)an\b", "ane"),
    (r"\bglycerine\b", "glycerin"),
    (r"\bcaffein\b", "caffeine"),
    (r"glycyrrhizinate\b", "glycyrrhizate"),  # the Japanese pharmacopoeia's "Dipotassium Glycyrrhizinate"
    (r"\blanoline\b", "lanolin"),
    (r"\bvaseline\b", "petrolatum"),
    (r"\bcolour\b", "color"),
    (r"\bflavour\b", "flavor"),
    (r"\boestr", "estr"),
    (r"(?<=glyceride)s\b", ""),  # "Caprylic/Capric Triglycerides": INCI names are singular
    (r"(?<=[a-z] )essential oil$", "oil"),  # "Lavandula Angustifolia Essential Oil": INCI writes "Oil"
))


def normalised_variants(key: str) -> list[str]:
    """The name without 'organic'-style qualifiers, a grade, a word saying what the product does, an isomer
    prefix, parentheses, percentages and 'nano'; with a Greek letter put first ("Terpineol Alpha"); and in
    salt notation rewritten. Each cut applies to what the previous ones left."""
    out: list[str] = []
    original = key
    qualified = _QUALIFIERS.sub("", key)
    if qualified != key:  # "organic aloe barbadensis leaf juice"
        out.append(qualified)
        key = qualified
    for pattern in (_GRADE, _DESCRIPTOR, _ISOMER):
        cut = pattern.sub("", key)
        if cut != key:
            out.append(cut)
            key = cut
    greek = _GREEK_AFTER.match(key)
    if greek:
        out.append(f"{greek['greek']}-{greek['name']}")
    salt = _SALT.match(key)
    if salt:  # "hyaluronic acid (sodium salt)" -> "sodium hyaluronate"
        out.append(f"{salt['metal']} {salt['stem'].strip()}ate")
    if "(" in key:
        out.append(" ".join(_PARENS.sub(" ", key).split()))
    if "%" in key or "nano" in key or "()" in key or "tm" in key or "™" in key or "®" in key or key.endswith(" ci"):
        out.append(" ".join(_PERCENT.sub(" ", out[-1] if "(" in key else key).split()))
    return [v for v in dict.fromkeys(out) if v and v != original]


def respell(key: str) -> str:
    """The name in the INCI spelling system (sulfate, aluminum, -methicone...): the `spelling` step."""
    for pattern, replacement in _SPELLINGS:
        if pattern.search(key):
            key = pattern.sub(replacement, key)
    return key
