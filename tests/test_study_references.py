"""Reference-list pages are recognised and ranked after the passages that report something."""

from __future__ import annotations

from conseil.search.studies.contract import StudyHit
from conseil.search.studies.engine import references_last
from conseil.search.studies.references import looks_like_references

BIBLIOGRAPHY = """Jones, A. L., Russell, R., & Ward, R. (2015). Cosmetics alter biologically-based factors of
beauty. Journal of Vision, 15(12), 1-12. doi:10.1167/15.12.1 Russell, R. (2009). A sex difference in facial
contrast and its exaggeration by cosmetics. Perception, 38(8), 1211-1219. Etcoff, N. L., et al. (2011).
Cosmetics as a feature of the extended human phenotype. PLoS ONE, 6(10), e25656. Mileva, V. R., et al.
(2016). Sex differences in the perceived dominance and prestige of women with and without cosmetics.
Perception, 45(10), 1166-1183."""

PROSE = """Participants with sensitive skin reported more frequent stinging after applying fragranced
moisturisers than the control group, and most of them said they now read the ingredient list before
buying. The difference held in every age band and in both markets, although French respondents were
more likely to name a specific ingredient they avoid, usually a preservative or a fragrance allergen."""


def test_a_bibliography_is_recognised_by_its_citation_marks() -> None:
    assert looks_like_references(BIBLIOGRAPHY)


def test_a_reference_heading_is_enough() -> None:
    assert looks_like_references("References\nJones A. Cosmetics.", None)
    assert looks_like_references("anything", "Bibliographie")
    assert looks_like_references("## Literature cited\nSmith 2001")


def test_prose_with_a_year_and_a_citation_is_not_a_reference_list() -> None:
    assert not looks_like_references(PROSE)
    assert not looks_like_references(PROSE + " As Jones et al. (2015) found, make-up changes perceived age.")


def _hit(n: int, reference: bool) -> StudyHit:
    return StudyHit(doc_id=str(n), path="p", title="t", year=None, market=None, language=None, study_type=None,
                    kind="pdf", page=n, page_end=n, section=None, chunk_index=None, score=1.0 / n, citation="c",
                    passage="", snippet="", matched_terms=[], reference_list=reference)


def test_reference_lists_go_last_and_the_rest_keeps_its_order() -> None:
    hits = [_hit(1, True), _hit(2, False), _hit(3, True), _hit(4, False)]
    assert [h.page for h in references_last(hits)] == [2, 4, 1, 3]
