"""Reference lists and bibliographies: pages that cite studies rather than report one.

A bibliography page shares every word of a query with the papers it lists, so it ranks high and
answers nothing. Passages are recognised at query time from their text (no re-ingestion needed):
a "References"/"Bibliographie"/... heading, or a density of citation marks (et al., (2019), doi,
12(3): 45-67) that running prose never reaches. The engine puts them after the other passages.
"""

from __future__ import annotations

import re

_HEADING = re.compile(
    r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(references|reference list|bibliography|bibliographie|références( bibliographiques)?|literature cited|"
    r"works cited|literatur(verzeichnis)?|bibliografia|bibliografía|referencias|riferimenti( bibliografici)?|"
    r"piśmiennictwo|literatura|seznam literatury)\b", re.IGNORECASE)
HEADING_WINDOW = 400  # a heading line near the top (below a running head) counts as the passage's heading
_CITATION_MARKS = re.compile(
    r"\bet al\b\.?"  # Smith et al.
    r"|\(\s*(?:19|20)\d{2}[a-z]?\s*\)"  # (2019)
    r"|\b(?:19|20)\d{2}[a-z]?\s*[.;]"  # 2019.
    r"|\bdoi\s*[:.]|doi\.org"  # doi: / doi.org
    r"|\b\d+\s*\(\s*\d+\s*\)\s*[:,]\s*\d+"  # 12(3): 45
    r"|\bpp?\.\s*\d+\s*[-–]\s*\d+"  # pp. 45-67
    r"|\b\d+\s*[-–]\s*\d+\s*\.\s*$",  # 45-67. at a line end
    re.IGNORECASE | re.MULTILINE)
MIN_WORDS = 40
MARKS_PER_100_WORDS = 6.0


def looks_like_references(text: str, section: str | None = None) -> bool:
    """True for a passage of a reference list (its section heading, or the citation-mark density)."""
    if section and _HEADING.match(section.strip()):
        return True
    body = text.lstrip().lstrip("#").lstrip()
    for line in body[:HEADING_WINDOW].splitlines():
        heading = line.strip().lstrip("#").strip()
        if heading and len(heading) <= 40 and _HEADING.match(heading) and not _HEADING.sub("", heading).strip(" .:"):
            return True
    words = len(body.split())
    if words < MIN_WORDS:
        return False
    return len(_CITATION_MARKS.findall(body)) * 100.0 / words >= MARKS_PER_100_WORDS
