"""Every demo login walks the district that `make run` builds, in a real browser on its own device: every
menu item and home shortcut, and the first links of each of those pages (two clicks deep). A page fails the
walk if it answers 4xx/5xx, logs a JavaScript error, or shows raw English (a snake_case name, an enum value,
an untranslated message of the catalogue, a Python repr).

The demo is built by the real commands, in a process of its own, on a database of its own: SQLite in a
temporary folder, or a database beside the suite's own when the suite runs on PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

from wanghua.demo.district import DEMO_PASSWORD, LOGINS
from wanghua.industry.testing import free_port, wait_for_port

pytestmark = pytest.mark.browser

PHONE_LOGINS = {"agent", "operator", "plant", "grid"}  # they work on phones (DEVELOPERS.md)
USERNAMES = [login[0] for login in LOGINS] + ["admin"]
DEPTH_TWO_PER_PAGE = 3
# The most SQL queries a page of the demo may run. Lists show 25 rows or more and boards dozens of figures, so a
# page that queries once per row or per figure goes past it.
MOST_QUERIES_PER_PAGE = 40
# Links a walk must not follow: they change state, download, leave the page's language or end the session.
SKIPPED = re.compile(r"/accounts/logout|/i18n/|/export|\.xlsx|\.pdf|/download|/api/|/admin/|/static/|/media/"
                     r"|[?&]format=|/photo")
# The page's text without what is code by design (a dictionary's stored values, session keys: shown in
# monospace) and without scripts and styles.
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, template, noscript, code, kbd, samp, .font-monospace')
      .forEach(node => node.remove());
  return body.textContent;
}"""
PYTHON_REPR = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\bnan\b| object at 0x|Traceback")
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b")  # four English words in a row


def _wanghua() -> str:
    return str(Path(sys.executable).parent / "wanghua")


def _database_for_the_demo(folder: Path) -> tuple[str, callable]:
    """A database URL of the walk's own, and how to drop it afterwards."""
    if connection.vendor != "postgresql":
        return f"sqlite:///{folder / 'walk.sqlite3'}", lambda: None
    import psycopg

    settings = connection.settings_dict
    name = f"{settings['NAME']}_walk"
    server = f"postgres://{settings['USER']}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}"

    def admin(sql: str) -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin_connection:
            admin_connection.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}", lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory, django_db_blocker):
    folder = tmp_path_factory.mktemp("walk")
    with django_db_blocker.unblock():
        url, drop = _database_for_the_demo(folder)
    env = {**os.environ, "WANGHUA_VAR_DIR": str(folder), "WANGHUA_DATABASE_URL": url}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for command in (["migrate", "--no-input"], ["demo"]):
        subprocess.run([_wanghua(), *command], env=env, check=True, capture_output=True, timeout=600)
    port = free_port()
    # No job worker: the walk reads a district that no scheduled job changes under it.
    env["WANGHUA_COUNT_QUERIES"] = "1"  # each page says how many queries it ran (X-Wanghua-Queries)
    server = subprocess.Popen([_wanghua(), "serve", "--no-worker", "--workers", "2", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop()


def _catalogue_msgids() -> set[str]:
    """English messages of the catalogue long enough to be unmistakable when shown untranslated."""
    from babel.messages.pofile import read_po

    import wanghua

    po = Path(wanghua.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    # A message translated as itself (a symbol such as "ReL/Rp0.2 (MPa)") is no English sentence.
    ids = {message.id for message in catalog
           if isinstance(message.id, str) and message.id and message.string and message.string != message.id}
    return {text for text in ids if len(text) >= 12 and " " in text and "%" not in text and "{" not in text}


def _raw_words() -> set[str]:
    """Words that are code where a label belongs: every stored value of a status enum, and every field name
    with an underscore (`visited_at`)."""
    from django.apps import apps
    from django.db import models

    words = set()
    for model in apps.get_models():
        if not model.__module__.startswith("wanghua."):
            continue
        for field in model._meta.concrete_fields:
            words |= {name for name in (field.name, field.attname) if "_" in name}
            if isinstance(field, models.CharField) and field.choices and field.name in {"status", "stage", "state"}:
                words |= {value for value, _label in field.flatchoices if re.fullmatch(r"[a-z_]{4,}", str(value))}
    return words


def raw_english(text: str, msgids: set[str], raw_words: set[str]) -> list[str]:
    found = sorted(set(re.findall(r"\b[a-z][a-z0-9_]{3,}\b", text)) & raw_words)
    found += PYTHON_REPR.findall(text) + ENGLISH_RUN.findall(text)
    found += [msgid for msgid in msgids if msgid in text]
    return found


def page_kind(path: str) -> str:
    """Pages of one kind (every order's detail page, a list under any filter) are walked once per login."""
    return re.sub(r"\d+", "#", urlsplit(path).path)


def _same_site_links(page, base: str, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(link => link.getAttribute('href'))")
    links = []
    for href in hrefs:
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        parts = urlsplit(href)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not SKIPPED.search(path) and path not in links:
            links.append(path)
    return links


@pytest.fixture(scope="module")
def language_checks():
    return _catalogue_msgids(), _raw_words()


@pytest.mark.parametrize("username", USERNAMES)
def test_every_login_walks_its_menus_two_clicks_deep(username, demo_site, browser, language_checks):
    msgids, raw_words = language_checks
    if username in PHONE_LOGINS:
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True)
    else:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30000)
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on("console", lambda message: script_errors.append(message.text) if message.type == "error"
            and not message.text.startswith("Failed to load resource") else None)
    # A resource the page asks for and does not get, named by its address (the console only says "404").
    page.on("response", lambda response: script_errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document" else None)
    failures: dict[str, list[str]] = {}
    query_counts: dict[str, int] = {}

    def visit(path: str) -> bool:
        script_errors.clear()
        response = page.goto(f"{demo_site}{path}", wait_until="load")
        problems = []
        if response is None or response.status >= 400:
            problems.append(f"HTTP {response.status if response else '—'}")
        elif "text/html" not in response.headers.get("content-type", ""):
            return True  # a PDF or a spreadsheet opened inline: its status is what the walk can judge
        else:
            queries = int(response.headers.get("x-wanghua-queries", "-1"))
            query_counts[path] = queries
            if queries < 0:
                problems.append("the server did not count its queries")
            elif queries > MOST_QUERIES_PER_PAGE:
                problems.append(f"{queries} SQL queries (at most {MOST_QUERIES_PER_PAGE})")
            text = page.evaluate(VISIBLE_TEXT)
            for username in USERNAMES:  # login names are data, not words of the page
                text = text.replace(username, "")
            problems += [f"raw English: {found!r}" for found in raw_english(text, msgids, raw_words)]
        problems += [f"script error: {error}" for error in script_errors]
        if problems:
            failures[path] = problems
        return not problems

    try:
        page.goto(f"{demo_site}/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{demo_site}/")
        visit("/")
        first = _same_site_links(page, demo_site, "nav a.nav-link, nav a.dropdown-item, main a")
        assert first, f"{username} has nothing to open from the home page"
        seen = {page_kind(path) for path in ("/", *first)}
        second: list[str] = []
        for path in first:
            if visit(path):
                fresh = [link for link in _same_site_links(page, demo_site, "main a") if page_kind(link) not in seen]
                fresh = list({page_kind(link): link for link in reversed(fresh)}.values())[::-1]
                second += fresh[:DEPTH_TWO_PER_PAGE]
                seen |= {page_kind(link) for link in fresh[:DEPTH_TWO_PER_PAGE]}
        for path in second:
            visit(path)
    finally:
        context.close()
    if os.environ.get("WANGHUA_WALK_REPORT"):
        with open(os.environ["WANGHUA_WALK_REPORT"], "a") as report:
            line = {"username": username, "failures": failures, "queries": query_counts}
            report.write(json.dumps(line, ensure_ascii=False) + "\n")
    assert failures == {}, f"{username}: {len(failures)} pages fail the walk"
