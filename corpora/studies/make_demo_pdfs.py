"""Generate the demo study PDFs from text, with a minimal pure-Python PDF writer.

Neither reportlab nor fpdf2 is a dependency, and the demo needs only text: Helvetica (a standard
font every reader has), WinAnsi encoding (Latin-1 plus French accents), one content stream per
page, a document info dictionary and an exact cross-reference table. Tests use `text_pdf` to
build small PDFs with running headers/footers and known page contents.

    python corpora/studies/make_demo_pdfs.py        # rewrites the PDFs next to this script

The figures come from the Skinguide consumer skincare survey by Alida Labs (CC BY 4.0,
https://github.com/alida-labs/skinguide): the aggregate statistics of its 19,128 responses and
the 19-response public sample. The texts are the project's own summaries of those figures.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

Line = tuple[str, float]  # (text, font size); size >= 13 is set in bold
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 595, 842, 56  # A4, in points


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _wrap(lines: Sequence[Line]) -> list[Line]:
    out: list[Line] = []
    for text, size in lines:
        width = max(20, int((PAGE_WIDTH - 2 * MARGIN) / (size * 0.55)))
        out.extend((part, size) for part in (textwrap.wrap(text, width) or [""]))
    return out


def _stream(lines: Sequence[Line], header: str | None, footer: str | None) -> bytes:
    ops = []
    if header:
        ops.append(b"BT /F1 8 Tf 1 0 0 1 %d %d Tm (" % (MARGIN, PAGE_HEIGHT - 30) + _escape(header) + b") Tj ET")
    y = PAGE_HEIGHT - MARGIN - 10
    for text, size in _wrap(lines):
        font = b"/F2" if size >= 13 else b"/F1"
        if text:
            ops.append(b"BT " + font + b" %g Tf 1 0 0 1 %d %d Tm (" % (size, MARGIN, y) + _escape(text) + b") Tj ET")
        y -= int(size * 1.45)
    if footer:
        ops.append(b"BT /F1 8 Tf 1 0 0 1 %d 30 Tm (" % MARGIN + _escape(footer) + b") Tj ET")
    return b"\n".join(ops)


def text_pdf(pages: Sequence[Sequence[Line]], *, title: str | None = None, created: str | None = None,
             header: str | None = None, footer: str | None = None) -> bytes:
    """A PDF with one page per item of `pages`. `footer` may use {page} and {pages}."""
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    tree = add(b"")
    regular = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    for number, lines in enumerate(pages, 1):
        foot = footer.format(page=number, pages=len(pages)) if footer else None
        content = _stream(lines, header, foot)
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                        % (tree, PAGE_WIDTH, PAGE_HEIGHT, stream, regular, bold)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                         + b"] /Count %d >>" % len(kids))
    info_items = []
    if title:
        info_items.append(b"/Title (" + _escape(title) + b")")
    if created:
        info_items.append(b"/CreationDate (D:" + created.encode() + b")")
    info = add(b"<< " + b" ".join(info_items) + b" >>")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, catalog, info, xref)
    return bytes(out)


# -- the demo studies -----------------------------------------------------------------------

ATTRIBUTION = ("Source: Skinguide consumer skincare survey, Alida Labs, CC BY 4.0, "
               "github.com/alida-labs/skinguide. Figures summarised by the Conseil project.")

PROFILE_EN: list[list[Line]] = [
    [("Skinguide Consumer Profile: Who Answered and What They Look For", 18),
     ("A demo study for Conseil, built from public survey figures.", 11),
     ("1. Summary", 14),
     (("The Skinguide survey gathered 19,128 responses between 2020 and 2024 through a mobile "
      "application that recommended third-party skincare products. Respondents are overwhelmingly "
      "women (98.8%), and combination skin is the most common self-described skin type (39.5%), "
      "ahead of oily (20.1%) and dry (19.2%) skin."), 11),
     ("2. Age of respondents", 14),
     (("Age was given by 19,126 respondents, from 14 to 98 years old, with a mean of 35.0 and a "
      "median of 32.0. The 18-25 group is the largest: 7,080 respondents (37.0%). Then come 26-35 "
      "with 3,940 (20.6%), 36-45 with 3,135 (16.4%), 46-55 with 2,112 (11.0%) and 55+ with 2,859 "
      "(14.9%)."), 11)],
    [("3. Gender and ethnicity", 14),
     (("Female respondents number 18,903 (98.8%), male 119 (0.6%) and non-binary 106 (0.6%). "
      "Self-described ethnicity: White / Caucasian 10,430 (54.5%), Hispanic 3,165 (16.5%), Black or "
      "African American 2,398 (12.5%), Asian 1,290 (6.7%), Other 468 (2.4%), Multi-Ethnic 447 "
      "(2.3%), South Asian 399 (2.1%), American Indian 336 (1.8%), Middle Eastern 195 (1.0%)."), 11),
     ("4. Skin types", 14),
     (("Combination 7,557 (39.5%), oily 3,847 (20.1%), dry 3,673 (19.2%), normal 1,458 (7.6%); "
      "1,441 respondents (7.5%) say their skin type changes and 1,152 (6.0%) are not sure. Nearly "
      "one respondent in seven cannot name a stable skin type: advisors should ask about the "
      "season and the routine before recommending a texture."), 11)],
    [("5. What the public sample adds", 14),
     (("The 19-response public sample is too small for market figures but shows the shape of the "
      "answers: 10 of 19 respondents (52.6%) say they have sensitive skin; moisturizers (17 of 19) "
      "and cleansers (16 of 19) are in almost every routine; stress (15 of 19), diet and weather "
      "(13 of 19 each) are the factors most often said to affect the skin."), 11),
     ("6. Limitations", 14),
     (("The same person may appear several times, because answers were anonymised per session. "
      "The panel comes from users of a recommendation app, not a random sample of consumers."), 11),
     (ATTRIBUTION, 9)],
]

BRIEF_FR: list[list[Line]] = [
    [("Peaux sensibles et routines : ce que disent les répondants Skinguide", 18),
     ("1. Contexte", 14),
     (("Cette note résume, pour l'équipe française, l'échantillon public de l'enquête Skinguide "
      "(19 réponses) et les statistiques globales de l'enquête (19 128 réponses, 2020-2024). "
      "Les chiffres de l'échantillon sont indicatifs : ils ne représentent pas un marché."), 11),
     ("2. Peau sensible", 14),
     (("Dans l'échantillon, 10 répondants sur 19 (52,6 %) déclarent avoir la peau sensible. Les "
      "facteurs cités comme affectant la peau sont le stress (15 sur 19), l'alimentation et la "
      "météo (13 sur 19 chacun), le sommeil (10 sur 19) et les allergènes (4 sur 19)."), 11)],
    [("3. Routines et attentes", 14),
     (("La crème hydratante (17 sur 19) et le nettoyant (16 sur 19) font partie de presque toutes "
      "les routines, devant le sérum ou traitement (12 sur 19) et la lotion tonique (11 sur 19). "
      "Parmi les restrictions d'ingrédients, « sans parfum » et « cruelty free » sont citées par "
      "4 répondants sur 19 chacune ; 8 n'expriment aucune préférence."), 11),
     ("4. Conseil en magasin", 14),
     (("Une cliente sur deux pouvant se dire sensible, il est utile de proposer d'abord des "
      "formules sans parfum et de vérifier la liste INCI avant de conseiller un actif exfoliant."), 11),
     (("Source : enquête Skinguide, Alida Labs, licence CC BY 4.0, github.com/alida-labs/skinguide. "
      "Synthèse réalisée par le projet Conseil."), 9)],
]

DEMO_PDFS = {
    "skinguide-consumer-profile.pdf": (PROFILE_EN, "Skinguide Consumer Profile", "20240915120000Z",
                                       "Conseil demo study - Skinguide consumer profile", "Page {page} of {pages}"),
    "peaux-sensibles-skinguide-fr.pdf": (BRIEF_FR, "Peaux sensibles et routines", "20240920120000Z",
                                         "Conseil - note d'étude - peaux sensibles", "Page {page} / {pages}"),
}


def main() -> None:
    here = Path(__file__).resolve().parent
    for name, (pages, title, created, header, footer) in DEMO_PDFS.items():
        (here / name).write_bytes(text_pdf(pages, title=title, created=created, header=header, footer=footer))
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
