"""核查 on site, in a real browser: the grid inspector reports a case with a photo on her phone, the command centre
accepts and dispatches it, the unit handles it with a photo of the result, and the inspector finds the case on her
phone home's 核查 task list with both photos side by side, sends it back once with a reason and a photo, then
verifies it put right."""

from io import BytesIO

import pytest
from PIL import Image

from wanghua.civic.models import Case, CaseCategory

from .conftest import login

pytestmark = pytest.mark.browser


def jpeg(colour: str) -> dict:
    image = BytesIO()
    Image.new("RGB", (64, 48), colour).save(image, "JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": image.getvalue()}



def loaded_width(image) -> int:
    """A photo's own width once it has loaded (on a busy machine it may still be on its way)."""
    image.scroll_into_view_if_needed()
    return image.evaluate("img => img.complete && img.naturalWidth ? img.naturalWidth : new Promise("
                          "done => img.addEventListener('load', () => done(img.naturalWidth)))")

def test_grid_inspector_verifies_on_site_from_her_home(live_world, live_server, page, phone, make_user):
    w = live_world
    main = CaseCategory.objects.create(code="environment", name="市容环境", kind="event")
    CaseCategory.objects.create(code="litter", name="暴露垃圾", kind="event", parent=main, default_unit=w.dept)
    make_user("wangge", "grid", region=w.grid1)
    make_user("zhihui", "command", region=w.district)
    make_user("chengguan", "department", unit=w.dept)
    base = live_server.url

    login(phone, base, "wangge")
    phone.goto(f"{base}/civic/cases/report/")
    phone.locator("select[name=category]").select_option(label="市容环境 · 暴露垃圾")
    phone.locator("select[name=community]").select_option(label=w.grid1.name)
    phone.locator("input[name=address]").fill("工农路5号")
    phone.locator("textarea[name=description]").fill("垃圾桶满溢")
    phone.locator("input[name=photo]").set_input_files(jpeg("brown"))
    phone.get_by_role("button", name="上报").click()
    phone.wait_for_selector("#status[data-status='reported']")
    case = Case.objects.get()
    before = phone.locator("img.case-photo-before")
    assert before.count() == 1 and loaded_width(before) == 64  # her own photo loads

    def as_user(username):
        page.context.clear_cookies()
        login(page, base, username)
        page.goto(f"{base}/civic/cases/{case.pk}/")

    as_user("zhihui")
    page.locator("#accept").click()
    page.wait_for_selector("#status[data-status='accepted']")
    page.locator("#dispatch").click()
    page.wait_for_selector("#status[data-status='dispatched']")

    def handled(note: str) -> None:
        as_user("chengguan")
        page.locator("#handle-form input[name=note]").fill(note)
        page.locator("#handle-photo").set_input_files(jpeg("grey"))
        page.locator("#handle").click()
        page.wait_for_selector("#status[data-status='handled']")

    handled("已清运")

    def task_from_home() -> None:
        phone.goto(f"{base}/")
        phone.locator("#todos a[href='/civic/cases/verify/']").click()
        task = phone.locator(f".verify-task[data-case='{case.pk}']")
        assert task.locator("img.case-photo-before").count() == 1
        after = task.locator("img.case-photo-after").last
        assert loaded_width(after) == 64
        task.get_by_role("link", name="现场核查", exact=True).click()
        phone.wait_for_selector("#verify-form")

    task_from_home()
    phone.locator("#verify-form input[name=note]").fill("地面仍有散落垃圾")
    phone.locator("#verify-photo").set_input_files(jpeg("brown"))
    phone.locator("#rework").click()
    phone.wait_for_selector("#status[data-status='dispatched']")
    assert phone.locator("img.case-photo-verified").count() == 1

    handled("已清扫地面")
    task_from_home()
    phone.locator("#close").click()
    phone.wait_for_selector("#status[data-status='closed']")
    steps = phone.locator("#journal li").evaluate_all("items => items.map(i => i.dataset.step)")
    assert steps == ["report", "accept", "dispatch", "handle", "rework", "handle", "close"]
    phone.goto(f"{base}/civic/cases/verify/")
    phone.wait_for_selector("#no-tasks")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # cards, no table cut off on the phone
