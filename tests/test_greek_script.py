"""Greek script through every text path: folding, tokens and stems, BM25, the language guesses, the gloss.

Pure Python (Qdrant Edge's BM25 encoder runs in memory, no index on disk).
"""

from __future__ import annotations

import pytest
from conseil.ingest.study_sources import detect_language
from conseil.search.answers.domain_router import DOMAINS, Router, question_language
from conseil.search.index.sparse import Bm25Encoder
from conseil.search.knowledge.base import IngredientKnowledge
from conseil.search.knowledge.text import fold
from conseil.search.query.gloss import english_gloss
from conseil.search.query.tokens import stem, tokenize
from test_query_support import parse


def test_folding_drops_accents_case_and_final_sigma() -> None:
    assert fold("Κρέμα ΧΩΡΊΣ Παραβένια") == fold("κρεμα χωρις παραβενια") == "κρεμα χωρισ παραβενια"
    assert fold("ϊΐ") == "ιι"


def test_tokens_keep_the_offsets_of_the_greek_text() -> None:
    query = "κρέμα χωρίς παραβένια"
    tokens = tokenize(query)
    assert [t.text for t in tokens] == ["κρεμα", "χωρισ", "παραβενια"]
    assert [query[t.start:t.end] for t in tokens] == ["κρέμα", "χωρίς", "παραβένια"]


def test_stems_unify_greek_inflections() -> None:
    assert stem("παραβενια") == stem("παραβενιων") == stem("παραβενιο")
    assert stem("σιλικονεσ") == stem("σιλικονων") == stem("σιλικονη")
    assert stem("επιδερμιδα") == stem("επιδερμιδεσ") == stem("επιδερμιδασ")
    assert stem("serums") == "serum" and stem("parabenow") == "parab", "Latin stems are unchanged"


def test_bm25_tokenises_greek_whatever_its_case() -> None:
    """Qdrant's ascii_folding leaves Greek accents as they are (an unaccented query is other tokens);
    Greek reaches the English catalog through the gloss, so this only matters for Greek product text."""
    bm25 = Bm25Encoder()
    accented = bm25.query("κρέμα χωρίς παραβένια")
    assert len(accented.indices) == 3
    assert bm25.query("Κρέμα ΧΩΡΊΣ ΠΑΡΑΒΈΝΙΑ").indices == accented.indices
    assert bm25.document("κρέμα χωρίς παραβένια").indices == accented.indices


def test_the_greek_example_of_the_issue_excludes_parabens() -> None:
    interp = parse("κρέμα χωρίς παραβένια")
    assert interp.constraints.exclude_families == ("parabens",)
    assert interp.language == "el"
    assert [c.source_text for c in interp.chips] == ["χωρίς παραβένια"]


def test_a_greek_query_is_guessed_greek_even_with_latin_words() -> None:
    assert parse("σέρουμ με niacinamide").language == "el"
    assert parse("serum sans parabènes").language == "fr", "Latin queries are unchanged"


def test_the_document_language_detector_reads_greek() -> None:
    text = ("Η μελέτη δείχνει ότι οι καταναλωτές με ευαίσθητη επιδερμίδα προτιμούν προϊόντα χωρίς άρωμα και "
            "η πλειονότητα των γυναικών δεν χρησιμοποιεί κρέμα για τα μάτια. Στο δείγμα της έρευνας, οι "
            "συμμετέχοντες απάντησαν σε ερωτηματολόγιο από το σπίτι τους.")
    assert detect_language(text) == "el"


def test_greek_product_words_are_glossed_for_retrieval() -> None:
    assert english_gloss("ενυδατική κρέμα προσώπου", "el") == "face moisturizing cream"  # as "krem nawilżający do twarzy"
    assert english_gloss("κρέμα ματιών", "el") == "eye cream"
    assert english_gloss("σαμπουάν", "el") == "shampoo"
    assert english_gloss("κρέμες νύχτας", "el") == "night cream"


def test_the_parser_warns_in_the_query_language() -> None:
    greek = "ο αποκλεισμός «xyzzy» δεν υπάρχει στη βάση γνώσεων: αποκλείεται μόνο με το όνομα"
    assert parse("κρέμα χωρίς xyzzy").warnings == (greek,)
    assert parse("cream without xyzzy").warnings == (
        'exclusion "xyzzy" is not in the knowledge base: excluded by name only',)


@pytest.mark.parametrize("question,domain", [
    ("τι είναι το phenoxyethanol;", "ingredients"),
    ("ποιοι οροί δεν περιέχουν άρωμα;", "products"),
    ("τι λένε οι έρευνες για τους καταναλωτές με ευαίσθητη επιδερμίδα;", "studies"),
    ("προτείνετε μια κρέμα χωρίς σιλικόνες", "products"),
])
def test_greek_questions_are_routed_by_the_rules(question: str, domain: str) -> None:
    kb = IngredientKnowledge.load()
    routing = Router(kb).route(question, parse(question), allowed=set(DOMAINS), use_llm=False)
    assert routing.route.domains == [domain] and routing.route.method == "rules", routing.route
    assert question_language(question) == "el"
