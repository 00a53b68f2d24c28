"""核查 on site and the photos of each stage; the 立案 deadline and 超期; the homes of the grid inspector and the
command centre (each count opens the list it counts)."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image

from wanghua.civic import queries
from wanghua.civic.models import Case, CaseCategory, CaseEvent, CasePhoto, CaseStatus
from wanghua.civic.services import cases as services
from wanghua.civic.workhours import add_working_hours
from wanghua.core.menu import todos_for
from wanghua.org.models import Region, RegionKind, RegionLevel


def photo(colour: str = "blue") -> SimpleUploadedFile:
    image = BytesIO()
    Image.new("RGB", (8, 8), colour).save(image, "JPEG")
    return SimpleUploadedFile("p.jpg", image.getvalue(), content_type="image/jpeg")


def handled_case(centre, world, **report):
    """A case the grid inspector reported with a photo, accepted, dispatched and handled with a photo."""
    case = services.report_case(centre["grid"], source="grid", category=centre["sub"], description="早市占道",
                                community=world.grid1, address="丹东路12号", photo=photo("red"), **report)
    services.accept_case(centre["command"], case.pk, accept=True)
    services.dispatch_case(centre["command"], case.pk, unit=world.dept)
    return services.handle_case(centre["unit"], case.pk, note="已劝离摊贩", photo=photo("green"))


def test_the_grid_inspector_verifies_on_site_with_photos_of_each_stage(centre, world):
    case = handled_case(centre, world)
    with pytest.raises(ValidationError):
        services.verify_case(centre["grid"], case.pk, passed=False, note="")  # a rework needs the reason
    case = services.verify_case(centre["grid"], case.pk, passed=False, note="摊贩又回来了", photo=photo("red"))
    assert (case.status, case.reworks) == (CaseStatus.DISPATCHED, 1)
    services.handle_case(centre["unit"], case.pk, note="设置隔离栏", photo=photo("green"))
    case = services.verify_case(centre["grid"], case.pk, passed=True, note="已整改到位")
    assert case.status == CaseStatus.CLOSED and case.closed_at
    steps = list(CaseEvent.objects.filter(case=case).values_list("step", "actor__username"))
    assert steps == [("report", "grid"), ("accept", "command"), ("dispatch", "command"), ("handle", "urban"),
                     ("rework", "grid"), ("handle", "urban"), ("close", "grid")]
    photos = queries.photos_by_stage(case)
    assert (len(photos.before), len(photos.after), len(photos.verified)) == (1, 2, 1)
    assert [p.step for p in photos.verified] == ["rework"]


def test_verification_is_for_the_area_and_its_roles(centre, world, make_user):
    case = handled_case(centre, world)
    grid2 = Region.objects.create(code="T0101G2", name="甲社区第2网格", level=RegionLevel.GRID, kind=RegionKind.GRID,
                                  parent=world.community1)
    elsewhere = make_user("grid-2", "grid", region=grid2)
    with pytest.raises((ObjectDoesNotExist, PermissionDenied)):
        services.verify_case(elsewhere, case.pk, passed=True)  # another grid's case: not found
    with pytest.raises(PermissionDenied):  # the unit does not verify its own work
        services.verify_case(centre["unit"], case.pk, passed=True)
    with pytest.raises((ObjectDoesNotExist, PermissionDenied)):  # another community's secretary: not found
        services.verify_case(make_user("sec3", "secretary", region=world.community3), case.pk, passed=True)
    # Whoever appoints the grid's inspectors may do what they do (org.services.grant_role grants no wider).
    secretary = make_user("sec", "secretary", region=world.community1)
    assert services.verify_case(secretary, case.pk, passed=False, note="仍有摊贩").status == CaseStatus.DISPATCHED
    services.handle_case(centre["unit"], case.pk, note="已清理")
    assert services.verify_case(centre["command"], case.pk, passed=True).status == CaseStatus.CLOSED  # the desk


def test_a_bad_photo_refuses_the_step_and_changes_nothing(centre, world):
    case = handled_case(centre, world)
    text = SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.verify_case(centre["grid"], case.pk, passed=False, note="仍有摊贩", photo=text)
    case.refresh_from_db()
    assert (case.status, case.reworks, CasePhoto.objects.filter(case=case).count()) == (CaseStatus.HANDLED, 0, 2)


def test_a_report_is_given_its_accept_deadline_and_is_overdue_past_it(centre, world):
    centre["sub"].accept_hours = 16  # two working days, as the catalogue may set it
    centre["sub"].save()
    case = services.report_case(centre["grid"], source="grid", category=centre["sub"], description="占道",
                                community=world.grid1)
    assert case.accept_due_at == add_working_hours(case.reported_at, 16)
    assert not case.overdue
    Case.objects.filter(pk=case.pk).update(accept_due_at=timezone.now() - timedelta(minutes=1))
    case.refresh_from_db()
    assert case.overdue
    late_dispatch = services.report_case(centre["grid"], source="grid", category=centre["sub"], description="占道2",
                                         community=world.grid1)
    services.accept_case(centre["command"], late_dispatch.pk, accept=True)
    services.dispatch_case(centre["command"], late_dispatch.pk, unit=world.dept)
    Case.objects.filter(pk=late_dispatch.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    accepted = services.report_case(centre["grid"], source="grid", category=centre["sub"], description="占道3",
                                    community=world.grid1)
    services.accept_case(centre["command"], accepted.pk, accept=True)  # accepted in time: no longer overdue
    Case.objects.filter(pk=accepted.pk).update(accept_due_at=timezone.now() - timedelta(minutes=1))
    from wanghua.civic.filters import CaseFilter

    overdue = CaseFilter({"overdue": "true"}, queryset=Case.objects.all()).qs
    assert set(overdue.values_list("pk", flat=True)) == {case.pk, late_dispatch.pk}
    assert Case.objects.get(pk=accepted.pk).overdue is False


def test_the_deadline_of_reports_waiting_before_the_migration(centre, world):
    """The migration gives the reports that were waiting their deadline, counted from their report."""
    from importlib import import_module

    from django.apps import apps

    case = services.report_case(centre["grid"], source="grid", category=centre["sub"], description="占道",
                                community=world.grid1)
    Case.objects.filter(pk=case.pk).update(accept_due_at=None, reported_at=timezone.now() - timedelta(days=150))
    migration = import_module("wanghua.civic.migrations.0012_case_accept_deadline")
    migration.give_open_reports_their_deadline(apps, None)
    case.refresh_from_db()
    assert case.accept_due_at == add_working_hours(case.reported_at, centre["sub"].accept_hours) and case.overdue


def _home_counts(user) -> dict[str, tuple[int, str]]:
    request = RequestFactory().get("/")
    request.user = user
    return {str(c.label): (c.count, c.url) for c in todos_for(request)}


def test_homes_count_what_waits_for_each_role(centre, world, client_for):
    handled_case(centre, world)
    services.report_case(centre["grid"], source="grid", category=centre["sub"], description="新案件",
                         community=world.grid1)
    Case.objects.filter(status=CaseStatus.REPORTED).update(accept_due_at=timezone.now() - timedelta(minutes=1))
    grid = _home_counts(centre["grid"])
    assert grid == {"辖区新上报案件": (1, "/civic/cases/?status=reported"),
                    "现场核查任务": (1, "/civic/cases/verify/")}
    command = _home_counts(centre["command"])
    assert {k: v[0] for k, v in command.items()} == {"待立案": 1, "待派遣": 0, "处置中案件": 0, "待核查": 1,
                                                     "超期案件": 1}
    for user, counts in ((centre["grid"], grid), (centre["command"], command)):
        client = client_for(user)
        for count, url in counts.values():  # each count opens the list it counts
            page = client.get(url)
            assert page.status_code == 200
            listed = page.context["paginator"].count
            assert listed == count, url


def test_the_verify_task_page_shows_both_photos_as_cards(centre, world, client_for):
    case = handled_case(centre, world)
    other = CaseCategory.objects.create(code="litter", name="暴露垃圾", kind="event", parent=centre["main"])
    services.report_case(centre["command"], source="grid", category=other, description="别处",
                         community=world.community3)  # another community's case is not her task
    page = client_for(centre["grid"]).get("/civic/cases/verify/")
    html = page.content.decode()
    assert page.status_code == 200 and html.count('class="card mb-3 verify-task"') == 1 and case.number in html
    before, after = (case.photos.get(step=step).pk for step in ("report", "handle"))
    assert f"/civic/cases/photos/{before}/" in html and f"/civic/cases/photos/{after}/" in html
    assert client_for(centre["grid"]).get(f"/civic/cases/photos/{before}/").status_code == 200  # her own photo
    assert client_for(centre["unit"]).get("/civic/cases/verify/").status_code == 403
    detail = client_for(centre["grid"]).get(f"/civic/cases/{case.pk}/").content.decode()
    assert 'id="verify-form"' in detail and 'id="accept"' not in detail


def test_the_step_pages_take_the_photos(centre, world, client_for):
    case = services.report_case(centre["grid"], source="grid", category=centre["sub"], description="占道",
                                community=world.grid1)
    services.accept_case(centre["command"], case.pk, accept=True)
    services.dispatch_case(centre["command"], case.pk, unit=world.dept)
    unit = client_for(centre["unit"])
    form = unit.get(f"/civic/cases/{case.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="photo"' in form
    refused = unit.post(f"/civic/cases/{case.pk}/handle/", {
        "note": "已清理", "photo": SimpleUploadedFile("p.jpg", b"text", content_type="image/jpeg")})
    assert refused.status_code == 302 and Case.objects.get(pk=case.pk).status == CaseStatus.DISPATCHED
    assert unit.post(f"/civic/cases/{case.pk}/handle/", {"note": "已清理", "photo": photo()}).status_code == 302
    assert case.photos.filter(step="handle").count() == 1
    grid = client_for(centre["grid"])
    assert grid.post(f"/civic/cases/{case.pk}/rework/", {"note": "仍有垃圾", "photo": photo()}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.photos.filter(step="rework").count()) == (CaseStatus.DISPATCHED, 1)


def test_the_case_list_flags_overdue(centre, world, client_for):
    case = services.report_case(centre["grid"], source="grid", category=centre["sub"], description="占道",
                                community=world.grid1)
    services.report_case(centre["grid"], source="grid", category=centre["sub"], description="占道2",
                         community=world.grid1)
    Case.objects.filter(pk=case.pk).update(accept_due_at=timezone.now() - timedelta(minutes=1))
    page = client_for(centre["grid"]).get("/civic/cases/")
    html = page.content.decode()
    assert page.context["paginator"].count == 2
    assert html.count('<td data-label="超期">超期</td>') == 1  # its own cell (a card's line on a phone)
