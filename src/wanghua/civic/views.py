"""创城 pages: the case list, a case and its steps, the inspector's report form, the KPI board, and the
resident's report page (no account) with the follow-up link. Thin: forms validate shape, services decide."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from wanghua.core.access import can
from wanghua.core.boundary import query_date
from wanghua.core.editing import PhotoView, ServiceFormView, StepView, int_or_zero, perform, style_form, visible_or_404
from wanghua.core.exports import xlsx_response
from wanghua.core.listing import Column, ScopedListView, attr, detail_link
from wanghua.core.rules import PUBLIC, access, perm
from wanghua.core.transitions import offers
from wanghua.org.geo import street_outlines
from wanghua.org.models import Person, Region

from . import queries
from .filters import ActivityFilter, CaseFilter, CommitmentFilter
from .forms import (
    ActionForm,
    ActivityForm,
    CaseReportForm,
    CategoryForm,
    CommitmentForm,
    DispatchForm,
    ProgressForm,
    PublicReportForm,
)
from .models import (
    CASE_FLOW,
    COMMITMENT_FLOW,
    VERIFY,
    Activity,
    CampaignAction,
    Case,
    CaseCategory,
    CasePhoto,
    CaseSource,
    CaseStatus,
    CaseStep,
    Commitment,
    CommitmentStatus,
    CommitmentStep,
    Milestone,
    ProgressPhoto,
)
from .services import cases, catalogue, commitments, volunteers


@access(perm("civic.view_case"))
class CaseListView(ScopedListView):
    model = Case
    filterset_class = CaseFilter
    title = gettext_lazy("city-management cases")
    create_url = "civic:case_report"
    columns = [
        Column(gettext_lazy("case number"), attr("number"), link=detail_link),
        Column(gettext_lazy("category"), attr("category")),
        Column(gettext_lazy("source"), attr("source")),
        Column(gettext_lazy("community"), attr("community.name")),
        Column(gettext_lazy("address"), attr("address")),
        Column(gettext_lazy("status"), attr("status")),
        Column(gettext_lazy("handling unit"), attr("unit.name")),
        Column(gettext_lazy("reported"), attr("reported_at")),
        Column(gettext_lazy("handling deadline"), attr("due_at")),
        Column(gettext_lazy("overdue"), lambda case: _("overdue") if case.overdue else ""),
        Column(gettext_lazy("reworks (返工)"), attr("reworks")),
    ]

    def base_queryset(self):
        return (super().base_queryset().select_related("category__parent", "community", "unit")
                .defer("community__geojson"))  # a list shows the name; the outline is kilobytes a row


@access(perm(VERIFY))
class VerifyTaskListView(ScopedListView):
    """核查 on site: the cases of the inspector's area that their unit reports handled, as cards for the phone,
    each with the photo of the problem beside the photo of the result."""

    model = Case
    action = VERIFY
    title = gettext_lazy("Cases to verify on site (核查)")
    template_name = "civic/verify_tasks.html"

    def base_queryset(self):
        return (super().base_queryset().filter(status=CaseStatus.HANDLED)
                .select_related("category__parent", "community", "unit").order_by("handled_at", "pk")
                .prefetch_related("photos"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tasks"] = [(case, queries.photos_by_stage(case)) for case in context["object_list"]]
        return context


@access(perm("civic.view_case"))
def case_detail(request, pk: int, dispatch_form=None, status: int = 200):
    case = visible_or_404(Case, request, pk)
    commanding = can(request.user, "civic.dispatch_case", case)
    dispatch_form = dispatch_form or DispatchForm(initial={"unit": case.unit_id or case.category.default_unit_id})
    style_form(dispatch_form)
    return render(request, "civic/case_detail.html", {
        "case": case, "events": case.events.select_related("actor", "unit"),
        "photos": queries.photos_by_stage(case),
        "commanding": commanding, "handling": can(request.user, "civic.handle_case", case),
        "verifying": can(request.user, VERIFY, case),
        "dispatch_form": dispatch_form, "now": timezone.now(),
        "duplicates": queries.nearby_duplicates(case) if commanding and case.status in (
            CaseStatus.REPORTED, CaseStatus.ACCEPTED) else []}, status=status)


def _note(request) -> str:
    return request.POST.get("note", "")


def _photo(request):
    """The step's photo, when one was taken (the service checks it is a real image)."""
    return request.FILES.get("photo") or None


def _dispatch(user, pk: int, request):
    form = DispatchForm(request.POST)
    form.is_valid()  # CaseStepView.post has refused an invalid form already
    return cases.dispatch_case(user, pk, **form.cleaned_data)


@access(perm("civic.view_case"))
class CaseStepView(StepView):
    """POST cases/<pk>/<step>/: the step buttons of the case page (派遣 and 改派 share the dispatch form)."""

    machine = CASE_FLOW
    redirect_to = "civic:case_detail"
    steps = {
        CaseStep.ACCEPT: lambda user, pk, request: cases.accept_case(user, pk, accept=True, note=_note(request)),
        CaseStep.REJECT: lambda user, pk, request: cases.accept_case(user, pk, accept=False, note=_note(request)),
        CaseStep.DISPATCH: _dispatch,
        CaseStep.REASSIGN: _dispatch,
        CaseStep.HANDLE: lambda user, pk, request: cases.handle_case(user, pk, note=_note(request),
                                                                     photo=_photo(request)),
        CaseStep.CLOSE: lambda user, pk, request: cases.verify_case(user, pk, passed=True, note=_note(request),
                                                                    photo=_photo(request)),
        CaseStep.REWORK: lambda user, pk, request: cases.verify_case(user, pk, passed=False, note=_note(request),
                                                                     photo=_photo(request)),
        CaseStep.MERGE: lambda user, pk, request: cases.merge_case(user, pk,
                                                                   into_id=int_or_zero(request.POST.get("into"))),
    }

    def post(self, request, pk: int, step: str):
        visible_or_404(Case, request, pk)
        if step in (CaseStep.DISPATCH, CaseStep.REASSIGN):
            form = DispatchForm(request.POST)
            if not form.is_valid():
                return case_detail(request, pk, dispatch_form=form, status=400)
        return super().post(request, pk, step)


@access(perm("civic.add_case"))
class CaseReportView(ServiceFormView):
    """上报 from the inspector's phone: category, where, what, a photo; the location from the phone's GPS."""

    form_class = CaseReportForm
    model = Case
    template_name = "civic/case_report.html"
    create_service = cases.report_case

    def saved_text(self, saved) -> str:
        return _("Reported: case %(number)s.") % {"number": saved.number}


case_photo = access(perm("civic.view_case"))(PhotoView.as_view(model=CasePhoto))
progress_photo = access(perm("civic.view_commitment"))(PhotoView.as_view(model=ProgressPhoto))


def _span(request) -> tuple[datetime, datetime]:
    today = timezone.localdate()
    start = query_date(request.GET.get("start"), today.replace(month=1, day=1))
    end = query_date(request.GET.get("end"), today)
    if end < start:
        start, end = end, start
    zone = timezone.get_current_timezone()
    return datetime.combine(start, time.min, zone), datetime.combine(end + timedelta(days=1), time.min, zone)


@access(perm("civic.view_case"))
def case_board(request):
    """考核: 立案率, 按期处置率, 结案率, 返工率 and average handling time, overall, by unit and by street."""
    start, end = _span(request)
    overall, by_unit, by_street = queries.board_kpis(request.user, start, end)
    if request.GET.get("export") == "xlsx":
        headers = [_("name"), _("reported"), _("accepted"), _("handled"), _("closed"), _("acceptance rate %"),
                   _("on-time rate %"), _("closure rate %"), _("rework rate %"), _("average hours")]
        rows = ([r.key or "—", r.reported, r.accepted, r.handled, r.closed, r.acceptance_rate, r.on_time_rate,
                 r.closure_rate, r.rework_rate, r.average_hours] for r in [*by_unit, *by_street])
        return xlsx_response(_("case KPIs"), headers, rows)
    return render(request, "civic/case_board.html", {
        "overall": overall, "by_unit": by_unit, "by_street": by_street, "start": start.date(),
        "end": (end - timedelta(days=1)).date(),
        "chart": {"names": [r.key or "—" for r in by_street], "counts": [r.reported for r in by_street]}})


# --- residents, without an account ---------------------------------------------------------------------

@access(PUBLIC)
@ratelimit(key="ip", rate="5/10m", method="POST", block=False)
def public_report(request):
    """随手拍: a resident reports from a phone; five reports in ten minutes from one address at most."""
    form = PublicReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.add_error(None, _("Too many reports from this address: please try again in ten minutes."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            same = queries.same_problem(data["same_as"], data["category"]) if data["same_as"] else None
            channel = _("随手拍, the same problem as %(number)s") % {"number": same.number} if same else "随手拍"
            try:
                case = cases.report_case(None, source=CaseSource.RESIDENT, category=data["category"],
                                            description=data["description"], community=data["community"],
                                            address=data["address"], lat=data["lat"], lon=data["lon"],
                                            reporter_phone=data["phone"], photo=data["photo"],
                                            channel=channel)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
                status = 400
            else:
                return redirect("civic:public_case", token=case.public_token)
        else:
            status = 400
    style_form(form)
    return render(request, "civic/public_report.html", {"form": form}, status=status)


@access(PUBLIC)
def public_nearby(request):
    """While a resident files: open cases of the same kind within 50 m (number, category, stage, day; no one's
    details), so they can say 我也遇到 instead of filing the same problem again."""
    category = CaseCategory.objects.filter(pk=int_or_zero(request.GET.get("category")), active=True).first()
    try:
        lat, lon = (Decimal(request.GET.get(key, "")) for key in ("lat", "lon"))
    except (InvalidOperation, ValueError):
        return JsonResponse({"cases": []})
    if category is None or not (lat.is_finite() and lon.is_finite() and -90 <= lat <= 90 and -180 <= lon <= 180):
        return JsonResponse({"cases": []})  # NaN and Infinity parse as Decimals, but NaN cannot be compared
    rows = queries.nearby_open_cases(category, lat, lon)
    return JsonResponse({"cases": [{"number": c.number, "category": c.category.name,
                                    "status_label": queries.public_stage(c.status),
                                    "reported": timezone.localtime(c.reported_at).strftime("%m-%d %H:%M")}
                                   for c in rows]}, json_dumps_params={"ensure_ascii": False})


@access(PUBLIC)
def public_map(request):
    """街巷问题地图: what residents and inspectors reported lately, where, and how far it got (FixMyStreet)."""
    return render(request, "civic/public_map.html")


@access(PUBLIC)
def public_map_data(request):
    points = [] if request.GET.get("points") == "0" else queries.public_case_points()  # the pin-drop: outline only
    return JsonResponse({"outline": street_outlines(Region.objects.all()), "points": points},
                        json_dumps_params={"ensure_ascii": False})


@access(PUBLIC)
def public_case(request, token: str):
    """What a resident sees of their case: its number, stage and the public notes, never anyone's name."""
    case = queries.case_for_token(token)
    if case is None:
        raise Http404
    state, notes = queries.public_status(case)
    return render(request, "civic/public_case.html", {"case": case, "open": state == "open", "notes": notes,
                                                      "steps": case.events.order_by("at")})


# --- volunteer service ----------------------------------------------------------------------------------

@access(perm("civic.view_activity"))
class ActivityListView(ScopedListView):
    model = Activity
    filterset_class = ActivityFilter
    title = gettext_lazy("volunteer activities")
    create_url = "civic:activity_create"
    columns = [
        Column(gettext_lazy("activity"), attr("title"), link=detail_link),
        Column(gettext_lazy("volunteer team"), attr("team.name")),
        Column(gettext_lazy("community"), attr("community.name")),
        Column(gettext_lazy("place"), attr("place")),
        Column(gettext_lazy("starts"), attr("starts_at")),
        Column(gettext_lazy("ends"), attr("ends_at")),
        Column(gettext_lazy("volunteers needed"), attr("capacity")),
        Column(gettext_lazy("campaign action"), attr("action.name")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("team", "community", "action")


@access(perm("civic.add_activity"))
class ActivityCreateView(ServiceFormView):
    form_class = ActivityForm
    model = Activity
    title = gettext_lazy("New volunteer activity")
    create_service = volunteers.create_activity


@access(perm("civic.view_activity"))
def activity_detail(request, pk: int):
    activity = visible_or_404(Activity, request, pk)
    signups = list(activity.signups.select_related("person"))
    mine = next((s for s in signups if s.person.user_id == request.user.pk), None)
    return render(request, "civic/activity_detail.html", {
        "activity": activity, "signups": signups, "mine": mine, "now": timezone.now(),
        "organiser": can(request.user, "change", activity), "places_left": activity.capacity - len(signups)})


ACTIVITY_STEPS = {
    "sign-up": lambda user, pk, post: volunteers.sign_up(user, pk),
    "check-in": lambda user, pk, post: volunteers.check_in(user, int(post.get("signup") or 0)),
    "check-out": lambda user, pk, post: volunteers.check_out(user, int(post.get("signup") or 0)),
}


@access(perm("civic.view_activity"))
@require_POST
def activity_step(request, pk: int, step: str):
    visible_or_404(Activity, request, pk)
    if step not in ACTIVITY_STEPS:
        raise Http404
    perform(request, lambda: ACTIVITY_STEPS[step](request.user, pk, request.POST))
    return redirect("civic:activity_detail", pk=pk)


@access(perm("civic.view_signup"))
def my_record(request):
    """志愿服务记录: the volunteer's activities and hours."""
    person = Person.objects.filter(user=request.user).first()
    if person is None:  # given the role, not yet registered with a team: an empty record, never a 404
        return render(request, "civic/my_record.html", {"person": None, "activities": 0, "hours": 0, "signups": []})
    record = queries.volunteer_record(person)
    # An activity of another team may be out of the volunteer's scope: named, but not linked to a 404.
    openable = set(Activity.objects.visible_to(request.user).filter(
        pk__in=[signup.activity_id for signup in record["signups"]]).values_list("pk", flat=True))
    return render(request, "civic/my_record.html", {"person": person, "openable": openable, **record})


# --- 民生清单 and the campaign actions ------------------------------------------------------------------

@access(perm("civic.view_commitment"))
class CommitmentListView(ScopedListView):
    model = Commitment
    filterset_class = CommitmentFilter
    title = gettext_lazy("livelihood commitments (民生清单)")
    create_url = "civic:commitment_create"
    columns = [
        Column(gettext_lazy("year"), attr("year")),
        Column(gettext_lazy("commitment"), attr("title"), link=detail_link),
        Column(gettext_lazy("target"), attr("target")),
        Column(gettext_lazy("unit of the target"), attr("target_unit")),
        Column(gettext_lazy("delivered so far"), attr("delivered")),
        Column(gettext_lazy("status"), lambda c: CommitmentStatus(commitments.status(c)).label),
        Column(gettext_lazy("responsible unit"), attr("unit.name")),
        Column(gettext_lazy("budget (10k yuan)"), attr("budget")),
        Column(gettext_lazy("deadline"), attr("deadline")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("unit").prefetch_related("milestones")


@access(perm("civic.add_commitment"))
class CommitmentCreateView(ServiceFormView):
    form_class = CommitmentForm
    model = Commitment
    title = gettext_lazy("New livelihood commitment")
    create_service = commitments.create_commitment


@access(perm("civic.view_commitment"))
def commitment_detail(request, pk: int, form=None, status: int = 200):
    commitment = visible_or_404(Commitment, request, pk)
    form = form or ProgressForm(initial={"delivered": commitment.delivered})
    style_form(form)
    return render(request, "civic/commitment_detail.html", {
        "commitment": commitment, "status": CommitmentStatus(commitments.status(commitment)),
        "milestones": commitment.milestones.all(),
        "reports": commitment.reports.select_related("reported_by").prefetch_related("photos"),
        "form": form, "can_report": can(request.user, "civic.add_progressreport", commitment),
        "today": timezone.localdate()}, status=status)


@access(perm("civic.add_progressreport"))
@require_POST
@offers(COMMITMENT_FLOW, CommitmentStep.DELIVER, CommitmentStep.RESUME, CommitmentStep.FALL_BEHIND)
def commitment_progress(request, pk: int):
    visible_or_404(Commitment, request, pk)
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        return commitment_detail(request, pk, form=form, status=400)
    if not perform(request, lambda: commitments.report_progress(request.user, pk, **form.cleaned_data)):
        return commitment_detail(request, pk, form=form, status=400)
    return redirect("civic:commitment_detail", pk=pk)


@access(perm("civic.change_milestone"))
@require_POST
@offers(COMMITMENT_FLOW, CommitmentStep.RESUME)
def milestone_done(request, pk: int):
    milestone = visible_or_404(Milestone, request, pk)
    perform(request, lambda: commitments.complete_milestone(request.user, pk))
    return redirect("civic:commitment_detail", pk=milestone.commitment_id)


@access(PUBLIC)
def public_commitments(request):
    """What was promised and what was delivered: the year's 民生清单 for everyone, without logging in."""
    year = int_or_zero(request.GET.get("year")) or timezone.localdate().year
    rows = list(Commitment.objects.filter(year=year).select_related("unit").prefetch_related("milestones"))
    return render(request, "civic/public_commitments.html", {
        "year": year, "rows": [(c, CommitmentStatus(commitments.status(c))) for c in rows],
        "share": queries.delivered_share(Commitment.objects.filter(year=year))})


@access(perm("civic.view_casecategory"))
def categories(request):
    """字典管理 for cases: every 大类 with its 小类, their deadlines, usual unit and Open311 attributes."""
    mains = (CaseCategory.objects.visible_to(request.user).filter(parent=None)
             .prefetch_related(Prefetch("children", CaseCategory.objects.select_related("default_unit"))))
    return render(request, "civic/categories.html", {
        "mains": mains, "can_add": catalogue.may_edit(request.user, "civic.add_casecategory"),
        "can_edit": catalogue.may_edit(request.user, "civic.change_casecategory")})


@access(perm("civic.add_casecategory"))
class CategoryCreateView(ServiceFormView):
    model, form_class, title = CaseCategory, CategoryForm, gettext_lazy("New case category")
    create_service = catalogue.create_category


@access(perm("civic.change_casecategory"))
class CategoryEditView(ServiceFormView):
    model, form_class, title = CaseCategory, CategoryForm, gettext_lazy("Edit case category")
    update_service = catalogue.update_category


@access(perm("civic.add_campaignaction"))
class ActionCreateView(ServiceFormView):
    model, form_class, title = CampaignAction, ActionForm, gettext_lazy("New campaign action")
    create_service = catalogue.create_action


@access(perm("civic.change_campaignaction"))
class ActionEditView(ServiceFormView):
    model, form_class, title = CampaignAction, ActionForm, gettext_lazy("Edit campaign action")
    update_service = catalogue.update_action


@access(perm("civic.view_campaignaction"))
def action_board(request):
    """十项创城攻坚行动: each action's cases, put right, open and overdue, and its volunteer activities."""
    year = int_or_zero(request.GET.get("year")) or timezone.localdate().year
    visible = Case.objects.visible_to(request.user)
    return render(request, "civic/actions.html", {
        "year": year, "rows": queries.action_tallies(visible, year),
        "can_add": catalogue.may_edit(request.user, "civic.add_campaignaction"),
        "can_edit": catalogue.may_edit(request.user, "civic.change_campaignaction")})


@access(perm("civic.view_case"))
def case_map(request):
    """The command centre's map: cases as points (clustered) and a heat layer over the communities' outlines,
    filtered by category, status and period; a point opens its case. No map tiles from anywhere."""
    start, end = _span(request)
    return render(request, "civic/case_map.html", {
        "statuses": CaseStatus.choices, "status": request.GET.get("status", ""),
        "categories": CaseCategory.objects.filter(parent__isnull=True).order_by("code"),
        "category": request.GET.get("category", ""), "start": start.date(),
        "end": (end - timedelta(days=1)).date()})


@access(perm("civic.view_case"))
def case_map_data(request):
    """GeoJSON of the communities the user may see (for a grid inspector, her grid's), with the number of their
    cases in the period."""
    start, end = _span(request)
    shown = Case.objects.visible_to(request.user).filter(reported_at__gte=start, reported_at__lt=end)
    if request.GET.get("status") in CaseStatus.values:
        shown = shown.filter(status=request.GET["status"])
    if category := int_or_zero(request.GET.get("category")):
        shown = shown.filter(Q(category_id=category) | Q(category__parent_id=category))
    visible = Region.objects.visible_to(request.user)
    # A grid has no outline of its own: a grid inspector's map is drawn on her grid's community.
    data = queries.case_map(shown, Region.objects.filter(Q(pk__in=visible) | Q(children__in=visible)).distinct())
    data["points"] = queries.case_points(shown)  # a foreign member of the FeatureCollection
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
