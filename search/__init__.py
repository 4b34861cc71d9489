"""Reading the index: schema, embedder, ingredient knowledge, query understanding and retrieval.

`search` owns everything both sides of the index must agree on, so `ingest` imports from here and
never the other way round.
"""
