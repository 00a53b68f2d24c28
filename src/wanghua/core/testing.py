"""Test support every module reuses: the permission matrix.

A matrix case names a request and the status each kind of actor must get:
anonymous / no_role / out_of_scope / in_scope. `run_case` sends it as each actor in that order
(in scope last, so a change it makes cannot mask a refused one) and checks that refused
requests changed nothing stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.test import Client

ACTORS = ("anonymous", "no_role", "out_of_scope", "in_scope")

# Expected statuses by kind of route. Pages send anonymous users to the login page.
PAGE_DETAIL = {"anonymous": 302, "no_role": 403, "out_of_scope": 404, "in_scope": 200}
PAGE_LIST = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
PAGE_CHANGE = {"anonymous": 302, "no_role": 403, "out_of_scope": 404, "in_scope": 302}
API_DETAIL = {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 200}
API_LIST = {"anonymous": 401, "no_role": 403, "out_of_scope": 200, "in_scope": 200}


@dataclass
class MatrixCase:
    name: str
    method: str
    url: str
    expect: dict[str, int]
    data: dict[str, Any] | Callable[[], dict[str, Any]] | None = None  # a callable gives fresh data (uploads)
    as_json: bool = False
    # For lists and exports: a marker that the in-scope answer contains and the out-of-scope one does not.
    marker: str | None = None
    # Returns a fingerprint of the stored state that a refused request must not change.
    state: Callable[[], Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def send(client: Client, case: MatrixCase) -> HttpResponse:
    method: Callable[..., HttpResponse] = getattr(client, case.method)  # client.get, .post ...
    data = case.data() if callable(case.data) else case.data
    if case.as_json:
        return method(case.url, data=json.dumps(data or {}), content_type="application/json")
    return method(case.url, data=data or {})


def body_text(response: HttpResponse) -> str:
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        from io import BytesIO

        from openpyxl import load_workbook

        sheet = load_workbook(BytesIO(response.content), read_only=True).active
        return "\n".join("\t".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True))  # type: ignore[union-attr]  # a workbook has its sheet
    return response.content.decode("utf-8", "replace") if not getattr(response, "streaming", False) else ""


def run_case(clients: dict[str, Client], case: MatrixCase) -> list[str]:
    """Send the case as every actor; return the list of failures (empty when the matrix holds)."""
    failures = []
    for actor in ACTORS:
        before = case.state() if case.state else None
        response = send(clients[actor], case)
        want = case.expect[actor]
        if response.status_code != want:
            failures.append(f"{case.name}: {actor} got {response.status_code}, expected {want}")
            continue
        if case.state and actor != "in_scope" and case.state() != before:
            failures.append(f"{case.name}: refused request by {actor} changed stored data")
        if case.marker and want == 200:
            text = body_text(response)
            present = case.marker in text
            if actor == "in_scope" and not present:
                failures.append(f"{case.name}: in-scope answer lacks {case.marker!r}")
            if actor == "out_of_scope" and present:
                failures.append(f"{case.name}: out-of-scope answer leaks {case.marker!r}")
    return failures
