"""The permission matrix for every culture page and API route (the public pages are tested in test_sites,
test_certificates and test_pages)."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.culture.conftest import build_culture, nominate, point_in, served, to_publicity
from tests.stations.test_photos import png
from wanghua.core.testing import API_DETAIL, API_LIST, PAGE_CHANGE, PAGE_DETAIL, PAGE_LIST, MatrixCase, run_case
from wanghua.culture import services
from wanghua.culture.models import (
    Goods,
    HeritageSite,
    Nomination,
    NominationPhoto,
    Objection,
    PointsRule,
    Redemption,
    ServiceCertificate,
    SitePhoto,
    StudyRoute,
)

API_CREATE = {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201}
EXPORT = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
FORM_POST = {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302}
EVERYWHERE = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
ANYONE_POSTS = {"anonymous": 302, "no_role": 403, "out_of_scope": 302, "in_scope": 302}


def prepare_culture(world, make_user) -> dict:
    culture = build_culture(world, make_user)

    def many(count):
        return [nominate(culture, world, nominee_name=f"候选{i}") for i in range(count)]

    submitted = many(5)
    community_passed = many(3)
    for n in community_passed:
        services.approve_nomination(culture.secretary, n.pk)
    street_passed = many(3)
    for n in street_passed:
        services.approve_nomination(culture.secretary, n.pk)
        services.approve_nomination(culture.street, n.pk)
    ended, open_objections = [to_publicity(culture, n) for n in many(2)], []
    for n in ended:
        objection = services.file_objection(None, n.pk, text="核实一下")
        services.answer_objection(culture.office, objection.pk, answer="已核实")
    Nomination.objects.filter(pk__in=[n.pk for n in ended]).update(
        publicity_ends=timezone.localdate() - timedelta(days=1))
    for n in [to_publicity(culture, n) for n in many(2)]:
        open_objections.append(services.file_objection(None, n.pk, text="有疑问"))
    served(culture.person, culture.team, world.community1, "12", title="学雷锋便民服务")
    services.award_points()
    photo = services.add_evidence(culture.resident, submitted[0].pk, SimpleUploadedFile("a.png", png(), "image/png"))
    certificate = services.issue_certificate(culture.volunteer)
    return {"c": culture, "submitted": submitted, "community_passed": community_passed,
            "street_passed": street_passed, "ended": ended, "objections": open_objections, "photo": photo,
            "account": culture.person.points_account, "certificate": certificate}


def status_of(nomination):
    return lambda: Nomination.objects.get(pk=nomination.pk).status


def fresh_photo() -> dict:
    return {"image": SimpleUploadedFile("p.png", png(), "image/png")}


def secretary_cases(w, users) -> list[MatrixCase]:
    u = users["culture"]
    c, s, acc = u["c"], u["submitted"], u["account"]
    site, goods = c.site, c.goods
    return [
        MatrixCase("site list", "get", "/culture/sites/", PAGE_LIST, marker="雷锋营房旧址"),
        MatrixCase("site export", "get", "/culture/sites/?format=xlsx", EXPORT, marker="雷锋营房旧址"),
        MatrixCase("site detail", "get", f"/culture/sites/{site.pk}/", PAGE_DETAIL),
        MatrixCase("route list", "get", "/culture/routes/", PAGE_LIST),
        MatrixCase("map", "get", "/culture/map/", PAGE_LIST),
        MatrixCase("map data", "get", "/culture/map.json", PAGE_LIST),
        MatrixCase("nomination list", "get", "/culture/nominations/", PAGE_LIST, marker="候选0"),
        MatrixCase("nomination export", "get", "/culture/nominations/?format=xlsx", EXPORT, marker="候选0"),
        MatrixCase("nomination detail", "get", f"/culture/nominations/{s[0].pk}/", PAGE_DETAIL),
        MatrixCase("nominate form", "get", "/culture/nominations/new/", PAGE_LIST),
        MatrixCase("nominate", "post", "/culture/nominations/new/", ANYONE_POSTS,
                   data={"nominee_name": "新人", "community": w.community1.pk, "category": "brave",
                         "deed": "跳水救人", "deed_date": "2025-07-01"}),
        MatrixCase("nomination approve", "post", f"/culture/nominations/{s[1].pk}/approve/", PAGE_CHANGE,
                   data={"opinion": "属实"}, state=status_of(s[1])),
        MatrixCase("nomination reject", "post", f"/culture/nominations/{s[2].pk}/reject/", PAGE_CHANGE,
                   data={"reason": "不属实"}, state=status_of(s[2])),
        MatrixCase("evidence upload", "post", f"/culture/nominations/{s[3].pk}/photos/", PAGE_CHANGE,
                   data=fresh_photo, state=lambda: NominationPhoto.objects.count()),
        MatrixCase("evidence photo", "get", f"/culture/nomination-photos/{u['photo'].pk}/", PAGE_DETAIL),
        MatrixCase("account list", "get", "/culture/accounts/", PAGE_LIST, marker="志愿者甲"),
        MatrixCase("account export", "get", "/culture/accounts/?format=xlsx", EXPORT, marker="志愿者甲"),
        MatrixCase("account detail", "get", f"/culture/accounts/{acc.pk}/", PAGE_DETAIL),
        MatrixCase("account redeem", "post", f"/culture/accounts/{acc.pk}/redeem/", PAGE_CHANGE,
                   data={"goods": goods.pk, "quantity": 1}, state=lambda: Redemption.objects.count()),
        MatrixCase("entry list", "get", "/culture/entries/", PAGE_LIST, marker="学雷锋便民服务"),
        MatrixCase("goods list", "get", "/culture/goods/", PAGE_LIST, marker="洗衣液"),
        MatrixCase("goods form", "get", "/culture/goods/new/", PAGE_LIST),
        MatrixCase("goods create", "post", "/culture/goods/new/", FORM_POST,
                   data={"community": w.community1.pk, "name": "大米", "points": 50, "stock": 10, "active": "on"},
                   state=lambda: Goods.objects.count()),
        MatrixCase("goods edit form", "get", f"/culture/goods/{goods.pk}/edit/", PAGE_DETAIL),
        MatrixCase("goods edit", "post", f"/culture/goods/{goods.pk}/edit/", PAGE_CHANGE,
                   data={"community": w.community1.pk, "name": "洗衣液", "points": 30, "stock": 9, "active": "on"},
                   state=lambda: Goods.objects.get(pk=goods.pk).stock),
        MatrixCase("redemption list", "get", "/culture/redemptions/", PAGE_LIST),
        MatrixCase("api sites", "get", "/api/v1/culture/sites", API_LIST, marker="雷锋营房旧址"),
        MatrixCase("api site", "get", f"/api/v1/culture/sites/{site.pk}", API_DETAIL),
        MatrixCase("api routes", "get", "/api/v1/culture/routes", {**API_LIST}),
        MatrixCase("api nominations", "get", "/api/v1/culture/nominations", API_LIST, marker="候选0"),
        MatrixCase("api nomination", "get", f"/api/v1/culture/nominations/{s[0].pk}", API_DETAIL),
        MatrixCase("api nominate", "post", "/api/v1/culture/nominations",
                   {"anonymous": 401, "no_role": 403, "out_of_scope": 201, "in_scope": 201},
                   data={"nominee_name": "接口推荐", "community_id": w.community1.pk, "category": "honest",
                         "deed": "拾金不昧", "deed_date": "2025-05-01"}, as_json=True),
        MatrixCase("api approve", "post", f"/api/v1/culture/nominations/{s[4].pk}/approve", API_DETAIL,
                   data={"opinion": "属实"}, as_json=True, state=status_of(s[4])),
        MatrixCase("api accounts", "get", "/api/v1/culture/accounts", API_LIST, marker="志愿者甲"),
        MatrixCase("api entries", "get", f"/api/v1/culture/accounts/{acc.pk}/entries", API_DETAIL),
        MatrixCase("api goods", "get", "/api/v1/culture/goods", API_LIST, marker="洗衣液"),
        MatrixCase("api goods create", "post", "/api/v1/culture/goods", API_CREATE,
                   data={"community_id": w.community1.pk, "name": "毛巾", "points": 10, "stock": 5}, as_json=True,
                   state=lambda: Goods.objects.count()),
        MatrixCase("api redeem", "post", "/api/v1/culture/redemptions", API_CREATE,
                   data={"goods_id": goods.pk, "account_id": acc.pk}, as_json=True,
                   state=lambda: Redemption.objects.count()),
    ]


def street_cases(w, users) -> list[MatrixCase]:
    u = users["culture"]
    first, second = u["community_passed"][0], u["community_passed"][1]
    return [
        MatrixCase("street approve", "post", f"/culture/nominations/{first.pk}/approve/", PAGE_CHANGE,
                   state=status_of(first)),
        MatrixCase("api street reject", "post", f"/api/v1/culture/nominations/{second.pk}/reject", API_DETAIL,
                   data={"reason": "不符合条件"}, as_json=True, state=status_of(second)),
    ]


def office_cases(w, users) -> list[MatrixCase]:
    u = users["culture"]
    c = u["c"]
    site = c.site
    longitude, latitude = point_in(w.community1, "2")
    new_site = {"name": "雷锋汇款银行旧址", "address": "新华路2号", "community": w.community1.pk,
                "longitude": str(longitude), "latitude": str(latitude), "story": "雷锋给灾区战友汇款的银行。",
                "source": "雷锋日记", "active": "on"}
    return [
        MatrixCase("site form", "get", "/culture/sites/new/", PAGE_LIST),
        MatrixCase("site create", "post", "/culture/sites/new/", FORM_POST, data=new_site,
                   state=lambda: HeritageSite.objects.count()),
        MatrixCase("site edit form", "get", f"/culture/sites/{site.pk}/edit/", PAGE_DETAIL),
        MatrixCase("site edit", "post", f"/culture/sites/{site.pk}/edit/", PAGE_CHANGE,
                   data={**new_site, "name": "雷锋营房旧址", "opening_hours": "08:30-16:00"},
                   state=lambda: HeritageSite.objects.get(pk=site.pk).opening_hours),
        MatrixCase("site photo upload", "post", f"/culture/sites/{site.pk}/photos/", PAGE_CHANGE, data=fresh_photo,
                   state=lambda: SitePhoto.objects.count()),
        MatrixCase("route form", "get", "/culture/routes/new/", PAGE_LIST),
        MatrixCase("route create", "post", "/culture/routes/new/", FORM_POST,
                   data={"name": "研学线", "sites": [site.pk, u["second_site"].pk]},
                   state=lambda: StudyRoute.objects.count()),
        MatrixCase("route detail", "get", f"/culture/routes/{u['route'].pk}/", EVERYWHERE),
        # Routes are district-wide: whoever keeps routes keeps them all.
        MatrixCase("route edit form", "get", f"/culture/routes/{u['route'].pk}/edit/", EVERYWHERE),
        MatrixCase("route edit", "post", f"/culture/routes/{u['route'].pk}/edit/", FORM_POST,
                   data={"name": "雷锋足迹研学线（新）", "sites": [u["second_site"].pk, site.pk], "active": "on"},
                   state=lambda: StudyRoute.objects.get(pk=u["route"].pk).name),
        MatrixCase("office approve", "post", f"/culture/nominations/{u['street_passed'][0].pk}/approve/",
                   PAGE_CHANGE, data={"publicity_days": "7"}, state=status_of(u["street_passed"][0])),
        MatrixCase("recognise", "post", f"/culture/nominations/{u['ended'][0].pk}/recognise/", PAGE_CHANGE,
                   state=status_of(u["ended"][0])),
        MatrixCase("answer", "post", f"/culture/objections/{u['objections'][0].pk}/answer/", PAGE_CHANGE,
                   data={"answer": "经核实无误"}, state=lambda: Objection.objects.get(pk=u["objections"][0].pk).answer),
        MatrixCase("rule form", "get", "/culture/rule/", PAGE_LIST),
        MatrixCase("rule set", "post", "/culture/rule/", ANYONE_POSTS,
                   data={"points_per_hour": 10, "bonus_month": 3, "bonus_day": 5, "bonus_per_hour": 10,
                         "bonus_keyword": "雷锋"}),
        MatrixCase("api site create", "post", "/api/v1/culture/sites", API_CREATE,
                   data={**new_site, "community_id": w.community1.pk, "active": True}, as_json=True,
                   state=lambda: HeritageSite.objects.count()),
        MatrixCase("api recognise", "post", f"/api/v1/culture/nominations/{u['ended'][1].pk}/recognise",
                   API_DETAIL, state=status_of(u["ended"][1])),
        MatrixCase("api answer", "post", f"/api/v1/culture/objections/{u['objections'][1].pk}/answer", API_DETAIL,
                   data={"answer": "已答复"}, as_json=True,
                   state=lambda: Objection.objects.get(pk=u["objections"][1].pk).answer),
        # Anyone with an account may object during the 公示 (the public page takes objections without one).
        MatrixCase("api object", "post", f"/api/v1/culture/nominations/{u['objections'][1].nomination_id}/objections",
                   {"anonymous": 401, "no_role": 201, "out_of_scope": 201, "in_scope": 201},
                   data={"text": "接口异议"}, as_json=True),
    ]


def volunteer_cases(w, users) -> list[MatrixCase]:
    u = users["culture"]
    goods = u["c"].goods
    own = {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302}
    return [
        MatrixCase("my points", "get", "/culture/me/", EVERYWHERE, marker="学雷锋便民服务"),
        MatrixCase("collect", "post", "/culture/me/collect/", own),  # a stranger has no volunteer record
        MatrixCase("my redeem", "post", f"/culture/me/redeem/{goods.pk}/", own,
                   state=lambda: Redemption.objects.count()),
        MatrixCase("certificate issue", "post", "/culture/me/certificate/", own,
                   state=lambda: ServiceCertificate.objects.count()),
        MatrixCase("certificate pdf", "get", f"/culture/certificates/{u['certificate'].pk}.pdf", PAGE_DETAIL),
        MatrixCase("api my points", "get", "/api/v1/culture/me/points", API_LIST, marker="学雷锋便民服务"),
    ]


def with_route(world, users):
    u = users["culture"]
    longitude, latitude = point_in(world.community1, "1")
    second = services.create_site(u["c"].office, name="雷锋储蓄所旧址", address="和平路8号", community=world.community1,
                                  longitude=longitude, latitude=latitude, story="储蓄所。", source="区志")
    u["second_site"] = second
    u["route"] = services.create_route(u["c"].office, name="雷锋足迹研学线", sites=[u["c"].site, second])
    return users


def culture_cases(w, users) -> list[MatrixCase]:
    """Every case, for the coverage test."""
    with_route(w, users)
    return [*secretary_cases(w, users), *street_cases(w, users), *office_cases(w, users), *volunteer_cases(w, users)]


def test_secretary_matrix(world, make_user, matrix):
    users = {"culture": prepare_culture(world, make_user)}
    clients, _ = matrix(("secretary", {"region": world.community1}), ("secretary", {"region": world.community3}))
    assert [f for case in secretary_cases(world, users) for f in run_case(clients, case)] == []


def test_street_matrix(world, make_user, matrix):
    users = {"culture": prepare_culture(world, make_user)}
    clients, _ = matrix(("street", {"region": world.street1}), ("street", {"region": world.street2}))
    assert [f for case in street_cases(world, users) for f in run_case(clients, case)] == []


def test_office_matrix(world, make_user, matrix):
    users = with_route(world, {"culture": prepare_culture(world, make_user)})
    clients, _ = matrix(("culture", {"region": world.district}), ("culture", {"region": world.community3}))
    assert [f for case in office_cases(world, users) for f in run_case(clients, case)] == []


def test_volunteer_matrix(world, make_user, client_for):
    users = {"culture": prepare_culture(world, make_user)}
    c = users["culture"]["c"]
    stranger = make_user("volunteer-out", "volunteer", unit=c.team)
    clients = {"anonymous": Client(), "no_role": client_for(make_user("no_role_user")),
               "out_of_scope": client_for(stranger), "in_scope": client_for(c.volunteer)}
    assert [f for case in volunteer_cases(world, users) for f in run_case(clients, case)] == []
    assert PointsRule.objects.count() == 0
