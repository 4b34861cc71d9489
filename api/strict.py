"""Unknown request parameters are refused, never ignored: every route's JSON body model forbids extra
fields (`extra="forbid"`), and this dependency, installed on the whole app, does the same for query
parameters and multipart form fields (422 naming each unknown name).

A misspelt parameter silently ignored is a safety bug here: `{"exclude_families": ["parabens"]}`
answered 200 with a paraben product.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError


def _declared(dependant: Dependant) -> tuple[set[str], set[str]]:
    """Query parameter and body field names of a route, its dependencies' included."""
    query: set[str] = set()
    body: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        query.update(p.alias for p in current.query_params)
        body.update(p.alias for p in current.body_params)
        stack.extend(current.dependencies)
    return query, body


async def refuse_unknown_parameters(request: Request) -> None:
    """App-wide dependency: 422 for a query parameter or form field the route does not declare."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if not isinstance(dependant, Dependant):
        return
    query, body = _declared(dependant)
    errors: list[dict[str, Any]] = [
        {"loc": ("query", name), "msg": f"unknown parameter: this route takes {_listed(query)}",
         "type": "extra_forbidden", "input": None}
        for name in request.query_params if name not in query]
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        form = await request.form()  # already parsed (and bounded) by the route's own form parameters
        errors += [{"loc": ("body", name), "msg": f"unknown form field: this route takes {_listed(body)}",
                    "type": "extra_forbidden", "input": None}
                   for name in form if name not in body]
    if errors:
        raise RequestValidationError(errors)


def _listed(names: set[str]) -> str:
    return ", ".join(sorted(names)) if names else "none"
