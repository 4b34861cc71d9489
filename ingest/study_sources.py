"""What a study file is and what is known about it: the walk, sidecar metadata, and inference.

`walk_studies(paths)` lists every file under the given paths, each with its display path, its kind
and the sidecar metadata that applies to it. It reads no PDF and raises `SourceError` before
anything is written when a path does not exist or holds no file at all.

Sidecar metadata (optional, JSON). For a file `report.pdf`, `report.pdf.meta.json` applies to it
alone; `study.json` in a folder applies to every file in that folder; the file's own sidecar wins
field by field. Fields (all optional):

    {"title": "Sensitive skin brief", "year": 2024, "market": "FR", "language": "fr",
     "study_type": "report", "audience": "analyst"}

Without a sidecar: the title comes from the document (largest font on page 1, PDF metadata, first
Markdown heading or first line), the year from the file name, a copyright/publication line, the
folder name or the PDF creation date (in that order), the language from a stop-word detector
(en/fr/es/it/de/pl/cs, Hangul for ko), the market is "global", the audience "analyst", and the
study type "survey" for tables, otherwise guessed from the first page ("peer-reviewed" when it
carries a DOI, journal or received/accepted line; "guidance"; "course-notes"; else "report").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from conseil.search.errors import SourceError
from conseil.search.query.language_data import by_language

DEFAULT_MARKET = "global"
DEFAULT_AUDIENCE = "analyst"
SIDECAR_SUFFIX = ".meta.json"
FOLDER_SIDECAR = "study.json"
SIDECAR_FIELDS = ("title", "year", "market", "language", "study_type", "audience")
KINDS = {".pdf": "pdf", ".md": "text", ".markdown": "text", ".txt": "text", ".csv": "survey"}
# Files that travel with data but are not studies: provenance and licence notes.
# A folder's own README describes the collection, not a study (an upstream README_x.md is kept).
_NOT_STUDIES = re.compile(r"^(?:source|sources|license|licence|copying|notice)(?:[._-].*)?\.(?:txt|md)$"
                          r"|^readme(?:\.(?:md|txt|markdown))?$", re.IGNORECASE)

# Frequent words of running text per language (`corpora/language/grammar.json`), for detect_language.
_STOPWORDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {lang: frozenset(ws) for lang, ws in by_language("grammar.json", "document_stop_words").items()})


class FileRejected(SourceError):
    """One file cannot be ingested; the run goes on. `reason` is the short report category."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class StudyFile:
    path: Path  # absolute
    key: str  # display/stored path: "<root folder name>/<path under it>"
    root_key: str  # the key prefix of the root it was found under (what --sync may delete within)
    kind: str | None  # "pdf" | "text" | "survey"; None for files that are not studies
    sidecar: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skip: str | None = None  # why the file is listed but not ingested
    codebook: Path | None = None  # survey tables: the codebook found next to them


@dataclass(frozen=True)
class StudyMeta:
    title: str
    year: int | None
    market: str
    language: str | None
    study_type: str
    audience: str


# -- walking ----------------------------------------------------------------------------------


def walk_studies(paths: list[Path]) -> list[StudyFile]:
    """Every file under `paths`, sorted, or `SourceError`. Hidden entries and `__pycache__`
    folders are left out; every other file is listed (with `skip` set when it is not a study)."""
    files: list[StudyFile] = []
    seen: set[Path] = set()
    for given in paths:
        root = given.expanduser().resolve()
        if not root.exists():
            raise SourceError(f"{given} does not exist: give a study file or a folder of studies.")
        if root.is_file():
            candidates = [root]
            base = root.parent
        else:
            # Hidden entries and Python caches are tooling, not data: they get no report line.
            candidates = sorted(p for p in root.rglob("*") if p.is_file() and not any(
                part.startswith(".") or part == "__pycache__" for part in p.relative_to(root).parts))
            base = root.parent
        root_key = root.name if root.is_file() else root.name + "/"
        for path in candidates:
            if path in seen:  # the same file given twice (a folder and a file in it)
                continue
            seen.add(path)
            files.append(_describe(path, path.relative_to(base).as_posix(), root_key))
    if not files:
        raise SourceError(f"No files under {', '.join(map(str, paths))}: nothing to ingest.")
    return files


def _describe(path: Path, key: str, root_key: str) -> StudyFile:
    name = path.name
    kind = KINDS.get(path.suffix.lower())
    item = StudyFile(path=path, key=key, root_key=root_key, kind=kind)
    if name == FOLDER_SIDECAR:
        item.kind, item.skip = None, "sidecar metadata for the files of this folder"
    elif name.endswith(SIDECAR_SUFFIX):
        target = name[: -len(SIDECAR_SUFFIX)]
        orphan = "" if (path.parent / target).exists() else " (that file is missing: renamed without it?)"
        item.kind, item.skip = None, f"sidecar metadata for {target}{orphan}"
    elif _NOT_STUDIES.match(name):
        what = "folder description" if name.lower().startswith("readme") else "provenance or licence note"
        item.kind, item.skip = None, f"{what}, not a study"
    elif kind is None:
        item.skip = f"unsupported file type {path.suffix or '(none)'}"
    else:
        item.sidecar, item.notes = read_sidecars(path)
    return item


def read_sidecars(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The merged sidecar metadata of a study file (folder `study.json`, then `<file>.meta.json`)."""
    merged: dict[str, Any] = {}
    notes: list[str] = []
    for sidecar in (path.parent / FOLDER_SIDECAR, path.with_name(path.name + SIDECAR_SUFFIX)):
        if not sidecar.is_file():
            continue
        try:
            raw = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            notes.append(f"sidecar {sidecar.name} ignored: {exc}")
            continue
        if not isinstance(raw, dict):
            notes.append(f"sidecar {sidecar.name} ignored: not a JSON object")
            continue
        unknown = sorted(set(raw) - set(SIDECAR_FIELDS))
        if unknown:
            notes.append(f"sidecar {sidecar.name}: unknown fields ignored: {', '.join(unknown)}")
        for key in SIDECAR_FIELDS:
            if key in raw and raw[key] not in (None, ""):
                value = _sidecar_value(key, raw[key])
                if value is None:
                    notes.append(f"sidecar {sidecar.name}: invalid {key} {raw[key]!r} ignored")
                else:
                    merged[key] = value
    return merged, notes


def _sidecar_value(key: str, value: Any) -> Any:
    if key == "year":
        try:
            year = int(value)
        except (TypeError, ValueError):
            return None
        return year if 1900 <= year <= date.today().year + 1 else None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if key == "language":
        return text.lower() if re.fullmatch(r"[A-Za-z]{2}", text) else None
    if key == "market":
        return text.upper() if len(text) == 2 else text
    return text


# -- text -------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str | None]:
    """(text, note): UTF-8 (BOM allowed), else cp1252, else UTF-8 with replacement characters."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not UTF-8 (decoded as Windows-1252)"
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "not UTF-8 (decoded with replacement)"


def detect_language(text: str) -> str | None:
    """ISO 639-1 code from stop-word frequencies (Hangul share for Korean); None when unsure."""
    sample = text[:20000]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return None
    hangul = sum("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" for ch in letters)
    if hangul / len(letters) >= 0.2:
        return "ko"
    words = re.findall(r"[^\W\d_]+", sample.lower())
    if not words:
        return None
    counts = Counter(words)
    scores = {lang: sum(counts[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] < 3 or scores[best] < 0.08 * len(words):
        return None
    return best


def humanise_stem(path: Path) -> str:
    """"skincare_survey_malaysia_2021.csv" -> "Skincare survey malaysia 2021"."""
    text = re.sub(r"[_\-.]+", " ", path.stem).strip()
    return text[:1].upper() + text[1:] if text else path.name


def first_text_title(text: str, *, markdown: bool) -> str | None:
    """The first Markdown heading, else the first short non-empty line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if markdown:
        for line in lines:
            if re.match(r"^#{1,6}\s+\S", line):
                return re.sub(r"[*_`]+", "", line.lstrip("#")).strip()[:200]
    for line in lines[:5]:
        if 3 <= len(line) <= 150 and sum(ch.isalpha() for ch in line) >= 3:
            return re.sub(r"^[#*\s]+", "", line)[:200]
    return None


# -- inference --------------------------------------------------------------------------------


def plausible_year(value: int | None) -> int | None:
    return value if value is not None and 1950 <= value <= date.today().year + 1 else None


def _year_in(text: str) -> int | None:
    match = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", text)
    return plausible_year(int(match.group(1))) if match else None


def infer_year(path: Path, first_pages: str, metadata_year: int | None) -> int | None:
    """File name, then a copyright/publication line, then the folder name, then PDF metadata."""
    in_stem = _year_in(path.stem)
    if in_stem:
        return in_stem
    stated = re.search(r"(?:©|\(c\)|copyright|published(?: online)?|publié|publicado)\s*:?\s*"
                       r"(?:\d{1,2}\s+\w+\s+)?((?:19|20)\d\d)(?!\d)", first_pages, re.IGNORECASE)
    if stated and plausible_year(int(stated.group(1))):
        return int(stated.group(1))
    return _year_in(path.parent.name) or plausible_year(metadata_year)


def infer_study_type(kind: str, title: str, first_pages: str, name: str = "") -> str:
    if kind == "survey":
        return "survey"
    head = f"{name.replace('_', ' ')}\n{title}\n{first_pages}".lower()
    if re.search(r"trace [ée]crite|capsule pr[ée]paratoire|course notes|lecture notes|fiche méthode", head):
        return "course-notes"
    if re.search(r"\bguidance\b|\bguideline|lignes? directrices?|\bopinion on\b", head):
        return "guidance"
    if re.search(r"\bdoi\b|doi\.org|journal\b|\bissn\b|\bkeywords\b|received:?\s|accepted:?\s", head):
        return "peer-reviewed"
    return "report"


def resolve_meta(item: StudyFile, *, kind: str, found_title: str | None, text: str,
                 metadata_year: int | None = None, head: str | None = None,
                 data_year: int | None = None) -> StudyMeta:
    """Sidecar values first, inferred values for the rest. `head`: the first page(s), where
    copyright lines and journal names are; `data_year`: a year read from the data itself."""
    side = item.sidecar
    first_pages = text[:8000] if head is None else head
    title = side.get("title") or found_title or humanise_stem(item.path)
    return StudyMeta(
        title=title,
        year=side.get("year") or infer_year(item.path, first_pages, metadata_year) or plausible_year(data_year),
        market=side.get("market") or DEFAULT_MARKET,
        language=side.get("language") or detect_language(text),
        study_type=side.get("study_type") or infer_study_type(kind, title, first_pages, item.path.name),
        audience=side.get("audience") or DEFAULT_AUDIENCE,
    )
