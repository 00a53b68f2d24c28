"""Project pages: the lists, a project's stages and monthly reports, the headline figures. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wanghua.core.access import can, has_perm_anywhere
from wanghua.core.editing import int_or_zero, perform, style_form, visible_or_404
from wanghua.core.listing import Column, ScopedListView, attr, detail_link
from wanghua.core.rules import access, perm

from . import services
from .filters import IssueFilter, ProjectFilter
from .forms import IssueForm, ReportForm
from .models import MonthlyReport, Project, ProjectIssue, ProjectList, Stage


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
        Column(gettext_lazy("started"), attr("started_on")),
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
    return render(request, "projects/project_detail.html", {
        "project": project, "reports": project.reports.select_related("reviewed_by"), "form": form,
        "issues": project.issues.select_related("owner_unit"), "issue_form": issue_form, "today": timezone.localdate(),
        "can_issue": has_perm_anywhere(request.user, "projects.add_projectissue"),
        "next_stages": [(s, Stage(s).label) for s in services.NEXT.get(project.stage, ())]
        if can(request.user, "change", project) else [],
        "can_report": has_perm_anywhere(request.user, "projects.add_monthlyreport"),
        "can_review": has_perm_anywhere(request.user, "projects.review_monthlyreport")}, status=status)


@access(perm("projects.change_project"))
@require_POST
def project_stage(request, pk: int):
    perform(request, lambda: services.advance_stage(request.user, pk, request.POST.get("stage", "")))
    return redirect("projects:project_detail", pk=pk)


@access(perm("projects.add_monthlyreport"))
@require_POST
def report_submit(request, pk: int):
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.submit_report(request.user, pk, **form.cleaned_data)
        except Project.DoesNotExist as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect("projects:project_detail", pk=pk)
    return project_detail(request, pk, form=form, status=400)


@access(perm("projects.review_monthlyreport"))
@require_POST
def report_review(request, report_id: int):
    report = visible_or_404(MonthlyReport, request, report_id)
    perform(request, lambda: services.review_report(request.user, report_id,
                                                    approve=request.POST.get("decision") == "approve",
                                                    comment=request.POST.get("comment", "")))
    return redirect("projects:project_detail", pk=report.project_id)


@access(perm("projects.view_project"))
def headline(request):
    """项目建设 at a glance: started this year, their investment, FAI to date and its growth, by list."""
    today = timezone.localdate()
    year = int_or_zero(request.GET.get("year")) or today.year
    through = int_or_zero(request.GET.get("month")) or (today.month if year == today.year else 12)
    if not (2000 <= year <= 2100 and 1 <= through <= 12):
        raise Http404
    figures = services.headline(Project.objects.visible_to(request.user), year, through)
    labels = dict(ProjectList.choices)
    return render(request, "projects/headline.html", {
        "figures": figures, "lists": [{**row, "label": labels[row["list"]]} for row in figures.by_list],
        "overdue": services.overdue_reports(Project.objects.visible_to(request.user))})


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


@access(perm("projects.add_projectissue"))
@require_POST
def issue_raise(request, pk: int):
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            services.raise_issue(request.user, pk, **form.cleaned_data)
        except Project.DoesNotExist as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect("projects:project_detail", pk=pk)


ISSUE_STEPS = {
    "resolve": lambda user, pk, post: services.resolve_issue(user, pk, resolution=post.get("resolution", "")),
    "confirm": lambda user, pk, post: services.confirm_issue(user, pk, satisfied=True, note=post.get("note", "")),
    "reopen": lambda user, pk, post: services.confirm_issue(user, pk, satisfied=False, note=post.get("note", "")),
}


@access(perm("projects.change_projectissue"))
@require_POST
def issue_step(request, issue_id: int, step: str):
    if step not in ISSUE_STEPS:
        raise Http404
    issue = visible_or_404(ProjectIssue, request, issue_id)
    perform(request, lambda: ISSUE_STEPS[step](request.user, issue_id, request.POST))
    return redirect(issue.get_absolute_url())
