"""Project pages: the lists, a project's stages and monthly reports, the headline figures. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from wanghua.core.access import can, has_perm_anywhere
from wanghua.core.boundary import posted_date
from wanghua.core.editing import ServiceFormView, StepView, int_or_zero, perform, style_form, visible_or_404
from wanghua.core.exports import xlsx_response
from wanghua.core.listing import Column, ScopedListView, attr, detail_link
from wanghua.core.rules import access, perm
from wanghua.core.transitions import offers
from wanghua.org.models import Zone

from . import assessment, queries, services
from .filters import ApplicationFilter, IssueFilter, LeadFilter, MonthlyReportFilter, ProjectFilter
from .forms import (
    ApplicationForm,
    CorrectionForm,
    DecisionForm,
    IssueForm,
    LeadForm,
    LedgerForm,
    ReportForm,
    ServiceForm,
    WeightsForm,
)
from .models import (
    APPLICATION_FLOW,
    ISSUE_FLOW,
    LEAD_FLOW,
    PROJECT_FLOW,
    REPORT_FLOW,
    Application,
    ApplicationStep,
    AssessedKind,
    AssessmentIndicator,
    IssueStep,
    Lead,
    LeadStage,
    LeadStep,
    MonthlyReport,
    Project,
    ProjectIssue,
    ProjectList,
    ProjectStep,
    ReportStatus,
    ReportStep,
    Stage,
)
from .services import ledger


@access(perm("projects.view_project"))
class ProjectListView(ScopedListView):
    model = Project
    filterset_class = ProjectFilter
    title = gettext_lazy("Projects")
    columns = [
        Column(gettext_lazy("code"), attr("code"), link=detail_link),
        Column(gettext_lazy("name"), attr("name"), link=detail_link),
        Column(gettext_lazy("list"), attr("project_list")),
        Column(gettext_lazy("zone"), attr("zone.name")),
        Column(gettext_lazy("stage"), attr("stage")),
        Column(gettext_lazy("total investment (10k yuan)"), attr("total_investment")),
        Column(gettext_lazy("planned this year (10k yuan)"), attr("annual_plan")),
        Column(pgettext_lazy("project", "started"), attr("started_on")),
        Column(gettext_lazy("steward (项目管家)"), attr("steward.name")),
        Column(gettext_lazy("competent unit (主管单位)"), attr("competent_unit.name")),
        Column(gettext_lazy("responsible leader (包保领导)"), attr("leader.name")),
        Column(gettext_lazy("town/street"), attr("town.name")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("zone", "steward", "competent_unit", "leader", "town")


@access(perm("projects.view_project"))
def project_detail(request, pk: int, form=None, status: int = 200):
    project = visible_or_404(Project, request, pk)
    form = form or ReportForm(initial={"month": timezone.localdate().strftime("%Y-%m")})
    style_form(form)
    issue_form = IssueForm(initial={"owner_unit": project.competent_unit_id})
    style_form(issue_form)
    service_form = ServiceForm(initial={"served_on": timezone.localdate(), "unit": project.competent_unit_id})
    style_form(service_form)
    reports = list(project.reports.select_related("reviewed_by"))
    return render(request, "projects/project_detail.html", {
        "project": project, "reports": reports, "form": form,
        "correctable": {r.pk for r in reports if r.status == ReportStatus.RETURNED
                        and REPORT_FLOW.may(request.user, r, ReportStep.CORRECT)},
        "issues": project.issues.select_related("owner_unit"), "issue_form": issue_form, "today": timezone.localdate(),
        "can_issue": has_perm_anywhere(request.user, "projects.add_projectissue"),
        "service_records": project.services.select_related("unit"), "service_form": service_form,
        "can_serve": has_perm_anywhere(request.user, "projects.add_servicerecord"),
        "next_stages": [(t.step, Stage(t.target).label) for t in PROJECT_FLOW.available(request.user, project)],
        "can_report": has_perm_anywhere(request.user, "projects.add_monthlyreport"),
        "can_review": has_perm_anywhere(request.user, "projects.review_monthlyreport")}, status=status)


@access(perm("projects.change_project"))
class ProjectStageView(StepView):
    """→ the next stage: one button per stage the project may move to."""

    machine = PROJECT_FLOW
    steps = {step: (lambda user, pk, request, step=step: services.advance_stage(user, pk, step))  # type: ignore[misc]  # step bound per lambda
             for step in ProjectStep.values}
    redirect_to = "projects:project_detail"


@access(perm("projects.add_monthlyreport"))
class ReportSubmitView(ServiceFormView):
    """The steward's report for a month, from the project page (a refusal shows the page again, 400)."""

    http_method_names = ["post"]
    form_class = ReportForm
    model = MonthlyReport
    create_service = services.submit_report

    def service_kwargs(self, form, obj):
        return {"project_id": self.kwargs["project_id"]}

    def render_form(self, form, obj, status=200):
        return project_detail(self.request, self.kwargs["project_id"], form=form, status=status)


@access(perm("projects.change_monthlyreport"))
@offers(REPORT_FLOW, ReportStep.CORRECT)
class ReportCorrectView(ServiceFormView):
    """更正: the steward corrects a returned report, and so submits it again."""

    form_class = CorrectionForm
    model = MonthlyReport
    title = gettext_lazy("Correct the monthly report")
    update_service = services.correct_report


@access(perm("projects.view_monthlyreport"))
class ReportListView(ScopedListView):
    """The monthly reports: the unit's 待审核 and the steward's 被退回 (home counts open it filtered)."""

    model = MonthlyReport
    filterset_class = MonthlyReportFilter
    title = gettext_lazy("monthly reports")
    columns = [
        Column(gettext_lazy("project"), attr("project.name"), link=lambda r: reverse("projects:report", args=[r.pk])),
        Column(gettext_lazy("month"), lambda r: f"{r.month:%Y-%m}"),
        Column(gettext_lazy("fixed-asset investment completed (10k yuan)"), attr("fai")),
        Column(gettext_lazy("status"), attr("status")),
        Column(gettext_lazy("submitted"), attr("submitted_at")),
        Column(gettext_lazy("late"), attr("late")),
        Column(gettext_lazy("review comment"), attr("review_comment")),
        Column(gettext_lazy("competent unit (主管单位)"), attr("project.competent_unit.name")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("project__competent_unit")


@access(perm("projects.view_monthlyreport"))
def report_detail(request, pk: int):
    """A report is shown on its project's page."""
    return redirect(visible_or_404(MonthlyReport, request, pk).get_absolute_url())


def _review(approve: bool):
    return lambda user, pk, request: services.review_report(user, pk, approve=approve,
                                                            comment=request.POST.get("comment", ""))


@access(perm("projects.review_monthlyreport"))
class ReportReviewView(StepView):
    machine = REPORT_FLOW
    steps = {ReportStep.APPROVE: _review(True), ReportStep.RETURN: _review(False)}
    redirect_to = "projects:report"


@access(perm("projects.view_project"))
def headline(request):
    """项目建设 at a glance: started this year, their investment, FAI to date and its growth, by list."""
    today = timezone.localdate()
    year = int_or_zero(request.GET.get("year")) or today.year
    through = int_or_zero(request.GET.get("month")) or (today.month if year == today.year else 12)
    if not (2000 <= year <= 2100 and 1 <= through <= 12):
        raise Http404
    projects = Project.objects.visible_to(request.user)
    figures = queries.headline(projects, year, through)
    labels = dict(ProjectList.choices)
    by_zone = queries.breakdown(projects, year, through, "zone")
    by_unit = queries.breakdown(projects, year, through, "unit")
    leads = Lead.objects.visible_to(request.user)
    return render(request, "projects/headline.html", {
        "figures": figures, "lists": [{**row, "label": labels[row["list"]]} for row in figures.by_list],
        "by_zone": by_zone, "by_unit": by_unit,
        "zone_chart": {"names": [r["name"] for r in by_zone], "counts": [float(r["fai"]) for r in by_zone]},
        "unit_chart": {"names": [r["name"] for r in by_unit], "counts": [float(r["fai"]) for r in by_unit]},
        "zones": _zone_programmes(projects),
        "pipeline": queries.pipeline(leads.filter(contacted_on__year=year)),
        "funds": queries.funds_won(Application.objects.visible_to(request.user), year),
        "reminders": queries.report_reminders(projects),
        "years": range(today.year, today.year - 6, -1),
        "months": [(m, _("January–%(month)s") % {"month": m}) for m in range(1, 13)]})


def _zone_programmes(projects) -> list[tuple[Zone, queries.ZoneProgramme]]:
    zones = list(Zone.objects.all())
    programmes = queries.zone_programmes(projects, zones)
    return [(zone, programmes[zone.pk]) for zone in zones]


# --- 问题清单 --------------------------------------------------------------------------------------------

@access(perm("projects.view_projectissue"))
class IssueListView(ScopedListView):
    model = ProjectIssue
    filterset_class = IssueFilter
    title = gettext_lazy("issue list")
    columns = [
        Column(gettext_lazy("project"), attr("project.name"), link=detail_link),
        Column(gettext_lazy("category"), attr("category")),
        Column(gettext_lazy("description"), attr("description")),
        Column(gettext_lazy("owner unit"), attr("owner_unit.name")),
        Column(gettext_lazy("deadline"), attr("deadline")),
        Column(gettext_lazy("status"), attr("status")),
        Column(gettext_lazy("escalated to the leader"), attr("escalated_at")),
        Column(gettext_lazy("responsible leader (包保领导)"), attr("project.leader.name")),
        Column(gettext_lazy("resolution"), attr("resolution")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("project__leader", "owner_unit")


def _form_errors(request, form) -> None:
    messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))


@access(perm("projects.add_projectissue"))
@require_POST
def issue_raise(request, pk: int):
    form = IssueForm(request.POST)
    if form.is_valid():
        perform(request, lambda: services.raise_issue(request.user, pk, **form.cleaned_data))
    else:
        _form_errors(request, form)
    return redirect("projects:project_detail", pk=pk)


@access(perm("projects.view_projectissue"))
def issue_detail(request, pk: int):
    """An issue is shown on its project's page."""
    return redirect(visible_or_404(ProjectIssue, request, pk).get_absolute_url())


def _confirm(satisfied: bool):
    return lambda user, pk, request: services.confirm_issue(user, pk, satisfied=satisfied,
                                                             note=request.POST.get("note", ""))


@access(perm("projects.change_projectissue"))
class IssueStepView(StepView):
    machine = ISSUE_FLOW
    steps = {
        IssueStep.RESOLVE: lambda user, pk, request: services.resolve_issue(
            user, pk, resolution=request.POST.get("resolution", "")),
        IssueStep.CONFIRM: _confirm(True),
        IssueStep.REOPEN: _confirm(False),
    }
    redirect_to = "projects:issue"


# --- 服务事项 -------------------------------------------------------------------------------------------

@access(perm("projects.add_servicerecord"))
@require_POST
def service_record(request, pk: int):
    form = ServiceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        perform(request, lambda: services.record_service(request.user, pk, **form.cleaned_data))
    return redirect(reverse("projects:project_detail", args=[pk]) + "#services")


# --- 向上争取 -------------------------------------------------------------------------------------------

@access(perm("projects.view_application"))
class ApplicationListView(ScopedListView):
    model = Application
    filterset_class = ApplicationFilter
    title = gettext_lazy("applications to higher levels (向上争取)")
    create_url = "projects:application_create"
    columns = [
        Column(gettext_lazy("title"), attr("title"), link=detail_link),
        Column(gettext_lazy("kind"), attr("kind")),
        Column(gettext_lazy("to"), attr("level")),
        Column(gettext_lazy("project"), attr("project.name")),
        Column(gettext_lazy("applying unit"), attr("unit.name")),
        Column(gettext_lazy("town/street"), attr("town.name")),
        Column(gettext_lazy("requested (10k yuan)"), attr("requested")),
        Column(gettext_lazy("won (10k yuan)"), attr("won")),
        Column(gettext_lazy("status"), attr("status")),
        Column(gettext_lazy("submitted"), attr("submitted_on")),
        Column(gettext_lazy("decided"), attr("decided_on")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("project", "unit", "town")


@access(perm("projects.add_application"))
class ApplicationCreateView(ServiceFormView):
    form_class = ApplicationForm
    model = Application
    title = gettext_lazy("New application to higher levels")
    create_service = services.create_application


@access(perm("projects.view_application"))
def application_detail(request, pk: int, decision_form=None, status: int = 200):
    application = visible_or_404(Application, request, pk)
    decision_form = decision_form or DecisionForm(initial={"on": timezone.localdate()})
    style_form(decision_form)
    return render(request, "projects/application_detail.html", {
        "application": application, "decision_form": decision_form,
        "can_change": can(request.user, "change", application)}, status=status)


@access(perm("projects.change_application"))
class ApplicationStepView(StepView):
    machine = APPLICATION_FLOW
    steps = {ApplicationStep.SUBMIT: lambda user, pk, request: services.submit_application(user, pk)}
    redirect_to = "projects:application_detail"


@access(perm("projects.change_application"))
@offers(APPLICATION_FLOW, ApplicationStep.GRANT, ApplicationStep.REFUSE)
@require_POST
def application_decide(request, pk: int):
    """The higher level's answer: the amount won (granted), or 0 (not granted)."""
    visible_or_404(Application, request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return application_detail(request, pk, decision_form=form, status=400)
    perform(request, lambda: services.decide_application(request.user, pk, **form.cleaned_data))
    return redirect("projects:application_detail", pk=pk)


# --- 招商引资 -------------------------------------------------------------------------------------------

@access(perm("projects.view_lead"))
class LeadListView(ScopedListView):
    model = Lead
    filterset_class = LeadFilter
    title = gettext_lazy("investment attraction (招商引资)")
    create_url = "projects:lead_create"
    columns = [
        Column(gettext_lazy("name"), attr("name"), link=detail_link),
        Column(gettext_lazy("investor"), attr("investor")),
        Column(gettext_lazy("industry"), attr("industry")),
        Column(gettext_lazy("zone"), attr("zone.name")),
        Column(gettext_lazy("attracting unit"), attr("unit.name")),
        Column(gettext_lazy("planned investment (10k yuan)"), attr("amount")),
        Column(gettext_lazy("stage"), attr("stage")),
        Column(gettext_lazy("first contact"), attr("contacted_on")),
        Column(gettext_lazy("signed"), attr("signed_on")),
        Column(gettext_lazy("landed as project"), attr("project.name")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("zone", "unit", "project")


@access(perm("projects.add_lead"))
class LeadCreateView(ServiceFormView):
    form_class = LeadForm
    model = Lead
    title = gettext_lazy("New investment lead")
    create_service = services.create_lead


@access(perm("projects.view_lead"))
def lead_detail(request, pk: int):
    lead = visible_or_404(Lead, request, pk)
    steps = LEAD_FLOW.available(request.user, lead)
    landing = any(t.step == LeadStep.LANDED for t in steps)
    return render(request, "projects/lead_detail.html", {
        "lead": lead, "today": timezone.localdate(),
        "next_stages": [(t.step, LeadStage(t.target).label) for t in steps],
        "projects": Project.objects.visible_to(request.user).filter(project_list=ProjectList.ATTRACTED, lead=None)
        if landing else []})


def _lead_step(step: str):
    return lambda user, pk, request: services.advance_lead(
        user, pk, step, on=posted_date(request.POST.get("on")),
        project_id=int_or_zero(request.POST.get("project")) or None)


@access(perm("projects.change_lead"))
class LeadStageView(StepView):
    """→ the next stage of the pipeline, on a date; landing names the project the lead became."""

    machine = LEAD_FLOW
    steps = {step: _lead_step(step) for step in LeadStep.values}
    redirect_to = "projects:lead_detail"


# --- 双考核 ---------------------------------------------------------------------------------------------

@access(perm("projects.view_assessmentindicator"))
def assessment_ranking(request):
    """The ranking of departments or towns for a month, quarter or year, with every score's calculation."""
    kind = request.GET.get("kind") or AssessedKind.DEPARTMENT
    if kind not in AssessedKind.values:
        raise Http404
    status = 200
    try:
        period = assessment.parse_period(request.GET.get("period") or str(timezone.localdate().year))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        period, status = assessment.parse_period(str(timezone.localdate().year)), 400
    ranking = assessment.assess(kind, period)
    metrics = assessment.active_metrics(kind)
    if request.GET.get("export") == "xlsx" and status == 200:
        return _assessment_export(kind, period, ranking, metrics)
    return render(request, "projects/assessment.html", {
        "kind": kind, "kinds": AssessedKind.choices, "period": period, "ranking": ranking, "metrics": metrics,
        "periods": assessment.recent_periods(timezone.localdate()),
        "chart": {"names": [s.name for s in ranking if s.total is not None],
                  "counts": [float(s.total) for s in ranking if s.total is not None]},
        "can_configure": has_perm_anywhere(request.user, "projects.change_assessmentindicator"),
        "query": request.GET.urlencode()}, status=status)


def _assessment_export(kind, period, ranking, metrics):
    measured, of, score, points = _("measured"), _("of"), _("score"), _("points")
    headers = [_("rank"), _("name"), _("total score")]
    for m in metrics:
        label = m.get_metric_display()
        headers += [f"{label} · {measured}", f"{label} · {of}", f"{label} · {score}",
                    f"{label} · {points} ({m.weight})"]
    rows = ([s.rank, s.name, s.total, *[v for m in metrics for v in (
        s.measures[m.metric].numerator, s.measures[m.metric].denominator, s.measures[m.metric].score,
        s.measures[m.metric].points)]] for s in ranking)
    title = _("Dual assessment")
    return xlsx_response(f"{title}-{AssessedKind(kind).label}-{period.key}", headers, rows, title=title)


@access(perm("projects.change_assessmentindicator"))
def assessment_weights(request):
    kind = request.GET.get("kind") or AssessedKind.DEPARTMENT
    if kind not in AssessedKind.values:
        raise Http404
    indicators = list(AssessmentIndicator.objects.filter(kind=kind).order_by("metric"))
    form = WeightsForm(indicators, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and perform(request, lambda: services.set_weights(
                request.user, kind, form.weights(), form.switches())):
            return redirect(reverse("projects:assessment") + f"?kind={kind}")
        status = 400
    style_form(form)
    return render(request, "projects/assessment_weights.html", {
        "form": form, "kind": kind, "kinds": AssessedKind.choices,
        "rows": [(form[f"weight_{r.metric}"], form[f"active_{r.metric}"]) for r in indicators]}, status=status)


# --- 项目台账 -------------------------------------------------------------------------------------------

@access(perm("projects.add_project"))
def ledger_import(request):
    """Upload the ledger; every row's errors are listed and nothing is saved until all rows are right."""
    form = LedgerForm(request.POST or None, request.FILES or None)
    style_form(form)
    result, errors, status = None, [], 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = ledger.import_ledger(request.user, form.cleaned_data["ledger"])
            except ledger.LedgerError as exc:
                errors, status = exc.errors, 400
        else:
            status = 400
    return render(request, "projects/ledger_import.html", {
        "form": form, "result": result, "errors": errors, "headers": ledger.HEADERS}, status=status)


@access(perm("projects.export_project"))
def ledger_export(request):
    """The ledger in the layout the import reads; the projects the user may export."""
    projects = Project.objects.visible_to(request.user, "export")
    return xlsx_response(ledger.SHEET_TITLE, ledger.HEADERS, queries.ledger_rows(projects), title=ledger.SHEET_TITLE)


@access(perm("projects.view_project"))
def project_map(request):
    """The projects on the district's outline, coloured by zone; a point opens its project."""
    return render(request, "core/point_map.html", {
        "title": _("Project map"), "data_url": reverse("projects:project_map_data"), "colour_by": "zone",
        "unit": _("projects")})


@access(perm("projects.view_project"))
def project_map_data(request):
    return JsonResponse(queries.project_map(Project.objects.visible_to(request.user)),
                        json_dumps_params={"ensure_ascii": False})
