"""Production-line pages: the operator's phone page reached by QR code, alarms, stops. Thin."""

from __future__ import annotations

import json
from collections.abc import Callable

import segno
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from wanghua.core import reference
from wanghua.core.access import can, has_perm_anywhere
from wanghua.core.editing import ServiceFormView, int_or_zero, perform
from wanghua.core.listing import Column, ScopedListView, attr
from wanghua.core.menu import link_for
from wanghua.core.models import User
from wanghua.core.rules import access, perm
from wanghua.core.transitions import offers

from . import live, queries, services
from .filters import AlarmEventFilter, CurrentAlarmFilter, StopFilter
from .forms import AlarmForm, LineForm, TagForm
from .models import (
    ALARM_FLOW,
    AlarmDefinition,
    AlarmEvent,
    AlarmState,
    AlarmStep,
    Equipment,
    LiveSnapshot,
    ProductionLine,
    Stop,
    Tag,
    device_state_label,
)

LIVE_FRAGMENT_SECONDS = 1


def _line(request, code: str) -> ProductionLine:
    """The line by its code, if the user may see it. Read plainly and checked with `can` rather than through
    `visible_to`'s subqueries: every phone on the line asks for this each second, and the scoped query cost it
    twice the plain one (the same rule either way: tests/core/test_access.py holds the two to each other)."""
    line = ProductionLine.objects.select_related("enterprise").filter(code=code).first()
    if line is None or not can(request.user, "view", line):
        raise Http404
    return line


def _equipment(line: ProductionLine, location: str | None) -> Equipment | None:
    return get_object_or_404(Equipment, line=line, location=location) if location else None


@access(perm("industry.view_productionline"))
class LinesView(ListView):
    """The lines the user may see, with their live status (the home's 生产线 count is this queryset's)."""

    template_name = "industry/lines.html"

    def get_queryset(self):
        return ProductionLine.objects.visible_to(self.request.user).select_related("enterprise")

    def get_context_data(self, **kwargs):
        visible = list(self.object_list)
        snapshots = {s.line_id: s for s in LiveSnapshot.objects.filter(line__in=visible)}
        alarms = dict(AlarmState.objects.visible_to(self.request.user).filter(line__in=visible)
                      .filter(queries.current_q(timezone.now())).values_list("line_id").annotate(n=Count("pk"))
                      .order_by())
        return super().get_context_data(
            lines=[(line, snapshots.get(line.pk), alarms.get(line.pk, 0)) for line in visible], **kwargs)


@access(perm("industry.view_productionline"))
def line_live(request, code: str, location: str | None = None):
    """The phone page: everything the operator needs about the line (or one piece of equipment)."""
    line = _line(request, code)
    equipment = _equipment(line, location)
    can_ack = has_perm_anywhere(request.user, "industry.add_alarmevent")
    if request.headers.get("HX-Request"):
        return HttpResponse(_live_fragment(request, line, equipment, can_ack))
    return render(request, "industry/line_live.html", {
        "view": live.line_view(request.user, line, equipment), "line": line, "equipment": equipment,
        "can_ack": can_ack, "alarm_causes": reference.choices(services.ALARM_CAUSES),
        "time_zone": settings.TIME_ZONE})


def _live_fragment(request, line: ProductionLine, equipment: Equipment | None, can_ack: bool) -> str:
    """The part every phone polls each second. Everyone who may see the line sees the same fragment (it
    holds no per-user token: its forms post through htmx), so it is rendered at most once a second per
    line and process, however many operators watch."""
    key = (f"industry:live:{line.pk}:{live.generation(line.pk)}:{equipment.pk if equipment else 0}:{int(can_ack)}:"
           f"{get_language()}")
    html = cache.get(key)
    if html is None:
        html = render_to_string("industry/_live.html", {
            "view": live.line_view(request.user, line, equipment), "line": line, "equipment": equipment,
            "can_ack": can_ack, "path": request.path, "alarm_causes": reference.choices(services.ALARM_CAUSES)})
        cache.set(key, html, LIVE_FRAGMENT_SECONDS)
    return html


@access(perm("industry.view_productionline"))
def line_sparklines(request, code: str, location: str | None = None):
    line = _line(request, code)
    return JsonResponse(live.sparklines(request.user, line, _equipment(line, location)))


@access(perm("industry.view_productionline"))
def qr_sheet(request, code: str):
    """A printable sheet: one QR code for the line and one per piece of equipment, to stick on the line."""
    line = _line(request, code)
    targets = [(line.name, "", request.build_absolute_uri(line.get_absolute_url()))]
    for equipment in line.equipment.all():
        url = request.build_absolute_uri(f"{line.get_absolute_url()}{equipment.location}/")
        targets.append((equipment.name, equipment.location, url))
    codes = [(name, location, url, segno.make(url, error="m").svg_inline(scale=4, border=2))
             for name, location, url in targets]
    return render(request, "industry/qr_sheet.html", {"line": line, "codes": codes})


@access(perm("industry.view_stop"))
def line_analysis(request, code: str):
    """Downtime Pareto, stops per crew and day, OEE per day and shift, alarm-system KPIs."""
    line = _line(request, code)
    days = int_or_zero(request.GET.get("days")) or 7
    if not 1 <= days <= 366:
        raise Http404
    since, until = queries.period_of(days)
    stops_kpis = queries.stop_kpis([line], since, until)
    unattributed = _("Location not given")
    pareto = [{"label": f"{r['location']} {r['name']}".strip() or unattributed, "hours": r["hours"],
               "cumulative_percent": r["cumulative_percent"]} for r in stops_kpis.pareto]
    return render(request, "industry/analysis.html", {
        "line": line, "days": days, "stops": stops_kpis, "pareto_json": json.dumps(pareto, ensure_ascii=False),
        "alarms": queries.alarm_kpis([line], since, until), "oee_days": queries.oee_per_day(line, min(days, 31)),
        "oee_shifts": queries.oee_per_shift(line), "period": (since, until),
        "unattributed_url": link_for(request.user, f"{reverse('industry:stops')}?line={line.pk}&unattributed=true")})


# --- alarms ----------------------------------------------------------------------------------------------

@access(perm("industry.view_alarmevent"))
class AlarmJournalView(ScopedListView):
    model = AlarmEvent
    filterset_class = AlarmEventFilter
    title = gettext_lazy("Alarm history")
    columns = [
        Column(gettext_lazy("Time"), attr("at")),
        Column(gettext_lazy("Production line"), attr("line.name")),
        Column(gettext_lazy("Location"), attr("equipment.name")),
        Column(gettext_lazy("Alarm"), attr("definition.message")),
        Column(gettext_lazy("Priority"), attr("priority")),
        Column(gettext_lazy("Event"), attr("kind")),
        Column(pgettext_lazy("measurement", "Value"), lambda event: device_state_label(event.value)),
        Column(gettext_lazy("Operator"), attr("user")),  # the person's name, not the login
        Column(gettext_lazy("Cause"), attr("cause")),
        Column(gettext_lazy("Action taken"), attr("action")),
        Column(gettext_lazy("Note"), attr("note")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("line", "equipment", "definition", "user")


def _alarm_state(state: AlarmState) -> str:
    return str(AlarmState.State(state.state_at(timezone.now())).label)


SHELF_MINUTES = [(30, pgettext_lazy("duration", "30 minutes")), (60, pgettext_lazy("duration", "1 hour")),
                 (120, pgettext_lazy("duration", "2 hours")), (240, pgettext_lazy("duration", "4 hours")),
                 (480, pgettext_lazy("duration", "8 hours")), (720, pgettext_lazy("duration", "12 hours"))]


@access(perm("industry.view_alarmstate"))
class CurrentAlarmsView(ScopedListView):
    """Every current alarm the user may see, across lines, newest first, as cards with the steps the user may
    take (acknowledge and register; shelve, suppress, out of service and back for production managers); with
    `set_aside`, the alarms shelved, suppressed or out of service instead. Printable and exportable."""

    model = AlarmState
    filterset_class = CurrentAlarmFilter
    template_name = "industry/alarm_list.html"
    title = gettext_lazy("Current alarms")
    columns = [
        Column(gettext_lazy("Since"), attr("active_since")),
        Column(gettext_lazy("Production line"), attr("line.name"), link=lambda s: s.line.get_absolute_url()),
        Column(gettext_lazy("Location"), attr("definition.tag.equipment.name")),
        Column(gettext_lazy("Alarm"), attr("definition.message")),
        Column(gettext_lazy("Priority"), attr("definition.priority")),
        Column(gettext_lazy("State"), _alarm_state),
        Column(pgettext_lazy("measurement", "Value at trip"), lambda state: device_state_label(state.trip_value or "")),
        Column(gettext_lazy("Shelved until"), attr("shelved_until")),
    ]

    def base_queryset(self):
        return queries.alarm_list(super().base_queryset(), self.request.GET.get("set_aside", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alarms = list(context["object_list"])
        context.update(
            alarms=[(alarm, _alarm_state(alarm), steps) for alarm, steps in zip(alarms, _steps(self.request.user,
                                                                                               alarms), strict=True)],
            can_ack=has_perm_anywhere(self.request.user, "industry.add_alarmevent"),
            can_manage=has_perm_anywhere(self.request.user, ALARM_FLOW.step(AlarmStep.SHELVE).permission),
            alarm_causes=reference.choices(services.ALARM_CAUSES), shelf_minutes=SHELF_MINUTES,
            set_aside=self.request.GET.get("set_aside", ""), set_aside_choices=queries.SetAside.CHOICES,
            next=self.request.get_full_path())
        return context


def _steps(user, alarms: list[AlarmState]) -> list[set[str]]:
    """Per alarm, the steps `user` may take on it now (ALARM_FLOW.available), the permission asked once per line
    and permission: an alarm's scope is its line's, so a page of 25 alarms costs no query per row."""
    allowed: dict[tuple[int, str], bool] = {}

    def may(alarm: AlarmState, permission: str) -> bool:
        key = (alarm.line_id, permission)
        if key not in allowed:
            allowed[key] = bool(permission) and can(user, permission, alarm)
        return allowed[key]

    return [{t.step for t in ALARM_FLOW.leaving(ALARM_FLOW.state_of(alarm)) if may(alarm, t.permission)}
            for alarm in alarms]


# The alarm's steps as the pages post them (`/industry/alarms/<pk>/<action>/`): action → the service taking it.
ALARM_ACTIONS: dict[str, Callable[[User, int, QueryDict], AlarmState | AlarmEvent]] = {
    "ack": lambda user, pk, post: services.acknowledge(user, pk, post.get("note", "")),
    "register": lambda user, pk, post: services.register(user, pk, cause=post.get("cause", ""),
                                                          action=post.get("action", ""),
                                                          detail=post.get("detail", "")),
    "shelve": lambda user, pk, post: services.shelve(user, pk, minutes=int_or_zero(post.get("minutes")),
                                                     note=post.get("note", "")),
    "unshelve": lambda user, pk, post: services.unshelve(user, pk),
    "suppress": lambda user, pk, post: services.suppress(user, pk, post.get("note", "")),
    "unsuppress": lambda user, pk, post: services.unsuppress(user, pk),
    "out-of-service": lambda user, pk, post: services.remove_from_service(user, pk, post.get("note", "")),
    "in-service": lambda user, pk, post: services.return_to_service(user, pk),
}


@offers(ALARM_FLOW, AlarmStep.ACKNOWLEDGE, AlarmStep.SHELVE, AlarmStep.UNSHELVE, AlarmStep.SUPPRESS,
        AlarmStep.UNSUPPRESS, AlarmStep.REMOVE_FROM_SERVICE, AlarmStep.RETURN_TO_SERVICE)
@access(perm("industry.add_alarmevent"))
@require_POST
def alarm_action(request, pk: int, action: str):
    """One step on an alarm; from the phone page (htmx) a line of feedback beside the alarm, else back."""
    if action not in ALARM_ACTIONS:
        raise Http404
    try:
        state = ALARM_ACTIONS[action](request.user, pk, request.POST)
    except AlarmDefinition.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        feedback, ok = "; ".join(exc.messages), False
    else:
        feedback, ok = _("Saved."), True
        live.changed(state.line_id)
    if request.headers.get("HX-Request"):  # the phone page: a line of feedback, and the live part re-read now
        response = HttpResponse(f'<span class="{"text-success" if ok else "text-danger"}">{escape(feedback)}</span>')
        response["HX-Trigger-After-Swap"] = "live-changed"
        return response
    (messages.success if ok else messages.error)(request, feedback)
    return redirect(_back(request))


def _back(request) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/industry/") else "/industry/"


# --- stops -------------------------------------------------------------------------------------------------

@access(perm("industry.view_stop"))
class StopListView(ScopedListView):
    """The stops as cards; who may give a stop its reason does so on its card: a reason from the 停机原因
    dictionary, a detail, and where it was caused (equipment of the line, which the Pareto groups by)."""

    model = Stop
    filterset_class = StopFilter
    template_name = "industry/stop_list.html"
    title = gettext_lazy("Stops")
    columns = [
        Column(gettext_lazy("Started"), attr("started_at")),
        Column(gettext_lazy("Ended"), attr("ended_at")),
        Column(gettext_lazy("Minutes"), lambda s: round(s.seconds / 60, 1) if s.seconds is not None else ""),
        Column(gettext_lazy("Production line"), attr("line.name")),
        Column(gettext_lazy("Kind"), attr("kind")),
        Column(gettext_lazy("Planned stop"), attr("planned")),
        Column(gettext_lazy("Cause location"), attr("location.name")),
        Column(gettext_lazy("Reason"), attr("reason")),
        Column(gettext_lazy("reason given by"), attr("reason_by")),
    ]

    def base_queryset(self):
        return (super().base_queryset().select_related("line", "location", "reason_by")
                .prefetch_related("line__equipment"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(can_change=has_perm_anywhere(self.request.user, "industry.change_stop"),
                       stop_reasons=reference.choices(services.STOP_REASONS), next=self.request.get_full_path())
        return context


@access(perm("industry.change_stop"))
@require_POST
def stop_reason(request, pk: int):
    post = request.POST

    def give():
        stop = services.give_stop_reason(request.user, pk, post.get("reason", ""), location=post.get("location"),
                                         detail=post.get("detail", ""), planned=post.get("planned") == "on")
        live.changed(stop.line_id)

    perform(request, give)
    return redirect(_back(request))


# --- definitions (plant production managers) ------------------------------------------------------------

@access(perm("industry.view_tag"))
def line_setup(request, code: str):
    """The line's equipment, tags with their valid ranges and alarm definitions; edit links for those who may."""
    line = _line(request, code)
    tags = (Tag.objects.visible_to(request.user).filter(line=line).select_related("equipment")
            .prefetch_related("alarms"))
    return render(request, "industry/setup.html", {
        "line": line, "tags": tags, "equipment": line.equipment.all(),
        "can_edit_line": can(request.user, "change", line),
        "can_edit_tags": has_perm_anywhere(request.user, "industry.change_tag"),
        "can_edit_alarms": has_perm_anywhere(request.user, "industry.change_alarmdefinition")})


@access(perm("industry.change_productionline"))
class LineEditView(ServiceFormView):
    model, form_class, title = ProductionLine, LineForm, gettext_lazy("Line settings")
    update_service = services.update_line


@access(perm("industry.change_tag"))
class TagEditView(ServiceFormView):
    model, form_class, title = Tag, TagForm, gettext_lazy("Edit tag")
    update_service = services.update_tag


@access(perm("industry.add_alarmdefinition"))
class AlarmCreateView(ServiceFormView):
    model, form_class, title = AlarmDefinition, AlarmForm, gettext_lazy("New alarm")
    create_service = services.define_alarm


@access(perm("industry.change_alarmdefinition"))
class AlarmEditView(ServiceFormView):
    model, form_class, title = AlarmDefinition, AlarmForm, gettext_lazy("Edit alarm")
    update_service = services.update_alarm
