"""The culture pages as their users meet them: a resident nominates, the three levels review by page, the public
objects on the 好人榜 page and the 文明办 answers and recognises; the volunteer's phone page; Chinese throughout."""

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.culture.conftest import served
from wanghua.culture.models import Nomination, NominationStatus, Objection, PointsEntry

ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b")


def visible(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def chinese(response) -> str:
    text = visible(response)
    assert not ENGLISH_RUN.findall(text), ENGLISH_RUN.findall(text)
    assert not re.search(r"\b(None|True|False|publicity|street_passed|community_passed)\b", text)
    return text


def test_the_nomination_journey_by_pages(culture, world, client_for):
    resident = client_for(culture.resident)
    chinese(resident.get("/culture/nominations/new/"))
    refused = resident.post("/culture/nominations/new/", {
        "nominee_name": "王热心", "community": world.community1.pk, "category": "helping", "deed": "",
        "deed_date": "2025-06-01"})
    assert refused.status_code == 400 and "请填写先进事迹" in chinese(refused)
    assert Nomination.objects.count() == 0
    made = resident.post("/culture/nominations/new/", {
        "nominee_name": "王热心", "community": world.community1.pk, "category": "helping",
        "deed": "连续十年照顾孤寡老人。", "deed_date": "2025-06-01"})
    assert made.status_code == 302
    nomination = Nomination.objects.get()
    for user in (culture.secretary, culture.street, culture.office):
        page = client_for(user).get(nomination.get_absolute_url())
        assert 'id="step-approve"' in chinese(page) or 'id="step-approve"' in page.content.decode()
        assert client_for(user).post(f"/culture/nominations/{nomination.pk}/approve/",
                                     {"opinion": "同意"}).status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PUBLICITY
    public = Client()
    roll = public.get("/culture/honour/")
    assert "王热心" in chinese(roll) and "公示" in chinese(roll)
    assert public.post(f"/culture/honour/{nomination.pk}/objection/", {"text": "情况不实"}).status_code == 302
    objection = Objection.objects.get()
    office = client_for(culture.office)
    early = office.post(f"/culture/nominations/{nomination.pk}/recognise/")
    assert early.status_code == 400 and "公示至" in chinese(early)
    assert office.post(f"/culture/objections/{objection.pk}/answer/", {"answer": "经核实属实"}).status_code == 302
    Nomination.objects.filter(pk=nomination.pk).update(publicity_ends=timezone.localdate() - timedelta(days=1))
    late = public.post(f"/culture/honour/{nomination.pk}/objection/", {"text": "补充异议"})
    assert late.status_code == 400 and Objection.objects.count() == 1  # the 公示 is over
    assert office.post(f"/culture/nominations/{nomination.pk}/recognise/").status_code == 302
    assert Nomination.objects.get().status == NominationStatus.RECOGNISED
    assert "王热心" in chinese(public.get("/culture/honour/"))


def test_an_objection_after_the_publicity_on_the_page_is_refused_in_chinese(culture, world):
    from tests.culture.conftest import nominate, to_publicity

    nomination = to_publicity(culture, nominate(culture, world))
    Nomination.objects.filter(pk=nomination.pk).update(publicity_ends=timezone.localdate() - timedelta(days=1))
    response = Client().post(f"/culture/honour/{nomination.pk}/objection/", {"text": "晚了"})
    assert response.status_code == 400 and "不再受理异议" in chinese(response)
    assert Objection.objects.count() == 0


def test_the_volunteer_phone_page_earns_and_redeems(culture, world, client_for):
    served(culture.person, culture.team, world.community1, "4", title="学雷锋义务理发")
    phone = client_for(culture.volunteer)
    page = phone.get("/culture/me/")
    assert 'id="balance">0<' in page.content.decode() and "积分超市" in chinese(page)
    assert phone.post("/culture/me/collect/").status_code == 302
    page = phone.get("/culture/me/")
    assert 'id="balance">40<' in page.content.decode() and "学雷锋义务理发" in chinese(page)
    assert phone.post(f"/culture/me/redeem/{culture.goods.pk}/", {"quantity": "1"}).status_code == 302
    page = phone.get("/culture/me/")
    assert 'id="balance">10<' in page.content.decode()
    refused = phone.post(f"/culture/me/redeem/{culture.goods.pk}/", {"quantity": "1"})
    assert refused.status_code == 400 and "余额" in chinese(refused)
    assert PointsEntry.objects.count() == 2


def test_staff_pages_read_in_chinese(culture, world, client_for):
    served(culture.person, culture.team, world.community1, "1")
    from wanghua.culture import services

    services.award_points()
    office = client_for(culture.office)
    for url in ("/culture/sites/", f"/culture/sites/{culture.site.pk}/", "/culture/routes/", "/culture/map/",
                "/culture/nominations/", "/culture/accounts/", "/culture/entries/", "/culture/goods/",
                "/culture/redemptions/", "/culture/rule/", "/culture/sites/new/", "/culture/routes/new/"):
        response = office.get(url)
        assert response.status_code == 200, url
        chinese(response)
    assert office.get("/culture/map.json").json()["sites"][0]["name"] == "雷锋营房旧址"


def test_the_plaque_page_reads_in_chinese_on_a_phone(culture):
    page = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone)").get(culture.site.plaque_url())
    text = chinese(page)
    assert "雷锋营房旧址" in text and "09:00-16:30" in text


def test_a_community_nominates_in_its_own_name_by_page(culture, world, client_for):
    assert "by_community" not in client_for(culture.resident).get("/culture/nominations/new/").content.decode()
    response = client_for(culture.secretary).post("/culture/nominations/new/", {
        "nominee_name": "刘奉献", "community": world.community1.pk, "category": "dedicated", "deed": "三十年坚守岗位。",
        "deed_date": "2025-01-10", "by_community": "on"})
    assert response.status_code == 302 and Nomination.objects.get().by_community
