"""API keys and roles, without the web framework (the CLI's `conseil keys` loads only this).

Who may call which route, and which studies a caller may ever see:

    advisor   products, ingredients, audit          (never studies, by any route)
    analyst   advisor's rights + studies
    admin     analyst's rights + ingestion (uploads, jobs)

A key is a random string shown once (`conseil keys create`); only its sha256 is stored, in the keys
file (`CONSEIL_API_KEYS_FILE`, default `<data_dir>/api-keys.json`) and/or the `CONSEIL_API_KEYS`
environment variable, both a JSON list of `{"name", "role", "sha256"}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from conseil.search.errors import ConfigurationError

log = logging.getLogger("conseil.api")

KEY_PREFIX = "csl_"


class Role(StrEnum):
    ADVISOR = "advisor"
    ANALYST = "analyst"
    ADMIN = "admin"


class Permission(StrEnum):
    PRODUCTS = "products"
    INGREDIENTS = "ingredients"
    AUDIT = "audit"
    STUDIES = "studies"
    INGEST = "ingest"


_ADVISOR = frozenset({Permission.PRODUCTS, Permission.INGREDIENTS, Permission.AUDIT})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADVISOR: _ADVISOR,
    Role.ANALYST: _ADVISOR | {Permission.STUDIES},
    Role.ADMIN: _ADVISOR | {Permission.STUDIES, Permission.INGEST},
}
# The study audiences a role belongs to: the studies search filters on them, whatever the request says.
# An advisor belongs to none, so even a route that forgot its permission check would find nothing.
ROLE_AUDIENCES: dict[Role, tuple[str, ...]] = {
    Role.ADVISOR: (),
    Role.ANALYST: ("analyst",),
    Role.ADMIN: ("analyst", "admin"),
}


@dataclass(frozen=True)
class ApiKey:
    """A configured key: who it is, its role, and the sha256 (hex) of the secret."""

    name: str
    role: Role
    sha256: str


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    name: str
    role: Role

    @property
    def permissions(self) -> frozenset[Permission]:
        return ROLE_PERMISSIONS[self.role]

    @property
    def audiences(self) -> tuple[str, ...]:
        return ROLE_AUDIENCES[self.role]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def parse_keys(raw: Any, origin: str) -> list[ApiKey]:
    """Validate a JSON list of key records; `origin` names the file or variable in the error."""
    if isinstance(raw, dict) and "keys" in raw:
        raw = raw["keys"]
    if not isinstance(raw, list):
        raise ConfigurationError(f"{origin} must hold a JSON list of {{\"name\", \"role\", \"sha256\"}} objects.")
    keys: list[ApiKey] = []
    roles = ", ".join(r.value for r in Role)
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not {"name", "role", "sha256"} <= item.keys():
            raise ConfigurationError(f"{origin}: entry {n} needs \"name\", \"role\" and \"sha256\".")
        digest = str(item["sha256"]).strip().lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ConfigurationError(f"{origin}: entry {n} ({item['name']}) has a sha256 that is not 64 hex digits.")
        try:
            role = Role(str(item["role"]))
        except ValueError:
            raise ConfigurationError(
                f"{origin}: entry {n} ({item['name']}) has role {item['role']!r}; use one of {roles}.") from None
        keys.append(ApiKey(name=str(item["name"]), role=role, sha256=digest))
    return keys


def read_keys_file(path: Path) -> list[ApiKey]:
    """The keys in `path`; none when the file does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ConfigurationError(f"Cannot read the API keys file {path}: {exc.strerror}.") from None
    try:
        raw = json.loads(text) if text.strip() else []
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"The API keys file {path} is not valid JSON ({exc.msg}, line {exc.lineno}).") from None
    return parse_keys(raw, str(path))


def env_keys(value: str | None) -> list[ApiKey]:
    if not value or not value.strip():
        return []
    try:
        raw = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"CONSEIL_API_KEYS is not valid JSON ({exc.msg}).") from None
    return parse_keys(raw, "CONSEIL_API_KEYS")


def _write_keys(path: Path, keys: Sequence[ApiKey]) -> None:
    """Replace the file atomically, readable by its owner only (hashes, but still credentials)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump([{**asdict(k), "role": k.role.value} for k in keys], handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)


def add_key(path: Path, name: str, role: Role) -> tuple[str, ApiKey]:
    """Create a key, store its hash in `path`; returns the secret (shown once) and the record."""
    name = name.strip()
    if not name:
        raise ConfigurationError("A key needs a name (who or what uses it).")
    keys = read_keys_file(path)
    if any(k.name == name for k in keys):
        raise ConfigurationError(f"A key named {name!r} already exists in {path}: revoke it first or pick another name.")
    secret = generate_key()
    record = ApiKey(name=name, role=role, sha256=hash_key(secret))
    _write_keys(path, [*keys, record])
    return secret, record


def revoke_key(path: Path, name: str) -> bool:
    keys = read_keys_file(path)
    kept = [k for k in keys if k.name != name]
    if len(kept) == len(keys):
        return False
    _write_keys(path, kept)
    return True


class KeyRing:
    """The keys a server accepts: fixed ones plus the keys file, re-read when the file changes
    (so `conseil keys create` takes effect without a restart)."""

    def __init__(self, fixed: Sequence[ApiKey], path: Path | None = None) -> None:
        self._fixed = list(fixed)
        self._path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._from_file: list[ApiKey] = []
        self._reload()

    def _file_stamp(self) -> tuple[int, int] | None:
        if self._path is None:
            return None
        try:
            st = self._path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _reload(self) -> None:
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            try:
                self._from_file = read_keys_file(self._path) if (self._path and stamp) else []
            except ConfigurationError as exc:  # a bad edit must not lock everyone out: keep the last good keys
                log.error("%s The keys read before stay in use.", exc)
            self._stamp = stamp

    def keys(self) -> list[ApiKey]:
        self._reload()
        return self._fixed + self._from_file

    def authenticate(self, presented: str) -> Principal | None:
        digest = hash_key(presented)
        found: ApiKey | None = None
        for key in self.keys():  # every key compared, in constant time: no early exit to time
            if hmac.compare_digest(digest, key.sha256) and found is None:
                found = key
        return Principal(name=found.name, role=found.role) if found else None
