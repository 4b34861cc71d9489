"""The HTTP server's own settings, read from `CONSEIL_*` like the core `Settings`, kept apart from it.

The core `Settings` describes the index and the model, which the CLI and the server share; these
fields only matter to a process serving HTTP (key sources, request limits).
"""

from __future__ import annotations

from pathlib import Path

from conseil.search.settings import Settings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024


class ApiSettings(BaseSettings):
    """Server limits and API key sources (environment: `CONSEIL_API_KEYS_FILE`, `CONSEIL_UPLOAD_MAX_MB`...)."""

    model_config = SettingsConfigDict(env_prefix="CONSEIL_", env_file=".env", extra="ignore")

    api_keys_file: Path | None = Field(
        default=None, description="JSON file of API keys (hashes only); default <data_dir>/api-keys.json.")
    api_keys: str | None = Field(
        default=None, description='API keys as a JSON list of {"name", "role", "sha256"}; added to the file\'s keys.')
    upload_max_mb: float = Field(default=50.0, gt=0, le=10_240, description="Largest upload accepted by /v1/ingest (MB).")
    max_body_kb: float = Field(default=64.0, gt=0, le=10_240,
                               description="Largest JSON request body accepted by the other routes (KB).")
    query_batch_max: int = Field(default=64, ge=1, le=1024,
                                 description="Most concurrent search queries embedded in one model call.")
    cache_embeddings: int = Field(default=4096, ge=0, le=1_000_000,
                                  description="Query vectors kept (keyed on model and exact text; 0: off).")
    cache_filters: int = Field(default=2048, ge=0, le=1_000_000,
                               description="Totals and facets kept, keyed on the filter (0: off).")
    cache_items: int = Field(default=20_000, ge=0, le=1_000_000,
                             description="Products whose ingredient families were re-derived, kept for "
                                         "verification, and as many hit payloads (0: off).")
    cache_responses: int = Field(default=2048, ge=0, le=1_000_000,
                                 description="Whole search answers kept, keyed on the full request (0: off).")
    study_dirs: list[Path] = Field(
        default_factory=list, description='Folders the ingested studies were read from, as a JSON list '
        '(CONSEIL_STUDY_DIRS=\'["corpora/studies"]\'): analysts open a cited document from them.')
    torch_threads: int = Field(default=1, ge=0, le=256,
                               description="Intra-op threads of the model under `conseil serve` (0: torch's "
                                           "default). Concurrent searches are batched instead, and an "
                                           "ingestion job then leaves a core to the searches.")

    def keys_file(self, settings: Settings) -> Path:
        return self.api_keys_file if self.api_keys_file is not None else settings.data_dir / "api-keys.json"

    @property
    def upload_max_bytes(self) -> int:
        return int(self.upload_max_mb * MB)

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_kb * 1024)
