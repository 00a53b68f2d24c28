"""The case workflow: every stage in order, rework, reassignment, merging duplicates, supervision; KPIs
against hand-computed values."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tests.refusals import field_refusal
from wanghua.civic import queries
from wanghua.civic.models import CampaignAction, Case, CaseEvent, CaseStatus
from wanghua.civic.services import cases as services


def report(centre, world, actor=None, **extra):
    fields = {"source": "grid", "category": centre["sub"], "description": "流动商贩占道经营",
              "community": world.grid1, "address": "丹东路12号", "lat": Decimal("41.850000"),
              "lon": Decimal("123.800000")} | extra
    return services.report_case(actor or centre["grid"], **fields)


def test_a_case_goes_through_every_stage_with_rework(centre, world):
    action = CampaignAction.objects.create(code="occupation", name="占道经营整治", year=timezone.localdate().year)
    action.categories.add(centre["sub"])
    case = report(centre, world)
    assert case.status == CaseStatus.REPORTED and len(case.number) == 13 and case.public_token
    with pytest.raises(ValidationError):
        services.dispatch_case(centre["command"], case.pk, unit=world.dept)  # not accepted yet
    with pytest.raises(PermissionDenied):
        services.accept_case(centre["grid"], case.pk, accept=True)  # the command centre accepts
    case = services.accept_case(centre["command"], case.pk, accept=True)
    assert case.action == action
    case = services.dispatch_case(centre["command"], case.pk, unit=world.dept)
    assert case.due_at > case.dispatched_at
    with pytest.raises(ValidationError):
        services.handle_case(centre["unit"], case.pk, note="")
    services.handle_case(centre["unit"], case.pk, note="已劝离商贩")
    with pytest.raises(ValidationError):
        services.verify_case(centre["command"], case.pk, passed=False)  # a rework needs the reason
    case = services.verify_case(centre["command"], case.pk, passed=False, note="商贩又回来了")
    assert (case.status, case.reworks) == (CaseStatus.DISPATCHED, 1)
    services.handle_case(centre["unit"], case.pk, note="设置隔离栏，落实门前三包")
    case = services.verify_case(centre["command"], case.pk, passed=True)
    assert case.status == CaseStatus.CLOSED and case.closed_at
    steps = list(CaseEvent.objects.filter(case=case).values_list("step", flat=True))
    assert steps == ["report", "accept", "dispatch", "handle", "rework", "handle", "close"]
    with pytest.raises(ValidationError):
        services.handle_case(centre["unit"], case.pk, note="again")
    from wanghua.core.models import AuditEntry

    labels = set(AuditEntry.objects.filter(object_id=str(case.pk), content_type__model="case")
                 .values_list("label", flat=True))
    assert {f"transition:case.{step}" for step in ("accept", "dispatch", "handle", "rework", "close")} <= labels


def test_rejection_reassignment_merge_and_supervision(centre, world, make_user):
    first = report(centre, world)
    duplicate = report(centre, world, lat=Decimal("41.850200"), description="同一处占道")  # about 22 m away
    far = report(centre, world, lat=Decimal("41.860000"))  # about 1.1 km away
    assert [c.pk for c in queries.nearby_duplicates(duplicate)] == [first.pk]
    assert queries.nearby_duplicates(far) == []
    merged = services.merge_case(centre["command"], duplicate.pk, into_id=first.pk)
    assert (merged.status, merged.merged_into_id) == (CaseStatus.MERGED, first.pk)
    with pytest.raises(ValidationError):
        services.accept_case(centre["command"], far.pk, accept=False)  # no reason
    assert services.accept_case(centre["command"], far.pk, accept=False, note="非城管职责").status == "rejected"
    services.accept_case(centre["command"], first.pk, accept=True)
    services.dispatch_case(centre["command"], first.pk, unit=world.dept)
    from wanghua.org.models import Unit, UnitKind

    other = Unit.objects.create(code="dept-market", name="市场监管局", kind=UnitKind.DEPARTMENT, region=world.district)
    with pytest.raises(ValidationError):
        services.dispatch_case(centre["command"], first.pk, unit=other)  # 改派 needs the reason
    case = services.dispatch_case(centre["command"], first.pk, unit=other, note="属市场监管职责")
    assert (case.unit, case.reassignments) == (other, 1)
    assert services.supervise_overdue(case.due_at - timedelta(minutes=1)) == 0
    assert services.supervise_overdue(case.due_at + timedelta(minutes=1)) == 1
    assert services.supervise_overdue(case.due_at + timedelta(hours=5)) == 0  # once
    assert queries.case_for_token(case.public_token) == case and queries.case_for_token("nope") is None


def test_bad_reports_are_refused_and_nothing_is_saved(centre, world):
    command = centre["command"]
    with pytest.raises(ValidationError):
        report(centre, world, command, category=centre["main"])  # a 大类, not a 小类
    with pytest.raises(ValidationError):
        report(centre, world, command, community=world.street1)  # a street, not a community
    with pytest.raises(ValidationError):
        report(centre, world, command, lon=None)
    with pytest.raises(ValidationError) as blank:
        report(centre, world, command, description="   ")
    assert blank.value.message_dict["description"] == [str(_("Describe what is wrong."))]  # not Django's generic one
    with pytest.raises(ValidationError):
        report(centre, world, command, lat=Decimal("95"))
    with pytest.raises(PermissionDenied):
        report(centre, world, community=world.community2)  # outside the inspector's grid
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_merge_needs_another_open_case_of_the_same_sub_category_and_a_reassignment_another_unit(centre, world):
    from wanghua.civic.models import CaseCategory

    command = centre["command"]
    first, duplicate = report(centre, world), report(centre, world, description="同一处占道")
    stall = CaseCategory.objects.create(code="stall", name="乱摆摊点", kind="event", parent=centre["main"])
    other_kind = report(centre, world, category=stall)
    field_refusal(lambda: services.merge_case(command, first.pk, into_id=first.pk), "into",
                  "Merge into another open case.")
    field_refusal(lambda: services.merge_case(command, duplicate.pk, into_id=other_kind.pk), "into",
                  "Only cases of the same sub-category can be merged.")
    services.accept_case(command, other_kind.pk, accept=False, note="重复上报")
    field_refusal(lambda: services.merge_case(command, duplicate.pk, into_id=other_kind.pk), "into",
                  "Merge into another open case.")  # rejected: no longer open
    services.accept_case(command, first.pk, accept=True)
    services.dispatch_case(command, first.pk, unit=world.dept)
    field_refusal(lambda: services.dispatch_case(command, first.pk, unit=world.dept, note="再派一次"), "unit",
                  "The case is already with this unit.")
    assert Case.objects.get(pk=first.pk).reassignments == 0
    assert Case.objects.filter(status=CaseStatus.MERGED).count() == 0  # no refused merge left a trace
    assert not CaseEvent.objects.filter(step__in=["merge", "reassign"]).exists()


def test_kpis_match_hand_computed_values(centre, world):
    command, unit = centre["command"], centre["unit"]
    cases = [report(centre, world, lat=Decimal("41.8") + Decimal(n) / 100) for n in range(5)]
    services.accept_case(command, cases[0].pk, accept=False, note="重复")  # reported, not accepted
    for case in cases[1:]:
        services.accept_case(command, case.pk, accept=True)
        services.dispatch_case(command, case.pk, unit=world.dept)
    services.handle_case(unit, cases[1].pk, note="ok")  # on time, closed
    services.verify_case(command, cases[1].pk, passed=True)
    services.handle_case(unit, cases[2].pk, note="ok")  # reworked, then closed
    services.verify_case(command, cases[2].pk, passed=False, note="未整改到位")
    services.handle_case(unit, cases[2].pk, note="ok")
    services.verify_case(command, cases[2].pk, passed=True)
    Case.objects.filter(pk=cases[3].pk).update(due_at=timezone.now() - timedelta(hours=1))  # handled late
    services.handle_case(unit, cases[3].pk, note="ok")
    # cases[4] stays dispatched
    now = timezone.now()
    overall = queries.case_kpis(Case.objects.all(), now - timedelta(days=1), now + timedelta(days=1))[0]
    assert (overall.reported, overall.accepted, overall.handled, overall.closed) == (5, 4, 3, 2)
    assert overall.acceptance_rate == Decimal("80.0")  # 4 / 5
    assert overall.on_time_rate == Decimal("66.7")  # 2 / 3
    assert overall.closure_rate == Decimal("50.0")  # 2 / 4
    assert overall.rework_rate == Decimal("33.3")  # 1 / 3
    assert overall.average_hours is not None and overall.average_hours < 1
    by_unit = {row.key: row for row in queries.case_kpis(Case.objects.all(), now - timedelta(days=1),
                                                      now + timedelta(days=1), by="unit__name")}
    assert by_unit[world.dept.name].accepted == 4 and by_unit[None].reported == 1


def test_supervise_command(centre, world):
    from io import StringIO

    from django.core.management import call_command

    case = report(centre, world)
    services.accept_case(centre["command"], case.pk, accept=True)
    services.dispatch_case(centre["command"], case.pk, unit=world.dept)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("supervise_cases", stdout=out)
    assert out.getvalue().strip() == "1 cases supervised"
    assert Case.objects.get(pk=case.pk).supervised_at is not None


def test_tallies_equal_a_full_recount_and_give_the_same_kpis(centre, world):
    from django.core.management import call_command

    from wanghua.civic import tally
    from wanghua.civic.models import CaseTally

    command, unit = centre["command"], centre["unit"]
    cases = [report(centre, world, lat=Decimal("41.8") + Decimal(n) / 100) for n in range(4)]
    services.accept_case(command, cases[0].pk, accept=True)
    services.dispatch_case(command, cases[0].pk, unit=world.dept)
    services.handle_case(unit, cases[0].pk, note="ok")
    services.verify_case(command, cases[0].pk, passed=False, note="未到位")
    services.handle_case(unit, cases[0].pk, note="ok")
    services.verify_case(command, cases[0].pk, passed=True)
    services.merge_case(command, cases[1].pk, into_id=cases[2].pk)
    services.accept_case(command, cases[3].pk, accept=False, note="非职责")
    kept = sorted(CaseTally.objects.values_list("unit", "reported", "accepted", "handled", "closed", "reworked"),
                  key=str)
    call_command("recount_cases", verbosity=0)
    assert sorted(CaseTally.objects.values_list("unit", "reported", "accepted", "handled", "closed", "reworked"),
                  key=str) == kept
    month = tally.month_of(timezone.now())
    from_tallies = queries.tallied_kpis(CaseTally.objects.all(), month, month)[0]
    now = timezone.now()
    from_cases = queries.case_kpis(Case.objects.all(), now - timedelta(days=40), now + timedelta(days=1))[0]
    assert (from_tallies.reported, from_tallies.accepted, from_tallies.closed, from_tallies.rework_rate) == (
        from_cases.reported, from_cases.accepted, from_cases.closed, from_cases.rework_rate) == (3, 1, 1,
                                                                                                 Decimal("100.0"))
    assert from_tallies.average_hours == from_cases.average_hours
