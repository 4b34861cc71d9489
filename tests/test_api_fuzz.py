"""Schemathesis over the app's own OpenAPI spec: whatever it sends, the server never answers 5xx.

Bounded (a few examples per operation) so it stays a unit test; ingestion routes are left out (their
uploads start background jobs; tests/test_api_ingest.py covers them case by case). Driven through
hypothesis directly: schemathesis' pytest plugin does not run under pytest 9 (it reads a node
attribute pytest 9 removed).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from api_support import auth, demo_data, make_app
from conseil.api.auth import Role
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans

pytestmark = pytest.mark.index

EXAMPLES = 15


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    app = make_app(demo_data(tmp_path_factory, "fuzz"), static_dir=None)
    yield schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path_regex="^/v1/ingest/")
    shutdown_lifespans()  # schemathesis keeps the app's lifespan open until asked: release the index


@pytest.mark.slow
@pytest.mark.parametrize("role", [Role.ADMIN, Role.ADVISOR, None])
def test_no_server_errors(api_schema: schemathesis.BaseSchema, role: Role | None) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=auth(role), checks=[not_a_server_error])

        check()
