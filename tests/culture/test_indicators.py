"""文明望花 indicators of the culture module, counted from records, each with its drill-down to them."""

from decimal import Decimal

from django.test import Client

from tests.culture.conftest import nominate, served, to_publicity
from wanghua.core import indicators
from wanghua.culture import services
from wanghua.culture.models import Nomination


def value(key, region=None):
    return indicators.REGISTRY[key].value(region=region)


def test_indicators_count_the_records(culture, world):
    Client().post(f"{culture.site.plaque_url()}visit/")
    Client().post(f"{culture.site.plaque_url()}visit/")
    served(culture.person, culture.team, world.community1, "3")
    services.award_points()
    served(culture.person, culture.team, world.community1, "3")
    services.award_points()
    services.redeem(culture.volunteer, goods_id=culture.goods.pk)
    nomination = to_publicity(culture, nominate(culture, world))
    Nomination.objects.filter(pk=nomination.pk).update(publicity_ends="2000-01-01")
    services.recognise_nomination(culture.office, nomination.pk)
    world.community1.population = 5000
    world.community1.save()
    assert value("culture.heritage_visits") == 2
    assert value("culture.heritage_visits", world.street2) == 0
    assert value("culture.role_models") == 1 and value("culture.role_models", world.street2) == 0
    assert value("culture.active_volunteers") == 1
    assert value("culture.points_earned") == 60 and value("culture.points_redeemed") == 30
    assert value("culture.activities_per_10k", world.community1) == Decimal("4.0")  # 2 activities, 5,000 people
    assert value("culture.activities_per_10k", world.community3) == Decimal("0.0")  # no population recorded


def test_every_culture_indicator_drills_down_to_a_page_its_reader_opens(culture, world, client_for):
    office = client_for(culture.office)
    for key, indicator in indicators.REGISTRY.items():
        if key.startswith("culture."):
            url = indicator.records_url(region=world.street1)
            assert url and office.get(url).status_code == 200, key
