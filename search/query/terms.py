"""What advisors name besides families: common actives, skin-type words, hair and scalp nouns.

Read from `corpora/language/actives.json` and `skin_types.json`. Family names ("parabènes",
"Duftstoffe", "parabenów") are not here: the knowledge base carries them (its one source is
`corpora/knowledge/curation.json`) and `names.NameResolver` indexes them with these. Names are matched
by stems (`tokens.stem`), so one form per stem is enough. Separators: "|" between names of one language.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from conseil.search.query.language_data import by_language, language_file, words

# Actives and commonly avoided ingredients, by the names the knowledge base is asked for (tried in
# order), then their names per language. A name the knowledge base cannot resolve is kept by name
# (the first target).
INGREDIENT_NAMES: tuple[tuple[tuple[str, ...], Mapping[str, str]], ...] = tuple(
    (tuple(entry["targets"]), entry["names"]) for entry in language_file("actives.json")["ingredients"])

# Nouns for the skin in skin-type phrases ("peau sèche", "skóry suchej", "suchou pleť").
SKIN_NOUNS: Mapping[str, str] = by_language("skin_types.json", "nouns")

# Skin-type adjectives, every form written out (folded): they are short and shared across languages.
SKIN_ADJECTIVES: Mapping[str, Mapping[str, str]] = language_file("skin_types.json")["adjectives"]

# Nouns that already say "skin of type X" on their own ("Mischhaut").
SKIN_COMPOUNDS: Mapping[str, str] = MappingProxyType(
    {word: code for table in by_language("skin_types.json", "compounds").values() for word, code in table.items()})

# Hair and scalp nouns: removed with an adjacent concern ("damaged hair", "cheveux abîmés").
HAIR_NOUNS: frozenset[str] = words("skin_types.json", "hair_nouns")
SCALP_NOUNS: frozenset[str] = words("skin_types.json", "scalp_nouns")
