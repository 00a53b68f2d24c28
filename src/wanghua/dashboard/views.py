"""The boards: thin views over `queries` (reading stored values) and `services` (what people enter, refreshes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanghua.core import indicators, reference
from wanghua.core.access import has_perm_anywhere
from wanghua.core.editing import ServiceFormView, int_or_zero, perform, style_form
from wanghua.core.exports import xlsx_response
from wanghua.core.menu import link_for, quick_actions, todos_for
from wanghua.core.mine import keeps_own_records, mine_for
from wanghua.core.rules import LOGIN, access, perm
from wanghua.org.models import Region, RegionLevel, Zone

from . import queries, refresh, report, services
from .filters import ExternalStatisticFilter, RefreshRunFilter
from .forms import StatisticForm
from .models import ExternalStatistic, IndicatorTarget, RefreshRun


def _months(scope) -> list[date]:
    if scope is None:
        return []
    return list(queries.stored(scope).order_by("-period")
                .values_list("period", flat=True).distinct()[:36])


def _streets(user, scope):
    """The towns/streets a district-wide viewer may switch the board to."""
    if scope is None or scope.unit is not None:
        return []
    streets = (Region.objects.visible_to(user, "view").filter(level=RegionLevel.STREET).order_by("code")
               .only("pk", "name", "path"))
    return list(streets.filter(path__startswith=scope.region.path) if scope.region else streets)


@access(LOGIN)
def home(request):
    """一核一带三区 overview: the user's shortcuts and the notices, then — for those with a board — a card per zone
    from the stored values, and the district map by zone."""
    scope = queries.board_scope(request.user)
    return render(request, "dashboard/home.html", {
        "scope": scope, "generation": refresh.generation(), "links_key": queries.links_key(request.user),
        "shortcuts": quick_actions(request.user), "todos": todos_for(request),
        "sees_zones": has_perm_anywhere(request.user, "org.view_zone"),
        # Called only when the cached cards have to be rendered again.
        "cards": lambda: queries.zone_cards(request.user, scope),
        "period": queries.latest_period(scope) if scope else None,
        "notices": reference.notices_for(request.user),
        # a resident's home is 我的: their errands, reports and volunteer hours
        "mine": mine_for(request.user) if keeps_own_records(request.user) else []})


@access(LOGIN)
def home_chart(request):
    return JsonResponse(queries.communities_per_street(request.user), json_dumps_params={"ensure_ascii": False})


@access(LOGIN)
def district_map(request):
    return JsonResponse(queries.district_map(request.user), json_dumps_params={"ensure_ascii": False})


@access(perm("org.view_zone"))
def zone(request, code: str):
    zone = get_object_or_404(Zone.objects.visible_to(request.user, "view"), code=code)
    cards = [c for c in queries.zone_cards(request.user) if c.zone.pk == zone.pk]
    return render(request, "dashboard/zone.html", {
        "zone": zone, "card": cards[0] if cards else None,
        "regions_url": link_for(request.user, f"{reverse('org:regions')}?zone={zone.pk}"),
        "units_url": link_for(request.user, f"{reverse('org:units')}?zone={zone.pk}")})


@access(LOGIN)
def goals(request):
    """六望花 board: each goal's indicators for the viewer's scope and month, against their targets."""
    scope = queries.scope_for(request.user, request.GET.get("scope"))
    period = queries.latest_period(scope, queries.month_of(request.GET.get("month"))) if scope else None
    if request.GET.get("format") == "xlsx" and scope is not None:
        return _board_xlsx(scope, period)
    return render(request, "dashboard/goals.html", {
        "scope": scope, "period": period, "months": _months(scope), "streets": _streets(request.user, scope),
        "district_name": queries.district_name(),
        "generation": refresh.generation(), "links_key": queries.links_key(request.user),
        # Called only when the cached fragment has to be rendered again.
        "board": lambda: queries.goal_board(scope, period) if scope else [],
        "headlines": lambda: queries.headline_figures(scope, period.year) if scope and period else [],
        "can_set_targets": has_perm_anywhere(request.user, "dashboard.change_indicatortarget"),
        "can_refresh": has_perm_anywhere(request.user, "dashboard.refresh_indicators")})


def _board_xlsx(scope, period) -> HttpResponse:
    headers = [_("goal"), _("indicator"), _("value"), _("unit"), _("target"), _("expected by now"), _("status")]
    rows = [[str(goal.goal.label), str(r.indicator.name), r.value, str(r.indicator.unit), r.target, r.expected,
             r.status] for goal in queries.goal_board(scope, period) for r in goal.rows]
    label = f"{queries.scope_label(scope)} {period:%Y-%m}" if period else ""
    return xlsx_response(_("six goals"), headers, rows, title=label)


SCREEN_CACHE_SECONDS = 10  # a command hall polls every 30 s; the lines' snapshot may be ten seconds old


def _screen_data(scope) -> dict:
    """The big screen's JSON, shared by every screen of the same scope for a few seconds."""
    if scope is None:
        return queries.screen_data(None)
    # The lines' live snapshot is shown to those who may see the lines: they share one copy, the others another.
    sees_lines = has_perm_anywhere(scope.viewer, "industry.view_livesnapshot") if scope.viewer else True
    key = f"dashboard:screen:{scope.key}:{sees_lines}:{refresh.generation()}:{get_language()}"
    return cache.get_or_set(key, lambda: queries.screen_data(scope), SCREEN_CACHE_SECONDS)  # type: ignore[return-value]  # what it set


@access(LOGIN)
def screen(request):
    """数据大屏: 1920×1080 for the command hall, rotating its panels and polling for new values."""
    scope = queries.board_scope(request.user)
    # A control room may slow the rotation or the polling down (never below two seconds).
    rotate = max(2, int_or_zero(request.GET.get("rotate")) or 12)
    poll = max(2, int_or_zero(request.GET.get("poll")) or 30)
    return render(request, "dashboard/screen.html", {"scope": scope, "data": _screen_data(scope),
                                                     "rotate": rotate, "poll": poll})


@access(LOGIN)
def screen_data(request):
    scope = queries.board_scope(request.user)
    return JsonResponse(_screen_data(scope), json_dumps_params={"ensure_ascii": False})


@access(LOGIN)
def monthly_report(request):
    """The month's figures as a printable PDF with its charts."""
    scope = queries.scope_for(request.user, request.GET.get("scope"))
    period = queries.latest_period(scope, queries.month_of(request.GET.get("month"))) if scope else None
    if period is None:
        messages.error(request, _("No stored figures for that month yet."))
        return redirect("dashboard:goals")
    pdf = report.monthly_pdf(scope, period)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="wanghua-{period:%Y-%m}.pdf"'
    return response


@access(perm("dashboard.view_indicatortarget"))
def targets(request):
    """The year's targets of the district or of one town/street, one field per indicator; people who may set
    them save the form."""
    year = int_or_zero(request.GET.get("year") or request.POST.get("year")) or timezone.localdate().year
    streets = _streets(request.user, queries.board_scope(request.user))
    region_id = int_or_zero(request.GET.get("region") or request.POST.get("region"))
    region = next((s for s in streets if s.pk == region_id), None)
    current = dict(IndicatorTarget.objects.visible_to(request.user, "view")
                   .filter(year=year, region=region).values_list("key", "value"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = _posted_targets(request.POST)
        if not errors and perform(request, lambda: services.set_targets(request.user, year, values, region=region)):
            return redirect(f"{request.path}?year={year}" + (f"&region={region.pk}" if region else ""))
        current = {key: request.POST.get(f"target-{key}", "") for key in indicators.REGISTRY}  # as typed
    rows = [(i, current.get(i.key), errors.get(i.key)) for i in indicators.REGISTRY.values()]
    if request.GET.get("format") == "xlsx":
        place = region.name if region else queries.district_name()
        return xlsx_response(_("Indicator targets"), [_("goal"), _("indicator"), _("unit"), _("target")],
                             [[str(i.goal.label), str(i.name), str(i.unit), value] for i, value, _e in rows
                              if value is not None], title=f"{year} {place}")
    return render(request, "dashboard/targets.html", {
        "year": year, "rows": rows, "region": region, "streets": streets,
        "district_name": queries.district_name(),
        "can_edit": has_perm_anywhere(request.user, "dashboard.change_indicatortarget")},
        status=400 if errors else 200)


def _posted_targets(post) -> tuple[dict[str, Decimal | None], dict[str, str]]:
    values, errors = {}, {}
    for key in indicators.REGISTRY:
        text = post.get(f"target-{key}", "").strip()
        try:
            values[key] = Decimal(text) if text else None
        except InvalidOperation:
            errors[key] = _("Enter a number.")
    return values, errors


@access(perm("dashboard.view_externalstatistic"))
def statistics(request):
    rows = ExternalStatistic.objects.visible_to(request.user, "view").select_related("entered_by")
    found = ExternalStatisticFilter(request.GET or None, queryset=rows, request=request)
    style_form(found.form)
    rows = found.qs if found.is_valid() else rows.none()
    if request.GET.get("format") == "xlsx":
        return xlsx_response(_("external statistics"), [
            _("code"), _("name"), _("month"), _("value"), _("unit"), _("source"), _("published on")],
            [[s.key, s.name, f"{s.period:%Y-%m}", s.value, s.unit, s.source, s.published_on] for s in rows])
    return render(request, "dashboard/statistics.html", {
        "rows": rows, "filter": found, "can_add": has_perm_anywhere(request.user, "dashboard.add_externalstatistic")})


@access(perm("dashboard.add_externalstatistic"))
class StatisticCreateView(ServiceFormView):
    model, form_class, title = ExternalStatistic, StatisticForm, gettext_lazy("New external statistic")
    create_service = services.add_statistic


@access(perm("dashboard.view_refreshrun"))
def refreshes(request):
    """The refresh runs, newest first (the scheduled job's log), and the button for a refresh now."""
    found = RefreshRunFilter(request.GET or None, queryset=RefreshRun.objects.select_related("requested_by"),
                             request=request)
    style_form(found.form)
    return render(request, "dashboard/refreshes.html", {
        "runs": (found.qs if found.is_valid() else RefreshRun.objects.none())[:50], "filter": found,
        "can_refresh": has_perm_anywhere(request.user, "dashboard.refresh_indicators")})


@access(perm("dashboard.refresh_indicators"))
@require_POST
def refresh_now(request):
    if perform(request, lambda: services.refresh_indicators(request.user)):
        messages.success(request, _("The indicators were refreshed."))
    return redirect("dashboard:refreshes")
