"""Civic API: cases and their steps, the case KPIs, commitments and their progress, volunteer activities and
sign-ups. Thin: parse, call, shape. (Open311 GeoReport v2 lives at /open311/v2/, for reporting apps.)"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wanghua.core.api import Pagination, RecordId, Text, filter_query, filtered, needs
from wanghua.core.transitions import offers
from wanghua.org.models import Region, Unit

from . import queries
from .filters import ActivityFilter, CaseFilter, CommitmentFilter
from .models import CASE_FLOW, COMMITMENT_FLOW, VERIFY, Activity, Case, CaseCategory, CaseSource, CaseStep, Commitment
from .models import CommitmentStep as CS
from .services import cases, commitments, volunteers

router = Router(tags=["civic"])
Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class CaseOut(Schema):
    id: int
    number: str
    source: str
    category_id: int
    action_id: int | None
    description: str
    community_id: int
    address: str
    lat: Decimal | None
    lon: Decimal | None
    status: str
    unit_id: int | None
    reported_at: datetime
    accept_due_at: datetime | None
    accepted_at: datetime | None
    dispatched_at: datetime | None
    due_at: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    reworks: int
    reassignments: int
    merged_into_id: int | None
    overdue: bool


@router.get("/cases", response=list[CaseOut])
@paginate(Pagination)
@needs("civic.view_case")
def list_cases(request, filters: Query[filter_query(CaseFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, CaseFilter, Case.objects.visible_to(request.user, "view"))


@router.get("/cases/{case_id}", response=CaseOut)
@needs("civic.view_case")
def get_case(request, case_id: RecordId):
    return get_object_or_404(Case.objects.visible_to(request.user, "view"), pk=case_id)


class CaseIn(Schema):
    source: CaseSource = CaseSource.GRID
    category_id: RecordId
    description: Text = Field(..., min_length=1, max_length=4000)
    community_id: RecordId
    address: Text = Field("", max_length=200)
    lat: Latitude | None = None
    lon: Longitude | None = None


@router.post("/cases", response={201: CaseOut}, summary="上报 a case")
@needs("civic.add_case")
def report_case(request, body: CaseIn):
    data = body.dict()
    data["category"] = get_object_or_404(CaseCategory, pk=data.pop("category_id"))
    data["community"] = get_object_or_404(Region, pk=data.pop("community_id"))
    return Status(201, cases.report_case(request.user, **data))


class NoteIn(Schema):
    note: Text = Field("", max_length=1000)


class DecisionIn(NoteIn):
    accept: bool


class DispatchIn(NoteIn):
    unit_id: RecordId


class VerifyIn(NoteIn):
    passed: bool


class MergeIn(Schema):
    into_id: RecordId


@router.post("/cases/{case_id}/accept", response=CaseOut, summary="立案 or 不予立案")
@needs("civic.dispatch_case")
@offers(CASE_FLOW, CaseStep.ACCEPT, CaseStep.REJECT)
def accept(request, case_id: RecordId, body: DecisionIn):
    return cases.accept_case(request.user, case_id, accept=body.accept, note=body.note)


@router.post("/cases/{case_id}/dispatch", response=CaseOut, summary="派遣, or 改派 with a reason")
@needs("civic.dispatch_case")
@offers(CASE_FLOW, CaseStep.DISPATCH, CaseStep.REASSIGN)
def dispatch(request, case_id: RecordId, body: DispatchIn):
    unit = get_object_or_404(Unit, pk=body.unit_id)
    return cases.dispatch_case(request.user, case_id, unit=unit, note=body.note)


@router.post("/cases/{case_id}/handle", response=CaseOut, summary="处置 by the handling unit")
@needs("civic.handle_case")
@offers(CASE_FLOW, CaseStep.HANDLE)
def handle(request, case_id: RecordId, body: NoteIn):
    return cases.handle_case(request.user, case_id, note=body.note)


@router.post("/cases/{case_id}/verify", response=CaseOut, summary="核查: close (结案) or rework (返工)")
@needs(VERIFY)
@offers(CASE_FLOW, CaseStep.CLOSE, CaseStep.REWORK)
def verify(request, case_id: RecordId, body: VerifyIn):
    return cases.verify_case(request.user, case_id, passed=body.passed, note=body.note)


@router.post("/cases/{case_id}/merge", response=CaseOut, summary="并案 into another open case")
@needs("civic.dispatch_case")
@offers(CASE_FLOW, CaseStep.MERGE)
def merge(request, case_id: RecordId, body: MergeIn):
    return cases.merge_case(request.user, case_id, into_id=body.into_id)


class KpiOut(Schema):
    key: str | None
    reported: int
    accepted: int
    handled: int
    handled_on_time: int
    closed: int
    reworked: int
    acceptance_rate: Decimal | None
    on_time_rate: Decimal | None
    closure_rate: Decimal | None
    rework_rate: Decimal | None
    average_hours: Decimal | None


class KpiQuery(Schema):
    start: Day | None = None
    end: Day | None = None
    by: str | None = Field(None, pattern="^(unit|street)$", description="Group by handling unit or street")


@router.get("/kpis", response=list[KpiOut], summary="立案率, 按期处置率, 结案率, 返工率, average hours")
@needs("civic.view_case")
def case_kpis(request, query: Query[KpiQuery]):
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    start = datetime.combine(query.start or today.replace(month=1, day=1), time.min, zone)
    end = datetime.combine((query.end or today) + timedelta(days=1), time.min, zone)
    by = {"unit": "unit__name", "street": "community__parent__name"}.get(query.by or "")
    rows = queries.case_kpis(Case.objects.visible_to(request.user), start, end, by=by)
    return [{**vars(r), "key": None if r.key is None else str(r.key), "acceptance_rate": r.acceptance_rate,
             "on_time_rate": r.on_time_rate, "closure_rate": r.closure_rate, "rework_rate": r.rework_rate}
            for r in rows]


class CommitmentOut(Schema):
    id: int
    year: int
    title: str
    target: Decimal
    target_unit: str
    delivered: Decimal
    unit_id: int
    deadline: date
    status: str


class ProgressIn(Schema):
    delivered: Annotated[Decimal, Field(ge=0, le=10_000_000_000, max_digits=12, decimal_places=2)]
    note: Text = Field(..., min_length=1, max_length=1000)
    reported_on: Day | None = None


def _commitment_out(commitment: Commitment) -> dict:
    return {**{f: getattr(commitment, f) for f in ("id", "year", "title", "target", "target_unit", "delivered",
                                                   "unit_id", "deadline")},
            "status": commitments.status(commitment)}


@router.get("/commitments", response=list[CommitmentOut], summary="民生清单 with computed status")
@paginate(Pagination)
@needs("civic.view_commitment")
def list_commitments(request, filters: Query[filter_query(CommitmentFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    rows = Commitment.objects.visible_to(request.user, "view").prefetch_related("milestones")
    return [_commitment_out(c) for c in filtered(request, CommitmentFilter, rows)]


@router.post("/commitments/{commitment_id}/progress", response={201: CommitmentOut})
@needs("civic.add_progressreport")
@offers(COMMITMENT_FLOW, CS.DELIVER, CS.RESUME, CS.FALL_BEHIND)
def report_progress(request, commitment_id: RecordId, body: ProgressIn):
    report = commitments.report_progress(request.user, commitment_id, **body.dict())
    return Status(201, _commitment_out(report.commitment))


class ActivityOut(Schema):
    id: int
    team_id: int
    title: str
    community_id: int
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    action_id: int | None
    cancelled: bool


class SignUpOut(Schema):
    id: int
    activity_id: int
    person_id: int
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    hours: Decimal


@router.get("/activities", response=list[ActivityOut])
@paginate(Pagination)
@needs("civic.view_activity")
def list_activities(request, filters: Query[filter_query(ActivityFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, ActivityFilter, Activity.objects.visible_to(request.user, "view"))


@router.post("/activities/{activity_id}/signups", response={201: SignUpOut}, summary="Sign up for an activity")
@needs("civic.add_signup")
def sign_up(request, activity_id: RecordId):
    return Status(201, volunteers.sign_up(request.user, activity_id))


@router.post("/signups/{signup_id}/check-in", response=SignUpOut)
@needs("civic.change_signup")
def check_in(request, signup_id: RecordId):
    return volunteers.check_in(request.user, signup_id)


@router.post("/signups/{signup_id}/check-out", response=SignUpOut, summary="Check out: hours are counted")
@needs("civic.change_signup")
def check_out(request, signup_id: RecordId):
    return volunteers.check_out(request.user, signup_id)
