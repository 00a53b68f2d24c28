"""Proxy-service pages: the agent's phone page, errand steps, residents and stations. Thin: services decide."""

from __future__ import annotations

from datetime import date, timedelta
from typing import overload
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wanghua.core.access import can, has_perm_anywhere
from wanghua.core.boundary import query_date, sane_date
from wanghua.core.editing import (
    PhotoView,
    ServiceFormView,
    StepView,
    int_or_zero,
    reveal_response,
    style_form,
    visible_or_404,
)
from wanghua.core.exports import xlsx_response
from wanghua.core.listing import Column, DictionaryLabel, ScopedListView, attr, detail_link
from wanghua.core.localtime import within_day
from wanghua.core.reference import choices
from wanghua.core.rules import access, perm
from wanghua.org.models import Person, Region, RegionLevel

from . import diary as diary_service
from . import queries, services
from .filters import ErrandFilter, ResidentFilter, StationFilter
from .forms import ErrandForm, LedgerForm, QuickResidentForm, ResidentForm, StationForm
from .models import (
    ERRAND_FLOW,
    OPEN_STATUSES,
    DiaryNote,
    Errand,
    ErrandAttachment,
    ErrandStatus,
    ErrandStep,
    LedgerEntry,
    Resident,
    Station,
)


def _messages_of(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


@access(perm("services.view_errand"))
def today(request):
    """The agent's phone page: open errands first (overdue on top), then today's closed ones."""
    visible = Errand.objects.visible_to(request.user, "view").select_related("resident", "station__unit")
    mine = visible.filter(agent__user=request.user)
    base = mine if mine.exists() else visible
    now = timezone.now()
    open_errands = sorted(base.filter(status__in=OPEN_STATUSES)[:100], key=lambda e: (not e.overdue, e.due_at))
    closed_today = base.filter(**within_day("done_at", timezone.localdate()))[:50]
    return render(request, "services/today.html", {
        "open_errands": open_errands, "closed_today": closed_today, "now": now,
        "categories": dict(choices(services.ERRAND_CATEGORIES)),
        "can_add": has_perm_anywhere(request.user, "services.add_errand")})


@access(perm("services.add_errand"))
class ErrandCreateView(ServiceFormView):
    """受理: the intake form; the service decides (category, station open, due time in the future)."""

    model, form_class, title = Errand, ErrandForm, gettext_lazy("New errand")
    template_name = "services/errand_form.html"
    create_service = services.accept_errand
    saved_message = gettext_lazy("Errand accepted.")

    def form_kwargs(self, obj) -> dict:
        return {"user": self.request.user}

    def render_form(self, form, obj, status=200, quick_form=None):
        """The intake with its resident search (`who`: a name or phone fragment) and the quick-add form."""
        who = self.request.GET.get("who", "").strip()[:50]
        found = None
        if who:
            search = ResidentFilter({"q": who}, queryset=Resident.objects.visible_to(self.request.user, "view"),
                                    request=self.request)
            found = list(search.qs.select_related("station__unit")[:RESIDENT_MATCHES])
        chosen = int_or_zero(form["resident"].value())
        if found is not None or chosen:  # the choice offers the matches and the one chosen, not the whole station
            form.fields["resident"].queryset = form.fields["resident"].queryset.filter(
                Q(pk__in=[r.pk for r in found or ()]) | Q(pk=chosen))
        can_register = has_perm_anywhere(self.request.user, "services.add_resident")
        if quick_form is None and can_register:
            quick_form = QuickResidentForm(user=self.request.user, initial={"name": who if who and not found else ""})
        if quick_form is not None:
            style_form(quick_form)
        return render(self.request, self.template_name, {
            "form": form, "title": self.title, "who": who, "found": found, "quick_form": quick_form,
            "quick_open": quick_form is not None and (quick_form.is_bound or (who and not found))}, status=status)


RESIDENT_MATCHES = 20


@access(perm("services.add_resident"))
@require_POST
def intake_resident(request):
    """新居民 from the intake: registered at the station, then the intake again with them chosen."""
    quick_form = QuickResidentForm(request.POST, user=request.user)
    if quick_form.is_valid():
        try:
            resident = services.register_resident(request.user, **quick_form.cleaned_data)
        except ValidationError as exc:
            errors = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
            for field, messages_ in errors:
                quick_form.add_error(field if field in quick_form.fields else None, messages_)
        else:
            messages.success(request, _("%(name)s is registered; now take the errand.") % {"name": resident.name})
            return redirect(f"{reverse('services:errand_create')}?resident={resident.pk}")
    view = ErrandCreateView()
    view.setup(request)
    return view.render_form(view.make_form(None), None, status=400, quick_form=quick_form)


@access(perm("services.view_errand"))
def errand_detail(request, pk: int, *, error: str = "", ledger_form=None, status: int = 200):
    errand = visible_or_404(Errand, request, pk)
    ledger_form = ledger_form or LedgerForm()
    style_form(ledger_form)
    return render(request, "services/errand_detail.html", {
        "errand": errand, "balance": errand.balance(),
        "ledger": errand.ledger.select_related("recorded_by", "voided_by").prefetch_related("photos"),
        "receipt_lines": errand.ledger.filter(voids__isnull=True, voided_by__isnull=True),
        "can_change": can(request.user, "change", errand), "ledger_form": ledger_form, "error": error,
        "category": dict(choices(services.ERRAND_CATEGORIES)).get(errand.category, errand.category),
        "is_open": errand.status in OPEN_STATUSES, "satisfaction_range": range(1, 6),
        "photos": errand.attachments.select_related("ledger_entry")}, status=status)


@access(perm("services.change_errand"))
class ErrandStepView(StepView):
    """POST errands/<pk>/<step>/: one step of the errand table; a refusal shows the errand with its reason."""

    machine = ERRAND_FLOW
    redirect_to = "services:errand_detail"
    steps = {
        ErrandStep.START: lambda user, pk, request: services.start_errand(user, pk),
        ErrandStep.COMPLETE: lambda user, pk, request: services.complete_errand(
            user, pk, outcome=request.POST.get("outcome", "")),
        ErrandStep.VISIT: lambda user, pk, request: services.record_visit(
            user, pk, satisfaction=int_or_zero(request.POST.get("satisfaction")),
            comment=request.POST.get("comment", "")),
        ErrandStep.CANCEL: lambda user, pk, request: services.cancel_errand(
            user, pk, reason=request.POST.get("reason", "")),
        ErrandStep.RETURN: lambda user, pk, request: services.return_errand(
            user, pk, reason=request.POST.get("reason", "")),
    }

    def refused(self, request, pk: int):
        """The errand page again, status 400, with the refusal where the agent looks (not as a banner)."""
        refusals = [str(m) for m in messages.get_messages(request) if m.level == messages.ERROR]
        return errand_detail(request, pk, error="; ".join(refusals), status=400)


@access(perm("services.add_ledgerentry"))
@require_POST
def ledger_add(request, pk: int):
    form = LedgerForm(request.POST, request.FILES)
    if not form.is_valid():
        return errand_detail(request, pk, ledger_form=form, status=400)
    try:
        services.record_money(request.user, pk, **form.cleaned_data)
    except Errand.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return errand_detail(request, pk, error=_messages_of(exc), ledger_form=form, status=400)
    messages.success(request, _("Recorded."))
    return redirect("services:errand_detail", pk=pk)


@access(perm("services.add_ledgerentry"))
@require_POST
def ledger_void(request, pk: int, entry_id: int):
    """作废 a wrong line: a compensating line with the reason; a refusal shows the errand with it."""
    if not LedgerEntry.objects.visible_to(request.user, "view").filter(pk=entry_id, errand_id=pk).exists():
        raise Http404
    try:
        services.void_money(request.user, entry_id, reason=request.POST.get("reason", ""))
    except (Errand.DoesNotExist, LedgerEntry.DoesNotExist) as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return errand_detail(request, pk, error=_messages_of(exc), status=400)
    messages.success(request, _("The line is voided."))
    return redirect("services:errand_detail", pk=pk)


@access(perm("services.view_errand"))
class ErrandListView(ScopedListView):
    model = Errand
    filterset_class = ErrandFilter
    title = gettext_lazy("Errands")
    create_url = "services:errand_create"
    columns = [
        Column(gettext_lazy("Accepted"), attr("accepted_at"), link=detail_link),
        Column(gettext_lazy("Resident"), attr("resident.name")),
        Column(gettext_lazy("Category"), DictionaryLabel("category", services.ERRAND_CATEGORIES)),
        Column(gettext_lazy("Description"), attr("description")),
        Column(gettext_lazy("Station"), attr("station.unit.name")),
        Column(gettext_lazy("Agent"), attr("agent.name")),
        Column(gettext_lazy("Status"), attr("status")),
        Column(gettext_lazy("Due"), attr("due_at")),
        Column(gettext_lazy("Overdue"), attr("overdue")),
        Column(gettext_lazy("Satisfaction"), attr("satisfaction")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("resident", "station__unit", "agent")


@access(perm("services.view_resident"))
class ResidentListView(ScopedListView):
    model = Resident
    filterset_class = ResidentFilter
    title = gettext_lazy("Residents")
    create_url = "services:resident_create"
    columns = [
        Column(gettext_lazy("Name"), attr("name"), link=detail_link),
        Column(gettext_lazy("ID number"), attr("id_number_masked")),
        Column(gettext_lazy("Phone"), attr("phone_masked")),
        Column(gettext_lazy("Age"), attr("age")),
        Column(gettext_lazy("Empty-nest"), attr("empty_nest")),
        Column(gettext_lazy("Living alone"), attr("living_alone")),
        Column(gettext_lazy("Station"), attr("station.unit.name")),
        Column(gettext_lazy("Community"), attr("community.name")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("station__unit", "community")


@access(perm("services.view_resident"))
def resident_detail(request, pk: int):
    resident = visible_or_404(Resident, request, pk)
    return render(request, "services/resident_detail.html", {
        "resident": resident, "can_reveal": can(request.user, "reveal", resident),
        "errands": Errand.objects.visible_to(request.user, "view").filter(resident=resident)[:200]})


@access(perm("services.reveal_resident"))
@require_POST
def resident_reveal(request, pk: int, field: str):
    return reveal_response(request, Resident, pk, field)


@access(perm("services.add_resident"))
class ResidentCreateView(ServiceFormView):
    model, form_class, title = Resident, ResidentForm, gettext_lazy("Register a resident")
    create_service = services.register_resident

    def form_kwargs(self, obj):
        return {"user": self.request.user}


@access(perm("services.view_station"))
class StationListView(ScopedListView):
    model = Station
    filterset_class = StationFilter
    title = gettext_lazy("Proxy service stations")
    create_url = "services:station_create"
    columns = [
        Column(gettext_lazy("Station"), attr("unit.name"), link=detail_link),
        Column(gettext_lazy("Community"), attr("community.name")),
        Column(gettext_lazy("Host household"), attr("host_household")),
        Column(gettext_lazy("Service hours"), attr("service_hours")),
        Column(gettext_lazy("Phone"), attr("phone")),
        Column(gettext_lazy("Active"), attr("active")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("unit", "community")


@access(perm("services.view_station"))
def station_detail(request, pk: int):
    station = visible_or_404(Station, request, pk)
    errands = Errand.objects.visible_to(request.user, "view").filter(station=station)
    return render(request, "services/station_detail.html", {
        "station": station, "agents": station.agents.all(),
        "residents": Resident.objects.visible_to(request.user, "view").filter(station=station).count(),
        "open_errands": errands.filter(status__in=OPEN_STATUSES).count(),
        "done_errands": errands.filter(status__in=(ErrandStatus.DONE, ErrandStatus.VISITED)).count(),
        "can_change": can(request.user, "change", station)})




# --- work diary (工作日记) ---------------------------------------------------------------------------

@overload
def _diary_agent(request: HttpRequest, agent_id: int) -> Person: ...
@overload
def _diary_agent(request: HttpRequest, agent_id: None) -> Person | None: ...
def _diary_agent(request: HttpRequest, agent_id: int | None) -> Person | None:
    """Your own diary (None when you are nobody's agent), or that of an agent of a station you may see."""
    if agent_id is None:
        return Person.objects.filter(user=request.user, stations__isnull=False).first()  # type: ignore[misc]  # behind login
    agent = Person.objects.filter(pk=agent_id, stations__in=Station.objects.visible_to(request.user, "view")).first()
    if agent is None:
        raise Http404
    return agent


def _parse_day(value: str | None) -> date:
    return query_date(value, timezone.localdate())  # a real day within 1900–2100, else 400


@access(perm("services.view_errand"))
def diary(request):
    """An agent's work diary for one day. Someone who is not an agent (a street, a leader) picks the agent
    from those of the stations they may see."""
    agent = _diary_agent(request, int_or_zero(request.GET.get("agent")) or None)
    day = _parse_day(request.GET.get("day"))
    own = agent is not None and agent.user_id == request.user.pk
    context = {"agent": agent, "day": day, "error": "", "previous": day - timedelta(days=1),
               "next": day + timedelta(days=1),
               "agents": None if own else queries.diary_agents(request.user)}
    if agent is None:
        if request.method == "POST":
            raise Http404  # no diary chosen to write in
        return render(request, "services/diary.html", context)
    status = 200
    station = agent.stations.first()
    if request.method == "POST":
        try:
            services.write_diary_note(request.user, station, agent, day, request.POST.get("text", ""))
        except ValidationError as exc:
            status, context["error"] = 400, _messages_of(exc)
        else:
            return redirect(f"{request.path}?agent={agent.pk}&day={day.isoformat()}")
    context.update(page=diary_service.compile_day(request.user, agent, day),
                   can_write=can(request.user, "add", DiaryNote(station=station, agent=agent)))
    return render(request, "services/diary.html", context, status=status)


@access(perm("services.view_errand"))
def diary_pdf(request, agent_id: int, year: int, month: int, day: int | None = None):
    agent = _diary_agent(request, agent_id)
    first = sane_date(year, month, day or 1)  # a real day (or month) within 1900–2100, else 400
    pages = ([diary_service.compile_day(request.user, agent, first)] if day
             else diary_service.month_pages(request.user, agent, year, month))
    totals = None if day else diary_service.month_totals(request.user, agent, year, month, pages)
    name = f"{agent.name}-工作日记-{year}{month:02d}{f'{day:02d}' if day else ''}.pdf"
    response = HttpResponse(diary_service.render_pdf(pages, totals), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return response


@access(perm("services.export_diarynote"))
def diary_xlsx(request, agent_id: int, year: int, month: int | None = None):
    """A month (or a year) of diary lines as a spreadsheet: agents export their own diary (export_diarynote),
    those above them the diaries of the stations they see."""
    agent = _diary_agent(request, agent_id)
    sane_date(year, month or 1)  # a real month within 1900–2100, else 400
    months = [month] if month else range(1, 13)
    rows = []
    for number in months:
        for page in diary_service.month_pages(request.user, agent, year, number):
            rows += [(page.day, line.time, line.resident, line.item, line.result, line.money) for line in page.lines]
            rows += [(page.day, "", "", note, "", "") for note in page.notes]
    headers = [_("Day"), _("Time"), _("Resident"), _("Errand"), _("Result"), _("Money")]
    period = f"{year}{month:02d}" if month else str(year)
    return xlsx_response(f"{agent.name}-工作日记-{period}", headers, rows, title=_("Work diary"))


# --- statistics -------------------------------------------------------------------------------------

def _statistics_scope(request):
    year = int_or_zero(request.GET.get("year")) or None
    if year is not None and not 2000 <= year <= 2100:
        raise Http404
    region = None
    if request.GET.get("region"):
        region = Region.objects.visible_to(request.user, "view").filter(pk=int_or_zero(request.GET["region"])).first()
        if region is None:
            raise Http404
    return year, region


@access(perm("services.view_errand"))
def statistics_page(request):
    year, region = _statistics_scope(request)
    qs = queries.scoped_tallies(request.user, year, region)
    return render(request, "services/statistics.html", {
        "summary": queries.summary(qs), "year": year, "region": region,
        "years": range(timezone.localdate().year, timezone.localdate().year - 8, -1),
        "regions": Region.objects.visible_to(request.user, "view").exclude(level=RegionLevel.GRID)
        .order_by("path")[:200], "query": request.GET.urlencode()})


@access(perm("services.view_errand"))
def statistics_data(request, by: str):
    if by not in queries.DIMENSIONS:
        raise Http404
    year, region = _statistics_scope(request)
    data = queries.breakdown(queries.scoped_tallies(request.user, year, region), by)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


# --- coverage and cash reports ------------------------------------------------------------------------

@access(perm("services.view_station"))
class CoverageView(ScopedListView):
    """Every village/community with its active stations; those without one are flagged."""

    model = Region
    title = gettext_lazy("Station coverage")
    template_name = "services/coverage.html"
    paginate_by = 100
    columns = [
        Column(gettext_lazy("Town/street"), attr("parent.name")),
        Column(gettext_lazy("Village/community"), attr("name")),
        Column(gettext_lazy("Active stations"), attr("active_stations")),
        Column(gettext_lazy("Covered"), lambda r: r.active_stations > 0),
    ]

    def base_queryset(self):
        return queries.communities_with_stations(self.request.user)

    def export(self):
        if not has_perm_anywhere(self.request.user, "services.export_station"):
            raise PermissionDenied
        rows = ([column.value(r) for column in self.columns] for r in self.base_queryset())
        return xlsx_response(str(self.title), [str(c.label) for c in self.columns], rows, title=str(self.title))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(**queries.coverage(self.base_queryset()),
                       can_export=has_perm_anywhere(self.request.user, "services.export_station"))
        return context


@access(perm("services.view_ledgerentry"))
def cash_report(request):
    """Money handled per station and day (or month): received, paid out, returned, still held."""
    by_month = request.GET.get("by") == "month"
    year = int_or_zero(request.GET.get("year")) or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise Http404
    rows = queries.cash_rows(request.user, year, by_month)
    if request.GET.get("format") == "xlsx":
        if not has_perm_anywhere(request.user, "services.export_ledgerentry"):
            raise PermissionDenied
        headers = [_("Period"), _("Station"), _("Received"), _("Paid out"), _("Returned"), _("Held")]
        return xlsx_response(f"代办站钱款报表-{year}", headers,
                             ([r["period"], r["station"], r["received"], r["paid"], r["returned"], r["held"]]
                              for r in rows), title=_("Cash report"))
    return render(request, "services/cash_report.html", {
        "rows": rows[:500], "year": year, "by_month": by_month,
        "years": range(timezone.localdate().year, timezone.localdate().year - 8, -1),
        "can_export": has_perm_anywhere(request.user, "services.export_ledgerentry")})


# --- photos ---------------------------------------------------------------------------------------------

@access(perm("services.add_errandattachment"))
@require_POST
def photo_upload(request, pk: int):
    upload = request.FILES.get("image")
    if upload is None:
        return errand_detail(request, pk, error=_("Choose a photo to upload."), status=400)
    line = None
    if request.POST.get("ledger_entry"):
        line = LedgerEntry.objects.visible_to(request.user, "view").filter(
            pk=int_or_zero(request.POST["ledger_entry"]), errand_id=pk).first()
        if line is None:
            return errand_detail(request, pk, error=_("Choose a line of this errand's ledger."), status=400)
    try:
        services.attach_photo(request.user, pk, upload, request.POST.get("caption", ""), ledger_entry=line)
    except Errand.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return errand_detail(request, pk, error=_messages_of(exc), status=400)
    messages.success(request, _("The photo is attached."))
    return redirect("services:errand_detail", pk=pk)


# Photos are served through the same access rules as their errand, never as open media files.
photo = access(perm("services.view_errandattachment"))(PhotoView.as_view(model=ErrandAttachment))


class StationFormView(ServiceFormView):
    """Open a station, or change its hours, phone, address, agents and whether it is active."""

    model, form_class = Station, StationForm
    create_service = services.open_station
    update_service = services.update_station

    def form_kwargs(self, obj):
        return {"user": self.request.user}


@access(perm("services.add_station"))
class StationCreateView(StationFormView):
    title = gettext_lazy("Open a station")


@access(perm("services.change_station"))
class StationUpdateView(StationFormView):
    title = gettext_lazy("Edit station")


@access(perm("services.view_station"))
def station_map(request):
    """党员家庭代办站 on the district's outline: where each station is, by town/street."""
    return render(request, "core/point_map.html", {
        "title": _("Station map"), "data_url": reverse("services:station_map_data"), "colour_by": "street",
        "unit": _("station(s)")})


@access(perm("services.view_station"))
def station_map_data(request):
    return JsonResponse(queries.station_map(request.user), json_dumps_params={"ensure_ascii": False})
