"""Projects API: the three lists, stages, monthly reports, issues, service records, applications to higher
levels, investment leads, the headline figures and the dual assessment. Thin: parse, call, shape."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wanghua.core.api import Pagination, RecordId, Text, filter_query, filtered, needs
from wanghua.core.transitions import offers
from wanghua.org.models import Person, Region, Unit, Zone

from . import assessment, queries, services
from .filters import ApplicationFilter, IssueFilter, LeadFilter, ProjectFilter
from .models import (
    APPLICATION_FLOW,
    ISSUE_FLOW,
    LEAD_FLOW,
    PROJECT_FLOW,
    REPORT_FLOW,
    Application,
    ApplicationKind,
    ApplicationStep,
    AssessedKind,
    IssueCategory,
    IssueStep,
    Lead,
    LeadStage,
    LeadStep,
    Project,
    ProjectIssue,
    ProjectList,
    ProjectStep,
    ReportStep,
    ServiceKind,
    Stage,
)

router = Router(tags=["projects"])
Amount = Annotated[Decimal, Field(ge=0, le=services.LARGEST_PROJECT, max_digits=12, decimal_places=2)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


def _visible(model, request, pk):
    """A record the caller may see, or 404."""
    return get_object_or_404(model.objects.visible_to(request.user, "view"), pk=pk)


# --- projects -------------------------------------------------------------------------------------------

class ProjectOut(Schema):
    id: int
    code: str
    name: str
    project_list: str
    zone_id: int
    industry: str
    sponsor: str
    continuing: bool
    stage: str
    total_investment: Decimal
    annual_plan: Decimal
    planned_start: date | None
    started_on: date | None
    planned_completion: date | None
    completed_on: date | None
    steward_id: int
    competent_unit_id: int
    leader_id: int
    town_id: int
    location: str
    programme: str
    capacity_mw: Decimal | None
    annual_output: Decimal | None
    revived_area_m2: Decimal | None


@router.get("/projects", response=list[ProjectOut])
@paginate(Pagination)
@needs("projects.view_project")
def list_projects(request, filters: Query[filter_query(ProjectFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, ProjectFilter, Project.objects.visible_to(request.user, "view"))


@router.get("/projects/{project_id}", response=ProjectOut)
@needs("projects.view_project")
def get_project(request, project_id: RecordId):
    return _visible(Project, request, project_id)


class ProjectIn(Schema):
    code: Text = Field(..., min_length=1, max_length=30)
    name: Text = Field(..., min_length=1, max_length=200)
    project_list: ProjectList
    zone_id: RecordId
    industry: Text = Field(..., min_length=1, max_length=60)
    sponsor: Text = Field(..., min_length=1, max_length=200)
    continuing: bool = False
    total_investment: Amount
    annual_plan: Amount
    planned_start: Day | None = None
    planned_completion: Day | None = None
    steward_id: RecordId
    competent_unit_id: RecordId
    leader_id: RecordId
    town_id: RecordId
    location: Text = Field("", max_length=200)


@router.post("/projects", response={201: ProjectOut}, summary="A project in one of the three lists (谋划)")
@needs("projects.add_project")
def create_project(request, body: ProjectIn):
    data = body.dict()
    data["zone"] = get_object_or_404(Zone, pk=data.pop("zone_id"))
    data["town"] = get_object_or_404(Region, pk=data.pop("town_id"))
    data["competent_unit"] = get_object_or_404(Unit, pk=data.pop("competent_unit_id"))
    data["steward"] = get_object_or_404(Person, pk=data.pop("steward_id"))
    data["leader"] = get_object_or_404(Person, pk=data.pop("leader_id"))
    return Status(201, services.create_project(request.user, **data))


class StageIn(Schema):
    stage: Stage
    on: Day | None = None


@router.post("/projects/{project_id}/stage", response=ProjectOut, summary="One step to the next stage")
@offers(PROJECT_FLOW, *ProjectStep.values)
@needs("projects.change_project")
def advance(request, project_id: RecordId, body: StageIn):
    return services.advance_stage(request.user, project_id, body.stage, on=body.on)


# --- monthly reports ------------------------------------------------------------------------------------

class ReportOut(Schema):
    id: int
    project_id: int
    month: date
    fai: Decimal
    progress: str
    next_steps: str
    status: str
    late: bool
    submitted_at: object
    reviewed_at: object | None
    review_comment: str


class ReportIn(Schema):
    month: Day = Field(..., description="Any day of the month reported")
    fai: Amount
    progress: Text = Field(..., min_length=1, max_length=1000)
    next_steps: Text = Field("", max_length=1000)


class CorrectionIn(Schema):
    fai: Amount | None = None
    progress: Text | None = Field(None, min_length=1, max_length=1000)
    next_steps: Text | None = Field(None, max_length=1000)


class ReviewIn(Schema):
    approve: bool
    comment: Text = Field("", max_length=500)


@router.get("/projects/{project_id}/reports", response=list[ReportOut])
@needs("projects.view_monthlyreport")
def list_reports(request, project_id: RecordId):
    return _visible(Project, request, project_id).reports.all()


@router.post("/projects/{project_id}/reports", response={201: ReportOut}, summary="月报: the steward's report")
@needs("projects.add_monthlyreport")
def submit_report(request, project_id: RecordId, body: ReportIn):
    return Status(201, services.submit_report(request.user, project_id, **body.dict()))


@router.patch("/reports/{report_id}", response=ReportOut, summary="Correct a returned or unreviewed report")
@offers(REPORT_FLOW, ReportStep.CORRECT)
@needs("projects.change_monthlyreport")
def correct_report(request, report_id: RecordId, body: CorrectionIn):
    return services.correct_report(request.user, report_id, **body.dict(exclude_none=True))


@router.post("/reports/{report_id}/review", response=ReportOut, summary="The unit approves or returns a report")
@offers(REPORT_FLOW, ReportStep.APPROVE, ReportStep.RETURN)
@needs("projects.review_monthlyreport")
def review_report(request, report_id: RecordId, body: ReviewIn):
    return services.review_report(request.user, report_id, approve=body.approve, comment=body.comment)


# --- issues and services --------------------------------------------------------------------------------

class IssueOut(Schema):
    id: int
    project_id: int
    category: str
    description: str
    owner_unit_id: int
    deadline: date
    status: str
    escalated_at: object | None
    resolution: str
    confirmation: str


class IssueIn(Schema):
    category: IssueCategory
    description: Text = Field(..., min_length=1, max_length=1000)
    owner_unit_id: RecordId
    deadline: Day


class ResolutionIn(Schema):
    resolution: Text = Field(..., min_length=1, max_length=1000)


class ConfirmationIn(Schema):
    satisfied: bool
    note: Text = Field("", max_length=500)


@router.get("/issues", response=list[IssueOut])
@paginate(Pagination)
@needs("projects.view_projectissue")
def list_issues(request, filters: Query[filter_query(IssueFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, IssueFilter, ProjectIssue.objects.visible_to(request.user, "view"))


@router.post("/projects/{project_id}/issues", response={201: IssueOut}, summary="问题清单: raise an issue")
@needs("projects.add_projectissue")
def raise_issue(request, project_id: RecordId, body: IssueIn):
    data = body.dict()
    data["owner_unit"] = get_object_or_404(Unit, pk=data.pop("owner_unit_id"))
    return Status(201, services.raise_issue(request.user, project_id, **data))


@router.post("/issues/{issue_id}/resolve", response=IssueOut)
@offers(ISSUE_FLOW, IssueStep.RESOLVE)
@needs("projects.change_projectissue")
def resolve_issue(request, issue_id: RecordId, body: ResolutionIn):
    return services.resolve_issue(request.user, issue_id, resolution=body.resolution)


@router.post("/issues/{issue_id}/confirm", response=IssueOut, summary="The enterprise confirms or reopens")
@offers(ISSUE_FLOW, IssueStep.CONFIRM, IssueStep.REOPEN)
@needs("projects.change_projectissue")
def confirm_issue(request, issue_id: RecordId, body: ConfirmationIn):
    return services.confirm_issue(request.user, issue_id, satisfied=body.satisfied, note=body.note)


class ServiceOut(Schema):
    id: int
    project_id: int
    kind: str
    served_on: date
    unit_id: int
    description: str


class ServiceIn(Schema):
    kind: ServiceKind
    served_on: Day
    unit_id: RecordId
    description: Text = Field(..., min_length=1, max_length=1000)


@router.post("/projects/{project_id}/services", response={201: ServiceOut}, summary="服务事项: record a service")
@needs("projects.add_servicerecord")
def record_service(request, project_id: RecordId, body: ServiceIn):
    data = body.dict()
    data["unit"] = get_object_or_404(Unit, pk=data.pop("unit_id"))
    return Status(201, services.record_service(request.user, project_id, **data))


# --- 向上争取 and 招商引资 ------------------------------------------------------------------------------

class ApplicationOut(Schema):
    id: int
    title: str
    kind: str
    level: str
    project_id: int | None
    unit_id: int
    town_id: int
    requested: Decimal
    won: Decimal
    status: str
    submitted_on: date | None
    decided_on: date | None


class ApplicationIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    kind: ApplicationKind
    level: Text = Field(..., min_length=1, max_length=60)
    project_id: RecordId | None = None
    unit_id: RecordId
    town_id: RecordId
    requested: Amount
    note: Text = Field("", max_length=500)


class DecisionIn(Schema):
    won: Amount
    on: Day | None = None
    note: Text = Field("", max_length=500)


@router.get("/applications", response=list[ApplicationOut])
@paginate(Pagination)
@needs("projects.view_application")
def list_applications(request, filters: Query[filter_query(ApplicationFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, ApplicationFilter, Application.objects.visible_to(request.user, "view"))


@router.post("/applications", response={201: ApplicationOut}, summary="向上争取: a new application")
@needs("projects.add_application")
def create_application(request, body: ApplicationIn):
    data = body.dict()
    project_id = data.pop("project_id")
    data["project"] = _visible(Project, request, project_id) if project_id else None
    data["unit"] = get_object_or_404(Unit, pk=data.pop("unit_id"))
    data["town"] = get_object_or_404(Region, pk=data.pop("town_id"))
    return Status(201, services.create_application(request.user, **data))


@router.post("/applications/{application_id}/submit", response=ApplicationOut)
@offers(APPLICATION_FLOW, ApplicationStep.SUBMIT)
@needs("projects.change_application")
def submit_application(request, application_id: RecordId):
    return services.submit_application(request.user, application_id)


@router.post("/applications/{application_id}/decide", response=ApplicationOut, summary="Amount won (0: not granted)")
@offers(APPLICATION_FLOW, ApplicationStep.GRANT, ApplicationStep.REFUSE)
@needs("projects.change_application")
def decide_application(request, application_id: RecordId, body: DecisionIn):
    return services.decide_application(request.user, application_id, **body.dict())


class LeadOut(Schema):
    id: int
    name: str
    investor: str
    industry: str
    zone_id: int
    unit_id: int
    town_id: int
    amount: Decimal
    stage: str
    contacted_on: date
    signed_on: date | None
    landed_on: date | None
    project_id: int | None


class LeadIn(Schema):
    name: Text = Field(..., min_length=1, max_length=200)
    investor: Text = Field(..., min_length=1, max_length=200)
    industry: Text = Field(..., min_length=1, max_length=60)
    zone_id: RecordId
    unit_id: RecordId
    town_id: RecordId
    amount: Amount
    contacted_on: Day
    note: Text = Field("", max_length=500)


class LeadStageIn(Schema):
    stage: LeadStage
    on: Day | None = None
    project_id: RecordId | None = Field(None, description="The project a landed lead became")


@router.get("/leads", response=list[LeadOut])
@paginate(Pagination)
@needs("projects.view_lead")
def list_leads(request, filters: Query[filter_query(LeadFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, LeadFilter, Lead.objects.visible_to(request.user, "view"))


@router.post("/leads", response={201: LeadOut}, summary="招商引资: a new lead")
@needs("projects.add_lead")
def create_lead(request, body: LeadIn):
    data = body.dict()
    data["zone"] = get_object_or_404(Zone, pk=data.pop("zone_id"))
    data["unit"] = get_object_or_404(Unit, pk=data.pop("unit_id"))
    data["town"] = get_object_or_404(Region, pk=data.pop("town_id"))
    return Status(201, services.create_lead(request.user, **data))


@router.post("/leads/{lead_id}/stage", response=LeadOut, summary="线索 → 洽谈 → 签约 → 落地")
@offers(LEAD_FLOW, *LeadStep.values)
@needs("projects.change_lead")
def advance_lead(request, lead_id: RecordId, body: LeadStageIn):
    return services.advance_lead(request.user, lead_id, body.stage, on=body.on, project_id=body.project_id)


# --- figures --------------------------------------------------------------------------------------------

class HeadlineOut(Schema):
    year: int
    through_month: int
    started: int
    started_investment: Decimal
    fai: Decimal
    fai_last_year: Decimal
    growth_percent: Decimal | None
    by_list: list[dict]


class HeadlineQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    month: int | None = Field(None, ge=1, le=12)


@router.get("/headline", response=HeadlineOut, summary="Started projects, investment, YTD FAI and YoY growth")
@needs("projects.view_project")
def headline(request, query: Query[HeadlineQuery]):
    today = timezone.localdate()
    year = query.year or today.year
    month = query.month or (today.month if year == today.year else 12)
    return queries.headline(Project.objects.visible_to(request.user), year, month)


class MeasureOut(Schema):
    metric: str
    numerator: Decimal
    denominator: Decimal
    score: Decimal | None
    weight: Decimal
    explanation: str


class StandingOut(Schema):
    rank: int | None
    subject_id: int
    name: str
    total: Decimal | None
    measures: list[MeasureOut]


class AssessmentQuery(Schema):
    kind: AssessedKind = AssessedKind.DEPARTMENT
    period: Annotated[str, Field(max_length=10, description="2026, 2026-Q2 or 2026-05")] | None = None


@router.get("/assessment", response=list[StandingOut], summary="双考核 ranking with every score's calculation")
@needs("projects.view_assessmentindicator")
def assessment_ranking(request, query: Query[AssessmentQuery]):
    period = assessment.parse_period(query.period or str(timezone.localdate().year))
    return [{"rank": s.rank, "subject_id": s.subject_id, "name": s.name, "total": s.total,
             "measures": [{"metric": k, **vars(m)} for k, m in s.measures.items()]}
            for s in assessment.assess(query.kind, period)]

