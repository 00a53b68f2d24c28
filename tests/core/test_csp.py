"""The Content-Security-Policy: every page carries it, it allows no inline script, and no template of ours
holds an inline script, an inline event handler or a javascript: URL that it would refuse."""

import re
from pathlib import Path

import pytest
from django.test import Client

import wanghua

TEMPLATES = sorted(Path(wanghua.__file__).parent.glob("**/templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("url", ["/accounts/login/", "/civic/report/", "/does-not-exist/"])
def test_pages_carry_a_policy_without_inline_script(db, url):
    policy = directives(Client().get(url))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]


def test_signed_in_pages_carry_it_too(world, make_user, client_for):
    client = client_for(make_user("leader", "leader", region=world.district))
    for url in ("/", "/org/regions/tree/", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in directives(response)["script-src"]


def test_templates_hold_no_inline_script_or_handler():
    assert TEMPLATES, "no templates found"
    offenders = []
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, re.compile(r"javascript:", re.I)):
            offenders += [f"{template.name}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not offenders, offenders
