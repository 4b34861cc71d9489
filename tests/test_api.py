"""The HTTP API over the demo catalog and demo studies (fake embedder): contracts, bad input, the
error translation at the edge, metrics, the web page mount and the OpenAPI docs."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import auth, demo_data, make_app
from conseil.api.auth import Role
from conseil.api.config import ApiSettings
from conseil.search.embedder import Embedder
from conseil.search.products.contract import SearchResponse
from conseil.search.studies.contract import StudySearchResponse
from fastapi.testclient import TestClient

pytestmark = pytest.mark.index

ADVISOR, ANALYST = auth(Role.ADVISOR), auth(Role.ANALYST)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_data(tmp_path_factory, "api")


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[TestClient]:
    with TestClient(make_app(data_dir, static_dir=None)) as c:
        yield c


def error_of(response: object, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error", "detail"} and "Traceback" not in response.text
    return str(body["detail"])


# -- contracts ---------------------------------------------------------------------------------

def test_product_search_answers_the_cli_json_contract(client: TestClient) -> None:
    response = client.post("/v1/search/products", headers=ADVISOR,
                           json={"query": "shampoo without sulfates", "limit": 5})
    assert response.status_code == 200
    parsed = SearchResponse.model_validate(response.json())
    assert set(response.json()) == set(SearchResponse.model_fields)
    assert parsed.hits and len(parsed.hits) <= 5
    assert parsed.interpretation.constraints["exclude_families"] == ["sulfates"]
    assert all(any(w.constraint == "exclude_family:sulfates" for w in h.why) for h in parsed.hits)


def test_product_facets_come_alone_and_match_the_search(client: TestClient) -> None:
    body = {"query": "shampoo without sulfates", "limit": 5}
    search = client.post("/v1/search/products", headers=ADVISOR, json=body).json()
    facets = client.post("/v1/search/products/facets", headers=ADVISOR, json=body)
    assert facets.status_code == 200
    assert facets.json() == {"facets": search["facets"], "total": search["total"]}
    assert client.post("/v1/search/products/facets", json=body).status_code == 401


def test_study_search_cites_pages(client: TestClient) -> None:
    response = client.post("/v1/search/studies", headers=ANALYST,
                           json={"query": "skin types of the survey respondents", "group_by_document": True})
    parsed = StudySearchResponse.model_validate(response.json())
    assert parsed.hits and all(h.citation for h in parsed.hits)
    assert len({h.doc_id for h in parsed.hits}) == len(parsed.hits)


def test_product_in_full(client: TestClient) -> None:
    product = client.get("/v1/products/DEMO-005", headers=ADVISOR).json()
    assert product["id"] == "DEMO-005" and product["source"] == "demo" and product["name"]
    assert {"brand", "category", "price", "skin_types", "claims", "ingredients", "warnings"} <= set(product)
    assert any(w["claim"] == "without:fragrance" for w in product["warnings"])
    parfum = [i for i in product["ingredients"] if i["name"] == "Parfum"]
    assert parfum and "fragrance" in parfum[0]["families"]
    assert client.get("/v1/products/DEMO-005?source=demo", headers=ADVISOR).json() == product
    assert "DEMO-404" in error_of(client.get("/v1/products/DEMO-404", headers=ADVISOR), 404)
    error_of(client.get("/v1/products/DEMO-005?source=elsewhere", headers=ADVISOR), 404)


def test_ingredient_facts_and_pattern_rules(client: TestClient) -> None:
    known = client.get("/v1/ingredients/methylparaben", headers=ADVISOR).json()
    assert known["canonical"] == "Methylparaben" and "99-76-3" in known["cas"] and "parabens" in known["families"]
    assert known["regulatory"] and known["synonyms"]
    slashed = client.get("/v1/ingredients/Water/Aqua/Eau", headers=ADVISOR).json()
    assert slashed["canonical"] == "Water"
    pattern = client.get("/v1/ingredients/xyzparaben", headers=ADVISOR).json()
    assert pattern["known"] is False and "parabens" in pattern["families"]
    assert "zzqq" in error_of(client.get("/v1/ingredients/zzqq", headers=ADVISOR), 404)



def test_ingredient_cards_resolve_label_spellings_in_every_language(client: TestClient) -> None:
    card = client.get("/v1/ingredients/Methyl Hydroxybenzoate?language=fr", headers=ADVISOR).json()
    assert (card["canonical"], card["via"], card["language"]) == ("Methylparaben", "synonym", "fr")
    assert card["family_names"]["parabens"] == "parabènes"
    assert {"id": "Preservative", "name": "Conservateur"} in card["functions"]
    typo = client.get("/v1/ingredients/Fragance", headers=ADVISOR).json()
    assert (typo["canonical"], typo["via"]) == ("Parfum", "typo") and typo["trail"]
    salt = client.get("/v1/ingredients/Sodium Hyaluronate?language=pl", headers=ADVISOR).json()
    assert salt["groups"] == ["hyaluronic acid"] and salt["functions"]
    error_of(client.get("/v1/ingredients/Methylparaben?language=xx", headers=ADVISOR), 422)


def test_ingredient_cards_in_greek(client: TestClient) -> None:
    card = client.get("/v1/ingredients/limonene?language=el", headers=ADVISOR).json()
    names = {f["id"]: f["name"] for f in card["functions"]}
    assert names["Perfuming"] == "Αρωματικό" and all(n != i for i, n in names.items()), names
    assert card["family_names"]["fragrance_allergens"] == "αλλεργιογόνα αρώματος"
    assert card["regulatory_summary"][0].startswith("Παράρτημα III/88 (ΕΕ): αλλεργιογόνο αρώματος")
    assert card["regulatory"][0].startswith("EU Annex III/88")  # the regulation's text, as published


def test_a_search_error_says_it_in_the_request_language(client: TestClient) -> None:
    empty = client.post("/v1/search/products", headers=ADVISOR, json={"query": "", "language": "el"})
    assert empty.status_code == 400 and empty.json()["message"] == "Η αναζήτηση είναι κενή: γράψτε τι ψάχνει ο πελάτης."
    assert empty.json()["detail"].startswith("The query is empty")  # the advisor's and the log's
    body = {"query": "krem bez parabenów", "price_min": 50, "price_max": 10}
    for path in ("/v1/search/products", "/v1/search/products/facets"):
        answer = client.post(path, headers=ADVISOR, json=body)
        assert answer.status_code == 400
        assert answer.json()["message"] == "Przedział cenowy jest pusty: minimum 50 jest wyższe niż maksimum 10."
    english = client.post("/v1/search/products", headers=ADVISOR, json={"query": ""}).json()
    assert english["message"] == "The query is empty: type what the client is looking for."
    dictated = client.post("/v1/search/products", headers=ADVISOR, json={"query": "krem bez parabenów " * 40})
    assert dictated.status_code == 422 and dictated.json()["message"].startswith("Zapytanie jest za długie")
    wrong = client.post("/v1/search/products", headers=ADVISOR, json={"query": "crème", "limit": 0, "language": "fr"})
    assert wrong.status_code == 422 and wrong.json()["message"].startswith("La recherche n'a pas pu")


def test_categories_claims_and_facets_come_back_translated(client: TestClient) -> None:
    found = client.post("/v1/search/products", headers=ADVISOR,
                        json={"query": "shampooing sans sulfates", "limit": 5}).json()
    hit = found["hits"][0]
    assert hit["category"] == ["Hair", "Shampoo & Conditioner", "Shampoo"]
    assert hit["category_labels"] == ["Cheveux", "Shampooing & après-shampooing", "Shampooing"]
    labels = {v["value"]: v["label"] for v in found["facets"]["category"]}
    assert labels["shampoo"] == "Shampooing" and labels["hair"] == "Cheveux"
    assert all(v["label"] == v["value"] for v in found["facets"]["brand"])
    detail = client.get(f"/v1/products/{hit['id']}?language=fr", headers=ADVISOR).json()
    assert detail["category_labels"] == hit["category_labels"] and len(detail["claim_labels"]) == len(detail["claims"])
    nothing = client.post("/v1/search/products", headers=ADVISOR,
                          json={"query": "shampooing sans sulfates", "price_max": 0.5}).json()
    assert nothing["hits"] == [] and nothing["message"].startswith("Aucun produit ne remplit")


def test_audit_is_paginated_and_filterable(client: TestClient) -> None:
    whole = client.get("/v1/audit?limit=500", headers=ADVISOR).json()
    assert whole["total"] == len(whole["items"]) > 2
    first = client.get("/v1/audit?limit=2", headers=ADVISOR).json()
    second = client.get("/v1/audit?limit=2&offset=2", headers=ADVISOR).json()
    assert first["items"] == whole["items"][:2] and second["items"] == whole["items"][2:4]
    assert first["total"] == whole["total"]
    fragrance = client.get("/v1/audit?claim=without:fragrance", headers=ADVISOR).json()
    assert fragrance["items"] and all(r["claim"] == "without:fragrance" for r in fragrance["items"])
    assert all(r["claim_text"] == "free of fragrance" for r in fragrance["items"])

    assert all(r["warning"].startswith("claims to be free of fragrance, but") for r in fragrance["items"])


def test_audit_rows_in_the_requested_language(client: TestClient) -> None:
    english = client.get("/v1/audit?limit=500", headers=ADVISOR).json()["items"]
    for lang, free, warned in (("pl", "bez substancji zapachowych", "deklaruje brak substancji zapachowych, ale"),
                               ("cs", "bez parfému", "uvádí, že je bez parfému, ale"),
                               ("el", "χωρίς άρωμα", "δηλώνει ότι δεν περιέχει άρωμα, αλλά")):
        rows = client.get(f"/v1/audit?limit=500&language={lang}", headers=ADVISOR).json()["items"]
        assert [(r["product_id"], r["claim"], r["offending"]) for r in rows] == [
            (r["product_id"], r["claim"], r["offending"]) for r in english]  # the same rows, other words
        fragrance = [r for r in rows if r["claim"] == "without:fragrance"]
        assert fragrance and all(r["claim_text"] == free and r["warning"].startswith(warned) for r in fragrance)
        assert not any(re.search(r"\b(free of|claims|but)\b", r["claim_text"] + r["warning"]) for r in rows)
    error_of(client.get("/v1/audit?language=Polish", headers=ADVISOR), 422)


def test_a_studies_search_error_says_it_in_the_request_language(client: TestClient) -> None:
    years = {"year_from": 2020, "year_to": 2010}
    greek = client.post("/v1/search/studies", headers=ANALYST, json={"query": "ενυδάτωση δέρματος", **years})
    assert greek.status_code == 400 and greek.json()["message"].startswith("Το διάστημα ετών είναι κενό")
    assert "year range" in greek.json()["detail"]  # the analyst's log stays English
    named = client.post("/v1/search/studies", headers=ANALYST, json={
        "query": "skin hydration", "message_language": "cs", "language": ["en"], **years})
    assert named.json()["message"] == "Rozsah let je prázdný: počáteční rok 2020 je pozdější než koncový 2010."
    empty = client.post("/v1/search/studies", headers=ANALYST, json={"query": " ", "message_language": "pl"})
    assert empty.status_code == 400 and empty.json()["message"].startswith("Zapytanie jest puste: wpisz pytanie")
    long = client.post("/v1/search/studies", headers=ANALYST, json={"query": "nawilżanie skóry twarzy " * 30})
    assert long.status_code == 400 and long.json()["message"].startswith("Pytanie jest za długie: najwyżej 500")
    huge = client.post("/v1/search/studies", headers=ANALYST, json={"query": "la peau sèche et " * 700})
    assert huge.status_code == 422 and huge.json()["message"].startswith("La question est trop longue")
    english = client.post("/v1/search/studies", headers=ANALYST, json={"query": "skin hydration", **years})
    assert english.json()["message"] == "The year range is empty: from 2020 is after to 2010."
    # Each body names the language of its `message`: the query's, the one the request names, or English
    # for a language without data.
    assert [r.json()["message_language"] for r in (greek, named, empty, long, huge, english)] == [
        "el", "cs", "pl", "pl", "fr", "en"]
    unknown = client.post("/v1/search/studies", headers=ANALYST, json={
        "query": "skin hydration", "message_language": "xx", **years})
    assert unknown.json()["message_language"] == "en" and unknown.json()["message"] == english.json()["message"]


# -- bad input ---------------------------------------------------------------------------------

def test_over_long_query_is_422_with_a_clear_message(client: TestClient) -> None:
    detail = error_of(client.post("/v1/search/products", headers=ADVISOR, json={"query": "x" * 501}), 422)
    assert "query" in detail and "500 characters" in detail
    assert "xxxxxxxxxx" not in client.post("/v1/search/products", headers=ADVISOR, json={"query": "x" * 501}).text


def test_bodies_over_the_limit_are_413_declared_or_streamed(client: TestClient) -> None:
    big = {"query": "serum", "exclude": ["parabens"] * 20_000}
    error_of(client.post("/v1/search/products", headers=ADVISOR, json=big), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        yield b'{"query": "serum", "exclude": ['
        for _ in range(20_000):
            yield b'"parabens",'
        yield b'"parabens"]}'

    headers = {**ADVISOR, "content-type": "application/json"}
    error_of(client.post("/v1/search/products", headers=headers, content=chunks()), 413)


@pytest.mark.parametrize("body", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"mode": "telepathy"},
                                  {"price_min": -3}, {"exclude": "parabens-not-a-list"}, {"query": 7}])
def test_invalid_parameters_are_422(client: TestClient, body: dict[str, object]) -> None:
    detail = error_of(client.post("/v1/search/products", headers=ADVISOR, json={"query": "serum", **body}), 422)
    assert detail.startswith("Invalid request: body.")


def test_malformed_json_wrong_type_and_query_errors(client: TestClient) -> None:
    json_headers = {**ADVISOR, "content-type": "application/json"}
    assert "not valid JSON" in error_of(client.post("/v1/search/products", headers=json_headers, content=b'{"query": '), 422)
    assert "application/json" in error_of(client.post("/v1/search/products", headers={**ADVISOR, "content-type": "text/plain"},
                                                      content=b'{"query": "serum"}'), 415)
    assert "multipart" in error_of(client.post("/v1/ingest/products", headers={**auth(Role.ADMIN), "content-type": "application/json"},
                                               content=b"{}"), 415)
    assert "empty" in error_of(client.post("/v1/search/products", headers=ADVISOR, json={"query": "  "}), 400)
    assert "Contradictory prices" in error_of(client.post("/v1/search/products", headers=ADVISOR,
                                                 json={"query": "serum", "price_min": 50, "price_max": 10}), 400)
    assert "year range" in error_of(client.post("/v1/search/studies", headers=ANALYST,
                                                json={"query": "skin", "year_from": 2025, "year_to": 2020}), 400)
    error_of(client.get("/v1/audit?limit=0", headers=ADVISOR), 422)
    error_of(client.get("/v1/jobs/not-a-job", headers=auth(Role.ADMIN)), 422)
    error_of(client.get("/v2/nothing-here", headers=ADVISOR), 404)
    error_of(client.get("/v1/search/products", headers=ADVISOR), 405)


# -- errors from the engine, translated at the edge ---------------------------------------------

def test_missing_index_is_503_with_the_way_to_build_it(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path / "empty", static_dir=None)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["ready"] is False
        detail = error_of(client.post("/v1/search/products", headers=ADVISOR, json={"query": "serum"}), 503)
        assert "conseil ingest products" in detail and "POST /v1/ingest/products" in detail
        error_of(client.post("/v1/search/studies", headers=ANALYST, json={"query": "skin"}), 503)
        error_of(client.get("/v1/audit", headers=ADVISOR), 503)
        error_of(client.get("/v1/products/DEMO-001", headers=ADVISOR), 503)
        assert client.get("/v1/ingredients/methylparaben", headers=ADVISOR).status_code == 200  # needs no index


class _WrongSize:
    def embed(self, texts: list[str]) -> list[list[float]]:
        return [[0.5] * 3 for _ in texts]


class _Exploding:
    def embed(self, texts: list[str]) -> list[list[float]]:
        raise RuntimeError("secret internals at 0xdeadbeef")


def _copy(data_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(data_dir, target, ignore=shutil.ignore_patterns("conseil.lock"))
    return target


@pytest.mark.parametrize("backend,status,expect,hidden", [
    (_WrongSize(), 500, "returned a vector of size 3", None),  # a ConseilError: its message
    (_Exploding(), 500, "unexpected error", "secret internals"),  # anything else: nothing of it
])
def test_engine_failures_are_500_without_a_trace(data_dir: Path, tmp_path: Path, backend: object, status: int,
                                                 expect: str, hidden: str | None) -> None:
    def factory() -> Embedder:
        return Embedder(backend, name="hash-test", dimension=32)  # type: ignore[arg-type]

    app = make_app(_copy(data_dir, tmp_path), embedder_factory=factory, static_dir=None)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/v1/search/products", headers=ADVISOR, json={"query": "serum"})
        assert expect in error_of(response, status)
        assert hidden is None or hidden not in response.text


# -- metrics, web page, docs ---------------------------------------------------------------------

def test_metrics_count_routes_by_template_and_report_the_index(client: TestClient) -> None:
    client.post("/v1/search/products", headers=ADVISOR, json={"query": "serum"})
    client.get("/v1/products/DEMO-001", headers=ADVISOR)
    client.get("/v1/whoami")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'conseil_http_requests_total{method="POST",route="/v1/search/products",status="200"}' in text
    assert 'conseil_http_requests_total{method="GET",route="/v1/whoami",status="401"}' in text
    assert 'route="/v1/products/{product_id:path}"' in text and "DEMO-001" not in text
    assert 'conseil_http_request_duration_seconds_bucket{le="0.05",method="POST",route="/v1/search/products"}' in text
    assert 'conseil_index_points{collection="products"} 100.0' in text
    assert 'conseil_index_points{collection="studies"}' not in text  # no key on /metrics: no study figures
    assert "conseil_dropped_violations_total 0.0" in text


def test_each_app_has_its_own_metrics(data_dir: Path, tmp_path: Path) -> None:
    with TestClient(make_app(_copy(data_dir, tmp_path), static_dir=None)) as other:
        assert 'route="/v1/search/products"' not in other.get("/metrics").text


def test_web_page_is_served_at_the_root(data_dir: Path, tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "index.html").write_text("<!doctype html><title>Conseil</title>")
    (static / "app.js").write_text("console.log('conseil');")
    with TestClient(make_app(_copy(data_dir, tmp_path), static_dir=static)) as client:
        assert "<title>Conseil</title>" in client.get("/").text
        assert client.get("/app.js").status_code == 200 and client.get("/static/app.js").status_code == 200
        assert client.get("/v1/whoami", headers=ADVISOR).json()["role"] == "advisor"  # the API wins
        assert client.get("/healthz").json() == {"status": "ok"}
        error_of(client.get("/nothing.js"), 404)


def test_openapi_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    for path in ("/v1/search/products", "/v1/search/studies", "/v1/products/{product_id}", "/v1/ingredients/{name}",
                 "/v1/audit", "/v1/whoami", "/v1/ingest/products", "/v1/ingest/studies", "/v1/jobs/{job_id}",
                 "/healthz", "/readyz", "/metrics"):
        assert path in spec["paths"], path
    assert {"HTTPBearer", "APIKeyHeader"} <= set(spec["components"]["securitySchemes"])


def test_limits_come_from_the_api_settings(data_dir: Path, tmp_path: Path) -> None:
    small = ApiSettings(api_keys_file=None, api_keys=None, max_body_kb=1)
    with TestClient(make_app(_copy(data_dir, tmp_path), api_settings=small, static_dir=None)) as client:
        assert "1 KB" in error_of(client.post("/v1/search/products", headers=ADVISOR, json={"query": "s" * 2000}), 413)


def test_every_refusal_has_its_own_sentence(client: TestClient) -> None:
    """Not the generic "the detail says why": the family named in the client's language, the question's
    emptiness said on /v1/ask too."""
    clash = client.post("/v1/search/products", headers=ADVISOR,
                        json={"query": "krem bez silikonów", "include": ["dimethicone"]})
    assert clash.status_code == 400 and "excluded family silicones" in clash.json()["detail"]
    assert clash.json()["message"] == ("Sprzeczne warunki: wymagany składnik „dimethicone” należy do wykluczonej "
                                       "rodziny silikonów. Usuń jeden z nich.")
    negative = client.post("/v1/search/products", headers=ADVISOR,
                           json={"query": "κρέμα", "price_max": -5})
    assert negative.status_code == 422 and "price_max" in negative.json()["detail"]  # refused by the contract
    assert negative.json()["message"] == "Η τιμή πρέπει να είναι αριθμός μηδέν ή μεγαλύτερος, όχι -5."
    question = client.post("/v1/ask", headers=ADVISOR, json={"question": "   ", "language": "pl"})
    assert question.status_code == 400
    assert question.json()["message"] == "Pytanie jest puste: wpisz, czego chcesz się dowiedzieć."
    assert [r.json()["message_language"] for r in (clash, negative, question)] == ["pl", "el", "pl"]
    refined = client.post("/v1/search/products", headers=ADVISOR,  # a refinement: the page's language
                          json={"query": "krem bez silikonów", "include": ["dimethicone"], "language": "de"})
    assert refined.json()["message_language"] == "de" and "Silikone" in refined.json()["message"]
    missing = client.get("/v1/products/DEMO-404", headers=ADVISOR)  # no client sentence, no language
    assert missing.status_code == 404 and not {"message", "message_language"} & set(missing.json())
