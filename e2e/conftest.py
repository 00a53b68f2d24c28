"""Browser tests: Playwright driving Debian's chromium against a live server.

They run wherever /usr/bin/chromium exists (CI installs it). With WANGHUA_REQUIRE_BROWSER=1 a
missing browser is a failure, not a skip, so CI cannot hide a broken journey."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("WANGHUA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]

def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("WANGHUA_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"browser tests required but {CHROMIUM} is missing (apt-get install chromium)")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests' own fixtures
    # make are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


# Every page reports what the Content-Security-Policy refused (an inline script, a handler, eval) to the console,
# where the fixtures collect it: a journey that meets a violation fails, whichever page it was on.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => console.error(
  `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
"""


def is_csp_violation(text: str) -> bool:
    return text.startswith("CSP violation:") or "Content Security Policy" in text


def watched(context):
    """A page of `context` whose CSP violations are collected in `page.csp_violations`."""
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda message: page.csp_violations.append(f"{page.url}: {message.text}")
            if is_csp_violation(message.text) else None)
    page.set_default_timeout(30000)  # a loaded CI machine took over 15 s for an admin page
    return page


def fail_on_csp_violations(page) -> None:
    if page.csp_violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(page.csp_violations), pytrace=False)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = watched(context)
    yield page
    violations = list(page.csp_violations)
    context.close()
    page.csp_violations = violations
    fail_on_csp_violations(page)


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = watched(context)
    yield page
    violations = list(page.csp_violations)
    context.close()
    page.csp_violations = violations
    fail_on_csp_violations(page)


@pytest.fixture
def live_world(transactional_db, world, live_server):
    return world


def login(page, base_url: str, username: str, password: str = "Pass-word-123") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/")
