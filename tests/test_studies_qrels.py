"""The judged analyst questions: well-formed, every question judged, translations share their twin's pages."""

from __future__ import annotations

from collections import Counter

from conseil.eval.beir import load
from conseil.eval.studies_eval import QRELS_DIR, parse_key
from conseil.search.query.language_data import LANGUAGES


def test_every_question_is_judged_with_page_keys_and_a_known_language() -> None:
    dataset = load(QRELS_DIR)
    ids = [q.id for q in dataset.queries]
    assert len(ids) == len(set(ids))
    for q in dataset.queries:
        assert q.metadata["language"] in (*LANGUAGES, "ko"), q.id
        assert q.id.startswith(q.metadata["language"] + "-"), q.id
        assert dataset.qrels.get(q.id), f"{q.id} has no judged page"
        for key, score in dataset.qrels[q.id].items():
            assert score in (1, 2) and parse_key(key)[1] >= 1, (q.id, key)


def test_translations_share_their_english_twins_judgements_and_cover_six_languages() -> None:
    dataset = load(QRELS_DIR)
    by_id = {q.id: q for q in dataset.queries}
    translations = [q for q in dataset.queries if "translates" in q.metadata]
    for q in translations:
        twin = q.metadata["translates"]
        assert q.id == f"{q.metadata['language']}-{twin}", q.id
        assert by_id[twin].metadata["language"] == "en"
        assert dataset.qrels[q.id] == dataset.qrels[twin], q.id
        assert q.text != by_id[twin].text
    counts = Counter(q.metadata["language"] for q in translations)
    assert all(counts[lang] >= 5 for lang in ("es", "it", "de", "pl", "cs", "el")), counts
    assert sum(counts.values()) >= 30
