"""System pages: login, password, API tokens, audit trail, login log, online users, error pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from . import reference, services
from .access import has_perm_anywhere, perm_code
from .audit_display import prime_linked_names
from .devices import describe
from .editing import ServiceFormView, style_form
from .filters import AuditFilter, JobRunFilter, LoginFilter
from .forms import NoticeForm
from .listing import Column, ScopedListView, attr
from .models import ApiToken, AuditEntry, DictItem, DictType, JobRun, LoginEvent, Notice, NoticeRead, User
from .rules import LOGIN, PUBLIC, AuthenticatedHttpRequest, access, perm
from .transitions import step_label


@access(PUBLIC)
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@access(PUBLIC)
class LogoutView(auth_views.LogoutView):
    pass


@access(LOGIN)
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        style_form(form)
        return form

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return "/"


# --- API tokens -------------------------------------------------------------------------------------

@access(LOGIN)
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    new_key = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name or len(name) > 100 or "\x00" in name:
            messages.error(request, _("Give the token a name of at most 100 characters."))
        else:
            new_key = services.create_token(request.user, name)
    rows = ApiToken.objects.filter(user=request.user)
    status = 400 if request.method == "POST" and new_key is None else 200
    return render(request, "core/tokens.html", {"tokens": rows, "new_key": new_key}, status=status)


@access(LOGIN)
@require_POST
def revoke_token(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponseBase:
    services.revoke_token(request.user, token_id)
    messages.success(request, _("The token has been revoked."))
    return redirect("core:tokens")


# --- audit trail ------------------------------------------------------------------------------------

AUDIT_COLUMNS = [
    Column(gettext_lazy("Time"), attr("timestamp")),
    Column(gettext_lazy("Actor"), attr("actor_label")),
    Column(gettext_lazy("Action"), attr("action")),
    Column(gettext_lazy("Operation"), lambda e: step_label(e.label)),
    Column(gettext_lazy("Record type"), lambda e: e.content_type.name if e.content_type else ""),
    Column(pgettext_lazy("audit", "Record"), attr("object_repr")),
    Column(gettext_lazy("Changes"), lambda e: e.summary()),
    Column(gettext_lazy("Request id"), attr("request_id")),
    Column(gettext_lazy("IP address"), attr("ip")),
]


@access(perm("core.view_auditentry"))
class AuditListView(ScopedListView):
    """操作日志: the whole trail, searchable."""

    model = AuditEntry
    filterset_class = AuditFilter
    columns = AUDIT_COLUMNS
    title = gettext_lazy("Audit trail")
    template_name = "core/audit_list.html"

    def base_queryset(self) -> models.QuerySet[AuditEntry]:
        queryset: models.QuerySet[AuditEntry] = super().base_queryset()
        return queryset.select_related("content_type")

    def prepare_page(self, entries: list[AuditEntry]) -> None:
        prime_linked_names(entries)


@access(LOGIN)
def object_trail(request: AuthenticatedHttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The history of one record, for anyone who may see the record itself."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model is None or not hasattr(model.objects, "visible_to"):  # type: ignore[attr-defined]  # checked here
        raise Http404
    if not has_perm_anywhere(request.user, perm_code(model, "view")):
        raise PermissionDenied
    try:
        object_id = model._meta.pk.to_python(object_id)
    except ValidationError as exc:
        raise Http404 from exc
    if not model.objects.visible_to(request.user, "view").filter(pk=object_id).exists():  # type: ignore[attr-defined]  # as above
        raise Http404
    entries = list(AuditEntry.objects.filter(content_type=content_type, object_id=str(object_id)).select_related(
        "content_type")[:500])
    prime_linked_names(entries)
    return render(request, "core/audit_trail.html", {
        "title": _("History of %(record)s") % {"record": model.objects.get(pk=object_id)},  # type: ignore[attr-defined]  # as above
        "entries": entries})


@access(LOGIN)
def user_trail(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    """What one user changed: yours always, anyone's with the audit permission."""
    subject = get_object_or_404(User, pk=user_id)
    if subject != request.user and not has_perm_anywhere(request.user, "core.view_auditentry"):
        raise PermissionDenied
    visible = AuditEntry.objects.visible_to(request.user, "view") if subject != request.user else AuditEntry.objects
    entries = list(visible.filter(actor=subject).select_related("content_type")[:500])
    prime_linked_names(entries)
    return render(request, "core/audit_trail.html", {
        "title": _("Changes made by %(user)s") % {"user": subject}, "entries": entries})


@access(perm("core.view_loginevent"))
class LoginLogView(ScopedListView):
    """登录日志."""

    model = LoginEvent
    filterset_class = LoginFilter
    title = gettext_lazy("Login log")
    columns = [
        Column(gettext_lazy("Time"), attr("timestamp")),
        Column(gettext_lazy("Username"), attr("username")),
        Column(gettext_lazy("Event"), attr("event")),
        Column(gettext_lazy("Succeeded"), attr("success")),
        Column(gettext_lazy("IP address"), attr("ip")),
        Column(gettext_lazy("Device"), lambda event: describe(event.user_agent)),
    ]


# --- online users -----------------------------------------------------------------------------------

@access(perm("core.view_session"))
def sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """在线用户: live sessions with their user, address and device; ending one logs the user out."""
    return render(request, "core/sessions.html", {"sessions": services.live_sessions(),
                                                  "can_end": has_perm_anywhere(request.user, "core.delete_session")})


@access(perm("core.delete_session"))
@require_POST
def end_session(request: AuthenticatedHttpRequest, key_prefix: str) -> HttpResponseBase:
    ended = services.end_session(request.user, key_prefix)
    messages.success(request, _("Ended %(count)d session(s).") % {"count": ended})
    return redirect("core:sessions")


# --- dictionaries and notices ---------------------------------------------------------------------

@access(LOGIN)
def dictionaries(request: AuthenticatedHttpRequest) -> HttpResponse:
    """字典管理: every logged-in user reads; holders of core.change_dictitem add and switch items."""
    return render(request, "core/dictionaries.html", {
        "types": DictType.objects.prefetch_related("items"),
        "can_edit": has_perm_anywhere(request.user, "core.change_dictitem")})


@access(perm("core.change_dictitem"))
@require_POST
def dictionary_item_save(request: AuthenticatedHttpRequest, type_id: int) -> HttpResponseBase:
    try:
        reference.save_dict_item(request.user, type_id, value=request.POST.get("value", "").strip(),
                                 label=request.POST.get("label", "").strip(),
                                 sort_order=int(request.POST.get("sort_order") or 0))
    except (ValidationError, ValueError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [_("Enter a whole number for the order.")])))
    except DictType.DoesNotExist as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("Saved."))
    return redirect("core:dictionaries")


@access(perm("core.change_dictitem"))
@require_POST
def dictionary_item_toggle(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponseBase:
    item = get_object_or_404(DictItem, pk=item_id)
    reference.set_dict_item_active(request.user, item.pk, not item.active)
    return redirect("core:dictionaries")


@access(LOGIN)
class NoticesView(ServiceFormView):
    """通知公告: every logged-in user reads the notices; holders of core.add_notice publish one with the form."""

    form_class, model, template_name = NoticeForm, Notice, "core/notices.html"
    create_service = reference.publish_notice
    saved_message = gettext_lazy("The notice has been published.")

    def get_object(self, pk: int | None = None) -> None:
        return None

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:  # type: ignore[override]  # a new notice: no pk
        if not has_perm_anywhere(request.user, "core.add_notice"):
            raise PermissionDenied
        return super().post(request, **kwargs)

    def success_url(self, saved: Any) -> str:
        return reverse("core:notices")

    def render_form(self, form: Any, obj: Any, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {
            "notices": Notice.objects.select_related("author")[:200], "form": form,
            "read": set(NoticeRead.objects.filter(user=cast(User, self.request.user))  # the page needs a login
                        .values_list("notice_id", flat=True)),
            "current": set(reference.current_notices(limit=None).values_list("pk", flat=True)),
            "can_publish": has_perm_anywhere(self.request.user, "core.add_notice"),
            "can_withdraw": has_perm_anywhere(self.request.user, "core.change_notice")}, status=status)


@access(perm("core.change_notice"))
@require_POST
def notice_withdraw(request: AuthenticatedHttpRequest, notice_id: int) -> HttpResponseBase:
    try:
        reference.withdraw_notice(request.user, notice_id)
    except Notice.DoesNotExist as exc:
        raise Http404 from exc
    return redirect("core:notices")


@access(LOGIN)
@require_POST
def notice_read(request: AuthenticatedHttpRequest, notice_id: int) -> HttpResponseBase:
    """已读 from the home or the notices page; back where the reader was."""
    try:
        reference.mark_notice_read(request.user, notice_id)
    except Notice.DoesNotExist as exc:
        raise Http404 from exc
    back = request.POST.get("next", "")
    return redirect(back if url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith("/")
                    else "core:notices")


# --- error pages --------------------------------------------------------------------------------------

def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: a query outside its range names why (`core.boundary.BadQuery` carries a translated message);
    any other refusal (a suspicious request) says nothing more."""
    from .boundary import BadQuery

    reason = str(exception) if isinstance(exception, BadQuery) else ""
    return render(request, "400.html", {"reason": reason}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


@access(PUBLIC)
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)



# --- scheduled jobs (定时任务) and their log (调度日志) -------------------------------------------------------

JOBS_PERM = "core.change_scheduledjob"


@access(perm(JOBS_PERM))
def scheduled_jobs(request: AuthenticatedHttpRequest) -> HttpResponse:
    """定时任务: each job, its schedule, last and next run, and 立即执行 / 暂停 / 恢复 (POST only)."""
    from . import jobs

    rows = jobs.overview()
    return render(request, "core/jobs.html", {
        "rows": rows, "links": {row.job.name: reverse(row.job.link) for row in rows if row.job.link}})


def _job_step(request: HttpRequest, name: str, step: Callable[[], object]) -> None:
    from .models import ScheduledJob

    try:
        step()
    except ScheduledJob.DoesNotExist as exc:
        raise Http404 from exc


@access(perm(JOBS_PERM))
@require_POST
def job_run_now(request: AuthenticatedHttpRequest, name: str) -> HttpResponseBase:
    from . import jobs

    _job_step(request, name, lambda: services.run_job_now(request.user, name))
    messages.success(request, _("%(job)s is queued; its run appears in the log below.") % {
        "job": jobs.label_of(name)})
    return redirect("core:jobs")


@access(perm(JOBS_PERM))
@require_POST
def job_pause(request: AuthenticatedHttpRequest, name: str) -> HttpResponseBase:
    _job_step(request, name, lambda: services.set_job_paused(request.user, name, True))
    messages.success(request, _("Paused."))
    return redirect("core:jobs")


@access(perm(JOBS_PERM))
@require_POST
def job_resume(request: AuthenticatedHttpRequest, name: str) -> HttpResponseBase:
    _job_step(request, name, lambda: services.set_job_paused(request.user, name, False))
    messages.success(request, _("Resumed."))
    return redirect("core:jobs")


def _job_run_link(run: JobRun) -> str:
    return reverse("core:job_run", args=[run.pk])


@access(perm("core.view_jobrun"))
class JobRunListView(ScopedListView):
    """调度日志: every run of every job, searchable, with Excel export."""

    model = JobRun
    filterset_class = JobRunFilter
    title = gettext_lazy("Job log")
    columns = [
        Column(gettext_lazy("Started at"), attr("started_at"), link=_job_run_link),
        Column(gettext_lazy("Job"), attr("job_label")),
        Column(gettext_lazy("Trigger"), attr("trigger")),
        Column(gettext_lazy("Requested by"), attr("user")),
        Column(gettext_lazy("Duration (s)"), attr("seconds")),
        Column(pgettext_lazy("job", "Outcome"), attr("outcome")),
        Column(gettext_lazy("Result"), attr("result_text")),
        Column(gettext_lazy("Error"), attr("error_summary")),
    ]

    def base_queryset(self) -> models.QuerySet[JobRun]:
        queryset: models.QuerySet[JobRun] = super().base_queryset()
        return queryset.select_related("user")


@access(perm("core.view_jobrun"))
def job_run(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    """One run with its whole error (the traceback), for whoever reads the log."""
    run = get_object_or_404(JobRun.objects.visible_to(request.user, "view"), pk=run_id)
    return render(request, "core/job_run.html", {"run": run})
