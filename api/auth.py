"""Authentication at the HTTP edge: the API key of a request, its role, and the role's rights.

    advisor   products, ingredients, audit          (never studies, by any route)
    analyst   advisor's rights + studies
    admin     analyst's rights + ingestion (uploads, jobs)

Clients send `Authorization: Bearer KEY` or `X-API-Key: KEY` (the latter wins when both are sent).
No or unknown key: 401; a role without the right: 403. Keys, roles and the key ring live in
`api.keys` (no web framework there); they are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from .keys import (
    ROLE_AUDIENCES,
    ROLE_PERMISSIONS,
    ApiKey,
    KeyRing,
    Permission,
    Principal,
    Role,
    add_key,
    env_keys,
    generate_key,
    hash_key,
    parse_keys,
    read_keys_file,
    revoke_key,
)

__all__ = ["ROLE_AUDIENCES", "ROLE_PERMISSIONS", "ApiKey", "KeyRing", "Permission", "Principal", "Role", "add_key",
           "current_principal", "env_keys", "generate_key", "hash_key", "keyring_of", "parse_keys", "read_keys_file",
           "require", "revoke_key"]


bearer_scheme = HTTPBearer(auto_error=False, description="`Authorization: Bearer <API key>`")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: <API key>`")


def keyring_of(request: Request) -> KeyRing:
    keyring = getattr(request.app.state, "keyring", None)
    if isinstance(keyring, KeyRing):
        return keyring
    raise RuntimeError("the server's key ring is not set up (lifespan not run)")


def current_principal(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    header: Annotated[str | None, Depends(api_key_header)],
) -> Principal:
    """The caller behind the request's API key; 401 without a valid one."""
    presented = header or (bearer.credentials if bearer else None)
    if not presented:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            "An API key is required: send `Authorization: Bearer KEY` or `X-API-Key: KEY`.",
                            headers={"WWW-Authenticate": "Bearer"})
    principal = keyring_of(request).authenticate(presented.strip())
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This API key is not valid (unknown or revoked).",
                            headers={"WWW-Authenticate": "Bearer"})
    return principal


def require(permission: Permission) -> Callable[..., Principal]:
    """A dependency admitting callers whose role holds `permission` (403 otherwise)."""

    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if permission not in principal.permissions:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"The {principal.role.value} role may not use {permission.value} routes.")
        return principal

    return dependency
