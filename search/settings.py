"""The one typed settings object, built once at the edge (CLI, server) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Configuration read from `CONSEIL_*` environment variables (and a `.env` file if present)."""

    model_config = SettingsConfigDict(env_prefix="CONSEIL_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="Where the embedded index, locks and reports live.")
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="sentence-transformers model: the bundled all-MiniLM-L6-v2 (offline), a Hugging Face "
        "model id, or a local directory.",
    )
    embedding_device: str | None = Field(None, description="torch device for the embedder (default: auto).")
    batch_size: int = Field(64, ge=1, le=4096, description="Texts per embedding batch and points per upsert.")
    pdf_max_pages: int = Field(500, ge=1, description="A PDF with more pages is rejected (ingest report).")
    pdf_max_seconds: float = Field(60.0, gt=0, description="Per-file extraction time limit, in seconds.")
    qdrant_url: str | None = Field(None, description="Qdrant server or cluster URL; unset = embedded Qdrant Edge.")
    qdrant_api_key: SecretStr | None = Field(None, description="API key for the Qdrant server.")

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"
