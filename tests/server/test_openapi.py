"""The OpenAPI description is complete, and requests made from it never get a 5xx.

schemathesis reads ``/openapi.json`` from the session's real server (127.0.0.1) and generates
requests for every operation — valid ones and broken ones: odd parameter values, bodies of both
kinds for ``POST /sparql`` — bounded to a few examples per operation.  The check is the service's
own promise: bad input is a 4xx with a reason, never a server error, and every status and media
type it answers is in the description.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error, status_code_conformance

from .conftest import RunningServer

#: examples per operation: enough to reach each parameter, bounded so the test stays under a minute
MAX_EXAMPLES = 25


@schemathesis.serializer("application/sparql-query")
def _query_body(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    """The bare query as the body (schemathesis has no serializer for this media type)."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


@pytest.fixture(scope="module")
def api_schema(server: RunningServer) -> Any:
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json")


def test_no_request_gets_a_server_error(api_schema: Any) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6
    for operation, mode in itertools.product(operations, (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)
        def check(case: Any) -> None:
            case.call_and_validate(checks=[not_a_server_error, status_code_conformance, content_type_conformance],
                                   timeout=30)

        try:
            check()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # an operation without inputs has nothing to break


def test_the_sparql_operations_are_described(server: RunningServer) -> None:
    """Every protocol parameter and both request bodies; no method that always answers 405."""
    described = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    paths = described["paths"]
    get, post = paths["/sparql"]["get"], paths["/sparql"]["post"]
    names = {p["name"] for p in get["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "format", "provenance", "inferred"} <= names
    assert set(post["requestBody"]["content"]) == {"application/sparql-query", "application/x-www-form-urlencoded"}
    assert {"application/sparql-results+json", "text/turtle", "text/csv"} <= set(get["responses"]["200"]["content"])
    assert {"400", "403", "406", "413", "503"} <= set(get["responses"])
    for path, operations in paths.items():
        for method in operations:
            response = httpx.request(method.upper(), f"{server.url}{path.replace('{filename}', 'dipkg.ttl')}",
                                     timeout=30)
            assert response.status_code != 405, (method, path)
        if not path.startswith("/articles"):  # the one write API (POST/DELETE /articles, with a token)
            assert not {"put", "delete", "patch"} & set(operations), path
