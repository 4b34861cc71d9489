"""The English-leak checker of eval/response_language.py finds what it must and leaves out what the
retailer, the label or the client wrote (tests/test_no_english_leak.py runs it over the suite)."""

from __future__ import annotations

from conseil.eval.response_language import english_in, english_markers, leaks


def test_the_checker_finds_english_sentences_names_and_stop_words() -> None:
    assert english_in("free of parabens: none of its 12 listed ingredients is one", "fr")
    assert english_in("Soins de la peau · Moisturizers", "fr") == ["Moisturizers"]
    assert english_in("κρέμα with ρετινόλη", "el") == ["with"]
    assert english_in("Soins de la peau · Hydratants", "fr") == []
    assert "Serum" not in english_markers("de"), "a word the language also writes is not English"


def test_the_checker_leaves_out_what_the_retailer_and_the_label_wrote() -> None:
    response = {"query": "free of", "hits": [{"name": "Skin Free Cream", "brand": "The Ordinary",
                                              "category": ["Skincare"], "category_labels": ["Soins de la peau"],
                                              "offending": ["Fragrance"],
                                              "warnings": [{"text": "se dit sans parfum, mais contient Fragrance"}]}]}
    checked, bad = leaks(response, "fr")
    assert checked == 2 and bad == []
    response["hits"][0]["category_labels"] = ["Skincare"]  # type: ignore[index]
    assert leaks(response, "fr")[1] == [("hits.category_labels", "Skincare", ["Skincare"])]
