"""Heritage sites: inside the district's outline, a public plaque page, one visit per device per day; routes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from wanghua.culture import services
from wanghua.culture.models import HeritageSite, SiteVisit, StudyRoute

SQUARE = {"type": "Polygon", "coordinates": [[[123.7, 41.8], [124.0, 41.8], [124.0, 42.0], [123.7, 42.0],
                                              [123.7, 41.8]]]}


def site_fields(world, **extra):
    return {"name": "雷锋储蓄所旧址", "address": "和平路8号", "community": world.community1,
            "longitude": Decimal("123.850000"), "latitude": Decimal("41.900000"), "story": "雷锋常来存钱的储蓄所。",
            "source": "抚顺日报", **extra}


def test_a_site_outside_the_district_outline_is_refused_in_chinese(culture, world):
    world.district.geojson = SQUARE
    world.district.save()
    before = HeritageSite.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.create_site(culture.office, **site_fields(world, longitude=Decimal("121.000000")))
    assert "区界" in " ".join(refused.value.messages)
    assert HeritageSite.objects.count() == before
    assert services.create_site(culture.office, **site_fields(world)).zone == world.zone  # inside: kept, zoned


def test_moving_a_site_outside_the_outline_changes_nothing(culture, world):
    world.district.geojson = SQUARE
    world.district.save()
    with pytest.raises(ValidationError):
        services.update_site(culture.office, culture.site.pk, latitude=Decimal("45.000000"))
    assert HeritageSite.objects.get(pk=culture.site.pk).latitude == Decimal("41.880000")


def test_a_site_needs_a_community_and_a_story(culture, world):
    with pytest.raises(ValidationError):
        services.create_site(culture.office, **site_fields(world, community=world.street1))
    with pytest.raises(ValidationError):
        services.create_site(culture.office, **site_fields(world, story=" "))


def test_the_plaque_page_is_public_and_get_counts_nothing(culture):
    page = Client().get(culture.site.plaque_url())
    assert page.status_code == 200 and "雷锋营房旧址" in page.content.decode()
    assert SiteVisit.objects.count() == 0  # GET never writes: the page's script posts the visit


def test_one_visit_per_device_per_day(culture):
    phone, other = Client(), Client()
    url = f"{culture.site.plaque_url()}visit/"
    assert phone.post(url).json() == {"counted": True}
    assert phone.post(url).json() == {"counted": False}  # the same phone again today
    assert other.post(url).json() == {"counted": True}
    assert SiteVisit.objects.filter(site=culture.site).count() == 2
    assert len(SiteVisit.objects.first().device) == 64  # a hash, not the cookie


def test_a_closed_site_has_no_public_page(culture):
    services.update_site(culture.office, culture.site.pk, active=False)
    assert Client().get(culture.site.plaque_url()).status_code == 404
    assert Client().post(f"{culture.site.plaque_url()}visit/").status_code == 404


def test_a_bad_device_cookie_counts_nothing(culture):
    client = Client()
    client.cookies["wh_device"] = "x" * 300
    assert client.post(f"{culture.site.plaque_url()}visit/").status_code == 400
    assert SiteVisit.objects.count() == 0


def test_a_route_links_sites_in_order(culture, world):
    second = services.create_site(culture.office, **site_fields(world))
    route = services.create_route(culture.office, name="雷锋足迹研学线", sites=[second, culture.site])
    assert [s.site for s in route.stops.order_by("position")] == [second, culture.site]
    with pytest.raises(ValidationError):
        services.create_route(culture.office, name="单点", sites=[second])
    assert StudyRoute.objects.count() == 1
    page = Client().get(second.plaque_url())
    assert "雷锋足迹研学线" in page.content.decode()


def test_without_a_district_outline_the_communities_outlines_bound_the_sites(culture, world):
    world.community1.geojson = SQUARE
    world.community1.save()
    with pytest.raises(ValidationError):
        services.create_site(culture.office, **site_fields(world, latitude=Decimal("43.000000")))
    assert services.create_site(culture.office, **site_fields(world)).pk


def test_a_route_is_reordered_and_withdrawn(culture, world):
    second = services.create_site(culture.office, **site_fields(world))
    route = services.create_route(culture.office, name="研学线", sites=[culture.site, second])
    services.update_route(culture.office, route.pk, sites=[second, culture.site], active=False)
    route.refresh_from_db()
    assert [s.site for s in route.stops.order_by("position")] == [second, culture.site] and not route.active
    with pytest.raises(ValidationError):
        services.update_route(culture.office, route.pk, sites=[second, second])
    assert route.stops.count() == 2
