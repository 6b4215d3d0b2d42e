"""Schemathesis against /api/openapi.json: generated requests never get a server error.

Schemathesis' pytest plugin does not run on this pytest, so each described operation is
driven through Hypothesis directly, with valid and with invalid parameters, on the WSGI app.
Besides "no 5xx", answers must have a documented status, content type and JSON shape. The
API clamps out-of-range numbers instead of refusing them and a well-typed query can still be
bad syntax, so "valid data is accepted" and "invalid data is rejected" are not required.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from archive.config import Settings
from web import create_app
from web.openapi import spec

SPEC = spec("http://localhost", Settings(data_dir=Path(".")))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CASES = [
    (path, mode)
    for path, item in sorted(SPEC["paths"].items())
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or item["get"]["parameters"]
]


@pytest.fixture(scope="module")
def api_schema(web_archive):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", create_app(archive=web_archive))


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_generated_requests_keep_to_the_description(api_schema, path, mode):
    operation = api_schema[path]["GET"]

    @settings(
        max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        case.call_and_validate(checks=CHECKS)

    run()
