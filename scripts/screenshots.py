"""Take the README's screenshots from a running demo (`make run`, or `wanghua serve`).

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [--homes]   (--homes: only each role's home)
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = next((arg for arg in sys.argv[1:] if arg.startswith("http")), "http://127.0.0.1:8000")
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--lang=zh-CN"]  # --lang: date inputs in the Chinese order (年/月/日), as users see them


def login(page, username: str) -> None:
    page.goto(f"{BASE}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("Wanghua@2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{BASE}/")


PHONE_LOGINS = {"agent", "operator", "plant", "grid", "volunteer", "resident"}  # those who work on a phone


def demo_usernames() -> list[str]:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanghua.settings")
    django.setup()
    from wanghua.demo.district import LOGINS

    return [login[0] for login in LOGINS]


def role_homes(browser) -> None:
    """Each demo login's home, on the device that role uses: home-<login>.png."""
    for username in demo_usernames():
        if username in PHONE_LOGINS:
            page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
        else:
            page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
        login(page, username)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(600)
        page.screenshot(path=OUT / f"home-{username}.png")
        page.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, env={"LANG": "zh_CN.UTF-8"})
        role_homes(browser)
        if "--homes" in sys.argv:
            return
        desktop = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
        login(desktop, "leader")
        desktop.wait_for_selector("#chart-communities[data-chart-ready='1']")
        desktop.wait_for_selector("#district-map[data-chart-ready='1']")
        desktop.wait_for_timeout(800)
        desktop.screenshot(path=OUT / "home.png", full_page=True)
        desktop.goto(f"{BASE}/goals/")
        desktop.wait_for_selector("#chart-flower[data-chart-ready='1']")
        desktop.wait_for_timeout(800)
        desktop.screenshot(path=OUT / "goals.png")
        desktop.locator("#headlines").scroll_into_view_if_needed()
        desktop.locator("#headlines").screenshot(path=OUT / "goals-headlines.png")
        screen = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        login(screen, "leader")
        screen.goto(f"{BASE}/screen/")
        screen.wait_for_selector("#stage[data-ready='1']")
        screen.wait_for_timeout(1500)
        screen.screenshot(path=OUT / "big-screen.png")
        desktop.goto(f"{BASE}/org/regions/tree/")
        desktop.locator("li[data-region='210404'] > button.toggle").click()
        desktop.locator("li[data-region='210404004'] > button.toggle").click()
        desktop.locator("li[data-region='210404004010']").wait_for()
        desktop.screenshot(path=OUT / "region-tree.png")
        desktop.goto(f"{BASE}/org/people/?region=")
        desktop.screenshot(path=OUT / "people.png")
        desktop.goto(f"{BASE}/system/audit/")
        desktop.screenshot(path=OUT / "audit.png")
        desktop.goto(f"{BASE}/services/statistics/")
        desktop.wait_for_selector("#chart-station[data-chart-ready='1']")
        desktop.wait_for_timeout(800)
        desktop.screenshot(path=OUT / "errand-statistics.png", full_page=True)
        agent = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
        login(agent, "agent")
        agent.goto(f"{BASE}/services/")
        agent.screenshot(path=OUT / "phone-agent-today.png")
        agent.locator("[data-errand]").first.click()
        agent.wait_for_selector("#errand-status")
        agent.screenshot(path=OUT / "phone-agent-errand.png", full_page=True)
        operator = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
        login(operator, "operator")
        operator.goto(f"{BASE}/industry/lines/FS-AUTO1/")
        operator.wait_for_selector("#sparklines[data-ready='1']")
        operator.wait_for_timeout(1500)
        operator.screenshot(path=OUT / "phone-operator-line.png", full_page=True)
        desktop.goto(f"{BASE}/industry/lines/FS-AUTO1/analysis/?days=30")  # the 30 days the demo back-fills
        desktop.wait_for_selector("#chart-pareto[data-chart-ready='1']")
        desktop.wait_for_timeout(800)
        desktop.screenshot(path=OUT / "line-analysis.png", full_page=True)
        desktop.goto(f"{BASE}/projects/?month=6")
        desktop.wait_for_selector("#chart-zone[data-chart-ready='1']")
        desktop.wait_for_timeout(800)
        desktop.screenshot(path=OUT / "projects-headline.png", full_page=True)
        desktop.goto(f"{BASE}/projects/assessment/?kind=town")
        desktop.wait_for_selector("#chart-ranking[data-chart-ready='1']")
        desktop.locator("#ranking details summary").first.click()
        desktop.wait_for_timeout(800)
        desktop.screenshot(path=OUT / "projects-assessment.png")
        command = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
        login(command, "command")
        command.goto(f"{BASE}/civic/cases/board/")
        command.wait_for_selector("#chart-streets[data-chart-ready='1']")
        command.wait_for_timeout(800)
        command.screenshot(path=OUT / "civic-board.png", full_page=True)
        command.goto(f"{BASE}/civic/cases/map/")
        command.wait_for_selector("#case-map[data-chart-ready='1']")
        command.wait_for_timeout(1000)
        command.screenshot(path=OUT / "civic-map.png")
        desktop.goto(f"{BASE}/services/stations/map/")
        desktop.wait_for_selector("#point-map[data-chart-ready='1']")
        desktop.wait_for_timeout(1000)
        desktop.screenshot(path=OUT / "station-map.png")
        desktop.goto(f"{BASE}/projects/map/")
        desktop.wait_for_selector("#point-map[data-chart-ready='1']")
        desktop.wait_for_timeout(1000)
        desktop.screenshot(path=OUT / "project-map.png")
        public = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
        public.goto(f"{BASE}/civic/map/")
        public.wait_for_selector("#public-map[data-chart-ready='1']")
        public.wait_for_timeout(1000)
        public.screenshot(path=OUT / "public-map.png")
        resident = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
        resident.goto(f"{BASE}/civic/report/")
        resident.wait_for_selector("#pin-map[data-chart-ready='1']")
        resident.locator("select[name=category]").select_option(index=1)
        chart = "echarts.getInstanceByDom(document.getElementById('pin-map'))"
        resident.evaluate(f"() => {chart}.setOption({{geo: {{center: [123.848, 41.817], zoom: 5}}}})")  # 和平街道
        x, y = resident.evaluate(f"() => {chart}.convertToPixel({{geoIndex: 0}}, [123.848, 41.817])")
        box = resident.locator("#pin-map").bounding_box()
        resident.mouse.click(box["x"] + x, box["y"] + y)
        resident.wait_for_selector("#pin-map[data-pinned='1']")
        resident.wait_for_timeout(800)
        resident.screenshot(path=OUT / "phone-pin-drop.png", full_page=True)
        grid = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
        login(grid, "grid")
        grid.goto(f"{BASE}/civic/cases/report/")
        grid.screenshot(path=OUT / "phone-grid-report.png", full_page=True)
        grid.goto(f"{BASE}/civic/cases/verify/")
        grid.screenshot(path=OUT / "phone-grid-verify.png", full_page=True)
        grid.locator(".verify-task a.btn").first.click()
        grid.screenshot(path=OUT / "phone-grid-case.png", full_page=True)
        browser.close()
    print("screenshots in", OUT)


if __name__ == "__main__":
    main()
