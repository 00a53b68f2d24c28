import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, JobRun, LoginEvent


def audited_models() -> list[type[models.Model]]:
    """The models the audit trail can hold: every model that keeps an audit, and every state machine's record."""
    from django.apps import apps

    from .audit import AuditedModel
    from .transitions import MACHINES

    audited = {m for m in apps.get_models() if issubclass(m, AuditedModel) and not m._meta.proxy}
    return sorted(audited | {machine.model for machine in MACHINES.values()}, key=lambda m: m._meta.label)


def audited_type_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """操作日志's record-type filter: every audited model by its Chinese name, grouped by module (代办事项 under
    党员家庭代办站, 城市管理案件 under 民生·创城 ...), in the order of the apps."""
    from django.apps import apps

    order = {config.label: n for n, config in enumerate(apps.get_app_configs())}
    types = ContentType.objects.get_for_models(*audited_models())
    groups: dict[str, list[tuple[int, str]]] = {}
    for model in sorted(types, key=lambda m: (order.get(m._meta.app_label, 999), str(m._meta.verbose_name))):
        module = str(model._meta.app_config.verbose_name)
        groups.setdefault(module, []).append((types[model].pk, str(model._meta.verbose_name)))
    return list(groups.items())


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label=_("Actor"))
    action = django_filters.ChoiceFilter(choices=AuditEntry.ACTIONS, label=_("Action"))
    content_type = django_filters.ChoiceFilter(choices=audited_type_choices, label=_("Record type"))
    request_id = django_filters.CharFilter(label=_("Request id"))
    since = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "content_type", "request_id", "since", "until"]


class LoginFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains", label=_("Username"))
    success = django_filters.BooleanFilter(label=_("Succeeded"))
    since = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label=_("From"))

    class Meta:
        model = LoginEvent
        fields = ["username", "success", "since"]


def _job_choices() -> list[tuple[str, str]]:
    from .jobs import choices

    return choices()


class JobRunFilter(django_filters.FilterSet):
    job = django_filters.ChoiceFilter(choices=_job_choices, label=_("Job"))
    trigger = django_filters.ChoiceFilter(choices=JobRun.Trigger.choices, label=_("Trigger"))
    succeeded = django_filters.BooleanFilter(label=_("Succeeded"))
    error = django_filters.CharFilter(lookup_expr="icontains", label=_("Error contains"))
    since = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="started_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = JobRun
        fields = ["job", "trigger", "succeeded", "error", "since", "until"]
