"""Reading product files: the three formats, row-level rejects and file-level SourceErrors."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from conseil.ingest.sources import SourceRead, detect_format, read_products
from conseil.search.errors import SourceError

SEPHORA_HEADER = (
    "product_id,product_name,brand_id,brand_name,loves_count,rating,reviews,size,variation_type,"
    "variation_value,variation_desc,ingredients,price_usd,value_price_usd,sale_price_usd,limited_edition,"
    "new,online_only,out_of_stock,sephora_exclusive,highlights,primary_category,secondary_category,"
    "tertiary_category,child_count,child_max_price,child_min_price"
)
# Real rows from product_info.csv (ingredient lists shortened), then deliberately broken ones.
SEPHORA_ROWS = [
    (
        "P473668,La Habana Eau de Parfum,6342,19-69,3827,4.1538,13,3.4 oz/ 100 mL,Size + Concentration + Formulation,"
        "3.4 oz/ 100 mL,,\"['Alcohol Denat. (SD Alcohol 39C), Parfum (Fragrance), Linalool.']\",195.0,,,0,0,1,0,0,"
        "\"['Unisex/ Genderless Scent', 'Layerable Scent', 'Warm &Spicy Scent']\",Fragrance,Women,Perfume,2,85.0,30.0"
    ),
    (
        "P442563,Mini Moisturizer,6018,Tatcha,10000,4.5,200,0.5 oz,Size,0.5 oz,,\"['Water, Glycerin, Squalane.']\","
        "36.0,,,0,0,0,0,1,\"['Best for Dry, Combo, Normal Skin', 'Good for: Dullness/Uneven Texture', "
        "'Without Parabens', 'Without Sulfates SLS & SLES', 'Vegan', 'Hydrating']\",Skincare,Moisturizers,,0,,"
    ),
    ",No Id Cream,1,Brand,1,,,,,,,,10.0,,,0,0,0,0,0,,Skincare,,,0,,",  # row 3: missing id
    "P3,Bad Price,1,Brand,1,,,,,,,,ten dollars,,,0,0,0,0,0,,Skincare,,,0,,",  # row 4: bad price
    "P442563,Duplicate,1,Brand,1,,,,,,,,10.0,,,0,0,0,0,0,,Skincare,,,0,,",  # row 5: duplicate id
    "P5,Broken Tags,1,Brand,1,abc,,,,,,,12.0,,,0,0,0,0,0,\"['Vegan', \",Skincare,,,0,,",  # row 6: kept
    "P6,Too Many Fields,1,Brand,1,,,,,,,,12.0,,,0,0,0,0,0,,Skincare,,,0,,,EXTRA",  # row 7: ragged
    "P7,Too Few Fields,1,Brand",  # row 8: ragged
    "P8,,1,Brand,1,,,,,,,,12.0,,,0,0,0,0,0,,Skincare,,,0,,",  # row 9: missing name
]
COSMETICS = (
    "\ufeffLabel,Brand,Name,Price,Rank,Ingredients,Combination,Dry,Normal,Oily,Sensitive\n"
    'Moisturizer,LA MER,Crème de la Mer,175,4.1,"Algae (Seaweed) Extract, Mineral Oil, Petrolatum, Glycerin",1,1,1,1,1\n'
    'Face Mask,SEPHORA COLLECTION,Lip Mask,3,3.2,"Water, Butylene Glycol, Glycerin",0,0,0,0,0\n'
    "Cleanser,Dior,Some Cleanser,40,4.0,Visit the Dior boutique,1,0,1,0,0\n"
    "Treatment,Brand,No Info Serum,20,4.0,No Info,0,1,0,0,0\n"
    'Treatment,Brand,Bad Flag,20,4.0,"Water",2,0,0,0,0\n'
    'Treatment,Brand,,20,4.0,"Water",0,0,0,0,0\n'
    'Eye cream,la mer,CRÈME DE LA MER,175,4.1,"Water",0,0,0,0,0\n'
)


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def reasons(read: SourceRead) -> dict[int, tuple[str | None, str]]:
    return {r.row: (r.field, r.reason) for r in read.rejects}


def test_sephora_rows_and_rejects(tmp_path: Path) -> None:
    path = write(tmp_path / "product_info.csv", "\n".join([SEPHORA_HEADER, *SEPHORA_ROWS]) + "\n")
    assert detect_format(path) == "sephora"
    read = read_products(path)
    assert (read.format, read.source, read.rows_read) == ("sephora", "sephora", 9)
    assert read.rows_read == len(read.records) + len(read.rejects)
    assert [r.product_id for r in read.records] == ["P473668", "P442563", "P5"]
    rejects = reasons(read)
    assert sorted(rejects) == [3, 4, 5, 7, 8, 9]
    assert rejects[3][0] == "product_id" and "no product id" in rejects[3][1]
    assert rejects[4][0] == "price_usd" and "ten dollars" in rejects[4][1]
    assert rejects[5][0] == "product_id" and "row 5 ('Duplicate') and row 2 ('Mini Moisturizer')" in rejects[5][1]
    assert "28 fields" in rejects[7][1] and "4 fields" in rejects[8][1]
    assert rejects[9][0] == "product_name"
    assert all(r.source == str(path) for r in read.rejects)

    perfume, cream, broken = read.records
    assert perfume.category_path == ("Fragrance", "Women", "Perfume")
    assert perfume.price == 195.0 and perfume.brand == "19-69"
    assert perfume.ingredients_raw == "['Alcohol Denat. (SD Alcohol 39C), Parfum (Fragrance), Linalool.']"
    assert perfume.highlights == ("Unisex/ Genderless Scent", "Layerable Scent", "Warm &Spicy Scent")
    assert perfume.extra["rating"] == 4.1538 and perfume.extra["reviews"] == 13
    assert perfume.extra["size"] == "3.4 oz/ 100 mL" and perfume.extra["online_only"] is True
    assert cream.category_path == ("Skincare", "Moisturizers")
    assert cream.skin_types == ("dry", "combination", "normal") and cream.skin_types_origin == "highlights"
    assert cream.concerns == ("dullness", "uneven_texture")
    assert cream.claims == ("vegan", "without:parabens", "without:sulfates")
    assert broken.highlights == () and broken.skin_types_origin is None
    assert any("highlights" in w for w in broken.extra["warnings"])
    assert any("rating" in w for w in broken.extra["warnings"])
    assert read.stats["with_ingredients"] == 2


def test_sephora_source_name_can_be_overridden(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "\n".join([SEPHORA_HEADER, SEPHORA_ROWS[0]]))
    read = read_products(path, fmt="sephora", source="sephora-2023")
    assert read.source == "sephora-2023" and read.records[0].source == "sephora-2023"


def test_cosmetics_with_bom_placeholders_and_flags(tmp_path: Path) -> None:
    path = write(tmp_path / "cosmetics.csv", COSMETICS)
    assert detect_format(path) == "cosmetics"
    read = read_products(path)
    assert (read.format, read.source, read.rows_read) == ("cosmetics", "cosmetics", 7)
    rejects = reasons(read)
    assert sorted(rejects) == [5, 6, 7]
    assert rejects[5][0] == "Combination" and "expected 0 or 1" in rejects[5][1]
    assert rejects[6][0] == "Name"
    assert "duplicate id" in rejects[7][1]  # same brand + name up to case and accents
    la_mer, lip, dior, no_info = read.records
    assert la_mer.skin_types == ("dry", "oily", "combination", "normal", "sensitive")
    assert la_mer.skin_types_origin == "columns"
    assert la_mer.category_path == ("Skincare", "Moisturizer") and la_mer.price == 175.0
    assert la_mer.extra["rank"] == 4.1 and la_mer.brand == "LA MER"
    assert lip.skin_types == () and lip.skin_types_origin is None
    assert dior.ingredients_raw is None and dior.extra["ingredients_note"] == "Visit the Dior boutique"
    assert no_info.ingredients_raw is None
    assert read.stats["ingredients_placeholder"] == 2
    assert read.stats["with_ingredients"] == 2


def test_cosmetics_ids_are_stable(tmp_path: Path) -> None:
    lines = COSMETICS.splitlines()
    reordered = write(tmp_path / "b.csv", "\n".join([lines[0], lines[2], lines[1]]))
    first = {r.name: r.product_id for r in read_products(write(tmp_path / "a.csv", COSMETICS)).records}
    second = {r.name: r.product_id for r in read_products(reordered).records}
    assert first["Lip Mask"] == second["Lip Mask"] == "sephora-collection-lip-mask-033bf305"
    assert first["Crème de la Mer"] == second["Crème de la Mer"]


GENERIC_CSV = (
    "id,name,brand,category,price,currency,ingredients,skin_types,concerns,claims,url,rating\n"
    'G1,Cream,Acme,Skincare > Moisturizers > Face Creams,"€12,50",EUR,"Aqua, Glycerin",dry|combo|scaly,'
    "Dryness|Dark spots,Without Parabens|Fragrance Free|Vegan,https://example.com/g1,4.5\n"
    'G2,Serum,Acme,Skincare,,,,"oily, sensitive",,Clean at Sephora,,\n'
    "G3,Bad,Acme,Skincare,12 dollars,,,,,,,\n"
)


def test_generic_csv(tmp_path: Path) -> None:
    path = write(tmp_path / "acme-catalog.csv", GENERIC_CSV)
    assert detect_format(path) == "generic"
    read = read_products(path)
    assert (read.format, read.source, read.rows_read) == ("generic", "acme-catalog", 3)
    assert reasons(read) == {3: ("price", "price '12 dollars' is not a number")}
    cream, serum = read.records
    assert cream.category_path == ("Skincare", "Moisturizers", "Face Creams")
    assert (cream.price, cream.currency) == (12.5, "EUR")
    assert cream.skin_types == ("dry", "combination") and cream.skin_types_origin == "columns"
    assert cream.concerns == ("dryness", "dark_spots")
    assert cream.claims == ("vegan", "without:fragrance", "without:parabens")
    assert cream.highlights == ("Without Parabens", "Fragrance Free", "Vegan")
    assert cream.url == "https://example.com/g1" and cream.extra["rating"] == "4.5"
    assert cream.extra["warnings"] == ["unknown skin type 'scaly' ignored"]
    assert serum.skin_types == ("oily", "sensitive") and serum.claims == ("clean_at_sephora",)
    assert (serum.price, serum.currency, serum.ingredients_raw) == (None, "USD", None)


def test_semicolon_separated_csv(tmp_path: Path) -> None:
    path = write(tmp_path / "fr.csv", "id;name;price\nF1;Crème;9,90\n")
    assert read_products(path).records[0].price == 9.9


def test_generic_jsonl_with_bad_lines(tmp_path: Path) -> None:
    good = {"id": "D1", "name": "Cleanser", "category": "Skincare > Cleansers", "price": 16.0,
            "skin_types": ["dry", "normal"], "concerns": ["dryness"], "claims": ["Without Parabens", "Vegan"]}  # fmt: skip
    lines = [
        json.dumps(good),
        "{not json",
        "",
        json.dumps([1, 2]),
        json.dumps({"id": 7, "name": ["a", "list"]}),
        json.dumps({"id": "D2", "name": "Toner", "price": [1]}),
        json.dumps({"id": 8, "name": "Numeric id", "skin_types": "oily|combination"}),
    ]
    path = write(tmp_path / "products.jsonl", "\n".join(lines) + "\n")
    read = read_products(path, source="demo")
    assert (read.source, read.rows_read) == ("demo", 6)  # the blank line is not a row
    rejects = reasons(read)
    assert sorted(rejects) == [2, 4, 5, 6]
    assert "not valid JSON" in rejects[2][1] and "JSON object" in rejects[4][1]
    assert rejects[5][0] == "name" and "list" in rejects[5][1]
    assert rejects[6][0] == "price"
    cleanser, numeric = read.records
    assert cleanser.skin_types == ("dry", "normal") and cleanser.claims == ("vegan", "without:parabens")
    assert numeric.product_id == "8" and numeric.skin_types == ("oily", "combination")


def test_generic_parquet(tmp_path: Path) -> None:
    path = tmp_path / "catalog.parquet"
    pl.DataFrame(
        {
            "id": ["Q1", "Q2", None],
            "name": ["Sunscreen", "Balm", "No id"],
            "price": [30.0, None, 5.0],
            "skin_types": [["sensitive"], [], None],
            "claims": [["Reef Safe SPF", "Without Oxybenzone"], None, None],
        }
    ).write_parquet(path)
    read = read_products(path)
    assert (read.format, read.rows_read, len(read.records)) == ("generic", 3, 2)
    assert read.rejects[0].row == 3 and read.rejects[0].field == "id"
    sunscreen = read.records[0]
    assert sunscreen.price == 30.0 and sunscreen.skin_types == ("sensitive",)
    assert sunscreen.claims == ("reef_safe", "without_ingredient:oxybenzone")


def test_mapping_file(tmp_path: Path) -> None:
    data = write(
        tmp_path / "export.csv",
        "SKU;Titre;Marque;Rayon;Sous-rayon;Prix TTC;INCI;Type de peau;Labels\n"
        "A1;Crème riche;Maison;Soin visage;Hydratants;24,90;Aqua, Glycerin;Peau sèche/Peau mixte;"
        "Sans parabènes/Formule clean/Vegan\n",
    )
    mapping = write(
        tmp_path / "mapping.json",
        json.dumps(
            {
                "source": "maison",
                "columns": {
                    "id": "SKU",
                    "name": "Titre",
                    "brand": "Marque",
                    "category": ["Rayon", "Sous-rayon"],
                    "price": "Prix TTC",
                    "ingredients": "INCI",
                    "skin_types": "Type de peau",
                    "claims": "Labels",
                },
                "defaults": {"currency": "EUR"},
                "list_separator": "/",
                "values": {
                    "skin_types": {"Peau mixte": "combination"},
                    "claims": {"Formule clean": "clean_at_sephora"},
                },
            }
        ),
    )
    read = read_products(data, mapping=mapping)
    assert (read.format, read.source) == ("generic", "maison")
    (record,) = read.records
    assert (record.product_id, record.name, record.brand) == ("A1", "Crème riche", "Maison")
    assert record.category_path == ("Soin visage", "Hydratants")
    assert (record.price, record.currency) == (24.9, "EUR")
    assert record.skin_types == ("dry", "combination")
    assert record.claims == ("clean_at_sephora", "vegan", "without:parabens")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not UTF-8 JSON"),
        ("[]", "top level must be a JSON object"),
        ('{"colums": {}}', "unknown key"),
        ('{"columns": {"sku": "id"}}', "unknown field 'sku'"),
        ('{"columns": {"name": ["a", "b"]}}', "only 'category' and 'id' take a list"),
        ('{"values": {"skin_types": {"grasse": "greasy"}}}', "unknown code"),
        ('{"defaults": {"price": "3"}}', "defaults.price"),
    ],
)
def test_invalid_mapping_files(tmp_path: Path, content: str, message: str) -> None:
    data = write(tmp_path / "p.csv", "id,name\n1,x\n")
    mapping = write(tmp_path / "m.json", content)
    with pytest.raises(SourceError, match=message) as err:
        read_products(data, mapping=mapping)
    assert str(mapping) in str(err.value) and "ingest/generic-schema.md" in str(err.value)


def test_mapping_naming_an_absent_column(tmp_path: Path) -> None:
    data = write(tmp_path / "p.csv", "id,name\n1,x\n")
    mapping = write(tmp_path / "m.json", '{"columns": {"brand": "Marque"}}')
    with pytest.raises(SourceError, match=r"'brand' is in column\(s\) \['Marque'\]"):
        read_products(data, mapping=mapping)


def test_missing_mapping_file(tmp_path: Path) -> None:
    data = write(tmp_path / "p.csv", "id,name\n1,x\n")
    with pytest.raises(SourceError, match="does not exist"):
        read_products(data, mapping=tmp_path / "nope.json")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("blank.csv", b"\n \n", "is empty"),
        ("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a PDF"),
        ("sheet.csv", b"PK\x03\x04\x14\x00\x06\x00", "ZIP/XLSX"),
        ("random.csv", bytes(range(256)) * 4, "binary or UTF-16"),
        ("utf16.csv", "id,name\n1,x\n".encode("utf-16"), "binary or UTF-16"),
        ("latin1.csv", "id,name\n1,Crème\n".encode("latin-1"), "not UTF-8"),
        ("quote.csv", b'id,name\n1,"unclosed\n', "cannot be read as a CSV table"),
        ("garbage.jsonl", b"hello\nworld\n", "no JSON objects"),
        ("fake.parquet", b"id,name\n1,x\n", "not a Parquet file"),
        ("broken.parquet", b"PAR1\x00\x00garbage", "cannot be read as Parquet"),
        ("text.csv", b"just some notes\nabout products\n", r"missing required column\(s\) \['id', 'name'\]"),
    ],
)
def test_files_that_are_not_tables(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(SourceError, match=message) as err:
        read_products(path)
    assert str(path) in str(err.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist: check the path"):
        read_products(tmp_path / "nope.csv")
    with pytest.raises(SourceError, match="is a directory"):
        read_products(tmp_path)
    with pytest.raises(SourceError, match="does not exist"):
        detect_format(tmp_path / "nope.csv")


def test_wrong_format_names_the_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", GENERIC_CSV)
    with pytest.raises(SourceError, match=r"\['product_id', 'product_name', 'brand_name', 'price_usd'"):
        read_products(path, fmt="sephora")
    with pytest.raises(SourceError, match="cosmetics"):
        read_products(path, fmt="cosmetics")


def test_bad_arguments(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", GENERIC_CSV)
    with pytest.raises(SourceError, match="Unknown source format 'xlsx'"):
        read_products(path, fmt="xlsx")
    with pytest.raises(SourceError, match="generic format only"):
        read_products(path, fmt="sephora", mapping=tmp_path / "m.json")


def test_header_only_and_blank_lines(tmp_path: Path) -> None:
    assert read_products(write(tmp_path / "h.csv", "id,name\n")).rows_read == 0
    read = read_products(write(tmp_path / "b.csv", "id,name\n1,a\n\n2,b\n\n"))
    assert [r.product_id for r in read.records] == ["1", "2"] and read.rejects == []


# --- the real files in ../shared/data -------------------------------------------------------------


@pytest.mark.shared
def test_real_sephora_product_info(shared_data: Path) -> None:
    path = shared_data / "sephora-products" / "product_info.csv"
    assert detect_format(path) == "sephora"
    read = read_products(path)
    assert read.rows_read == 8494
    assert read.rejects == []  # the 2023 file is clean: every row is read
    assert len(read.records) == 8494
    assert read.stats["with_ingredients"] == 7549
    assert sum(1 for r in read.records if r.highlights) == 6287
    assert sum(1 for r in read.records if "without:parabens" in r.claims) == 1414
    assert sum(1 for r in read.records if r.skin_types) > 1000


@pytest.mark.shared
def test_real_cosmetics(shared_data: Path) -> None:
    path = shared_data / "sephora-cosmetics-skintype" / "cosmetics.csv"
    assert detect_format(path) == "cosmetics"
    read = read_products(path)
    assert (read.rows_read, len(read.records), read.rejects) == (1472, 1472, [])
    assert read.stats["ingredients_placeholder"] == 168
    flagged = {
        t: sum(1 for r in read.records if t in r.skin_types) for t in ("combination", "dry", "sensitive")
    }
    assert flagged == {"combination": 966, "dry": 904, "sensitive": 756}
    assert len({r.product_id for r in read.records}) == 1472


def test_the_documented_example_mapping(tmp_path: Path) -> None:
    example = Path(__file__).parents[1] / "corpora" / "examples" / "mapping.json"
    data = write(
        tmp_path / "export.csv",
        "SKU;Titre;Marque;Rayon;Sous-rayon;Prix TTC;Liste INCI;Type de peau;Préoccupations;Labels;Lien\n"
        "A1;Crème riche;Maison;Soin visage;Hydratants;24,90;Aqua, Glycerin;Peau sèche/Peau réactive;"
        "Teint terne;Sans parabènes/Formule clean;\n",
    )
    read = read_products(data, mapping=example)
    (record,) = read.records
    assert read.source == "maison-demo" and record.category_path == ("Soin visage", "Hydratants")
    assert (record.price, record.currency) == (24.9, "EUR")
    assert record.skin_types == ("dry", "sensitive") and record.concerns == ("dullness",)
    assert record.claims == ("clean_at_sephora", "without:parabens")
    assert "warnings" not in record.extra
