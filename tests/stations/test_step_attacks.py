"""The errand step page under attack: other stations' ids, unknown steps, double submits, NUL characters,
out-of-range scores — each a clear Chinese 4xx with nothing saved, never a 5xx."""

from wanghua.stations import services
from wanghua.stations.models import Errand, ErrandStatus


def _errand(desk):
    return services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="买米")


def test_another_stations_errand_is_not_found(desk, client_for):
    errand = _errand(desk)
    other = client_for(desk.other_agent)
    assert other.post(f"/services/errands/{errand.pk}/start/").status_code == 404
    assert Errand.objects.get(pk=errand.pk).status == ErrandStatus.ACCEPTED


def test_unknown_step_and_huge_id(desk, client_for):
    client = client_for(desk.agent)
    errand = _errand(desk)
    assert client.post(f"/services/errands/{errand.pk}/explode/").status_code == 404
    assert client.post("/services/errands/99999999999999999999/start/").status_code == 404


def test_a_double_submit_takes_the_step_once(desk, client_for):
    client = client_for(desk.agent)
    errand = _errand(desk)
    assert client.post(f"/services/errands/{errand.pk}/start/").status_code == 302
    again = client.post(f"/services/errands/{errand.pk}/start/")
    assert again.status_code == 400 and "不能" in again.content.decode()
    assert Errand.objects.get(pk=errand.pk).status == ErrandStatus.IN_PROGRESS


def test_nul_and_out_of_range_inputs_change_nothing(desk, client_for):
    client = client_for(desk.agent)
    errand = _errand(desk)
    cancelled = client.post(f"/services/errands/{errand.pk}/cancel/", {"reason": "\x00"})
    assert cancelled.status_code == 400
    services.start_errand(desk.agent, errand.pk)
    services.complete_errand(desk.agent, errand.pk, outcome="已办")
    visit = client.post(f"/services/errands/{errand.pk}/follow-up/", {"satisfaction": "99999999999999999999"})
    assert visit.status_code == 400
    assert Errand.objects.get(pk=errand.pk).status == ErrandStatus.DONE
